"""One log line per refused request.

Django logs a 403 with the whole traceback of the PermissionDenied behind it, and a 400 with
the exception's text. A refused request is the app doing its job, so an operator needs to
know that it happened and where, not a stack: status, method and path, on one line. Path
segments that carry a secret (an invitation, check-in or calendar-feed token) are blanked,
so the log never holds a working link.

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
        if name.endswith("token") and isinstance(value, str) and value:
            path = path.replace(value, HIDDEN)
    # The same escaping Django gives the path, so a crafted path cannot forge a second line.
    return path.encode("unicode_escape").decode("ascii")


class OneLineClientErrors(logging.Filter):
    """On django.request: a 4xx record becomes "403 GET /path", with no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if isinstance(status, int) and 400 <= status < 500 and request is not None:
            method = str(getattr(request, "method", "") or "-")
            record.msg = "%s %s %s"
            record.args = (status, method, _path_without_secrets(request))
            record.exc_info = None
            record.exc_text = None
        return True
