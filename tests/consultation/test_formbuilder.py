"""The section form: fields per kind, conditions, special values, grids, rules and grid rows.

Most tests build a small definition in memory (tests/consultation/definitions.py); those marked
with the `questionnaire` fixture use the real migration-2026 questionnaire.
"""

import datetime
from decimal import Decimal

import pytest
from django import forms

from consultation.answers import AnswerValue
from consultation.definition import QuestionnaireDef
from consultation.formbuilder import (
    SectionFormBuilder,
    WebAddressField,
    answers_to_data,
    resolve_grid_rows,
)
from consultation.models import Kind, Question
from tests.consultation.definitions import (
    build_form,
    choices,
    column,
    errors_of,
    grid,
    question,
    respondent_grid,
    rows,
    section,
)

NEEDS_ANSWER = "This question needs an answer."

# --- One field per kind --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "field_class", "options"),
    [
        (Kind.TEXT, forms.CharField, {"max_length": 500}),
        (Kind.LONG_TEXT, forms.CharField, {"max_length": 10_000}),
        (Kind.INTEGER, forms.IntegerField, {"min_value": None, "max_value": None}),
        (Kind.DECIMAL, forms.DecimalField, {"decimal_places": 6, "min_value": None}),
        (Kind.PERCENTAGE, forms.DecimalField, {"min_value": 0, "max_value": 100}),
        (Kind.YEAR, forms.IntegerField, {"min_value": 1900, "max_value": 2100}),
        (Kind.DATE, forms.DateField, {}),
        (Kind.EMAIL, forms.EmailField, {"max_length": 254}),
        (Kind.URL, WebAddressField, {"max_length": 1000}),
        (Kind.YES_NO, forms.ChoiceField, {}),
        (Kind.SINGLE_CHOICE, forms.ChoiceField, {}),
        (Kind.MULTIPLE_CHOICE, forms.MultipleChoiceField, {}),
    ],
)
def test_each_kind_gets_its_field(kind: str, field_class: type, options: dict) -> None:
    form = build_form(section(question("Q1", kind, choices=choices("a", "b"))))
    field = form.fields["Q1"]

    assert type(field) is field_class
    # A special value also answers a question: the form, not the field, checks "required".
    assert field.required is False
    for name, value in options.items():
        assert getattr(field, name) == value


def test_a_long_text_is_a_text_area_and_a_date_a_date_input() -> None:
    form = build_form(section(question("Q1", Kind.LONG_TEXT), question("Q2", Kind.DATE)))

    assert isinstance(form.fields["Q1"].widget, forms.Textarea)
    assert form.fields["Q2"].widget.input_type == "date"


def test_yes_no_offers_yes_no_and_dont_know() -> None:
    form = build_form(section(question("Q1", Kind.YES_NO)))

    assert [code for code, _label in form.fields["Q1"].choices] == ["yes", "no", "dont_know"]


def test_bounds_and_lengths_come_from_validation() -> None:
    form = build_form(
        section(
            question("Q1", Kind.INTEGER, validation={"min": 0, "max": 1000}),
            question("Q2", Kind.DECIMAL, validation={"min": 0, "max": 500, "decimal_places": 1}),
            question("Q3", Kind.YEAR, validation={"min": 1950, "max": 2035}),
            question("Q4", Kind.TEXT, validation={"max_length": 300}),
        )
    )

    assert (form.fields["Q1"].min_value, form.fields["Q1"].max_value) == (0, 1000)
    assert form.fields["Q2"].decimal_places == 1
    assert form.fields["Q2"].max_value == Decimal(500)
    assert (form.fields["Q3"].min_value, form.fields["Q3"].max_value) == (1950, 2035)
    assert form.fields["Q4"].max_length == 300


