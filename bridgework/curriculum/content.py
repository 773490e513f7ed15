"""Read and validate a curriculum tree (see content/README.md for the schema).

`load_tree` never raises for bad content: it returns every problem it finds, each naming
the file, the line and what is wrong, so an author can fix them all in one pass.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bridgework.lib.frontmatter import FrontMatterError, Mapping, parse

from .vocabulary import Context, Defense, ExerciseFormat, Practice

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NUMBERED = re.compile(r"^(\d{2})-(.+)\.md$")
RAW_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(\s[^>]*)?>")


# The file and line an item's slug was read from, so a duplicate can be pointed at.
type Where = tuple[Path, int]


@dataclass(frozen=True)
class ContentError:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class SourceData:
    key: str
    citation: str
    ideas: str
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)


@dataclass
class LessonData:
    slug: str
    title: str
    order: int
    minutes: int
    sources: list[str]
    body: str
    # Language code → translated field → text, read from translations/<lang>/.
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    where: Where | None = field(default=None, compare=False, repr=False)


@dataclass
class ExerciseData:
    slug: str
    title: str
    order: int
    minutes: int
    format: str
    sources: list[str]
    body: str
    # Language code → translated field → text, read from translations/<lang>/.
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    where: Where | None = field(default=None, compare=False, repr=False)


@dataclass
class PromptData:
    slug: str
    text: str
    lesson: str | None
    # Language code → translated field → text, read from translations/<lang>/.
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    where: Where | None = field(default=None, compare=False, repr=False)


@dataclass
class QuestionData:
    slug: str
    text: str
    # Language code → translated field → text, read from translations/<lang>/.
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    where: Where | None = field(default=None, compare=False, repr=False)


@dataclass
class ModuleData:
    slug: str
    title: str
    order: int
    summary: str
    sources: list[str]
    body: str
    lessons: list[LessonData] = field(default_factory=list)
    exercises: list[ExerciseData] = field(default_factory=list)
    prompts: list[PromptData] = field(default_factory=list)
    questions: list[QuestionData] = field(default_factory=list)
    facilitator_note: str = ""
    # Language code → translated field → text, read from translations/<lang>/.
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    where: Where | None = field(default=None, compare=False, repr=False)


@dataclass
class TipData:
    slug: str
    title: str
    text: str
    practice: str
    defense: str
    effort: int
    courage: int
    contexts: list[str]
    sources: list[str]
    # Language code → translated field → text, read from translations/<lang>/.
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    where: Where | None = field(default=None, compare=False, repr=False)


@dataclass
class ContentTree:
    modules: list[ModuleData] = field(default_factory=list)
    tips: list[TipData] = field(default_factory=list)
    sources: list[SourceData] = field(default_factory=list)
    sources_page: str = ""
    sources_page_translations: dict[str, str] = field(default_factory=dict)
    # Not errors: translations not written yet, or written from an older English text.
    translation_notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "modules": len(self.modules),
            "lessons": sum(len(m.lessons) for m in self.modules),
            "prompts": sum(len(m.prompts) for m in self.modules),
            "questions": sum(len(m.questions) for m in self.modules),
            "tips": len(self.tips),
        }

    def summary(self) -> str:
        counts = " ".join(f"{name}={count}" for name, count in self.counts().items())
        languages = sorted(
            {code for module in self.modules for code in module.translations}
            | {code for tip in self.tips for code in tip.translations}
        )
        if not languages:
            return counts
        return f"{counts} translations={','.join(languages)} notes={len(self.translation_notes)}"


class _Reader:
    """Checks fields of one mapping and records errors against the file."""

    def __init__(self, path: Path, errors: list[ContentError]) -> None:
        self.path = path
        self.errors = errors

    def error(self, line: int, message: str) -> None:
        self.errors.append(ContentError(self.path, line, message))

    def text(
        self, data: Mapping, key: str, *, max_length: int | None = None, required: bool = True
    ) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.error(data.line_of(key), f"'{key}' is missing")
            return ""
        if not isinstance(value, str):
            self.error(data.line_of(key), f"'{key}' must be text")
            return ""
        value = value.strip()
        if max_length is not None and len(value) > max_length:
            self.error(data.line_of(key), f"'{key}' is longer than {max_length} characters")
        if RAW_HTML.search(value):
            self.error(data.line_of(key), f"'{key}' contains raw HTML; use Markdown")
        return value

    def slug(self, data: Mapping, key: str = "slug") -> str:
        value = self.text(data, key, max_length=80)
        if value and not SLUG.match(value):
            self.error(data.line_of(key), f"'{value}' is not a slug (lowercase-words-like-this)")
        return value

    def integer(self, data: Mapping, key: str, low: int, high: int) -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(data.line_of(key), f"'{key}' must be a whole number from {low} to {high}")
            return low
        if not low <= value <= high:
            self.error(data.line_of(key), f"'{key}' must be from {low} to {high}, not {value}")
        return value

    def choice(self, data: Mapping, key: str, allowed: list[str]) -> str:
        value = data.get(key)
        if value not in allowed:
            self.error(
                data.line_of(key),
                f"'{key}' must be one of {', '.join(allowed)}, not {value!r}",
            )
            return allowed[0]
        return str(value)

    def source_ids(self, data: Mapping, known: set[str], *, required: bool) -> list[str]:
        value = data.get("sources", [])
        if not isinstance(value, list):
            self.error(data.line_of("sources"), "'sources' must be a list of source ids")
            return []
        if required and not value:
            self.error(data.line_of("sources"), "'sources' needs at least one source id")
        for item in value:
            if item not in known:
                self.error(data.line_of("sources"), f"unknown source id {item!r} (see sources.md)")
        return [str(item) for item in value]

    def body(self, text: str, line: int, *, required: bool) -> str:
        if required and not text.strip():
            self.error(line, "the body (below the front matter) is empty")
        match = RAW_HTML.search(text)
        if match:
            offset = text[: match.start()].count("\n")
            self.error(line + offset, "the body contains raw HTML; use Markdown")
        return text


def _document(path: Path, errors: list[ContentError]) -> Any:
    try:
        return parse(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        errors.append(ContentError(path, 1, "the file is not UTF-8 text"))
    except FrontMatterError as error:
        errors.append(ContentError(path, error.line, error.message))
    return None


def _numbered_files(folder: Path, errors: list[ContentError]) -> list[tuple[int, str, Path]]:
    found = []
    for path in sorted(folder.glob("*.md")):
        match = NUMBERED.match(path.name)
        if not match:
            errors.append(ContentError(path, 1, "the file name must look like 01-some-slug.md"))
            continue
        found.append((int(match.group(1)), match.group(2), path))
    return found


def _read_sources(root: Path, tree: ContentTree, errors: list[ContentError]) -> set[str]:
    path = root / "sources.md"
    if not path.exists():
        errors.append(ContentError(path, 1, "sources.md is missing"))
        return set()
    document = _document(path, errors)
    if document is None:
        return set()
    reader = _Reader(path, errors)
    items = document.meta.get("sources")
    if not isinstance(items, list) or not items:
        reader.error(document.meta.line_of("sources"), "'sources' must be a non-empty list")
        return set()
    keys: set[str] = set()
    for item in items:
        if not isinstance(item, Mapping):
            reader.error(document.meta.line_of("sources"), "each source must be a mapping")
            continue
        key = reader.slug(item, "id")
        if key in keys:
            reader.error(item.line_of("id"), f"source id {key!r} is used twice")
        keys.add(key)
        tree.sources.append(
            SourceData(key, reader.text(item, "citation"), reader.text(item, "ideas"))
        )
    tree.sources_page = reader.body(document.body, document.body_line, required=True)
    return keys


def _read_module(
    folder: Path, known_sources: set[str], errors: list[ContentError]
) -> ModuleData | None:
    path = folder / "module.md"
    if not path.exists():
        errors.append(ContentError(path, 1, "module.md is missing"))
        return None
    document = _document(path, errors)
    if document is None:
        return None
    reader = _Reader(path, errors)
    meta = document.meta
    module = ModuleData(
        slug=reader.slug(meta),
        title=reader.text(meta, "title", max_length=120),
        order=reader.integer(meta, "order", 1, 99),
        summary=reader.text(meta, "summary", max_length=200),
        sources=reader.source_ids(meta, known_sources, required=True),
        body=reader.body(document.body, document.body_line, required=True),
        where=(path, meta.line_of("slug")),
    )
    match = re.match(r"^(\d{2})-(.+)$", folder.name)
    if not match or match.group(2) != module.slug or int(match.group(1)) != module.order:
        reader.error(1, f"the folder name must be {module.order:02d}-{module.slug}")

    for number, slug_in_name, lesson_path in _numbered_files(folder / "lessons", errors):
        lesson_doc = _document(lesson_path, errors)
        if lesson_doc is None:
            continue
        lesson_reader = _Reader(lesson_path, errors)
        lesson = LessonData(
            slug=lesson_reader.slug(lesson_doc.meta),
            title=lesson_reader.text(lesson_doc.meta, "title", max_length=120),
            order=lesson_reader.integer(lesson_doc.meta, "order", 1, 99),
            minutes=lesson_reader.integer(lesson_doc.meta, "minutes", 1, 60),
            sources=lesson_reader.source_ids(lesson_doc.meta, known_sources, required=True),
            body=lesson_reader.body(lesson_doc.body, lesson_doc.body_line, required=True),
            where=(lesson_path, lesson_doc.meta.line_of("slug")),
        )
        if lesson.slug != slug_in_name or lesson.order != number:
            lesson_reader.error(1, f"the file name must be {lesson.order:02d}-{lesson.slug}.md")
        module.lessons.append(lesson)
    if not module.lessons:
        reader.error(1, "the module has no lessons (add lessons/01-some-slug.md)")

    for number, slug_in_name, exercise_path in _numbered_files(folder / "exercises", errors):
        exercise_doc = _document(exercise_path, errors)
        if exercise_doc is None:
            continue
        exercise_reader = _Reader(exercise_path, errors)
        exercise = ExerciseData(
            slug=exercise_reader.slug(exercise_doc.meta),
            title=exercise_reader.text(exercise_doc.meta, "title", max_length=120),
            order=exercise_reader.integer(exercise_doc.meta, "order", 1, 99),
            minutes=exercise_reader.integer(exercise_doc.meta, "minutes", 1, 240),
            format=exercise_reader.choice(exercise_doc.meta, "format", ExerciseFormat.values),
            sources=exercise_reader.source_ids(exercise_doc.meta, known_sources, required=False),
            body=exercise_reader.body(exercise_doc.body, exercise_doc.body_line, required=True),
            where=(exercise_path, exercise_doc.meta.line_of("slug")),
        )
        if exercise.slug != slug_in_name or exercise.order != number:
            exercise_reader.error(
                1, f"the file name must be {exercise.order:02d}-{exercise.slug}.md"
            )
        module.exercises.append(exercise)

    prompts_path = folder / "prompts.md"
    prompts_doc = _document(prompts_path, errors) if prompts_path.exists() else None
    if prompts_doc is None:
        if not prompts_path.exists():
            errors.append(ContentError(prompts_path, 1, "prompts.md is missing"))
        return module
    prompt_reader = _Reader(prompts_path, errors)
    lesson_slugs = {lesson.slug for lesson in module.lessons}
    for kind in ("prompts", "questions"):
        items = prompts_doc.meta.get(kind)
        if not isinstance(items, list) or not items:
            prompt_reader.error(
                prompts_doc.meta.line_of(kind), f"'{kind}' must be a non-empty list"
            )
            continue
        for item in items:
            if not isinstance(item, Mapping):
                prompt_reader.error(
                    prompts_doc.meta.line_of(kind), f"each of '{kind}' must be a mapping"
                )
                continue
            slug = prompt_reader.slug(item)
            text = prompt_reader.text(item, "text", max_length=500)
            where = (prompts_path, item.line_of("slug"))
            if kind == "questions":
                module.questions.append(QuestionData(slug, text, where=where))
                continue
            lesson_slug = item.get("lesson")
            if lesson_slug is not None and lesson_slug not in lesson_slugs:
                prompt_reader.error(
                    item.line_of("lesson"), f"no lesson {lesson_slug!r} in this module"
                )
                lesson_slug = None
            module.prompts.append(PromptData(slug, text, lesson_slug, where=where))
    module.facilitator_note = prompts_doc.body
    return module


def _read_tips(
    root: Path, known_sources: set[str], tree: ContentTree, errors: list[ContentError]
) -> None:
    for path in sorted((root / "tips").glob("*.md")):
        document = _document(path, errors)
        if document is None:
            continue
        reader = _Reader(path, errors)
        practice = reader.choice(document.meta, "practice", Practice.values)
        if path.stem != practice:
            reader.error(document.meta.line_of("practice"), f"the file must be named {practice}.md")
        items = document.meta.get("tips")
        if not isinstance(items, list) or not items:
            reader.error(document.meta.line_of("tips"), "'tips' must be a non-empty list")
            continue
        for item in items:
            if not isinstance(item, Mapping):
                reader.error(document.meta.line_of("tips"), "each tip must be a mapping")
                continue
            contexts = item.get("contexts")
            if (
                not isinstance(contexts, list)
                or not 1 <= len(contexts) <= 3
                or any(context not in Context.values for context in contexts)
            ):
                reader.error(
                    item.line_of("contexts"),
                    f"'contexts' must list 1 to 3 of: {', '.join(Context.values)}",
                )
                contexts = (
                    [c for c in contexts or [] if c in Context.values][:3]
                    if isinstance(contexts, list)
                    else []
                )
            tree.tips.append(
                TipData(
                    slug=reader.slug(item),
                    title=reader.text(item, "title", max_length=80),
                    text=reader.text(item, "text", max_length=600),
                    practice=practice,
                    defense=reader.choice(item, "defense", Defense.values),
                    effort=reader.integer(item, "effort", 1, 60),
                    courage=reader.integer(item, "courage", 1, 4),
                    contexts=[str(c) for c in contexts],
                    sources=reader.source_ids(item, known_sources, required=False),
                    where=(path, item.line_of("slug")),
                )
            )


def _check_unique(tree: ContentTree, root: Path, errors: list[ContentError]) -> None:
    kinds: dict[str, list[tuple[str, Where | None]]] = {
        "module": [(m.slug, m.where) for m in tree.modules],
        "lesson": [(lesson.slug, lesson.where) for m in tree.modules for lesson in m.lessons],
        "exercise": [(e.slug, e.where) for m in tree.modules for e in m.exercises],
        "prompt": [(p.slug, p.where) for m in tree.modules for p in m.prompts],
        "question": [(q.slug, q.where) for m in tree.modules for q in m.questions],
        "tip": [(t.slug, t.where) for t in tree.tips],
    }
    for kind, items in kinds.items():
        seen: dict[str, Where | None] = {}
        for slug, where in items:
            if slug and slug in seen:
                path, line = where or (root, 1)
                first = seen[slug]
                also = f" (first at {first[0]}:{first[1]})" if first else ""
                errors.append(
                    ContentError(path, line, f"the {kind} slug {slug!r} is used twice{also}")
                )
            seen.setdefault(slug, where)


def load_tree(root: Path) -> tuple[ContentTree, list[ContentError]]:
    tree = ContentTree()
    errors: list[ContentError] = []
    if not root.is_dir():
        return tree, [ContentError(root, 1, "this folder does not exist")]
    known_sources = _read_sources(root, tree, errors)
    modules_dir = root / "modules"
    folders = sorted(p for p in modules_dir.iterdir() if p.is_dir()) if modules_dir.is_dir() else []
    if not folders:
        errors.append(ContentError(modules_dir, 1, "there are no module folders"))
    for folder in folders:
        module = _read_module(folder, known_sources, errors)
        if module is not None:
            tree.modules.append(module)
    _read_tips(root, known_sources, tree, errors)
    _check_unique(tree, root, errors)
    _read_translations(root, tree, errors)
    return tree, errors


# Translations live in translations/<lang>/, at the same paths as the English files, and hold
# only the words: everything else (order, minutes, sources, ...) comes from the English.
TRANSLATIONS = "translations"
LANGUAGE_FOLDER = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})?$")


def source_hash(path: Path) -> str:
    """What a translation records of the English file it was made from."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@dataclass
