"""Slack waits three seconds for our answer, then shows the person an error (and retries an
event). So no request from Slack waits on Slack's Web API, except `views.open`, whose
trigger_id is only good for those three seconds: a slash command is answered in its
response body, and what a press or an opened Home tab shows in return (a reply through
response_url, a direct message, the Home tab) goes out from the worker. These tests run
the real database queue: the request only queues, the worker sends."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import override_settings

from bridgework.accounts.models import Person
from bridgework.curriculum.models import Tip
from bridgework.practice.models import CheckIn, Commitment
from bridgework.slack.blocks import check_in_value

from .conftest import Clock, curriculum_sample
from .slack_loopback import TEAM_ID, FakeSlack
from .test_reminders import DUE, MONDAY, commit_weekly, run_worker
from .test_slack import (  # noqa: F401  (fixtures used below)
    command,
    event,
    from_slack,
    link_on_profile,
    slack,
    slack_id,
    workspace,
)
from .test_tasks import DATABASE_TASKS

pytestmark = pytest.mark.django_db(transaction=True)


def queued() -> AbstractContextManager[object]:
    """Tasks wait in the database for `run_worker`, as in production."""
    return override_settings(TASKS=DATABASE_TASKS)


def interact(
    person: Person,
    action_id: str,
    value: str,
    container: dict[str, Any],
    slack: FakeSlack,  # noqa: F811
) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": slack_id(person)},
        "trigger_id": "trigger-1",
        "response_url": slack.hooks_url + "T0ALLIES/1/reply"
        if container.get("is_ephemeral")
        else "",
        "container": container,
        "actions": [{"action_id": action_id, "value": value}],
    }
    answer = from_slack("/slack/interactivity", urlencode({"payload": json.dumps(payload)}))
    assert answer.status_code == 200


REPLY = {"type": "message", "is_ephemeral": True}
HOME = {"type": "view", "view_id": "V0VIEW"}


@pytest.mark.usefixtures("workspace")
def test_no_request_from_slack_waits_on_slacks_web_api(
    slack: FakeSlack,  # noqa: F811
    participant: Person,
    clock: Clock,
) -> None:
    commitment = commit_weekly(participant)
    curriculum_sample(participant)
    Tip.objects.update(status=Tip.Status.APPROVED)
    link_on_profile(participant, slack)
    clock.move_to(DUE)
    slack.calls.clear()
    tip = Tip.objects.first()
    assert tip is not None
    with queued():
        ask_everything(participant, slack, commitment, tip)

        assert slack.calls == [], "every answer waits for the worker"
        assert CheckIn.objects.get(commitment=commitment, period_start=MONDAY).outcome == "partly"
        assert Commitment.objects.filter(person=participant, tip=tip).count() == 1

        run_worker()

    sent = [call.method for call in slack.calls]
    assert sorted(sent) == sorted(
        ["views.publish"] * 2 + ["response_url"] * 3 + ["chat.postMessage"] * 2
    )
    texts = [str(call.params.get("text", "")) for call in slack.of("response_url")]
    assert "One thing to try" in texts
    assert "Checked in: done, this week" in texts
    assert "That tip is no longer offered." in texts


def ask_everything(
    participant: Person,
    slack: FakeSlack,  # noqa: F811
    commitment: Commitment,
    tip: Tip,
) -> None:
    """Each command, event and press Slack sends, but the pulse (tested below)."""
    assert command(participant, "")["response_type"] == "ephemeral"
    assert "Your Bridgework code" in command(participant, "link")["text"]
    assert command(participant, "pick")["text"] == "One thing to try"
    from_slack(
        "/slack/events",
        event("app_home_opened", "EvHome1", user=slack_id(participant), tab="home"),
        json_body=True,
    )
    interact(participant, "pick", "", REPLY, slack)
    interact(participant, "pick", "", HOME, slack)
    interact(participant, "commit", str(tip.pk), HOME, slack)
    interact(participant, "check_in:done", check_in_value(commitment.pk, MONDAY), REPLY, slack)
    interact(participant, "check_in:partly", check_in_value(commitment.pk, MONDAY), HOME, slack)
    interact(participant, "commit", "999999", REPLY, slack)  # refused: said through the worker


@pytest.mark.usefixtures("workspace")
def test_a_retried_event_queues_nothing_more(
    slack: FakeSlack,  # noqa: F811
    participant: Person,
) -> None:
    from django_tasks_db.models import DBTaskResult

    slack.calls.clear()
    body = event("app_home_opened", "EvHome2", user=slack_id(participant), tab="home")
    with queued():
        from_slack("/slack/events", body, json_body=True)
        from_slack("/slack/events", body, json_body=True, retry="1")
        from_slack("/slack/events", body, json_body=True, retry="2")

        assert DBTaskResult.objects.count() == 1
        run_worker()
    assert [call.method for call in slack.calls] == ["views.publish"]


@pytest.mark.usefixtures("workspace")
def test_the_pulse_modal_opens_at_once_while_its_trigger_id_is_good(
    slack: FakeSlack,  # noqa: F811
    participant: Person,
    facilitator: Person,
) -> None:
    from bridgework.cohorts.models import Session

    from .cohorts_support import make_cohort

    cohort = make_cohort(facilitator, [participant], start=DUE.date(), sessions=1)
    session = Session.objects.filter(cohort=cohort).get()
    link_on_profile(participant, slack)
    slack.calls.clear()

    with queued():
        interact(participant, "pulse", str(session.pk), {"type": "message"}, slack)

    [opened] = slack.calls
    assert opened.method == "views.open" and opened.params["trigger_id"] == "trigger-1"
