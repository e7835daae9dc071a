"""An immutable, cached picture of a questionnaire, read in a fixed number of queries.

Pages and saves work from this picture rather than from model instances, so that rendering a
section or saving an answer costs no query per question.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .models import (
    Area,
    Choice,
    GridColumn,
    GridRow,
    Kind,
    Question,
    Questionnaire,
    Scope,
    Section,
)

COUNTRIES_LIST = "countries"

SPECIAL_VALUES = {
    "not_available": _("Not available"),
    "not_applicable": _("Not applicable"),
    "confidential": _("Confidential"),
    "dont_know": _("Don't know"),
}

YES_NO_CHOICES = (("yes", _("Yes")), ("no", _("No")), ("dont_know", _("Don't know")))


@dataclass(frozen=True)
class ChoiceDef:
    code: str
    label: str
    is_exclusive: bool = False
    is_other: bool = False


@dataclass(frozen=True)
class RowDef:
    code: str
    label: str
    is_other: bool = False


@dataclass(frozen=True)
class ColumnDef:
    code: str
    label: str
    kind: str
    help_text: str = ""
    required: bool = False
    choices: tuple[ChoiceDef, ...] = ()
    show_if: Mapping[str, Any] = field(default_factory=dict)
    validation: Mapping[str, Any] = field(default_factory=dict)
    special_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionDef:
    id: int
    code: str
    section_code: str
    text: str
    kind: str
    help_text: str = ""
    required: bool = False
    choices: tuple[ChoiceDef, ...] = ()
    show_if: Mapping[str, Any] = field(default_factory=dict)
    validation: Mapping[str, Any] = field(default_factory=dict)
    special_values: tuple[str, ...] = ()
    allows_note: bool = True
    row_source: str = Question.RowSource.FIXED
    rows_from: Mapping[str, Any] = field(default_factory=dict)
    rows: tuple[RowDef, ...] = ()
    columns: tuple[ColumnDef, ...] = ()
    # The code of its shared choice list ("countries" for the M49 list), if any.
    choice_list: str = ""
    # "country" (about the country) or "authority" (about the institution that answers).
    scope: str = Scope.COUNTRY

    @property
    def is_grid(self) -> bool:
        return self.kind == Kind.GRID

    @property
    def max_rows(self) -> int:
        return int(self.validation.get("max_rows", 20))

    def column(self, code: str) -> ColumnDef | None:
        return next((column for column in self.columns if column.code == code), None)


@dataclass(frozen=True)
class SectionDef:
    id: int
    code: str
    title: str
    introduction: str
    questions: tuple[QuestionDef, ...]
    scope: str = Scope.COUNTRY


@dataclass(frozen=True)
class QuestionnaireDef:
    id: int
    code: str
    title: str
    introduction: str
    sections: tuple[SectionDef, ...]

    def section(self, code: str) -> SectionDef | None:
        return next((section for section in self.sections if section.code == code), None)

    @cached_property
    def questions(self) -> dict[str, QuestionDef]:
        return {q.code: q for section in self.sections for q in section.questions}


def definition_cache_key(questionnaire_id: int) -> str:
    return f"questionnaire-definition:v3:{questionnaire_id}"


def _version_cache_key(questionnaire_id: int) -> str:
    return f"questionnaire-definition-version:v3:{questionnaire_id}"


# Each process keeps the pictures it has read, with the version they were read at: asking the
# shared cache for a small version token is much cheaper than unpickling the whole picture.
_process_cache: dict[int, tuple[str, QuestionnaireDef]] = {}


def forget_definition(questionnaire_id: int) -> None:
    """Drop the cached picture; the loader calls this after it changes a questionnaire."""
    cache.delete_many(
        [_version_cache_key(questionnaire_id), definition_cache_key(questionnaire_id)]
    )


def get_definition(questionnaire_id: int) -> QuestionnaireDef:
    """The questionnaire's picture: from this process, the shared cache, or the database.

    Built in a fixed number of queries when no cache has it. Every process notices a change,
    since the loader's forget_definition() removes the shared version token.
    """
    version = cache.get(_version_cache_key(questionnaire_id))
    if version is not None:
        local = _process_cache.get(questionnaire_id)
        if local is not None and local[0] == version:
            return local[1]
        definition = cache.get(definition_cache_key(questionnaire_id))
    else:
        definition = None
    if definition is None:
        definition = build_definition(questionnaire_id)
        version = uuid.uuid4().hex
        cache.set(definition_cache_key(questionnaire_id), definition, timeout=None)
        cache.set(_version_cache_key(questionnaire_id), version, timeout=None)
    _process_cache[questionnaire_id] = (version, definition)
    return definition


def build_definition(questionnaire_id: int) -> QuestionnaireDef:
    questionnaire = Questionnaire.objects.get(pk=questionnaire_id)
    choices_by_list: dict[int, list[ChoiceDef]] = {}
    for choice in Choice.objects.filter(choice_list__questionnaire=questionnaire).order_by(
        "choice_list_id", "position"
    ):
        choices_by_list.setdefault(choice.choice_list_id, []).append(
            ChoiceDef(choice.code, choice.label, choice.is_exclusive, choice.is_other)
        )
    countries: tuple[ChoiceDef, ...] | None = None

    def choices_for(choice_list_id: int | None, choice_list_code: str | None) -> tuple:
        nonlocal countries
        if choice_list_id is None:
            return ()
        if choice_list_code == COUNTRIES_LIST:
            if countries is None:
                countries = tuple(
                    ChoiceDef(area.m49_code, area.name)
                    for area in Area.objects.filter(level=Area.Level.COUNTRY).only("name")
                )
            return countries
        return tuple(choices_by_list.get(choice_list_id, ()))

    rows_by_question: dict[int, list[RowDef]] = {}
    for row in GridRow.objects.filter(question__section__questionnaire=questionnaire):
        rows_by_question.setdefault(row.question_id, []).append(
            RowDef(row.code, row.label, row.is_other)
        )
    columns_by_question: dict[int, list[ColumnDef]] = {}
    for column in GridColumn.objects.filter(
        question__section__questionnaire=questionnaire
    ).select_related("choice_list"):
        columns_by_question.setdefault(column.question_id, []).append(
            ColumnDef(
                code=column.code,
                label=column.label,
                kind=column.kind,
                help_text=column.help_text,
                required=column.required,
                choices=choices_for(
                    column.choice_list_id, column.choice_list.code if column.choice_list else None
                ),
                show_if=column.show_if or {},
                validation=column.validation or {},
                special_values=tuple(column.special_values or ()),
            )
        )
    questions_by_section: dict[int, list[QuestionDef]] = {}
    sections = list(Section.objects.filter(questionnaire=questionnaire))
    section_codes = {section.pk: section.code for section in sections}
    for question in Question.objects.filter(section__questionnaire=questionnaire).select_related(
        "choice_list"
    ):
        questions_by_section.setdefault(question.section_id, []).append(
            QuestionDef(
                id=question.pk,
                code=question.code,
                section_code=section_codes[question.section_id],
                text=question.text,
                kind=question.kind,
                help_text=question.help_text,
                required=question.required,
                choices=choices_for(
                    question.choice_list_id,
                    question.choice_list.code if question.choice_list else None,
                ),
                choice_list=question.choice_list.code if question.choice_list else "",
                show_if=question.show_if or {},
                validation=question.validation or {},
                special_values=tuple(question.special_values or ()),
                allows_note=question.allows_note,
                row_source=question.row_source or Question.RowSource.FIXED,
                rows_from=question.rows_from or {},
                rows=tuple(rows_by_question.get(question.pk, ())),
                columns=tuple(columns_by_question.get(question.pk, ())),
                scope=question.scope,
            )
        )
    return QuestionnaireDef(
        id=questionnaire.pk,
        code=questionnaire.code,
        title=questionnaire.title,
        introduction=questionnaire.introduction,
        sections=tuple(
            SectionDef(
                id=section.pk,
                code=section.code,
                title=section.title,
                introduction=section.introduction,
                questions=tuple(questions_by_section.get(section.pk, ())),
                scope=section.scope,
            )
            for section in sections
        ),
    )
