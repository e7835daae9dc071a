"""Consolidation: every reply of a return merged into the country's consolidated answers.

The read API, for progress, submission, review and exports:

    consolidated_answers(country_return) -> dict[AnswerKey, ConsolidatedAnswer]
    consolidate_return(country_return=...) -> Consolidation   (the same, with the authorities)

Every key of the questionnaire (each question, each grid cell of fixed rows, and any other key a
reply holds) gets a ConsolidatedAnswer with a `status`:

- MISSING: nobody replied and nothing was filled in; `value` is None.
- TAKEN: one reply, or several equal ones; `value` is that reply, `taken_from` every source.
- CONFLICT: the replies differ and nobody settled it yet; `value` is None, `groups` holds the
  replies grouped by equal value.
- RESOLVED: the focal point picked a reply or wrote its own value (also for an answer nobody
  supplied); `value` is the stored consolidated answer, `resolution` the decision.
- OUT_OF_DATE: resolved, but a reply of the key changed since; `value` is still the decision's.
- PER_AUTHORITY: a question about the answering institution (scope "authority"): never merged;
  `value` is None and each authority's reply is in `sources`.

`value` is the consolidated value to use (progress, submission, export; consolidated_values()
gives them all by key); `applicable` is False where the question's condition, read on the
consolidated answers, hides it; `needs_attention` tells the applicable conflicts and out-of-date
decisions (submission refuses while any remain).

Consolidated answers are not copies of replies: a TAKEN answer is read from its replies, so it
follows them while the return is open. What the focal point decides (resolve_conflict) is stored
once, as the return's consolidated answer (an Answer without an authority), through
responses.services.save_answers: versioned, with its history (channel "consolidation"), and
with a Resolution row saying who decided what, when, on which versions of the replies. Replies
are never changed by consolidation. An accepted UNSD correction goes through the same function
(resolve_conflict(..., value=..., channel=AnswerChange.Channel.CORRECTION)); the edit rule
decides when each channel may write.

Where a country cannot consolidate, the focal point says so (choose_separate_returns, with a
reason); `separate_returns(country_return)` then gives one SeparateReturn per authority that
replied, with the sections it answered and its answers, and `standing_separate_returns()` the
decision in force (None while the country consolidates).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.db.models import F, FloatField
from django.db.models.functions import Cast, Extract
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultation import conditions
from consultation.answers import LABEL_COLUMN, AnswerKey, AnswerValue, comparable_answers
from consultation.definition import QuestionDef, QuestionnaireDef, SectionDef, get_definition
from responses import access
from responses.answers.services import AnswerEdit, save_answers
from responses.models import Answer, AnswerChange, Authority, CountryReturn

from .exceptions import ConsolidatedAnswerChanged, ConsolidationRefused, RepliesChanged
from .merge import MergeStatus, ValueGroup, comparable, is_reply, key_kind, merge_replies
from .models import Resolution, SeparateReturns


class ConsolidatedStatus(models.TextChoices):
    MISSING = "missing", gettext_lazy("Missing")
    TAKEN = "taken", gettext_lazy("Taken")
    CONFLICT = "conflict", gettext_lazy("Conflict")
    RESOLVED = "resolved", gettext_lazy("Resolved")
    OUT_OF_DATE = "out_of_date", gettext_lazy("Out of date")
    PER_AUTHORITY = "per_authority", gettext_lazy("Kept for each authority")


class SourceReply(NamedTuple):
    """One authority's reply to one key, as stored (a tuple: a return has thousands)."""

    authority_id: int
    authority_name: str
    is_nso: bool
    value: AnswerValue
    version: int
    updated_by: str
    # Seconds since the epoch, read as a float: turning thousands of timestamps into datetimes
    # was a quarter of a consolidation's time, and only the few shown need one.
    updated_epoch: float | None

    @property
    def updated_at(self) -> datetime | None:
        if self.updated_epoch is None:
            return None
        return datetime.fromtimestamp(self.updated_epoch, tz=UTC)


