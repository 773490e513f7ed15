"""The curriculum as files: the shipped tree, its validator, and import and export.

Errors name the file and the line an author has to fix. Importing is idempotent, and a new
version of the content updates text in place: progress and private answers are kept, and a
lesson that disappears from the files is retired, never deleted.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils.html import escape

from bridgework.accounts.models import Organisation, Person
from bridgework.accounts.services import create_organisation
from bridgework.curriculum import services
from bridgework.curriculum.content import ContentTree, load_tree
from bridgework.curriculum.models import (
    DiscussionQuestion,
    Lesson,
    LessonProgress,
    Module,
    PromptAnswer,
    ReflectionPrompt,
    Tip,
)
from bridgework.curriculum.services import SHIPPED_CONTENT
from bridgework.curriculum.vocabulary import Courage, Defense, Practice
from bridgework.lib.frontmatter import dump, parse

from .conftest import PASSWORD, client_for

ANSWER = "I kept quiet when my teammate was interrupted in the planning meeting"


@pytest.fixture(scope="module")
def shipped() -> ContentTree:
    tree, errors = load_tree(SHIPPED_CONTENT)
    assert [str(error) for error in errors] == []
    return tree


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the shipped tree, free to break or edit."""
    root = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, root)
    return root


def line_number(path: Path, needle: str, *, after: str | None = None) -> int:
    """The 1-based line of the first line containing `needle` (after the line with `after`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line) + 1
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def replace_line(path: Path, number: int, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[number - 1] = new + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def insert_line(path: Path, number: int, new: str) -> None:
    """Insert `new` so that it becomes line `number`."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(number - 1, new + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def first_module(root: Path) -> Path:
    return sorted((root / "modules").iterdir())[0]


def first_lesson(root: Path) -> Path:
    return sorted((first_module(root) / "lessons").glob("*.md"))[0]


def closing_front_matter_line(path: Path) -> int:
    return line_number(path, "---", after="---")


