"""The merge of replies into one consolidated answer per key: pure, no database.

Every reply (the NSO's and each authority's) gives at most one value per answer key (a question,
or a grid cell). For one key:

- no reply: MISSING;
- one reply, or several equal ones: TAKEN, with every source listed;
- different replies: a CONFLICT, the replies grouped by equal value;
- a question about the answering institution (scope "authority"): PER_AUTHORITY, never merged
  and never in conflict.

Two replies are equal when their normalised values are: the same choices in any order, the same
number however typed, the same text but for spacing. The special value ("not available" ...) and
the footnote take part: a special value from one authority and a value from another conflict.
A blank reply (no value, no special value, no footnote) is no reply.
"""

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from consultation.definition import QuestionDef, QuestionnaireDef
from consultation.formbuilder import LABEL_COLUMN, AnswerKey, AnswerValue, is_empty
from consultation.models import Kind

SCOPE_AUTHORITY = "authority"
NUMBER_KINDS = frozenset({Kind.INTEGER, Kind.DECIMAL, Kind.PERCENTAGE, Kind.YEAR})
UNORDERED_KINDS = frozenset({Kind.MULTIPLE_CHOICE})


class MergeStatus(enum.StrEnum):
    MISSING = "missing"
    TAKEN = "taken"
    CONFLICT = "conflict"
    PER_AUTHORITY = "per_authority"


@dataclass(frozen=True)
class KeyKind:
    """What the merge needs to know of a key: the kind of its value and the question's scope."""

    kind: str = Kind.TEXT
    scope: str = "country"


@dataclass(frozen=True)
class ValueGroup:
    """Replies that agree: one value (as the lowest authority id gave it) and who gave it."""

    value: AnswerValue
    authority_ids: tuple[int, ...]


@dataclass(frozen=True)
class Merge:
    """The merge of one key's replies."""

    status: MergeStatus
    # The taken value (None unless TAKEN).
    value: AnswerValue | None
    # Every authority that replied, by id.
    sources: tuple[int, ...]
    # The replies grouped by equal value, the largest group first (one group when TAKEN).
    groups: tuple[ValueGroup, ...]


def _text(value: Any) -> str:
    return " ".join(str(value).split())


def _number(value: Any) -> Any:
    try:
        number = Decimal(_text(value).replace(" ", ""))
    except (InvalidOperation, ValueError):
        return _text(value)
    if not number.is_finite():
        return _text(value)
    # 1000, "1000.0" and "1e3" are one number: as an integer when it is one, else normalised.
    try:
        if number == number.to_integral():
            return int(number)
    except (InvalidOperation, OverflowError):
        pass
    return number.normalize()


def normalise(kind: str, value: Any) -> Any:
    """A value in the form two replies are compared in (hashable; None when empty)."""
    if is_empty(value):
        return None
    if isinstance(value, Mapping):
        choices = value.get("choices", value.get("choice"))
        return ("choice", normalise(kind, choices), _text(value.get("other", "")).casefold())
    if isinstance(value, list | tuple):
        items = tuple(normalise(Kind.TEXT, item) for item in value)
        return tuple(sorted(items, key=str)) if kind in UNORDERED_KINDS else items
    if isinstance(value, bool):
        return value
    if kind in NUMBER_KINDS or isinstance(value, int | float | Decimal):
        return _number(value)
    if kind == Kind.EMAIL:
        return _text(value).casefold()
    return _text(value)


def comparable(kind: str, answer: AnswerValue) -> tuple[Any, str, str]:
    """What decides whether two replies agree: value, special value and footnote."""
    return (normalise(kind, answer.value), answer.status or "", _text(answer.note or ""))


def is_reply(answer: AnswerValue | None) -> bool:
    return answer is not None and not answer.is_blank


def merge_key(key_kind: KeyKind, replies: Mapping[int, AnswerValue]) -> Merge:
    """Merge one key's replies, given by authority id. The order of `replies` does not matter."""
    given = {authority: answer for authority, answer in replies.items() if is_reply(answer)}
    sources = tuple(sorted(given))
    if not given:
        return Merge(MergeStatus.MISSING, None, (), ())
    if key_kind.scope == SCOPE_AUTHORITY:
        groups = tuple(ValueGroup(given[authority], (authority,)) for authority in sources)
        return Merge(MergeStatus.PER_AUTHORITY, None, sources, groups)
    first = given[sources[0]]
    if all(given[authority] == first for authority in sources):
        # Replies stored alike agree, whatever normalising would say: the common case, made cheap.
        return Merge(MergeStatus.TAKEN, first, sources, (ValueGroup(first, sources),))
    by_value: dict[tuple[Any, str, str], list[int]] = {}
    for authority in sources:
        by_value.setdefault(comparable(key_kind.kind, given[authority]), []).append(authority)
    groups = tuple(
        sorted(
            (ValueGroup(given[ids[0]], tuple(ids)) for ids in by_value.values()),
            key=lambda group: (-len(group.authority_ids), group.authority_ids),
        )
    )
    if len(groups) == 1:
        return Merge(MergeStatus.TAKEN, groups[0].value, sources, groups)
    return Merge(MergeStatus.CONFLICT, None, sources, groups)


def key_kind(question: QuestionDef, key: AnswerKey) -> KeyKind:
    """The kind of value a key of this question holds, and the question's scope."""
    scope = getattr(question, "scope", "") or "country"
    _code, row, column = key
    if not question.is_grid:
        return KeyKind(question.kind, scope)
    if column == LABEL_COLUMN:
        return KeyKind(Kind.TEXT, scope)
    if not row and not column:
        # The grid as a whole holds only a special value and a footnote.
        return KeyKind(Kind.TEXT, scope)
    grid_column = question.column(column)
    return KeyKind(grid_column.kind if grid_column else Kind.TEXT, scope)


def expected_keys(question: QuestionDef) -> list[AnswerKey]:
    """The keys a question always has: itself, or every cell of its fixed rows."""
    if not question.is_grid:
        return [(question.code, "", "")]
    return [
        (question.code, row.code, column.code)
        for row in question.rows
        for column in question.columns
    ]


def merge_replies(
    questionnaire: QuestionnaireDef,
    replies: Mapping[int, Mapping[AnswerKey, AnswerValue]],
    *,
    extra_keys: Iterable[AnswerKey] = (),
) -> dict[AnswerKey, Merge]:
    """Merge every key of the questionnaire: its questions' keys and any key a reply holds.

    `replies` maps authority id to that authority's answers. Keys of questions the
    questionnaire no longer has are left out. The result follows the questionnaire's order.
    """
    questions = questionnaire.questions
    by_key: dict[AnswerKey, dict[int, AnswerValue]] = {}
    for question in questions.values():
        for key in expected_keys(question):
            by_key[key] = {}
    extra: dict[AnswerKey, dict[int, AnswerValue]] = {}
    for key in extra_keys:
        if key not in by_key:
            extra[key] = {}
    for authority, answers in replies.items():
        for key, answer in answers.items():
            if key[0] not in questions:
                continue
            (by_key if key in by_key else extra).setdefault(key, {})[authority] = answer
    # Keys found only in replies (respondents' own grid rows, a grid's own note) join their
    # question, in a stable order.
    for key in sorted(extra):
        by_key.setdefault(key, extra[key])
    order = {code: position for position, code in enumerate(questions)}
    keys = sorted(by_key, key=lambda key: order[key[0]])
    return {key: merge_key(key_kind(questions[key[0]], key), by_key[key]) for key in keys}
