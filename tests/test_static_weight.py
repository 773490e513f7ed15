"""What a browser downloads to show a page stays small: at most 60 KB of JavaScript and 35 KB
of CSS, raw (before compression), counted from the tags each page really carries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from bridgework.accounts.models import Person

from .conftest import client_for

KB = 1024
ASSET = re.compile(r'<(?:script[^>]*\bsrc|link[^>]*\bhref)="(?P<url>[^"]+\.(?P<kind>js|css))"')


def downloads(html: str) -> dict[str, int]:
    weight = {"js": 0, "css": 0}
    for found in ASSET.finditer(html):
        name = found["url"].removeprefix(settings.STATIC_URL).split("?")[0]
        path = finders.find(name)
        assert path, f"{found['url']} is not a static file"
        weight[found["kind"]] += Path(str(path)).stat().st_size
    return weight


@pytest.mark.parametrize("path", ["/", "/practice/", "/community/", "/cohorts/"])
def test_a_page_downloads_at_most_60_kb_of_script_and_35_kb_of_style(
    path: str, participant: Person
) -> None:
    html = client_for(participant).get(path).content.decode()

    weight = downloads(html)

    assert weight["js"] > 0 and weight["css"] > 0, "the page loads htmx and the stylesheet"
    assert weight["js"] <= 60 * KB
    assert weight["css"] <= 35 * KB
