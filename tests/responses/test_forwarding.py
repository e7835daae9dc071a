"""Forwarding sections: the wizard end to end, the service's rules, hand back, status changes."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from consultation.models import Round, Section
from responses.access import edit_rule, section_access
from responses.exceptions import ForwardingRefused, IllegalTransition
from responses.forwarding.services import forward_sections
from responses.models import (
    Answer,
    Assignment,
    AssignmentEvent,
    Authority,
    Invitation,
    OutboundEmail,
)
from responses.returns.lifecycle import move_assignment

pytestmark = pytest.mark.django_db

Status = Assignment.Status
Action = AssignmentEvent.Action


@pytest.fixture
def open_round(world):
    """The world's round, open, closing in 30 days."""
    round_ = world.round
    round_.status = Round.Status.OPEN
    round_.deadline = timezone.localdate() + timedelta(days=30)
    round_.save()
    world.return_a.refresh_from_db()
    return round_


def section(world, code):
    return Section.objects.get(questionnaire_id=world.round.questionnaire_id, code=code)


def wizard_url(country_return):
    return reverse("responses:forward", args=[country_return.pk])


def post_step(client, country_return, step, **fields):
    """Post one wizard step as the browser does: the management field and prefixed fields."""
    data = {f"forward_{country_return.pk}-current_step": step}
    data.update({f"{step}-{name}": value for name, value in fields.items()})
    return client.post(wizard_url(country_return), data)


def counts():
    return (
        Assignment.objects.count(),
        AssignmentEvent.objects.count(),
        OutboundEmail.objects.count(),
        Invitation.objects.count(),
        Authority.objects.count(),
    )


# --- The wizard -------------------------------------------------------------------------------


def test_focal_point_forwards_two_sections_to_a_new_authority_through_the_wizard(
    client, world, open_round, django_capture_on_commit_callbacks
):
    client.force_login(world.focal_point_a)
    due = timezone.localdate() + timedelta(days=14)
    section_b, section_d = section(world, "B"), section(world, "D")

    page = client.get(wizard_url(world.return_a))
    assert page.status_code == 200
    assert b"Step 1 of 4" in page.content
    assert b'type="checkbox"' in page.content

    page = post_step(client, world.return_a, "sections", sections=[section_b.pk, section_d.pk])
    assert page.status_code == 200
    assert b"Step 2 of 4" in page.content
    page = post_step(
        client,
        world.return_a,
        "authority",
        authority="",
        new_authority_name="  Department of   Immigration ",
        new_authority_kind=Authority.Kind.IMMIGRATION,
        contact_email="officer@immigration.go.ke",
        contact_name="Amina Otieno",
    )
    assert b"Step 3 of 4" in page.content
    page = post_step(
        client, world.return_a, "details", message="Please fill these in.", due_date=due
    )
    assert b"Step 4 of 4" in page.content
    assert b"Department of Immigration" in page.content
    assert b"officer@immigration.go.ke" in page.content
    assert b"Please fill these in." in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = post_step(client, world.return_a, "review")

    assert response.status_code == 302
    assert response.url == reverse("responses:return-overview", args=[world.return_a.pk])
    immigration = Authority.objects.get(
        country=world.return_a.country, name="Department of Immigration"
    )
    assert immigration.kind == Authority.Kind.IMMIGRATION
    assignments = Assignment.objects.filter(authority=immigration).order_by("section__position")
    assert [a.section.code for a in assignments] == ["B", "D"]
    for assignment in assignments:
        assert assignment.status == Status.FORWARDED
        assert assignment.due_date == due
        assert assignment.message == "Please fill these in."
        assert assignment.contact_email == "officer@immigration.go.ke"
        assert assignment.forwarded_by == world.focal_point_a
        event = assignment.events.get()
        assert (event.action, event.old_status, event.new_status) == (
            Action.FORWARDED,
            "",
            Status.FORWARDED,
        )
        assert event.actor == world.focal_point_a
    invitation = Invitation.objects.get(email="officer@immigration.go.ke")
    assert invitation.role == "respondent"
    assert invitation.authority == immigration
    assert invitation.country_return == world.return_a
    assert invitation.full_name == "Amina Otieno"
    assert [message.to for message in mail.outbox] == [["officer@immigration.go.ke"]]
    assert "B. " in mail.outbox[0].body
    assert "D. " in mail.outbox[0].body


