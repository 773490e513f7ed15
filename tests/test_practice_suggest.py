""" "Pick one thing for me": the suggestion rules (as properties), and the pick page with
"show me another", htmx, and a kind answer when the tank is low."""

from __future__ import annotations

import random
import re
from itertools import pairwise

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from bridgework.accounts.models import Organisation, Person
from bridgework.curriculum.models import Tip
from bridgework.curriculum.vocabulary import Courage, Defense, Practice
from bridgework.practice import assessment, services, suggest
from bridgework.practice.models import Capacity

from .conftest import client_for

# Running low: only light actions (five minutes at most) at the two gentlest courage levels.
LOW_MAX_EFFORT = 5
LOW_MAX_COURAGE = 2

practices = st.sampled_from(Practice.values)
defenses = st.sampled_from(Defense.values)
levels = st.sampled_from(Courage.values)
capacities = st.sampled_from(Capacity.values)
efforts = st.sampled_from([2, 5, 10, 15, 30, 45, 60])


@st.composite
def libraries(draw: st.DrawFn) -> list[Tip]:
    """A tips library (not saved: the rules need no database)."""
    rows = draw(st.lists(st.tuples(practices, defenses, efforts, levels), max_size=30))
    return [
        Tip(pk=n, slug=f"tip-{n}", title=f"Tip {n}", practice=p, defense=d, effort=e, courage=c)
        for n, (p, d, e, c) in enumerate(rows, start=1)
    ]


@st.composite
def situations(draw: st.DrawFn) -> tuple[list[Tip], suggest.Preferences]:
    tips = draw(libraries())
    avoid = draw(st.sets(st.sampled_from([t.pk for t in tips]))) if tips else set()
    prefs = suggest.Preferences(
        level=draw(levels),
        capacity=draw(capacities),
        weakest_practice=draw(st.none() | practices),
        defense=draw(st.none() | defenses),
        avoid=avoid,
    )
    return tips, prefs


def fits(tip: Tip, prefs: suggest.Preferences) -> bool:
    """The hard rules: never above the level, never avoided, and light enough for the tank."""
    if tip.courage > prefs.level or tip.pk in prefs.avoid:
        return False
    if prefs.capacity == Capacity.LOW:
        return tip.effort <= LOW_MAX_EFFORT and tip.courage <= LOW_MAX_COURAGE
    return tip.effort <= suggest.MAX_EFFORT[Capacity(prefs.capacity)]


# --- The rules ------------------------------------------------------------------------------


@given(situation=situations(), seed=st.integers())
def test_the_suggestion_is_never_above_the_unlocked_level_nor_an_avoided_tip(
    situation: tuple[list[Tip], suggest.Preferences], seed: int
) -> None:
    tips, prefs = situation

    tip = suggest.pick(tips, prefs, rng=random.Random(seed))

    if tip is not None:
        assert tip in tips
        assert tip.courage <= prefs.level
        assert tip.pk not in prefs.avoid


@given(situation=situations(), seed=st.integers())
def test_a_low_tank_gets_only_light_and_gentle_tips(
    situation: tuple[list[Tip], suggest.Preferences], seed: int
) -> None:
    tips, prefs = situation
    low = suggest.Preferences(**{**prefs.__dict__, "capacity": Capacity.LOW})

    tip = suggest.pick(tips, low, rng=random.Random(seed))

    if tip is not None:
        assert tip.effort <= LOW_MAX_EFFORT
        assert tip.courage <= LOW_MAX_COURAGE


@given(situation=situations(), seed=st.integers())
def test_nothing_is_suggested_only_when_no_tip_fits(
    situation: tuple[list[Tip], suggest.Preferences], seed: int
) -> None:
    tips, prefs = situation

    tip = suggest.pick(tips, prefs, rng=random.Random(seed))

    assert (tip is None) == (not any(fits(t, prefs) for t in tips))
    if tip is not None:
        assert fits(tip, prefs)


def test_the_weakest_practice_outranks_the_defense_and_the_level_together() -> None:
    weakest_practice = Tip(
        pk=1, practice=Practice.DEEP_CURIOSITY, defense=Defense.PARALYSIS, effort=5, courage=1
    )
    defense_at_level = Tip(
        pk=2,
        practice=Practice.HONEST_INTROSPECTION,
        defense=Defense.SELF_PRESERVATION,
        effort=5,
        courage=2,
    )
    prefs = suggest.Preferences(
        level=2,
        capacity=Capacity.SOME,
        weakest_practice=Practice.DEEP_CURIOSITY,
        defense=Defense.SELF_PRESERVATION,
        avoid=set(),
    )

    picked = {
        suggest.pick([weakest_practice, defense_at_level], prefs, rng=random.Random(seed))
        for seed in range(40)
    }

    assert picked == {weakest_practice}


