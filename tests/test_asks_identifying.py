"""The check that keeps names, e-mail addresses, groups, teams and places out of the wording
allies read: a pure function over the text, fed by one read of the organisation's names."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from bridgework.accounts.models import CommunityGroup, Invitation, Organisation, Role
from bridgework.asks.identifying import EVERYDAY_WORDS, Names, find_identifying, names_from
from bridgework.asks.names import organisation_names
from bridgework.cohorts.models import Cohort, Session
from bridgework.community.models import Space

from .conftest import make_person

ORGANISATION = names_from(
    people=["Sam Chen", "Will Okafor", "Jo"],
    emails=["sam.chen@acme.test", "r.patel@acme.test"],
    names=["Disability Network", "Acme", "Leeds finance"],
    places=["Leeds office, room 3", "Kingfisher suite"],
)


def flagged(text: str, names: Names = ORGANISATION) -> list[str]:
    return find_identifying(text, names)


def test_it_flags_the_example_from_the_issue() -> None:
    text = "Sam Chen here, from the Leeds finance team: my medication makes mornings hard."
    assert flagged(text) == ["Sam Chen", "Leeds finance"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sam CHEN asked", ["sam CHEN"]),
        ("Ask chen about it", ["chen"]),
        ("Sam's team", ["Sam"]),
        ("write to sam.chen@acme.test", ["sam.chen", "acme"]),
        ("sam_chen said", ["sam_chen"]),
        ("Sam-Chen", ["Sam-Chen"]),
        ("SamChen", ["SamChen"]),
        ("S.a.m", ["S.a.m"]),
        ("S a m", ["S a m"]),
        ("S. A. M.", ["S. A. M"]),
        ("C-h-e-n", ["C-h-e-n"]),
        ("Sa\u200bm", ["Sa\u200bm"]),  # a zero-width space inside the name
        ("Sám", ["Sám"]),
        ("Sa\u0301m", ["Sa\u0301m"]),  # the accent as a separate character
        ("\uff33\uff41\uff4d", ["\uff33\uff41\uff4d"]),  # full-width letters
        ("Patel", ["Patel"]),  # from an e-mail address's local part
        ("the Disability Network meets", ["Disability Network"]),
        ("someone in the kingfisher suite", ["kingfisher suite"]),
        ("near Leeds", ["Leeds"]),  # a word of a place's name
        ("Will Okafor will help", ["Will Okafor"]),
        ("Okafor", ["Okafor"]),
        ("Jo asked", ["Jo"]),
        ("acme staff", ["acme"]),
    ],
)
def test_it_flags_names_however_they_are_written(text: str, expected: list[str]) -> None:
    assert flagged(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Samantha and the same people",  # whole words only
        "It will help if you turn captions on.",  # "Will" alone is an everyday word
        "People with a disability rely on captions.",  # a single word of a group's name
        "Book a room in the office.",  # words that say what kind of place something is
        "This is a thing; in a minute, on a call.",  # short words run together are not names
        "Join the network of allies.",
        "",
    ],
)
def test_it_leaves_everyday_words_alone(text: str) -> None:
    assert flagged(text) == []


def test_the_name_of_an_allies_space_for_everyone_is_not_flagged() -> None:
    names = names_from(names=["Allies", "Allies' space", "Everyone in the program", "Acme"])
    assert flagged("Allies in this space: everyone in the program, Acme", names) == ["Acme"]


def test_it_quotes_each_flagged_word_once_in_order() -> None:
    assert flagged("Leeds, then Sam, then LEEDS and sam again") == ["Leeds", "Sam"]


def test_it_flags_nothing_when_there_are_no_names() -> None:
    assert flagged("Sam Chen", Names()) == []


# Everyday words ("you", "will") are flagged only inside a whole name, never alone.
NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12).filter(
    lambda word: word not in EVERYDAY_WORDS
)
SEPARATOR = st.sampled_from([".", "-", "_", "'", "\u200b", "·", "/", "*"])


@given(name=NAME, separators=st.lists(SEPARATOR, min_size=11, max_size=11), upper=st.booleans())
def test_punctuation_between_the_letters_never_hides_a_name(
    name: str, separators: list[str], upper: bool
) -> None:
    names = names_from(people=[f"Zz {name}"])
    spelled = "".join(letter + separators[i] for i, letter in enumerate(name[:-1])) + name[-1]
    spelled = spelled.upper() if upper else spelled
    assert flagged(f"Ask {spelled}, please.", names) == [spelled]


@given(name=NAME, before=st.sampled_from(["(", "“", "«", "— ", "\n", "\t"]))
def test_a_name_is_found_whatever_stands_around_it(name: str, before: str) -> None:
    names = names_from(people=[name])
    assert flagged(f"Hello{before}{name.title()}!", names) == [name.title()]


@given(word=NAME, name=NAME)
def test_a_longer_word_that_starts_with_a_name_is_not_flagged(word: str, name: str) -> None:
    names = names_from(people=[name])
    longer = name + word
    assert flagged(f"A {longer} here", names) == ([] if longer != name else [longer])


# --- the organisation's names, read once ----------------------------------------------------


def test_the_organisations_names_come_from_one_query(organisation: Organisation) -> None:
    facilitator = make_person(
        organisation, "dana.reyes@acme.test", "Dana Reyes", {Role.FACILITATOR}
    )
    make_person(organisation, "kim@acme.test", "Kim Osei", {Role.PARTICIPANT})
    Invitation.build(
        organisation=organisation,
        email="new.starter@acme.test",
        chosen_name="Nia Newstarter",
        roles=[Role.PARTICIPANT],
        invited_by=facilitator,
    )[0].save()
    group = CommunityGroup.objects.create(organisation=organisation, name="Parents at Work")
    own_space = Space.objects.create(
        organisation=organisation, name="Quiet corner", slug="quiet", audience="group", group=group
    )
    # Another group's protected space, which Dana cannot see: its name is not theirs to learn.
    Space.objects.create(
        organisation=organisation,
        name="Lantern room",
        slug="lantern",
        audience="group",
        group=CommunityGroup.objects.create(organisation=organisation, name="Carers"),
    )
    cohort = Cohort.objects.create(
        organisation=organisation, name="Harbourside cohort", start_date="2026-01-06"
    )
    cohort.facilitators.add(facilitator)
    Session.objects.create(
        cohort=cohort,
        number=1,
        starts_at="2026-01-06T16:00:00Z",
        time_zone="UTC",
        location="Bristol office, Heron room",
    )
    # Another cohort's room, shown only to its members and whoever runs it: not Dana.
    Session.objects.create(
        cohort=Cohort.objects.create(
            organisation=organisation, name="Riverside cohort", start_date="2026-01-06"
        ),
        number=1,
        starts_at="2026-01-06T16:00:00Z",
        time_zone="UTC",
        location="Leeds office, Kestrel suite",
    )
    other = Organisation.objects.create(name="Globex", slug="globex")
    make_person(other, "zara.quint@globex.test", "Zara Quint", {Role.PARTICIPANT})
    with CaptureQueriesContext(connection) as queries:
        names = organisation_names(organisation.pk, facilitator=facilitator, ask_space=own_space)
    assert len(queries) == 1
    text = (
        "Dana, Osei, new.starter, Nia, Parents at Work, Quiet corner, Harbourside cohort, "
        "Bristol, Heron room, Acme, Zara Quint, Globex, Lantern room, Kestrel suite"
    )
    assert find_identifying(text, names) == [
        "Dana",
        "Osei",
        "new.starter",
        "Nia",
        "Parents at Work",
        "Quiet corner",
        "Harbourside cohort",
        "Bristol",
        "Heron room",
        "Acme",
    ]
