"""Saving answers: versioned, never silently overwriting, every change kept with who and when."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from consultation.answers import AnswerKey, AnswerValue, choice_codes
from consultation.definition import QuestionnaireDef, SectionDef

from .. import access
from ..models import Answer, AnswerChange, Assignment, AssignmentEvent, Authority, CountryReturn
from ..returns.lifecycle import move_assignment, start_return


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as stored: its value and the version a save must start from."""

    value: AnswerValue
    version: int
    updated_by: str = ""  # the person's name (their e-mail address if they gave no name)
    updated_at: Any = None
    pk: int = 0
    updated_by_id: int | None = None


@dataclass(frozen=True)
class AnswerEdit:
    """One requested change: the answer key, the new value, and the version it started from."""

    key: AnswerKey
    value: AnswerValue
    base_version: int


@dataclass(frozen=True)
class Conflict:
    """Someone else saved this answer since the respondent loaded it: both values, to choose."""

    key: AnswerKey
    yours: AnswerValue
    theirs: StoredAnswer


@dataclass
class SaveResult:
    saved: dict[AnswerKey, int] = field(default_factory=dict)  # key -> new version
    unchanged: dict[AnswerKey, int] = field(default_factory=dict)  # key -> current version
    conflicts: list[Conflict] = field(default_factory=list)


def load_answers(
    *,
    country_return: CountryReturn,
    authority: Authority | None,
    questionnaire: QuestionnaireDef,
) -> dict[AnswerKey, StoredAnswer]:
    """The stored answers of one reply (one query), keyed by (question code, row, column).

    `authority` None reads the return's consolidated answers.
    """
    codes = {question.id: code for code, question in questionnaire.questions.items()}
    answers = Answer.objects.filter(country_return=country_return, authority=authority)
    result = {}
    for answer in answers.values_list(
        "pk",
        "question_id",
        "row_code",
        "column_code",
        "value",
        "status",
        "note",
        "version",
        "updated_by_id",
        "updated_by__first_name",
        "updated_by__last_name",
        "updated_by__email",
        "updated_at",
    ):
        pk, question_id, row, column, value, status, note, version = answer[:8]
        user_id, first_name, last_name, email, updated_at = answer[8:]
        if question_id not in codes:
            continue
        result[(codes[question_id], row, column)] = StoredAnswer(
            AnswerValue(value, status, note),
            version,
            person_name(first_name, last_name, email),
            updated_at,
            pk,
            user_id,
        )
    return result


def person_name(first_name: str | None, last_name: str | None, email: str | None) -> str:
    """How a person is named on pages: by name, by e-mail address only if they gave none."""
    return f"{first_name or ''} {last_name or ''}".strip() or email or ""


def load_replies(
    *, country_return: CountryReturn, questionnaire: QuestionnaireDef
) -> dict[int, dict[AnswerKey, AnswerValue]]:
    """Every reply of the return (one query): answer values by authority id, then by key."""
    codes = {question.id: code for code, question in questionnaire.questions.items()}
    replies: dict[int, dict[AnswerKey, AnswerValue]] = {}
    for authority_id, question_id, row, column, value, status, note in Answer.objects.filter(
        country_return=country_return, authority__isnull=False
    ).values_list(
        "authority_id", "question_id", "row_code", "column_code", "value", "status", "note"
    ):
        if question_id in codes:
            replies.setdefault(authority_id, {})[(codes[question_id], row, column)] = AnswerValue(
                value, status, note
            )
    return replies


def _same(stored: AnswerValue, new: AnswerValue) -> bool:
    return (
        stored.value == new.value
        and (stored.status or "") == (new.status or "")
        and (stored.note or "") == (new.note or "")
    )


