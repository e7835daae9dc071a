"""The HTML of a section: every input labelled, ids unique, values escaped, errors in page order."""

import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from consultation.definition import QuestionnaireDef
from consultation.models import Kind
from consultation.rendering import SectionRenderer
from tests.consultation.definitions import (
    build_form,
    choices,
    column,
    grid,
    question,
    rows,
    section,
)


class Page(HTMLParser):
    """The ids, labels and form controls of a piece of HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.label_targets: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids[str(attributes["id"])] += 1
        if tag == "label" and attributes.get("for"):
            self.label_targets.add(str(attributes["for"]))
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append({"tag": tag, **attributes})

    def unlabelled(self) -> list[str]:
        """Controls with neither a <label for> nor an aria-labelledby naming existing ids."""
        missing = []
        for control in self.controls:
            labelled_by = str(control.get("aria-labelledby") or "").split()
            if control.get("id") in self.label_targets:
                continue
            if labelled_by and all(self.ids[item] for item in labelled_by):
                continue
            missing.append(str(control.get("name")))
        return missing


def render(form, **options) -> str:
    return str(SectionRenderer(form, **options).render())


def test_every_input_of_every_section_is_labelled_and_every_id_unique(
    questionnaire: QuestionnaireDef,
) -> None:
    html = "".join(
        render(build_form(section_def, questions=questionnaire.questions))
        for section_def in questionnaire.sections
    )

    page = Page(html)

    assert len(page.controls) > 1500
    assert page.unlabelled() == []
    assert [name for name, count in page.ids.items() if count > 1] == []


def test_described_by_names_the_help_and_the_error() -> None:
    form = build_form(
        section(question("Q1", Kind.INTEGER, help_text="In thousands.", required=True)), {}
    )

    html = render(form)

    assert 'aria-describedby="help-Q1 f-Q1-error"' in html
    assert 'aria-invalid="true"' in html
    assert '<p class="error-message" id="f-Q1-error">' in html


def test_typed_text_is_escaped() -> None:
    form = build_form(section(question("Q1", Kind.TEXT)), {"Q1": '"><script>alert(1)</script>'})

    html = render(form)

    assert "<script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_chosen_values_are_selected_and_checked() -> None:
    many = choices(*(f"c{number}" for number in range(1, 12)))
    form = build_form(
        section(
            question("Q1", Kind.SINGLE_CHOICE, choices=many),
            grid(
                "G1",
                (
                    column("pick", Kind.SINGLE_CHOICE, choices=many),
                    column("ticks", Kind.MULTIPLE_CHOICE, choices=many),
                ),
                rows=rows("r1", "r2"),
            ),
        ),
        {"Q1": "c10", "G1.r2.pick": "c1", "G1.r1.ticks": ["c2", "c11"]},
    )

    html = render(form)

    assert html.count(" selected>") == 2
    assert '<option value="c10" selected>' in html
    assert html.count(" checked") == 2
    assert 'id="f-G1.r1.ticks-c11" value="c11" checked' in html


def test_read_only_disables_every_input() -> None:
    form = build_form(section(question("Q1", Kind.TEXT), question("Q2", Kind.YES_NO)))

    page = Page(render(form, read_only=True))

    assert page.controls
    assert all("disabled" in control for control in page.controls)


def test_the_error_summary_follows_the_page_order() -> None:
    form = build_form(
        section(
            question("Q1", Kind.INTEGER),
            question("R1", Kind.RANKING, choices=choices("a", "b"), required=True),
            grid(
                "G1",
                (column("year", Kind.YEAR), column("chair", Kind.CHECKBOX,
                                                    validation={"max_ticked": 1})),
                rows=rows("r1", "r2"),
            ),
            question("Q2", Kind.TEXT, required=True),
        ),
        {"Q1": "x", "G1.r1.chair": "on", "G1.r2.chair": "on", "G1.r2.year": "1"},
    )  # fmt: skip

    summary = SectionRenderer(form).error_summary()

    assert summary == [
        ("f-Q1", "Q1", "Enter a whole number, such as 1250."),
        ("q-R1", "R1", "This question needs an answer."),
        ("q-G1", "G1", "Tick at most 1 row in \u201cChair\u201d."),
        ("f-G1.r2.year", "G1", "Enter a year from 1900 to 2100."),
        ("f-Q2", "Q2", "This question needs an answer."),
    ]


@pytest.mark.parametrize("read_only", [False, True])
def test_a_hidden_question_and_cell_are_rendered_hidden(read_only: bool) -> None:
    form = build_form(
        section(
            question("Q1", Kind.YES_NO),
            question("Q2", Kind.TEXT, show_if={"question": "Q1", "eq": "yes"}),
            grid(
                "G1",
                (column("exists", Kind.YES_NO),
                 column("year", Kind.YEAR, show_if={"column": "exists", "eq": "yes"})),
                rows=rows("r1", "r2"),
            ),
        ),
        {"G1.r1.exists": "yes"},
    )  # fmt: skip

    html = render(form, read_only=read_only)

    assert re.search(r'<section class="question" id="q-Q2" [^>]*data-show-if="[^"]+" hidden>', html)
    assert re.search(r'<section class="question" id="q-Q1" [^>]*data-kind="yes_no">', html)
    assert html.count('<div class="cell" hidden>') == 1
    assert '<td data-column="year" data-show-if="{&quot;column&quot;: &quot;exists&quot;' in html
