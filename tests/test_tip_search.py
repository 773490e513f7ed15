"""Finding a tip on /tips/: ranked search, filters, the results count and the htmx swap.

Run this file on SQLite and on PostgreSQL: the ranking happens in Python over one simple
query, so both give the same results in the same order.
"""

from __future__ import annotations

import html
import itertools
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils.text import slugify

from bridgework.accounts.models import Organisation, Person
from bridgework.curriculum.models import Tip
from bridgework.curriculum.vocabulary import Context, Courage, Defense, Effort, Practice

from .conftest import client_for

_numbers = itertools.count()


def make_tip(organisation: Organisation, title: str, text: str = "", **fields: Any) -> Tip:
    contexts = fields.pop("contexts", [Context.EVERYDAY])
    values: dict[str, Any] = {
        "practice": Practice.DEEP_CURIOSITY,
        "defense": Defense.PARALYSIS,
        "effort": 5,
        "courage": 1,
        **fields,
    }
    return Tip.objects.create(
        organisation=organisation,
        slug=f"{slugify(title)[:60]}-{next(_numbers)}",
        title=title,
        text=text or "Do it this week and notice what changes.",
        contexts=Tip.pack_contexts(contexts),
        **values,
    )


def get_tips(client: Client, **params: Any) -> str:
    response = client.get(f"/tips/?{urlencode(params, doseq=True)}")
    assert response.status_code == 200
    return response.content.decode()


def titles(page: str) -> list[str]:
    """Tip titles in the order the page lists them."""
    return [html.unescape(t) for t in re.findall(r'<h3 class="tip__title"[^>]*>(.*?)</h3>', page)]


def count_text(page: str) -> str:
    match = re.search(r'<h2 id="results-heading"[^>]*>(.*?)</h2>', page, re.S)
    assert match, page
    return " ".join(match.group(1).split())


def search(client: Client, query: str, **filters: Any) -> list[str]:
    return titles(get_tips(client, q=query, **filters))


@pytest.fixture
def client(participant: Person) -> Client:
    return client_for(participant)


# --- Ranking ------------------------------------------------------------------------------------


def test_a_title_match_outranks_a_text_only_match(
    organisation: Organisation, client: Client
) -> None:
    # The text-only match sorts first when nothing is searched: low courage, little effort.
    in_text = make_tip(
        organisation, "Introduce yourself well", "Mention your pronouns when you say hello."
    )
    in_title = make_tip(
        organisation,
        "Add your pronouns to your profile",
        "It takes a minute and makes it easier for others.",
        courage=3,
        effort=30,
    )
    make_tip(organisation, "Learn names", "Practise a colleague's name until it is right.")

    assert titles(get_tips(client))[0] == in_text.title
    assert search(client, "pronouns") == [in_title.title, in_text.title]


def test_a_tip_matching_every_word_outranks_a_strong_match_on_one_word(
    organisation: Organisation, client: Client
) -> None:
    one_word = make_tip(
        organisation,
        "Quiet hours, quiet minds",
        "Protect quiet time, because quiet focus helps quiet people do their best work.",
    )
    every_word = make_tip(
        organisation,
        "Invite every voice",
        "In the next meeting, ask the quiet colleague for their view first.",
        courage=2,
        effort=10,
    )

    assert search(client, "quiet colleague") == [every_word.title, one_word.title]


def test_more_matching_words_rank_higher(organisation: Organisation, client: Client) -> None:
    one = make_tip(organisation, "Take notes", "Offer to take the notes at the next retro.")
    two = make_tip(
        organisation, "Share the notes", "Share the retro notes with everyone.", courage=3
    )

    assert search(client, "retro notes everyone") == [two.title, one.title]


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("meetings", "Before the meeting, read the agenda with fresh eyes."),
        ("meeting", "In meetings, notice who has not spoken yet."),
        ("stories", "Ask for the story behind a decision you do not understand."),
        ("story", "Listen to the stories people tell about their first week."),
        ("asking", "Ask once, in private, how to say a name."),
    ],
)
def test_search_finds_other_forms_of_a_word(
    organisation: Organisation, client: Client, query: str, text: str
) -> None:
    found = make_tip(organisation, "A tip", text)
    make_tip(organisation, "Unrelated", "Thank a colleague for their help.")

    assert search(client, query) == [found.title]


