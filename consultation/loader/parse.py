"""Reading and checking the file, part by part, into a QuestionnaireSpec."""

import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from consultation.models import (
    Kind,
    Question,
)

from .errors import ErrorLog
from .readers import (
    check_code,
    check_keys,
    flag,
    is_plain_json,
    is_positive_int,
    is_whole,
    read_required,
    read_text,
    suggest,
)
from .references import check_cross_references
from .spec import (
    CHOICE_KEYS,
    CHOICE_KINDS,
    COLUMN_KEYS,
    COLUMN_KINDS,
    COUNTRIES,
    MAX_DECIMAL_PLACES,
    MAX_FILE_BYTES,
    MAX_LENGTH,
    QUESTION_KEYS,
    QUESTION_KINDS,
    ROW_KEYS,
    RULE_KEYS,
    SCOPES,
    SECTION_KEYS,
    SLUG_PATTERN,
    SPECIAL_VALUES,
    TOP_KEYS,
    VALIDATION_KEYS,
    VALIDATION_USE,
    ChoiceListSpec,
    ChoiceSpec,
    ColumnSpec,
    QuestionnaireSpec,
    QuestionSpec,
    RowSpec,
    SectionSpec,
)
from .yaml_file import parse_yaml

# --- Reading and checking the file ----------------------------------------------------------


