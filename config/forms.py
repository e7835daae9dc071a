"""The sign-in form: accounts are known by their e-mail address."""

from django.contrib.auth.forms import AuthenticationForm


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in by e-mail address, whatever its capitals (accounts are kept in lower case)."""

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()
