"""The Adaptive Cards the bot sends. Each carries ids and curriculum words only: a tip's
title or a practice's name, never a commitment's own text, a note or anything from a
community space. Buttons are Action.Submit with a small `data` naming what to do."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.urls import reverse

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
OUTCOMES = [("done", "Done"), ("partly", "Partly"), ("not_yet", "Not yet")]


def text(words: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": words, "wrap": True, **style}


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


def plain(words: str) -> dict[str, Any]:
    return {"type": "message", "textFormat": "plain", "text": words}


def submit(title: str, **data: Any) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": title, "data": {**data}}


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
            text("Time for a quick check-in", weight="Bolder", size="Medium"),
            text(f"{label}: how did it go {period_words}?"),
        ],
        check_in_buttons(commitment_id, period),
    )


def checked_in(words: str) -> dict[str, Any]:
    return card([text(words, weight="Bolder")])


def this_week(lines: list[Any]) -> dict[str, Any]:
    if not lines:
        return card([text("Nothing to check in on: you have no running commitments.")])
    body: list[dict[str, Any]] = [text("This week", weight="Bolder", size="Medium")]
    for line in lines:
        if line.outcome:
            done = line.outcome.replace("_", " ")
            body.append(text(f"{line.label}: checked in ({done}, {line.period_words})."))
        else:
            body.append(text(f"{line.label}: not checked in {line.period_words} yet."))
            body.append(
                {"type": "ActionSet", "actions": check_in_buttons(line.commitment_id, line.period)}
            )
    return card(body)


def suggestion(*, tip_id: int, title: str, practice: str) -> dict[str, Any]:
    return card(
        [
            text("One thing to try", weight="Bolder", size="Medium"),
            text(title),
            text(f"Practice: {practice}", isSubtle=True),
        ],
        [submit("Commit", bridgework="commit", tip=tip_id)],
    )


def committed(title: str, made_now: bool) -> dict[str, Any]:
    words = "Committed" if made_now else "Already committed"
    return card([text(f"{words}: {title}. I will remind you weekly.", weight="Bolder")])


def _scale(field: str, label: str) -> dict[str, Any]:
    return {
        "type": "Input.ChoiceSet",
        "id": field,
        "label": label,
        "isRequired": True,
        "errorMessage": "Choose a number from 1 to 5.",
        "style": "expanded",
        "choices": [{"title": str(n), "value": str(n)} for n in range(1, 6)],
    }


def pulse(*, session_id: int, cohort_name: str) -> dict[str, Any]:
    return card(
        [
            text(f"30-second pulse: {cohort_name}", weight="Bolder", size="Medium"),
            text(
                "Anonymous: your answers are kept apart from your name, and shown only once "
                "five people have answered.",
                isSubtle=True,
            ),
            _scale("useful", "How useful was this session for you? (1 not at all, 5 very)"),
            _scale("safe", "How safe did it feel to speak? (1 not at all, 5 completely)"),
            {
                "type": "Input.Text",
                "id": "line",
                "label": "Anything else, in one line? (optional)",
                "maxLength": 200,
            },
        ],
        [submit("Send my answers", bridgework="pulse", session=session_id)],
    )


def session_reminder(*, session_id: int, cohort_name: str, starts: str) -> dict[str, Any]:
    page = settings.BASE_URL + reverse("cohort_session", args=[session_id])
    invite = settings.BASE_URL + reverse("cohort_invite", args=[session_id])
    return card(
        [
            text(f"Coming up: {cohort_name}", weight="Bolder", size="Medium"),
            text(f"The session starts {starts}."),
        ],
        [
            {"type": "Action.OpenUrl", "title": "Open the session", "url": page},
            {"type": "Action.OpenUrl", "title": "Add to my calendar", "url": invite},
        ],
    )


def link_code(code: str) -> dict[str, Any]:
    profile = settings.BASE_URL + reverse("profile")
    return card(
        [
            text("Link this Teams account to Bridgework", weight="Bolder", size="Medium"),
            text(f"Your code: {code}", fontType="Monospace", size="Large"),
            text(
                "Enter it on your Bridgework Profile, under “Where reminders reach you”, within "
                "15 minutes. Nothing is linked until you do."
            ),
        ],
        [{"type": "Action.OpenUrl", "title": "Open my Profile", "url": profile}],
    )


HELP = (
    "I can remind you of your commitments and take your check-ins. Type “pick one thing” for "
    "one small action, “this week” for your commitments, “pulse” for an open session pulse, "
    "or “link” to link this account to Bridgework."
)
NOT_LINKED = (
    "This Teams account is not linked to Bridgework yet. Type “link” for a code to enter on "
    "your Bridgework Profile."
)
