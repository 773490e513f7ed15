from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from bridgework.accounts.access import current_organisation, current_person, member_required
from bridgework.curriculum.api import Practice, Tip
from bridgework.lib.htmx import is_htmx
from bridgework.lib.ids import parse_id, parse_ids

from . import assessment, charts, reminders, services, suggest
from .forms import (
    ActionPlanForm,
    AssessmentForm,
    CapacityForm,
    CheckInForm,
    CommitForm,
    ReminderSettingsForm,
    TimeZoneForm,
)
from .models import ActionPlan, Assessment, Capacity, CheckIn, Commitment


def _commitment(request: HttpRequest, commitment_id: int) -> Commitment:
    """Only the person's own commitment; anyone else's is a 404, admins included."""
    commitment = (
        Commitment.objects.filter(pk=commitment_id, person=current_person(request))
        .select_related("person")
        .first()
    )
    if commitment is None:
        raise Http404("No such commitment.")
    return commitment


def _dashboard_context(request: HttpRequest) -> dict[str, Any]:
    person = current_person(request)
    profile = services.profile_for(person)
    today = services.local_today(person)
    # One query for the current commitments and the finished ones.
    mine = list(services.commitments_of(person_id=person.pk))
    commitments = [c for c in mine if c.status != Commitment.Status.FINISHED]
    latest = services.latest_assessment(person)
    plan = services.plans_of(person_id=person.pk).first()
    return {
        "profile": profile,
        "today": today,
        "progress": services.progress_of(
            commitments, today, services.check_ins_of_current(person_id=person.pk)
        ),
        "level": services.unlocked_level(person),
        "latest": latest,
        "plan": plan,
        "plan_defense": next(
            (d.name for d in assessment.DEFENSES if plan and d.slug == plan.defense), ""
        ),
        "capacity_form": CapacityForm(initial={"capacity": profile.capacity}),
        "capacity_message": dict((k, m) for k, _label, m in assessment.CAPACITY_LEVELS).get(
            profile.capacity, ""
        ),
        "finished": [c for c in mine if c.status == Commitment.Status.FINISHED],
    }


@require_GET
@member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "practice/dashboard.html", _dashboard_context(request))


