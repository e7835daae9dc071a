"""Answer values: the public API for reading and writing what is stored for an answer.

An answer is stored per key (question, row, column) as an `AnswerValue`: a JSON value, or a
special value ("not available" ...), and a footnote. The JSON value of each kind:

- text, long text, e-mail, web address: a string; integer and year: a number;
  decimal and percentage: a string of digits ("12.5"), so no precision is lost;
  date: an ISO date string ("2026-03-31"); tick box: true;
- yes/no and single choice: the code of the option, or `{"choice": code, "other": text}` when
  the option asks to "please specify";
- multiple choice: the list of codes in the order of the options, or
  `{"choices": [codes], "other": text}`; ranking: the list of codes, first rank first.

Consolidation, exports and Excel read answers through this module only: `parse_value` turns the
JSON into a typed value, `normalise` makes equal answers compare equal (the same options in any
order, the same number however written), `render_text` writes an answer as readable text.
`value_to_json` and `json_to_data` convert between the JSON and form data.
"""

import datetime
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from . import conditions
from .definition import SPECIAL_VALUES, YES_NO_CHOICES, ChoiceDef, ColumnDef, QuestionDef
from .models import Kind

AnswerKey = tuple[str, str, str]
# The column key under which an "other, please specify" row of a grid keeps its name.
LABEL_COLUMN = "_label"

NUMBER_KINDS = frozenset({Kind.INTEGER, Kind.YEAR, Kind.DECIMAL, Kind.PERCENTAGE})
SINGLE_CHOICE_KINDS = frozenset({Kind.SINGLE_CHOICE, Kind.YES_NO})
LIST_KINDS = frozenset({Kind.MULTIPLE_CHOICE, Kind.RANKING})


@dataclass(frozen=True)
class AnswerValue:
    """What is stored for one answer key: a JSON value, or a special value, and a footnote."""

    value: Any = None
    status: str = ""
    note: str = ""

    @property
    def is_blank(self) -> bool:
        return is_empty(self.value) and not self.status and not self.note

    @property
    def is_answered(self) -> bool:
        """A value, or a special value: both answer a question."""
        return not is_empty(self.value) or bool(self.status)


class AnswerValueError(ValueError):
    """A stored JSON value does not have the shape its kind stores."""


@dataclass(frozen=True)
class ChoiceAnswer:
    """A single choice: the option's code and, for an "other" option, the text given."""

    code: str
    other: str = ""


@dataclass(frozen=True)
class ChoicesAnswer:
    """A multiple choice (options in the order of the list) or a ranking (first rank first)."""

    codes: tuple[str, ...]
    other: str = ""


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def field_name(question: str, row: str = "", column: str = "", part: str = "") -> str:
    """The form field (and answer key) name: `A9`, `A9.status`, `C1.S01.exists.other`."""
    return ".".join(piece for piece in (question, row, column, part) if piece)


def comparable_answers(
    answers: Mapping[AnswerKey, AnswerValue], *, excluding: Collection[str] = ()
) -> dict[AnswerKey, Any]:
    """What conditions compare of stored answers, leaving out the questions named.

    An answer marked with a special value compares as `conditions.marked(status)`: `answered`
    for conditions, as for required-ness and progress, and matched by `marked`.
    """
    return {
        key: conditions.marked(answer.status)
        if answer.status and is_empty(answer.value)
        else conditions.comparable(answer.value)
        for key, answer in answers.items()
        if key[0] not in excluding
    }


# --- Typed values -----------------------------------------------------------------------------


def parse_value(kind: str, value: Any) -> Any:
    """A stored JSON value as a typed Python value, or None when there is no value.

    int for integers and years, Decimal for decimals and percentages, datetime.date for dates,
    True for a ticked box, ChoiceAnswer for yes/no and single choices, ChoicesAnswer for
    multiple choices and rankings, str otherwise. Raises AnswerValueError on a value of the
    wrong shape.
    """
    if is_empty(value):
        return None
    try:
        if kind in (Kind.INTEGER, Kind.YEAR):
            number = _decimal(value)
            if number != number.to_integral_value():
                raise AnswerValueError(f"{value!r} is not a whole number")
            return int(number)
        if kind in (Kind.DECIMAL, Kind.PERCENTAGE):
            return _decimal(value)
        if kind == Kind.DATE:
            return datetime.date.fromisoformat(str(value))
        if kind == Kind.CHECKBOX:
            return True if value is True else None
        if kind in SINGLE_CHOICE_KINDS:
            if isinstance(value, Mapping):
                return ChoiceAnswer(str(value["choice"]), str(value.get("other", "")))
            if isinstance(value, str):
                return ChoiceAnswer(value)
            raise AnswerValueError(f"{value!r} is not an option code")
        if kind in LIST_KINDS:
            other = ""
            if isinstance(value, Mapping):
                other = str(value.get("other", ""))
                value = value["choices"]
            if not isinstance(value, list):
                raise AnswerValueError(f"{value!r} is not a list of option codes")
            return ChoicesAnswer(tuple(str(code) for code in value), other)
    except (KeyError, TypeError, ValueError, InvalidOperation) as error:
        if isinstance(error, AnswerValueError):
            raise
        raise AnswerValueError(f"{value!r} is not a {kind} value") from error
    if not isinstance(value, str):
        raise AnswerValueError(f"{value!r} is not text")
    return value


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise AnswerValueError(f"{value!r} is not a number")
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise AnswerValueError(f"{value!r} is not a number")
    return number


