"""Reflection pages. Everything here is the signed-in person's own: anyone else's object
is a 404, program admins included."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from bridgework.accounts import picker
from bridgework.accounts.access import current_organisation, current_person, member_required
from bridgework.accounts.models import Person
from bridgework.curriculum.api import ReflectionPrompt
from bridgework.lib import apology as apology_rules
from bridgework.lib import ics
from bridgework.lib.cadence import zone_or_utc
from bridgework.lib.htmx import is_htmx
from bridgework.lib.ids import parse_id
from bridgework.practice import api as practice_services

from . import charts, content, services
from .forms import (
    ApologyForm,
    CoffeeChatForm,
    GoalCommitmentForm,
    GoalForm,
    JournalEntryForm,
    JournalSearchForm,
    NoteForm,
    RoleModelForm,
    SocialMapForm,
)
from .models import (
    Apology,
    DataExport,
    GrowthGoal,
    JournalEntry,
    Note,
    RoleModel,
    SenderChoice,
    SocialLocationMap,
)

JOURNAL_PAGE = 50
# How often the My data page asks whether the export is ready, while one is being prepared.
EXPORT_POLL_SECONDS = 3


def _own[M: models.Model](
    model: type[M], request: HttpRequest, pk: int, field: str = "person"
) -> M:
    """The person's own object, or a 404 that does not say whether it exists."""
    found = model._default_manager.filter(pk=pk, **{field: current_person(request)}).first()
    if found is None:
        raise Http404("Not found.")
    return found


def _bad(form: Any) -> int:
    return 400 if form.errors else 200


# --- Overview ------------------------------------------------------------------------------


@require_GET
@member_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "reflection/home.html",
        {"prompt": content.prompt_of_the_day(today), "prompts": content.GRATITUDE_PROMPTS},
    )