def test_wizard_preticks_the_section_named_in_the_link(client, world):
    client.force_login(world.focal_point_a)
    page = client.get(wizard_url(world.return_a) + "?section=E")
    checked = section(world, "E").pk
    assert f'value="{checked}" id="id_sections-sections_4" checked'.encode() in page.content


def test_known_contact_is_notified_by_email_instead_of_invited(
    client, world, open_round, django_capture_on_commit_callbacks
):
    client.force_login(world.focal_point_a)
    due = timezone.localdate() + timedelta(days=10)
    post_step(client, world.return_a, "sections", sections=[world.other_section.pk])
    post_step(
        client,
        world.return_a,
        "authority",
        authority=world.interior_a.pk,
        contact_email="Interior-A@example.org",
    )
    post_step(client, world.return_a, "details", message="", due_date=due)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_step(client, world.return_a, "review")

    assert response.status_code == 302
    assert Assignment.objects.get(
        country_return=world.return_a, section=world.other_section, authority=world.interior_a
    ).is_editable
    assert not Invitation.objects.exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Interior-A@example.org"]
    assert "Ministry of Interior" in message.subject
    section_link = reverse("responses:section-edit", args=[world.return_a.pk, "B"])
    assert section_link in message.body


def test_wizard_refuses_to_go_on_without_a_section(client, world):
    client.force_login(world.focal_point_a)
    page = post_step(client, world.return_a, "sections")
    assert b"Step 1 of 4" in page.content
    assert b'class="error-summary"' in page.content
    assert b'href="#id_sections-sections_0"' in page.content
    assert b'id="id_sections-sections_error"' in page.content
    assert b"Tick at least one section." in page.content


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"authority": "", "new_authority_name": ""}, "new_authority_name", b"or name a new one"),
        (
            {"authority": "", "new_authority_name": "Central Bank of Kenya"},
            "new_authority_kind",
            b"Choose what kind of authority it is.",
        ),
        (
            {"authority": "interior", "new_authority_name": "Central Bank of Kenya"},
            None,
            b"not both",
        ),
        (
            {"authority": "interior", "contact_email": "not an address"},
            "contact_email",
            b"valid email address",
        ),
    ],
)
def test_wizard_explains_what_is_wrong_with_the_authority(client, world, fields, field, message):
    client.force_login(world.focal_point_a)
    post_step(client, world.return_a, "sections", sections=[world.other_section.pk])
    if fields.get("authority") == "interior":
        fields["authority"] = world.interior_a.pk
    fields.setdefault("contact_email", "someone@example.org")
    before = counts()

    page = post_step(client, world.return_a, "authority", **fields)

    assert b"Step 2 of 4" in page.content
    assert b'class="error-summary"' in page.content
    assert message in page.content
    if field:
        assert f'id="id_authority-{field}_error"'.encode() in page.content
        assert f'href="#id_authority-{field}"'.encode() in page.content
        assert b'aria-invalid="true"' in page.content
    else:
        assert b'id="form-errors"' in page.content
        assert b'href="#form-errors"' in page.content
    assert counts() == before


def test_wizard_refuses_a_section_the_authority_holds_already(client, world):
    client.force_login(world.focal_point_a)
    post_step(client, world.return_a, "sections", sections=[world.held_section.pk])
    page = post_step(
        client,
        world.return_a,
        "authority",
        authority=world.interior_a.pk,
        contact_email="interior@example.org",
    )
    assert b"Step 2 of 4" in page.content
    assert b"Ministry of Interior already holds section(s) C (Forwarded)" in page.content


def test_a_new_authority_named_like_a_known_one_is_the_known_one(client, world, open_round):
    client.force_login(world.focal_point_a)
    post_step(client, world.return_a, "sections", sections=[world.other_section.pk])
    post_step(
        client,
        world.return_a,
        "authority",
        new_authority_name="ministry of  interior",
        contact_email="interior@example.org",
    )
    post_step(client, world.return_a, "details", due_date=timezone.localdate() + timedelta(days=3))
    response = post_step(client, world.return_a, "review")
    assert response.status_code == 302
    assert Assignment.objects.filter(
        section=world.other_section, authority=world.interior_a
    ).exists()
    assert Authority.objects.filter(country=world.return_a.country).count() == 3


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, b"cannot be in the past"), (31, b"cannot be after the round&#x27;s deadline")],
)
def test_wizard_refuses_a_due_date_in_the_past_or_after_the_deadline(
    client, world, open_round, days, message
):
    client.force_login(world.focal_point_a)
    post_step(client, world.return_a, "sections", sections=[world.other_section.pk])
    post_step(
        client,
        world.return_a,
        "authority",
        authority=world.interior_a.pk,
        contact_email="interior@example.org",
    )
    page = post_step(
        client, world.return_a, "details", due_date=timezone.localdate() + timedelta(days=days)
    )
    assert b"Step 3 of 4" in page.content
    assert message in page.content
    assert b'id="id_details-due_date_error"' in page.content


