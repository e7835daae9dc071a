"""Conditions through hidden questions, special values and other digits, in the form engine."""

from consultation.answers import AnswerValue, comparable_answers
from consultation.formbuilder import resolve_grid_rows, section_progress
from consultation.models import Kind
from consultation.visibility import shown_answers
from tests.consultation.definitions import (
    build_form,
    choices,
    column,
    errors_of,
    grid,
    question,
    rows,
    section,
)

NEEDS_ANSWER = "This question needs an answer."

# Q1 -> Q2 -> Q3 -> Q4: each is asked only if the one before is answered "yes".
CHAIN = section(
    question("Q1", Kind.YES_NO),
    question("Q2", Kind.YES_NO, show_if={"question": "Q1", "eq": "yes"}),
    question("Q3", Kind.YES_NO, show_if={"question": "Q2", "eq": "yes"}),
    question("Q4", Kind.INTEGER, required=True, show_if={"question": "Q3", "eq": "yes"}),
)


def test_a_question_hidden_by_a_hidden_question_is_hidden_however_long_the_chain() -> None:
    # Q2 and Q3 still say "yes", but Q1 now hides Q2: Q3 and Q4 go with it.
    form = build_form(CHAIN, {"Q1": "no", "Q2": "yes", "Q3": "yes"}, enforce_required=True)

    assert form.is_valid(), form.errors
    assert form.hidden_questions == {"Q2", "Q3", "Q4"}
    # The stored answers of hidden questions are kept: they are not in what is saved.
    assert set(form.cleaned_answers()) == {("Q1", "", "")}


def test_flipping_the_first_condition_back_asks_the_whole_chain_again() -> None:
    form = build_form(CHAIN, {"Q1": "yes", "Q2": "yes", "Q3": "yes"}, enforce_required=True)

    assert errors_of(form) == {"Q4": [NEEDS_ANSWER]}
    assert form.hidden_questions == set()


def test_a_chain_through_another_section_follows_its_stored_answers() -> None:
    first = section(
        question("A1", Kind.YES_NO),
        question("A2", Kind.YES_NO, show_if={"question": "A1", "eq": "yes"}),
        code="A",
    )
    second = section(
        question("B1", Kind.TEXT, required=True, show_if={"question": "A2", "eq": "yes"}),
        code="B",
    )
    questions = {q.code: q for q in (*first.questions, *second.questions)}
    stored = {("A1", "", ""): AnswerValue("no"), ("A2", "", ""): AnswerValue("yes")}

    form = build_form(
        second,
        {},
        questions=questions,
        context_answers=comparable_answers(stored),
        enforce_required=True,
    )

    assert form.is_valid(), form.errors
    assert form.hidden_questions == {"B1"}
    assert "A2||" not in form.shown_context()
    assert form.shown_context() == {"A1||": "no"}


def test_progress_neither_counts_nor_demands_questions_down_a_hidden_chain() -> None:
    questions = {q.code: q for q in CHAIN.questions}
    stored = {
        ("Q1", "", ""): AnswerValue("no"),
        ("Q2", "", ""): AnswerValue("yes"),
        ("Q3", "", ""): AnswerValue("yes"),
    }

    progress = section_progress(CHAIN, questions, stored)

    assert (progress.answered, progress.visible) == (1, 1)
    assert (progress.required_answered, progress.required) == (0, 0)


def test_a_cell_hidden_by_its_column_condition_is_unanswered_for_later_questions() -> None:
    sources = grid(
        "G1",
        (
            column("exists", Kind.YES_NO),
            column("year", Kind.YEAR, show_if={"column": "exists", "eq": "yes"}),
        ),
        rows=rows("census"),
    )
    later = question(
        "Q5", Kind.TEXT, required=True, show_if={"cell": "G1.census.year", "answered": True}
    )
    form = build_form(
        section(sources, later),
        {"G1.census.exists": "no", "G1.census.year": "2020"},
        enforce_required=True,
    )

    assert form.is_valid(), form.errors
    assert form.hidden_questions == {"Q5"}
    assert ("G1", "census", "year") in form.hidden_cells


def test_a_derived_grid_takes_no_rows_from_a_hidden_source() -> None:
    source = grid(
        "G1",
        (column("exists", Kind.YES_NO),),
        rows=rows("census", "register"),
        show_if={"question": "Q0", "eq": "yes"},
    )
    derived = grid(
        "G2",
        (column("stocks", Kind.YES_NO),),
        row_source="derived",
        rows_from={"question": "G1", "where": {"column": "exists", "eq": "yes"}},
    )
    test_section = section(question("Q0", Kind.YES_NO), source, derived)
    questions = {q.code: q for q in test_section.questions}
    stored = {("Q0", "", ""): AnswerValue("no"), ("G1", "census", "exists"): AnswerValue("yes")}

    assert resolve_grid_rows(test_section, questions, stored)["G2"] == ()
    stored[("Q0", "", "")] = AnswerValue("yes")
    assert [row.code for row in resolve_grid_rows(test_section, questions, stored)["G2"]] == [
        "census"
    ]


