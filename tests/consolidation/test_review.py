"""Submission and review on the real database: gaps, submit once, queries routed to whoever
answered, a question reopened for one authority, resubmission, acceptance, corrections."""

import pytest
from django.urls import reverse

from consolidation.models import Correction, ReviewQuery
from consolidation.review import services
from consolidation.review.exceptions import ReviewRefused, SubmissionRefused
from consolidation.services import choose_separate_returns, consolidated_answers
from consultation.answers import AnswerValue
from consultation.models import Kind
from responses.answers.services import AnswerEdit, load_answers, save_answers
from responses.exceptions import EditRefused, IllegalTransition
from responses.models import (
    Answer,
    AnswerChange,
    CountryReturn,
    OutboundEmail,
    QuestionReopening,
    ReturnEvent,
)

pytestmark = pytest.mark.django_db

C12 = ("C12", "", "")


def _value_for(kind, choices):
    if kind in (Kind.SINGLE_CHOICE,):
        return choices[0].code
    if kind == Kind.MULTIPLE_CHOICE:
        return [choices[0].code]
    if kind == Kind.YES_NO:
        return "no"
    if kind == Kind.DATE:
        return "2026-01-15"
    if kind in (Kind.INTEGER, Kind.YEAR):
        return 2020
    return "As stated"


def answer_every_required(world, questionnaire, *, skip=()):
    """The NSO answers every required question (C12 comes from the Ministry of Interior)."""
    by_section: dict[str, list] = {}
    for question in questionnaire.questions.values():
        if not question.required or question.code in skip:
            continue
        if question.is_grid:
            column = question.columns[0]
            key = (question.code, question.rows[0].code, column.code)
            value = _value_for(column.kind, column.choices)
        else:
            key = (question.code, "", "")
            value = _value_for(question.kind, question.choices)
        by_section.setdefault(question.section_code, []).append((key, value))
    for section_code, edits in by_section.items():
        authority, user = world.nso_a, world.focal_point_a
        if section_code == world.held_section.code:
            # The held section's required answers come from its authority.
            authority, user = world.interior_a, world.respondent_a
        save(world, questionnaire, authority, user, edits)


def save(world, questionnaire, authority, user, edits, channel=AnswerChange.Channel.WEB):
    section = questionnaire.section(questionnaire.questions[edits[0][0][0]].section_code)
    stored = load_answers(
        country_return=world.return_a, authority=authority, questionnaire=questionnaire
    )
    return save_answers(
        country_return=world.return_a,
        authority=authority,
        section=section,
        edits=[
            AnswerEdit(key, AnswerValue(value), stored[key].version if key in stored else 0)
            for key, value in edits
        ],
        user=user,
        channel=channel,
    )


@pytest.fixture
def ready(world, questionnaire):
    """Return A with every required question answered: it can be submitted."""
    answer_every_required(world, questionnaire)
    return world


@pytest.fixture
def submitted(ready):
    services.submit_return(
        country_return=ready.return_a, user=ready.focal_point_a, declaration=True
    )
    return ready


# --- Check your answers and submit ----------------------------------------------------------------


def test_gaps_name_every_required_question_left_and_submission_is_refused(world, questionnaire):
    answer_every_required(world, questionnaire, skip={"A3", "B6"})

    gaps = services.check_answers(country_return=world.return_a).gaps

    assert {(gap.section_code, gap.key[0], gap.kind) for gap in gaps} == {
        ("A", "A3", "missing"),
        ("B", "B6", "missing"),
    }
    with pytest.raises(SubmissionRefused) as refusal:
        services.submit_return(
            country_return=world.return_a, user=world.focal_point_a, declaration=True
        )
    assert "A A3" in refusal.value.message
    assert "B B6" in refusal.value.message
    world.return_a.refresh_from_db()
    assert world.return_a.status == CountryReturn.Status.IN_PROGRESS


def test_an_open_conflict_is_a_gap(ready, questionnaire):
    save(ready, questionnaire, ready.nso_a, ready.focal_point_a, [(C12, "yes")])

    gaps = services.check_answers(country_return=ready.return_a).gaps

    assert [(gap.key, gap.kind) for gap in gaps] == [(C12, "conflict")]


def test_separate_returns_are_submitted_with_their_differences_and_not_their_gaps(
    ready, questionnaire
):
    save(ready, questionnaire, ready.nso_a, ready.focal_point_a, [(C12, "yes")])
    choose_separate_returns(
        country_return=ready.return_a, user=ready.focal_point_a, reason="Two registers."
    )

    assert services.check_answers(country_return=ready.return_a).gaps == []
    services.submit_return(
        country_return=ready.return_a, user=ready.focal_point_a, declaration=True
    )
    ready.return_a.refresh_from_db()
    assert ready.return_a.status == CountryReturn.Status.SUBMITTED


