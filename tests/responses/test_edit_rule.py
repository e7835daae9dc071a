"""The one edit rule: every save channel refuses, with the reason, and changes nothing, when the
round is closed, the return submitted or the section taken back; a query reopens one question."""

import json

import pytest
from django.urls import reverse

from consultation.definition import get_definition
from consultation.formbuilder import AnswerValue
from consultation.models import Area, Round
from responses.access import edit_rule
from responses.answers.services import AnswerEdit, save_answers
from responses.exceptions import EditRefused
from responses.models import (
    Answer,
    AnswerChange,
    Assignment,
    Authority,
    CountryReturn,
    QuestionReopening,
    ReturnEvent,
)
from responses.returns.lifecycle import (
    close_round,
    create_return,
    move_assignment,
    move_return,
    reopen_question,
)

pytestmark = pytest.mark.django_db


def state_of_answers():
    return (
        list(Answer.objects.order_by("pk").values_list("pk", "value", "version")),
        AnswerChange.objects.count(),
    )


def close_the_round(world):
    close_round(round_=world.round, actor=world.admin)


def submit_the_return(world):
    move_return(
        country_return=world.return_a, action=CountryReturn.Action.SUBMIT, actor=world.focal_point_a
    )


def reclaim_the_section(world):
    move_assignment(
        assignment=world.assignment, action=Assignment.Action.RECLAIMED, actor=world.focal_point_a
    )


STATES = {
    "closed round": (close_the_round, "This round closed on"),
    "submitted return": (submit_the_return, "Your return was submitted on"),
    "reclaimed section": (reclaim_the_section, "taken back by the national statistical office"),
}


def seed(world):
    """One answer in the NSO's reply (section A) and one in the authority's (section C)."""
    definition = get_definition(world.round.questionnaire_id)
    save_answers(
        country_return=world.return_a,
        authority=world.nso_a,
        section=definition.section("A"),
        edits=[AnswerEdit(("A3", "", ""), AnswerValue("KNBS"), 0)],
        user=world.focal_point_a,
        channel=AnswerChange.Channel.WEB,
    )
    save_answers(
        country_return=world.return_a,
        authority=world.interior_a,
        section=definition.section("C"),
        edits=[AnswerEdit(("C12", "", ""), AnswerValue("yes"), 0)],
        user=world.respondent_a,
        channel=AnswerChange.Channel.WEB,
    )


def who_and_where(world, state):
    """The reclaimed section refuses its authority; the other states refuse the focal point."""
    if state == "reclaimed section":
        return world.respondent_a, world.interior_a, "C", "C12", "no"
    return world.focal_point_a, world.nso_a, "A", "A3", "Changed"


@pytest.mark.parametrize("state", STATES)
def test_the_save_button_refuses_with_the_reason_and_changes_nothing(client, world, state):
    seed(world)
    change, reason = STATES[state]
    change(world)
    user, _authority, section, code, value = who_and_where(world, state)
    client.force_login(user)
    before = state_of_answers()

    response = client.post(
        reverse("responses:section-edit", args=[world.return_a.pk, section]),
        {"_versions": json.dumps({f"{code}||": 1}), code: value},
    )

    # A reclaimed section is no longer visible to the authority at all.
    assert response.status_code == (404 if state == "reclaimed section" else 403)
    if state != "reclaimed section":
        assert reason in response.content.decode()
        assert "Nothing was saved" in response.content.decode()
    assert state_of_answers() == before


@pytest.mark.parametrize("state", STATES)
def test_autosave_refuses_with_the_reason_and_changes_nothing(client, world, state):
    seed(world)
    change, reason = STATES[state]
    change(world)
    user, _authority, section, code, value = who_and_where(world, state)
    client.force_login(user)
    before = state_of_answers()

    response = client.post(
        reverse("responses:section-autosave", args=[world.return_a.pk, section]),
        data=json.dumps({"answers": [{"key": f"{code}||", "version": 1, "data": {code: value}}]}),
        content_type="application/json",
    )

    assert response.status_code in (403, 404)
    if state != "reclaimed section":
        assert reason in response.json()["error"]
    assert state_of_answers() == before