class _Translatable:
    """One English file's translatable items, and how to read a translation of it."""

    meta_fields: dict[str, int]  # front-matter field → longest allowed text
    owner: Any = None  # the item the front matter and body belong to, if any
    body_field: str | None = None
    lists: dict[str, tuple[str, dict[str, Any], dict[str, int]]] = field(default_factory=dict)


def _translatable_files(root: Path, tree: ContentTree) -> dict[Path, _Translatable]:
    files: dict[Path, _Translatable] = {}
    sources_md = root / "sources.md"
    files[sources_md] = _Translatable(
        {},
        owner=tree,
        body_field="sources_page",
        lists={"sources": ("id", {s.key: s for s in tree.sources}, {"ideas": 2000})},
    )
    for module in tree.modules:
        if module.where is None:
            continue
        folder = module.where[0].parent
        files[module.where[0]] = _Translatable(
            {"title": 120, "summary": 200}, owner=module, body_field="body"
        )
        pieces: list[LessonData | ExerciseData] = [*module.lessons, *module.exercises]
        for item in pieces:
            if item.where is not None:
                files[item.where[0]] = _Translatable({"title": 120}, owner=item, body_field="body")
        files[folder / "prompts.md"] = _Translatable(
            {},
            owner=module,
            body_field="facilitator_note",
            lists={
                "prompts": ("slug", {p.slug: p for p in module.prompts}, {"text": 500}),
                "questions": ("slug", {q.slug: q for q in module.questions}, {"text": 500}),
            },
        )
    for tip in tree.tips:
        if tip.where is None:
            continue
        entry = files.setdefault(tip.where[0], _Translatable({}, lists={}))
        entry.lists.setdefault("tips", ("slug", {}, {"title": 80, "text": 600}))[1][tip.slug] = tip
    return files


