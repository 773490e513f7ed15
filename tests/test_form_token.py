"""A signed-in page's forms carry a token the server accepts (`form_token` gives it to the
page as a plain string), and a form sent without it is refused."""

from __future__ import annotations

import re

from django.contrib.auth import SESSION_KEY
from django.test import Client

from .conftest import Cast


def signed_in_browser(cast: Cast) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.participant)
    return browser


def test_the_token_on_a_signed_in_page_is_accepted(cast: Cast) -> None:
    browser = signed_in_browser(cast)
    html = browser.get("/reflect/").content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert len(tokens) == 1  # one token for the page, in every form
    response = browser.post("/accounts/logout/", {"csrfmiddlewaretoken": tokens.pop()})
    assert response.status_code == 302
    assert SESSION_KEY not in browser.session


def test_a_form_sent_without_the_token_is_refused(cast: Cast) -> None:
    browser = signed_in_browser(cast)
    browser.get("/reflect/")
    assert browser.post("/accounts/logout/").status_code == 403
    assert SESSION_KEY in browser.session
