"""Every URL of a country return, for every role: allowed requests succeed, others get 403 or
404 and change nothing. No one reaches another country's or another authority's data by changing
an id in a URL or a form."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from consolidation.models import Export, SeparateReturns
from consolidation.review import services as review
from consultation.formbuilder import AnswerValue
from responses.models import Answer, AnswerChange, Assignment, Invitation
from tests.consolidation.test_review import answer_every_required
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
    # What must exist before the request (given the world).
    prepare: Callable[[Any], object] | None = None


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
    Case("consolidation", "get", R("focal_point_a", *UNSD)),
    Case("consolidated-answer", "get", R("focal_point_a", *UNSD)),
    Case("consolidated-answer-resolve", "post", R("focal_point_a"), writes=True),
    Case("separate-returns", "post", R("focal_point_a"), writes=True),
    Case(
        "separate-returns-withdraw",
        "post",
        R("focal_point_a"),
        writes=True,
        prepare=lambda world: SeparateReturns.objects.create(
            country_return=world.return_a,
            reason="Two sets of figures",
            decided_by=world.focal_point_a,
            decided_at=timezone.now(),
        ),
    ),
    Case(
        "workbook-download", "get", R("focal_point_a", "respondent_a", "respondent_a_other", *UNSD)
    ),
    Case("workbook-upload", "get", R("focal_point_a", "respondent_a", "respondent_a_other")),
    # The upload step only reads the file and shows what it would change.
    Case("workbook-upload-post", "post", R("focal_point_a", "respondent_a", "respondent_a_other")),
    Case("blank-workbook", "get", R(*UNSD)),
    # UNSD's desk: the dashboard, tabulations and exports.
    Case("dashboard", "get", R(*UNSD)),
    Case("dashboard-download", "get", R(*UNSD)),
    Case("unsd-remind", "post", R(*UNSD), writes=True),
    Case("tabulations", "get", R(*UNSD)),
    Case("exports", "get", R(*UNSD)),
    Case("export-request", "post", R(*UNSD), writes=True),
    Case("export-status", "get", R(*UNSD)),
    Case("export-download", "get", R(*UNSD)),
]


def request_for(case, world, invitation, export=None):
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
        "consolidation": (reverse("consolidation:consolidation", args=[a]), {}),
        "consolidated-answer": (reverse("consolidation:answer", args=[a, "B6"]), {}),
        "consolidated-answer-resolve": (
            reverse("consolidation:answer", args=[a, "B6"]),
            {"data": {"choice": "own", "value": "yes", "base_version": 0, "versions": "{}"}},
        ),
        "separate-returns": (
            reverse("consolidation:separate-returns", args=[a]),
            {"data": {"reason": "Two sets of figures"}},
        ),
        "separate-returns-withdraw": (
            reverse("consolidation:separate-returns-withdraw", args=[a]),
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
        "dashboard": (reverse("consolidation:dashboard"), {}),
        "dashboard-download": (reverse("consolidation:dashboard-download"), {}),
        "unsd-remind": (reverse("consolidation:remind", args=[a]), {}),
        "tabulations": (reverse("consolidation:tabulations") + "?section=B", {}),
        "exports": (reverse("consolidation:exports"), {}),
        "export-request": (
            reverse("consolidation:exports"),
            {"data": {"round": world.round.code, "kind": "consolidated", "format": "xlsx"}},
        ),
        "export-status": (reverse("consolidation:export-status", args=[export.pk]), {}),
        "export-download": (reverse("consolidation:export-download", args=[export.pk]), {}),
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
def export(world, settings, tmp_path):
    """A finished export with its file, in a storage folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports")},
        },
    }
    done = Export.objects.create(
        round=world.round, kind="consolidated", status="done", requested_by=world.reviewer
    )
    done.file.save("2026/export.xlsx", ContentFile(b"PK workbook"), save=True)
    return done


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
def test_access(client, world, invitation, export, case, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    url, extra = request_for(case, world, invitation, export)
    if case.prepare is not None:
        case.prepare(world)
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
        reverse("consolidation:consolidation", args=[other_return.pk]),
        reverse("consolidation:answer", args=[other_return.pk, "A3"]),
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


# --- Submission and review: the same matrix, on a submitted return with a query and a correction


@dataclass(frozen=True)
class UnderReview:
    query: object
    correction: object


@pytest.fixture
def under_review(world, questionnaire):
    answer_every_required(world, questionnaire)
    review.submit_return(country_return=world.return_a, user=world.focal_point_a, declaration=True)
    query = review.raise_query(
        country_return=world.return_a, key=("C12", "", ""), user=world.reviewer, message="Sure?"
    )
    correction = review.propose_correction(
        country_return=world.return_a,
        key=("A3", "", ""),
        user=world.reviewer,
        value=AnswerValue("Kenya National Bureau of Statistics"),
        reason="Full name",
    )
    return UnderReview(query, correction)


COUNTRY_A = ("focal_point_a", "respondent_a", "respondent_a_other")
REVIEW_CASES = [
    Case("check-answers", "get", R("focal_point_a", *UNSD)),
    Case("submit", "post", R("focal_point_a"), writes=True),
    Case("review", "get", R(*UNSD)),
    # Accepting is refused while the query is open: the reviewer is sent back with the reason.
    Case("accept", "post", R(*UNSD)),
    Case("reopen", "post", R(*UNSD), writes=True),
    Case("queries", "get", R(*COUNTRY_A, *UNSD)),
    Case("query-raise", "post", R(*UNSD), writes=True),
    # An authority sees queries on its own answers only.
    Case("query", "get", R("focal_point_a", "respondent_a", *UNSD)),
    Case("query-reply", "post", R("focal_point_a", "respondent_a", *UNSD), writes=True),
    Case("query-correct", "post", R("focal_point_a", "respondent_a"), writes=True),
    Case("query-resolve", "post", R(*UNSD), writes=True),
    Case("correction-new", "get", R(*UNSD)),
    Case("correction-propose", "post", R(*UNSD), writes=True),
    Case("correction", "get", R("focal_point_a", *UNSD)),
    Case("correction-decide", "post", R("focal_point_a"), writes=True),
]


def review_request_for(case, world, under_review):
    a = world.return_a.pk
    query, correction = under_review.query.pk, under_review.correction.pk
    return {
        "check-answers": (reverse("review:check-answers", args=[a]), {}),
        "submit": (reverse("review:submit", args=[a]), {"data": {"declaration": "yes"}}),
        "review": (reverse("review:review", args=[a]), {}),
        "accept": (reverse("review:accept", args=[a]), {}),
        "reopen": (reverse("review:reopen", args=[a]), {"data": {"reason": "Section C"}}),
        "queries": (reverse("review:queries", args=[a]), {}),
        "query-raise": (
            reverse("review:query-raise", args=[a]),
            {"data": {"key": "A3", "message": "Which office?"}},
        ),
        "query": (reverse("review:query", args=[a, query]), {}),
        "query-reply": (
            reverse("review:query", args=[a, query]),
            {"data": {"message": "Since 2019."}},
        ),
        "query-correct": (reverse("review:query-correct", args=[a, query]), {}),
        "query-resolve": (reverse("review:query-resolve", args=[a, query]), {}),
        "correction-new": (reverse("review:correction-new", args=[a]) + "?key=B6", {}),
        "correction-propose": (
            reverse("review:correction-new", args=[a]),
            {"data": {"key": "B6", "value": "yes", "reason": "The law"}},
        ),
        "correction": (reverse("review:correction", args=[a, correction]), {}),
        "correction-decide": (
            reverse("review:correction", args=[a, correction]),
            {"data": {"decision": "accept"}},
        ),
    }[case.name]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", REVIEW_CASES, ids=lambda case: case.name)
def test_review_access(client, world, under_review, case, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    url, extra = review_request_for(case, world, under_review)
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


@pytest.mark.parametrize("role", ["focal_point_b", "respondent_a_other"])
def test_another_countrys_or_authoritys_queries_are_not_found(client, world, under_review, role):
    client.force_login(getattr(world, role))

    response = client.get(reverse("review:query", args=[world.return_a.pk, under_review.query.pk]))

    assert response.status_code == 404


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