@dataclass(frozen=True)
class ConsolidatedAnswer:
    """The country's answer to one key, where it comes from, and whether it is settled."""

    key: AnswerKey
    status: ConsolidatedStatus
    value: AnswerValue | None
    # Every reply of the key (blank ones left out), the NSO first.
    sources: tuple[SourceReply, ...] = ()
    # The authorities whose reply equals the value.
    taken_from: tuple[int, ...] = ()
    # The replies grouped by equal value, the largest group first.
    groups: tuple[ValueGroup, ...] = ()
    # The version of the stored consolidated answer (0: none stored).
    version: int = 0
    resolution: Resolution | None = None
    # False when the question's condition (show_if), read on the consolidated answers, hides it.
    applicable: bool = True
    # The version of every reply row of the key, cleared ones too ({authority id: version}).
    reply_versions: Mapping[str, int] = field(default_factory=dict)

    @property
    def needs_attention(self) -> bool:
        return self.applicable and self.status in (
            ConsolidatedStatus.CONFLICT,
            ConsolidatedStatus.OUT_OF_DATE,
        )

    @property
    def source_versions(self) -> dict[str, int]:
        """What a page hands back to resolve_conflict() as the replies it showed."""
        return dict(self.reply_versions)


@dataclass
class Consolidation:
    """A return's consolidated answers, in the questionnaire's order, and its authorities."""

    country_return: CountryReturn
    questionnaire: QuestionnaireDef
    answers: dict[AnswerKey, ConsolidatedAnswer]
    authorities: dict[int, Authority] = field(default_factory=dict)

    def count(self, status: ConsolidatedStatus) -> int:
        return sum(1 for answer in self.answers.values() if answer.status == status)

    def of_section(self, section: SectionDef) -> list[ConsolidatedAnswer]:
        codes = {question.code for question in section.questions}
        return [answer for key, answer in self.answers.items() if key[0] in codes]


@dataclass
class _Rows:
    """One read of every answer of a return: replies by authority and by key, consolidated ones."""

    by_authority: dict[int, dict[AnswerKey, AnswerValue]]
    sources: dict[AnswerKey, list[SourceReply]]
    consolidated: dict[AnswerKey, tuple[AnswerValue, int]]
    # Every reply row's version, blank ones included: a reply cleared since is a change too.
    versions: dict[AnswerKey, dict[str, int]]


def _epoch_seconds(field_name: str) -> Any:
    """The time as seconds since 1970: PostgreSQL reads it out directly (cheaper than building a
    datetime per row); SQLite, the demo's database, has no "epoch" lookup, so there the datetime
    is read and converted in Python."""
    if connection.vendor == "postgresql":
        return Cast(Extract(field_name, "epoch"), FloatField())
    return F(field_name)


def _read_rows(
    country_return: CountryReturn,
    questionnaire: QuestionnaireDef,
    authorities: Mapping[int, Authority],
) -> _Rows:
    codes = {question.id: code for code, question in questionnaire.questions.items()}
    rows = _Rows({}, {}, {}, {})
    for (
        authority_id,
        question_id,
        row,
        column,
        value,
        status,
        note,
        version,
        email,
        updated_epoch,
    ) in (
        Answer.objects.filter(country_return=country_return)
        .annotate(updated_epoch=_epoch_seconds("updated_at"))
        .values_list(
            "authority_id",
            "question_id",
            "row_code",
            "column_code",
            "value",
            "status",
            "note",
            "version",
            "updated_by__email",
            "updated_epoch",
        )
    ):
        code = codes.get(question_id)
        if code is None:
            continue
        if isinstance(updated_epoch, datetime):
            updated_epoch = updated_epoch.timestamp()
        key = (code, row, column)
        answer = AnswerValue(value, status, note)
        if authority_id is None:
            rows.consolidated[key] = (answer, version)
            continue
        rows.versions.setdefault(key, {})[str(authority_id)] = version
        rows.by_authority.setdefault(authority_id, {})[key] = answer
        if answer.is_blank:
            continue
        authority = authorities.get(authority_id)
        rows.sources.setdefault(key, []).append(
            SourceReply(
                authority_id=authority_id,
                authority_name=authority.name if authority else "",
                is_nso=authority is not None and authority.kind == Authority.Kind.NSO,
                value=answer,
                version=version,
                updated_by=email or "",
                updated_epoch=updated_epoch,
            )
        )
    return rows


def _latest_resolutions(country_return: CountryReturn, questionnaire: QuestionnaireDef) -> dict:
    codes = {question.id: code for code, question in questionnaire.questions.items()}
    latest: dict[AnswerKey, Resolution] = {}
    for resolution in Resolution.objects.filter(country_return=country_return).select_related(
        "resolved_by"
    ):
        code = codes.get(resolution.question_id)
        if code is not None:
            latest[(code, resolution.row_code, resolution.column_code)] = resolution
    return latest


