"""Everything a person has written, gathered for their "Download my data" file.

Read in the person's own background task, decrypted with their own key, and never shown
to anyone else: the file is encrypted again before it is stored.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from bridgework.accounts.models import Person, PrivateProfile
from bridgework.curriculum.models import LearningLog, PromptAnswer
from bridgework.practice.models import ActionPlan, Assessment, CheckIn, Commitment

from .content import GRATITUDE_BY_SLUG, SCENARIOS_BY_SLUG
from .models import Apology, GrowthGoal, JournalEntry, Note, RoleModel, SocialLocationMap


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def _journal(person: Person) -> list[dict[str, Any]]:
    entries = list(
        JournalEntry.objects.filter(person=person)
        .select_related("lesson_prompt")
        .prefetch_related("revisions")
    )
    result = []
    for entry in entries:
        prompt = GRATITUDE_BY_SLUG.get(entry.gratitude_prompt)
        result.append(
            {
                "written_at": _when(entry.created_at),
                "updated_at": _when(entry.updated_at),
                "prompt": prompt.text
                if prompt
                else (entry.lesson_prompt.text if entry.lesson_prompt else None),
                **entry.snapshot(),
                "earlier_versions": [
                    {"saved_at": _when(revision.saved_at), **(revision.content or {})}
                    for revision in entry.revisions.all()
                ],
            }
        )
    return result


def _role_models(person: Person) -> list[dict[str, Any]]:
    goals = list(GrowthGoal.objects.filter(person=person))
    result = []
    for item in RoleModel.objects.filter(person=person):
        result.append(
            {
                "name": item.name,
                "why": item.why,
                "big_actions": item.big_actions,
                "small_actions": item.small_actions,
                "my_actions": item.my_actions,
                "created_at": _when(item.created_at),
                "growth_goals": [g.text for g in goals if g.role_model_id == item.pk],
            }
        )
    loose = [g.text for g in goals if g.role_model_id is None]
    if loose:
        result.append({"name": None, "growth_goals": loose})
    return result


def _notes(person: Person) -> dict[str, list[dict[str, Any]]]:
    sent = Note.objects.filter(sender=person).select_related("recipient")
    received = Note.objects.filter(recipient=person, withheld=False).select_related("sender")
    return {
        "sent": [
            {
                "to": note.recipient.chosen_name,
                "kind": note.get_kind_display(),
                "text": note.text_for_sender,
                "sent_at": _when(note.sent_at),
            }
            for note in sent
        ],
        "received": [
            {
                "from": note.sender.chosen_name if note.sender else "Someone who has left",
                "kind": note.get_kind_display(),
                "text": note.text_for_recipient,
                "sent_at": _when(note.sent_at),
            }
            for note in received
        ],
    }


def _practice(person: Person) -> dict[str, Any]:
    commitments = list(Commitment.objects.filter(person=person))
    check_ins = list(CheckIn.objects.filter(person=person))
    return {
        "assessments": [
            {"taken_at": _when(a.taken_at), "answers": a.answers, "defense": a.defense}
            for a in Assessment.objects.filter(person=person)
        ],
        "action_plans": [
            {
                "defense": p.defense,
                "serves_me": p.serves_me,
                "costs": p.costs,
                "small_step": p.small_step,
                "when": p.when,
                "with_whom": p.with_whom,
                "created_at": _when(p.created_at),
            }
            for p in ActionPlan.objects.filter(person=person)
        ],
        "commitments": [
            {
                "title": c.title,
                "cadence": c.cadence,
                "cue": c.cue,
                "status": c.status,
                "started_on": _when(c.started_on),
                "check_ins": [
                    {"period": _when(k.period_start), "outcome": k.outcome, "note": k.note}
                    for k in check_ins
                    if k.commitment_id == c.pk
                ],
            }
            for c in commitments
        ],
    }


def everything_of(person: Person) -> dict[str, Any]:
    location = SocialLocationMap.objects.filter(person=person).first()
    profile = PrivateProfile.objects.filter(person=person).first()
    return {
        "about": {
            "name": person.chosen_name,
            "pronouns": person.pronouns,
            "email": person.email,
            "made_at": _when(timezone.now()),
            "intention": profile.intention if profile else None,
        },
        "journal": _journal(person),
        "social_location_map": location.data if location else None,
        "role_models": _role_models(person),
        "apologies": [
            {
                "scenario": SCENARIOS_BY_SLUG[a.scenario].title
                if a.scenario in SCENARIOS_BY_SLUG
                else None,
                **a.draft(),
                "updated_at": _when(a.updated_at),
            }
            for a in Apology.objects.filter(person=person)
        ],
        "notes": _notes(person),
        "practice": _practice(person),
        "learning": {
            "prompt_answers": [
                {"prompt": a.prompt.text, "answer": a.answer}
                for a in PromptAnswer.objects.filter(person=person).select_related("prompt")
            ],
            "learning_log": [
                {"kind": log.kind, "title": log.title, "note": log.note, "minutes": log.minutes}
                for log in LearningLog.objects.filter(person=person)
            ],
        },
    }
