"""Moderation: flags with reasons, the facilitator's queue, hide / restore / lock / pause with
a reason the author sees, a log for facilitators and program admins, rate limits, and three
flags holding a post until a facilitator looks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from bridgework.accounts.models import CommunityGroup, Person, Role
from bridgework.accounts.services import leave_group
from bridgework.community import services
from bridgework.community.models import (
    Flag,
    GuidelinesAcceptance,
    ModerationAction,
    Post,
    PostingPause,
    Space,
    Thread,
)
from bridgework.notifications.models import Notification

from .community_support import allies_space, group_space, raw_post
from .conftest import Cast, Committed, CountQueries, client_for, make_person
from .page_support import without_per_request_values


def posted(space: Space, author: Person, body: str = "Some words") -> Post:
    GuidelinesAcceptance.objects.get_or_create(space=space, person=author)
    thread = services.start_thread(space=space, author=author, title="A thread", body=body)
    return thread.posts.get()


def extra_participants(cast: Cast, count: int) -> list[Person]:
    organisation = cast.participant.organisation
    assert organisation is not None
    return [
        make_person(organisation, f"p{n}@acme.test", f"Person {n}", {Role.PARTICIPANT})
        for n in range(count)
    ]


def test_a_facilitators_home_page_lists_what_waits_for_them_in_their_own_spaces(
    cast: Cast,
) -> None:
    from .resources_support import make_resource

    mine = allies_space(cast.facilitator, name="Allies")
    theirs = allies_space(cast.participant_and_member, name="Elsewhere")
    home = cast.client("facilitator").get("/").content.decode()
    assert "Nothing is waiting for you" in home

    for space in (mine, mine, theirs):
        post = posted(space, cast.participant)
        services.flag_post(post=post, person=cast.participant_and_member, reason="Not kind")
    make_resource(cast.participant)

    home = cast.client("facilitator").get("/").content.decode()
    assert "Waiting for you" in home
    assert f'href="/community/{mine.pk}/queue">2 flagged posts in <bdi>Allies</bdi>' in home
    assert "Elsewhere" not in home
    assert 'href="/community/resources/review/">1 suggested resource to vet' in home
    assert "Waiting for you" not in cast.client("participant").get("/").content.decode()


def test_a_flag_reaches_the_queue_without_telling_the_author_who(
    cast: Cast, committed: Committed
) -> None:
    space = allies_space(cast.facilitator)
    post = posted(space, cast.participant)
    with committed():
        response = client_for(cast.participant_and_member).post(
            f"/community/posts/{post.pk}/flag", {"reason": "This sounds like a quiz score."}
        )
    assert response.status_code == 302
    queue = client_for(cast.facilitator).get(f"/community/{space.pk}/queue").content.decode()
    assert "This sounds like a quiz score." in queue
    thread = client_for(cast.participant).get(f"/community/threads/{post.thread_id}/")
    assert "Bo Both" not in thread.content.decode()
    assert not Notification.objects.filter(person=cast.participant).exists()


def test_the_queue_holds_only_flagged_and_held_posts(cast: Cast, committed: Committed) -> None:
    space = allies_space(cast.facilitator)
    quiet = posted(space, cast.participant, "Nobody minds this one.")
    settled = posted(space, cast.participant, "A flag on this was dealt with.")
    flagged = posted(space, cast.participant, "This one waits for a look.")
    held = posted(space, cast.participant, "Held after several flags.")
    with committed():
        for post in (settled, flagged, held):
            client_for(cast.participant_and_member).post(
                f"/community/posts/{post.pk}/flag", {"reason": "Please look at this."}
            )
    Flag.objects.filter(post__in=[settled, held]).update(resolved_at=settled.created_at)
    Post.objects.filter(pk=held.pk).update(status=Post.Status.HELD)  # as several flags do

    response = client_for(cast.facilitator).get(f"/community/{space.pk}/queue")
    assert [post.pk for post in response.context["waiting"]] == [flagged.pk, held.pk]
    html = response.content.decode()
    assert "Nobody minds this one." not in html and "A flag on this was dealt with." not in html
    assert quiet.pk not in {post.pk for post in response.context["waiting"]}


def test_a_flag_needs_a_reason(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    post = posted(space, cast.participant)
    response = client_for(cast.facilitator).post(f"/community/posts/{post.pk}/flag", {"reason": ""})
    assert response.status_code == 400
    assert "Write a sentence about why." in response.content.decode()


def test_hiding_shows_the_reason_to_the_author_and_nothing_to_others(
    cast: Cast, committed: Committed
) -> None:
    space = allies_space(cast.facilitator)
    post = posted(space, cast.participant, body="zz-unkind-words")
    with committed():
        response = client_for(cast.facilitator).post(
            f"/community/posts/{post.pk}/moderate",
            {"action": "hide", "reason": "It names a colleague who is not here."},
        )
    assert response.status_code == 302
    url = f"/community/threads/{post.thread_id}/"
    author_view = client_for(cast.participant).get(url).content.decode()
    assert "It names a colleague who is not here." in author_view
    assert "zz-unkind-words" in author_view
    other_view = client_for(cast.participant_and_member).get(url).content.decode()
    assert "zz-unkind-words" not in other_view
    notice = Notification.objects.get(person=cast.participant, kind="moderation")
    assert "It names a colleague" in notice.summary
    action = ModerationAction.objects.get()
    assert action.kind == "hide" and action.actor == cast.facilitator


def test_a_decision_needs_a_reason(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    post = posted(space, cast.participant)
    response = client_for(cast.facilitator).post(
        f"/community/posts/{post.pk}/moderate", {"action": "hide", "reason": " "}
    )
    assert response.status_code == 400
    assert Post.objects.get().is_shown


def test_a_facilitator_cannot_moderate_a_space_they_do_not_facilitate(
    cast: Cast, community_group: CommunityGroup
) -> None:
    organisation = cast.facilitator.organisation
    assert organisation is not None
    other = make_person(organisation, "flo@acme.test", "Flo", {Role.FACILITATOR, Role.PARTICIPANT})
    space = allies_space(cast.facilitator)
    post = posted(space, cast.participant)
    client = client_for(other)
    assert client.get(f"/community/{space.pk}/").status_code == 200  # a participant, so in it
    assert client.get(f"/community/{space.pk}/queue").status_code == 404
    response = client.post(
        f"/community/posts/{post.pk}/moderate", {"action": "hide", "reason": "x"}
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.hide_post(post=post, moderator=other, reason="x")


def test_three_flags_from_different_people_hold_a_post(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    post = posted(space, cast.participant, body="zz-held-words")
    flaggers = extra_participants(cast, 3)
    for n, person in enumerate(flaggers):
        services.flag_post(post=post, person=person, reason="Not kind")
        expected = Post.Status.HELD if n == 2 else Post.Status.SHOWN
        assert Post.objects.get().status == expected
    assert ModerationAction.objects.get().kind == "hold"
    page = client_for(cast.participant_and_member).get(f"/community/threads/{post.thread_id}/")
    assert "zz-held-words" not in page.content.decode()
    assert (
        "held"
        in client_for(cast.participant)
        .get(f"/community/threads/{post.thread_id}/")
        .content.decode()
    )
    services.restore_post(post=Post.objects.get(), moderator=cast.facilitator, reason="It is fine.")
    assert Post.objects.get().is_shown
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()


def test_flagging_is_rate_limited_with_a_clear_message(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    authors = extra_participants(cast, services.FLAG_LIMIT + 1)
    posts = [posted(space, author) for author in authors]
    client = client_for(cast.participant)
    for post in posts[:-1]:
        assert client.post(f"/community/posts/{post.pk}/flag", {"reason": "r"}).status_code == 302
    response = client.post(f"/community/posts/{posts[-1].pk}/flag", {"reason": "r"})
    assert response.status_code == 429
    assert "flagged" in response.content.decode()


def test_locking_keeps_a_thread_readable_and_closes_replies(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    post = posted(space, cast.participant)
    client_for(cast.facilitator).post(
        f"/community/threads/{post.thread_id}/lock", {"reason": "We have covered this well."}
    )
    assert Thread.objects.get().is_locked
    client = client_for(cast.participant)
    page = client.get(f"/community/threads/{post.thread_id}/").content.decode()
    assert "We have covered this well." in page
    response = client.post(f"/community/threads/{post.thread_id}/", {"body": "One more"})
    assert response.status_code == 400
    assert "locked" in response.content.decode()


def test_a_paused_person_reads_but_cannot_post_and_sees_why(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    post = posted(space, cast.participant)
    response = client_for(cast.facilitator).post(
        f"/community/posts/{post.pk}/pause", {"reason": "Let's take a day to cool down."}
    )
    assert response.status_code == 302
    client = client_for(cast.participant)
    assert client.get(f"/community/threads/{post.thread_id}/").status_code == 200
    response = client.post(f"/community/threads/{post.thread_id}/", {"body": "Reply"})
    assert response.status_code == 400
    assert "cool down" in response.content.decode()
    pause_id = PostingPause.objects.get().pk
    client_for(cast.facilitator).post(
        f"/community/pauses/{pause_id}/lift", {"reason": "Thanks for waiting."}
    )
    assert client.post(f"/community/threads/{post.thread_id}/", {"body": "R"}).status_code == 302
    kinds = list(ModerationAction.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["pause", "unpause"]


def test_the_log_shows_no_trace_of_spaces_the_reader_cannot_see(
    cast: Cast, community_group: CommunityGroup
) -> None:
    space = group_space(cast.facilitator, community_group, name="zz-protected-name")
    post = posted(space, cast.group_member, body="zz-protected-body")
    services.hide_post(post=post, moderator=cast.facilitator, reason="zz-protected-reason")
    organisation = cast.facilitator.organisation
    assert organisation is not None
    other_facilitator = make_person(
        organisation, "flo@acme.test", "Flo Facilitator", {Role.FACILITATOR, Role.PARTICIPANT}
    )

    for reader in (cast.program_admin, other_facilitator):
        response = client_for(reader).get("/community/moderation-log/")
        page = response.content.decode()
        assert response.status_code == 200
        assert "A protected space" not in page
        assert "Hid a post" not in page
        assert "No moderation" in page
    facilitator = client_for(cast.facilitator).get("/community/moderation-log/").content.decode()
    assert "zz-protected-reason" in facilitator
    assert client_for(cast.participant).get("/community/moderation-log/").status_code == 403


def test_the_log_names_each_space_with_the_kind_it_is(
    cast: Cast, community_group: CommunityGroup
) -> None:
    allies = allies_space(cast.facilitator, name="Allies corner")
    protected = group_space(cast.facilitator, community_group, name="Network room")
    for space, author in ((allies, cast.participant), (protected, cast.group_member)):
        post = posted(space, author)
        services.hide_post(post=post, moderator=cast.facilitator, reason=f"Off topic in {space}")
    cast.program_admin.set_roles({Role.PROGRAM_ADMIN, Role.PARTICIPANT})

    admin = client_for(cast.program_admin).get("/community/moderation-log/").content.decode()
    fran = client_for(cast.facilitator).get("/community/moderation-log/").content.decode()

    assert "Allies corner" in admin and "allies' space" in admin
    assert "Network room" not in admin and "protected space" not in admin
    assert "Off topic in Network room" not in admin
    assert "Allies corner" in fran and "Network room" in fran
    assert fran.count("allies' space") == 1 and fran.count("protected space") == 1


def test_whom_a_decision_was_about_and_why_stay_with_the_spaces_facilitators(
    cast: Cast,
) -> None:
    """Another facilitator who can see the space reads that a post was hidden there, not
    whose it was or the reason (which may be the very thing that was hidden)."""
    allies = allies_space(cast.facilitator, name="Allies corner")
    post = posted(allies, cast.participant)
    services.hide_post(post=post, moderator=cast.facilitator, reason="zz-medical-detail")
    organisation = cast.facilitator.organisation
    assert organisation is not None
    other = make_person(
        organisation, "flo@acme.test", "Flo Facilitator", {Role.FACILITATOR, Role.PARTICIPANT}
    )

    theirs = client_for(other).get("/community/moderation-log/").content.decode()
    fran = client_for(cast.facilitator).get("/community/moderation-log/").content.decode()

    assert "Hid a post" in theirs and "Allies corner" in theirs
    assert "zz-medical-detail" not in theirs and cast.participant.chosen_name not in theirs
    assert "zz-medical-detail" in fran and cast.participant.chosen_name in fran


def test_the_log_costs_the_same_queries_for_few_or_many_decisions(
    cast: Cast, community_group: CommunityGroup, count_queries: CountQueries
) -> None:
    allies = allies_space(cast.facilitator)
    protected = group_space(cast.facilitator, community_group)
    client = client_for(cast.facilitator)

    def add_decisions(count: int) -> None:
        for n in range(count):
            space, author = (allies, cast.participant) if n % 2 else (protected, cast.group_member)
            post = raw_post(space, author, body=f"Post {n}")
            services.hide_post(post=post, moderator=cast.facilitator, reason="r")

    add_decisions(2)
    few = count_queries(client.get, "/community/moderation-log/")
    add_decisions(20)
    assert count_queries(client.get, "/community/moderation-log/") == few == 4


def test_the_balance_counts_without_naming_anyone(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    people = extra_participants(cast, 9)
    for person in people:
        posted(space, person)
    thread = Thread.objects.first()
    assert thread is not None
    GuidelinesAcceptance.objects.create(space=space, person=cast.participant)
    for n in range(5):
        services.reply(thread=thread, author=cast.participant, body=f"r{n}")
    services.record_read(thread=thread, person=cast.participant_and_member)
    balance = services.participation_balance(space)
    assert balance.posters == 10 and balance.posts == 14
    assert balance.top_tenth_people == 1 and balance.top_tenth_share == round(100 * 5 / 14)
    assert not balance.many_read_only  # one reader: "fewer than 5"
    page = client_for(cast.facilitator).get(f"/community/{space.pk}/balance").content.decode()
    assert "Pat Participant" not in page and "36%" in page


def test_readers_who_never_posted_are_never_counted_to_one(cast: Cast) -> None:
    """Counted to one, the figure would say when the one person a facilitator watches
    opened a thread: "fewer than 5", or "5 or more" however many more."""
    space = allies_space(cast.facilitator)
    thread = posted(space, cast.participant).thread
    readers = extra_participants(cast, 5)
    page = f"/community/{space.pk}/balance"
    facilitator = client_for(cast.facilitator)
    assert "fewer than 5" in facilitator.get(page).content.decode()

    services.record_read(thread=thread, person=readers[0])
    assert not services.participation_balance(space).many_read_only
    assert "fewer than 5" in facilitator.get(page).content.decode()

    for reader in readers[1:]:
        services.record_read(thread=thread, person=reader)
    at_five = without_per_request_values(facilitator.get(page).content.decode())
    assert "5 or more" in at_five and "fewer than 5" not in at_five
    organisation = cast.participant.organisation
    assert organisation is not None
    sixth = make_person(organisation, "sixth@acme.test", "Sixth Reader", {Role.PARTICIPANT})
    services.record_read(thread=thread, person=sixth)
    assert without_per_request_values(facilitator.get(page).content.decode()) == at_five


def test_hiding_the_opening_post_hides_the_whole_thread_but_from_author_and_facilitators(
    cast: Cast, committed: Committed
) -> None:
    space = allies_space(cast.facilitator)
    post = posted(space, cast.participant, body="zz-opening-words")
    thread = post.thread
    thread.title = "zz-title-of-the-thread"
    thread.save()
    with committed():
        services.hide_post(post=post, moderator=cast.facilitator, reason="It names a colleague.")
    assert Thread.objects.get().is_withheld
    url = f"/community/threads/{thread.pk}/"
    other = client_for(cast.participant_and_member)
    assert other.get(url).status_code == 404
    for page in (f"/community/{space.pk}/", "/community/", "/community/search/?q=zz"):
        assert "zz-title-of-the-thread" not in other.get(page).content.decode()
    author_view = client_for(cast.participant).get(url).content.decode()
    assert "zz-title-of-the-thread" in author_view
    assert "only you and the space's facilitators can open it" in author_view
    facilitator_view = client_for(cast.facilitator).get(f"/community/{space.pk}/")
    assert "Hidden from the space" in facilitator_view.content.decode()
    notice = Notification.objects.get(person=cast.participant, kind="moderation")
    assert "opening post of your thread" in notice.summary

    services.restore_post(post=Post.objects.get(), moderator=cast.facilitator, reason="Fixed.")
    assert not Thread.objects.get().is_withheld
    assert other.get(url).status_code == 200


def test_hiding_a_reply_leaves_the_thread_where_it_was(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    opening = posted(space, cast.participant)
    GuidelinesAcceptance.objects.get_or_create(space=space, person=cast.participant_and_member)
    reply = services.reply(
        thread=opening.thread, author=cast.participant_and_member, body="zz-reply-words"
    )
    services.hide_post(post=reply, moderator=cast.facilitator, reason="Off topic.")
    assert not Thread.objects.get().is_withheld
    page = client_for(cast.participant).get(f"/community/threads/{opening.thread_id}/")
    assert page.status_code == 200
    assert "zz-reply-words" not in page.content.decode()


def test_a_hidden_reply_leaves_no_trace_in_the_threads_count_or_last_activity(
    cast: Cast,
) -> None:
    """Otherwise "2 replies" over one shown reply, or "last post 3 hours ago" over posts of
    last week, would tell the space that someone's reply was hidden."""
    monday = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    space = allies_space(cast.facilitator)
    GuidelinesAcceptance.objects.get_or_create(space=space, person=cast.participant_and_member)
    with time_machine.travel(monday, tick=False):
        opening = posted(space, cast.participant)
        services.reply(thread=opening.thread, author=cast.participant, body="A first reply")
    with time_machine.travel(monday + timedelta(days=7), tick=False):
        reply = services.reply(
            thread=opening.thread, author=cast.participant_and_member, body="zz-reply-words"
        )
    listing = client_for(cast.participant)
    assert "2 replies" in listing.get(f"/community/{space.pk}/").content.decode()

    services.hide_post(post=reply, moderator=cast.facilitator, reason="Off topic.")
    assert "1 reply" in listing.get(f"/community/{space.pk}/").content.decode()
    assert Thread.objects.get().last_activity_at == monday

    services.restore_post(post=reply, moderator=cast.facilitator, reason="Fine after all.")
    thread = Thread.objects.get()
    assert thread.reply_count == 2
    assert thread.last_activity_at == monday + timedelta(days=7)


