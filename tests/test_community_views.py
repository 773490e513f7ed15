"""Community spaces as people use them: creating spaces, guidelines before the first post,
threads and replies in Markdown, edits with history, reactions, follows, mentions, search."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgework.accounts.models import CommunityGroup, GroupMembership, Person, Role
from bridgework.accounts.services import erase_person
from bridgework.community import services
from bridgework.community.models import (
    Follow,
    GuidelinesAcceptance,
    Mention,
    Post,
    PostRevision,
    Reaction,
    Space,
    Thread,
    ThreadRead,
)
from bridgework.notifications.models import Notification

from .community_support import allies_space, group_space
from .conftest import Cast, Committed, client_for, make_person


def accept(space: Space, *people: Person) -> None:
    for person in people:
        GuidelinesAcceptance.objects.get_or_create(space=space, person=person)


# --- creating spaces -------------------------------------------------------------------------


def test_a_facilitator_creates_an_allies_space_and_a_protected_space(
    cast: Cast, community_group: CommunityGroup
) -> None:
    client = client_for(cast.facilitator)
    response = client.post(
        "/community/new", {"name": "Allies", "audience": "organisation", "description": "Hi"}
    )
    assert response.status_code == 302
    response = client.post(
        "/community/new",
        {"name": "Our space", "audience": "group", "group": str(community_group.pk)},
    )
    assert response.status_code == 302
    protected = Space.objects.get(name="Our space")
    assert protected.is_protected and protected.group == community_group
    assert list(protected.facilitators.all()) == [cast.facilitator]
    assert "Share what you have checked" in protected.guidelines


def test_the_space_form_explains_what_is_missing(cast: Cast) -> None:
    client = client_for(cast.facilitator)
    response = client.post("/community/new", {"name": "", "audience": "group"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the community group this space is for." in page
    assert "Give the space a name." in page


def test_a_space_name_is_used_once(cast: Cast) -> None:
    allies_space(cast.facilitator)
    response = client_for(cast.facilitator).post(
        "/community/new", {"name": "allies", "audience": "organisation"}
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_a_taken_name_is_refused_only_for_a_space_the_facilitator_can_see(
    cast: Cast, community_group: CommunityGroup
) -> None:
    group_space(cast.facilitator, community_group, name="Quiet room")
    organisation = cast.facilitator.organisation
    assert organisation is not None
    other = make_person(
        organisation, "other@example.com", "Other", {Role.PARTICIPANT, Role.FACILITATOR}
    )
    response = client_for(other).post(
        "/community/new", {"name": "quiet room", "audience": "organisation"}
    )
    assert response.status_code == 302
    assert Space.objects.filter(name__iexact="quiet room").count() == 2


def test_only_facilitators_can_be_named_facilitators(cast: Cast) -> None:
    organisation = cast.facilitator.organisation
    assert organisation is not None
    with pytest.raises(ValidationError):
        services.create_space(
            organisation=organisation,
            created_by=cast.facilitator,
            name="X",
            audience=Space.Audience.ORGANISATION,
            facilitators=[cast.participant],
        )


def test_the_index_lists_only_visible_spaces(cast: Cast, community_group: CommunityGroup) -> None:
    allies_space(cast.facilitator)
    group_space(cast.facilitator, community_group, name="Quiet room")
    participant_page = client_for(cast.participant).get("/community/").content.decode()
    assert "Allies" in participant_page and "Quiet room" not in participant_page
    admin_page = client_for(cast.program_admin).get("/community/").content.decode()
    assert "Allies" not in admin_page and "Quiet room" not in admin_page
    member_page = client_for(cast.group_member).get("/community/").content.decode()
    assert "Quiet room" in member_page and "Allies" not in member_page


def test_the_index_marks_the_spaces_one_facilitates(cast: Cast) -> None:
    allies_space(cast.facilitator)
    other = Person.objects.create_user(
        "other-facilitator@example.com",
        organisation=cast.facilitator.organisation,
        chosen_name="Other facilitator",
    )
    other.role_assignments.create(role=Role.FACILITATOR)
    other.role_assignments.create(role=Role.PARTICIPANT)

    def marked(person: Person) -> bool:
        return "you facilitate it" in client_for(person).get("/community/").content.decode()

    assert marked(cast.facilitator)
    assert not marked(other) and not marked(cast.participant)


# --- guidelines and posting --------------------------------------------------------------------


def test_the_first_post_waits_for_the_guidelines(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    client = client_for(cast.participant)
    response = client.get(f"/community/{space.pk}/threads/new")
    assert response.status_code == 302
    assert f"/community/{space.pk}/guidelines" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "Make room for every voice" in page
    accepted = client.post(
        f"/community/{space.pk}/guidelines", {"next": f"/community/{space.pk}/threads/new"}
    )
    assert accepted["Location"] == f"/community/{space.pk}/threads/new"
    response = client.post(
        f"/community/{space.pk}/threads/new",
        {"title": "First", "body": "Hello **all** <script>alert(1)</script>"},
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert "<strong>all</strong>" in post.body_html
    assert "<script>" not in post.body_html


def test_the_guidelines_redirect_never_leaves_the_site(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    response = client_for(cast.participant).post(
        f"/community/{space.pk}/guidelines", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/community/{space.pk}/"


def test_a_reply_notifies_followers_but_not_the_author(cast: Cast, committed: Committed) -> None:
    space = allies_space(cast.facilitator)
    accept(space, cast.participant, cast.facilitator)
    thread = services.start_thread(space=space, author=cast.participant, title="T", body="B")
    with committed():
        response = client_for(cast.facilitator).post(
            f"/community/threads/{thread.pk}/", {"body": "A reply"}
        )
    assert response.status_code == 302
    assert Notification.objects.filter(person=cast.participant, kind="reply").count() == 1
    assert not Notification.objects.filter(person=cast.facilitator).exists()
    assert Follow.objects.filter(thread=thread).count() == 2
    assert Thread.objects.get().reply_count == 1


def test_an_empty_reply_is_a_400_with_a_message(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    accept(space, cast.participant)
    thread = services.start_thread(space=space, author=cast.participant, title="T", body="B")
    response = client_for(cast.participant).post(f"/community/threads/{thread.pk}/", {"body": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write your reply first." in page
    # Sent back to the reply box, where the message is.
    assert f'action="/community/threads/{thread.pk}/#reply-heading"' in page


def test_unfollowing_stops_reply_notifications(cast: Cast, committed: Committed) -> None:
    space = allies_space(cast.facilitator)
    accept(space, cast.participant, cast.facilitator)
    thread = services.start_thread(space=space, author=cast.participant, title="T", body="B")
    client_for(cast.participant).post(f"/community/threads/{thread.pk}/follow", {"follow": "0"})
    with committed():
        services.reply(thread=thread, author=cast.facilitator, body="R")
    assert not Notification.objects.filter(person=cast.participant).exists()


def test_a_mention_tells_only_people_who_can_see_the_space_and_its_highlight_says_nothing(
    cast: Cast, community_group: CommunityGroup, committed: Committed
) -> None:
    space = group_space(cast.facilitator, community_group)
    accept(space, cast.group_member)
    with committed():
        thread = services.start_thread(
            space=space,
            author=cast.group_member,
            title="T",
            body="Thanks @bo-both and @pat-participant and @fran-facilitator and @nobody-here",
        )
    post = thread.posts.get()
    mentioned = set(Mention.objects.filter(post=post).values_list("person__chosen_name", flat=True))
    assert mentioned == {"Bo Both", "Fran Facilitator"}
    assert Notification.objects.filter(person=cast.participant_and_member, kind="mention").exists()
    assert not Notification.objects.filter(person=cast.participant).exists()
    # Pat is not in the group: highlighting only members would tell readers who is one.
    assert '<span class="mention">@bo-both</span>' in post.body_html
    assert '<span class="mention">@pat-participant</span>' in post.body_html
    assert '<span class="mention">@nobody-here' not in post.body_html


def test_editing_keeps_the_earlier_wording_for_author_and_facilitators(
    cast: Cast, community_group: CommunityGroup
) -> None:
    space = group_space(cast.facilitator, community_group)
    accept(space, cast.group_member)
    thread = services.start_thread(space=space, author=cast.group_member, title="T", body="First")
    post = thread.posts.get()
    response = client_for(cast.group_member).post(
        f"/community/posts/{post.pk}/edit", {"body": "Second"}
    )
    assert response.status_code == 302
    assert PostRevision.objects.get().body == "First"
    history = f"/community/posts/{post.pk}/history"
    assert "First" in client_for(cast.facilitator).get(history).content.decode()
    assert "First" in client_for(cast.group_member).get(history).content.decode()
    assert client_for(cast.participant_and_member).get(history).status_code == 404
    assert (
        client_for(cast.participant_and_member).get(f"/community/posts/{post.pk}/edit").status_code
        == 404
    )


def test_reactions_toggle_and_are_counted(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    accept(space, cast.participant)
    thread = services.start_thread(space=space, author=cast.participant, title="T", body="B")
    post = thread.posts.get()
    client = client_for(cast.facilitator)
    client.post(f"/community/posts/{post.pk}/react", {"kind": "thanks"})
    assert Reaction.objects.filter(post=post, kind="thanks").count() == 1
    response = client.post(
        f"/community/posts/{post.pk}/react", {"kind": "thanks"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert 'aria-pressed="false"' in fragment
    # The fragment replaces the form: its buttons must work again, with a token of their own.
    assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', fragment)
    assert Reaction.objects.count() == 0
    bad = client.post(f"/community/posts/{post.pk}/react", {"kind": "angry"})
    assert bad.status_code == 400


def reactions_shown(person: Person, thread: Thread) -> dict[str, tuple[int, bool]]:
    """Each kind of reaction to the thread's first post as the person sees it: the count,
    and whether the button says it is theirs."""
    page = client_for(person).get(thread.get_absolute_url()).content.decode()
    buttons = re.findall(
        r'value="(\w+)" id="react-\d+-\w+" class="community-reaction" aria-pressed="(\w+)">'
        r'[^<]*<span class="community-reaction__count">(\d+)</span>',
        page,
    )
    assert len(buttons) == len(Reaction.Kind)
    return {kind: (int(count), pressed == "true") for kind, pressed, count in buttons}


def test_erasing_someone_leaves_the_reaction_counts_as_they_were(cast: Cast) -> None:
    """Were their reactions deleted with them, anyone who watched a post's counts before and
    after a colleague left would learn what that colleague had reacted with."""
    space = allies_space(cast.facilitator)
    accept(space, cast.participant)
    thread = services.start_thread(space=space, author=cast.participant, title="T", body="B")
    post = thread.posts.get()
    organisation = cast.participant.organisation
    assert organisation is not None
    leavers = [
        cast.participant_and_member,
        make_person(organisation, "lee@acme.test", "Lee Leaver", {Role.PARTICIPANT}),
    ]
    for leaver in leavers:
        services.toggle_reaction(post=post, person=leaver, kind="thanks")
    services.toggle_reaction(post=post, person=leavers[0], kind="support")
    services.toggle_reaction(post=post, person=cast.facilitator, kind="thanks")
    before = reactions_shown(cast.participant, thread)
    assert before["thanks"] == (3, False) and before["support"] == (1, False)

    gone = [leaver.pk for leaver in leavers]
    for leaver in leavers:
        erase_person(person=leaver)

    assert reactions_shown(cast.participant, thread) == before
    # Kept, and nobody's: not the leavers', whose ids are free of them.
    assert not Reaction.objects.filter(person_id__in=gone).exists()
    assert Reaction.objects.filter(post=post, person__isnull=True).count() == 3


def test_a_reaction_kept_after_erasure_is_nobody_s_to_take_back(cast: Cast) -> None:
    """A reaction of the same kind is the reader's own, beside it; pressing again takes
    back only theirs."""
    space = allies_space(cast.facilitator)
    accept(space, cast.participant)
    thread = services.start_thread(space=space, author=cast.participant, title="T", body="B")
    post = thread.posts.get()
    services.toggle_reaction(post=post, person=cast.participant_and_member, kind="thanks")
    erase_person(person=cast.participant_and_member)
    react = client_for(cast.facilitator)

    assert reactions_shown(cast.facilitator, thread)["thanks"] == (1, False)
    react.post(f"/community/posts/{post.pk}/react", {"kind": "thanks"})
    assert reactions_shown(cast.facilitator, thread)["thanks"] == (2, True)
    react.post(f"/community/posts/{post.pk}/react", {"kind": "thanks"})
    assert reactions_shown(cast.facilitator, thread)["thanks"] == (1, False)
    [kept] = Reaction.objects.all()
    assert (kept.person, kept.kind) == (None, "thanks")


def test_a_living_person_reacts_once_of_each_kind(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    accept(space, cast.participant)
    thread = services.start_thread(space=space, author=cast.participant, title="T", body="B")
    post = thread.posts.get()
    Reaction.objects.create(post=post, person=cast.facilitator, kind="thanks")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(post=post, person=cast.facilitator, kind="thanks")


def test_a_reaction_with_htmx_to_a_post_held_since_the_page_was_shown_says_why_in_place(
    cast: Cast,
) -> None:
    """Not nothing at all: where the buttons were, the reason they are gone."""
    space = allies_space(cast.facilitator)
    accept(space, cast.participant)
    thread = services.start_thread(space=space, author=cast.participant, title="T", body="B")
    post = thread.posts.get()
    post.status = Post.Status.HELD
    post.save()
    client = client_for(cast.participant)
    url = f"/community/posts/{post.pk}/react"

    response = client.post(url, {"kind": "thanks"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<p class="message message--error" role="status"')
    assert "This post is no longer shown, so it takes no reactions." in html
    assert "<form" not in html and "<html" not in html
    assert not Reaction.objects.exists()

    # Without JavaScript: back to the thread, which says the same.
    plain = client.post(url, {"kind": "thanks"}, follow=True)
    assert plain.redirect_chain[-1][1] == 302
    assert "This post is no longer shown, so it takes no reactions." in plain.content.decode()
    assert not Reaction.objects.exists()


def test_search_finds_only_what_the_person_can_see(
    cast: Cast, community_group: CommunityGroup
) -> None:
    allies = allies_space(cast.facilitator)
    protected = group_space(cast.facilitator, community_group)
    accept(allies, cast.participant)
    accept(protected, cast.group_member)
    services.start_thread(space=allies, author=cast.participant, title="Open", body="apricot one")
    services.start_thread(
        space=protected, author=cast.group_member, title="Ours", body="apricot two"
    )
    participant = client_for(cast.participant).get("/community/search/?q=apricot").content.decode()
    assert "apricot one" in participant and "apricot two" not in participant
    member = client_for(cast.group_member).get("/community/search/?q=apricot").content.decode()
    assert "apricot two" in member and "apricot one" not in member
    both = client_for(cast.participant_and_member).get("/community/search/?q=apricot")
    assert "apricot one" in both.content.decode() and "apricot two" in both.content.decode()


def test_someone_who_leaves_the_group_loses_the_thread_at_once(
    cast: Cast, community_group: CommunityGroup
) -> None:
    space = group_space(cast.facilitator, community_group)
    accept(space, cast.group_member)
    thread = services.start_thread(space=space, author=cast.group_member, title="T", body="B")
    client = client_for(cast.participant_and_member)
    assert client.get(f"/community/threads/{thread.pk}/").status_code == 200
    GroupMembership.objects.filter(person=cast.participant_and_member).delete()
    assert client.get(f"/community/threads/{thread.pk}/").status_code == 404
    assert client.get(f"/community/{space.pk}/").status_code == 404


def test_posting_too_fast_gets_a_clear_429(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    accept(space, cast.participant)
    thread = services.start_thread(space=space, author=cast.participant, title="T", body="B")
    client = client_for(cast.participant)
    for n in range(services.POST_LIMIT - 1):
        assert client.post(f"/community/threads/{thread.pk}/", {"body": f"r{n}"}).status_code == 302
    response = client.post(f"/community/threads/{thread.pk}/", {"body": "one more"})
    assert response.status_code == 429
    assert "Take a breather" in response.content.decode()


def test_posting_often_brings_a_gentle_nudge(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    accept(space, cast.participant)
    thread = services.start_thread(space=space, author=cast.participant, title="T", body="B")
    client = client_for(cast.participant)
    for n in range(services.NUDGE_POSTS - 1):
        response = client.post(f"/community/threads/{thread.pk}/", {"body": f"r{n}"}, follow=True)
    assert "make room for other voices" in response.content.decode()


def test_a_group_member_finds_the_way_to_write_an_ask_from_their_space(
    cast: Cast, community_group: CommunityGroup
) -> None:
    protected = group_space(cast.facilitator, community_group)
    allies = allies_space(cast.facilitator)
    member = cast.client("group_member")

    assert (
        f"/community/asks/spaces/{protected.pk}/new"
        in member.get(f"/community/{protected.pk}/").content.decode()
    )
    allies_page = cast.client("participant").get(f"/community/{allies.pk}/").content.decode()
    assert "Write an ask" not in allies_page and 'href="/community/asks/"' in allies_page
    index = member.get("/community/").content.decode()
    assert 'href="/community/asks/"' in index and 'href="/community/resources/"' in index


# --- the community page's figures ------------------------------------------------------------


def test_the_index_says_how_many_threads_have_new_posts(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    start = timezone.now() - timedelta(days=1)
    threads = [
        Thread.objects.create(space=space, title=f"t{n}", last_activity_at=start + timedelta(n))
        for n in range(3)
    ]
    ThreadRead.objects.create(thread=threads[0], person=cast.participant, space=space)
    page = client_for(cast.participant).get("/community/").content.decode()
    assert "3 threads · <strong>2 with new posts</strong>" in page


def test_reading_a_thread_again_with_nothing_new_writes_nothing(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    accept(space, cast.participant, cast.facilitator)
    thread = services.start_thread(space=space, author=cast.facilitator, title="T", body="B")
    reader = client_for(cast.participant)

    def reads_written() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert reader.get(thread.get_absolute_url()).status_code == 200
        table = ThreadRead._meta.db_table
        return [
            q["sql"] for q in captured if table in q["sql"] and not q["sql"].startswith("SELECT")
        ]

    assert reads_written() != []  # the first visit
    first = ThreadRead.objects.get(thread=thread, person=cast.participant).last_read_at
    assert reads_written() == []  # nothing new since
    assert ThreadRead.objects.get(thread=thread, person=cast.participant).last_read_at == first
    assert "with new posts" not in reader.get("/community/").content.decode()

    services.reply(thread=thread, author=cast.facilitator, body="News")
    assert "1 with new posts" in reader.get("/community/").content.decode()
    assert reads_written() != []  # a new post: the visit is recorded again
    assert "with new posts" not in reader.get("/community/").content.decode()


def test_a_busy_space_s_figures_stop_at_more_than_99(cast: Cast) -> None:
    """Counting stops after 100 threads, and new posts are looked for in the 100 with the
    latest activity: a space of thousands costs what one of a hundred does."""
    space = allies_space(cast.facilitator)
    start = timezone.now() - timedelta(days=1)
    threads = Thread.objects.bulk_create(
        Thread(space=space, title=f"t{n}", last_activity_at=start + timedelta(minutes=n))
        for n in range(120)
    )
    client = client_for(cast.participant)
    assert "More than 99 threads · <strong>more than 99 with new posts</strong>" in (
        client.get("/community/").content.decode()
    )
    # The oldest twenty are unread too, but not among the latest hundred.
    ThreadRead.objects.bulk_create(
        ThreadRead(thread=thread, person=cast.participant, space=space) for thread in threads[21:]
    )
    page = client.get("/community/").content.decode()
    assert "More than 99 threads · <strong>1 with new posts</strong>" in page


def test_a_busy_space_pages_by_the_thread_a_page_ends_with(
    facilitator: Person, participant: Person
) -> None:
    space = allies_space(facilitator)
    start = timezone.now() - timedelta(days=30)
    threads = Thread.objects.bulk_create(
        Thread(space=space, title=f"Thread {n}", author=facilitator, last_activity_at=start)
        for n in range(45)
    )
    newest_first = sorted(threads, key=lambda t: -t.pk)  # same time: the later id first
    client = client_for(participant)

    first = client.get(f"/community/{space.pk}/").content.decode()
    assert f'href="?after={newest_first[19].pk}">Next page</a>' in first
    assert "Previous page" not in first and "Page 1" not in first
    second = client.get(f"/community/{space.pk}/", {"after": newest_first[19].pk})
    shown = [t.pk for t in second.context["page"]]
    assert shown == [t.pk for t in newest_first[20:40]]
    third = client.get(f"/community/{space.pk}/", {"after": newest_first[39].pk})
    assert [t.pk for t in third.context["page"]] == [t.pk for t in newest_first[40:]]
    html = third.content.decode()
    assert f'href="?before={newest_first[40].pk}">Previous page</a>' in html
    assert "Next page" not in html


def test_a_thread_the_reader_cannot_see_tells_nothing_as_a_place_to_page_from(
    facilitator: Person, participant: Person, community_group: CommunityGroup
) -> None:
    """Paging from a protected space's thread would show where its latest activity falls
    among the reader's threads: it gives the first page, as if no place were named."""
    space = allies_space(facilitator)
    for n in range(25):
        Thread.objects.create(space=space, title=f"Open {n}", author=facilitator)
    hidden = Thread.objects.create(
        space=group_space(facilitator, community_group), title="Ours", author=facilitator
    )
    client = client_for(participant)
    plain = client.get(f"/community/{space.pk}/")
    for direction in ("after", "before"):
        probed = client.get(f"/community/{space.pk}/", {direction: hidden.pk})
        assert list(probed.context["page"]) == list(plain.context["page"])
        assert not probed.context["page"].has_previous()


# --- times in the reader's zone ----------------------------------------------------------------


def test_a_posts_time_is_shown_in_each_readers_own_time_zone(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    accept(space, cast.participant, cast.facilitator, cast.participant_and_member)
    thread = services.start_thread(space=space, author=cast.facilitator, title="T", body="B")
    Post.objects.filter(thread=thread).update(created_at=datetime(2030, 1, 15, 14, 30, tzinfo=UTC))
    organisation = cast.participant.organisation
    assert organisation is not None
    organisation.time_zone = "Asia/Tokyo"
    organisation.save(update_fields=["time_zone"])
    cast.participant.time_zone = "America/New_York"
    cast.participant.save(update_fields=["time_zone"])
    cast.facilitator.time_zone = "UTC"
    cast.facilitator.save(update_fields=["time_zone"])

    def shown_to(person: Person) -> str:
        return client_for(person).get(thread.get_absolute_url()).content.decode()

    assert "15 Jan 2030, 09:30" in shown_to(cast.participant)  # their own zone
    assert "15 Jan 2030, 14:30" in shown_to(cast.facilitator)  # UTC, chosen
    # No zone chosen: the organisation's.
    assert "15 Jan 2030, 23:30" in shown_to(cast.participant_and_member)
