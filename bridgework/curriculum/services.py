"""Writes for the curriculum: import and export of content trees, progress, answers."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from bridgework.accounts.models import Organisation, Person
from bridgework.lib.frontmatter import dump

from .content import ContentTree, load_tree, write_translations
from .models import (
    DiscussionQuestion,
    Exercise,
    LearningLog,
    Lesson,
    LessonProgress,
    Module,
    PromptAnswer,
    ReflectionPrompt,
    Retirable,
    Source,
    SourcesPage,
    Tip,
    in_source_language,
)
from .vocabulary import Practice

SHIPPED_CONTENT = Path(__file__).resolve().parents[2] / "content"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    retired: int = 0

    def __str__(self) -> str:
        return f"created={self.created} updated={self.updated} retired={self.retired}"


def _sync[M: Retirable](
    report: ImportReport,
    existing: dict[str, M],
    wanted: Iterable[tuple[str, dict[str, Any]]],
    create: Any,
    now: Any,
) -> dict[str, M]:
    """Create, update or un-retire each wanted row by slug; retire the rest. Never delete."""
    kept: dict[str, M] = {}
    for slug, fields in wanted:
        row = existing.get(slug)
        if row is None:
            row = create(slug=slug, **fields)
            report.created += 1
        else:
            changed = [name for name, value in fields.items() if getattr(row, name) != value]
            if row.retired_at is not None:
                changed.append("retired_at")
                row.retired_at = None
            for name in changed:
                if name != "retired_at":
                    setattr(row, name, fields[name])
            if changed:
                row.save(update_fields=changed)
                report.updated += 1
        kept[slug] = row
    for slug, row in existing.items():
        if slug not in kept and row.retired_at is None:
            row.retired_at = now
            row.save(update_fields=["retired_at"])
            report.retired += 1
    return kept


def _model_fields(data: Any) -> dict[str, Any]:
    """A content dataclass as model field values: everything but its slug and location."""
    return {k: v for k, v in asdict(data).items() if k not in {"slug", "where"}}


def import_tree(*, organisation: Organisation, tree: ContentTree) -> ImportReport:
    """Load a validated content tree into an organisation, idempotently.

    Text is updated in place, so progress and private answers (which point at rows, not at
    text) survive a new version. Items missing from the new tree are retired, not deleted.
    """
    with in_source_language():
        return _import_tree(organisation=organisation, tree=tree)


@transaction.atomic
def _import_tree(*, organisation: Organisation, tree: ContentTree) -> ImportReport:
    report = ImportReport()
    now = timezone.now()
    for order, source in enumerate(tree.sources):
        Source.objects.update_or_create(
            organisation=organisation,
            key=source.key,
            defaults={
                "citation": source.citation,
                "ideas": source.ideas,
                "order": order,
                "translations": source.translations,
            },
        )
    Source.objects.filter(organisation=organisation).exclude(
        key__in=[s.key for s in tree.sources]
    ).delete()
    SourcesPage.objects.update_or_create(
        organisation=organisation,
        defaults={
            "body": tree.sources_page,
            "translations": {
                language: {"body": body}
                for language, body in tree.sources_page_translations.items()
                if body
            },
        },
    )

    modules = _sync(
        report,
        {m.slug: m for m in Module.objects.filter(organisation=organisation)},
        (
            (
                m.slug,
                {
                    "title": m.title,
                    "order": m.order,
                    "summary": m.summary,
                    "body": m.body,
                    "sources": m.sources,
                    "facilitator_note": m.facilitator_note,
                    "translations": m.translations,
                },
            )
            for m in tree.modules
        ),
        lambda **fields: Module.objects.create(organisation=organisation, **fields),
        now,
    )
    for data in tree.modules:
        module = modules[data.slug]
        lessons = _sync(
            report,
            {lesson.slug: lesson for lesson in module.lessons.all()},
            ((lesson.slug, _model_fields(lesson)) for lesson in data.lessons),
            lambda module=module, **fields: Lesson.objects.create(module=module, **fields),
            now,
        )
        _sync(
            report,
            {e.slug: e for e in module.exercises.all()},
            ((exercise.slug, _model_fields(exercise)) for exercise in data.exercises),
            lambda module=module, **fields: Exercise.objects.create(module=module, **fields),
            now,
        )
        _sync(
            report,
            {p.slug: p for p in module.prompts.all()},
            (
                (
                    p.slug,
                    {
                        "text": p.text,
                        "order": order,
                        "lesson": lessons.get(p.lesson) if p.lesson else None,
                        "translations": p.translations,
                    },
                )
                for order, p in enumerate(data.prompts)
            ),
            lambda module=module, **fields: ReflectionPrompt.objects.create(
                module=module, **fields
            ),
            now,
        )
        _sync(
            report,
            {q.slug: q for q in module.questions.all()},
            (
                (q.slug, {"text": q.text, "order": order, "translations": q.translations})
                for order, q in enumerate(data.questions)
            ),
            lambda module=module, **fields: DiscussionQuestion.objects.create(
                module=module, **fields
            ),
            now,
        )
    # Tips suggested in the app are the organisation's own; an import never retires them.
    # One may hold a slug the files use: if it is the same tip (read back from an export) it
    # stays as it is; otherwise it moves to a free slug so both can live side by side.
    wanted_tips = {t.slug: t for t in tree.tips}
    kept_community: set[str] = set()
    for tip in Tip.objects.filter(
        organisation=organisation, slug__in=list(wanted_tips), from_content=False
    ):
        same = wanted_tips[tip.slug]
        if (tip.title, tip.text) == (same.title, same.text):
            kept_community.add(tip.slug)
        else:
            tip.slug = _free_tip_slug(organisation, tip.slug, reserved=set(wanted_tips))
            tip.save(update_fields=["slug"])
    _sync(
        report,
        {t.slug: t for t in Tip.objects.filter(organisation=organisation, from_content=True)},
        (
            (
                t.slug,
                {
                    "title": t.title,
                    "text": t.text,
                    "practice": t.practice,
                    "defense": t.defense,
                    "effort": t.effort,
                    "courage": t.courage,
                    "contexts": Tip.pack_contexts(t.contexts),
                    "sources": t.sources,
                    "status": Tip.Status.APPROVED,
                    "translations": t.translations,
                },
            )
            for t in tree.tips
            if t.slug not in kept_community
        ),
        lambda **fields: Tip.objects.create(organisation=organisation, **fields),
        now,
    )
    return report


def import_shipped_content(organisation: Organisation) -> ImportReport:
    """Give a new organisation the curriculum that ships with Bridgework."""
    tree, errors = load_tree(SHIPPED_CONTENT)
    if errors:
        raise ValidationError([str(error) for error in errors[:10]])
    return import_tree(organisation=organisation, tree=tree)


def export_tree(*, organisation: Organisation, target: Path) -> ContentTree:
    """Write the organisation's active curriculum (with in-app edits) as a content tree."""
    with in_source_language():
        tree, _ = _tree_from_database(organisation)
    target.mkdir(parents=True, exist_ok=True)
    sources = [{"id": s.key, "citation": s.citation, "ideas": s.ideas} for s in tree.sources]
    (target / "sources.md").write_text(dump({"sources": sources}, tree.sources_page), "utf-8")
    for module in tree.modules:
        folder = target / "modules" / f"{module.order:02d}-{module.slug}"
        (folder / "lessons").mkdir(parents=True, exist_ok=True)
        (folder / "exercises").mkdir(parents=True, exist_ok=True)
        module.where = (folder / "module.md", 1)
        (folder / "module.md").write_text(
            dump(
                {
                    "slug": module.slug,
                    "title": module.title,
                    "order": module.order,
                    "summary": module.summary,
                    "sources": module.sources,
                },
                module.body,
            ),
            "utf-8",
        )
        for lesson in module.lessons:
            lesson.where = (folder / "lessons" / f"{lesson.order:02d}-{lesson.slug}.md", 1)
            lesson.where[0].write_text(
                dump(
                    {
                        "slug": lesson.slug,
                        "title": lesson.title,
                        "order": lesson.order,
                        "minutes": lesson.minutes,
                        "sources": lesson.sources,
                    },
                    lesson.body,
                ),
                "utf-8",
            )
        for exercise in module.exercises:
            exercise.where = (folder / "exercises" / f"{exercise.order:02d}-{exercise.slug}.md", 1)
            exercise.where[0].write_text(
                dump(
                    {
                        "slug": exercise.slug,
                        "title": exercise.title,
                        "order": exercise.order,
                        "minutes": exercise.minutes,
                        "format": exercise.format,
                        "sources": exercise.sources,
                    },
                    exercise.body,
                ),
                "utf-8",
            )
        prompts = [
            {"slug": p.slug, **({"lesson": p.lesson} if p.lesson else {}), "text": p.text}
            for p in module.prompts
        ]
        questions = [{"slug": q.slug, "text": q.text} for q in module.questions]
        (folder / "prompts.md").write_text(
            dump({"prompts": prompts, "questions": questions}, module.facilitator_note), "utf-8"
        )
    tips_dir = target / "tips"
    tips_dir.mkdir(parents=True, exist_ok=True)
    for practice in Practice.values:
        tips = [
            {
                "slug": t.slug,
                "title": t.title,
                "text": t.text,
                "defense": t.defense,
                "effort": t.effort,
                "courage": t.courage,
                "contexts": t.contexts,
                **({"sources": t.sources} if t.sources else {}),
            }
            for t in tree.tips
            if t.practice == practice
        ]
        for tip in tree.tips:
            if tip.practice == practice:
                tip.where = (tips_dir / f"{practice}.md", 1)
        if tips:
            (tips_dir / f"{practice}.md").write_text(
                dump(
                    {"practice": practice, "tips": tips},
                    "Tips for this practice, exported from Bridgework.",
                ),
                "utf-8",
            )
    write_translations(tree, target)
    return tree


