from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.fields import Textarea

from .models import LearningLog, Lesson, Module
from .vocabulary import Context, Courage, Defense, Effort, Practice

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _with_any(choices: Any, label: StrOrPromise) -> list[tuple[Any, StrOrPromise]]:
    return [("", label), *choices]


class TipFilterForm(forms.Form):
    q = forms.CharField(label=_("Search tips"), required=False, max_length=100)
    practice = forms.ChoiceField(
        label=_("Practice"),
        choices=_with_any(Practice.choices, _("Any practice")),
        required=False,
    )
    # The four defenses (after Erin L. Thomas), named as the self-assessment names them.
    defense = forms.ChoiceField(
        label=_("What holds you back"),
        choices=_with_any(Defense.choices, _("Any of them")),
        required=False,
    )
    courage = forms.TypedChoiceField(
        label=_("Courage level"),
        choices=_with_any(Courage.choices, _("Any level")),
        required=False,
        coerce=int,
        empty_value=None,
    )
    context = forms.ChoiceField(
        label=_("Where"), choices=_with_any(Context.choices, _("Anywhere")), required=False
    )
    effort = forms.TypedChoiceField(
        label=_("Time"),
        choices=_with_any(Effort.choices, _("Any time")),
        required=False,
        coerce=int,
        empty_value=None,
    )

    def active_filters(self) -> dict[str, Any]:
        # A value that is not a choice (from an old link, say) is left out on its own;
        # the search and the other filters still apply.
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class PromptAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=5000,
        widget=Textarea(attrs={"rows": 4}),
        help_text=_("Private: only you can read this. Leave it empty to delete it."),
    )


class LearningLogForm(forms.Form):
    kind = forms.ChoiceField(label=_("What was it?"), choices=LearningLog.Kind.choices)
    title = forms.CharField(
        label=_("Title or short description"),
        max_length=200,
        error_messages={"required": _("Give it a title so you can find it later.")},
    )
    minutes = forms.IntegerField(
        label=_("Minutes spent (optional)"), required=False, min_value=1, max_value=1440
    )
    note = forms.CharField(
        label=_("What stayed with you? (private, optional)"),
        required=False,
        max_length=2000,
        widget=Textarea(attrs={"rows": 3}),
    )

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give it a title so you can find it later."))
        return title


class ModuleEditForm(forms.ModelForm[Module]):
    class Meta:
        model = Module
        fields = ["title", "summary", "body"]
        labels = {
            "title": _("Title"),
            "summary": _("Summary"),
            "body": _("Overview (Markdown)"),
        }
        error_messages = {
            "title": {"required": _("The module needs a title.")},
            "body": {"required": _("Write at least a short overview.")},
        }
        widgets = {"body": Textarea(attrs={"rows": 14})}
        help_texts = {
            "summary": _("One or two sentences, up to 200 characters."),
            "body": _("Markdown: ## for headings, - for lists, **bold**, [links](https://...)."),
        }

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("The module needs a title."))
        return title

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write at least a short overview."))
        return body


class LessonEditForm(forms.ModelForm[Lesson]):
    class Meta:
        model = Lesson
        fields = ["title", "minutes", "body"]
        labels = {
            "title": _("Title"),
            "body": _("Lesson text (Markdown)"),
            "minutes": _("Reading time in minutes"),
        }
        widgets = {"body": Textarea(attrs={"rows": 20})}
        help_texts = {
            "body": _("Markdown: ## for headings, - for lists, **bold**, [links](https://...)."),
        }
        error_messages = {
            "title": {"required": _("The lesson needs a title.")},
            "body": {"required": _("The lesson needs some text.")},
        }

    def clean_minutes(self) -> int:
        minutes: int = self.cleaned_data["minutes"]
        if not 1 <= minutes <= 60:
            raise forms.ValidationError(_("Reading time must be from 1 to 60 minutes."))
        return minutes


class TipSuggestionForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=80,
        help_text=_("A short action, e.g. “Ask the quietest person first”."),
    )
    text = forms.CharField(
        label=_("What to do, and why it helps"),
        max_length=600,
        widget=Textarea(attrs={"rows": 3}),
    )
    practice = forms.ChoiceField(label=_("Practice"), choices=Practice.choices)
    defense = forms.ChoiceField(
        label=_("Which defense does it help with?"), choices=Defense.choices
    )
    effort = forms.IntegerField(label=_("Minutes it takes"), min_value=1, max_value=60, initial=5)
    courage = forms.TypedChoiceField(
        label=_("Courage level"), choices=Courage.choices, coerce=int, initial=1
    )
    contexts = forms.MultipleChoiceField(
        label=_("Where it fits"),
        choices=Context.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one to three."),
    )

    def clean_contexts(self) -> list[str]:
        contexts: list[str] = self.cleaned_data["contexts"]
        if len(contexts) > 3:
            raise forms.ValidationError(_("Choose at most three places."))
        return contexts


class TipReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("decline", _("Decline"))]
    )
    reason = forms.CharField(
        label=_("Reason (shown to the person who suggested it)"), required=False, max_length=300
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "decline" and not data.get("reason", "").strip():
            self.add_error("reason", _("Say briefly why, so they can improve it."))
        return data