def choice_codes(value: Any) -> set[str]:
    """The option codes a stored value chose, whatever its choice kind (none for other kinds)."""
    if isinstance(value, Mapping):
        value = value.get("choices", value.get("choice"))
    if isinstance(value, list):
        return {str(code) for code in value}
    return {value} if isinstance(value, str) else set()


def normalise(kind: str, value: Any) -> Any:
    """A stored JSON value reduced so that equal answers compare (and hash) equal.

    The same options in any order are equal for a multiple choice (not for a ranking, where
    the order is the answer); "12.50", "12.5" and 12.5 are equal numbers; text is compared
    without surrounding spaces and in Unicode NFC form. A value of the wrong shape compares as
    itself, so that it never silently equals a sound answer.
    """
    try:
        parsed = parse_value(kind, value)
    except AnswerValueError:
        return ("unreadable", repr(value))
    if isinstance(parsed, Decimal):
        return parsed.normalize() if parsed else Decimal(0)
    if isinstance(parsed, ChoiceAnswer):
        return (parsed.code, _normal_text(parsed.other))
    if isinstance(parsed, ChoicesAnswer):
        codes = parsed.codes if kind == Kind.RANKING else tuple(sorted(set(parsed.codes)))
        return (codes, _normal_text(parsed.other))
    if isinstance(parsed, str):
        return _normal_text(parsed)
    return parsed


def _normal_text(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def same_answer(kind: str, left: AnswerValue | None, right: AnswerValue | None) -> bool:
    """Whether two stored answers say the same thing: equal values and the same special value.

    Footnotes are not compared: they explain an answer, they do not change it.
    """
    left = left or AnswerValue()
    right = right or AnswerValue()
    return left.status == right.status and normalise(kind, left.value) == normalise(
        kind, right.value
    )


def render_text(item: QuestionDef | ColumnDef, answer: AnswerValue | None) -> str:
    """An answer as a person reads it: option labels, special values in words, "" if none.

    "Other (please specify)" options show the text given: "Other: Statistics Norway".
    """
    if answer is None:
        return ""
    if answer.status and is_empty(answer.value):
        return str(SPECIAL_VALUES.get(answer.status, answer.status))
    try:
        parsed = parse_value(item.kind, answer.value)
    except AnswerValueError:
        return str(answer.value)
    if parsed is None:
        return ""
    labels = _labels(item)
    if isinstance(parsed, ChoiceAnswer):
        return _choice_text(parsed.code, parsed.other, labels)
    if isinstance(parsed, ChoicesAnswer):
        separator = "; " if item.kind == Kind.MULTIPLE_CHOICE else " > "
        other_codes = {choice.code for choice in item.choices if choice.is_other}
        return separator.join(
            _choice_text(code, parsed.other if code in other_codes else "", labels)
            for code in parsed.codes
        )
    if parsed is True:
        return _("Yes")
    if isinstance(parsed, datetime.date):
        return parsed.isoformat()
    if isinstance(parsed, Decimal):
        text = format(parsed, "f")
        return f"{text}%" if item.kind == Kind.PERCENTAGE else text
    if isinstance(parsed, int):
        return str(parsed) if item.kind == Kind.YEAR else number_format(parsed)
    return str(parsed)


def _labels(item: QuestionDef | ColumnDef) -> dict[str, str]:
    if item.kind == Kind.YES_NO:
        return {code: str(label) for code, label in YES_NO_CHOICES}
    return {choice.code: str(choice.label) for choice in item.choices}


def _choice_text(code: str, other: str, labels: Mapping[str, str]) -> str:
    label = labels.get(code, code)
    return f"{label}: {other}" if other else label


# --- Form data <-> JSON -------------------------------------------------------------------------


def other_codes(choices: Iterable[ChoiceDef]) -> set[str]:
    """The codes of the "other, please specify" options."""
    return {choice.code for choice in choices if choice.is_other}


def value_to_json(kind: str, cleaned: Any, other: str, choices: tuple[ChoiceDef, ...]) -> Any:
    """A form field's cleaned value as the JSON value stored for the answer."""
    if cleaned in (None, "", []) or cleaned is False:
        return None
    if kind in (Kind.DECIMAL, Kind.PERCENTAGE):
        return format(cleaned, "f")
    if kind == Kind.DATE:
        return cleaned.isoformat()
    if kind in SINGLE_CHOICE_KINDS:
        if cleaned in other_codes(choices):
            return {"choice": cleaned, "other": other}
        return cleaned
    if kind == Kind.MULTIPLE_CHOICE:
        ordered = [choice.code for choice in choices if choice.code in cleaned]
        if set(ordered) & other_codes(choices):
            return {"choices": ordered, "other": other}
        return ordered
    if kind == Kind.CHECKBOX:
        return True
    return cleaned


def json_to_data(kind: str, value: Any) -> tuple[Any, str]:
    """A stored JSON value as form data: (the field's data, the "please specify" text)."""
    if value is None:
        return ("", "")
    if kind in SINGLE_CHOICE_KINDS and isinstance(value, Mapping):
        return (str(value.get("choice", "")), str(value.get("other", "")))
    if kind == Kind.MULTIPLE_CHOICE:
        if isinstance(value, Mapping):
            return ([str(code) for code in value.get("choices", [])], str(value.get("other", "")))
        return ([str(code) for code in value], "")
    if kind == Kind.CHECKBOX:
        return ("on" if value else "", "")
    return (str(value), "")