def _tree_from_database(organisation: Organisation) -> tuple[ContentTree, None]:
    from .content import (
        ExerciseData,
        LessonData,
        ModuleData,
        PromptData,
        QuestionData,
        SourceData,
        TipData,
    )

    tree = ContentTree()
    tree.sources = [
        SourceData(s.key, s.citation, s.ideas, translations=s.translations)
        for s in Source.objects.filter(organisation=organisation)
    ]
    page = SourcesPage.objects.filter(organisation=organisation).first()
    tree.sources_page = page.body if page else "# Sources and credits"
    tree.sources_page_translations = (
        {language: texts["body"] for language, texts in page.translations.items()} if page else {}
    )
    prefetches: list[models.Prefetch[Any]] = [
        models.Prefetch("lessons", queryset=Lesson.objects.active()),
        models.Prefetch("exercises", queryset=Exercise.objects.active()),
        models.Prefetch(
            "prompts", queryset=ReflectionPrompt.objects.active().select_related("lesson")
        ),
        models.Prefetch("questions", queryset=DiscussionQuestion.objects.active()),
    ]
    modules = Module.objects.for_organisation(organisation).prefetch_related(*prefetches)
    for module in modules:
        data = ModuleData(
            module.slug,
            module.title,
            module.order,
            module.summary,
            list(module.sources),
            module.body,
            facilitator_note=module.facilitator_note,
            translations=module.translations,
        )
        data.lessons = [
            LessonData(
                lesson.slug,
                lesson.title,
                lesson.order,
                lesson.minutes,
                list(lesson.sources),
                lesson.body,
                translations=lesson.translations,
            )
            for lesson in module.lessons.all()
        ]
        data.exercises = [
            ExerciseData(
                e.slug,
                e.title,
                e.order,
                e.minutes,
                e.format,
                list(e.sources),
                e.body,
                translations=e.translations,
            )
            for e in module.exercises.all()
        ]
        data.prompts = [
            PromptData(
                p.slug,
                p.text,
                p.lesson.slug if p.lesson and p.lesson.retired_at is None else None,
                translations=p.translations,
            )
            for p in module.prompts.all()
        ]
        data.questions = [
            QuestionData(q.slug, q.text, translations=q.translations)
            for q in module.questions.all()
        ]
        tree.modules.append(data)
    tree.tips = [
        TipData(
            t.slug,
            t.title,
            t.text,
            t.practice,
            t.defense,
            t.effort,
            t.courage,
            t.context_list,
            list(t.sources),
            translations=t.translations,
        )
        for t in Tip.objects.visible_in(organisation).order_by("practice", "pk")
    ]
    return tree, None


