"""Django admin of the responses app, and the Round admin's focal point import and opening."""

from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultation.http import AuthenticatedHttpRequest
from consultation.models import Round

from .exceptions import ConsultationError, FocalPointImportRefused
from .focal_points import MAX_FILE_BYTES, describe_result, import_focal_points
from .invitations.services import resend_invitation
from .models import Answer, Assignment, Authority, CountryReturn, Invitation, Membership
from .returns.lifecycle import close_round
from .rounds import open_round


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows changed only through the application's services: shown, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country"]
    list_filter = ["kind"]
    search_fields = ["name", "country__name", "country__iso3"]
    list_select_related = ["country"]
    raw_id_fields = ["country"]


@admin.register(CountryReturn)
class CountryReturnAdmin(admin.ModelAdmin):
    list_display = ["country", "round", "status", "created_at"]
    list_filter = ["round", "status"]
    search_fields = ["country__name", "country__iso3"]
    list_select_related = ["country", "round"]
    raw_id_fields = ["country"]
    readonly_fields = [
        "status",
        "created_at",
        "deadline_reminder_sent_on",
        "submitted_at",
        "reopened_at",
    ]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "country_return", "authority", "created_at"]
    list_filter = ["role", "country_return__round"]
    search_fields = ["user__email", "user__username", "country_return__country__name"]
    list_select_related = ["user", "country_return__country", "country_return__round", "authority"]
    raw_id_fields = ["user", "country_return", "authority"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    # The salt and the token's hash are never shown: the fields below are all there is.
    fields = readonly_fields = (
        "email",
        "full_name",
        "role",
        "country_return",
        "authority",
        "message",
        "created_by",
        "created_at",
        "sent_at",
        "expires_at",
        "used_at",
        "accepted_by",
        "revoked_at",
    )
    list_display = ["email", "role", "country_return", "authority", "sent_at", "state"]
    list_filter = ["role", "country_return__round"]
    search_fields = ["email", "full_name", "country_return__country__name"]
    list_select_related = ["country_return__country", "country_return__round", "authority"]
    actions = ["resend"]

    @admin.display(description=gettext_lazy("State"))
    def state(self, invitation: Invitation) -> str:
        if invitation.used_at:
            return _("Accepted")
        if invitation.revoked_at:
            return _("Withdrawn")
        if invitation.sent_at is None:
            return _("Waiting for the round to open")
        return _("Sent")

    @admin.action(description=gettext_lazy("Send a new link (the old one stops working)"))
    def resend(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Invitation]) -> None:
        sent = 0
        for invitation in queryset.select_related("country_return", "authority"):
            try:
                resend_invitation(invitation=invitation, resent_by=request.user)
            except ConsultationError as error:
                self.message_user(request, f"{invitation.email}: {error.message}", messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                _("%(count)d new invitation(s) issued.") % {"count": sent},
                messages.SUCCESS,
            )


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["section", "authority", "country_return", "status", "due_date"]
    list_filter = ["status", "country_return__round"]
    search_fields = ["authority__name", "country_return__country__name", "contact_email"]
    list_select_related = [
        "section",
        "authority",
        "country_return__country",
        "country_return__round",
    ]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["question", "row_code", "column_code", "authority", "country_return", "version"]
    list_filter = ["country_return__round"]
    search_fields = ["question__code", "authority__name", "country_return__country__name"]
    list_select_related = ["question", "authority", "country_return__country"]


# The Round admin ---------------------------------------------------------------------------


class FocalPointUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Focal point list (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.")
                % {"limit": MAX_FILE_BYTES // 1024 // 1024}
            )
        return upload


if TYPE_CHECKING:
    _RoundAdminBase = admin.ModelAdmin[Round]
else:
    _RoundAdminBase = object


class FocalPointRoundAdminMixin(_RoundAdminBase):
    """Adds to a Round admin: the focal point upload page and the "open" action."""

    change_form_template = "admin/responses/round_change_form.html"

    def get_urls(self) -> list:
        urls = super().get_urls()
        own = [
            path(
                "<path:object_id>/import-focal-points/",
                self.admin_site.admin_view(self.import_focal_points_view),
                name="consultation_round_import_focal_points",
            )
        ]
        return own + urls

    def import_focal_points_view(
        self, request: AuthenticatedHttpRequest, object_id: str
    ) -> HttpResponse:
        round_ = self.get_object(request, unquote(object_id))
        if round_ is None:
            raise Http404("No such round")
        if not self.has_change_permission(request, round_):
            raise PermissionDenied
        errors: list[str] = []
        summary = ""
        if request.method == "POST":
            form = FocalPointUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    result = import_focal_points(
                        round_=round_,
                        file_name=upload.name,
                        data=upload.read(),
                        invited_by=request.user,
                    )
                except FocalPointImportRefused as error:
                    summary, errors = error.message, error.errors
                except ConsultationError as error:
                    summary, errors = error.message, []
                else:
                    for line in describe_result(result):
                        self.message_user(request, line, messages.SUCCESS)
                    return HttpResponseRedirect(
                        reverse("admin:consultation_round_change", args=[round_.pk])
                    )
        else:
            form = FocalPointUploadForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import focal points: %(round)s") % {"round": round_},
            "opts": self.model._meta,
            "original": round_,
            "form": form,
            "summary": summary,
            "errors": errors,
            "has_view_permission": True,
        }
        return TemplateResponse(
            request,
            "admin/responses/import_focal_points.html",
            context,
            status=400 if summary else 200,
        )

    @admin.action(description=gettext_lazy("Import focal points from a file"))
    def import_focal_points_action(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[Round]
    ):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one round."), messages.ERROR)
            return None
        return HttpResponseRedirect(
            reverse("admin:consultation_round_import_focal_points", args=[queryset.get().pk])
        )

    @admin.action(description=gettext_lazy("Open the selected rounds and send the invitations"))
    def open_rounds(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Round]) -> None:
        for round_ in queryset:
            try:
                result = open_round(round_=round_, opened_by=request.user)
            except ConsultationError as error:
                self.message_user(request, error.message, messages.ERROR)
                continue
            self.message_user(
                request,
                _("%(round)s is open; %(count)d invitation(s) are being sent.")
                % {"round": round_, "count": result.invitations_queued},
                messages.SUCCESS,
            )

    @admin.action(
        description=gettext_lazy("Close the selected rounds (replies can no longer change)")
    )
    def close_rounds(self, request: HttpRequest, queryset: QuerySet[Round]) -> None:
        for round_ in queryset:
            try:
                close_round(round_=round_, actor=request.user)
            except ConsultationError as error:
                self.message_user(request, error.message, messages.ERROR)
                continue
            self.message_user(
                request, _("%(round)s is closed.") % {"round": round_}, messages.SUCCESS
            )


def _register_round_admin() -> None:
    """Extend the Round admin registered by the consultation app, or register one."""
    existing = admin.site._registry.get(Round)
    base = type(existing) if existing is not None else admin.ModelAdmin
    if existing is not None:
        admin.site.unregister(Round)

    # The base class is whatever the consultation app registered: only known at run time.
    class RoundAdmin(FocalPointRoundAdminMixin, base):  # type: ignore[valid-type,misc]
        actions = [
            *(getattr(base, "actions", None) or []),
            "open_rounds",
            "close_rounds",
            "import_focal_points_action",
        ]
        if existing is None:
            list_display = ["code", "name", "status", "deadline", "opened_at"]
            list_filter = ["status"]
            # Opening goes through the "open" action, which sends the invitations.
            readonly_fields = ["status", "opened_at"]

    admin.site.register(Round, RoundAdmin)


_register_round_admin()
