"""The practice app's part of "Download my data" and of erasing a person."""

from __future__ import annotations

from typing import Any

from bridgework.accounts.models import Person
from bridgework.accounts.personal_data import when
from bridgework.accounts.registry import Erasure, ExportSection

from .models import ActionPlan, Assessment, CheckIn, Commitment, PracticeProfile


def _practice(person: Person) -> dict[str, Any]:
    commitments = list(Commitment.objects.filter(person=person))
    check_ins = list(CheckIn.objects.filter(person=person))
    profile = PracticeProfile.objects.filter(person=person).first()
    return {
        "practice": {
            "capacity": profile.get_capacity_display() if profile else None,
            "assessments": [
                {"taken_at": when(a.taken_at), "answers": a.answers, "defense": a.defense}
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
                    "created_at": when(p.created_at),
                }
                for p in ActionPlan.objects.filter(person=person)
            ],
            "commitments": [
                {
                    "title": c.title,
                    "cadence": c.cadence,
                    "cue": c.cue,
                    "status": c.status,
                    "started_on": when(c.started_on),
                    "check_ins": [
                        {"period": when(k.period_start), "outcome": k.outcome, "note": k.note}
                        for k in check_ins
                        if k.commitment_id == c.pk
                    ],
                }
                for c in commitments
            ],
        }
    }


_MODELS = (PracticeProfile, Assessment, ActionPlan, Commitment, CheckIn)
EXPORT = ExportSection(
    app="practice", template="practice/my_data_export.html", covers=_MODELS, build=_practice
)
# Every row is the person's own and goes with them (on_delete=CASCADE).
ERASURE = Erasure(app="practice", covers=_MODELS)