def test_the_declaration_is_needed(ready):
    with pytest.raises(SubmissionRefused, match="declaration"):
        services.submit_return(
            country_return=ready.return_a, user=ready.focal_point_a, declaration=False
        )


def test_submitting_locks_the_return_tells_unsd_and_happens_once(
    ready, questionnaire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        event = services.submit_return(
            country_return=ready.return_a, user=ready.focal_point_a, declaration=True
        )

    assert (event.action, event.new_status) == ("submit", "submitted")
    assert callbacks, "the e-mail to UNSD is sent after the commit"
    assert set(OutboundEmail.objects.values_list("to", flat=True)) == {
        "reviewer@un.org",
        "admin@un.org",
    }
    # A second click: refused, nothing more happens.
    with pytest.raises((SubmissionRefused, IllegalTransition)):
        services.submit_return(
            country_return=CountryReturn.objects.get(pk=ready.return_a.pk),
            user=ready.focal_point_a,
            declaration=True,
        )
    assert ReturnEvent.objects.filter(action="submit").count() == 1
    # Read-only for the country, on every channel.
    with pytest.raises(EditRefused, match="submitted on"):
        save(ready, questionnaire, ready.nso_a, ready.focal_point_a, [(("A3", "", ""), "Later")])


def test_only_the_focal_point_submits(ready):
    for user in (ready.respondent_a, ready.reviewer, ready.focal_point_b):
        with pytest.raises(ReviewRefused):
            services.submit_return(country_return=ready.return_a, user=user, declaration=True)


# --- Queries --------------------------------------------------------------------------------------


def test_a_query_on_an_authoritys_answer_goes_to_it_with_the_focal_point_copied(submitted):
    query = services.raise_query(
        country_return=submitted.return_a, key=C12, user=submitted.reviewer, message="Really?"
    )

    submitted.return_a.refresh_from_db()
    assert submitted.return_a.status == CountryReturn.Status.QUERIED
    assert list(query.routed_to.all()) == [submitted.interior_a]
    assert set(
        OutboundEmail.objects.filter(subject__contains="question about").values_list(
            "to", flat=True
        )
    ) == {"interior-a@example.org", "fp-a@example.org"}
    body = OutboundEmail.objects.get(to="interior-a@example.org", subject__contains="C12").body
    assert reverse("review:query", args=[submitted.return_a.pk, query.pk]) in body
    # An authority sees queries on its own answers only.
    assert services.queries_visible_to(submitted.respondent_a, submitted.return_a) == [query]
    assert services.queries_visible_to(submitted.respondent_a_other, submitted.return_a) == []
    actions = list(ReturnEvent.objects.values_list("action", flat=True))
    assert actions[-2:] == ["query", "query_raised"]


def test_a_query_on_the_nsos_own_answer_goes_to_the_focal_point(submitted):
    query = services.raise_query(
        country_return=submitted.return_a,
        key=("A3", "", ""),
        user=submitted.reviewer,
        message="Full name please",
    )

    assert list(query.routed_to.all()) == [submitted.nso_a]
    assert list(
        OutboundEmail.objects.filter(subject__contains="A3").values_list("to", flat=True)
    ) == ["fp-a@example.org"]


def test_the_country_answers_in_the_thread_and_the_reviewer_is_told(submitted):
    query = services.raise_query(
        country_return=submitted.return_a, key=C12, user=submitted.reviewer, message="Really?"
    )

    services.reply_to_query(query=query, user=submitted.respondent_a, message="Yes, since 2019.")

    query.refresh_from_db()
    assert query.status == ReviewQuery.Status.ANSWERED
    assert [m.from_unsd for m in query.messages.all()] == [True, False]
    assert OutboundEmail.objects.filter(
        to="reviewer@un.org", subject__contains="New message"
    ).exists()
    with pytest.raises(ReviewRefused):
        services.reply_to_query(query=query, user=submitted.respondent_a_other, message="Me too")


def test_correcting_reopens_only_that_question_for_that_authority_until_resubmitted(
    submitted, questionnaire
):
    query = services.raise_query(
        country_return=submitted.return_a, key=C12, user=submitted.reviewer, message="Really?"
    )

    authority = services.correct_answer_for_query(query=query, user=submitted.respondent_a)

    assert authority == submitted.interior_a
    reopened = QuestionReopening.objects.get(closed_at__isnull=True)
    assert (reopened.authority, reopened.question.code) == (submitted.interior_a, "C12")
    assert save(
        submitted, questionnaire, submitted.interior_a, submitted.respondent_a, [(C12, "yes")]
    ).saved
    with pytest.raises(EditRefused):
        save(
            submitted,
            questionnaire,
            submitted.interior_a,
            submitted.respondent_a,
            [(("C13", "", ""), "yes")],
        )
    with pytest.raises(EditRefused):
        save(
            submitted,
            questionnaire,
            submitted.nso_a,
            submitted.focal_point_a,
            [(("A3", "", ""), "x")],
        )

    services.submit_return(
        country_return=submitted.return_a, user=submitted.focal_point_a, declaration=True
    )

    submitted.return_a.refresh_from_db()
    assert submitted.return_a.status == CountryReturn.Status.SUBMITTED
    assert ReturnEvent.objects.filter(action="resubmit").exists()
    assert not QuestionReopening.objects.filter(closed_at__isnull=True).exists()
    assert consolidated_answers(submitted.return_a)[C12].value == AnswerValue("yes")


def test_the_return_is_accepted_only_once_its_queries_are_resolved(submitted):
    query = services.raise_query(
        country_return=submitted.return_a, key=C12, user=submitted.reviewer, message="Really?"
    )
    services.reply_to_query(query=query, user=submitted.respondent_a, message="Yes.")
    services.submit_return(
        country_return=submitted.return_a, user=submitted.focal_point_a, declaration=True
    )
    with pytest.raises(ReviewRefused, match="not resolved"):
        services.accept_return(country_return=submitted.return_a, user=submitted.reviewer)

    services.resolve_query(query=query, user=submitted.reviewer)
    services.accept_return(country_return=submitted.return_a, user=submitted.reviewer)

    submitted.return_a.refresh_from_db()
    assert submitted.return_a.status == CountryReturn.Status.ACCEPTED
    actions = list(ReturnEvent.objects.values_list("action", flat=True))
    assert actions == [
        "start",
        "submit",
        "query",
        "query_raised",
        "query_replied",
        "resubmit",
        "query_resolved",
        "accept",
    ]


def test_reopening_needs_a_reason_and_gives_the_return_back(submitted):
    with pytest.raises(ReviewRefused):
        services.reopen_return(
            country_return=submitted.return_a, user=submitted.reviewer, reason=" "
        )
    with pytest.raises(ReviewRefused):
        services.reopen_return(
            country_return=submitted.return_a, user=submitted.focal_point_a, reason="Mine"
        )

    event = services.reopen_return(
        country_return=submitted.return_a, user=submitted.reviewer, reason="Section C is empty"
    )

    assert (event.new_status, event.note) == ("in_progress", "Section C is empty")
    assert OutboundEmail.objects.filter(
        to="fp-a@example.org", subject__contains="reopened"
    ).exists()


def test_only_unsd_raises_queries_and_only_on_a_return_under_review(ready, submitted):
    with pytest.raises(ReviewRefused):
        services.raise_query(
            country_return=submitted.return_a, key=C12, user=submitted.focal_point_a, message="?"
        )
    with pytest.raises(ReviewRefused):
        services.raise_query(
            country_return=submitted.return_b, key=C12, user=submitted.reviewer, message="?"
        )
    with pytest.raises(ReviewRefused):
        services.raise_query(
            country_return=submitted.return_a,
            key=("NOPE", "", ""),
            user=submitted.reviewer,
            message="?",
        )
    assert not ReviewQuery.objects.exists()


# --- Corrections ----------------------------------------------------------------------------------


def test_an_accepted_correction_changes_the_consolidated_answer_with_its_history(submitted):
    correction = services.propose_correction(
        country_return=submitted.return_a,
        key=C12,
        user=submitted.reviewer,
        value=AnswerValue("yes"),
        reason="The 2019 law says so.",
    )
    # Nothing changes before the country consents.
    assert consolidated_answers(submitted.return_a)[C12].value == AnswerValue("no")

    services.accept_correction(correction=correction, user=submitted.focal_point_a)

    assert consolidated_answers(submitted.return_a)[C12].value == AnswerValue("yes")
    stored = Answer.objects.get(authority__isnull=True, question__code="C12")
    change = stored.changes.get()
    assert (change.channel, change.changed_by) == ("correction", submitted.focal_point_a)
    # The authority's reply is left as it was.
    assert Answer.objects.get(authority=submitted.interior_a, question__code="C12").value == "no"
    correction.refresh_from_db()
    assert correction.status == Correction.Status.ACCEPTED
    assert ReturnEvent.objects.filter(action="correction_accepted").exists()


def test_a_rejected_correction_changes_nothing_and_needs_a_reason(submitted):
    correction = services.propose_correction(
        country_return=submitted.return_a,
        key=C12,
        user=submitted.reviewer,
        value=AnswerValue("yes"),
        reason="Check",
    )
    with pytest.raises(ReviewRefused):
        services.reject_correction(correction=correction, user=submitted.focal_point_a, reason="")
    with pytest.raises(ReviewRefused):
        services.accept_correction(correction=correction, user=submitted.respondent_a)

    services.reject_correction(
        correction=correction, user=submitted.focal_point_a, reason="Our figure is right."
    )

    assert consolidated_answers(submitted.return_a)[C12].value == AnswerValue("no")
    assert not Answer.objects.filter(authority__isnull=True).exists()
    with pytest.raises(ReviewRefused):
        services.accept_correction(correction=correction, user=submitted.focal_point_a)
