"""The curriculum in other languages: translations are files beside the English ones, checked
against the English they were made from, and shown to each person in their language, else
their organisation's default, else English — and a translated row never overwrites the source."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from bridgework.accounts.models import Organisation, Person
from bridgework.curriculum import services
from bridgework.curriculum.content import load_tree, source_hash
from bridgework.curriculum.models import (
    Lesson,
    Module,
    Tip,
    TranslatedRowError,
    in_source_language,
)
from bridgework.curriculum.services import SHIPPED_CONTENT
from bridgework.lib.pseudo import FOREIGN_LETTERS

from .conftest import client_for

LESSON = Path("modules/01-allyship-foundations/lessons/01-ally-is-a-verb.md")


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, root)
    return root


@pytest.fixture
def imported(organisation: Organisation) -> Organisation:
    tree, errors = load_tree(SHIPPED_CONTENT)
    assert errors == []
    services.import_tree(organisation=organisation, tree=tree)
    return organisation


def test_the_shipped_curriculum_is_whole_in_spanish_and_french() -> None:
    tree, errors = load_tree(SHIPPED_CONTENT)

    assert errors == []
    assert tree.translation_notes == []
    for language in ("es", "fr"):
        items: list[Any] = [
            *tree.modules,
            *(item for m in tree.modules for item in [*m.lessons, *m.exercises]),
            *(item for m in tree.modules for item in [*m.prompts, *m.questions]),
            *tree.tips,
            *tree.sources,
        ]
        assert all(language in item.translations for item in items)
        for module in tree.modules:
            assert set(module.translations[language]) == {
                "title",
                "summary",
                "body",
                "facilitator_note",
            }
        assert tree.sources_page_translations[language]
    assert "translations=es,fr" in tree.summary()


def test_check_names_a_translation_made_from_an_older_english_text(tree_copy: Path) -> None:
    english = tree_copy / LESSON
    english.write_text(english.read_text() + "\nOne more line.\n")

    tree, errors = load_tree(tree_copy)

    assert errors == []
    assert tree.translation_notes == [
        f"es: translations/es/{LESSON} was translated from an older version of the English; "
        "check it and update source_hash",
        f"fr: translations/fr/{LESSON} was translated from an older version of the English; "
        "check it and update source_hash",
    ]


def test_check_names_each_file_not_translated_yet(tree_copy: Path) -> None:
    (tree_copy / "translations" / "fr" / LESSON).unlink()

    tree, errors = load_tree(tree_copy)

    assert errors == []
    assert tree.translation_notes == [f"fr: {LESSON} is not translated yet"]
    lesson = tree.modules[0].lessons[0]
    assert set(lesson.translations) == {"es"}


def test_a_new_language_is_a_folder_of_files(tree_copy: Path) -> None:
    folder = tree_copy / "translations" / "pt-br" / LESSON.parent
    folder.mkdir(parents=True)
    (folder / LESSON.name).write_text(
        f"---\nsource_hash: {source_hash(tree_copy / LESSON)}\ntitle: Aliado é um verbo\n---\n"
        "## Faça\n\nUma ação pequena.\n"
    )

    tree, errors = load_tree(tree_copy)

    assert errors == []
    assert tree.modules[0].lessons[0].translations["pt-br"]["title"] == "Aliado é um verbo"
    assert f"pt-br: {LESSON} is not translated yet" not in tree.translation_notes
    assert any(note.startswith("pt-br: ") for note in tree.translation_notes)


def test_check_asks_to_remove_translations_the_english_no_longer_has(tree_copy: Path) -> None:
    spanish = tree_copy / "translations" / "es"
    (spanish / "modules" / "01-allyship-foundations" / "lessons" / "09-stray.md").write_text(
        "---\ntitle: Perdida\n---\nTexto.\n"
    )
    prompts = spanish / "modules" / "01-allyship-foundations" / "prompts.md"
    prompts.write_text(prompts.read_text().replace("foundations-missed-moment", "no-such-prompt"))

    tree, errors = load_tree(tree_copy)

    assert errors == []
    assert tree.translation_notes == [
        "es: translations/es/modules/01-allyship-foundations/lessons/09-stray.md translates a "
        "file the English no longer has; remove it",
        "es: translations/es/modules/01-allyship-foundations/prompts.md translates slug "
        "'no-such-prompt', which the English no longer has; remove it",
    ]


def test_a_translation_that_does_not_parse_is_an_error(tree_copy: Path) -> None:
    lesson = tree_copy / "translations" / "fr" / LESSON
    lesson.write_text("---\ntitle: [unclosed\n---\nTexte.\n")

    _, errors = load_tree(tree_copy)

    assert [error.path for error in errors] == [lesson]


@pytest.mark.django_db
def test_a_person_reads_a_lesson_in_their_language(
    imported: Organisation, participant: Person
) -> None:
    participant.language = "es"
    participant.save()

    page = client_for(participant).get("/learn/allyship-foundations/ally-is-a-verb/")

    assert page.status_code == 200
    lessons = load_tree(SHIPPED_CONTENT)[0].modules[0].lessons
    html = page.content.decode()
    assert lessons[0].translations["es"]["title"] in html
    assert lessons[1].translations["es"]["title"] in html, "the next lesson's link too"


@pytest.mark.django_db
def test_without_their_language_a_person_gets_the_organisation_default(
    imported: Organisation, participant: Person
) -> None:
    imported.default_language = "fr"
    imported.save()
    with in_source_language():
        lesson = Lesson.objects.get(slug="ally-is-a-verb")
    del lesson.translations["es"]
    lesson.save()

    with translation.override("es"):
        from bridgework.accounts.models import organisation_language

        token = organisation_language.set("fr")
        try:
            shown = Lesson.objects.select_related("module").get(slug="ally-is-a-verb")
        finally:
            organisation_language.reset(token)

    assert shown.shown_language == "fr"
    assert shown.title == lesson.translations["fr"]["title"]
    assert shown.module.shown_language == "es"


@pytest.mark.django_db
def test_english_is_shown_when_no_translation_fits(imported: Organisation) -> None:
    with translation.override("de"):
        tip = Tip.objects.get(slug="ask-one-more-question")

    assert tip.shown_language == "en"
    assert tip.title == "Ask one more question"


@pytest.mark.django_db
def test_the_pseudo_locale_shows_curriculum_text_through_the_same_path(
    imported: Organisation,
) -> None:
    with translation.override("en-xa"):
        module = Module.objects.get(slug="allyship-foundations")

    assert module.shown_language == "en-xa"
    assert module.title.startswith("[") and module.title.endswith("]")
    assert set(module.body) & FOREIGN_LETTERS


@pytest.mark.django_db
def test_a_row_showing_a_translation_never_overwrites_the_source(imported: Organisation) -> None:
    with translation.override("es"):
        lesson = Lesson.objects.get(slug="ally-is-a-verb")

    with pytest.raises(TranslatedRowError):
        lesson.save()
    lesson.retired_at = None
    lesson.save(update_fields=["retired_at"])  # fields without text are fine
    with in_source_language():
        assert Lesson.objects.get(pk=lesson.pk).title == "Ally is something you do"


@pytest.mark.django_db
def test_editing_a_lesson_shows_the_english_source(
    imported: Organisation, facilitator: Person
) -> None:
    facilitator.language = "es"
    facilitator.save()

    page = client_for(facilitator).get("/learn/allyship-foundations/ally-is-a-verb/edit")

    assert page.status_code == 200
    assert "Ally is something you do" in page.content.decode()


@pytest.mark.django_db
def test_importing_again_keeps_the_translations(imported: Organisation) -> None:
    tree, _ = load_tree(SHIPPED_CONTENT)

    with translation.override("fr"):
        report = services.import_tree(organisation=imported, tree=tree)

    assert report.updated == 0
    with translation.override("fr"):
        assert Tip.objects.get(slug="ask-one-more-question").title == "Posez une question de plus"


@pytest.mark.django_db
def test_a_lesson_without_a_translation_says_which_language_it_is_in(
    imported: Organisation, participant: Person
) -> None:
    participant.language = "fr"
    participant.save()
    with in_source_language():
        lesson = Lesson.objects.get(slug="ally-is-a-verb")
    lesson.translations = {}
    lesson.save()

    page = client_for(participant).get("/learn/allyship-foundations/ally-is-a-verb/").content

    assert b'lang="en">Ally is something you do</h1>' in page
    assert b"vous le lisez en anglais" in page
