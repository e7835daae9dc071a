"""Every URL of a country return, for every role: allowed requests succeed, others get 403 or
404 and change nothing. No one reaches another country's or another authority's data by changing
an id in a URL or a form."""

import json
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from responses.models import Answer, AnswerChange, Assignment, Invitation
from tests.responses.offline.helpers import download, edit

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "focal_point_a",
    "respondent_a",  # holds section C of country A
    "respondent_a_other",  # holds section G of country A, not C
    "focal_point_b",
    "reviewer",
    "admin",
]


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    allowed: frozenset  # roles that succeed
    writes: bool = False


def R(*roles):
    return frozenset(roles)


UNSD = ("reviewer", "admin")
CASES = [
    Case("overview", "get", R("focal_point_a", "respondent_a", "respondent_a_other", *UNSD)),
    Case("held-section", "get", R("focal_point_a", "respondent_a", *UNSD)),
    Case("other-section", "get", R("focal_point_a", *UNSD)),
    Case("nso-reply-of-held-section", "get", R("focal_point_a", *UNSD)),
    Case("held-section-save", "post", R("focal_point_a", "respondent_a"), writes=True),
    Case("other-section-save", "post", R("focal_point_a"), writes=True),
    Case("held-section-autosave", "post", R("focal_point_a", "respondent_a"), writes=True),
    Case("other-section-autosave", "post", R("focal_point_a"), writes=True),
    Case("history", "get", R("focal_point_a", *UNSD)),
    Case("held-history", "get", R("focal_point_a", "respondent_a", *UNSD)),
    Case("forward", "get", R("focal_point_a")),
    Case("remind", "post", R("focal_point_a"), writes=True),
    Case("reclaim", "post", R("focal_point_a"), writes=True),
    Case("hand-back", "post", R("respondent_a"), writes=True),
    Case("resend-invitation", "post", R("focal_point_a", "admin"), writes=True),
    Case(
        "workbook-download", "get", R("focal_point_a", "respondent_a", "respondent_a_other", *UNSD)
    ),
    Case("workbook-upload", "get", R("focal_point_a", "respondent_a", "respondent_a_other")),
    # The upload step only reads the file and shows what it would change.
    Case("workbook-upload-post", "post", R("focal_point_a", "respondent_a", "respondent_a_other")),
    Case("blank-workbook", "get", R(*UNSD)),
]


def request_for(case, world, invitation):
    a = world.return_a.pk
    held, other = world.held_section.code, world.other_section.code
    autosave_body = {
        "data": json.dumps({"answers": [{"key": "C12||", "version": 0, "data": {"C12": "yes"}}]}),
        "content_type": "application/json",
    }
    return {
        "overview": (reverse("responses:return-overview", args=[a]), {}),
        "held-section": (reverse("responses:section-edit", args=[a, held]), {}),
        "other-section": (reverse("responses:section-edit", args=[a, other]), {}),
        "nso-reply-of-held-section": (
            reverse("responses:section-edit", args=[a, held]) + f"?reply={world.nso_a.pk}",
            {},
        ),
        "held-section-save": (
            reverse("responses:section-edit", args=[a, held]),
            {"data": {"_versions": "{}", "C12": "yes"}},
        ),
        "other-section-save": (
            reverse("responses:section-edit", args=[a, other]),
            {"data": {"_versions": "{}", "B6": "yes"}},
        ),
        "held-section-autosave": (
            reverse("responses:section-autosave", args=[a, held]),
            autosave_body,
        ),
        "other-section-autosave": (
            reverse("responses:section-autosave", args=[a, other]),
            {
                "data": json.dumps(
                    {"answers": [{"key": "B6||", "version": 0, "data": {"B6": "yes"}}]}
                ),
                "content_type": "application/json",
            },
        ),
        "history": (reverse("responses:question-history", args=[a, other, "B6"]), {}),
        "held-history": (reverse("responses:question-history", args=[a, held, "C12"]), {}),
        "forward": (reverse("responses:forward", args=[a]), {}),
        "remind": (reverse("responses:assignment-remind", args=[a, world.assignment.pk]), {}),
        "reclaim": (reverse("responses:assignment-reclaim", args=[a, world.assignment.pk]), {}),
        "hand-back": (reverse("responses:section-hand-back", args=[a, held]), {}),
        "resend-invitation": (
            reverse("responses:invitation-resend", args=[a, invitation.pk]),
            {},
        ),
        "workbook-download": (reverse("responses:workbook-download", args=[a]), {}),
        "workbook-upload": (reverse("responses:workbook-upload", args=[a]), {}),
        # The workbook is built only for this case (see test_access).
        "workbook-upload-post": (reverse("responses:workbook-upload", args=[a]), {}),
        "blank-workbook": (
            reverse("responses:blank-workbook", args=[world.round.questionnaire.code]),
            {},
        ),
    }[case.name]


