"""No leaks: markers written in a community group's protected space never reach anyone
outside its audience — not on any page they can open, not in search, notifications, e-mails,
their download-my-data export, nor in the logs written while they use Bridgework.

Two more canaries: the moment the space was moderated (so not even "something happened in
a space you are not in, at this time" gets out, e.g. through the moderation log), and the
name of someone who is in a community group and does nothing else (so the group's roster
reaches nobody but its leads and the person themself)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgework.accounts import services as account_services
from bridgework.accounts.models import CommunityGroup, Role
from bridgework.community import services
from bridgework.community.models import GuidelinesAcceptance, ModerationAction, PostingPause, Space
from bridgework.notifications import digest
from bridgework.notifications.models import DigestPreference, Notification
from bridgework.reflection import services as reflection_services

from .conftest import Cast, Committed, client_for, log_everything, make_person
from .test_authorization import (
    sample_values,  # noqa: F401  (a fixture used below)
)
from .test_reflection_privacy import get_pages

MARK = "zqx-protected-7310"
SEARCH_WORD = "marmalade"  # in the protected post, but not the marker itself
OUTSIDERS = ["anonymous", "participant", "program_admin", "deactivated", "stranger"]
# Every moderation decision in the protected space is dated at this moment, in a year that
# appears nowhere else in the tests' data.
MODERATED_AT = datetime(2031, 7, 19, 4, 56, tzinfo=UTC)
MODERATION_TRACE = re.compile(r"\b2031\b")
ROSTER_MARK = "Zqx Rostercanary"


def write_markers(cast: Cast, space: Space) -> None:
    member, both, fran = cast.group_member, cast.participant_and_member, cast.facilitator
    PostingPause.objects.filter(space=space).update(lifted_at=timezone.now())
    for person in (member, both, fran):
        GuidelinesAcceptance.objects.get_or_create(space=space, person=person)
    thread = services.start_thread(
        space=space,
        author=member,
        title=f"{MARK} title",
        body=f"{MARK} body about {SEARCH_WORD}. Thanks @pat-participant and @ada-admin.",
    )
    reply = services.reply(thread=thread, author=both, body=f"{MARK} reply @gus-groupmember")
    services.edit_post(post=reply, editor=both, body=f"{MARK} edited reply")
    services.flag_post(post=reply, person=member, reason=f"{MARK} flag reason")
    services.hide_post(post=reply, moderator=fran, reason=f"{MARK} hide reason")
    services.lock_thread(thread=thread, moderator=fran, reason=f"{MARK} lock reason")
    ModerationAction.objects.filter(space=space).update(created_at=MODERATED_AT)
    poll = services.create_poll(
        space=space, created_by=member, question=f"{MARK} poll?", options=[f"{MARK} a", "b"]
    )
    services.vote(poll=poll, person=both, options=list(poll.options.all())[:1])


def test_protected_markers_never_reach_outsiders(
    cast: Cast,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    values: dict[str, str] = dict(request.getfixturevalue("sample_values"))
    space = Space.objects.get(pk=values["space_id"])
    other_facilitator = make_person(
        cast.facilitator.organisation,  # type: ignore[arg-type]
        "flo@acme.test",
        "Flo Facilitator",
        {Role.FACILITATOR, Role.PARTICIPANT},
    )
    for person in (cast.participant, cast.program_admin, cast.group_member, cast.stranger):
        DigestPreference.objects.create(person=person, frequency="daily")
    with django_capture_on_commit_callbacks(execute=True):
        write_markers(cast, space)
    # From here on, only what outsiders do is logged and checked: every logger at DEBUG,
    # SQL parameters included.
    caplog.clear()
    log_everything(caplog)
    leaks = []
    with CaptureQueriesContext(connection), django_capture_on_commit_callbacks(execute=True):
        clients = {position: cast.client(position) for position in OUTSIDERS}
        # A facilitator who does not look after the space is as much outside it as anyone.
        clients["another facilitator"] = client_for(other_facilitator)
        for position, client in clients.items():
            pages = get_pages(client, values)
            pages["search"] = client.get(f"/community/search/?q={SEARCH_WORD}").content.decode()
            pages["notifications"] = client.get("/community/notifications/").content.decode()
            leaks += [f"{path} as {position}" for path, body in pages.items() if MARK in body]
            leaks += [
                f"moderation time on {path} as {position}"
                for path, body in pages.items()
                if MODERATION_TRACE.search(body)
            ]
        digest.send_due()
        export = reflection_services.build_export(
            reflection_services.request_export(person=cast.participant)
        )
    assert leaks == []
    assert MARK not in caplog.text
    assert any(record.name == "django.db.backends" for record in caplog.records)
    # E-mails: outsiders got their digest (or none) without a word of it.
    outsiders = {cast.participant.email, cast.program_admin.email, cast.stranger.email}
    for message in mail.outbox:
        if set(message.to) & outsiders:
            assert MARK not in f"{message.subject} {message.body}"
    # The member's digest went out, with links, not post text.
    member_mail = [m for m in mail.outbox if cast.group_member.email in m.to]
    assert member_mail and "edited reply" not in member_mail[0].body
    download = cast.client("participant").get(f"/reflect/my-data/{export.pk}/json")
    assert download.status_code == 200
    body = b"".join(download) if download.streaming else download.content
    assert MARK not in body.decode()


def test_members_do_see_it(
    cast: Cast, request: pytest.FixtureRequest, committed: Committed
) -> None:
    values: dict[str, str] = dict(request.getfixturevalue("sample_values"))
    space = Space.objects.get(pk=values["space_id"])
    with committed():
        write_markers(cast, space)
    for position in ("group_member", "participant_and_member", "facilitator"):
        client = cast.client(position)
        assert MARK in client.get(f"/community/{space.pk}/").content.decode()
        assert MARK in client.get(f"/community/search/?q={SEARCH_WORD}").content.decode()
    mentioned = cast.group_member
    assert Notification.objects.filter(person=mentioned, kind="mention").exists()
    assert not Notification.objects.filter(person=cast.participant).exists()
    assert not Notification.objects.filter(person=cast.program_admin).exists()


# Outside the roster: everyone but the group's lead (Bo) and the member themself. The other
# member (Gus) is outside it too: being in a group does not show you who else is.
ROSTER_OUTSIDERS = ["participant", "facilitator", "program_admin", "group_member", "stranger"]


def roster_mark_counts(cast: Cast, values: dict[str, str]) -> dict[str, int]:
    return {
        f"{path} as {position}": body.count(ROSTER_MARK)
        for position in ROSTER_OUTSIDERS
        for path, body in get_pages(cast.client(position), values).items()
    }


def test_a_groups_members_are_named_only_to_its_leads_and_themselves(
    cast: Cast, request: pytest.FixtureRequest, django_capture_on_commit_callbacks: Any
) -> None:
    values: dict[str, str] = dict(request.getfixturevalue("sample_values"))  # Bo leads it
    group = CommunityGroup.objects.get(pk=values["group_id"])
    canary = make_person(group.organisation, "zqx@acme.test", ROSTER_MARK, set())
    # Some pages name everyone in the organisation (the people directory, a choice of
    # colleagues), members or not. So the rule checked is: joining the group adds the name
    # nowhere an outsider looks.
    before = roster_mark_counts(cast, values)
    with django_capture_on_commit_callbacks(execute=True):
        account_services.join_group(person=canary, group=group)
    after = roster_mark_counts(cast, values)

    assert [page for page, count in after.items() if count != before.get(page)] == []
    lead = cast.client("participant_and_member")
    assert ROSTER_MARK in lead.get(f"/groups/{group.pk}/members/").content.decode()
    assert "You are a member" in client_for(canary).get("/groups/").content.decode()
