"""The spec: what a questionnaire file says, as plain dataclasses, and the limits it obeys."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from consultation.models import (
    Kind,
    Question,
)

CODE_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
SLUG_PATTERN = re.compile(r"[-A-Za-z0-9_]+")
COUNTRIES = "countries"
SPECIAL_VALUES = ("not_available", "not_applicable", "confidential", "dont_know")
YES_NO_CODES = ("yes", "no", "dont_know")

CHOICE_KINDS = frozenset({Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE, Kind.RANKING})
LIST_KINDS = frozenset({Kind.MULTIPLE_CHOICE, Kind.RANKING})
NUMBER_KINDS = frozenset({Kind.INTEGER, Kind.DECIMAL, Kind.PERCENTAGE, Kind.YEAR})
QUESTION_KINDS = tuple(kind for kind in Kind.values if kind != Kind.CHECKBOX)
COLUMN_KINDS = tuple(kind for kind in Kind.values if kind not in (Kind.GRID, Kind.RANKING))

TOP_KEYS = ("code", "title", "introduction", "choice_lists", "sections")
SECTION_KEYS = ("code", "title", "introduction", "scope", "questions")
SCOPES = ("country", "authority")
QUESTION_KEYS = (
    "code",
    "kind",
    "text",
    "help",
    "required",
    "choices",
    "show_if",
    "special_values",
    "note",
    "validation",
    "rules",
    "rows",
    "columns",
    "scope",
)
COLUMN_KEYS = (
    "code",
    "label",
    "help",
    "kind",
    "required",
    "choices",
    "show_if",
    "validation",
    "special_values",
)
CHOICE_KEYS = ("code", "label", "other", "exclusive")
ROW_KEYS = ("code", "label", "other")
RULE_KEYS = ("check", "message")

# Which `validation` keys each kind accepts.
VALIDATION_KEYS: dict[str, tuple[str, ...]] = {
    Kind.TEXT: ("max_length",),
    Kind.LONG_TEXT: ("max_length",),
    Kind.EMAIL: ("max_length",),
    Kind.URL: ("max_length",),
    Kind.INTEGER: ("min", "max"),
    Kind.DECIMAL: ("min", "max", "decimal_places"),
    Kind.PERCENTAGE: ("min", "max", "decimal_places"),
    Kind.YEAR: ("min", "max"),
    Kind.DATE: ("min", "max"),
    Kind.MULTIPLE_CHOICE: ("max_choices",),
    Kind.RANKING: ("max_choices",),
    Kind.CHECKBOX: ("max_ticked",),
}
VALIDATION_USE = {
    "max_length": "text, long_text, email and url",
    "min": "number, year and date",
    "max": "number, year and date",
    "decimal_places": "decimal and percentage",
    "max_choices": "multiple_choice and ranking",
    "max_ticked": "checkbox columns",
}

# Limits of a file, refused with a message rather than met with a traceback or a huge page.
MAX_FILE_BYTES = 2_000_000
MAX_YAML_DEPTH = 60  # nesting of mappings and lists in the file
MAX_DECIMAL_PLACES = 12  # decimals keep at least 12 digits before the point (24 in all)

# Field lengths of the models, checked before writing so that a long code fails with a message.
MAX_LENGTH = {"section": 10, "question": 20, "row": 30, "column": 30, "choice": 60}


# --- The spec: what the file says, checked --------------------------------------------------


@dataclass
class ChoiceSpec:
    code: str
    label: str
    position: int
    is_other: bool = False
    is_exclusive: bool = False


@dataclass
class ChoiceListSpec:
    code: str
    choices: list[ChoiceSpec]


@dataclass
class RowSpec:
    code: str
    label: str
    position: int
    is_other: bool = False


@dataclass
class ColumnSpec:
    code: str
    label: str
    kind: str
    position: int
    help_text: str = ""
    required: bool = False
    choice_list: str = ""
    show_if: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)
    special_values: list[str] = field(default_factory=list)


@dataclass
class QuestionSpec:
    code: str
    section: str
    text: str
    kind: str
    position: int
    help_text: str = ""
    required: bool = False
    choice_list: str = ""
    show_if: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)
    rules: list[dict[str, Any]] = field(default_factory=list)
    special_values: list[str] = field(default_factory=list)
    allows_note: bool = True
    order: int = 0  # place in the whole questionnaire, for "only earlier questions" checks
    row_source: str = Question.RowSource.FIXED
    rows_from: dict[str, Any] = field(default_factory=dict)
    max_rows: int | None = None
    rows: list[RowSpec] = field(default_factory=list)
    columns: list[ColumnSpec] = field(default_factory=list)
    scope: str = "country"  # its own, or else its section's

    @property
    def is_grid(self) -> bool:
        return self.kind == Kind.GRID

    def column(self, code: str) -> ColumnSpec | None:
        return next((column for column in self.columns if column.code == code), None)

    def stored_validation(self) -> dict[str, Any]:
        """`Question.validation`: the bounds, plus `rules` and `max_rows` when present."""
        validation = dict(self.validation)
        if self.rules:
            validation["rules"] = self.rules
        if self.max_rows is not None:
            validation["max_rows"] = self.max_rows
        return validation


@dataclass
class SectionSpec:
    code: str
    title: str
    position: int
    introduction: str = ""
    questions: list[QuestionSpec] = field(default_factory=list)
    scope: str = "country"


@dataclass
class QuestionnaireSpec:
    code: str
    title: str
    introduction: str = ""
    choice_lists: dict[str, ChoiceListSpec] = field(default_factory=dict)
    sections: list[SectionSpec] = field(default_factory=list)

    def questions(self) -> Iterator[QuestionSpec]:
        for section in self.sections:
            yield from section.questions
