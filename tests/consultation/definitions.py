"""Small questionnaire definitions built in memory, for engine tests that need no database."""

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict

from consultation.answers import AnswerKey, AnswerValue
from consultation.definition import ChoiceDef, ColumnDef, QuestionDef, RowDef, SectionDef
from consultation.formbuilder import SectionForm, SectionFormBuilder, resolve_grid_rows
from consultation.models import Kind, Question


def choices(*codes: str, other: str = "", exclusive: str = "") -> tuple[ChoiceDef, ...]:
    """Choices labelled after their codes ("none" -> "None"); `other` asks for a text."""
    return tuple(
        ChoiceDef(code, code.replace("_", " ").capitalize(), code == exclusive, code == other)
        for code in codes
    )


def question(code: str, kind: str, **fields: Any) -> QuestionDef:
    fields.setdefault("text", f"Question {code}")
    return QuestionDef(id=0, code=code, section_code="T", kind=kind, **fields)


def column(code: str, kind: str, **fields: Any) -> ColumnDef:
    fields.setdefault("label", code.replace("_", " ").capitalize())
    return ColumnDef(code=code, kind=kind, **fields)


def rows(*codes: str, other: str = "") -> tuple[RowDef, ...]:
    return tuple(RowDef(code, code.replace("_", " ").capitalize(), code == other) for code in codes)


def grid(code: str, columns: tuple[ColumnDef, ...], **fields: Any) -> QuestionDef:
    return question(code, Kind.GRID, columns=columns, **fields)


def respondent_grid(code: str, columns: tuple[ColumnDef, ...], max_rows: int = 20) -> QuestionDef:
    return grid(
        code,
        columns,
        row_source=Question.RowSource.RESPONDENT,
        validation={"max_rows": max_rows},
    )


def section(*questions: QuestionDef, code: str = "T") -> SectionDef:
    return SectionDef(id=0, code=code, title="Test", introduction="", questions=questions)


def query_dict(data: Mapping[str, Any]) -> QueryDict:
    """Form data as a browser posts it: lists become repeated keys."""
    posted = QueryDict(mutable=True)
    for name, value in data.items():
        posted.setlist(name, [str(item) for item in value] if isinstance(value, list) else [value])
    return posted


def build_form(
    section_def: SectionDef,
    data: Mapping[str, Any] | None = None,
    *,
    answers: Mapping[AnswerKey, AnswerValue] | None = None,
    submitted_rows: Mapping[str, str] | None = None,
    added_row: str = "",
    questions: Mapping[str, QuestionDef] | None = None,
    **form_options: Any,
) -> SectionForm:
    """The section's form: bound to `data` (posted as a browser would) or unbound."""
    if questions is None:
        questions = {item.code: item for item in section_def.questions}
    grid_rows = resolve_grid_rows(
        section_def,
        questions,
        answers or {},
        submitted_rows=submitted_rows,
        added_row=added_row,
    )
    form_class = SectionFormBuilder(section_def, grid_rows, questions).get_form_class()
    if data is None:
        return form_class(**form_options)
    return form_class(query_dict(data), **form_options)


def errors_of(form: SectionForm) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}