def consolidate_return(*, country_return: CountryReturn) -> Consolidation:
    """Merge every reply of the return into its consolidated answers (a fixed number of queries).

    Reads only: what the focal point decided is stored by resolve_conflict().
    """
    questionnaire = get_definition(country_return.round.questionnaire_id)
    authorities = {
        authority.pk: authority
        for authority in Authority.objects.filter(country_id=country_return.country_id)
    }
    rows = _read_rows(country_return, questionnaire, authorities)
    resolutions = _latest_resolutions(country_return, questionnaire)
    merged = merge_replies(
        questionnaire, rows.by_authority, extra_keys=[*rows.consolidated, *resolutions]
    )
    # The NSO first, then the authorities by name.
    order = {
        authority.pk: (authority.kind != Authority.Kind.NSO, authority.name, authority.pk)
        for authority in authorities.values()
    }
    answers = {}
    for key, merge in merged.items():
        question = questionnaire.questions[key[0]]
        sources = rows.sources.get(key, [])
        if len(sources) > 1:
            sources.sort(key=lambda source: order.get(source.authority_id, (True, "", 0)))
        answers[key] = _consolidated(
            key,
            question,
            merge.status,
            merge.value,
            merge.groups,
            tuple(sources),
            rows.consolidated.get(key),
            resolutions.get(key),
            rows.versions.get(key, {}),
        )
    return Consolidation(
        country_return, questionnaire, _mark_applicability(questionnaire, answers), authorities
    )


def consolidated_values(
    answers: Mapping[AnswerKey, ConsolidatedAnswer],
) -> dict[AnswerKey, AnswerValue]:
    """The values to use, by key (for section_progress and the like): settled answers only."""
    return {key: answer.value for key, answer in answers.items() if answer.value is not None}


def _mark_applicability(
    questionnaire: QuestionnaireDef, answers: dict[AnswerKey, ConsolidatedAnswer]
) -> dict[AnswerKey, ConsolidatedAnswer]:
    """Questions hidden by their condition, read on the consolidated answers, are not applicable."""
    lookup = conditions.AnswerLookup(comparable_answers(consolidated_values(answers)))
    hidden = {
        code
        for code, question in questionnaire.questions.items()
        if question.show_if and not conditions.evaluate(question.show_if, lookup)
    }
    if not hidden:
        return answers
    return {
        key: replace(answer, applicable=False) if key[0] in hidden else answer
        for key, answer in answers.items()
    }


def consolidated_answers(country_return: CountryReturn) -> dict[AnswerKey, ConsolidatedAnswer]:
    """The return's consolidated answers by key (see the module's docstring)."""
    return consolidate_return(country_return=country_return).answers


def _consolidated(
    key: AnswerKey,
    question: QuestionDef,
    merge_status: MergeStatus,
    merged_value: AnswerValue | None,
    groups: tuple[ValueGroup, ...],
    sources: tuple[SourceReply, ...],
    stored: tuple[AnswerValue, int] | None,
    resolution: Resolution | None,
    versions: Mapping[str, int],
) -> ConsolidatedAnswer:
    kind = key_kind(question, key).kind
    version = stored[1] if stored else 0
    if merge_status == MergeStatus.PER_AUTHORITY:
        return ConsolidatedAnswer(
            key,
            ConsolidatedStatus.PER_AUTHORITY,
            None,
            sources=sources,
            groups=groups,
            reply_versions=versions,
        )
    if stored is not None and (resolution is not None or not stored[0].is_blank):
        value = stored[0]
        if resolution is not None and dict(resolution.source_versions) != dict(versions):
            status = ConsolidatedStatus.OUT_OF_DATE
        else:
            status = ConsolidatedStatus.RESOLVED
        wanted = comparable(kind, value)
        taken_from = tuple(
            source.authority_id for source in sources if comparable(kind, source.value) == wanted
        )
        return ConsolidatedAnswer(
            key,
            status,
            value,
            taken_from=taken_from,
            version=version,
            resolution=resolution,
            sources=sources,
            groups=groups,
            reply_versions=versions,
        )
    taken_from = (
        tuple(source.authority_id for source in sources) if merged_value is not None else ()
    )
    return ConsolidatedAnswer(
        key,
        ConsolidatedStatus(merge_status.value),
        merged_value,
        taken_from=taken_from,
        version=version,
        sources=sources,
        groups=groups,
        reply_versions=versions,
    )


