"""What a person writes in Reflect reaches nobody else: not other people's pages (program
admins included), not e-mails, not logs, not the database in plaintext."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bridgework.accounts.models import DataKey, Person
from bridgework.reflection import services
from bridgework.reflection.models import JournalEntry, Note

from .conftest import POSITIONS, Cast, client_for, log_everything
from .test_authorization import (
    ADMIN_PREFIX,
    all_routes,
    example_path,
    sample_values,  # noqa: F401  (a fixture used below)
)

MARK = "zqx-canary-4817"  # in everything only the participant may read
NOTE_OUT = "zqx-note-out-2291"  # the participant's note to Bo: theirs and Bo's only
NOTE_IN = "zqx-note-in-5530"  # Fran's note to the participant: theirs and Fran's only


def fill_every_field(cast: Cast) -> dict[str, str]:
    me = cast.participant
    entry = services.write_entry(
        person=me,
        title=f"{MARK} title",
        body=f"{MARK} body",
        tags=[f"{MARK}-tag"],
        mood=f"{MARK} mood",
        energy=f"{MARK} energy",
    )
    services.edit_entry(
        entry=entry, title="t", body=f"{MARK} new body", tags=[], mood="", energy=""
    )
    services.save_map(
        person=me,
        data={
            "dimensions": {"age": {"overall": 4, "team": 2}, "class": {"overall": 2}},
            "custom": [{"name": f"{MARK} dimension", "values": {"overall": 3}}],
            "note": f"{MARK} map note",
        },
    )
    role_model = services.save_role_model(
        person=me,
        name=f"{MARK} Rosa",
        colleague=str(cast.facilitator.pk),
        why=f"{MARK} why",
        big_actions=f"{MARK} big",
        small_actions=f"{MARK} small",
        my_actions=f"{MARK} mine",
    )
    goal = services.add_goal(person=me, role_model=role_model, text=f"{MARK} goal")
    services.goal_to_commitment(goal=goal)
    apology = services.save_apology(
        person=me,
        what_happened=f"{MARK} happened",
        acknowledge=f"{MARK} harm",
        own_impact=f"{MARK} impact",
        do_differently=f"{MARK} differently",
        resume=f"{MARK} resume",
    )
    sent = services.send_note(
        sender=me, recipient=cast.participant_and_member, kind="recognition", text=NOTE_OUT
    )
    received = services.send_note(
        sender=cast.facilitator, recipient=me, kind="check_in", text=NOTE_IN
    )
    export = services.build_export(services.request_export(person=me))
    return {
        "entry_id": str(entry.pk),
        "role_model_id": str(role_model.pk),
        "goal_id": str(goal.pk),
        "apology_id": str(apology.pk),
        "note_id": str(received.pk),
        "export_id": str(export.pk),
        "sent_note_id": str(sent.pk),
    }


def get_pages(client: Client, values: dict[str, str]) -> dict[str, str]:
    pages = {}
    for route, _name in all_routes():
        if route.startswith(ADMIN_PREFIX):
            continue
        path = example_path(route, values)
        with transaction.atomic():
            response = client.get(path, follow=False)
            transaction.set_rollback(True)
        body = b"".join(response) if response.streaming else response.content
        pages[path] = body.decode("utf-8", "replace")
    return pages


def test_the_canary_appears_only_on_the_owners_pages(
    cast: Cast,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    log_everything(caplog)
    values: dict[str, str] = dict(request.getfixturevalue("sample_values"))
    with CaptureQueriesContext(connection), django_capture_on_commit_callbacks(execute=True):
        values.update(fill_every_field(cast))
        leaks = []
        seen_by_owner = ""
        for position in POSITIONS:
            pages = get_pages(cast.client(position), values)
            for path, body in pages.items():
                if position == "participant":
                    seen_by_owner += body
                    continue
                if MARK in body:
                    leaks.append(f"{MARK} on {path} as {position}")
                if NOTE_IN in body and not (
                    position == "facilitator" and path == "/reflect/notes/sent/"
                ):
                    leaks.append(f"{NOTE_IN} on {path} as {position}")
                if NOTE_OUT in body and not (
                    position == "participant_and_member" and path == "/reflect/notes/"
                ):
                    leaks.append(f"{NOTE_OUT} on {path} as {position}")
    assert leaks == []
    # The owner does see all of it, so the crawl really reached the data.
    for fragment in ("body", "Rosa", "why", "harm", "goal", "map note", "dimension"):
        assert f"{MARK} {fragment}" in seen_by_owner
    assert NOTE_IN in seen_by_owner and NOTE_OUT in seen_by_owner
    download = cast.client("participant").get(f"/reflect/my-data/{values['export_id']}/json")
    assert MARK in download.content.decode() and NOTE_IN in download.content.decode()
    # E-mails: one per note, with no words of the note in them.
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        everything = f"{message.subject} {message.body} {getattr(message, 'alternatives', '')}"
        for marker in (MARK, NOTE_IN, NOTE_OUT):
            assert marker not in everything
    assert any(record.name == "django.db.backends" for record in caplog.records)
    for marker in (MARK, NOTE_IN, NOTE_OUT):
        assert marker not in caplog.text


def test_a_crash_while_handling_the_journal_logs_none_of_it(
    participant: Person, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.write_entry(person=participant, body=f"{MARK} body")

    def explode(self: JournalEntry, query: str) -> bool:
        raise RuntimeError("search broke")

    monkeypatch.setattr(JournalEntry, "matches", explode)
    caplog.set_level(logging.DEBUG)
    client = client_for(participant)
    client.raise_request_exception = False
    response = client.post("/reflect/journal/", {"q": MARK})
    assert response.status_code == 500
    assert "search broke" in caplog.text
    assert MARK not in caplog.text
    assert MARK not in response.content.decode()


def test_no_table_holds_any_of_it_in_plaintext(cast: Cast) -> None:
    fill_every_field(cast)
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  (names from the schema)
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                if any(marker in text for marker in (MARK, NOTE_IN, NOTE_OUT)):
                    found.append(table)
    assert found == []


def test_deleting_an_account_destroys_the_data_key_and_the_rows(cast: Cast) -> None:
    values = fill_every_field(cast)
    me = cast.participant
    client = client_for(me)
    wrong = client.post("/profile/delete-account", {"password": "not it"})
    assert wrong.status_code == 400
    assert Person.objects.filter(pk=me.pk).exists()

    response = client.post("/profile/delete-account", {"password": "correct horse battery staple"})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Person.objects.filter(pk=me.pk).exists()
    assert not DataKey.objects.filter(person_id=me.pk).exists()
    assert not JournalEntry.objects.filter(person_id=me.pk).exists()
    assert client.get("/reflect/").status_code == 302  # signed out
    # Bo keeps the note the participant sent, without the name; Fran's copy of hers is hers.
    kept = Note.objects.get(pk=values["sent_note_id"])
    assert kept.sender_id is None and kept.text_for_recipient == NOTE_OUT


def test_wrong_passwords_for_deleting_an_account_count_towards_the_lockout(cast: Cast) -> None:
    me = cast.participant
    client = client_for(me)
    for _ in range(4):
        wrong = client.post("/profile/delete-account", {"password": "a guess"})
        assert wrong.status_code == 400
    fifth = client.post("/profile/delete-account", {"password": "a guess"})
    assert fifth.status_code == 429  # the sign-in lockout page: the same limit as signing in

    right = client.post("/profile/delete-account", {"password": "correct horse battery staple"})

    assert right.status_code == 400
    assert "Too many wrong passwords" in right.content.decode()
    assert Person.objects.filter(pk=me.pk).exists()


def test_the_only_program_admin_cannot_delete_their_account(cast: Cast) -> None:
    client = cast.client("program_admin")
    response = client.post("/profile/delete-account", {"password": "correct horse battery staple"})
    assert response.status_code == 400
    assert "only program admin" in response.content.decode()


def test_the_old_delete_account_address_leads_to_the_profile_and_deletes_nothing(
    cast: Cast,
) -> None:
    client = client_for(cast.participant)

    shown = client.get("/reflect/my-data/delete-account")
    posted = client.post(
        "/reflect/my-data/delete-account", {"password": "correct horse battery staple"}
    )

    assert shown.status_code == posted.status_code == 302
    assert shown["Location"] == posted["Location"] == "/profile/delete-account"
    assert Person.objects.filter(pk=cast.participant.pk).exists()