def upload_step(return_id, content, step="upload", **fields):
    data = {f"workbook_upload_{return_id}-current_step": step, **fields}
    if step == "upload":
        data["upload-workbook"] = SimpleUploadedFile("reply.xlsx", content)
    return data


# Every table of the project's apps and of accounts; sessions aside (signing in writes them).
SNAPSHOT_APPS = ("consultation", "responses", "consolidation", "auth")


def snapshot():
    """Every row of every table, so that a refused request provably changed nothing."""
    return {
        model._meta.db_table: list(model._base_manager.order_by("pk").values())
        for app in SNAPSHOT_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }


@pytest.fixture
def invitation(world):
    return Invitation.objects.create(
        email="new-person@interior.example.org",
        role="respondent",
        country_return=world.return_a,
        authority=world.interior_a,
        salt="salt",
        token_hash="0" * 64,
        created_by=world.focal_point_a,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_access(client, world, invitation, case, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    url, extra = request_for(case, world, invitation)
    if case.name == "workbook-upload-post":
        extra = {
            "data": upload_step(world.return_a.pk, download(world.focal_point_a, world.return_a))
        }
    before = snapshot()

    response = getattr(client, case.method)(url, **extra)

    if role in case.allowed:
        assert response.status_code in (200, 302), (case.name, role, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
        if case.writes:
            assert snapshot() != before, f"{role} was allowed {case.name} but nothing changed"
    else:
        if role == "anonymous":
            assert response.status_code in (302, 401), response.status_code
            if response.status_code == 302:
                assert "/accounts/login/" in response["Location"]
        else:
            assert response.status_code in (403, 404), (case.name, role, response.status_code)
        assert snapshot() == before, f"{role} changed data through {case.name}"


@pytest.mark.parametrize("role", ["focal_point_b", "respondent_a", "respondent_a_other"])
def test_changing_the_return_id_reaches_nothing(client, world, role):
    client.force_login(getattr(world, role))
    other_return = world.return_b if role != "focal_point_b" else world.return_a

    for url in (
        reverse("responses:return-overview", args=[other_return.pk]),
        reverse("responses:section-edit", args=[other_return.pk, "A"]),
        reverse("responses:question-history", args=[other_return.pk, "A", "A3"]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("responses:section-autosave", args=[other_return.pk, "A"]),
        data=json.dumps({"answers": [{"key": "A3||", "version": 0, "data": {"A3": "x"}}]}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_an_assignment_of_another_return_cannot_be_acted_on_through_ones_own(client, world):
    client.force_login(world.focal_point_b)

    response = client.post(
        reverse("responses:assignment-reclaim", args=[world.return_b.pk, world.assignment.pk])
    )

    assert response.status_code == 404
    world.assignment.refresh_from_db()
    assert world.assignment.status == Assignment.Status.FORWARDED


# Who answers a yes/no question of their own workbook, and which: applying an upload writes.
OWN_QUESTION = {"focal_point_a": "B6", "respondent_a": "C12", "respondent_a_other": "G1"}


@pytest.mark.parametrize("role", ROLES)
def test_applying_a_workbook_writes_only_into_ones_own_reply(client, world, role):
    """The whole upload wizard, for every role, with the workbook the role may download (or,
    for those who may not, the focal point's): only those who answer for its reply change it."""
    a = world.return_a.pk
    owner = world.focal_point_a
    if role in OWN_QUESTION:
        owner = getattr(world, role)
    content = edit(download(owner, world.return_a), {OWN_QUESTION.get(role, "B6"): "Yes"})
    if role != "anonymous":
        client.force_login(getattr(world, role))
    url = reverse("responses:workbook-upload", args=[a])
    before = snapshot()

    responses = [
        client.post(url, upload_step(a, content)),
        client.post(url, upload_step(a, content, "review")),
        client.post(url, upload_step(a, content, "confirm")),
    ]

    if role in OWN_QUESTION:
        assert [response.status_code for response in responses] == [200, 200, 302]
        assert snapshot() != before
        assert AnswerChange.objects.get().channel == AnswerChange.Channel.EXCEL
    else:
        expected = {302} if role == "anonymous" else {403, 404}
        assert {response.status_code for response in responses} <= expected, role
        assert snapshot() == before
