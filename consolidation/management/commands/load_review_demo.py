"""Demo data for review: a return submitted with an open query, and one accepted by UNSD.

Run after load_demo (it needs the open round and the UNSD accounts). Idempotent: a country whose
return went in already is left as it is. Every step goes through the review services, so the
returns carry their whole timeline.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from consolidation.review import services as review
from consultation.definition import QuestionDef, QuestionnaireDef, get_definition
from consultation.formbuilder import AnswerKey, AnswerValue
from consultation.models import Area, Kind, Round
from responses.answers.services import AnswerEdit, save_answers
from responses.management.commands.load_demo import DEMO_PASSWORD
from responses.models import AnswerChange, Authority, CountryReturn, Membership, ReturnEvent
from responses.returns.lifecycle import create_return

# (ISO3, NSO, focal point e-mail, focal point name)
COUNTRIES = [
    ("GHA", "Ghana Statistical Service", "focal@gss.example.org", "Kwame Mensah"),
    ("CAN", "Statistics Canada", "focal@statcan.example.org", "Claire Tremblay"),
]


def demo_value(question: QuestionDef) -> tuple[AnswerKey, AnswerValue]:
    """A plausible answer to a required question (for grids: its first cell)."""
    if question.is_grid:
        column = question.columns[0]
        key: AnswerKey = (question.code, question.rows[0].code, column.code)
        kind, choices = column.kind, column.choices
    else:
        key, kind, choices = (question.code, "", ""), question.kind, question.choices
    value: Any
    if kind == Kind.SINGLE_CHOICE:
        value = choices[0].code
    elif kind == Kind.MULTIPLE_CHOICE:
        value = [choices[0].code]
    elif kind == Kind.YES_NO:
        value = "yes"
    elif kind == Kind.DATE:
        value = "2026-11-15"
    elif kind in (Kind.INTEGER, Kind.YEAR):
        value = 2025
    else:
        value = "See the national migration statistics report"
    return key, AnswerValue(value)


class Command(BaseCommand):
    help = "Load a submitted return with an open query and an accepted one (after load_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        round_ = Round.objects.filter(code="2026", status=Round.Status.OPEN).first()
        reviewer = get_user_model().objects.filter(username="reviewer@unsd.example.org").first()
        if round_ is None or reviewer is None:
            raise CommandError("Run load_demo first: it opens round 2026 and creates UNSD's staff.")
        definition = get_definition(round_.questionnaire_id)
        with transaction.atomic():
            ghana = self.submitted_return(round_, definition, *COUNTRIES[0])
            if ghana is not None:
                review.raise_query(
                    country_return=ghana,
                    key=("A3", "", ""),
                    user=reviewer,
                    message="Is this the full legal name of the office?",
                )
            canada = self.submitted_return(round_, definition, *COUNTRIES[1])
            if canada is not None:
                self.accept(canada, reviewer)
        self.stdout.write(self.style.SUCCESS("Review demo ready."))
        for _iso3, nso, email, _name in COUNTRIES:
            self.stdout.write(f"  {email:36} focal point — {nso} (password {DEMO_PASSWORD})")

    def submitted_return(
        self,
        round_: Round,
        definition: QuestionnaireDef,
        iso3: str,
        nso_name: str,
        email: str,
        name: str,
    ) -> CountryReturn | None:
        """The country's return, answered and submitted; None if it went in before."""
        country = Area.objects.get(iso3=iso3, level=Area.Level.COUNTRY)
        nso, _created = Authority.objects.get_or_create(
            country=country, kind=Authority.Kind.NSO, defaults={"name": nso_name}
        )
        country_return, _created = create_return(round_=round_, country=country)
        if ReturnEvent.objects.filter(
            country_return=country_return, action=ReturnEvent.Action.SUBMIT
        ).exists():
            return None
        first, _space, last = name.partition(" ")
        user, created = User.objects.get_or_create(
            username=email, defaults={"email": email, "first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(
            user=user,
            role=Membership.Role.FOCAL_POINT,
            country_return=country_return,
            authority=nso,
        )
        for section in definition.sections:
            edits = [
                AnswerEdit(*demo_value(question), 0)
                for question in section.questions
                if question.required
            ]
            if edits:
                save_answers(
                    country_return=country_return,
                    authority=nso,
                    section=section,
                    edits=edits,
                    user=user,
                    channel=AnswerChange.Channel.WEB,
                )
        review.submit_return(country_return=country_return, user=user, declaration=True)
        return country_return

    def accept(self, country_return: CountryReturn, reviewer: User) -> None:
        """A query answered, the return submitted again, the query resolved, the return accepted."""
        focal_point = Membership.objects.get(
            country_return=country_return, role=Membership.Role.FOCAL_POINT
        ).user
        query = review.raise_query(
            country_return=country_return,
            key=("A6", "", ""),
            user=reviewer,
            message="Is this the date the reply was completed?",
        )
        review.reply_to_query(
            query=query, user=focal_point, message="Yes: the day the director signed it off."
        )
        review.submit_return(country_return=country_return, user=focal_point, declaration=True)
        review.resolve_query(query=query, user=reviewer, note="Thank you.")
        review.accept_return(country_return=country_return, user=reviewer)
