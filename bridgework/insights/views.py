from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from bridgework.accounts.access import current_organisation, current_person, member_required
from bridgework.accounts.models import Person
from bridgework.cohorts.api import Cohort, Membership
from bridgework.lib import csvsafe
from bridgework.lib.ids import parse_id

from . import dashboard as board
from . import privacy_settings, releases, services
from .audit import audit_list
from .forms import ORGANISATION, AnswerForm, BudgetForm, PulseForm, ViewForm
from .models import AuditEntry, Period, Release, SafetyPulse, SafetyResponse
from .pulse import ATTRIBUTION, ITEMS
from .suppression_settings import min_cell

# --- access -------------------------------------------------------------------------------


# The view and pulse pickers list at most this many cohorts, the latest to start; a search by
# name reaches the others, so years of cohorts never make one long page.
PICKER_COHORTS = 50


@dataclass
class Viewer:
    person: Person
    scope: QuerySet[Cohort]  # every cohort the person may look at
    cohorts: list[Cohort]  # the ones the pickers list, by name
    organisation_view: bool
    has_cohorts: bool  # in scope at all, whatever a search found
    find: str  # the search the pickers' list came from ("" for none)

    @property
    def searchable(self) -> bool:
        """Whether to offer the search: the list was cut short, or a search is on."""
        return bool(self.find) or len(self.cohorts) >= PICKER_COHORTS


def _find(request: HttpRequest) -> str:
    """The cohort search as typed, with control characters as spaces: they never belong to
    a name, and PostgreSQL refuses NUL in a query."""
    raw = request.GET.get("find", "")
    return " ".join("".join(c if c.isprintable() else " " for c in raw).split())[:120]


def _viewer(request: HttpRequest, find: str = "") -> Viewer:
    """Program admins see the organisation and every cohort; facilitators only the cohorts
    they facilitate; everyone else has no business here. The pickers list the latest
    cohorts to start, or the latest whose names contain `find`."""
    person = current_person(request)
    organisation = current_organisation(request)
    if person.is_program_admin:
        scope = Cohort.objects.filter(organisation=organisation)
    elif person.is_facilitator:
        scope = Cohort.objects.filter(organisation=organisation, facilitators=person)
    else:
        raise PermissionDenied("Insights are for facilitators and program admins.")
    listed = scope.filter(name__icontains=find) if find else scope
    latest = listed.order_by("-start_date", "-pk")[:PICKER_COHORTS]
    cohorts = sorted(latest, key=lambda cohort: (cohort.name.casefold(), cohort.pk))
    has_cohorts = bool(cohorts) or (bool(find) and scope.exists())
    return Viewer(person, scope, cohorts, person.is_program_admin, has_cohorts, find)


@dataclass
class Choice:
    form: ViewForm  # with its errors when the choice is not valid
    cohort: Cohort | None
    period: str
    valid: bool = True


def _largest(cohorts: list[Cohort]) -> Cohort:
    """The cohort with the most members (the first by name among equals): the one whose
    figures are least often too few to show, so a facilitator does not open on a blank."""
    sizes = dict(
        Membership.objects.filter(cohort__in=cohorts, status=Membership.Status.MEMBER)
        .order_by()  # members are ordered by name: that would join every person to count
        .values("cohort")
        .annotate(n=Count("pk"))
        .values_list("cohort", "n")
    )
    return max(cohorts, key=lambda cohort: sizes.get(cohort.pk, 0))


def _list_asked(viewer: Viewer, raw: str | None) -> bool:
    """Lists the cohort `raw` names in the pickers if the person may look at it and it is not
    listed yet (one of the older cohorts, asked for by its id); False if they may not."""
    pk = parse_id(raw)
    if pk is None:
        return True
    if any(c.pk == pk for c in viewer.cohorts):
        return True
    asked = viewer.scope.filter(pk=pk).first()
    if asked is not None:
        viewer.cohorts.insert(0, asked)
    return asked is not None


