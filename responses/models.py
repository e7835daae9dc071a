"""Who answers what: authorities, returns, assignments, memberships, invitations, answers."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consultation.models import Area, Question, Round, Section


class Authority(models.Model):
    """A national institution of a country that answers some or all of the questionnaire."""

    class Kind(models.TextChoices):
        NSO = "nso", _("National statistical office")
        INTERIOR = "interior", _("Ministry of interior / home affairs")
        IMMIGRATION = "immigration", _("Immigration or border agency")
        LABOUR = "labour", _("Ministry of labour")
        FOREIGN_AFFAIRS = "foreign_affairs", _("Ministry of foreign affairs / diaspora agency")
        MIGRATION_AGENCY = "migration_agency", _("Migration agency")
        CIVIL_REGISTRATION = "civil_registration", _("Civil registration / population register")
        CENTRAL_BANK = "central_bank", _("Central bank")
        OTHER = "other", _("Other")

    country = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="authorities")
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=30, choices=Kind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="unique_authority_name"),
            models.UniqueConstraint(
                fields=["country"], condition=Q(kind="nso"), name="one_nso_per_country"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CountryReturnQuerySet(models.QuerySet):
    def unfinished(self) -> "CountryReturnQuerySet":
        """Returns still being filled in: neither submitted nor accepted."""
        return self.exclude(status__in=CountryReturn.FINISHED)


class CountryReturn(models.Model):
    """A country's reply to a round: one per country and round."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        QUERIED = "queried", _("Queried by UNSD")
        ACCEPTED = "accepted", _("Accepted")

    class Action(models.TextChoices):
        START = "start", _("Started")
        SUBMIT = "submit", _("Submitted")
        QUERY = "query", _("Queried by UNSD")
        RESUBMIT = "resubmit", _("Submitted again")
        ACCEPT = "accept", _("Accepted by UNSD")
        REOPEN = "reopen", _("Reopened by UNSD")

    # The whole lifecycle: each action, the statuses it starts from, the status it leads to.
    # Only responses.returns.lifecycle.move_return applies it (and writes the ReturnEvent row).
    TRANSITIONS = {
        Action.START: (frozenset({Status.NOT_STARTED}), Status.IN_PROGRESS),
        Action.SUBMIT: (frozenset({Status.NOT_STARTED, Status.IN_PROGRESS}), Status.SUBMITTED),
        Action.QUERY: (frozenset({Status.SUBMITTED}), Status.QUERIED),
        Action.RESUBMIT: (frozenset({Status.QUERIED}), Status.SUBMITTED),
        Action.ACCEPT: (frozenset({Status.SUBMITTED}), Status.ACCEPTED),
        Action.REOPEN: (
            frozenset({Status.SUBMITTED, Status.QUERIED, Status.ACCEPTED}),
            Status.IN_PROGRESS,
        ),
    }
    # Where the country edits its replies freely (when queried: only what a query reopened).
    EDITABLE = (Status.NOT_STARTED, Status.IN_PROGRESS)
    # Handed in: reminders stop, sections are no longer forwarded.
    FINISHED = (Status.SUBMITTED, Status.QUERIED, Status.ACCEPTED)

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="returns")
    country = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    created_at = models.DateTimeField(auto_now_add=True)
    deadline_reminder_sent_on = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Set when UNSD reopens the return: a return reopened after its round closed is editable.
    reopened_at = models.DateTimeField(null=True, blank=True)

    objects = CountryReturnQuerySet.as_manager()

    class Meta:
        ordering = ["country__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "country"], name="one_return_per_country")
        ]

    def __str__(self) -> str:
        return f"{self.country} · {self.round}"


class ReturnEvent(models.Model):
    """One step on a return's timeline: a status change, or a review step (query, correction)."""

    class Action(models.TextChoices):
        START = "start", _("Started")
        SUBMIT = "submit", _("Submitted")
        QUERY = "query", _("Queried by UNSD")
        RESUBMIT = "resubmit", _("Submitted again")
        ACCEPT = "accept", _("Accepted by UNSD")
        REOPEN = "reopen", _("Reopened by UNSD")
        QUERY_RAISED = "query_raised", _("Query raised")
        QUERY_REPLIED = "query_replied", _("Query answered")
        QUERY_RESOLVED = "query_resolved", _("Query resolved")
        QUESTION_REOPENED = "question_reopened", _("Question reopened for correction")
        CORRECTION_PROPOSED = "correction_proposed", _("Correction proposed by UNSD")
        CORRECTION_ACCEPTED = "correction_accepted", _("Correction accepted")
        CORRECTION_REJECTED = "correction_rejected", _("Correction rejected")

    country_return = models.ForeignKey(
        CountryReturn, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    old_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the step is about, in words ("C1 · Population register · exists"), if not the return.
    subject = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["country_return", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d})"

    def get_old_status_display(self) -> str:
        return _status_label(self.old_status)

    def get_new_status_display(self) -> str:
        return _status_label(self.new_status)


