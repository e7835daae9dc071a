"""Read a questionnaire YAML file, check all of it, and write it to the database.

The file format is docs/questionnaire-format.md. Loading goes parse → check → write:

- `read_questionnaire_file` parses the YAML and turns it into a `QuestionnaireSpec` (plain
  dataclasses), collecting every error it finds on the way rather than stopping at the first.
- `load_questionnaire` adds the checks that need the database (the round, answers that a
  structure change would orphan) and, only when there is no error at all, writes the spec in one
  transaction, updating rows in place by their codes.

Decisions that the format leaves open:

- Inline choice lists (`choices: [{code, label}, ...]`) are stored as a `ChoiceList` named
  `inline:<question>` or `inline:<question>.<column>`; the colon keeps these names apart from the
  shared lists, whose names are codes.
- The reserved list `countries` is stored as a `ChoiceList` with code `countries` and no `Choice`
  rows: the options are the country-level `Area` rows. It cannot give grid rows.
- `Question.position` counts from 1 within its section; sections count from 1 in the
  questionnaire. Questionnaire order is therefore (section position, question position).
- Fixed rows named by a choice list are copied into `GridRow` rows (code, label, `other`); the
  grid keeps no link to the list.
- Answers live in the `responses` app, which this module must not import. That app registers a
  counter with `register_answer_counter`; answers are counted per question, so removing a column
  or a fixed row of a grid is refused when the grid has any answer.
"""

import datetime
import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.conf import settings
from django.db import models, transaction

from consultation.conditions import ConditionError, Reference, check_condition, references
from consultation.definition import forget_definition
from consultation.models import (
    Choice,
    ChoiceList,
    GridColumn,
    GridRow,
    Kind,
    Question,
    Questionnaire,
    Round,
    Section,
)

CODE_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
SLUG_PATTERN = re.compile(r"[-A-Za-z0-9_]+")
COUNTRIES = "countries"
SPECIAL_VALUES = ("not_available", "not_applicable", "confidential", "dont_know")
YES_NO_CODES = ("yes", "no", "dont_know")

CHOICE_KINDS = frozenset({Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE, Kind.RANKING})
QUESTION_KINDS = tuple(kind for kind in Kind.values if kind != Kind.CHECKBOX)
COLUMN_KINDS = tuple(kind for kind in Kind.values if kind not in (Kind.GRID, Kind.RANKING))

TOP_KEYS = ("code", "title", "introduction", "choice_lists", "sections")
SECTION_KEYS = ("code", "title", "introduction", "questions")
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

# Field lengths of the models, checked before writing so that a long code fails with a message.
MAX_LENGTH = {"section": 10, "question": 20, "row": 30, "column": 30, "choice": 60}


# --- Errors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadError:
    """One problem in a questionnaire file: which file, which code, and what is wrong."""

    file: str
    code: str  # a question, section or choice list code; "" for the top level
    message: str

    def __str__(self) -> str:
        if self.code:
            return f"{self.file}: {self.code}: {self.message}"
        return f"{self.file}: {self.message}"


