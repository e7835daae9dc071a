"""What the preview says of each answer: skipped when not asked, ignored when not the person's to
change (with the edit rule's reason), conflicting when changed on the web since the download."""

import pytest

from consultation.answers import AnswerValue
from consultation.models import Round
from responses.answers.services import AnswerEdit, save_answers
from responses.forwarding.services import hand_back_section
from responses.models import AnswerChange
from responses.offline.services import apply_workbook, preview_workbook
from responses.returns.lifecycle import move_round
from tests.responses.offline.helpers import download, edit

pytestmark = pytest.mark.django_db


def outcomes(preview):
    return [(entry.outcome, entry.key, entry.message) for entry in preview.entries]


def test_an_answer_hidden_by_a_condition_in_the_workbook_is_skipped(world):
    # B7 is asked only when B6 is "yes": the workbook says "no" and yet fills B7.
    content = edit(
        download(world.focal_point_a, world.return_a), {"B6": "No", "B7": "Short-term movers"}
    )

    preview = preview_workbook(content=content, user=world.focal_point_a)
    apply_workbook(content=content, user=world.focal_point_a)

    assert outcomes(preview) == [
        ("new", ("B6", "", ""), ""),
        ("skipped", ("B7", "", ""), "not asked, given the other answers: not saved"),
    ]
    assert world.answer("B6").value == "no"
    assert not AnswerChange.objects.filter(answer__question__code="B7").exists()


def test_a_section_handed_back_is_ignored_with_the_reason(world):
    content = edit(download(world.respondent_a, world.return_a), {"C12": "Yes"})
    hand_back_section(assignment=world.assignment, actor=world.respondent_a)

    preview = preview_workbook(content=content, user=world.respondent_a)
    apply_workbook(content=content, user=world.respondent_a)

    [(outcome, key, message)] = outcomes(preview)
    assert (outcome, key) == ("ignored", ("C12", "", ""))
    assert message.startswith("Section C was handed back on")
    assert preview.summary_line().endswith("ignored=1")
    assert not AnswerChange.objects.exists()


def test_a_closed_round_ignores_every_answer(world):
    content = edit(download(world.focal_point_a, world.return_a), {"A3": "KNBS", "B6": "Yes"})
    move_round(round_=world.round, action=Round.Action.CLOSE, actor=world.admin)

    preview = preview_workbook(content=content, user=world.focal_point_a)

    assert [outcome for outcome, _key, _message in outcomes(preview)] == ["ignored", "ignored"]
    assert preview.entries[0].message.startswith("This round closed on")


def test_an_answer_left_as_downloaded_keeps_the_webs_newer_value(world, questionnaire):
    downloaded = download(world.focal_point_a, world.return_a)
    save_answers(
        country_return=world.return_a,
        authority=world.nso_a,
        section=questionnaire.section("A"),
        edits=[AnswerEdit(("A3", "", ""), AnswerValue("Typed on the web"), 0)],
        user=world.focal_point_a,
        channel=AnswerChange.Channel.WEB,
    )
    content = edit(downloaded, {"B6": "Yes"})

    preview = preview_workbook(content=content, user=world.focal_point_a)
    apply_workbook(content=content, user=world.focal_point_a)

    assert outcomes(preview) == [("new", ("B6", "", ""), "")]
    assert world.answer("A3").value == "Typed on the web"


def test_a_conflict_not_settled_for_the_workbook_keeps_the_webs_value(world, questionnaire):
    downloaded = download(world.focal_point_a, world.return_a)
    save_answers(
        country_return=world.return_a,
        authority=world.nso_a,
        section=questionnaire.section("A"),
        edits=[AnswerEdit(("A3", "", ""), AnswerValue("Typed on the web"), 0)],
        user=world.focal_point_a,
        channel=AnswerChange.Channel.WEB,
    )
    content = edit(downloaded, {"A3": "Typed in Excel"})

    preview = preview_workbook(content=content, user=world.focal_point_a)
    [conflict] = preview.of("conflicting")
    apply_workbook(content=content, user=world.focal_point_a, choices={"A3||": "web"})

    assert (conflict.old, conflict.new) == ("Typed on the web", "Typed in Excel")
    # People are named by name, the e-mail only when no name is known.
    assert conflict.theirs_by == (world.focal_point_a.get_full_name() or world.focal_point_a.email)
    assert world.answer("A3").value == "Typed on the web"
