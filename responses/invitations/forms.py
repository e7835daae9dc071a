"""Forms of the invitation pages: set a password for a new account, or confirm an existing one."""

from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class NewAccountForm(forms.Form):
    """The invited address has no account: a password (twice) and, if they like, a name."""

    full_name = forms.CharField(
        label=_("Your full name"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 12 characters. Not a common password, not only digits, not like your "
            "e-mail address or name."
        ),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error(
                "password2",
                _(
                    "“Password again” is not the same as “Password”: type the same password in "
                    "both."
                ),
            )
        elif password1:
            # An unsaved user, so that the similarity check sees the address and name.
            user = get_user_model()(
                username=self.email, email=self.email, first_name=cleaned.get("full_name", "")
            )
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ExistingAccountForm(forms.Form):
    """The invited address has an account: its current password proves it is theirs.

    The check goes through `authenticate`, so django-axes counts failures here as at sign-in.
    """

    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request: HttpRequest, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.authenticated_user: User | None = None

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        password = cleaned.get("password")
        if password:
            self.authenticated_user = authenticate(
                self.request, username=self.user.get_username(), password=password
            )
            if self.authenticated_user is None:
                self.add_error(
                    "password",
                    _(
                        "This is not the password of the account. Try again, or reset your "
                        "password by e-mail."
                    ),
                )
        return cleaned
