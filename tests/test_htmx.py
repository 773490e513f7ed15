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
