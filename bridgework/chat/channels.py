"""Published asks announced in the chat channel an allies' space chose: the title and a link
to the ask, nothing else (never its body, never anything from a protected space).

`announce` runs in the publishing transaction and only queues the work for after commit;
the worker's `post` checks the space again, claims one row per channel and announcement
(so retries and second workers post once) and calls the platform. A platform that is
disconnected or uninstalled is skipped: nothing is posted there.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from bridgework.accounts.models import usual_language
from bridgework.community.api import Space

from . import platforms
from .models import ChannelPost, SpaceChannel

logger = logging.getLogger(__name__)


def announce(*, space_id: int, key: str, title: str, path: str) -> None:
    from .tasks import post_to_space_channels

    transaction.on_commit(lambda: post_to_space_channels.enqueue(space_id, key, title, path))


def post(*, space_id: int, key: str, title: str, path: str) -> int:
    """Post the announcement to each of the space's channels once; how many were posted."""
    space = Space.objects.filter(pk=space_id).select_related("organisation").first()
    if space is None or space.is_protected or space.is_archived:
        return 0
    posted = 0
    for channel in SpaceChannel.objects.filter(space=space).order_by("pk"):
        platform = platforms.get(channel.platform)
        poster = getattr(platform, "post_to_channel", None)
        if platform is None or poster is None or not platform.is_connected(space.organisation):
            continue
        try:
            with transaction.atomic():
                row = ChannelPost.objects.create(channel=channel, key=key)
        except IntegrityError:
            continue  # already posted: a retry, or another worker
        try:
            # A channel is read by many: the announcement is in the organisation's language.
            with translation.override(usual_language("", space.organisation)):
                row.message_ref = poster(
                    space.organisation,
                    channel.channel_id,
                    title=title,
                    url=settings.BASE_URL + path,
                )
        except (platforms.ChatUnreachable, platforms.RateLimited) as error:
            row.status = ChannelPost.Status.FAILED
            row.problem = getattr(error, "reason", "rate_limited")[:40]
            logger.info("channel post %s failed: %s", row.pk, row.problem)
        else:
            row.status = ChannelPost.Status.SENT
            posted += 1
        row.save(update_fields=["status", "message_ref", "problem"])
    return posted


def channel_of(space: Space, platform_key: str) -> SpaceChannel | None:
    return SpaceChannel.objects.filter(space=space, platform=platform_key).first()


@transaction.atomic
def choose(*, space: Space, platform_key: str, channel_id: str) -> None:
    """Set the space's channel on one platform, or (with no channel) stop posting there."""
    if space.is_protected:
        raise ValueError("A protected space is never posted to a channel.")
    if not channel_id:
        SpaceChannel.objects.filter(space=space, platform=platform_key).delete()
        return
    SpaceChannel.objects.update_or_create(
        space=space,
        platform=platform_key,
        defaults={"channel_id": channel_id, "updated_at": timezone.now()},
    )
