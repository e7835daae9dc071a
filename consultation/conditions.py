"""Display conditions and validation rules: checking their form, and evaluating them.

A condition is a small JSON tree (see docs/questionnaire-format.md). The same tree is evaluated
here on the server and by static/consultation/conditions.js in the browser, so both must agree:
tests/consultation/test_conditions.py pins the semantics.
"""

import difflib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

COMPARISONS = (
    "eq",
    "ne",
    "in",
    "not_in",
    "gt",
    "ge",
    "lt",
    "le",
    "contains",
    "answered",
    "marked",
)
SUBJECTS = ("question", "cell", "any_row", "column")
COMBINATORS = ("all", "any", "not")
# How deep all/any/not may nest: deeper trees are refused when the file is loaded.
MAX_DEPTH = 20
# What a condition sees of an answer marked with a special value and given no value:
# {"marked": "not_available"}. The browser gets the same shape in the page's context answers.
MARKED = "marked"


class ConditionError(ValueError):
    """A condition tree is malformed; the message says what is wrong."""


@dataclass(frozen=True)
class Reference:
    """What a condition looks at: a question, one cell, any row of a grid, or a same-row cell."""

    subject: str  # one of SUBJECTS
    question: str = ""
    row: str = ""
    column: str = ""


def marked(status: str) -> dict[str, str]:
    """What a condition compares of an answer marked with a special value."""
    return {MARKED: status}


def marked_status(value: Any) -> str | None:
    """The special value of a marked answer (see `marked`), or None for any other value."""
    if isinstance(value, Mapping) and len(value) == 1 and MARKED in value:
        return str(value[MARKED])
    return None


def depth(condition: Any) -> int:
    """How deeply a condition's all/any/not nest (1 for a single comparison), without recursion.

    Counted before anything else looks at a condition, so that a hostile tree is refused with a
    message rather than a RecursionError.
    """
    deepest = 0
    pending: list[tuple[Any, int]] = [(condition, 1)]
    while pending:
        node, level = pending.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        if isinstance(node, Mapping):
            for key in COMBINATORS:
                part = node.get(key)
                if isinstance(part, list):
                    pending.extend((item, level + 1) for item in part)
                elif part is not None:
                    pending.append((part, level + 1))
    return deepest


def check_condition(condition: Any, *, in_grid_row: bool = False) -> None:
    """Raise ConditionError if `condition` is not a well-formed condition tree.

    `in_grid_row` says the condition sits where a grid row is known (a grid column's `show_if`,
    a derived grid's `where`, a grid's rules), so that `{column: c}` may name a cell of that row.
    """
    if depth(condition) > MAX_DEPTH:
        raise ConditionError(
            f"conditions may nest all, any and not at most {MAX_DEPTH} levels deep"
        )
    _check_condition(condition, in_grid_row=in_grid_row)