def read_questionnaire_file(path: Path, log: ErrorLog) -> QuestionnaireSpec | None:
    """Parse and check a questionnaire file; every problem goes to `log`.

    Returns the spec (possibly incomplete when `log` has errors), or None when the file gives
    no questionnaire at all.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            log.add(
                "",
                f"the file has {size:,} bytes; a questionnaire file has at most {MAX_FILE_BYTES:,}",
            )
            return None
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
    check_keys(data, TOP_KEYS, log, "")
    code = read_required(data, "code", log, "")
    if code is not None and not (isinstance(code, str) and SLUG_PATTERN.fullmatch(code)):
        log.add("", f"code {code!r} must be a slug: letters, digits, '-' and '_'")
    elif isinstance(code, str) and len(code) > 60:
        log.add("", f"code '{code}' is longer than 60 characters")
    spec = QuestionnaireSpec(
        code=str(code or ""),
        title=read_text(data, "title", log, "", required=True, max_length=300),
        introduction=read_text(data, "introduction", log, ""),
    )
    spec.choice_lists = parse_choice_lists(data.get("choice_lists"), log)
    sections = read_required(data, "sections", log, "")
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
        if not check_code(name, "choice list name", log, str(name), max_length=60):
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
    choices: list[ChoiceSpec] = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            log.add(code, f"{where}choice {position} must be a mapping {{code, label}}")
            continue
        choice_code = item.get("code")
        here = f"{where}choice {choice_code if choice_code is not None else position}: "
        check_keys(item, CHOICE_KEYS, log, code, here)
        if not check_code(choice_code, "choice code", log, code, here, MAX_LENGTH["choice"]):
            continue
        if any(choice.code == choice_code for choice in choices):
            log.add(code, f"{where}choice code '{choice_code}' is used twice")
        choices.append(
            ChoiceSpec(
                code=choice_code,
                label=read_text(item, "label", log, code, here, required=True, max_length=500),
                position=position,
                is_other=flag(item, "other", False, log, code, here),
                is_exclusive=flag(item, "exclusive", False, log, code, here),
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
    check_keys(data, SECTION_KEYS, log, label)
    if read_required(data, "code", log, label) is None:
        return None
    if not check_code(code, "section code", log, label, max_length=MAX_LENGTH["section"]):
        return None
    section = SectionSpec(
        code=code,
        title=read_text(data, "title", log, code, required=True, max_length=300),
        introduction=read_text(data, "introduction", log, code),
        position=position,
        scope=_scope(data, "country", log, code),
    )
    questions = read_required(data, "questions", log, code)
    if questions is None:
        return section
    if not isinstance(questions, list) or not questions:
        log.add(code, "questions must be a non-empty list")
        return section
    for question_position, item in enumerate(questions, start=1):
        question = parse_question(
            item, section.code, question_position, spec, log, section_scope=section.scope
        )
        if question is None:
            continue
        if question.code in question_codes:
            log.add(question.code, "this question code is used twice in the questionnaire")
        question_codes.add(question.code)
        section.questions.append(question)
    return section


def parse_question(
    data: Any,
    section: str,
    position: int,
    spec: QuestionnaireSpec,
    log: ErrorLog,
    *,
    section_scope: str = "country",
) -> QuestionSpec | None:
    """Check one question; its conditions and derived rows are checked later."""
    code = data.get("code") if isinstance(data, Mapping) else None
    label = str(code) if code is not None else f"{section}[{position}]"
    if not isinstance(data, Mapping):
        log.add(label, "a question must be a mapping with code, kind and text")
        return None
    check_keys(data, QUESTION_KEYS, log, label)
    if read_required(data, "code", log, label) is None:
        return None
    if not check_code(code, "question code", log, label, max_length=MAX_LENGTH["question"]):
        return None
    kind = _kind(data, QUESTION_KINDS, log, code, "")
    question = QuestionSpec(
        code=code,
        section=section,
        text=read_text(data, "text", log, code, required=True),
        kind=kind,
        position=position,
        help_text=read_text(data, "help", log, code),
        required=flag(data, "required", False, log, code),
        allows_note=flag(data, "note", True, log, code),
        special_values=_special_values(data, log, code, ""),
        scope=_scope(data, section_scope, log, code),
    )
    if not kind:
        return question
    question.choice_list = _choice_list(data, kind, spec, log, code, "", code)
    _check_meaningless(kind, question.choice_list, question.special_values, spec, log, code, "")
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


def _scope(data: Mapping[str, Any], default: str, log: ErrorLog, code: str) -> str:
    """`scope: country` or `scope: authority`; `default` when the key is absent."""
    if "scope" not in data:
        return default
    value = data["scope"]
    if value not in SCOPES:
        log.add(
            code,
            f"scope {value!r} is not one of {', '.join(SCOPES)}{suggest(value, SCOPES)}",
        )
        return default
    return str(value)


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
        check_keys(item, COLUMN_KEYS, log, code, here)
        if not check_code(column_code, "column code", log, code, here, MAX_LENGTH["column"]):
            continue
        if any(column.code == column_code for column in columns):
            log.add(code, f"column code '{column_code}' is used twice in this grid")
        kind = _kind(item, COLUMN_KINDS, log, code, here)
        column = ColumnSpec(
            code=column_code,
            label=read_text(item, "label", log, code, here, required=True, max_length=300),
            kind=kind,
            position=position,
            help_text=read_text(item, "help", log, code, here),
            required=flag(item, "required", False, log, code, here),
            special_values=_special_values(item, log, code, here),
            show_if=_condition_value(item, "show_if", log, code, here),
        )
        if kind:
            inline_name = f"{code}.{column_code}"
            column.choice_list = _choice_list(item, kind, spec, log, code, here, inline_name)
            _check_meaningless(
                kind, column.choice_list, column.special_values, spec, log, code, here
            )
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
                code, f"rows: there is no choice list '{value}'{suggest(value, spec.choice_lists)}"
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
        check_keys(value, ("respondent", "max"), log, code, "rows: ")
        if value["respondent"] is not True:
            log.add(code, "rows: 'respondent' must be true")
        maximum = value.get("max")
        if not is_positive_int(maximum):
            log.add(code, f"rows: 'max' must be a positive whole number, not {maximum!r}")
        else:
            question.max_rows = maximum
    elif isinstance(value, Mapping) and "from" in value:
        question.row_source = Question.RowSource.DERIVED
        check_keys(value, ("from", "where", "label"), log, code, "rows: ")
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
        check_keys(item, ROW_KEYS, log, code, here)
        if not check_code(row_code, "row code", log, code, here, MAX_LENGTH["row"]):
            continue
        if any(row.code == row_code for row in rows):
            log.add(code, f"row code '{row_code}' is used twice in this grid")
        rows.append(
            RowSpec(
                code=row_code,
                label=read_text(item, "label", log, code, here, required=True, max_length=500),
                position=position,
                is_other=flag(item, "other", False, log, code, here),
            )
        )
    return rows


def _kind(
    data: Mapping[str, Any], allowed: tuple[str, ...], log: ErrorLog, code: str, here: str
) -> str:
    """The kind, or "" when missing or not allowed here (already reported)."""
    kind = read_required(data, "kind", log, code, here)
    if kind is None:
        return ""
    if kind in allowed:
        return str(kind)
    if kind == Kind.CHECKBOX:
        log.add(code, f"{here}kind 'checkbox' is only for grid columns")
    elif kind in (Kind.GRID, Kind.RANKING) and here:
        log.add(code, f"{here}kind '{kind}' cannot be used for a grid column")
    else:
        log.add(code, f"{here}unknown kind {kind!r}{suggest(kind, allowed)}")
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
                f"{suggest(value, spec.choice_lists)}",
            )
            return ""
        return value
    choices = parse_choices(value, log, code, f"{here}choices: ")
    if choices is None:
        return ""
    name = f"inline:{inline_name}"
    spec.choice_lists[name] = ChoiceListSpec(name, choices)
    return name


def _check_meaningless(
    kind: str,
    choice_list: str,
    special_values: list[str],
    spec: QuestionnaireSpec,
    log: ErrorLog,
    code: str,
    here: str,
) -> None:
    """Refuse what a kind would ignore, and warn of what it would offer twice."""
    choices = spec.choice_lists[choice_list].choices if choice_list in spec.choice_lists else []
    if kind == Kind.RANKING:
        for choice in choices:
            for flag_name, is_set in (
                ("other", choice.is_other),
                ("exclusive", choice.is_exclusive),
            ):
                if is_set:
                    log.add(
                        code,
                        f"{here}choice {choice.code}: a ranking orders its options and cannot "
                        f"have '{flag_name}' options; drop '{flag_name}: true' or ask a "
                        "multiple_choice",
                    )
    if kind == Kind.SINGLE_CHOICE and any(choice.is_exclusive for choice in choices):
        log.warn(
            code,
            f"{here}'exclusive' means nothing on a single_choice, where every option "
            "excludes the others",
        )
    if kind == Kind.YES_NO and "dont_know" in special_values:
        log.warn(
            code,
            f'{here}a yes_no question already offers "Don\'t know" as an answer: with the '
            "special value dont_know it is offered twice; list the other special values instead "
            "of 'all'",
        )


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
            log.add(code, f"{here}unknown key {key!r}{suggest(key, allowed)}")
    bounds = {
        key: _bound(value[key], kind, log, code, here, key)
        for key in ("min", "max")
        if key in value and key in allowed
    }
    low, high = bounds.get("min"), bounds.get("max")
    if low is not None and high is not None and low > high:
        log.add(code, f"{here}min ({value['min']}) is greater than max ({value['max']})")
    for key in ("max_length", "max_choices", "max_ticked"):
        if key in value and key in allowed and not is_positive_int(value[key]):
            log.add(code, f"{here}{key} must be a positive whole number, not {value[key]!r}")
    places = value.get("decimal_places")
    if (
        "decimal_places" in allowed
        and places is not None
        and not is_whole(places, minimum=0, maximum=MAX_DECIMAL_PLACES)
    ):
        log.add(
            code,
            f"{here}decimal_places must be a whole number from 0 to {MAX_DECIMAL_PLACES}, "
            f"not {places!r}",
        )
    choice_count = len(spec.choice_lists[choice_list].choices) if choice_list else 0
    max_choices = value.get("max_choices")
    if (
        "max_choices" in allowed
        and isinstance(max_choices, int)
        and is_positive_int(max_choices)
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
        if not is_whole(value, minimum=1000, maximum=9999):
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
        check_keys(item, RULE_KEYS, log, code, here)
        message = read_text(item, "message", log, code, here, required=True)
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
    if not is_plain_json(value):
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