def test_a_thread_held_after_three_flags_is_withheld_until_a_facilitator_decides(
    cast: Cast,
) -> None:
    space = allies_space(cast.facilitator)
    post = posted(space, cast.participant)
    for person in extra_participants(cast, 3):
        services.flag_post(post=post, person=person, reason="Not kind")
    assert Thread.objects.get().is_withheld
    url = f"/community/threads/{post.thread_id}/"
    assert client_for(cast.participant_and_member).get(url).status_code == 404
    assert client_for(cast.participant).get(url).status_code == 200


def test_flaggers_learn_the_outcome_without_the_facilitators_reason(
    cast: Cast, committed: Committed
) -> None:
    space = allies_space(cast.facilitator)
    hidden = posted(space, cast.participant)
    kept = posted(space, cast.participant)
    with committed():
        services.flag_post(post=hidden, person=cast.participant_and_member, reason="Unkind")
        services.flag_post(post=kept, person=cast.participant_and_member, reason="Unsure")
        services.hide_post(post=hidden, moderator=cast.facilitator, reason="zz-private-reason")
        services.restore_post(post=kept, moderator=cast.facilitator, reason="zz-other-reason")
    told = list(
        Notification.objects.filter(person=cast.participant_and_member).order_by("created_at")
    )
    assert [n.kind for n in told] == ["flag_outcome", "flag_outcome"]
    assert "was hidden" in told[0].summary
    assert "kept it" in told[1].summary
    for notice in told:
        assert "zz-" not in notice.summary
        assert "Unkind" not in notice.summary and "Unsure" not in notice.summary
    # Once told, the flag is closed: a second decision tells nobody again.
    with committed():
        services.restore_post(
            post=Post.objects.get(pk=kept.pk), moderator=cast.facilitator, reason="x"
        )
    assert Notification.objects.filter(person=cast.participant_and_member).count() == 2
    page = client_for(cast.participant_and_member).get("/community/notifications/")
    assert "was hidden by a facilitator" in page.content.decode()


