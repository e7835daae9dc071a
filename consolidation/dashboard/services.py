"""The dashboard's figures, read in a fixed number of queries whatever the number of countries.

Completeness counts the required questions without a display condition that the country's
consolidated return answers (conditional required questions are left out: whether they are
asked depends on other answers) in the NSO's reply, where the focal point writes the country's
answers: one aggregate query for every country (consolidating each return would cost queries per
country). Submitted and accepted dates come from the lifecycle's events, open queries from the
review queries.
"""

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consultation.definition import QuestionnaireDef
from consultation.models import Round
from responses.models import Answer, Assignment, Authority, CountryReturn, Membership
from responses.notifications.queue import overview_url, plain_subject, queue_email

from ..exceptions import ReminderRefused
from ..exports.source import Milestones, return_milestones
from ..models import ReviewQuery
from ..regions import Place, places

# A return that saw no change for this many days is "silent".
SILENT_DAYS = 14
SORT_KEYS = ("country", "region", "status", "completeness", "activity", "submitted")
STATUS_ORDER = {status: index for index, status in enumerate(CountryReturn.Status.values)}


@dataclass
class AuthorityState:
    """An authority holding sections of a return, and the state of each."""

    name: str
    sections: list[tuple[str, str]] = field(default_factory=list)  # (section code, state label)


@dataclass
class DashboardRow:
    return_id: int
    place: Place
    status: str
    status_label: str
    required_answered: int
    required_total: int
    authorities: list[AuthorityState]
    open_queries: int
    last_activity: datetime.datetime | None
    milestones: Milestones
    overdue: bool
    silent: bool
    reminded_on: datetime.date | None

    @property
    def completeness(self) -> int:
        if not self.required_total:
            return 0
        return round(100 * self.required_answered / self.required_total)


@dataclass(frozen=True)
class DashboardFilters:
    region: str = ""
    subregion: str = ""
    status: str = ""
    search: str = ""
    sort: str = "country"
    descending: bool = False


def open_query_counts(return_ids: Sequence[int]) -> dict[int, int]:
    """Review queries not resolved yet (open, or answered and awaiting UNSD), by return."""
    return dict(
        ReviewQuery.objects.filter(country_return_id__in=return_ids)
        .exclude(status=ReviewQuery.Status.RESOLVED)
        .values("country_return_id")
        .annotate(count=Count("pk"))
        .values_list("country_return_id", "count")
        .order_by()
    )


def required_codes(questionnaire: QuestionnaireDef) -> list[int]:
    return [q.id for q in questionnaire.questions.values() if q.required and not q.show_if]


def dashboard_rows(
    round_: Round, questionnaire: QuestionnaireDef, *, today: datetime.date | None = None
) -> list[DashboardRow]:
    """Every return of the round with its figures, in six queries."""
    today = today or timezone.localdate()
    now = timezone.now()
    returns = list(
        CountryReturn.objects.filter(round=round_)
        .select_related("country")
        .order_by("country__name")
    )
    place_by_code = places()
    required = required_codes(questionnaire)
    answered = {
        row["country_return_id"]: row
        for row in Answer.objects.filter(country_return__round=round_)
        .values("country_return_id")
        .annotate(
            required=Count(
                "question_id",
                distinct=True,
                filter=Q(question_id__in=required, authority__kind=Authority.Kind.NSO)
                & (~Q(value=None) | ~Q(status="")),
            ),
            last=Max("updated_at"),
        )
        .order_by()
    }
    holders: dict[int, dict[str, AuthorityState]] = {}
    for return_id, authority, section, status in (
        Assignment.objects.filter(country_return__round=round_)
        .order_by("authority__name", "section__position")
        .values_list("country_return_id", "authority__name", "section__code", "status")
    ):
        state = holders.setdefault(return_id, {}).setdefault(authority, AuthorityState(authority))
        state.sections.append((section, str(Assignment.Status(status).label)))
    return_ids = [r.pk for r in returns]
    milestones = return_milestones(return_ids)
    queries = open_query_counts(return_ids)
    silent_before = now - datetime.timedelta(days=SILENT_DAYS)
    past_deadline = round_.deadline is not None and round_.deadline < today
    rows = []
    for country_return in returns:
        country = country_return.country
        figures: dict[str, Any] = dict(answered.get(country_return.pk, {}))
        last = figures.get("last")
        finished = country_return.status in CountryReturn.FINISHED
        rows.append(
            DashboardRow(
                return_id=country_return.pk,
                place=place_by_code.get(
                    country.m49_code, Place(country.m49_code, country.iso3, country.name)
                ),
                status=country_return.status,
                status_label=str(CountryReturn.Status(country_return.status).label),
                required_answered=figures.get("required", 0),
                required_total=len(required),
                authorities=list(holders.get(country_return.pk, {}).values()),
                open_queries=queries.get(country_return.pk, 0),
                last_activity=last,
                milestones=milestones.get(country_return.pk, Milestones()),
                overdue=past_deadline and not finished,
                silent=not finished and (last or country_return.created_at) < silent_before,
                reminded_on=country_return.deadline_reminder_sent_on,
            )
        )
    return rows


