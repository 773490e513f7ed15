"""One log line per refused request.

Django logs a 403 with the whole traceback of the PermissionDenied behind it, and a 400 with
the exception's text. A refused request is the app doing its job, so an operator needs to
know that it happened and where, not a stack: status, method and path, on one line. Path
segments that carry a secret (an invitation, check-in or calendar-feed token, a password
reset key) are blanked, so the log never holds a working link — in that line, in a CSRF
refusal's and in a server error's.

Imported by the LOGGING setting, before Django is set up: nothing here may touch Django.
"""

from __future__ import annotations

import logging
import re

HIDDEN = "<token>"


# A part of a path that could be a token: long, in a token's alphabet.
TOKEN_LIKE = re.compile(r"(?<=/)[A-Za-z0-9_-]{20,}")


def _path_without_secrets(request: object) -> str:
    path = str(getattr(request, "path", ""))
    match = getattr(request, "resolver_match", None)
    if match is None:
        # No route matched ("/feed.ics/" for "/feed.ics", say): nothing names the token, so
        # anything shaped like one goes.
        path = TOKEN_LIKE.sub(HIDDEN, path)
    for name, value in (getattr(match, "kwargs", None) or {}).items():
        # allauth's password-reset and e-mail confirmation links carry theirs as these.
        secret = name.endswith("token") or name in {"key", "uidb36"}
        if secret and isinstance(value, str) and value:
            path = path.replace(value, HIDDEN)
    # The same escaping Django gives the path, so a crafted path cannot forge a second line.
    return path.encode("unicode_escape").decode("ascii")


class OneLineClientErrors(logging.Filter):
    """On django.request: a 4xx record becomes "403 GET /path", with no traceback. On it and on
    the other loggers that name a request's path (a CSRF refusal, a server error), the path's
    secrets are blanked."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if not isinstance(status, int) or request is None:
            return True
        if 400 <= status < 500 and record.name == "django.request":
            method = str(getattr(request, "method", "") or "-")
            record.msg = "%s %s %s"
            record.args = (status, method, _path_without_secrets(request))
            record.exc_info = None
            record.exc_text = None
        elif isinstance(record.args, tuple):
            path = str(getattr(request, "path", ""))
            safe = _path_without_secrets(request)
            record.args = tuple(safe if arg == path else arg for arg in record.args)
        return True
