"""Which answers conditions may see: those of questions and cells that are themselves shown.

A hidden question keeps its stored answer (flipping its condition back restores it), but a
condition that names it, or a cell of it, sees it as unanswered, and so on down any chain: a
question hidden by a hidden question is hidden too. Conditions only look at earlier questions,
so one pass in questionnaire order settles every chain, however long.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import conditions
from .answers import LABEL_COLUMN, AnswerKey
from .definition import QuestionDef, RowDef
from .models import Question


@dataclass
class Visibility:
    """What a pass over the questions found: the lookup of shown answers, and what is hidden."""

    lookup: conditions.AnswerLookup
    hidden_questions: set[str] = field(default_factory=set)
    hidden_cells: set[AnswerKey] = field(default_factory=set)


def shown_answers(
    questions: Iterable[QuestionDef],
    values: Mapping[AnswerKey, Any],
    *,
    grid_rows: Mapping[str, tuple[RowDef, ...]] | None = None,
) -> Visibility:
    """Follow every condition in questionnaire order, dropping the answers of what is hidden.

    `questions` is the questionnaire's questions in order (or a section's, when the answers of
    other sections were already settled); `values` are comparable answers (see
    answers.comparable_answers); `grid_rows` gives the rows a page shows for its grids, where
    they are known. A derived grid without rows is hidden; a derived grid's cells outside its
    rows do not count.
    """
    questions = tuple(questions)
    by_code = {question.code: question for question in questions}
    shown: dict[AnswerKey, Any] = dict(values)
    lookup = conditions.AnswerLookup(shown)
    keys_of: dict[str, list[AnswerKey]] = {}
    for key in shown:
        keys_of.setdefault(key[0], []).append(key)
    result = Visibility(lookup)
    rows_given = grid_rows or {}

    def drop(keys: Iterable[AnswerKey]) -> None:
        for key in keys:
            shown.pop(key, None)
        lookup.forget_rows()

    for question in questions:
        visible = conditions.evaluate(question.show_if, lookup)
        rows: set[str] | None = None
        if visible and question.is_grid and question.row_source == Question.RowSource.DERIVED:
            if question.code in rows_given:
                rows = {row.code for row in rows_given[question.code]}
            else:
                rows = _derived_row_codes(question, lookup, by_code)
            visible = bool(rows)
        if not visible:
            result.hidden_questions.add(question.code)
            drop(keys_of.get(question.code, ()))
            continue
        if not question.is_grid:
            continue
        if rows is not None:
            drop(key for key in keys_of.get(question.code, ()) if key[1] and key[1] not in rows)
        conditional = [column for column in question.columns if column.show_if]
        if not conditional:
            continue
        if question.code in rows_given:
            grid_row_codes = [row.code for row in rows_given[question.code]]
        else:
            grid_row_codes = sorted(lookup.rows_of(question.code))
        for row in grid_row_codes:
            # A column may name a later column of its row: settle the row until nothing moves.
            for _round in range(len(conditional)):
                hidden_now = [
                    (question.code, row, column.code)
                    for column in conditional
                    if (question.code, row, column.code) not in result.hidden_cells
                    and not conditions.evaluate(column.show_if, lookup, grid=question.code, row=row)
                ]
                if not hidden_now:
                    break
                result.hidden_cells.update(hidden_now)
                drop(hidden_now)
    return result


def _derived_row_codes(
    question: QuestionDef,
    lookup: conditions.AnswerLookup,
    questions: Mapping[str, QuestionDef],
    seen: frozenset[str] = frozenset(),
) -> set[str]:
    """The rows a derived grid shows, from what the lookup shows of its source grid.

    The source may itself be derived (the loader refuses cycles; `seen` guards anyway).
    """
    source_code = question.rows_from.get("question", "")
    source = questions.get(source_code)
    if source is not None and source.row_source == Question.RowSource.FIXED:
        candidates = {row.code for row in source.rows}
    elif source is not None and source.row_source == Question.RowSource.DERIVED:
        if source_code in seen:
            return set()
        candidates = _derived_row_codes(source, lookup, questions, seen | {question.code})
    else:
        candidates = {row for row in lookup.rows_of(source_code) if row and row != LABEL_COLUMN}
    where = question.rows_from.get("where") or {}
    return {
        row
        for row in candidates
        if not where or conditions.evaluate(where, lookup, grid=source_code, row=row)
    }
