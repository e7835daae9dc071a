"""The sign-in and new-password forms: accounts are known by their e-mail address, and each
message names the field as it is labelled."""

from typing import Any

from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in by e-mail address, whatever its capitals (accounts are kept in lower case)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = _("Enter your e-mail address.")
        self.fields["password"].error_messages["required"] = _("Enter your password.")

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


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
