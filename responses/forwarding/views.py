"""Views of forwarding: the wizard, handing a section back, and the focal point's actions on it."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from formtools.wizard.views import SessionWizardView

from consultation.definition import get_definition
from consultation.http import AuthenticatedHttpRequest
from consultation.models import Section

from ..access import get_return, require_focal_point, section_access
from ..exceptions import ConsultationError
from ..models import Assignment, Authority, CountryReturn
from .forms import AuthorityForm, DetailsForm, ErrorSummaryMixin, ReviewForm, SectionsForm
from .services import (
    forward_sections,
    hand_back_section,
    reclaim_assignment,
    reforward_assignment,
    remind_assignment,
    reopen_assignment,
)

STEP_TITLES = {
    "sections": gettext_lazy("Sections"),
    "authority": gettext_lazy("Authority and contact"),
    "details": gettext_lazy("Message and due date"),
    "review": gettext_lazy("Review and send"),
}


class _StayOnStep(Exception):
    """Raised by done() to show a page instead of finishing, keeping the wizard's data."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__()
        self.response = response


@method_decorator([never_cache, login_required], name="dispatch")
class ForwardSectionsWizard(SessionWizardView):
    """Forward sections to an authority in four short steps; only the return's focal points."""

    form_list = [
        ("sections", SectionsForm),
        ("authority", AuthorityForm),
        ("details", DetailsForm),
        ("review", ReviewForm),
    ]
    template_name = "responses/forwarding/wizard.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.country_return: CountryReturn = get_return(request.user, kwargs["return_id"])
        require_focal_point(request.user, self.country_return)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        step = request.POST.get(f"{self.prefix}-current_step")
        if step is not None and step not in self.get_form_list():
            raise BadRequest(
                _("This form is out of date. Start forwarding again from the return page.")
            )
        return super().post(request, *args, **kwargs)

    def get_prefix(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        # One wizard per return: forwarding for two returns in two tabs does not mix them up.
        return f"forward_{kwargs['return_id']}"

    def get_form_kwargs(self, step: str | None = None) -> dict[str, Any]:
        if step in ("sections", "details"):
            return {"country_return": self.country_return}
        if step == "authority":
            return {"country_return": self.country_return, "sections": self.chosen_sections()}
        return {}

    def get_form_initial(self, step: str) -> dict[str, Any]:
        if step == "sections" and self.request.method == "GET":
            # The return page links here with ?section=C to tick that section.
            codes = self.request.GET.getlist("section")
            definition = get_definition(self.country_return.round.questionnaire_id)
            unknown = [code for code in codes if definition.section(code) is None]
            if unknown:
                raise BadRequest(
                    _("The link names a section the questionnaire does not have.")
                    + " "
                    + _("Start again from the return page.")
                )
            if codes:
                return {
                    "sections": Section.objects.filter(
                        questionnaire_id=self.country_return.round.questionnaire_id,
                        code__in=codes,
                    )
                }
        return super().get_form_initial(step)

    def chosen_sections(self) -> list[Section]:
        data = self.get_cleaned_data_for_step("sections") or {}
        return list(data.get("sections", []))

    def get_context_data(self, form: ErrorSummaryMixin, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        context.update(
            country_return=self.country_return,
            step_title=STEP_TITLES[self.steps.current],
            error_summary=form.error_summary() if form.is_bound else [],
        )
        if self.steps.current == "review":
            context["summary"] = self.summary()
        return context

    def summary(self) -> dict[str, Any]:
        """What will be sent, as the review page shows it."""
        authority_data = self.get_cleaned_data_for_step("authority") or {}
        details = self.get_cleaned_data_for_step("details") or {}
        authority: Authority | None = authority_data.get("authority")
        new_kind = authority_data.get("new_authority_kind", "")
        return {
            "sections": self.chosen_sections(),
            "authority": authority,
            "new_authority_name": authority_data.get("new_authority_name", ""),
            "new_authority_kind": Authority.Kind(new_kind).label if new_kind else "",
            "contact_email": authority_data.get("contact_email", ""),
            "contact_name": authority_data.get("contact_name", ""),
            "message": details.get("message", ""),
            "due_date": details.get("due_date"),
            "attach_workbook": details.get("attach_workbook", False),
        }

    def render_done(self, form: Form, **kwargs: Any) -> HttpResponse:
        try:
            return super().render_done(form, **kwargs)
        except _StayOnStep as stay:
            return stay.response

    def done(self, form_list: Any, form_dict: dict[str, Form], **kwargs: Any) -> HttpResponse:
        data: dict[str, Any] = {}
        for form in form_list:
            data.update(form.cleaned_data)
        try:
            assignments = forward_sections(
                country_return=self.country_return,
                sections=data["sections"],
                authority=data.get("authority"),
                authority_name=data.get("new_authority_name", ""),
                authority_kind=data.get("new_authority_kind", ""),
                contact_email=data["contact_email"],
                contact_name=data.get("contact_name", ""),
                message=data.get("message", ""),
                due_date=data.get("due_date"),
                forwarded_by=self.request.user,
                attach_workbook=data.get("attach_workbook", False),
            )
        except ConsultationError as refusal:
            review = form_dict["review"]
            review.add_error(None, refusal.message)
            raise _StayOnStep(self.render(review)) from None
        messages.success(
            self.request,
            _("Sent: %(sections)s forwarded to %(authority)s (%(email)s).")
            % {
                "sections": ", ".join(assignment.section.code for assignment in assignments),
                "authority": assignments[0].authority.name,
                "email": data["contact_email"],
            },
        )
        return redirect("responses:return-overview", self.country_return.pk)


forward = ForwardSectionsWizard.as_view()


@login_required
@require_POST
def section_hand_back(
    request: AuthenticatedHttpRequest, return_id: int, section: str
) -> HttpResponse:
    """The authority's respondent hands its reply to a section back to the focal points."""
    country_return = get_return(request.user, return_id)
    access = section_access(request.user, country_return, section)
    assignment = access.assignment
    if assignment is None or not assignment.is_editable:
        raise Http404("No such section")
    try:
        hand_back_section(assignment=assignment, actor=request.user)
    except ConsultationError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _(
                "Section %(section)s has been handed back to the national statistical office. "
                "You can still read it; ask them to reopen it if you need to change something."
            )
            % {"section": section},
        )
    return redirect("responses:section-edit", country_return.pk, section)


def _act_on_assignment(
    request: HttpRequest, return_id: int, assignment_id: int, act: Any, success: str
) -> HttpResponse:
    """Run one focal-point action on an assignment of the return, then go back to the return."""
    country_return = get_return(request.user, return_id)
    require_focal_point(request.user, country_return)
    assignment = get_object_or_404(
        Assignment.objects.select_related(
            "section", "authority", "country_return__country", "country_return__round"
        ),
        pk=assignment_id,
        country_return=country_return,
    )
    try:
        act(assignment=assignment, actor=request.user)
    except ConsultationError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            success
            % {
                "section": assignment.section.code,
                "authority": assignment.authority.name,
                "email": assignment.contact_email,
            },
        )
    return redirect("responses:return-overview", country_return.pk)


