"""Reflect, page by page, as its owner uses it: journal, map, role models, repair, notes and
"my data"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from icalendar import Calendar

from bridgework.accounts.models import Person
from bridgework.practice.models import Commitment
from bridgework.reflection import services
from bridgework.reflection.content import NOTES_PER_DAY
from bridgework.reflection.models import (
    Apology,
    DataExport,
    GrowthGoal,
    JournalEntry,
    JournalRevision,
    Note,
    RoleModel,
    SenderChoice,
    SocialLocationMap,
)

from .conftest import Cast, CountQueries, client_for, curriculum_sample, make_person

# On a stopped clock: nothing here depends on the day the suite runs.
pytestmark = pytest.mark.usefixtures("clock")


def page(response: Any) -> str:
    return str(response.content.decode())


# --- Journal -------------------------------------------------------------------------------


def test_it_saves_an_entry_from_a_gratitude_prompt(participant: Person) -> None:
    client = client_for(participant)
    form = client.get("/reflect/journal/new?prompt=patience")
    assert "patient with you" in page(form)

    response = client.post(
        "/reflect/journal/new",
        {
            "prompt": "patience",
            "body": "My mentor, every Tuesday.",
            "tags": "Mentors, #team, team",
            "mood": "steady",
            "energy": "some",
        },
    )

    entry = JournalEntry.objects.get(person=participant)
    assert response.status_code == 302 and response["Location"] == f"/reflect/journal/{entry.pk}/"
    assert entry.gratitude_prompt == "patience"
    assert entry.tags == ["mentors", "team"]
    assert (entry.mood, entry.energy) == ("steady", "some")
    detail = page(client.get(response["Location"]))
    assert "My mentor, every Tuesday." in detail and "Steady" in detail


def test_an_empty_entry_is_refused_with_a_message(participant: Person) -> None:
    response = client_for(participant).post("/reflect/journal/new", {"body": "  "})
    assert response.status_code == 400
    assert "Write a few words" in page(response)


def test_an_entry_can_answer_a_lesson_prompt_of_the_own_organisation_only(
    participant: Person, stranger: Person
) -> None:
    _, _, prompt, _ = curriculum_sample(participant)
    client = client_for(participant)
    assert "Who showed up for you?" in page(
        client.get(f"/reflect/journal/new?lesson_prompt={prompt.pk}")
    )
    client.post("/reflect/journal/new", {"lesson_prompt": prompt.pk, "body": "Sam did."})
    assert JournalEntry.objects.get(person=participant).lesson_prompt == prompt
    other = client_for(stranger).get(f"/reflect/journal/new?lesson_prompt={prompt.pk}")
    assert other.status_code == 404


def test_search_finds_words_and_tags_in_the_owners_entries_only(
    participant: Person, facilitator: Person
) -> None:
    services.write_entry(person=participant, body="Coffee with Dana", tags=["mentors"])
    services.write_entry(person=participant, body="A hard meeting")
    services.write_entry(person=facilitator, body="Coffee alone")
    client = client_for(participant)

    by_word = page(client.post("/reflect/journal/", {"q": "coffee"}))
    by_tag = page(client.post("/reflect/journal/", {"q": "#mentors"}))
    nothing = page(client.post("/reflect/journal/", {"q": "holiday"}))

    assert "Coffee with Dana" in by_word and "hard meeting" not in by_word
    assert "Coffee alone" not in by_word
    assert "Coffee with Dana" in by_tag
    assert "Nothing matches" in nothing


def test_an_empty_journal_offers_a_first_entry_not_a_search(participant: Person) -> None:
    client = client_for(participant)
    empty = page(client.get("/reflect/journal/"))
    assert "No entries yet" in empty and 'role="search"' not in empty

    services.write_entry(person=participant, body="A first thought")
    assert 'role="search"' in page(client.get("/reflect/journal/"))
    # A search that finds nothing keeps its box, to search again.
    assert 'role="search"' in page(client.post("/reflect/journal/", {"q": "holiday"}))


def test_htmx_search_swaps_only_the_results(participant: Person) -> None:
    services.write_entry(person=participant, body="Coffee with Dana")
    response = client_for(participant).post(
        "/reflect/journal/", {"q": "dana"}, headers={"HX-Request": "true"}
    )
    assert "Coffee with Dana" in page(response)
    assert "<html" not in page(response)


def test_editing_keeps_the_earlier_version_for_the_owner(participant: Person) -> None:
    entry = services.write_entry(person=participant, body="First thoughts")
    client = client_for(participant)

    client.post(f"/reflect/journal/{entry.pk}/edit", {"body": "Second thoughts"})

    entry.refresh_from_db()
    assert entry.body == "Second thoughts"
    [revision] = JournalRevision.objects.filter(entry=entry)
    assert revision.content["body"] == "First thoughts"
    detail = page(client.get(f"/reflect/journal/{entry.pk}/"))
    assert "Earlier versions" in detail and "First thoughts" in detail


def test_journal_times_are_shown_in_the_persons_time_zone_with_a_way_to_change_it(
    participant: Person,
) -> None:
    participant.time_zone = "America/New_York"
    participant.save(update_fields=["time_zone"])
    entry = services.write_entry(person=participant, body="Late thoughts")
    JournalEntry.objects.filter(pk=entry.pk).update(
        created_at=timezone.now().replace(year=2030, month=1, day=15, hour=2, minute=30)
    )
    client = client_for(participant)

    for path in ("/reflect/journal/", f"/reflect/journal/{entry.pk}/"):
        html = page(client.get(path))
        assert "14 J" in html and "21:30" in html, path  # the evening before, in New York
        assert "Times are in <bdi>America/New_York</bdi>" in html, path
        assert f'href="/profile/time-zone?next={path}"' in html, path


def test_saving_without_changes_adds_no_revision(participant: Person) -> None:
    entry = services.write_entry(person=participant, body="Same")
    client_for(participant).post(f"/reflect/journal/{entry.pk}/edit", {"body": "Same"})
    assert not JournalRevision.objects.exists()


def test_deleting_removes_the_entry_and_its_history_from_the_table(participant: Person) -> None:
    entry = services.write_entry(person=participant, body="Gone soon")
    services.edit_entry(entry=entry, body="Gone now", title="", tags=[], mood="", energy="")
    response = client_for(participant).post(f"/reflect/journal/{entry.pk}/delete")
    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM reflection_journalentry")
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT COUNT(*) FROM reflection_journalrevision")
        assert cursor.fetchone() == (0,)


def test_deleting_a_role_model_asks_first_and_keeping_it_changes_nothing(
    participant: Person,
) -> None:
    item = services.save_role_model(person=participant, name="Rosa Parker")
    goal = services.add_goal(person=participant, role_model=item, text="Speak up sooner")
    services.goal_to_commitment(goal=goal)
    client = client_for(participant)
    assert f'href="/reflect/role-models/{item.pk}/delete"' in page(
        client.get(f"/reflect/role-models/{item.pk}/")
    )

    asked = page(client.get(f"/reflect/role-models/{item.pk}/delete"))

    assert "Delete Rosa Parker?" in asked and "the 1 growth goal you set" in asked
    assert f'href="/reflect/role-models/{item.pk}/"' in asked  # the way out
    assert RoleModel.objects.filter(pk=item.pk).exists()
    response = client.post(f"/reflect/role-models/{item.pk}/delete")
    assert response.status_code == 302
    assert not RoleModel.objects.filter(pk=item.pk).exists()
    assert Commitment.objects.filter(person=participant).count() == 1, "as the page promised"


def test_deleting_an_apology_draft_asks_first(participant: Person) -> None:
    draft = services.save_apology(person=participant, acknowledge="I talked over you.")
    client = client_for(participant)
    assert f'href="/reflect/repair/{draft.pk}/delete"' in page(
        client.get(f"/reflect/repair/{draft.pk}/")
    )

    asked = page(client.get(f"/reflect/repair/{draft.pk}/delete"))

    assert "Delete this apology draft?" in asked
    assert Apology.objects.filter(pk=draft.pk).exists()
    assert client.post(f"/reflect/repair/{draft.pk}/delete").status_code == 302
    assert not Apology.objects.filter(pk=draft.pk).exists()


def test_every_reflect_page_carries_the_reflect_navigation(participant: Person) -> None:
    entry = services.write_entry(person=participant, body="A line")
    item = services.save_role_model(person=participant, name="Rosa")
    draft = services.save_apology(person=participant, acknowledge="Sorry.")
    client = client_for(participant)
    pages = {
        f"/reflect/journal/{entry.pk}/": "/reflect/journal/",
        f"/reflect/journal/{entry.pk}/edit": "/reflect/journal/",
        f"/reflect/journal/{entry.pk}/delete": "/reflect/journal/",
        "/reflect/journal/new": "/reflect/journal/",
        f"/reflect/role-models/{item.pk}/": "/reflect/role-models/",
        f"/reflect/role-models/{item.pk}/coffee-chat": "/reflect/role-models/",
        f"/reflect/role-models/{item.pk}/delete": "/reflect/role-models/",
        "/reflect/repair/new": "/reflect/repair/",
        f"/reflect/repair/{draft.pk}/": "/reflect/repair/",
        f"/reflect/repair/{draft.pk}/delete": "/reflect/repair/",
        "/reflect/notes/new": "/reflect/notes/",
    }
    for path, section in pages.items():
        html = page(client.get(path))
        assert '<nav class="subnav" aria-label="Reflect">' in html, path
        assert f'<a href="{section}" aria-current="page">' in html, path


# --- Social location map -------------------------------------------------------------------


def test_the_map_saves_part_of_the_dimensions_and_draws_the_wheel(participant: Person) -> None:
    client = client_for(participant)
    response = client.post(
        "/reflect/map/",
        {
            "race__overall": "4",
            "class__overall": "2",
            "class__team": "4",
            "custom0__name": "Being a carer",
            "custom0__overall": "1",
            "note": "It shifts a lot at work.",
        },
    )
    assert response.status_code == 302
    saved = SocialLocationMap.objects.get(person=participant).data
    assert saved is not None
    assert saved["dimensions"] == {"race": {"overall": 4}, "class": {"overall": 2, "team": 4}}
    assert saved["custom"] == [{"name": "Being a carer", "values": {"overall": 1}}]

    html = page(client.get("/reflect/map/"))
    assert 'role="img"' in html and '<title id="wheel-title">' in html
    assert '<desc id="wheel-desc">3 parts' in html
    assert "neither completely privileged nor completely marginalised" in html
    assert "<caption>Your map as numbers" in html and "Being a carer" in html


def test_every_part_of_the_map_is_optional(participant: Person) -> None:
    response = client_for(participant).post("/reflect/map/", {})
    assert response.status_code == 302
    assert SocialLocationMap.objects.get(person=participant).data == {
        "dimensions": {},
        "custom": [],
        "note": "",
    }


def test_a_value_off_the_scale_is_refused(participant: Person) -> None:
    response = client_for(participant).post("/reflect/map/", {"race__overall": "9"})
    assert response.status_code == 400
    assert not SocialLocationMap.objects.exists()


# --- Role models, goals, coffee chat -------------------------------------------------------


def test_a_role_model_goal_becomes_a_commitment_in_one_click(
    participant: Person, facilitator: Person
) -> None:
    client = client_for(participant)
    client.post(
        "/reflect/role-models/",
        {"name": "Rosa", "colleague": facilitator.pk, "small_actions": "Says names right"},
    )
    role_model = RoleModel.objects.get(person=participant)
    assert role_model.colleague == str(facilitator.pk)
    client.post(f"/reflect/role-models/{role_model.pk}/goals", {"text": "Ask before I assume"})
    goal = GrowthGoal.objects.get(role_model=role_model)

    client.post(f"/reflect/goals/{goal.pk}/commit")
    client.post(f"/reflect/goals/{goal.pk}/commit")

    [commitment] = Commitment.objects.filter(person=participant)
    assert commitment.title == "Ask before I assume" and commitment.cadence == "weekly"
    assert commitment.practice == "deep-curiosity" and commitment.courage == 1
    assert "Fran Facilitator" in page(client.get(f"/reflect/role-models/{role_model.pk}/"))


def test_a_goal_can_become_a_commitment_at_a_chosen_practice_and_level(
    participant: Person,
) -> None:
    client = client_for(participant)
    client.post("/reflect/role-models/", {"name": "Rosa"})
    role_model = RoleModel.objects.get(person=participant)
    client.post(f"/reflect/role-models/{role_model.pk}/goals", {"text": "Name it in the meeting"})
    goal = GrowthGoal.objects.get(role_model=role_model)
    assert f'id="goal-{goal.pk}-practice"' in page(
        client.get(f"/reflect/role-models/{role_model.pk}/")
    )

    bad = client.post(f"/reflect/goals/{goal.pk}/commit", {"practice": "bravado", "courage": "9"})
    assert bad.status_code == 302 and not Commitment.objects.filter(person=participant).exists()
    client.post(
        f"/reflect/goals/{goal.pk}/commit",
        {"practice": "courageous-responsibilities", "courage": "3"},
    )

    [commitment] = Commitment.objects.filter(person=participant)
    assert commitment.practice == "courageous-responsibilities" and commitment.courage == 3


def test_someone_elses_colleague_cannot_be_picked(participant: Person, stranger: Person) -> None:
    response = client_for(participant).post(
        "/reflect/role-models/", {"name": "Sid", "colleague": stranger.pk}
    )
    assert response.status_code == 400
    assert not RoleModel.objects.exists()


def test_the_coffee_chat_offers_a_message_and_an_ics_that_parses_back(
    participant: Person,
) -> None:
    role_model = services.save_role_model(person=participant, name="Rosa Parker")
    services.add_goal(person=participant, role_model=role_model, text="Speak up sooner")
    client = client_for(participant)
    chat = page(client.get(f"/reflect/role-models/{role_model.pk}/coffee-chat"))
    assert "Hi Rosa," in chat and "- Speak up sooner" in chat

    response = client.post(
        f"/reflect/role-models/{role_model.pk}/coffee-chat",
        {"day": "2030-03-04", "start": "10:30", "minutes": "45", "place": "Room 4"},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "coffee-chat.ics" in response["Content-Disposition"]
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Coffee chat with Rosa Parker"
    assert str(event["LOCATION"]) == "Room 4"
    start = event.decoded("DTSTART")
    assert (start.year, start.month, start.day, start.hour, start.minute) == (2030, 3, 4, 10, 30)
    assert event.decoded("DTEND") - start == timedelta(minutes=45)


def test_the_coffee_chat_invite_defines_the_time_zone_it_names(participant: Person) -> None:
    participant.time_zone = "Europe/Berlin"
    participant.save(update_fields=["time_zone"])
    role_model = services.save_role_model(person=participant, name="Rosa Parker")

    response = client_for(participant).post(
        f"/reflect/role-models/{role_model.pk}/coffee-chat",
        {"day": "2030-03-04", "start": "10:30", "minutes": "45", "place": "Room 4"},
    )

    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_a_coffee_chat_without_a_day_explains_what_is_missing(participant: Person) -> None:
    role_model = services.save_role_model(person=participant, name="Rosa")
    response = client_for(participant).post(
        f"/reflect/role-models/{role_model.pk}/coffee-chat", {"minutes": "30"}
    )
    assert response.status_code == 400 and "Pick a day." in page(response)


# --- Repair --------------------------------------------------------------------------------


def test_checking_a_draft_explains_the_pitfalls(participant: Person) -> None:
    client = client_for(participant)
    response = client.post(
        "/reflect/repair/new",
        {"action": "check", "acknowledge": "I'm sorry if you were offended, but I meant well."},
    )
    html = page(response)
    assert response.status_code == 200
    assert "Feedback on your draft" in html
    assert "makes the harm sound uncertain" in html
    assert "Intent" in html
    assert not Apology.objects.exists()  # checking does not save


def test_htmx_check_returns_the_feedback_and_the_form_without_errors(participant: Person) -> None:
    """The form comes along out of band, so an error from an earlier check goes away."""
    response = client_for(participant).post(
        "/reflect/repair/new",
        {"action": "check", "acknowledge": "It was just a joke."},
        headers={"HX-Request": "true"},
    )
    html = page(response)
    assert "shrink the harm" in html
    assert "<html" not in html
    assert html.count("<form") == 1
    assert '<form method="post" class="form" id="apology-form" hx-swap-oob="true"' in html
    assert "It was just a joke." in html
    assert "aria-invalid" not in html and "field__errors" not in html


def test_htmx_check_of_a_draft_too_long_puts_back_the_form_with_its_errors(
    participant: Person,
) -> None:
    """Not empty feedback: the form, with the error beside the part too long and every part
    as it was typed."""
    too_long = "I talked over you. " * 200
    response = client_for(participant).post(
        "/reflect/repair/new",
        {"action": "check", "acknowledge": too_long, "resume": "Can we talk again?"},
        headers={"HX-Request": "true"},
    )
    html = page(response)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#apology-form"
    assert response["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith('<form method="post" class="form" id="apology-form"')
    assert html.rstrip().endswith("</form>")
    assert "at most 3000 characters" in html
    assert 'aria-invalid="true"' in html and 'class="field__errors"' in html
    assert too_long.strip() in html and "Can we talk again?" in html
    assert not Apology.objects.exists()


def test_a_check_of_a_draft_too_long_without_javascript_shows_the_error_with_a_400(
    participant: Person,
) -> None:
    response = client_for(participant).post(
        "/reflect/repair/new", {"action": "check", "acknowledge": "x" * 3001}
    )
    html = page(response)
    assert response.status_code == 400
    assert "at most 3000 characters" in html and 'aria-invalid="true"' in html
    assert "x" * 3001 in html


def test_a_practice_scenario_is_saved_with_the_draft(participant: Person) -> None:
    client = client_for(participant)
    assert "The wrong pronoun" in page(client.get("/reflect/repair/new?scenario=pronouns"))
    response = client.post(
        "/reflect/repair/new",
        {
            "action": "save",
            "scenario": "pronouns",
            "acknowledge": "I used the wrong pronoun for you in front of a client.",
            "do_differently": "I will practise your pronouns before meetings.",
        },
    )
    apology = Apology.objects.get(person=participant)
    assert response["Location"] == f"/reflect/repair/{apology.pk}/"
    assert apology.scenario == "pronouns"
    assert "Nothing from our checklist stood out" in page(client.get(response["Location"]))


def test_there_are_practice_scenarios_to_choose_from(participant: Person) -> None:
    html = page(client_for(participant).get("/reflect/repair/"))
    assert html.count("Practise this one") >= 4


# --- Notes ---------------------------------------------------------------------------------


def send(client: Any, recipient: Person, text: str = "Thinking of you.") -> Any:
    return client.post(
        "/reflect/notes/new", {"recipient": recipient.pk, "kind": "recognition", "text": text}
    )


def test_the_note_page_never_lists_everyone_and_finds_a_colleague_by_name(
    participant: Person,
) -> None:
    organisation = participant.organisation
    assert organisation is not None
    Person.objects.bulk_create(
        Person(organisation=organisation, email=f"c{n}@example.org", chosen_name=f"Colleague {n}")
        for n in range(30)
    )
    bea = make_person(organisation, "bea@example.org", "Bea Okafor", {"participant"})
    client = client_for(participant)

    empty = page(client.get("/reflect/notes/new"))
    assert "Colleague 1" not in empty and "Bea Okafor" not in empty

    typed = {"kind": "recognition", "text": "You backed me up", "member_search": "okaf"}
    found = client.post("/reflect/notes/new", {**typed, "find": "1"})
    html = page(found)
    assert found.status_code == 200 and not Note.objects.exists()
    assert f'type="radio" name="recipient" value="{bea.pk}"' in html
    # The only match is chosen already: sending needs no extra tick.
    assert f'value="{bea.pk}" id="recipient-{bea.pk}" checked>' in html
    assert "Colleague 1" not in html  # only the matches, never everyone
    assert "You backed me up" in html  # what was typed is kept

    results = client.post(
        "/reflect/notes/new", {**typed, "find": "1"}, headers={"HX-Request": "true"}
    )
    assert "<main" not in page(results) and f'value="{bea.pk}"' in page(results)

    sent = client.post("/reflect/notes/new", {**typed, "recipient": bea.pk})
    assert sent.status_code == 302
    assert Note.objects.get().recipient == bea


def test_choosing_a_colleague_shows_names_only_and_searches_no_addresses(
    participant: Person,
) -> None:
    """The select it replaced showed names; the picker reveals no more: no address beside
    two people of the same name, and no way to look someone up by their address."""
    organisation = participant.organisation
    assert organisation is not None
    make_person(organisation, "sam.one@example.org", "Sam Lee", {"participant"})
    make_person(organisation, "sam.two@example.org", "Sam Lee", {"participant"})
    client = client_for(participant)
    by_name = page(client.post("/reflect/notes/new", {"member_search": "sam", "find": "1"}))
    assert by_name.count(">Sam Lee</bdi>") == 2 and "example.org" not in by_name
    assert " checked>" not in by_name.split('id="recipient-results"')[1]  # two: nobody chosen
    by_address = page(client.post("/reflect/notes/new", {"member_search": "sam.one@", "find": "1"}))
    assert "Sam Lee" not in by_address and "example.org" not in by_address.split("<main")[1]


@pytest.mark.parametrize("who", ["self", "stranger", "nobody", "garbage"])
def test_a_note_goes_only_to_an_active_colleague(
    participant: Person, stranger: Person, who: str
) -> None:
    recipient = {
        "self": str(participant.pk),
        "stranger": str(stranger.pk),
        "nobody": "",
        "garbage": "x1",
    }[who]
    response = client_for(participant).post(
        "/reflect/notes/new", {"recipient": recipient, "kind": "check_in", "text": "Hello"}
    )
    assert response.status_code == 400
    assert "Choose who the note is for." in page(response)
    assert not Note.objects.exists()


def test_an_ally_can_be_linked_to_a_colleague_found_by_name_and_unlinked_again(
    participant: Person,
) -> None:
    organisation = participant.organisation
    assert organisation is not None
    rosa = make_person(organisation, "rosa@example.org", "Rosa Lindqvist", {"participant"})
    client = client_for(participant)
    assert "Nobody here — someone else" in page(client.get("/reflect/role-models/"))
    found = page(
        client.post(
            "/reflect/role-models/", {"name": "Rosa", "member_search": "lindq", "find": "1"}
        )
    )
    assert f'name="colleague" value="{rosa.pk}"' in found and 'value="Rosa"' in found
    assert f'id="colleague-{rosa.pk}" checked>' in found and 'id="colleague-none">' in found
    client.post("/reflect/role-models/", {"name": "Rosa", "colleague": rosa.pk})
    item = RoleModel.objects.get()
    assert item.colleague == str(rosa.pk)
    edit = page(client.get(f"/reflect/role-models/{item.pk}/"))
    assert f'name="colleague" value="{rosa.pk}" id="colleague-{rosa.pk}" checked' in edit
    client.post(f"/reflect/role-models/{item.pk}/", {"name": "Rosa", "colleague": ""})
    item.refresh_from_db()
    assert not item.colleague


def test_a_note_reaches_only_the_recipient_and_the_email_keeps_its_words_out(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = send(cast.client("participant"), cast.facilitator, "You backed me up on Monday")
    assert response.status_code == 302
    assert "You backed me up on Monday" in page(cast.client("facilitator").get("/reflect/notes/"))
    assert "You backed me up on Monday" in page(
        cast.client("participant").get("/reflect/notes/sent/")
    )
    assert "You backed me up" not in page(cast.client("program_admin").get("/reflect/notes/"))
    [message] = mail.outbox
    assert message.to == [cast.facilitator.email]
    assert "backed me up" not in f"{message.subject} {message.body}"
    assert "/reflect/notes/" in message.body


def test_notes_go_only_to_colleagues_in_the_same_organisation(cast: Cast) -> None:
    response = send(cast.client("participant"), cast.stranger)
    assert response.status_code == 400
    assert not Note.objects.exists()


def test_senders_are_limited_to_ten_notes_a_day(cast: Cast) -> None:
    client = cast.client("participant")
    for _ in range(NOTES_PER_DAY):
        assert send(client, cast.facilitator).status_code == 302
    refused = send(client, cast.facilitator)
    assert refused.status_code == 400
    assert "daily limit" in page(refused)
    assert Note.objects.filter(sender=cast.participant).count() == NOTES_PER_DAY
    # A day later the limit has moved on.
    Note.objects.update(sent_at=timezone.now() - timedelta(days=1, minutes=1))
    assert send(client, cast.facilitator).status_code == 302


def test_muting_folds_notes_away_and_stops_emails(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send(cast.client("facilitator"), cast.participant, "First note")
    note = Note.objects.get()
    me = cast.client("participant")
    assert me.post(f"/reflect/notes/{note.pk}/mute").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        send(cast.client("facilitator"), cast.participant, "Second note")
    assert len(mail.outbox) == 1
    inbox = page(me.get("/reflect/notes/"))
    assert "Notes from people you muted (2)" in inbox and "Second note" in inbox


def test_blocking_hides_notes_without_telling_the_sender(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    send(cast.client("facilitator"), cast.participant, "First note")
    note = Note.objects.get()
    me = cast.client("participant")
    me.post(f"/reflect/notes/{note.pk}/block")
    with django_capture_on_commit_callbacks(execute=True):
        response = send(cast.client("facilitator"), cast.participant, "Second note")
    assert response.status_code == 302  # the sender sees the usual answer
    assert mail.outbox == []
    inbox = page(me.get("/reflect/notes/"))
    assert "First note" not in inbox and "Second note" not in inbox
    assert "Second note" in page(cast.client("facilitator").get("/reflect/notes/sent/"))

    choice = SenderChoice.objects.get(recipient=cast.participant)
    me.post(f"/reflect/notes/choices/{choice.pk}/remove")
    inbox = page(me.get("/reflect/notes/"))
    assert "First note" in inbox  # sent before the block: shown again
    assert "Second note" not in inbox  # sent while blocked: never delivered


def test_only_the_recipient_can_mute_from_a_note(cast: Cast) -> None:
    send(cast.client("facilitator"), cast.participant)
    note = Note.objects.get()
    assert cast.client("facilitator").post(f"/reflect/notes/{note.pk}/mute").status_code == 404
    assert cast.client("participant").post(f"/reflect/notes/{note.pk}/hide").status_code == 404


def home_notes(client: Any) -> str:
    """The "new notes" panel of Home, or "" when there is none."""
    html = page(client.get("/"))
    if 'id="new-notes-heading"' not in html:
        return ""
    start = html.index('<section class="panel new-notes"')
    return html[start : html.index("</section>", start)]


def test_home_names_new_notes_until_the_notes_page_is_opened(cast: Cast) -> None:
    me = cast.client("participant")
    assert home_notes(me) == ""
    send(cast.client("facilitator"), cast.participant, "Thanks for Monday")

    panel = home_notes(me)

    assert "A new note for you" in panel
    assert f"Recognition note from <bdi>{cast.facilitator.chosen_name}</bdi>" in panel
    assert "Thanks for Monday" not in panel, "Home names the sender, the words stay inside"
    assert 'href="/reflect/notes/"' in panel
    inbox = page(me.get("/reflect/notes/"))
    assert '<span class="tag note__new">New</span>' in inbox
    assert home_notes(me) == ""
    assert '<span class="tag note__new">New</span>' not in page(me.get("/reflect/notes/"))


def test_home_counts_many_new_notes_and_leaves_out_muted_and_blocked_senders(
    cast: Cast,
) -> None:
    me = cast.participant
    organisation = me.organisation
    assert organisation is not None
    for n in range(4):
        colleague = make_person(organisation, f"kind{n}@acme.test", f"Kind {n}", set())
        services.send_note(sender=colleague, recipient=me, kind="check_in", text="Hi")
    muted = make_person(organisation, "muted@acme.test", "Muted Mo", set())
    blocked = make_person(organisation, "blocked@acme.test", "Blocked Bea", set())
    for sender in (muted, blocked):
        services.send_note(sender=sender, recipient=me, kind="check_in", text="Hi")
    services.choose_for_sender(recipient=me, sender=muted, choice="muted")
    services.choose_for_sender(recipient=me, sender=blocked, choice="blocked")

    panel = home_notes(cast.client("participant"))

    assert "4 new notes for you" in panel
    assert "Muted Mo" not in panel and "Blocked Bea" not in panel
    assert panel.count("<li>") == 3


def test_someone_elses_new_notes_never_show_on_my_home(cast: Cast) -> None:
    send(cast.client("facilitator"), cast.participant, "For Pat only")
    for position in ("facilitator", "program_admin", "group_member", "stranger"):
        assert home_notes(cast.client(position)) == "", position


def test_mute_and_block_wait_behind_a_quiet_menu(cast: Cast) -> None:
    send(cast.client("facilitator"), cast.participant, "Thanks for Monday")
    inbox = page(cast.client("participant").get("/reflect/notes/"))

    menu = inbox[inbox.index('<details class="note__more">') :]
    menu = menu[: menu.index("</details>")]
    name = cast.facilitator.chosen_name
    assert (
        f"Mute <bdi>{name}</bdi></span></button>" in menu
        and f"Block <bdi>{name}</bdi></span></button>" in menu
    )
    note = inbox[inbox.index("Thanks for Monday") : inbox.index('<details class="note__more">')]
    assert "Mute" not in note and "Block" not in note


# --- My data -------------------------------------------------------------------------------


def test_download_my_data_holds_everything_for_a_day_for_the_owner_only(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    me = cast.participant
    services.write_entry(person=me, body="Journal words")
    services.save_map(person=me, data={"dimensions": {"age": {"overall": 2}}, "note": "Map words"})
    services.save_apology(person=me, acknowledge="Apology words")
    services.send_note(sender=me, recipient=cast.facilitator, kind="check_in", text="Sent words")
    services.send_note(sender=cast.facilitator, recipient=me, kind="check_in", text="Got words")
    services.add_goal(
        person=me,
        role_model=services.save_role_model(person=me, name="Rosa"),
        text="Goal words",
    )
    client = cast.client("participant")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/reflect/my-data/").status_code == 302
    export = DataExport.objects.get(person=me)
    assert export.status == DataExport.Status.READY

    data = client.get(f"/reflect/my-data/{export.pk}/json").json()
    readable = page(client.get(f"/reflect/my-data/{export.pk}/html"))

    assert data["journal"][0]["body"] == "Journal words"
    assert data["social_location_map"]["note"] == "Map words"
    assert data["apologies"][0]["acknowledge"] == "Apology words"
    assert data["notes"]["sent"][0]["text"] == "Sent words"
    assert data["notes"]["received"][0]["text"] == "Got words"
    assert data["role_models"][0]["growth_goals"] == ["Goal words"]
    for words in ("Journal words", "Map words", "Apology words", "Got words", "Goal words"):
        assert words in readable
    for position in ("facilitator", "program_admin", "stranger"):
        assert cast.client(position).get(f"/reflect/my-data/{export.pk}/json").status_code == 404

    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    assert client.get(f"/reflect/my-data/{export.pk}/json").status_code == 404
    assert not DataExport.objects.filter(pk=export.pk).exists()


def prepare_my_data(client: Any) -> str:
    """Press "Prepare my data" and read the page it leads back to."""
    response = client.post("/reflect/my-data/", follow=True)
    assert response.redirect_chain == [("/reflect/my-data/", 302)]
    return page(response)


def test_one_export_is_prepared_at_a_time(cast: Cast) -> None:
    client = cast.client("participant")

    first = prepare_my_data(client)
    second = prepare_my_data(client)

    assert "We are gathering your data" in first
    assert "Your data is still being prepared" in second
    assert DataExport.objects.filter(person=cast.participant).count() == 1
    # Someone else's pending export holds nobody else up.
    assert "We are gathering your data" in prepare_my_data(cast.client("facilitator"))


def test_data_is_prepared_at_most_three_times_a_day(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    me = cast.participant
    client = cast.client("participant")
    start = timezone.now()
    for hour in range(3):
        with (
            mock.patch("django.utils.timezone.now", return_value=start + timedelta(hours=hour)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert "We are gathering your data" in prepare_my_data(client)

    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(hours=23)):
        refused = prepare_my_data(client)
    assert "You have prepared your data 3 times in the last day" in refused
    assert "Your latest download still works" in refused
    assert DataExport.objects.filter(person=me).count() == 3

    with (
        mock.patch(
            "django.utils.timezone.now", return_value=start + timedelta(hours=24, minutes=1)
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert "We are gathering your data" in prepare_my_data(client)
    assert DataExport.objects.filter(person=me).count() == 3, "the first one has expired"


def test_my_data_shows_the_newest_export_only(
    participant: Person, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(participant)
    start = timezone.now()
    for hour in range(2):
        with (
            mock.patch("django.utils.timezone.now", return_value=start + timedelta(hours=hour)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            prepare_my_data(client)
    newest = DataExport.objects.filter(person=participant).first()
    assert newest is not None

    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(hours=2)):
        shown = page(client.get("/reflect/my-data/"))

    assert shown.count("Download as JSON") == 1
    assert f"/reflect/my-data/{newest.pk}/json" in shown
    assert "Prepare a fresh copy" in shown


def test_while_an_export_is_prepared_the_page_asks_again_until_it_is_ready(
    participant: Person,
) -> None:
    client = client_for(participant)
    export = services.request_export(person=participant)  # the task has not run yet

    whole = page(client.get("/reflect/my-data/"))
    polled = page(client.get("/reflect/my-data/", headers={"HX-Request": "true"}))

    for html in (whole, polled):
        assert 'hx-trigger="every 3s"' in html
        assert "<progress" in html and 'role="status"' in html
        assert '<a href="/reflect/my-data/">reload it</a>' in html, "works without JavaScript"
        assert "Prepare my data" not in html, "no second export while one is pending"
    assert "<html" not in polled and 'id="export-status"' in polled

    services.build_export(export)
    ready = page(client.get("/reflect/my-data/", headers={"HX-Request": "true"}))

    assert "hx-trigger" not in ready, "polling stops once it is ready"
    assert "Your data is ready" in ready and f"/reflect/my-data/{export.pk}/json" in ready


def test_my_data_shows_times_in_the_persons_time_zone(participant: Person) -> None:
    participant.time_zone = "Asia/Tokyo"
    participant.save(update_fields=["time_zone"])
    export = services.request_export(person=participant)
    DataExport.objects.filter(pk=export.pk).update(
        created_at=timezone.now().replace(hour=1, minute=5)
    )

    html = page(client_for(participant).get("/reflect/my-data/"))

    assert "started 10:05" in html


def test_the_export_is_stored_encrypted(participant: Person) -> None:
    services.write_entry(person=participant, body="Plain words nobody should see")
    export = services.build_export(services.request_export(person=participant))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT json_text, html_text FROM reflection_dataexport WHERE id = %s", [export.pk]
        )
        row = cursor.fetchone()
    assert all(value.startswith("bw1:") for value in row)
    assert "Plain words" not in "".join(row)


# --- Query counts --------------------------------------------------------------------------


LIST_PAGE_QUERIES = {
    "/reflect/journal/": 3,
    "/reflect/notes/": 5,
    "/reflect/notes/sent/": 3,
    "/": 9,
}


@pytest.mark.parametrize("path", LIST_PAGE_QUERIES)
def test_list_pages_do_the_same_number_of_queries_for_3_and_30_items(
    path: str, cast: Cast, count_queries: CountQueries
) -> None:
    me = cast.participant
    organisation = me.organisation
    assert organisation is not None
    client = cast.client("participant")
    counts = []
    for batch, size in (("a", 3), ("b", 27)):
        for n in range(size):
            colleague = make_person(organisation, f"{batch}{n}@acme.test", f"C {n}", set())
            entry = services.write_entry(person=me, body=f"Entry {n}", tags=["x"])
            services.edit_entry(entry=entry, body="edited", title="", tags=[], mood="", energy="")
            services.send_note(sender=colleague, recipient=me, kind="check_in", text="Hi")
            services.send_note(sender=me, recipient=colleague, kind="check_in", text="Hi")
            if n % 3 == 0:
                services.choose_for_sender(recipient=me, sender=colleague, choice="muted")
            Note.objects.filter(sender=me).update(sent_at=timezone.now() - timedelta(days=2))
        counts.append(count_queries(client.get, path))
    assert counts[0] == counts[1] == LIST_PAGE_QUERIES[path]
