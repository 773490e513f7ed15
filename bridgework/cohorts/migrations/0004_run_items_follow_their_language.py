"""Runs-of-show built before 0003 hold one copy of their default parts, in the language of
whoever planned the session. Each part whose words are still a default (Bridgework's opening
round, agreements or closing round in any language we ship, or one of its module's
discussion questions or exercises in any language the curriculum has) gets every language
and follows its reader's, as new ones do. Parts a facilitator reworded are left as they are."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import translation

Texts = dict[str, dict[str, str]]


def _same(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def _default_texts(languages: list[str]) -> dict[str, Texts]:
    from bridgework.cohorts.services import AGREEMENTS, COMMITMENTS, GRATITUDE

    found: dict[str, Texts] = {}
    for kind, (title, body, _minutes) in {
        "gratitude": GRATITUDE,
        "agreements": AGREEMENTS,
        "commitments": COMMITMENTS,
    }.items():
        found[kind] = {}
        for language in languages:
            with translation.override(language):
                found[kind][language] = {"title": str(title), "body": str(body)}
    return found


def _module_texts(apps: Any, module_id: int) -> dict[str, list[Texts]]:
    """Each of the module's questions and exercises, in the source and its translations."""
    questions = apps.get_model("curriculum", "DiscussionQuestion").objects.filter(
        module_id=module_id
    )
    exercises = apps.get_model("curriculum", "Exercise").objects.filter(module_id=module_id)
    return {
        "question": [
            {
                "en": {"title": q.text[:200], "body": ""},
                **{
                    language: {"title": t["text"][:200], "body": ""}
                    for language, t in q.translations.items()
                    if t.get("text")
                },
            }
            for q in questions
        ],
        "exercise": [
            {
                "en": {"title": e.title, "body": e.body[:4000]},
                **{
                    language: {"title": t.get("title", ""), "body": t.get("body", "")[:4000]}
                    for language, t in e.translations.items()
                },
            }
            for e in exercises
        ],
    }


def _matches(item: Any, texts: Texts) -> bool:
    return any(
        _same(item.title, shown["title"]) and _same(item.body, shown["body"])
        for shown in texts.values()
    )


def follow_their_language(apps: Any, schema_editor: Any) -> None:
    from bridgework.curriculum.models import SOURCE_LANGUAGE, translation_languages

    defaults = _default_texts([SOURCE_LANGUAGE, *translation_languages()])
    modules: dict[int, dict[str, list[Texts]]] = {}
    RunItem = apps.get_model("cohorts", "RunItem")
    for item in RunItem.objects.filter(default_text=False).select_related("session"):
        candidates = [defaults[item.kind]] if item.kind in defaults else []
        module_id = item.session.module_id
        if item.kind in {"question", "exercise"} and module_id:
            if module_id not in modules:
                modules[module_id] = _module_texts(apps, module_id)
            candidates = modules[module_id][item.kind]
        texts = next((t for t in candidates if _matches(item, t)), None)
        if texts is None:
            continue
        item.title, item.body = texts[SOURCE_LANGUAGE]["title"], texts[SOURCE_LANGUAGE]["body"]
        item.translations = {
            language: shown for language, shown in texts.items() if language != SOURCE_LANGUAGE
        }
        item.default_text = True
        item.save(update_fields=["title", "body", "translations", "default_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0003_run_item_translations"),
        ("curriculum", "0003_content_translations"),
    ]

    operations = [migrations.RunPython(follow_their_language, migrations.RunPython.noop)]
