"""Root URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from responses.returns import views as return_views

from .forms import EmailAuthenticationForm
from .views import session_status

urlpatterns = [
    path("", return_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("responses.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/session/", session_status, name="session-status"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("consultation.urls")),
    path("", include("consolidation.urls")),
]