def test_field_names_follow_the_answer_keys() -> None:
    form = build_form(
        section(
            question(
                "A9",
                Kind.SINGLE_CHOICE,
                choices=choices("a", "other", other="other"),
                special_values=("not_available",),
            ),
            question(
                "D12",
                Kind.RANKING,
                choices=choices("a", "b", "c", "d"),
                validation={"max_choices": 3},
            ),
            grid(
                "C1",
                (
                    column("exists", Kind.YES_NO),
                    column("latest_year", Kind.YEAR, special_values=("not_available",)),
                    column(
                        "periodicity",
                        Kind.SINGLE_CHOICE,
                        choices=choices("annual", "other", other="other"),
                    ),
                ),
                rows=rows("S01", "S19", other="S19"),
            ),
            question("H5", Kind.LONG_TEXT, allows_note=False),
        )
    )

    assert list(form.fields) == [
        "A9", "A9.other", "A9.status", "A9.note",
        "D12.rank1", "D12.rank2", "D12.rank3", "D12.note",
        "C1.S01.exists", "C1.S01.latest_year", "C1.S01.latest_year.status",
        "C1.S01.periodicity", "C1.S01.periodicity.other",
        "C1.S19._label", "C1.S19.exists", "C1.S19.latest_year", "C1.S19.latest_year.status",
        "C1.S19.periodicity", "C1.S19.periodicity.other",
        "C1.note",
        "H5",
    ]  # fmt: skip


def test_a_checkbox_column_is_a_tick_box() -> None:
    form = build_form(section(grid("A10", (column("chair", Kind.CHECKBOX),), rows=rows("nso"))))

    assert isinstance(form.fields["A10.nso.chair"], forms.BooleanField)


def test_the_real_questionnaire_builds_a_form_for_every_section(
    questionnaire: QuestionnaireDef,
) -> None:
    for section_def in questionnaire.sections:
        form = build_form(section_def, {}, questions=questionnaire.questions)

        assert form.is_valid() is False or form.cleaned_answers() is not None
        assert len(form.fields) > len(section_def.questions) / 2


# --- Required answers, drafts and special values -------------------------------------------------

REQUIRED = section(
    question("Q1", Kind.INTEGER, required=True, special_values=("not_available", "confidential"))
)


def test_a_required_question_left_blank_needs_an_answer() -> None:
    form = build_form(REQUIRED, {"Q1": ""})

    assert errors_of(form) == {"Q1": [NEEDS_ANSWER]}


def test_a_draft_may_leave_a_required_question_blank() -> None:
    form = build_form(REQUIRED, {"Q1": ""}, enforce_required=False)

    assert form.is_valid(), form.errors


def test_a_required_question_answered_by_a_special_value_is_valid() -> None:
    form = build_form(REQUIRED, {"Q1": "", "Q1.status": "confidential"})

    assert form.is_valid(), form.errors
    assert form.cleaned_answers()[("Q1", "", "")] == AnswerValue(None, "confidential", "")


def test_a_value_and_a_special_value_together_are_an_error() -> None:
    form = build_form(REQUIRED, {"Q1": "12", "Q1.status": "not_available"})

    assert errors_of(form) == {
        "Q1.status": ["Give either an answer or a reason there is none (Not available), not both."]
    }


def test_a_special_value_not_offered_is_refused() -> None:
    form = build_form(REQUIRED, {"Q1": "", "Q1.status": "dont_know"})

    assert errors_of(form) == {"Q1.status": ["Choose one of the options listed."]}


def test_a_note_is_kept_with_the_answer() -> None:
    form = build_form(REQUIRED, {"Q1": "12", "Q1.note": "Excludes refugees."})

    assert form.is_valid(), form.errors
    assert form.cleaned_answers()[("Q1", "", "")] == AnswerValue(12, "", "Excludes refugees.")


# --- Conditions ----------------------------------------------------------------------------------

CONDITIONAL = section(
    question("Q1", Kind.YES_NO, required=True),
    question("Q2", Kind.INTEGER, required=True, show_if={"question": "Q1", "eq": "yes"}),
    question("Q3", Kind.TEXT),
)


def test_a_hidden_question_is_not_required_nor_validated() -> None:
    form = build_form(CONDITIONAL, {"Q1": "no", "Q2": "not a number"})

    assert form.is_valid(), form.errors
    assert form.hidden_questions == {"Q2"}