def test_wizard_keeps_its_data_and_explains_when_sending_is_refused(client, world, open_round):
    client.force_login(world.focal_point_a)
    post_step(client, world.return_a, "sections", sections=[world.other_section.pk])
    post_step(
        client,
        world.return_a,
        "authority",
        authority=world.interior_a.pk,
        contact_email="interior@example.org",
    )
    post_step(client, world.return_a, "details", due_date=timezone.localdate() + timedelta(days=3))
    # Meanwhile the round closes.
    open_round.status = Round.Status.CLOSED
    open_round.save()
    before = counts()

    page = post_step(client, world.return_a, "review")

    assert page.status_code == 200
    assert b"The round is closed" in page.content
    assert b"Step 4 of 4" in page.content
    assert counts() == before


def test_wizard_back_button_shows_the_previous_step_with_its_data(client, world):
    client.force_login(world.focal_point_a)
    post_step(client, world.return_a, "sections", sections=[world.other_section.pk])
    page = client.post(
        wizard_url(world.return_a),
        {
            f"forward_{world.return_a.pk}-current_step": "authority",
            "wizard_goto_step": "sections",
        },
    )
    assert b"Step 1 of 4" in page.content
    assert f'value="{world.other_section.pk}" id="id_sections-sections_1" checked'.encode() in (
        page.content
    )


@pytest.mark.parametrize("who", ["focal_point_b", "respondent_a", "reviewer", "admin"])
def test_only_the_returns_focal_points_may_open_the_wizard(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(wizard_url(world.return_a)).status_code == 404
    response = post_step(client, world.return_a, "sections", sections=[world.other_section.pk])
    assert response.status_code == 404


def test_wizard_asks_anonymous_visitors_to_sign_in(client, world):
    response = client.get(wizard_url(world.return_a))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- The service ------------------------------------------------------------------------------


def test_a_section_can_be_forwarded_to_several_authorities_at_once(world, open_round):
    labour = Authority.objects.get(country=world.return_a.country, name="Ministry of Labour")

    [assignment] = forward_sections(
        country_return=world.return_a,
        sections=[world.held_section],
        authority=labour,
        contact_email="labour@example.org",
        due_date=timezone.localdate() + timedelta(days=7),
        forwarded_by=world.focal_point_a,
    )

    holders = Assignment.objects.filter(country_return=world.return_a, section=world.held_section)
    assert {a.authority.name for a in holders} == {"Ministry of Interior", "Ministry of Labour"}
    assert {a.status for a in holders} == {Status.FORWARDED}
    access = section_access(world.focal_point_a, world.return_a, "C")
    assert {a.name for a in access.readable_authorities} >= {
        "Ministry of Interior",
        "Ministry of Labour",
    }
    # Each authority's respondent edits its own reply.
    interior_access = section_access(world.respondent_a, world.return_a, "C")
    labour_access = section_access(world.respondent_a_other, world.return_a, "C")
    assert interior_access.editable_authority == world.interior_a
    assert labour_access.editable_authority == labour
    assert labour_access.assignment == assignment


def test_forwarding_a_section_the_authority_still_holds_is_refused_and_changes_nothing(
    world, django_capture_on_commit_callbacks
):
    world.assignment.status = Status.HANDED_BACK
    world.assignment.save()
    before = counts()

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ForwardingRefused) as refusal,
    ):
        forward_sections(
            country_return=world.return_a,
            sections=[world.other_section, world.held_section],
            authority=world.interior_a,
            contact_email="interior@example.org",
            forwarded_by=world.focal_point_a,
        )

    assert "already holds section(s) C (Handed back)" in refusal.value.message
    assert "reopen" in refusal.value.message
    assert counts() == before
    assert not callbacks


