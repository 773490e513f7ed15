from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bridgework.accounts.fields import Textarea
from bridgework.curriculum.api import Practice
from bridgework.lib.habits import Cadence, Outcome

from . import assessment
from .models import Capacity

# Django's own abbreviations, translated in its catalogs: Mon, Tue, ... Sun.
WEEKDAYS = list(WEEKDAYS_ABBR.items())
CADENCE_CHOICES = [
    (Cadence.WEEKLY.value, _("Once a week")),
    (Cadence.DAILY.value, _("Every day")),
    (Cadence.WEEKDAYS.value, _("On the days I choose")),
    (Cadence.CUE.value, _("After something that happens anyway (a cue)")),
    (Cadence.ONCE.value, _("Just once")),
]
OUTCOME_CHOICES = [
    (Outcome.DONE.value, pgettext_lazy("check-in outcome", "Done")),
    (Outcome.PARTLY.value, pgettext_lazy("check-in outcome", "Partly")),
    (Outcome.NOT_YET.value, pgettext_lazy("check-in outcome", "Not yet")),
]


class AssessmentForm(forms.Form):
    """One radio group per item, on the frequency scale, and the defense that holds you back."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in assessment.ITEMS:
            self.fields[item.key] = forms.TypedChoiceField(
                label=item.text,
                choices=assessment.FREQUENCY_SCALE,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose how often, even roughly.")},
            )
        self.fields["defense"] = forms.ChoiceField(
            label=_("Which defense holds you back most right now?"),
            choices=[(d.slug, d.name) for d in assessment.DEFENSES],
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose the one that feels most familiar today.")},
        )

    def item_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Items grouped by practice, in the practices' order, for the template."""
        groups = []
        for info in assessment.PRACTICES:
            bound = [self[item.key] for item in assessment.ITEMS if item.practice == info.slug]
            groups.append((str(info.name), bound))
        return groups

    def answers(self) -> dict[str, int]:
        return {item.key: int(self.cleaned_data[item.key]) for item in assessment.ITEMS}

    def missing(self) -> list[forms.BoundField]:
        """The questions still without an answer, in the order they appear on the page."""
        return [self[name] for name in self.fields if name in self.errors]


class ActionPlanForm(forms.Form):
    defense = forms.ChoiceField(
        label=_("The defense this plan is about"),
        choices=[(d.slug, d.name) for d in assessment.DEFENSES],
    )
    serves_me = forms.CharField(required=False, max_length=2000, widget=Textarea({"rows": 3}))
    costs = forms.CharField(required=False, max_length=2000, widget=Textarea({"rows": 3}))
    small_step = forms.CharField(
        max_length=500,
        widget=Textarea({"rows": 2}),
        error_messages={"required": _("Write down one small step — it can be tiny.")},
    )
    when = forms.CharField(required=False, max_length=200)
    with_whom = forms.CharField(required=False, max_length=200)

    def label_for(self, defense: str) -> None:
        info = next((d for d in assessment.DEFENSES if d.slug == defense), assessment.DEFENSES[0])
        for key, question in info.plan_prompts.items():
            self.fields[key].label = question


class CapacityForm(forms.Form):
    capacity = forms.ChoiceField(
        label=_("How much do you have in the tank this week?"),
        choices=Capacity.choices,
        widget=forms.RadioSelect,
    )


class CommitForm(forms.Form):
    # A tip's action is often longer than a phone's width: a box of two lines shows it whole.
    title = forms.CharField(
        label=_("What will you do?"),
        max_length=300,
        widget=Textarea({"rows": 2}),
        error_messages={"required": _("Say in a few words what you will do.")},
    )
    cadence = forms.ChoiceField(
        label=_("How often?"),
        choices=CADENCE_CHOICES,
        initial=Cadence.WEEKLY.value,
        widget=forms.RadioSelect,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Which days?"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cue = forms.CharField(
        label=_("Which cue?"),
        required=False,
        max_length=200,
        help_text=_("For example: after my weekly 1:1, or when I open the team chat on Monday."),
    )
    # Only asked when the commitment is the person's own idea; a tip brings its practice.
    practice = forms.ChoiceField(
        label=_("Which practice is it closest to? (optional)"),
        choices=[("", _("Not sure")), *Practice.choices],
        required=False,
    )

    def clean_title(self) -> str:
        # One line, however it was typed into the box.
        return " ".join(self.cleaned_data["title"].split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cadence = data.get("cadence")
        # Days or a cue left over from another choice of "How often?" (the form shows them
        # only under their own choice) are not kept.
        if cadence != Cadence.WEEKDAYS:
            data["weekdays"] = []
        elif not data.get("weekdays"):
            self.add_error("weekdays", _("Choose at least one day."))
        if cadence != Cadence.CUE:
            data["cue"] = ""
        elif not (data.get("cue") or "").strip():
            self.add_error("cue", _("Say what the cue is, for example “after my weekly 1:1”."))
        return data


class CheckInForm(forms.Form):
    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES)
    note = forms.CharField(
        label=_("A private note (optional)"),
        required=False,
        max_length=1000,
        widget=Textarea({"rows": 2}),
    )


# Reading the time zone database walks the file system: once per process is enough.
@cache
def _time_zones() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("My time zone"),
        choices=_time_zones,
        help_text=_("Reminders, coffee-chat invites and the times on your pages follow it."),
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
    )


class ReminderSettingsForm(forms.Form):
    reminders_on = forms.BooleanField(label=_("Send me reminders"), required=False)
    reminder_hour = forms.TypedChoiceField(
        label=_("Remind me after"),
        choices=[(h, f"{h:02d}:00") for h in range(6, 22)],
        coerce=int,
    )
