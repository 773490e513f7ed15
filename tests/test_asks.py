"""Brokered asks: a community group writes asks in its protected space; a facilitator
publishes an anonymised version to allies; allies commit; the group sees counts, not names."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.test import Client
from django.utils import timezone

from bridgework.accounts import services as account_services
from bridgework.accounts.models import CommunityGroup, GroupMembership, Organisation, Person, Role
from bridgework.asks import demo, services
from bridgework.asks.models import Aggregate, Ask, AskResponse, PublishedAsk
from bridgework.cohorts.models import Cohort
from bridgework.community.models import GuidelinesAcceptance, Space
from bridgework.notifications import digest
from bridgework.notifications.models import DigestPreference, Notification
from bridgework.practice import services as practice
from bridgework.practice.models import Commitment

from .asks_support import Spaces, make_spaces, propose, publish, respond, write_ask
from .conftest import PASSWORD, Cast, Committed, CountQueries, make_person
from .page_support import without_per_request_values


@pytest.fixture
def spaces(cast: Cast) -> Spaces:
    return make_spaces(cast)


def allies(organisation: Organisation, count: int, start: int = 0) -> list[Person]:
    return [
        make_person(organisation, f"ally{n}@acme.test", f"Ally {n}", {Role.PARTICIPANT})
        for n in range(start, start + count)
    ]


# --- writing an ask -----------------------------------------------------------------------


def test_a_group_member_accepts_the_guidelines_and_writes_an_ask(
    cast: Cast, spaces: Spaces
) -> None:
    client = cast.client("group_member")
    path = f"/community/asks/spaces/{spaces.protected.pk}/new"
    page = client.get(path).content.decode()
    assert "Guidelines of" in page and "Make room for every voice" in page
    data = {"title": "Captions, please", "body": "It would help a lot."}
    refused = client.post(path, data)
    assert refused.status_code == 400
    assert "accept the space" in refused.content.decode()
    assert not Ask.objects.exists()
    response = client.post(path, {**data, "accept_guidelines": "on"})
    ask = Ask.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/community/asks/{ask.pk}/"
    assert ask.author == cast.group_member and ask.space == spaces.protected
    assert spaces.protected.has_accepted_guidelines(cast.group_member)
    # Once accepted, the form no longer asks again.
    assert "Guidelines of" not in client.get(path).content.decode()


def test_the_original_ask_is_seen_only_inside_the_groups_space(cast: Cast, spaces: Spaces) -> None:
    ask = write_ask(spaces.protected, cast.group_member, title="Only for us")
    path = f"/community/asks/{ask.pk}/"
    for position in ("group_member", "participant_and_member", "facilitator"):
        response = cast.client(position).get(path)
        assert response.status_code == 200, position
        assert cast.group_member.chosen_name in response.content.decode()
    for position in ("participant", "program_admin", "stranger"):
        assert cast.client(position).get(path).status_code == 404, position
        index = cast.client(position).get("/community/asks/").content.decode()
        assert "Only for us" not in index, position


def test_only_people_who_can_post_in_the_protected_space_write_there(
    cast: Cast, spaces: Spaces
) -> None:
    path = f"/community/asks/spaces/{spaces.protected.pk}/new"
    for position in ("participant", "program_admin", "stranger"):
        assert cast.client(position).get(path).status_code == 404, position
    # The allies' space is not a place for asks.
    allies_path = f"/community/asks/spaces/{spaces.allies.pk}/new"
    assert cast.client("participant").get(allies_path).status_code == 404


def test_a_facilitator_outside_the_group_is_not_offered_an_ask_and_is_told_why(
    cast: Cast, spaces: Spaces
) -> None:
    """Fran looks after the group's space without being in the group."""
    client = cast.client("facilitator")
    button = "Write an ask"
    assert button not in client.get("/community/asks/").content.decode()
    assert button not in client.get(f"/community/{spaces.protected.pk}/").content.decode()
    path = f"/community/asks/spaces/{spaces.protected.pk}/new"
    page = client.get(path).content.decode()
    assert "Asks are written by the members of Disability Network" in page
    refused = client.post(path, {"title": "T", "body": "B", "accept_guidelines": "on"})
    assert refused.status_code == 400 and not Ask.objects.exists()
    with pytest.raises(PermissionDenied):
        services.write_ask(space=spaces.protected, author=cast.facilitator, title="T", body="B")
    # The group's members are offered it, in both places.
    member = cast.client("group_member")
    assert button in member.get("/community/asks/").content.decode()
    assert button in member.get(f"/community/{spaces.protected.pk}/").content.decode()
    # Joining the group makes Fran one of them.
    assert spaces.protected.group is not None
    GroupMembership.objects.create(
        group=spaces.protected.group, person=cast.facilitator, added_by="self"
    )
    assert button in client.get("/community/asks/").content.decode()