@transaction.atomic
def save_answers(
    *,
    country_return: CountryReturn,
    authority: Authority | None,
    section: SectionDef,
    edits: Iterable[AnswerEdit],
    user: User,
    channel: str,
    known: Mapping[AnswerKey, StoredAnswer] | None = None,
) -> SaveResult:
    """Save the edits of one reply, each only if its answer is still at the version it started from.

    An edit whose value is already stored changes nothing (a repeated request is harmless). An
    edit whose answer moved on since is not applied: it comes back as a conflict with both
    values. Every applied change appends an AnswerChange row. `known` is the reply as the
    caller has just read it with load_answers(), which spares reading it again; the
    conditional UPDATE still guards every change.

    Every channel is held to the one edit rule (access.edit_rule), read again here on the
    return as it stands: a refused save raises EditRefused, saying why, and changes nothing.

    `authority` names the reply; None writes the return's consolidated answers instead
    (consolidation, with its own channel), which never touches any reply.
    """
    edits = list(edits)
    result = SaveResult()
    question_ids = {question.code: question.id for question in section.questions}
    current_return = _return_as_it_stands(country_return)
    country_return.status = current_return.status
    access.check_edit(
        user,
        country_return=current_return,
        authority=authority,
        section_id=section.id,
        question_ids={question_ids[edit.key[0]] for edit in edits},
        channel=channel,
    )
    if not edits:
        return result
    now = timezone.now()
    if known is None:
        current = {
            (answer.question_id, answer.row_code, answer.column_code): answer
            for answer in Answer.objects.filter(
                country_return=country_return,
                authority=authority,
                question_id__in={question_ids[edit.key[0]] for edit in edits},
            )
        }
    else:
        current = {
            (question_ids[code], row, column): Answer(
                pk=stored.pk,
                country_return=country_return,
                authority=authority,
                question_id=question_ids[code],
                row_code=row,
                column_code=column,
                value=stored.value.value,
                status=stored.value.status,
                note=stored.value.note,
                version=stored.version,
                updated_at=stored.updated_at,
            )
            for (code, row, column), stored in known.items()
            if code in question_ids and stored.pk
        }
    history: list[AnswerChange] = []
    for edit in edits:
        question_id = question_ids[edit.key[0]]
        _question, row, column = edit.key
        new = edit.value
        answer = current.get((question_id, row, column))
        if answer is None:
            if new.is_blank:
                result.unchanged[edit.key] = 0
                continue
            try:
                with transaction.atomic():
                    answer = Answer.objects.create(
                        country_return=country_return,
                        authority=authority,
                        question_id=question_id,
                        row_code=row,
                        column_code=column,
                        value=new.value,
                        status=new.status,
                        note=new.note,
                        version=1,
                        updated_by=user,
                        updated_at=now,
                    )
            except IntegrityError:
                # Someone created it a moment ago: compare with what they saved.
                answer = Answer.objects.get(
                    country_return=country_return,
                    authority=authority,
                    question_id=question_id,
                    row_code=row,
                    column_code=column,
                )
                _settle(result, edit, answer)
                continue
            history.append(_change(answer, None, new, user, channel, now))
            result.saved[edit.key] = 1
            continue
        stored = AnswerValue(answer.value, answer.status, answer.note)
        if _same(stored, new):
            result.unchanged[edit.key] = answer.version
            continue
        if edit.base_version != answer.version:
            if known is not None:
                answer.refresh_from_db()
            if _was_value_at(answer, edit.base_version, new):
                # A whole-page save resends answers the respondent did not touch.
                result.unchanged[edit.key] = answer.version
            else:
                _settle(result, edit, answer)
            continue
        updated = Answer.objects.filter(pk=answer.pk, version=edit.base_version).update(
            value=new.value,
            status=new.status,
            note=new.note,
            version=F("version") + 1,
            updated_by=user,
            updated_at=now,
        )
        if not updated:
            answer.refresh_from_db()
            _settle(result, edit, answer)
            continue
        answer.version = edit.base_version + 1
        history.append(_change(answer, stored, new, user, channel, now))
        result.saved[edit.key] = answer.version
    AnswerChange.objects.bulk_create(history)
    if result.saved and authority is not None:
        _mark_started(country_return, authority, section, user)
    return result


def _was_value_at(answer: Answer, version: int, value: AnswerValue) -> bool:
    """Whether the answer held `value` at `version`, as the page that sends it was shown."""
    if version == 0:
        return value.is_blank
    change = AnswerChange.objects.filter(answer=answer, version=version).first()
    return change is not None and _same(
        AnswerValue(change.new_value, change.new_status, change.new_note), value
    )


def _settle(result: SaveResult, edit: AnswerEdit, answer: Answer) -> None:
    """The answer moved on: harmless if it already holds this edit's value, else a conflict."""
    stored = AnswerValue(answer.value, answer.status, answer.note)
    if _same(stored, edit.value):
        result.unchanged[edit.key] = answer.version
        return
    result.conflicts.append(
        Conflict(
            edit.key,
            edit.value,
            StoredAnswer(
                stored,
                answer.version,
                person_name(
                    answer.updated_by.first_name,
                    answer.updated_by.last_name,
                    answer.updated_by.email,
                )
                if answer.updated_by is not None
                else "",
                answer.updated_at,
                updated_by_id=answer.updated_by_id,
            ),
        )
    )


