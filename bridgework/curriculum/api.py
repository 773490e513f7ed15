"""What other apps use of the curriculum: the content rows they point at or count, and the
shared vocabulary of practices and courage. They import this module and nothing else from
here, so the curriculum can reorganise its internals without touching them.
"""

from __future__ import annotations

from .models import (
    DiscussionQuestion,
    Exercise,
    Lesson,
    LessonProgress,
    Module,
    ReflectionPrompt,
    Tip,
    TipQuerySet,
    Translatable,
    in_source_language,
    lessons_done_by,
    translation_languages,
)
from .vocabulary import Courage, Practice

__all__ = [
    "Courage",
    "DiscussionQuestion",
    "Exercise",
    "Lesson",
    "LessonProgress",
    "Module",
    "Practice",
    "ReflectionPrompt",
    "Tip",
    "TipQuerySet",
    "Translatable",
    "in_source_language",
    "lessons_done_by",
    "translation_languages",
]