def test_asks_are_rate_limited(cast: Cast, spaces: Spaces) -> None:
    client = cast.client("group_member")
    path = f"/community/asks/spaces/{spaces.protected.pk}/new"
    GuidelinesAcceptance.objects.create(space=spaces.protected, person=cast.group_member)
    for n in range(5):
        assert client.post(path, {"title": f"Ask {n}", "body": "Please."}).status_code == 302
    response = client.post(path, {"title": "One more", "body": "Please."})
    assert response.status_code == 400
    assert "Please wait until tomorrow" in response.content.decode()


# --- publishing -----------------------------------------------------------------------------


def test_the_publish_form_starts_empty_beside_the_original_read_only(
    cast: Cast, spaces: Spaces
) -> None:
    ask = write_ask(
        spaces.protected, cast.group_member, title="Zq title", body="Sam from Finance asked me."
    )
    page = cast.client("facilitator").get(f"/community/asks/{ask.pk}/publish").content.decode()
    # The original is on the page, to read...
    original = page.split('class="panel ask-original"', 1)[1].split("</section>", 1)[0]
    assert "Sam from Finance asked me." in original and "Zq title" in original
    assert "<textarea" not in original and "<input" not in original
    # ...but the fields allies' wording is written in start empty.
    form = page.split('aria-labelledby="wording-heading"', 1)[1].split("</form>", 1)[0]
    assert "Sam from Finance" not in form and "Zq title" not in form
    title = re.search(r'<input[^>]*name="title"[^>]*>', form)
    assert title and "value=" not in title.group()
    assert re.search(r'<textarea[^>]*name="body"[^>]*>\s*</textarea>', form)
    assert "Leave out names, teams, dates, places" in page
    assert "Allies" in page  # the allies' space to choose


def publish_form(spaces: Spaces, **wording: str) -> dict[str, str]:
    return {
        "space": str(spaces.allies.pk),
        "title": wording.get("title", "Turn captions on"),
        "body": wording.get("body", "When you share a video in a meeting, turn captions on."),
        "checked": "on",
    }


def test_wording_that_names_someone_or_a_team_is_refused_with_the_words_shown(
    cast: Cast, spaces: Spaces, organisation: Organisation
) -> None:
    sam = make_person(organisation, "sam.chen@acme.test", "Sam Chen", set())
    GroupMembership.objects.create(group=spaces.group, person=sam, added_by="self")
    Cohort.objects.create(organisation=organisation, name="Leeds finance", start_date="2026-01-06")
    original = "Sam Chen here, from the Leeds finance team: my medication makes mornings hard."
    ask = write_ask(spaces.protected, sam, title="Mornings", body=original)
    path = f"/community/asks/{ask.pk}/publish"
    response = cast.client("facilitator").post(
        path,
        publish_form(spaces, title="From the Disability Network", body=original.upper()),
    )
    assert response.status_code == 400
    html = response.content.decode()
    body_errors = re.search(r'id="id_body_error">(.*?)</div>', html, re.S)
    assert body_errors and "“SAM CHEN”, “LEEDS FINANCE”" in body_errors.group(1)
    title_errors = re.search(r'id="id_title_error">(.*?)</div>', html, re.S)
    assert title_errors and "“Disability Network”" in title_errors.group(1)
    assert "Reword without them" in html
    ask.refresh_from_db()
    assert ask.proposal == Ask.Proposal.NONE and not PublishedAsk.objects.exists()
    # Punctuation does not get a name through.
    sneaky = cast.client("facilitator").post(path, publish_form(spaces, body="Ask s.a.m-c.h.e.n"))
    assert sneaky.status_code == 400 and "“s.a.m-c.h.e.n”" in sneaky.content.decode()
    fine = cast.client("facilitator").post(path, publish_form(spaces))
    assert fine.status_code == 302


def body_error_text(page: bytes) -> str:
    found = re.search(r'id="id_body_error">(.*?)</div>', page.decode(), re.S)
    return found.group(1) if found else ""


def test_the_name_of_a_protected_space_the_facilitator_cannot_see_is_not_quoted_back(
    cast: Cast, spaces: Spaces, organisation: Organisation
) -> None:
    """Quoting it would tell the facilitator that a group's space of that name exists, which
    nothing else lets them learn: the answer is the one a made-up name gets."""
    pride = CommunityGroup.objects.create(organisation=organisation, name="Pride")
    Space.objects.create(
        organisation=organisation,
        name="Trans staff network",
        slug="tsn",
        audience=Space.Audience.GROUP,
        group=pride,
        opened_to_group_at=timezone.now(),
    )
    ask = write_ask(spaces.protected, cast.group_member)
    path = f"/community/asks/{ask.pk}/publish"
    client = cast.client("facilitator")
    guessed = client.post(path, publish_form(spaces, body="Ask the Trans staff network first."))
    made_up = client.post(path, publish_form(spaces, body="Ask the Tangerine staff circle first."))
    assert guessed.status_code == made_up.status_code == 302
    assert body_error_text(guessed.content) == body_error_text(made_up.content) == ""