def _read_translations(root: Path, tree: ContentTree, errors: list[ContentError]) -> None:
    base = root / TRANSLATIONS
    if not base.is_dir():
        return
    english = _translatable_files(root, tree)
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        language = folder.name
        if not LANGUAGE_FOLDER.match(language):
            errors.append(ContentError(folder, 1, "a language folder is named like es or pt-br"))
            continue
        known = {path.relative_to(root) for path in english}
        for path in sorted(folder.rglob("*.md")):
            if path.relative_to(folder) not in known:
                tree.translation_notes.append(
                    f"{language}: {path.relative_to(root)} translates a file the English no "
                    "longer has; remove it"
                )
        missing = 0
        for source, item in english.items():
            path = folder / source.relative_to(root)
            if not path.exists():
                missing += 1
                tree.translation_notes.append(
                    f"{language}: {source.relative_to(root)} is not translated yet"
                )
                continue
            document = _document(path, errors)
            if document is None:
                continue
            if document.meta.get("source_hash") != source_hash(source):
                tree.translation_notes.append(
                    f"{language}: {path.relative_to(root)} was translated from an older "
                    "version of the English; check it and update source_hash"
                )
            _read_translation(language, path, document, item, errors, tree.translation_notes, root)


def _read_translation(
    language: str,
    path: Path,
    document: Any,
    item: _Translatable,
    errors: list[ContentError],
    notes: list[str],
    root: Path,
) -> None:
    reader = _Reader(path, errors)
    owner_texts: dict[str, str] = {}
    for name, longest in item.meta_fields.items():
        owner_texts[name] = reader.text(document.meta, name, max_length=longest)
    if item.body_field is not None:
        owner_texts[item.body_field] = reader.body(
            document.body, document.body_line, required=False
        )
    if isinstance(item.owner, ContentTree):
        item.owner.sources_page_translations[language] = owner_texts.get("sources_page", "")
    elif item.owner is not None:
        # module.md and prompts.md both add to their module's translation
        item.owner.translations.setdefault(language, {}).update(
            {k: v for k, v in owner_texts.items() if v}
        )
    for listing, (key, targets, fields) in item.lists.items():
        entries = document.meta.get(listing)
        if not isinstance(entries, list):
            reader.error(document.meta.line_of(listing), f"'{listing}' must be a list")
            continue
        for entry in entries:
            if not isinstance(entry, Mapping):
                reader.error(document.meta.line_of(listing), f"each of '{listing}' is a mapping")
                continue
            target = targets.get(str(entry.get(key)))
            if target is None:
                notes.append(
                    f"{language}: {path.relative_to(root)} translates {key} "
                    f"{entry.get(key)!r}, which the English no longer has; remove it"
                )
                continue
            target.translations[language] = {
                name: reader.text(entry, name, max_length=longest)
                for name, longest in fields.items()
            }


