"""Text too long for its box is never lost: on every page where people write at length, it
comes back in its box, every word of it, with the error beside it and nothing saved, whether
it was sent with JavaScript (htmx) or without."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils.html import escape

from bridgework.accounts.models import Person
from bridgework.community.models import Post, Thread
from bridgework.curriculum.models import PromptAnswer
from bridgework.practice.models import CheckIn
from bridgework.reflection import services as reflection
from bridgework.reflection.models import JournalEntry, Note

from .community_support import allies_space, raw_post
from .conftest import client_for, curriculum_sample
from .test_practice_views import new_commitment

pytestmark = pytest.mark.usefixtures("clock")

HTMX = {"HX-Request": "true"}


@dataclass
class Box:
    """Where someone writes: the address the form is sent to, the rest of the form, the box's
    name and limit, and how many things the page has saved; with htmx, whether a part of the
    page is swapped in (a 4xx answer would be swapped in nowhere) or the form is a plain one."""

    url: str
    other_fields: dict[str, str]
    name: str
    limit: int
    saved: Callable[[], int]
    swapped_with_htmx: bool = False


def lesson_answer(writer: Person, colleague: Person) -> Box:
    _, _, prompt, _ = curriculum_sample(writer)
    return Box(
        f"/learn/prompts/{prompt.pk}/answer",
        {},
        f"prompt-{prompt.pk}-answer",
        5000,
        PromptAnswer.objects.filter(person=writer).count,
    )


def new_journal_entry(writer: Person, colleague: Person) -> Box:
    return Box("/reflect/journal/new", {}, "body", 20000, JournalEntry.objects.count)


def journal_entry_edited(writer: Person, colleague: Person) -> Box:
    entry = reflection.write_entry(
        person=writer,
        gratitude_prompt="",
        lesson_prompt=None,
        title="",
        body="First thoughts",
        tags=[],
        mood="",
        energy="",
    )
    return Box(
        f"/reflect/journal/{entry.pk}/edit",
        {},
        "body",
        20000,
        lambda: int(JournalEntry.objects.get().body != "First thoughts"),
    )


def check_in_note(writer: Person, colleague: Person) -> Box:
    commitment = new_commitment(writer)
    return Box(
        f"/practice/commitments/{commitment.pk}/check-in",
        {"outcome": "done"},
        "note",
        1000,
        CheckIn.objects.count,
        swapped_with_htmx=True,
    )


def note_to_a_colleague(writer: Person, colleague: Person) -> Box:
    return Box(
        "/reflect/notes/new",
        {"recipient": str(colleague.pk), "kind": Note.Kind.RECOGNITION},
        "text",
        2000,
        Note.objects.count,
    )


def new_thread(writer: Person, colleague: Person) -> Box:
    space = allies_space(writer)
    raw_post(space, writer, "Welcome")
    return Box(
        f"/community/{space.pk}/threads/new",
        {"title": "Speaking up"},
        "body",
        10000,
        lambda: Thread.objects.count() - 1,
    )


def reply(writer: Person, colleague: Person) -> Box:
    opening = raw_post(allies_space(writer), writer, "Welcome")
    return Box(
        f"/community/threads/{opening.thread_id}/",
        {},
        "body",
        10000,
        lambda: Post.objects.count() - 1,
    )


def post_edited(writer: Person, colleague: Person) -> Box:
    opening = raw_post(allies_space(writer), writer, "Welcome")
    return Box(
        f"/community/posts/{opening.pk}/edit",
        {},
        "body",
        10000,
        lambda: Post.objects.exclude(body="Welcome").count(),
    )


BOXES = [lesson_answer, new_journal_entry, journal_entry_edited, check_in_note]
BOXES += [note_to_a_colleague, new_thread, reply, post_edited]


@pytest.mark.parametrize("sent_with", ["without-javascript", "htmx"])
@pytest.mark.parametrize("where", BOXES, ids=lambda where: where.__name__.replace("_", "-"))
def test_text_too_long_comes_back_in_its_box_with_the_error_beside_it(
    where: Callable[[Person, Person], Box],
    sent_with: str,
    facilitator: Person,
    participant: Person,
) -> None:
    box = where(facilitator, participant)
    typed = ("I noticed I wait to be asked.\n" * (box.limit // 30 + 1)).strip()
    assert len(typed) > box.limit

    response = client_for(facilitator).post(
        box.url,
        {**box.other_fields, box.name: typed},
        headers=HTMX if sent_with == "htmx" else {},
    )

    html = response.content.decode()
    swapped = sent_with == "htmx" and box.swapped_with_htmx
    assert response.status_code == (200 if swapped else 400)
    textarea = re.search(rf'<textarea[^>]* name="{box.name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    assert textarea, html
    assert textarea.group(1) == escape(typed)
    assert 'aria-invalid="true"' in textarea.group(0)
    assert f"at most {box.limit} characters" in html
    assert box.saved() == 0