@pytest.mark.parametrize("reason", ["Contact a facilitator directly.", "Why post this?", "Off"])
def test_no_moderation_notice_doubles_its_full_stop(
    cast: Cast, reason: str, committed: Committed
) -> None:
    space = allies_space(cast.facilitator)
    opening = posted(space, cast.participant)
    GuidelinesAcceptance.objects.get_or_create(space=space, person=cast.participant_and_member)
    reply = services.reply(thread=opening.thread, author=cast.participant, body="More words")
    with committed():
        services.hide_post(post=reply, moderator=cast.facilitator, reason=reason)
        services.lock_thread(thread=opening.thread, moderator=cast.facilitator, reason=reason)
        services.pause_posting(
            space=space, person=cast.participant, moderator=cast.facilitator, reason=reason
        )
    pages = [
        client_for(person).get(url).content.decode()
        for person in (cast.participant, cast.facilitator)
        for url in (f"/community/threads/{opening.thread_id}/", f"/community/{space.pk}/")
    ]
    pages.append(client_for(cast.participant).get("/community/notifications/").content.decode())
    for page in pages:
        assert ".." not in page
        assert "?." not in page
    assert "Their reason: " in pages[0]


def test_the_log_leaves_out_a_withheld_threads_title_for_those_who_cannot_open_it(
    cast: Cast,
) -> None:
    space = allies_space(cast.facilitator)
    post = posted(space, cast.participant)
    Thread.objects.filter(pk=post.thread_id).update(title="zz-withheld-title")
    services.hide_post(post=Post.objects.get(), moderator=cast.facilitator, reason="Names.")
    organisation = cast.facilitator.organisation
    assert organisation is not None
    colleague = make_person(
        organisation, "flo@acme.test", "Flo", {Role.FACILITATOR, Role.PARTICIPANT}
    )
    assert (
        "zz-withheld-title"
        in client_for(cast.facilitator).get("/community/moderation-log/").content.decode()
    )
    page = client_for(colleague).get("/community/moderation-log/").content.decode()
    assert "Hid a post" in page and "zz-withheld-title" not in page
    assert "a thread hidden from the space" in page


