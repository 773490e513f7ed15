"""The words of an original ask reach nobody outside the group's space: not other pages
(program admins and allies included), notifications, e-mails, exports or logs."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridgework.accounts import services as account_services
from bridgework.accounts.models import Person
from bridgework.asks import services
from bridgework.asks.models import Ask
from bridgework.community.models import GuidelinesAcceptance, Space
from bridgework.notifications.models import Notification
from bridgework.reflection import export

from .conftest import POSITIONS, Cast, log_everything
from .test_authorization import sample_values  # noqa: F401  (a fixture used below)
from .test_reflection_privacy import get_pages

MARK = "zqx-ask-canary-6603"
# Who may read the original: the group's members and the protected space's facilitator.
INSIDE = {"group_member", "participant_and_member", "facilitator"}


def write_canary(cast: Cast, values: dict[str, str]) -> dict[str, str]:
    protected = Space.objects.get(pk=values["group_space_id"])
    allies = Space.objects.get(organisation=protected.organisation, name="Allies")
    GuidelinesAcceptance.objects.get_or_create(space=protected, person=cast.group_member)
    ask = services.write_ask(
        space=protected,
        author=cast.group_member,
        title=f"{MARK} title",
        body=f"{MARK} body: Gus from the third floor",
    )
    services.propose(
        ask=ask,
        facilitator=cast.facilitator,
        space=allies,
        title="Describe images in slides",
        body="When you share slides, add a short description of each image.",
    )
    published = services.approve(ask=ask, author=cast.group_member, version=ask.proposal_version)
    services.respond(
        published=published,
        person=cast.participant,
        title="Describe my images",
        practice_slug="courageous-responsibilities",
        courage=1,
        cadence="once",
        note="On it.",
    )
    return {"ask_id": str(ask.pk), "published_id": str(published.pk)}


def test_the_canary_of_an_ask_stays_inside_the_group(
    cast: Cast,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    log_everything(caplog)
    values: dict[str, str] = dict(request.getfixturevalue("sample_values"))
    leaks = []
    seen_inside = ""
    with CaptureQueriesContext(connection), django_capture_on_commit_callbacks(execute=True):
        values.update(write_canary(cast, values))
        for position in POSITIONS:
            for path, body in get_pages(cast.client(position), values).items():
                if position in INSIDE:
                    seen_inside += body
                elif MARK in body:
                    leaks.append(f"{path} as {position}")
    assert leaks == []
    # The crawl really reached it: people inside the space read the ask.
    assert f"{MARK} title" in seen_inside and f"{MARK} body" in seen_inside
    for note in Notification.objects.all():
        assert MARK not in f"{note.summary} {note.url}"
    for message in mail.outbox:
        assert (
            MARK not in f"{message.subject} {message.body} {getattr(message, 'alternatives', '')}"
        )
    # Only its author finds it in "Download my data": they wrote it.
    for person in Person.objects.exclude(pk=cast.group_member.pk):
        assert MARK not in json.dumps(export.everything_of(person), default=str)
    assert MARK in json.dumps(export.everything_of(cast.group_member), default=str)
    assert any(record.name == "django.db.backends" for record in caplog.records)
    assert MARK not in caplog.text


def test_no_table_holds_the_original_in_plaintext(
    cast: Cast, request: pytest.FixtureRequest
) -> None:
    values: dict[str, str] = dict(request.getfixturevalue("sample_values"))
    write_canary(cast, values)
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  (names from the schema)
            for row in cursor.fetchall():
                if MARK in " ".join(str(value) for value in row):
                    found.append(table)
    assert found == []


def test_an_erased_authors_ask_loses_its_words_but_the_page_still_works(
    cast: Cast, request: pytest.FixtureRequest
) -> None:
    values: dict[str, str] = dict(request.getfixturevalue("sample_values"))
    ids = write_canary(cast, values)
    account_services.erase_person(person=cast.group_member)
    ask = Ask.objects.get(pk=ids["ask_id"])
    assert ask.author is None and ask.title is None and ask.body is None
    page = cast.client("participant_and_member").get(f"/community/asks/{ask.pk}/")
    assert page.status_code == 200
    assert "its author has left" in page.content.decode()
    assert MARK not in page.content.decode()
    published = cast.client("participant").get(f"/community/asks/published/{ids['published_id']}/")
    assert "Describe images in slides" in published.content.decode()


class _EditableFields(HTMLParser):
    """Collects what a person could submit from a page: input values, textareas, options."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.values.append(dict(attrs).get("value") or "")
        elif tag in {"textarea", "option"}:
            self._in = tag
            self.values.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.values[-1] += data


def editable_values(html: str) -> str:
    parser = _EditableFields()
    parser.feed(html)
    return "\n".join(parser.values)


def test_the_publish_form_never_holds_the_original_in_a_field(
    cast: Cast, request: pytest.FixtureRequest
) -> None:
    values: dict[str, str] = dict(request.getfixturevalue("sample_values"))
    protected = Space.objects.get(pk=values["group_space_id"])
    allies = Space.objects.get(organisation=protected.organisation, name="Allies")
    ask = services.write_ask(
        space=protected, author=cast.group_member, title=f"{MARK} t", body=f"{MARK} b"
    )
    facilitator = cast.client("facilitator")
    path = f"/community/asks/{ask.pk}/publish"
    pages = {"empty form": facilitator.get(path).content.decode()}
    # A refused submission shows what the facilitator typed, not the original.
    refused = facilitator.post(path, {"space": str(allies.pk), "title": "Mine", "body": ""})
    assert refused.status_code == 400
    pages["refused form"] = refused.content.decode()
    services.propose(ask=ask, facilitator=cast.facilitator, space=allies, title="T", body="B")
    pages["waiting form"] = facilitator.get(path).content.decode()
    services.approve(ask=ask, author=cast.group_member, version=ask.proposal_version)
    ask.refresh_from_db()
    assert ask.published_id is not None
    edit = facilitator.get(f"/community/asks/published/{ask.published_id}/edit")
    pages["new wording"] = edit.content.decode()
    for name, html in pages.items():
        assert MARK not in editable_values(html), name
    # The original is there to read, beside the empty form.
    assert f"{MARK} b" in pages["empty form"] and f"{MARK} b" in pages["refused form"]