def test_the_name_of_a_space_the_facilitator_can_see_or_of_the_asks_own_is_refused(
    cast: Cast, spaces: Spaces, organisation: Organisation
) -> None:
    Space.objects.filter(pk=spaces.protected.pk).update(name="Quiet corner")
    # Someone else looks after it, but the facilitator is a participant: they see it.
    Space.objects.create(
        organisation=organisation, name="Book club", slug="books", audience="organisation"
    )
    ask = write_ask(spaces.protected, cast.group_member)
    response = cast.client("facilitator").post(
        f"/community/asks/{ask.pk}/publish",
        publish_form(spaces, body="Ask in the Book club, the Quiet corner or Disability Network."),
    )
    assert response.status_code == 400
    assert "“Book club”, “Quiet corner”, “Disability Network”" in body_error_text(response.content)


def test_peoples_names_and_every_groups_name_are_still_refused(
    cast: Cast, spaces: Spaces, organisation: Organisation
) -> None:
    """Neither is hidden from a facilitator: /groups/ lists every group to everyone in the
    organisation, and whether someone works here is no secret. Naming the author's manager is
    what the check is there to stop."""
    CommunityGroup.objects.create(organisation=organisation, name="Carers circle")
    make_person(organisation, "rui.alves@acme.test", "Rui Alves", set())
    assert "Carers circle" in cast.client("facilitator").get("/groups/").content.decode()
    ask = write_ask(spaces.protected, cast.group_member)
    response = cast.client("facilitator").post(
        f"/community/asks/{ask.pk}/publish",
        publish_form(spaces, body="Alves, of the Carers circle, keeps booking 8am calls."),
    )
    assert response.status_code == 400
    assert "“Alves”, “Carers circle”" in body_error_text(response.content)


def test_publishing_waits_for_the_authors_approval_of_the_exact_wording(
    cast: Cast, spaces: Spaces, committed: Committed
) -> None:
    ask = write_ask(spaces.protected, cast.group_member, body="Gus here: my team forgets.")
    path = f"/community/asks/{ask.pk}/publish"
    data = publish_form(spaces)
    unchecked = cast.client("facilitator").post(path, {**data, "checked": ""})
    assert unchecked.status_code == 400
    assert "check the wording for identifying details" in unchecked.content.decode()
    with committed():
        response = cast.client("facilitator").post(path, data)
    assert response.status_code == 302 and response["Location"] == f"/community/asks/{ask.pk}/"
    # Nothing reaches allies yet.
    assert not PublishedAsk.objects.exists()
    allies_index = cast.client("participant").get("/community/asks/").content.decode()
    assert "Turn captions on" not in allies_index
    ask.refresh_from_db()
    assert ask.proposal == Ask.Proposal.WAITING and ask.proposed_by == cast.facilitator
    # The author is told in the app, without the words, and nothing is e-mailed.
    note = Notification.objects.get()
    assert note.person == cast.group_member and note.kind == "ask_approval"
    assert "Turn captions on" not in note.summary and "Gus here" not in note.summary
    assert mail.outbox == []
    author = cast.client("group_member")
    index = author.get("/community/asks/").content.decode()
    assert "Waiting for your approval" in index
    page = author.get(f"/community/asks/{ask.pk}/").content.decode()
    assert "Wording to approve" in page and "When you share a video in a meeting" in page
    assert "Approve and share" in page
    # Others in the group see that it waits, not the proposed words.
    other = cast.client("participant_and_member").get(f"/community/asks/{ask.pk}/")
    assert "When you share a video" not in other.content.decode()
    with committed():
        approve = author.post(
            f"/community/asks/{ask.pk}/approval",
            {"decision": "approve", "version": str(ask.proposal_version)},
        )
    assert approve.status_code == 302
    published = PublishedAsk.objects.get()
    assert (published.title, published.body) == (data["title"], data["body"])
    assert published.space == spaces.allies and published.is_live
    ask.refresh_from_db()
    assert ask.published == published and ask.published_by == cast.facilitator
    assert ask.proposal == Ask.Proposal.NONE and ask.proposed_title is None
    allies_page = cast.client("participant").get(f"/community/asks/published/{published.pk}/")
    assert allies_page.status_code == 200 and "Turn captions on" in allies_page.content.decode()
    told = Notification.objects.get(person=cast.facilitator)
    assert told.kind == "ask_approval" and "Turn captions" not in told.summary
    # Publishing again goes to new wording for the existing version instead.
    again = cast.client("facilitator").get(path)
    assert again["Location"] == f"/community/asks/published/{published.pk}/edit"


