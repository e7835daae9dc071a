"""The forms of the upload wizard: the file, the choices for conflicting answers, the go-ahead."""

from typing import Any

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..models import CountryReturn
from .reader import WorkbookRefused, read_upload
from .services import (
    KEEP_WEB,
    TAKE_WORKBOOK,
    BackgroundReading,
    Preview,
    background_token,
    preview_workbook,
    store_for_background_reading,
)
from .tasks import read_workbook_upload


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
        # A large workbook is read by a Celery task; this names its reading.
        self.token = ""

    def clean_workbook(self) -> Any:
        upload = self.cleaned_data["workbook"]
        upload.seek(0)
        try:
            self.content = read_upload(upload, upload.name)
            if len(self.content) >= settings.OFFLINE_WORKBOOK_BACKGROUND_BYTES:
                self._read_in_background()
                return upload
            self.preview = preview_workbook(
                content=self.content,
                user=self.user,
                filename=upload.name,
                expected_return=self.country_return,
            )
        except WorkbookRefused as refusal:
            raise forms.ValidationError(refusal.message) from None
        return upload

    def _read_in_background(self) -> None:
        self.token = background_token(self.content, self.user, self.country_return)
        stored = store_for_background_reading(token=self.token, content=self.content)
        if stored is None:
            return  # queued already: this is the same upload, validated again
        arguments = {
            "token": self.token,
            "stored_name": stored,
            "user_id": self.user.pk,
            "return_id": self.country_return.pk,
        }
        transaction.on_commit(lambda: read_workbook_upload.delay(**arguments))


class ReviewForm(forms.Form):
    """One choice per answer changed on the web since the download; refused if any is invalid."""

    def __init__(
        self,
        *args: Any,
        preview: Preview | None = None,
        reading: BackgroundReading | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.preview = preview
        self.reading = reading
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
        if self.reading is not None and self.reading.state == "refused":
            raise forms.ValidationError(self.reading.error)
        if self.preview is None:
            raise forms.ValidationError(
                _("The workbook is still being read: wait for it, then continue.")
            )
        if self.preview.has_invalid:
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
