"""What the exports read: the answers of each return or reply, and each return's milestones.

`consolidated_units` is the one function through which the consolidated exports read answers:
it asks the consolidation service (`consolidation.services.consolidate_return`, and its
separate returns where a country chose them) and merges nothing itself. `reply_units` reads
every reply as entered, for the raw export. `return_milestones` reads the submitted and accepted
dates from the return lifecycle's events and the reason for separate returns.
"""

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.db.models import Max
from django.utils import timezone

from consultation.answers import AnswerKey, AnswerValue, comparable_answers
from consultation.conditions import AnswerLookup
from consultation.definition import QuestionnaireDef
from consultation.models import Round
from responses.models import Answer, Authority, CountryReturn, ReturnEvent

from ..models import SeparateReturns
from ..regions import Place, places
from ..services import (
    ConsolidatedStatus,
    Consolidation,
    consolidate_return,
    separate_returns,
    standing_separate_returns,
)

ANSWER_BATCH = 5000
SHAREABLE = (str, int, bool, type(None))


@dataclass
class ExportUnit:
    """One row of a section sheet: a country's return, a separate return, or one reply."""

    return_id: int
    place: Place
    status: str
    status_label: str
    # Which reply or separate return this is; empty for a country's consolidated return.
    label: str = ""
    answers: dict[AnswerKey, AnswerValue] = field(default_factory=dict)
    # The authorities an answer came from, when they differ from `default_sources`.
    sources: dict[AnswerKey, tuple[str, ...]] = field(default_factory=dict)
    default_sources: tuple[str, ...] = ()
    # A country's consolidated return: one unit per authority that answered a question about
    # itself (scope "authority"), holding only those answers. Empty for a reply or a separate
    # return, whose own answers hold them.
    institutions: list["ExportUnit"] = field(default_factory=list)
    # Answers the display conditions see beside this unit's own: an institution's country's.
    context: dict[AnswerKey, AnswerValue] = field(default_factory=dict)

    @cached_property
    def condition_answers(self) -> dict[AnswerKey, AnswerValue]:
        return {**self.context, **self.answers} if self.context else self.answers

    @cached_property
    def lookup(self) -> AnswerLookup:
        """What display conditions see of this unit's answers."""
        return AnswerLookup(comparable_answers(self.condition_answers))

    @property
    def as_institutions(self) -> list["ExportUnit"]:
        """The rows this unit gives where questions are about each answering institution."""
        return self.institutions if not self.label else [self]

    def sources_of(self, key: AnswerKey) -> tuple[str, ...]:
        return self.sources.get(key, self.default_sources)


@dataclass(frozen=True)
class Milestones:
    """When a return was submitted and accepted, and why it was sent as separate returns."""

    submitted_on: date | None = None
    accepted_on: date | None = None
    separate_returns: str = ""


def returns_of(round_: Round, country_iso3: str = "") -> list[CountryReturn]:
    returns = CountryReturn.objects.filter(round=round_).select_related("country")
    if country_iso3:
        returns = returns.filter(country__iso3=country_iso3.upper())
    return list(returns.order_by("country__name"))


def _answer_rows(
    returns: list[CountryReturn],
    questionnaire: QuestionnaireDef,
    *,
    nso_only: bool,
    question_codes: Collection[str] | None,
) -> Iterator[tuple]:
    codes = {
        question.id: code
        for code, question in questionnaire.questions.items()
        if question_codes is None or code in question_codes
    }
    answers = Answer.objects.filter(
        country_return__in=[r.pk for r in returns], question_id__in=list(codes)
    )
    if nso_only:
        answers = answers.filter(authority__kind=Authority.Kind.NSO)
    keys: dict[AnswerKey, AnswerKey] = {}
    values: dict[tuple, AnswerValue] = {}
    for return_id, authority_id, question_id, row, column, value, status, note in (
        answers.order_by()
        .values_list(
            "country_return_id",
            "authority_id",
            "question_id",
            "row_code",
            "column_code",
            "value",
            "status",
            "note",
        )
        .iterator(chunk_size=ANSWER_BATCH)
    ):
        # A round repeats the same keys and the same short answers country after country:
        # sharing one object for each keeps a full round's answers small in memory.
        key = (codes[question_id], row, column)
        key = keys.setdefault(key, key)
        if type(value) in SHAREABLE:
            shared = (value, status, note)
            answer = values.get(shared)
            if answer is None:
                answer = values[shared] = AnswerValue(value, status, note)
        else:
            answer = AnswerValue(value, status, note)
        if not answer.is_blank:
            yield return_id, authority_id, key, answer


def _unit(country_return: CountryReturn, place_by_code: dict[str, Place], **extra) -> ExportUnit:
    country = country_return.country
    return ExportUnit(
        return_id=country_return.pk,
        place=place_by_code.get(
            country.m49_code, Place(country.m49_code, country.iso3, country.name)
        ),
        status=country_return.status,
        status_label=str(CountryReturn.Status(country_return.status).label),
        **extra,
    )