def test_a_hidden_question_is_left_out_of_the_answers_so_its_stored_answer_is_kept() -> None:
    form = build_form(CONDITIONAL, {"Q1": "no", "Q2": "12", "Q3": "x"})

    assert form.is_valid(), form.errors
    assert set(form.cleaned_answers()) == {("Q1", "", ""), ("Q3", "", "")}


def test_a_shown_question_is_required_and_validated() -> None:
    blank = build_form(CONDITIONAL, {"Q1": "yes", "Q2": ""})
    invalid = build_form(CONDITIONAL, {"Q1": "yes", "Q2": "twelve"})

    assert errors_of(blank) == {"Q2": [NEEDS_ANSWER]}
    assert errors_of(invalid) == {"Q2": ["Enter a whole number, such as 1250."]}


def test_a_condition_may_look_at_answers_of_other_sections() -> None:
    later = section(question("B1", Kind.TEXT, show_if={"question": "A2", "eq": "consolidated"}))

    shown = build_form(later, {}, context_answers={("A2", "", ""): "consolidated"})
    hidden = build_form(later, {}, context_answers={("A2", "", ""): "single_institution"})
    shown.full_clean()
    hidden.full_clean()

    assert shown.hidden_questions == set()
    assert hidden.hidden_questions == {"B1"}


def test_a_condition_may_look_at_a_ranking_of_the_same_section() -> None:
    ranked = section(
        question("R1", Kind.RANKING, choices=choices("a", "b", "c")),
        question("Q2", Kind.TEXT, show_if={"question": "R1", "contains": "c"}),
    )

    shown = build_form(ranked, {"R1.rank1": "c"})
    hidden = build_form(ranked, {"R1.rank1": "a", "R1.rank2": "b"})
    shown.full_clean()
    hidden.full_clean()

    assert shown.hidden_questions == set()
    assert hidden.hidden_questions == {"Q2"}


def test_an_unbound_form_decides_visibility_from_its_initial_answers() -> None:
    answers = {("Q1", "", ""): AnswerValue("yes")}
    initial = answers_to_data(CONDITIONAL, {}, answers)

    form = build_form(CONDITIONAL, initial=initial)
    form.compute_visibility()

    assert form.hidden_questions == set()


# --- Choices: exclusive options, "other, please specify", limits ---------------------------------

CHOOSING = section(
    question("Q1", Kind.MULTIPLE_CHOICE, choices=choices("a", "b", "none", exclusive="none")),
    question("Q2", Kind.SINGLE_CHOICE, choices=choices("a", "other", other="other")),
    question("Q3", Kind.MULTIPLE_CHOICE, choices=choices("a", "b", "other", other="other")),
    question("Q4", Kind.MULTIPLE_CHOICE, choices=choices("a", "b", "c"),
             validation={"max_choices": 2}),
)  # fmt: skip


def test_an_exclusive_option_cannot_be_combined() -> None:
    form = build_form(CHOOSING, {"Q1": ["a", "none"]})

    assert errors_of(form) == {"Q1": ["\u201cNone\u201d cannot be combined with other options."]}


def test_an_exclusive_option_alone_is_valid() -> None:
    form = build_form(CHOOSING, {"Q1": ["none"]})

    assert form.is_valid(), form.errors
    assert form.cleaned_answers()[("Q1", "", "")].value == ["none"]


def test_other_please_specify_requires_its_text() -> None:
    form = build_form(CHOOSING, {"Q2": "other", "Q3": ["a", "other"]})

    assert errors_of(form) == {
        "Q2.other": ["Please specify the other answer."],
        "Q3.other": ["Please specify the other answer."],
    }


def test_other_please_specify_is_stored_with_the_choice() -> None:
    form = build_form(
        CHOOSING,
        {"Q2": "other", "Q2.other": "Tax records", "Q3": ["other", "a"], "Q3.other": "Surveys"},
    )

    assert form.is_valid(), form.errors
    answers = form.cleaned_answers()
    assert answers[("Q2", "", "")].value == {"choice": "other", "other": "Tax records"}
    # Choices are stored in the order of the list, whatever the order posted.
    assert answers[("Q3", "", "")].value == {"choices": ["a", "other"], "other": "Surveys"}