def plain(value: Any) -> Any:
    """Parsed front matter (which remembers line numbers) as plain data that YAML can dump."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def error_texts(root: Path) -> list[str]:
    return [str(error) for error in load_tree(root)[1]]


def import_from(root: Path, organisation: Organisation) -> services.ImportReport:
    tree, errors = load_tree(root)
    assert errors == []
    return services.import_tree(organisation=organisation, tree=tree)


def database_counts(organisation: Organisation) -> dict[str, int]:
    return {
        "modules": Module.objects.for_organisation(organisation).count(),
        "lessons": Lesson.objects.active()
        .filter(module__organisation=organisation, module__retired_at__isnull=True)
        .count(),
        "prompts": ReflectionPrompt.objects.active()
        .filter(module__organisation=organisation, module__retired_at__isnull=True)
        .count(),
        "questions": DiscussionQuestion.objects.active()
        .filter(module__organisation=organisation, module__retired_at__isnull=True)
        .count(),
        "tips": Tip.objects.visible_in(organisation).count(),
    }


# --- The shipped tree ---------------------------------------------------------------------------


def test_the_shipped_curriculum_validates_with_zero_errors() -> None:
    tree, errors = load_tree(SHIPPED_CONTENT)

    assert [str(error) for error in errors] == []
    assert tree.modules
    assert tree.sources
    assert tree.sources_page.strip()


def test_the_shipped_curriculum_has_seven_full_modules_and_a_large_tips_library(
    shipped: ContentTree,
) -> None:
    assert len(shipped.modules) >= 7
    for module in shipped.modules:
        assert len(module.lessons) >= 3, module.slug
        assert len(module.prompts) >= 3, module.slug
        assert len(module.questions) >= 3, module.slug
        assert module.exercises, module.slug
    assert len(shipped.tips) >= 150


def test_every_shipped_lesson_has_a_reflection_prompt_linked_to_it(shipped: ContentTree) -> None:
    for module in shipped.modules:
        linked = {prompt.lesson for prompt in module.prompts}
        assert {lesson.slug for lesson in module.lessons} <= linked, module.slug


def test_the_shipped_tips_use_every_practice_defense_and_courage_level(
    shipped: ContentTree,
) -> None:
    assert {tip.practice for tip in shipped.tips} == set(Practice.values)
    assert {tip.defense for tip in shipped.tips} == set(Defense.values)
    assert {tip.courage for tip in shipped.tips} == set(Courage.values) == {1, 2, 3, 4}


def test_the_shipped_modules_follow_their_path_order(shipped: ContentTree) -> None:
    orders = [module.order for module in shipped.modules]
    assert orders == sorted(orders) == list(range(1, len(orders) + 1))
    for module in shipped.modules:
        assert [lesson.order for lesson in module.lessons] == list(
            range(1, len(module.lessons) + 1)
        )


# --- Validation errors name the file and the line ------------------------------------------------

# Each breaker damages a copy of the shipped tree in one place and returns the file, the line
# and a fragment of the message an author should see.
Breaker = Callable[[Path], tuple[Path, int, str]]


def tip_effort_out_of_range(root: Path) -> tuple[Path, int, str]:
    path = root / "tips" / "deep-curiosity.md"
    slug = parse(path.read_text(encoding="utf-8")).meta["tips"][0]["slug"]
    line = line_number(path, "effort:", after=f"slug: {slug}")
    replace_line(path, line, "    effort: 99")
    return path, line, "'effort' must be from 1 to 60, not 99"


def prompt_for_an_unknown_lesson(root: Path) -> tuple[Path, int, str]:
    path = first_module(root) / "prompts.md"
    line = line_number(path, "lesson:")
    replace_line(path, line, "    lesson: no-such-lesson")
    return path, line, "no lesson 'no-such-lesson' in this module"


def exercise_without_front_matter(root: Path) -> tuple[Path, int, str]:
    path = sorted((first_module(root) / "exercises").glob("*.md"))[0]
    path.write_text(parse(path.read_text(encoding="utf-8")).body, encoding="utf-8")
    return path, 1, "must start with a '---' line"


def tips_file_with_invalid_yaml(root: Path) -> tuple[Path, int, str]:
    path = root / "tips" / "honest-introspection.md"
    line = line_number(path, "title:")
    replace_line(path, line, "    title: Notice this: it breaks YAML")
    return path, line, "not valid YAML"


def lesson_with_an_unknown_source(root: Path) -> tuple[Path, int, str]:
    path = first_lesson(root)
    line = line_number(path, "sources:")
    replace_line(path, line, "sources: [no-such-source]")
    return path, line, "unknown source id 'no-such-source'"


def duplicate_tip_slug(root: Path) -> tuple[Path, int, str]:
    path = root / "tips" / "empathetic-engagement.md"
    tips = parse(path.read_text(encoding="utf-8")).meta["tips"]
    first, second = tips[0]["slug"], tips[1]["slug"]
    line = line_number(path, f"slug: {second}")
    replace_line(path, line, f"  - slug: {first}")
    return path, line, f"the tip slug '{first}' is used twice"


def raw_html_in_a_lesson_body(root: Path) -> tuple[Path, int, str]:
    path = first_lesson(root)
    line = closing_front_matter_line(path) + 4
    insert_line(path, line, "Some <em>emphasis</em> done the wrong way.")
    return path, line, "the body contains raw HTML"


def raw_html_below_a_blank_line_after_the_front_matter(root: Path) -> tuple[Path, int, str]:
    path = first_lesson(root)
    insert_line(path, closing_front_matter_line(path) + 1, "")
    line = closing_front_matter_line(path) + 5
    insert_line(path, line, '<a href="https://example.com">a link</a>')
    return path, line, "the body contains raw HTML"


def lesson_file_name_not_matching_its_slug(root: Path) -> tuple[Path, int, str]:
    path = first_lesson(root)
    slug = parse(path.read_text(encoding="utf-8")).meta["slug"]
    renamed = path.with_name("01-a-different-name.md")
    path.rename(renamed)
    return renamed, 1, f"the file name must be 01-{slug}.md"


BREAKERS: list[Breaker] = [
    tip_effort_out_of_range,
    prompt_for_an_unknown_lesson,
    exercise_without_front_matter,
    tips_file_with_invalid_yaml,
    lesson_with_an_unknown_source,
    duplicate_tip_slug,
    raw_html_in_a_lesson_body,
    raw_html_below_a_blank_line_after_the_front_matter,
    lesson_file_name_not_matching_its_slug,
]


@pytest.mark.parametrize("breaker", BREAKERS, ids=[b.__name__ for b in BREAKERS])
def test_a_validation_error_names_the_file_and_the_line_to_fix(
    content: Path, breaker: Breaker
) -> None:
    path, line, message = breaker(content)

    errors = error_texts(content)

    assert any(error.startswith(f"{path}:{line}: ") and message in error for error in errors), (
        errors
    )
    assert all(error.startswith(f"{path}:") for error in errors), errors


def test_the_validator_reports_every_problem_in_one_pass(content: Path) -> None:
    broken = [breaker(content) for breaker in (tip_effort_out_of_range, duplicate_tip_slug)]
    broken.append(lesson_with_an_unknown_source(content))

    errors = error_texts(content)

    for path, line, message in broken:
        assert any(e.startswith(f"{path}:{line}: ") and message in e for e in errors), errors


def test_a_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    tree, errors = load_tree(tmp_path / "nowhere")

    assert [str(error) for error in errors] == [
        f"{tmp_path / 'nowhere'}:1: this folder does not exist"
    ]
    assert tree.counts() == dict.fromkeys(tree.counts(), 0)


# --- content check --------------------------------------------------------------------------


def test_content_check_prints_the_counts_of_a_good_tree(
    content: Path, shipped: ContentTree
) -> None:
    out = io.StringIO()

    call_command("content", "check", str(content), stdout=out)

    counts = shipped.counts()
    assert out.getvalue().strip() == (
        f"modules={counts['modules']} lessons={counts['lessons']} prompts={counts['prompts']} "
        f"questions={counts['questions']} tips={counts['tips']} translations=es,fr notes=0"
    )


def test_content_check_lists_the_problems_and_fails_on_a_bad_tree(content: Path) -> None:
    path, line, message = tip_effort_out_of_range(content)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match=r"1 problem\(s\) found"):
        call_command("content", "check", str(content), stdout=out, stderr=err)

    assert f"{path}:{line}: " in err.getvalue()
    assert message in err.getvalue()
    assert "modules=" not in out.getvalue()


# --- content import ---------------------------------------------------------------------------


def run_content(*args: str) -> str:
    out = io.StringIO()
    call_command("content", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_importing_loads_the_whole_tree_into_the_only_organisation(
    organisation: Organisation, content: Path, shipped: ContentTree
) -> None:
    output = run_content("import", str(content))

    assert database_counts(organisation) == shipped.counts()
    total = sum(shipped.counts().values()) + sum(len(m.exercises) for m in shipped.modules)
    assert f"Imported into {organisation.name}: {shipped.summary()}" in output
    assert f"(created={total} updated=0 retired=0)" in output


def test_importing_the_same_tree_twice_changes_nothing(
    organisation: Organisation, content: Path, shipped: ContentTree
) -> None:
    run_content("import", str(content))
    first_ids = set(Lesson.objects.values_list("pk", flat=True))

    output = run_content("import", str(content))

    assert "(created=0 updated=0 retired=0)" in output
    assert set(Lesson.objects.values_list("pk", flat=True)) == first_ids
    assert database_counts(organisation) == shipped.counts()


def test_with_several_organisations_import_needs_org_and_says_which_exist(
    organisation: Organisation, other_organisation: Organisation, content: Path
) -> None:
    with pytest.raises(CommandError) as raised:
        run_content("import", str(content))

    assert "--org" in str(raised.value)
    assert organisation.slug in str(raised.value)
    assert other_organisation.slug in str(raised.value)
    assert not Module.objects.exists()


def test_import_with_org_loads_into_that_organisation_only(
    organisation: Organisation,
    other_organisation: Organisation,
    content: Path,
    shipped: ContentTree,
) -> None:
    output = run_content("import", str(content), "--org", other_organisation.slug)

    assert f"Imported into {other_organisation.name}" in output
    assert database_counts(other_organisation) == shipped.counts()
    assert not Module.objects.filter(organisation=organisation).exists()
    assert not Tip.objects.filter(organisation=organisation).exists()


def test_import_into_an_unknown_organisation_fails_cleanly(
    organisation: Organisation, content: Path
) -> None:
    with pytest.raises(CommandError, match="No organisation with the slug 'nope'"):
        run_content("import", str(content), "--org", "nope")


def test_a_bad_tree_imports_nothing(organisation: Organisation, content: Path) -> None:
    duplicate_tip_slug(content)

    with pytest.raises(CommandError, match="nothing was changed"):
        run_content("import", str(content))

    assert not Module.objects.exists()
    assert not Tip.objects.exists()


# --- A new version of the content keeps progress ---------------------------------------------


def drop_lesson(module_folder: Path, lesson_slug: str) -> None:
    """Delete a lesson's file and the prompts that point at it, as an author would."""
    [path] = (module_folder / "lessons").glob(f"*-{lesson_slug}.md")
    path.unlink()
    prompts_path = module_folder / "prompts.md"
    document = parse(prompts_path.read_text(encoding="utf-8"))
    prompts = [p for p in plain(document.meta["prompts"]) if p.get("lesson") != lesson_slug]
    questions = plain(document.meta["questions"])
    prompts_path.write_text(
        dump({"prompts": prompts, "questions": questions}, document.body), encoding="utf-8"
    )


