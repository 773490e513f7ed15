"""Modules, lessons, prompts, questions, exercises and tips — per organisation — and each
person's progress and private answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self, TypedDict, cast

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from bridgework.accounts.encryption import EncryptedTextField
from bridgework.accounts.models import Organisation, Person, organisation_language
from bridgework.lib.prepared import prepared
from bridgework.lib.pseudo import accent, is_pseudo
from bridgework.lib.pseudo import message as pseudo_message

from .vocabulary import Context, Courage, Defense, ExerciseFormat, Practice, label_of

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


# The language the content files are written in.
SOURCE_LANGUAGE = "en"


class Progress(TypedDict):
    """What `with_progress` adds to each module: its lessons, and how many of them are done."""

    lesson_count: int
    done_count: int


class Retirable(models.Model):
    """Curriculum rows that content imports keep in step with the files: a row the files no
    longer hold is retired, never deleted, so progress and answers that point to it stay."""

    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Translatable(models.Model):
    """Curriculum text that content files may carry in other languages.

    A row read while a language is active (a person's page, an e-mail in its recipient's
    language) shows that language's text where a translation exists, else the organisation's
    default language's, else the English source; `shown_language` says which, so a page can
    say so and mark it with `lang`. Swapped as rows are read, so every page, list and
    related row (`select_related` included) gets it without asking.

    A row showing a translation refuses to save its text fields: editing and imports read
    rows in the source language (`in_source_language`)."""

    translations = models.JSONField(default=dict, blank=True)

    translated_fields: ClassVar[tuple[str, ...]] = ()
    long_fields: ClassVar[frozenset[str]] = frozenset({"body", "facilitator_note"})
    shown_language = SOURCE_LANGUAGE

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        source_text = getattr(self, "_source_text", None)
        update_fields = kwargs.get("update_fields")
        if source_text and (update_fields is None or set(update_fields) & set(source_text)):
            raise TranslatedRowError(
                f"{self!r} holds its {self.shown_language} text; read it with "
                "in_source_language() to change the source text"
            )
        super().save(*args, **kwargs)

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Any, values: Any, *, fetch_mode: Any = None
    ) -> Self:
        row = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        language = translation.get_language()
        if language and language != SOURCE_LANGUAGE:
            row.show_in(language)
        return row

    def show_in(self, language: str) -> None:
        texts = self.__dict__.get("translations")
        if texts is None:  # deferred: nothing to swap
            return
        present = [name for name in self.translated_fields if name in self.__dict__]
        if is_pseudo(language):
            chosen = {
                name: accent(value) if name in self.long_fields else pseudo_message(value)
                for name in present
                if (value := self.__dict__[name])
            }
        else:
            fallback = organisation_language.get()
            found = next((code for code in (language, fallback) if code in texts), None)
            if found is None:
                return
            language = found
            chosen = {name: texts[found][name] for name in present if texts[found].get(name)}
        self._source_text = {name: self.__dict__[name] for name in chosen}
        self.__dict__.update(chosen)
        self.shown_language = language


class TranslatedRowError(RuntimeError):
    pass


def in_source_language() -> translation.override:
    """Read curriculum rows with their source text (to edit, import or export them)."""
    return translation.override(SOURCE_LANGUAGE)


def translation_languages() -> list[str]:
    """The languages, besides the source, that text can be translated into."""
    return [
        code
        for code, _name in settings.LANGUAGES
        if code != SOURCE_LANGUAGE and not is_pseudo(code)
    ]


class ActiveQuerySet[M: Retirable](models.QuerySet[M]):
    def active(self) -> Self:
        """Not retired: a lesson removed from the content files is retired, not deleted."""
        return self.filter(retired_at__isnull=True)


class ModuleQuerySet(ActiveQuerySet["Module"]):
    def for_organisation(self, organisation: Organisation) -> ModuleQuerySet:
        return self.filter(organisation=organisation).active()

    def with_progress(self, person: Person) -> models.QuerySet[WithAnnotations[Module, Progress]]:
        # Two subqueries, not a join: joining lessons and their progress rows brought in
        # every person's progress (the whole organisation) before counting one person's.
        lessons = Lesson.objects.filter(module=OuterRef("pk"), retired_at__isnull=True)
        done = LessonProgress.objects.filter(
            person=person, lesson__module=OuterRef("pk"), lesson__retired_at__isnull=True
        )
        annotated = self.annotate(
            lesson_count=Coalesce(Subquery(_count(lessons, "module")), 0),
            done_count=Coalesce(Subquery(_count(done, "person")), 0),
        )
        # The plugin types annotations as Any; `Progress` says what they hold.
        return cast("models.QuerySet[WithAnnotations[Module, Progress]]", annotated)


def _count(queryset: models.QuerySet[Any], group: str) -> models.QuerySet[Any]:
    """A subquery that counts the rows of `queryset` (grouped on a column they share)."""
    counted: models.QuerySet[Any] = queryset.order_by().values(group).annotate(n=Count("pk"))
    return counted.values("n")


class Module(Translatable, Retirable):
    translated_fields = ("title", "summary", "body", "facilitator_note")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField()
    summary = models.CharField(max_length=200)
    body = models.TextField()
    sources = models.JSONField(default=list)
    facilitator_note = models.TextField(blank=True)
    edited_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="module_slug_per_org")
        ]

    def __str__(self) -> str:
        return self.title


class LessonQuerySet(ActiveQuerySet["Lesson"]):
    def next_for(self, person: Person) -> Lesson | None:
        """The suggested next lesson: the first one not done, in the suggested path's order."""
        return _next_lesson(
            person_id=person.pk, organisation_id=person.organisation_id or 0
        ).first()