def test_a_text_for_other_without_choosing_other_is_ignored() -> None:
    form = build_form(CHOOSING, {"Q2": "a", "Q2.other": "Something", "Q3": ["a"], "Q3.other": "X"})

    assert form.is_valid(), form.errors
    answers = form.cleaned_answers()
    assert answers[("Q2", "", "")].value == "a"
    assert answers[("Q3", "", "")].value == ["a"]


def test_max_choices_limits_a_multiple_choice() -> None:
    form = build_form(CHOOSING, {"Q4": ["a", "b", "c"]})

    assert errors_of(form) == {"Q4": ["Choose at most 2 options."]}


def test_an_unknown_option_is_refused_in_plain_words() -> None:
    form = build_form(CHOOSING, {"Q1": ["a", "zzz"], "Q2": "zzz"})

    assert errors_of(form) == {
        "Q1": ["Choose only options from the list."],
        "Q2": ["Choose one of the options listed."],
    }


# --- Rankings ------------------------------------------------------------------------------------

RANKING = section(
    question("R1", Kind.RANKING, choices=choices("a", "b", "c", "d"), required=True,
             validation={"max_choices": 3}),
)  # fmt: skip


def test_a_ranking_is_stored_in_rank_order() -> None:
    form = build_form(RANKING, {"R1.rank1": "c", "R1.rank2": "a"})

    assert form.is_valid(), form.errors
    assert form.cleaned_answers()[("R1", "", "")].value == ["c", "a"]


def test_a_ranking_must_be_filled_in_order() -> None:
    form = build_form(RANKING, {"R1.rank1": "c", "R1.rank3": "a"})

    assert errors_of(form) == {"R1": ["Fill the ranks in order, starting with the first."]}


def test_an_option_can_be_ranked_only_once() -> None:
    form = build_form(RANKING, {"R1.rank1": "c", "R1.rank2": "c"})

    assert errors_of(form) == {"R1": ["Each option can be ranked only once."]}


def test_a_required_ranking_left_blank_needs_an_answer() -> None:
    form = build_form(RANKING, {})

    assert errors_of(form) == {"R1": [NEEDS_ANSWER]}
    assert form.non_field_errors() == []


# --- Grids ---------------------------------------------------------------------------------------

SOURCES = grid(
    "C1",
    (
        column("exists", Kind.YES_NO, required=True),
        column("owner", Kind.TEXT, show_if={"column": "exists", "eq": "yes"}),
        column("latest_year", Kind.YEAR, validation={"min": 1950, "max": 2035},
               special_values=("not_available",), show_if={"column": "exists", "eq": "yes"}),
    ),
    rows=rows("S01", "S02", "S19", other="S19"),
    required=True,
)  # fmt: skip


def test_grid_cells_hidden_by_a_column_condition_are_not_validated() -> None:
    form = build_form(
        section(SOURCES),
        {"C1.S01.exists": "no", "C1.S01.latest_year": "not a year", "C1.S02.exists": "yes"},
    )

    assert form.is_valid(), form.errors
    # S19 has no answer either: its cells wait for "exists" too.
    assert form.hidden_cells == {
        ("C1", row, column) for row in ("S01", "S19") for column in ("owner", "latest_year")
    }
    answers = form.cleaned_answers()
    assert ("C1", "S01", "latest_year") not in answers  # kept as stored
    assert answers[("C1", "S01", "exists")].value == "no"


def test_grid_cells_shown_by_their_row_are_validated() -> None:
    form = build_form(section(SOURCES), {"C1.S02.exists": "yes", "C1.S02.latest_year": "1900"})

    assert errors_of(form) == {"C1.S02.latest_year": ["Enter a year from 1950 to 2035."]}