@pytest.fixture
def imported(organisation: Organisation, content: Path) -> Module:
    """The shipped tree imported into Acme; returns its first module."""
    import_from(content, organisation)
    return Module.objects.for_organisation(organisation).first()  # type: ignore[return-value]


def test_it_keeps_progress_and_answers_when_a_new_version_is_imported(
    organisation: Organisation, participant: Person, content: Path, imported: Module
) -> None:
    kept, dropped = list(imported.lessons.all())[:2]
    prompt = ReflectionPrompt.objects.filter(lesson=kept).first()
    assert prompt is not None
    services.set_lesson_done(person=participant, lesson=kept, done=True)
    services.set_lesson_done(person=participant, lesson=dropped, done=True)
    services.save_prompt_answer(person=participant, prompt=prompt, answer=ANSWER)
    folder = first_module(content)
    [kept_path] = (folder / "lessons").glob(f"*-{kept.slug}.md")
    new_paragraph = "A new closing paragraph, added in version two."
    kept_path.write_text(kept_path.read_text(encoding="utf-8") + f"\n{new_paragraph}\n", "utf-8")
    drop_lesson(folder, dropped.slug)

    report = import_from(content, organisation)

    assert report.created == 0
    assert report.updated >= 1
    assert report.retired >= 2  # the lesson and its prompts
    kept.refresh_from_db()
    assert kept.body.endswith(new_paragraph)
    assert kept.retired_at is None
    assert LessonProgress.objects.filter(person=participant, lesson=kept).exists()
    assert PromptAnswer.objects.get(person=participant, prompt=prompt).answer == ANSWER
    dropped.refresh_from_db()
    assert dropped.retired_at is not None
    assert LessonProgress.objects.filter(person=participant, lesson=dropped).exists()
    assert not ReflectionPrompt.objects.active().filter(lesson=dropped).exists()


