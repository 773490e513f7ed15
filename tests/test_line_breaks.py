"""A line break counts as one character, as the browser counted it.

A browser counts each line break in a `<textarea maxlength>` as one character but sends it
as CR LF: text typed right up to the limit over several lines must be taken as it is, not
refused as too long, and is kept with one character per line break."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django import forms
from django.conf import settings

from bridgework.accounts.fields import Textarea
from bridgework.accounts.models import Person
from bridgework.community.models import Post
from bridgework.curriculum.models import PromptAnswer
from bridgework.practice.models import CheckIn
from bridgework.reflection.models import JournalEntry

from .community_support import allies_space, raw_post
from .conftest import client_for, curriculum_sample
from .test_practice_views import new_commitment

pytestmark = pytest.mark.usefixtures("clock")

BRIDGEWORK = Path(__file__).resolve().parent.parent / "bridgework"


def typed_up_to(limit: int) -> str:
    """Lines of text exactly `limit` characters long as the browser counts them, one per line
    break."""
    line = "x" * 99
    lines = [line] * (limit // 100 - 1)
    text = "\n".join(lines)
    return text + "\n" + "y" * (limit - len(text) - 1)


def as_sent(text: str) -> str:
    return text.replace("\n", "\r\n")


def test_a_line_break_sent_as_cr_lf_or_a_lone_cr_is_read_as_one_line_feed() -> None:
    class Answer(forms.Form):
        text = forms.CharField(max_length=7, widget=Textarea)

    for sent in ("one\r\ntwo", "one\rtwo", "one\ntwo"):
        form = Answer({"text": sent})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["text"] == "one\ntwo"


def test_text_typed_up_to_the_limit_is_still_too_long_one_character_past_it() -> None:
    class Answer(forms.Form):
        text = forms.CharField(max_length=1000, widget=Textarea)

    assert len(typed_up_to(1000)) == 1000
    assert Answer({"text": as_sent(typed_up_to(1000))}).is_valid()
    assert not Answer({"text": as_sent(typed_up_to(1000)) + "z"}).is_valid()


# --- every form ---------------------------------------------------------------------------------


def every_form_class() -> Iterator[type[forms.BaseForm]]:
    """Each form class of Bridgework's own apps: the pages' views import them all."""
    importlib.import_module(settings.ROOT_URLCONF)
    seen: set[type[forms.BaseForm]] = set()
    waiting: list[type[forms.BaseForm]] = [forms.BaseForm]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            if subclass not in seen:
                seen.add(subclass)
                waiting.append(subclass)
    yield from (form for form in seen if form.__module__.startswith("bridgework."))


def test_every_textarea_of_every_form_counts_a_line_break_as_one_character() -> None:
    forms_seen = list(every_form_class())
    assert len(forms_seen) > 50, "the forms of every app are found"
    plain = [
        f"{form.__module__}.{form.__qualname__}.{name}"
        for form in forms_seen
        for name, field in getattr(form, "base_fields", {}).items()
        if isinstance(field.widget, forms.Textarea) and not isinstance(field.widget, Textarea)
    ]
    assert plain == [], "use bridgework.accounts.fields.Textarea"


def test_no_field_made_while_a_form_is_built_uses_djangos_own_textarea() -> None:
    """Fields added in a form's __init__ are not on its class: the source says instead."""
    named = [
        f"{path.relative_to(BRIDGEWORK)}:{number}"
        for path in BRIDGEWORK.rglob("*.py")
        if path.name != "fields.py" or path.parent.name != "accounts"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bforms\.Textarea\b", line)
    ]
    assert named == [], "use bridgework.accounts.fields.Textarea"


# --- as people write ----------------------------------------------------------------------------


def answer_a_lesson_prompt(person: Person, text: str) -> Callable[[], str]:
    _, _, prompt, _ = curriculum_sample(person)
    response = client_for(person).post(
        f"/learn/prompts/{prompt.pk}/answer", {f"prompt-{prompt.pk}-answer": text}
    )
    assert response.status_code == 302
    return lambda: PromptAnswer.objects.get(person=person, prompt=prompt).answer


def write_in_the_journal(person: Person, text: str) -> Callable[[], str]:
    response = client_for(person).post("/reflect/journal/new", {"body": text})
    assert response.status_code == 302
    return lambda: JournalEntry.objects.get(person=person).body


def check_in_with_a_note(person: Person, text: str) -> Callable[[], str]:
    commitment = new_commitment(person)
    response = client_for(person).post(
        f"/practice/commitments/{commitment.pk}/check-in", {"outcome": "done", "note": text}
    )
    assert response.status_code == 302
    return lambda: CheckIn.objects.get(commitment=commitment).note or ""


def reply_in_a_thread(person: Person, text: str) -> Callable[[], str]:
    opening = raw_post(allies_space(person), person, "Hello")
    response = client_for(person).post(f"/community/threads/{opening.thread_id}/", {"body": text})
    assert response.status_code == 302
    return lambda: Post.objects.exclude(pk=opening.pk).get().body


@pytest.mark.parametrize(
    ("write", "limit"),
    [
        pytest.param(answer_a_lesson_prompt, 5000, id="lesson-answer"),
        pytest.param(write_in_the_journal, 20000, id="journal-entry"),
        pytest.param(check_in_with_a_note, 1000, id="check-in-note"),
        pytest.param(reply_in_a_thread, 10000, id="reply"),
    ],
)
def test_text_typed_up_to_the_limit_over_several_lines_is_saved_as_typed(
    write: Callable[[Person, str], Callable[[], str]], limit: int, facilitator: Person
) -> None:
    typed = typed_up_to(limit)

    stored = write(facilitator, as_sent(typed))

    assert stored() == typed