def _status_label(status: str) -> str:
    return (
        str(CountryReturn.Status(status).label) if status in CountryReturn.Status.values else status
    )


class RoundEvent(models.Model):
    """A status change of a round: who opened or closed it, when, and why."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Round.Action.choices)
    old_status = models.CharField(max_length=10, blank=True)
    new_status = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.round_id} {self.action} ({self.created_at:%Y-%m-%d})"


class MembershipQuerySet(models.QuerySet):
    def focal_point_emails(self, country_return: "CountryReturn") -> models.QuerySet:
        """The addresses that e-mails to a return's focal points go to: active, each once."""
        return (
            self.filter(
                role=Membership.Role.FOCAL_POINT,
                country_return=country_return,
                user__is_active=True,
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
            .distinct()
        )


class Membership(models.Model):
    """A person's role: for a country and authority (respondents) or at UNSD (staff)."""

    class Role(models.TextChoices):
        FOCAL_POINT = "focal_point", _("NSO focal point")
        RESPONDENT = "respondent", _("Authority respondent")
        UNSD_REVIEWER = "unsd_reviewer", _("UNSD reviewer")
        UNSD_ADMIN = "unsd_admin", _("UNSD administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    country_return = models.ForeignKey(
        CountryReturn, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "country_return", "authority"],
                name="unique_membership",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(role__in=["unsd_reviewer", "unsd_admin"])
                | Q(country_return__isnull=False, authority__isnull=False),
                name="country_roles_name_return_and_authority",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class Assignment(models.Model):
    """A section of a country return forwarded to (held by) an authority."""

    class Status(models.TextChoices):
        FORWARDED = "forwarded", _("Forwarded")
        IN_PROGRESS = "in_progress", _("In progress")
        HANDED_BACK = "handed_back", _("Handed back")
        RECLAIMED = "reclaimed", _("Reclaimed")

    class Action(models.TextChoices):
        FORWARDED = "forwarded", _("Forwarded")
        STARTED = "started", _("Started")
        REMINDED = "reminded", _("Reminded")
        HANDED_BACK = "handed_back", _("Handed back")
        RECLAIMED = "reclaimed", _("Reclaimed")
        REOPENED = "reopened", _("Reopened")
        REFORWARDED = "reforwarded", _("Forwarded again")

    # The whole lifecycle: each action, the statuses it starts from, the status it leads to.
    # Only responses.returns.lifecycle.move_assignment applies it (and writes the event row);
    # forwarding creates the row in FORWARDED with its "forwarded" event.
    TRANSITIONS = {
        Action.STARTED: (frozenset({Status.FORWARDED}), Status.IN_PROGRESS),
        Action.HANDED_BACK: (
            frozenset({Status.FORWARDED, Status.IN_PROGRESS}),
            Status.HANDED_BACK,
        ),
        Action.RECLAIMED: (
            frozenset({Status.FORWARDED, Status.IN_PROGRESS, Status.HANDED_BACK}),
            Status.RECLAIMED,
        ),
        Action.REOPENED: (frozenset({Status.HANDED_BACK}), Status.IN_PROGRESS),
        Action.REFORWARDED: (frozenset({Status.RECLAIMED}), Status.FORWARDED),
    }
    # Where the authority may still edit its reply.
    EDITABLE = (Status.FORWARDED, Status.IN_PROGRESS)
    # Where the authority may still see its reply.
    VISIBLE = (Status.FORWARDED, Status.IN_PROGRESS, Status.HANDED_BACK)

    country_return = models.ForeignKey(
        CountryReturn, on_delete=models.CASCADE, related_name="assignments"
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="assignments")
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.FORWARDED)
    due_date = models.DateField(null=True, blank=True)
    message = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    forwarded_at = models.DateTimeField(auto_now_add=True)
    handed_back_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["section__position", "authority__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country_return", "section", "authority"], name="one_assignment_per_holder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.section.code} → {self.authority}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def reminded_today(self) -> bool:
        """A reminder went today (by hand or the daily task): the next may go tomorrow."""
        return self.reminded_on == timezone.localdate()