def retire_a_lesson_done(
    organisation: Organisation, participant: Person, content: Path, imported: Module
) -> Lesson:
    """The participant finishes the module's last lesson; then it leaves the content and the
    content is imported again."""
    dropped = imported.lessons.last()
    assert dropped is not None
    services.set_lesson_done(person=participant, lesson=dropped, done=True)
    drop_lesson(first_module(content), dropped.slug)
    import_from(content, organisation)
    return dropped


def test_a_retired_lesson_disappears_from_the_module_page_and_its_progress(
    organisation: Organisation, participant: Person, content: Path, imported: Module
) -> None:
    dropped = retire_a_lesson_done(organisation, participant, content, imported)
    client = client_for(participant)

    module_page = client.get(f"/learn/{imported.slug}/").content.decode()
    learn_page = client.get("/learn/").content.decode()

    assert escape(dropped.title) not in module_page
    assert client.get(f"/learn/{imported.slug}/{dropped.slug}/").status_code == 404
    remaining = Lesson.objects.active().filter(module=imported).count()
    assert f"0 of {remaining} lessons done" in learn_page


def test_adding_a_retired_lesson_back_brings_it_and_its_progress_back(
    organisation: Organisation, participant: Person, content: Path, imported: Module
) -> None:
    dropped = retire_a_lesson_done(organisation, participant, content, imported)
    shutil.rmtree(content)
    shutil.copytree(SHIPPED_CONTENT, content)

    report = import_from(content, organisation)

    assert report.created == 0
    assert report.retired == 0
    dropped.refresh_from_db()
    assert dropped.retired_at is None
    assert ReflectionPrompt.objects.active().filter(lesson=dropped).exists()
    page = client_for(participant).get(f"/learn/{imported.slug}/").content.decode()
    assert escape(dropped.title) in page
    assert LessonProgress.objects.filter(person=participant, lesson=dropped).exists()


