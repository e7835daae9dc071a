"""Property tests: stored answers survive the form unchanged, and bad input is refused politely.

For every question kind and grid column kind, a valid answer value goes AnswerValue ->
answers_to_data -> bound form -> cleaned_answers and comes back identical. Any raw text typed
into a number, date, e-mail, web address or choice field is either accepted or refused with a
field error worded for respondents; never an exception.
"""

import datetime
import re
import string
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultation.answers import LABEL_COLUMN, AnswerKey, AnswerValue
from consultation.definition import SPECIAL_VALUES, ChoiceDef, ColumnDef, QuestionDef
from consultation.formbuilder import SectionFormBuilder, answers_to_data, ranking_size
from consultation.models import Kind
from tests.consultation.definitions import (
    choices,
    column,
    grid,
    query_dict,
    question,
    rows,
    section,
)

# Deterministic (a fixed seed per test, no example database), and sized so that the whole file
# runs in a few seconds.
PROPERTY = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

ALL_SPECIAL = tuple(SPECIAL_VALUES)
OPTIONS = choices("a", "b", "c", "other", "none", other="other", exclusive="none")
LISTED = choices("alpha", "beta", "gamma", "delta")

VALUE_KINDS: dict[str, dict[str, Any]] = {
    Kind.TEXT: {"validation": {"max_length": 60}},
    Kind.LONG_TEXT: {"validation": {"max_length": 400}},
    Kind.INTEGER: {"validation": {"min": -1_000_000, "max": 1_000_000}},
    Kind.DECIMAL: {"validation": {"min": -500, "max": 10_000, "decimal_places": 6}},
    Kind.PERCENTAGE: {"validation": {"decimal_places": 3}},
    Kind.YEAR: {"validation": {"min": 1950, "max": 2035}},
    Kind.DATE: {"validation": {"min": "1900-01-01", "max": "2100-12-31"}},
    Kind.EMAIL: {},
    Kind.URL: {},
    Kind.YES_NO: {},
    Kind.SINGLE_CHOICE: {"choices": OPTIONS},
    Kind.MULTIPLE_CHOICE: {"choices": OPTIONS, "validation": {"max_choices": 3}},
}

QUESTIONS = (
    *(
        question(f"Q_{kind}", kind, special_values=ALL_SPECIAL, **options)
        for kind, options in VALUE_KINDS.items()
    ),
    question("Q_ranking", Kind.RANKING, choices=LISTED, validation={"max_choices": 3},
             special_values=ALL_SPECIAL),
    question("Q_plain", Kind.INTEGER, allows_note=False),
)  # fmt: skip

COLUMNS = (
    *(
        column(f"c_{kind}", kind, special_values=ALL_SPECIAL, **options)
        for kind, options in VALUE_KINDS.items()
    ),
    column("c_checkbox", Kind.CHECKBOX),
)
GRID = grid(
    "G", COLUMNS, rows=rows("r1", "r2", "other", other="other"), special_values=("confidential",)
)

SECTION = section(*QUESTIONS, GRID)
GRID_ROWS = {"G": GRID.rows}
FORM_CLASS = SectionFormBuilder(SECTION, GRID_ROWS).get_form_class()


# --- Strategies for valid values -----------------------------------------------------------------

# Any character a browser may send, but NUL (refused) and lone surrogates (not UTF-8).
CHARACTERS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")


def text_values(max_length: int, *, multiline: bool = False) -> st.SearchStrategy[str]:
    alphabet = st.one_of(CHARACTERS, st.sampled_from("\n\r\t")) if multiline else CHARACTERS
    # Text fields strip surrounding white space: stored texts have none.
    return (
        st.text(alphabet, min_size=1, max_size=max_length)
        .map(str.strip)
        .filter(lambda text: 0 < len(text) <= max_length)
    )


def decimal_values(low: Decimal, high: Decimal, places: int) -> st.SearchStrategy[str]:
    generated = st.decimals(
        min_value=low, max_value=high, places=places, allow_nan=False, allow_infinity=False
    ).map(lambda number: format(number, "f"))
    written = st.sampled_from(["12.50", "0.000001", "-3.5", "0", "100", "99.990", "-0"])
    in_bounds = written.filter(
        lambda text: low <= Decimal(text) <= high and _places(text) <= places
    )
    return st.one_of(generated, in_bounds)


def _places(text: str) -> int:
    return len(text.partition(".")[2])


LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,15}[a-z0-9])?", fullmatch=True)
EMAILS = st.builds(
    "{}@{}.{}".format,
    st.from_regex(r"[A-Za-z0-9]+([._+-][A-Za-z0-9]+){0,3}", fullmatch=True),
    LABEL,
    st.from_regex(r"[a-z]{2,8}", fullmatch=True),
)
URLS = st.builds(
    "{}://{}.{}{}".format,
    st.sampled_from(["http", "https"]),
    LABEL,
    st.sampled_from(["org", "int", "gov.ke", "example"]),
    st.from_regex(r"(/[A-Za-z0-9_.~-]{1,12}){0,3}(\?[a-z]{1,5}=[0-9]{1,4})?", fullmatch=True),
)


def choice_value(options: tuple[ChoiceDef, ...], other_text: st.SearchStrategy[str]):
    @st.composite
    def value(draw: st.DrawFn) -> Any:
        code = draw(st.sampled_from([choice.code for choice in options]))
        if any(choice.code == code and choice.is_other for choice in options):
            return {"choice": code, "other": draw(other_text)}
        return code

    return value()


def multiple_value(options: tuple[ChoiceDef, ...], limit: int, other_text: st.SearchStrategy[str]):
    @st.composite
    def value(draw: st.DrawFn) -> Any:
        exclusive = [choice.code for choice in options if choice.is_exclusive]
        if exclusive and draw(st.booleans()):
            return [exclusive[0]]
        ordinary = [choice.code for choice in options if not choice.is_exclusive]
        chosen = draw(st.sets(st.sampled_from(ordinary), min_size=1, max_size=limit))
        codes = [code for code in ordinary if code in chosen]
        if any(choice.is_other and choice.code in chosen for choice in options):
            return {"choices": codes, "other": draw(other_text)}
        return codes

    return value()


def valid_values(kind: str, item: QuestionDef | ColumnDef) -> st.SearchStrategy[Any]:
    """Every value the form itself would store for this question or column."""
    validation = item.validation
    other_text = text_values(300)
    if kind == Kind.TEXT:
        return text_values(validation["max_length"])
    if kind == Kind.LONG_TEXT:
        return text_values(validation["max_length"], multiline=True)
    if kind in (Kind.INTEGER, Kind.YEAR):
        return st.integers(validation.get("min", -(10**12)), validation.get("max", 10**12))
    if kind == Kind.DECIMAL:
        return decimal_values(
            Decimal(validation["min"]), Decimal(validation["max"]), validation["decimal_places"]
        )
    if kind == Kind.PERCENTAGE:
        return decimal_values(Decimal(0), Decimal(100), validation["decimal_places"])
    if kind == Kind.DATE:
        return st.dates(
            datetime.date.fromisoformat(validation["min"]),
            datetime.date.fromisoformat(validation["max"]),
        ).map(datetime.date.isoformat)
    if kind == Kind.EMAIL:
        return EMAILS
    if kind == Kind.URL:
        return URLS
    if kind == Kind.YES_NO:
        return st.sampled_from(["yes", "no", "dont_know"])
    if kind == Kind.SINGLE_CHOICE:
        return choice_value(item.choices, other_text)
    if kind == Kind.MULTIPLE_CHOICE:
        return multiple_value(item.choices, validation["max_choices"], other_text)
    if kind == Kind.RANKING:
        codes = [choice.code for choice in item.choices]
        return st.permutations(codes).flatmap(
            lambda order: st.integers(1, ranking_size(item)).map(lambda n: list(order[:n]))
        )
    if kind == Kind.CHECKBOX:
        return st.just(True)
    raise AssertionError(kind)


NOTES = st.one_of(st.just(""), text_values(200, multiline=True))


def answer(kind: str, item: QuestionDef | ColumnDef, *, note: bool) -> st.SearchStrategy:
    """A value, or (where allowed) a special value instead; perhaps with a note."""
    values = valid_values(kind, item).map(lambda value: AnswerValue(value))
    if item.special_values:
        values = st.one_of(values, st.sampled_from(item.special_values).map(
            lambda status: AnswerValue(None, status)))  # fmt: skip
    if not note:
        return values
    return st.builds(
        lambda value, text: AnswerValue(value.value, value.status, text), values, NOTES
    )