class AssignmentEvent(models.Model):
    """What happened to an assignment: forwarded, reminded, handed back, reclaimed, reopened."""

    # The same actions as the assignment's lifecycle (reminders change no status).
    Action = Assignment.Action

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    old_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d})"


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        """Links neither used nor withdrawn (they may have expired, or not be sent yet)."""
        return self.filter(used_at__isnull=True, revoked_at__isnull=True)

    def unsent(self) -> "InvitationQuerySet":
        """Pending links whose e-mail has not gone out yet."""
        return self.pending().filter(sent_at__isnull=True)

    def usable(self, now: datetime) -> "InvitationQuerySet":
        """Pending links that have not expired at `now`."""
        return self.pending().filter(expires_at__gt=now)


class Invitation(models.Model):
    """A single-use, expiring link that lets one e-mail address join a country return.

    The link's token is never stored: only its SHA-256 hash, and a salt from which the token is
    derived again (with SECRET_KEY) when the e-mail is sent. See responses.invitations.links.
    """

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Membership.Role.choices)
    country_return = models.ForeignKey(
        CountryReturn, on_delete=models.CASCADE, related_name="invitations"
    )
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="invitations")
    full_name = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True)
    salt = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The e-mail carries the workbook of the sections the authority holds, built when it is sent.
    attach_workbook = models.BooleanField(default=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} · {self.country_return}"


class Answer(models.Model):
    """One answer of one reply: a question (or a grid cell) of a return, for an authority.

    An answer without an authority belongs to the return's consolidated answers (written by the
    consolidation app: a resolved conflict, an answer nobody supplied); replies are the answers
    with an authority. `version` grows with every change; a save names the version it started
    from, so that concurrent edits are never silently overwritten.
    """

    country_return = models.ForeignKey(
        CountryReturn, on_delete=models.CASCADE, related_name="answers"
    )
    # None: the return's consolidated answer.
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    row_code = models.CharField(max_length=30, blank=True)
    column_code = models.CharField(max_length=30, blank=True)
    value = models.JSONField(null=True, blank=True)
    # A special value instead of a value: not_available, not_applicable, confidential, dont_know.
    status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["country_return", "authority", "question", "row_code", "column_code"],
                name="one_answer_per_key",
            ),
            models.UniqueConstraint(
                fields=["country_return", "question", "row_code", "column_code"],
                condition=Q(authority__isnull=True),
                name="one_consolidated_answer_per_key",
            ),
        ]
        indexes = [models.Index(fields=["country_return", "authority"])]

    def __str__(self) -> str:
        return f"{self.question_id}.{self.row_code}.{self.column_code} v{self.version}"


class AnswerChange(models.Model):
    """One change to an answer: who, when, through which channel, the old and the new value."""

    class Channel(models.TextChoices):
        WEB = "web", _("Save button")
        AUTOSAVE = "autosave", _("Autosave")
        RESTORE = "restore", _("Restored from history")
        EXCEL = "excel", _("Excel upload")
        CONSOLIDATION = "consolidation", _("Consolidation")
        # A correction UNSD proposed; changed_by is the person of the country who accepted it.
        CORRECTION = "correction", _("UNSD correction")

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()
    old_value = models.JSONField(null=True, blank=True)
    old_status = models.CharField(max_length=20, blank=True)
    old_note = models.TextField(blank=True)
    new_value = models.JSONField(null=True, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    new_note = models.TextField(blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "version"], name="one_change_per_version")
        ]

    def __str__(self) -> str:
        return f"v{self.version} by {self.changed_by_id} ({self.channel})"

    def describe_channel(self) -> str:
        """Through which channel, in words: a UNSD correction names who accepted it."""
        if self.channel == self.Channel.CORRECTION:
            person = (
                self.changed_by.get_full_name() or self.changed_by.email if self.changed_by else ""
            )
            return gettext("UNSD correction, accepted by %(person)s") % {"person": person}
        return str(self.get_channel_display())


class QuestionReopening(models.Model):
    """One question of a queried return that one authority may correct again, nothing else.

    Opened when a query is answered by correcting; closed when the return is handed in again.
    """

    country_return = models.ForeignKey(
        CountryReturn, on_delete=models.CASCADE, related_name="reopenings"
    )
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["country_return", "authority", "question"],
                condition=Q(closed_at__isnull=True),
                name="one_open_reopening_per_question",
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id} reopened for {self.authority_id}"


class OutboundEmail(models.Model):
    """An e-mail written in the same transaction as the change it reports; sent once by Celery."""

    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # When set, the e-mail carries the workbook of the sections this authority holds in this
    # return, built when it is sent so that it holds the answers and versions of that moment.
    workbook_return = models.ForeignKey(
        CountryReturn, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    workbook_authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