def _choose(request: HttpRequest, viewer: Viewer) -> Choice:
    """The view asked for, not `valid` when the form is not. A cohort the person cannot see
    is a 404, whether it exists in another organisation or not at all. A cohort asked for
    by its id is listed in the picker even when it is not among the latest; after a search,
    the latest match is shown unless the cohort asked for is one of the matches."""
    found_nothing = bool(viewer.find) and not viewer.cohorts
    raw = request.GET.get("cohort", "")
    pk = parse_id(raw)
    listed = pk is not None and any(c.pk == pk for c in viewer.cohorts)
    if viewer.find and viewer.cohorts and not listed:
        raw = str(max(viewer.cohorts, key=lambda c: (c.start_date, c.pk)).pk)
    elif pk is not None and not listed and not _list_asked(viewer, raw):
        raise Http404("No such cohort.")
    if raw == ORGANISATION and not viewer.organisation_view:
        raise Http404("No organisation-wide view for facilitators.")
    data_in = request.GET.copy() if request.GET else None
    if data_in is not None:
        data_in["cohort"] = raw
        data_in["find"] = viewer.find
    form = ViewForm(data_in, cohorts=viewer.cohorts, organisation_view=viewer.organisation_view)
    if request.GET and not form.is_valid():
        return Choice(form, None, Period.QUARTER, valid=False)
    if found_nothing:
        form.add_error("find", gettext("No cohort's name contains that. Try part of it."))
        return Choice(form, None, Period.QUARTER, valid=False)
    data = form.cleaned_data if request.GET else {}
    chosen = data.get("cohort") or (
        ORGANISATION
        if viewer.organisation_view
        else (str(_largest(viewer.cohorts).pk) if viewer.cohorts else "")
    )
    if chosen == ORGANISATION and not viewer.organisation_view:
        raise Http404("No organisation-wide view for facilitators.")
    cohort = next((c for c in viewer.cohorts if str(c.pk) == chosen), None)
    period = data.get("period") or Period.QUARTER
    if not request.GET:
        form = ViewForm(
            {"cohort": chosen, "period": period},
            cohorts=viewer.cohorts,
            organisation_view=viewer.organisation_view,
        )
        form.is_valid()
    return Choice(form, cohort, period)


def _view_name(cohort: Cohort | None) -> str:
    return f"cohort {cohort.pk}" if cohort else "organisation"


# --- the dashboard --------------------------------------------------------------------------


@require_GET
@member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request, _find(request))
    organisation = current_organisation(request)
    context: dict[str, object] = {"viewer": viewer, "attribution": ATTRIBUTION}
    if not viewer.organisation_view and not viewer.has_cohorts:
        return render(request, "insights/dashboard.html", context)
    choice = _choose(request, viewer)
    if not choice.valid:
        context["form"] = choice.form
        return render(request, "insights/dashboard.html", context, status=400)
    minimum = min_cell()
    result = board.build(
        organisation=organisation, cohort=choice.cohort, period=choice.period, minimum=minimum
    )
    services.audit(
        person=viewer.person,
        view=_view_name(choice.cohort),
        period=choice.period,
        format=AuditEntry.Format.PAGE,
    )
    query = f"cohort={choice.cohort.pk if choice.cohort else ORGANISATION}&period={choice.period}"
    if viewer.organisation_view:
        context["budget"] = releases.monthly_rho(organisation)
    context.update(
        too_few=board.TOO_FEW,
        form=choice.form,
        board=result,
        export_url=f"{reverse('insights_export')}?{query}",
        minimum=minimum,
    )
    return render(request, "insights/dashboard.html", context)