def _check_condition(condition: Any, *, in_grid_row: bool) -> None:
    if not isinstance(condition, Mapping):
        raise ConditionError(f"a condition must be a mapping, not {condition!r}")
    if not condition:
        raise ConditionError("a condition cannot be empty")
    if "not" in condition:
        _only_keys(condition, {"not"})
        _check_condition(condition["not"], in_grid_row=in_grid_row)
        return
    for combinator in ("all", "any"):
        if combinator in condition:
            _only_keys(condition, {combinator})
            parts = condition[combinator]
            if not isinstance(parts, list) or not parts:
                raise ConditionError(f"'{combinator}' needs a non-empty list of conditions")
            for part in parts:
                _check_condition(part, in_grid_row=in_grid_row)
            return
    # `any_row` takes `column` as its second half: `column` is then not a subject of its own.
    subjects = (
        ["any_row"] if "any_row" in condition else [key for key in SUBJECTS if key in condition]
    )
    if not subjects:
        keys = ", ".join(map(repr, sorted(map(str, condition))))
        hints = "".join(_did_you_mean(str(key), (*SUBJECTS, *COMBINATORS)) for key in condition)
        raise ConditionError(
            f"a condition names exactly one of question, cell, any_row or column, or combines "
            f"conditions with all, any or not; it has {keys}{hints}"
        )
    if len(subjects) != 1:
        raise ConditionError(
            "a condition names exactly one of question, cell, any_row or column, "
            "or combines conditions with all, any or not"
        )
    subject = subjects[0]
    if subject == "column" and not in_grid_row:
        raise ConditionError("'column' can only be used in the condition of a grid column")
    allowed = {subject, *COMPARISONS}
    if subject == "any_row":
        allowed.add("column")
        if "column" not in condition:
            raise ConditionError("'any_row' needs 'column': which column of the grid to test")
    _only_keys(condition, allowed)
    for key in allowed - set(COMPARISONS):
        if key in condition and (not isinstance(condition[key], str) or not condition[key]):
            raise ConditionError(f"'{key}' names a code, not {condition[key]!r}")
    if subject == "cell":
        _check_cell(condition["cell"])
    comparisons = [key for key in COMPARISONS if key in condition]
    if len(comparisons) != 1:
        raise ConditionError(
            f"a condition needs exactly one comparison among {', '.join(COMPARISONS)}"
        )
    operator = comparisons[0]
    # Within any_row, {column: c} names the cell of the row being tested.
    _check_operand(operator, condition[operator], in_grid_row=in_grid_row or subject == "any_row")


def _check_cell(cell: str) -> None:
    if len(cell.split(".")) != 3 or not all(cell.split(".")):
        raise ConditionError("'cell' is written question.row.column, e.g. C1.S01.exists")


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _check_operand(operator: str, operand: Any, *, in_grid_row: bool) -> None:
    """The value a comparison compares with: its type must suit the operator."""
    if isinstance(operand, Mapping):
        if operator in ("in", "not_in", "answered", "contains", "marked"):
            raise ConditionError(f"'{operator}' cannot compare with another answer")
        names = [name for name in ("question", "cell", "column") if name in operand]
        if len(operand) != 1 or len(names) != 1 or not isinstance(operand[names[0]], str):
            raise ConditionError(
                f"'{operator}' compares with {dict(operand)!r}; an answer is named by exactly one "
                "of {question: X}, {cell: X.row.column} or {column: c}"
            )
        if names[0] == "column" and not in_grid_row:
            raise ConditionError(
                f"'{operator}': {{column: ...}} can only be used within a grid row"
            )
        if names[0] == "cell":
            _check_cell(operand["cell"])
        return
    if operator == "answered":
        if not isinstance(operand, bool):
            raise ConditionError("'answered' takes true or false")
    elif operator == "marked":
        codes = operand if isinstance(operand, list) else [operand]
        if not codes or not all(isinstance(code, str) and code for code in codes):
            raise ConditionError(
                "'marked' takes a special value (such as not_available) or a list of them"
            )
    elif operator in ("in", "not_in"):
        if not isinstance(operand, list):
            raise ConditionError(f"'{operator}' needs a list of values")
        if not operand or not all(_is_scalar(item) for item in operand):
            raise ConditionError(
                f"'{operator}' needs a non-empty list of plain values (codes or numbers)"
            )
    elif operator in ("gt", "ge", "lt", "le"):
        if _number(operand) is None:
            raise ConditionError(f"'{operator}' compares numbers; {operand!r} is not a number")
    elif isinstance(operand, list):
        raise ConditionError(
            f"'{operator}' compares with one value; use 'in' or 'not_in' for a list of values"
        )
    elif not _is_scalar(operand):
        raise ConditionError(f"'{operator}' needs a value (a code or a number), not {operand!r}")


