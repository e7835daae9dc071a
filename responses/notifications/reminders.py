"""The daily reminders: sections due within days or overdue, and the round deadline a week ahead.

Run once a day by Celery beat (`responses.tasks.send_daily_reminders`, defined in `beat`). Each
reminder goes out at most once a day, even when two runs overlap: a run first claims the row with
a conditional UPDATE (`reminded_on` / `deadline_reminder_sent_on` set to today), and only the run
whose UPDATE changed the row writes the e-mail, in the same transaction.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consultation.models import Round

from ..models import Assignment, AssignmentEvent, CountryReturn, Membership
from .queue import overview_url, plain_subject, queue_email, queue_reminder

# Holders are reminded of sections due within this many days, and of overdue ones.
DUE_SOON_DAYS = 3
# Focal points are reminded this many days before the round's deadline.
DEADLINE_NOTICE_DAYS = 7


@dataclass
class ReminderReport:
    """What one run sent: the assignments and returns reminded, and the e-mails queued."""

    today: date
    assignment_ids: list[int] = field(default_factory=list)
    return_ids: list[int] = field(default_factory=list)
    emails_queued: int = 0


def send_daily_reminders(*, today: date | None = None) -> ReminderReport:
    """Remind holders of sections due soon or overdue, and focal points of the round deadline.

    Safe to run several times a day, or twice at once: nothing is sent twice on one day.
    """
    report = ReminderReport(today=today or timezone.localdate())
    remind_holders(report)
    remind_focal_points(report)
    return report


def remind_holders(report: ReminderReport) -> None:
    """One e-mail per authority contact, listing its sections due within days or overdue."""
    today = report.today
    due = (
        Assignment.objects.filter(
            status__in=Assignment.EDITABLE,
            due_date__lte=today + timedelta(days=DUE_SOON_DAYS),
            country_return__round__status=Round.Status.OPEN,
        )
        .exclude(country_return__status__in=CountryReturn.FINISHED)
        .exclude(contact_email="")
        .exclude(reminded_on=today)
        .select_related("section", "authority", "country_return__country")
        .order_by("country_return_id", "authority_id", "contact_email", "section__position")
    )

    def holder(assignment: Assignment) -> tuple[int, int, str]:
        return assignment.country_return_id, assignment.authority_id, assignment.contact_email

    for _holder, group in groupby(list(due), key=holder):
        with transaction.atomic():
            claimed = [
                assignment
                for assignment in group
                if Assignment.objects.filter(pk=assignment.pk, status__in=Assignment.EDITABLE)
                .exclude(reminded_on=today)
                .update(reminded_on=today)
                == 1
            ]
            if not claimed:
                continue
            queue_reminder(assignments=claimed, sender="", today=today)
            AssignmentEvent.objects.bulk_create(
                AssignmentEvent(
                    assignment=assignment,
                    action=AssignmentEvent.Action.REMINDED,
                    old_status=assignment.status,
                    new_status=assignment.status,
                    note=_("Automatic reminder"),
                )
                for assignment in claimed
            )
        report.assignment_ids.extend(assignment.pk for assignment in claimed)
        report.emails_queued += 1


def remind_focal_points(report: ReminderReport) -> None:
    """Tell the focal points of unsubmitted returns that the round closes within a week.

    Sent once in that week: on its first day, or on the first run after it if a day was missed.
    """
    today = report.today
    returns = (
        CountryReturn.objects.unfinished()
        .filter(
            round__status=Round.Status.OPEN,
            round__deadline__gte=today,
            round__deadline__lte=today + timedelta(days=DEADLINE_NOTICE_DAYS),
        )
        .select_related("round", "country")
    )
    for country_return in returns:
        deadline = country_return.round.deadline
        week_start = deadline - timedelta(days=DEADLINE_NOTICE_DAYS)
        with transaction.atomic():
            claimed = (
                CountryReturn.objects.filter(pk=country_return.pk)
                .filter(
                    Q(deadline_reminder_sent_on__isnull=True)
                    | Q(deadline_reminder_sent_on__lt=week_start)
                )
                .update(deadline_reminder_sent_on=today)
            )
            if claimed != 1:
                continue
            recipients = sorted(Membership.objects.focal_point_emails(country_return))
            outstanding = list(
                Assignment.objects.filter(
                    country_return=country_return, status__in=Assignment.EDITABLE
                ).select_related("section", "authority")
            )
            for email in recipients:
                queue_email(
                    to=email,
                    subject=plain_subject(
                        _("The migration statistics consultation closes on %(deadline)s")
                        % {"deadline": deadline.isoformat()}
                    ),
                    template="responses/emails/deadline_reminder.txt",
                    context={
                        "country": country_return.country.name,
                        "round": country_return.round.name,
                        "deadline": deadline,
                        "days_left": (deadline - today).days,
                        "outstanding": outstanding,
                        "overview_url": overview_url(country_return),
                    },
                )
        report.return_ids.append(country_return.pk)
        report.emails_queued += len(recipients)