@st.composite
def section_answers(draw: st.DrawFn) -> dict[AnswerKey, AnswerValue]:
    answers: dict[AnswerKey, AnswerValue] = {}
    for item in QUESTIONS:
        if draw(st.booleans()):
            answers[(item.code, "", "")] = draw(answer(item.kind, item, note=item.allows_note))
    cells = False
    for row in GRID.rows:
        row_cells = False
        for item in COLUMNS:
            if draw(st.integers(0, 2)) == 0:
                answers[("G", row.code, item.code)] = draw(answer(item.kind, item, note=False))
                row_cells = True
        # An "other" row with answers must say what it is; it may be named alone.
        if row.is_other and (row_cells or draw(st.booleans())):
            answers[("G", row.code, LABEL_COLUMN)] = AnswerValue(draw(text_values(300)))
            row_cells = True
        cells = cells or row_cells
    # A special value for the whole grid stands instead of its cells.
    status = "" if cells else draw(st.sampled_from(["", "confidential"]))
    note = draw(NOTES)
    if status or note:
        answers[("G", "", "")] = AnswerValue(None, status, note)
    return answers


def given_answers(answers: dict[AnswerKey, AnswerValue]) -> dict[AnswerKey, AnswerValue]:
    return {key: value for key, value in answers.items() if not value.is_blank}


@PROPERTY
@given(section_answers())
def test_any_valid_answer_round_trips_unchanged(answers: dict[AnswerKey, AnswerValue]) -> None:
    form = FORM_CLASS(query_dict(answers_to_data(SECTION, GRID_ROWS, answers)))

    assert form.is_valid(), form.errors
    assert given_answers(form.cleaned_answers()) == given_answers(answers)


def test_the_round_trip_covers_every_kind_but_grid() -> None:
    kinds = {item.kind for item in QUESTIONS} | {item.kind for item in COLUMNS}

    assert kinds | {Kind.GRID} == set(Kind.values)


@PROPERTY
@given(st.sampled_from(["12.50", "0.000001", "-3.5", "-0", "10000", "0.000000"]))
def test_decimal_strings_keep_every_digit(text: str) -> None:
    answers = {("Q_decimal", "", ""): AnswerValue(text)}

    form = FORM_CLASS(query_dict(answers_to_data(SECTION, GRID_ROWS, answers)))

    assert form.is_valid(), form.errors
    assert form.cleaned_answers()[("Q_decimal", "", "")].value == text


# --- Invalid raw input ---------------------------------------------------------------------------

CHOICE_MESSAGE = "Choose one of the options listed."
STATUS_MESSAGES = {"Give either an answer or a reason there is none"}
FRIENDLY: dict[str, set[str]] = {
    "Q_integer": {
        "Enter a whole number, such as 1250.",
        "Enter a whole number from -1000000 to 1000000.",
    },
    "Q_decimal": {
        "Enter a number, such as 12.5 (use a point for decimals).",
        "Enter a number from -500 to 10000.",
        "Give at most 6 digits after the decimal point.",
        "Enter a number with at most 24 digits.",
        "Enter a number with at most 18 digits before the decimal point.",
    },
    "Q_percentage": {
        "Enter a number, such as 12.5 (use a point for decimals).",
        "Enter a percentage from 0 to 100.",
        "Give at most 3 digits after the decimal point.",
        "Enter a number with at most 24 digits.",
        "Enter a number with at most 21 digits before the decimal point.",
    },
    "Q_year": {
        "Enter a year with four digits, such as 2024.",
        "Enter a year from 1950 to 2035.",
    },
    "Q_date": {
        "Enter a real date: day, month and year, such as 31 3 2026.",
        "Enter a date on or after 1900-01-01.",
        "Enter a date on or before 2100-12-31.",
    },
    "Q_email": {
        "Enter an e-mail address, such as name@example.org.",
        "An e-mail address here has at most 254 characters.",
        "This answer contains a control character that cannot be saved; type it again.",
    },
    "Q_url": {
        "Enter a web address, such as https://www.example.org.",
        "Shorten this web address to 1000 characters or fewer.",
        "This answer contains a control character that cannot be saved; type it again.",
    },
    "Q_yes_no": {CHOICE_MESSAGE},
    "Q_single_choice": {CHOICE_MESSAGE},
    "Q_multiple_choice": {"Choose only options from the list."},
}
# The same fields as grid cells: the same messages.
FRIENDLY.update(
    {
        f"G.{row}.c_{name.removeprefix('Q_')}": messages
        for name, messages in list(FRIENDLY.items())
        for row in ("r1", "r2")
    }
)

