"""Every URL of a country return, for every role: allowed requests succeed, others get 403 or
404 and change nothing. No one reaches another country's or another authority's data by changing
an id in a URL or a form."""

import json
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import reverse

from consolidation.models import Export
from responses.models import Answer, Assignment, Invitation

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
