"""The forms of the upload wizard: the file, the choices for conflicting answers, the go-ahead."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CountryReturn
from .reader import WorkbookRefused, read_upload
from .services import KEEP_WEB, TAKE_WORKBOOK, Preview, preview_workbook


class UploadForm(forms.Form):
    workbook = forms.FileField(
        label=_("Filled-in workbook (.xlsx)"),
        help_text=_("The workbook downloaded from this return, with your answers typed in."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args: Any, user: Any, country_return: CountryReturn, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.country_return = country_return
        self.preview: Preview | None = None
        self.content = b""

    def clean_workbook(self) -> Any:
        upload = self.cleaned_data["workbook"]
        upload.seek(0)
        try:
            self.content = read_upload(upload, upload.name)
            self.preview = preview_workbook(
                content=self.content,
                user=self.user,
                filename=upload.name,
                expected_return=self.country_return,
            )
        except WorkbookRefused as refusal:
            raise forms.ValidationError(refusal.message) from None
        return upload


class ReviewForm(forms.Form):
    """One choice per answer changed on the web since the download; refused if any is invalid."""

    def __init__(self, *args: Any, preview: Preview | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preview = preview
        for entry in preview.of("conflicting") if preview else []:
            self.fields[f"choice_{entry.key_text}"] = forms.ChoiceField(
                label=entry.label,
                choices=[
                    (KEEP_WEB, _("Keep the web's value: %(value)s") % {"value": entry.old}),
                    (
                        TAKE_WORKBOOK,
                        _("Take the workbook's value: %(value)s") % {"value": entry.new},
                    ),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose which value to keep.")},
            )

    def clean(self) -> dict[str, Any]:
        if self.preview is not None and self.preview.has_invalid:
            raise forms.ValidationError(
                _(
                    "Some answers of the workbook are not valid: nothing can be saved. Correct "
                    "the cells listed and upload the workbook again."
                )
            )
        return self.cleaned_data

    def choices(self) -> dict[str, str]:
        return {
            name.removeprefix("choice_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("choice_")
        }


class ConfirmForm(forms.Form):
    """Nothing to fill in: the button that applies the upload."""
