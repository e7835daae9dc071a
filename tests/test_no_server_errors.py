"""No request answers 500: arbitrary paths, query strings and form fields to every URL, by role.

Every URL pattern of the project (the admin's included) is filled with real ids and codes or with
arbitrary values, and sent arbitrary query strings and form fields (or JSON), by an anonymous
visitor, a focal point, an authority's respondent and an UNSD administrator. Whatever the input,
the answer is a page or a clear 4xx, never a server error. (tests/consultation holds the engine's
own property tests on form endpoints.)
"""

import json
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Route:
    """A URL pattern: its route with `<converter:name>` parts, and its converters by name."""

    route: str
    converters: tuple[tuple[str, str], ...]  # (name, kind)

    def __str__(self) -> str:
        return self.route


def _kind(converter: object) -> str:
    if isinstance(converter, IntConverter):
        return "int"
    if isinstance(converter, SlugConverter):
        return "slug"
    if isinstance(converter, PathConverter):
        return "path"
    return "str"


def _routes(patterns, prefix: str = "") -> list[Route]:
    routes = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes.extend(_routes(pattern.url_patterns, route))
        elif isinstance(pattern, URLPattern):
            converters = getattr(pattern.pattern, "converters", {})
            parts = [(name, _kind(converter)) for name, converter in sorted(converters.items())]
            # Regular-expression routes (the admin's app lists and catch-all): their groups.
            parts += [(name, "regex:" + body) for name, body in GROUP.findall(route)]
            routes.append(Route(route, tuple(parts)))
    return routes


GROUP = re.compile(r"\(\?P<(\w+)>([^)]*)\)")
PART = re.compile(r"<(?:(\w+):)?(\w+)>")
ROUTES = sorted(set(_routes(get_resolver().url_patterns)), key=str)

# Keys a view may read; arbitrary ones too.
KNOWN_KEYS = [
    "reply",
    "section",
    "next",
    "change",
    "save",
    "add_row",
    "discard_kept",
    "_versions",
    "_owner",
    "A3",
    "A5.contact.email",
    "A6",
    "B6",
    "C12",
    "C5._rows",
    "D2._rows",
    "D2.r1.availability",
    "D2.a_stock_foreign_born.disaggregations",
    "username",
    "password",
    "email",
    "new_password1",
    "new_password2",
    "token",
    "q",
    "o",
    "p",
    "e",
    "all",
    "_changelist_filters",
    "action",
    "_selected_action",
    "post",
    "file",
]
WIZARD_KEYS = [f"forward_{{return_id}}-{name}" for name in ("current_step",)] + [
    "wizard_goto_step",
    "sections-sections",
    "authority-authority",
    "authority-contact_email",
    "details-due_date",
    "details-message",
]
WEIRD_TEXT = st.sampled_from(
    ["", "\x00", "²", "¹²", "٣", "İ" * 150, "a" * 400, "-1", "1e9", "9" * 40, "r" + "9" * 40]
)
TEXT = st.one_of(st.text(max_size=40), WEIRD_TEXT, st.integers(-(2**70), 2**70).map(str))
KEYS = st.one_of(st.sampled_from(KNOWN_KEYS + WIZARD_KEYS), st.text(min_size=1, max_size=12))
FIELDS = st.lists(st.tuples(KEYS, TEXT), max_size=8)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | TEXT,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.one_of(KEYS, st.just("answers")), children, max_size=3)
    ),
    max_leaves=10,
)
AUTOSAVE_BODY = st.builds(
    lambda items: {"answers": items},
    st.lists(
        st.fixed_dictionaries(
            {
                "key": st.one_of(
                    st.sampled_from(["C12||", "A3||", "D2|r1|availability", "C5|r1|name"]),
                    st.builds(lambda a, b, c: f"{a}|{b}|{c}", TEXT, TEXT, TEXT),
                    TEXT,
                ),
                "version": st.one_of(st.integers(-(2**70), 2**70), TEXT, st.none()),
                "data": st.one_of(st.dictionaries(KEYS, TEXT, max_size=3), JSON_VALUE),
            }
        ),
        max_size=3,
    ),
)
ROLES = ["anonymous", "focal_point_a", "respondent_a", "admin"]
METHODS = ["get", "post", "post-json", "head", "put", "delete"]


def real_values(world) -> dict[str, list[str]]:
    ids = {
        world.return_a.pk,
        world.return_b.pk,
        world.assignment.pk,
        world.nso_a.pk,
        world.interior_a.pk,
        world.focal_point_a.pk,
        world.admin.pk,
        world.round.pk,
        world.held_section.pk,
    }
    return {
        "int": [str(value) for value in sorted(ids)],
        "str": ["A", "B", "C", "D", "G", "A3", "C12", "D2", "C5", "responses", "auth"],
        "slug": ["migration-2026", "2026"],
        "path": [str(world.return_a.pk), str(world.focal_point_a.pk), "1"],
    }


def path_value(kind: str, real: dict[str, list[str]]):
    if kind.startswith("regex:"):
        body = kind.removeprefix("regex:")
        if re.fullmatch(r"\w+(\|\w+)*", body):
            return st.sampled_from(body.split("|"))
        return st.one_of(st.text(max_size=30), WEIRD_TEXT)
    arbitrary = {
        "int": st.integers(0, 2**70).map(str),
        "slug": st.from_regex(r"[-a-zA-Z0-9_]{1,20}", fullmatch=True),
        "path": st.text(min_size=1, max_size=30),
        "str": st.text(min_size=1, max_size=30).filter(lambda text: "/" not in text),
    }[kind]
    return st.one_of(st.sampled_from(real[kind]), arbitrary, WEIRD_TEXT.filter(bool))


def fill(route: Route, values: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        return quote(values[match.group(2)], safe="" if match.group(1) != "path" else "/")

    path = GROUP.sub(lambda match: quote(values[match.group(1)], safe="/"), route.route)
    path = PART.sub(replace, path.replace("^", "").replace("$", ""))
    return "/" + path


def client_for(role: str, world) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_no_input_makes_a_url_answer_a_server_error(route: Route, world):
    real = real_values(world)
    users = {role: getattr(world, role, None) for role in ROLES}
    assert all(isinstance(user, User) for role, user in users.items() if role != "anonymous")
    clients = {role: client_for(role, world) for role in ROLES}
    is_admin = route.route.startswith("admin/")

    @settings(
        max_examples=5 if is_admin else 25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        role=st.sampled_from(ROLES),
        method=st.sampled_from(METHODS),
        parts=st.fixed_dictionaries(
            {name: path_value(kind, real) for name, kind in route.converters}
        ),
        query=FIELDS,
        form=FIELDS,
        body=st.one_of(AUTOSAVE_BODY, JSON_VALUE),
    )
    def check(role, method, parts, query, form, body):
        client = clients[role]
        url = fill(route, parts)
        if query:
            url += "?" + urlencode(
                [(key.replace("{return_id}", real["int"][0]), value) for key, value in query]
            )
        data = [(key.replace("{return_id}", parts.get("return_id", "1")), v) for key, v in form]
        if method == "post":
            response = client.post(url, urlencode(data), "application/x-www-form-urlencoded")
        elif method == "post-json":
            response = client.post(url, json.dumps(body), "application/json")
        else:
            response = getattr(client, method)(url)
        assert response.status_code < 500, f"{method.upper()} {url} as {role}"

    check()
