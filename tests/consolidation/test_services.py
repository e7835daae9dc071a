"""Consolidating a return on the real database: taken, conflicts, resolutions, out of date."""

import pytest

from consolidation.exceptions import (
    ConsolidatedAnswerChanged,
    ConsolidationRefused,
    RepliesChanged,
)
from consolidation.models import Resolution
from consolidation.services import (
    ConsolidatedStatus,
    consolidate_return,
    consolidated_answers,
    resolve_conflict,
)
from consultation.formbuilder import AnswerValue
from consultation.models import Section
from responses.answers.services import AnswerEdit, load_answers, load_replies, save_answers
from responses.exceptions import EditRefused
from responses.models import Answer, AnswerChange, Assignment, Authority, CountryReturn

pytestmark = pytest.mark.django_db

B6 = ("B6", "", "")
C12 = ("C12", "", "")
CENSUS = ("C2", "census", "latest")


def reply(world, questionnaire, authority, key, value, user=None):
    """Save one answer of an authority's reply, as the section page would."""
    section = questionnaire.section(questionnaire.questions[key[0]].section_code)
    stored = load_answers(
        country_return=world.return_a, authority=authority, questionnaire=questionnaire
    )
    result = save_answers(
        country_return=world.return_a,
        authority=authority,
        section=section,
        edits=[AnswerEdit(key, value, stored[key].version if key in stored else 0)],
        user=user or world.focal_point_a,
        channel=AnswerChange.Channel.WEB,
    )
    assert result.saved, result


def labour_holding(world, *section_codes):
    """The Ministry of Labour, given these sections of return A too (its respondent answers)."""
    labour = Authority.objects.get(name="Ministry of Labour")
    for code in section_codes:
        Assignment.objects.get_or_create(
            country_return=world.return_a,
            section=Section.objects.get(questionnaire_id=world.round.questionnaire_id, code=code),
            authority=labour,
        )
    return labour


def replies_snapshot(world):
    return list(
        Answer.objects.filter(country_return=world.return_a, authority__isnull=False)
        .order_by("pk")
        .values_list("authority_id", "value", "status", "note", "version")
    )


def test_equal_replies_are_taken_with_every_source(world, questionnaire):
    reply(world, questionnaire, world.nso_a, CENSUS, AnswerValue(2019))
    reply(world, questionnaire, world.interior_a, CENSUS, AnswerValue("2019"), world.respondent_a)

    answer = consolidated_answers(world.return_a)[CENSUS]

    assert answer.status == ConsolidatedStatus.TAKEN
    assert answer.value == AnswerValue(2019)
    assert set(answer.taken_from) == {world.nso_a.pk, world.interior_a.pk}
    assert [source.authority_id for source in answer.sources] == [
        world.nso_a.pk,
        world.interior_a.pk,
    ]
    assert answer.sources[1].updated_by == "interior-a@example.org"


def test_no_reply_is_missing_and_a_special_value_against_a_value_is_a_conflict(
    world, questionnaire
):
    reply(world, questionnaire, world.nso_a, C12, AnswerValue("yes"))
    reply(
        world,
        questionnaire,
        world.interior_a,
        C12,
        AnswerValue(None, "not_available"),
        world.respondent_a,
    )

    answers = consolidated_answers(world.return_a)

    assert answers[B6].status == ConsolidatedStatus.MISSING
    assert answers[C12].status == ConsolidatedStatus.CONFLICT
    assert answers[C12].value is None
    assert answers[C12].needs_attention


def test_picking_a_reply_stores_the_consolidated_answer_with_its_history(world, questionnaire):
    reply(world, questionnaire, world.nso_a, C12, AnswerValue("yes"))
    reply(world, questionnaire, world.interior_a, C12, AnswerValue("no"), world.respondent_a)
    conflict = consolidated_answers(world.return_a)[C12]
    before = replies_snapshot(world)

    resolution = resolve_conflict(
        country_return=world.return_a,
        key=C12,
        user=world.focal_point_a,
        base_version=conflict.version,
        shown_versions=conflict.source_versions,
        picked_authority_id=world.interior_a.pk,
        note="The ministry runs the pilot.",
    )

    answer = consolidated_answers(world.return_a)[C12]
    assert answer.status == ConsolidatedStatus.RESOLVED
    assert answer.value == AnswerValue("no")
    assert answer.taken_from == (world.interior_a.pk,)
    assert answer.resolution == resolution
    assert resolution.resolved_by == world.focal_point_a
    assert resolution.note == "The ministry runs the pilot."
    stored = Answer.objects.get(country_return=world.return_a, authority=None)
    assert (stored.value, stored.version) == ("no", 1)
    change = AnswerChange.objects.get(answer=stored)
    assert (change.channel, change.new_value, change.changed_by) == (
        "consolidation",
        "no",
        world.focal_point_a,
    )
    assert replies_snapshot(world) == before


def test_a_reply_changed_after_the_resolution_makes_it_out_of_date(world, questionnaire):
    reply(world, questionnaire, world.nso_a, C12, AnswerValue("yes"))
    reply(world, questionnaire, world.interior_a, C12, AnswerValue("no"), world.respondent_a)
    conflict = consolidated_answers(world.return_a)[C12]
    resolve_conflict(
        country_return=world.return_a,
        key=C12,
        user=world.focal_point_a,
        base_version=0,
        shown_versions=conflict.source_versions,
        picked_authority_id=world.nso_a.pk,
    )

    reply(world, questionnaire, world.interior_a, C12, AnswerValue("dont_know"), world.respondent_a)

    answer = consolidated_answers(world.return_a)[C12]
    assert answer.status == ConsolidatedStatus.OUT_OF_DATE
    assert answer.value == AnswerValue("yes")
    assert answer.needs_attention

    resolve_conflict(
        country_return=world.return_a,
        key=C12,
        user=world.focal_point_a,
        base_version=answer.version,
        shown_versions=answer.source_versions,
        picked_authority_id=world.nso_a.pk,
    )
    assert consolidated_answers(world.return_a)[C12].status == ConsolidatedStatus.RESOLVED
    assert Resolution.objects.count() == 2


def test_an_answer_nobody_supplied_can_be_filled_in(world, questionnaire):
    resolve_conflict(
        country_return=world.return_a,
        key=CENSUS,
        user=world.focal_point_a,
        base_version=0,
        shown_versions={},
        value=AnswerValue(2009, "", "From the census report"),
    )

    answer = consolidated_answers(world.return_a)[CENSUS]
    assert answer.status == ConsolidatedStatus.RESOLVED
    assert answer.value == AnswerValue(2009, "", "From the census report")
    assert answer.sources == ()


def test_a_choice_made_on_replies_that_changed_since_changes_nothing(world, questionnaire):
    reply(world, questionnaire, world.nso_a, C12, AnswerValue("yes"))
    reply(world, questionnaire, world.interior_a, C12, AnswerValue("no"), world.respondent_a)
    shown = consolidated_answers(world.return_a)[C12]
    reply(world, questionnaire, world.interior_a, C12, AnswerValue("yes"), world.respondent_a)

    with pytest.raises(RepliesChanged):
        resolve_conflict(
            country_return=world.return_a,
            key=C12,
            user=world.focal_point_a,
            base_version=0,
            shown_versions=shown.source_versions,
            picked_authority_id=world.interior_a.pk,
        )

    assert not Answer.objects.filter(authority=None).exists()
    assert not Resolution.objects.exists()


