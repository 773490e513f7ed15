"""Polls (anonymous ones keep who voted apart from what was chosen, and show results only
from five voters), the e-mail digest (checked at send time, links only), and the demo."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from bridgework.accounts.demo import create_demo
from bridgework.accounts.models import CommunityGroup, GroupMembership, Person, Role
from bridgework.community import services
from bridgework.community.models import GuidelinesAcceptance, Poll, PollAnswer, PollResponse, Space
from bridgework.notifications import digest
from bridgework.notifications.api import notify
from bridgework.notifications.models import DigestPreference, Notification
from bridgework.notifications.tasks import send_digests

from .community_support import allies_space, group_space
from .conftest import Cast, Committed, client_for, make_person


def a_poll(space: Space, author: Person, *, anonymous: bool = True, kind: str = "single") -> Poll:
    GuidelinesAcceptance.objects.get_or_create(space=space, person=author)
    return services.create_poll(
        space=space,
        created_by=author,
        question="Which defense resonates most with you?",
        options=["Self-preservation", "Self-consciousness", "Other-consciousness", "Paralysis"],
        kind=kind,
        is_anonymous=anonymous,
    )


def voters(cast: Cast, count: int) -> list[Person]:
    organisation = cast.participant.organisation
    assert organisation is not None
    return [
        make_person(organisation, f"v{n}@acme.test", f"Voter {n}", {Role.PARTICIPANT})
        for n in range(count)
    ]


def test_an_anonymous_poll_keeps_no_link_between_voter_and_choice(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    poll = a_poll(space, cast.facilitator)
    option = poll.options.first()
    assert option is not None
    response = client_for(cast.participant).post(
        f"/community/polls/{poll.pk}/", {"options": str(option.pk)}
    )
    assert response.status_code == 302
    assert PollResponse.objects.filter(person=cast.participant).exists()
    answer = PollAnswer.objects.get()
    assert answer.person_id is None
    assert not any(f.name in {"created_at", "voted_at"} for f in PollAnswer._meta.fields)


def test_anonymous_results_appear_only_from_five_voters(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    poll = a_poll(space, cast.facilitator)
    option = poll.options.first()
    assert option is not None
    people = voters(cast, 5)
    for person in people[:4]:
        services.vote(poll=poll, person=person, options=[option])
    assert not services.poll_results(poll).shown
    page = client_for(cast.participant).get(f"/community/polls/{poll.pk}/").content.decode()
    assert "Results appear once 1 more person votes" in page
    services.vote(poll=poll, person=people[4], options=[option])
    results = services.poll_results(poll)
    assert results.shown and results.rows[0].votes == 5 and results.rows[0].share == 100
    assert results.rows[0].voters == ()


def test_a_named_poll_shows_who_chose_what(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    poll = a_poll(space, cast.facilitator, anonymous=False, kind="multiple")
    first, second = list(poll.options.all())[:2]
    services.vote(poll=poll, person=cast.participant, options=[first, second])
    results = services.poll_results(poll)
    assert results.shown and results.rows[0].voters == ("Pat Participant",)


def test_one_vote_each_and_one_option_in_a_single_choice_poll(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    poll = a_poll(space, cast.facilitator)
    first, second = list(poll.options.all())[:2]
    with pytest.raises(ValidationError):
        services.vote(poll=poll, person=cast.participant, options=[first, second])
    services.vote(poll=poll, person=cast.participant, options=[first])
    with pytest.raises(ValidationError):
        services.vote(poll=poll, person=cast.participant, options=[second])


def test_the_poll_form_explains_bad_options(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    GuidelinesAcceptance.objects.create(space=space, person=cast.participant)
    response = client_for(cast.participant).post(
        f"/community/{space.pk}/polls/new",
        {"question": "Q?", "options": "Only one", "kind": "single"},
    )
    assert response.status_code == 400
    assert "at least two options" in response.content.decode()


# --- the digest ------------------------------------------------------------------------------


def test_the_digest_lists_links_and_skips_spaces_left_since(
    cast: Cast, community_group: CommunityGroup, committed: Committed
) -> None:
    allies = allies_space(cast.facilitator)
    protected = group_space(cast.facilitator, community_group)
    person = cast.participant_and_member
    DigestPreference.objects.create(person=person, frequency="daily")
    with committed():
        notify(
            person=person, kind="reply", summary="zz-allies-summary", url="/a", space_id=allies.pk
        )
        notify(
            person=person,
            kind="reply",
            summary="zz-protected-summary",
            url="/p",
            space_id=protected.pk,
        )
    GroupMembership.objects.filter(person=person).delete()
    assert send_digests.enqueue().return_value == 1
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "zz-allies-summary" in body and "/a" in body
    assert "zz-protected-summary" not in body
    # Sent once: nothing due until the next day.
    assert digest.send_due() == 0
    assert len(mail.outbox) == 1


def test_no_digest_for_people_who_did_not_ask(cast: Cast, committed: Committed) -> None:
    space = allies_space(cast.facilitator)
    with committed():
        notify(person=cast.participant, kind="reply", summary="s", url="/", space_id=space.pk)
    assert digest.send_due() == 0
    assert mail.outbox == []


def test_a_digest_with_nothing_new_is_not_sent(cast: Cast) -> None:
    DigestPreference.objects.create(person=cast.participant, frequency="weekly", last_sent_at=None)
    assert digest.send_due() == 0
    assert mail.outbox == []
    assert DigestPreference.objects.get().last_sent_at is not None


def test_the_notifications_page_drops_what_the_person_can_no_longer_see(
    cast: Cast, community_group: CommunityGroup, committed: Committed
) -> None:
    space = group_space(cast.facilitator, community_group)
    with committed():
        notify(
            person=cast.group_member, kind="reply", summary="zz-gone", url="/", space_id=space.pk
        )
    client = client_for(cast.group_member)
    assert "zz-gone" in client.get("/community/notifications/").content.decode()
    GroupMembership.objects.filter(person=cast.group_member).delete()
    assert "zz-gone" not in client.get("/community/notifications/").content.decode()
    assert Notification.objects.count() == 1


def test_the_digest_preference_is_a_form(cast: Cast) -> None:
    client = client_for(cast.participant)
    assert (
        client.post("/community/notifications/e-mail", {"frequency": "hourly"}).status_code == 400
    )
    assert client.post("/community/notifications/e-mail", {"frequency": "daily"}).status_code == 302
    assert DigestPreference.objects.get(person=cast.participant).frequency == "daily"


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_people_see_exactly_their_spaces(db: None) -> None:
    organisation = create_demo()

    def spaces(email: str) -> set[str]:
        person = Person.objects.get(email=email)
        return set(Space.objects.visible_to(person).values_list("name", flat=True))

    assert spaces("participant@example.com") == {"Allies' space"}
    assert spaces("member@example.com") == {"Disability Network space"}
    assert spaces("both@example.com") == {"Allies' space", "Disability Network space"}
    assert spaces("admin@example.com") == set()
    assert spaces("facilitator@example.com") == {"Allies' space", "Disability Network space"}
    fatima = Person.objects.get(email="facilitator@example.com")
    group = CommunityGroup.objects.get(organisation=organisation, name="Disability Network")
    assert not GroupMembership.objects.filter(group=group, person=fatima).exists()
    poll = Poll.objects.get()
    assert poll.question == "Which defense resonates most with you?"
    assert poll.options.count() == 4
