"""Property: any valid reply, downloaded and uploaded unchanged, changes nothing; values typed
into the workbook arrive exactly as the engine reads them from the web form."""

import datetime
from decimal import Decimal

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from consultation.definition import YES_NO_CHOICES, SectionDef
from consultation.formbuilder import SectionFormBuilder, ranking_size, resolve_grid_rows
from consultation.models import Kind
from responses.answers.services import AnswerEdit, load_answers, save_answers
from responses.models import Answer, AnswerChange
from responses.offline.services import apply_workbook, preview_workbook
from tests.responses.offline.helpers import download, type_into

pytestmark = pytest.mark.django_db

SECTIONS = {"A", "F"}
TEXT_QUESTIONS = ("A3",)
DATE_QUESTIONS = ("A6",)
# Text a person may type: accents, line breaks, and what a spreadsheet would take for a formula.
texts = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
    | st.sampled_from(["\n", "=", "+", "-", "@"]),
    min_size=1,
    max_size=40,
).filter(lambda text: text.strip() == text and text.strip())


def plain_choices(choices):
    return [choice.code for choice in choices if not choice.is_exclusive and not choice.is_other]


@st.composite
def form_data(draw, section: SectionDef) -> dict:
    """Form data for the questions of section F (and two of A), mostly valid."""
    data: dict = {}
    for question in section.questions:
        code = question.code
        if section.code == "A":
            if code in TEXT_QUESTIONS:
                data[code] = draw(st.one_of(st.just(""), texts))
            elif code in DATE_QUESTIONS:
                day = draw(st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 12, 31)))
                data[code] = draw(st.sampled_from(["", day.isoformat()]))
            continue
        if question.kind == Kind.YES_NO:
            data[code] = draw(st.sampled_from(["", *(value for value, _label in YES_NO_CHOICES)]))
        elif question.kind == Kind.DECIMAL:
            tenths = draw(st.integers(0, 5000))
            status = draw(st.sampled_from(["", "", *question.special_values]))
            if status:
                data[f"{code}.status"] = status
            else:
                data[code] = str(Decimal(tenths) / 10)
        elif question.kind == Kind.SINGLE_CHOICE:
            data[code] = draw(st.sampled_from(["", *plain_choices(question.choices)]))
        elif question.kind == Kind.MULTIPLE_CHOICE:
            data[code] = draw(
                st.lists(st.sampled_from(plain_choices(question.choices)), unique=True)
            )
            limit = question.validation.get("max_choices")
            if limit:
                data[code] = data[code][:limit]
        elif question.kind == Kind.RANKING:
            ranks = draw(
                st.lists(
                    st.sampled_from([choice.code for choice in question.choices]),
                    unique=True,
                    max_size=ranking_size(question),
                )
            )
            for n, rank in enumerate(ranks, start=1):
                data[f"{code}.rank{n}"] = rank
        elif question.is_grid:
            for row in question.rows:
                for column in question.columns:
                    if column.kind == Kind.SINGLE_CHOICE:
                        data[f"{code}.{row.code}.{column.code}"] = draw(
                            st.sampled_from(["", *plain_choices(column.choices)])
                        )
        if question.allows_note and draw(st.booleans()):
            data[f"{code}.note"] = draw(texts)
    return data


def cleaned(questionnaire, section_code: str, data: dict):
    """The engine's answers for the form data, or None if the engine refuses it."""
    section = questionnaire.section(section_code)
    rows = resolve_grid_rows(section, questionnaire.questions, {})
    query = QueryDict(mutable=True)
    for name, value in data.items():
        if isinstance(value, list):
            query.setlist(name, value)
        elif value != "":
            query[name] = value
    form = SectionFormBuilder(section, rows).get_form_class()(query, enforce_required=False)
    if not form.is_valid():
        return None
    return form.cleaned_answers()


def same_answer(stored, expected) -> bool:
    if stored.status != expected.status or (stored.note or "") != (expected.note or ""):
        return False
    if isinstance(expected.value, str) and isinstance(stored.value, str):
        try:
            return Decimal(stored.value) == Decimal(expected.value)
        except ArithmeticError:
            pass
    return stored.value == expected.value


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_reply_goes_to_excel_and_back_unchanged_and_typed_values_arrive_exactly(
    world, questionnaire, data
):
    Answer.objects.filter(country_return=world.return_a).delete()
    first = {code: data.draw(form_data(questionnaire.section(code))) for code in sorted(SECTIONS)}
    second = {code: data.draw(form_data(questionnaire.section(code))) for code in sorted(SECTIONS)}
    first_answers = {code: cleaned(questionnaire, code, first[code]) for code in SECTIONS}
    second_answers = {code: cleaned(questionnaire, code, second[code]) for code in SECTIONS}
    assume(all(first_answers.values()) and all(second_answers.values()))
    for code, answers in first_answers.items():
        save_answers(
            country_return=world.return_a,
            authority=world.nso_a,
            section=questionnaire.section(code),
            edits=[AnswerEdit(key, value, 0) for key, value in answers.items()],
            user=world.focal_point_a,
            channel=AnswerChange.Channel.WEB,
        )
    before = {key: (a.value, a.version) for key, a in _stored(world, questionnaire).items()}

    unchanged = download(world.focal_point_a, world.return_a, only=SECTIONS)
    preview = preview_workbook(content=unchanged, user=world.focal_point_a)

    counts = preview.counts()
    assert [entry.line() for entry in preview.entries] == []
    assert counts["unchanged"] == sum(
        not v.is_blank for a in first_answers.values() for v in a.values()
    )

    typed = type_into(unchanged, {**second["A"], **second["F"]}, SECTIONS)
    apply_workbook(content=typed, user=world.focal_point_a)

    stored = _stored(world, questionnaire)
    for answers in second_answers.values():
        for key, expected in answers.items():
            if key in stored:
                assert same_answer(stored[key].value, expected), (key, stored[key], expected)
            else:
                assert expected.is_blank, (key, expected)
    moved = [
        key for key, answer in stored.items() if before.get(key, (None, 0))[1] != answer.version
    ]
    assert AnswerChange.objects.filter(channel="excel").count() == len(moved)


def _stored(world, questionnaire):
    return load_answers(
        country_return=world.return_a, authority=world.nso_a, questionnaire=questionnaire
    )
