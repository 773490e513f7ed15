"""Community groups: being in one is the person's own choice, and who is in it is for the
person and the group's leads to know.

A program admin may invite someone; only the person's acceptance makes them a member. Nobody
adds themselves to a closed group. The group's leads are told of every new member, in the
app, with nothing in an e-mail that names the person or the group. Nobody else learns how
many members a group has.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from bridgework.accounts.demo import create_demo
from bridgework.accounts.models import (
    CommunityGroup,
    GroupInvitation,
    GroupMembership,
    Organisation,
    Person,
    Role,
)
from bridgework.community.models import Space
from bridgework.notifications import digest
from bridgework.notifications.models import DigestPreference, Notification

from .community_support import group_space
from .conftest import Cast, Committed, client_for, make_person
from .page_support import without_per_request_values


@pytest.fixture
def closed_group(organisation: Organisation) -> CommunityGroup:
    return CommunityGroup.objects.create(
        organisation=organisation, name="Parents at Work", open_to_join=False
    )


@pytest.fixture
def closed_space(facilitator: Person, closed_group: CommunityGroup) -> Space:
    return group_space(facilitator, closed_group, name="Parents' space")


def make_lead(person: Person, group: CommunityGroup) -> None:
    GroupMembership.objects.update_or_create(
        group=group, person=person, defaults={"is_lead": True, "added_by": "self"}
    )


def is_member(person: Person, group: CommunityGroup) -> bool:
    return GroupMembership.objects.filter(group=group, person=person).exists()


def invite(admin: Person, group: CommunityGroup, email: str, *, as_lead: bool = False) -> Client:
    client = client_for(admin)
    data = {"email": email, **({"as_lead": "on"} if as_lead else {})}
    response = client.post(f"/people/groups/{group.pk}/invite", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def invitation_form_action(page: str, verb: str) -> str:
    """The address of the Accept or Decline button on a page, as a browser would post it."""
    match = re.search(rf'action="(/groups/invitations/\d+/{verb})"', page)
    assert match, f"no {verb} form on the page"
    return match.group(1)


# --- Joining is the person's choice ----------------------------------------------------------


def test_an_admin_cannot_add_themselves_to_a_closed_group(
    cast: Cast, closed_group: CommunityGroup, closed_space: Space
) -> None:
    admin = client_for(cast.program_admin)

    admin.post(f"/people/groups/{closed_group.pk}/members", {"person": cast.program_admin.pk})
    response = admin.post(
        f"/people/groups/{closed_group.pk}/invite", {"email": cast.program_admin.email}
    )
    admin.post(f"/groups/{closed_group.pk}/join")

    assert not is_member(cast.program_admin, closed_group)
    assert "You cannot invite yourself" in response.content.decode()
    assert admin.get(f"/community/{closed_space.pk}/").status_code == 404


def test_an_admin_cannot_open_a_closed_group_to_join_it(
    cast: Cast, closed_group: CommunityGroup, closed_space: Space
) -> None:
    """Its members joined on the understanding that it was closed: opening it would let
    anyone in, program admins first, to read what they shared."""
    admin = client_for(cast.program_admin)
    page = admin.get(f"/people/groups/{closed_group.pk}/").content.decode()
    checkbox = re.search(r'<input[^>]*name="open_to_join"[^>]*>', page)
    assert checkbox and "disabled" in checkbox.group(0)
    assert "it stays by invitation" in page

    admin.post(
        f"/people/groups/{closed_group.pk}/",
        {"name": "Parents at Work", "description": "", "open_to_join": "on"},
    )
    admin.post(f"/groups/{closed_group.pk}/join")

    closed_group.refresh_from_db()
    assert not closed_group.open_to_join
    assert not is_member(cast.program_admin, closed_group)
    assert admin.get(f"/community/{closed_space.pk}/").status_code == 404


def test_an_open_group_may_be_closed_and_a_new_group_made_open(
    cast: Cast, organisation: Organisation
) -> None:
    admin = client_for(cast.program_admin)
    admin.post("/people/groups/", {"name": "Runners", "description": "", "open_to_join": "on"})
    runners = CommunityGroup.objects.get(organisation=organisation, name="Runners")
    assert runners.open_to_join

    admin.post(f"/people/groups/{runners.pk}/", {"name": "Runners", "description": ""})
    runners.refresh_from_db()
    assert not runners.open_to_join


def test_only_a_lead_brings_another_facilitator_into_the_groups_space(
    cast: Cast, organisation: Organisation, closed_group: CommunityGroup, closed_space: Space
) -> None:
    """A facilitator reads everything in the space: the group agreed to the ones it has."""
    outsider = make_person(
        organisation, "fac2@acme.test", "Frankie Second", {Role.FACILITATOR, Role.PARTICIPANT}
    )
    lead = cast.participant_and_member
    make_lead(lead, closed_group)
    edit = f"/community/{closed_space.pk}/edit"

    def change(client: Client, *facilitators: Person) -> str:
        return client.post(
            edit,
            {
                "name": closed_space.name,
                "description": "",
                "guidelines": "Be kind.",
                "facilitators": [p.pk for p in facilitators],
            },
        ).content.decode()

    facilitator = client_for(cast.facilitator)
    assert (
        "Only a lead of Parents at Work adds a facilitator"
        in facilitator.get(edit).content.decode()
    )
    refused = change(facilitator, cast.facilitator, outsider)
    assert "Only a lead of Parents at Work adds a facilitator" in refused
    assert list(closed_space.facilitators.all()) == [cast.facilitator]
    assert client_for(outsider).get(f"/community/{closed_space.pk}/").status_code == 404

    # A lead sees the way to it on the space's page, and may; the rest stays the
    # facilitators' (and a taken name would tell a lead of spaces they cannot see).
    leading = client_for(lead)
    assert edit in leading.get(f"/community/{closed_space.pk}/").content.decode()
    assert "you choose who looks after this space" in leading.get(edit).content.decode()
    assert "you choose who looks after" not in facilitator.get(edit).content.decode()
    leading.post(
        edit,
        {
            "name": "Someone else's space",
            "description": "Changed",
            "guidelines": "Anything goes.",
            "facilitators": [cast.facilitator.pk, outsider.pk],
        },
    )
    closed_space.refresh_from_db()
    assert (closed_space.name, closed_space.description) == ("Parents' space", "")
    assert "Anything goes." not in closed_space.guidelines
    assert set(closed_space.facilitators.all()) == {cast.facilitator, outsider}
    assert client_for(outsider).get(f"/community/{closed_space.pk}/").status_code == 200
    # A facilitator may still step back, or let another go.
    change(facilitator, cast.facilitator)
    assert list(closed_space.facilitators.all()) == [cast.facilitator]
    # Members who do not lead it have no way in.
    member = make_person(organisation, "m@acme.test", "Morgan Member", {Role.PARTICIPANT})
    GroupMembership.objects.create(group=closed_group, person=member, added_by="self")
    assert client_for(member).get(edit).status_code == 404


def test_an_admin_cannot_put_someone_else_in_a_group_either(
    cast: Cast, closed_group: CommunityGroup
) -> None:
    client_for(cast.program_admin).post(
        f"/people/groups/{closed_group.pk}/members", {"person": cast.participant.pk}
    )

    assert not is_member(cast.participant, closed_group)


def test_an_invitation_makes_nobody_a_member_until_they_accept(
    cast: Cast, closed_group: CommunityGroup, closed_space: Space
) -> None:
    invite(cast.program_admin, closed_group, cast.participant.email)
    pat = client_for(cast.participant)

    assert not is_member(cast.participant, closed_group)
    assert pat.get(f"/community/{closed_space.pk}/").status_code == 404
    home = pat.get("/").content.decode()
    assert "Parents at Work" in home
    response = pat.post(invitation_form_action(home, "accept"))

    assert response.status_code == 302
    # A member is let in by a lead, even in a group whose first lead comes later.
    assert not is_member(cast.participant, closed_group)
    make_lead(cast.participant_and_member, closed_group)
    bo = client_for(cast.participant_and_member)
    bo.post(let_in_action(bo.get(f"/groups/{closed_group.pk}/members/").content.decode()))
    membership = GroupMembership.objects.get(group=closed_group, person=cast.participant)
    assert membership.added_by == GroupMembership.AddedBy.INVITATION
    assert not membership.is_lead
    assert pat.get(f"/community/{closed_space.pk}/").status_code == 200
    assert "/groups/invitations/" not in pat.get("/").content.decode()


def test_the_invited_person_sees_the_invitation_on_the_groups_page_too(
    cast: Cast, closed_group: CommunityGroup
) -> None:
    invite(cast.program_admin, closed_group, cast.participant.email)

    page = client_for(cast.participant).get("/groups/").content.decode()

    assert invitation_form_action(page, "accept")
    assert invitation_form_action(page, "decline")
    assert "Accept" in page and "Decline" in page


def test_declining_leaves_nobody_a_member_and_the_invitation_gone(
    cast: Cast, closed_group: CommunityGroup
) -> None:
    invite(cast.program_admin, closed_group, cast.participant.email)
    pat = client_for(cast.participant)
    home = pat.get("/").content.decode()

    response = pat.post(invitation_form_action(home, "decline"), follow=True)

    assert not is_member(cast.participant, closed_group)
    assert "/groups/invitations/" not in pat.get("/").content.decode()
    assert "You declined" in response.content.decode()


def test_only_the_invited_person_can_answer_an_invitation(
    cast: Cast, closed_group: CommunityGroup
) -> None:
    invite(cast.program_admin, closed_group, cast.participant.email)
    home = client_for(cast.participant).get("/").content.decode()
    accept = invitation_form_action(home, "accept")

    statuses = {
        position: cast.client(position).post(accept).status_code
        for position in ("program_admin", "facilitator", "group_member", "stranger")
    }

    assert statuses == dict.fromkeys(statuses, 404)
    assert not GroupMembership.objects.filter(group=closed_group).exists()


def test_inviting_someone_already_in_the_group_tells_the_admin_nothing(
    cast: Cast, community_group: CommunityGroup
) -> None:
    admin = client_for(cast.program_admin)
    url = f"/people/groups/{community_group.pk}/invite"

    to_member = admin.post(url, {"email": cast.group_member.email}, follow=True)
    to_outsider = admin.post(url, {"email": cast.participant.email}, follow=True)

    assert without_per_request_values(to_member.content.decode()).replace(
        cast.group_member.email, "EMAIL"
    ) == without_per_request_values(to_outsider.content.decode()).replace(
        cast.participant.email, "EMAIL"
    )
    assert GroupMembership.objects.filter(group=community_group).count() == 2


def test_the_invite_form_says_what_is_wrong_next_to_the_field(
    cast: Cast, closed_group: CommunityGroup
) -> None:
    admin = client_for(cast.program_admin)
    url = f"/people/groups/{closed_group.pk}/invite"

    unknown = admin.post(url, {"email": "nobody@acme.test"})
    stranger = admin.post(url, {"email": cast.stranger.email})
    broken = admin.post(url, {"email": "not an address"})

    assert unknown.status_code == stranger.status_code == broken.status_code == 400
    assert "Nobody in your organisation" in unknown.content.decode()
    assert unknown.content.decode().count("Nobody in your organisation") == 1
    # Another organisation's people are as unknown as people who do not exist.
    assert without_per_request_values(stranger.content.decode()).replace(
        cast.stranger.email, "EMAIL"
    ) == without_per_request_values(unknown.content.decode()).replace("nobody@acme.test", "EMAIL")
    assert "Enter a valid email address." in broken.content.decode()


def test_nobody_joins_a_closed_group_themselves(cast: Cast, closed_group: CommunityGroup) -> None:
    for position in ("participant", "facilitator", "program_admin", "group_member"):
        cast.client(position).post(f"/groups/{closed_group.pk}/join")

    assert not GroupMembership.objects.filter(group=closed_group).exists()


def test_a_person_joins_an_open_group_themselves(
    participant: Person, community_group: CommunityGroup
) -> None:
    client_for(participant).post(f"/groups/{community_group.pk}/join")

    membership = GroupMembership.objects.get(group=community_group, person=participant)
    assert membership.added_by == GroupMembership.AddedBy.SELF


def test_a_member_leaves_whenever_they_like(
    participant_and_member: Person, community_group: CommunityGroup
) -> None:
    make_lead(participant_and_member, community_group)

    client_for(participant_and_member).post(f"/groups/{community_group.pk}/leave")

    assert not is_member(participant_and_member, community_group)


def test_leaving_a_closed_group_asks_first_as_coming_back_takes_an_invitation(
    cast: Cast, closed_group: CommunityGroup
) -> None:
    member = cast.participant_and_member
    GroupMembership.objects.create(group=closed_group, person=member, added_by="invitation")
    client = client_for(member)
    card = client.get("/groups/").content.decode().split(f'id="group-{closed_group.pk}"')[1]
    leave = f"/groups/{closed_group.pk}/leave"
    assert f'href="{leave}"' in card.split("</li>")[0]

    asked = client.get(leave).content.decode()
    assert "you would need a new invitation" in asked
    assert is_member(member, closed_group)

    client.post(leave)
    assert not is_member(member, closed_group)
    assert client.get(leave)["Location"] == "/groups/"


def test_an_invitation_as_lead_makes_a_lead_once_accepted(
    cast: Cast, closed_group: CommunityGroup
) -> None:
    invite(cast.program_admin, closed_group, cast.participant.email, as_lead=True)
    pat = client_for(cast.participant)
    home = pat.get("/").content.decode()
    assert "as a lead" in home

    pat.post(invitation_form_action(home, "accept"))

    assert GroupMembership.objects.get(group=closed_group, person=cast.participant).is_lead


# --- Leads hear of every new member ----------------------------------------------------------


def test_leads_are_told_of_every_new_member_in_the_app(
    cast: Cast,
    community_group: CommunityGroup,
    closed_group: CommunityGroup,
    committed: Committed,
) -> None:
    make_lead(cast.participant_and_member, community_group)
    make_lead(cast.participant_and_member, closed_group)

    with committed():
        client_for(cast.participant).post(f"/groups/{community_group.pk}/join")
        invite(cast.program_admin, closed_group, cast.facilitator.email)
        fran = client_for(cast.facilitator)
        fran.post(invitation_form_action(fran.get("/").content.decode(), "accept"))

    told = Notification.objects.filter(person=cast.participant_and_member)
    assert told.count() == 2
    waiting = GroupInvitation.objects.get(person=cast.facilitator)
    assert {n.url for n in told} == {
        f"/groups/{community_group.pk}/members/",
        f"/groups/{closed_group.pk}/members/#waiting-{waiting.pk}",
    }
    page = client_for(cast.participant_and_member).get("/community/notifications/")
    assert "new member" in page.content.decode()
    # Members who do not lead hear nothing.
    assert not Notification.objects.filter(person=cast.group_member).exists()


def let_in_action(page: str, verb: str = "let-in") -> str:
    """The address of a lead's Let in button, or Turn away… link, on the group's members
    page."""
    match = re.search(rf'(?:action|href)="(/groups/\d+/waiting/\d+/{verb})"', page)
    assert match, f"no {verb} form or link on the page"
    return match.group(1)


def test_in_a_group_with_leads_accepting_waits_for_a_lead_to_let_them_in(
    cast: Cast, closed_group: CommunityGroup, closed_space: Space, committed: Committed
) -> None:
    """A program admin chooses whom to invite, and could choose an account of their own:
    in a group that has leads, nobody gets in (or sees the members) before a lead says so."""
    make_lead(cast.participant_and_member, closed_group)
    invite(cast.program_admin, closed_group, cast.participant.email, as_lead=True)
    pat = client_for(cast.participant)

    with committed():
        accepted = pat.post(invitation_form_action(pat.get("/").content.decode(), "accept"))
    assert "once one of its leads has let you in" in pat.get(accepted["Location"]).content.decode()
    assert not is_member(cast.participant, closed_group)
    assert pat.get(f"/groups/{closed_group.pk}/members/").status_code == 404
    assert pat.get(f"/community/{closed_space.pk}/").status_code == 404
    [asked] = Notification.objects.filter(person=cast.participant_and_member)
    assert asked.summary.startswith("Someone accepted an invitation into a community group")

    bo = client_for(cast.participant_and_member)
    roster = bo.get(f"/groups/{closed_group.pk}/members/").content.decode()
    assert "Waiting for a lead to let them in" in roster and "invited to lead" in roster
    with committed():
        assert bo.post(let_in_action(roster), {"as_lead": "1"}).status_code == 302

    assert GroupMembership.objects.get(group=closed_group, person=cast.participant).is_lead
    assert pat.get(f"/groups/{closed_group.pk}/members/").status_code == 200
    assert pat.get(f"/community/{closed_space.pk}/").status_code == 200
    [told] = Notification.objects.filter(person=cast.participant)
    assert told.summary == "You are now in a community group you were invited to."


def test_a_lead_may_turn_away_someone_who_accepted(
    cast: Cast, closed_group: CommunityGroup, committed: Committed
) -> None:
    make_lead(cast.participant_and_member, closed_group)
    invite(cast.program_admin, closed_group, cast.participant.email)
    pat = client_for(cast.participant)
    pat.post(invitation_form_action(pat.get("/").content.decode(), "accept"))
    bo = client_for(cast.participant_and_member)

    roster = bo.get(f"/groups/{closed_group.pk}/members/").content.decode()
    turn_away = let_in_action(roster, "turn-away")
    assert f'href="{turn_away}"' in roster  # a link to a page that asks first

    asked = bo.get(turn_away).content.decode()
    assert "Turn <bdi>Pat Participant</bdi> away from <bdi>Parents at Work</bdi>?" in asked
    assert "They are told only that it was not confirmed, not by whom." in asked
    assert "Waiting for a lead" in bo.get(f"/groups/{closed_group.pk}/members/").content.decode()
    assert not Notification.objects.filter(person=cast.participant).exists()
    with committed():
        bo.post(turn_away)

    assert not is_member(cast.participant, closed_group)
    assert (
        "Waiting for a lead" not in bo.get(f"/groups/{closed_group.pk}/members/").content.decode()
    )
    [told] = Notification.objects.filter(person=cast.participant)
    assert "was not confirmed" in told.summary
    groups_page = pat.get("/groups/").content.decode()
    assert "/groups/invitations/" not in groups_page
    # Asked again from an old page, nobody is waiting any more.
    again = bo.get(turn_away, follow=True).content.decode()
    assert "Nobody is waiting to be let in any more." in again


def test_only_the_groups_leads_let_people_in(cast: Cast, closed_group: CommunityGroup) -> None:
    make_lead(cast.participant_and_member, closed_group)
    GroupMembership.objects.create(group=closed_group, person=cast.group_member, added_by="self")
    invite(cast.program_admin, closed_group, cast.participant.email)
    pat = client_for(cast.participant)
    pat.post(invitation_form_action(pat.get("/").content.decode(), "accept"))
    roster = client_for(cast.participant_and_member).get(f"/groups/{closed_group.pk}/members/")
    action = let_in_action(roster.content.decode())

    for outsider in (cast.group_member, cast.program_admin, cast.participant, cast.facilitator):
        assert client_for(outsider).post(action).status_code == 404
    assert not is_member(cast.participant, closed_group)


def test_deactivating_the_leads_does_not_open_the_door(
    cast: Cast, closed_group: CommunityGroup
) -> None:
    """A lead who was deactivated still counts: otherwise a program admin could deactivate
    the leads, have their own account accept, and turn the leads back on."""
    make_lead(cast.participant_and_member, closed_group)
    invite(cast.program_admin, closed_group, cast.participant.email)
    Person.objects.filter(pk=cast.participant_and_member.pk).update(is_active=False)
    pat = client_for(cast.participant)
    accept = invitation_form_action(pat.get("/").content.decode(), "accept")
    pat.post(accept)
    pat.post(accept)
    assert not is_member(cast.participant, closed_group)


def test_asking_to_lead_after_accepting_to_join_is_accepted_anew(
    cast: Cast, closed_group: CommunityGroup
) -> None:
    """A lead lets in what the person accepted: asked to lead meanwhile, they accept again,
    and the lead sees that it is to lead."""
    make_lead(cast.participant_and_member, closed_group)
    invite(cast.program_admin, closed_group, cast.participant.email)
    pat = client_for(cast.participant)
    pat.post(invitation_form_action(pat.get("/").content.decode(), "accept"))
    bo = client_for(cast.participant_and_member)
    seen = bo.get(f"/groups/{closed_group.pk}/members/").content.decode()
    assert "invited to join" in seen

    invite(cast.program_admin, closed_group, cast.participant.email, as_lead=True)
    bo.post(let_in_action(seen))

    assert not is_member(cast.participant, closed_group)
    assert invitation_form_action(pat.get("/").content.decode(), "accept")


def test_someone_asked_to_lead_after_accepting_is_told_to_accept_again(
    cast: Cast, closed_group: CommunityGroup, committed: Committed
) -> None:
    """Their earlier yes no longer lets them in: without a word they would wait for ever."""
    make_lead(cast.participant_and_member, closed_group)
    with committed():
        invite(cast.program_admin, closed_group, cast.participant.email)
    pat = client_for(cast.participant)
    with committed():
        pat.post(invitation_form_action(pat.get("/").content.decode(), "accept"))

    with committed():
        invite(cast.program_admin, closed_group, cast.participant.email, as_lead=True)

    [asked] = Notification.objects.filter(person=cast.participant, read_at__isnull=True)
    assert asked.summary == "You are asked to lead a community group. Accept or decline it there."


def test_a_group_whose_leads_left_takes_a_lead_only_from_its_members(
    cast: Cast, closed_group: CommunityGroup
) -> None:
    """Once a group has members, a newcomer asked to lead it would see them all: with no
    lead left, only someone already in it becomes its lead by accepting."""
    GroupMembership.objects.create(group=closed_group, person=cast.group_member, added_by="self")
    invite(cast.program_admin, closed_group, cast.participant.email, as_lead=True)
    pat = client_for(cast.participant)
    pat.post(invitation_form_action(pat.get("/").content.decode(), "accept"))
    assert not is_member(cast.participant, closed_group)

    invite(cast.program_admin, closed_group, cast.group_member.email, as_lead=True)
    sam = client_for(cast.group_member)
    sam.post(invitation_form_action(sam.get("/").content.decode(), "accept"))
    assert GroupMembership.objects.get(group=closed_group, person=cast.group_member).is_lead


def test_a_lead_lets_in_only_what_the_page_showed(cast: Cast, closed_group: CommunityGroup) -> None:
    """Asked to lead (and accepting again) after the lead opened the list, the person is not
    made a lead by a button that said "invited to join"."""
    make_lead(cast.participant_and_member, closed_group)
    invite(cast.program_admin, closed_group, cast.participant.email)
    pat = client_for(cast.participant)
    pat.post(invitation_form_action(pat.get("/").content.decode(), "accept"))
    bo = client_for(cast.participant_and_member)
    seen = bo.get(f"/groups/{closed_group.pk}/members/").content.decode()

    invite(cast.program_admin, closed_group, cast.participant.email, as_lead=True)
    pat.post(invitation_form_action(pat.get("/").content.decode(), "accept"))
    answer = bo.post(let_in_action(seen), {"as_lead": "0"}, follow=True)

    assert "has changed" in answer.content.decode()
    assert not is_member(cast.participant, closed_group)


def test_a_group_without_leads_takes_its_first_lead_on_acceptance(
    cast: Cast, closed_group: CommunityGroup
) -> None:
    """Someone has to start a group: with no lead yet, accepting is enough."""
    invite(cast.program_admin, closed_group, cast.facilitator.email, as_lead=True)
    fran = client_for(cast.facilitator)
    fran.post(invitation_form_action(fran.get("/").content.decode(), "accept"))
    assert GroupMembership.objects.get(group=closed_group, person=cast.facilitator).is_lead


def test_the_e_mail_about_a_new_member_names_neither_them_nor_the_group(
    cast: Cast, community_group: CommunityGroup, committed: Committed
) -> None:
    make_lead(cast.participant_and_member, community_group)
    DigestPreference.objects.create(person=cast.participant_and_member, frequency="daily")

    with committed():
        client_for(cast.participant).post(f"/groups/{community_group.pk}/join")
    digest.send_due()

    [message] = [m for m in mail.outbox if cast.participant_and_member.email in m.to]
    text = f"{message.subject} {message.body}"
    assert "Something new for you" in text
    for secret in (cast.participant.chosen_name, cast.participant.email, community_group.name):
        assert secret not in text


def test_someone_joining_is_not_told_about_themselves(
    cast: Cast, community_group: CommunityGroup, committed: Committed
) -> None:
    with committed():
        client_for(cast.participant).post(f"/groups/{community_group.pk}/join")

    assert not Notification.objects.filter(person=cast.participant).exists()


# --- What is answered stops being news --------------------------------------------------------


def unread_urls(person: Person) -> set[str]:
    unread = Notification.objects.filter(person=person, read_at__isnull=True)
    return set(unread.values_list("url", flat=True))


def test_answering_an_invitation_settles_its_notice_and_no_other_groups(
    cast: Cast, closed_group: CommunityGroup, committed: Committed
) -> None:
    night_shift = CommunityGroup.objects.create(
        organisation=closed_group.organisation, name="Night Shift", open_to_join=False
    )
    with committed():
        invite(cast.program_admin, closed_group, cast.participant.email)
        invite(cast.program_admin, night_shift, cast.participant.email)
    parents = GroupInvitation.objects.get(group=closed_group)
    nights = GroupInvitation.objects.get(group=night_shift)
    pat = client_for(cast.participant)
    assert "2 new notifications" in pat.get("/").content.decode()
    assert unread_urls(cast.participant) == {
        f"/groups/#group-invitation-{parents.pk}",
        f"/groups/#group-invitation-{nights.pk}",
    }
    # Each notice leads to its own invitation on the groups page.
    assert f'id="group-invitation-{parents.pk}"' in pat.get("/groups/").content.decode()

    pat.post(f"/groups/invitations/{parents.pk}/accept")
    assert unread_urls(cast.participant) == {f"/groups/#group-invitation-{nights.pk}"}
    assert "1 new notification" in pat.get("/").content.decode()

    pat.post(f"/groups/invitations/{nights.pk}/decline")
    assert unread_urls(cast.participant) == set()
    assert "new notification" not in pat.get("/").content.decode()


def test_a_lead_deciding_settles_the_request_for_every_lead_and_only_about_that_person(
    cast: Cast, closed_group: CommunityGroup, committed: Committed
) -> None:
    make_lead(cast.participant_and_member, closed_group)
    make_lead(cast.group_member, closed_group)
    invite(cast.program_admin, closed_group, cast.participant.email)
    invite(cast.program_admin, closed_group, cast.facilitator.email)
    pats = GroupInvitation.objects.get(person=cast.participant)
    frans = GroupInvitation.objects.get(person=cast.facilitator)
    with committed():
        client_for(cast.participant).post(f"/groups/invitations/{pats.pk}/accept")
        client_for(cast.facilitator).post(f"/groups/invitations/{frans.pk}/accept")
    roster = f"/groups/{closed_group.pk}/members/"
    for lead in (cast.participant_and_member, cast.group_member):
        assert unread_urls(lead) == {f"{roster}#waiting-{pats.pk}", f"{roster}#waiting-{frans.pk}"}
    assert f'id="waiting-{pats.pk}"' in client_for(cast.group_member).get(roster).content.decode()

    with committed():
        client_for(cast.participant_and_member).post(
            f"/groups/{closed_group.pk}/waiting/{pats.pk}/let-in", {"as_lead": "0"}
        )
    # Settled for the lead who did not act too; they still hear that someone is in.
    assert unread_urls(cast.participant_and_member) == {f"{roster}#waiting-{frans.pk}"}
    assert unread_urls(cast.group_member) == {f"{roster}#waiting-{frans.pk}", roster}

    with committed():
        client_for(cast.group_member).post(
            f"/groups/{closed_group.pk}/waiting/{frans.pk}/turn-away"
        )
    assert unread_urls(cast.participant_and_member) == set()
    assert unread_urls(cast.group_member) == {roster}


def test_withdrawing_after_accepting_settles_the_leads_request(
    cast: Cast, closed_group: CommunityGroup, committed: Committed
) -> None:
    make_lead(cast.participant_and_member, closed_group)
    invite(cast.program_admin, closed_group, cast.participant.email)
    pat = client_for(cast.participant)
    with committed():
        pat.post(invitation_form_action(pat.get("/").content.decode(), "accept"))
    assert len(unread_urls(cast.participant_and_member)) == 1

    pat.post(invitation_form_action(pat.get("/").content.decode(), "decline"))  # "Withdraw"

    assert unread_urls(cast.participant_and_member) == set()
    bo_home = client_for(cast.participant_and_member).get("/").content.decode()
    assert "new notification" not in bo_home


def test_being_asked_to_lead_meanwhile_settles_the_request_to_let_them_in_as_a_member(
    cast: Cast, closed_group: CommunityGroup, committed: Committed
) -> None:
    make_lead(cast.participant_and_member, closed_group)
    invite(cast.program_admin, closed_group, cast.participant.email)
    pat = client_for(cast.participant)
    with committed():
        pat.post(invitation_form_action(pat.get("/").content.decode(), "accept"))

    invite(cast.program_admin, closed_group, cast.participant.email, as_lead=True)
    assert unread_urls(cast.participant_and_member) == set()

    with committed():
        pat.post(invitation_form_action(pat.get("/").content.decode(), "accept"))
    assert len(unread_urls(cast.participant_and_member)) == 1


def test_someone_who_stopped_leading_cannot_tell_from_their_count_when_a_request_was_settled(
    cast: Cast, closed_group: CommunityGroup, committed: Committed
) -> None:
    """No longer a lead, they no longer see who waits: a count that dropped would tell them
    that the person they saw waiting was let in, turned away, or withdrew."""
    make_lead(cast.participant_and_member, closed_group)
    make_lead(cast.group_member, closed_group)
    invite(cast.program_admin, closed_group, cast.participant.email)
    invitation = GroupInvitation.objects.get()
    with committed():
        client_for(cast.participant).post(f"/groups/invitations/{invitation.pk}/accept")
    GroupMembership.objects.filter(group=closed_group, person=cast.group_member).update(
        is_lead=False
    )

    client_for(cast.participant_and_member).post(
        f"/groups/{closed_group.pk}/waiting/{invitation.pk}/let-in", {"as_lead": "0"}
    )

    assert unread_urls(cast.participant_and_member) == set()
    assert unread_urls(cast.group_member) == {
        f"/groups/{closed_group.pk}/members/#waiting-{invitation.pk}"
    }


# --- Rosters ---------------------------------------------------------------------------------


def test_the_admins_group_page_names_no_member(cast: Cast, community_group: CommunityGroup) -> None:
    page = client_for(cast.program_admin).get(f"/people/groups/{community_group.pk}/")

    assert page.status_code == 200
    for member in (cast.group_member, cast.participant_and_member):
        assert member.chosen_name not in page.content.decode()


def test_a_persons_page_does_not_list_their_groups(
    cast: Cast, community_group: CommunityGroup
) -> None:
    page = client_for(cast.program_admin).get(f"/people/{cast.group_member.pk}/")

    assert page.status_code == 200
    assert community_group.name not in page.content.decode()


def test_only_the_groups_leads_see_its_member_list(
    cast: Cast, community_group: CommunityGroup
) -> None:
    make_lead(cast.participant_and_member, community_group)
    url = f"/groups/{community_group.pk}/members/"

    lead = client_for(cast.participant_and_member).get(url)
    others = {
        position: cast.client(position).get(url).status_code
        for position in ("participant", "facilitator", "program_admin", "group_member", "stranger")
    }

    assert lead.status_code == 200
    assert cast.group_member.chosen_name in lead.content.decode()
    assert others == dict.fromkeys(others, 404)


def test_a_member_sees_that_they_are_a_member_and_no_one_else(
    cast: Cast, community_group: CommunityGroup
) -> None:
    page = client_for(cast.group_member).get("/groups/").content.decode()

    assert "You are a member" in page
    assert cast.participant_and_member.chosen_name not in page


def page_for(cast: Cast, position: str, path: str) -> str:
    return without_per_request_values(cast.client(position).get(path).content.decode())


def add_members(group: CommunityGroup, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        person = make_person(group.organisation, f"m{n}@acme.test", f"M {n}", {Role.PARTICIPANT})
        GroupMembership.objects.create(group=group, person=person, added_by="self")


def test_no_one_but_the_leads_learns_how_many_members_a_group_has(
    cast: Cast, community_group: CommunityGroup
) -> None:
    """Not even as a rough band: someone who could bring a group to one below a band's edge
    (their own accounts joining, or invitations to addresses they control) would see the
    band move when the one person they were watching joined."""
    pages = {
        ("participant", "/groups/"),
        ("group_member", "/groups/"),
        ("program_admin", "/groups/"),
        ("program_admin", "/people/groups/"),
        ("program_admin", f"/people/groups/{community_group.pk}/"),
    }
    before = {key: page_for(cast, *key) for key in pages}

    add_members(community_group, 3)  # 5 members
    add_members(community_group, 100, start=10)  # 105
    after = {key: page_for(cast, *key) for key in pages}

    assert after == before
    assert "Fewer than" not in before[("participant", "/groups/")]


# --- The demo ------------------------------------------------------------------------------------


def test_the_demo_keeps_its_members_in_and_lets_sam_lead_his_group(
    db: None, settings: object
) -> None:
    settings.DEMO_PASSWORD = "demo-groups-password"  # type: ignore[attr-defined]
    organisation = create_demo()
    sam = Person.objects.get(email="member@example.com")
    space = Space.objects.get(organisation=organisation, audience=Space.Audience.GROUP)

    assert client_for(sam).get(f"/community/{space.pk}/").status_code == 200
    membership = GroupMembership.objects.get(person=sam, group=space.group)
    assert membership.is_lead
    roster = client_for(sam).get(f"/groups/{space.group_id}/members/").content.decode()
    assert "Noor Haddad" in roster
    admin = Person.objects.get(email="admin@example.com")
    page = client_for(admin).get(f"/people/groups/{space.group_id}/").content.decode()
    assert "Sam Chen" not in page and "Noor Haddad" not in page
