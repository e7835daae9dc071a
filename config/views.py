"""Project-wide views: sign-in and password reset with their limits, the error pages, and the
state of the signed-in session."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.core.exceptions import BadRequest
from django.forms import Form
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .forms import TOO_MANY_FAILURES, EmailAuthenticationForm, OutboxPasswordResetForm
from .limits import reset_refused_for_address
from .sessions import seconds_left


class SignInView(auth_views.LoginView):
    """Sign-in; answers 429 once the client's address has failed too often across accounts."""

    authentication_form = EmailAuthenticationForm

    def form_invalid(self, form: Form) -> HttpResponse:
        paused = form.has_error("__all__", TOO_MANY_FAILURES)
        # A wrong password is an ordinary answer; a name no account can have is a bad request.
        status = 429 if paused else 400 if form.has_error("username") else 200
        return self.render_to_response(
            self.get_context_data(form=form, sign_ins_paused=paused), status=status
        )


class PasswordResetView(auth_views.PasswordResetView):
    """Password reset, a limited number of times an hour from one client address."""

    form_class = OutboxPasswordResetForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if reset_refused_for_address(request):
            return render(request, "registration/password_reset_paused.html", status=429)
        return super().post(request, *args, **kwargs)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with an outdated security token, typically after signing in again elsewhere."""
    return render(request, "403_csrf.html", status=403)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request the application cannot read: the reason, when it is one written for users."""
    message = str(exception) if isinstance(exception, BadRequest) else ""
    return render(request, "400.html", {"message": message}, status=400)


@never_cache
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Whether the browser is signed in, and for how many more seconds.

    Asking counts as activity (the session middleware renews the idle limit), so a page calls
    it only when the person asks to stay signed in. It does nothing else: the autosave
    benchmark uses it as the cost of an authenticated request to the bare framework.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    return JsonResponse({"signed_in": True, "seconds_left": seconds_left(request.session)})