def test_a_search_word_finds_itself(organisation: Organisation, client: Client) -> None:
    tips = {
        word: make_tip(organisation, f"About {word}", f"Something about {word} today.")
        for word in ["meetings", "stories", "apologies", "replies", "colleagues", "asked"]
    }

    for word, tip in tips.items():
        assert tip.title in search(client, word), word


def test_stop_words_alone_return_every_tip(organisation: Organisation, client: Client) -> None:
    for n in range(4):
        make_tip(organisation, f"Tip number {n}", "The small things add up.")

    page = get_tips(client, q="the and of with you")

    assert sorted(titles(page)) == sorted(titles(get_tips(client)))
    assert len(titles(page)) == 4


def test_no_match_returns_no_tips(organisation: Organisation, client: Client) -> None:
    make_tip(organisation, "Ask one more question", "It shows you want to understand.")

    page = get_tips(client, q="zeppelin")

    assert titles(page) == []
    assert count_text(page) == "0 tips found"
    assert "No tips match" in page


def test_search_ignores_case(organisation: Organisation, client: Client) -> None:
    found = make_tip(organisation, "Speak Up In Meetings", "When Someone Is Talked Over, Say So.")
    make_tip(organisation, "Unrelated", "Thank a colleague for their help.")

    for query in ["meetings", "MEETINGS", "Meetings", "talked OVER", "SPEAK"]:
        assert search(client, query) == [found.title], query


def test_search_matches_the_tags_of_a_tip(organisation: Organisation, client: Client) -> None:
    tagged = make_tip(organisation, "Write it down", contexts=[Context.HIRING])
    make_tip(organisation, "Something else", contexts=[Context.CHAT])

    assert search(client, "hiring") == [tagged.title]


def test_search_shows_only_approved_current_tips_of_this_organisation(
    organisation: Organisation, other_organisation: Organisation, client: Client
) -> None:
    shown = make_tip(organisation, "Approved apology tip", "Say sorry and mean it.")
    make_tip(organisation, "Pending apology tip", status=Tip.Status.PENDING)
    make_tip(organisation, "Declined apology tip", status=Tip.Status.DECLINED)
    retired = make_tip(organisation, "Retired apology tip")
    retired.retired_at = retired.created_at
    retired.save()
    make_tip(other_organisation, "Another organisation's apology tip")

    assert search(client, "apology") == [shown.title]
    assert titles(get_tips(client)) == [shown.title]


# --- Filters ---------------------------------------------------------------------------------


@pytest.fixture
def variety(organisation: Organisation) -> list[Tip]:
    """Tips spread over every value of every filter, some of them about meetings."""
    tips = []
    practices, defenses = Practice.values, Defense.values
    contexts = Context.values
    for n in range(28):
        tips.append(
            make_tip(
                organisation,
                f"Tip {n:02d}" + (" for meetings" if n % 3 == 0 else ""),
                "Try it in the next meeting." if n % 5 == 0 else "Try it this week.",
                practice=practices[n % len(practices)],
                defense=defenses[n % len(defenses)],
                courage=Courage.values[n % 4],
                effort=[1, 5, 10, 15, 30, 60][n % 6],
                contexts=[contexts[n % len(contexts)], contexts[(n + 3) % len(contexts)]],
            )
        )
    return tips


FILTERS: list[tuple[str, list[Any]]] = [
    ("practice", Practice.values),
    ("defense", Defense.values),
    ("courage", Courage.values),
    ("context", Context.values),
    ("effort", Effort.values),
]


def matches(tip: Tip, name: str, value: Any) -> bool:
    if name == "context":
        return bool(value in tip.context_list)
    if name == "effort":
        return bool(tip.effort <= value)
    return bool(getattr(tip, name) == value)


def all_titles(client: Client, **params: Any) -> list[str]:
    """Every result title, across pages."""
    found: list[str] = []
    for page in itertools.count(1):
        html_page = get_tips(client, page=page, **params)
        found += titles(html_page)
        if 'rel="next"' not in html_page and "Next page" not in html_page:
            return found
    return found  # pragma: no cover


