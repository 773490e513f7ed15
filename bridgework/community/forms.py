from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.fields import (
    SafeModelChoiceField,
    SafeModelMultipleChoiceField,
    Textarea,
    offer,
)
from bridgework.accounts.models import CommunityGroup, Organisation, Person, Role
from bridgework.cohorts.api import Cohort

from .models import Poll, PollOption, Reaction, Space


class FacilitatorChoiceField(SafeModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.chosen_name} ({obj.email})"


# A cohort's space is made while the cohort runs: the form offers the cohorts that started
# last, not every cohort the organisation has ever run.
LISTED_COHORTS = 50


def _latest_cohorts(organisation: Organisation) -> Any:
    latest = Cohort.objects.in_organisation(organisation).order_by("-start_date", "-pk")
    return Cohort.objects.filter(pk__in=latest.values("pk")[:LISTED_COHORTS]).order_by(
        "-start_date", "-pk"
    )


def _facilitators(organisation: Organisation) -> Any:
    return Person.objects.in_organisation(organisation).filter(
        is_active=True, role_assignments__role=Role.FACILITATOR
    )


class SpaceForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("For example “Allies' space”."),
        error_messages={"required": _("Give the space a name.")},
    )
    description = forms.CharField(
        label=_("What the space is for"),
        required=False,
        max_length=2000,
        widget=Textarea(attrs={"rows": 3}),
    )
    audience = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Space.Audience.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Nobody outside the audience sees any trace of the space, program admins "
            "included. Its facilitators can always see it."
        ),
    )
    cohort = SafeModelChoiceField(
        label=_("Cohort"),
        queryset=Cohort.objects.none(),
        required=False,
        help_text=_("Only when the audience is a cohort."),
    )
    group = SafeModelChoiceField(
        label=_("Community group"),
        queryset=CommunityGroup.objects.none(),
        required=False,
        help_text=_("Only when the audience is a community group. This makes a protected space."),
    )
    facilitators = FacilitatorChoiceField(
        label=_("Facilitators"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("People with the facilitator role. Leave empty to look after it yourself."),
    )
    guidelines = forms.CharField(
        label=_("Guidelines"),
        required=False,
        max_length=10000,
        widget=Textarea(attrs={"rows": 10}),
        help_text=_("Markdown. Leave empty to start from Bridgework's guidelines."),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["cohort"], _latest_cohorts(organisation))
        offer(self.fields["group"], CommunityGroup.objects.in_organisation(organisation))
        offer(self.fields["facilitators"], _facilitators(organisation))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        audience = data.get("audience")
        if audience == Space.Audience.COHORT and not data.get("cohort"):
            self.add_error("cohort", _("Choose the cohort whose members this space is for."))
        if audience == Space.Audience.GROUP and not data.get("group"):
            self.add_error("group", _("Choose the community group this space is for."))
        return data


class SpaceEditForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=120, error_messages={"required": _("Give the space a name.")}
    )
    description = forms.CharField(
        label=_("What the space is for"),
        required=False,
        max_length=2000,
        widget=Textarea(attrs={"rows": 3}),
    )
    facilitators = FacilitatorChoiceField(label=_("Facilitators"), queryset=Person.objects.none())
    guidelines = forms.CharField(
        label=_("Guidelines"), max_length=10000, widget=Textarea(attrs={"rows": 12})
    )
    is_archived = forms.BooleanField(
        label=_("Archive the space: keep it readable, take no new posts"), required=False
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["facilitators"], _facilitators(organisation))


class ThreadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the thread a title.")},
    )
    body = forms.CharField(
        label=_("Your post"),
        max_length=10000,
        error_messages={"required": _("Write the first post.")},
        widget=Textarea(attrs={"rows": 8}),
        help_text=_(
            "Markdown works: **bold**, *italic*, lists, links. Mention someone who can see "
            "this space by their full name, with hyphens for spaces: @alex-rivera."
        ),
    )


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=10000,
        error_messages={"required": _("Write your reply first.")},
        widget=Textarea(attrs={"rows": 5}),
        help_text=_(
            "Markdown works. Mention someone who can see this space by their full name, with "
            "hyphens for spaces: @alex-rivera."
        ),
    )


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=Reaction.Kind.choices)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=Textarea(attrs={"rows": 3}),
        help_text=_("A sentence is enough."),
        error_messages={"required": _("Write a sentence about why.")},
    )


class ModerateForm(ReasonForm):
    action = forms.ChoiceField(
        choices=[
            ("hide", _("Hide the post")),
            ("restore", _("Show the post (and close its flags)")),
        ],
        widget=forms.RadioSelect,
        label=_("What to do"),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search your spaces"), max_length=100, required=False)


class PollForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=300)
    options = forms.CharField(
        label=_("Options"),
        widget=Textarea(attrs={"rows": 5}),
        help_text=_("One option a line, two to twelve."),
        max_length=3000,
    )
    kind = forms.ChoiceField(
        label=_("How people answer"),
        choices=Poll.Kind.choices,
        widget=forms.RadioSelect,
        initial=Poll.Kind.SINGLE,
    )
    open_days = forms.TypedChoiceField(
        label=_("Open for"),
        choices=[
            (1, _("One day")),
            (3, _("Three days")),
            (7, _("A week")),
            (14, _("Two weeks")),
        ],
        coerce=int,
        initial=7,
    )
    is_anonymous = forms.BooleanField(
        label=_(
            "Anonymous: nobody sees who chose what; results appear when the poll closes, "
            "if five or more people voted"
        ),
        required=False,
        initial=True,
    )

    def clean_options(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["options"].splitlines()]
        labels = [line for line in lines if line]
        if len(labels) < 2:
            raise forms.ValidationError(_("Give at least two options, one a line."))
        if len(labels) > 12:
            raise forms.ValidationError(_("Twelve options at most keep a poll easy to answer."))
        if any(len(label) > 200 for label in labels):
            raise forms.ValidationError(_("Keep each option under 200 characters."))
        seen: set[str] = set()
        for label in labels:
            if label.casefold() in seen:
                raise forms.ValidationError(
                    _("“%(option)s” is there twice: give each option once.") % {"option": label}
                )
            seen.add(label.casefold())
        return labels


def _someones_words(obj: Any) -> str:
    # A poll's options are the words of the person who asked: isolated for right-to-left
    # text, never translated. Shown beside a radio button or a checkbox, never in a <select>.
    return format_html("<bdi>{}</bdi>", obj.label)


class _OptionsField(SafeModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _someones_words(obj)


class _OptionField(SafeModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _someones_words(obj)


class VoteForm(forms.Form):
    options = _OptionsField(
        label=_("Your answer"),
        queryset=PollOption.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, poll: Poll, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["options"], poll.options.all())
        if poll.kind == Poll.Kind.SINGLE:
            self.fields["options"] = _OptionField(
                label=_("Your answer"),
                queryset=poll.options.all(),
                widget=forms.RadioSelect,
                empty_label=None,
            )
        self.fields["options"].error_messages["required"] = _("Choose an option.")

    def chosen(self) -> list[PollOption]:
        value = self.cleaned_data["options"]
        return [value] if isinstance(value, PollOption) else list(value)
