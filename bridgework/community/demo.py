"""Demo data: an allies' space for everyone taking part and the Disability Network's
protected space, both looked after by the demo facilitator, with a few threads, a poll open
for votes and one that has closed.

Who sees what in the demo: Alex (participant) only the allies' space; Sam (group member)
only the group's space; Noor (both) both; Jordan (program admin only) neither.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridgework.accounts.models import CommunityGroup, Organisation, Person
from bridgework.practice.api import DEFENSES

from . import services
from .models import Poll, Space


def _person(organisation: Organisation, email: str) -> Person:
    return Person.objects.get(organisation=organisation, email=email)


def create(organisation: Organisation) -> None:
    fatima = _person(organisation, "facilitator@example.com")
    alex = _person(organisation, "participant@example.com")
    sam = _person(organisation, "member@example.com")
    noor = _person(organisation, "both@example.com")
    group = CommunityGroup.objects.get(organisation=organisation, name="Disability Network")

    allies = services.create_space(
        organisation=organisation,
        created_by=fatima,
        name="Allies' space",
        audience=Space.Audience.ORGANISATION,
        description="For everyone in the program: questions, small wins, things worth reading.",
    )
    protected = services.create_space(
        organisation=organisation,
        created_by=fatima,
        name="Disability Network space",
        audience=Space.Audience.GROUP,
        group=group,
        description="The Disability Network's own space. Only its members and its "
        "facilitator can see it.",
    )
    services.open_space_to_group(space=protected, lead=sam)
    for space, people in ((allies, (fatima, alex, noor)), (protected, (fatima, sam, noor))):
        for person in people:
            services.accept_guidelines(space=space, person=person)

    welcome = services.start_thread(
        space=allies,
        author=fatima,
        title="Welcome: what brought you here?",
        body="Hello everyone. This space is for trying things out loud. To start: what is "
        "one small thing you would like to get better at this quarter?",
    )
    services.reply(
        thread=welcome,
        author=alex,
        body="Noticing who doesn't get to finish their sentence in meetings, and doing "
        "something about it.",
    )
    services.reply(
        thread=welcome,
        author=noor,
        body="Checking that the slides I share work with a screen reader. @alex-rivera, "
        "happy to compare notes.",
    )
    asks = services.start_thread(
        space=protected,
        author=sam,
        title="What would help us from allies?",
        body="Let's collect a few concrete asks. Mine: please turn on captions in video "
        "calls by default, without waiting for someone to ask.",
    )
    services.reply(
        thread=asks,
        author=noor,
        body="Agreed. And share the agenda a day ahead, so there's time to prepare.",
    )
    poll = services.create_poll(
        space=allies,
        created_by=fatima,
        question="Which defense resonates most with you?",
        options=[str(defense.name) for defense in DEFENSES],
        is_anonymous=True,
    )
    options = list(poll.options.all())
    for person, option in ((alex, options[0]), (noor, options[-1]), (fatima, options[1])):
        services.vote(poll=poll, person=person, options=[option])


CLOSED_POLL_VOTES = (6, 5, 5, 5)  # per option: each counted exactly (see poll_results)


def create_closed_poll(organisation: Organisation) -> None:
    """A poll that closed a few days ago, so the demo shows what an anonymous tally looks like.
    Runs after the insights demo: its sample participants are the voters."""
    fatima = _person(organisation, "facilitator@example.com")
    allies = Space.objects.get(organisation=organisation, name="Allies' space")
    voters = [
        person
        for person in Person.objects.filter(
            organisation=organisation, email__startswith="sample-", is_active=True
        ).order_by("email")[:60]
        if allies.can_view(person)
    ][: sum(CLOSED_POLL_VOTES)]
    if len(voters) < sum(CLOSED_POLL_VOTES):
        return  # a demo without its sample participants has no one to have voted
    poll = services.create_poll(
        space=allies,
        created_by=fatima,
        question="After the session on apologies: which repair step will you practise first?",
        options=[
            "Naming the impact without explaining my intent",
            "Saying sorry without a “but”",
            "Asking what would help now",
            "Following up a week later",
        ],
        is_anonymous=True,
    )
    options = list(poll.options.order_by("position"))
    ballots = [
        option for option, n in zip(options, CLOSED_POLL_VOTES, strict=True) for _ in range(n)
    ]
    for person, option in zip(voters, ballots, strict=True):
        services.vote(poll=poll, person=person, options=[option])
    now = timezone.now()
    # Asked ten days ago and closed three days ago; marked as announced, so no one is told now.
    Poll.objects.filter(pk=poll.pk).update(
        created_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=3),
        announced_at=now - timedelta(days=3),
    )