@prepared
def _next_lesson(*, person_id: int, organisation_id: int) -> QuerySet[Lesson]:
    return (
        Lesson.objects.active()
        .filter(module__organisation_id=organisation_id, module__retired_at__isnull=True)
        .exclude(progress__person_id=person_id)
        .select_related("module")
        .order_by("module__order", "order")
    )


class Lesson(Translatable, Retirable):
    translated_fields = ("title", "body")

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField()
    minutes = models.PositiveSmallIntegerField()
    body = models.TextField()
    sources = models.JSONField(default=list)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["module", "slug"], name="lesson_slug_per_module")
        ]

    def __str__(self) -> str:
        return self.title


class Exercise(Translatable, Retirable):
    translated_fields = ("title", "body")

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="exercises")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField()
    minutes = models.PositiveSmallIntegerField()
    format = models.CharField(max_length=10, choices=ExerciseFormat.choices)
    body = models.TextField()
    sources = models.JSONField(default=list)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["module", "slug"], name="exercise_slug_per_module")
        ]

    def __str__(self) -> str:
        return self.title


class ModuleText(Translatable, Retirable):
    """A line of a module's content (a prompt, a question): found by its slug within the
    module, and retired rather than deleted when the content drops it."""

    translated_fields = ("text",)

    slug = models.SlugField(max_length=80)
    text = models.CharField(max_length=500)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order"]

    def __str__(self) -> str:
        return self.text


class ReflectionPrompt(ModuleText):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="prompts")
    lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="prompts"
    )

    class Meta(ModuleText.Meta):
        constraints = [
            models.UniqueConstraint(fields=["module", "slug"], name="prompt_slug_per_module")
        ]


class DiscussionQuestion(ModuleText):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="questions")

    class Meta(ModuleText.Meta):
        constraints = [
            models.UniqueConstraint(fields=["module", "slug"], name="question_slug_per_module")
        ]


class Source(Translatable):
    translated_fields = ("ideas",)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(max_length=80)
    citation = models.TextField()
    ideas = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="source_key_per_org")
        ]

    def __str__(self) -> str:
        return self.key


class SourcesPage(Translatable):
    translated_fields = ("body",)

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="sources_page"
    )
    body = models.TextField()

    def __str__(self) -> str:
        return f"Sources page of {self.organisation}"


class TipQuerySet(ActiveQuerySet["Tip"]):
    def visible_in(self, organisation: Organisation) -> TipQuerySet:
        return self.filter(organisation=organisation, status=Tip.Status.APPROVED).active()


