"""Cross references: conditions, rules and derived rows, checked once all questions are known."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from consultation.conditions import (
    COMPARISONS,
    ConditionError,
    Reference,
    check_condition,
    comparable_number,
    references,
)
from consultation.models import (
    Kind,
    Question,
)

from .errors import ErrorLog
from .readers import is_plain_json
from .spec import (
    CHOICE_KINDS,
    COUNTRIES,
    LIST_KINDS,
    NUMBER_KINDS,
    SPECIAL_VALUES,
    YES_NO_CODES,
    ColumnSpec,
    QuestionnaireSpec,
    QuestionSpec,
)

# --- Cross references: conditions, rules, derived rows --------------------------------------


@dataclass
class ConditionScope:
    """Where a condition sits, which decides what it may name."""

    owner: QuestionSpec  # the question carrying the condition
    label: str  # how errors name the place, e.g. "show_if", "column exists: show_if"
    grid: QuestionSpec | None = None  # whose columns `column:` names (same row)
    own_column: str = ""  # a column's condition may not name that column
    allow_owner: bool = False  # rules may name their own question
    earlier_only: bool = True  # show_if and rules may only name earlier questions


def check_cross_references(spec: QuestionnaireSpec, log: ErrorLog) -> None:
    """Check every condition, rule and derived row once all questions are known."""
    questions: dict[str, QuestionSpec] = {}
    for order, question in enumerate(spec.questions(), start=1):
        question.order = order
        questions.setdefault(question.code, question)
    for question in questions.values():
        if question.show_if:
            check_condition_in_scope(
                question.show_if, ConditionScope(question, "show_if"), questions, spec, log
            )
        for column in question.columns:
            if column.show_if:
                scope = ConditionScope(
                    question,
                    f"column {column.code}: show_if",
                    grid=question,
                    own_column=column.code,
                )
                check_condition_in_scope(column.show_if, scope, questions, spec, log)
        for number, rule in enumerate(question.rules, start=1):
            if rule["check"]:
                scope = ConditionScope(
                    question,
                    f"rules[{number}]: check",
                    grid=question if question.is_grid else None,
                    allow_owner=True,
                )
                check_condition_in_scope(rule["check"], scope, questions, spec, log)
        if question.row_source == Question.RowSource.DERIVED:
            check_derived_rows(question, questions, spec, log)


def check_derived_rows(
    question: QuestionSpec,
    questions: dict[str, QuestionSpec],
    spec: QuestionnaireSpec,
    log: ErrorLog,
) -> None:
    """`rows: {from: Q, where: ..., label: col}`: Q may be any grid, even a later one."""
    source_code = question.rows_from["question"]
    source = questions.get(source_code) if isinstance(source_code, str) else None
    if source is None:
        log.add(question.code, f"rows: from names question {source_code!r}, which does not exist")
        return
    if source is question:
        log.add(question.code, "rows: a grid cannot take its rows from itself")
        return
    if not source.is_grid:
        log.add(question.code, f"rows: from names {source.code}, which is not a grid")
        return
    chain = [question.code]
    link = source
    while link.row_source == Question.RowSource.DERIVED:
        chain.append(link.code)
        following = questions.get(str(link.rows_from.get("question", "")))
        if following is None or not following.is_grid:
            break
        if following.code in chain:
            cycle = " -> ".join([*chain[chain.index(following.code) :], following.code])
            log.add(
                question.code,
                f"rows: grids take their rows from each other in a circle ({cycle}); "
                "one of them must have rows of its own",
            )
            return
        link = following
    label = question.rows_from["label"]
    if label and (not isinstance(label, str) or source.column(label) is None):
        log.add(
            question.code, f"rows: label names column {label!r}, which {source.code} does not have"
        )
    if not label and source.row_source == Question.RowSource.RESPONDENT:
        log.add(
            question.code,
            f"rows: the rows of {source.code} are added by the respondent; "
            "say which of its columns gives each row's label with 'label: column'",
        )
    where = question.rows_from["where"]
    if where:
        if not is_plain_json(where):
            log.add(question.code, "rows: where contains a value that is not plain data")
            return
        scope = ConditionScope(question, "rows: where", grid=source, earlier_only=False)
        check_condition_in_scope(where, scope, questions, spec, log)


def check_condition_in_scope(
    condition: Any,
    scope: ConditionScope,
    questions: dict[str, QuestionSpec],
    spec: QuestionnaireSpec,
    log: ErrorLog,
) -> None:
    """Check a condition's form, then every answer it names, then the codes it compares to."""
    code, label = scope.owner.code, scope.label
    try:
        check_condition(condition, in_grid_row=scope.grid is not None)
    except ConditionError as error:
        log.add(code, f"{label}: {error}")
        return
    problems = [
        _reference_problem(reference, scope, questions) for reference in references(condition)
    ]
    for problem in dict.fromkeys(problem for problem in problems if problem):
        log.add(code, f"{label}: {problem}")
    if not any(problems):
        for leaf in _leaves(condition):
            problem = _value_problem(leaf, scope, questions, spec)
            if problem:
                log.add(code, f"{label}: {problem}")


