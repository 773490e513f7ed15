"""A check-in made anywhere shows on the chat reminder it answers: the web's practice page,
the e-mail's one-click link, or a button in Slack. Practice only fires its "check-in
recorded" hook; chat, listening, asks the worker to update the sent message after the
commit, once ("Checked in: done, this week", no buttons left), and skips it quietly when
the app is gone. The calls are recorded by the loopback Slack; Teams is in
tests/teams/test_check_in_elsewhere.py."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.tasks import task_backends
from django.test import override_settings
from django.urls import reverse

from bridgework.accounts import registry
from bridgework.accounts.models import Person
from bridgework.chat import delivery
from bridgework.chat.models import ChatDelivery
from bridgework.practice import reminders
from bridgework.practice.models import CheckIn, Commitment
from bridgework.slack.models import SlackWorkspace

from .conftest import Clock, Committed, client_for
from .slack_loopback import FakeSlack
from .test_reminders import DUE, MONDAY, NOTE, TITLE, commit_weekly, run_worker
from .test_slack import (  # noqa: F401  (fixtures used below)
    link_on_profile,
    press,
    slack,
    slack_id,
    workspace,
)
from .test_tasks import DATABASE_TASKS

DUMMY_TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default", "reminders", "insights"],
    }
}


def reminded_in_slack(person: Person, slack: FakeSlack, clock: Clock) -> Commitment:  # noqa: F811
    commitment = commit_weekly(person)
    link_on_profile(person, slack)
    clock.move_to(DUE)
    assert reminders.deliver(commitment.pk, MONDAY) is True
    slack.calls.clear()
    return commitment


def buttons_left(call: Any) -> list[Any]:
    return [block for block in call.params["blocks"] if block["type"] == "actions"]


def test_practice_fires_the_hook_and_chat_listens() -> None:
    # Practice never imports chat: chat listens through the registry.
    assert delivery.check_in_recorded in registry.check_in_listeners()


@pytest.mark.usefixtures("workspace")
def test_a_check_in_on_the_practice_page_updates_the_slack_reminder_in_place(
    slack: FakeSlack,  # noqa: F811
    participant: Person,
    clock: Clock,
    committed: Committed,
) -> None:
    commitment = reminded_in_slack(participant, slack, clock)
    sent = ChatDelivery.objects.get()

    with committed():
        client_for(participant).post(
            reverse("check_in", args=[commitment.pk]), {"outcome": "partly", "note": NOTE}
        )

    [update] = slack.of("chat.update")
    assert f"{update.params['channel']}:{update.params['ts']}" == sent.message_ref
    assert update.params["text"] == "Checked in: partly, this week"
    assert buttons_left(update) == []
    # The note and the commitment's own words stay on the web.
    assert NOTE not in slack.everything_sent() and TITLE not in slack.everything_sent()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("workspace")
def test_a_web_check_in_updates_the_message_once_through_the_worker(
    slack: FakeSlack,  # noqa: F811
    participant: Person,
    clock: Clock,
) -> None:
    from django_tasks_db.models import DBTaskResult

    commitment = reminded_in_slack(participant, slack, clock)
    sent = ChatDelivery.objects.get()
    with override_settings(TASKS=DATABASE_TASKS):
        answer = client_for(participant).post(
            reverse("check_in", args=[commitment.pk]), {"outcome": "done", "note": ""}
        )
        assert answer.status_code == 302
        # The request only queued the update, naming the delivery by its id.
        assert slack.of("chat.update") == []
        [queued] = DBTaskResult.objects.filter(task_path__endswith="show_check_in")
        assert queued.args_kwargs["args"] == [sent.pk]

        run_worker()
        run_worker()

    [update] = slack.of("chat.update")
    assert update.params["text"] == "Checked in: done, this week"
    assert buttons_left(update) == []


@pytest.mark.usefixtures("workspace")
def test_a_check_in_through_the_emails_link_updates_the_slack_reminder(
    slack: FakeSlack,  # noqa: F811
    participant: Person,
    clock: Clock,
    committed: Committed,
) -> None:
    commitment = reminded_in_slack(participant, slack, clock)
    # The same period's one-click link (as in a fallback e-mail), pressed signed out.
    path = reverse("quick_check_in", args=[reminders.check_in_token(commitment, MONDAY)])

    with committed():
        client_for(None).post(path, {"outcome": "not_yet"})

    assert CheckIn.objects.get(commitment=commitment, period_start=MONDAY).outcome == "not_yet"
    [update] = slack.of("chat.update")
    assert update.params["text"] == "Checked in: not yet, this week"


@pytest.mark.usefixtures("workspace")
def test_the_same_answer_again_asks_slack_nothing_more_and_a_new_answer_updates_again(
    slack: FakeSlack,  # noqa: F811
    participant: Person,
    clock: Clock,
    committed: Committed,
) -> None:
    commitment = reminded_in_slack(participant, slack, clock)
    page = client_for(participant)
    for outcome in ("done", "done", "partly"):
        with committed():
            page.post(reverse("check_in", args=[commitment.pk]), {"outcome": outcome})

    assert [u.params["text"] for u in slack.of("chat.update")] == [
        "Checked in: done, this week",
        "Checked in: partly, this week",
    ]


@pytest.mark.usefixtures("workspace")
def test_a_check_in_from_slacks_own_list_updates_the_reminder_dm_too(
    slack: FakeSlack,  # noqa: F811
    participant: Person,
    clock: Clock,
    committed: Committed,
) -> None:
    commitment = reminded_in_slack(participant, slack, clock)
    reply = {"type": "message", "is_ephemeral": True}
    from bridgework.slack.blocks import check_in_value

    with committed():
        press(participant, "check_in:done", check_in_value(commitment.pk, MONDAY), reply)

    [update] = slack.of("chat.update")
    assert update.params["channel"] == "D" + slack_id(participant)[1:]
    assert update.params["text"] == "Checked in: done, this week"


def test_a_revoked_token_skips_the_update_quietly(
    workspace: SlackWorkspace,  # noqa: F811
    slack: FakeSlack,  # noqa: F811
    participant: Person,
    clock: Clock,
    committed: Committed,
    caplog: pytest.LogCaptureFixture,
) -> None:
    commitment = reminded_in_slack(participant, slack, clock)
    slack.revoked.add(workspace.bot_token() or "")
    caplog.set_level(logging.DEBUG, logger="bridgework")

    with committed():
        answer = client_for(participant).post(
            reverse("check_in", args=[commitment.pk]), {"outcome": "done"}
        )

    assert answer.status_code == 302
    assert CheckIn.objects.get(commitment=commitment, period_start=MONDAY).outcome == "done"
    # Slack said the token is revoked: sending stops, and nothing is tried again.
    [refused] = slack.of("chat.update")
    workspace.refresh_from_db()
    assert workspace.revoked_at is not None
    with committed():
        client_for(participant).post(
            reverse("check_in", args=[commitment.pk]), {"outcome": "partly"}
        )
    assert len(slack.of("chat.update")) == 1
    assert "Checked in" not in caplog.text
    assert refused.params["text"] == "Checked in: done, this week"


@pytest.mark.usefixtures("workspace")
def test_a_rate_limited_update_leaves_the_message_to_be_updated_later(
    slack: FakeSlack,  # noqa: F811
    participant: Person,
    clock: Clock,
    committed: Committed,
) -> None:
    commitment = reminded_in_slack(participant, slack, clock)
    sent = ChatDelivery.objects.get()
    slack.rate_limit_next["chat.update"] = 30

    with committed():
        client_for(participant).post(reverse("check_in", args=[commitment.pk]), {"outcome": "done"})

    sent.refresh_from_db()
    assert sent.shows == ""  # still showing its buttons as far as we know
    # Where tasks can wait (the database queue), the update is queued for after Retry-After.
    slack.rate_limit_next["chat.update"] = 30
    with override_settings(TASKS=DUMMY_TASKS):
        assert delivery.show_check_in(sent.pk) is False
        [later] = task_backends["default"].results  # type: ignore[attr-defined]
    assert later.args == [sent.pk] and later.task.run_after == clock.now() + timedelta(seconds=30)
    assert delivery.show_check_in(sent.pk) is True
    assert [u.params["text"] for u in slack.of("chat.update")][-1] == "Checked in: done, this week"


@pytest.mark.usefixtures("workspace")
def test_a_check_in_with_no_chat_reminder_queues_nothing(
    slack: FakeSlack,  # noqa: F811
    participant: Person,
    clock: Clock,
    committed: Committed,
) -> None:
    commitment = commit_weekly(participant)
    clock.move_to(DUE)
    with committed() as callbacks:
        client_for(participant).post(reverse("check_in", args=[commitment.pk]), {"outcome": "done"})
    assert callbacks == [] and slack.of("chat.update") == []
