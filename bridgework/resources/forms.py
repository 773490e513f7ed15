from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.fields import Textarea, offer
from bridgework.accounts.models import Organisation
from bridgework.curriculum.api import Module

from .models import RUBRIC, Kind, ResourceReview, web_url

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ModuleChoiceField(forms.ModelChoiceField[Module]):
    def label_from_instance(self, obj: Module) -> str:
        return obj.title


class WebAddressField(forms.URLField):
    """Only http and https: no javascript:, data:, file: or ftp: links."""

    default_validators = [web_url]
    default_error_messages = {"invalid": _("Give a web address starting https://")}


class SuggestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=Kind.choices,
        error_messages={"required": _("Choose what kind of resource it is.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For a book, add the author: “Title” by Name."),
        error_messages={"required": _("Give its title.")},
    )
    url = WebAddressField(
        label=_("Link"),
        max_length=500,
        assume_scheme="https",
        help_text=_("A web address where others can find it, starting https://"),
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
        error_messages={"required": _("Give a link where others can find it.")},
    )
    module = ModuleChoiceField(
        label=_("Which module does it go with?"),
        queryset=Module.objects.none(),
        required=False,
        empty_label=_("None in particular"),
    )
    why_it_helped = forms.CharField(
        label=_("Why it helped you"),
        max_length=1000,
        widget=Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences in your own words: what you took from it, and who it suits."),
        error_messages={"required": _("Say in a few words why it helped you.")},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["module"], Module.objects.for_organisation(organisation))

    def clean_title(self) -> str:
        return str(self.cleaned_data["title"]).strip()

    def clean_why_it_helped(self) -> str:
        return str(self.cleaned_data["why_it_helped"]).strip()


def _with_any(
    choices: Sequence[tuple[str, StrOrPromise]], label: StrOrPromise
) -> list[tuple[str, StrOrPromise]]:
    return [("", label), *choices]


class FilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"), choices=_with_any(Kind.choices, _("Any type")), required=False
    )
    module = ModuleChoiceField(
        label=_("Module"),
        queryset=Module.objects.none(),
        required=False,
        empty_label=_("Any module"),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["module"], Module.objects.for_organisation(organisation))

    def active_filters(self) -> dict[str, Any]:
        # A value that is not a choice (from an old link, say) is left out on its own.
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"), choices=ResourceReview.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=Textarea(attrs={"rows": 3}),
        help_text=_(
            "The person who suggested it sees this. Needed to decline; kind and specific "
            "helps them most."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One checkbox per criterion, in the rubric's order, before the decision.
        criteria = {
            c.key: forms.BooleanField(label=c.name, help_text=c.question, required=False)
            for c in RUBRIC
        }
        self.fields = {**criteria, **self.fields}

    def criterion_fields(self) -> list[forms.BoundField]:
        return [self[c.key] for c in RUBRIC]

    def checks(self) -> dict[str, bool]:
        return {c.key: bool(self.cleaned_data.get(c.key)) for c in RUBRIC}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == ResourceReview.Decision.APPROVE and not all(self.checks().values()):
            self.add_error(
                "decision",
                _(
                    "A resource is vetted only when it meets every criterion. Tick each one "
                    "it meets, or decline it with a reason."
                ),
            )
        if decision == ResourceReview.Decision.DECLINE and not data.get("reason", "").strip():
            self.add_error("reason", _("Say briefly why, so the person can learn from it."))
        return data