def _only_keys(condition: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(map(str, set(condition) - allowed))
    if unknown:
        hints = "".join(_did_you_mean(key, sorted(allowed)) for key in unknown)
        raise ConditionError(f"unknown key(s) {', '.join(unknown)}{hints}")


def _did_you_mean(key: str, options: Any) -> str:
    matches = difflib.get_close_matches(key, list(options), n=1)
    return f" (did you mean '{matches[0]}' for '{key}'?)" if matches else ""


def references(condition: Mapping[str, Any]) -> Iterator[Reference]:
    """Yield every answer a (well-formed) condition looks at, operands included."""
    for combinator in ("all", "any"):
        if combinator in condition:
            for part in condition[combinator]:
                yield from references(part)
            return
    if "not" in condition:
        yield from references(condition["not"])
        return
    yield _reference(condition)
    for operator in COMPARISONS:
        operand = condition.get(operator)
        if isinstance(operand, Mapping):
            yield _reference(operand)


def _reference(node: Mapping[str, Any]) -> Reference:
    if "question" in node:
        return Reference("question", question=str(node["question"]))
    if "cell" in node:
        question, row, column = str(node["cell"]).split(".")
        return Reference("cell", question=question, row=row, column=column)
    if "any_row" in node:
        return Reference("any_row", question=str(node["any_row"]), column=str(node["column"]))
    if "column" in node:
        return Reference("column", column=str(node["column"]))
    raise ConditionError(f"{dict(node)!r} names no question, cell or column")


class AnswerLookup:
    """What a condition sees: comparable answer values by question, row and column.

    `values` maps (question, row, column) to a comparable value (see `comparable`); plain
    questions use empty row and column.
    """

    def __init__(self, values: Mapping[tuple[str, str, str], Any]) -> None:
        self.values = values
        self._rows_by_question: dict[str, set[str]] | None = None

    def get(self, question: str, row: str = "", column: str = "") -> Any:
        return self.values.get((question, row, column))

    def forget_rows(self) -> None:
        """Call after changing `values`: the rows of each grid are worked out again."""
        self._rows_by_question = None

    def rows_of(self, question: str) -> set[str]:
        if self._rows_by_question is None:
            rows: dict[str, set[str]] = {}
            for q, row, _column in self.values:
                if row:
                    rows.setdefault(q, set()).add(row)
            self._rows_by_question = rows
        return self._rows_by_question.get(question, set())


def comparable(value: Any) -> Any:
    """Reduce a stored answer value to what conditions compare: a code, a list, a number."""
    if isinstance(value, Mapping):
        if "choice" in value:
            return value["choice"]
        if "choices" in value:
            return list(value["choices"])
    return value


def evaluate(
    condition: Mapping[str, Any], answers: AnswerLookup, *, grid: str = "", row: str = ""
) -> bool:
    """Evaluate a condition against answers.

    `grid` and `row` say which grid row a `column` condition looks at.
    """
    if not condition:
        return True
    if "all" in condition:
        return all(evaluate(part, answers, grid=grid, row=row) for part in condition["all"])
    if "any" in condition:
        return any(evaluate(part, answers, grid=grid, row=row) for part in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], answers, grid=grid, row=row)
    operator = next(key for key in COMPARISONS if key in condition)
    operand = condition[operator]
    if "any_row" in condition:
        question = str(condition["any_row"])
        column = str(condition["column"])
        return any(
            _compare(
                answers.get(question, grid_row, column),
                operator,
                _resolve_operand(operand, answers, question, grid_row),
            )
            for grid_row in answers.rows_of(question)
        )
    value = _resolve(condition, answers, grid, row)
    return _compare(value, operator, _resolve_operand(operand, answers, grid, row))


def answers_given(
    condition: Mapping[str, Any], answers: AnswerLookup, *, grid: str = "", row: str = ""
) -> bool:
    """Whether every answer a validation rule compares is given.

    Rules are checked only then: "the next census comes after the latest one" says nothing while
    either year is blank or marked "not available". A rule that tests `answered` is always checked.
    """
    if _uses_answered(condition):
        return True
    for reference in references(condition):
        if reference.subject == "any_row":
            continue
        if reference.subject == "column":
            value = answers.get(grid, row, reference.column)
        else:
            value = answers.get(reference.question, reference.row, reference.column)
        if _is_blank(value) or marked_status(value) is not None:
            return False
    return True