def test_a_reply_in_a_withheld_thread_tells_only_those_who_may_open_it(
    cast: Cast, committed: Committed
) -> None:
    space = allies_space(cast.facilitator)
    post = posted(space, cast.participant)
    services.set_follow(thread=post.thread, person=cast.participant_and_member, follow=True)
    services.hide_post(post=post, moderator=cast.facilitator, reason="Names someone.")
    GuidelinesAcceptance.objects.get_or_create(space=space, person=cast.facilitator)
    with committed():
        services.reply(thread=Thread.objects.get(), author=cast.facilitator, body="@bo-both hello")
    assert not Notification.objects.filter(person=cast.participant_and_member).exists()
    assert Notification.objects.filter(person=cast.participant, kind="reply").exists()


def replied(thread: Thread, author: Person, body: str = "A reply") -> Post:
    GuidelinesAcceptance.objects.get_or_create(space=thread.space, person=author)
    return services.reply(thread=thread, author=author, body=body)


def moderation_notices(person: Person) -> list[Notification]:
    return list(Notification.objects.filter(person=person, kind="moderation").order_by("pk"))


def test_hiding_an_opening_post_tells_each_reply_author_once_naming_nothing(
    cast: Cast, committed: Committed
) -> None:
    space = allies_space(cast.facilitator, name="zz-space")
    opening = posted(space, cast.participant, body="zz-opening-words")
    thread = opening.thread
    Thread.objects.filter(pk=thread.pk).update(title="zz-title")
    replied(thread, cast.participant_and_member)
    replied(thread, cast.participant_and_member)
    replied(thread, cast.participant)  # the author, told on their own
    replied(thread, cast.facilitator)  # the one who decides
    [gone] = extra_participants(cast, 1)
    replied(thread, gone)
    gone.deactivate()

    with committed():
        services.hide_post(post=opening, moderator=cast.facilitator, reason="zz-reason")

    [notice] = moderation_notices(cast.participant_and_member)
    assert notice.summary == (
        "A facilitator hid a thread you replied in, and what you wrote there with it."
    )
    for secret in ("zz-", "Pat", "Participant", "Fran"):
        assert secret not in notice.summary
    assert notice.url == f"/community/{space.pk}/"
    bo = client_for(cast.participant_and_member)
    assert bo.get(notice.url).status_code == 200
    assert notice.summary in bo.get("/community/notifications/").content.decode()
    [told] = moderation_notices(cast.participant)
    assert "opening post of your thread" in told.summary
    assert moderation_notices(cast.facilitator) == []
    assert not Notification.objects.filter(person=gone).exists()

    # Hidden again with another reason, the thread was hidden already: nothing new for them.
    with committed():
        services.hide_post(
            post=Post.objects.get(pk=opening.pk), moderator=cast.facilitator, reason="Still."
        )
    assert len(moderation_notices(cast.participant_and_member)) == 1


