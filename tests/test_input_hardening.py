"""Odd input a person can type into a URL or a form gets a 404 or a message next to the field,
never a server error: digits from other scripts, numbers past the database's range, non-ASCII
tokens, a `next` that is not a path, and CSV fields too long for Python's reader."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bridgework.accounts.fields import SafeModelChoiceField, SafeModelMultipleChoiceField
from bridgework.accounts.models import Invitation, Person
from bridgework.community.models import Space
from bridgework.lib.ids import MAX_ID, parse_id, parse_ids
from bridgework.practice.models import Commitment

from .community_support import allies_space
from .conftest import Cast, client_for

SUPERSCRIPT_TWO = "\N{SUPERSCRIPT TWO}"
UNICODE_DIGITS = [
    SUPERSCRIPT_TWO,
    "\N{ARABIC-INDIC DIGIT ONE}\N{ARABIC-INDIC DIGIT TWO}",
    "\N{MATHEMATICAL BOLD DIGIT NINE}",
    "\N{CIRCLED DIGIT NINE}",
    "\N{EXTENDED ARABIC-INDIC DIGIT THREE}",
]
HUGE = "99999999999999999999999"


def no_server_error(client: Client) -> Client:
    """A client that hands back a 500 as a response instead of raising, so that a test can
    say plainly which status it expects."""
    client.raise_request_exception = False
    return client


# --- parse_id: the one place ids are read --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("42", 42),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        (HUGE, None),
        ("9" * 5000, None),
        ("0", None),
        ("-3", None),
        ("+3", None),
        (" 3", None),
        ("3 ", None),
        ("3.0", None),
        ("", None),
        ("abc", None),
        *[(digits, None) for digits in UNICODE_DIGITS],
    ],
)
def test_parse_id_reads_only_ascii_digits_within_the_database_range(
    text: str, expected: int | None
) -> None:
    assert parse_id(text) == expected


def test_parse_id_refuses_what_is_not_text_or_a_whole_number() -> None:
    assert parse_id(None) is None
    assert parse_id(True) is None
    assert parse_id(3.0) is None
    assert parse_id(5) == 5


def test_parse_ids_keeps_only_the_well_formed_ids_of_a_list() -> None:
    assert parse_ids(f"3,{SUPERSCRIPT_TWO},x,,12," + HUGE) == [3, 12]
    assert parse_ids(None) == []


# --- ids in query strings ------------------------------------------------------------------------


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_a_lesson_prompt_written_in_other_digits_is_a_404(digits: str, participant: Person) -> None:
    client = no_server_error(client_for(participant))

    assert client.get("/reflect/journal/new", {"lesson_prompt": digits}).status_code == 404
    assert client.get("/reflect/journal/new", {"lesson_prompt": HUGE}).status_code == 404


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_pick_one_thing_ignores_seen_tips_written_in_other_digits(
    digits: str, participant: Person
) -> None:
    client = no_server_error(client_for(participant))

    assert client.get("/practice/pick/", {"seen": f"1,{digits},{HUGE}"}).status_code == 200


@pytest.mark.parametrize("digits", [*UNICODE_DIGITS, HUGE])
def test_a_tip_written_in_other_digits_is_a_404_on_the_commit_page(
    digits: str, participant: Person
) -> None:
    client = no_server_error(client_for(participant))

    assert client.get("/practice/commit/", {"tip": digits}).status_code == 404
    posted = client.post("/practice/commit/", {"tip": digits, "title": "t", "cadence": "weekly"})
    assert posted.status_code == 404
    assert not Commitment.objects.exists()


@pytest.mark.parametrize("path", ["/insights/", "/insights/export.csv"])
@pytest.mark.parametrize("digits", [*UNICODE_DIGITS, HUGE])
def test_insights_for_a_cohort_written_in_other_digits_is_not_a_server_error(
    path: str, digits: str, cast: Cast
) -> None:
    client = no_server_error(client_for(cast.program_admin))

    response = client.get(path, {"cohort": digits, "period": "3m"})

    assert response.status_code in {400, 404}


@pytest.mark.parametrize("digits", [*UNICODE_DIGITS, HUGE])
def test_a_thread_opened_at_a_post_written_in_other_digits_opens_at_the_start(
    digits: str, cast: Cast
) -> None:
    from .community_support import raw_post

    post = raw_post(allies_space(cast.facilitator), cast.facilitator, "Hello")
    client = no_server_error(client_for(cast.participant))

    response = client.get(f"/community/threads/{post.thread_id}/", {"post": digits})

    assert response.status_code == 200


# --- tokens and next ----------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["é", "ü" * 50, "token-é", "☃"])
def test_an_invitation_token_with_non_ascii_letters_is_the_invalid_link_page(
    token: str, db: None
) -> None:
    response = no_server_error(Client()).get(f"/invitation/{token}/")

    assert response.status_code == 404
    assert Invitation.find_pending(token) is None


@pytest.mark.parametrize("target", ["x", "home", "practice", "community", "javascript:alert(1)"])
def test_guidelines_accepted_with_a_next_that_is_not_a_path_go_back_to_the_space(
    target: str, cast: Cast
) -> None:
    space = allies_space(cast.facilitator)
    client = no_server_error(client_for(cast.participant))

    response = client.post(f"/community/{space.pk}/guidelines", {"next": target})

    assert response.status_code == 302
    assert response["Location"] == space.get_absolute_url()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_guidelines_never_send_anyone_to_another_site(target: str, cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    client = client_for(cast.participant)

    response = client.post(f"/community/{space.pk}/guidelines", {"next": target})

    assert response["Location"] == space.get_absolute_url()


def test_guidelines_return_to_the_page_that_asked_for_them(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    back = reverse("community_thread_new", args=[space.pk])

    response = client_for(cast.participant).post(
        f"/community/{space.pk}/guidelines", {"next": back}
    )

    assert response["Location"] == back


# --- ids in choice fields ------------------------------------------------------------------------


def errors_next_to(html: str, name: str) -> str:
    match = re.search(rf'<div class="field__errors" id="id_{name}_error">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


@pytest.mark.parametrize(
    "value", [HUGE, SUPERSCRIPT_TWO, *UNICODE_DIGITS[1:3], "-1", "1.5", "9" * 5000]
)
def test_a_facilitator_id_out_of_range_is_a_form_error_on_a_new_space(
    value: str, cast: Cast
) -> None:
    client = no_server_error(client_for(cast.facilitator))

    response = client.post(
        "/community/new",
        {"name": "Allies", "audience": "organisation", "facilitators": [value]},
    )

    assert response.status_code == 400
    assert "Select a valid choice" in errors_next_to(response.content.decode(), "facilitators")
    assert not Space.objects.exists()


@pytest.mark.parametrize("field", ["cohort", "group"])
@pytest.mark.parametrize("value", [HUGE, SUPERSCRIPT_TWO])
def test_a_cohort_or_group_id_out_of_range_is_a_form_error_on_a_new_space(
    field: str, value: str, cast: Cast
) -> None:
    client = no_server_error(client_for(cast.facilitator))

    response = client.post("/community/new", {"name": "Ours", "audience": field, field: value})

    assert response.status_code == 400
    assert "Select a valid choice" in errors_next_to(response.content.decode(), field)


@pytest.mark.parametrize("value", [HUGE, SUPERSCRIPT_TWO])
def test_a_facilitator_id_out_of_range_is_a_form_error_when_editing_a_space(
    value: str, cast: Cast
) -> None:
    space = allies_space(cast.facilitator)
    client = no_server_error(client_for(cast.facilitator))

    response = client.post(
        f"/community/{space.pk}/edit",
        {
            "name": "Allies",
            "guidelines": "Be kind.",
            "facilitators": [str(cast.facilitator.pk), value],
        },
    )

    assert response.status_code == 400
    assert "Select a valid choice" in errors_next_to(response.content.decode(), "facilitators")


@pytest.mark.parametrize("value", [HUGE, *UNICODE_DIGITS, " 1", "1e3", "9" * 5000])
def test_the_safe_choice_fields_refuse_what_is_not_an_id_in_range(
    value: str, participant: Person
) -> None:
    from django import forms

    single = SafeModelChoiceField(queryset=Person.objects.all())
    several = SafeModelMultipleChoiceField(queryset=Person.objects.all())

    with pytest.raises(forms.ValidationError, match="Select a valid choice"):
        single.clean(value)
    with pytest.raises(forms.ValidationError, match="Select a valid choice"):
        several.clean([str(participant.pk), value])
    assert single.clean(str(participant.pk)) == participant
    assert list(several.clean([str(participant.pk)])) == [participant]


@pytest.mark.parametrize("kind", ["single", "multiple"])
@pytest.mark.parametrize("value", [HUGE, SUPERSCRIPT_TWO])
def test_a_poll_option_out_of_range_is_a_form_error(kind: str, value: str, cast: Cast) -> None:
    from .test_community_polls_digest import a_poll

    poll = a_poll(allies_space(cast.facilitator), cast.facilitator, kind=kind)
    client = no_server_error(client_for(cast.participant))

    response = client.post(f"/community/polls/{poll.pk}/", {"options": [value]})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not poll.responses.exists()


# --- CSV import --------------------------------------------------------------------------------


def refused_import(program_admin: Person, data: bytes) -> str:
    """Import the file as the program admin: refused with one error, no one invited."""
    client = no_server_error(client_for(program_admin))
    response = client.post(
        reverse("import_csv"),
        {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 400
    [error] = response.context["errors"]
    assert Invitation.objects.count() == 0
    return str(error)


def test_a_csv_with_a_field_longer_than_python_reads_gets_a_clear_message(
    program_admin: Person,
) -> None:
    data = b"email,name,roles\nana@example.com," + b"A" * 140_000 + b",participant\n"

    error = refused_import(program_admin, data)

    assert error.startswith("Line 2:")
    assert "too long" in error


def test_a_csv_whose_header_is_too_long_to_read_gets_a_clear_message(
    program_admin: Person,
) -> None:
    data = b"email," + b"x" * 140_000 + b"\nana@example.com,Ana\n"

    assert "Line 1:" in refused_import(program_admin, data)