def test_a_module_removed_from_the_files_is_retired_not_deleted(
    organisation: Organisation, participant: Person, content: Path, imported: Module
) -> None:
    shutil.rmtree(first_module(content))

    import_from(content, organisation)

    imported.refresh_from_db()
    assert imported.retired_at is not None
    client = client_for(participant)
    assert client.get(f"/learn/{imported.slug}/").status_code == 404
    assert escape(imported.title) not in client.get("/learn/").content.decode()


def suggest(organisation: Organisation, person: Person, title: str) -> Tip:
    return services.suggest_tip(
        organisation=organisation,
        person=person,
        title=title,
        text="Something that worked for me, in two sentences. Try it this week.",
        practice=Practice.DEEP_CURIOSITY,
        defense=Defense.PARALYSIS,
        effort=5,
        courage=1,
        contexts=["meetings"],
    )


def test_community_suggested_tips_survive_an_import(
    organisation: Organisation,
    participant: Person,
    facilitator: Person,
    content: Path,
    imported: Module,
) -> None:
    waiting = suggest(organisation, participant, "Bring snacks to the retro")
    approved = suggest(organisation, participant, "Rotate who takes the notes")
    services.review_tip(reviewer=facilitator, tip=approved, approve=True, reason="")
    declined = suggest(organisation, participant, "Say nothing")
    services.review_tip(
        reviewer=facilitator, tip=declined, approve=False, reason="Tips are actions."
    )

    report = import_from(content, organisation)

    assert (report.created, report.updated, report.retired) == (0, 0, 0)
    for tip, status in [
        (waiting, Tip.Status.PENDING),
        (approved, Tip.Status.APPROVED),
        (declined, Tip.Status.DECLINED),
    ]:
        tip.refresh_from_db()
        assert tip.status == status
        assert tip.retired_at is None
        assert tip.suggested_by == participant
    assert Tip.objects.visible_in(organisation).filter(pk=approved.pk).exists()


def test_a_new_content_tip_may_share_a_slug_with_a_community_tip(
    organisation: Organisation,
    participant: Person,
    facilitator: Person,
    content: Path,
    imported: Module,
) -> None:
    community = suggest(organisation, participant, "Ask the quietest person first")
    services.review_tip(reviewer=facilitator, tip=community, approve=True, reason="")
    path = content / "tips" / "deep-curiosity.md"
    document = parse(path.read_text(encoding="utf-8"))
    tips = plain(document.meta["tips"])
    new_tip = {**tips[0], "slug": community.slug, "title": "A shipped tip with that slug"}
    path.write_text(
        dump({"practice": "deep-curiosity", "tips": [*tips, new_tip]}, document.body), "utf-8"
    )

    report = import_from(content, organisation)

    assert report.created == 1
    community.refresh_from_db()
    assert community.title == "Ask the quietest person first"
    assert community.suggested_by == participant
    assert community.retired_at is None
    shipped_copy = Tip.objects.get(organisation=organisation, title=new_tip["title"])
    assert shipped_copy.slug == new_tip["slug"]
    assert shipped_copy.suggested_by is None


# --- content export ---------------------------------------------------------------------------