def test_two_focal_points_resolving_at_once_never_overwrite_each_other(world, questionnaire):
    reply(world, questionnaire, world.nso_a, C12, AnswerValue("yes"))
    reply(world, questionnaire, world.interior_a, C12, AnswerValue("no"), world.respondent_a)
    shown = consolidated_answers(world.return_a)[C12]
    resolve_conflict(
        country_return=world.return_a,
        key=C12,
        user=world.focal_point_a,
        base_version=shown.version,
        shown_versions=shown.source_versions,
        picked_authority_id=world.nso_a.pk,
    )

    with pytest.raises(ConsolidatedAnswerChanged) as refused:
        resolve_conflict(
            country_return=world.return_a,
            key=C12,
            user=world.focal_point_a,
            base_version=shown.version,
            shown_versions=shown.source_versions,
            picked_authority_id=world.interior_a.pk,
        )

    assert refused.value.theirs.value == AnswerValue("yes")
    assert Answer.objects.get(authority=None).value == "yes"
    assert Resolution.objects.count() == 1


@pytest.mark.parametrize(
    ("key", "picked", "value"),
    [
        (("NOPE", "", ""), None, AnswerValue("x")),
        (("C2", "nope", "latest"), None, AnswerValue(2000)),
        (("B6", "row", ""), None, AnswerValue("yes")),
        (B6, "nso", None),  # the NSO has no reply to B6
        (B6, "nso", AnswerValue("yes")),  # both a pick and a value
        (B6, None, AnswerValue()),  # nothing at all
    ],
)
def test_bad_requests_are_refused_and_change_nothing(world, questionnaire, key, picked, value):
    with pytest.raises(ConsolidationRefused):
        resolve_conflict(
            country_return=world.return_a,
            key=key,
            user=world.focal_point_a,
            base_version=0,
            shown_versions={},
            picked_authority_id=world.nso_a.pk if picked else None,
            value=value,
        )

    assert not Answer.objects.exists()
    assert not Resolution.objects.exists()


@pytest.mark.parametrize("who", ["respondent_a", "reviewer", "focal_point_b"])
def test_only_the_countrys_focal_points_consolidate(world, who):
    with pytest.raises(ConsolidationRefused):
        resolve_conflict(
            country_return=world.return_a,
            key=B6,
            user=getattr(world, who),
            base_version=0,
            shown_versions={},
            value=AnswerValue("yes"),
        )
    assert not Answer.objects.exists()


def test_a_submitted_return_is_not_consolidated_again(world):
    CountryReturn.objects.filter(pk=world.return_a.pk).update(status=CountryReturn.Status.SUBMITTED)
    world.return_a.refresh_from_db()

    with pytest.raises(EditRefused, match="submitted"):
        resolve_conflict(
            country_return=world.return_a,
            key=B6,
            user=world.focal_point_a,
            base_version=0,
            shown_versions={},
            value=AnswerValue("yes"),
        )


def test_replies_never_include_the_consolidated_answers(world, questionnaire):
    resolve_conflict(
        country_return=world.return_a,
        key=B6,
        user=world.focal_point_a,
        base_version=0,
        shown_versions={},
        value=AnswerValue("yes"),
    )

    assert load_replies(country_return=world.return_a, questionnaire=questionnaire) == {}


def test_consolidating_takes_the_same_number_of_queries_however_many_answers(
    world, questionnaire, django_assert_max_num_queries
):
    consolidate_return(country_return=world.return_a)  # the definition is cached from here on
    with django_assert_max_num_queries(3) as few:
        consolidate_return(country_return=world.return_a)
    labour = labour_holding(world, "B", "C")
    Assignment.objects.create(
        country_return=world.return_a,
        section=Section.objects.get(questionnaire_id=world.round.questionnaire_id, code="B"),
        authority=world.interior_a,
    )
    for authority, user in (
        (world.nso_a, world.focal_point_a),
        (world.interior_a, world.respondent_a),
        (labour, world.respondent_a_other),
    ):
        for key, value in [(B6, "yes"), (C12, "no"), (CENSUS, 2010)]:
            reply(world, questionnaire, authority, key, AnswerValue(value), user)

    with django_assert_max_num_queries(len(few.captured_queries)):
        consolidation = consolidate_return(country_return=world.return_a)

    assert consolidation.count(ConsolidatedStatus.TAKEN) == 3