@given(situation=situations(), seed=st.integers())
def test_the_weakest_practice_comes_first_then_the_chosen_defense(
    situation: tuple[list[Tip], suggest.Preferences], seed: int
) -> None:
    tips, prefs = situation
    fitting = [t for t in tips if fits(t, prefs)]

    tip = suggest.pick(tips, prefs, rng=random.Random(seed))

    weakest = [t for t in fitting if t.practice == prefs.weakest_practice]
    pool = weakest or fitting
    if weakest:
        assert tip is not None
        assert tip.practice == prefs.weakest_practice
    if any(t.defense == prefs.defense for t in pool):
        assert tip is not None
        assert tip.defense == prefs.defense


@given(situation=situations(), seed=st.integers(), clicks=st.integers(1, 12))
def test_show_me_another_never_shows_the_same_tip_twice_in_a_row(
    situation: tuple[list[Tip], suggest.Preferences], seed: int, clicks: int
) -> None:
    tips, base = situation
    rng = random.Random(seed)
    shown: list[Tip] = []
    for _ in range(clicks):
        previous = {shown[-1].pk} if shown else set()
        tip = suggest.pick(
            tips, suggest.Preferences(**{**base.__dict__, "avoid": previous}), rng=rng
        )
        if tip is None:
            break
        shown.append(tip)

    assert all(a.pk != b.pk for a, b in pairwise(shown))


def test_ties_are_broken_at_random_so_another_pick_can_differ() -> None:
    tips = [
        Tip(
            pk=n,
            title=f"Tip {n}",
            practice=Practice.DEEP_CURIOSITY,
            defense=Defense.PARALYSIS,
            effort=5,
            courage=1,
        )
        for n in range(1, 6)
    ]
    prefs = suggest.Preferences(
        level=1, capacity=Capacity.SOME, weakest_practice=None, defense=None, avoid=set()
    )

    picked = {suggest.pick(tips, prefs, rng=random.Random(seed)) for seed in range(40)}

    assert len(picked) > 1


# --- The pick page ---------------------------------------------------------------------------

TIP_LINK = re.compile(r'href="/practice/commit/\?tip=(\d+)"')
ANOTHER_LINK = re.compile(r'href="(/practice/pick/\?seen=[\d,]*)"')


def add_tip(
    organisation: Organisation,
    slug: str,
    *,
    practice: str = Practice.DEEP_CURIOSITY,
    defense: str = Defense.PARALYSIS,
    effort: int = 5,
    courage: int = 1,
    status: str = Tip.Status.APPROVED,
) -> Tip:
    return Tip.objects.create(
        organisation=organisation,
        slug=slug,
        title=f"Tip {slug}",
        text=f"Do the {slug} thing.",
        practice=practice,
        defense=defense,
        effort=effort,
        courage=courage,
        contexts=",meetings,",
        status=status,
    )


@pytest.fixture
def library(organisation: Organisation, other_organisation: Organisation) -> list[Tip]:
    """Three light level-1 tips, a longer one, a braver one, and two that nobody here sees."""
    fitting = [
        add_tip(organisation, "light-curiosity", practice=Practice.DEEP_CURIOSITY),
        add_tip(organisation, "light-introspection", practice=Practice.HONEST_INTROSPECTION),
        add_tip(organisation, "light-empathy", practice=Practice.EMPATHETIC_ENGAGEMENT),
    ]
    add_tip(organisation, "a-longer-one", effort=15, practice=Practice.AUTHENTIC_CONVERSATIONS)
    add_tip(organisation, "braver", courage=3)
    add_tip(organisation, "waiting-for-review", status=Tip.Status.PENDING)
    add_tip(other_organisation, "elsewhere")
    return fitting


def shown_tip(html: str) -> Tip | None:
    match = TIP_LINK.search(html)
    return Tip.objects.get(pk=int(match.group(1))) if match else None


def get_page(client: Client, url: str, headers: dict[str, str] | None = None) -> str:
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    return response.content.decode()


