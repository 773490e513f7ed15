"""The audit list of insights: who opened or exported which view, page by page, filtered.

Months are calendar months in the current time zone, the one the list shows times in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from bridgework.accounts.models import Organisation
from bridgework.cohorts.api import Cohort

from .models import AuditEntry

PER_PAGE = 50
MONTH_FORMAT = "%Y-%m"


class AuditFilterForm(forms.Form):
    """What happened and in which month; both optional, both from fixed lists."""

    kind = forms.ChoiceField(
        label=gettext_lazy("What"),
        required=False,
        choices=[
            ("", gettext_lazy("Views and exports")),
            (AuditEntry.Format.PAGE, gettext_lazy("Views of the dashboard")),
            (AuditEntry.Format.CSV, gettext_lazy("CSV exports")),
        ],
    )
    month = forms.ChoiceField(label=gettext_lazy("Month"), required=False)

    def __init__(self, data: Any, *, months: list[date], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        field = self.fields["month"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext("Any month"))] + [
            (month.strftime(MONTH_FORMAT), date_format(month, "F Y")) for month in months
        ]
        field.error_messages["invalid_choice"] = gettext("Choose a month from the list.")
        kind = self.fields["kind"]
        kind.error_messages["invalid_choice"] = gettext("Choose views, exports or both.")

    def clean_month(self) -> date | None:
        raw = self.cleaned_data.get("month")
        return datetime.strptime(raw, MONTH_FORMAT).date() if raw else None


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    who: str
    view: str
    period: str
    how: str


@dataclass(frozen=True)
class AuditList:
    form: AuditFilterForm
    rows: list[AuditRow]
    page: Page[AuditEntry]
    filtered: bool
    # The filters as a query string, for the links to other pages.
    query: str


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime(month.year, month.month, 1), zone),
        timezone.make_aware(datetime(following.year, following.month, 1), zone),
    )


def audit_list(organisation: Organisation, data: Any, page_number: str | None) -> AuditList:
    """One page of the organisation's audit entries, newest first. Four queries, whatever
    the number of entries: the months, the count, the page, the cohorts' names."""
    entries = AuditEntry.objects.filter(organisation=organisation)
    months = [moment.date() for moment in entries.datetimes("at", "month", order="DESC")]
    form = AuditFilterForm(data, months=months)
    form.is_valid()
    # Whatever was valid applies; an invalid choice shows its message and filters nothing.
    kind = form.cleaned_data.get("kind") or ""
    month = form.cleaned_data.get("month")
    if kind:
        entries = entries.filter(format=kind)
    if month is not None:
        start, end = _month_bounds(month)
        entries = entries.filter(at__gte=start, at__lt=end)
    page = Paginator(entries.select_related("person"), PER_PAGE).get_page(page_number)
    names = dict(Cohort.objects.filter(organisation=organisation).values_list("pk", "name"))
    query = {"kind": kind, "month": month.strftime(MONTH_FORMAT) if month else ""}
    return AuditList(
        form=form,
        rows=[_row(entry, names) for entry in page.object_list],
        page=page,
        filtered=bool(kind or month),
        query=urlencode({key: value for key, value in query.items() if value}),
    )


def _row(entry: AuditEntry, cohort_names: dict[int, str]) -> AuditRow:
    if entry.view.startswith("cohort "):
        name = cohort_names.get(int(entry.view.split()[1]))
        view = (
            gettext("Cohort: %(name)s") % {"name": name}
            if name is not None
            else gettext("A removed cohort")
        )
    else:
        view = gettext("The whole organisation")
    return AuditRow(
        at=entry.at,
        who=entry.person.chosen_name if entry.person else gettext("A removed account"),
        view=view,
        period=entry.get_period_display(),
        how=entry.get_format_display(),
    )
