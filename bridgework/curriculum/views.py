from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from bridgework.accounts.access import (
    current_organisation,
    current_person,
    member_required,
    role_required,
)
from bridgework.accounts.models import Person, Role
from bridgework.lib.htmx import is_htmx
from bridgework.lib.markdown import render as render_markdown
from bridgework.lib.markdown import render_shared

from . import services
from .forms import (
    LearningLogForm,
    LessonEditForm,
    ModuleEditForm,
    PromptAnswerForm,
    TipFilterForm,
    TipReviewForm,
    TipSuggestionForm,
)
from .models import (
    LearningLog,
    Lesson,
    LessonProgress,
    Module,
    PromptAnswer,
    ReflectionPrompt,
    Source,
    SourcesPage,
    Tip,
    answers_in_lesson,
    in_source_language,
    lesson_at,
    lessons_in_module,
    progress_in_lesson,
    prompts_of_lesson,
)
from .search import rank

facilitator_required = role_required(Role.FACILITATOR)
TIPS_PER_PAGE = 20
# The session key for what became of a reflection answer just sent: (prompt id, "saved" or
# "deleted"), shown once beside its box.
PROMPT_SAID = "prompt-said"


def _module(request: HttpRequest, slug: str) -> Module:
    module = (
        Module.objects.for_organisation(current_organisation(request)).filter(slug=slug).first()
    )
    if module is None:
        raise Http404("No such module.")
    return module


def _lesson(request: HttpRequest, module_slug: str, lesson_slug: str) -> Lesson:
    lesson = lesson_at(
        organisation_id=current_organisation(request).pk,
        module_slug=module_slug,
        lesson_slug=lesson_slug,
    ).first()
    if lesson is None:
        raise Http404("No such lesson.")
    return lesson


