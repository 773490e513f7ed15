"""Resources with vetting: members suggest, a facilitator checks the rubric, vetted ones are
public to the organisation and filterable by type and module."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from bridgework.accounts.models import Organisation
from bridgework.notifications.models import Notification
from bridgework.resources import demo, services
from bridgework.resources.models import (
    CRITERIA_KEYS,
    PENDING_AT_ONCE,
    SUGGESTIONS_PER_DAY,
    Resource,
    ResourceReview,
)

from .conftest import Cast, Committed, CountQueries, make_person
from .resources_support import ALL_MET, make_resource, module_named


def suggestion(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "video",
        "title": "A talk about listening",
        "url": "https://example.org/talk",
        "module": "",
        "why_it_helped": "It showed me how often I interrupt.",
    }
    data.update(overrides)
    return data


def test_a_member_suggests_a_resource_that_waits_for_review(cast: Cast) -> None:
    response = cast.client("participant").post("/community/resources/suggest", suggestion())
    assert response.status_code == 302 and response["Location"] == "/community/resources/mine/"
    resource = Resource.objects.get()
    assert resource.status == Resource.Status.PENDING
    assert resource.suggested_by == cast.participant
    mine = cast.client("participant").get("/community/resources/mine/").content.decode()
    assert "A talk about listening" in mine and "Waiting for review" in mine


def test_it_suggests_with_a_module_of_the_organisation(cast: Cast) -> None:
    module = module_named(cast.participant, "foundations")
    cast.client("participant").post(
        "/community/resources/suggest", suggestion(module=str(module.pk))
    )
    assert Resource.objects.get().module == module


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/file",
        "file:///etc/passwd",
        "not a link",
    ],
)
def test_it_refuses_links_that_are_not_web_addresses(cast: Cast, url: str) -> None:
    response = cast.client("participant").post("/community/resources/suggest", suggestion(url=url))
    assert response.status_code == 400
    assert "Give a web address starting https://" in response.content.decode()
    assert not Resource.objects.exists()


def test_it_refuses_a_module_of_another_organisation(cast: Cast) -> None:
    elsewhere = module_named(cast.stranger, "theirs")
    response = cast.client("participant").post(
        "/community/resources/suggest", suggestion(module=str(elsewhere.pk))
    )
    assert response.status_code == 400
    assert not Resource.objects.exists()


def test_missing_fields_get_messages_beside_them_not_errors(cast: Cast) -> None:
    response = cast.client("participant").post("/community/resources/suggest", {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." not in page
    for said in (
        "Choose what kind of resource it is.",
        "Give its title.",
        "Give a link where others can find it.",
        "Say in a few words why it helped you.",
    ):
        assert said in page


def test_a_suggestion_is_seen_only_by_its_suggester_and_facilitators(cast: Cast) -> None:
    resource = make_resource(cast.participant, title="Still waiting")
    path = f"/community/resources/{resource.pk}/"
    assert cast.client("participant").get(path).status_code == 200
    assert cast.client("facilitator").get(path).status_code == 200
    for position in ("program_admin", "group_member", "participant_and_member", "stranger"):
        assert cast.client(position).get(path).status_code == 404, position
    listing = cast.client("participant_and_member").get("/community/resources/")
    assert "Still waiting" not in listing.content.decode()


def test_the_facilitator_sees_the_queue_and_the_rubric(cast: Cast) -> None:
    resource = make_resource(cast.participant, title="Queued")
    queue = cast.client("facilitator").get("/community/resources/review/").content.decode()
    assert "Queued" in queue and f"/community/resources/{resource.pk}/review" in queue
    page = cast.client("facilitator").get(f"/community/resources/{resource.pk}/review")
    html = page.content.decode()
    for words in ("Credible source", "Grounded in evidence", "Respectful", "No bias score"):
        assert words in html
    assert "Accessible" in html and "captions" in html


def test_approving_needs_every_criterion(cast: Cast) -> None:
    resource = make_resource(cast.participant)
    almost = {**ALL_MET}
    del almost["accessible"]
    response = cast.client("facilitator").post(
        f"/community/resources/{resource.pk}/review", {**almost, "decision": "approve"}
    )
    assert response.status_code == 400
    assert "vetted only when it meets every criterion" in response.content.decode()
    resource.refresh_from_db()
    assert resource.status == Resource.Status.PENDING
    assert not ResourceReview.objects.exists()


def test_approving_records_each_check_and_marks_it_vetted(cast: Cast) -> None:
    resource = make_resource(cast.participant, title="Worth it", kind="podcast")
    response = cast.client("facilitator").post(
        f"/community/resources/{resource.pk}/review", {**ALL_MET, "decision": "approve"}
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.status == Resource.Status.VETTED and resource.reviewed_at is not None
    review = ResourceReview.objects.get()
    assert review.reviewer == cast.facilitator and review.meets_all
    listing = cast.client("group_member").get("/community/resources/").content.decode()
    assert "Worth it" in listing and "Vetted" in listing
    assert "by a facilitator on" in listing
    # The reviewer is a facilitator, never a name.
    assert cast.facilitator.chosen_name not in listing


def test_declining_needs_a_reason_that_the_suggester_sees(cast: Cast) -> None:
    resource = make_resource(cast.participant, title="A quiz")
    checks = {key: "on" for key in CRITERIA_KEYS if key != "no_bias_score"}
    path = f"/community/resources/{resource.pk}/review"
    response = cast.client("facilitator").post(path, {**checks, "decision": "decline"})
    assert response.status_code == 400
    assert "Say briefly why" in response.content.decode()
    reason = "It scores people's bias from a short quiz, which our rubric rules out."
    response = cast.client("facilitator").post(
        path, {**checks, "decision": "decline", "reason": reason}
    )
    assert response.status_code == 302
    review = ResourceReview.objects.get()
    assert review.no_bias_score is False and review.credible is True
    resource.refresh_from_db()
    assert resource.status == Resource.Status.DECLINED
    mine = cast.client("participant").get("/community/resources/mine/").content.decode()
    assert "Not added" in mine and "which our rubric rules out" in mine
    detail = cast.client("participant").get(f"/community/resources/{resource.pk}/")
    assert "which our rubric rules out" in detail.content.decode()
    assert "A quiz" not in cast.client("group_member").get("/community/resources/").content.decode()


def test_only_facilitators_review(cast: Cast) -> None:
    resource = make_resource(cast.participant_and_member)
    path = f"/community/resources/{resource.pk}/review"
    for position in ("participant", "program_admin", "group_member", "stranger"):
        response = cast.client(position).post(path, {**ALL_MET, "decision": "approve"})
        assert response.status_code == 403, position
    resource.refresh_from_db()
    assert resource.status == Resource.Status.PENDING


def test_a_facilitator_elsewhere_cannot_review_or_see_it(
    cast: Cast, other_organisation: Organisation
) -> None:
    outsider = make_person(other_organisation, "fi@globex.test", "Fi", {"facilitator"})
    resource = make_resource(cast.participant)
    client = cast.client("participant")
    client.force_login(outsider)
    assert client.get(f"/community/resources/{resource.pk}/review").status_code == 404
    assert client.get(f"/community/resources/{resource.pk}/").status_code == 404
    assert "A good book" not in client.get("/community/resources/review/").content.decode()


def test_the_suggester_can_withdraw_a_waiting_suggestion_only(cast: Cast) -> None:
    waiting = make_resource(cast.participant)
    vetted = make_resource(cast.participant, status=Resource.Status.VETTED)
    client = cast.client("participant")
    assert client.post(f"/community/resources/{vetted.pk}/withdraw").status_code == 404
    assert (
        cast.client("facilitator").post(f"/community/resources/{waiting.pk}/withdraw").status_code
        == 404
    )
    assert client.post(f"/community/resources/{waiting.pk}/withdraw").status_code == 302
    assert list(Resource.objects.all()) == [vetted]


def test_suggestions_are_rate_limited_per_day(cast: Cast) -> None:
    client = cast.client("participant")
    for n in range(SUGGESTIONS_PER_DAY):
        response = client.post("/community/resources/suggest", suggestion(title=f"Resource {n}"))
        assert response.status_code == 302
    response = client.post("/community/resources/suggest", suggestion(title="One more"))
    assert response.status_code == 400
    assert "Please wait a little" in response.content.decode()
    assert Resource.objects.count() == SUGGESTIONS_PER_DAY
    # Someone else is not held back by it.
    other = cast.client("facilitator").post("/community/resources/suggest", suggestion())
    assert other.status_code == 302


def test_too_many_waiting_suggestions_pause_new_ones(cast: Cast) -> None:
    for n in range(PENDING_AT_ONCE):
        resource = make_resource(cast.participant, title=f"Old {n}")
        Resource.objects.filter(pk=resource.pk).update(created_at="2020-01-01T00:00Z")
    response = cast.client("participant").post("/community/resources/suggest", suggestion())
    assert response.status_code == 400
    assert "waiting for review" in response.content.decode()


def test_the_list_filters_by_type_and_module(cast: Cast) -> None:
    courage = module_named(cast.facilitator, "courage")
    repair = module_named(cast.facilitator, "repair", order=2)
    vetted = Resource.Status.VETTED
    make_resource(
        cast.participant, title="Courage book", kind="book", module=courage, status=vetted
    )
    make_resource(
        cast.participant, title="Courage video", kind="video", module=courage, status=vetted
    )
    make_resource(
        cast.participant, title="Repair video", kind="video", module=repair, status=vetted
    )
    client = cast.client("group_member")

    def titles(query: str) -> set[str]:
        html = client.get(f"/community/resources/{query}").content.decode()
        return {t for t in ("Courage book", "Courage video", "Repair video") if t in html}

    assert titles("") == {"Courage book", "Courage video", "Repair video"}
    assert titles("?kind=video") == {"Courage video", "Repair video"}
    assert titles(f"?module={courage.pk}") == {"Courage book", "Courage video"}
    assert titles(f"?kind=video&module={repair.pk}") == {"Repair video"}
    # A stale or made-up value is ignored on its own, never a 500.
    assert titles("?kind=scroll&module=abc") == {"Courage book", "Courage video", "Repair video"}


def test_the_list_has_empty_states(cast: Cast) -> None:
    client = cast.client("participant")
    assert "No vetted resources yet" in client.get("/community/resources/").content.decode()
    make_resource(cast.participant, kind="book", status=Resource.Status.VETTED)
    filtered = client.get("/community/resources/?kind=tool").content.decode()
    assert "No vetted resources match these filters" in filtered
    mine = cast.client("group_member").get("/community/resources/mine/").content.decode()
    assert "You have not suggested anything yet" in mine
    queue = cast.client("facilitator").get("/community/resources/review/").content.decode()
    assert "No suggestions are waiting" in queue


def test_the_list_is_paginated(cast: Cast) -> None:
    for n in range(25):
        make_resource(cast.participant, title=f"Item {n:02}", status=Resource.Status.VETTED)
    client = cast.client("participant")
    first = client.get("/community/resources/?kind=book").content.decode()
    assert "25 vetted resources" in first and "Page 1 of 2" in first
    assert "?kind=book&amp;page=2" in first
    second = client.get("/community/resources/?kind=book&page=2").content.decode()
    assert "Page 2 of 2" in second


def test_htmx_gets_just_the_results(cast: Cast) -> None:
    make_resource(cast.participant, status=Resource.Status.VETTED)
    response = cast.client("participant").get(
        "/community/resources/?kind=book", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"') and "<html" not in html


def add_resources(cast: Cast, count: int, start: int) -> None:
    modules = [module_named(cast.facilitator, f"m-{start}-{n}", order=n) for n in range(2)]
    for n in range(start, start + count):
        status = [Resource.Status.VETTED, Resource.Status.PENDING, Resource.Status.DECLINED][n % 3]
        make_resource(cast.participant, title=f"R {n}", module=modules[n % 2], status=status)


LIST_PAGE_QUERIES = {
    ("/community/resources/", "participant"): 5,
    ("/community/resources/", "facilitator"): 6,
    ("/community/resources/?kind=book", "group_member"): 5,
    ("/community/resources/mine/", "participant"): 4,
    ("/community/resources/review/", "facilitator"): 5,
}


@pytest.mark.parametrize(("path", "position"), LIST_PAGE_QUERIES)
def test_list_pages_do_the_same_number_of_queries_for_6_and_90_resources(
    path: str, position: str, cast: Cast, count_queries: CountQueries
) -> None:
    client = cast.client(position)
    add_resources(cast, 6, start=0)
    small = count_queries(client.get, path)
    add_resources(cast, 84, start=100)
    large = count_queries(client.get, path)
    assert small == large == LIST_PAGE_QUERIES[path, position]


def test_the_demo_has_vetted_resources_and_one_waiting(organisation: Organisation) -> None:
    make_person(organisation, "facilitator@example.com", "Fatima", {"facilitator"})
    make_person(organisation, "participant@example.com", "Alex", {"participant"})
    demo.create(organisation)
    assert Resource.objects.filter(status=Resource.Status.VETTED).count() == 4
    assert Resource.objects.filter(status=Resource.Status.PENDING).count() == 1
    assert all(r.url.startswith("https://") for r in Resource.objects.all())


def test_the_suggester_is_notified_in_app_when_reviewed(cast: Cast, committed: Committed) -> None:
    resource = make_resource(cast.participant, title="Notify me")
    with committed():
        cast.client("facilitator").post(
            f"/community/resources/{resource.pk}/review", {**ALL_MET, "decision": "approve"}
        )
    note = Notification.objects.get()
    assert note.person == cast.participant and note.kind == "resource_reviewed"
    assert "Notify me" in note.summary and "vetted" in note.summary
    assert note.url == f"/community/resources/{resource.pk}/"
    assert cast.facilitator.chosen_name not in note.summary


def test_the_model_refuses_a_javascript_link_too(cast: Cast) -> None:
    with pytest.raises(ValidationError):
        services.suggest(
            person=cast.participant,
            kind="book",
            title="Bad",
            url="javascript:alert(1)",
            why_it_helped="No.",
        )