def test_a_required_column_is_required_only_in_started_rows() -> None:
    form = build_form(section(SOURCES), {"C1.S01.exists": "yes", "C1.S02.latest_year.status": ""})

    assert form.is_valid(), form.errors


def test_a_row_started_elsewhere_needs_its_required_cells() -> None:
    always_shown = grid(
        "G1",
        (column("name", Kind.TEXT, required=True), column("year", Kind.YEAR)),
        rows=rows("r1", "r2"),
    )

    form = build_form(section(always_shown), {"G1.r1.year": "2020"})

    assert errors_of(form) == {"G1.r1.name": [NEEDS_ANSWER]}


def test_an_unticked_box_does_not_start_a_row() -> None:
    members = grid(
        "A10",
        (column("member", Kind.CHECKBOX), column("since", Kind.YEAR, required=True)),
        rows=rows("nso", "interior"),
    )

    assert build_form(section(members), {}).is_valid()
    assert errors_of(build_form(section(members), {"A10.nso.member": "on"})) == {
        "A10.nso.since": [NEEDS_ANSWER]
    }


def test_a_required_grid_left_blank_needs_an_answer() -> None:
    form = build_form(section(SOURCES), {})

    assert errors_of(form) == {"C1": [NEEDS_ANSWER]}


def test_an_other_row_must_be_named_once_it_has_answers() -> None:
    form = build_form(section(SOURCES), {"C1.S19.exists": "yes"})

    assert errors_of(form) == {"C1.S19._label": ["Say what \u201cS19\u201d is."]}


def test_the_name_of_an_other_row_is_an_answer() -> None:
    form = build_form(section(SOURCES), {"C1.S19.exists": "yes", "C1.S19._label": "Tax records"})

    assert form.is_valid(), form.errors
    assert form.cleaned_answers()[("C1", "S19", "_label")] == AnswerValue("Tax records")


def test_a_cell_with_a_value_and_a_special_value_is_an_error() -> None:
    form = build_form(
        section(SOURCES),
        {
            "C1.S01.exists": "yes",
            "C1.S01.latest_year": "2020",
            "C1.S01.latest_year.status": "not_available",
        },
    )

    assert errors_of(form) == {
        "C1.S01.latest_year.status": [
            "Give either an answer or a reason there is none (Not available), not both."
        ]
    }


def test_max_ticked_allows_one_chair() -> None:
    chair = grid(
        "A10",
        (column("member", Kind.CHECKBOX), column("chair", Kind.CHECKBOX,
                                                  validation={"max_ticked": 1})),
        rows=rows("nso", "interior", "labour"),
    )  # fmt: skip

    one = build_form(section(chair), {"A10.nso.chair": "on", "A10.interior.member": "on"})
    two = build_form(section(chair), {"A10.nso.chair": "on", "A10.labour.chair": "on"})

    assert one.is_valid(), one.errors
    assert one.cleaned_answers()[("A10", "nso", "chair")].value is True
    assert one.cleaned_answers()[("A10", "labour", "chair")].value is None
    assert errors_of(two) == {"A10": ["Tick at most 1 row in \u201cChair\u201d."]}


def test_max_choices_limits_a_multiple_choice_cell() -> None:
    topics = grid(
        "G1",
        (column("topics", Kind.MULTIPLE_CHOICE, choices=choices("a", "b", "c"),
                validation={"max_choices": 1}),),
        rows=rows("r1"),
    )  # fmt: skip

    form = build_form(section(topics), {"G1.r1.topics": ["a", "b"]})

    assert errors_of(form) == {"G1.r1.topics": ["Choose at most 1 option."]}


# --- Validation rules ----------------------------------------------------------------------------

CENSUS = grid(
    "C2",
    (
        column("latest", Kind.YEAR, validation={"min": 1950, "max": 2035}),
        column("next", Kind.YEAR, validation={"min": 1950, "max": 2035},
               special_values=("not_available",)),
    ),
    rows=rows("census"),
    validation={"rules": [{
        "check": {"cell": "C2.census.next", "gt": {"cell": "C2.census.latest"}},
        "message": "The next census must come after the latest one.",
    }]},
)  # fmt: skip


