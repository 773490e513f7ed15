"""Learning in the app: the learn page, lessons, private answers, module edits, the learning
log, tip suggestions and review, what is hidden from whom, and steady query counts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from bridgework.accounts.models import Organisation, Person, Role
from bridgework.curriculum import services
from bridgework.curriculum.models import (
    LearningLog,
    Lesson,
    LessonProgress,
    Module,
    PromptAnswer,
    ReflectionPrompt,
    Tip,
)
from bridgework.curriculum.vocabulary import Context, Defense, Practice

from .conftest import Cast, CountQueries, client_for, curriculum_sample, make_person

ANSWER = "I stayed silent when Dana was talked over in the standup"
LOG_TITLE = "Podcast episode on code-switching at work"
LOG_NOTE = "I recognised myself in the bit about meeting small talk"


def build_module(organisation: Organisation, slug: str, order: int, lessons: int) -> Module:
    module = Module.objects.create(
        organisation=organisation,
        slug=slug,
        title=f"Module {slug}",
        order=order,
        summary="A short summary.",
        body="An overview with **emphasis**.",
    )
    add_lessons(module, lessons)
    return module


def add_lessons(module: Module, count: int) -> list[Lesson]:
    start = module.lessons.count()
    Lesson.objects.bulk_create(
        Lesson(
            module=module,
            slug=f"{module.slug}-lesson-{n}",
            title=f"{module.title}, lesson {n}",
            order=n,
            minutes=5,
            body=f"## Lesson {n}\n\nRead this.",
        )
        for n in range(start + 1, start + count + 1)
    )
    return list(module.lessons.order_by("order"))


def lesson_url(lesson: Lesson) -> str:
    return f"/learn/{lesson.module.slug}/{lesson.slug}/"


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def suggested_next(learn_page: str) -> str | None:
    match = re.search(
        r'id="next-heading">Suggested next</h2>\s*<p><strong>(.*?)</strong>', learn_page
    )
    # The title is the curriculum's, isolated from the sentence around it (<bdi>).
    return re.sub(r"</?bdi>", "", match.group(1)) if match else None


def module_progress(learn_page: str, module: Module) -> tuple[int, int]:
    match = re.search(
        rf'href="/learn/{module.slug}/">.*?<span>(\d+) of (\d+) lessons done</span>',
        learn_page,
        re.S,
    )
    assert match, learn_page
    return int(match.group(1)), int(match.group(2))


def field_error(html: str, name: str) -> str:
    """The error text shown with a form field, or '' if there is none."""
    match = re.search(
        rf'<div class="field__errors" id="id_{name}_error">(.*?)</div>\s*<[^>]+name="{name}"',
        html,
        re.S,
    )
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip() if match else ""


def section(html: str, element_id: str) -> str:
    match = re.search(rf'<section id="{element_id}".*?</section>', html, re.S)
    assert match, html
    return match.group(0)


# --- The learn page ----------------------------------------------------------------------------


@pytest.fixture
def path_modules(organisation: Organisation) -> tuple[Module, Module]:
    """Two modules, created out of path order so order cannot come from creation."""
    second = build_module(organisation, "second", order=2, lessons=2)
    first = build_module(organisation, "first", order=1, lessons=3)
    return first, second


def test_the_learn_page_shows_each_modules_progress_for_this_person_only(
    path_modules: tuple[Module, Module], participant: Person, participant_and_member: Person
) -> None:
    first, second = path_modules
    for lesson in [*first.lessons.all(), *second.lessons.all()]:
        services.set_lesson_done(person=participant_and_member, lesson=lesson, done=True)
    second_first = second.lessons.order_by("order").first()
    assert second_first is not None
    services.set_lesson_done(person=participant, lesson=second_first, done=True)

    learn = page(client_for(participant), "/learn/")

    assert module_progress(learn, first) == (0, 3)
    assert module_progress(learn, second) == (1, 2)
    assert "You have finished <strong>1 of 5</strong> lessons" in learn
    assert learn.index(first.title) < learn.index(second.title)


def test_the_suggested_next_lesson_is_the_first_not_done_in_path_order(
    path_modules: tuple[Module, Module], participant: Person
) -> None:
    first, second = path_modules
    client = client_for(participant)
    lessons = [*first.lessons.order_by("order"), *second.lessons.order_by("order")]

    assert suggested_next(page(client, "/learn/")) == escape(lessons[0].title)
    services.set_lesson_done(person=participant, lesson=lessons[1], done=True)
    assert suggested_next(page(client, "/learn/")) == escape(lessons[0].title)

    for index, lesson in enumerate(lessons):
        if lesson.pk != lessons[1].pk:
            client.post(f"{lesson_url(lesson)}done", {"done": "yes"})
        later = [item for item in lessons[index + 1 :] if item.pk != lessons[1].pk]
        expected = escape(later[0].title) if later else None
        assert suggested_next(page(client, "/learn/")) == expected

    assert "You have read every lesson" in page(client, "/learn/")


def test_the_learn_page_leaves_out_retired_modules_and_lessons(
    path_modules: tuple[Module, Module], participant: Person
) -> None:
    first, second = path_modules
    first_lesson = first.lessons.order_by("order").first()
    assert first_lesson is not None
    Lesson.objects.filter(pk=first_lesson.pk).update(retired_at=timezone.now())
    Module.objects.filter(pk=second.pk).update(retired_at=timezone.now())

    learn = page(client_for(participant), "/learn/")

    assert second.title not in learn
    assert module_progress(learn, first) == (0, 2)
    assert suggested_next(learn) == escape(first.lessons.order_by("order")[1].title)


# --- Marking a lesson done ----------------------------------------------------------------------


@pytest.fixture
def sample(participant: Person) -> tuple[Module, Lesson, ReflectionPrompt, Tip]:
    return curriculum_sample(participant)


def test_marking_a_lesson_done_and_not_done_without_javascript(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    _, lesson, _, _ = sample
    client = client_for(participant)

    done = client.post(f"{lesson_url(lesson)}done", {"done": "yes"})

    assert done.status_code == 302
    assert done["Location"] == lesson_url(lesson)
    assert LessonProgress.objects.filter(person=participant, lesson=lesson).exists()
    shown = page(client, lesson_url(lesson))
    assert "Marked as done" in shown
    assert "You marked this lesson as done" in shown

    undone = client.post(f"{lesson_url(lesson)}done", {"done": "no"})

    assert undone.status_code == 302
    assert not LessonProgress.objects.filter(person=participant, lesson=lesson).exists()
    assert "Mark as done" in page(client, lesson_url(lesson))


def test_marking_a_lesson_done_twice_keeps_one_record(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    _, lesson, _, _ = sample
    client = client_for(participant)

    client.post(f"{lesson_url(lesson)}done", {"done": "yes"})
    client.post(f"{lesson_url(lesson)}done", {"done": "yes"})

    assert LessonProgress.objects.filter(person=participant, lesson=lesson).count() == 1


def test_marking_a_lesson_done_with_htmx_returns_only_the_toggle(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    _, lesson, _, _ = sample
    client = client_for(participant)
    htmx = {"HX-Request": "true"}

    response = client.post(f"{lesson_url(lesson)}done", {"done": "yes"}, headers=htmx)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="done-toggle"')
    assert "<html" not in html
    assert "You marked this lesson as done" in html
    assert 'name="done" value="no"' in html
    assert LessonProgress.objects.filter(person=participant, lesson=lesson).exists()

    html = client.post(f"{lesson_url(lesson)}done", {"done": "no"}, headers=htmx).content.decode()

    assert html.lstrip().startswith('<div id="done-toggle"')
    assert 'name="done" value="yes"' in html
    assert not LessonProgress.objects.filter(person=participant, lesson=lesson).exists()


def test_an_answer_typed_but_not_saved_is_kept_when_the_lesson_is_marked_done(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    _, lesson, prompt, _ = sample
    client = client_for(participant)
    html = client.get(lesson_url(lesson)).content.decode()
    # The button sends the page's answer boxes along: htmx sends the form it is in.
    assert re.search(r'<button [^>]*id="done-button" hx-post="', form_around(html, "done-button"))
    box = f"prompt-{prompt.pk}-answer"

    response = client.post(
        f"{lesson_url(lesson)}done",
        {"done": "yes", box: "I noticed I wait to be asked."},
        headers={"HX-Request": "true"},
    )

    assert "Your answers are saved too" in response.content.decode()
    assert PromptAnswer.objects.get(person=participant, prompt=prompt).answer == (
        "I noticed I wait to be asked."
    )
    # Sent again unchanged, or emptied, nothing changes and nothing is said.
    for sent in ("I noticed I wait to be asked.", ""):
        response = client.post(
            f"{lesson_url(lesson)}done", {"done": "yes", box: sent}, headers={"HX-Request": "true"}
        )
        assert "saved too" not in response.content.decode()
    assert PromptAnswer.objects.filter(person=participant, prompt=prompt).count() == 1


def form_around(html: str, marker: str) -> str:
    """The whole <form> element the marked part of a page sits in (forms do not nest)."""
    at = html.index(marker)
    start = html.rindex("<form", 0, at)
    assert "</form>" not in html[start:at], f"{marker} is in no form"
    return html[start : html.index("</form>", at)]


def test_without_javascript_mark_as_done_sends_the_answer_boxes_along(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    """The button is in the form that holds the boxes, so a plain browser sends what is typed
    in them with it, as htmx does; each box's own button still saves its answer."""
    _, lesson, prompt, _ = sample
    second = ReflectionPrompt.objects.create(
        module=lesson.module, lesson=lesson, slug="p-second", text="What will you try?", order=2
    )
    client = client_for(participant)

    form = form_around(page(client, lesson_url(lesson)), 'id="done-button"')

    assert f'action="{lesson_url(lesson)}done"' in form.split(">")[0]
    assert re.search(r'<button type="submit" name="done" value="yes"[^>]*id="done-button"', form)
    assert 'name="csrfmiddlewaretoken"' in form
    for each in (prompt, second):
        assert f'<textarea name="prompt-{each.pk}-answer"' in form
        assert f'formaction="/learn/prompts/{each.pk}/answer"' in form

    response = client.post(
        f"{lesson_url(lesson)}done",
        {"done": "yes", f"prompt-{prompt.pk}-answer": ANSWER, f"prompt-{second.pk}-answer": ""},
    )

    assert response.status_code == 302
    assert LessonProgress.objects.filter(person=participant, lesson=lesson).exists()
    assert PromptAnswer.objects.get(person=participant).answer == ANSWER
    shown = page(client, lesson_url(lesson))
    assert "Your answers are saved too, privately." in shown
    assert "Marked as done. Nice work." in shown
    assert answer_box(shown, prompt) == ANSWER


