"""Root URL configuration."""

from typing import Any

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, include, path
from django.views import View
from django.views.decorators.http import require_http_methods
from django.views.i18n import JavaScriptCatalog

from responses.returns import views as return_views

from .forms import NewPasswordForm
from .views import PasswordResetView, SignInView, session_status

handler400 = "config.views.bad_request"

# Django's account forms take PUT as POST; these pages take GET and POST, and refuse the rest.
only_get_and_post = require_http_methods(["GET", "HEAD", "POST"])


def account_page(route: str, view: "type[View[Any]]", name: str, **options: Any) -> URLPattern:
    return path(f"accounts/{route}", only_get_and_post(view.as_view(**options)), name=name)


urlpatterns = [
    path("", return_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("responses.urls")),
    path("", include("consolidation.urls")),
    path("", include("consolidation.review.urls")),
    account_page("login/", SignInView, "login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/session/", session_status, name="session-status"),
    account_page("password_change/", auth_views.PasswordChangeView, "password_change"),
    account_page(
        "password_change/done/", auth_views.PasswordChangeDoneView, "password_change_done"
    ),
    account_page("password_reset/", PasswordResetView, "password_reset"),
    account_page("password_reset/done/", auth_views.PasswordResetDoneView, "password_reset_done"),
    account_page(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView,
        "password_reset_confirm",
        form_class=NewPasswordForm,
    ),
    account_page("reset/done/", auth_views.PasswordResetCompleteView, "password_reset_complete"),
    path("", include("consultation.urls")),
]
