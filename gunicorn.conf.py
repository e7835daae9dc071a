"""gunicorn settings, read from the working directory (command-line options add to them).

No token may reach a log. Access log lines name the path without its query string, and no
Referer: invitation links carry their token in the query string (responses/invitations/views.py).
Django's password-reset links carry theirs in the path, which the logger below masks.
"""

import re

from gunicorn.glogging import Logger

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'

RESET_LINK = re.compile(r"^(/accounts/reset/[^/]+/)[^/]+")


class RedactingLogger(Logger):
    """The access log shows /accounts/reset/<uid>/[token]/, never the token itself."""

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = RESET_LINK.sub(r"\1[token]", atoms["U"])
        return atoms


logger_class = RedactingLogger