def consolidated_history(
    country_return: CountryReturn, questionnaire: QuestionnaireDef, key: AnswerKey
) -> list[AnswerChange]:
    """Every change of one consolidated answer, the latest first (one query)."""
    question = questionnaire.questions.get(key[0])
    if question is None:
        return []
    return list(
        AnswerChange.objects.filter(
            answer__country_return=country_return,
            answer__authority__isnull=True,
            answer__question_id=question.id,
            answer__row_code=key[1],
            answer__column_code=key[2],
        ).select_related("changed_by")
    )


def _check_key(questionnaire: QuestionnaireDef, key: AnswerKey, reply_keys: set) -> QuestionDef:
    code, row, column = key
    question = questionnaire.questions.get(code)
    if question is None:
        raise ConsolidationRefused(_("This question is not in the questionnaire."))
    if key_kind(question, key).scope == "authority":
        raise ConsolidationRefused(
            _("This question is about each authority itself: its answers are not consolidated.")
        )
    if not question.is_grid:
        if row or column:
            raise ConsolidationRefused(_("This question has no rows or columns."))
        return question
    known_cell = (
        (not row and not column)
        or (
            (question.column(column) is not None or column == LABEL_COLUMN)
            and any(fixed.code == row for fixed in question.rows)
        )
        or key in reply_keys
    )
    if not known_cell:
        raise ConsolidationRefused(_("This grid has no such cell."))
    return question


@transaction.atomic
def resolve_conflict(
    *,
    country_return: CountryReturn,
    key: AnswerKey,
    user: User,
    base_version: int,
    shown_versions: Mapping[str, int],
    picked_authority_id: int | None = None,
    value: AnswerValue | None = None,
    note: str = "",
    channel: str = AnswerChange.Channel.CONSOLIDATION,
) -> Resolution:
    """Settle one consolidated answer: pick an authority's reply, or write the focal point's own.

    Also fills in an answer nobody supplied, and confirms a decision that went out of date.
    `shown_versions` are the versions of the key's replies the page showed ({authority id:
    version}); if a reply moved on since, nothing changes (RepliesChanged). `base_version` is the
    version of the consolidated answer the page showed; if someone else set it since, nothing
    changes (ConsolidatedAnswerChanged, with their value). The value is saved through
    save_answers() with its history, under the one edit rule (access.edit_rule, which refuses
    with EditRefused once the return is submitted); a Resolution row records the decision.
    """
    if not access.is_focal_point(user, country_return):
        raise ConsolidationRefused(_("Only the country's focal points consolidate its return."))
    if (picked_authority_id is None) == (value is None):
        raise ConsolidationRefused(_("Pick one reply or write a value."))
    questionnaire = get_definition(country_return.round.questionnaire_id)
    code, row, column = key
    question_def = questionnaire.questions.get(code)
    if question_def is None:
        raise ConsolidationRefused(_("This question is not in the questionnaire."))
    locked = (
        Answer.objects.select_for_update()
        .filter(
            country_return=country_return,
            authority__isnull=False,
            question_id=question_def.id,
            row_code=row,
            column_code=column,
        )
        .values_list("authority_id", "value", "status", "note", "version")
    )
    replies = {
        authority_id: (AnswerValue(value_, status, note_), version)
        for authority_id, value_, status, note_, version in locked
    }
    _check_key(questionnaire, key, {key} if replies else set())
    current_versions = {
        str(authority_id): version for authority_id, (_v, version) in replies.items()
    }
    if {str(k): int(v) for k, v in shown_versions.items()} != current_versions:
        raise RepliesChanged(
            _("A reply to this question changed since the page was shown: look again and choose.")
        )
    if picked_authority_id is not None:
        picked = replies.get(picked_authority_id)
        if picked is None or not is_reply(picked[0]):
            raise ConsolidationRefused(_("That authority has no reply to this question."))
        value = picked[0]
    assert value is not None
    if value.is_blank:
        raise ConsolidationRefused(_("Give a value, a special value or a footnote."))
    section = questionnaire.section(question_def.section_code)
    assert section is not None
    result = save_answers(
        country_return=country_return,
        authority=None,
        section=section,
        edits=[AnswerEdit(key, value, base_version)],
        user=user,
        channel=channel,
    )
    if result.conflicts:
        raise ConsolidatedAnswerChanged(
            _("Someone else set this consolidated answer since the page was shown."),
            theirs=result.conflicts[0].theirs,
        )
    answer_version = result.saved.get(key, result.unchanged.get(key, 0))
    return Resolution.objects.create(
        country_return=country_return,
        question_id=question_def.id,
        row_code=row,
        column_code=column,
        action=Resolution.Action.PICKED if picked_authority_id else Resolution.Action.OWN_VALUE,
        picked_authority_id=picked_authority_id,
        source_versions=current_versions,
        answer_version=answer_version,
        channel=channel,
        note=note,
        resolved_by=user,
        resolved_at=timezone.now(),
    )


