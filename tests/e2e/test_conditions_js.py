"""conditions.js gives the browser the same answers as conditions.py, case by case."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page

from consultation.conditions import AnswerLookup, evaluate
from consultation.models import Kind
from consultation.rendering import SectionRenderer
from tests.consultation.condition_cases import CASES
from tests.consultation.definitions import (
    build_form,
    choices,
    column,
    grid,
    question,
    rows,
    section,
)

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "consultation" / "conditions.js"

# An Answers-like object over a plain mapping, so that the evaluator itself is tested; the
# Answers that reads form inputs is exercised by test_preview.py.
EVALUATE_ALL = """
(cases) => cases.map((c) => {
  const has = (key) => Object.prototype.hasOwnProperty.call(c.answers, key);
  const answers = {
    get(question, row, column) {
      const key = [question, row || "", column || ""].join("|");
      return has(key) ? c.answers[key] : null;
    },
    rowsOf(question) {
      const rows = new Set();
      for (const key of Object.keys(c.answers)) {
        const [q, row] = key.split("|");
        if (q === question && row) rows.add(row);
      }
      return [...rows];
    },
  };
  return window.Conditions.evaluate(c.condition, answers, c.grid, c.row);
})
"""


def python_result(case) -> bool:
    values = {tuple(key.split("|")): value for key, value in case.answers.items()}
    return evaluate(case.condition, AnswerLookup(values), grid=case.grid, row=case.row)


def test_conditions_js_agrees_with_conditions_py_on_every_case(page: Page) -> None:
    page.set_content("<!doctype html><html lang='en'><title>Conditions</title></html>")
    page.add_script_tag(path=str(SCRIPT))
    cases = [
        {"condition": case.condition, "answers": case.answers, "grid": case.grid, "row": case.row}
        for case in CASES
    ]

    browser_results = page.evaluate(EVALUATE_ALL, json.loads(json.dumps(cases)))

    disagreements = [
        (case.id, browser, python_result(case), case.expected)
        for case, browser in zip(CASES, browser_results, strict=True)
        if not (browser is python_result(case) is case.expected)
    ]
    assert not disagreements, "(case, browser, server, expected): " + repr(disagreements)


# --- What conditions see of a form: Answers in the browser, condition_lookup on the server -------

MANY = choices(*(f"c{number}" for number in range(1, 12)))
FORM_SECTION = section(
    question("Q1", Kind.YES_NO),
    question("Q2", Kind.SINGLE_CHOICE, choices=choices("a", "b", "other", other="other")),
    question("Q3", Kind.SINGLE_CHOICE, choices=MANY),
    question("Q4", Kind.MULTIPLE_CHOICE, choices=choices("a", "b", "c")),
    question("Q5", Kind.INTEGER),
    question("Q6", Kind.DATE),
    question("Q7", Kind.LONG_TEXT),
    question("Q8", Kind.RANKING, choices=choices("a", "b", "c"), validation={"max_choices": 2}),
    question("Q9", Kind.MULTIPLE_CHOICE, choices=choices("a", "b")),
    question("Q10", Kind.RANKING, choices=choices("a", "b")),
    grid(
        "G1",
        (
            column("exists", Kind.YES_NO),
            column("ticked", Kind.CHECKBOX),
            column("kinds", Kind.MULTIPLE_CHOICE, choices=choices("x", "y")),
            column("year", Kind.YEAR),
        ),
        rows=rows("r1", "r2", "r3"),
    ),
)
FORM_DATA = {
    "Q1": "no",
    "Q2": "other",
    "Q2.other": "Something",
    "Q3": "c10",
    "Q4": ["a", "c"],
    "Q5": " 12 ",
    "Q6": "2026-03-31",
    "Q7": "Two\nlines",
    "Q8.rank1": "b",
    "Q8.rank2": "a",
    "G1.r1.exists": "yes",
    "G1.r1.ticked": "on",
    "G1.r2.kinds": ["y"],
    "G1.r3.year": "2024",
}

READ_ANSWERS = """
([keys, grids]) => {
  const answers = new window.Conditions.Answers(document.querySelector("form"), {});
  return [
    keys.map(([question, row, column]) => answers.get(question, row, column)),
    grids.map((grid) => answers.rowsOf(grid).sort()),
  ];
}
"""


def test_the_browser_reads_a_form_as_the_server_does(page: Page) -> None:
    form = build_form(FORM_SECTION, FORM_DATA)
    lookup = form.condition_lookup()
    html = SectionRenderer(form).render()
    page.set_content(
        f"<!doctype html><html lang='en'><title>Form</title><form data-questionnaire>{html}</form>"
    )
    page.add_script_tag(path=str(SCRIPT))
    keys = sorted(lookup.values)

    values, grid_rows = page.evaluate(READ_ANSWERS, [[list(key) for key in keys], ["G1"]])

    assert dict(zip(keys, values, strict=True)) == {key: lookup.values[key] for key in keys}
    assert grid_rows == [sorted(lookup.rows_of("G1"))]
    assert lookup.get("Q8") == ["b", "a"]
    assert lookup.get("G1", "r1", "ticked") is True


# --- Chains, special values and other digits, as the respondent types ------------------------

LIVE_SECTION = section(
    question("Q1", Kind.YES_NO),
    question("Q2", Kind.YES_NO, show_if={"question": "Q1", "eq": "yes"}),
    question("Q3", Kind.YES_NO, show_if={"question": "Q2", "eq": "yes"}),
    question("Q4", Kind.TEXT, show_if={"question": "Q3", "answered": True}),
    question("M1", Kind.INTEGER, special_values=("not_applicable", "not_available")),
    question("M2", Kind.TEXT, show_if={"question": "M1", "answered": True}),
    question("M3", Kind.TEXT, show_if={"question": "M1", "marked": "not_applicable"}),
    question("M4", Kind.TEXT, show_if={"question": "M1", "gt": 10}),
)


def open_live_form(page: Page, data: dict) -> None:
    form = build_form(LIVE_SECTION, data)
    html = SectionRenderer(form).render()
    page.set_content(
        f"<!doctype html><html lang='en'><title>Form</title><form data-questionnaire>{html}</form>"
    )
    page.add_script_tag(path=str(SCRIPT))


def hidden_questions(page: Page) -> set[str]:
    return set(
        page.evaluate(
            "() => [...document.querySelectorAll('section.question')]"
            ".filter((s) => s.hidden).map((s) => s.dataset.question)"
        )
    )


def test_the_browser_hides_a_whole_chain_when_its_first_link_hides(page: Page) -> None:
    open_live_form(page, {"Q1": "yes", "Q2": "yes", "Q3": "no"})
    assert not {"Q2", "Q3", "Q4"} & hidden_questions(page)

    page.locator('input[name="Q1"][value="no"]').check()

    assert {"Q2", "Q3", "Q4"} <= hidden_questions(page)
    # The hidden answers are kept: showing Q2 again brings the chain back.
    page.locator('input[name="Q1"][value="yes"]').check()
    assert not {"Q2", "Q3", "Q4"} & hidden_questions(page)


def test_the_browser_sees_a_special_value_as_the_server_does(page: Page) -> None:
    open_live_form(page, {})
    assert {"M2", "M3", "M4"} <= hidden_questions(page)

    page.locator('select[name="M1.status"]').select_option("not_applicable")
    assert not {"M2", "M3"} & hidden_questions(page)
    assert "M4" in hidden_questions(page)

    page.locator('select[name="M1.status"]').select_option("not_available")
    assert "M3" in hidden_questions(page)
    assert "M2" not in hidden_questions(page)
    server = build_form(LIVE_SECTION, {"M1.status": "not_available"})
    server.full_clean()
    assert server.hidden_questions & {"M2", "M3", "M4"} == {"M3", "M4"}


def test_the_browser_reads_other_digits_as_the_server_does(page: Page) -> None:
    open_live_form(page, {})

    page.locator('input[name="M1"]').fill("\u0661\u0662")

    assert "M4" not in hidden_questions(page)
    server = build_form(LIVE_SECTION, {"M1": "\u0661\u0662"})
    server.full_clean()
    assert "M4" not in server.hidden_questions