def test_a_facilitator_is_not_told_of_hiding_or_restoring_their_own_post(
    cast: Cast, committed: Committed
) -> None:
    """They did it themself: "a facilitator hid your post" would tell them only what they
    had just done, as if someone else had. Another facilitator doing it is news to them."""
    space = allies_space(cast.facilitator)
    opening = posted(space, cast.facilitator)
    reply = replied(opening.thread, cast.facilitator)
    with committed():
        services.hide_post(post=reply, moderator=cast.facilitator, reason="Too soon.")
        services.restore_post(post=reply, moderator=cast.facilitator, reason="Fixed.")
        services.hide_post(post=opening, moderator=cast.facilitator, reason="Too soon.")
        services.restore_post(
            post=Post.objects.get(pk=opening.pk), moderator=cast.facilitator, reason="Fixed."
        )
    assert moderation_notices(cast.facilitator) == []

    organisation = cast.facilitator.organisation
    assert organisation is not None
    other = make_person(organisation, "ola@acme.test", "Ola Other", {Role.FACILITATOR})
    space.facilitators.add(other)
    with committed():
        services.hide_post(post=Post.objects.get(pk=reply.pk), moderator=other, reason="Off topic.")
    [told] = moderation_notices(cast.facilitator)
    assert told.summary == "A facilitator hid your post in “A thread”: Off topic."


