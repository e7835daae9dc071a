"""Root URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from responses.returns import views as return_views

from .views import PasswordResetView, SignInView, session_status

handler400 = "config.views.bad_request"

urlpatterns = [
    path("", return_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("responses.urls")),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/session/", session_status, name="session-status"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("consultation.urls")),
]
