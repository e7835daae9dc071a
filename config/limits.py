"""Rate limits counted in the cache: sign-in failures per client address, password resets.

Failed sign-ins are also counted per account by django-axes (10 in 15 minutes lock that account
whatever the address). Axes has one failure limit for all its lockout parameters, so the looser
limit per client address, which a whole ministry behind one address shares, is counted here.
"""

from axes.helpers import get_client_ip_address
from django.http import HttpRequest
from django_ratelimit.core import get_usage

# Password spraying: failures across every account from one client address.
SIGN_IN_FAILURES_PER_ADDRESS = "50/h"
# Reset e-mails asked for one e-mail address, and asked from one client address.
RESETS_PER_EMAIL = "3/h"
RESETS_PER_ADDRESS = "20/h"


def client_address(group: str, request: HttpRequest) -> str:
    """The client's address as django-axes sees it (the same proxy settings apply)."""
    return get_client_ip_address(request) or "unknown"


def sign_ins_paused(request: HttpRequest) -> bool:
    """Whether this address has failed to sign in too often across accounts this hour."""
    usage = get_usage(
        request, group="sign-in-failures", key=client_address, rate=SIGN_IN_FAILURES_PER_ADDRESS
    )
    return usage is not None and usage["count"] >= usage["limit"]


def count_sign_in_failure(request: HttpRequest) -> None:
    get_usage(
        request,
        group="sign-in-failures",
        key=client_address,
        rate=SIGN_IN_FAILURES_PER_ADDRESS,
        increment=True,
    )


def reset_refused_for_address(request: HttpRequest) -> bool:
    """Count a password reset asked from this address; True past its limit."""
    usage = get_usage(
        request,
        group="password-reset-address",
        key=client_address,
        rate=RESETS_PER_ADDRESS,
        increment=True,
    )
    return usage is not None and usage["should_limit"]


def reset_refused_for_email(request: HttpRequest, email: str) -> bool:
    """Count a password reset asked for this e-mail address; True past its limit."""
    usage = get_usage(
        request,
        group="password-reset-email",
        key=lambda group, request: email.strip().lower(),
        rate=RESETS_PER_EMAIL,
        increment=True,
    )
    return usage is not None and usage["should_limit"]