def test_a_lesson_without_prompts_is_still_marked_done_without_javascript(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    _, lesson, prompt, _ = sample
    prompt.delete()
    client = client_for(participant)

    form = form_around(page(client, lesson_url(lesson)), 'id="done-button"')

    assert f'action="{lesson_url(lesson)}done"' in form.split(">")[0]
    assert 'name="csrfmiddlewaretoken"' in form and "<textarea" not in form
    assert client.post(f"{lesson_url(lesson)}done", {"done": "yes"}).status_code == 302
    assert LessonProgress.objects.filter(person=participant, lesson=lesson).exists()


TOO_LONG = "I noticed I wait to be asked. " * 170


@pytest.mark.parametrize("sent_with", ["without-javascript", "htmx"])
def test_an_answer_too_long_sent_with_mark_as_done_comes_back_and_the_lesson_is_not_marked(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person, sent_with: str
) -> None:
    """Never marked done while an answer that went with the button is lost: the boxes come
    back as typed, the error beside the long one, and beside the button it says the lesson is
    not marked yet. An answer that fits is kept, as when an answer's own button is pressed."""
    _, lesson, prompt, _ = sample
    second = ReflectionPrompt.objects.create(
        module=lesson.module, lesson=lesson, slug="p-second", text="What will you try?", order=2
    )
    client = client_for(participant)
    htmx = sent_with == "htmx"

    response = client.post(
        f"{lesson_url(lesson)}done",
        {
            "done": "yes",
            f"prompt-{prompt.pk}-answer": TOO_LONG,
            f"prompt-{second.pk}-answer": "Ask first.",
        },
        headers={"HX-Request": "true"} if htmx else {},
    )

    html = response.content.decode()
    if htmx:
        # A 4xx would be swapped in nowhere: the form comes back in place of the form.
        assert response.status_code == 200
        assert response["HX-Retarget"] == "#lesson-form"
        assert response["HX-Reswap"] == "outerHTML"
        assert html.lstrip().startswith('<form method="post"') and 'id="lesson-form"' in html
        assert "<html" not in html
    else:
        assert response.status_code == 400
        assert lesson.title in html
        assert "Your answer is too long (5,000 characters at most)." in html
    assert answer_box(html, prompt) == TOO_LONG.strip()
    assert "at most 5000 characters" in field_error(html, f"prompt-{prompt.pk}-answer")
    assert re.search(rf'<textarea name="prompt-{prompt.pk}-answer"[^>]*aria-invalid="true"', html)
    assert answer_box(html, second) == "Ask first."
    assert field_error(html, f"prompt-{second.pk}-answer") == ""
    toggle = html.split('id="done-toggle"')[1]
    assert "Not marked as done yet" in toggle
    assert re.search(r'name="done" value="yes"[^>]*>Mark as done</button>', toggle)
    assert "saved too" not in html
    assert not LessonProgress.objects.filter(person=participant, lesson=lesson).exists()
    answers = dict(
        PromptAnswer.objects.filter(person=participant).values_list("prompt_id", "answer")
    )
    assert answers == {second.pk: "Ask first."}


@pytest.mark.parametrize("sent_with", ["without-javascript", "htmx"])
def test_an_answer_too_long_sent_with_mark_as_not_done_leaves_the_lesson_done(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person, sent_with: str
) -> None:
    _, lesson, prompt, _ = sample
    services.set_lesson_done(person=participant, lesson=lesson, done=True)
    client = client_for(participant)

    response = client.post(
        f"{lesson_url(lesson)}done",
        {"done": "no", f"prompt-{prompt.pk}-answer": TOO_LONG},
        headers={"HX-Request": "true"} if sent_with == "htmx" else {},
    )

    assert response.status_code == (200 if sent_with == "htmx" else 400)
    html = response.content.decode()
    assert answer_box(html, prompt) == TOO_LONG.strip()
    toggle = html.split('id="done-toggle"')[1]
    assert "Still marked as done" in toggle
    assert "You marked this lesson as done" in toggle
    assert LessonProgress.objects.filter(person=participant, lesson=lesson).exists()
    assert not PromptAnswer.objects.filter(person=participant).exists()


def test_mark_as_done_comes_after_the_reflect_prompts(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    _, lesson, prompt, _ = sample

    html = client_for(participant).get(lesson_url(lesson)).content.decode()

    assert html.index(f'id="prompt-{prompt.pk}"') < html.index(">Mark as done</button>")
    assert html.index(">Mark as done</button>") < html.index('class="pager"')


# --- Private answers to reflection prompts ---------------------------------------------------


def answer(client: Client, prompt: ReflectionPrompt, text: str) -> object:
    return client.post(f"/learn/prompts/{prompt.pk}/answer", {f"prompt-{prompt.pk}-answer": text})


def answer_box(html: str, prompt: ReflectionPrompt) -> str:
    match = re.search(
        rf'<textarea name="prompt-{prompt.pk}-answer"[^>]*>(.*?)</textarea>', html, re.S
    )
    assert match, html
    return match.group(1).strip()


def test_a_prompt_answer_is_stored_encrypted_and_shown_back_to_its_author(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    _, lesson, prompt, _ = sample
    client = client_for(participant)

    response = answer(client, prompt, ANSWER)

    # Back to the box; what became of the answer is kept in the session, not the address.
    assert response["Location"] == f"{lesson_url(lesson)}#prompt-{prompt.pk}"  # type: ignore[index]
    row = PromptAnswer.objects.get(person=participant, prompt=prompt)
    with connection.cursor() as cursor:
        cursor.execute("SELECT answer FROM curriculum_promptanswer WHERE id = %s", [row.pk])
        [stored] = cursor.fetchone()
    assert ANSWER not in stored
    assert "Dana" not in stored
    assert row.answer == ANSWER
    shown = page(client, lesson_url(lesson))
    assert answer_box(shown, prompt) == ANSWER
    assert "Update my answer" in shown


def test_another_person_sees_an_empty_box_for_the_same_prompt(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip],
    participant: Person,
    participant_and_member: Person,
    facilitator: Person,
) -> None:
    _, lesson, prompt, _ = sample
    answer(client_for(participant), prompt, ANSWER)

    for other in (participant_and_member, facilitator):
        shown = page(client_for(other), lesson_url(lesson))
        assert answer_box(shown, prompt) == ""
        assert "Dana" not in shown
        assert "Save my answer" in shown


def test_an_empty_answer_deletes_the_saved_one(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    _, lesson, prompt, _ = sample
    client = client_for(participant)
    answer(client, prompt, ANSWER)

    answer(client, prompt, "   ")

    assert not PromptAnswer.objects.filter(person=participant, prompt=prompt).exists()
    assert answer_box(page(client, lesson_url(lesson)), prompt) == ""


def test_saving_one_answer_keeps_what_was_typed_in_the_others(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    """The boxes are one form: the other answers go along with whichever button is pressed."""
    _, lesson, prompt, _ = sample
    second = ReflectionPrompt.objects.create(
        module=lesson.module, lesson=lesson, slug="p-second", text="What will you try?", order=2
    )
    client = client_for(participant)
    form = form_around(page(client, lesson_url(lesson)), 'id="reflect-heading"')
    for each in (prompt, second):
        assert f'<textarea name="prompt-{each.pk}-answer"' in form
        assert f'formaction="/learn/prompts/{each.pk}/answer"' in form

    client.post(
        f"/learn/prompts/{prompt.pk}/answer",
        {f"prompt-{prompt.pk}-answer": ANSWER, f"prompt-{second.pk}-answer": "Ask first."},
    )

    answers = dict(
        PromptAnswer.objects.filter(person=participant).values_list("prompt_id", "answer")
    )
    assert answers == {prompt.pk: ANSWER, second.pk: "Ask first."}


def test_an_answer_too_long_comes_back_in_its_box_with_the_error_beside_it(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    """Without JavaScript too: the lesson page again, every word still in the box, never a
    redirect to an empty box."""
    _, lesson, prompt, _ = sample
    second = ReflectionPrompt.objects.create(
        module=lesson.module, lesson=lesson, slug="p-second", text="What will you try?", order=2
    )
    client = client_for(participant)
    too_long = "I noticed I wait to be asked. " * 170

    response = client.post(
        f"/learn/prompts/{prompt.pk}/answer",
        {f"prompt-{prompt.pk}-answer": too_long, f"prompt-{second.pk}-answer": "Ask first."},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert lesson.title in html and 'id="reflect-heading"' in html
    assert answer_box(html, prompt) == too_long.strip()
    assert "at most 5000 characters" in field_error(html, f"prompt-{prompt.pk}-answer")
    assert re.search(rf'<textarea name="prompt-{prompt.pk}-answer"[^>]*aria-invalid="true"', html)
    # The other box keeps what was typed in it, with no error, and it is saved as before.
    assert answer_box(html, second) == "Ask first."
    assert field_error(html, f"prompt-{second.pk}-answer") == ""
    answers = dict(
        PromptAnswer.objects.filter(person=participant).values_list("prompt_id", "answer")
    )
    assert answers == {second.pk: "Ask first."}


def test_an_answer_too_long_leaves_the_answer_saved_before_as_it_was(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    _, lesson, prompt, _ = sample
    client = client_for(participant)
    answer(client, prompt, ANSWER)

    response = answer(client, prompt, ANSWER + "!" * 5000)

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert PromptAnswer.objects.get(person=participant, prompt=prompt).answer == ANSWER
    assert answer_box(page(client, lesson_url(lesson)), prompt) == ANSWER


def test_an_answer_too_long_to_a_lesson_retired_since_comes_back_to_shorten_or_copy(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    """The lesson went after its page was shown: no lesson page to come back to, so the words
    come back on a page of their own, with the error beside them; what fits is kept."""
    module, lesson, prompt, _ = sample
    second = ReflectionPrompt.objects.create(
        module=module, lesson=lesson, slug="p-second", text="What will you try?", order=2
    )
    client = client_for(participant)
    Lesson.objects.filter(pk=lesson.pk).update(retired_at=timezone.now())

    response = client.post(
        f"/learn/prompts/{prompt.pk}/answer",
        {f"prompt-{prompt.pk}-answer": TOO_LONG, f"prompt-{second.pk}-answer": "Ask first."},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert answer_box(html, prompt) == TOO_LONG.strip()
    assert "at most 5000 characters" in field_error(html, f"prompt-{prompt.pk}-answer")
    assert escape(prompt.text) in html
    assert f'formaction="/learn/prompts/{prompt.pk}/answer"' in html
    assert f'href="/learn/{module.slug}/"' in html
    answers = dict(
        PromptAnswer.objects.filter(person=participant).values_list("prompt_id", "answer")
    )
    assert answers == {second.pk: "Ask first."}

    # Shortened, it is saved, and the module's page says so.
    shortened = answer(client, prompt, ANSWER)

    assert shortened["Location"] == f"/learn/{module.slug}/"  # type: ignore[index]
    assert "Saved privately ✓" in page(client, f"/learn/{module.slug}/")
    assert PromptAnswer.objects.get(person=participant, prompt=prompt).answer == ANSWER


def test_the_page_says_beside_the_box_what_became_of_the_answer(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    _, _, prompt, _ = sample
    client = client_for(participant)

    def said_beside(response: object) -> str:
        location = response["Location"]  # type: ignore[index]
        box = page(client, location).split(f'id="prompt-{prompt.pk}"')[1].split("</div>\n")[1]
        return box

    assert "Nothing saved: the box is empty." in said_beside(answer(client, prompt, "  "))
    assert "Saved privately ✓" in said_beside(answer(client, prompt, ANSWER))
    assert "Your answer is deleted." in said_beside(answer(client, prompt, ""))


def test_answering_again_replaces_the_answer(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    _, _, prompt, _ = sample
    client = client_for(participant)
    answer(client, prompt, ANSWER)

    answer(client, prompt, "Next time I will say: let her finish.")

    [row] = PromptAnswer.objects.filter(person=participant, prompt=prompt)
    assert row.answer == "Next time I will say: let her finish."


# --- Facilitator material and module edits ---------------------------------------------------


def test_the_facilitator_sees_discussion_questions_and_a_participant_does_not(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person, facilitator: Person
) -> None:
    module, _, _, _ = sample
    module.facilitator_note = "Open with a gratitude round."
    module.save()
    question = module.questions.get()

    as_facilitator = page(client_for(facilitator), f"/learn/{module.slug}/")
    as_participant = page(client_for(participant), f"/learn/{module.slug}/")

    assert question.text in as_facilitator
    assert "Open with a gratitude round." in as_facilitator
    assert "Edit this module" in as_facilitator
    for hidden in (question.text, "Discussion questions", "gratitude round", "Edit this module"):
        assert hidden not in as_participant


DANGEROUS_BODY = (
    "## Why it matters\n\n**Bold** move.\n\n<script>alert('owned')</script>\n\n"
    "[click me](javascript:alert(1)) and [a good link](https://example.com)"
)


def edit_form(module: Module, **changes: str) -> dict[str, str]:
    return {"title": module.title, "summary": module.summary, "body": module.body, **changes}


def test_the_preview_renders_markdown_safely_and_saves_nothing(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], facilitator: Person
) -> None:
    module, _, _, _ = sample
    before = module.body

    response = client_for(facilitator).post(
        f"/learn/{module.slug}/edit", {**edit_form(module, body=DANGEROUS_BODY), "preview": "1"}
    )

    assert response.status_code == 200
    preview = section(response.content.decode(), "preview")
    assert "<h2>Why it matters</h2>" in preview
    assert "<strong>Bold</strong>" in preview
    assert "<script" not in preview
    assert "&lt;script&gt;alert(" in preview
    assert 'href="javascript:' not in preview
    assert 'href="https://example.com"' in preview
    module.refresh_from_db()
    assert module.body == before


def test_the_preview_with_htmx_returns_the_preview_and_the_form_without_errors(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], facilitator: Person
) -> None:
    """The form comes along out of band, so an error from an earlier preview goes away."""
    module, _, _, _ = sample

    response = client_for(facilitator).post(
        f"/learn/{module.slug}/edit",
        {**edit_form(module, body=DANGEROUS_BODY), "preview": "1"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="preview"')
    assert "<html" not in html
    assert html.count("<form") == 1
    assert '<form method="post" class="form" id="edit-form" hx-swap-oob="true"' in html
    assert html.rstrip().endswith("</form>")
    assert "aria-invalid" not in html and "field__errors" not in html
    assert "<strong>Bold</strong>" in html
    assert "<script" not in html


def test_a_preview_with_htmx_of_a_form_in_error_puts_back_the_form_with_its_errors(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], facilitator: Person
) -> None:
    """Not the whole page inside the preview: the form alone, in place of the form."""
    module, _, _, _ = sample

    response = client_for(facilitator).post(
        f"/learn/{module.slug}/edit",
        {**edit_form(module, body="  "), "preview": "1"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#edit-form"
    assert response["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith('<form method="post" class="form" id="edit-form"')
    assert html.rstrip().endswith("</form>")
    assert "Write at least a short overview." in html
    assert 'aria-invalid="true"' in html


def test_saving_a_module_edit_updates_the_body_and_who_edited_it(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], facilitator: Person, participant: Person
) -> None:
    module, _, _, _ = sample
    body = "## Our version\n\nWe wrote this for **our** teams."

    response = client_for(facilitator).post(
        f"/learn/{module.slug}/edit", {**edit_form(module, title="Foundations, ours", body=body)}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/learn/{module.slug}/"
    module.refresh_from_db()
    assert module.body == body
    assert module.title == "Foundations, ours"
    assert module.edited_by == facilitator
    shown = page(client_for(participant), f"/learn/{module.slug}/")
    assert "<strong>our</strong> teams" in shown


@pytest.mark.parametrize("blank", ["title", "body"])
def test_an_empty_title_or_body_is_refused_with_the_error_next_to_the_field(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], facilitator: Person, blank: str
) -> None:
    module, _, _, _ = sample
    before = (module.title, module.body)

    response = client_for(facilitator).post(
        f"/learn/{module.slug}/edit", {**edit_form(module, **{blank: "   "}), "save": "1"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert field_error(html, blank)
    other = "body" if blank == "title" else "title"
    assert field_error(html, other) == ""
    module.refresh_from_db()
    assert (module.title, module.body) == before


def test_a_participant_cannot_edit_a_module(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    module, _, _, _ = sample
    client = client_for(participant)

    assert client.get(f"/learn/{module.slug}/edit").status_code == 403
    posted = client.post(f"/learn/{module.slug}/edit", edit_form(module, body="Changed."))

    assert posted.status_code == 403
    module.refresh_from_db()
    assert module.body != "Changed."
    assert module.edited_by is None


# --- Learning done elsewhere -----------------------------------------------------------------


def test_logged_learning_is_saved_encrypted_and_shown_only_to_its_author(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip],
    participant: Person,
    participant_and_member: Person,
) -> None:
    module, _, _, _ = sample
    client = client_for(participant)

    response = client.post(
        f"/learn/{module.slug}/log",
        {"kind": "podcast", "title": LOG_TITLE, "minutes": "40", "note": LOG_NOTE},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/learn/{module.slug}/#log"
    entry = LearningLog.objects.get(person=participant)
    with connection.cursor() as cursor:
        cursor.execute("SELECT title, note FROM curriculum_learninglog WHERE id = %s", [entry.pk])
        stored_title, stored_note = cursor.fetchone()
    assert "code-switching" not in stored_title
    assert "small talk" not in stored_note
    assert (entry.title, entry.note, entry.minutes, entry.module) == (
        LOG_TITLE,
        LOG_NOTE,
        40,
        module,
    )
    shown = page(client, f"/learn/{module.slug}/")
    assert LOG_TITLE in shown
    assert LOG_NOTE in shown
    assert LOG_TITLE not in page(client_for(participant_and_member), f"/learn/{module.slug}/")


@pytest.mark.parametrize(
    ("field", "changes"),
    [("title", {"title": "   "}), ("minutes", {"minutes": "0"}), ("kind", {"kind": "dream"})],
)
def test_bad_learning_log_input_gives_a_400_page_with_the_error_next_to_the_field(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip],
    participant: Person,
    field: str,
    changes: dict[str, str],
) -> None:
    module, _, _, _ = sample

    response = client_for(participant).post(
        f"/learn/{module.slug}/log", {"kind": "book", "title": LOG_TITLE, **changes}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, field)
    assert "Please check the highlighted fields" in html
    assert not LearningLog.objects.exists()


# --- Suggesting and reviewing tips -------------------------------------------------------------


SUGGESTION = {
    "title": "Ask the quietest person first",
    "text": "In a round of views, start with someone who has not spoken yet.",
    "practice": Practice.EMPATHETIC_ENGAGEMENT,
    "defense": Defense.OTHER_CONSCIOUSNESS,
    "effort": "2",
    "courage": "2",
    "contexts": [Context.MEETINGS, Context.REMOTE],
}


def suggest(client: Client) -> Tip:
    response = client.post("/tips/suggest", SUGGESTION)
    assert response.status_code == 302
    return Tip.objects.get(title=SUGGESTION["title"])


def test_a_suggested_tip_waits_for_review_before_anyone_sees_it(
    participant: Person, participant_and_member: Person, facilitator: Person
) -> None:
    suggester = client_for(participant)

    tip = suggest(suggester)

    assert tip.status == Tip.Status.PENDING
    assert tip.suggested_by == participant
    assert tip.context_list == [Context.MEETINGS, Context.REMOTE]
    for person in (participant, participant_and_member, facilitator):
        assert escape(tip.title) not in page(client_for(person), "/tips/")
    review = page(client_for(facilitator), "/tips/review")
    assert escape(tip.title) in review
    # Whose it is stays off the page: a tip can say what its author lived through.
    assert participant.chosen_name not in review and "Suggested on" in review
    assert "Review suggestions (1)" in page(client_for(facilitator), "/tips/")

    client_for(facilitator).post(f"/tips/{tip.pk}/review", {"decision": "approve"})

    tip.refresh_from_db()
    assert tip.status == Tip.Status.APPROVED
    assert escape(tip.title) in page(client_for(participant_and_member), "/tips/")


def test_declining_a_tip_without_a_reason_is_refused_with_a_message(
    participant: Person, facilitator: Person
) -> None:
    tip = suggest(client_for(participant))
    client = client_for(facilitator)

    response = client.post(f"/tips/{tip.pk}/review", {"decision": "decline", "reason": "  "})

    assert response.status_code == 302
    assert "To decline a tip, say briefly why." in page(client, response["Location"])
    tip.refresh_from_db()
    assert tip.status == Tip.Status.PENDING


def test_the_suggester_sees_the_decision_and_the_reason(
    participant: Person, facilitator: Person
) -> None:
    tip = suggest(client_for(participant))
    reason = "Close to an existing tip; could you make it more specific?"

    client_for(facilitator).post(
        f"/tips/{tip.pk}/review", {"decision": "decline", "reason": reason}
    )

    tip.refresh_from_db()
    assert tip.status == Tip.Status.DECLINED
    mine = page(client_for(participant), "/tips/suggest")
    assert re.search(
        rf"{re.escape(escape(tip.title))}</strong> — Declined: <bdi>{re.escape(escape(reason))}",
        mine,
    )
    assert escape(tip.title) not in page(client_for(participant), "/tips/")


def test_a_tip_already_reviewed_cannot_be_reviewed_again(
    participant: Person, facilitator: Person
) -> None:
    tip = suggest(client_for(participant))
    client = client_for(facilitator)
    client.post(f"/tips/{tip.pk}/review", {"decision": "decline", "reason": "Too vague."})

    again = client.post(f"/tips/{tip.pk}/review", {"decision": "approve"})

    assert again.status_code == 404
    tip.refresh_from_db()
    assert tip.status == Tip.Status.DECLINED


# --- Retired content and other organisations ------------------------------------------------


def assert_nothing_found_or_saved(
    client: Client, module: Module, lesson: Lesson, prompt: ReflectionPrompt
) -> None:
    """The module, its lesson and prompt are not found, and nothing can be saved against them."""
    assert client.get(f"/learn/{module.slug}/").status_code == 404
    assert client.get(lesson_url(lesson)).status_code == 404
    assert client.post(f"{lesson_url(lesson)}done", {"done": "yes"}).status_code == 404
    assert answer(client, prompt, ANSWER).status_code == 404  # type: ignore[attr-defined]
    assert (
        client.post(f"/learn/{module.slug}/log", {"kind": "book", "title": "x"}).status_code == 404
    )
    assert not LessonProgress.objects.exists()
    assert not PromptAnswer.objects.exists()
    assert not LearningLog.objects.exists()


def test_a_retired_module_and_its_lessons_and_prompts_are_not_found(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    module, lesson, prompt, _ = sample
    module.retired_at = timezone.now()
    module.save()
    client = client_for(participant)

    assert_nothing_found_or_saved(client, module, lesson, prompt)


def test_a_retired_lesson_is_not_found_but_its_module_is(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], participant: Person
) -> None:
    module, lesson, _, _ = sample
    lesson.retired_at = timezone.now()
    lesson.save()
    client = client_for(participant)

    assert client.get(lesson_url(lesson)).status_code == 404
    assert client.post(f"{lesson_url(lesson)}done", {"done": "yes"}).status_code == 404
    assert escape(lesson.title) not in page(client, f"/learn/{module.slug}/")


def test_another_organisations_module_lesson_and_prompt_are_not_found(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], stranger: Person
) -> None:
    module, lesson, prompt, _ = sample
    client = client_for(stranger)

    assert_nothing_found_or_saved(client, module, lesson, prompt)
    assert module.title not in page(client, "/learn/")


def test_another_organisations_facilitator_cannot_review_this_organisations_tips(
    sample: tuple[Module, Lesson, ReflectionPrompt, Tip], stranger: Person
) -> None:
    _, _, _, tip = sample
    assert stranger.organisation is not None
    other_facilitator = make_person(
        stranger.organisation, "fay@globex.test", "Fay", {Role.FACILITATOR, Role.PARTICIPANT}
    )
    client = client_for(other_facilitator)

    response = client.post(f"/tips/{tip.pk}/review", {"decision": "approve"})

    assert response.status_code == 404
    tip.refresh_from_db()
    assert tip.status == Tip.Status.PENDING
    assert escape(tip.title) not in page(client, "/tips/review")


# --- Query counts ---------------------------------------------------------------------------


def add_tips(organisation: Organisation, count: int) -> None:
    start = Tip.objects.filter(organisation=organisation).count()
    practices, contexts = Practice.values, Context.values
    Tip.objects.bulk_create(
        Tip(
            organisation=organisation,
            slug=f"tip-{n}",
            title=f"Tip {n} for meetings" if n % 2 else f"Tip {n}",
            text="Try this in your next meeting." if n % 3 else "Try this today.",
            practice=practices[n % len(practices)],
            defense=Defense.values[n % 4],
            effort=[2, 5, 15, 30][n % 4],
            courage=n % 4 + 1,
            contexts=Tip.pack_contexts([contexts[n % len(contexts)]]),
        )
        for n in range(start, start + count)
    )


@pytest.fixture
def big_module(organisation: Organisation, participant: Person) -> Module:
    """A module with lessons, a prompt answered on the first, half the lessons done."""
    module = build_module(organisation, "big", order=1, lessons=3)
    build_module(organisation, "later", order=2, lessons=2)
    first = module.lessons.order_by("order").first()
    assert first is not None
    prompt = ReflectionPrompt.objects.create(module=module, lesson=first, slug="p", text="Why?")
    services.save_prompt_answer(person=participant, prompt=prompt, answer=ANSWER)
    services.set_lesson_done(person=participant, lesson=first, done=True)
    return module


TIP_PAGES = [
    "/learn/",
    "/learn/big/",
    "/learn/big/big-lesson-1/",
    "/tips/",
    "/tips/?q=meetings",
    "/tips/?practice=deep-curiosity",
    "/tips/?q=try+meeting&courage=2&context=meetings",
]


TIP_PAGE_QUERIES = {
    ("participant", "/learn/"): 4,
    ("facilitator", "/learn/"): 4,
    ("participant", "/learn/big/"): 7,
    ("facilitator", "/learn/big/"): 8,
    ("participant", "/learn/big/big-lesson-1/"): 7,
    ("facilitator", "/learn/big/big-lesson-1/"): 7,
    ("participant", "/tips/"): 3,
    ("facilitator", "/tips/"): 4,
    ("participant", "/tips/?q=meetings"): 3,
    ("facilitator", "/tips/?q=meetings"): 4,
    ("participant", "/tips/?practice=deep-curiosity"): 3,
    ("facilitator", "/tips/?practice=deep-curiosity"): 4,
    ("participant", "/tips/?q=try+meeting&courage=2&context=meetings"): 3,
    ("facilitator", "/tips/?q=try+meeting&courage=2&context=meetings"): 4,
}


@pytest.mark.parametrize("position", ["participant", "facilitator"])
@pytest.mark.parametrize("url", TIP_PAGES)
def test_pages_do_the_same_number_of_queries_for_10_and_1000_tips(
    big_module: Module,
    organisation: Organisation,
    participant: Person,
    facilitator: Person,
    position: str,
    url: str,
    count_queries: CountQueries,
) -> None:
    client = client_for(participant if position == "participant" else facilitator)
    client.get(url)  # warm up sessions and caches
    add_tips(organisation, 10)
    small = count_queries(client.get, url)

    add_tips(organisation, 990)
    large = count_queries(client.get, url)

    assert small == large == TIP_PAGE_QUERIES[position, url]


LEARNING_PAGE_QUERIES = {
    "/learn/": 4,
    "/learn/big/": 7,
    "/learn/big/big-lesson-1/": 7,
    "/learn/big/big-lesson-2/": 6,
}


@pytest.mark.parametrize("url", LEARNING_PAGE_QUERIES)
def test_learning_pages_do_the_same_number_of_queries_for_3_and_30_lessons(
    big_module: Module, participant: Person, url: str, count_queries: CountQueries
) -> None:
    client = client_for(participant)
    client.get(url)
    small = count_queries(client.get, url)

    lessons = add_lessons(big_module, 27)
    for lesson in lessons[3:15]:
        services.set_lesson_done(person=participant, lesson=lesson, done=True)
    ReflectionPrompt.objects.bulk_create(
        ReflectionPrompt(module=big_module, lesson=lesson, slug=f"p-{lesson.pk}", text="How?")
        for lesson in lessons[3:]
    )
    large = count_queries(client.get, url)

    assert small == large == LEARNING_PAGE_QUERIES[url]


def test_a_facilitator_edits_a_lesson_with_a_preview_and_the_edit_is_exported(
    cast: Cast, tmp_path: Path
) -> None:
    module, lesson, _, _ = curriculum_sample(cast.facilitator)
    client = cast.client("facilitator")
    url = f"/learn/{module.slug}/{lesson.slug}/edit"
    preview = client.post(
        url,
        {"title": "A verb", "minutes": "6", "body": "## New\n\n<script>x</script>", "preview": "1"},
        headers={"HX-Request": "true"},
    )
    html = preview.content.decode()
    assert '<section id="preview"' in html and "<h2>New</h2>" in html
    assert "<script>" not in html
    saved = client.post(url, {"title": "A verb", "minutes": "6", "body": "Do **two** things."})
    assert saved.status_code == 302
    lesson.refresh_from_db()
    assert lesson.body == "Do **two** things." and lesson.minutes == 6
    services.export_tree(organisation=module.organisation, target=tmp_path / "out")
    exported = (tmp_path / "out/modules/01-foundations/lessons/01-a-verb.md").read_text()
    assert "Do **two** things." in exported


def test_a_participant_cannot_edit_a_lesson(cast: Cast) -> None:
    module, lesson, _, _ = curriculum_sample(cast.facilitator)
    response = cast.client("participant").get(f"/learn/{module.slug}/{lesson.slug}/edit")
    assert response.status_code == 403


def test_lesson_reading_time_must_be_sensible(cast: Cast) -> None:
    module, lesson, _, _ = curriculum_sample(cast.facilitator)
    response = cast.client("facilitator").post(
        f"/learn/{module.slug}/{lesson.slug}/edit",
        {"title": "A verb", "minutes": "600", "body": "Text"},
    )
    assert "Reading time must be from 1 to 60 minutes." in response.content.decode()
