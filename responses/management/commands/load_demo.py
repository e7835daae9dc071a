"""Demo data: UNSD staff, focal points, an authority, and returns in different states.

Idempotent: a second run adds nothing twice. Prints who can sign in, with which password.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from consultation.answers import AnswerValue
from consultation.definition import get_definition
from consultation.models import Area, Round, Section
from responses.answers.services import AnswerEdit, save_answers
from responses.forwarding.services import forward_sections, hand_back_section
from responses.models import Answer, AnswerChange, Assignment, Authority, Membership
from responses.returns.lifecycle import create_return
from responses.rounds import open_round

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (printed for the local demo only)

# (e-mail, name, role, country ISO3 or "", authority name or "")
PEOPLE = [
    ("admin@unsd.example.org", "Ada Admin", Membership.Role.UNSD_ADMIN, "", ""),
    ("reviewer@unsd.example.org", "Rafael Reviewer", Membership.Role.UNSD_REVIEWER, "", ""),
    ("focal@knbs.example.org", "Wanjiru Kamau", Membership.Role.FOCAL_POINT, "KEN", ""),
    (
        "migration@interior.example.org",
        "Otieno Odhiambo",
        Membership.Role.RESPONDENT,
        "KEN",
        "Ministry of Interior and National Administration",
    ),
    ("focal@inegi.example.org", "Lucía Hernández", Membership.Role.FOCAL_POINT, "MEX", ""),
    ("focal@destatis.example.org", "Jonas Weber", Membership.Role.FOCAL_POINT, "DEU", ""),
    (
        "estadisticas@gobernacion.example.org",
        "Diego Ramírez",
        Membership.Role.RESPONDENT,
        "MEX",
        "Unidad de Política Migratoria (SEGOB)",
    ),
]

NSO_NAMES = {
    "KEN": "Kenya National Bureau of Statistics",
    "MEX": "Instituto Nacional de Estadística y Geografía (INEGI)",
    "DEU": "Federal Statistical Office (Destatis)",
}


class Command(BaseCommand):
    help = "Load demo users and country returns in different states (run after the loaders)."

    def handle(self, *args, **options) -> None:
        round_ = Round.objects.filter(code="2026").select_related("questionnaire").first()
        if round_ is None:
            raise CommandError(
                "Round 2026 is missing. Load it first: python manage.py load_questionnaire "
                "fixtures/questionnaires/migration-2026.yaml --round 2026"
            )
        with transaction.atomic():
            created = self.load(round_)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new records)."))
        self.stdout.write(f"\nSign in at {settings.SITE_URL}/ as any of these people,")
        self.stdout.write(f"all with the password {DEMO_PASSWORD}:")
        for email, _name, role, country, authority in PEOPLE:
            where = f" — {authority or NSO_NAMES.get(country, '')}" if country else ""
            self.stdout.write(f"  {email:36} {Membership.Role(role).label}{where}")

    def load(self, round_: Round) -> int:
        created = 0
        returns = {}
        nsos = {}
        for iso3, name in NSO_NAMES.items():
            area = Area.objects.get(iso3=iso3, level=Area.Level.COUNTRY)
            nsos[iso3], new = Authority.objects.get_or_create(
                country=area, kind=Authority.Kind.NSO, defaults={"name": name}
            )
            created += new
            returns[iso3], new = create_return(round_=round_, country=area)
            created += new
        interior, new = Authority.objects.get_or_create(
            country=returns["KEN"].country,
            name="Ministry of Interior and National Administration",
            defaults={"kind": Authority.Kind.INTERIOR},
        )
        created += new
        segob, new = Authority.objects.get_or_create(
            country=returns["MEX"].country,
            name="Unidad de Política Migratoria (SEGOB)",
            defaults={"kind": Authority.Kind.MIGRATION_AGENCY},
        )
        created += new
        authorities = {interior.name: interior, segob.name: segob}
        users = {}
        User = get_user_model()
        for email, name, role, country, authority_name in PEOPLE:
            first, _space, last = name.partition(" ")
            user, new = User.objects.get_or_create(
                username=email,
                defaults={
                    "email": email,
                    "first_name": first,
                    "last_name": last,
                    "is_staff": role in (Membership.Role.UNSD_ADMIN, Membership.Role.UNSD_REVIEWER),
                    "is_superuser": role == Membership.Role.UNSD_ADMIN,
                },
            )
            if new:
                user.set_password(DEMO_PASSWORD)
                user.save()
            created += new
            users[email] = user
            authority = authorities[authority_name] if authority_name else nsos.get(country)
            _membership, new = Membership.objects.get_or_create(
                user=user,
                role=role,
                country_return=returns.get(country),
                authority=authority if country else None,
            )
            created += new
        if round_.status == Round.Status.DRAFT:
            if round_.deadline is None:
                round_.deadline = timezone.localdate() + timedelta(days=45)
                round_.save(update_fields=["deadline"])
            open_round(round_=round_, opened_by=users["admin@unsd.example.org"])
        # Kenya: section C forwarded to the Ministry of Interior, which is filling it in.
        section_c = Section.objects.get(questionnaire=round_.questionnaire, code="C")
        if not Assignment.objects.filter(country_return=returns["KEN"], section=section_c).exists():
            forward_sections(
                country_return=returns["KEN"],
                sections=[section_c],
                authority=interior,
                contact_email="migration@interior.example.org",
                message="Please complete the source inventory for your administrative data.",
                due_date=timezone.localdate() + timedelta(days=2),
                forwarded_by=users["focal@knbs.example.org"],
            )
            created += 1
        # Mexico: section B answered by the migration policy unit and handed back.
        section_b = Section.objects.get(questionnaire=round_.questionnaire, code="B")
        mexico_b = Assignment.objects.filter(country_return=returns["MEX"], section=section_b)
        if not mexico_b.exists():
            forward_sections(
                country_return=returns["MEX"],
                sections=[section_b],
                authority=segob,
                contact_email="estadisticas@gobernacion.example.org",
                due_date=timezone.localdate() + timedelta(days=10),
                forwarded_by=users["focal@inegi.example.org"],
            )
            created += 1
        definition = get_definition(round_.questionnaire_id)
        self.answer(
            definition,
            returns["KEN"],
            nsos["KEN"],
            users["focal@knbs.example.org"],
            "A",
            {
                ("A1", "", ""): "404",
                ("A2", "", ""): "consolidated",
                ("A3", "", ""): NSO_NAMES["KEN"],
                ("A8", "", ""): "yes",
            },
        )
        self.answer(
            definition,
            returns["KEN"],
            interior,
            users["migration@interior.example.org"],
            "C",
            {("C1", "S07", "exists"): "yes", ("C1", "S09", "exists"): "yes"},
        )
        self.answer(
            definition,
            returns["MEX"],
            nsos["MEX"],
            users["focal@inegi.example.org"],
            "A",
            {("A1", "", ""): "484", ("A3", "", ""): NSO_NAMES["MEX"], ("A8", "", ""): "yes"},
        )
        self.answer(
            definition,
            returns["MEX"],
            segob,
            users["estadisticas@gobernacion.example.org"],
            "B",
            {
                ("B1", "", ""): "yes_differs",
                ("B5", "", ""): "T12",
                ("B6", "", ""): "no",
                ("B12", "", ""): "yes",
            },
        )
        handed_back = mexico_b.get()
        if handed_back.status != Assignment.Status.HANDED_BACK:
            hand_back_section(
                assignment=handed_back, actor=users["estadisticas@gobernacion.example.org"]
            )
        # Mexico's NSO answered section B too, differently from SEGOB on two questions: a
        # country with conflicts to resolve (B1 agrees and is taken; B5 and B6 conflict).
        self.answer(
            definition,
            returns["MEX"],
            nsos["MEX"],
            users["focal@inegi.example.org"],
            "B",
            {
                ("B1", "", ""): "yes_differs",
                ("B3", "", ""): "statistics_law",
                ("B5", "", ""): "T6P",
                ("B6", "", ""): "yes",
            },
        )
        return created

    def answer(self, definition, country_return, authority, user, section_code, values) -> None:
        section = definition.section(section_code)
        answered = Answer.objects.filter(
            country_return=country_return,
            authority=authority,
            question_id__in=[question.id for question in section.questions],
        )
        if answered.exists():
            return
        save_answers(
            country_return=country_return,
            authority=authority,
            section=section,
            edits=[AnswerEdit(key, AnswerValue(value), 0) for key, value in values.items()],
            user=user,
            channel=AnswerChange.Channel.WEB,
        )