def _change(
    answer: Answer,
    old: AnswerValue | None,
    new: AnswerValue,
    user: User,
    channel: str,
    now: Any,
) -> AnswerChange:
    old = old or AnswerValue()
    return AnswerChange(
        answer=answer,
        version=answer.version,
        old_value=old.value,
        old_status=old.status,
        old_note=old.note,
        new_value=new.value,
        new_status=new.status,
        new_note=new.note,
        channel=channel,
        changed_by=user,
        changed_at=now,
    )


def _return_as_it_stands(country_return: CountryReturn) -> CountryReturn:
    """The return and its round's status read again (one query), the return's status held.

    On PostgreSQL a key-share lock lets saves run side by side but makes a status change (which
    locks the row for update) wait for them, so nothing is saved into a return just submitted.
    The first save of a return moves it to in progress, so it locks the row for update from the
    start (two first saves each holding a share lock and waiting for the other would deadlock).
    """
    if connection.vendor != "postgresql":
        return CountryReturn.objects.select_related("round").get(pk=country_return.pk)
    lock = "UPDATE" if country_return.status == CountryReturn.Status.NOT_STARTED else "KEY SHARE"
    current = next(
        iter(
            CountryReturn.objects.raw(
                "SELECT r.*, rd.status AS round_status FROM responses_countryreturn r "  # noqa: S608
                "JOIN consultation_round rd ON rd.id = r.round_id "
                f"WHERE r.id = %s FOR {lock} OF r",
                [country_return.pk],
            )
        )
    )
    round_ = country_return.round
    round_.status = current.round_status  # type: ignore[attr-defined]  # selected by the SQL above
    current.round = round_
    return current


def _mark_started(
    country_return: CountryReturn, authority: Authority, section: SectionDef, user: Any
) -> None:
    """The first saved answer moves the return, or the authority's assignment, to in progress."""
    start_return(country_return=country_return, actor=user)
    if authority.kind != Authority.Kind.NSO:
        assignment = Assignment.objects.filter(
            country_return=country_return,
            authority=authority,
            section_id=section.id,
            status=Assignment.Status.FORWARDED,
        ).first()
        if assignment is not None:
            move_assignment(
                assignment=assignment, action=AssignmentEvent.Action.STARTED, actor=user
            )


def changes_from_form(
    cleaned: Mapping[AnswerKey, AnswerValue],
    stored: Mapping[AnswerKey, StoredAnswer],
    versions: Mapping[str, int],
) -> list[AnswerEdit]:
    """The edits a submitted form asks for: answers that differ from what the page was given.

    `versions` maps "question|row|column" to the version the page showed.
    """
    edits = []
    for key, value in cleaned.items():
        previous = stored.get(key)
        base = versions.get("|".join(key), previous.version if previous else 0)
        if previous is not None and _same(previous.value, value) and base == previous.version:
            continue
        if previous is None and value.is_blank:
            continue
        edits.append(AnswerEdit(key, value, base))
    return edits


def count_answers_by_question(questionnaire: Any, question_codes: set[str]) -> dict[str, int]:
    """How many stored answers each question has: the loader refuses to drop answered ones."""
    rows = (
        Answer.objects.filter(
            question__section__questionnaire=questionnaire,
            question__code__in=question_codes,
        )
        .exclude(value__isnull=True, status="")
        .values_list("question__code")
        .annotate(count=Count("pk"))
    )
    return dict(rows)


def count_answers_using_choices(
    questionnaire: Any, removed: Mapping[tuple[str, str], set[str]]
) -> dict[tuple[str, str], int]:
    """How many stored answers chose one of the given codes, per (question, grid column).

    The loader refuses to remove a choice that answers use: the next save would drop them.
    """
    counts: dict[tuple[str, str], int] = {}
    for (code, column), choices in removed.items():
        values = Answer.objects.filter(
            question__section__questionnaire=questionnaire,
            question__code=code,
            column_code=column,
            value__isnull=False,
        ).values_list("value", flat=True)
        number = 0
        for value in values.iterator():
            number += bool(choice_codes(value) & choices)
        if number:
            counts[(code, column)] = number
    return counts
