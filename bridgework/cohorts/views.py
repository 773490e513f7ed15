from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from bridgework.accounts import picker
from bridgework.accounts.access import current_organisation, current_person, member_required
from bridgework.accounts.models import Organisation
from bridgework.curriculum.api import ReflectionPrompt
from bridgework.lib.htmx import is_htmx
from bridgework.lib.ids import parse_id
from bridgework.lib.markdown import render as render_markdown
from bridgework.lib.pager import page_of

from . import queries, services
from .forms import (
    AttendanceForm,
    CohortForm,
    CohortSettingsForm,
    EnrolForm,
    NoteForm,
    PulseForm,
    RunItemForm,
    SessionForm,
    members_of,
)
from .models import (
    Attendance,
    CalendarFeed,
    Cohort,
    Membership,
    RunItem,
    Session,
    may_lead,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

COHORTS_PER_PAGE = 20
# A cohort's page lists its members a page at a time, and the oldest requests to join:
# deciding on those brings the next ones up.
MEMBERS_PER_PAGE = 50
REQUESTS_SHOWN = 20

# --- access -------------------------------------------------------------------------------


def _cohort(request: HttpRequest, cohort_id: int, *, manage: bool = False) -> Cohort:
    """A cohort the person may see (or manage); anything else is a 404."""
    person = current_person(request)
    cohorts = Cohort.objects.managed_by(person) if manage else Cohort.objects.visible_to(person)
    cohort = cohorts.filter(pk=cohort_id).select_related("organisation").first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def _shown_cohort(
    request: HttpRequest, cohort_id: int, *, manage: bool = False
) -> WithAnnotations[Cohort, queries.Shown]:
    """`_cohort`, for its page."""
    cohort = queries.shown_cohort(current_person(request), cohort_id, manage=manage)
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


@dataclass(frozen=True)
class Seat:
    """Where the signed-in person sits in a session: running its cohort, a member, or both."""

    managed: bool
    member: bool


def _session(request: HttpRequest, session_id: int, *, manage: bool = False) -> Session:
    return _session_and_seat(request, session_id, manage=manage)[0]


def _session_and_seat(
    request: HttpRequest, session_id: int, *, manage: bool = False
) -> tuple[Session, Seat]:
    """Sessions are for the cohort's members and the people who run it."""
    person = current_person(request)
    found = queries.session_with_seat(person, session_id)
    if found is None:
        raise Http404("No such session.")
    session = found
    managed, member = found.managed, found.member
    if not managed and (manage or not member):
        raise Http404("No such session.")
    return session, Seat(managed=managed, member=member)


def _item(session: Session, item_id: int) -> RunItem:
    item = RunItem.objects.filter(pk=item_id, session=session).select_related("session").first()
    if item is None:
        raise Http404("No such item.")
    return item


def _step(raw: str, count: int) -> int:
    """A run-of-show step from the address: plain ASCII digits within the plan, else the
    first step (a mistyped or crafted address is not worth an error page)."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        return 1
    return min(max(int(raw), 1), max(count, 1))


# --- cohorts --------------------------------------------------------------------------------


@require_GET
@member_required
def cohorts(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    page = page_of(queries.listed_for(person), request.GET.get("page"), COHORTS_PER_PAGE)
    rows = page.object_list
    return render(
        request,
        "cohorts/list.html",
        {
            "page": page,
            "mine": [cohort for cohort in rows if cohort.is_mine],
            "others": [cohort for cohort in rows if not cohort.is_mine],
            "may_lead": may_lead(person),
        },
    )


def _usual_time_zones(organisation: Organisation) -> list[str]:
    """The organisation's zones, the usual one first: the one set in its settings, else the
    one most of its cohorts meet in, else the server's (BRIDGEWORK_TIME_ZONE)."""
    in_use = Cohort.objects.in_organisation(organisation).time_zones_in_use()
    if organisation.time_zone:
        return [
            organisation.time_zone,
            *(zone for zone in in_use if zone != organisation.time_zone),
        ]
    return in_use or [settings.TIME_ZONE]


def _typed(data: QueryDict) -> dict[str, Any]:
    """What was typed into the form, to show it again as it was (a search is not a submit,
    so nothing is checked or complained about yet)."""
    many = {"modules", "facilitators"}
    return {key: data.getlist(key) if key in many else data.get(key) for key in data}


@require_http_methods(["GET", "POST"])
@member_required
def cohort_new(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    if not may_lead(person):
        raise PermissionDenied("Facilitators and program admins start cohorts.")
    organisation = current_organisation(request)
    zones = _usual_time_zones(organisation)
    searching = request.method == "POST" and "find" in request.POST
    submitted = request.POST if request.method == "POST" and not searching else None
    typed = {"initial": _typed(request.POST)} if searching else {}
    form = CohortForm(submitted, organisation=organisation, time_zone=zones[0], **typed)
    chosen = request.POST.getlist("members")[:500] if request.method == "POST" else []
    people = picker.build(
        organisation, query=request.POST.get("member_search", ""), chosen_ids=chosen
    )
    if searching and is_htmx(request):
        return render(request, "cohorts/new.html#member_results", {"picker": people})
    if submitted is not None and form.is_valid():
        data = form.cleaned_data
        cohort = services.create_cohort(
            organisation=organisation,
            created_by=person,
            name=data["name"],
            description=data["description"],
            start_date=data["start_date"],
            start_time=data["start_time"],
            time_zone=data["time_zone"],
            duration_minutes=data["duration_minutes"],
            cadence_rule=data["cadence"],
            session_count=data["session_count"],
            modules=data["modules"],
            facilitators=data["facilitators"],
            members=data["members"],
            open_to_join=data["open_to_join"],
        )
        messages.success(
            request,
            gettext("“%(cohort)s” is ready, with its sessions planned.") % {"cohort": cohort.name},
        )
        return redirect("cohort", cohort.pk)
    context = {"form": form, "picker": people, "zones": zones}
    return render(request, "cohorts/new.html", context, status=400 if form.errors else 200)


def _cohort_context(
    request: HttpRequest, cohort: WithAnnotations[Cohort, queries.Shown], **extra: Any
) -> dict[str, Any]:
    """What the cohort's page shows."""
    managed = cohort.manages
    is_member = cohort.my_status == Membership.Status.MEMBER
    requests = []
    if managed:
        requests = queries.asking_to_join(cohort_id=cohort.pk)[: REQUESTS_SHOWN + 1]
    members = None
    if managed or is_member:
        members = page_of(
            queries.members_of(cohort_id=cohort.pk), request.GET.get("page"), MEMBERS_PER_PAGE
        )
    sessions = list(queries.sessions_of(cohort_id=cohort.pk))
    context = {
        "cohort": cohort,
        "managed": managed,
        "waiting": cohort.my_status == Membership.Status.REQUESTED,
        "is_member": is_member,
        "members": members,
        "requests": requests[:REQUESTS_SHOWN],
        "more_requests": len(requests) > REQUESTS_SHOWN,
        "sessions": sessions,
        "facilitators": list(queries.facilitators_of(cohort_id=cohort.pk)),
        "modules": list(queries.modules_of(cohort_id=cohort.pk)),
        "now": timezone.now(),
    }
    if managed:
        context.setdefault("enrol_form", EnrolForm(cohort=cohort))
        context.setdefault("enrol_picker", _enrol_picker(request, cohort))
    context.update(extra)
    return context


def _enrol_picker(request: HttpRequest, cohort: Cohort) -> picker.Picker:
    """The "Add people" picker: people found by name, never a list of everyone."""
    posted = request.method == "POST"
    return picker.build(
        cohort.organisation,
        query=request.POST.get("member_search", "") if posted else "",
        chosen_ids=request.POST.getlist("people")[:500] if posted else [],
        leave_out=members_of(cohort),
    )


@require_GET
@member_required
def cohort(request: HttpRequest, cohort_id: int) -> HttpResponse:
    found = _shown_cohort(request, cohort_id)
    return render(request, "cohorts/cohort.html", _cohort_context(request, found))


@require_POST
@member_required
def enrol(request: HttpRequest, cohort_id: int) -> HttpResponse:
    found = _shown_cohort(request, cohort_id, manage=True)
    if "find" in request.POST:
        # A search, not a submit: show the results, keep what was typed, check nothing.
        people = _enrol_picker(request, found)
        if is_htmx(request):
            context = {"picker": people, "prefix": "enrol", "field_name": "people"}
            return render(request, "includes/people_picker_results.html", context)
        typed = EnrolForm(cohort=found, initial={"emails": request.POST.get("emails", "")})
        context = _cohort_context(request, found, enrol_form=typed, enrol_picker=people)
        return render(request, "cohorts/cohort.html", context)
    form = EnrolForm(request.POST, cohort=found)
    if form.is_valid():
        added = services.enrol(cohort=found, people=form.chosen())
        messages.success(
            request,
            ngettext("Added %(count)s person.", "Added %(count)s people.", added) % {"count": added}
            if added
            else gettext("Everyone you chose was already in this cohort."),
        )
        return redirect("cohort", found.pk)
    context = _cohort_context(request, found, enrol_form=form)
    return render(request, "cohorts/cohort.html", context, status=400)


@require_POST
@member_required
def join(request: HttpRequest, cohort_id: int) -> HttpResponse:
    found = _cohort(request, cohort_id)
    person = current_person(request)
    if Membership.objects.filter(cohort=found, person=person).exists():
        messages.info(
            request, gettext("You are already in this cohort, or your request is waiting.")
        )
    else:
        try:
            services.request_to_join(cohort=found, person=person)
            messages.success(
                request, gettext("Thanks — a facilitator will look at your request soon.")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("cohort", found.pk)


@require_POST
@member_required
def membership(request: HttpRequest, cohort_id: int, decision: str) -> HttpResponse:
    """Let in or decline someone asking to join: the cohort's page lists them in one form,
    each button naming its membership."""
    found = _cohort(request, cohort_id, manage=True)
    if decision not in {"approve", "decline"}:
        raise Http404("No such decision.")
    membership_id = parse_id(request.POST.get("membership"))
    row = (
        Membership.objects.filter(
            pk=membership_id, cohort=found, status=Membership.Status.REQUESTED
        )
        .select_related("person")
        .first()
        if membership_id is not None
        else None
    )
    if row is None:
        return _no_longer_listed(request, found)
    name = row.person.chosen_name
    row.decide(approve=decision == "approve")
    messages.success(
        request,
        (
            gettext("%(name)s is now a member.")
            if decision == "approve"
            else gettext("Declined %(name)s's request.")
        )
        % {"name": name},
    )
    return redirect("cohort", found.pk)


def _no_longer_listed(request: HttpRequest, found: Cohort) -> HttpResponse:
    # Another facilitator got there first, or the page was old.
    messages.info(request, gettext("Nothing changed: that person is no longer on the list."))
    return redirect("cohort", found.pk)


@require_http_methods(["GET", "POST"])
@member_required
def member_remove(request: HttpRequest, cohort_id: int, member_id: int) -> HttpResponse:
    """Asks first: to come back, a removed member asks to join again or is added anew."""
    found = _cohort(request, cohort_id, manage=True)
    row = (
        Membership.objects.filter(pk=member_id, cohort=found, status=Membership.Status.MEMBER)
        .select_related("person")
        .first()
    )
    if row is None:
        return _no_longer_listed(request, found)
    if request.method == "GET":
        return render(request, "cohorts/member_remove.html", {"cohort": found, "membership": row})
    services.remove_member(membership=row)
    messages.success(
        request,
        gettext("%(name)s is no longer in this cohort.") % {"name": row.person.chosen_name},
    )
    return redirect("cohort", found.pk)


@require_http_methods(["GET", "POST"])
@member_required
def cohort_settings(request: HttpRequest, cohort_id: int) -> HttpResponse:
    found = _cohort(request, cohort_id, manage=True)
    form = CohortSettingsForm(request.POST if request.method == "POST" else None, cohort=found)
    if request.method == "POST" and form.is_valid():
        services.update_cohort(cohort=found, **form.cleaned_data)
        messages.success(request, gettext("Saved the cohort's settings."))
        return redirect("cohort", found.pk)
    return render(
        request,
        "cohorts/settings.html",
        {"cohort": found, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@member_required
def add_session(request: HttpRequest, cohort_id: int) -> HttpResponse:
    found = _cohort(request, cohort_id, manage=True)
    try:
        session = services.add_session(cohort=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cohort", found.pk)
    messages.success(
        request,
        gettext("Added session %(number)s. Check its date and plan.") % {"number": session.number},
    )
    return redirect("cohort_session_edit", session.pk)


# --- sessions -------------------------------------------------------------------------------


def _total_minutes(items: list[RunItem]) -> int:
    return sum(item.minutes for item in items)


@require_GET
@member_required
def session(request: HttpRequest, session_id: int) -> HttpResponse:
    found, seat = _session_and_seat(request, session_id)
    person = current_person(request)
    now = timezone.now()
    items = list(found.items.all())
    context: dict[str, Any] = {
        "session": found,
        "seat": seat,
        "items": items,
        "total": _total_minutes(items),
        # A session that has ended has no use in anyone's calendar.
        "held": found.ends_at < now,
    }
    if seat.member:
        standing = services.pulse_standing(session=found, person=person)
        context |= {
            "check_in_open": found.check_in_open(now),
            "checked_in": Attendance.objects.filter(
                session=found, person=person, status=Attendance.Status.PRESENT
            ).exists(),
            "pulse_open": found.pulse_open(now),
            "pulse_later": found.pulse_not_yet_open(now),
            # Those who run the cohort read its results, and never answer.
            "may_answer": not seat.managed and services.may_answer(found, person),
            "answered": standing.answered,
            # An answer would be refused: the page says so rather than offer the form.
            "month_full": services.FEEDBACK_MONTH_FULL if standing.month_full else "",
        }
    if seat.managed:
        context["summary"] = services.pulse_summary(found, now=now)
        context["present"] = Attendance.objects.filter(
            session=found, status=Attendance.Status.PRESENT
        ).count()
    return render(request, "cohorts/session.html", context)


@require_http_methods(["GET", "POST"])
@member_required
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _session(request, session_id, manage=True)
    fixed_time = found.was_attended
    form = SessionForm(
        request.POST if request.method == "POST" else None, session=found, fixed_time=fixed_time
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.update_session(
                session=found,
                on=data["on"],
                at=data["at"],
                time_zone=data["time_zone"],
                duration_minutes=data["duration_minutes"],
                location=data["location"],
                video_link=data["video_link"],
                module=data["module"],
            )
        except ValidationError as error:
            # Someone was marked present, or checked in, while the form was open.
            form.add_error(None, error)
        else:
            messages.success(
                request,
                gettext("Saved. Calendar invites now show the change.")
                if changed
                else gettext("Saved. Nothing in the invite changed."),
            )
            return redirect("cohort_session", found.pk)
    return render(
        request,
        "cohorts/session_edit.html",
        {"session": found, "form": form, "fixed_time": fixed_time},
        status=400 if form.errors else 200,
    )


def _plan_context(found: Session, **extra: Any) -> dict[str, Any]:
    items = list(found.items.all())
    total = _total_minutes(items)
    return {
        "session": found,
        "items": items,
        "total": total,
        "left": found.duration_minutes - total,
        "form": RunItemForm(),
        **extra,
    }


@require_http_methods(["GET", "POST"])
@member_required
def run_of_show(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _session(request, session_id, manage=True)
    if request.method == "POST":
        form = RunItemForm(request.POST)
        if form.is_valid():
            services.add_item(session=found, **form.cleaned_data)
            messages.success(
                request, gettext("Added “%(title)s”.") % {"title": form.cleaned_data["title"]}
            )
            return redirect("cohort_run_of_show", found.pk)
        return render(
            request, "cohorts/run_of_show.html", _plan_context(found, form=form), status=400
        )
    return render(request, "cohorts/run_of_show.html", _plan_context(found))


@require_POST
@member_required
def item_move(request: HttpRequest, session_id: int, item_id: int, direction: str) -> HttpResponse:
    found = _session(request, session_id, manage=True)
    if direction not in {"up", "down"}:
        raise Http404("No such direction.")
    item = RunItem.objects.filter(pk=item_id, session=found).select_related("session").first()
    if item is None:
        # Removed since the page was shown (by a co-facilitator, say): the plan as it is now.
        gone = gettext("That part is no longer in the plan.")
        if is_htmx(request):
            context = _plan_context(found, gone=gone)
            return render(request, "cohorts/run_of_show.html#run_of_show", context)
        messages.error(request, gone)
        return redirect("cohort_run_of_show", found.pk)
    services.move_item(item=item, direction=direction)
    if is_htmx(request):
        moved = (
            gettext("Moved “%(title)s” up.")
            if direction == "up"
            else gettext("Moved “%(title)s” down.")
        ) % {"title": item.title}
        return render(
            request,
            "cohorts/run_of_show.html#run_of_show",
            _plan_context(found, moved=moved, focus=f"{direction}-{item.pk}"),
        )
    return redirect("cohort_run_of_show", found.pk)


@require_http_methods(["GET", "POST"])
@member_required
def item_edit(request: HttpRequest, session_id: int, item_id: int) -> HttpResponse:
    found = _session(request, session_id, manage=True)
    item = _item(found, item_id)
    form = RunItemForm(
        request.POST if request.method == "POST" else None,
        initial={"title": item.title, "minutes": item.minutes, "body": item.body},
    )
    if request.method == "POST" and form.is_valid():
        services.update_item(item=item, **form.cleaned_data)
        messages.success(request, gettext("Saved “%(title)s”.") % {"title": item.title})
        return redirect("cohort_run_of_show", found.pk)
    return render(
        request,
        "cohorts/item_edit.html",
        {"session": found, "item": item, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@member_required
def item_remove(request: HttpRequest, session_id: int, item_id: int) -> HttpResponse:
    """Asks first: a part's notes go with it."""
    found = _session(request, session_id, manage=True)
    item = _item(found, item_id)
    if request.method == "GET":
        return render(request, "cohorts/item_remove.html", {"session": found, "item": item})
    services.remove_item(item=item)
    messages.success(request, gettext("Removed “%(title)s”.") % {"title": item.title})
    return redirect("cohort_run_of_show", found.pk)


@require_GET
@member_required
def facilitate(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _session(request, session_id, manage=True)
    note = services.note_for(session=found, author=current_person(request))
    return _facilitate_page(
        request, found, request.GET.get("step", "1"), NoteForm(initial={"text": note})
    )


def _facilitate_page(
    request: HttpRequest, found: Session, raw_step: str, note_form: NoteForm
) -> HttpResponse:
    items = list(found.items.all())
    step = _step(raw_step, len(items))
    current = items[step - 1] if items else None
    return render(
        request,
        "cohorts/facilitate.html",
        {
            "session": found,
            "items": items,
            "step": step,
            "current": current,
            "body_html": render_markdown(current.body) if current else "",
            "previous_step": step - 1 if step > 1 else None,
            "next_step": step + 1 if step < len(items) else None,
            "next_item": items[step] if step < len(items) else None,
            "elapsed": _total_minutes(items[: step - 1]),
            "total": _total_minutes(items),
            "note_form": note_form,
        },
        status=400 if note_form.errors else 200,
    )


@require_POST
@member_required
def notes(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _session(request, session_id, manage=True)
    form = NoteForm(request.POST)
    raw_step = request.POST.get("step", "1")
    if not form.is_valid():
        if is_htmx(request):
            # The form comes back with its error and what was typed, in place of the form.
            step = _step(raw_step, found.items.count())
            context = {"session": found, "step": step, "note_form": form}
            response = render(request, "cohorts/facilitate.html#notes-form", context)
            return retarget(reswap(response, "outerHTML"), "#notes-form")
        return _facilitate_page(request, found, raw_step, form)
    services.save_note(
        session=found, author=current_person(request), text=form.cleaned_data["text"]
    )
    if is_htmx(request):
        # The field comes back too, so that an error shown by an earlier try goes away.
        page = "cohorts/facilitate.html"
        status = render_to_string(f"{page}#note_status", {"saved_at": timezone.now()}, request)
        field = render_to_string(f"{page}#note-field", {"note_form": form, "oob": True}, request)
        return HttpResponse(status + field)
    messages.success(request, gettext("Notes saved, for your eyes only."))
    step = _step(raw_step, found.items.count())
    return redirect(reverse("cohort_facilitate", args=[found.pk]) + f"?step={step}")


@require_GET
@member_required
def handout(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _session(request, session_id)
    items = list(found.items.all())
    prompts = (
        list(ReflectionPrompt.objects.active().filter(module_id=found.module_id))
        if found.module_id
        else []
    )
    agreements = next((i for i in items if i.kind == RunItem.Kind.AGREEMENTS), None)
    text = agreements.body if agreements else ""
    # The handout keeps the agreements themselves, not the facilitator's "read these aloud".
    listed = "\n".join(line for line in text.splitlines() if line.startswith("- "))
    return render(
        request,
        "cohorts/handout.html",
        {
            "session": found,
            "questions": [i for i in items if i.kind == RunItem.Kind.QUESTION],
            "prompts": prompts,
            "agreements": agreements,
            "agreements_html": render_markdown(listed or text),
        },
    )


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@member_required
def invite(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _session(request, session_id)
    return _ics(services.session_invite(found), f"bridgework-session-{found.pk}.ics")


@require_http_methods(["GET", "POST"])
@member_required
def attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _session(request, session_id, manage=True)
    members = [
        m.person
        for m in Membership.objects.filter(
            cohort_id=found.cohort_id, status=Membership.Status.MEMBER
        ).select_related("person")
    ]
    rows = Attendance.objects.filter(session=found)
    current = {row.person_id: row.status for row in rows}
    sources = {row.person_id: row.source for row in rows}
    form = AttendanceForm(
        request.POST if request.method == "POST" else None, members=members, current=current
    )
    if request.method == "POST" and form.is_valid():
        rest_present = request.POST.get("unmarked") == Attendance.Status.PRESENT
        services.mark_attendance(
            session=found, marks=form.marks(unmarked="present" if rest_present else "")
        )
        messages.success(request, gettext("Attendance saved."))
        return redirect("cohort_attendance", found.pk)
    return render(
        request,
        "cohorts/attendance.html",
        {
            "session": found,
            "form": form,
            "rows": [(form[f"person_{p.pk}"], sources.get(p.pk)) for p in members],
            "present": sum(1 for s in current.values() if s == Attendance.Status.PRESENT),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@member_required
def check_in(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _session(request, session_id)
    try:
        services.self_check_in(session=found, person=current_person(request))
        messages.success(request, gettext("You're checked in. Welcome!"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cohort_session", found.pk)


@require_http_methods(["GET", "POST"])
@member_required
def pulse(request: HttpRequest, session_id: int) -> HttpResponse:
    found, seat = _session_and_seat(request, session_id)
    person = current_person(request)
    if not seat.member or not found.pulse_open(timezone.now()):
        return render(request, "cohorts/pulse_closed.html", {"session": found}, status=404)
    if services.has_answered(session=found, person=person):
        return render(request, "cohorts/pulse_done.html", {"session": found})
    if not services.may_answer(found, person):
        reason = (
            services.READERS_DO_NOT_ANSWER
            if services.reads_pulse_results(found, person)
            else services.NOT_THERE
        )
        context = {"session": found, "reason": reason}
        return render(request, "cohorts/pulse_closed.html", context, status=404)
    if services.month_of_feedback_full(session=found, person=person):
        context = {"session": found, "month_full": services.FEEDBACK_MONTH_FULL}
        return render(request, "cohorts/pulse_done.html", context)
    form = PulseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.answer_pulse(session=found, person=person, **form.cleaned_data)
        return render(request, "cohorts/pulse_done.html", {"session": found, "just_now": True})
    return render(
        request,
        "cohorts/pulse.html",
        {"session": found, "form": form},
        status=400 if form.errors else 200,
    )


# --- calendar feed --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_feed(person=person)
            messages.success(request, gettext("Your calendar address no longer works."))
            return redirect("cohort_calendar")
        token = services.create_feed(person=person)
        # The secret is shown this once, in this response: only its hash is stored.
        new_url = request.build_absolute_uri(reverse("cohort_feed", args=[token]))
        return render(
            request,
            "cohorts/calendar.html",
            {"feed": CalendarFeed.objects.filter(person=person).first(), "new_url": new_url},
        )
    return render(
        request,
        "cohorts/calendar.html",
        {"feed": CalendarFeed.objects.filter(person=person).first(), "new_url": None},
    )


@require_GET
def calendar_feed(request: HttpRequest, feed_token: str) -> HttpResponse:
    """Calendar apps fetch this without signing in: the secret in the address is the key."""
    person = services.person_for_feed(feed_token)
    if person is None:
        raise Http404("No such calendar.")
    response = HttpResponse(
        services.person_calendar(person), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    return response
