"""Response headers and methods: private pages, Permissions-Policy, 405 for a method not taken."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db


def project_routes(patterns=None, prefix=""):
    """Every route of the project outside the admin, with `<converter:name>` parts."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route != "admin/":
                yield from project_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def concrete(route, world):
    values = {
        "return_id": world.return_a.pk,
        "assignment_id": world.assignment.pk,
        "invitation_id": 1,
        "section": "C",
        "question": "C12",
        "questionnaire": "migration-2026",
        "uidb64": "MQ",
        "token": "set-password",
        "key": "B6",
        "query_id": 1,
        "correction_id": 1,
        "export_id": 1,
    }

    def value(match):
        return str(values.get(match.group(1), 1))

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_every_view_answers_405_to_a_method_it_does_not_take(client, world, method):
    client.force_login(world.focal_point_a)
    for route in sorted(set(project_routes())):
        url = concrete(route, world)
        response = getattr(client, method)(url)
        assert response.status_code == 405, f"{method.upper()} {url}: {response.status_code}"


@pytest.mark.parametrize(
    ("role", "url_name", "args"),
    [
        ("reviewer", "home", []),
        ("admin", "consultation:preview-index", ["migration-2026"]),
        ("admin", "consultation:preview-print", ["migration-2026"]),
        ("admin", "consultation:preview-section", ["migration-2026", "A"]),
        ("focal_point_a", "responses:return-overview", ["return_a"]),
        ("focal_point_a", "responses:section-edit", ["return_a", "A"]),
        ("focal_point_a", "responses:forward", ["return_a"]),
    ],
)
def test_pages_with_a_countrys_data_are_never_stored(client, world, role, url_name, args):
    client.force_login(getattr(world, role))
    args = [world.return_a.pk if arg == "return_a" else arg for arg in args]
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_every_page_forbids_browser_features_it_does_not_use(client):
    response = client.get(reverse("login"))
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy
