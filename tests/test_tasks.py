"""Background work goes through the database queue and a worker, as in production."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from bridgework.accounts import services
from bridgework.accounts.models import Invitation, Organisation, Person, Role

DATABASE_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "reminders", "insights"],
    }
}


@pytest.mark.django_db(transaction=True)
def test_an_invitation_is_emailed_by_the_worker_not_by_the_request(
    organisation: Organisation, program_admin: Person
) -> None:
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DATABASE_TASKS):
        services.invite_person(
            organisation=organisation,
            email="queued@acme.test",
            chosen_name="Q",
            roles=[Role.PARTICIPANT],
            invited_by=program_admin,
        )
        assert mail.outbox == []
        queued = DBTaskResult.objects.get()
        # The queue holds only the invitation's id: no token, no address.
        assert "queued@acme.test" not in str(queued.args_kwargs)

        call_command("db_worker", "--batch", "--queue-name", "*", verbosity=0)

    [message] = mail.outbox
    assert message.to == ["queued@acme.test"]
    invitation = Invitation.objects.get(email="queued@acme.test")
    token = message.body.split("/invitation/")[1].split("/")[0]
    assert Invitation.find_pending(token) == invitation


@pytest.mark.django_db(transaction=True)
def test_a_withdrawn_invitation_is_not_sent_when_the_worker_gets_to_it(
    organisation: Organisation, program_admin: Person
) -> None:
    with override_settings(TASKS=DATABASE_TASKS):
        invitation = services.invite_person(
            organisation=organisation,
            email="late@acme.test",
            chosen_name="",
            roles=[Role.PARTICIPANT],
            invited_by=program_admin,
        )
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=invitation.created_at)
        call_command("db_worker", "--batch", "--queue-name", "*", verbosity=0)
    assert mail.outbox == []


def test_insights_releases_run_on_the_insights_queue_that_settings_declare() -> None:
    from django.conf import settings

    from bridgework.insights.tasks import release_insights

    assert release_insights.queue_name == "insights"
    assert "insights" in settings.TASKS["default"]["QUEUES"]
