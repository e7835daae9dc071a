"""Forwarding sections to authorities, and what follows: hand back, remind, reclaim, reopen.

Every status change of an assignment goes through `responses.returns.lifecycle.move_assignment`,
which checks `Assignment.TRANSITIONS` on the locked row and writes an `AssignmentEvent`. E-mails
are written to the outbox in the same transaction and sent once it commits.
"""

from collections.abc import Iterable, Sequence
from datetime import date

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultation.models import Round, Section

from ..exceptions import ConsultationError, ForwardingRefused
from ..invitations.services import issue_invitation
from ..models import (
    Assignment,
    AssignmentEvent,
    Authority,
    CountryReturn,
    Invitation,
    Membership,
)
from ..notifications.queue import (
    email_sections,
    overview_url,
    plain_subject,
    queue_email,
    queue_reminder,
    section_url,
)
from ..returns.lifecycle import move_assignment

Status = Assignment.Status
Action = AssignmentEvent.Action


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def validate_due_date(*, round_: Round, due_date: date | None, today: date | None = None) -> None:
    """A due date may not be in the past, nor after the round's deadline if it has one."""
    if due_date is None:
        return
    today = today or timezone.localdate()
    if due_date < today:
        raise ForwardingRefused(_("The due date cannot be in the past."))
    if round_.deadline and due_date > round_.deadline:
        raise ForwardingRefused(
            _("The due date cannot be after the round's deadline (%(deadline)s).")
            % {"deadline": round_.deadline.isoformat()}
        )


def _check_return_open(country_return: CountryReturn) -> None:
    """Sections are handed out only while the round runs and the return is not yet submitted."""
    if country_return.round.status == Round.Status.CLOSED:
        raise ForwardingRefused(
            _("The round is closed: sections can no longer be given to authorities.")
        )
    if country_return.status in CountryReturn.FINISHED:
        raise ForwardingRefused(
            _("The return has been submitted: sections can no longer be given to authorities.")
        )


def active_assignments_of(
    *, country_return: CountryReturn, sections: Iterable[Section], authority: Authority
) -> list[Assignment]:
    """The assignments that stop these sections being forwarded to the authority again."""
    return list(
        Assignment.objects.filter(
            country_return=country_return, authority=authority, section__in=list(sections)
        )
        .exclude(status=Status.RECLAIMED)
        .select_related("section", "authority")
    )


def describe_active(assignments: Sequence[Assignment]) -> str:
    """Why the sections cannot be forwarded again, and what to do instead."""
    held = ", ".join(
        _("%(section)s (%(status)s)")
        % {"section": assignment.section.code, "status": _status_label(assignment.status)}
        for assignment in assignments
    )
    return _(
        "%(authority)s already holds section(s) %(sections)s. Send a reminder, reopen or "
        "reclaim them from the return page instead."
    ) % {"authority": assignments[0].authority.name, "sections": held}


def find_authority(*, country_return: CountryReturn, name: str) -> Authority | None:
    """A known authority of the return's country with this name (ignoring case and spacing)."""
    name = " ".join(name.split())
    return Authority.objects.filter(country_id=country_return.country_id, name__iexact=name).first()


def _resolve_authority(
    *,
    country_return: CountryReturn,
    authority: Authority | None,
    authority_name: str,
    authority_kind: str,
) -> Authority:
    """The authority to forward to: a known one of the country, or a new one named here."""
    if authority is None:
        name = " ".join(authority_name.split())
        if not name:
            raise ForwardingRefused(_("Choose a known authority or name a new one."))
        if authority_kind not in Authority.Kind.values or authority_kind == Authority.Kind.NSO:
            raise ForwardingRefused(_("Choose what kind of authority it is."))
        authority, _created = Authority.objects.get_or_create(
            country_id=country_return.country_id,
            name__iexact=name,
            defaults={"name": name, "kind": authority_kind},
        )
    if authority.country_id != country_return.country_id:
        raise ForwardingRefused(_("That authority belongs to another country."))
    if authority.kind == Authority.Kind.NSO:
        raise ForwardingRefused(
            _("The national statistical office's reply is filled in by its focal points.")
        )
    return authority