def test_export_writes_a_tree_that_validates_with_the_same_counts(
    organisation: Organisation, imported: Module, tmp_path: Path, shipped: ContentTree
) -> None:
    target = tmp_path / "exported"
    target.mkdir()

    output = run_content("export", str(target))

    tree, errors = load_tree(target)
    assert [str(error) for error in errors] == []
    assert tree.counts() == shipped.counts()
    assert shipped.summary() in output


def test_export_includes_an_in_app_edit_to_a_module(
    organisation: Organisation, imported: Module, facilitator: Person, tmp_path: Path
) -> None:
    edited = "## Our own words\n\nWe rewrote this overview for our teams."
    client_for(facilitator).post(
        f"/learn/{imported.slug}/edit",
        {"title": imported.title, "summary": imported.summary, "body": edited, "save": "1"},
    )
    target = tmp_path / "exported"

    run_content("export", str(target))

    module_file = target / "modules" / f"{imported.order:02d}-{imported.slug}" / "module.md"
    assert parse(module_file.read_text(encoding="utf-8")).body == edited
    tree, errors = load_tree(target)
    assert errors == []
    assert tree.modules[0].body == edited


def test_an_export_imports_back_into_its_own_organisation_without_changes(
    organisation: Organisation,
    participant: Person,
    facilitator: Person,
    imported: Module,
    tmp_path: Path,
) -> None:
    community = suggest(organisation, participant, "Rotate who takes the notes")
    services.review_tip(reviewer=facilitator, tip=community, approve=True, reason="")
    target = tmp_path / "exported"
    run_content("export", str(target))

    report = import_from(target, organisation)

    assert (report.created, report.updated, report.retired) == (0, 0, 0)
    assert Tip.objects.filter(organisation=organisation, title=community.title).count() == 1


def test_an_export_leaves_out_retired_lessons(
    organisation: Organisation, content: Path, imported: Module, tmp_path: Path
) -> None:
    dropped = imported.lessons.last()
    assert dropped is not None
    drop_lesson(first_module(content), dropped.slug)
    import_from(content, organisation)
    target = tmp_path / "exported"

    run_content("export", str(target))

    tree, errors = load_tree(target)
    assert errors == []
    assert dropped.slug not in {lesson.slug for m in tree.modules for lesson in m.lessons}


def test_export_refuses_a_folder_that_is_not_empty(
    organisation: Organisation, imported: Module, tmp_path: Path
) -> None:
    target = tmp_path / "exported"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")

    with pytest.raises(CommandError, match="is not empty"):
        run_content("export", str(target))

    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert (target / "notes.txt").read_text(encoding="utf-8") == "keep me"


# --- New organisations ------------------------------------------------------------------------


def test_a_new_organisation_starts_with_the_shipped_curriculum(
    db: None, shipped: ContentTree
) -> None:
    organisation, admin = create_organisation(
        name="Initech",
        admin_email="lumbergh@initech.test",
        admin_name="Bill",
        admin_password=PASSWORD,
    )

    assert database_counts(organisation) == shipped.counts()
    page = client_for(admin).get("/learn/").content.decode()
    for module in shipped.modules:
        assert escape(module.title) in page
    first_lesson_title = escape(shipped.modules[0].lessons[0].title)
    assert re.search(
        rf"Suggested next.*?<strong>(<bdi>)?{re.escape(first_lesson_title)}", page, re.S
    )


def test_a_community_tip_survives_an_import_after_its_author_is_erased(
    organisation: Organisation, participant: Person
) -> None:
    from bridgework.accounts.services import erase_person
    from bridgework.curriculum.services import import_shipped_content, suggest_tip

    import_shipped_content(organisation)
    tip = suggest_tip(
        organisation=organisation,
        person=participant,
        title="Ask about names early",
        text="In a first one-to-one, ask how to say their name.",
        practice="deep-curiosity",
        defense="self-consciousness",
        effort=2,
        courage=1,
        contexts=["one-to-ones"],
    )
    erase_person(person=participant)
    import_shipped_content(organisation)
    tip.refresh_from_db()
    assert tip.suggested_by is None
    assert tip.retired_at is None