@pytest.mark.parametrize(
    ("data", "valid"),
    [
        ({"C2.census.latest": "2020", "C2.census.next": "2030"}, True),
        ({"C2.census.latest": "2020", "C2.census.next": "2020"}, False),
        ({"C2.census.latest": "2020", "C2.census.next": "2010"}, False),
        # A rule is checked once both answers it compares are given.
        ({"C2.census.latest": "2020"}, True),
        ({"C2.census.next": "2030"}, True),
        ({"C2.census.latest": "2020", "C2.census.next.status": "not_available"}, True),
        ({}, True),
    ],
)
def test_the_next_census_must_come_after_the_latest(data: dict, valid: bool) -> None:
    form = build_form(section(CENSUS), data)

    if valid:
        assert form.is_valid(), form.errors
    else:
        assert errors_of(form) == {"C2": ["The next census must come after the latest one."]}
        assert form.non_field_errors() == []


def test_the_real_census_rule(questionnaire: QuestionnaireDef) -> None:
    data = {"C1.S01.exists": "yes", "C2.census.latest": "2022", "C2.census.next": "2021"}

    form = build_form(
        questionnaire.section("C"), data, questions=questionnaire.questions, enforce_required=False
    )

    assert errors_of(form) == {"C2": ["The next census must come after the latest one."]}


def test_a_rule_naming_a_column_holds_in_every_row() -> None:
    surveys = grid(
        "G1",
        (column("start", Kind.YEAR), column("end", Kind.YEAR)),
        rows=rows("r1", "r2"),
        validation={"rules": [{"check": {"column": "end", "ge": {"column": "start"}},
                               "message": "A survey cannot end before it starts."}]},
    )  # fmt: skip

    good = build_form(section(surveys), {"G1.r1.start": "2010", "G1.r1.end": "2012"})
    bad = build_form(
        section(surveys),
        {"G1.r1.start": "2010", "G1.r1.end": "2012", "G1.r2.start": "2015", "G1.r2.end": "2014"},
    )

    assert good.is_valid(), good.errors
    assert errors_of(bad) == {"G1": ["A survey cannot end before it starts."]}


# --- Rows of grids: added by the respondent, derived from another answer -------------------------

INSTITUTIONS = respondent_grid(
    "A11",
    (column("name", Kind.TEXT, required=True), column("type", Kind.SINGLE_CHOICE,
                                                       choices=choices("nso", "interior"))),
    max_rows=3,
)  # fmt: skip


def row_codes(grid_rows: tuple) -> list[str]:
    return [row.code for row in grid_rows]


def test_respondent_rows_are_the_answered_rows_and_one_to_fill() -> None:
    answers = {
        ("A11", "r1", "name"): AnswerValue("NSO"),
        ("A11", "r3", "name"): AnswerValue("Interior"),
        ("A11", "r2", "name"): AnswerValue(None),
    }

    grid_rows = resolve_grid_rows(section(INSTITUTIONS), {}, answers)["A11"]

    assert row_codes(grid_rows) == ["r1", "r3", "r4"]
    assert [row.label for row in grid_rows] == ["Row 1", "Row 2", "Row 3"]


def test_a_posted_form_keeps_its_rows_and_add_row_adds_one() -> None:
    grid_rows = resolve_grid_rows(
        section(INSTITUTIONS), {}, {}, submitted_rows={"A11": "r1,r2"}, added_row="A11"
    )["A11"]

    assert row_codes(grid_rows) == ["r1", "r2", "r3"]


def test_respondent_rows_stop_at_their_maximum_and_ignore_strange_codes() -> None:
    full = resolve_grid_rows(
        section(INSTITUTIONS), {}, {}, submitted_rows={"A11": "r1,r2,r3,r4"}, added_row="A11"
    )["A11"]
    strange = resolve_grid_rows(
        section(INSTITUTIONS), {}, {}, submitted_rows={"A11": "x,r2,,r2,s5,r0"}
    )["A11"]

    assert row_codes(full) == ["r1", "r2", "r3"]
    assert row_codes(strange) == ["r2"]


