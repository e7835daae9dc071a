"""The sign-in, password reset and new-password forms: accounts are known by their e-mail
address, and each message names the field as it is labelled."""

from typing import Any

from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from responses.notifications.queue import plain_subject, queue_email

from .limits import count_sign_in_failure, reset_refused_for_email, sign_ins_paused

TOO_MANY_FAILURES = "too_many_failures"


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in by e-mail address, whatever its capitals (accounts are kept in lower case)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        TOO_MANY_FAILURES: _(
            "Too many failed sign-ins came from your network address in the last hour. "
            "Wait an hour, then try again, or reset your password by e-mail."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = _("Enter your e-mail address.")
        self.fields["password"].error_messages["required"] = _("Enter your password.")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip().lower()
        # Lower case may lengthen a name ("İ" becomes two characters): check the result too.
        if len(username) > (self.username_field.max_length or 150):
            raise ValidationError(
                _(
                    "Your e-mail address and password didn't match. Check them and try again, "
                    "or reset your password."
                ),
                code="too_long",
            )
        return username

    def clean(self) -> dict[str, Any]:
        if self.request is not None and sign_ins_paused(self.request):
            raise ValidationError(self.error_messages[TOO_MANY_FAILURES], code=TOO_MANY_FAILURES)
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login" and self.request is not None:
                count_sign_in_failure(self.request)
            raise


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset whose e-mail goes through the outbox and Celery, a few an hour at most."""

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        # Past the limit the page answers as always, so it tells nothing about the account.
        request = kwargs.get("request")
        if request is not None and reset_refused_for_email(request, self.cleaned_data["email"]):
            return
        with transaction.atomic():
            super().save(**kwargs)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = plain_subject(render_to_string(subject_template_name, context))
        queue_email(to=to_email, subject=subject, template=email_template_name, context=context)


class NewPasswordForm(SetPasswordForm):
    """Choosing a new password after a reset link, with messages naming the labelled fields."""

    error_messages = {
        **SetPasswordForm.error_messages,
        "password_mismatch": _(
            "“New password again” is not the same as “New password”: type the same password "
            "in both."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = _("Enter a new password.")
        self.fields["new_password2"].error_messages["required"] = _(
            "Type the new password again in “New password again”."
        )
