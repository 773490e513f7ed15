"""Background tasks of the chat app (run by `bridgework worker`)."""

from __future__ import annotations

from django.tasks import task


@task(queue_name="reminders")
def send_due_chat_deliveries() -> int:
    from . import delivery

    return delivery.send_due()


@task(queue_name="reminders")
def show_check_in(delivery_id: int) -> bool:
    from . import delivery

    return delivery.show_check_in(delivery_id)


@task(queue_name="default")
def post_to_space_channels(space_id: int, key: str, title: str, path: str) -> int:
    from . import channels

    return channels.post(space_id=space_id, key=key, title=title, path=path)