def save_edit(*, form: Any, person: Person) -> None:
    """Save an in-app edit of a module or lesson; a module records who edited it and when."""
    edited = form.save(commit=False)
    if isinstance(edited, Module):
        edited.edited_by = person
        edited.updated_at = timezone.now()
    edited.save()


def set_lesson_done(*, person: Person, lesson: Lesson, done: bool) -> None:
    if done:
        LessonProgress.objects.get_or_create(person=person, lesson=lesson)
    else:
        LessonProgress.objects.filter(person=person, lesson=lesson).delete()


def save_prompt_answer(*, person: Person, prompt: ReflectionPrompt, answer: str) -> None:
    """Save (or with empty text, delete) a private answer."""
    if not answer.strip():
        PromptAnswer.objects.filter(person=person, prompt=prompt).delete()
        return
    row = PromptAnswer.objects.filter(person=person, prompt=prompt).first() or PromptAnswer(
        person=person, prompt=prompt
    )
    row.answer = answer
    row.updated_at = timezone.now()
    row.save()


def keep_typed_answers(*, person: Person, lesson: Lesson, typed: dict[int, str]) -> int:
    """Answers typed into a lesson's prompts but sent with "Mark as done" rather than "Save
    my answer": new or changed ones are saved, so a reflection is not lost to the other
    button. An emptied box deletes nothing here. Returns how many were saved."""
    prompts = ReflectionPrompt.objects.active().filter(lesson=lesson, pk__in=list(typed))
    saved_before = {
        a.prompt_id: a.answer
        for a in PromptAnswer.objects.filter(person=person, prompt__in=prompts)
    }
    kept = 0
    for prompt in prompts:
        answer = typed[prompt.pk]
        if answer.strip() and answer != saved_before.get(prompt.pk):
            save_prompt_answer(person=person, prompt=prompt, answer=answer)
            kept += 1
    return kept