@pytest.mark.parametrize(("name", "values"), FILTERS, ids=[name for name, _ in FILTERS])
def test_each_filter_narrows_the_tips_to_those_it_names(
    variety: list[Tip], client: Client, name: str, values: list[Any]
) -> None:
    for value in values:
        expected = {tip.title for tip in variety if matches(tip, name, value)}
        assert expected, value
        assert expected != {tip.title for tip in variety} or name == "effort"

        found = all_titles(client, **{name: value})

        assert sorted(found) == sorted(expected), value


def test_filters_combine_with_each_other_and_with_search(
    variety: list[Tip], client: Client
) -> None:
    filters = {"courage": 1, "effort": 15}
    expected_filtered = {
        t.title for t in variety if all(matches(t, k, v) for k, v in filters.items())
    }
    expected_both = {
        t.title
        for t in variety
        if t.title in expected_filtered
        and ("meeting" in f"{t.title} {t.text}" or Context.MEETINGS in t.context_list)
    }
    assert expected_both
    assert expected_both != expected_filtered

    assert sorted(all_titles(client, **filters)) == sorted(expected_filtered)
    assert sorted(all_titles(client, q="meetings", **filters)) == sorted(expected_both)


def test_the_context_filter_matches_whole_context_names_only(
    organisation: Organisation, client: Client
) -> None:
    one_to_ones = make_tip(organisation, "Book the one-to-one", contexts=[Context.ONE_TO_ONES])
    meetings = make_tip(organisation, "Hold the meeting", contexts=[Context.MEETINGS])
    both = make_tip(
        organisation, "Follow up", contexts=[Context.EVERYDAY, Context.MEETINGS, Context.EMAIL]
    )

    assert sorted(all_titles(client, context="meetings")) == sorted([meetings.title, both.title])
    assert all_titles(client, context="one-to-ones") == [one_to_ones.title]
    # A part of a name is not a place: it does not narrow the list to the tips that contain it.
    for partial in ["meet", "ones", "mail", ","]:
        assert sorted(all_titles(client, context=partial)) == sorted(
            [one_to_ones.title, meetings.title, both.title]
        ), partial


def test_an_unknown_filter_value_leaves_the_search_and_other_filters_working(
    organisation: Organisation, client: Client
) -> None:
    bold = make_tip(organisation, "Name the pattern", courage=3)
    gentle = make_tip(organisation, "Name it gently", courage=1)
    make_tip(organisation, "Unrelated", courage=3)

    assert search(client, "name", courage=3, context="nowhere") == [bold.title]
    assert sorted(search(client, "name", courage=9)) == sorted([bold.title, gentle.title])


# --- The results ------------------------------------------------------------------------------


def test_the_results_count_says_how_many_tips_were_found(
    organisation: Organisation, client: Client
) -> None:
    make_tip(organisation, "Ask about meetings", courage=2)
    make_tip(organisation, "Plan the meeting", courage=1)
    make_tip(organisation, "Write an e-mail", courage=1)

    assert count_text(get_tips(client)) == "3 tips"
    assert count_text(get_tips(client, q="meeting")) == "2 tips found"
    assert count_text(get_tips(client, q="meeting", courage=2)) == "1 tip found"
    assert count_text(get_tips(client, courage=4)) == "0 tips found"


def test_many_results_are_paged_and_the_pager_keeps_the_search(
    organisation: Organisation, client: Client
) -> None:
    for n in range(25):
        make_tip(organisation, f"Meeting tip {n:02d}")
    make_tip(organisation, "Something else")

    first = get_tips(client, q="meeting")
    second = get_tips(client, q="meeting", page=2)

    assert count_text(first) == "25 tips found"
    assert len(titles(first)) == 20
    assert len(titles(second)) == 5
    assert set(titles(first)).isdisjoint(titles(second))
    assert "?q=meeting&amp;page=2" in first


def test_an_htmx_request_gets_only_the_results_section(
    organisation: Organisation, client: Client
) -> None:
    found = make_tip(organisation, "Plan the meeting", "Share the agenda a day early.")
    make_tip(organisation, "Write an e-mail")

    response = client.get("/tips/", {"q": "agenda"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="results"')
    assert page.rstrip().endswith("</section>")
    assert "<html" not in page
    assert "<form" not in page
    assert titles(page) == [found.title]
    assert count_text(page) == "1 tip found"
