"""A protected-space canary never reaches Slack: markers written in a community group's
protected space (posts, a reply, flags, moderation reasons, a poll) and in the journal are
absent from every call Bridgework makes to Slack while a member of that group uses
everything Slack offers."""

from __future__ import annotations

from typing import Any

import pytest

from bridgework.community.models import Space
from bridgework.practice import reminders
from bridgework.reflection import services as reflection_services

from .conftest import Cast, Clock
from .slack_loopback import FakeSlack
from .test_authorization import (
    sample_values,  # noqa: F401  (a fixture used below)
)
from .test_community_canary import MARK, write_markers
from .test_reminders import DUE, MONDAY, commit_weekly
from .test_slack import (  # noqa: F401  (fixtures used below)
    command,
    event,
    from_slack,
    link_on_profile,
    slack,
    slack_id,
    workspace,
)


@pytest.mark.usefixtures("workspace")
def test_the_protected_space_canary_never_appears_in_any_call_to_slack(
    cast: Cast,
    slack: FakeSlack,  # noqa: F811
    clock: Clock,
    request: pytest.FixtureRequest,
    django_capture_on_commit_callbacks: Any,
) -> None:
    values: dict[str, str] = dict(request.getfixturevalue("sample_values"))
    space = Space.objects.get(pk=values["space_id"])
    member = cast.participant_and_member
    with django_capture_on_commit_callbacks(execute=True):
        write_markers(cast, space)
    reflection_services.write_entry(person=member, title=f"{MARK} title", body=f"{MARK} journal")
    commitment = commit_weekly(member)
    link_on_profile(member, slack)
    clock.move_to(DUE)

    reminders.deliver(commitment.pk, MONDAY)
    command(member, "")
    command(member, "pick")
    from_slack(
        "/slack/events",
        event("app_home_opened", "EvC1", user=slack_id(member), tab="home"),
        json_body=True,
    )

    assert len(slack.calls) >= 4
    assert MARK not in slack.everything_sent()
