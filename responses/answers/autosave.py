"""Autosave: a few answers of a section, checked by the engine against the rest of the reply."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from consultation.answers import AnswerKey, AnswerValue, comparable_answers
from consultation.definition import QuestionDef, RowDef, SectionDef
from consultation.formbuilder import SectionFormBuilder, answers_to_data, resolve_grid_rows
from consultation.models import Question

from .services import AnswerEdit

NOT_ASKED = _(
    "This answer is not asked any more (another answer changed): it was not saved. "
    "Reload the page to see the questions that apply."
)


@dataclass(frozen=True)
class RequestedAnswer:
    """One answer sent by the page: its key, the version it started from, its form fields."""

    key: AnswerKey
    version: int
    fields: Mapping[str, Any]


@dataclass
class AutosavePlan:
    """What to save, and what the engine refused (by form field), for the answers sent."""

    edits: list[AnswerEdit]
    errors: dict[str, list[str]]
    section: SectionDef  # the section, reduced to the questions concerned
    rows: Mapping[str, tuple[RowDef, ...]]
    not_saved: list[AnswerKey] = field(default_factory=list)  # answers sent but refused


def key_of_field(name: str) -> AnswerKey:
    """The answer a form field belongs to: 1-2 name parts for a question, 3-4 for a cell."""
    parts = name.split(".")
    if len(parts) <= 2:
        return (parts[0], "", "")
    return (parts[0], parts[1], parts[2])


def plan_autosave(
    *,
    section: SectionDef,
    questions: Mapping[str, QuestionDef],
    answers: Mapping[AnswerKey, AnswerValue],
    requested: Sequence[RequestedAnswer],
) -> AutosavePlan:
    """Validate the answers sent as the whole form would, and turn the valid ones into edits.

    Only the questions concerned are built into a form; their other fields keep their stored
    values, and conditions see the rest of the reply (`answers`, the whole reply). Answers
    that are hidden by a condition, or that the engine refuses, are not saved. An error about a
    whole question (a rule comparing two of its answers) refuses every answer of that question
    sent, so that what is stored agrees with the message shown.
    """
    concerned = {answer.key[0] for answer in requested}
    sub_section = SectionDef(
        id=section.id,
        code=section.code,
        title=section.title,
        introduction="",
        questions=tuple(q for q in section.questions if q.code in concerned),
    )
    rows = resolve_grid_rows(
        sub_section,
        questions,
        answers,
        submitted_rows=_respondent_rows(sub_section, answers, requested),
    )
    data = QueryDict(mutable=True)
    _put(data, answers_to_data(sub_section, rows, answers))
    for answer in requested:
        for name in [name for name in data if key_of_field(name) == answer.key]:
            data.pop(name)
        _put(data, answer.fields)
    form = SectionFormBuilder(sub_section, rows, questions).get_form_class()(
        data,
        context_answers=comparable_answers(answers, excluding=concerned),
        enforce_required=False,
    )
    form.is_valid()
    errors = {
        name: [str(message) for message in messages] for name, messages in form.errors.items()
    }

    refused = {key_of_field(name) for name in errors}
    whole_questions = {name for name in errors if "." not in name}
    cleaned = form.cleaned_answers(validate=False)
    edits = []
    not_saved = []
    for answer in requested:
        if (
            answer.key in refused
            or answer.key[0] in whole_questions
            or NON_FIELD_ERRORS in whole_questions
        ):
            not_saved.append(answer.key)
            continue
        if answer.key not in cleaned:
            # Hidden by its condition, or a cell the grid no longer has.
            for name in answer.fields:
                errors[name] = [str(NOT_ASKED)]
            not_saved.append(answer.key)
            continue
        edits.append(AnswerEdit(answer.key, cleaned[answer.key], answer.version))
    return AutosavePlan(edits, errors, sub_section, rows, not_saved)


def _respondent_rows(
    section: SectionDef,
    answers: Mapping[AnswerKey, AnswerValue],
    requested: Sequence[RequestedAnswer],
) -> dict[str, str]:
    """Rows of respondent grids: those answered, and those the page is saving into now."""
    rows: dict[str, str] = {}
    for question in section.questions:
        if question.row_source != Question.RowSource.RESPONDENT:
            continue
        codes = {row for (code, row, _column) in answers if code == question.code and row}
        codes |= {a.key[1] for a in requested if a.key[0] == question.code and a.key[1]}
        rows[question.code] = ",".join(sorted(codes))
    return rows


def _put(data: QueryDict, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if isinstance(value, (list, tuple)):
            data.setlist(name, [str(item) for item in value])
        elif value is not None:
            data[name] = str(value)
