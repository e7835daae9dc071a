"""No request a user can send produces a server error: every form endpoint, arbitrary input.

Hypothesis posts arbitrary field names (real ones, real ones twisted, and anything) with
arbitrary values to the section Save, autosave, the preview's check, the forwarding wizard and
the invitation page. Each answer must be a success or a refusal with a message: never a 5xx.
The test client re-raises any exception a view lets out, so a traceback fails the test too.
"""

import json

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultation.definition import get_definition
from consultation.formbuilder import SectionFormBuilder, resolve_grid_rows
from consultation.models import Round
from responses.invitations.services import issue_invitation
from responses.models import Membership

pytestmark = pytest.mark.django_db

HOSTILE = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
# What a user can type or craft: any text (NUL and control characters, other scripts, digits
# of other scripts, superscripts), numbers written oddly, and lists of row codes.
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "0", "-1", "1e999", "NaN", "\u0661\u0662", "\u00b2", "1" * 40, "\x00"]),
    st.lists(st.sampled_from(["r1", "r2", "r\u00b2", "r0", "r-1", "r99999999999", "", "x"])).map(
        ",".join
    ),
)
SUFFIXES = ["", ".status", ".other", ".note", "._rows", "._label", ".rank1", ".rank99", ".x.y.z"]


def field_names(section_code: str, questionnaire_id: int) -> list[str]:
    """The real field names of a section's form, with its grids' row lists."""
    definition = get_definition(questionnaire_id)
    section = definition.section(section_code)
    rows = resolve_grid_rows(section, definition.questions, {})
    names = list(SectionFormBuilder(section, rows, definition.questions).formfields)
    names += [f"{question.code}._rows" for question in section.questions if question.is_grid]
    return names


def hostile_form(names: list[str]) -> st.SearchStrategy[dict[str, list[str]]]:
    name = st.one_of(
        st.sampled_from(names),
        st.tuples(st.sampled_from(names), st.sampled_from(SUFFIXES)).map("".join),
        st.sampled_from(["add_row", "_versions", "csrfmiddlewaretoken", "save"]),
        st.text(min_size=1, max_size=20),
    )
    return st.dictionaries(name, st.lists(TEXT, min_size=1, max_size=3), max_size=12)


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        assert response.content.strip(), "a refusal says why"


def post_form(client, url: str, data: dict[str, list[str]]):
    return client.post(url, {name: values for name, values in data.items()})


@pytest.fixture
def open_round(world) -> Round:
    world.round.status = Round.Status.OPEN
    world.round.opened_at = timezone.now()
    world.round.save()
    return world.round


# Section C (with the respondent-rows grid C1 the issue names) is held by the interior ministry;
# the focal point edits the sections that are not forwarded.
EDITORS = {"A": "focal_point_a", "B": "focal_point_a", "D": "focal_point_a", "C": "respondent_a"}


@pytest.mark.parametrize("section_code", sorted(EDITORS))
def test_section_save_never_answers_a_server_error(client, world, open_round, section_code):
    client.force_login(getattr(world, EDITORS[section_code]))
    url = reverse("responses:section-edit", args=[world.return_a.pk, section_code])
    names = field_names(section_code, world.round.questionnaire_id)

    @HOSTILE
    @given(data=hostile_form(names))
    def check(data):
        assert_no_server_error(post_form(client, url, data))

    check()


def test_the_crafted_row_list_of_the_issue_is_refused_or_saved_not_a_server_error(
    client, world, open_round
):
    client.force_login(world.respondent_a)
    url = reverse("responses:section-edit", args=[world.return_a.pk, "C"])

    response = client.post(url, {"C1._rows": "r1,r\u00b2"})

    assert response.status_code in (200, 302, 422)


@pytest.mark.parametrize("section_code", ["A", "C"])
def test_autosave_never_answers_a_server_error(client, world, open_round, section_code):
    client.force_login(getattr(world, EDITORS[section_code]))
    url = reverse("responses:section-autosave", args=[world.return_a.pk, section_code])
    names = field_names(section_code, world.round.questionnaire_id)
    keys = sorted({"|".join([*name.split(".")[:3], "", ""][:3]) for name in names})
    json_value = st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )
    item = st.fixed_dictionaries(
        {
            "key": st.one_of(st.sampled_from(keys), TEXT),
            "version": st.one_of(st.integers(-2, 5), TEXT, st.none()),
            "data": st.one_of(
                hostile_form(names).map(lambda d: {k: v[0] for k, v in d.items()}), json_value
            ),
        }
    )
    body = st.one_of(
        st.fixed_dictionaries({"answers": st.lists(item, max_size=4)}),
        json_value.map(lambda value: {"answers": value}),
        json_value,
    )

    @HOSTILE
    @given(payload=body, raw=st.booleans(), garbage=st.binary(max_size=30))
    def check(payload, raw, garbage):
        content = garbage if raw else json.dumps(payload)
        response = client.post(url, content, content_type="application/json")
        assert_no_server_error(response)

    check()


@pytest.mark.parametrize("section_code", ["A", "C", "D"])
def test_the_preview_check_never_answers_a_server_error(client, world, section_code):
    client.force_login(world.admin)
    url = reverse("consultation:preview-section", args=["migration-2026", section_code])
    names = field_names(section_code, world.round.questionnaire_id)

    @HOSTILE
    @given(data=hostile_form(names))
    def check(data):
        assert_no_server_error(post_form(client, url, data))

    check()


def test_the_forwarding_wizard_never_answers_a_server_error(client, world, open_round):
    client.force_login(world.focal_point_a)
    url = reverse("responses:forward", args=[world.return_a.pk])
    prefix = f"forward_{world.return_a.pk}"
    steps = ["sections", "authority", "details", "review", "nonsense", ""]
    names = [
        f"{prefix}-current_step",
        "sections-sections",
        "authority-authority",
        "authority-name",
        "authority-kind",
        "details-email",
        "details-due_date",
        "details-message",
        "wizard_goto_step",
    ]
    form = st.dictionaries(
        st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=20)),
        st.lists(TEXT, min_size=1, max_size=3),
        max_size=8,
    )

    @HOSTILE
    @given(step=st.sampled_from(steps), data=form)
    def check(step, data):
        data = {f"{prefix}-current_step": [step], **data}
        assert_no_server_error(post_form(client, url, data))

    check()


def test_the_invitation_page_never_answers_a_server_error(client, world, open_round):
    issue_invitation(
        email="new.person@example.org",
        role=Membership.Role.FOCAL_POINT,
        country_return=world.return_a,
        authority=world.nso_a,
        invited_by=world.focal_point_a,
    )
    url = reverse("responses:invitation-accept")
    names = ["full_name", "new_password1", "new_password2", "password", "accept", "token"]
    form = st.dictionaries(
        st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=20)),
        st.lists(TEXT, min_size=1, max_size=3),
        max_size=8,
    )

    @HOSTILE
    @given(token=TEXT, data=form)
    def check(token, data):
        assert_no_server_error(client.get(url, {"token": token}))
        assert_no_server_error(post_form(client, url, data))

    check()
