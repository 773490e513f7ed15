"""An anonymous poll's closed tally tells no one what any voter chose: an option's count is
given exactly only when at least five voters chose it and at least five did not; otherwise
as a range that never says none, never says all (the rule of a session pulse's results).
A named poll shows who chose what by design, so its counts stay exact."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import count, product

import time_machine

from bridgework.accounts.models import Person, Role
from bridgework.community import services
from bridgework.community.models import GuidelinesAcceptance, Poll
from bridgework.community.services.polls import PollResults, anonymous_bands
from bridgework.lib.small_counts import Band

from .community_support import allies_space
from .conftest import Cast, client_for, make_person

MONDAY = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
YES_NO = ("Yes", "No")
FOUR = ("Listening", "Naming it", "Checking in", "Following up")
_polls = count()
Said = tuple[tuple[Band, int | None], ...]  # each option's band, and its count if said


def closed_poll(
    cast: Cast,
    ballots: Sequence[Sequence[int]],
    *,
    options: Sequence[str] = YES_NO,
    anonymous: bool = True,
    kind: str = "single",
) -> Poll:
    """A poll whose voters chose, one ballot each, the options at those positions; then
    closed."""
    organisation = cast.participant.organisation
    assert organisation is not None
    n = next(_polls)
    space = allies_space(cast.facilitator, f"Allies {n}")
    GuidelinesAcceptance.objects.get_or_create(space=space, person=cast.facilitator)
    with time_machine.travel(MONDAY, tick=False):
        poll = services.create_poll(
            space=space,
            created_by=cast.facilitator,
            question="Have you been talked over this month?",
            options=list(options),
            kind=kind,
            is_anonymous=anonymous,
        )
        choices = list(poll.options.order_by("position"))
        for v, ballot in enumerate(ballots):
            voter = make_person(
                organisation, f"b{n}-{v}@acme.test", f"Voter {v}", {Role.PARTICIPANT}
            )
            services.vote(poll=poll, person=voter, options=[choices[i] for i in ballot])
        services.close_poll(poll=poll, person=cast.facilitator)
    return poll


def single(*counts: int) -> list[list[int]]:
    """Ballots of a single-choice poll giving each option, in order, that many votes."""
    return [[i] for i, count in enumerate(counts) for _ in range(count)]


def results_html(person: Person, poll: Poll) -> str:
    page = client_for(person).get(f"/community/polls/{poll.pk}/").content.decode()
    found = re.search(r'<section aria-labelledby="results-heading">.*?</section>', page, re.S)
    assert found is not None
    return found.group(0)


def cells(person: Person, poll: Poll) -> list[list[str]]:
    """Each row of the results table: its option, then what the other cells say, as text."""
    rows = re.findall(r"<tr><th scope=\"row\".*?</tr>", results_html(person, poll), re.S)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def counts(results: PollResults) -> list[int | None]:
    return [row.votes for row in results.rows]


def test_a_unanimous_anonymous_poll_of_five_says_neither_all_nor_none(cast: Cast) -> None:
    """The leak a reviewer found: five members, "Yes 5 (100%) · No 0" told each one's answer."""
    poll = closed_poll(cast, single(5, 0))
    results = services.poll_results(poll)
    assert results.shown and results.voters == 5
    assert counts(results) == [None, None] and [row.share for row in results.rows] == [None, None]
    assert cells(cast.participant, poll) == [
        ["Yes", "more than half", "— not shown"],
        ["No", "fewer than half", "— not shown"],
    ]
    section = results_html(cast.facilitator, poll)
    assert "100" not in section and "<progress" not in section
    assert not re.search(r">\s*[05]\s*<", section) and "0%" not in section
    # Whoever voted with the four knows no more than whoever voted alone would.
    assert cells(cast.participant, closed_poll(cast, single(4, 1))) == cells(cast.participant, poll)
    assert cells(cast.participant, closed_poll(cast, single(3, 2))) == cells(cast.participant, poll)


def test_a_split_below_ten_voters_says_only_which_side_holds_more_than_half(cast: Cast) -> None:
    # Two options are each other's rest: a tie reads as "at least half" for the second,
    # never as "half or fewer" twice, which would add up to the exact tie.
    tie = closed_poll(cast, single(3, 3))
    assert [row[1] for row in cells(cast.participant, tie)] == ["half or fewer", "at least half"]
    poll = closed_poll(cast, single(1, 4, 2, 0), options=FOUR)
    assert [row[1] for row in cells(cast.participant, poll)] == [
        "half or fewer",
        "more than half",
        "half or fewer",
        "half or fewer",
    ]


def test_five_and_five_of_ten_are_counted_exactly(cast: Cast) -> None:
    poll = closed_poll(cast, single(5, 5))
    results = services.poll_results(poll)
    assert counts(results) == [5, 5] and [row.share for row in results.rows] == [50, 50]
    assert cells(cast.participant, poll) == [["Yes", "5", "50%"], ["No", "5", "50%"]]
    assert 'value="50"' in results_html(cast.participant, poll)