@require_GET
@member_required
def learn(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    organisation = current_organisation(request)
    modules = list(Module.objects.for_organisation(organisation).with_progress(person))
    next_lesson = Lesson.objects.next_for(person)
    total = sum(m.lesson_count for m in modules)
    done = sum(m.done_count for m in modules)
    return render(
        request,
        "curriculum/learn.html",
        {"modules": modules, "next_lesson": next_lesson, "total": total, "done": done},
    )


@require_GET
@member_required
def module_detail(request: HttpRequest, module_slug: str) -> HttpResponse:
    person = current_person(request)
    module = _module(request, module_slug)
    lessons = list(module.lessons.active())
    done_ids = set(
        LessonProgress.objects.filter(person=person, lesson__module=module).values_list(
            "lesson_id", flat=True
        )
    )
    context: dict[str, Any] = {
        "module": module,
        "body_html": render_shared(module.body),
        "lessons": lessons,
        "done_ids": done_ids,
        "exercises": [
            (exercise, render_shared(exercise.body)) for exercise in module.exercises.active()
        ],
        "log_form": LearningLogForm(),
        "logs": LearningLog.objects.filter(person=person, module=module)[:20],
        "is_facilitator": person.is_facilitator,
    }
    if person.is_facilitator:
        context["questions"] = list(module.questions.active())
        context["note_html"] = render_shared(module.facilitator_note)
    return render(request, "curriculum/module.html", context)


def _answer_form(
    prompt: ReflectionPrompt, saved: PromptAnswer | None, typed: QueryDict | None
) -> PromptAnswerForm:
    """A prompt's box: what was just typed in it, when the page comes back after a send, or
    else the answer saved."""
    prefix = f"prompt-{prompt.pk}"
    if typed is not None and f"{prefix}-answer" in typed:
        return PromptAnswerForm(typed, prefix=prefix)
    return PromptAnswerForm(initial={"answer": saved.answer} if saved else {}, prefix=prefix)


def _lesson_context(
    request: HttpRequest, lesson: Lesson, typed: QueryDict | None = None
) -> dict[str, Any]:
    person = current_person(request)
    siblings = list(lessons_in_module(module_id=lesson.module_id))
    index = next(i for i, item in enumerate(siblings) if item.pk == lesson.pk)
    prompts = list(prompts_of_lesson(lesson_id=lesson.pk))
    answers = {
        answer.prompt_id: answer
        for answer in (
            answers_in_lesson(person_id=person.pk, lesson_id=lesson.pk) if prompts else []
        )
    }
    return {
        "lesson": lesson,
        "module": lesson.module,
        "body_html": render_shared(lesson.body),
        "done": progress_in_lesson(person_id=person.pk, lesson_id=lesson.pk).first() is not None,
        "previous": siblings[index - 1] if index > 0 else None,
        "next": siblings[index + 1] if index + 1 < len(siblings) else None,
        "position": index + 1,
        "count": len(siblings),
        "prompts": [
            (prompt, answers.get(prompt.pk), _answer_form(prompt, answers.get(prompt.pk), typed))
            for prompt in prompts
        ],
    }


@require_GET
@member_required
def lesson_detail(request: HttpRequest, module_slug: str, lesson_slug: str) -> HttpResponse:
    lesson = _lesson(request, module_slug, lesson_slug)
    context = _lesson_context(request, lesson)
    # What became of the answer just sent, said beside its box (kept in the session, not
    # the address: "deleted prompt 4" is nobody's business, logs and history included).
    prompt_id, said = request.session.pop(PROMPT_SAID, None) or (None, None)
    context["just_saved"] = prompt_id if said == "saved" else None
    context["just_deleted"] = prompt_id if said == "deleted" else None
    return render(request, "curriculum/lesson.html", context)


@require_POST
@member_required
def lesson_done(request: HttpRequest, module_slug: str, lesson_slug: str) -> HttpResponse:
    lesson = _lesson(request, module_slug, lesson_slug)
    person = current_person(request)
    done = request.POST.get("done") != "no"
    typed, too_long = _typed_answers(request)
    kept = services.keep_typed_answers(person=person, lesson=lesson, typed=typed)
    if too_long:
        return _lesson_not_marked(request, lesson, done=done)
    services.set_lesson_done(person=person, lesson=lesson, done=done)
    if is_htmx(request):
        context = {**_lesson_context(request, lesson), "kept_answers": kept}
        return render(request, "curriculum/lesson.html#done-toggle", context)
    if kept:
        messages.success(request, _("Your answers are saved too, privately."))
    messages.success(request, _("Marked as done. Nice work.") if done else _("Marked as not done."))
    return redirect("lesson", module_slug=module_slug, lesson_slug=lesson_slug)


def _lesson_not_marked(request: HttpRequest, lesson: Lesson, *, done: bool) -> HttpResponse:
    """An answer sent along with "Mark as done" is too long: the lesson is left as it was
    until it fits, and the boxes come back as typed with the error beside the long one, as
    when an answer's own button is pressed. Marking it anyway would have said all was well
    while the words on screen were not saved."""
    context = _lesson_context(request, lesson, typed=request.POST)
    context["not_marked"] = (
        _("Not marked as done yet: an answer is too long. Shorten it, then mark the lesson done.")
        if done
        else _("Still marked as done: an answer is too long. Shorten it, then try again.")
    )
    if is_htmx(request):
        # A 400 would be swapped in nowhere: the form comes back in place of the form.
        response = render(request, "curriculum/lesson.html#lesson-form", context)
        return retarget(reswap(response, "outerHTML"), "#lesson-form")
    messages.error(request, _("Your answer is too long (5,000 characters at most)."))
    return render(request, "curriculum/lesson.html", context, status=400)


def _typed_answers(request: HttpRequest) -> tuple[dict[int, str], list[int]]:
    """The prompt answers a lesson page sends along with a button, by prompt id, and the ids
    of those too long to keep."""
    typed, too_long = {}, []
    for key in request.POST:
        prefix, _sep, field = key.rpartition("-")
        if prefix.startswith("prompt-") and field == "answer" and prefix[7:].isdigit():
            form = PromptAnswerForm(request.POST, prefix=prefix)
            if form.is_valid():
                typed[int(prefix[7:])] = form.cleaned_data["answer"]
            else:
                too_long.append(int(prefix[7:]))
    return typed, too_long


@require_POST
@member_required
def answer_prompt(request: HttpRequest, prompt_id: int) -> HttpResponse:
    prompt = (
        ReflectionPrompt.objects.active()
        .select_related("module", "lesson")
        .filter(
            pk=prompt_id,
            module__organisation=current_organisation(request),
            module__retired_at__isnull=True,
        )
        .first()
    )
    if prompt is None:
        raise Http404("No such prompt.")
    person = current_person(request)
    form = PromptAnswerForm(request.POST, prefix=f"prompt-{prompt.pk}")
    if form.is_valid():
        had_one = PromptAnswer.objects.filter(person=person, prompt=prompt).exists()
        answer = form.cleaned_data["answer"]
        services.save_prompt_answer(person=person, prompt=prompt, answer=answer)
        said = "deleted" if had_one and not answer.strip() else "saved"
    lesson = prompt.lesson
    if lesson is None or lesson.retired_at is not None:
        said_words = None
        if form.is_valid():
            said_words = (
                _("Your answer is deleted.")
                if said == "deleted"
                else _("Saved privately ✓ Only you can read it.")
                if answer.strip()
                else _("Nothing saved: the box is empty.")
            )
        return _answered_after_the_lesson_went(request, prompt, lesson, said=said_words)
    # What was typed in the lesson's other boxes came along: keep it too.
    others = {pk: text for pk, text in _typed_answers(request)[0].items() if pk != prompt.pk}
    services.keep_typed_answers(person=person, lesson=lesson, typed=others)
    if not form.is_valid():
        # The lesson again, every box as it was typed and the error beside this one: after a
        # redirect the box would show the answer saved before, and the words typed were lost.
        context = _lesson_context(request, lesson, typed=request.POST)
        return render(request, "curriculum/lesson.html", context, status=400)
    url = reverse("lesson", args=[prompt.module.slug, lesson.slug])
    # Said beside the box, where the person is: the page's messages are far above.
    request.session[PROMPT_SAID] = [prompt.pk, said]
    return redirect(f"{url}#prompt-{prompt.pk}")


def _answered_after_the_lesson_went(
    request: HttpRequest, prompt: ReflectionPrompt, lesson: Lesson | None, *, said: str | None
) -> HttpResponse:
    """The lesson was retired after its page was shown. What fits is saved, the other boxes
    sent along included; what is too long comes back on a page of its own, every word of it,
    to shorten and save or to copy: it has no lesson page to come back to."""
    typed, too_long = _typed_answers(request)
    if lesson is not None:
        others = {pk: text for pk, text in typed.items() if pk != prompt.pk}
        services.keep_typed_answers(person=current_person(request), lesson=lesson, typed=others)
    boxes = [
        (each, PromptAnswerForm(request.POST, prefix=f"prompt-{each.pk}"))
        for each in ReflectionPrompt.objects.active().filter(module=prompt.module, pk__in=too_long)
        if each.pk == prompt.pk or (lesson is not None and each.lesson_id == lesson.pk)
    ]
    if boxes:
        context = {"module": prompt.module, "boxes": boxes}
        return render(request, "curriculum/answer_kept.html", context, status=400)
    if said:
        messages.success(request, said)
    return redirect(reverse("module", args=[prompt.module.slug]))


@require_POST
@member_required
def log_learning(request: HttpRequest, module_slug: str) -> HttpResponse:
    module = _module(request, module_slug)
    form = LearningLogForm(request.POST)
    if form.is_valid():
        services.log_learning(
            person=current_person(request),
            module=module,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            note=form.cleaned_data["note"],
            minutes=form.cleaned_data["minutes"],
        )
        messages.success(request, _("Logged. Learning anywhere counts."))
        return redirect(f"{reverse('module', args=[module.slug])}#log")
    context = {
        "module": module,
        "log_form": form,
        "logs": LearningLog.objects.filter(person=current_person(request), module=module)[:20],
    }
    return render(request, "curriculum/log_learning.html", context, status=400)


@require_http_methods(["GET", "POST"])
@facilitator_required
def module_edit(request: HttpRequest, module_slug: str) -> HttpResponse:
    with in_source_language():  # the source text is what is edited
        module = _module(request, module_slug)
    form = ModuleEditForm(request.POST or None, instance=module)
    return _edit_with_preview(
        request,
        form,
        heading=module.title,
        module=module,
        back=reverse("module", args=[module.slug]),
    )


@require_http_methods(["GET", "POST"])
@facilitator_required
def lesson_edit(request: HttpRequest, module_slug: str, lesson_slug: str) -> HttpResponse:
    with in_source_language():  # the source text is what is edited
        lesson = _lesson(request, module_slug, lesson_slug)
    form = LessonEditForm(request.POST or None, instance=lesson)
    back = reverse("lesson", args=[lesson.module.slug, lesson.slug])
    return _edit_with_preview(request, form, heading=lesson.title, module=lesson.module, back=back)


def _edit_with_preview(
    request: HttpRequest,
    form: ModuleEditForm | LessonEditForm,
    *,
    heading: str,
    module: Module,
    back: str,
) -> HttpResponse:
    """Edit Markdown text: "Preview" shows it as people will see it, "Save" keeps it."""
    preview_html = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview_html = render_markdown(form.cleaned_data["body"])
            if is_htmx(request):
                # The form comes back too, so that errors shown by an earlier try go away.
                preview = {"preview_html": preview_html}
                edit_form = {"form": form, "back": back, "oob": True}
                return HttpResponse(
                    render_to_string("curriculum/edit.html#preview", preview, request)
                    + render_to_string("curriculum/edit.html#edit-form", edit_form, request)
                )
        else:
            services.save_edit(form=form, person=current_person(request))
            messages.success(request, _("Saved. Export the curriculum to share this edit."))
            return redirect(back)
    context = {
        "form": form,
        "heading": heading,
        "module": module,
        "back": back,
        "preview_html": preview_html,
    }
    if is_htmx(request) and "preview" in request.POST:
        # Nothing to preview: the form comes back with its errors, in place of the form.
        response = render(request, "curriculum/edit.html#edit-form", context)
        return retarget(reswap(response, "outerHTML"), "#edit-form")
    return render(request, "curriculum/edit.html", context)


@require_GET
@member_required
def sources(request: HttpRequest) -> HttpResponse:
    organisation = current_organisation(request)
    page = SourcesPage.objects.filter(organisation=organisation).first()
    # The page's own "# heading", if it starts with one, is the page's h1 (rendered Markdown
    # starts at h2).
    first, _newline, rest = (page.body if page else "").lstrip().partition("\n")
    heading, body = (
        (first[2:].strip(), rest) if first.startswith("# ") else ("", page.body if page else "")
    )
    return render(
        request,
        "curriculum/sources.html",
        {
            "heading": heading,
            "page_html": render_markdown(body) if body.strip() else "",
            "sources": Source.objects.filter(organisation=organisation),
        },
    )


@require_GET
@member_required
def tips(request: HttpRequest) -> HttpResponse:
    organisation = current_organisation(request)
    form = TipFilterForm(request.GET or None)
    filters = form.active_filters()
    queryset = Tip.objects.visible_in(organisation)
    if "practice" in filters:
        queryset = queryset.filter(practice=filters["practice"])
    if "defense" in filters:
        queryset = queryset.filter(defense=filters["defense"])
    if "courage" in filters:
        queryset = queryset.filter(courage=filters["courage"])
    if "context" in filters:
        queryset = queryset.filter(contexts__contains=f",{filters['context']},")
    if "effort" in filters:
        queryset = queryset.filter(effort__lte=filters["effort"])
    results = rank(queryset, filters.get("q", ""))
    page = Paginator(results, TIPS_PER_PAGE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "total": len(results),
        "query_string": query_string.urlencode(),
        "filtered": bool(filters),
        # The filters beyond the search box fold away until one is used: on a phone they
        # pushed the results below the screen.
        "filters_open": any(name != "q" for name in filters),
        "pending_count": (
            Tip.objects.filter(organisation=organisation, status=Tip.Status.PENDING).count()
            if current_person(request).is_facilitator
            else 0
        ),
    }
    template = "curriculum/tips.html#results" if is_htmx(request) else "curriculum/tips.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@member_required
def suggest_tip(request: HttpRequest) -> HttpResponse:
    form = TipSuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.suggest_tip(
            organisation=current_organisation(request),
            person=current_person(request),
            **form.cleaned_data,
        )
        messages.success(
            request, _("Thank you! A facilitator will review your tip before others see it.")
        )
        return redirect("tips")
    mine = Tip.objects.filter(suggested_by=current_person(request)).order_by("-created_at")[:20]
    return render(request, "curriculum/suggest_tip.html", {"form": form, "mine": mine})


@require_GET
@facilitator_required
def review_tips(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    pending = list(
        Tip.objects.filter(
            organisation=current_organisation(request), status=Tip.Status.PENDING
        ).order_by("created_at")[:50]
    )
    own = any(tip.suggested_by_id == person.pk for tip in pending)
    return render(
        request,
        "curriculum/review_tips.html",
        {
            "pending": pending,
            "form": TipReviewForm(),
            "nobody_else": own and not Person.objects.other_facilitators(person).exists(),
        },
    )


@require_POST
@facilitator_required
def review_tip(request: HttpRequest, tip_id: int) -> HttpResponse:
    tip = Tip.objects.filter(
        pk=tip_id, organisation=current_organisation(request), status=Tip.Status.PENDING
    ).first()
    if tip is None:
        raise Http404("No such tip waiting for review.")
    form = TipReviewForm(request.POST)
    if tip.suggested_by_id == current_person(request).pk:
        messages.error(request, services.OWN_TIP)
    elif form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        services.review_tip(
            tip=tip,
            reviewer=current_person(request),
            approve=approve,
            reason=form.cleaned_data["reason"],
        )
        done = _("“%(title)s” approved.") if approve else _("“%(title)s” declined.")
        messages.success(request, done % {"title": tip.title})
    else:
        messages.error(request, _("To decline a tip, say briefly why."))
    return redirect("review_tips")