def log_learning(
    *,
    person: Person,
    module: Module | None,
    kind: str,
    title: str,
    note: str,
    minutes: int | None,
) -> LearningLog:
    entry = LearningLog(
        person=person, module=module, kind=kind, title=title, note=note or None, minutes=minutes
    )
    entry.full_clean(exclude=["title", "note"])
    entry.save()
    return entry


@transaction.atomic
def suggest_tip(
    *,
    organisation: Organisation,
    person: Person,
    title: str,
    text: str,
    practice: str,
    defense: str,
    effort: int,
    courage: int,
    contexts: list[str],
) -> Tip:
    from django.utils.text import slugify

    slug = _free_tip_slug(organisation, slugify(title)[:60] or "tip")
    return Tip.objects.create(
        organisation=organisation,
        slug=slug,
        title=title,
        text=text,
        practice=practice,
        defense=defense,
        effort=effort,
        courage=courage,
        contexts=Tip.pack_contexts(contexts),
        status=Tip.Status.PENDING,
        suggested_by=person,
        from_content=False,
    )


def _free_tip_slug(
    organisation: Organisation, base: str, reserved: AbstractSet[str] = frozenset()
) -> str:
    slug, number = base, 2
    while slug in reserved or Tip.objects.filter(organisation=organisation, slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


OWN_TIP = gettext_lazy("You suggested this tip, so another facilitator reviews it.")


def review_tip(*, tip: Tip, reviewer: Person, approve: bool, reason: str) -> None:
    """Someone else vets a suggestion: never the person who made it."""
    if tip.suggested_by_id is not None and tip.suggested_by_id == reviewer.pk:
        raise ValidationError(OWN_TIP)
    tip.status = Tip.Status.APPROVED if approve else Tip.Status.DECLINED
    tip.review_reason = reason
    tip.save(update_fields=["status", "review_reason"])
