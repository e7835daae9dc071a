"""The questionnaire preview: every section as respondents will see it, and a printable page."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from .definition import QuestionnaireDef, SectionDef, get_definition
from .formbuilder import SectionFormBuilder, resolve_grid_rows
from .models import Questionnaire
from .rendering import SectionRenderer


def _definition(code: str) -> QuestionnaireDef:
    questionnaire = get_object_or_404(Questionnaire.objects.only("pk"), code=code)
    return get_definition(questionnaire.pk)


def _section_form(definition: QuestionnaireDef, section: SectionDef, data=None, added_row=""):
    submitted_rows = None
    if data is not None:
        submitted_rows = {
            key.removesuffix("._rows"): value
            for key, value in data.items()
            if key.endswith("._rows")
        }
    rows = resolve_grid_rows(
        section,
        definition.questions,
        {},
        submitted_rows=submitted_rows,
        added_row=added_row,
    )
    form_class = SectionFormBuilder(section, rows, definition.questions).get_form_class()
    return form_class(data) if data is not None else form_class()


@require_safe
@staff_member_required
def preview_index(request: HttpRequest, questionnaire: str) -> HttpResponse:
    definition = _definition(questionnaire)
    return render(request, "consultation/preview_index.html", {"questionnaire": definition})


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@staff_member_required
def preview_section(request: HttpRequest, questionnaire: str, section: str) -> HttpResponse:
    definition = _definition(questionnaire)
    current = definition.section(section)
    if current is None:
        raise Http404("No such section")
    added_row = request.POST.get("add_row", "") if request.method == "POST" else ""
    form = _section_form(
        definition, current, request.POST if request.method == "POST" else None, added_row
    )
    renderer = SectionRenderer(form)
    if added_row:
        # Adding a row is not a check: errors wait for "Check my answers".
        renderer.errors = {}
    position = definition.sections.index(current)
    return render(
        request,
        "consultation/preview_section.html",
        {
            "questionnaire": definition,
            "section": current,
            "questions_html": renderer.render(),
            "error_summary": renderer.error_summary(),
            "non_field_errors": form.non_field_errors() if renderer.errors else [],
            "context_answers": {},
            "previous_section": definition.sections[position - 1] if position else None,
            "next_section": definition.sections[position + 1]
            if position + 1 < len(definition.sections)
            else None,
        },
    )


@require_safe
@staff_member_required
def preview_print(request: HttpRequest, questionnaire: str) -> HttpResponse:
    definition = _definition(questionnaire)
    sections = [
        (
            section,
            SectionRenderer(
                _section_form(definition, section), read_only=True, questions=definition.questions
            ).render(),
        )
        for section in definition.sections
    ]
    return render(
        request,
        "consultation/preview_print.html",
        {"questionnaire": definition, "sections": sections},
    )
