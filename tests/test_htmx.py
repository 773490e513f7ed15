"""htmx swaps a part of the page; the same action without JavaScript redirects."""

from bridgework.accounts.models import CommunityGroup, GroupMembership

from .conftest import Cast


def test_joining_with_htmx_returns_just_the_updated_card(
    cast: Cast, community_group: CommunityGroup
) -> None:
    client = cast.client("participant")
    response = client.post(f"/groups/{community_group.pk}/join", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="card" id="group-{community_group.pk}">')
    assert "You joined Disability Network." in html
    assert f"Leave <bdi>{community_group.name}</bdi>" in html
    assert "<html" not in html
    assert GroupMembership.objects.filter(group=community_group, person=cast.participant).exists()


def test_joining_without_javascript_redirects_back_to_the_list(
    cast: Cast, community_group: CommunityGroup
) -> None:
    response = cast.client("participant").post(f"/groups/{community_group.pk}/join")
    assert response.status_code == 302
    assert response["Location"] == "/groups/"


def test_leaving_with_htmx_offers_to_join_again(
    cast: Cast, community_group: CommunityGroup
) -> None:
    client = cast.client("group_member")
    response = client.post(f"/groups/{community_group.pk}/leave", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert f"Join <bdi>{community_group.name}</bdi>" in html
    assert "You left Disability Network." in html


def test_joining_with_htmx_a_group_closed_since_the_page_was_shown_says_so_in_the_card(
    cast: Cast, community_group: CommunityGroup
) -> None:
    """The card as it is now, with the reason: not the whole groups page inside the card."""
    community_group.open_to_join = False
    community_group.save()
    client = cast.client("participant")

    response = client.post(f"/groups/{community_group.pk}/join", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="card" id="group-{community_group.pk}">')
    assert "<html" not in html and "<h1" not in html
    assert 'class="message message--error"' in html
    assert "Disability Network is not open to join; its members are invited." in html
    assert "By invitation" in html
    assert f"Join <bdi>{community_group.name}</bdi>" not in html
    assert not GroupMembership.objects.filter(group=community_group, person=cast.participant)


def test_joining_without_javascript_a_closed_group_goes_back_to_the_list_with_the_reason(
    cast: Cast, community_group: CommunityGroup
) -> None:
    community_group.open_to_join = False
    community_group.save()

    response = cast.client("participant").post(f"/groups/{community_group.pk}/join", follow=True)

    assert response.redirect_chain == [("/groups/", 302)]
    assert "is not open to join; its members are invited." in response.content.decode()
