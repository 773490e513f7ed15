"""Properties: for many generated organisations, every list (`visible_to` on spaces, threads
and posts, search, notifications) agrees with the one `can_view` rule; the sanitiser lets no
script, no on* attribute and no javascript: link through; space and thread pages make the
same number of queries with 10 and with 2,000 posts."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgework.accounts.models import (
    CommunityGroup,
    GroupMembership,
    Organisation,
    Person,
    Role,
    RoleAssignment,
)
from bridgework.cohorts.models import Cohort, Membership
from bridgework.community import services
from bridgework.community.models import GuidelinesAcceptance, Post, Space, Thread
from bridgework.community.services import threads as posting
from bridgework.community.visibility import audience_q, can_view
from bridgework.lib.markdown import render
from bridgework.notifications.models import Notification

from .community_support import allies_space, group_space
from .conftest import Cast, CountQueries, client_for

ROLES = [Role.PARTICIPANT, Role.FACILITATOR, Role.PROGRAM_ADMIN]

person_strategy = st.fixed_dictionaries(
    {
        "roles": st.sets(st.sampled_from(ROLES)),
        "active": st.booleans(),
        "elsewhere": st.integers(0, 5).map(lambda n: n == 0),
        "groups": st.sets(st.integers(0, 1)),
        "cohort": st.sampled_from(["none", "member", "requested"]),
    }
)
space_strategy = st.fixed_dictionaries(
    {
        "audience": st.sampled_from(Space.Audience.values),
        "target": st.integers(0, 1),
        "facilitators": st.sets(st.integers(0, 6)),
        "posts": st.lists(
            st.tuples(st.integers(0, 6), st.sampled_from(Post.Status.values), st.booleans()),
            max_size=4,
        ),
    }
)
world_strategy = st.fixed_dictionaries(
    {
        "people": st.lists(person_strategy, min_size=1, max_size=7),
        "spaces": st.lists(space_strategy, min_size=1, max_size=4),
    }
)


def build(world: dict[str, Any]) -> list[Person]:
    home = Organisation.objects.create(name="Home", slug="home")
    away = Organisation.objects.create(name="Away", slug="away")
    groups = [CommunityGroup.objects.create(organisation=home, name=f"G{n}") for n in range(2)]
    cohorts = [
        Cohort.objects.create(organisation=home, name=f"C{n}", start_date=date(2026, 1, 1))
        for n in range(2)
    ]
    people = []
    for n, spec in enumerate(world["people"]):
        person = Person.objects.create(
            organisation=away if spec["elsewhere"] else home,
            email=f"p{n}@x.test",
            chosen_name=f"P{n}",
            is_active=spec["active"],
        )
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(person=person, role=role) for role in spec["roles"]]
        )
        for g in spec["groups"]:
            GroupMembership.objects.create(group=groups[g], person=person, added_by="self")
        if spec["cohort"] != "none":
            Membership.objects.create(cohort=cohorts[n % 2], person=person, status=spec["cohort"])
        people.append(person)
    for n, spec in enumerate(world["spaces"]):
        audience = spec["audience"]
        space = Space.objects.create(
            organisation=home,
            name=f"S{n}",
            slug=f"s{n}",
            audience=audience,
            cohort=cohorts[spec["target"]] if audience == "cohort" else None,
            group=groups[spec["target"]] if audience == "group" else None,
        )
        space.facilitators.set([people[i] for i in spec["facilitators"] if i < len(people)])
        thread = Thread.objects.create(space=space, title=f"needle thread {n}")
        for author, status, matches in spec["posts"]:
            Post.objects.create(
                space=space,
                thread=thread,
                author=people[author] if author < len(people) else None,
                body="a needle here" if matches else "hay",
                status=status,
            )
        for person in people:
            Notification.objects.create(
                person=person, kind="reply", summary="s", url="/", space=space
            )
    return [Person.objects.get(pk=p.pk) for p in people]


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=world_strategy)
def test_every_list_agrees_with_the_one_rule(world: dict[str, Any]) -> None:
    with transaction.atomic():
        people = build(world)
        spaces = list(Space.objects.all())
        threads = list(Thread.objects.select_related("space"))
        posts = list(Post.objects.select_related("space"))
        for person in people:
            assert set(Space.objects.visible_to(person)) == {
                s for s in spaces if can_view(person, s)
            }
            assert set(Thread.objects.visible_to(person)) == {
                t for t in threads if can_view(person, t)
            }
            assert set(Post.objects.visible_to(person)) == {p for p in posts if can_view(person, p)}
            found = set(services.search_posts(person=person, query="needle", limit=1000))
            assert found == {
                p
                for p in posts
                if can_view(person, p) and ("needle" in p.body or "needle" in p.thread.title)
            }
            listed = set(Notification.objects.for_person(person))
            mine = Notification.objects.filter(person=person).select_related("space")
            assert listed == {n for n in mine if can_view(person, n)}
        # The same rule read from the people's side, as a batch of notifications is checked.
        ids = [p.pk for p in people]
        for space in spaces:
            told = set(Person.objects.filter(audience_q(space), pk__in=ids))
            assert told == {p for p in people if can_view(p, space)}
        for thread in threads:
            told = set(Person.objects.filter(audience_q(thread.space, thread), pk__in=ids))
            assert told == {p for p in people if can_view(p, thread)}
        transaction.set_rollback(True)


# --- the sanitiser ------------------------------------------------------------------------------

FRAGMENTS = [
    "<script>alert(1)</script>",
    "<SCRIPT src=x>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[link](javascript:alert(1))",
    "[link](JaVaScRiPt:alert(1))",
    "[link](java\tscript:alert(1))",
    "[l](&#106;avascript:alert(1))",
    "<svg onload=alert(1)>",
    '<div onclick="x">',
    "![img](javascript:alert(1))",
    "<iframe src=//evil>",
    "`<script>`",
    "    <script>indented</script>",
    "@pat-participant",
    "**bold** _em_",
    "\n\n",
    "<",
    ">",
    '"',
    "'",
    " onmouseover=",
    "javascript:",
    "[x](",
    ")",
]


class Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "iframe", "svg", "img", "style", "object", "embed"}:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"attribute {name}")
            cleaned = "".join(ch for ch in (value or "") if ch.isprintable() and not ch.isspace())
            if name in {"href", "src"} and cleaned.lower().startswith("javascript:"):
                self.problems.append(f"{name}={value}")


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join),
        st.text(max_size=200),
    )
)
def test_the_sanitiser_lets_no_script_through(text: str) -> None:
    for html in (render(text), posting._render(text, [])):
        inspector = Inspector()
        inspector.feed(html)
        assert inspector.problems == []
        assert "<script" not in html.lower()


# --- query counts ---------------------------------------------------------------------------------


def fill(space: Space, author: Person, threads: int, posts_per_thread: int) -> Thread:
    made = Thread.objects.bulk_create(
        [Thread(space=space, title=f"T{n}", author=author) for n in range(threads)]
    )
    Post.objects.bulk_create(
        [
            Post(space=space, thread=t, author=author, body="b", body_html="<p>b</p>")
            for t in made
            for _ in range(posts_per_thread)
        ]
    )
    return made[0]


@pytest.mark.parametrize("page", ["space", "thread"])
def test_pages_make_the_same_queries_with_10_and_2000_posts(
    cast: Cast, community_group: CommunityGroup, page: str, count_queries: CountQueries
) -> None:
    counts = []
    for size in (10, 2000):
        space = group_space(cast.facilitator, community_group, name=f"Space {size}")
        if page == "space":
            thread = fill(space, cast.group_member, threads=size, posts_per_thread=1)
            url = f"/community/{space.pk}/"
        else:
            thread = fill(space, cast.group_member, threads=1, posts_per_thread=size)
            url = f"/community/threads/{thread.pk}/"
        client = client_for(cast.facilitator)
        client.get(url)  # the first visit records a read; a later one has nothing to write
        counts.append(count_queries(client.get, url))
    assert counts[0] == counts[1] == {"space": 8, "thread": 6}[page]


# What a group space and its threads cost the group's own members (the facilitator's view
# above is the same page with the moderation tools).
GROUP_PAGE_QUERIES = {
    ("group_member", "space"): 8,
    ("group_member", "thread"): 6,
    ("participant_and_member", "space"): 8,
    ("participant_and_member", "thread"): 6,
}


@pytest.mark.parametrize(("position", "page"), GROUP_PAGE_QUERIES)
def test_a_group_space_costs_its_members_a_pinned_number_of_queries(
    cast: Cast,
    community_group: CommunityGroup,
    position: str,
    page: str,
    count_queries: CountQueries,
) -> None:
    viewer = cast.group_member if position == "group_member" else cast.participant_and_member
    counts = []
    for size in (10, 500):
        space = group_space(cast.facilitator, community_group, name=f"Space {size}")
        GuidelinesAcceptance.objects.create(space=space, person=viewer)
        if page == "space":
            fill(space, cast.group_member, threads=size, posts_per_thread=1)
            url = f"/community/{space.pk}/"
        else:
            thread = fill(space, cast.group_member, threads=1, posts_per_thread=size)
            url = f"/community/threads/{thread.pk}/"
        client = client_for(viewer)
        client.get(url)  # the first visit records a read; a later one has nothing to write
        counts.append(count_queries(client.get, url))
    assert counts[0] == counts[1] == GROUP_PAGE_QUERIES[position, page]


def test_the_index_makes_the_same_queries_with_few_and_many_spaces(
    cast: Cast, count_queries: CountQueries
) -> None:
    client = client_for(cast.facilitator)
    allies_space(cast.facilitator, name="First")
    few = count_queries(client.get, "/community/")
    for n in range(20):
        space = allies_space(cast.facilitator, name=f"More {n}")
        fill(space, cast.facilitator, threads=3, posts_per_thread=2)
    # A facilitator's index reads the spaces they look after first, then names them.
    assert count_queries(client.get, "/community/") == few == 5


def test_search_and_the_moderation_queue_are_pinned_at_any_size(
    cast: Cast, community_group: CommunityGroup, count_queries: CountQueries
) -> None:
    from bridgework.community.models import Flag

    client = client_for(cast.facilitator)
    space = group_space(cast.facilitator, community_group)
    counts = []
    for size in (3, 60):
        fill(space, cast.group_member, threads=size, posts_per_thread=2)
        fresh = Post.objects.filter(space=space, flags__isnull=True)[:size]
        Flag.objects.bulk_create(
            Flag(post=post, space=space, flagged_by=cast.participant_and_member, reason="Unsure")
            for post in fresh
        )
        counts.append(
            (
                count_queries(client.get, "/community/search/", {"q": "b"}),
                count_queries(client.get, f"/community/{space.pk}/queue"),
            )
        )
    assert counts[0] == counts[1] == (3, 7)
