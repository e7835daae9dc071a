"""The forms of the forwarding wizard: sections, authority and contact, message and due date."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultation.models import Section

from ..exceptions import ForwardingRefused
from ..models import Authority, CountryReturn
from .services import active_assignments_of, describe_active, find_authority, validate_due_date

# A new authority is never a second national statistical office.
NEW_AUTHORITY_KINDS = [
    (value, label) for value, label in Authority.Kind.choices if value != Authority.Kind.NSO
]


class ErrorSummaryMixin(forms.Form):
    """Lists every error with a link to its field, for the summary at the top of the page."""

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs: field errors point to the field, others to the form's."""
        summary: list[tuple[str, str]] = []
        for message in self.non_field_errors():
            summary.append(("form-errors", str(message)))
        for bound_field in self:
            anchor = bound_field.auto_id
            if bound_field.use_fieldset:
                # A group of boxes: the first box takes the focus.
                anchor = f"{anchor}_0"
            for message in bound_field.errors:
                summary.append((anchor, f"{bound_field.label}: {message}"))
        return summary


class SectionLabelField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Section) -> str:
        return f"{obj.code}. {obj.title}"


class SectionsForm(ErrorSummaryMixin, forms.Form):
    """Step 1: which sections to forward."""

    sections = SectionLabelField(
        queryset=Section.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Sections to forward"),
        help_text=_("Tick one or more sections. The authority will see only these sections."),
        error_messages={"required": _("Tick at least one section.")},
    )

    def __init__(self, *args: Any, country_return: CountryReturn, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sections_field = self.fields["sections"]
        assert isinstance(sections_field, forms.ModelMultipleChoiceField)
        sections_field.queryset = Section.objects.filter(
            questionnaire_id=country_return.round.questionnaire_id
        ).order_by("position")


class AuthorityForm(ErrorSummaryMixin, forms.Form):
    """Step 2: a known authority of the country, or a new one; and the contact there."""

    authority = forms.ModelChoiceField(
        queryset=Authority.objects.none(),
        required=False,
        label=_("A known authority"),
        empty_label=_("None of these: a new authority, named below"),
    )
    new_authority_name = forms.CharField(
        max_length=300,
        required=False,
        label=_("Name of the new authority"),
        help_text=_("For example: Ministry of the Interior, Department of Immigration."),
    )
    new_authority_kind = forms.ChoiceField(
        choices=[("", _("Choose a kind")), *NEW_AUTHORITY_KINDS],
        required=False,
        label=_("Kind of authority"),
    )
    contact_email = forms.EmailField(
        label=_("Contact's e-mail address"),
        help_text=_(
            "This person receives the sections by e-mail (with an invitation to sign up if "
            "they have no account for this authority yet)."
        ),
        error_messages={"required": _("Give the contact's e-mail address.")},
    )
    contact_name = forms.CharField(max_length=200, required=False, label=_("Contact's name"))

    def __init__(
        self,
        *args: Any,
        country_return: CountryReturn,
        sections: list[Section],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.country_return = country_return
        self.sections = sections
        authority_field = self.fields["authority"]
        assert isinstance(authority_field, forms.ModelChoiceField)
        authority_field.queryset = Authority.objects.filter(
            country_id=country_return.country_id
        ).exclude(kind=Authority.Kind.NSO)
        self.fields["contact_email"].widget.attrs["autocomplete"] = "off"

    def clean_new_authority_name(self) -> str:
        name = " ".join(self.cleaned_data["new_authority_name"].split())
        return name

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        authority = cleaned.get("authority")
        name = cleaned.get("new_authority_name", "")
        if authority and name:
            raise forms.ValidationError(
                _("Choose a known authority or name a new one, not both."), code="both"
            )
        if not authority and not name:
            if "authority" not in self.errors:
                self.add_error(
                    "new_authority_name", _("Choose a known authority above, or name a new one.")
                )
            return cleaned
        if name:
            known = find_authority(country_return=self.country_return, name=name)
            if known is not None and known.kind == Authority.Kind.NSO:
                self.add_error(
                    "new_authority_name",
                    _("That is the national statistical office, whose reply you fill in."),
                )
                return cleaned
            if known is not None:
                # The same authority typed again: use the known one rather than fail.
                cleaned["authority"] = authority = known
                cleaned["new_authority_name"] = name = ""
            elif not cleaned.get("new_authority_kind"):
                self.add_error("new_authority_kind", _("Choose what kind of authority it is."))
        if authority and self.sections:
            active = active_assignments_of(
                country_return=self.country_return, sections=self.sections, authority=authority
            )
            if active:
                self.add_error("authority", describe_active(active))
        return cleaned


class DetailsForm(ErrorSummaryMixin, forms.Form):
    """Step 3: a message for the contact, and the due date."""

    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        required=False,
        label=_("Message to the contact"),
        help_text=_("Optional. It is included in the e-mail the contact receives."),
    )
    due_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label=_("Due date"),
        error_messages={
            "required": _("Give the date by which the authority should reply."),
            "invalid": _("Give the due date as year-month-day, for example 2026-05-31."),
        },
    )

    attach_workbook = forms.BooleanField(
        required=False,
        label=_("Attach the sections as an Excel workbook"),
        help_text=_(
            "For a contact who prefers to work in Excel: they fill it in offline, then sign in "
            "and upload it. It holds the answers as they are when the e-mail is sent."
        ),
    )

    def __init__(self, *args: Any, country_return: CountryReturn, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country_return = country_return
        deadline = country_return.round.deadline
        field = self.fields["due_date"]
        field.widget.attrs["min"] = timezone.localdate().isoformat()
        if deadline:
            field.widget.attrs["max"] = deadline.isoformat()
            field.help_text = _(
                "Not in the past, and not after the round's deadline, %(deadline)s."
            ) % {"deadline": deadline.isoformat()}
        else:
            field.help_text = _("Not in the past.")

    def clean_due_date(self) -> Any:
        due_date = self.cleaned_data["due_date"]
        try:
            validate_due_date(round_=self.country_return.round, due_date=due_date)
        except ForwardingRefused as refusal:
            raise forms.ValidationError(refusal.message, code="due_date") from None
        return due_date


class ReviewForm(ErrorSummaryMixin, forms.Form):
    """Step 4: nothing to fill in; the page shows what will be sent."""