def test_the_author_declines_and_nothing_is_shared(cast: Cast, spaces: Spaces) -> None:
    ask = propose(write_ask(spaces.protected, cast.group_member), cast.facilitator, spaces.allies)
    response = cast.client("group_member").post(
        f"/community/asks/{ask.pk}/approval",
        {"decision": "decline", "version": str(ask.proposal_version)},
    )
    assert response.status_code == 302
    ask.refresh_from_db()
    assert ask.proposal == Ask.Proposal.DECLINED and ask.proposed_body is None
    assert not PublishedAsk.objects.exists()
    page = cast.client("facilitator").get(f"/community/asks/{ask.pk}/").content.decode()
    assert "declined the last proposed wording" in page
    # The facilitator may try other wording, from an empty form again.
    form = cast.client("facilitator").get(f"/community/asks/{ask.pk}/publish").content.decode()
    assert "When you share a video" not in form


def test_an_approval_given_to_older_wording_publishes_nothing(cast: Cast, spaces: Spaces) -> None:
    ask = propose(write_ask(spaces.protected, cast.group_member), cast.facilitator, spaces.allies)
    seen = ask.proposal_version
    propose(ask, cast.facilitator, spaces.allies, title="Other words", body="Other words.")
    client = cast.client("group_member")
    response = client.post(
        f"/community/asks/{ask.pk}/approval", {"decision": "approve", "version": str(seen)}
    )
    assert response.status_code == 302
    assert not PublishedAsk.objects.exists()
    page = client.get(f"/community/asks/{ask.pk}/").content.decode()
    assert "changed the wording since you opened the page" in page


def test_only_the_author_approves_or_withdraws(cast: Cast, spaces: Spaces) -> None:
    ask = propose(write_ask(spaces.protected, cast.group_member), cast.facilitator, spaces.allies)
    data = {"decision": "approve", "version": str(ask.proposal_version)}
    for position in ("facilitator", "participant_and_member", "participant", "program_admin"):
        client = cast.client(position)
        assert client.post(f"/community/asks/{ask.pk}/approval", data).status_code == 404
        assert client.post(f"/community/asks/{ask.pk}/withdraw").status_code == 404
    assert not PublishedAsk.objects.exists()
    with pytest.raises(PermissionDenied):
        services.approve(ask=ask, author=cast.facilitator, version=ask.proposal_version)


def test_the_author_withdraws_a_published_ask_for_good(cast: Cast, spaces: Spaces) -> None:
    ask = write_ask(spaces.protected, cast.group_member)
    published = publish(ask, cast.facilitator, spaces.allies)
    author = cast.client("group_member")
    assert "Withdraw it from allies" in author.get(f"/community/asks/{ask.pk}/").content.decode()
    assert author.post(f"/community/asks/{ask.pk}/withdraw").status_code == 302
    published.refresh_from_db()
    assert not published.is_live
    allies_index = cast.client("participant").get("/community/asks/").content.decode()
    assert "Turn captions on" not in allies_index
    assert cast.client("participant").get(published.get_absolute_url()).status_code == 404
    assert "You withdrew it" in author.get(f"/community/asks/{ask.pk}/").content.decode()
    # The facilitator cannot put it back, nor propose new wording for it.
    facilitator = cast.client("facilitator")
    facilitator.post(f"/community/asks/published/{published.pk}/withdraw", {"undo": "1"})
    published.refresh_from_db()
    assert not published.is_live
    page = facilitator.get(published.get_absolute_url()).content.decode()
    assert "Show it to allies again" not in page
    ask.refresh_from_db()
    with pytest.raises(ValidationError):
        propose(ask, cast.facilitator, spaces.allies)


def test_an_ask_whose_author_has_left_cannot_be_shared(cast: Cast, spaces: Spaces) -> None:
    ask = write_ask(spaces.protected, cast.group_member)
    account_services.erase_person(person=cast.group_member)
    response = cast.client("facilitator").post(
        f"/community/asks/{ask.pk}/publish", publish_form(spaces)
    )
    assert "nobody can approve the wording" in response.content.decode()
    assert not PublishedAsk.objects.exists()


def test_the_published_ask_has_no_author_and_no_way_back() -> None:
    fields = PublishedAsk._meta.get_fields()
    related = {f.related_model for f in fields if f.is_relation}
    assert Person not in related and Ask not in related
    assert {f.name for f in fields} == {
        "id",
        "space",
        "title",
        "body",
        "published_at",
        "updated_at",
        "withdrawn_at",
        "responses",
    }
    # The one link lives on the protected side, with no reverse accessor.
    link = Ask._meta.get_field("published")
    assert isinstance(link, models.OneToOneField) and link.remote_field.related_name == "+"


