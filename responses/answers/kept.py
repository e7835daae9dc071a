"""A section form posted after its author's session ended: kept for that author alone, briefly.

The section page carries a signed token naming the person it was shown to (`owner_token`). A form
posted without a session is kept in the (anonymous) session only if it carries such a token for
that page, with that person's id and the time. After signing in, only that same person sees it
again, within `KEPT_FOR_SECONDS`, on the page, unsaved, until they save or discard it: a
visitor on a shared browser cannot plant answers under the next person who signs in.
"""

import time
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.http import HttpRequest, QueryDict

OWNER_FIELD = "_owner"
DISCARD_FIELD = "discard_kept"
SESSION_KEY = "kept_section_form"
# How long a kept form waits for its author to sign in again.
KEPT_FOR_SECONDS = 60 * 60
# A page may stay open for a long working day before its form is posted.
TOKEN_VALID_SECONDS = 24 * 60 * 60
_SALT = "responses.answers.kept"


@dataclass(frozen=True)
class KeptForm:
    """The data of a form posted while signed out, and when it was posted (a Unix time)."""

    data: QueryDict
    posted_at: float


def owner_token(user: AbstractBaseUser | AnonymousUser, path: str) -> str:
    """The token a section page carries: who it was shown to, for which page, signed and dated."""
    return signing.dumps({"user": user.pk, "path": path}, salt=_SALT)


def keep_posted_form(request: HttpRequest) -> bool:
    """Keep a form posted without a session, if its token names its author and this page."""
    try:
        owner = signing.loads(
            request.POST.get(OWNER_FIELD, ""), salt=_SALT, max_age=TOKEN_VALID_SECONDS
        )
    except signing.BadSignature:
        return False
    if not isinstance(owner, dict) or owner.get("path") != request.path:
        return False
    request.session[SESSION_KEY] = {
        "user": owner.get("user"),
        "path": request.path,
        "at": time.time(),
        "data": {
            key: request.POST.getlist(key)
            for key in request.POST
            if key not in (OWNER_FIELD, "csrfmiddlewaretoken")
        },
    }
    return True


def kept_form(request: HttpRequest) -> KeptForm | None:
    """The form kept for this page and this person, if any; one for anyone else is dropped."""
    session = request.session
    kept = session.get(SESSION_KEY)
    if not isinstance(kept, dict):
        return None
    if kept.get("user") != request.user.pk or time.time() - kept.get("at", 0) > KEPT_FOR_SECONDS:
        discard_kept_form(session)
        return None
    if kept.get("path") != request.path:
        return None
    data = QueryDict(mutable=True)
    for key, values in kept.get("data", {}).items():
        data.setlist(key, values)
    return KeptForm(data=data, posted_at=kept["at"])


def discard_kept_form(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)
