"""UNSD review of a submitted return: threaded queries on answers, and proposed corrections."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultation.models import Question
from responses.models import Authority, CountryReturn


class ReviewQuery(models.Model):
    """A reviewer's question about one answer (a question, or one grid cell) of a return.

    It goes to whoever supplied the answer (`routed_to`: the authorities whose replies it came
    from; the NSO for the focal point's own answers), and its thread runs reviewer, country,
    reviewer... until the reviewer resolves it.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        RESOLVED = "resolved", _("Resolved")

    class Action(models.TextChoices):
        COUNTRY_REPLIED = "country_replied", _("Answered by the country")
        UNSD_REPLIED = "unsd_replied", _("Asked again by UNSD")
        RESOLVE = "resolve", _("Resolved")

    # The whole lifecycle: each action, the statuses it starts from, the status it leads to.
    TRANSITIONS = {
        Action.COUNTRY_REPLIED: (frozenset({Status.OPEN, Status.ANSWERED}), Status.ANSWERED),
        Action.UNSD_REPLIED: (frozenset({Status.OPEN, Status.ANSWERED}), Status.OPEN),
        Action.RESOLVE: (frozenset({Status.OPEN, Status.ANSWERED}), Status.RESOLVED),
    }

    country_return = models.ForeignKey(
        CountryReturn, on_delete=models.CASCADE, related_name="review_queries"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    row_code = models.CharField(max_length=30, blank=True)
    column_code = models.CharField(max_length=30, blank=True)
    routed_to = models.ManyToManyField(Authority, related_name="review_queries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        indexes = [models.Index(fields=["country_return", "status"])]

    def __str__(self) -> str:
        return f"Query on {self.question_id}.{self.row_code}.{self.column_code} ({self.status})"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.question.code, self.row_code, self.column_code)


class QueryMessage(models.Model):
    """One message of a query's thread, from UNSD or from the country."""

    query = models.ForeignKey(ReviewQuery, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_unsd = models.BooleanField()
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{'UNSD' if self.from_unsd else 'country'} on query {self.query_id}"


class Correction(models.Model):
    """A new value UNSD proposes for a submitted answer; it applies only if the country accepts."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    class Action(models.TextChoices):
        ACCEPT = "accept", _("Accepted by the country")
        REJECT = "reject", _("Rejected by the country")

    # The whole lifecycle: each action, the statuses it starts from, the status it leads to.
    TRANSITIONS = {
        Action.ACCEPT: (frozenset({Status.PROPOSED}), Status.ACCEPTED),
        Action.REJECT: (frozenset({Status.PROPOSED}), Status.REJECTED),
    }

    country_return = models.ForeignKey(
        CountryReturn, on_delete=models.CASCADE, related_name="corrections"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    row_code = models.CharField(max_length=30, blank=True)
    column_code = models.CharField(max_length=30, blank=True)
    # The proposed answer, as an AnswerValue stores it.
    value = models.JSONField(null=True, blank=True)
    special_value = models.CharField(max_length=20, blank=True)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["proposed_at", "pk"]

    def __str__(self) -> str:
        return f"Correction of {self.question_id}.{self.row_code}.{self.column_code}"