@login_required
@require_POST
def assignment_remind(
    request: AuthenticatedHttpRequest, return_id: int, assignment_id: int
) -> HttpResponse:
    return _act_on_assignment(
        request,
        return_id,
        assignment_id,
        remind_assignment,
        _("A reminder about section %(section)s was sent to %(email)s."),
    )


@login_required
@require_POST
def assignment_reclaim(
    request: AuthenticatedHttpRequest, return_id: int, assignment_id: int
) -> HttpResponse:
    return _act_on_assignment(
        request,
        return_id,
        assignment_id,
        reclaim_assignment,
        _(
            "Section %(section)s was taken back from %(authority)s. Their reply is kept, "
            "and you can still read it."
        ),
    )


@login_required
@require_POST
def assignment_reforward(
    request: AuthenticatedHttpRequest, return_id: int, assignment_id: int
) -> HttpResponse:
    return _act_on_assignment(
        request,
        return_id,
        assignment_id,
        reforward_assignment,
        _("Section %(section)s was forwarded again to %(authority)s (%(email)s)."),
    )


@login_required
@require_POST
def assignment_reopen(
    request: AuthenticatedHttpRequest, return_id: int, assignment_id: int
) -> HttpResponse:
    return _act_on_assignment(
        request,
        return_id,
        assignment_id,
        reopen_assignment,
        _("Section %(section)s was reopened for %(authority)s, who can edit it again."),
    )