def _tell_contact(
    *,
    country_return: CountryReturn,
    authority: Authority,
    assignments: Sequence[Assignment],
    contact_email: str,
    contact_name: str,
    message: str,
    actor: User | None,
    attach_workbook: bool,
) -> None:
    """Invite the contact, or, if they already answer for this authority, tell them by e-mail;
    with `attach_workbook`, the e-mail carries the workbook of the sections the authority holds."""
    if not contact_email:
        return
    is_member = Membership.objects.filter(
        role=Membership.Role.RESPONDENT,
        country_return=country_return,
        authority=authority,
        user__email__iexact=contact_email,
        user__is_active=True,
    ).exists()
    if not is_member:
        # One valid link per person: an earlier link not yet used is replaced by this one,
        # whose e-mail lists every section the authority now holds.
        Invitation.objects.pending().filter(
            email__iexact=contact_email,
            role=Membership.Role.RESPONDENT,
            country_return=country_return,
            authority=authority,
        ).update(revoked_at=timezone.now())
        issue_invitation(
            email=contact_email,
            role=Membership.Role.RESPONDENT,
            country_return=country_return,
            authority=authority,
            invited_by=actor,
            full_name=contact_name,
            message=message,
            attach_workbook=attach_workbook,
        )
        return
    queue_email(
        to=contact_email,
        subject=plain_subject(
            _("Sections of the migration statistics questionnaire for %(authority)s")
            % {"authority": authority.name}
        ),
        template="responses/emails/sections_forwarded.txt",
        context={
            "country_return": country_return,
            "country": country_return.country.name,
            "authority": authority.name,
            "contact_name": contact_name,
            "message": message,
            "sections": email_sections(country_return, assignments),
            "sender": _person(actor),
            "workbook_attached": attach_workbook,
        },
        workbook_of=(country_return, authority) if attach_workbook else None,
    )


def _person(user: User | None) -> str:
    if user is None:
        return ""
    full_name = getattr(user, "get_full_name", lambda: "")()
    email = getattr(user, "email", "")
    return f"{full_name} <{email}>" if full_name and email else full_name or email


@transaction.atomic
def forward_sections(
    *,
    country_return: CountryReturn,
    sections: Iterable[Section],
    authority: Authority | None = None,
    authority_name: str = "",
    authority_kind: str = "",
    contact_email: str,
    contact_name: str = "",
    message: str = "",
    due_date: date | None = None,
    forwarded_by: User | None,
    attach_workbook: bool = False,
) -> list[Assignment]:
    """Forward sections of a return to an authority: a known one, or a new one named here.

    Creates one assignment per section (status forwarded) with a "forwarded" event. A section
    the authority held before and that was reclaimed is forwarded again instead. A section the
    authority still holds (forwarded, in progress or handed back) is refused with
    ForwardingRefused, and then nothing at all changes. The contact is invited, or, when they
    already answer for the authority, told by e-mail; both are sent after the commit. With
    `attach_workbook` the e-mail carries the authority's offline workbook, for a contact who
    prefers to work in Excel.
    """
    _check_return_open(country_return)
    sections = sorted(sections, key=lambda section: section.position)
    if not sections:
        raise ForwardingRefused(_("Choose at least one section to forward."))
    if any(
        section.questionnaire_id != country_return.round.questionnaire_id for section in sections
    ):
        raise ForwardingRefused(_("These sections are not part of this round's questionnaire."))
    validate_due_date(round_=country_return.round, due_date=due_date)
    contact_email = contact_email.strip()
    if not contact_email:
        raise ForwardingRefused(_("Give the e-mail address of a contact at the authority."))
    authority = _resolve_authority(
        country_return=country_return,
        authority=authority,
        authority_name=authority_name,
        authority_kind=authority_kind,
    )
    previous = {
        assignment.section_id: assignment
        for assignment in Assignment.objects.select_for_update()
        .filter(country_return=country_return, authority=authority, section__in=sections)
        .select_related("section", "authority")
    }
    active = [a for a in previous.values() if a.status != Status.RECLAIMED]
    if active:
        raise ForwardingRefused(describe_active(sorted(active, key=lambda a: a.section.position)))

    now = timezone.now()
    details = {
        "due_date": due_date,
        "message": message,
        "contact_email": contact_email,
        "forwarded_by": forwarded_by,
    }
    assignments = []
    for section in sections:
        assignment = previous.get(section.pk)
        if assignment is None:
            try:
                with transaction.atomic():
                    assignment = Assignment.objects.create(
                        country_return=country_return,
                        section=section,
                        authority=authority,
                        status=Status.FORWARDED,
                        **details,
                    )
            except IntegrityError:
                raise ForwardingRefused(
                    _("Section %(section)s was forwarded to %(authority)s a moment ago.")
                    % {"section": section.code, "authority": authority.name}
                ) from None
            AssignmentEvent.objects.create(
                assignment=assignment,
                action=Action.FORWARDED,
                old_status="",
                new_status=Status.FORWARDED,
                actor=forwarded_by,
                note=message,
            )
        else:
            move_assignment(
                assignment=assignment,
                actor=forwarded_by,
                action=Action.REFORWARDED,
                note=message,
            )
            Assignment.objects.filter(pk=assignment.pk).update(
                forwarded_at=now, reminded_on=None, **details
            )
            for name, value in {**details, "forwarded_at": now, "reminded_on": None}.items():
                setattr(assignment, name, value)
        assignments.append(assignment)

    _tell_contact(
        country_return=country_return,
        authority=authority,
        assignments=assignments,
        contact_email=contact_email,
        contact_name=contact_name,
        message=message,
        actor=forwarded_by,
        attach_workbook=attach_workbook,
    )
    return assignments