class QuestionnaireFileError(Exception):
    """A questionnaire file cannot be loaded; `errors` lists every problem found."""

    def __init__(self, errors: list[LoadError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


class ErrorLog:
    """Collects the errors of one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[LoadError] = []

    def add(self, code: str, message: str) -> None:
        self.errors.append(LoadError(self.file, code, message))


# --- Answer counters -----------------------------------------------------------------------------

AnswerCounter = Callable[[Questionnaire, set[str]], dict[str, int]]
_answer_counters: list[AnswerCounter] = []


def register_answer_counter(counter: AnswerCounter) -> None:
    """Register `counter(questionnaire, question_codes) -> {code: number of answers}`.

    The responses app calls this from its AppConfig.ready(), so that the loader can refuse
    structure changes that would orphan answers without importing that app.
    """
    if counter not in _answer_counters:
        _answer_counters.append(counter)


def unregister_answer_counter(counter: AnswerCounter) -> None:
    """Remove a counter registered with `register_answer_counter` (tests use this)."""
    if counter in _answer_counters:
        _answer_counters.remove(counter)


def count_answers(questionnaire: Questionnaire, question_codes: set[str]) -> dict[str, int]:
    """How many answers exist per question code, according to every registered counter."""
    totals: Counter[str] = Counter()
    for counter in _answer_counters:
        totals.update(counter(questionnaire, set(question_codes)))
    return dict(totals)


# --- YAML ----------------------------------------------------------------------------------------

BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MERGE_TAG = "tag:yaml.org,2002:merge"


class QuestionnaireYamlLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 scalars: only true/false are booleans, dates stay text.

    YAML 1.1 turns `yes`, `no`, `on`, `off` into booleans, `2019-01-01` into a date, `012` into
    an octal 10 and `1:30` into 90. Choice codes such as `yes` and dates in bounds must survive
    as written, so those resolvers are replaced by the YAML 1.2 core ones.
    """

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {
        first: [
            (tag, pattern)
            for tag, pattern in resolvers
            if tag not in (BOOL_TAG, INT_TAG, FLOAT_TAG, TIMESTAMP_TAG)
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


QuestionnaireYamlLoader.add_implicit_resolver(
    BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
QuestionnaireYamlLoader.add_implicit_resolver(
    INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
QuestionnaireYamlLoader.add_implicit_resolver(
    FLOAT_TAG,
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
# An explicit !!timestamp stays text too: answers and bounds hold ISO dates as strings.
QuestionnaireYamlLoader.add_constructor(TIMESTAMP_TAG, yaml.SafeLoader.construct_yaml_str)


def parse_yaml(text: str, log: ErrorLog) -> Any:
    """Parse YAML text with `QuestionnaireYamlLoader`; report syntax errors and repeated keys.

    Returns None for an empty document or a syntax error; repeated keys are reported but the
    document is still returned, so that the rest of it can be checked too.
    """
    loader = QuestionnaireYamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _report_duplicate_keys(node, log)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(part for part in (error.context, error.problem) if part)
        log.add("", f"YAML syntax error{where}: {problem}")
    except yaml.YAMLError as error:
        log.add("", f"YAML error: {error}")
    finally:
        loader.dispose()
    return None


def _report_duplicate_keys(root: yaml.Node, log: ErrorLog) -> None:
    """A repeated key silently replaces the first one in YAML; report it instead.

    Errors are named like the others: by the section or question around the key, by the list
    name inside choice_lists, and "" at the top level.
    """
    seen_nodes: set[int] = set()

    def walk(node: yaml.Node, owner: str, parent_key: str) -> None:
        if id(node) in seen_nodes:
            return
        seen_nodes.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item, owner, parent_key)
            return
        if not isinstance(node, yaml.MappingNode):
            return
        if parent_key in ("sections", "questions"):
            for key, value in node.value:
                if key.value == "code" and isinstance(value, yaml.ScalarNode):
                    owner = value.value
        names_lists = parent_key == "choice_lists"
        keys_seen: set[str] = set()
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == MERGE_TAG:
                continue
            if key.value in keys_seen:
                log.add(
                    key.value if names_lists else owner,
                    f"line {key.start_mark.line + 1}: '{key.value}' is given twice; "
                    "the second would silently replace the first",
                )
            keys_seen.add(key.value)
            walk(value, key.value if names_lists else owner, key.value)

    walk(root, "", "")


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


# --- Reading and checking the file ----------------------------------------------------------


def read_questionnaire_file(path: Path, log: ErrorLog) -> QuestionnaireSpec | None:
    """Parse and check a questionnaire file; every problem goes to `log`.

    Returns the spec (possibly incomplete when `log` has errors), or None when the file gives
    no questionnaire at all.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        log.add("", f"cannot read the file: {error}")
        return None
    data = parse_yaml(text, log)
    if data is None:
        if not log.errors:
            log.add("", "the file is empty")
        return None
    if not isinstance(data, Mapping):
        log.add("", "the file must be a mapping with code, title and sections")
        return None
    spec = parse_questionnaire(data, log)
    check_cross_references(spec, log)
    _sort_in_file_order(log, spec)
    return spec


def _sort_in_file_order(log: ErrorLog, spec: QuestionnaireSpec) -> None:
    """List errors by where their code appears: top level, choice lists, then questions."""
    rank = {"": 0}
    for code in spec.choice_lists:
        rank.setdefault(code, len(rank))
    for section in spec.sections:
        rank.setdefault(section.code, len(rank))
        for question in section.questions:
            rank.setdefault(question.code, len(rank))
    log.errors.sort(key=lambda error: rank.get(error.code, len(rank)))


def parse_questionnaire(data: Mapping[str, Any], log: ErrorLog) -> QuestionnaireSpec:
    """Check the top level, the choice lists and the sections (everything but references)."""
    _check_keys(data, TOP_KEYS, log, "")
    code = _required(data, "code", log, "")
    if code is not None and not (isinstance(code, str) and SLUG_PATTERN.fullmatch(code)):
        log.add("", f"code {code!r} must be a slug: letters, digits, '-' and '_'")
    elif isinstance(code, str) and len(code) > 60:
        log.add("", f"code '{code}' is longer than 60 characters")
    spec = QuestionnaireSpec(
        code=str(code or ""),
        title=_text(data, "title", log, "", required=True, max_length=300),
        introduction=_text(data, "introduction", log, ""),
    )
    spec.choice_lists = parse_choice_lists(data.get("choice_lists"), log)
    sections = _required(data, "sections", log, "")
    if sections is None:
        return spec
    if not isinstance(sections, list) or not sections:
        log.add("", "sections must be a non-empty list")
        return spec
    section_codes: set[str] = set()
    question_codes: set[str] = set()
    for position, item in enumerate(sections, start=1):
        section = parse_section(item, position, spec, log, question_codes)
        if section is None:
            continue
        if section.code in section_codes:
            log.add(section.code, "this section code is used twice")
        section_codes.add(section.code)
        spec.sections.append(section)
    return spec


def parse_choice_lists(value: Any, log: ErrorLog) -> dict[str, ChoiceListSpec]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        log.add("", "choice_lists must be a mapping of list names to lists of choices")
        return {}
    lists = {}
    for name, items in value.items():
        if not _check_code(name, "choice list name", log, str(name), max_length=60):
            continue
        if name == COUNTRIES:
            log.add(name, "'countries' is reserved for the list of countries and areas")
            continue
        choices = parse_choices(items, log, name, "")
        if choices is not None:
            lists[name] = ChoiceListSpec(name, choices)
    return lists


def parse_choices(items: Any, log: ErrorLog, code: str, where: str) -> list[ChoiceSpec] | None:
    """A list of `{code, label, other, exclusive}`; errors are reported under `code`."""
    if not isinstance(items, list) or not items:
        log.add(code, f"{where}a choice list must be a non-empty list of {{code, label}}")
        return None
    choices = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            log.add(code, f"{where}choice {position} must be a mapping {{code, label}}")
            continue
        choice_code = item.get("code")
        here = f"{where}choice {choice_code if choice_code is not None else position}: "
        _check_keys(item, CHOICE_KEYS, log, code, here)
        if not _check_code(choice_code, "choice code", log, code, here, MAX_LENGTH["choice"]):
            continue
        if any(choice.code == choice_code for choice in choices):
            log.add(code, f"{where}choice code '{choice_code}' is used twice")
        choices.append(
            ChoiceSpec(
                code=choice_code,
                label=_text(item, "label", log, code, here, required=True, max_length=500),
                position=position,
                is_other=_flag(item, "other", False, log, code, here),
                is_exclusive=_flag(item, "exclusive", False, log, code, here),
            )
        )
    return choices


def parse_section(
    data: Any, position: int, spec: QuestionnaireSpec, log: ErrorLog, question_codes: set[str]
) -> SectionSpec | None:
    if not isinstance(data, Mapping):
        log.add("", f"section {position} must be a mapping with code, title and questions")
        return None
    code = data.get("code")
    label = str(code) if code is not None else f"section {position}"
    _check_keys(data, SECTION_KEYS, log, label)
    if _required(data, "code", log, label) is None:
        return None
    if not _check_code(code, "section code", log, label, max_length=MAX_LENGTH["section"]):
        return None
    section = SectionSpec(
        code=code,
        title=_text(data, "title", log, code, required=True, max_length=300),
        introduction=_text(data, "introduction", log, code),
        position=position,
    )
    questions = _required(data, "questions", log, code)
    if questions is None:
        return section
    if not isinstance(questions, list) or not questions:
        log.add(code, "questions must be a non-empty list")
        return section
    for question_position, item in enumerate(questions, start=1):
        question = parse_question(item, section.code, question_position, spec, log)
        if question is None:
            continue
        if question.code in question_codes:
            log.add(question.code, "this question code is used twice in the questionnaire")
        question_codes.add(question.code)
        section.questions.append(question)
    return section


def parse_question(
    data: Any, section: str, position: int, spec: QuestionnaireSpec, log: ErrorLog
) -> QuestionSpec | None:
    """Check one question; its conditions and derived rows are checked later."""
    code = data.get("code") if isinstance(data, Mapping) else None
    label = str(code) if code is not None else f"{section}[{position}]"
    if not isinstance(data, Mapping):
        log.add(label, "a question must be a mapping with code, kind and text")
        return None
    _check_keys(data, QUESTION_KEYS, log, label)
    if _required(data, "code", log, label) is None:
        return None
    if not _check_code(code, "question code", log, label, max_length=MAX_LENGTH["question"]):
        return None
    kind = _kind(data, QUESTION_KINDS, log, code, "")
    question = QuestionSpec(
        code=code,
        section=section,
        text=_text(data, "text", log, code, required=True),
        kind=kind,
        position=position,
        help_text=_text(data, "help", log, code),
        required=_flag(data, "required", False, log, code),
        allows_note=_flag(data, "note", True, log, code),
        special_values=_special_values(data, log, code, ""),
    )
    if not kind:
        return question
    question.choice_list = _choice_list(data, kind, spec, log, code, "", code)
    question.validation = _validation(data, kind, spec, question.choice_list, log, code, "")
    question.show_if = _condition_value(data, "show_if", log, code, "")
    question.rules = _rules(data, log, code)
    if kind == Kind.GRID:
        question.columns = parse_columns(data, spec, log, code)
        _parse_rows(data.get("rows"), question, spec, log)
    else:
        for key in ("rows", "columns"):
            if key in data:
                log.add(code, f"'{key}' is only for grid questions, not {kind}")
    return question


def parse_columns(
    data: Mapping[str, Any], spec: QuestionnaireSpec, log: ErrorLog, code: str
) -> list[ColumnSpec]:
    items = data.get("columns")
    if not isinstance(items, list) or not items:
        log.add(code, "a grid needs 'columns': a non-empty list of {code, label, kind}")
        return []
    columns: list[ColumnSpec] = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            log.add(code, f"column {position} must be a mapping with code, label and kind")
            continue
        column_code = item.get("code")
        here = f"column {column_code if column_code is not None else position}: "
        _check_keys(item, COLUMN_KEYS, log, code, here)
        if not _check_code(column_code, "column code", log, code, here, MAX_LENGTH["column"]):
            continue
        if any(column.code == column_code for column in columns):
            log.add(code, f"column code '{column_code}' is used twice in this grid")
        kind = _kind(item, COLUMN_KINDS, log, code, here)
        column = ColumnSpec(
            code=column_code,
            label=_text(item, "label", log, code, here, required=True, max_length=300),
            kind=kind,
            position=position,
            help_text=_text(item, "help", log, code, here),
            required=_flag(item, "required", False, log, code, here),
            special_values=_special_values(item, log, code, here),
            show_if=_condition_value(item, "show_if", log, code, here),
        )
        if kind:
            inline_name = f"{code}.{column_code}"
            column.choice_list = _choice_list(item, kind, spec, log, code, here, inline_name)
            column.validation = _validation(item, kind, spec, column.choice_list, log, code, here)
        columns.append(column)
    return columns


def _parse_rows(value: Any, question: QuestionSpec, spec: QuestionnaireSpec, log: ErrorLog) -> None:
    code = question.code
    if value is None:
        log.add(
            code,
            "a grid needs 'rows': a list, a choice list name, {respondent: true, max: N}"
            " or {from: grid, where: condition}",
        )
    elif isinstance(value, list):
        question.rows = _fixed_rows(value, log, code)
    elif isinstance(value, str):
        if value == COUNTRIES:
            log.add(code, "rows: the countries list cannot give grid rows")
        elif value not in spec.choice_lists or value.startswith("inline:"):
            log.add(
                code, f"rows: there is no choice list '{value}'{_suggest(value, spec.choice_lists)}"
            )
        else:
            question.rows = [
                RowSpec(choice.code, choice.label, choice.position, choice.is_other)
                for choice in spec.choice_lists[value].choices
            ]
            for row in question.rows:
                if len(row.code) > MAX_LENGTH["row"]:
                    log.add(code, f"rows: row code '{row.code}' is longer than 30 characters")
    elif isinstance(value, Mapping) and "respondent" in value:
        question.row_source = Question.RowSource.RESPONDENT
        _check_keys(value, ("respondent", "max"), log, code, "rows: ")
        if value["respondent"] is not True:
            log.add(code, "rows: 'respondent' must be true")
        maximum = value.get("max")
        if not _is_positive_int(maximum):
            log.add(code, f"rows: 'max' must be a positive whole number, not {maximum!r}")
        else:
            question.max_rows = maximum
    elif isinstance(value, Mapping) and "from" in value:
        question.row_source = Question.RowSource.DERIVED
        _check_keys(value, ("from", "where", "label"), log, code, "rows: ")
        # Kept as written; check_derived_rows checks it once every question is known.
        question.rows_from = {
            "question": value["from"],
            "where": value.get("where") if value.get("where") is not None else {},
            "label": value.get("label") if value.get("label") is not None else "",
        }
    else:
        log.add(
            code,
            "rows must be a list of {code, label}, a choice list name, "
            "{respondent: true, max: N} or {from: grid, where: condition}",
        )


def _fixed_rows(items: list[Any], log: ErrorLog, code: str) -> list[RowSpec]:
    if not items:
        log.add(code, "rows: the list of rows is empty")
    rows: list[RowSpec] = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            log.add(code, f"row {position} must be a mapping {{code, label}}")
            continue
        row_code = item.get("code")
        here = f"row {row_code if row_code is not None else position}: "
        _check_keys(item, ROW_KEYS, log, code, here)
        if not _check_code(row_code, "row code", log, code, here, MAX_LENGTH["row"]):
            continue
        if any(row.code == row_code for row in rows):
            log.add(code, f"row code '{row_code}' is used twice in this grid")
        rows.append(
            RowSpec(
                code=row_code,
                label=_text(item, "label", log, code, here, required=True, max_length=500),
                position=position,
                is_other=_flag(item, "other", False, log, code, here),
            )
        )
    return rows


def _kind(
    data: Mapping[str, Any], allowed: tuple[str, ...], log: ErrorLog, code: str, here: str
) -> str:
    """The kind, or "" when missing or not allowed here (already reported)."""
    kind = _required(data, "kind", log, code, here)
    if kind is None:
        return ""
    if kind in allowed:
        return str(kind)
    if kind == Kind.CHECKBOX:
        log.add(code, f"{here}kind 'checkbox' is only for grid columns")
    elif kind in (Kind.GRID, Kind.RANKING) and here:
        log.add(code, f"{here}kind '{kind}' cannot be used for a grid column")
    else:
        log.add(code, f"{here}unknown kind {kind!r}{_suggest(kind, allowed)}")
    return ""


def _choice_list(
    data: Mapping[str, Any],
    kind: str,
    spec: QuestionnaireSpec,
    log: ErrorLog,
    code: str,
    here: str,
    inline_name: str,
) -> str:
    """The name of the choice list of a question or column ("" for none); adds inline lists."""
    value = data.get("choices")
    if kind not in CHOICE_KINDS:
        if value is not None:
            log.add(
                code,
                f"{here}'choices' is only for single_choice, multiple_choice and "
                f"ranking, not {kind}",
            )
        return ""
    if value is None:
        log.add(code, f"{here}a {kind} needs 'choices': a choice list name or a list")
        return ""
    if isinstance(value, str):
        if value == COUNTRIES:
            spec.choice_lists.setdefault(COUNTRIES, ChoiceListSpec(COUNTRIES, []))
            return COUNTRIES
        if value not in spec.choice_lists or value.startswith("inline:"):
            log.add(
                code,
                f"{here}choices: there is no choice list '{value}'"
                f"{_suggest(value, spec.choice_lists)}",
            )
            return ""
        return value
    choices = parse_choices(value, log, code, f"{here}choices: ")
    if choices is None:
        return ""
    name = f"inline:{inline_name}"
    spec.choice_lists[name] = ChoiceListSpec(name, choices)
    return name


def _validation(
    data: Mapping[str, Any],
    kind: str,
    spec: QuestionnaireSpec,
    choice_list: str,
    log: ErrorLog,
    code: str,
    here: str,
) -> dict[str, Any]:
    value = data.get("validation")
    if value is None:
        return {}
    here = f"{here}validation: "
    if not isinstance(value, Mapping):
        log.add(code, f"{here}must be a mapping such as {{min: 0, max: 100}}")
        return {}
    allowed = VALIDATION_KEYS.get(kind, ())
    for key in value:
        if key in allowed:
            continue
        if key in VALIDATION_USE:
            log.add(code, f"{here}'{key}' does not apply to {kind} (only to {VALIDATION_USE[key]})")
        else:
            log.add(code, f"{here}unknown key {key!r}{_suggest(key, allowed)}")
    bounds = {
        key: _bound(value[key], kind, log, code, here, key)
        for key in ("min", "max")
        if key in value and key in allowed
    }
    low, high = bounds.get("min"), bounds.get("max")
    if low is not None and high is not None and low > high:
        log.add(code, f"{here}min ({value['min']}) is greater than max ({value['max']})")
    for key in ("max_length", "max_choices", "max_ticked"):
        if key in value and key in allowed and not _is_positive_int(value[key]):
            log.add(code, f"{here}{key} must be a positive whole number, not {value[key]!r}")
    places = value.get("decimal_places")
    if "decimal_places" in allowed and places is not None and not _is_whole(places, minimum=0):
        log.add(code, f"{here}decimal_places must be a whole number from 0, not {places!r}")
    choice_count = len(spec.choice_lists[choice_list].choices) if choice_list else 0
    max_choices = value.get("max_choices")
    if (
        "max_choices" in allowed
        and _is_positive_int(max_choices)
        and choice_list not in ("", COUNTRIES)
        and max_choices > choice_count
    ):
        log.add(code, f"{here}max_choices ({max_choices}) is more than the {choice_count} choices")
    return dict(value)


def _bound(value: Any, kind: str, log: ErrorLog, code: str, here: str, key: str) -> Any:
    """A min or max as a comparable value, or None when it is wrong (reported)."""
    if kind == Kind.DATE:
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            log.add(code, f"{here}{key} must be a date written YYYY-MM-DD, not {value!r}")
            return None
    if kind == Kind.YEAR:
        if not _is_whole(value, minimum=1000, maximum=9999):
            log.add(code, f"{here}{key} must be a four-digit year, not {value!r}")
            return None
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        log.add(code, f"{here}{key} must be a number, not {value!r}")
        return None
    if kind == Kind.PERCENTAGE and not 0 <= value <= 100:
        log.add(code, f"{here}{key} of a percentage must lie between 0 and 100, not {value}")
        return None
    return value


def _special_values(data: Mapping[str, Any], log: ErrorLog, code: str, here: str) -> list[str]:
    value = data.get("special_values")
    if value is None:
        return []
    if value == "all":
        return list(SPECIAL_VALUES)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        log.add(
            code, f"{here}special_values must be 'all' or a list among {', '.join(SPECIAL_VALUES)}"
        )
        return []
    unknown = [item for item in value if item not in SPECIAL_VALUES]
    if unknown:
        log.add(
            code,
            f"{here}unknown special value(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(SPECIAL_VALUES)} or 'all'",
        )
    if len(set(value)) != len(value):
        log.add(code, f"{here}special_values lists a value twice")
    return [item for item in SPECIAL_VALUES if item in value]


def _rules(data: Mapping[str, Any], log: ErrorLog, code: str) -> list[dict[str, Any]]:
    value = data.get("rules")
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        log.add(code, "rules must be a non-empty list of {check, message}")
        return []
    rules = []
    for number, item in enumerate(value, start=1):
        here = f"rules[{number}]: "
        if not isinstance(item, Mapping):
            log.add(code, f"{here}a rule is a mapping {{check, message}}")
            continue
        _check_keys(item, RULE_KEYS, log, code, here)
        message = _text(item, "message", log, code, here, required=True)
        check = _condition_value(item, "check", log, code, here)
        if item.get("check") is None:
            log.add(code, f"{here}missing required key 'check'")
        rules.append({"check": check, "message": message})
    return rules


def _condition_value(
    data: Mapping[str, Any], key: str, log: ErrorLog, code: str, here: str
) -> dict[str, Any]:
    """A condition as written (checked later), or {} when absent."""
    value = data.get(key)
    if value is None:
        return {}
    if not _is_plain_json(value):
        log.add(
            code,
            f"{here}{key}: contains a value that is not text, a number, true/false, "
            "a list or a mapping",
        )
        return {}
    if not isinstance(value, Mapping):
        log.add(code, f"{here}{key}: a condition must be a mapping, not {value!r}")
        return {}
    return dict(value)


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
        if not _is_plain_json(where):
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
    """A condition comparing a choice answer with a code that is not one of its choices."""
    operator = next((key for key in ("eq", "ne", "in", "not_in", "contains") if key in leaf), None)
    if operator is None or isinstance(leaf[operator], Mapping):
        return ""
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
    if target is None:
        return ""
    if target.kind == Kind.YES_NO:
        codes = set(YES_NO_CODES)
    elif target.kind in CHOICE_KINDS and target.choice_list not in ("", COUNTRIES):
        codes = {choice.code for choice in spec.choice_lists[target.choice_list].choices}
    else:
        return ""
    values = leaf[operator] if isinstance(leaf[operator], list) else [leaf[operator]]
    unknown = [value for value in values if str(value) not in codes | set(target.special_values)]
    if not unknown:
        return ""
    shown = ", ".join(sorted(codes)[:12]) + (", ..." if len(codes) > 12 else "")
    name = target.code if isinstance(target, QuestionSpec) else f"column '{target.code}'"
    return f"{', '.join(map(repr, unknown))} is not a choice of {name} (choices: {shown})"


# --- Small readers -----------------------------------------------------------------------------


def _check_keys(
    data: Mapping[Any, Any], allowed: tuple[str, ...], log: ErrorLog, code: str, here: str = ""
) -> None:
    for key in data:
        if key not in allowed:
            log.add(code, f"{here}unknown key {key!r}{_suggest(key, allowed)}")


def _suggest(value: Any, options: Any) -> str:
    matches = difflib.get_close_matches(str(value), [str(option) for option in options], n=1)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def _required(data: Mapping[str, Any], key: str, log: ErrorLog, code: str, here: str = "") -> Any:
    value = data.get(key)
    if value is None or value == "":
        log.add(code, f"{here}missing required key '{key}'")
        return None
    return value


def _check_code(
    value: Any, what: str, log: ErrorLog, code: str, here: str = "", max_length: int = 60
) -> bool:
    if value is None:
        log.add(code, f"{here}missing required key 'code'")
        return False
    if not isinstance(value, str) or not CODE_PATTERN.fullmatch(value):
        log.add(
            code, f"{here}{what} {value!r} must be letters, digits and '_', starting with a letter"
        )
        return False
    if len(value) > max_length:
        log.add(code, f"{here}{what} '{value}' is longer than {max_length} characters")
        return False
    return True


def _text(
    data: Mapping[str, Any],
    key: str,
    log: ErrorLog,
    code: str,
    here: str = "",
    *,
    required: bool = False,
    max_length: int | None = None,
) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            log.add(code, f"{here}missing required key '{key}'")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        log.add(code, f"{here}{key} must be text, not {value!r}")
        return ""
    text = str(value).strip()
    if max_length is not None and len(text) > max_length:
        log.add(code, f"{here}{key} is longer than {max_length} characters")
    return text


def _flag(
    data: Mapping[str, Any], key: str, default: bool, log: ErrorLog, code: str, here: str = ""
) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        log.add(code, f"{here}{key} must be true or false, not {value!r}")
        return default
    return value


def _is_whole(value: Any, *, minimum: int, maximum: int | None = None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= minimum
        and (maximum is None or value <= maximum)
    )


def _is_positive_int(value: Any) -> bool:
    return _is_whole(value, minimum=1)


def _is_plain_json(value: Any) -> bool:
    if value is None or isinstance(value, str | bool | int | float):
        return True
    if isinstance(value, list):
        return all(_is_plain_json(item) for item in value)
    if isinstance(value, Mapping):
        return all(isinstance(key, str) and _is_plain_json(item) for key, item in value.items())
    return False


# --- Checks against the database ------------------------------------------------------------


def check_round(round_code: str, questionnaire_code: str, log: ErrorLog) -> None:
    """A round given with --round must be new, or already belong to this questionnaire."""
    if not SLUG_PATTERN.fullmatch(round_code) or len(round_code) > 60:
        log.add("", f"round code {round_code!r} must be a slug of at most 60 characters")
        return
    existing = Round.objects.filter(code=round_code).select_related("questionnaire").first()
    if existing is not None and existing.questionnaire.code != questionnaire_code:
        log.add(
            "",
            f"round '{round_code}' already exists for questionnaire "
            f"'{existing.questionnaire.code}', not '{questionnaire_code}'",
        )


def check_structure_changes(
    spec: QuestionnaireSpec, questionnaire: Questionnaire, log: ErrorLog
) -> None:
    """Refuse removals and kind changes that would orphan existing answers."""
    wanted = {question.code: question for question in spec.questions()}
    changes: dict[str, list[str]] = {}
    existing = Question.objects.filter(section__questionnaire=questionnaire).prefetch_related(
        "rows", "columns"
    )
    for question in existing:
        new = wanted.get(question.code)
        if new is None:
            changes[question.code] = ["remove this question"]
            continue
        found = []
        if question.kind != new.kind:
            found.append(f"change its kind from {question.kind} to {new.kind}")
        elif new.is_grid:
            for column in question.columns.all():
                new_column = new.column(column.code)
                if new_column is None:
                    found.append(f"remove column '{column.code}'")
                elif new_column.kind != column.kind:
                    found.append(
                        f"change the kind of column '{column.code}' from {column.kind} "
                        f"to {new_column.kind}"
                    )
            new_rows = {row.code for row in new.rows}
            found += [
                f"remove row '{row.code}'"
                for row in question.rows.all()
                if row.code not in new_rows
            ]
        if found:
            changes[question.code] = found
    if not changes:
        return
    counts = count_answers(questionnaire, set(changes))
    for code, what in changes.items():
        number = counts.get(code, 0)
        if number:
            exist = "1 answer exists" if number == 1 else f"{number} answers exist"
            log.add(
                code,
                f"cannot {'; '.join(what)}: {exist}. Publish a new questionnaire version instead.",
            )


# --- Writing -------------------------------------------------------------------------------------

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass
class Changes:
    """Rows created, updated, deleted and left unchanged, counted by model name."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def any(self) -> bool:
        return bool(self.created.total() or self.updated.total() or self.deleted.total())


@dataclass
class LoadReport:
    """What a load found in the file and what it changed in the database."""

    questionnaire: Questionnaire
    round: Round | None
    changes: Changes
    sections: int = 0
    questions: int = 0
    grids: int = 0
    conditions: int = 0  # questions and grid columns with a show_if
    rules: int = 0

    @property
    def created(self) -> Counter[str]:
        return self.changes.created

    @property
    def updated(self) -> Counter[str]:
        return self.changes.updated

    @property
    def deleted(self) -> Counter[str]:
        return self.changes.deleted

    @property
    def unchanged(self) -> Counter[str]:
        return self.changes.unchanged


def load_questionnaire(path: Path, *, round_code: str | None = None) -> LoadReport:
    """Check the questionnaire file at `path` and, if it has no error, write it.

    Every error in the file is collected; if there is any, QuestionnaireFileError lists them
    all and nothing is written. Otherwise the questionnaire, its choice lists, sections,
    questions, grid rows and columns are updated in place by their codes in one transaction:
    loading the same file twice changes nothing. With `round_code`, the round is created (as a
    draft) unless it exists; it must not belong to another questionnaire.
    """
    path = Path(path)
    log = ErrorLog(str(path))
    spec = read_questionnaire_file(path, log)
    with transaction.atomic():
        questionnaire = None
        if spec is not None and spec.code:
            questionnaire = Questionnaire.objects.select_for_update().filter(code=spec.code).first()
            if round_code is not None:
                check_round(round_code, spec.code, log)
            if questionnaire is not None and not log.errors:
                check_structure_changes(spec, questionnaire, log)
        if log.errors or spec is None:
            raise QuestionnaireFileError(log.errors)
        return write_questionnaire(
            spec, questionnaire, source_file=_source_file(path), round_code=round_code
        )


def write_questionnaire(
    spec: QuestionnaireSpec,
    questionnaire: Questionnaire | None,
    *,
    source_file: str,
    round_code: str | None,
) -> LoadReport:
    """Write a checked spec over `questionnaire` (None: a new one). Call inside a transaction."""
    changes = Changes()
    values = {"title": spec.title, "introduction": spec.introduction, "source_file": source_file}
    questionnaire = _upsert(changes, Questionnaire, questionnaire, values, code=spec.code)
    choice_lists, stale_lists = _write_choice_lists(changes, questionnaire, spec)
    sections, stale_sections = _write_sections(changes, questionnaire, spec)
    _write_questions(changes, questionnaire, spec, sections, choice_lists)
    # Deleted last, once no question or column points at them any more.
    for section in stale_sections:
        _delete(changes, section)
    for choice_list in stale_lists:
        _delete(changes, choice_list)
    round_ = _write_round(changes, questionnaire, round_code) if round_code else None
    if changes.any:
        questionnaire.save(update_fields=["loaded_at"])
        # After commit, so that no request rebuilds the cached picture from the old rows.
        questionnaire_id = questionnaire.pk
        transaction.on_commit(lambda: forget_definition(questionnaire_id))
    return _report(spec, questionnaire, round_, changes)


def _write_choice_lists(
    changes: Changes, questionnaire: Questionnaire, spec: QuestionnaireSpec
) -> tuple[dict[str, ChoiceList], list[ChoiceList]]:
    existing = {choice_list.code: choice_list for choice_list in questionnaire.choice_lists.all()}
    existing_choices = {
        (choice.choice_list_id, choice.code): choice
        for choice in Choice.objects.filter(choice_list__questionnaire=questionnaire)
    }
    written = {}
    for list_spec in spec.choice_lists.values():
        choice_list = _upsert(
            changes,
            ChoiceList,
            existing.pop(list_spec.code, None),
            {},
            questionnaire=questionnaire,
            code=list_spec.code,
        )
        written[list_spec.code] = choice_list
        for choice in list_spec.choices:
            values = {
                "label": choice.label,
                "position": choice.position,
                "is_exclusive": choice.is_exclusive,
                "is_other": choice.is_other,
            }
            old = existing_choices.pop((choice_list.pk, choice.code), None)
            _upsert(changes, Choice, old, values, choice_list=choice_list, code=choice.code)
    kept_lists = {choice_list.pk for choice_list in written.values()}
    for choice in existing_choices.values():
        # Choices of removed lists go with their list.
        if choice.choice_list_id in kept_lists:
            _delete(changes, choice)
    return written, list(existing.values())


def _write_sections(
    changes: Changes, questionnaire: Questionnaire, spec: QuestionnaireSpec
) -> tuple[dict[str, Section], list[Section]]:
    existing = {section.code: section for section in questionnaire.sections.all()}
    written = {}
    for section in spec.sections:
        values = {
            "title": section.title,
            "introduction": section.introduction,
            "position": section.position,
        }
        old = existing.pop(section.code, None)
        written[section.code] = _upsert(
            changes, Section, old, values, questionnaire=questionnaire, code=section.code
        )
    return written, list(existing.values())


def _write_questions(
    changes: Changes,
    questionnaire: Questionnaire,
    spec: QuestionnaireSpec,
    sections: dict[str, Section],
    choice_lists: dict[str, ChoiceList],
) -> None:
    in_questionnaire = {"question__section__questionnaire": questionnaire}
    existing = {
        question.code: question
        for question in Question.objects.filter(section__questionnaire=questionnaire)
    }
    rows = {(row.question_id, row.code): row for row in GridRow.objects.filter(**in_questionnaire)}
    columns = {
        (column.question_id, column.code): column
        for column in GridColumn.objects.filter(**in_questionnaire)
    }
    for question_spec in spec.questions():
        values = {
            "section_id": sections[question_spec.section].pk,
            "text": question_spec.text,
            "help_text": question_spec.help_text,
            "kind": question_spec.kind,
            "required": question_spec.required,
            "position": question_spec.position,
            "choice_list_id": _list_id(choice_lists, question_spec.choice_list),
            "show_if": question_spec.show_if,
            "validation": question_spec.stored_validation(),
            "special_values": question_spec.special_values,
            "allows_note": question_spec.allows_note,
            "row_source": question_spec.row_source,
            "rows_from": question_spec.rows_from,
        }
        old = existing.pop(question_spec.code, None)
        question = _upsert(changes, Question, old, values, code=question_spec.code)
        for row in question_spec.rows:
            values = {"label": row.label, "position": row.position, "is_other": row.is_other}
            old_row = rows.pop((question.pk, row.code), None)
            _upsert(changes, GridRow, old_row, values, question=question, code=row.code)
        for column in question_spec.columns:
            values = {
                "label": column.label,
                "help_text": column.help_text,
                "kind": column.kind,
                "required": column.required,
                "position": column.position,
                "choice_list_id": _list_id(choice_lists, column.choice_list),
                "show_if": column.show_if,
                "validation": column.validation,
                "special_values": column.special_values,
            }
            old_column = columns.pop((question.pk, column.code), None)
            _upsert(changes, GridColumn, old_column, values, question=question, code=column.code)
    removed_questions = {question.pk for question in existing.values()}
    for leftover in [*rows.values(), *columns.values()]:
        # Rows and columns of removed questions go with their question.
        if leftover.question_id not in removed_questions:
            _delete(changes, leftover)
    for removed in existing.values():
        _delete(changes, removed)


def _write_round(changes: Changes, questionnaire: Questionnaire, code: str) -> Round:
    existing = Round.objects.filter(code=code).first()
    if existing is not None:
        changes.unchanged["Round"] += 1
        return existing
    changes.created["Round"] += 1
    return Round.objects.create(
        code=code, name=f"Round {code}", questionnaire=questionnaire, status=Round.Status.DRAFT
    )


def _upsert(
    changes: Changes,
    model: type[ModelT],
    existing: ModelT | None,
    values: dict[str, Any],
    **identity: Any,
) -> ModelT:
    """Create the row, or update only the fields whose value changed, and count which."""
    name = model.__name__
    if existing is None:
        changes.created[name] += 1
        return model._default_manager.create(**identity, **values)
    changed = [key for key, value in values.items() if getattr(existing, key) != value]
    if not changed:
        changes.unchanged[name] += 1
        return existing
    for key in changed:
        setattr(existing, key, values[key])
    existing.save(update_fields=changed)
    changes.updated[name] += 1
    return existing


def _delete(changes: Changes, row: models.Model) -> None:
    """Delete a row and count it with everything its deletion cascades to."""
    _total, per_model = row.delete()
    for label, number in per_model.items():
        if number:
            changes.deleted[label.rsplit(".", 1)[-1]] += number


def _list_id(choice_lists: dict[str, ChoiceList], name: str) -> int | None:
    return choice_lists[name].pk if name else None


def _source_file(path: Path) -> str:
    """The file's path relative to the project when inside it, so that it is stable."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path(settings.BASE_DIR).resolve()))[:300]
    except ValueError:
        return str(resolved)[-300:]


def _report(
    spec: QuestionnaireSpec, questionnaire: Questionnaire, round_: Round | None, changes: Changes
) -> LoadReport:
    questions = list(spec.questions())
    columns = [column for question in questions for column in question.columns]
    return LoadReport(
        questionnaire=questionnaire,
        round=round_,
        changes=changes,
        sections=len(spec.sections),
        questions=len(questions),
        grids=sum(question.is_grid for question in questions),
        conditions=sum(bool(item.show_if) for item in [*questions, *columns]),
        rules=sum(len(question.rules) for question in questions),
    )