def test_forwarding_a_reclaimed_section_again_forwards_the_same_assignment(world, open_round):
    assignment = world.assignment
    move_assignment(
        assignment=assignment,
        actor=world.focal_point_a,
        action=Action.RECLAIMED,
    )
    due = timezone.localdate() + timedelta(days=5)

    [again] = forward_sections(
        country_return=world.return_a,
        sections=[world.held_section],
        authority=world.interior_a,
        contact_email="new-contact@interior.go.ke",
        message="Second try",
        due_date=due,
        forwarded_by=world.focal_point_a,
    )

    assert again.pk == assignment.pk
    again.refresh_from_db()
    assert again.status == Status.FORWARDED
    assert (again.due_date, again.message, again.contact_email) == (
        due,
        "Second try",
        "new-contact@interior.go.ke",
    )
    assert list(again.events.values_list("action", "old_status", "new_status")) == [
        (Action.RECLAIMED, Status.FORWARDED, Status.RECLAIMED),
        (Action.REFORWARDED, Status.RECLAIMED, Status.FORWARDED),
    ]
    assert Invitation.objects.filter(email="new-contact@interior.go.ke").exists()


def test_forwarding_invites_the_contact_once_with_one_valid_link(world, open_round):
    labour = Authority.objects.get(country=world.return_a.country, name="Ministry of Labour")
    for code in ("B", "D"):
        forward_sections(
            country_return=world.return_a,
            sections=[section(world, code)],
            authority=labour,
            contact_email="new@labour.go.ke",
            forwarded_by=world.focal_point_a,
        )
    invitations = Invitation.objects.filter(email="new@labour.go.ke").order_by("pk")
    assert [i.revoked_at is None for i in invitations] == [False, True]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"authority": "nso"}, "national statistical office"),
        ({"authority": "other_country"}, "another country"),
        ({"due_date": -1}, "past"),
        ({"due_date": 40}, "deadline"),
        ({"sections": []}, "at least one section"),
        ({"contact_email": " "}, "e-mail address"),
        ({"authority": None, "authority_name": "Bank", "authority_kind": "nso"}, "kind"),
    ],
)
def test_forwarding_refuses_what_the_rules_forbid(world, open_round, change, message):
    other_country = Authority.objects.create(
        country=world.return_b.country, name="Secretaría de Gobernación", kind="interior"
    )
    arguments = {
        "country_return": world.return_a,
        "sections": [world.other_section],
        "authority": world.interior_a,
        "contact_email": "interior@example.org",
        "forwarded_by": world.focal_point_a,
    }
    change = dict(change)
    if change.get("authority") == "nso":
        change["authority"] = world.nso_a
    if change.get("authority") == "other_country":
        change["authority"] = other_country
    if "due_date" in change:
        change["due_date"] = timezone.localdate() + timedelta(days=change["due_date"])
    arguments.update(change)
    before = counts()

    with pytest.raises(ForwardingRefused) as refusal:
        forward_sections(**arguments)

    assert message in refusal.value.message
    assert counts() == before


def test_forwarding_is_refused_once_the_return_is_submitted(world, open_round):
    world.return_a.status = "submitted"
    world.return_a.save()
    with pytest.raises(ForwardingRefused, match="submitted"):
        forward_sections(
            country_return=world.return_a,
            sections=[world.other_section],
            authority=world.interior_a,
            contact_email="interior@example.org",
            forwarded_by=world.focal_point_a,
        )


# --- Status changes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (Status.RECLAIMED, Action.REOPENED),
        (Status.RECLAIMED, Action.HANDED_BACK),
        (Status.RECLAIMED, Action.STARTED),
        (Status.FORWARDED, Action.REFORWARDED),
        (Status.FORWARDED, Action.REOPENED),
        (Status.IN_PROGRESS, Action.REFORWARDED),
        (Status.IN_PROGRESS, Action.STARTED),
        (Status.HANDED_BACK, Action.REFORWARDED),
        (Status.HANDED_BACK, Action.HANDED_BACK),
    ],
)
def test_illegal_status_changes_are_refused_and_change_nothing(world, start, action):
    assignment = world.assignment
    Assignment.objects.filter(pk=assignment.pk).update(status=start)
    assignment.refresh_from_db()

    with pytest.raises(IllegalTransition) as refusal:
        move_assignment(assignment=assignment, action=action, actor=world.focal_point_a)

    assert "Nothing was changed" in refusal.value.message
    assignment.refresh_from_db()
    assert assignment.status == start
    assert not assignment.events.exists()


