"""Offline workbooks to download: a reply's, one sent with a forwarding e-mail, a blank one.

Below the workflows that send e-mail, so that an invitation can carry its authority's workbook.
"""

from collections.abc import Iterable
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from consultation.definition import QuestionnaireDef, SectionDef, get_definition

from .. import access
from ..answers.services import load_answers
from ..models import Assignment, Authority, CountryReturn
from .workbook import WorkbookRequest, build_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def downloadable_sections(
    user: Any, country_return: CountryReturn
) -> tuple[Authority, list[SectionDef]]:
    """The reply the user downloads (the NSO's for focal points and UNSD, else the authority's)
    and its sections; 404 if the user has no reply of this return to download."""
    definition = get_definition(country_return.round.questionnaire_id)
    if access.is_focal_point(user, country_return) or access.is_unsd(user):
        section_access = access.section_access(user, country_return, definition.sections[0].code)
        authority = section_access.editable_authority or section_access.nso
        assert authority is not None
        return authority, list(definition.sections)
    assignments = [
        assignment
        for assignment in access.visible_assignments(user, country_return)
        if assignment.authority_id in access.respondent_authorities(user, country_return.pk)
    ]
    if not assignments:
        raise Http404("Nothing to download")
    authority = assignments[0].authority
    held = {a.section_id for a in assignments if a.authority_id == authority.pk}
    return authority, [section for section in definition.sections if section.id in held]


def reply_workbook(
    *,
    country_return: CountryReturn,
    authority: Authority,
    sections: Iterable[SectionDef],
    downloaded_by: str,
) -> bytes:
    """The workbook of one reply: its sections, its answers, and each answer's version."""
    definition = get_definition(country_return.round.questionnaire_id)
    stored = load_answers(
        country_return=country_return, authority=authority, questionnaire=definition
    )
    return build_workbook(
        WorkbookRequest(
            definition=definition,
            sections=list(sections),
            answers={key: answer.value for key, answer in stored.items()},
            versions={key: answer.version for key, answer in stored.items()},
            round_code=country_return.round.code,
            round_name=country_return.round.name,
            return_id=country_return.pk,
            country_code=country_return.country.iso3 or country_return.country_id,
            country_name=country_return.country.name,
            authority_id=authority.pk,
            authority_name=authority.name,
            downloaded_by=downloaded_by,
        )
    )


def blank_workbook(definition: QuestionnaireDef) -> bytes:
    """The questionnaire as a workbook with no answers, to read (it cannot be uploaded)."""
    return build_workbook(WorkbookRequest(definition=definition, sections=definition.sections))


def workbook_filename(country_return: CountryReturn, authority: Authority) -> str:
    country = country_return.country.iso3 or country_return.country_id
    kind = "nso" if authority.kind == Authority.Kind.NSO else f"authority-{authority.pk}"
    return f"{country_return.round.code}-{country}-{kind}.xlsx"


def held_sections(country_return: CountryReturn, authority: Authority) -> list[SectionDef]:
    """The sections the authority holds and may still fill in, in questionnaire order."""
    definition = get_definition(country_return.round.questionnaire_id)
    held = set(
        Assignment.objects.filter(
            country_return=country_return, authority=authority, status__in=Assignment.EDITABLE
        ).values_list("section_id", flat=True)
    )
    return [section for section in definition.sections if section.id in held]


def emailed_workbook(
    country_return: CountryReturn, authority: Authority, *, sent_to: str
) -> tuple[str, bytes, str] | None:
    """The attachment (file name, content, type) of the workbook an authority's contact is
    sent with the sections it holds; None when it holds none any more."""
    sections = held_sections(country_return, authority)
    if not sections:
        return None
    content = reply_workbook(
        country_return=country_return,
        authority=authority,
        sections=sections,
        downloaded_by=_("Sent by e-mail to %(address)s") % {"address": sent_to},
    )
    return workbook_filename(country_return, authority), content, XLSX
