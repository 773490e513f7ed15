"""Polls (anonymous ones keep who voted apart from what was chosen, and show results only
once closed, from five voters), the e-mail digest (checked at send time, links only), and
the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError

from bridgework.accounts.demo import create_demo
from bridgework.accounts.models import CommunityGroup, GroupMembership, Person, Role
from bridgework.accounts.services import erase_person
from bridgework.community import services
from bridgework.community import tasks as community_tasks
from bridgework.community.models import GuidelinesAcceptance, Poll, PollAnswer, PollResponse, Space
from bridgework.notifications import digest
from bridgework.notifications.api import notify
from bridgework.notifications.models import DigestPreference, Notification
from bridgework.notifications.tasks import send_digests

from .community_support import allies_space, group_space
from .conftest import Cast, Committed, client_for, make_person
from .page_support import without_per_request_values

MONDAY = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


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


def poll_page(person: Person, poll: Poll) -> str:
    return without_per_request_values(
        client_for(person).get(f"/community/polls/{poll.pk}/").content.decode()
    )


def an_anonymous_poll_with_votes(cast: Cast, count: int) -> Poll:
    """An anonymous poll in an allies' space, with `count` votes for its first option."""
    poll = a_poll(allies_space(cast.facilitator), cast.facilitator)
    option = poll.options.first()
    assert option is not None
    for person in voters(cast, count):
        services.vote(poll=poll, person=person, options=[option])
    return poll


def test_anonymous_results_appear_only_once_the_poll_has_closed_with_five_voters(
    cast: Cast,
) -> None:
    with time_machine.travel(MONDAY, tick=False) as clock:
        poll = an_anonymous_poll_with_votes(cast, 7)
        assert not services.poll_results(poll).shown
        for reader in (cast.participant, cast.facilitator):
            page = poll_page(reader, poll)
            assert "Results appear when the poll closes (8 June 2026, 09:00)" in page
            assert "<table" not in page and "5 votes or more" in page and "7 votes" not in page

        clock.move_to(MONDAY + timedelta(days=7))
        results = services.poll_results(poll)
        # Seven votes for one option are "more than half", never 7 of 7 (test_community_poll_bands).
        assert results.shown and results.rows[0].votes is None and results.rows[0].share is None
        assert results.rows[0].band == "more than half" and results.rows[0].voters == ()
        page = poll_page(cast.participant, poll)
        assert "<table" in page and "closed on 8 June 2026, 09:00" in page
        assert 'name="options"' not in page  # no more voting


def test_watching_an_open_anonymous_poll_tells_nothing_of_the_latest_vote(cast: Cast) -> None:
    """Someone who sees a colleague vote, and reads the poll just before and just after,
    must not learn the choice, nor even that the vote counted: the two pages are the same."""
    with time_machine.travel(MONDAY, tick=False):
        space = allies_space(cast.facilitator)
        poll = a_poll(space, cast.facilitator)
        first, second = list(poll.options.all())[:2]
        people = voters(cast, 7)
        for person in people[:6]:
            services.vote(poll=poll, person=person, options=[first])
        before = poll_page(cast.participant, poll)
        services.vote(poll=poll, person=people[6], options=[second])
        after = poll_page(cast.participant, poll)
    assert before == after and "5 votes or more" in after


def test_an_anonymous_poll_does_not_count_its_first_four_votes(cast: Cast) -> None:
    """ "0 votes" turning into "1 vote" would tell whoever watched that a colleague voted;
    in a small space, that the others did not."""
    with time_machine.travel(MONDAY, tick=False) as clock:
        poll = a_poll(allies_space(cast.facilitator), cast.facilitator)
        option = poll.options.first()
        assert option is not None
        people = voters(cast, 5)
        empty = poll_page(cast.facilitator, poll)
        for person in people[:4]:
            services.vote(poll=poll, person=person, options=[option])
            assert poll_page(cast.facilitator, poll) == empty
        assert "fewer than 5 votes" in empty and "No votes yet" not in empty
        services.vote(poll=poll, person=people[4], options=[option])
        assert "5 votes or more" in poll_page(cast.facilitator, poll)

        closed_empty = a_poll(allies_space(cast.facilitator, "Other"), cast.facilitator)
        clock.move_to(MONDAY + timedelta(days=8))
        page = poll_page(cast.facilitator, closed_empty)
    assert "Nobody voted" not in page
    assert "Fewer than five people voted, so the results stay hidden" in page