def consolidated_units(
    round_: Round,
    questionnaire: QuestionnaireDef,
    *,
    country_iso3: str = "",
    question_codes: Collection[str] | None = None,
) -> list[ExportUnit]:
    """Each country's consolidated return, from the consolidation service.

    A country that chose separate returns gives one unit per authority that replied (its label
    names the authority). A consolidated answer with no value (missing, an unsettled conflict)
    is left out: its cell stays empty. The answers of a question about each institution are
    never merged: each authority's are in its own unit of `institutions` (the NSO first).
    `question_codes` keeps only those questions' answers.
    """
    returns = returns_of(round_, country_iso3)
    place_by_code = places()
    keys: dict[AnswerKey, AnswerKey] = {}
    units = []
    for country_return in returns:
        if standing_separate_returns(country_return) is not None:
            for separate in separate_returns(country_return):
                name = separate.authority.name
                unit = _unit(country_return, place_by_code, label=name, default_sources=(name,))
                unit.answers = {
                    keys.setdefault(key, key): value
                    for key, value in separate.answers.items()
                    if not value.is_blank and (question_codes is None or key[0] in question_codes)
                }
                units.append(unit)
            continue
        consolidation = consolidate_return(country_return=country_return)
        names = {pk: authority.name for pk, authority in consolidation.authorities.items()}
        nso = next(
            (a.name for a in consolidation.authorities.values() if a.kind == Authority.Kind.NSO),
            "",
        )
        unit = _unit(country_return, place_by_code, default_sources=(nso,) if nso else ())
        own: dict[int, dict[AnswerKey, AnswerValue]] = {}
        for key, answer in consolidation.answers.items():
            if question_codes is not None and key[0] not in question_codes:
                continue
            if answer.status == ConsolidatedStatus.PER_AUTHORITY:
                for source in answer.sources:
                    if not source.value.is_blank:
                        own.setdefault(source.authority_id, {})[keys.setdefault(key, key)] = (
                            source.value
                        )
                continue
            if answer.value is None or answer.value.is_blank:
                continue
            key = keys.setdefault(key, key)
            unit.answers[key] = answer.value
            sources = tuple(names[pk] for pk in answer.taken_from if pk in names)
            if sources and sources != unit.default_sources:
                unit.sources[key] = sources
        unit.institutions = _institutions(country_return, place_by_code, consolidation, own, unit)
        units.append(unit)
    return units


def _institutions(
    country_return: CountryReturn,
    place_by_code: dict[str, Place],
    consolidation: Consolidation,
    own: dict[int, dict[AnswerKey, AnswerValue]],
    country: ExportUnit,
) -> list[ExportUnit]:
    authorities = sorted(
        (consolidation.authorities[pk] for pk in own if pk in consolidation.authorities),
        key=lambda authority: (authority.kind != Authority.Kind.NSO, authority.name),
    )
    return [
        _unit(
            country_return,
            place_by_code,
            label=authority.name,
            default_sources=(authority.name,),
            answers=own[authority.pk],
            context=country.answers,
        )
        for authority in authorities
    ]


def reply_units(
    round_: Round,
    questionnaire: QuestionnaireDef,
    *,
    country_iso3: str = "",
) -> list[ExportUnit]:
    """Every reply as its authority entered it, before consolidation: the NSO's first."""
    returns = returns_of(round_, country_iso3)
    place_by_code = places()
    authorities = {
        authority.pk: authority
        for authority in Authority.objects.filter(country__in=[r.country_id for r in returns])
    }
    replies: dict[tuple[int, int], ExportUnit] = {}
    by_return = {r.pk: r for r in returns}
    for return_id, authority_id, key, answer in _answer_rows(
        returns, questionnaire, nso_only=False, question_codes=None
    ):
        unit = replies.get((return_id, authority_id))
        if unit is None:
            name = authorities[authority_id].name
            unit = replies[(return_id, authority_id)] = _unit(
                by_return[return_id], place_by_code, label=name, default_sources=(name,)
            )
        unit.answers[key] = answer
    order = {r.pk: index for index, r in enumerate(returns)}

    def position(item: tuple[tuple[int, int], ExportUnit]) -> tuple:
        (return_id, authority_id), _ignored = item
        authority = authorities[authority_id]
        return order[return_id], authority.kind != Authority.Kind.NSO, authority.name

    return [unit for _key, unit in sorted(replies.items(), key=position)]


def return_milestones(return_ids: Collection[int]) -> dict[int, Milestones]:
    """Submitted and accepted dates by return id, from the returns' lifecycle events (one query).

    A date shows while the return's status stands on it: the last submission while the return is
    submitted, queried or accepted; the acceptance while it is accepted. Separate returns
    and why come from the focal point's standing decision (one more query).
    """
    submitted: dict[int, date] = {}
    accepted: dict[int, date] = {}
    events = (
        ReturnEvent.objects.filter(
            country_return_id__in=list(return_ids),
            action__in=[
                ReturnEvent.Action.SUBMIT,
                ReturnEvent.Action.RESUBMIT,
                ReturnEvent.Action.ACCEPT,
            ],
        )
        .values_list("country_return_id", "country_return__status", "action")
        .annotate(last=Max("created_at"))
        .order_by()
    )
    for return_id, status, action, last in events:
        day = timezone.localdate(last)
        if action == ReturnEvent.Action.ACCEPT:
            if status == CountryReturn.Status.ACCEPTED:
                accepted[return_id] = day
        elif status in CountryReturn.FINISHED:
            submitted[return_id] = max(day, submitted.get(return_id, day))
    reasons = dict(
        SeparateReturns.objects.filter(
            country_return_id__in=list(return_ids), withdrawn_at__isnull=True
        ).values_list("country_return_id", "reason")
    )
    return {
        return_id: Milestones(
            submitted.get(return_id), accepted.get(return_id), reasons.get(return_id, "")
        )
        for return_id in return_ids
    }
