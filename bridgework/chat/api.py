"""What the chat platforms (Slack, Teams) use of chat: the actions behind their buttons and
commands, the link that says whose chat account a request comes from, and the words they
show. They import this module (and the `platforms` registry they join) and nothing else
from here.
"""

from __future__ import annotations

from bridgework.accounts.models import Person

from .actions import (
    OUTCOME_WORDS,
    ActionRefused,
    WeekLine,
    answer_pulse,
    check_in,
    commit_to,
    commitment_label,
    period_words,
    suggest_one,
    this_week,
)
from .channels import announce as announce_in_space_channels
from .models import ChatLink, ChatLinkQuerySet, Platform
from .services import code_for_chat_account, forget_link_codes, person_for, unlink_everyone

__all__ = [
    "OUTCOME_WORDS",
    "ActionRefused",
    "ChatLink",
    "Platform",
    "WeekLine",
    "announce_in_space_channels",
    "answer_pulse",
    "check_in",
    "code_for_chat_account",
    "commit_to",
    "commitment_label",
    "forget_link_codes",
    "links_of",
    "period_words",
    "person_for",
    "suggest_one",
    "this_week",
    "unlink_everyone",
]


def links_of(*, person: Person, platform_key: str) -> ChatLinkQuerySet:
    """The person's link on one platform, confirmed or still waiting for its code."""
    return ChatLink.objects.filter(person=person, platform=platform_key)