def test_show_me_another_never_repeats_the_previous_tip(
    library: list[Tip], participant: Person
) -> None:
    client = client_for(participant)
    html = get_page(client, "/practice/pick/")
    shown: list[Tip] = []
    for _ in range(10):
        tip = shown_tip(html)
        assert tip is not None
        shown.append(tip)
        another = ANOTHER_LINK.search(html)
        assert another is not None
        html = get_page(client, another.group(1))

    assert all(a.pk != b.pk for a, b in pairwise(shown))
    organisation = participant.organisation
    assert all(t.organisation == organisation and t.status == Tip.Status.APPROVED for t in shown)
    assert all(t.courage <= services.unlocked_level(participant) for t in shown)
    assert {t.pk for t in shown} <= {t.pk for t in Tip.objects.filter(organisation=organisation)}


def test_with_only_two_tips_that_fit_the_suggestions_take_turns(
    organisation: Organisation, participant: Person
) -> None:
    first, second = add_tip(organisation, "first"), add_tip(organisation, "second")
    client = client_for(participant)
    html = get_page(client, "/practice/pick/")
    shown = []
    for _ in range(8):
        tip = shown_tip(html)
        assert tip is not None
        shown.append(tip.pk)
        another = ANOTHER_LINK.search(html)
        assert another is not None
        html = get_page(client, another.group(1))

    assert set(shown) == {first.pk, second.pk}
    assert all(a != b for a, b in pairwise(shown))


def test_with_htmx_show_me_another_returns_only_the_suggestion(
    library: list[Tip], participant: Person
) -> None:
    client = client_for(participant)
    page = get_page(client, "/practice/pick/")
    previous = shown_tip(page)
    another = ANOTHER_LINK.search(page)
    assert previous is not None and another is not None

    partial = get_page(client, another.group(1), {"HX-Request": "true"})

    assert partial.strip().startswith('<section id="suggestion"')
    assert partial.strip().endswith("</section>")
    assert "<html" not in partial
    assert "<h1" not in partial
    assert 'name="capacity"' not in partial
    tip = shown_tip(partial)
    assert tip is not None
    assert tip.pk != previous.pk


def test_the_suggestion_fits_the_weakest_practice_and_chosen_defense(
    library: list[Tip], organisation: Organisation, participant: Person
) -> None:
    weakest, chosen = Practice.VULNERABLE_INTERACTIONS, Defense.OTHER_CONSCIOUSNESS
    wanted = add_tip(organisation, "fits-best", practice=weakest, defense=chosen)
    add_tip(organisation, "right-practice", practice=weakest, defense=Defense.PARALYSIS)
    services.take_assessment(
        person=participant,
        answers={item.key: 0 if item.practice == weakest else 3 for item in assessment.ITEMS},
        defense=chosen,
    )

    assert shown_tip(get_page(client_for(participant), "/practice/pick/")) == wanted


def test_a_tip_committed_to_recently_is_not_suggested_again(
    organisation: Organisation, participant: Person
) -> None:
    committed, other = add_tip(organisation, "committed"), add_tip(organisation, "other")
    services.commit(
        person=participant,
        title=committed.title,
        practice=committed.practice,
        courage=committed.courage,
        cadence="weekly",
        tip=committed,
    )
    client = client_for(participant)

    for _ in range(3):
        tip = shown_tip(get_page(client, "/practice/pick/?seen="))
        assert tip in (other, None)


def test_a_low_tank_gets_a_light_action_and_a_kind_word(
    library: list[Tip], organisation: Organisation, participant: Person
) -> None:
    add_tip(organisation, "heavy-but-gentle", effort=45, courage=1)
    client = client_for(participant)

    response = client.post("/practice/capacity", {"capacity": Capacity.LOW, "next": "pick"})
    assert response.status_code == 302
    assert response["Location"] == "/practice/pick/"
    assert services.profile_for(participant).capacity == Capacity.LOW

    for _ in range(4):
        html = get_page(client, "/practice/pick/")
        assert "Running low is real" in html
        assert "pause a commitment" in html
        tip = shown_tip(html)
        assert tip is not None
        assert tip.effort <= LOW_MAX_EFFORT
        assert tip.courage <= LOW_MAX_COURAGE


def test_a_low_tank_with_nothing_light_enough_is_offered_a_pause(
    organisation: Organisation, participant: Person
) -> None:
    add_tip(organisation, "an-hour", effort=60)
    services.set_capacity(person=participant, capacity=Capacity.LOW)

    html = get_page(client_for(participant), "/practice/pick/")

    assert shown_tip(html) is None
    assert "Nothing fits right now" in html
    assert "You could pause for a while" in html
    assert "Rest is part of the practice" in html