def filter_rows(rows: list[DashboardRow], filters: DashboardFilters) -> list[DashboardRow]:
    """The rows that pass the filters and the search, sorted as asked."""
    search = filters.search.strip().casefold()
    kept = [
        row
        for row in rows
        if (not filters.region or row.place.region_code == filters.region)
        and (not filters.subregion or row.place.subregion_code == filters.subregion)
        and (not filters.status or row.status == filters.status)
        and (
            not search
            or search in row.place.name.casefold()
            or search == row.place.iso3.casefold()
            or search == row.place.m49_code
        )
    ]
    oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    keys: dict[str, Any] = {
        "country": lambda row: row.place.name.casefold(),
        "region": lambda row: (row.place.region, row.place.subregion, row.place.name),
        "status": lambda row: (STATUS_ORDER.get(row.status, 0), row.place.name),
        "completeness": lambda row: (row.completeness, row.place.name),
        "activity": lambda row: (row.last_activity or oldest, row.place.name),
        "submitted": lambda row: (row.milestones.submitted_on or datetime.date.min, row.place.name),
    }
    return sorted(kept, key=keys.get(filters.sort, keys["country"]), reverse=filters.descending)


@dataclass(frozen=True)
class RegionProgress:
    region: str
    counts: tuple[int, ...]  # by status, in CountryReturn.Status order
    total: int


def progress_by_region(rows: Sequence[DashboardRow]) -> list[RegionProgress]:
    statuses = CountryReturn.Status.values
    by_region: dict[str, Counter] = {}
    for row in rows:
        by_region.setdefault(row.place.region or _("Other"), Counter())[row.status] += 1
    return [
        RegionProgress(region, tuple(counter[s] for s in statuses), sum(counter.values()))
        for region, counter in sorted(by_region.items())
    ]


def submissions_over_time(rows: Sequence[DashboardRow]) -> list[tuple[datetime.date, int, int]]:
    """(date, returns submitted that day, submitted by then) for each day with a submission."""
    days = Counter(row.milestones.submitted_on for row in rows if row.milestones.submitted_on)
    total = 0
    series = []
    for day in sorted(days):
        total += days[day]
        series.append((day, days[day], total))
    return series


@transaction.atomic
def remind_focal_points_of(
    *, country_return: CountryReturn, user: Any, today: datetime.date | None = None
) -> int:
    """E-mail the return's focal points a reminder from UNSD; the e-mails queued.

    The daily task's rule holds: a return's focal points get at most one reminder a day, from
    the task or from UNSD (both claim `deadline_reminder_sent_on`). A finished return is not
    reminded.
    """
    today = today or timezone.localdate()
    if country_return.status in CountryReturn.FINISHED:
        raise ReminderRefused(_("This return is finished; there is nothing to remind of."))
    claimed = (
        CountryReturn.objects.filter(pk=country_return.pk)
        .exclude(deadline_reminder_sent_on=today)
        .update(deadline_reminder_sent_on=today)
    )
    if not claimed:
        raise ReminderRefused(_("Its focal points were reminded today already."))
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
                _("Reminder from UNSD: the migration statistics consultation for %(country)s")
                % {"country": country_return.country.name}
            ),
            template="consolidation/emails/unsd_reminder.txt",
            context={
                "country": country_return.country.name,
                "round": country_return.round.name,
                "deadline": country_return.round.deadline,
                "outstanding": outstanding,
                "overview_url": overview_url(country_return),
                "sender": getattr(user, "email", ""),
            },
        )
    return len(recipients)