@pytest.mark.parametrize("state", STATES)
def test_restoring_an_earlier_value_refuses_and_changes_nothing(client, world, state):
    seed(world)
    user, authority, section, code, _value = who_and_where(world, state)
    first = AnswerChange.objects.get(answer__authority=authority)
    definition = get_definition(world.round.questionnaire_id)
    save_answers(
        country_return=world.return_a,
        authority=authority,
        section=definition.section(section),
        edits=[AnswerEdit((code, "", ""), AnswerValue("later" if code == "A3" else "no"), 1)],
        user=user,
        channel=AnswerChange.Channel.WEB,
    )
    change, reason = STATES[state]
    change(world)
    client.force_login(user)
    before = state_of_answers()

    response = client.post(
        reverse("responses:question-history", args=[world.return_a.pk, section, code]),
        {"change": first.pk},
    )

    assert response.status_code in (403, 404)
    if state != "reclaimed section":
        assert reason in response.content.decode()
    assert state_of_answers() == before


@pytest.mark.parametrize(
    "channel", [AnswerChange.Channel.EXCEL, AnswerChange.Channel.CONSOLIDATION]
)
@pytest.mark.parametrize("state", STATES)
def test_the_save_service_itself_refuses_every_other_channel(world, state, channel):
    seed(world)
    change, reason = STATES[state]
    change(world)
    user, authority, section, code, value = who_and_where(world, state)
    definition = get_definition(world.round.questionnaire_id)
    before = state_of_answers()

    with pytest.raises(EditRefused) as refusal:
        save_answers(
            country_return=CountryReturn.objects.get(pk=world.return_a.pk),
            authority=authority,
            section=definition.section(section),
            edits=[AnswerEdit((code, "", ""), AnswerValue(value), 1)],
            user=user,
            channel=channel,
        )

    assert reason in refusal.value.message
    assert "Nothing was saved" in refusal.value.message
    assert state_of_answers() == before


def test_a_stale_copy_of_the_return_does_not_fool_the_service(world):
    """The view read the return before it was submitted: the service reads it again."""
    seed(world)
    stale = CountryReturn.objects.select_related("round").get(pk=world.return_a.pk)
    submit_the_return(world)

    with pytest.raises(EditRefused):
        save_answers(
            country_return=stale,
            authority=world.nso_a,
            section=get_definition(world.round.questionnaire_id).section("A"),
            edits=[AnswerEdit(("A3", "", ""), AnswerValue("late"), 1)],
            user=world.focal_point_a,
            channel=AnswerChange.Channel.AUTOSAVE,
        )
    assert world.answer("A3").value == "KNBS"


def test_a_section_handed_back_is_read_only_with_the_reason_on_the_page(client, world):
    seed(world)
    move_assignment(
        assignment=world.assignment, action=Assignment.Action.HANDED_BACK, actor=world.respondent_a
    )
    client.force_login(world.respondent_a)

    page = client.get(reverse("responses:section-edit", args=[world.return_a.pk, "C"]))

    assert page.status_code == 200
    assert "handed back on" in page.content.decode()
    assert "ask your focal point to reopen it" in page.content.decode()
    assert 'name="save"' not in page.content.decode()


def test_the_closed_round_message_names_its_date_and_what_to_do(client, world):
    close_the_round(world)
    client.force_login(world.focal_point_a)

    page = client.get(reverse("responses:section-edit", args=[world.return_a.pk, "A"]))

    text = page.content.decode()
    assert "This round closed on" in text
    assert "ask UNSD to reopen your return" in text


def test_a_return_reopened_after_its_round_closed_can_be_edited_again(world):
    seed(world)
    submit_the_return(world)
    close_the_round(world)
    move_return(
        country_return=world.return_a, action=CountryReturn.Action.REOPEN, actor=world.reviewer
    )

    result = save_answers(
        country_return=world.return_a,
        authority=world.nso_a,
        section=get_definition(world.round.questionnaire_id).section("A"),
        edits=[AnswerEdit(("A3", "", ""), AnswerValue("Fixed"), 1)],
        user=world.focal_point_a,
        channel=AnswerChange.Channel.WEB,
    )

    assert result.saved
    assert world.answer("A3").value == "Fixed"