# --- Journal -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def journal(request: HttpRequest) -> HttpResponse:
    """Search is a POST, so the words searched for never appear in a URL or an access log."""
    person = current_person(request)
    form = JournalSearchForm(request.POST if request.method == "POST" else None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    entries = JournalEntry.objects.of(person).for_list()
    if query:
        found = [entry for entry in entries if entry.matches(query)]
    else:
        found = list(entries[:JOURNAL_PAGE])
    context = {
        "form": form,
        "entries": found,
        "query": query,
        "zone": person.usual_time_zone,
        "gratitude": content.GRATITUDE_BY_SLUG,
        "prompt": content.prompt_of_the_day(timezone.localdate()),
    }
    template = "reflection/journal.html#entries" if is_htmx(request) else "reflection/journal.html"
    return render(request, template, context)


def _chosen_prompt(request: HttpRequest) -> tuple[str, ReflectionPrompt | None]:
    source = request.POST if request.method == "POST" else request.GET
    gratitude = source.get("prompt", "")
    if gratitude and gratitude not in content.GRATITUDE_BY_SLUG:
        gratitude = ""
    lesson_prompt = None
    raw = source.get("lesson_prompt", "")
    if raw:
        lesson_prompt = (
            ReflectionPrompt.objects.active()
            .filter(
                pk=parse_id(raw) or 0,
                module__organisation=current_organisation(request),
            )
            .first()
        )
        if lesson_prompt is None:
            raise Http404("No such prompt.")
    return gratitude, lesson_prompt


@require_http_methods(["GET", "POST"])
@member_required
def journal_new(request: HttpRequest) -> HttpResponse:
    gratitude, lesson_prompt = _chosen_prompt(request)
    form = JournalEntryForm.of(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        entry = services.write_entry(
            person=current_person(request),
            gratitude_prompt=gratitude,
            lesson_prompt=lesson_prompt,
            **form.text(),
        )
        messages.success(request, _("Saved in your journal. Only you can read it."))
        return redirect("reflection_entry", entry.pk)
    return render(
        request,
        "reflection/entry_form.html",
        {
            "form": form,
            "gratitude": content.GRATITUDE_BY_SLUG.get(gratitude),
            "lesson_prompt": lesson_prompt,
            "prompts": content.GRATITUDE_PROMPTS,
        },
        status=_bad(form),
    )


@require_GET
@member_required
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _own(JournalEntry, request, entry_id)
    return render(
        request,
        "reflection/entry.html",
        {
            "entry": entry,
            "zone": current_person(request).usual_time_zone,
            "revisions": list(entry.revisions.all()),
            "gratitude": content.GRATITUDE_BY_SLUG.get(entry.gratitude_prompt),
            "mood_label": dict(content.MOODS).get(entry.mood or "", entry.mood),
            "energy_label": dict(content.ENERGIES).get(entry.energy or "", entry.energy),
        },
    )


@require_http_methods(["GET", "POST"])
@member_required
def entry_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _own(JournalEntry, request, entry_id)
    form = JournalEntryForm.of(request.POST if request.method == "POST" else None, entry)
    if request.method == "POST" and form.is_valid():
        services.edit_entry(entry=entry, **form.text())
        messages.success(request, _("Saved. The earlier version is kept below, just for you."))
        return redirect("reflection_entry", entry.pk)
    return render(
        request, "reflection/entry_form.html", {"form": form, "entry": entry}, status=_bad(form)
    )


@require_http_methods(["GET", "POST"])
@member_required
def entry_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _own(JournalEntry, request, entry_id)
    if request.method == "POST":
        services.delete_entry(entry=entry)
        messages.success(request, _("Deleted for good, with all its earlier versions."))
        return redirect("reflection_journal")
    return render(request, "reflection/entry_delete.html", {"entry": entry})


# --- Social location map -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def social_map(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    location = SocialLocationMap.objects.filter(person=person).first()
    form = SocialMapForm(
        request.POST if request.method == "POST" else None,
        initial_map=location.data if location else None,
    )
    if request.method == "POST" and form.is_valid():
        services.save_map(person=person, data=form.to_map())
        messages.success(request, _("Your map is saved. Only you can see it."))
        return redirect("reflection_map")
    items = charts.spokes(location.data if location else None)
    less, even, more = charts.balance(items)
    return render(
        request,
        "reflection/map.html",
        {
            "form": form,
            "spokes": items,
            "contexts": charts.contexts_used(items),
            "svg": charts.wheel_svg(items) if items else "",
            "less": less,
            "even": even,
            "more": more,
            "note": (location.data or {}).get("note", "") if location else "",
        },
        status=_bad(form),
    )


# --- Choosing a colleague ----------------------------------------------------------------


def _searching(request: HttpRequest) -> bool:
    """A search in the colleague picker, not a submit: nothing is checked or saved."""
    return request.method == "POST" and "find" in request.POST


def _colleague_picker(
    request: HttpRequest, person: Person, field: str, chosen: str = ""
) -> picker.Picker:
    """The colleague picker of a form: whoever is chosen (posted, else `chosen`) and the
    colleagues matching the search, never a list of everyone in the organisation."""
    posted = request.method == "POST"
    chosen = request.POST.get(field, "") if posted else chosen
    return picker.build(
        current_organisation(request),
        query=request.POST.get("member_search", "") if posted else "",
        chosen_ids=[chosen] if chosen else [],
        leave_out=Person.objects.filter(pk=person.pk),
        by_email=False,
    )


def _typed(data: Any, *names: str) -> dict[str, str]:
    """What was typed into these fields, to show it again after a search."""
    return {name: str(data.get(name, "")) for name in names}


def _picker_results(request: HttpRequest, found: picker.Picker, field: str) -> HttpResponse:
    """The picker's results alone, for htmx to swap in while someone types."""
    context = {"picker": found, "prefix": field, "field_name": field, "single": True}
    if field == "colleague":
        context["none_label"] = _("Nobody here — someone else")
    return render(request, "includes/people_picker_results.html", context)


# --- Role models, goals, coffee chat -------------------------------------------------------


def _colleague_name(request: HttpRequest, colleague_id: str | None) -> str:
    pk = parse_id(colleague_id)
    if pk is None:
        return ""
    colleague = Person.objects.filter(pk=pk, organisation=current_organisation(request)).first()
    return colleague.chosen_name if colleague else ""


@require_http_methods(["GET", "POST"])
@member_required
def role_models(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    colleagues = _colleague_picker(request, person, "colleague")
    if _searching(request):
        if is_htmx(request):
            return _picker_results(request, colleagues, "colleague")
        form = RoleModelForm(None, person=person, typed=request.POST)
    else:
        form = RoleModelForm(request.POST if request.method == "POST" else None, person=person)
    if request.method == "POST" and form.is_bound and form.is_valid():
        item = services.save_role_model(person=person, **form.text())
        messages.success(request, _("Saved privately. Now set a growth goal or two."))
        return redirect("reflection_role_model", item.pk)
    return render(
        request,
        "reflection/role_models.html",
        {
            "form": form,
            "colleagues": colleagues,
            "role_models": list(RoleModel.objects.filter(person=person)),
            "goals": list(GrowthGoal.objects.filter(person=person, role_model__isnull=True)),
        },
        status=_bad(form),
    )


@require_http_methods(["GET", "POST"])
@member_required
def role_model(request: HttpRequest, role_model_id: int) -> HttpResponse:
    person = current_person(request)
    item = _own(RoleModel, request, role_model_id)
    colleagues = _colleague_picker(request, person, "colleague", item.colleague or "")
    if _searching(request):
        if is_htmx(request):
            return _picker_results(request, colleagues, "colleague")
        form = RoleModelForm(None, person=person, role_model=item, typed=request.POST)
    else:
        form = RoleModelForm(
            request.POST if request.method == "POST" else None, person=person, role_model=item
        )
    if request.method == "POST" and form.is_bound and form.is_valid():
        services.save_role_model(person=person, role_model=item, **form.text())
        messages.success(request, _("Saved."))
        return redirect("reflection_role_model", item.pk)
    return render(
        request,
        "reflection/role_model.html",
        {
            "item": item,
            "form": form,
            "colleagues": colleagues,
            "goal_form": GoalForm(),
            "goals": [
                (goal, GoalCommitmentForm(auto_id=f"goal-{goal.pk}-%s"))
                for goal in item.goals.all()
            ],
            "colleague_name": _colleague_name(request, item.colleague),
        },
        status=_bad(form),
    )


@require_http_methods(["GET", "POST"])
@member_required
def role_model_delete(request: HttpRequest, role_model_id: int) -> HttpResponse:
    """Asks first, on a page of its own, so it works the same without JavaScript."""
    item = _own(RoleModel, request, role_model_id)
    if request.method == "POST":
        item.delete()
        messages.success(request, _("Deleted, with its growth goals."))
        return redirect("reflection_role_models")
    return render(
        request,
        "reflection/confirm_delete.html",
        {
            "what": "role_model",
            "name": item.name,
            "goals": item.goals.count(),
            "keep_url": reverse("reflection_role_model", args=[item.pk]),
        },
    )


@require_POST
@member_required
def goal_add(request: HttpRequest, role_model_id: int) -> HttpResponse:
    item = _own(RoleModel, request, role_model_id)
    form = GoalForm(request.POST)
    if form.is_valid():
        services.add_goal(
            person=current_person(request), role_model=item, text=form.cleaned_data["text"]
        )
        messages.success(request, _("Goal added."))
    else:
        messages.error(request, _("Write the goal in a few words (300 characters at most)."))
    return redirect("reflection_role_model", item.pk)


@require_POST
@member_required
def goal_commit(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = _own(GrowthGoal, request, goal_id)
    form = GoalCommitmentForm(request.POST)
    if form.is_valid():
        services.goal_to_commitment(goal=goal, **form.cleaned_data)
        messages.success(request, _("It is now a weekly commitment on your Practice page."))
    else:
        messages.error(request, _("Choose one of the practices and levels listed."))
    return (
        redirect("reflection_role_model", goal.role_model_id)
        if goal.role_model_id
        else redirect("reflection_role_models")
    )


def _chat_message(item: RoleModel, goals: list[GrowthGoal]) -> str:
    """A first draft in the writer's language; they change it to sound like them."""
    first = item.name.split()[0] if item.name.strip() else item.name
    lines = [
        _("Hi %(name)s,") % {"name": first},
        "",
        _(
            "I have been thinking about the people who show up for others at work, and you "
            "came to mind straight away. The way you do it has taught me a lot."
        ),
        "",
        _(
            "Would you have time for a coffee chat? I would love to hear how you think about "
            "it, and to share what I am working on myself:"
        )
        if goals
        else _(
            "Would you have time for a coffee chat? I would love to hear how you think about "
            "it, and to share what I am working on myself."
        ),
    ]
    lines += [f"- {goal.text}" for goal in goals]
    lines += ["", _("No preparation needed. Thank you!")]
    return "\n".join(lines)


@require_http_methods(["GET", "POST"])
@member_required
def coffee_chat(request: HttpRequest, role_model_id: int) -> HttpResponse:
    """A message to copy, and an invite to download. The invite comes from a POST, so the
    name and place never sit in a URL."""
    person = current_person(request)
    item = _own(RoleModel, request, role_model_id)
    zone = zone_or_utc(person.usual_time_zone)
    form = CoffeeChatForm(
        request.POST if request.method == "POST" else None,
        initial=CoffeeChatForm.suggested_initial(practice_services.local_today(person)),
    )
    if request.method == "POST" and form.is_valid():
        event = ics.CalendarEvent(
            uid=f"{uuid.uuid4()}@bridgework",
            sequence=0,
            summary=_("Coffee chat with %(name)s") % {"name": item.name},
            start=form.start_at(zone),
            duration=form.duration(),
            description=_(
                "A coffee chat about allyship: what we each do, and what we are learning."
            ),
            location=form.cleaned_data["place"],
        )
        body = ics.build_calendar([event], now=timezone.now(), product="Reflection")
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="coffee-chat.ics"'
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "reflection/coffee_chat.html",
        {
            "item": item,
            "form": form,
            "message": _chat_message(item, list(item.goals.all())),
            "time_zone": str(zone),
        },
        status=_bad(form),
    )


# --- Repair --------------------------------------------------------------------------------


@require_GET
@member_required
def repair(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reflection/repair.html",
        {
            "apologies": list(Apology.objects.filter(person=current_person(request))),
            "scenarios": content.SCENARIOS,
            "scenario_titles": {s.slug: s.title for s in content.SCENARIOS},
        },
    )


def _review(draft: dict[str, str]) -> list[apology_rules.Finding]:
    """The feedback on a draft, its words in the reader's language."""
    return [
        dataclasses.replace(finding, message=str(_feedback(finding)))
        for finding in apology_rules.review(draft)
    ]


def _feedback(finding: apology_rules.Finding) -> object:
    if finding.rule == "missing":
        return content.MISSING_FEEDBACK.get(finding.part, finding.message)
    return content.FEEDBACK.get(finding.rule, finding.message)


def _apology_page(
    request: HttpRequest, form: ApologyForm, apology: Apology | None, scenario: str
) -> HttpResponse:
    findings = None
    if request.method == "POST" and form.is_valid():
        findings = _review(form.draft())
    context = {
        "form": form,
        "apology": apology,
        "scenario": content.SCENARIOS_BY_SLUG.get(scenario),
        "findings": findings,
        "part_labels": {key: field.label for key, field in form.fields.items()},
    }
    if is_htmx(request) and request.method == "POST":
        page = "reflection/apology.html"
        if form.errors:
            # No feedback on a draft in error: the form comes back with its errors instead.
            response = render(request, f"{page}#apology-form", context)
            return retarget(reswap(response, "outerHTML"), "#apology-form")
        # The form comes back too, so that errors shown by an earlier check go away.
        feedback = render_to_string(f"{page}#feedback", context, request)
        form_html = render_to_string(f"{page}#apology-form", {**context, "oob": True}, request)
        return HttpResponse(feedback + form_html)
    return render(request, "reflection/apology.html", context, status=_bad(form))


@require_http_methods(["GET", "POST"])
@member_required
def apology_new(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    scenario = source.get("scenario", "")
    scenario = scenario if scenario in content.SCENARIOS_BY_SLUG else ""
    form = ApologyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and request.POST.get("action") == "save" and form.is_valid():
        draft = form.draft()
        if not any(value.strip() for value in draft.values()):
            form.add_error(None, _("Write at least one part before saving."))
        else:
            item = services.save_apology(
                person=current_person(request), scenario=scenario, parts=draft
            )
            messages.success(request, _("Draft saved privately. Here is some feedback on it."))
            return redirect("reflection_apology", item.pk)
    return _apology_page(request, form, None, scenario)


@require_http_methods(["GET", "POST"])
@member_required
def apology_edit(request: HttpRequest, apology_id: int) -> HttpResponse:
    item = _own(Apology, request, apology_id)
    form = ApologyForm(request.POST if request.method == "POST" else None, initial=item.draft())
    if request.method == "POST" and request.POST.get("action") == "save" and form.is_valid():
        services.save_apology(person=item.person, apology=item, parts=form.draft())
        messages.success(request, _("Draft saved."))
        return redirect("reflection_apology", item.pk)
    if request.method == "GET":
        # Show feedback on the saved draft straight away.
        bound = ApologyForm(item.draft())
        bound.is_valid()
        findings = _review(bound.draft())
        return render(
            request,
            "reflection/apology.html",
            {
                "form": form,
                "apology": item,
                "scenario": content.SCENARIOS_BY_SLUG.get(item.scenario),
                "findings": findings,
                "part_labels": {key: field.label for key, field in form.fields.items()},
            },
        )
    return _apology_page(request, form, item, item.scenario)


@require_http_methods(["GET", "POST"])
@member_required
def apology_delete(request: HttpRequest, apology_id: int) -> HttpResponse:
    item = _own(Apology, request, apology_id)
    if request.method == "POST":
        item.delete()
        messages.success(request, _("Draft deleted."))
        return redirect("reflection_repair")
    return render(
        request,
        "reflection/confirm_delete.html",
        {"what": "apology", "keep_url": reverse("reflection_apology", args=[item.pk])},
    )


# --- Notes ---------------------------------------------------------------------------------


@require_GET
@member_required
def notes_inbox(request: HttpRequest) -> HttpResponse:
    """Notes are marked new here once, then read: Home stops listing them."""
    person = current_person(request)
    choices = list(SenderChoice.objects.filter(recipient=person).select_related("sender"))
    by_sender = {choice.sender_id: choice.choice for choice in choices}
    notes = list(Note.objects.inbox_of(person).select_related("sender"))
    shown = [n for n in notes if by_sender.get(n.sender_id or 0) is None]
    muted = [n for n in notes if by_sender.get(n.sender_id or 0) == SenderChoice.Choice.MUTED]
    if any(note.read_at is None for note in notes):
        services.mark_notes_read(recipient=person)
    return render(
        request,
        "reflection/notes.html",
        {"notes": shown, "muted": muted, "choices": choices},
    )


@require_GET
@member_required
def notes_sent(request: HttpRequest) -> HttpResponse:
    notes = list(Note.objects.filter(sender=current_person(request)).select_related("recipient"))
    return render(request, "reflection/notes_sent.html", {"notes": notes})


@require_http_methods(["GET", "POST"])
@member_required
def note_new(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    colleagues = _colleague_picker(request, person, "recipient")
    if _searching(request):
        if is_htmx(request):
            return _picker_results(request, colleagues, "recipient")
        form = NoteForm(person=person, initial=_typed(request.POST, "kind", "text"))
    else:
        form = NoteForm(request.POST if request.method == "POST" else None, person=person)
    if request.method == "POST" and form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.send_note(
                sender=person, recipient=data["recipient"], kind=data["kind"], text=data["text"]
            )
        except services.RateLimited:
            form.add_error(
                None,
                ngettext(
                    "You have sent %(count)s note today, which is the daily limit. Save your "
                    "words and send it tomorrow.",
                    "You have sent %(count)s notes today, which is the daily limit. Save your "
                    "words and send it tomorrow.",
                    content.NOTES_PER_DAY,
                )
                % {"count": content.NOTES_PER_DAY},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Sent. Only they can read it."))
            return redirect("reflection_notes_sent")
    return render(
        request,
        "reflection/note_form.html",
        {"form": form, "colleagues": colleagues, "starters": content.NOTE_STARTERS},
        status=_bad(form),
    )


@require_POST
@member_required
def note_sender(request: HttpRequest, note_id: int, choice: str) -> HttpResponse:
    """Mute or block whoever sent this note to me."""
    note = _own(Note, request, note_id, field="recipient")
    if choice not in {"mute", "block"} or note.sender is None:
        raise Http404("No such choice.")
    services.choose_for_sender(
        recipient=note.recipient,
        sender=note.sender,
        choice=SenderChoice.Choice.MUTED if choice == "mute" else SenderChoice.Choice.BLOCKED,
    )
    messages.success(
        request,
        _("Muted: their notes are folded away and you get no e-mails about them.")
        if choice == "mute"
        else _("Blocked: you will not see notes from them. They are not told."),
    )
    return redirect("reflection_notes")


@require_POST
@member_required
def sender_choice_remove(request: HttpRequest, choice_id: int) -> HttpResponse:
    _own(SenderChoice, request, choice_id, field="recipient").delete()
    messages.success(request, _("Done. Their notes reach you again."))
    return redirect("reflection_notes")


# --- My data -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def my_data(request: HttpRequest) -> HttpResponse:
    """One export is shown: the newest. While it is being prepared, htmx asks for the status
    part every few seconds and stops once it is ready; without JavaScript, a reload does."""
    person = current_person(request)
    if request.method == "POST":
        try:
            services.request_export(person=person)
        except services.ExportNotNow as reason:
            messages.info(request, str(reason))
        else:
            messages.success(
                request, _("We are gathering your data. This page shows when it is ready.")
            )
        return redirect("reflection_my_data")
    export = (
        DataExport.objects.filter(person=person, expires_at__gt=timezone.now())
        .defer("json_text", "html_text")
        .first()
    )
    context = {
        "export": export,
        "hours": content.EXPORT_HOURS,
        "zone": person.usual_time_zone,
        "poll_seconds": EXPORT_POLL_SECONDS,
    }
    if is_htmx(request):
        return render(request, "reflection/my_data.html#export-status", context)
    return render(request, "reflection/my_data.html", context)


@require_GET
@member_required
def export_download(request: HttpRequest, export_id: int, fmt: str) -> HttpResponse:
    export = _own(DataExport, request, export_id)
    if fmt not in {"json", "html"} or export.status != DataExport.Status.READY:
        raise Http404("Not found.")
    if export.is_expired:
        export.delete()
        raise Http404("This download has expired.")
    if fmt == "json":
        response = HttpResponse(
            export.json_text or "", content_type="application/json; charset=utf-8"
        )
    else:
        response = HttpResponse(export.html_text or "", content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bridgework-my-data.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@member_required
def delete_account(request: HttpRequest) -> HttpResponse:
    """Deleting an account moved to the profile; old links and bookmarks land there."""
    return redirect("delete_account")