def test_a_closed_poll_with_fewer_than_five_voters_keeps_its_results_hidden(
    cast: Cast,
) -> None:
    with time_machine.travel(MONDAY, tick=False) as clock:
        poll = an_anonymous_poll_with_votes(cast, 4)
        clock.move_to(MONDAY + timedelta(days=8))
        assert not services.poll_results(poll).shown
        page = poll_page(cast.facilitator, poll)
    assert "Fewer than five people voted, so the results stay hidden" in page
    assert "<table" not in page


def test_whoever_asked_and_the_space_facilitators_close_a_poll_early(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    asker, other = voters(cast, 2)
    polls = [a_poll(space, asker), a_poll(space, asker)]
    assert "Close the poll now" in poll_page(asker, polls[0])
    assert "Close the poll now" not in poll_page(other, polls[0])

    assert client_for(other).get(f"/community/polls/{polls[0].pk}/close").status_code == 404
    assert client_for(other).post(f"/community/polls/{polls[0].pk}/close").status_code == 404
    assert services.poll_results(polls[0]).voters == 0 and Poll.objects.get(pk=polls[0].pk).is_open
    for closer, poll in ((asker, polls[0]), (cast.facilitator, polls[1])):
        response = client_for(closer).post(f"/community/polls/{poll.pk}/close", follow=True)
        assert "The poll is closed." in response.content.decode()
        assert not Poll.objects.get(pk=poll.pk).is_open

    option = polls[0].options.first()
    assert option is not None
    late = client_for(other).post(f"/community/polls/{polls[0].pk}/", {"options": option.pk})
    assert late.status_code == 400 and "This poll has closed." in late.content.decode()
    assert not PollResponse.objects.filter(poll=polls[0]).exists()


def test_closing_a_poll_early_asks_first(cast: Cast) -> None:
    poll = a_poll(allies_space(cast.facilitator), cast.facilitator, anonymous=False)
    close = f"/community/polls/{poll.pk}/close"
    assert f'href="{close}"' in poll_page(cast.facilitator, poll)

    asked = client_for(cast.facilitator).get(close).content.decode()

    assert "Close the poll “<bdi>Which defense resonates most with you?</bdi>” now?" in asked
    assert "it cannot be opened again" in asked and "stay hidden" not in asked
    assert f'href="{poll.get_absolute_url()}">Keep it open</a>' in asked
    assert Poll.objects.get(pk=poll.pk).is_open
    client_for(cast.facilitator).post(close)
    assert not Poll.objects.get(pk=poll.pk).is_open
    # Once closed there is nothing to ask: back to the poll.
    assert client_for(cast.facilitator).get(close)["Location"] == poll.get_absolute_url()


@pytest.mark.parametrize(("votes", "hidden_for_good"), [(4, True), (5, False)])
def test_closing_an_anonymous_poll_early_warns_when_its_results_would_stay_hidden(
    cast: Cast, votes: int, hidden_for_good: bool
) -> None:
    poll = an_anonymous_poll_with_votes(cast, votes)

    asked = client_for(cast.facilitator).get(f"/community/polls/{poll.pk}/close")

    warning = "If you close the poll now, its results stay hidden for good"
    assert (warning in asked.content.decode()) is hidden_for_good
    assert ("the results appear as soon as it is closed" in asked.content.decode()) is not (
        hidden_for_good
    )


def test_whoever_asked_and_voted_are_told_once_that_the_poll_has_closed(
    cast: Cast, committed: Committed
) -> None:
    with time_machine.travel(MONDAY, tick=False) as clock:
        space = allies_space(cast.facilitator)
        asker, voter = voters(cast, 2)
        timed, early = a_poll(space, asker), a_poll(space, asker)
        for poll in (timed, early):
            services.vote(poll=poll, person=voter, options=[poll.options.all()[0]])

        with committed():
            assert services.announce_closed_polls() == 0  # both still open
            services.close_poll(poll=early, person=asker)  # the voter is told at once
        clock.move_to(MONDAY + timedelta(days=7))
        with committed():  # as the worker runs it, every five minutes
            every_five_minutes = ("bridgework.community.tasks.announce_closed_polls", 300)
            assert every_five_minutes in settings.PERIODIC_TASKS
            assert community_tasks.announce_closed_polls.call() == 1
            assert community_tasks.announce_closed_polls.call() == 0

    told = Notification.objects.filter(kind="poll_closed")
    assert sorted((n.person_id, n.url) for n in told) == sorted(
        [
            (asker.pk, timed.get_absolute_url()),
            (voter.pk, timed.get_absolute_url()),
            (voter.pk, early.get_absolute_url()),  # not the asker, who closed it
        ]
    )
    assert not told.filter(person=cast.participant).exists()  # did not take part
    assert "has closed" in told[0].summary and "Which defense" not in told[0].summary


def test_a_poll_stays_open_as_long_as_its_asker_chose(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    GuidelinesAcceptance.objects.create(space=space, person=cast.participant)
    form = {"question": "Captions by default?", "options": "Yes\nNo", "kind": "single"}
    client = client_for(cast.participant)
    with time_machine.travel(MONDAY, tick=False):
        refused = client.post(f"/community/{space.pk}/polls/new", {**form, "open_days": "30"})
        assert refused.status_code == 400 and not Poll.objects.exists()
        assert client.post(f"/community/{space.pk}/polls/new", {**form, "open_days": "3"})
    assert Poll.objects.get().closes_at == MONDAY + timedelta(days=3)


def test_a_named_poll_shows_who_chose_what(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    poll = a_poll(space, cast.facilitator, anonymous=False, kind="multiple")
    first, second = list(poll.options.all())[:2]
    services.vote(poll=poll, person=cast.participant, options=[first, second])
    results = services.poll_results(poll)
    assert results.shown and results.rows[0].voters == ("Pat Participant",)


def test_erasing_a_named_polls_voter_keeps_its_count_and_answers_agreeing(cast: Cast) -> None:
    """As for reactions, and for that they voted: the leaver's choices stay, linked to
    nobody and shown as a former member's, so "3 votes" still adds up with the answers
    below it, and nobody watching the poll before and after learns more than they saw
    while the leaver was there. Their name goes with them."""
    space = allies_space(cast.facilitator)
    poll = a_poll(space, cast.facilitator, anonymous=False, kind="multiple")
    first, second = list(poll.options.all())[:2]
    leaver, stayer = voters(cast, 2)
    services.vote(poll=poll, person=leaver, options=[first, second])
    services.vote(poll=poll, person=stayer, options=[first])
    services.vote(poll=poll, person=cast.participant, options=[second])
    before = services.poll_results(poll)
    assert before.voters == 3 and [row.votes for row in before.rows[:2]] == [2, 2]

    gone = leaver.pk
    erase_person(person=leaver)

    after = services.poll_results(poll)
    assert after.voters == 3
    assert [(row.votes, row.share) for row in after.rows] == [
        (row.votes, row.share) for row in before.rows
    ]
    assert after.rows[0].voters == ("A former member", "Voter 1")
    assert after.rows[1].voters == ("A former member", "Pat Participant")
    assert not PollAnswer.objects.filter(person_id=gone).exists()
    assert PollAnswer.objects.filter(poll=poll, person__isnull=True).count() == 2
    page = poll_page(cast.participant, poll)
    assert "3 votes" in page and "Voter 0" not in page
    assert "A former member, Voter 1" in page


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

    repeated = client_for(cast.participant).post(
        f"/community/{space.pk}/polls/new",
        {"question": "Q?", "options": "Tuesday\nThursday\ntuesday", "kind": "single"},
    )
    assert repeated.status_code == 400
    assert "“tuesday” is there twice: give each option once." in repeated.content.decode()


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
    assert "- A reply in a thread you follow\n" in body
    assert "/community/notifications/\n" in body
    # Only the kind of each, and no link to it: a summary names people, threads and
    # spaces, and an address holds a group's or a space's id.
    assert "zz-" not in body
    assert "/a\n" not in body and "/p\n" not in body
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
    # One poll to vote in, and one that has closed, so the demo shows an anonymous tally.
    still_open, closed = sorted(Poll.objects.all(), key=lambda poll: not poll.is_open)
    assert still_open.question == "Which defense resonates most with you?"
    assert still_open.is_open and still_open.options.count() == 4
    assert not services.poll_results(still_open).shown
    results = services.poll_results(closed)
    assert not closed.is_open and closed.is_anonymous
    assert results.shown and results.voters == 21
    assert [row.votes for row in results.rows] == [6, 5, 5, 5]
