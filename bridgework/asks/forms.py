from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.fields import Textarea, offer
from bridgework.community.api import Space
from bridgework.curriculum.api import Courage, Practice
from bridgework.lib.habits import Cadence


class AskForm(forms.Form):
    title = forms.CharField(
        label=_("In a line: what would help?"),
        max_length=200,
        help_text=_("For example: “Turn on captions when you share a video in a meeting”."),
    )
    body = forms.CharField(
        label=_("Say more"),
        max_length=4000,
        widget=Textarea(attrs={"rows": 6}),
        help_text=_(
            "Why it matters and what doing it looks like. Only people in this space see "
            "this; a facilitator may share a reworded version with allies, without names."
        ),
    )
    accept_guidelines = forms.BooleanField(
        label=_("I have read this space's guidelines and will follow them"), required=False
    )


class _AnonymisedFields(forms.Form):
    title = forms.CharField(label=_("Title allies will see"), max_length=200)
    body = forms.CharField(
        label=_("The ask, as allies will read it"),
        max_length=4000,
        widget=Textarea(attrs={"rows": 8}),
        help_text=_(
            "Write it in your own words. Leave out names, teams, dates, places and any "
            "detail that could point to the person who asked or to someone they mention. The "
            "author reads this wording and approves it before allies see it."
        ),
    )
    checked = forms.BooleanField(
        label=_("I have removed names and details that could identify anyone"),
        error_messages={"required": _("Please check the wording for identifying details first.")},
    )


class PublishForm(_AnonymisedFields):
    space = forms.ModelChoiceField(
        label=_("Publish to"),
        queryset=Space.objects.none(),
        empty_label=None,
        help_text=_("Allies' spaces that you facilitate."),
    )

    def __init__(self, *args: Any, spaces: list[Space], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["space"], Space.objects.filter(pk__in=[s.pk for s in spaces]))
        self.order_fields(["space", "title", "body", "checked"])


class EditPublishedForm(_AnonymisedFields):
    pass


class ApprovalForm(forms.Form):
    """The author's decision on the exact wording they were shown (its version)."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve and share")), ("decline", _("Decline"))],
        error_messages={"required": _("Choose whether to approve or decline the wording.")},
    )
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1)


RESPONSE_CADENCES = [
    (Cadence.ONCE.value, _("Once")),
    (Cadence.WEEKLY.value, _("Every week")),
    (Cadence.DAILY.value, _("Every day")),
    (Cadence.CUE.value, _("Whenever a cue comes up")),
]


class RespondForm(forms.Form):
    title = forms.CharField(
        label=_("What will you do?"),
        max_length=300,
        help_text=_("Your own words. It goes into your practice, where only you see it."),
    )
    practice = forms.ChoiceField(label=_("Which practice is it?"), choices=Practice.choices)
    courage = forms.TypedChoiceField(
        label=_("How much courage does it take?"), choices=Courage.choices, coerce=int, initial=1
    )
    cadence = forms.ChoiceField(
        label=_("How often?"),
        choices=RESPONSE_CADENCES,
        initial=Cadence.ONCE.value,
        widget=forms.RadioSelect,
    )
    cue = forms.CharField(
        label=_("Which cue? (for “Whenever a cue comes up”)"),
        required=False,
        max_length=200,
        help_text=_("For example: when I share my screen in a meeting."),
    )
    note = forms.CharField(
        label=_("A short note for this space (optional)"),
        required=False,
        max_length=280,
        widget=Textarea(attrs={"rows": 2}),
        help_text=_(
            "Others in this space see it with your name. The group that asked sees only "
            "how many allies responded."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cadence") == Cadence.CUE and not (data.get("cue") or "").strip():
            self.add_error("cue", _("Say what the cue is, for example “when I share my screen”."))
        return data
