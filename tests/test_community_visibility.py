"""Who sees a community space: its audience and its facilitators, decided live from the
membership tables, and nobody else — program admins included."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from bridgework.accounts.models import CommunityGroup, GroupMembership, Organisation, Person, Role
from bridgework.community import queries, services
from bridgework.community.models import Post, Space, Thread
from bridgework.community.visibility import can_view
from bridgework.notifications.api import notify, visible_notifications
from bridgework.notifications.models import Notification

from .community_support import allies_space, group_space, raw_post
from .conftest import Cast, Committed, client_for


def visible(person: Person) -> set[str]:
    return set(Space.objects.visible_to(person).values_list("name", flat=True))


def test_the_allies_space_is_for_participants_and_its_facilitators(
    cast: Cast, community_group: CommunityGroup
) -> None:
    allies_space(cast.facilitator)
    group_space(cast.facilitator, community_group)
    assert visible(cast.participant) == {"Allies"}
    assert visible(cast.group_member) == {"Our space"}
    assert visible(cast.participant_and_member) == {"Allies", "Our space"}
    assert visible(cast.facilitator) == {"Allies", "Our space"}
    assert visible(cast.program_admin) == set()
    assert visible(cast.deactivated) == set()
    assert visible(cast.stranger) == set()


def test_the_pages_prepared_readings_see_what_the_rule_sees_for_everyone(
    cast: Cast, community_group: CommunityGroup
) -> None:
    """The community pages read spaces and threads with prepared queries built from a
    stand-in for the reader (their id, roles and whether they are active): each cast member,
    the deactivated one included, gets exactly what the rule gives them."""
    allies = allies_space(cast.facilitator)
    ours = group_space(cast.facilitator, community_group)
    threads = {space: raw_post(space, cast.facilitator, "hi").thread for space in (allies, ours)}
    for person in (
        cast.participant,
        cast.group_member,
        cast.participant_and_member,
        cast.facilitator,
        cast.program_admin,
        cast.deactivated,
        cast.stranger,
    ):
        rule = set(Space.objects.visible_to(person))
        assert set(queries.spaces_listed(person)[:50]) == rule, person
        assert {s for s in (allies, ours) if queries.visible_space(person, s.pk)} == rule
        seen = {s for s, t in threads.items() if queries.visible_thread(person, t.pk)}
        assert seen == rule, person
        assert {t.space for t in queries.recent_threads(person, 5)} == rule, person


def test_a_facilitator_sees_only_the_spaces_they_facilitate_or_belong_to(
    cast: Cast, community_group: CommunityGroup
) -> None:
    space = group_space(cast.facilitator, community_group)
    other = make_other_facilitator(cast)
    assert not can_view(other, space)
    assert not space.can_moderate(other)
    assert space.can_moderate(cast.facilitator)


def make_other_facilitator(cast: Cast) -> Person:
    from .conftest import make_person

    organisation = cast.facilitator.organisation
    assert organisation is not None
    return make_person(organisation, "flo@acme.test", "Flo Other", {Role.FACILITATOR})


def test_leaving_the_group_hides_its_space_at_once(
    cast: Cast, community_group: CommunityGroup
) -> None:
    space = group_space(cast.facilitator, community_group)
    post = raw_post(space, cast.group_member, "hello")
    assert can_view(cast.group_member, post)
    GroupMembership.objects.filter(person=cast.group_member).delete()
    assert not can_view(cast.group_member, post)
    assert not Post.objects.visible_to(cast.group_member).exists()
    assert not Thread.objects.visible_to(cast.group_member).exists()


def test_losing_the_facilitator_role_ends_facilitating_at_once(
    cast: Cast, community_group: CommunityGroup
) -> None:
    space = group_space(cast.facilitator, community_group)
    cast.facilitator.set_roles({Role.PARTICIPANT})
    fresh = Person.objects.get(pk=cast.facilitator.pk)
    assert not can_view(fresh, space)
    assert not space.can_moderate(fresh)


def test_a_hidden_post_is_for_its_author_and_the_facilitators(
    cast: Cast, community_group: CommunityGroup
) -> None:
    space = group_space(cast.facilitator, community_group)
    post = raw_post(space, cast.group_member, "hello")
    post.status = Post.Status.HIDDEN
    post.save()
    assert can_view(cast.group_member, post)
    assert can_view(cast.facilitator, post)
    assert not can_view(cast.participant_and_member, post)
    assert set(Post.objects.visible_to(cast.participant_and_member)) == set()
    assert set(Post.objects.visible_to(cast.facilitator)) == {post}


def test_notifications_from_a_space_are_rechecked_when_listed(
    cast: Cast, community_group: CommunityGroup, committed: Committed
) -> None:
    space = group_space(cast.facilitator, community_group)
    with committed():
        notify(person=cast.participant, kind="reply", summary="x", url="/", space_id=space.pk)
        notify(person=cast.group_member, kind="reply", summary="x", url="/", space_id=space.pk)
        notify(person=cast.group_member, kind="other", summary="y", url="/")
    assert not Notification.objects.filter(person=cast.participant).exists()
    kept = Notification.objects.get(person=cast.group_member, kind="reply")
    own = Notification.objects.get(person=cast.group_member, kind="other")
    assert set(visible_notifications(cast.group_member)) == {kept, own}
    GroupMembership.objects.filter(person=cast.group_member).delete()
    assert list(visible_notifications(cast.group_member)) == [own]
    assert Notification.objects.filter(person=cast.group_member).count() == 2


def group_space_by(facilitator: Person, organisation: Organisation, group: CommunityGroup) -> Space:
    return services.create_space(
        organisation=organisation,
        created_by=facilitator,
        name="Our own corner",
        audience=Space.Audience.GROUP,
        group=group,
    )


def proposed_space(cast: Cast, organisation: Organisation, group: CommunityGroup) -> Space:
    """A space the facilitator sets up for a group Bo leads and the facilitator does not."""
    GroupMembership.objects.filter(group=group, person=cast.participant_and_member).update(
        is_lead=True
    )
    return group_space_by(cast.facilitator, organisation, group)


def test_a_space_for_a_group_stays_closed_to_its_members_until_a_lead_opens_it(
    cast: Cast, organisation: Organisation, community_group: CommunityGroup, committed: Committed
) -> None:
    with committed():
        space = proposed_space(cast, organisation, community_group)

    assert space.awaits_group
    assert not can_view(cast.group_member, space)
    assert space not in Space.objects.visible_to(cast.group_member)
    assert can_view(cast.facilitator, space)
    lead = cast.participant_and_member
    assert can_view(lead, space)
    [told] = Notification.objects.filter(person=lead)
    assert "Its members see it only if you open it to them." in told.summary
    assert not Notification.objects.filter(person=cast.group_member).exists()
    with pytest.raises(PermissionDenied):
        services.open_space_to_group(space=space, lead=cast.group_member)

    services.open_space_to_group(space=space, lead=lead)

    assert can_view(cast.group_member, space)
    told.refresh_from_db()
    assert told.read_at is not None, "the proposal is settled"
    assert space in Space.objects.visible_to(cast.group_member)


def test_a_lead_who_facilitates_opens_a_space_for_their_group_at_once(
    cast: Cast, organisation: Organisation, community_group: CommunityGroup
) -> None:
    GroupMembership.objects.create(
        group=community_group, person=cast.facilitator, added_by="self", is_lead=True
    )
    space = group_space_by(cast.facilitator, organisation, community_group)

    assert not space.awaits_group
    assert can_view(cast.group_member, space)


def test_a_lead_opens_a_proposed_space_from_its_page(
    cast: Cast, organisation: Organisation, community_group: CommunityGroup
) -> None:
    space = proposed_space(cast, organisation, community_group)
    lead = client_for(cast.participant_and_member)
    page = lead.get(f"/community/{space.pk}/").content.decode()
    assert "Open it to the members of" in page
    # The lead knows who would read everything its members share.
    assert (
        "Its facilitators, who read everything in it: "
        f"<bdi>{cast.facilitator.chosen_name}</bdi>" in page
    )
    assert "Open it to the members of" not in (
        client_for(cast.facilitator).get(f"/community/{space.pk}/").content.decode()
    )
    assert client_for(cast.group_member).get(f"/community/{space.pk}/").status_code == 404

    response = lead.post(f"/community/{space.pk}/open")

    assert response.status_code == 302
    assert client_for(cast.group_member).get(f"/community/{space.pk}/").status_code == 200
