"""Queueing e-mail: written in the transaction of the change it reports, sent once it commits.

An outbox message is written here and sent by a Celery task after the commit; an invitation's
e-mail is queued the same way. The subjects and links the workflows' e-mails share live here too.
"""

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultation.text_direction import isolate_strings

from ..models import Assignment, Authority, CountryReturn, OutboundEmail
from .tasks import send_invitation_email, send_outbound_email


def queue_email(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict,
    workbook_of: tuple[CountryReturn, Authority] | None = None,
) -> OutboundEmail:
    """Write an e-mail to the outbox and send it once the current transaction commits; with
    `workbook_of`, it carries the workbook of the sections that authority holds in that return."""
    body = render_to_string(template, {"site_url": settings.SITE_URL, **isolate_strings(context)})
    workbook_return, workbook_authority = workbook_of or (None, None)
    email = OutboundEmail.objects.create(
        to=to,
        subject=subject[:300],
        body=body,
        workbook_return=workbook_return,
        workbook_authority=workbook_authority,
    )
    transaction.on_commit(lambda: send_outbound_email.delay(email.pk), robust=True)
    return email


def queue_invitation(invitation_id: int) -> None:
    """Send this invitation's e-mail once the current transaction commits."""
    transaction.on_commit(lambda: send_invitation_email.delay(invitation_id), robust=True)


def queue_invitations(invitation_ids: list[int]) -> None:
    """Send these invitations once the current transaction commits (one task each)."""
    for invitation_id in invitation_ids:
        queue_invitation(invitation_id)


def plain_subject(text: str) -> str:
    """An e-mail subject on one line: names typed by users must never break the header."""
    return " ".join(text.split())


def section_url(country_return: CountryReturn, section_code: str) -> str:
    return reverse("responses:section-edit", args=[country_return.pk, section_code])


def overview_url(country_return: CountryReturn) -> str:
    return reverse("responses:return-overview", args=[country_return.pk])


def email_sections(
    country_return: CountryReturn, assignments: Sequence[Assignment], *, today: date | None = None
) -> list[dict]:
    """The sections an e-mail lists: code, title, due date (and whether overdue), link."""
    today = today or timezone.localdate()
    return [
        {
            "code": assignment.section.code,
            "title": assignment.section.title,
            "due_date": assignment.due_date,
            "overdue": bool(assignment.due_date and assignment.due_date < today),
            "url": section_url(country_return, assignment.section.code),
        }
        for assignment in assignments
    ]


@transaction.atomic
def queue_reminder(*, assignments: Sequence[Assignment], sender: str, today: date) -> None:
    """E-mail one authority's contact a reminder of its sections (all share the contact)."""
    first = assignments[0]
    queue_email(
        to=first.contact_email,
        subject=plain_subject(
            _("Reminder: the migration statistics questionnaire for %(authority)s")
            % {"authority": first.authority.name}
        ),
        template="responses/emails/assignment_reminder.txt",
        context={
            "country": first.country_return.country.name,
            "authority": first.authority.name,
            "sections": email_sections(first.country_return, assignments, today=today),
            "sender": sender,
        },
    )
