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
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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
            _button(
                pgettext("check-in button", "Done"), f"check_in:{Outcome.DONE}", value, primary=True
            ),
            _button(pgettext("check-in button", "Partly"), f"check_in:{Outcome.PARTLY}", value),
            _button(pgettext("check-in button", "Not yet"), f"check_in:{Outcome.NOT_YET}", value),
        ],
    }


def commitment_reminder(
    commitment_id: int, label: str, period: date, period_words: str
) -> list[Block]:
    return [
        section(
            _("Time for a quick check-in on *%(label)s*, %(period)s. How did it go?")
            % {"label": escape(label), "period": period_words}
        ),
        check_in_buttons(commitment_id, period, where="dm"),
    ]


def checked_in(text: str) -> list[Block]:
    url = settings.BASE_URL + reverse("practice")
    return [
        section(
            _("%(text)s. <%(url)s|See your practice in Bridgework>") % {"text": text, "url": url}
        )
    ]


def this_week(lines: list[WeekLine], *, where: str) -> list[Block]:
    if not lines:
        return [section(_("You have no running commitments. Try `/bridgework pick` for one idea."))]
    blocks: list[Block] = [section(_("*Your commitments*"))]
    for line in lines:
        if line.outcome:
            blocks.append(
                section(
                    _("*%(label)s*: checked in %(outcome)s, %(period)s.")
                    % {
                        "label": escape(line.label),
                        "outcome": OUTCOME_WORDS[Outcome(line.outcome)],
                        "period": line.period_words,
                    }
                )
            )
        else:
            blocks.append(
                section(
                    _("*%(label)s*: not checked in %(period)s.")
                    % {"label": escape(line.label), "period": line.period_words}
                )
            )
            blocks.append(check_in_buttons(line.commitment_id, line.period, where=where))
    return blocks


def home(lines: list[WeekLine]) -> Block:
    blocks = this_week(lines, where="home")
    blocks.append(
        {
            "type": "actions",
            "block_id": "home:pick",
            "elements": [_button(_("Pick one thing for me"), "pick", "home")],
        }
    )
    return {"type": "home", "blocks": blocks}


def tip(found: Tip | None) -> list[Block]:
    if found is None:
        return [section(_("Nothing fits right now. A pause is fine too."))]
    return [
        section(f"*{escape(found.title)}*\n{escape(found.text)}"),
        {
            "type": "actions",
            "block_id": "tip",
            "elements": [
                _button(_("Commit to this, weekly"), "commit", str(found.pk), primary=True),
                _button(_("Show me another"), "pick", "again"),
            ],
        },
    ]


def committed(found: Tip) -> list[Block]:
    url = settings.BASE_URL + reverse("practice")
    return [
        section(
            _("Committed to *%(title)s*, weekly. <%(url)s|Change it in Bridgework>")
            % {"title": escape(found.title), "url": url}
        )
    ]


def session_reminder(session: Session, *, offer_pulse: bool) -> list[Block]:
    """`offer_pulse` False (the person would be refused whatever happens at the session)
    leaves out the pulse's button, without a word why: nobody asked."""
    starts = localtime(session.starts_at, zone_or_utc(session.time_zone))
    when = formats.date_format(starts, "l j F, H:i")
    page = settings.BASE_URL + reverse("cohort_session", args=[session.pk])
    invite = settings.BASE_URL + reverse("cohort_invite", args=[session.pk])
    buttons = [
        _link_button(_("Add to my calendar"), invite, "calendar"),
        _link_button(_("Open the session"), page, "open_session"),
    ]
    if offer_pulse:
        buttons.append(_button(_("Answer the pulse"), "pulse", str(session.pk)))
    return [
        section(
            _("Coming up: *%(cohort)s*, session %(number)s, %(when)s (%(zone)s).")
            % {
                "cohort": escape(session.cohort.name),
                "number": session.number,
                "when": when,
                "zone": session.time_zone,
            }
        ),
        {
            "type": "actions",
            "block_id": f"session:{session.pk}",
            "elements": buttons,
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
        "title": {"type": "plain_text", "text": _("Session pulse")},
        "submit": {"type": "plain_text", "text": _("Send")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "blocks": [
            section(
                _(
                    "Anonymous: *%(cohort)s*, session %(number)s. "
                    "Who answered is kept apart from what was answered."
                )
                % {"cohort": escape(session.cohort.name), "number": session.number}
            ),
            scale(
                "useful",
                _("How useful was this session for you?"),
                _("1 is not at all, 5 is very."),
            ),
            scale(
                "safe",
                _("How safe did it feel to speak?"),
                _("1 is not at all, 5 is completely."),
            ),
            {
                "type": "input",
                "block_id": "line",
                "optional": True,
                "label": {"type": "plain_text", "text": _("Anything else, in one line?")},
                "element": {"type": "plain_text_input", "action_id": "value", "max_length": 200},
            },
        ],
    }


def pulse_not_needed_modal(words: str) -> Block:
    """Opened by "Answer the pulse" instead of the form when an answer would be refused, or
    put in the form's place when a sent answer changed nothing: the reason, and nothing to
    send."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": _("Session pulse")},
        "close": {"type": "plain_text", "text": _("Close")},
        "blocks": [section(escape(words))],
    }


def link_code(code: str) -> list[Block]:
    url = settings.BASE_URL + reverse("profile") + "#reminders-heading"
    return [
        section(
            _(
                "Your Bridgework code is *%(code)s*. Enter it on <%(url)s|your Profile> within "
                "15 minutes to get reminders here. If you did not ask for it, ignore this message."
            )
            % {"code": code, "url": url}
        )
    ]


def not_linked() -> list[Block]:
    return [
        section(
            _(
                "Your Slack account is not linked to Bridgework yet. "
                "Type `/bridgework link` for a code to enter on your Profile."
            )
        )
    ]