def test_a_grid_derived_from_a_derived_grid_shows_the_rows_its_source_shows() -> None:
    sources = grid(
        "G1", (column("exists", Kind.YES_NO),), rows=rows("census", "register", "survey")
    )
    existing = grid(
        "G2",
        (column("online", Kind.YES_NO),),
        row_source="derived",
        rows_from={"question": "G1", "where": {"column": "exists", "eq": "yes"}},
    )
    online = grid(
        "G3",
        (column("url", Kind.URL),),
        row_source="derived",
        rows_from={"question": "G2", "where": {"column": "online", "eq": "yes"}},
    )
    test_section = section(sources, existing, online)
    questions = {q.code: q for q in test_section.questions}
    stored = {
        ("G1", "census", "exists"): AnswerValue("yes"),
        ("G1", "register", "exists"): AnswerValue("yes"),
        ("G1", "survey", "exists"): AnswerValue("no"),
        ("G2", "census", "online"): AnswerValue("yes"),
        ("G2", "survey", "online"): AnswerValue("yes"),  # not a row of G2: does not count
    }

    grid_rows = resolve_grid_rows(test_section, questions, stored)

    assert [row.code for row in grid_rows["G2"]] == ["census", "register"]
    assert [row.code for row in grid_rows["G3"]] == ["census"]
    assert [row.label for row in grid_rows["G3"]] == ["Census"]


# --- Special values ---------------------------------------------------------------------------

MARKED = section(
    question("M1", Kind.INTEGER, special_values=("not_applicable", "not_available")),
    question("M2", Kind.TEXT, required=True, show_if={"question": "M1", "answered": True}),
    question(
        "M3", Kind.TEXT, required=True, show_if={"question": "M1", "marked": "not_applicable"}
    ),
    question("M4", Kind.TEXT, required=True, show_if={"question": "M1", "gt": 0}),
)


def test_a_marked_question_is_answered_for_conditions_as_for_required_ness() -> None:
    form = build_form(MARKED, {"M1.status": "not_applicable"}, enforce_required=True)

    form.is_valid()
    assert form.hidden_questions == {"M4"}
    assert errors_of(form) == {"M2": [NEEDS_ANSWER], "M3": [NEEDS_ANSWER]}


def test_marked_tests_which_special_value_was_chosen() -> None:
    form = build_form(MARKED, {"M1.status": "not_available"}, enforce_required=True)
    form.full_clean()

    assert form.hidden_questions == {"M3", "M4"}


def test_stored_special_values_compare_alike_for_conditions_and_progress() -> None:
    questions = {q.code: q for q in MARKED.questions}
    stored = {("M1", "", ""): AnswerValue(None, "not_applicable")}

    visibility = shown_answers(MARKED.questions, comparable_answers(stored))
    progress = section_progress(MARKED, questions, stored)

    assert visibility.hidden_questions == {"M4"}
    assert (progress.answered, progress.visible, progress.required) == (1, 3, 2)


def test_a_marked_cell_is_marked_for_a_condition() -> None:
    sources = grid(
        "G1",
        (column("year", Kind.YEAR, special_values=("not_available",)),),
        rows=rows("census"),
    )
    later = question(
        "Q2",
        Kind.TEXT,
        required=True,
        show_if={"cell": "G1.census.year", "marked": "not_available"},
    )
    form = build_form(
        section(sources, later), {"G1.census.year.status": "not_available"}, enforce_required=True
    )

    assert errors_of(form) == {"Q2": [NEEDS_ANSWER]}


# --- Numbers typed with other digits ---------------------------------------------------------

DIGITS = section(
    question("N1", Kind.INTEGER),
    question("N2", Kind.TEXT, required=True, show_if={"question": "N1", "gt": 10}),
)


def test_a_number_typed_in_other_digits_is_a_number_for_conditions_on_the_same_submit() -> None:
    for typed in ("\u0661\u0662", "\uff11\uff12", "\u0967\u0968", "12"):
        form = build_form(DIGITS, {"N1": typed}, enforce_required=True)

        assert not form.is_valid()
        assert errors_of(form) == {"N2": [NEEDS_ANSWER]}, typed
        assert form.cleaned_data["N1"] == 12


def test_a_multiple_choice_condition_with_contains_still_holds() -> None:
    topics = section(
        question("T1", Kind.MULTIPLE_CHOICE, choices=choices("stocks", "flows")),
        question("T2", Kind.TEXT, show_if={"question": "T1", "contains": "flows"}),
    )
    form = build_form(topics, {"T1": ["stocks", "flows"]})
    form.full_clean()

    assert form.hidden_questions == set()