class Tip(Translatable, Retirable):
    translated_fields = ("title", "text")

    class Status(models.TextChoices):
        APPROVED = "approved", "Approved"
        PENDING = "pending", "Waiting for review"
        DECLINED = "declined", "Declined"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="tips")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=80)
    text = models.TextField(max_length=600)
    practice = models.CharField(max_length=40, choices=Practice.choices)
    defense = models.CharField(max_length=40, choices=Defense.choices)
    effort = models.PositiveSmallIntegerField(help_text="Minutes.")
    courage = models.PositiveSmallIntegerField(choices=Courage.choices)
    # Stored as ",meetings,chat," so one LIKE filter works the same on SQLite and PostgreSQL.
    contexts = models.CharField(max_length=200)
    sources = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    suggested_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggested_tips"
    )
    review_reason = models.CharField(max_length=300, blank=True)
    # Tips from content files are synced by imports; community tips never are, even after
    # the person who suggested one has been erased.
    from_content = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TipQuerySet.as_manager()

    class Meta:
        ordering = ["courage", "effort", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="tip_slug_per_org")
        ]
        indexes = [models.Index(fields=["organisation", "status", "practice"])]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def pack_contexts(contexts: list[str]) -> str:
        return "," + ",".join(contexts) + "," if contexts else ""

    @property
    def context_list(self) -> list[str]:
        return [c for c in self.contexts.split(",") if c]

    def context_labels(self) -> list[str]:
        return [label_of(Context, c) for c in self.context_list]

    # The tags a list of tips shows (see `label_of`).
    @property
    def practice_label(self) -> str:
        return label_of(Practice, self.practice)

    @property
    def defense_label(self) -> str:
        return label_of(Defense, self.defense)

    @property
    def courage_label(self) -> str:
        return label_of(Courage, self.courage)


class LessonProgress(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "lesson"], name="one_progress_per_lesson")
        ]

    def __str__(self) -> str:
        return f"Progress {self.pk}"


class PromptAnswer(models.Model):
    """A person's private answer to a reflection prompt: encrypted, only ever shown to them."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="prompt_answers")
    prompt = models.ForeignKey(ReflectionPrompt, on_delete=models.CASCADE, related_name="+")
    answer = EncryptedTextField(owner="person")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "prompt"], name="one_answer_per_prompt")
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk}"


class LearningLog(models.Model):
    """Learning done elsewhere — a book, a podcast, an event — logged against a module."""

    class Kind(models.TextChoices):
        BOOK = "book", "Book"
        ARTICLE = "article", "Article"
        PODCAST = "podcast", "Podcast"
        VIDEO = "video", "Video"
        EVENT = "event", "Event or talk"
        COURSE = "course", "Course"
        CONVERSATION = "conversation", "Conversation"
        OTHER = "other", "Something else"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="learning_logs")
    module = models.ForeignKey(
        Module, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = EncryptedTextField(owner="person")
    note = EncryptedTextField(owner="person", blank=True, null=True)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-logged_at"]

    def __str__(self) -> str:
        return f"Learning log {self.pk}"


@prepared
def lessons_done_by(*, person_id: int) -> models.QuerySet[LessonProgress]:
    """The person's progress in lessons still offered (home counts them)."""
    return LessonProgress.objects.filter(person_id=person_id, lesson__retired_at__isnull=True)


# --- A lesson's page, read on every visit (bridgework/lib/prepared.py) --------------------


@prepared
def lesson_at(*, organisation_id: int, module_slug: str, lesson_slug: str) -> LessonQuerySet:
    return (
        Lesson.objects.active()
        .select_related("module")
        .filter(
            module__organisation_id=organisation_id,
            module__retired_at__isnull=True,
            module__slug=module_slug,
            slug=lesson_slug,
        )
    )


@prepared
def lessons_in_module(*, module_id: int) -> LessonQuerySet:
    """A module's lessons, in order, with what a link to each needs."""
    return (
        Lesson.objects.active()
        .filter(module_id=module_id)
        .only("module_id", "slug", "title", "order", "translations")
    )


@prepared
def prompts_of_lesson(*, lesson_id: int) -> models.QuerySet[ReflectionPrompt]:
    return ReflectionPrompt.objects.active().filter(lesson_id=lesson_id)


@prepared
def answers_in_lesson(*, person_id: int, lesson_id: int) -> models.QuerySet[PromptAnswer]:
    """The person's answers to the lesson's prompts (retired prompts' too)."""
    return PromptAnswer.objects.filter(person_id=person_id, prompt__lesson_id=lesson_id)


@prepared
def progress_in_lesson(*, person_id: int, lesson_id: int) -> models.QuerySet[LessonProgress]:
    return LessonProgress.objects.filter(person_id=person_id, lesson_id=lesson_id)
