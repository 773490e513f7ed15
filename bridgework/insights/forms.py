from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy

from bridgework.cohorts.api import Cohort

from . import privacy_settings
from .models import Period
from .pulse import AGREEMENT_SCALE, ITEMS

ORGANISATION = "organisation"


class ListSelect(forms.Select):
    """A select for a choice per cohort. Django renders every option through a template of
    its own: 30 ms a page for 200 cohorts (bench/FINDINGS.md, F13). This writes the same
    markup in one pass; it has no option groups."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _, group, _ in widget["optgroups"]
                for option in group
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class ViewForm(forms.Form):
    """The choices of the dashboard: which view and which period, from fixed lists, and a
    search that narrows the list of cohorts."""

    cohort = forms.ChoiceField(label=gettext_lazy("View"), required=False, widget=ListSelect)
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=Period.choices, required=False)
    # Narrows the cohorts listed above when there are too many to list (views.PICKER_COHORTS).
    find = forms.CharField(
        label=gettext_lazy("Find a cohort by name"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(
        self, data: Any, *, cohorts: list[Cohort], organisation_view: bool, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        choices = [(ORGANISATION, gettext("The whole organisation"))] if organisation_view else []
        choices += [(str(c.pk), gettext("Cohort: %(name)s") % {"name": c.name}) for c in cohorts]
        field = self.fields["cohort"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean_period(self) -> str:
        return self.cleaned_data.get("period") or Period.QUARTER


class BudgetForm(forms.Form):
    """The monthly privacy budget (zCDP rho), within the floor and ceiling of settings."""

    monthly_rho = forms.FloatField(
        label=gettext_lazy("Monthly privacy budget (rho)"),
        help_text=gettext_lazy(
            "Larger means less noise and a weaker guarantee. Applies from the next monthly release."
        ),
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )

    def clean_monthly_rho(self) -> float:
        value = self.cleaned_data["monthly_rho"]
        low, high = privacy_settings.floor_rho(), privacy_settings.ceiling_rho()
        if not math.isfinite(value) or not low <= value <= high:
            raise forms.ValidationError(
                gettext("Choose a budget from %(low)s to %(high)s.")
                % {"low": number_format(low), "high": number_format(high)}
            )
        return float(value)


class PulseForm(forms.Form):
    """A program admin (any cohort, or everyone) or a facilitator (their cohorts) opens a
    pulse between two dates."""

    audience = forms.ChoiceField(label=gettext_lazy("Who is asked"), widget=ListSelect)
    opens_on = forms.DateField(
        label=gettext_lazy("Opens on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        label=gettext_lazy("Closes on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        data: Any,
        *,
        cohorts: list[Cohort],
        organisation_view: bool,
        today: date,
        zone: str,
        **kwargs: Any,
    ) -> None:
        """`today` and `zone`: the organisation's, on whose calendar every pulse runs."""
        initial = {"opens_on": today, "closes_on": today + timedelta(days=13)}
        super().__init__(data, initial=initial, **kwargs)
        before, _, after = gettext(
            "Both days count. For everyone, wherever they are, the pulse opens at midnight "
            "before the first day and closes at midnight after the last, in the "
            "organisation's time zone (%(zone)s)."
        ).partition("%(zone)s")
        # A zone's name is the same in every language.
        self.fields["closes_on"].help_text = format_html(
            '{}<bdi translate="no">{}</bdi>{}', before, zone, after
        )
        choices = (
            [(ORGANISATION, gettext("Every participant in the organisation"))]
            if organisation_view
            else []
        )
        choices += [(str(c.pk), gettext("Members of %(name)s") % {"name": c.name}) for c in cohorts]
        field = self.fields["audience"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if isinstance(opens, date) and isinstance(closes, date):
            if closes < opens:
                self.add_error("closes_on", gettext("Choose a day on or after the opening day."))
            elif (closes - opens).days > 60:
                self.add_error("closes_on", gettext("Keep a pulse open for at most 60 days."))
        return data


class AnswerForm(forms.Form):
    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        for item in ITEMS:
            self.fields[item.field] = forms.TypedChoiceField(
                label=str(item.text),
                choices=[(str(v), label) for v, label in AGREEMENT_SCALE],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": gettext("Choose how much you agree.")},
            )
