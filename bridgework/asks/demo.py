"""Demo data: Sam asks, in the Disability Network's space, for captions; Fatima rewords it,
Sam approves her wording, it is published to the allies' space, and two allies take it on.

Runs after the community app's demo hook, which creates the spaces. Without them it does
nothing.
"""

from __future__ import annotations

from bridgework.accounts.models import Organisation, Person
from bridgework.community.api import Space, accept_guidelines

from . import services

ORIGINAL_TITLE = "Caption the videos you share"
ORIGINAL_BODY = (
    "Several of us rely on captions, or can't play sound at our desks. When a video is "
    "played in a meeting, or a recording is posted without captions, we miss it, or have "
    "to ask again, every single time.\n\n"
    "It would help if allies switched captions on before pressing play, and added a few "
    "lines on what a recording covers when they share it. Sam here, happy to say more."
)
PUBLISHED_TITLE = "Turn captions on when you share a video"
PUBLISHED_BODY = (
    "Some colleagues rely on captions, or can't play sound where they work. When a video "
    "is played in a meeting, or a recording is shared without captions, they miss it, or "
    "have to ask each time.\n\n"
    "Before you press play, turn captions on. When you share a recording, add a few lines "
    "on what it covers."
)
RESPONSES = [
    (
        "participant@example.com",
        "Switch captions on before I play any video in a meeting",
        "empathetic-engagement",
        "cue",
        "when I share my screen",
        "Starting with my next team meeting.",
    ),
    (
        "facilitator@example.com",
        "Add a short written summary to every recording I share",
        "courageous-responsibilities",
        "weekly",
        "",
        "",
    ),
]


def create(organisation: Organisation) -> None:
    people = {p.email: p for p in Person.objects.filter(organisation=organisation)}
    sam = people.get("member@example.com")
    fatima = people.get("facilitator@example.com")
    spaces = Space.objects.in_organisation(organisation).filter(is_archived=False)
    protected = spaces.filter(
        audience=Space.Audience.GROUP, group__name="Disability Network"
    ).first()
    allies = spaces.filter(audience=Space.Audience.ORGANISATION).first()
    if sam is None or fatima is None or protected is None or allies is None:
        return
    # The demo facilitator looks after both spaces, as brokering needs.
    protected.facilitators.add(fatima)
    allies.facilitators.add(fatima)
    accept_guidelines(space=protected, person=sam)
    ask = services.write_ask(space=protected, author=sam, title=ORIGINAL_TITLE, body=ORIGINAL_BODY)
    services.propose(
        ask=ask, facilitator=fatima, space=allies, title=PUBLISHED_TITLE, body=PUBLISHED_BODY
    )
    published = services.approve(ask=ask, author=sam, version=ask.proposal_version)
    for email, title, practice, cadence, cue, note in RESPONSES:
        ally = people.get(email)
        if ally is None:
            continue
        services.respond(
            published=published,
            person=ally,
            title=title,
            practice_slug=practice,
            courage=1,
            cadence=cadence,
            cue=cue,
            note=note,
        )