def _uses_answered(condition: Mapping[str, Any]) -> bool:
    if "not" in condition:
        return _uses_answered(condition["not"])
    for combinator in ("all", "any"):
        if combinator in condition:
            return any(_uses_answered(part) for part in condition[combinator])
    return "answered" in condition


def _resolve(node: Mapping[str, Any], answers: AnswerLookup, grid: str, row: str) -> Any:
    reference = _reference(node)
    if reference.subject == "question":
        return answers.get(reference.question)
    if reference.subject == "cell":
        return answers.get(reference.question, reference.row, reference.column)
    return answers.get(grid, row, reference.column)


def _resolve_operand(operand: Any, answers: AnswerLookup, grid: str, row: str) -> Any:
    """An operand may itself name an answer ({question: X}), as validation rules do."""
    if isinstance(operand, Mapping):
        return _resolve(operand, answers, grid, row)
    return operand


def _compare(value: Any, operator: str, operand: Any) -> bool:
    status = marked_status(value)
    if operator == "marked":
        codes = operand if isinstance(operand, list) else [operand]
        return status is not None and status in [str(code) for code in codes]
    answered = not _is_blank(value)
    if operator == "answered":
        # A special value answers a question, as required-ness and progress count it.
        return answered is bool(operand)
    if status is not None:
        # Every other comparison sees a marked answer as having no value.
        value, answered = None, False
    if marked_status(operand) is not None:
        operand = None
    if operator == "eq":
        return answered and _same(value, operand)
    if operator == "ne":
        return not (answered and _same(value, operand))
    if operator == "in":
        return answered and any(_same(value, item) for item in operand)
    if operator == "not_in":
        return not (answered and any(_same(value, item) for item in operand))
    if operator == "contains":
        return isinstance(value, list) and any(_same(item, operand) for item in value)
    left, right = _number(value), _number(operand)
    if left is None or right is None:
        return False
    return {
        "gt": left > right,
        "ge": left >= right,
        "lt": left < right,
        "le": left <= right,
    }[operator]


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def _same(value: Any, operand: Any) -> bool:
    if value is None or operand is None:
        return value is None and operand is None
    if isinstance(value, bool) or isinstance(operand, bool):
        return value is operand
    if isinstance(value, list) or isinstance(operand, list):
        # A list (a multiple choice answer) equals only a list of the same values.
        return (
            isinstance(value, list)
            and isinstance(operand, list)
            and len(value) == len(operand)
            and all(_same(left, right) for left, right in zip(value, operand, strict=True))
        )
    left, right = _number(value), _number(operand)
    if left is not None and right is not None:
        return left == right
    return str(value) == str(operand)


# Exactly what conditions.js accepts as a number: digits, an optional sign, point and exponent;
# no "NaN", "Infinity" or "1_000", which Decimal() would take. Decimal digits of any script
# (Arabic-Indic U+0661, full-width U+FF11) count as the ASCII digits they stand for, as the
# number fields read them.
NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", re.ASCII)
SPACE = " \t\n\r\f\v"


def ascii_digits(text: str) -> str:
    """`text` with every decimal digit of another script replaced by its ASCII digit."""
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(char))
        if not char.isascii() and unicodedata.category(char) == "Nd"
        else char
        for char in text
    )


def comparable_number(value: Any) -> Decimal | None:
    """The number conditions read in a value, or None: the one rule of server and browser."""
    return _number(value)


def _number(value: Any) -> Decimal | None:
    """The number a value stands for (a number, or a string written as one), else None."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return None
    text = ascii_digits(value.strip(SPACE)) if isinstance(value, str) else str(value)
    if not NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None
