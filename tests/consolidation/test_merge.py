"""Property tests of the merge: any mix of equal, different, missing and marked replies."""

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consolidation.merge import (
    KeyKind,
    MergeStatus,
    comparable,
    merge_key,
    merge_replies,
    normalise,
)
from consultation.definition import QuestionnaireDef
from consultation.formbuilder import AnswerValue
from consultation.models import Kind
from tests.consultation.definitions import choices, column, grid, question, rows, section

# A reply means one of a few things; each meaning can be typed in several ways.
NUMBERS = [0, 7, 25, 1000]
CHOICE_SETS = [("a",), ("a", "b"), ("b", "c"), ("a", "b", "c")]
TEXTS = ["Census 2020", "Population register", "Labour force survey"]
STATUSES = ["", "not_available", "confidential"]
NOTES = ["", "Provisional figures"]


def typed_number(draw, number):
    return draw(
        st.sampled_from([number, str(number), f"{number}.0", f" {number} ", f"{number}.00"])
    )


def typed_choices(draw, codes):
    return list(draw(st.permutations(codes)))


def typed_text(draw, text):
    return draw(st.sampled_from([text, f"  {text} ", text.replace(" ", "   ")]))


KINDS = {
    Kind.INTEGER: (NUMBERS, typed_number),
    Kind.MULTIPLE_CHOICE: (CHOICE_SETS, typed_choices),
    Kind.TEXT: (TEXTS, typed_text),
}


