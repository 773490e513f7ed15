"""The Adaptive Cards the bot sends. Each carries ids and curriculum words only: a tip's
title or a practice's name, never a commitment's own text, a note or anything from a
community space. Buttons are Action.Submit with a small `data` naming what to do."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from bridgework.chat.api import OUTCOME_WORDS
from bridgework.lib.habits import Outcome

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
OUTCOMES = [
    ("done", pgettext_lazy("check-in button", "Done")),
    ("partly", pgettext_lazy("check-in button", "Partly")),
    ("not_yet", pgettext_lazy("check-in button", "Not yet")),
]


def text(words: object, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": str(words), "wrap": True, **style}


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": body,
    }
    if actions:
        content["actions"] = actions
    return content


def message(content: dict[str, Any], summary: str) -> dict[str, Any]:
    """A message activity holding one card; `summary` is what a notification shows."""
    return {
        "type": "message",
        "summary": summary,
        "attachments": [{"contentType": CARD_TYPE, "content": content}],
    }


def plain(words: object) -> dict[str, Any]:
    return {"type": "message", "textFormat": "plain", "text": str(words)}


def submit(title: object, **data: Any) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": str(title), "data": {**data}}


def check_in_buttons(commitment_id: int, period: date) -> list[dict[str, Any]]:
    return [
        submit(
            title,
            bridgework="check_in",
            commitment=commitment_id,
            period=period.isoformat(),
            outcome=outcome,
        )
        for outcome, title in OUTCOMES
    ]


def commitment_reminder(
    *, label: str, period_words: str, commitment_id: int, period: date
) -> dict[str, Any]:
    return card(
        [
            text(_("Time for a quick check-in"), weight="Bolder", size="Medium"),
            text(
                _("%(label)s: how did it go %(period)s?") % {"label": label, "period": period_words}
            ),
        ],
        check_in_buttons(commitment_id, period),
    )


def checked_in(words: str) -> dict[str, Any]:
    return card([text(words, weight="Bolder")])


def this_week(lines: list[Any]) -> dict[str, Any]:
    if not lines:
        return card([text(_("Nothing to check in on: you have no running commitments."))])
    body: list[dict[str, Any]] = [text(_("This week"), weight="Bolder", size="Medium")]
    for line in lines:
        if line.outcome:
            done = OUTCOME_WORDS[Outcome(line.outcome)]
            body.append(
                text(
                    _("%(label)s: checked in (%(outcome)s, %(period)s).")
                    % {"label": line.label, "outcome": done, "period": line.period_words}
                )
            )
        else:
            body.append(
                text(
                    _("%(label)s: not checked in %(period)s yet.")
                    % {"label": line.label, "period": line.period_words}
                )
            )
            body.append(
                {"type": "ActionSet", "actions": check_in_buttons(line.commitment_id, line.period)}
            )
    return card(body)


def suggestion(*, tip_id: int, title: str, practice: str) -> dict[str, Any]:
    return card(
        [
            text(_("One thing to try"), weight="Bolder", size="Medium"),
            text(title),
            text(_("Practice: %(practice)s") % {"practice": practice}, isSubtle=True),
        ],
        [submit(_("Commit"), bridgework="commit", tip=tip_id)],
    )


def committed(title: str, made_now: bool) -> dict[str, Any]:
    words = (
        _("Committed: %(title)s. I will remind you weekly.")
        if made_now
        else _("Already committed: %(title)s. I will remind you weekly.")
    )
    return card([text(words % {"title": title}, weight="Bolder")])


def _scale(field: str, label: str) -> dict[str, Any]:
    return {
        "type": "Input.ChoiceSet",
        "id": field,
        "label": label,
        "isRequired": True,
        "errorMessage": _("Choose a number from 1 to 5."),
        "style": "expanded",
        "choices": [{"title": str(n), "value": str(n)} for n in range(1, 6)],
    }


def pulse(*, session_id: int, cohort_name: str) -> dict[str, Any]:
    return card(
        [
            text(
                _("30-second pulse: %(cohort)s") % {"cohort": cohort_name},
                weight="Bolder",
                size="Medium",
            ),
            text(
                _(
                    "Anonymous: your answers are kept apart from your name, and shown only once "
                    "five people have answered."
                ),
                isSubtle=True,
            ),
            _scale("useful", _("How useful was this session for you? (1 not at all, 5 very)")),
            _scale("safe", _("How safe did it feel to speak? (1 not at all, 5 completely)")),
            {
                "type": "Input.Text",
                "id": "line",
                "label": _("Anything else, in one line? (optional)"),
                "maxLength": 200,
            },
        ],
        [submit(_("Send my answers"), bridgework="pulse", session=session_id)],
    )


def session_reminder(*, session_id: int, cohort_name: str, starts: str) -> dict[str, Any]:
    page = settings.BASE_URL + reverse("cohort_session", args=[session_id])
    invite = settings.BASE_URL + reverse("cohort_invite", args=[session_id])
    return card(
        [
            text(
                _("Coming up: %(cohort)s") % {"cohort": cohort_name}, weight="Bolder", size="Medium"
            ),
            text(_("The session starts %(when)s.") % {"when": starts}),
        ],
        [
            {"type": "Action.OpenUrl", "title": _("Open the session"), "url": page},
            {"type": "Action.OpenUrl", "title": _("Add to my calendar"), "url": invite},
        ],
    )


def link_code(code: str) -> dict[str, Any]:
    profile = settings.BASE_URL + reverse("profile")
    return card(
        [
            text(_("Link this Teams account to Bridgework"), weight="Bolder", size="Medium"),
            text(_("Your code: %(code)s") % {"code": code}, fontType="Monospace", size="Large"),
            text(
                _(
                    "Enter it on your Bridgework Profile, under “Where reminders reach you”, "
                    "within 15 minutes. Nothing is linked until you do."
                )
            ),
        ],
        [{"type": "Action.OpenUrl", "title": _("Open my Profile"), "url": profile}],
    )


# The commands people type stay English words ("pick one thing", "link"): the bot listens
# for those in every language, so the help names them as they are.
HELP = gettext_lazy(
    "I can remind you of your commitments and take your check-ins. Type “pick one thing” for "
    "one small action, “this week” for your commitments, “pulse” for an open session pulse, "
    "or “link” to link this account to Bridgework."
)
NOT_LINKED = gettext_lazy(
    "This Teams account is not linked to Bridgework yet. Type “link” for a code to enter on "
    "your Bridgework Profile."
)
