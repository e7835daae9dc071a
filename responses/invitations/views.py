"""Accepting an invitation (set a password or sign in, then join the return) and resending one.

The link's token leaves the URL at once: the first request keeps only its hash in the session
and redirects to the same page without it, so the token reaches no later request, page, log
line or Referer header.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from consultation.http import AuthenticatedHttpRequest
from consultation.models import Round

from ..access import get_return, is_focal_point, is_unsd_admin
from ..exceptions import ConsultationError, InvitationError
from ..models import Invitation
from .forms import ExistingAccountForm, NewAccountForm
from .links import hash_token
from .services import (
    account_for_email,
    check_invitation,
    email_matches,
    redeem_invitation_hash,
    redeem_invitation_with_new_account,
    resend_invitation,
)

SESSION_TOKEN_HASH = "invitation_token_hash"  # noqa: S105 (a session key name)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Status of the page that explains why a link cannot be used.
PROBLEM_STATUS = {"unknown": 404, "no_link": 400, "email_mismatch": 403}
GONE = 410


def _problem(
    request: HttpRequest, reason: str, invitation: Invitation | None = None
) -> HttpResponse:
    inviter = invitation.created_by if invitation is not None else None
    return render(
        request,
        "responses/accounts/invitation_problem.html",
        {
            "reason": reason,
            "invitation": invitation,
            "inviter_email": inviter.email if inviter is not None else "",
        },
        status=PROBLEM_STATUS.get(reason, GONE),
    )


def _accepted(request: HttpRequest, invitation: Invitation, user: User) -> HttpResponse:
    if request.user != user:
        login(request, user, backend=MODEL_BACKEND)
    request.session.pop(SESSION_TOKEN_HASH, None)
    messages.success(
        request,
        _("Welcome. You now take part in the consultation for %(country)s.")
        % {"country": invitation.country_return.country.name},
    )
    return redirect("home")


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest) -> HttpResponse:
    """The invitation link: keep its hash, drop the token from the URL, then accept."""
    token = request.GET.get("token")
    if token is not None:
        # Whatever the token is worth: the answer never depends on it, and it leaves the URL.
        request.session[SESSION_TOKEN_HASH] = hash_token(token[:200])
        return redirect(request.path)
    token_hash = request.session.get(SESSION_TOKEN_HASH)
    if not token_hash:
        return _problem(request, "no_link")
    try:
        invitation = check_invitation(token_hash=token_hash)
    except InvitationError as error:
        return _problem(request, error.reason, error.invitation)

    user = request.user
    account: User | None
    form: ExistingAccountForm | NewAccountForm | None
    if user.is_authenticated:
        if not email_matches(user, invitation.email):
            return _problem(request, "email_mismatch", invitation)
        mode, form = "confirm", None
        account = user
    else:
        account = account_for_email(invitation.email)
        data = request.POST if request.method == "POST" else None
        if account is not None:
            mode = "existing"
            form = ExistingAccountForm(data, request=request, user=account)
        else:
            mode = "new"
            # The name the focal point typed when forwarding is the likely one.
            form = NewAccountForm(
                data, email=invitation.email, initial={"full_name": invitation.full_name}
            )

    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if isinstance(form, NewAccountForm):
                invitation, account = redeem_invitation_with_new_account(
                    token_hash=token_hash,
                    password=form.cleaned_data["password1"],
                    full_name=form.cleaned_data["full_name"],
                )
            else:
                assert account is not None  # signed in, or an account has this address
                invitation = redeem_invitation_hash(token_hash=token_hash, user=account)
        except InvitationError as error:
            return _problem(request, error.reason, error.invitation)
        except ConsultationError as error:
            # The account was created meanwhile: the page now asks for its password.
            messages.error(request, error.message)
            return redirect(request.path)
        return _accepted(request, invitation, account)

    return render(
        request,
        "responses/accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "mode": mode,
            "form": form,
            "round_is_open": invitation.country_return.round.status == Round.Status.OPEN,
        },
    )


def _back(request: HttpRequest, return_id: int) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("responses:return-overview", args=[return_id])


@login_required
@require_POST
def invitation_resend(
    request: AuthenticatedHttpRequest, return_id: int, invitation_id: int
) -> HttpResponse:
    """A new link for an invitation (the old one stops working): focal points and UNSD admins."""
    country_return = get_return(request.user, return_id)
    if not (is_focal_point(request.user, country_return) or is_unsd_admin(request.user)):
        raise Http404("No such invitation")
    invitation = get_object_or_404(Invitation, pk=invitation_id, country_return=country_return)
    try:
        new_invitation = resend_invitation(invitation=invitation, resent_by=request.user)
    except ConsultationError as error:
        messages.error(request, error.message)
    else:
        if country_return.round.status == Round.Status.OPEN:
            text = _(
                "A new invitation is on its way to %(email)s. The previous link no longer works."
            )
        else:
            text = _(
                "A new invitation for %(email)s will be sent when the round opens. The previous "
                "link no longer works."
            )
        messages.success(request, text % {"email": new_invitation.email})
    return redirect(_back(request, return_id))
