"""Shared fixtures: the real questionnaire and areas, and a small world of countries and roles."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractBaseUser

from consultation.areas import load_areas
from consultation.definition import QuestionnaireDef, get_definition
from consultation.loader import load_questionnaire
from consultation.models import Area, Round, Section
from responses.models import Answer, Assignment, Authority, CountryReturn, Membership
from responses.returns.lifecycle import move_round
from tests.factories import UserFactory

QUESTIONNAIRE_FILE = Path(__file__).resolve().parent.parent / (
    "fixtures/questionnaires/migration-2026.yaml"
)
PASSWORD = "correct horse battery staple"


def ensure_reference_data() -> Round:
    """Areas and the migration-2026 questionnaire in round 2026, loaded once per database."""
    round_ = Round.objects.filter(code="2026").first()
    if round_ is None:
        load_areas()
        load_questionnaire(QUESTIONNAIRE_FILE, round_code="2026")
        round_ = Round.objects.get(code="2026")
    return round_


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (definitions, rate limits)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at a million rounds costs half a second a user; tests don't need its strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_reference_data()


@pytest.fixture
def questionnaire_round(db) -> Round:
    return ensure_reference_data()


@pytest.fixture
def questionnaire(questionnaire_round) -> QuestionnaireDef:
    return get_definition(questionnaire_round.questionnaire_id)


@pytest.fixture
def draft_round(questionnaire_round):
    """Put the round back in preparation, for tests of what happens before it opens."""

    def back_to_draft(round_: Round) -> Round:
        # Test set-up only: no lifecycle action leads back to draft.
        Round.objects.filter(pk=round_.pk).update(status=Round.Status.DRAFT, opened_at=None)
        round_.refresh_from_db()
        return round_

    return back_to_draft


@dataclass
class World:
    """Two countries' returns and one user for every role the access rules know."""

    round: Round
    return_a: CountryReturn
    return_b: CountryReturn
    nso_a: Authority
    interior_a: Authority
    nso_b: Authority
    held_section: Section  # forwarded to interior_a
    other_section: Section  # not forwarded
    assignment: Assignment
    focal_point_a: AbstractBaseUser
    respondent_a: AbstractBaseUser  # holds held_section for interior_a
    respondent_a_other: AbstractBaseUser  # interior_a's colleague... holding nothing else
    focal_point_b: AbstractBaseUser
    reviewer: AbstractBaseUser
    admin: AbstractBaseUser

    def answer(self, question, row="", column="", authority=None) -> Answer:
        """The stored answer of return A (the NSO's reply unless another authority is named)."""
        return Answer.objects.get(
            country_return=self.return_a,
            authority=authority or self.nso_a,
            question__code=question,
            row_code=row,
            column_code=column,
        )


@pytest.fixture
def world(questionnaire_round) -> World:
    """The world in an open round (replies can be changed only while their round is open)."""
    move_round(round_=questionnaire_round, action=Round.Action.OPEN, actor=None)
    country_a = Area.objects.get(iso3="KEN")
    country_b = Area.objects.get(iso3="MEX")
    return_a = CountryReturn.objects.create(round=questionnaire_round, country=country_a)
    return_b = CountryReturn.objects.create(round=questionnaire_round, country=country_b)
    nso_a = Authority.objects.create(
        country=country_a, name="Kenya National Bureau of Statistics", kind=Authority.Kind.NSO
    )
    interior_a = Authority.objects.create(
        country=country_a, name="Ministry of Interior", kind=Authority.Kind.INTERIOR
    )
    labour_a = Authority.objects.create(
        country=country_a, name="Ministry of Labour", kind=Authority.Kind.LABOUR
    )
    nso_b = Authority.objects.create(country=country_b, name="INEGI", kind=Authority.Kind.NSO)
    sections = Section.objects.filter(questionnaire_id=questionnaire_round.questionnaire_id)
    held_section = sections.get(code="C")
    other_section = sections.get(code="B")
    assignment = Assignment.objects.create(
        country_return=return_a,
        section=held_section,
        authority=interior_a,
        contact_email="interior@example.org",
    )
    Assignment.objects.create(
        country_return=return_a,
        section=sections.get(code="G"),
        authority=labour_a,
        contact_email="labour@example.org",
    )

    def member(email, role, country_return=None, authority=None):
        unsd = role in (Membership.Role.UNSD_REVIEWER, Membership.Role.UNSD_ADMIN)
        user = UserFactory(
            email=email,
            username=email,
            is_staff=unsd,
            is_superuser=role == Membership.Role.UNSD_ADMIN,
        )
        Membership.objects.create(
            user=user, role=role, country_return=country_return, authority=authority
        )
        return user

    role = Membership.Role
    return World(
        round=questionnaire_round,
        return_a=return_a,
        return_b=return_b,
        nso_a=nso_a,
        interior_a=interior_a,
        nso_b=nso_b,
        held_section=held_section,
        other_section=other_section,
        assignment=assignment,
        focal_point_a=member("fp-a@example.org", role.FOCAL_POINT, return_a, nso_a),
        respondent_a=member("interior-a@example.org", role.RESPONDENT, return_a, interior_a),
        respondent_a_other=member("labour-a@example.org", role.RESPONDENT, return_a, labour_a),
        focal_point_b=member("fp-b@example.org", role.FOCAL_POINT, return_b, nso_b),
        reviewer=member("reviewer@un.org", role.UNSD_REVIEWER),
        admin=member("admin@un.org", role.UNSD_ADMIN),
    )