def test_rows_posted_with_rows_are_validated_and_answered() -> None:
    form = build_form(
        section(INSTITUTIONS),
        {"A11._rows": "r1,r2", "A11.r1.name": "NSO", "A11.r2.type": "interior"},
        submitted_rows={"A11": "r1,r2"},
    )

    assert errors_of(form) == {"A11.r2.name": [NEEDS_ANSWER]}
    assert [name for name in form.fields if name.startswith("A11.r")] == [
        "A11.r1.name",
        "A11.r1.type",
        "A11.r2.name",
        "A11.r2.type",
    ]


def test_b4_rows_are_the_sources_marked_as_existing_in_c1(questionnaire: QuestionnaireDef) -> None:
    answers = {
        ("C1", "S01", "exists"): AnswerValue("yes"),
        ("C1", "S02", "exists"): AnswerValue("no"),
        ("C1", "S09", "exists"): AnswerValue("dont_know"),
        ("C1", "S19", "exists"): AnswerValue("yes"),
        ("C1", "S19", "_label"): AnswerValue("Tax records"),
    }

    grid_rows = resolve_grid_rows(questionnaire.section("B"), questionnaire.questions, answers)

    assert [(row.code, row.label) for row in grid_rows["B4"]] == [
        ("S01", "Population and housing census"),
        ("S19", "Tax records"),
    ]
    assert grid_rows["B16"] == grid_rows["B4"]


def test_a12_rows_are_the_a11_institutions_other_than_the_nso_labelled_by_name(
    questionnaire: QuestionnaireDef,
) -> None:
    answers = {
        # A11 is asked when the return is consolidated.
        ("A2", "", ""): AnswerValue("consolidated"),
        ("A11", "r1", "name"): AnswerValue("Kenya National Bureau of Statistics"),
        ("A11", "r1", "type"): AnswerValue("nso"),
        ("A11", "r2", "name"): AnswerValue("Ministry of Interior"),
        ("A11", "r2", "type"): AnswerValue("interior"),
        ("A11", "r4", "name"): AnswerValue("Central Bank"),
    }

    grid_rows = resolve_grid_rows(questionnaire.section("A"), questionnaire.questions, answers)

    assert [(row.code, row.label) for row in grid_rows["A12"]] == [
        ("r2", "Ministry of Interior"),
        ("r4", "Central Bank"),
    ]


def test_a_derived_grid_without_rows_is_hidden_and_not_validated(
    questionnaire: QuestionnaireDef,
) -> None:
    form = build_form(questionnaire.section("B"), {}, questions=questionnaire.questions)
    form.full_clean()

    assert {"B4", "B16"} <= form.hidden_questions
    assert not any(name.startswith(("B4.", "B16.")) for name in form.errors)


def test_a_derived_grid_with_rows_is_shown_and_answered(questionnaire: QuestionnaireDef) -> None:
    answers = {("C1", "S04", "exists"): AnswerValue("yes")}
    form = build_form(
        questionnaire.section("B"),
        {"B4.S04.min_stay": "T12", "B4.S04.criteria": ["country_of_birth", "citizenship"]},
        answers=answers,
        questions=questionnaire.questions,
        enforce_required=False,
    )

    assert form.is_valid(), form.errors
    assert "B4" not in form.hidden_questions
    assert form.cleaned_answers()[("B4", "S04", "criteria")].value == [
        "country_of_birth",
        "citizenship",
    ]


# --- Messages a respondent understands -----------------------------------------------------------