def test_a_status_change_records_who_when_and_both_statuses(world):
    event = move_assignment(
        assignment=world.assignment,
        actor=world.respondent_a,
        action=Action.HANDED_BACK,
        note="Done",
    )
    world.assignment.refresh_from_db()
    assert world.assignment.status == Status.HANDED_BACK
    assert world.assignment.handed_back_at is not None
    assert (event.old_status, event.new_status, event.actor, event.note) == (
        Status.FORWARDED,
        Status.HANDED_BACK,
        world.respondent_a,
        "Done",
    )
    assert event.created_at is not None


def test_a_stale_copy_cannot_move_an_assignment_twice(world):
    stale = Assignment.objects.get(pk=world.assignment.pk)
    move_assignment(
        assignment=world.assignment,
        actor=world.focal_point_a,
        action=Action.RECLAIMED,
    )
    # The stale copy still says "forwarded"; the locked row says "reclaimed".
    with pytest.raises(IllegalTransition):
        move_assignment(assignment=stale, action="handed_back", actor=world.respondent_a)
    assert Assignment.objects.get(pk=stale.pk).status == Status.RECLAIMED


# --- Handing back -----------------------------------------------------------------------------


def hand_back_url(world, code="C"):
    return reverse("responses:section-hand-back", args=[world.return_a.pk, code])


def test_respondent_hands_a_section_back_and_the_focal_points_are_told(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.respondent_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(hand_back_url(world))

    assert response.status_code == 302
    assert response.url == reverse("responses:section-edit", args=[world.return_a.pk, "C"])
    world.assignment.refresh_from_db()
    assert world.assignment.status == Status.HANDED_BACK
    event = world.assignment.events.get()
    assert (event.action, event.actor) == (Action.HANDED_BACK, world.respondent_a)
    assert [message.to for message in mail.outbox] == [["fp-a@example.org"]]
    assert "Ministry of Interior handed back section C" in mail.outbox[0].subject
    # "Read its reply" opens the authority's reply, and the focal point may open it.
    link = re.search(r"https?://\S+(/returns/\S+)", mail.outbox[0].body).group(1)
    assert link.endswith(f"/sections/C/?reply={world.interior_a.pk}")
    client.force_login(world.focal_point_a)
    reply_page = client.get(link)
    assert reply_page.status_code == 200
    assert f"Reply of {world.interior_a.name}" in reply_page.content.decode()
    # Still readable, no longer editable.
    access = section_access(world.respondent_a, world.return_a, "C")
    rule = edit_rule(
        world.respondent_a,
        country_return=world.return_a,
        authority=world.interior_a,
        section_id=world.held_section.pk,
        assignment=access.assignment,
    )
    assert not rule
    assert "handed back" in rule.reason


@pytest.mark.parametrize(
    "who", ["focal_point_a", "respondent_a_other", "focal_point_b", "reviewer"]
)
def test_only_the_holding_respondent_may_hand_a_section_back(client, world, who):
    client.force_login(getattr(world, who))
    assert client.post(hand_back_url(world)).status_code == 404
    world.assignment.refresh_from_db()
    assert world.assignment.status == Status.FORWARDED
    assert not AssignmentEvent.objects.exists()


def test_a_handed_back_or_reclaimed_section_cannot_be_handed_back_again(client, world):
    client.force_login(world.respondent_a)
    for status in (Status.HANDED_BACK, Status.RECLAIMED):
        Assignment.objects.filter(pk=world.assignment.pk).update(status=status)
        assert client.post(hand_back_url(world)).status_code == 404
    assert not AssignmentEvent.objects.exists()


def test_hand_back_only_accepts_post(client, world):
    client.force_login(world.respondent_a)
    assert client.get(hand_back_url(world)).status_code == 405


def test_a_reclaimed_reply_is_kept_and_the_focal_point_still_reads_it(world):
    Answer.objects.create(
        country_return=world.return_a,
        authority=world.interior_a,
        question=world.held_section.questions.first(),
        value="kept",
        updated_at=timezone.now(),
    )
    move_assignment(
        assignment=world.assignment,
        actor=world.focal_point_a,
        action=Action.RECLAIMED,
    )
    assert Answer.objects.get(authority=world.interior_a).value == "kept"
    access = section_access(world.focal_point_a, world.return_a, "C")
    assert access.may_read(world.interior_a.pk)