def write_translations(tree: ContentTree, root: Path) -> None:
    """Write the tree's translations under root/translations/, beside the English files
    already written there, each with the hash of the English it was made from."""
    from bridgework.lib.frontmatter import dump

    for source, item in _translatable_files(root, tree).items():
        languages = (
            set(item.owner.sources_page_translations)
            if isinstance(item.owner, ContentTree)
            else set(getattr(item.owner, "translations", {}))
        )
        for _listing, (_key, targets, _fields) in item.lists.items():
            for target in targets.values():
                languages |= set(target.translations)
        for language in sorted(languages):
            meta: dict[str, Any] = {"source_hash": source_hash(source)}
            body = ""
            if isinstance(item.owner, ContentTree):
                body = item.owner.sources_page_translations.get(language, "")
            elif item.owner is not None:
                texts = item.owner.translations.get(language, {})
                meta |= {name: texts[name] for name in item.meta_fields if texts.get(name)}
                body = texts.get(item.body_field or "", "")
            for listing, (key, targets, fields) in item.lists.items():
                meta[listing] = [
                    {key: name, **{f: target.translations[language].get(f, "") for f in fields}}
                    for name, target in targets.items()
                    if language in target.translations
                ]
            path = root / TRANSLATIONS / language / source.relative_to(root)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dump(meta, body), "utf-8")