MESSAGES = section(
    question("N1", Kind.INTEGER, validation={"min": 0, "max": 1_000_000}),
    question("N2", Kind.DECIMAL, validation={"min": 0, "max": 500, "decimal_places": 1}),
    question("N3", Kind.PERCENTAGE),
    question("N4", Kind.YEAR),
    question("N5", Kind.DATE, validation={"min": "2025-01-01", "max": "2030-12-31"}),
    question("N6", Kind.EMAIL),
    question("N7", Kind.URL),
    question("N8", Kind.TEXT, validation={"max_length": 5}),
)


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("N1", "12.5", "Enter a whole number, such as 1250."),
        ("N1", "-1", "Enter a whole number from 0 to 1000000."),
        ("N1", "1000001", "Enter a whole number from 0 to 1000000."),
        ("N2", "1,5", "Enter a number, such as 12.5 (use a point for decimals)."),
        ("N2", "12.25", "Give at most 1 digit after the decimal point."),
        ("N2", "500.5", "Enter a number from 0 to 500."),
        ("N2", "NaN", "Enter a number, such as 12.5 (use a point for decimals)."),
        ("N3", "100.01", "Enter a percentage from 0 to 100."),
        ("N4", "24", "Enter a year from 1900 to 2100."),
        ("N4", "two thousand", "Enter a year with four digits, such as 2024."),
        ("N5", "31/03/2026", "Enter a real date: day, month and year, such as 31 3 2026."),
        ("N5", "2024-12-31", "Enter a date on or after 2025-01-01."),
        ("N5", "2031-01-01", "Enter a date on or before 2030-12-31."),
        ("N5", "2026-02-30", "Enter a real date: day, month and year, such as 31 3 2026."),
        ("N6", "name.example.org", "Enter an e-mail address, such as name@example.org."),
        ("N7", "ftp://example.org/file", "Enter a web address, such as https://www.example.org."),
        ("N7", "not a web address", "Enter a web address, such as https://www.example.org."),
        ("N8", "abcdefg", "Shorten this answer to 5 characters or fewer (it has 7)."),
        ("N8", "a\x00b", "This answer contains a control character that cannot be saved; "
                         "type it again."),
    ],
)  # fmt: skip
def test_errors_are_messages_a_respondent_understands(name: str, typed: str, message: str) -> None:
    form = build_form(MESSAGES, {name: typed})

    assert errors_of(form) == {name: [message]}


@pytest.mark.parametrize(
    ("name", "typed", "stored"),
    [
        ("N1", " 1250 ", 1250),
        ("N2", "12.5", "12.5"),
        ("N3", "0.000001", "0.000001"),
        ("N5", "2026-03-31", "2026-03-31"),
        ("N7", "www.example.org/data", "https://www.example.org/data"),
        ("N7", "http://example.org", "http://example.org"),
    ],
)
def test_valid_answers_are_stored_as_json(name: str, typed: str, stored: object) -> None:
    form = build_form(MESSAGES, {name: typed})

    assert form.is_valid(), form.errors
    assert form.cleaned_answers()[(name, "", "")].value == stored


def test_an_email_or_web_address_may_be_shorter_than_the_default() -> None:
    short = section(
        question("E1", Kind.EMAIL, validation={"max_length": 20}),
        question("U1", Kind.URL, validation={"max_length": 20}),
    )

    form = build_form(
        short, {"E1": "someone@statistics.example.org", "U1": "https://example.org/a/b/c"}
    )

    assert errors_of(form) == {
        "E1": ["An e-mail address here has at most 20 characters."],
        "U1": ["Shorten this web address to 20 characters or fewer."],
    }


def test_an_invalid_cell_of_a_required_grid_is_the_only_error() -> None:
    form = build_form(section(SOURCES), {"C1.S01.exists": "maybe"})

    assert errors_of(form) == {"C1.S01.exists": ["Choose one of the options listed."]}


def test_a_date_bound_may_be_a_date() -> None:
    dated = section(question("D1", Kind.DATE, validation={"min": datetime.date(2025, 1, 1)}))

    assert errors_of(build_form(dated, {"D1": "2024-01-01"})) == {
        "D1": ["Enter a date on or after 2025-01-01."]
    }


def test_the_form_class_is_built_from_the_definition_without_the_database() -> None:
    form_class = SectionFormBuilder(CONDITIONAL, {}).get_form_class()

    assert form_class.__name__ == "SectionTForm"
    assert form_class.section is CONDITIONAL
    assert Question.RowSource.FIXED == "fixed"