def test_unsd_never_edits_a_reply(world):
    rule = edit_rule(
        world.reviewer,
        country_return=world.return_a,
        authority=world.nso_a,
        section_id=world.other_section.pk,
    )
    assert not rule
    assert "propose a correction" in rule.reason


def test_a_queried_return_opens_only_the_reopened_question_for_that_authority(world):
    seed(world)
    submit_the_return(world)
    move_return(
        country_return=world.return_a, action=CountryReturn.Action.QUERY, actor=world.reviewer
    )
    c12 = world.held_section.questions.get(code="C12")
    reopen_question(
        country_return=world.return_a, authority=world.interior_a, question_id=c12.pk, actor=None
    )
    definition = get_definition(world.round.questionnaire_id)
    section_c = definition.section("C")

    def save(authority, user, key, value, version):
        return save_answers(
            country_return=world.return_a,
            authority=authority,
            section=section_c,
            edits=[AnswerEdit(key, AnswerValue(value), version)],
            user=user,
            channel=AnswerChange.Channel.WEB,
        )

    assert save(world.interior_a, world.respondent_a, ("C12", "", ""), "no", 1).saved
    with pytest.raises(EditRefused):
        save(world.interior_a, world.respondent_a, ("C13", "", ""), "yes", 0)
    with pytest.raises(EditRefused):
        # The NSO's own reply to C12 was not reopened.
        save(world.nso_a, world.focal_point_a, ("C12", "", ""), "yes", 0)
    # Resubmitting closes what the query opened.
    move_return(
        country_return=world.return_a,
        action=CountryReturn.Action.RESUBMIT,
        actor=world.focal_point_a,
    )
    assert not QuestionReopening.objects.filter(closed_at__isnull=True).exists()
    with pytest.raises(EditRefused):
        save(world.interior_a, world.respondent_a, ("C12", "", ""), "yes", 2)


def test_reading_a_return_writes_nothing(client, world):
    """The NSO exists from the moment the return does: a reviewer's GET creates no row."""
    germany = Area.objects.get(iso3="DEU")
    country_return, created = create_return(round_=world.round, country=germany)
    assert created
    assert Authority.objects.filter(country=germany, kind=Authority.Kind.NSO).exists()
    client.force_login(world.reviewer)
    before = Authority.objects.count()

    assert (
        client.get(reverse("responses:return-overview", args=[country_return.pk])).status_code
        == 200
    )
    page = client.get(reverse("responses:section-edit", args=[country_return.pk, "A"]))

    assert page.status_code == 200
    assert Authority.objects.count() == before


def test_the_timeline_shows_every_status_change_to_the_focal_point_and_unsd(client, world):
    seed(world)
    submit_the_return(world)
    events = list(ReturnEvent.objects.filter(country_return=world.return_a))
    assert [(e.action, e.old_status, e.new_status) for e in events] == [
        ("start", "not_started", "in_progress"),
        ("submit", "in_progress", "submitted"),
    ]
    assert events[1].actor == world.focal_point_a

    for user in (world.focal_point_a, world.reviewer):
        client.force_login(user)
        page = client.get(reverse("responses:return-overview", args=[world.return_a.pk]))
        text = page.content.decode()
        assert "Timeline of this return" in text
        assert "Submitted" in text
        assert "fp-a@example.org" in text
    client.force_login(world.respondent_a)
    page = client.get(reverse("responses:return-overview", args=[world.return_a.pk]))
    assert "Timeline of this return" not in page.content.decode()


def test_a_draft_round_refuses_saves(world, draft_round):
    draft_round(world.round)
    world.return_a.refresh_from_db()
    rule = edit_rule(
        world.focal_point_a,
        country_return=CountryReturn.objects.select_related("round").get(pk=world.return_a.pk),
        authority=world.nso_a,
        section_id=world.other_section.pk,
    )
    assert not rule
    assert world.round.status == Round.Status.DRAFT
    assert "has not opened yet" in rule.reason
