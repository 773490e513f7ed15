"""The Block Kit messages and views Bridgework sends. No commitment text, no notes: a tip's
title or a practice's name, a period, and buttons whose values are ids."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats
from django.utils.timezone import localtime

from bridgework.chat.api import OUTCOME_WORDS, WeekLine
from bridgework.cohorts.api import Session
from bridgework.curriculum.api import Tip
from bridgework.lib.cadence import zone_or_utc
from bridgework.lib.habits import Outcome

Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: a name or title can never become a link or a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _button(label: str, action_id: str, value: str, *, primary: bool = False) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
    }
    if primary:
        button["style"] = "primary"
    return button


def _link_button(label: str, url: str, action_id: str) -> Block:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "url": url,
        "action_id": action_id,
    }


def check_in_value(commitment_id: int, period: date) -> str:
    return json.dumps({"c": commitment_id, "p": period.isoformat()})


def read_check_in_value(value: str) -> tuple[int, date] | None:
    try:
        data = json.loads(value)
        return int(data["c"]), date.fromisoformat(data["p"])
    except (ValueError, KeyError, TypeError):
        return None


def check_in_buttons(commitment_id: int, period: date, *, where: str) -> Block:
    value = check_in_value(commitment_id, period)
    return {
        "type": "actions",
        "block_id": f"check_in:{where}:{commitment_id}",
        "elements": [
            _button("Done", f"check_in:{Outcome.DONE}", value, primary=True),
            _button("Partly", f"check_in:{Outcome.PARTLY}", value),
            _button("Not yet", f"check_in:{Outcome.NOT_YET}", value),
        ],
    }


def commitment_reminder(
    commitment_id: int, label: str, period: date, period_words: str
) -> list[Block]:
    return [
        section(f"Time for a quick check-in on *{escape(label)}*, {period_words}. How did it go?"),
        check_in_buttons(commitment_id, period, where="dm"),
    ]


def checked_in(text: str) -> list[Block]:
    url = settings.BASE_URL + reverse("practice")
    return [section(f"{text}. <{url}|See your practice in Bridgework>")]


def this_week(lines: list[WeekLine], *, where: str) -> list[Block]:
    if not lines:
        return [section("You have no running commitments. Try `/bridgework pick` for one idea.")]
    blocks: list[Block] = [section("*Your commitments*")]
    for line in lines:
        if line.outcome:
            blocks.append(
                section(
                    f"*{escape(line.label)}*: checked in {OUTCOME_WORDS[Outcome(line.outcome)]}, "
                    f"{line.period_words}."
                )
            )
        else:
            blocks.append(section(f"*{escape(line.label)}*: not checked in {line.period_words}."))
            blocks.append(check_in_buttons(line.commitment_id, line.period, where=where))
    return blocks


def home(lines: list[WeekLine]) -> Block:
    blocks = this_week(lines, where="home")
    blocks.append(
        {
            "type": "actions",
            "block_id": "home:pick",
            "elements": [_button("Pick one thing for me", "pick", "home")],
        }
    )
    return {"type": "home", "blocks": blocks}


def tip(found: Tip | None) -> list[Block]:
    if found is None:
        return [section("Nothing fits right now. A pause is fine too.")]
    return [
        section(f"*{escape(found.title)}*\n{escape(found.text)}"),
        {
            "type": "actions",
            "block_id": "tip",
            "elements": [
                _button("Commit to this, weekly", "commit", str(found.pk), primary=True),
                _button("Show me another", "pick", "again"),
            ],
        },
    ]


def committed(found: Tip) -> list[Block]:
    url = settings.BASE_URL + reverse("practice")
    return [
        section(f"Committed to *{escape(found.title)}*, weekly. <{url}|Change it in Bridgework>")
    ]


def session_reminder(session: Session) -> list[Block]:
    starts = localtime(session.starts_at, zone_or_utc(session.time_zone))
    when = formats.date_format(starts, "l j F, H:i")
    page = settings.BASE_URL + reverse("cohort_session", args=[session.pk])
    invite = settings.BASE_URL + reverse("cohort_invite", args=[session.pk])
    return [
        section(
            f"Coming up: *{escape(session.cohort.name)}*, session {session.number}, {when} "
            f"({session.time_zone})."
        ),
        {
            "type": "actions",
            "block_id": f"session:{session.pk}",
            "elements": [
                _link_button("Add to my calendar", invite, "calendar"),
                _link_button("Open the session", page, "open_session"),
                _button("Answer the pulse", "pulse", str(session.pk)),
            ],
        },
    ]


SCALE = [{"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in range(1, 6)]


def pulse_modal(session: Session) -> Block:
    def scale(block_id: str, label: str, hint: str) -> Block:
        return {
            "type": "input",
            "block_id": block_id,
            "label": {"type": "plain_text", "text": label},
            "hint": {"type": "plain_text", "text": hint},
            "element": {"type": "radio_buttons", "action_id": "value", "options": SCALE},
        }

    return {
        "type": "modal",
        "callback_id": "pulse",
        "private_metadata": str(session.pk),
        "title": {"type": "plain_text", "text": "Session pulse"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(
                f"Anonymous: *{escape(session.cohort.name)}*, session {session.number}. "
                "Who answered is kept apart from what was answered."
            ),
            scale("useful", "How useful was this session for you?", "1 is not at all, 5 is very."),
            scale("safe", "How safe did it feel to speak?", "1 is not at all, 5 is completely."),
            {
                "type": "input",
                "block_id": "line",
                "optional": True,
                "label": {"type": "plain_text", "text": "Anything else, in one line?"},
                "element": {"type": "plain_text_input", "action_id": "value", "max_length": 200},
            },
        ],
    }


def link_code(code: str) -> list[Block]:
    url = settings.BASE_URL + reverse("profile") + "#reminders-heading"
    return [
        section(
            f"Your Bridgework code is *{code}*. Enter it on <{url}|your Profile> within 15 "
            "minutes to get reminders here. If you did not ask for it, ignore this message."
        )
    ]


def not_linked() -> list[Block]:
    return [
        section(
            "Your Slack account is not linked to Bridgework yet. "
            "Type `/bridgework link` for a code to enter on your Profile."
        )
    ]
