"""The curriculum app's part of "Download my data" and of erasing a person."""

from __future__ import annotations

from typing import Any

from bridgework.accounts.models import Person
from bridgework.accounts.personal_data import when
from bridgework.accounts.registry import Erasure, ExportSection

from .models import LearningLog, LessonProgress, Module, PromptAnswer, Tip


def _learning(person: Person) -> dict[str, Any]:
    return {
        "learning": {
            "prompt_answers": [
                {"prompt": a.prompt.text, "answer": a.answer}
                for a in PromptAnswer.objects.filter(person=person).select_related("prompt")
            ],
            "learning_log": [
                {"kind": log.kind, "title": log.title, "note": log.note, "minutes": log.minutes}
                for log in LearningLog.objects.filter(person=person)
            ],
            "lessons_completed": [
                {"lesson": p.lesson.title, "completed_at": when(p.completed_at)}
                for p in LessonProgress.objects.filter(person=person)
                .select_related("lesson")
                .order_by("completed_at")
            ],
            # The reviewer's reason is their words, not the person's: only the outcome.
            "suggested_tips": [
                {"title": t.title, "text": t.text, "status": t.get_status_display()}
                for t in Tip.objects.filter(suggested_by=person).order_by("created_at")
            ],
        }
    }


EXPORT = ExportSection(
    app="curriculum",
    template="curriculum/my_data_export.html",
    covers=(PromptAnswer, LearningLog, LessonProgress, Tip),
    build=_learning,
)
# A person's answers, logs and progress go with them; tips they suggested and modules they
# edited stay, shared with everyone, without their name (on_delete=SET_NULL).
ERASURE = Erasure(app="curriculum", covers=(PromptAnswer, LearningLog, LessonProgress, Tip, Module))