def test_restoring_a_hidden_thread_tells_its_reply_authors_too(
    cast: Cast, committed: Committed
) -> None:
    space = allies_space(cast.facilitator)
    opening = posted(space, cast.participant)
    replied(opening.thread, cast.participant_and_member)
    with committed():
        services.hide_post(post=opening, moderator=cast.facilitator, reason="Names someone.")
        services.restore_post(
            post=Post.objects.get(pk=opening.pk), moderator=cast.facilitator, reason="zz-fixed"
        )

    hidden, restored = moderation_notices(cast.participant_and_member)
    assert "hid a thread you replied in" in hidden.summary
    assert restored.summary == (
        "A facilitator restored a thread you replied in, and what you wrote there with it."
    )
    assert restored.url == f"/community/threads/{opening.thread_id}/"
    assert client_for(cast.participant_and_member).get(restored.url).status_code == 200
    assert [n.summary for n in moderation_notices(cast.participant)][-1].startswith(
        "A facilitator restored your post"
    )


def test_a_reply_author_whose_reply_nobody_else_saw_is_not_told(
    cast: Cast, committed: Committed
) -> None:
    """Their reply was hidden already: hiding the thread changes nothing for its readers."""
    space = allies_space(cast.facilitator)
    opening = posted(space, cast.participant)
    reply = replied(opening.thread, cast.participant_and_member)
    services.hide_post(post=reply, moderator=cast.facilitator, reason="Off topic.")

    with committed():
        services.hide_post(post=opening, moderator=cast.facilitator, reason="Names someone.")

    assert moderation_notices(cast.participant_and_member) == []


