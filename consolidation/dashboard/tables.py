"""The dashboard as a sheet, and which answers a section's tabulations need to read."""

from collections.abc import Iterator, Sequence
from typing import Any

from django.utils.translation import gettext as _

from consultation import conditions
from consultation.definition import QuestionnaireDef, SectionDef

from ..exports.content import Sheet
from .services import DashboardRow


def dashboard_sheet(rows: Sequence[DashboardRow]) -> Sheet:
    def cells() -> Iterator[list[Any]]:
        for row in rows:
            yield [
                row.place.name,
                row.place.m49_code,
                row.place.iso3,
                row.place.region or None,
                row.place.subregion or None,
                row.status_label,
                row.required_answered,
                row.required_total,
                row.completeness,
                "; ".join(
                    f"{a.name}: " + ", ".join(f"{code} {state}" for code, state in a.sections)
                    for a in row.authorities
                )
                or None,
                row.open_queries,
                row.last_activity.replace(tzinfo=None, microsecond=0)
                if row.last_activity
                else None,
                row.milestones.submitted_on,
                row.milestones.accepted_on,
                _("yes") if row.overdue else None,
                _("yes") if row.silent else None,
            ]

    return Sheet(
        title=_("Dashboard"),
        description=_("Every country of the round as the dashboard lists it"),
        headers=[
            [
                _("Country or area"),
                _("M49 code"),
                _("ISO3"),
                _("Region"),
                _("Sub-region"),
                _("Status"),
                _("Required questions answered"),
                _("Required questions"),
                _("Completeness (%)"),
                _("Authorities and their sections"),
                _("Open queries"),
                _("Last activity (UTC)"),
                _("Submitted on"),
                _("Accepted on"),
                _("Overdue"),
                _("Silent"),
            ]
        ],
        rows=cells(),
        widths=[28, 8, 6, 14, 24, 14, 10, 10, 10, 50, 8, 18, 12, 12, 8, 8],
        frozen_columns=1,
    )


def section_codes_needed(section: SectionDef, questionnaire: QuestionnaireDef) -> set[str]:
    """The section's questions and those its conditions and derived rows look at."""
    codes = {question.code for question in section.questions}
    for question in section.questions:
        trees = [question.show_if, question.rows_from.get("where") or {}]
        trees += [column.show_if for column in question.columns]
        if question.rows_from.get("question"):
            codes.add(question.rows_from["question"])
        for tree in trees:
            if tree:
                codes.update(r.question for r in conditions.references(tree) if r.question)
    return codes & set(questionnaire.questions)