# --- the privacy budget -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def privacy(request: HttpRequest) -> HttpResponse:
    """Program admins choose the monthly budget and see what each release spent."""
    person = current_person(request)
    if not person.is_program_admin:
        raise PermissionDenied("The privacy budget is for program admins.")
    organisation = current_organisation(request)
    form = BudgetForm(
        request.POST if request.method == "POST" else None,
        initial={"monthly_rho": releases.monthly_rho(organisation)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_budget(
                organisation=organisation,
                monthly_rho=form.cleaned_data["monthly_rho"],
                changed_by=person,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("Saved. The next monthly release uses this budget."))
            return redirect("insights_privacy")
    made = list(Release.objects.filter(organisation=organisation).order_by("-month")[:24])
    return render(
        request,
        "insights/privacy.html",
        {
            "form": form,
            "releases": made,
            "floor": privacy_settings.floor_rho(),
            "ceiling": privacy_settings.ceiling_rho(),
            "default": privacy_settings.default_rho(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@member_required
def export(request: HttpRequest) -> HttpResponse:
    """Exactly the tables on the screen for the same view, hidden cells included as text."""
    viewer = _viewer(request)
    if not viewer.organisation_view and not viewer.has_cohorts:
        raise Http404("Nothing to export.")
    choice = _choose(request, viewer)
    if not choice.valid:
        return HttpResponse(gettext("Choose a view and a period from the lists."), status=400)
    minimum = min_cell()
    result = board.build(
        organisation=current_organisation(request),
        cohort=choice.cohort,
        period=choice.period,
        minimum=minimum,
    )
    services.audit(
        person=viewer.person,
        view=_view_name(choice.cohort),
        period=choice.period,
        format=AuditEntry.Format.CSV,
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    scope = f"cohort-{choice.cohort.pk}" if choice.cohort else "organisation"
    response["Content-Disposition"] = (
        f'attachment; filename="insights-{scope}-{choice.period}-{stamp}.csv"'
    )
    writer = csvsafe.writer(response)
    writer.writerow([gettext("View"), result.scope_label])
    writer.writerow([gettext("Period"), result.period_label])
    writer.writerow(
        [gettext("Released months"), " ".join(f"{m:%Y-%m}" for m in sorted(result.months))]
    )
    writer.writerow([gettext("Smallest group shown"), minimum])
    writer.writerow(
        [
            gettext("Noise"),
            gettext(
                "Every number is a sum of monthly releases with random noise added "
                "(docs/privacy.md); the noise scale is the standard deviation of that noise, "
                "and about 95%% of the time a count is within twice the scale of the truth."
            )
            % {},  # "%%" in the text is a percent sign
        ]
    )
    if result.not_released:
        writer.writerow([gettext("Not released"), result.not_released])
    writer.writerow([])
    writer.writerow(
        [
            gettext("Section"),
            gettext("Table"),
            gettext("Row"),
            gettext("Column"),
            gettext("Shown"),
            gettext("Noise scale (SD)"),
        ]
    )
    for section, table in result.tables():
        for row in table.rows:
            for header, value in zip(table.headers[1:], row[1:], strict=False):
                scale = "" if value.scale is None else f"{value.scale:.3f}"
                writer.writerow(
                    [section.title, table.caption, row[0].text, header, value.text, scale]
                )
    return response


@require_GET
@member_required
def audit(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    if not person.is_program_admin:
        raise PermissionDenied("The audit list is for program admins.")
    listed = audit_list(current_organisation(request), request.GET, request.GET.get("page"))
    return render(request, "insights/audit.html", {"audit": listed})


# --- the psychological-safety pulse ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def pulses(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    organisation = current_organisation(request)
    if request.method == "POST":
        _list_asked(viewer, request.POST.get("audience"))
    form = PulseForm(
        request.POST if request.method == "POST" else None,
        cohorts=viewer.cohorts,
        organisation_view=viewer.organisation_view,
        today=organisation.today(),
        zone=organisation.usual_time_zone,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            audience = form.cleaned_data["audience"]
            cohort = next((c for c in viewer.cohorts if str(c.pk) == audience), None)
            try:
                services.create_pulse(
                    organisation=organisation,
                    created_by=viewer.person,
                    cohort=cohort,
                    opens_on=form.cleaned_data["opens_on"],
                    closes_on=form.cleaned_data["closes_on"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    gettext(
                        "The pulse is planned. Participants see it on their home page while it "
                        "is open."
                    ),
                )
                return redirect("insights_pulses")
        status = 400
    listed = SafetyPulse.objects.filter(organisation=organisation).select_related("cohort")
    if not viewer.organisation_view:
        listed = listed.filter(cohort__in=viewer.scope)
    rows = list(listed[:50])
    return render(
        request,
        "insights/pulses.html",
        {
            "form": form,
            "pulses": rows,
            "today": organisation.today(),
            "items": ITEMS,
            "minimum": min_cell(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@member_required
def answer(request: HttpRequest, pulse_id: int) -> HttpResponse:
    person = current_person(request)
    pulse = (
        SafetyPulse.objects.filter(pk=pulse_id, organisation=current_organisation(request))
        .select_related("cohort")
        .first()
    )
    if pulse is None or not services.invited(person, pulse):
        raise Http404("No such pulse.")
    done = SafetyResponse.objects.filter(pulse=pulse, person=person).exists()
    is_open = pulse.is_open(current_organisation(request).today())
    month_full = not done and is_open and services.month_full_for(person, pulse)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if done or not is_open or month_full:
            return redirect("insights_pulse", pulse_id=pulse.pk)
        if form.is_valid():
            services.answer_pulse(pulse=pulse, person=person, answers=form.cleaned_data)
            messages.success(
                request, gettext("Thank you. Your answers are stored apart from your name.")
            )
            return redirect("home")
    return render(
        request,
        "insights/answer.html",
        {
            "pulse": pulse,
            "form": form,
            "done": done,
            "is_open": is_open,
            "month_full": services.SAFETY_MONTH_FULL if month_full else "",
            "attribution": ATTRIBUTION,
            "minimum": min_cell(),
        },
        status=400 if request.method == "POST" else 200,
    )