def _leaves(condition: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The comparisons of a well-formed condition, under its all/any/not."""
    for combinator in ("all", "any"):
        if combinator in condition:
            for part in condition[combinator]:
                yield from _leaves(part)
            return
    if "not" in condition:
        yield from _leaves(condition["not"])
        return
    yield condition


def _reference_problem(
    reference: Reference, scope: ConditionScope, questions: dict[str, QuestionSpec]
) -> str:
    """What is wrong with one answer a condition names, or "" when it is fine."""
    if reference.subject == "column":
        grid = scope.grid
        assert grid is not None  # check_condition allows `column` only in a grid row
        if grid.column(reference.column) is None:
            return f"names column '{reference.column}', which {grid.code} does not have"
        if reference.column == scope.own_column:
            return f"column '{reference.column}' cannot depend on itself"
        return ""
    target = questions.get(reference.question)
    if target is None:
        return f"names question '{reference.question}', which does not exist"
    if target is scope.owner and not scope.allow_owner:
        return f"names {target.code} itself; a condition may only look at earlier questions" + (
            "; use {column: c} for a cell of the same row" if scope.grid else ""
        )
    if scope.earlier_only and target.order > scope.owner.order:
        return (
            f"names {target.code}, which comes after {scope.owner.code}; a condition may "
            "only look at earlier questions"
        )
    if reference.subject == "question":
        if target.is_grid:
            return (
                f"{target.code} is a grid: name one cell ({{cell: {target.code}.row.column}}) "
                "or use any_row"
            )
        return ""
    if not target.is_grid:
        return f"{target.code} is not a grid, so it has no cells"
    if target.column(reference.column) is None:
        return f"names column '{reference.column}', which {target.code} does not have"
    if (
        reference.subject == "cell"
        and target.row_source == Question.RowSource.FIXED
        and reference.row not in {row.code for row in target.rows}
    ):
        return f"names row '{reference.row}', which {target.code} does not have"
    return ""


def _value_problem(
    leaf: Mapping[str, Any],
    scope: ConditionScope,
    questions: dict[str, QuestionSpec],
    spec: QuestionnaireSpec,
) -> str:
    """A comparison that can never hold, or that would not mean what it says, for its kind.

    The operators on each kind are those of docs/questionnaire-format.md: codes of a choice
    answer, numbers of a number, `contains` for the lists of multiple choices and rankings,
    `marked` for the special values the question offers.
    """
    operator = next(key for key in COMPARISONS if key in leaf)
    operand = leaf[operator]
    target: QuestionSpec | ColumnSpec | None
    if "question" in leaf:
        target = questions[str(leaf["question"])]
    elif "cell" in leaf:
        question, _row, column = str(leaf["cell"]).split(".")
        target = questions[question].column(column)
    elif "any_row" in leaf:
        target = questions[str(leaf["any_row"])].column(str(leaf["column"]))
    else:
        target = scope.grid.column(str(leaf["column"])) if scope.grid else None
    if target is None or operator == "answered":
        return ""
    name = target.code if isinstance(target, QuestionSpec) else f"column '{target.code}'"
    if operator == "marked":
        codes = operand if isinstance(operand, list) else [operand]
        unknown = [code for code in codes if code not in target.special_values]
        if not unknown:
            return ""
        offered = ", ".join(target.special_values) or "none"
        return (
            f"marked: {', '.join(map(str, unknown))} is not a special value {name} offers "
            f"(it offers: {offered}), so the condition could never hold"
        )
    if target.kind in LIST_KINDS:
        if operator == "contains":
            return _choice_problem(target, [operand], spec, name)
        return (
            f"'{operator}' would compare the whole list of {name} ({target.kind}); "
            f"test one option with {{contains: code}}, combined with all, any and not"
        )
    if operator == "contains":
        return (
            f"'contains' tests the options of a multiple_choice or ranking; {name} is a "
            f"{target.kind}: use eq or in"
        )
    if isinstance(operand, Mapping):
        return ""
    values = operand if isinstance(operand, list) else [operand]
    special = [value for value in values if value in SPECIAL_VALUES]
    if target.kind in NUMBER_KINDS:
        not_numbers = [value for value in values if comparable_number(value) is None]
        if not_numbers:
            hint = f"; to test a special value write {{marked: {special[0]}}}" if special else ""
            return (
                f"{name} is a number ({target.kind}), so {', '.join(map(repr, not_numbers))} "
                f"could never match{hint}"
            )
        return ""
    if target.kind == Kind.YES_NO or target.kind in CHOICE_KINDS:
        return _choice_problem(target, values, spec, name)
    return ""


def _choice_problem(
    target: QuestionSpec | ColumnSpec, values: list[Any], spec: QuestionnaireSpec, name: str
) -> str:
    """Codes that are not choices of a choice question or column ("" when all are)."""
    if target.kind == Kind.YES_NO:
        codes = set(YES_NO_CODES)
    elif target.choice_list not in ("", COUNTRIES):
        codes = {choice.code for choice in spec.choice_lists[target.choice_list].choices}
    else:
        return ""
    unknown = [value for value in values if str(value) not in codes]
    if not unknown:
        return ""
    special = [value for value in unknown if value in SPECIAL_VALUES]
    if special:
        return (
            f"{special[0]!r} is a special value, not a choice of {name}: a marked answer has "
            f"no value, so test it with {{marked: {special[0]}}}"
        )
    shown = ", ".join(sorted(codes)[:12]) + (", ..." if len(codes) > 12 else "")
    return f"{', '.join(map(repr, unknown))} is not a choice of {name} (choices: {shown})"
