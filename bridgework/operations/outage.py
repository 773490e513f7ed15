"""While the database is away, pages answer 503 with Retry-After and a kind page, not 500."""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader


def is_database_outage(error: BaseException | None) -> bool:
    """True for errors that mean the database cannot be reached or written just now.

    OperationalError covers a refused or dropped connection, a full disk and SQLite's
    "database is locked"; InterfaceError a connection that was already closed. Anything
    else (a bad query, a broken constraint) is a bug and stays a 500.
    """
    while error is not None:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
    return False


def current_error_is_database_outage() -> bool:
    # Django calls the 500 handler inside the `except` block that caught the error.
    return is_database_outage(sys.exc_info()[1])


def database_unavailable() -> HttpResponse:
    # Rendered without context processors: they would ask the database again.
    response = HttpResponse(loader.get_template("errors/503.html").render({}), status=503)
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
