"""Notifications are made after the commit, for a whole batch at once, and only for people
who can see the space (and the thread) when they are made."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import transaction

from bridgework.accounts.models import CommunityGroup, GroupMembership, Person, Role
from bridgework.community import services
from bridgework.community.models import Follow, GuidelinesAcceptance, Space, Thread
from bridgework.notifications import kinds
from bridgework.notifications.api import notify
from bridgework.notifications.models import Notification

from .community_support import allies_space, group_space
from .conftest import Cast, Committed, client_for, make_person

# Queries a batch of notifications costs once the post is committed, however many follow:
# the space, the thread, the people who may be told (one query), one insert.
DELIVERY_QUERIES = 4
# Queries of the reply itself (the thread's followers are read once, as a list of ids).
REPLY_QUERIES = 17


def followed_thread(cast: Cast, followers: int) -> Thread:
    space = allies_space(cast.facilitator)
    GuidelinesAcceptance.objects.create(space=space, person=cast.participant)
    GuidelinesAcceptance.objects.create(space=space, person=cast.facilitator)
    thread = services.start_thread(space=space, author=cast.participant, title="T", body="B")
    organisation = cast.participant.organisation
    assert organisation is not None
    for n in range(followers):
        person = make_person(organisation, f"f{n}@acme.test", f"Follower {n}", {Role.PARTICIPANT})
        Follow.objects.create(thread=thread, person=person)
    return thread


@pytest.mark.parametrize("followers", [2, 12])
def test_a_reply_tells_every_follower_after_the_commit_in_constant_queries(
    cast: Cast,
    followers: int,
    django_capture_on_commit_callbacks: Any,
    django_assert_num_queries: Any,
) -> None:
    thread = followed_thread(cast, followers)
    with (
        django_capture_on_commit_callbacks() as after_commit,
        django_assert_num_queries(REPLY_QUERIES),
    ):
        services.reply(thread=thread, author=cast.facilitator, body="A reply")
    # Nothing is written while the posting transaction is open.
    assert not Notification.objects.exists()

    with django_assert_num_queries(DELIVERY_QUERIES):
        for callback in after_commit:
            callback()

    told = Notification.objects.filter(kind="reply")
    # Every follower and the thread's author, never the one who replied.
    assert told.count() == followers + 1
    assert not told.filter(person=cast.facilitator).exists()


def test_a_reply_that_rolls_back_tells_nobody(cast: Cast, committed: Committed) -> None:
    thread = followed_thread(cast, 2)
    with committed(), transaction.atomic():
        services.reply(thread=thread, author=cast.facilitator, body="A reply")
        transaction.set_rollback(True)
    assert not Notification.objects.exists()


def test_followers_who_left_a_protected_space_are_not_told(
    cast: Cast, community_group: CommunityGroup, committed: Committed
) -> None:
    space = group_space(cast.facilitator, community_group)
    GuidelinesAcceptance.objects.create(space=space, person=cast.group_member)
    thread = services.start_thread(space=space, author=cast.group_member, title="T", body="B")
    # Bo followed while in the group and has left it since; the others never were in it.
    for person in (cast.participant_and_member, cast.participant, cast.program_admin):
        Follow.objects.create(thread=thread, person=person)
    GroupMembership.objects.filter(person=cast.participant_and_member).delete()
    GuidelinesAcceptance.objects.create(space=space, person=cast.facilitator)

    with committed():
        services.reply(thread=thread, author=cast.facilitator, body="A reply")

    assert set(Notification.objects.values_list("person", flat=True)) == {cast.group_member.pk}


def test_a_space_not_yet_opened_to_its_group_tells_only_its_leads_and_facilitators(
    cast: Cast, community_group: CommunityGroup, committed: Committed
) -> None:
    space = group_space(cast.facilitator, community_group)
    Space.objects.filter(pk=space.pk).update(opened_to_group_at=None)
    GroupMembership.objects.filter(
        group=community_group, person=cast.participant_and_member
    ).update(is_lead=True)
    everyone = [cast.group_member, cast.participant_and_member, cast.facilitator, cast.participant]

    with committed():
        for person in everyone:
            notify(person=person, kind="reply", summary="s", url="/", space_id=space.pk)

    told = set(Notification.objects.values_list("person", flat=True))
    assert told == {cast.participant_and_member.pk, cast.facilitator.pk}


def test_the_title_of_a_withheld_thread_reaches_only_who_may_open_it(
    cast: Cast, committed: Committed
) -> None:
    thread = followed_thread(cast, 1)
    [follower] = Person.objects.filter(email="f0@acme.test")
    services.hide_post(post=thread.posts.get(), moderator=cast.facilitator, reason="Names.")

    with committed():
        services.reply(
            thread=Thread.objects.get(), author=cast.facilitator, body="@follower-0 and you"
        )

    assert not Notification.objects.filter(person=follower).exists()
    assert Notification.objects.filter(person=cast.participant, kind="reply").exists()


def test_a_thread_withheld_after_the_notification_takes_its_title_off_every_list(
    cast: Cast, committed: Committed
) -> None:
    """The summary names the thread: once its opening post is hidden, only its author and
    the space's facilitators may read that title, on the notifications page, in the count
    on the home page or in the e-mail digest."""
    thread = followed_thread(cast, 1)
    Thread.objects.filter(pk=thread.pk).update(title="Zq-title-4417")
    thread.refresh_from_db()
    [follower] = Person.objects.filter(email="f0@acme.test")
    with committed():
        services.reply(thread=thread, author=cast.facilitator, body="@follower-0 have a look")
    [told] = Notification.objects.filter(person=follower)
    assert told.thread_id == thread.pk
    client = client_for(follower)
    assert thread.title in client.get("/community/notifications/").content.decode()

    services.hide_post(post=thread.posts.earliest("pk"), moderator=cast.facilitator, reason="x")

    assert thread.title not in client.get("/community/notifications/").content.decode()
    assert "new notification" not in client.get("/").content.decode()
    assert not Notification.objects.for_person(follower).exists()
    # Its author still has theirs.
    assert Notification.objects.for_person(cast.participant).filter(thread=thread).exists()


def test_reading_the_thread_settles_what_the_person_was_told_about_it(
    cast: Cast, committed: Committed
) -> None:
    thread = followed_thread(cast, 1)
    [follower] = Person.objects.filter(email="f0@acme.test")
    with committed():
        services.reply(thread=thread, author=cast.facilitator, body="@follower-0 have a look")
    client = client_for(follower)
    assert "1 new notification" in client.get("/").content.decode()

    client.get(f"/community/threads/{thread.pk}/")

    assert not Notification.objects.filter(person=follower, read_at__isnull=True).exists()
    assert "new notification" not in client.get("/").content.decode()


def test_a_mention_added_by_an_edit_is_settled_by_reading_the_thread(
    cast: Cast, committed: Committed
) -> None:
    thread = followed_thread(cast, 1)
    [follower] = Person.objects.filter(email="f0@acme.test")
    client = client_for(follower)
    client.get(f"/community/threads/{thread.pk}/")  # read up to now
    opening = thread.posts.earliest("pk")
    with committed():
        services.edit_post(post=opening, editor=cast.participant, body="Also @follower-0, hi")
    assert "1 new notification" in client.get("/").content.decode()

    client.get(f"/community/threads/{thread.pk}/")

    assert not Notification.objects.filter(person=follower, read_at__isnull=True).exists()


def test_a_hidden_post_tells_nobody_and_what_it_told_is_no_longer_news(
    cast: Cast, committed: Committed
) -> None:
    """A notice would point at a post its reader cannot see: editing a hidden post to
    mention someone tells nobody, and hiding a reply settles what followers were told."""
    thread = followed_thread(cast, 1)
    [follower] = Person.objects.filter(email="f0@acme.test")
    client = client_for(follower)
    client.get(f"/community/threads/{thread.pk}/")
    with committed():
        reply = services.reply(thread=thread, author=cast.participant, body="A reply")
    assert "1 new notification" in client.get("/").content.decode()

    services.hide_post(post=reply, moderator=cast.facilitator, reason="Names a colleague.")
    assert not Notification.objects.filter(person=follower, read_at__isnull=True).exists()

    with committed():
        services.edit_post(post=reply, editor=cast.participant, body="Now @follower-0 too")
    assert not Notification.objects.filter(person=follower, read_at__isnull=True).exists()
    assert "new notification" not in client.get("/").content.decode()


def test_notifications_made_before_they_knew_their_thread_learn_it_from_their_address(
    cast: Cast,
) -> None:
    thread = followed_thread(cast, 0)
    made = Notification.objects.bulk_create(
        Notification(person=cast.participant, kind="reply", summary="s", url=url)
        for url in (
            f"/community/threads/{thread.pk}/?post=7#post-7",
            f"/community/threads/{thread.pk + 1000}/",
            "/community/",
        )
    )
    migration = import_module("bridgework.notifications.migrations.0002_notification_thread")

    migration.link_threads(django_apps, None)

    linked = [n.thread_id for n in Notification.objects.filter(pk__in=[m.pk for m in made])]
    # The one about a thread that is gone goes too, as it would have with the thread.
    assert sorted(linked, key=str) == sorted([thread.pk, None], key=str)


def test_an_undeclared_kind_is_refused_before_anything_is_queued(cast: Cast) -> None:
    with pytest.raises(ValueError, match="No app declared"):
        notify(person=cast.participant, kind="no_such_kind", summary="s", url="/")


def test_every_kind_in_use_is_declared_by_its_app() -> None:
    declared = {kind.value for kind in kinds.registered()}
    assert {"reply", "mention", "moderation", "flag_outcome", "other"} <= declared
    assert {"resource_reviewed", "ask_approval"} <= declared
    with pytest.raises(ValueError, match="declared twice"):
        kinds.register(kinds.Kind("reply", "Something else"))


def test_notifications_page_from_newest_to_oldest_and_back(cast: Cast) -> None:
    person = cast.participant
    Notification.objects.bulk_create(
        Notification(person=person, kind="reply", summary=f"News {n}", url="/community/")
        for n in range(35)
    )
    newest_first = list(Notification.objects.filter(person=person).order_by("-created_at", "-pk"))
    client = client_for(person)
    first = client.get("/community/notifications/")
    assert list(first.context["page"]) == newest_first[:30]
    assert f'href="?after={newest_first[29].pk}">Older</a>' in first.content.decode()
    older = client.get("/community/notifications/", {"after": newest_first[29].pk})
    assert list(older.context["page"]) == newest_first[30:]
    assert f'href="?before={newest_first[30].pk}">Newer</a>' in older.content.decode()
    newer = client.get("/community/notifications/", {"before": newest_first[30].pk})
    assert list(newer.context["page"]) == newest_first[:30]


def test_the_home_page_says_how_many_notifications_are_new(
    cast: Cast, community_group: CommunityGroup
) -> None:
    space = allies_space(cast.facilitator)
    for n in range(2):
        Notification.objects.create(
            person=cast.participant, kind="reply", summary=f"Reply {n}", url="/", space=space
        )
    # One from a space they cannot see (any more) is not counted, as it is not listed.
    hidden = group_space(cast.facilitator, community_group)
    Notification.objects.create(
        person=cast.participant, kind="reply", summary="Gone", url="/", space=hidden
    )
    Notification.objects.create(
        person=cast.participant, kind="reply", summary="Seen", url="/", read_at=space.created_at
    )
    client = client_for(cast.participant)
    home = client.get("/").content.decode()
    assert 'href="/community/notifications/">2 new notifications</a>' in home
    Notification.objects.update(read_at=space.created_at)
    assert "new notification" not in client.get("/").content.decode()