@transaction.atomic
def hand_back_section(*, assignment: Assignment, actor: User) -> AssignmentEvent:
    """The authority hands its reply back; the return's focal points are told by e-mail."""
    event = move_assignment(assignment=assignment, action=Action.HANDED_BACK, actor=actor)
    country_return = assignment.country_return
    for email in sorted(Membership.objects.focal_point_emails(country_return)):
        queue_email(
            to=email,
            subject=plain_subject(
                _("%(authority)s handed back section %(section)s")
                % {"authority": assignment.authority.name, "section": assignment.section.code}
            ),
            template="responses/emails/section_handed_back.txt",
            context={
                "country": country_return.country.name,
                "authority": assignment.authority.name,
                "section": assignment.section,
                "handed_back_by": _person(actor),
                # The authority's reply, not the focal point's own (empty) copy of the section.
                "section_url": section_url(country_return, assignment.section.code)
                + f"?reply={assignment.authority_id}",
                "overview_url": overview_url(country_return),
            },
        )
    return event


def _queue_contact_email(
    *, assignment: Assignment, subject: str, template: str, actor: User | None
) -> None:
    country_return = assignment.country_return
    queue_email(
        to=assignment.contact_email,
        subject=plain_subject(subject),
        template=template,
        context={
            "country": country_return.country.name,
            "authority": assignment.authority.name,
            "section": assignment.section,
            "due_date": assignment.due_date,
            "sender": _person(actor),
            "section_url": section_url(country_return, assignment.section.code),
        },
    )


@transaction.atomic
def remind_assignment(*, assignment: Assignment, actor: User) -> AssignmentEvent:
    """E-mail the contact of a section still being filled in, and record the reminder."""
    current = (
        Assignment.objects.select_for_update()
        .select_related("section", "authority", "country_return__country")
        .get(pk=assignment.pk)
    )
    if current.status not in Assignment.EDITABLE:
        raise ConsultationError(
            _(
                "Section %(section)s of %(authority)s is “%(status)s”: there is nothing to "
                "remind them of. Nothing was sent."
            )
            % {
                "section": current.section.code,
                "authority": current.authority.name,
                "status": _status_label(current.status),
            }
        )
    if not current.contact_email:
        raise ConsultationError(
            _("No contact e-mail address is known for this section. Nothing was sent.")
        )
    today = timezone.localdate()
    # One reminder a day per assignment, by hand or by the daily task: the locked row says
    # whether one went today.
    if current.reminded_on == today:
        raise ConsultationError(
            _(
                "A reminder about section %(section)s already went to %(email)s today. "
                "Nothing was sent: you can send another tomorrow."
            )
            % {"section": current.section.code, "email": current.contact_email}
        )
    Assignment.objects.filter(pk=current.pk).update(reminded_on=today)
    assignment.reminded_on = today
    queue_reminder(assignments=[current], sender=_person(actor), today=today)
    return AssignmentEvent.objects.create(
        assignment=current,
        action=Action.REMINDED,
        old_status=current.status,
        new_status=current.status,
        actor=actor,
    )


@transaction.atomic
def reclaim_assignment(*, assignment: Assignment, actor: User, note: str = "") -> AssignmentEvent:
    """Take a section back from an authority. Its reply is kept, and the focal point reads it."""
    event = move_assignment(assignment=assignment, action=Action.RECLAIMED, actor=actor, note=note)
    if assignment.contact_email:
        _queue_contact_email(
            assignment=assignment,
            subject=_("Section %(section)s has been taken back by the national statistical office")
            % {"section": assignment.section.code},
            template="responses/emails/assignment_reclaimed.txt",
            actor=actor,
        )
    return event


@transaction.atomic
def reforward_assignment(*, assignment: Assignment, actor: User, note: str = "") -> AssignmentEvent:
    """Give a reclaimed section back to its authority, with the same contact and due date."""
    _check_return_open(assignment.country_return)
    event = move_assignment(
        assignment=assignment,
        actor=actor,
        action=Action.REFORWARDED,
        note=note,
    )
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(
        forwarded_at=now, forwarded_by=actor, reminded_on=None
    )
    assignment.forwarded_at, assignment.forwarded_by, assignment.reminded_on = now, actor, None
    _tell_contact(
        country_return=assignment.country_return,
        authority=assignment.authority,
        assignments=[assignment],
        contact_email=assignment.contact_email,
        contact_name="",
        message=assignment.message,
        actor=actor,
        attach_workbook=False,
    )
    return event


@transaction.atomic
def reopen_assignment(*, assignment: Assignment, actor: User, note: str = "") -> AssignmentEvent:
    """Let the authority edit a section it handed back; its contact is told by e-mail."""
    _check_return_open(assignment.country_return)
    event = move_assignment(
        assignment=assignment,
        actor=actor,
        action=Action.REOPENED,
        note=note,
    )
    if assignment.contact_email:
        _queue_contact_email(
            assignment=assignment,
            subject=_("Section %(section)s has been reopened for %(authority)s")
            % {"section": assignment.section.code, "authority": assignment.authority.name},
            template="responses/emails/assignment_reopened.txt",
            actor=actor,
        )
    return event