def test_from_ten_voters_a_small_side_is_a_range_of_five_counts(cast: Cast) -> None:
    poll = closed_poll(cast, single(11, 1))
    assert [row[1:] for row in cells(cast.participant, poll)] == [
        ["more than 7", "— not shown"],
        ["fewer than 5", "— not shown"],
    ]
    section = results_html(cast.participant, poll)
    assert "11" not in section and "92%" not in section and "8%" not in section
    assert "12 votes" in client_for(cast.participant).get(poll.get_absolute_url()).content.decode()


def test_options_are_counted_exactly_when_every_one_clears_the_threshold(cast: Cast) -> None:
    poll = closed_poll(cast, single(6, 5, 5, 5), options=FOUR)
    assert counts(services.poll_results(poll)) == [6, 5, 5, 5]
    assert [row[1:] for row in cells(cast.participant, poll)] == [
        ["6", "29%"],
        ["5", "24%"],
        ["5", "24%"],
        ["5", "24%"],
    ]
    assert "at least 5 voters chose it" not in results_html(cast.participant, poll)


def test_beside_a_small_option_none_is_counted_exactly(cast: Cast) -> None:
    """9, 6 and 6 of 21 would leave nothing for the fourth option, said to hold "fewer
    than 5"; 9 and 6 would leave 6 for two such options. So once any option is a band, so
    are the others, whatever the counts behind them."""
    for tally, most in (((9, 6, 6, 0), 16), ((9, 6, 4, 2), 16)):
        poll = closed_poll(cast, single(*tally), options=FOUR)
        assert counts(services.poll_results(poll)) == [None, None, None, None]
        assert [row[1] for row in cells(cast.participant, poll)] == [
            f"between 5 and {most}",
            f"between 5 and {most}",
            "between 5 and 16" if tally[2] >= 5 else "fewer than 5",
            "fewer than 5",
        ]


def test_with_few_voters_for_many_options_only_halves_are_said(cast: Cast) -> None:
    """5 and 5 of 10 beside a third option would say nobody chose the third; three
    options each under five of 12 would mean four each: below 5 voters an option, less two,
    the options are split at half, as below ten voters."""
    for tally in ((5, 5, 0), (4, 4, 4), (6, 5, 1, 0)):
        poll = closed_poll(cast, single(*tally), options=FOUR[: len(tally)])
        assert [row[1] for row in cells(cast.participant, poll)] == ["half or fewer"] * len(tally)
    assert [
        row[1]
        for row in cells(cast.participant, closed_poll(cast, single(7, 2, 2), options=FOUR[:3]))
    ] == ["more than half", "half or fewer", "half or fewer"]


def test_a_pick_several_poll_counts_each_option_against_the_voters_who_left_it(
    cast: Cast,
) -> None:
    everyone_both = closed_poll(cast, [[0, 1]] * 5, kind="multiple")
    assert [row[1] for row in cells(cast.participant, everyone_both)] == [
        "more than half",
        "more than half",
    ]
    assert "100" not in results_html(cast.participant, everyone_both)
    ten = closed_poll(cast, [[0, 1]] * 5 + [[0]] * 5, kind="multiple")
    assert [row[1:] for row in cells(cast.participant, ten)] == [
        ["more than 5", "— not shown"],
        ["5", "50%"],
    ]


def test_a_named_poll_keeps_its_exact_counts(cast: Cast) -> None:
    poll = closed_poll(cast, single(5, 0), anonymous=False)
    results = services.poll_results(poll)
    assert counts(results) == [5, 0] and [row.share for row in results.rows] == [100, 0]
    rows = cells(cast.participant, poll)
    assert rows[0][:3] == ["Yes", "5", "100%"] and rows[1][:3] == ["No", "0", "0%"]
    assert rows[0][3].startswith("Voter 0, Voter 1")


def test_the_closed_page_explains_the_ranges(cast: Cast) -> None:
    poll = closed_poll(cast, single(4, 1))
    assert "at least 5 voters chose it and at least 5 did not" in results_html(
        cast.participant, poll
    )
    exact = closed_poll(cast, single(5, 5))
    assert "at least 5 voters chose it" not in results_html(cast.participant, exact)


def test_no_range_can_be_narrowed_to_one_count_by_adding_up_the_others() -> None:
    """A reader who knows the rule sees, for every single-choice tally of up to 4 options
    and 22 voters, what each option was given as; every option given as a range must still
    have held at least two counts (three from ten voters or two options), whatever the
    tallies that read the same."""
    for options in (2, 3, 4):
        for voters in range(5, 23):
            seen: dict[tuple[Said, int], set[int]] = {}
            for tally in product(range(voters + 1), repeat=options):
                if sum(tally) != voters:
                    continue
                bands = anonymous_bands(list(tally), voters, single=True)
                said: Said = tuple(
                    (side, n if side is Band.EXACT else None)
                    for side, n in zip(bands, tally, strict=True)
                )
                for i, n in enumerate(tally):
                    seen.setdefault((said, i), set()).add(n)
            for (shown, at), possible in seen.items():
                side = shown[at][0]
                if side in (Band.EXACT, Band.BETWEEN):
                    continue  # any count in these may be said
                narrowest = 2 if voters < 10 and options > 2 else 3
                assert len(possible) >= narrowest, (options, voters, shown, at, possible)