@st.composite
def replies_of_one_key(draw):
    """A kind, and for up to eight authorities: a meaning (None: no reply) and how it is typed."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    meanings, typed = KINDS[kind]
    authority_ids = draw(st.lists(st.integers(1, 10_000), max_size=8, unique=True))
    replies, meanings_by_authority = {}, {}
    for authority in authority_ids:
        status = draw(st.sampled_from(STATUSES))
        value_index = None if status else draw(st.none() | st.integers(0, len(meanings) - 1))
        note_index = draw(st.integers(0, len(NOTES) - 1))
        value = None if value_index is None else typed(draw, meanings[value_index])
        note = typed_text(draw, NOTES[note_index]) if NOTES[note_index] else ""
        replies[authority] = AnswerValue(value, status, note)
        if value_index is not None or status or note:
            meanings_by_authority[authority] = (value_index, status, note_index)
    return kind, replies, meanings_by_authority


def expected_groups(meanings_by_authority):
    groups = {}
    for authority, meaning in meanings_by_authority.items():
        groups.setdefault(meaning, set()).add(authority)
    return {frozenset(ids) for ids in groups.values()}


@given(replies_of_one_key())
def test_the_merge_gives_the_right_status_sources_and_groups(case):
    kind, replies, meanings = case

    merged = merge_key(KeyKind(kind), replies)

    assert merged.sources == tuple(sorted(meanings))
    groups = expected_groups(meanings)
    assert {frozenset(group.authority_ids) for group in merged.groups} == groups
    if not meanings:
        assert merged.status == MergeStatus.MISSING
        assert merged.value is None
    elif len(groups) == 1:
        assert merged.status == MergeStatus.TAKEN
        assert all(
            comparable(kind, replies[authority]) == comparable(kind, merged.value)
            for authority in meanings
        )
    else:
        assert merged.status == MergeStatus.CONFLICT
        assert merged.value is None


@given(replies_of_one_key(), st.randoms())
def test_the_merge_does_not_depend_on_the_order_of_replies(case, random):
    kind, replies, _meanings = case
    shuffled = list(replies.items())
    random.shuffle(shuffled)

    assert merge_key(KeyKind(kind), dict(shuffled)) == merge_key(KeyKind(kind), replies)


@given(replies_of_one_key())
def test_questions_about_the_institution_never_merge(case):
    kind, replies, meanings = case

    merged = merge_key(KeyKind(kind, scope="authority"), replies)

    assert merged.status in (MergeStatus.PER_AUTHORITY, MergeStatus.MISSING)
    assert merged.value is None
    assert [group.authority_ids for group in merged.groups] == [(a,) for a in sorted(meanings)]
    for group in merged.groups:
        assert group.value == replies[group.authority_ids[0]]


@given(st.sampled_from(NUMBERS), st.sampled_from(STATUSES[1:]))
def test_a_special_value_and_a_value_conflict(number, status):
    merged = merge_key(
        KeyKind(Kind.INTEGER), {1: AnswerValue(number), 2: AnswerValue(None, status)}
    )

    assert merged.status == MergeStatus.CONFLICT


@pytest.mark.parametrize(
    ("kind", "one", "other"),
    [
        (Kind.DECIMAL, "1000.50", "1000.5"),
        (Kind.DECIMAL, "1e3", 1000),
        (Kind.PERCENTAGE, "12.0", "12"),
        (Kind.MULTIPLE_CHOICE, ["b", "a"], ["a", "b"]),
        (
            Kind.MULTIPLE_CHOICE,
            {"choices": ["other", "a"], "other": "Survey "},
            {"choices": ["a", "other"], "other": "survey"},
        ),
        (Kind.EMAIL, "Focal@Example.org", "focal@example.org"),
    ],
)
def test_values_equal_after_normalisation_are_taken(kind, one, other):
    assert normalise(kind, one) == normalise(kind, other)


@pytest.mark.parametrize(
    ("kind", "one", "other"),
    [
        (Kind.RANKING, ["a", "b"], ["b", "a"]),
        (Kind.DECIMAL, "1.5", "15"),
        (Kind.TEXT, "Census", "census register"),
    ],
)
def test_different_values_stay_different(kind, one, other):
    assert normalise(kind, one) != normalise(kind, other)


def small_questionnaire(*, institution_scope=False):
    staff = question("F1", Kind.INTEGER)
    if institution_scope:
        # Until the format carries `scope`, the definition is given one by hand.
        staff = dataclasses.replace(staff)
        object.__setattr__(staff, "scope", "authority")
    questions = (
        question("A1", Kind.MULTIPLE_CHOICE, choices=choices("a", "b", "c")),
        grid("C1", (column("count", Kind.INTEGER), column("source", Kind.TEXT)), rows=rows("x")),
        staff,
    )
    return QuestionnaireDef(
        id=0, code="q", title="Q", introduction="", sections=(section(*questions),)
    )


def test_merge_replies_covers_every_question_and_cell_in_order():
    questionnaire = small_questionnaire()
    replies = {
        1: {("A1", "", ""): AnswerValue(["a", "b"]), ("C1", "x", "count"): AnswerValue(5)},
        2: {
            ("A1", "", ""): AnswerValue(["b", "a"]),
            ("C1", "x", "count"): AnswerValue("6"),
            ("C1", "r1", "count"): AnswerValue(3),
            ("GONE", "", ""): AnswerValue("dropped question"),
        },
    }

    merged = merge_replies(questionnaire, replies)

    assert list(merged) == [
        ("A1", "", ""),
        ("C1", "x", "count"),
        ("C1", "x", "source"),
        ("C1", "r1", "count"),
        ("F1", "", ""),
    ]
    assert merged[("A1", "", "")].status == MergeStatus.TAKEN
    assert merged[("A1", "", "")].sources == (1, 2)
    assert merged[("C1", "x", "count")].status == MergeStatus.CONFLICT
    assert merged[("C1", "x", "source")].status == MergeStatus.MISSING
    assert merged[("C1", "r1", "count")].sources == (2,)
    assert merged[("F1", "", "")].status == MergeStatus.MISSING


def test_merge_replies_keeps_institution_questions_apart():
    questionnaire = small_questionnaire(institution_scope=True)
    replies = {1: {("F1", "", ""): AnswerValue(12)}, 2: {("F1", "", ""): AnswerValue(40)}}

    merged = merge_replies(questionnaire, replies)[("F1", "", "")]

    assert merged.status == MergeStatus.PER_AUTHORITY
    assert [group.value.value for group in merged.groups] == [12, 40]
