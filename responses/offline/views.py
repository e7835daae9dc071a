"""Views of offline workbooks: download a reply, a blank workbook, and the upload wizard."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from formtools.wizard.views import SessionWizardView

from consultation.definition import get_definition
from consultation.http import AuthenticatedHttpRequest
from consultation.models import Questionnaire
from consultation.parsing import parse_whole_number

from .. import access
from ..exceptions import ConsultationError
from ..models import CountryReturn
from .download import XLSX, blank_workbook, downloadable_sections, reply_workbook, workbook_filename
from .forms import ConfirmForm, ReviewForm, UploadForm
from .reader import MAX_UPLOAD_BYTES
from .services import (
    OUTCOME_LABELS,
    OUTCOMES,
    BackgroundReading,
    Preview,
    apply_workbook,
    background_reading,
)

STEP_TITLES = {
    "upload": gettext_lazy("Upload"),
    "review": gettext_lazy("Check the changes"),
    "confirm": gettext_lazy("Confirm"),
}


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@require_safe
@login_required
def workbook_download(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    """The user's reply to the return as a workbook: the NSO's, or the authority's sections."""
    country_return = access.get_return(request.user, return_id)
    authority, sections = downloadable_sections(request.user, country_return)
    content = reply_workbook(
        country_return=country_return,
        authority=authority,
        sections=sections,
        downloaded_by=request.user.email,
    )
    return _xlsx_response(content, workbook_filename(country_return, authority))


@require_safe
@login_required
def blank_workbook_download(request: AuthenticatedHttpRequest, questionnaire: str) -> HttpResponse:
    """The questionnaire as a blank workbook, from the preview (UNSD staff, as the preview)."""
    if not (request.user.is_staff or access.is_unsd(request.user)):
        raise Http404("No such page")
    found = get_object_or_404(Questionnaire.objects.only("pk"), code=questionnaire)
    definition = get_definition(found.pk)
    return _xlsx_response(blank_workbook(definition), f"{definition.code}-blank.xlsx")


@method_decorator([never_cache, login_required], name="dispatch")
class UploadWorkbookWizard(SessionWizardView):
    """Upload a filled-in workbook; see what it changes; settle conflicts; apply."""

    form_list = [("upload", UploadForm), ("review", ReviewForm), ("confirm", ConfirmForm)]
    template_name = "responses/offline/upload_wizard.html"
    file_storage = default_storage
    request: AuthenticatedHttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.country_return: CountryReturn = access.get_return(request.user, kwargs["return_id"])
        # Only those who answer for a reply of this return may upload into it.
        downloadable_sections(request.user, self.country_return)
        if access.is_unsd(request.user) and not access.is_focal_point(
            request.user, self.country_return
        ):
            raise Http404("No reply to upload into")
        self._cleaned: dict[str, Any] = {}
        length = parse_whole_number(request.META.get("CONTENT_LENGTH") or "0")
        if request.method == "POST" and length is not None and length > MAX_UPLOAD_BYTES + 65536:
            return render(
                request,
                "responses/offline/upload_refused.html",
                {
                    "country_return": self.country_return,
                    "message": _(
                        "This file is larger than %(size)d MB: a questionnaire workbook is far "
                        "smaller. Nothing was saved."
                    )
                    % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
                },
                status=413,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_prefix(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        return f"workbook_upload_{kwargs['return_id']}"

    def upload_form(self) -> UploadForm | None:
        """The upload step's form, validated again from the stored file (once per request)."""
        if "upload" not in self._cleaned:
            form = None
            data = self.storage.get_step_data("upload")
            if data is not None:
                candidate = self.get_form(
                    step="upload", data=data, files=self.storage.get_step_files("upload")
                )
                if candidate.is_valid():
                    form = candidate
            self._cleaned["upload"] = form
        return self._cleaned["upload"]

    def get_form_kwargs(self, step: str | None = None) -> dict[str, Any]:
        if step == "upload":
            return {"user": self.request.user, "country_return": self.country_return}
        if step == "review":
            preview, reading = self.current_preview()
            return {"preview": preview, "reading": reading}
        return {}

    def current_preview(self) -> tuple[Preview | None, BackgroundReading | None]:
        """The upload's preview: made in this request, or by the Celery task (when done)."""
        form = self.upload_form()
        if form is None:
            return None, None
        if not form.token:
            return form.preview, None
        reading = background_reading(form.token) or BackgroundReading("queued")
        return reading.preview, reading

    def get_context_data(self, form: Form, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        context.update(
            country_return=self.country_return, step_title=STEP_TITLES[self.steps.current]
        )
        if self.steps.current in ("review", "confirm"):
            preview, reading = self.current_preview()
            context["preview"] = preview
            context["reading"] = reading
            if preview is not None:
                counts = preview.counts()
                context["counts"] = [(OUTCOME_LABELS[name], counts[name]) for name in OUTCOMES]
                context["listed"] = [
                    entry for entry in preview.entries if entry.outcome != "conflicting"
                ]
            if self.steps.current == "confirm":
                review = self.get_cleaned_data_for_step("review") or {}
                chosen = [name for name, value in review.items() if value == "workbook"]
                context["taken_conflicts"] = len(chosen)
        return context

    def done(self, form_list: Any, form_dict: dict[str, Form], **kwargs: Any) -> HttpResponse:
        upload = form_dict["upload"]
        review = form_dict["review"]
        assert isinstance(upload, UploadForm)
        assert isinstance(review, ReviewForm)
        try:
            result = apply_workbook(
                content=upload.content,
                user=self.request.user,
                filename=upload.cleaned_data["workbook"].name,
                expected_return=self.country_return,
                choices=review.choices(),
            )
        except ConsultationError as refusal:
            # Refused as it is applied (the file, or the edit rule, changed meanwhile).
            messages.error(self.request, refusal.message)
            return redirect("responses:return-overview", self.country_return.pk)
        messages.success(
            self.request,
            _("The workbook is applied: %(count)d answer(s) saved.") % {"count": result.saved},
        )
        if result.conflicts:
            messages.warning(
                self.request,
                _(
                    "%(count)d answer(s) were changed on the web while you uploaded, and were "
                    "left as they are. Upload the workbook again to see them."
                )
                % {"count": len(result.conflicts)},
            )
        return redirect("responses:return-overview", self.country_return.pk)


workbook_upload = UploadWorkbookWizard.as_view()
