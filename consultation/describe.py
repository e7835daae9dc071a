"""Conditions in words, for the printed questionnaire: "Asked if A9 is “Yes, permanent”."."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from .definition import SPECIAL_VALUES, YES_NO_CHOICES, QuestionDef
from .models import Kind


def describe_condition(
    condition: Mapping[str, Any],
    questions: Mapping[str, QuestionDef],
    grid: QuestionDef | None = None,
) -> str:
    """A condition tree as a sentence fragment a respondent can read.

    The grouping is kept: a combination inside another is put in brackets, so that
    "A and (B or not (C))" never reads as "A and B or not C".
    """
    for combinator, word in (("all", _(" and ")), ("any", _(" or "))):
        if combinator in condition:
            return word.join(_part(part, questions, grid) for part in condition[combinator])
    if "not" in condition:
        return _("not (%(condition)s)") % {
            "condition": describe_condition(condition["not"], questions, grid)
        }
    subject, labels = _subject(condition, questions, grid)
    operator = next(key for key in _OPERATORS if key in condition)
    operand = condition[operator]
    if isinstance(operand, Mapping):
        value = _subject(operand, questions, grid)[0]
    elif isinstance(operand, list):
        value = ", ".join(_quoted(labels, item) for item in operand)
    else:
        value = _quoted(labels, operand)
    if operator == "answered":
        return subject + " " + (_("is answered") if operand else _("is not answered"))
    if operator == "marked":
        codes = operand if isinstance(operand, list) else [operand]
        value = _(" or ").join(_quoted(SPECIAL_VALUE_LABELS, code) for code in codes)
    return f"{subject} {_OPERATORS[operator]()} {value}"


def _part(
    condition: Mapping[str, Any], questions: Mapping[str, QuestionDef], grid: QuestionDef | None
) -> str:
    """One part of a combination: in brackets when it is itself a combination."""
    text = describe_condition(condition, questions, grid)
    return f"({text})" if "all" in condition or "any" in condition else text


_OPERATORS = {
    "eq": lambda: _("is"),
    "ne": lambda: _("is not"),
    "in": lambda: _("is one of"),
    "not_in": lambda: _("is none of"),
    "gt": lambda: _("is more than"),
    "ge": lambda: _("is at least"),
    "lt": lambda: _("is less than"),
    "le": lambda: _("is at most"),
    "contains": lambda: _("includes"),
    "answered": lambda: "",
    "marked": lambda: _("is marked"),
}
SPECIAL_VALUE_LABELS = {code: str(label) for code, label in SPECIAL_VALUES.items()}


def _quoted(labels: Mapping[str, str], value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return "\u201c" + labels.get(str(value), str(value)) + "\u201d"


def _labels(kind: str, choices: Any) -> dict[str, str]:
    if kind == Kind.YES_NO:
        return {code: str(label) for code, label in YES_NO_CHOICES}
    return {choice.code: choice.label for choice in choices}


def _subject(
    node: Mapping[str, Any], questions: Mapping[str, QuestionDef], grid: QuestionDef | None
) -> tuple[str, dict[str, str]]:
    if "question" in node:
        question = questions.get(str(node["question"]))
        if question is None:
            return str(node["question"]), {}
        return question.code, _labels(question.kind, question.choices)
    if "cell" in node:
        code, row, column_code = str(node["cell"]).split(".")
        question = questions.get(code)
        column = question.column(column_code) if question else None
        rows = {r.code: r.label for r in question.rows} if question else {}
        name = f"{code} ({rows.get(row, row)}: {column.label if column else column_code})"
        return name, _labels(column.kind, column.choices) if column else {}
    if "any_row" in node:
        question = questions.get(str(node["any_row"]))
        column = question.column(str(node["column"])) if question else None
        label = column.label if column else str(node["column"])
        name = _("%(column)s in any row of %(question)s") % {
            "column": f"\u201c{label}\u201d",
            "question": node["any_row"],
        }
        return name, _labels(column.kind, column.choices) if column else {}
    column = grid.column(str(node["column"])) if grid else None
    label = column.label if column else str(node["column"])
    return f"\u201c{label}\u201d", _labels(column.kind, column.choices) if column else {}