@dataclass(frozen=True)
class SeparateReturn:
    """One authority's replies, standing as a return of their own."""

    authority: Authority
    # The codes of the sections the authority answered, in the questionnaire's order.
    sections: tuple[str, ...]
    answers: dict[AnswerKey, AnswerValue]


def standing_separate_returns(country_return: CountryReturn) -> SeparateReturns | None:
    """The focal point's decision to submit separate returns, if one stands."""
    return (
        SeparateReturns.objects.filter(country_return=country_return, withdrawn_at__isnull=True)
        .select_related("decided_by")
        .first()
    )


def separate_returns(country_return: CountryReturn) -> list[SeparateReturn]:
    """Every authority's replies as a return of its own: the NSO first, then by name."""
    consolidation = consolidate_return(country_return=country_return)
    section_of = {
        code: question.section_code
        for code, question in consolidation.questionnaire.questions.items()
    }
    order = [section.code for section in consolidation.questionnaire.sections]
    answers: dict[int, dict[AnswerKey, AnswerValue]] = {}
    for key, answer in consolidation.answers.items():
        for source in answer.sources:
            answers.setdefault(source.authority_id, {})[key] = source.value
    result = [
        SeparateReturn(
            authority=consolidation.authorities[authority_id],
            sections=tuple(
                code for code in order if any(section_of[key[0]] == code for key in replies)
            ),
            answers=replies,
        )
        for authority_id, replies in answers.items()
        if authority_id in consolidation.authorities
    ]
    result.sort(key=lambda item: (item.authority.kind != Authority.Kind.NSO, item.authority.name))
    return result


def consolidation_rule(
    user: User, country_return: CountryReturn, section: SectionDef
) -> access.EditRule:
    """Whether the user may change this section's consolidated answers now (and which ones)."""
    return access.edit_rule(
        user,
        country_return=country_return,
        authority=None,
        section_id=section.id,
        channel=AnswerChange.Channel.CONSOLIDATION,
    )


def _require_open_for_focal_point(country_return: CountryReturn, user: User) -> None:
    if not access.is_focal_point(user, country_return):
        raise ConsolidationRefused(_("Only the country's focal points consolidate its return."))
    if country_return.status not in CountryReturn.EDITABLE:
        raise ConsolidationRefused(
            _("This return is %(status)s: its answers cannot be changed.")
            % {"status": country_return.get_status_display().lower()}
        )


@transaction.atomic
def choose_separate_returns(
    *, country_return: CountryReturn, user: User, reason: str
) -> SeparateReturns:
    """Record that the country cannot consolidate: its replies go in as separate returns."""
    _require_open_for_focal_point(country_return, user)
    reason = reason.strip()
    if not reason:
        raise ConsolidationRefused(_("Say why the replies cannot be consolidated."))
    CountryReturn.objects.select_for_update().filter(pk=country_return.pk).first()
    if standing_separate_returns(country_return) is not None:
        raise ConsolidationRefused(_("Separate returns are already chosen for this country."))
    return SeparateReturns.objects.create(
        country_return=country_return, reason=reason, decided_by=user, decided_at=timezone.now()
    )


@transaction.atomic
def withdraw_separate_returns(*, country_return: CountryReturn, user: User) -> None:
    """The country consolidates after all: the decision is withdrawn (and kept)."""
    _require_open_for_focal_point(country_return, user)
    withdrawn = SeparateReturns.objects.filter(
        country_return=country_return, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now(), withdrawn_by=user)
    if not withdrawn:
        raise ConsolidationRefused(_("No separate returns are chosen for this country."))
