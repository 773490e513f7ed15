"""Someone else vets a suggestion: a facilitator never approves or declines their own
resource or tip, and is told when nobody else in the organisation can."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from bridgework.accounts.models import Person, Role
from bridgework.curriculum import services as curriculum
from bridgework.curriculum.models import Tip
from bridgework.resources import services
from bridgework.resources.models import Resource, ResourceReview

from .conftest import Cast, make_person
from .resources_support import ALL_MET, make_resource

NOBODY_ELSE = "Nobody else in your organisation is a facilitator"


def second_facilitator(cast: Cast) -> Person:
    organisation = cast.facilitator.organisation
    assert organisation is not None
    return make_person(organisation, "fay@acme.test", "Fay Second", {Role.FACILITATOR})


# --- resources ------------------------------------------------------------------------------


def test_a_facilitator_cannot_vet_their_own_resource(cast: Cast) -> None:
    resource = make_resource(cast.facilitator, title="My own favourite")
    client = cast.client("facilitator")
    detail = client.get(f"/community/resources/{resource.pk}/").content.decode()
    assert f"/community/resources/{resource.pk}/review" not in detail
    assert "another facilitator reviews it" in detail
    queue = client.get("/community/resources/review/").content.decode()
    assert "My own favourite" in queue
    assert f"/community/resources/{resource.pk}/review" not in queue
    assert "You suggested this" in queue
    form_page = client.get(f"/community/resources/{resource.pk}/review").content.decode()
    assert "Record the review" not in form_page
    response = client.post(
        f"/community/resources/{resource.pk}/review", {**ALL_MET, "decision": "approve"}
    )
    assert response.status_code == 400
    assert "You suggested it, so another facilitator reviews it" in response.content.decode()
    declined = client.post(
        f"/community/resources/{resource.pk}/review", {"decision": "decline", "reason": "No."}
    )
    assert declined.status_code == 400
    resource.refresh_from_db()
    assert resource.status == Resource.Status.PENDING and not ResourceReview.objects.exists()
    with pytest.raises(ValidationError, match="another facilitator reviews it"):
        services.review(
            resource=resource,
            reviewer=cast.facilitator,
            decision="approve",
            checks=dict.fromkeys(ALL_MET, True),
        )


def test_another_facilitator_vets_it(cast: Cast) -> None:
    resource = make_resource(cast.facilitator, title="My own favourite")
    other = second_facilitator(cast)
    client = cast.client("facilitator")
    client.force_login(other)
    queue = client.get("/community/resources/review/").content.decode()
    assert f"/community/resources/{resource.pk}/review" in queue
    response = client.post(
        f"/community/resources/{resource.pk}/review", {**ALL_MET, "decision": "approve"}
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.status == Resource.Status.VETTED
    assert ResourceReview.objects.get().reviewer == other


def test_it_says_when_nobody_else_can_vet_a_resource(cast: Cast) -> None:
    resource = make_resource(cast.facilitator)
    client = cast.client("facilitator")
    for path in ("/community/resources/review/", f"/community/resources/{resource.pk}/"):
        assert NOBODY_ELSE in client.get(path).content.decode(), path
    # A program admin is not a reviewer, and a deactivated facilitator does not count.
    organisation = cast.facilitator.organisation
    assert organisation is not None
    make_person(organisation, "gone@acme.test", "Gone", {Role.FACILITATOR}).deactivate()
    assert NOBODY_ELSE in client.get("/community/resources/review/").content.decode()
    second_facilitator(cast)
    for path in ("/community/resources/review/", f"/community/resources/{resource.pk}/"):
        assert NOBODY_ELSE not in client.get(path).content.decode(), path


# --- tips -----------------------------------------------------------------------------------

TIP = {
    "title": "Pause before replying",
    "text": "Count to three before you answer in a meeting.",
    "practice": "deep-curiosity",
    "defense": "paralysis",
    "effort": "1",
    "courage": "1",
    "contexts": ["meetings"],
}


def suggest_tip(cast: Cast) -> Tip:
    response = cast.client("facilitator").post("/tips/suggest", TIP)
    assert response.status_code == 302
    return Tip.objects.get(title=TIP["title"])


def test_a_facilitator_cannot_approve_their_own_tip(cast: Cast) -> None:
    tip = suggest_tip(cast)
    client = cast.client("facilitator")
    review = client.get("/tips/review").content.decode()
    assert escape(tip.title) in review
    assert f'action="/tips/{tip.pk}/review"' not in review
    assert "You suggested this tip, so another facilitator reviews it" in review
    assert NOBODY_ELSE in review
    response = client.post(f"/tips/{tip.pk}/review", {"decision": "approve"})
    assert response.status_code == 302
    after = client.get(response["Location"]).content.decode()
    assert "another facilitator reviews it" in after
    tip.refresh_from_db()
    assert tip.status == Tip.Status.PENDING
    with pytest.raises(ValidationError):
        curriculum.review_tip(tip=tip, reviewer=cast.facilitator, approve=True, reason="")
    tip.refresh_from_db()
    assert tip.status == Tip.Status.PENDING


def test_another_facilitator_approves_the_tip(cast: Cast) -> None:
    tip = suggest_tip(cast)
    client = cast.client("facilitator")
    client.force_login(second_facilitator(cast))
    review = client.get("/tips/review").content.decode()
    assert f'action="/tips/{tip.pk}/review"' in review and NOBODY_ELSE not in review
    assert client.post(f"/tips/{tip.pk}/review", {"decision": "approve"}).status_code == 302
    tip.refresh_from_db()
    assert tip.status == Tip.Status.APPROVED