def test_the_published_page_never_shows_who_asked(
    cast: Cast, spaces: Spaces, organisation: Organisation
) -> None:
    author = Person.objects.create_user(
        "zed.quill@acme.test",
        PASSWORD,
        id=987654,
        organisation=organisation,
        chosen_name="Zed Quillfeather",
    )
    GroupMembership.objects.create(group=spaces.group, person=author, added_by="self")
    ask = write_ask(spaces.protected, author)
    published = publish(ask, cast.facilitator, spaces.allies)
    respond(published, allies(organisation, 1)[0], note="Will do, from today.")
    allies_pages = (
        f"/community/asks/published/{published.pk}/",
        f"/community/asks/published/{published.pk}/respond",
    )
    for position in ("participant", "facilitator", "participant_and_member"):
        client = cast.client(position)
        for path in (*allies_pages, "/community/asks/"):
            html = without_per_request_values(client.get(path).content.decode())
            for trace in ("Zed", "Quillfeather", "zed.quill", "987654"):
                assert trace not in html, (position, path, trace)
            if path in allies_pages:
                assert "Turn captions on" in html
                # Nothing on the allies' pages links to the original ask.
                assert f"/community/asks/{ask.pk}/" not in html


def test_publishing_needs_both_spaces_facilitated(
    cast: Cast, spaces: Spaces, organisation: Organisation
) -> None:
    other = Space.objects.create(
        organisation=organisation, name="Other allies", slug="other", audience="organisation"
    )
    ask = write_ask(spaces.protected, cast.group_member)
    response = cast.client("facilitator").post(
        f"/community/asks/{ask.pk}/publish",
        {"space": str(other.pk), "title": "T", "body": "B", "checked": "on"},
    )
    assert response.status_code == 400
    assert not PublishedAsk.objects.exists()
    # A facilitator who does not look after the group's space cannot publish its asks.
    spaces.protected.facilitators.remove(cast.facilitator)
    assert cast.client("facilitator").get(f"/community/asks/{ask.pk}/publish").status_code == 404


# --- allies respond -------------------------------------------------------------------------