TYPED = st.one_of(
    st.text(max_size=40),
    st.text(string.digits + ".,-+eE _/:", max_size=30),
    st.sampled_from(["NaN", "Infinity", "-inf", "1e999", "0x10", "١٢", "2024-02-30", "12,5",
                     "1_000", "\x00", "ftp://example.org", "mailto:a@b.org", " ", "\u0663.\u0665"]),
)  # fmt: skip


@PROPERTY
@given(st.sampled_from(sorted(FRIENDLY)), TYPED)
def test_any_raw_input_is_accepted_or_refused_with_a_friendly_message(
    name: str, typed: str
) -> None:
    form = FORM_CLASS(query_dict({name: [typed] if name.endswith("multiple_choice") else typed}))

    errors = form.errors.get(name, [])

    assert set(errors) <= FRIENDLY[name], errors
    assert set(form.errors) <= {name}, form.errors
    if not errors and typed.strip():
        assert form.cleaned_answers()[_key(name)].value not in (None, "", [])


def _key(name: str) -> AnswerKey:
    parts = name.split(".")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else (parts[0], "", "")


NOT_A_NUMBER = st.text(max_size=30).filter(
    lambda text: text.strip() and not any(character.isdigit() for character in text)
)


@PROPERTY
@given(
    st.sampled_from(["Q_integer", "Q_decimal", "Q_percentage", "Q_year", "Q_date",
                     "G.r2.c_integer", "G.r2.c_year", "G.r2.c_date"]),
    NOT_A_NUMBER,
)  # fmt: skip
def test_text_without_a_digit_is_refused_by_number_and_date_fields(name: str, typed: str) -> None:
    errors = FORM_CLASS(query_dict({name: typed})).errors

    assert list(errors) == [name]
    assert set(errors[name]) <= FRIENDLY[name]


@PROPERTY
@given(
    st.sampled_from(["Q_integer", "G.r2.c_integer"]),
    st.one_of(st.integers(max_value=-1_000_001), st.integers(min_value=1_000_001)),
)
def test_an_integer_out_of_range_is_refused(name: str, number: int) -> None:
    errors = FORM_CLASS(query_dict({name: str(number)})).errors

    assert errors == {name: ["Enter a whole number from -1000000 to 1000000."]}


OUT_OF_RANGE = st.one_of(
    st.integers(max_value=1949).map(lambda year: ("Q_year", str(year))),
    st.integers(min_value=2036, max_value=10**12).map(lambda year: ("G.r1.c_year", str(year))),
    st.decimals(min_value=Decimal("10000.000001"), max_value=Decimal(10**12), places=3,
                allow_nan=False).map(lambda number: ("Q_decimal", format(number, "f"))),
    st.decimals(max_value=Decimal("-500.001"), min_value=Decimal("-1e9"), places=3,
                allow_nan=False).map(lambda number: ("Q_decimal", format(number, "f"))),
    st.decimals(min_value=Decimal("100.001"), max_value=Decimal("1e6"), places=3,
                allow_nan=False).map(lambda number: ("Q_percentage", format(number, "f"))),
    st.decimals(max_value=Decimal("-0.001"), min_value=Decimal("-1e6"), places=3,
                allow_nan=False).map(lambda number: ("G.r1.c_percentage", format(number, "f"))),
    st.dates(max_value=datetime.date(1899, 12, 31)).map(lambda day: ("Q_date", day.isoformat())),
)  # fmt: skip
RANGE_MESSAGE = re.compile(r"Enter a (year|number|percentage|date) (from|on or)")


@PROPERTY
@given(OUT_OF_RANGE)
def test_a_number_or_date_out_of_range_is_refused_naming_the_bounds(case: tuple[str, str]) -> None:
    name, typed = case

    errors = FORM_CLASS(query_dict({name: typed})).errors

    assert list(errors) == [name]
    assert len(errors[name]) == 1
    assert RANGE_MESSAGE.match(errors[name][0]), errors[name]
    assert errors[name][0] in FRIENDLY[name]


@PROPERTY
@given(
    st.sampled_from(["Q_integer", "G.r1.c_integer", "G.other.c_decimal"]),
    st.sampled_from(ALL_SPECIAL),
    st.text(string.digits, min_size=1, max_size=4),
)
def test_a_value_with_a_special_value_is_refused(name: str, status: str, typed: str) -> None:
    form = FORM_CLASS(query_dict({name: typed, f"{name}.status": status}))

    messages = [str(message) for message in form.errors.get(f"{name}.status", [])]
    assert messages, form.errors
    assert all(message.startswith(tuple(STATUS_MESSAGES)) for message in messages)