@require_http_methods(["GET", "POST"])
@member_required
def take_assessment(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    form = AssessmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.take_assessment(
            person=person, answers=form.answers(), defense=form.cleaned_data["defense"]
        )
        count = Assessment.objects.filter(person=person).count()
        messages.success(
            request,
            _("Saved privately. This is your starting point.")
            if count == 1
            else _("Saved privately. See how your practice has moved."),
        )
        return redirect("growth")
    return render(
        request,
        "practice/assessment.html",
        {
            "form": form,
            "intro": assessment.INTRO,
            "defenses": assessment.DEFENSES,
            "scale": assessment.FREQUENCY_SCALE,
            "taken": Assessment.objects.filter(person=person).count(),
            "first_missing": next((field.name for field in form.missing()), ""),
        },
        status=400 if form.errors else 200,
    )


@require_GET
@member_required
def growth(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    assessments = list(Assessment.objects.filter(person=person).order_by("taken_at"))
    series = charts.growth_series(assessments)
    table = [
        {
            "name": info.name,
            "values": [(point.label, point.scores.get(info.slug)) for point in series],
        }
        for info in assessment.PRACTICES
    ]
    latest = assessments[-1] if assessments else None
    scores = assessment.practice_scores(latest.answers or {}) if latest else {}
    weakest = assessment.weakest_practice(scores)
    return render(
        request,
        "practice/growth.html",
        {
            "assessments": assessments,
            "series": series,
            "table": table,
            "svg": charts.growth_svg(series) if assessments else "",
            "weakest": next((p for p in assessment.PRACTICES if p.slug == weakest), None),
            "retake_note": assessment.RETAKE_NOTE,
            "defense": next(
                (d for d in assessment.DEFENSES if latest and d.slug == latest.defense), None
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@member_required
def action_plan(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    latest = services.latest_assessment(person)
    chosen = (
        request.POST.get("defense")
        or request.GET.get("defense")
        or (latest.defense if latest else assessment.DEFENSES[0].slug)
    )
    if chosen not in {d.slug for d in assessment.DEFENSES}:
        chosen = assessment.DEFENSES[0].slug
    form = ActionPlanForm(
        request.POST if request.method == "POST" else None, initial={"defense": chosen}
    )
    form.label_for(chosen)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.save_plan(
            person=person,
            defense=data["defense"],
            serves_me=data["serves_me"],
            costs=data["costs"],
            small_step=data["small_step"],
            when=data["when"],
            with_whom=data["with_whom"],
        )
        messages.success(
            request, _("Your plan is saved — only you can see it. Now pick one thing.")
        )
        return redirect("pick")
    return render(
        request,
        "practice/plan.html",
        {
            "form": form,
            "defense": next(d for d in assessment.DEFENSES if d.slug == chosen),
            "defenses": assessment.DEFENSES,
            "plans": ActionPlan.objects.filter(person=person)[:5],
        },
        status=400 if form.errors else 200,
    )


@require_POST
@member_required
def set_capacity(request: HttpRequest) -> HttpResponse:
    form = CapacityForm(request.POST)
    if form.is_valid():
        services.set_capacity(
            person=current_person(request), capacity=form.cleaned_data["capacity"]
        )
        messages.success(request, _("Thanks for checking in with yourself."))
    target = request.POST.get("next")
    return redirect("pick" if target == "pick" else "practice")


def _seen(request: HttpRequest) -> list[int]:
    return parse_ids(request.GET.get("seen", ""))[-50:]


@require_GET
@member_required
def pick(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    profile = services.profile_for(person)
    latest = services.latest_assessment(person)
    seen = _seen(request)
    recent = list(
        Commitment.objects.filter(person=person, tip__isnull=False)
        .order_by("-created_at")
        .values_list("tip_id", flat=True)[:20]
    )
    avoid = set(seen) | {t for t in recent if t is not None}
    if profile.last_suggested_tip_id:
        avoid.add(profile.last_suggested_tip_id)
    level = services.unlocked_level(person)
    prefs = suggest.Preferences(
        level=level,
        capacity=profile.capacity,
        weakest_practice=assessment.weakest_practice(
            assessment.practice_scores(latest.answers or {})
        )
        if latest
        else None,
        defense=latest.defense if latest else None,
        avoid=avoid,
    )
    tips = list(Tip.objects.visible_in(current_organisation(request)))
    tip = suggest.pick(tips, prefs)
    if tip is None and seen:
        # Everything fitting has been shown: start the round again rather than give up,
        # but never with the tip shown just before.
        again = set(recent)
        if profile.last_suggested_tip_id:
            again.add(profile.last_suggested_tip_id)
        tip = suggest.pick(tips, suggest.Preferences(**{**prefs.__dict__, "avoid": again}))
        seen = []
    if tip is not None:
        profile.last_suggested_tip = tip
        profile.save(update_fields=["last_suggested_tip"])
    context = {
        "tip": tip,
        "level": level,
        "profile": profile,
        "latest": latest,
        "capacity_form": CapacityForm(initial={"capacity": profile.capacity}),
        "low": profile.capacity == Capacity.LOW,
        "seen": ",".join(str(t) for t in [*seen, *([tip.pk] if tip else [])]),
        "commit_form": CommitForm(initial={"title": tip.title if tip else ""}),
    }
    template = "practice/pick.html#suggestion" if is_htmx(request) else "practice/pick.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@member_required
def commit(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    tip_id = request.POST.get("tip") or request.GET.get("tip")
    tip = None
    if tip_id:
        tip = (
            Tip.objects.visible_in(current_organisation(request))
            .filter(pk=parse_id(tip_id) or 0)
            .first()
        )
        if tip is None:
            raise Http404("No such tip.")
    form = CommitForm(
        request.POST if request.method == "POST" else None,
        initial={"title": tip.title if tip else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.commit(
            person=person,
            title=data["title"],
            practice=tip.practice if tip else (data["practice"] or Practice.DEEP_CURIOSITY),
            courage=tip.courage if tip else 1,
            cadence=data["cadence"],
            weekdays=data["weekdays"],
            cue=data["cue"],
            tip=tip,
        )
        messages.success(request, _("Committed. Small and steady beats big and rare."))
        return redirect("practice")
    return render(
        request,
        "practice/commit.html",
        {"form": form, "tip": tip},
        status=400 if form.errors else 200,
    )


@require_POST
@member_required
def check_in(request: HttpRequest, commitment_id: int) -> HttpResponse:
    commitment = _commitment(request, commitment_id)
    if commitment.status != Commitment.Status.ACTIVE:
        # Paused or finished since the page was shown: the page as it is now says so.
        messages.error(
            request, _("This commitment is paused or finished: there is nothing to check in.")
        )
        if is_htmx(request):
            return HttpResponseClientRedirect(reverse("practice"))
        return redirect("practice")
    form = CheckInForm(request.POST)
    if not form.is_valid():
        # The card comes back with the error beside the note, and the note as it was typed.
        errors = {"check_in_form": form, "check_in_for": commitment.pk}
        if is_htmx(request):
            [progress] = services.progress_of([commitment], commitment.owner_today())
            return render(
                request, "practice/dashboard.html#commitment", {"item": progress, **errors}
            )
        context = {**_dashboard_context(request), **errors}
        return render(request, "practice/dashboard.html", context, status=400)
    services.check_in(
        commitment=commitment, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
    )
    if is_htmx(request):
        [progress] = services.progress_of([commitment], commitment.owner_today())
        return render(
            request, "practice/dashboard.html#commitment", {"item": progress, "just_saved": True}
        )
    messages.success(request, _("Checked in. Every check-in counts, even “not yet”."))
    return redirect("practice")


@require_POST
@member_required
def change_commitment(request: HttpRequest, commitment_id: int, action: str) -> HttpResponse:
    commitment = _commitment(request, commitment_id)
    if action == "pause":
        commitment.pause()
        messages.success(request, _("Paused. No reminders, and nothing is lost."))
    elif action == "resume":
        commitment.resume()
        messages.success(request, _("Welcome back. The paused weeks don't count against you."))
    elif action == "take-up-again":
        commitment.take_up_again()
        messages.success(request, _("It's back on your list. The time in between doesn't count."))
    else:
        raise Http404("No such action.")
    return redirect("practice")


@require_http_methods(["GET", "POST"])
@member_required
def finish_commitment(request: HttpRequest, commitment_id: int) -> HttpResponse:
    """Finishing asks first (a page of its own, so it works without JavaScript), then shows
    the commitment's history, where it can be taken up again."""
    commitment = _commitment(request, commitment_id)
    if request.method == "POST":
        commitment.finish()
        messages.success(request, _("Finished. Well done for seeing it through."))
        return redirect("commitment", commitment_id=commitment.pk)
    if commitment.status == Commitment.Status.FINISHED:
        return redirect("commitment", commitment_id=commitment.pk)
    return render(request, "practice/finish.html", {"commitment": commitment})


@require_GET
@member_required
def commitment_history(request: HttpRequest, commitment_id: int) -> HttpResponse:
    """One commitment and every check-in with its private note, for its owner alone."""
    commitment = _commitment(request, commitment_id)
    return render(
        request,
        "practice/commitment.html",
        {"commitment": commitment, "check_ins": services.history_of(commitment)},
    )


@require_http_methods(["GET", "POST"])
@member_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    profile = services.profile_for(current_person(request))
    form = ReminderSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"reminders_on": profile.reminders_on, "reminder_hour": profile.reminder_hour},
    )
    if request.method == "POST" and form.is_valid():
        profile.reminders_on = form.cleaned_data["reminders_on"]
        profile.reminder_hour = form.cleaned_data["reminder_hour"]
        profile.save(update_fields=["reminders_on", "reminder_hour"])
        messages.success(request, _("Reminder settings saved."))
        return redirect("practice")
    status = 400 if form.errors else 200
    return render(
        request, "practice/settings.html", {"form": form, "profile": profile}, status=status
    )


def _is_own_page(request: HttpRequest, url: str) -> bool:
    return url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@require_http_methods(["GET", "POST"])
@member_required
def time_zone_settings(request: HttpRequest) -> HttpResponse:
    """Part of the profile; kept on the person, read with them on every request, so every
    page and every reminder shows times in it. A link from a page that shows times brings
    the person back there afterwards."""
    person = current_person(request)
    wanted = (request.POST if request.method == "POST" else request.GET).get("next", "")
    back = wanted if _is_own_page(request, wanted) else reverse("profile")
    form = TimeZoneForm(
        request.POST if request.method == "POST" else None,
        initial={"time_zone": person.usual_time_zone},
    )
    if request.method == "POST" and form.is_valid():
        person.time_zone = form.cleaned_data["time_zone"]
        person.save(update_fields=["time_zone"])
        messages.success(
            request,
            _("Saved. Times are now shown in %(zone)s.") % {"zone": person.time_zone},
        )
        return redirect(back)
    status = 400 if form.errors else 200
    return render(request, "practice/time_zone.html", {"form": form, "back": back}, status=status)


@require_http_methods(["GET", "POST"])
def quick_check_in(request: HttpRequest, check_in_token: str) -> HttpResponse:
    """The one-click page from a reminder e-mail. The signed link is enough to check in once;
    after that it says only that it has been used. Seeing the answer or the commitment's words,
    writing a note and changing the answer need its owner signed in."""
    found = reminders.read_check_in_token(check_in_token)
    commitment = (
        Commitment.objects.select_related("person").filter(pk=found[0]).first() if found else None
    )
    if (
        found is None
        or commitment is None
        or commitment.status == Commitment.Status.FINISHED
        or not commitment.person.is_active
    ):
        return render(request, "practice/quick_check_in_expired.html", status=404)
    period: date = found[1]
    # A day of the link's period: a weekly commitment made on a Wednesday has its first
    # period start on the Monday before it.
    day = max(period, commitment.started_on)
    owner = request.user.is_authenticated and request.user.pk == commitment.person_id
    done: CheckIn | None = None
    recorded = services.check_in_of(commitment, day)
    if request.method == "POST":
        form = CheckInForm(request.POST)
        try:
            if form.is_valid() and owner:
                done = services.check_in(
                    commitment=commitment,
                    outcome=form.cleaned_data["outcome"],
                    # Only a note field that was sent replaces the note.
                    note=form.cleaned_data["note"] if "note" in request.POST else None,
                    on=day,
                )
            elif form.is_valid():
                recorded, made = services.check_in_by_link(
                    commitment=commitment, outcome=form.cleaned_data["outcome"], on=day
                )
                done = recorded if made else None
        except ValidationError:
            return render(request, "practice/quick_check_in_expired.html", status=404)
    return render(
        request,
        "practice/quick_check_in.html",
        {
            "commitment": commitment,
            "owner": owner,
            "done": done,
            "recorded": recorded,
            "period": period,
        },
    )