def test_an_ally_responds_with_a_commitment_and_a_note(cast: Cast, spaces: Spaces) -> None:
    published = publish(
        write_ask(spaces.protected, cast.group_member), cast.facilitator, spaces.allies
    )
    client = cast.client("participant")
    path = f"/community/asks/published/{published.pk}/respond"
    form = client.get(path).content.decode()
    assert "Turn captions on" in form  # the commitment title starts from the ask's
    bad = client.post(path, {"title": "Ask about captions", "practice": "x", "courage": "9"})
    assert bad.status_code == 400
    cue_missing = client.post(
        path,
        {
            "title": "Captions on",
            "practice": "courageous-responsibilities",
            "courage": "1",
            "cadence": "cue",
        },
    )
    assert cue_missing.status_code == 400
    response = client.post(
        path,
        {
            "title": "Captions on when I share",
            "practice": "courageous-responsibilities",
            "courage": "2",
            "cadence": "weekly",
            "note": "Starting with Monday's stand-up.",
        },
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get(person=cast.participant)
    assert commitment.title == "Captions on when I share" and commitment.courage == 2
    assert commitment.cadence == "weekly"
    assert AskResponse.objects.get().commitment == commitment
    page = client.get(f"/community/asks/published/{published.pk}/").content.decode()
    assert "Starting with Monday&#x27;s stand-up." in page and "You said you'll do this" in page
    # A second time changes nothing.
    again = client.post(
        path, {"title": "Again", "practice": "deep-curiosity", "courage": "1", "cadence": "once"}
    )
    assert again.status_code == 302
    assert AskResponse.objects.count() == 1 and Commitment.objects.count() == 1


def test_people_outside_the_allies_space_cannot_see_or_respond(cast: Cast, spaces: Spaces) -> None:
    published = publish(
        write_ask(spaces.protected, cast.group_member), cast.facilitator, spaces.allies
    )
    for position in ("group_member", "program_admin", "stranger"):
        client = cast.client(position)
        assert client.get(f"/community/asks/published/{published.pk}/").status_code == 404
        assert client.post(f"/community/asks/published/{published.pk}/respond").status_code == 404
    assert not AskResponse.objects.exists()


def test_the_group_sees_an_aggregate_with_small_counts_hidden(
    cast: Cast, spaces: Spaces, organisation: Organisation
) -> None:
    ask = write_ask(spaces.protected, cast.group_member)
    published = publish(ask, cast.facilitator, spaces.allies)
    client = cast.client("group_member")

    def page() -> str:
        return without_per_request_values(client.get(f"/community/asks/{ask.pk}/").content.decode())

    never = page()
    assert "Fewer than 5 allies have taken this on so far." in never
    people = allies(organisation, 12)
    first = respond(published, people[0], note="Starting with my next team meeting")
    # Whether the one ally named beside their note committed, or has checked in since, does
    # not show: nothing below five is told apart from none.
    assert page() == never
    assert first.commitment is not None
    practice.check_in(commitment=first.commitment, outcome="done")
    assert page() == never
    for person in people[1:4]:
        respond(published, person)
    assert page() == never
    respond(published, people[4])
    assert "5 allies committed. How many checked in is shown once 10 have committed" in page()
    for person in people[5:12]:
        respond(published, person)
    for response in AskResponse.objects.all()[:5]:
        assert response.commitment is not None
        practice.check_in(commitment=response.commitment, outcome="done")
    html = page()
    assert "12 allies committed; 5 checked in at least once." in html
    for person in people:
        assert person.chosen_name not in html
    index = client.get("/community/asks/").content.decode()
    assert "12 allies committed" in index and "Ally 3" not in index


def test_an_ally_leaving_changes_none_of_the_counts(
    cast: Cast, spaces: Spaces, organisation: Organisation
) -> None:
    """Were their response deleted, or its check-in forgotten, the group comparing the
    counts before and after would learn which asks they took on and followed through."""
    ask = write_ask(spaces.protected, cast.group_member)
    published = publish(ask, cast.facilitator, spaces.allies)
    people = allies(organisation, 12)
    responses = [respond(published, person, note=f"Note {n}") for n, person in enumerate(people)]
    for response in responses[:6]:
        assert response.commitment is not None
        practice.check_in(commitment=response.commitment, outcome="done")
    before = Aggregate.of(ask)
    assert (before.committed, before.checked_in) == (12, 6)

    account_services.erase_person(person=people[0])

    after = Aggregate.of(Ask.objects.get(pk=ask.pk))
    assert (after.committed, after.checked_in) == (12, 6)
    page = cast.client("facilitator").get(f"/community/asks/published/{published.pk}/")
    assert "Note 0" not in page.content.decode() and "Note 1" in page.content.decode()


def test_an_ally_finishing_or_pausing_their_commitment_changes_none_of_the_counts(
    cast: Cast, spaces: Spaces, organisation: Organisation
) -> None:
    """Both keep the commitment and its check-ins: nothing an ally does with their own
    practice afterwards (there is no deleting a commitment) takes their check-in back."""
    ask = write_ask(spaces.protected, cast.group_member)
    published = publish(ask, cast.facilitator, spaces.allies)
    people = allies(organisation, 12)
    responses = [respond(published, person) for person in people]
    for response in responses[:6]:
        assert response.commitment is not None
        practice.check_in(commitment=response.commitment, outcome="done")
    before = Aggregate.of(ask)

    for person, response in zip(people[:3], responses[:3], strict=True):
        assert response.commitment is not None
        ally = Client()
        ally.force_login(person)
        ally.post(f"/practice/commitments/{response.commitment.pk}/finish")
    assert responses[3].commitment is not None
    ally.force_login(people[3])
    ally.post(f"/practice/commitments/{responses[3].commitment.pk}/pause")

    assert Commitment.objects.filter(status=Commitment.Status.FINISHED).count() == 3
    assert Commitment.objects.filter(status=Commitment.Status.PAUSED).count() == 1
    assert Aggregate.of(Ask.objects.get(pk=ask.pk)) == before


def test_the_aggregate_counts_small_numbers_as_fewer_than_5() -> None:
    for committed, checked_in in [(0, 0), (1, 0), (4, 1), (4, 4)]:
        assert Aggregate(committed=committed, checked_in=checked_in).summary == (
            "Fewer than 5 allies have taken this on so far."
        )
    for checked_in in (0, 4):
        assert Aggregate(committed=10, checked_in=checked_in).summary == (
            "10 allies committed; fewer than 5 checked in at least once."
        )
    # Nor are the few who have not checked in: "12 of 12" would name everyone's check-in.
    for checked_in in (8, 12):
        assert Aggregate(committed=12, checked_in=checked_in).summary == (
            "12 allies committed; more than 7 checked in at least once."
        )
    assert Aggregate(committed=10, checked_in=5).summary == (
        "10 allies committed; 5 checked in at least once."
    )


def test_under_ten_allies_nothing_is_said_of_check_ins() -> None:
    """With five allies, "fewer than 5" turning into anything else would say that all five
    had checked in; below ten, every count leaves fewer than five on one side."""
    for committed in range(5, 10):
        said = {Aggregate(committed=committed, checked_in=n).summary for n in range(committed + 1)}
        assert said == {
            f"{committed} allies committed. How many checked in is shown once 10 have "
            "committed, so that nobody's check-in can be worked out."
        }


def test_no_sentence_tells_whether_any_one_ally_checked_in() -> None:
    """Even to someone who knows who committed: each sentence stands for a count of
    check-ins with at least five on each side, or for at least five counts, never only all
    or only none."""
    for committed in range(1, 41):
        sentences: dict[str, set[int]] = {}
        for checked_in in range(committed + 1):
            summary = Aggregate(committed=committed, checked_in=checked_in).summary
            sentences.setdefault(summary, set()).add(checked_in)
        for counts in sentences.values():
            assert min(counts) < committed and max(counts) > 0
            if len(counts) == 1:
                (exact,) = counts
                assert exact >= 5 and committed - exact >= 5
            else:
                assert len(counts) >= 5 or counts == set(range(committed + 1))


def test_five_named_allies_checking_in_one_by_one_changes_nothing_the_group_reads(
    cast: Cast, spaces: Spaces, organisation: Organisation
) -> None:
    """A member of the group who also reads the allies' space sees each ally's name beside
    their note; the sentence must not tell when the last of them checked in."""
    reader = cast.participant_and_member
    ask = write_ask(spaces.protected, reader)
    published = publish(ask, cast.facilitator, spaces.allies)
    people = allies(organisation, 5)
    responses = [respond(published, p, note=f"I'm in ({n})") for n, p in enumerate(people)]
    client = cast.client("participant_and_member")
    notes = client.get(f"/community/asks/published/{published.pk}/").content.decode()
    assert all(person.chosen_name in notes for person in people)

    def sentence() -> str:
        page = client.get(f"/community/asks/{ask.pk}/").content.decode()
        found = re.search(r'class="ask-aggregate"><strong>([^<]*)<', page)
        assert found is not None
        return found.group(1)

    before = sentence()
    for response in responses:
        assert response.commitment is not None
        practice.check_in(commitment=response.commitment, outcome="done")
        assert sentence() == before


def test_removal_from_the_group_hides_the_original_ask_at_once(cast: Cast, spaces: Spaces) -> None:
    ask = write_ask(spaces.protected, cast.participant_and_member, title="Ours alone")
    client = cast.client("group_member")
    assert client.get(f"/community/asks/{ask.pk}/").status_code == 200
    GroupMembership.objects.filter(person=cast.group_member).delete()
    assert client.get(f"/community/asks/{ask.pk}/").status_code == 404
    assert "Ours alone" not in client.get("/community/asks/").content.decode()
    assert client.get(f"/community/asks/spaces/{spaces.protected.pk}/new").status_code == 404


# --- facilitators edit and withdraw ---------------------------------------------------------


def test_new_wording_for_a_published_ask_waits_for_the_author(cast: Cast, spaces: Spaces) -> None:
    ask = write_ask(spaces.protected, cast.group_member)
    published = publish(ask, cast.facilitator, spaces.allies)
    facilitator = cast.client("facilitator")
    edit_path = f"/community/asks/published/{published.pk}/edit"
    assert "Turn captions on" in facilitator.get(edit_path).content.decode()
    named = facilitator.post(
        edit_path, {"title": "Gus asks: captions", "body": "Better words.", "checked": "on"}
    )
    assert named.status_code == 400 and "“Gus”" in named.content.decode()
    response = facilitator.post(
        edit_path, {"title": "Captions, always", "body": "Better words.", "checked": "on"}
    )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.title == "Turn captions on"  # allies keep the approved wording
    ask.refresh_from_db()
    assert ask.is_waiting and ask.proposed_title == "Captions, always"
    services.approve(ask=ask, author=cast.group_member, version=ask.proposal_version)
    published.refresh_from_db()
    assert published.title == "Captions, always" and published.body == "Better words."


def test_a_facilitator_withdraws_a_published_ask_and_shows_it_again(
    cast: Cast, spaces: Spaces
) -> None:
    published = publish(
        write_ask(spaces.protected, cast.group_member), cast.facilitator, spaces.allies
    )
    facilitator = cast.client("facilitator")
    page_path = f"/community/asks/published/{published.pk}/"
    facilitator.post(f"/community/asks/published/{published.pk}/withdraw")
    assert cast.client("participant").get(page_path).status_code == 404
    index = cast.client("participant").get("/community/asks/").content.decode()
    assert "Turn captions on" not in index
    assert "Withdrawn" in facilitator.get(page_path).content.decode()
    facilitator.post(f"/community/asks/published/{published.pk}/withdraw", {"undo": "1"})
    assert cast.client("participant").get(page_path).status_code == 200


def test_only_the_allies_space_facilitators_edit_or_withdraw(cast: Cast, spaces: Spaces) -> None:
    published = publish(
        write_ask(spaces.protected, cast.group_member), cast.facilitator, spaces.allies
    )
    for position in ("participant", "participant_and_member", "program_admin"):
        client = cast.client(position)
        assert client.get(f"/community/asks/published/{published.pk}/edit").status_code == 404
        assert client.post(f"/community/asks/published/{published.pk}/withdraw").status_code == 404
    published.refresh_from_db()
    assert published.is_live


def test_wording_waiting_for_approval_stays_with_the_groups_side(
    cast: Cast, spaces: Spaces
) -> None:
    """A facilitator of the allies' space alone may withdraw the ask there, but new wording
    is proposed from the group's side, and wording its author has not approved yet is for
    the author and the group space's facilitators."""
    ask = write_ask(spaces.protected, cast.group_member)
    published = publish(ask, cast.facilitator, spaces.allies)
    cast.client("facilitator").post(
        f"/community/asks/published/{published.pk}/edit",
        {"title": "Not approved yet", "body": "Draft words.", "checked": "on"},
    )
    ask.refresh_from_db()
    assert ask.is_waiting
    organisation = cast.facilitator.organisation
    assert organisation is not None
    allies_only = make_person(
        organisation, "grace@example.com", "Grace", {Role.FACILITATOR, Role.PARTICIPANT}
    )
    spaces.allies.facilitators.add(allies_only)
    grace = Client()
    grace.force_login(allies_only)

    page = grace.get(f"/community/asks/published/{published.pk}/").content.decode()
    assert "Withdraw from allies" in page and "Propose new wording" not in page
    edit = grace.get(f"/community/asks/published/{published.pk}/edit")
    assert edit.status_code == 404 and "Not approved yet" not in edit.content.decode()
    assert (
        "Propose new wording"
        in cast.client("facilitator")
        .get(f"/community/asks/published/{published.pk}/")
        .content.decode()
    )


def test_an_e_mail_digest_does_not_say_the_reader_has_an_ask_to_approve(
    cast: Cast, spaces: Spaces, committed: Committed
) -> None:
    """Only a community group's members write asks: a digest line about one would tell
    whoever reads the inbox that its owner is in a group."""
    DigestPreference.objects.create(person=cast.group_member, frequency="daily")
    ask = write_ask(spaces.protected, cast.group_member)
    with committed():
        propose(ask, cast.facilitator, spaces.allies)
    digest.send_due()

    [message] = [m for m in mail.outbox if cast.group_member.email in m.to]
    text = f"{message.subject} {message.body}"
    assert "Something new for you" in text
    assert "Wording of an ask" not in text


# --- query counts ---------------------------------------------------------------------------


def add_asks(cast: Cast, spaces: Spaces, count: int, start: int) -> None:
    organisation = cast.participant.organisation
    assert organisation is not None
    people = allies(organisation, 3, start=start)
    for n in range(count):
        ask = Ask.objects.create(
            space=spaces.protected, author=cast.group_member, title=f"A{start + n}", body="b"
        )
        if n % 2:
            published = publish(ask, cast.facilitator, spaces.allies, title=f"P{start + n}")
            for person in people:
                respond(published, person, note="yes")


ASKS_PAGE_QUERIES = {
    "group_member": 8,
    "participant": 8,
    "participant_and_member": 9,
    "facilitator": 9,
}


@pytest.mark.parametrize("position", ASKS_PAGE_QUERIES)
def test_the_asks_page_does_the_same_number_of_queries_for_4_and_40_asks(
    position: str, cast: Cast, spaces: Spaces, count_queries: CountQueries
) -> None:
    client = cast.client(position)
    add_asks(cast, spaces, 4, start=0)
    small = count_queries(client.get, "/community/asks/")
    add_asks(cast, spaces, 36, start=100)
    large = count_queries(client.get, "/community/asks/")
    assert small == large == ASKS_PAGE_QUERIES[position]


def test_a_published_ask_page_is_constant_in_its_responses(
    cast: Cast, spaces: Spaces, organisation: Organisation, count_queries: CountQueries
) -> None:
    published = publish(
        write_ask(spaces.protected, cast.group_member), cast.facilitator, spaces.allies
    )
    ask = Ask.objects.get()
    client = cast.client("participant_and_member")
    counts = []
    for batch, start in ((2, 0), (30, 100)):
        for person in allies(organisation, batch, start=start):
            respond(published, person, note=f"note from {person.chosen_name}")
        counts.append(
            (
                count_queries(client.get, f"/community/asks/published/{published.pk}/"),
                count_queries(client.get, f"/community/asks/{ask.pk}/"),
            )
        )
    assert counts[0] == counts[1] == (4, 5)


# --- demo -----------------------------------------------------------------------------------


def test_the_demo_publishes_sams_ask_with_responses(cast: Cast, spaces: Spaces) -> None:
    organisation = cast.participant.organisation
    assert organisation is not None
    sam = make_person(organisation, "member@example.com", "Sam Chen", set())
    GroupMembership.objects.create(group=spaces.group, person=sam, added_by="self")
    make_person(organisation, "facilitator@example.com", "Fatima", {Role.FACILITATOR})
    Person.objects.filter(email="facilitator@example.com").update(is_active=True)
    fatima = Person.objects.get(email="facilitator@example.com")
    spaces.protected.facilitators.add(fatima)
    spaces.allies.facilitators.add(fatima)
    make_person(organisation, "participant@example.com", "Alex", {Role.PARTICIPANT})
    demo.create(organisation)
    ask = Ask.objects.get(author=sam)
    assert ask.published is not None and ask.published.space == spaces.allies
    assert AskResponse.objects.filter(published_ask=ask.published).exists()
    assert "Sam" not in ask.published.body


def test_the_demo_does_nothing_without_community_spaces(organisation: Organisation) -> None:
    demo.create(organisation)
    assert not Ask.objects.exists()