def test_a_reply_author_who_left_the_groups_space_is_not_told(
    cast: Cast, community_group: CommunityGroup, committed: Committed
) -> None:
    """Once out of the group they see nothing of its space, not even that a facilitator hid
    a thread in it."""
    space = group_space(cast.facilitator, community_group)
    opening = posted(space, cast.participant_and_member)
    replied(opening.thread, cast.group_member)
    leave_group(person=cast.group_member, group=community_group)

    with committed():
        services.hide_post(post=opening, moderator=cast.facilitator, reason="Names someone.")

    assert not Notification.objects.filter(person=cast.group_member).exists()


def test_a_thread_released_from_a_hold_tells_its_reply_authors_nothing(
    cast: Cast, committed: Committed
) -> None:
    """They were not told of the hold; "restored" would tell them that people flagged the
    opening post."""
    space = allies_space(cast.facilitator)
    opening = posted(space, cast.participant)
    replied(opening.thread, cast.participant_and_member)
    for person in extra_participants(cast, 3):
        services.flag_post(post=opening, person=person, reason="Not kind")
    assert Thread.objects.get().is_withheld

    with committed():
        services.restore_post(
            post=Post.objects.get(pk=opening.pk), moderator=cast.facilitator, reason="Fine."
        )

    assert moderation_notices(cast.participant_and_member) == []
    assert moderation_notices(cast.participant)


@pytest.mark.django_db(transaction=True)
def test_flags_made_before_flags_named_their_space_get_their_posts_space(cast: Cast) -> None:
    """A flag names its post's space, so a space's waiting posts are found from its own
    flags; the migration copies the space into the flags already there."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    post = raw_post(allies_space(cast.facilitator), cast.participant, "hello")
    Flag.objects.create(post=post, flagged_by=cast.participant_and_member, reason="Unsure")
    executor = MigrationExecutor(connection)
    executor.migrate([("community", "0013_erasure_keeps_named_poll_answers")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Flag.objects.get().space_id == post.space_id
    assert list(Post.objects.waiting_in(post.space)) == [post]
