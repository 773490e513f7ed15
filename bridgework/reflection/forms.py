from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bridgework.accounts.fields import Textarea
from bridgework.accounts.models import Person
from bridgework.curriculum.api import Courage, Practice

from .content import CONTEXTS, CUSTOM_SLOTS, DIMENSIONS, ENERGIES, MOODS, SCALE
from .models import JournalEntry, Note, RoleModel
from .services import EntryText, RoleModelText, parse_tags

SCALE_CHOICES: list[tuple[Any, Any]] = [("", _("Leave out")), *SCALE]
CONTEXT_CHOICES: list[tuple[Any, Any]] = [("", _("Same as in general")), *SCALE]


class JournalEntryForm(forms.Form):
    title = forms.CharField(label=_("Title (optional)"), required=False, max_length=200)
    body = forms.CharField(
        label=_("What is on your mind?"),
        max_length=20000,
        widget=Textarea({"rows": 8}),
        error_messages={"required": _("Write a few words, even one line.")},
    )
    tags = forms.CharField(
        label=_("Tags (optional)"),
        required=False,
        max_length=400,
        help_text=_("Separate them with commas, for example: team, gratitude."),
    )
    mood = forms.ChoiceField(
        label=_("Mood (optional)"),
        required=False,
        choices=[("", _("No mark")), *MOODS],
        widget=forms.RadioSelect,
    )
    energy = forms.ChoiceField(
        label=_("Energy (optional)"),
        required=False,
        choices=[("", _("No mark")), *ENERGIES],
        widget=forms.RadioSelect,
    )

    @classmethod
    def of(cls, data: Any, entry: JournalEntry | None = None) -> JournalEntryForm:
        """The form for a new entry, or for changing `entry`."""
        if entry is None:
            return cls(data)
        return cls(data, initial={**entry.snapshot(), "tags": ", ".join(entry.tags or [])})

    def clean_tags(self) -> list[str]:
        return parse_tags(self.cleaned_data.get("tags") or "")

    def text(self) -> EntryText:
        data = self.cleaned_data
        return EntryText(
            title=data["title"],
            body=data["body"],
            tags=data["tags"],
            mood=data["mood"],
            energy=data["energy"],
        )


class JournalSearchForm(forms.Form):
    q = forms.CharField(label=_("Search your journal"), required=False, max_length=200)


class SocialMapForm(forms.Form):
    """One scale per dimension, optional scales per context, custom rows and a note."""

    note = forms.CharField(
        label=_("A private note (optional)"),
        required=False,
        max_length=5000,
        widget=Textarea({"rows": 4}),
    )

    def __init__(self, *args: Any, initial_map: dict[str, Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        data = initial_map or {}
        dims = data.get("dimensions") or {}
        for dimension in DIMENSIONS:
            self._add_scales(dimension.slug, str(dimension.name), dims.get(dimension.slug) or {})
        custom = list(data.get("custom") or [])
        for index in range(max(CUSTOM_SLOTS, len(custom) + 1)):
            item = custom[index] if index < len(custom) else {}
            key = f"custom{index}"
            self.fields[f"{key}__name"] = forms.CharField(
                label=_("Name of a part of you we did not list"),
                required=False,
                max_length=60,
                initial=item.get("name", ""),
            )
            self._add_scales(
                key,
                item.get("name") or _("Your own part %(number)s") % {"number": index + 1},
                item.get("values") or {},
            )
        self.fields["note"].initial = data.get("note", "")
        self.custom_count = max(CUSTOM_SLOTS, len(custom) + 1)

    def _add_scales(self, key: str, name: str, values: dict[str, int]) -> None:
        for context, label in CONTEXTS:
            self.fields[f"{key}__{context}"] = forms.TypedChoiceField(
                label=name if context == "overall" else label,
                required=False,
                choices=SCALE_CHOICES if context == "overall" else CONTEXT_CHOICES,
                coerce=int,
                empty_value=None,
                initial=values.get(context, ""),
                widget=forms.RadioSelect if context == "overall" else forms.Select,
            )

    def rows(self) -> list[dict[str, Any]]:
        """For the template: each dimension with its bound fields."""
        result: list[dict[str, Any]] = []
        keys = [(d.slug, d.name, None) for d in DIMENSIONS] + [
            (f"custom{i}", "", self[f"custom{i}__name"]) for i in range(self.custom_count)
        ]
        for key, name, name_field in keys:
            result.append(
                {
                    "key": key,
                    "name": name,
                    "name_field": name_field,
                    "overall": self[f"{key}__overall"],
                    "contexts": [self[f"{key}__{c}"] for c, _ in CONTEXTS if c != "overall"],
                }
            )
        return result

    def to_map(self) -> dict[str, Any]:
        data = self.cleaned_data

        def values(key: str) -> dict[str, int]:
            return {c: data[f"{key}__{c}"] for c, _ in CONTEXTS if data.get(f"{key}__{c}")}

        return {
            "dimensions": {d.slug: values(d.slug) for d in DIMENSIONS if values(d.slug)},
            "custom": [
                {"name": data[f"custom{i}__name"].strip(), "values": values(f"custom{i}")}
                for i in range(self.custom_count)
                if (data.get(f"custom{i}__name") or "").strip()
            ],
            "note": data.get("note") or "",
        }


class ColleagueField(forms.ModelChoiceField[Person]):
    """One active colleague in the person's organisation, chosen with the people picker
    (`includes/people_picker.html`, built by `accounts.picker`). The field only checks the
    chosen id; it is never rendered as a list, so a page never holds everyone."""

    widget = forms.HiddenInput

    def __init__(self, person: Person, **kwargs: Any) -> None:
        colleagues = Person.objects.filter(
            organisation=person.organisation, is_active=True
        ).exclude(pk=person.pk)
        super().__init__(queryset=colleagues, **kwargs)


class RoleModelForm(forms.Form):
    name = forms.CharField(
        label=_("Who do you see as an ally?"),
        max_length=120,
        help_text=_("A name or a nickname only you will know. It can be anyone in your life."),
        error_messages={"required": _("Give them a name, or a nickname only you know.")},
    )
    colleague = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    why = forms.CharField(
        label=_("Why do you see them as an ally?"),
        required=False,
        max_length=3000,
        widget=Textarea({"rows": 3}),
    )
    big_actions = forms.CharField(
        label=_("Big things they do (or refuse to do)"),
        required=False,
        max_length=3000,
        widget=Textarea({"rows": 3}),
    )
    small_actions = forms.CharField(
        label=_("Small, everyday things they do"),
        required=False,
        max_length=3000,
        widget=Textarea({"rows": 3}),
    )
    my_actions = forms.CharField(
        label=_("And you? What do you already do like them, and what not yet?"),
        required=False,
        max_length=3000,
        widget=Textarea({"rows": 3}),
    )

    def __init__(
        self,
        data: Any,
        *,
        person: Person,
        role_model: RoleModel | None = None,
        typed: Any = None,
    ) -> None:
        """The form for a new ally, or for changing `role_model`; `typed`: what was typed
        before a search for a colleague, shown again as it was."""
        initial: dict[str, Any] | None = None
        if typed is not None:
            initial = {key: str(typed.get(key, "")) for key in RoleModelText.__annotations__}
        elif role_model is not None:
            initial = {key: getattr(role_model, key) or "" for key in RoleModelText.__annotations__}
            initial["colleague"] = role_model.colleague or None
        super().__init__(data, initial=initial)
        self.fields["colleague"] = ColleagueField(
            person,
            required=False,
            label=_("Are they a colleague here? (optional, never shown to them)"),
        )

    def text(self) -> RoleModelText:
        data = self.cleaned_data
        return RoleModelText(
            name=data["name"],
            colleague=str(data["colleague"].pk) if data["colleague"] else "",
            why=data["why"],
            big_actions=data["big_actions"],
            small_actions=data["small_actions"],
            my_actions=data["my_actions"],
        )


class GoalForm(forms.Form):
    text = forms.CharField(
        label=_("A growth goal"),
        max_length=300,
        help_text=_("Something you want to learn or practise, for example: speak up sooner."),
        error_messages={"required": _("Write the goal in a few words.")},
    )


class GoalCommitmentForm(forms.Form):
    """Which practice a goal exercises and how much courage it asks; both optional, so the
    one-click button still works and starts at the gentlest level."""

    practice = forms.ChoiceField(
        label=pgettext_lazy("one of the seven practices", "Practice"),
        choices=Practice.choices,
        required=False,
    )
    courage = forms.TypedChoiceField(
        label=pgettext_lazy("courage level", "Level"),
        choices=Courage.choices,
        coerce=int,
        required=False,
        empty_value=None,
    )

    def clean_practice(self) -> str:
        return str(self.cleaned_data.get("practice") or Practice.DEEP_CURIOSITY)

    def clean_courage(self) -> int:
        return int(self.cleaned_data.get("courage") or Courage.LEARN)


class CoffeeChatForm(forms.Form):
    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput({"type": "date"}),
        error_messages={"required": _("Pick a day.")},
    )
    start = forms.TimeField(
        label=pgettext_lazy("time of day", "Time"),
        widget=forms.TimeInput({"type": "time"}),
        error_messages={"required": _("Pick a time.")},
    )
    minutes = forms.TypedChoiceField(
        label=_("How long?"),
        choices=[
            (15, _("15 minutes")),
            (30, _("30 minutes")),
            (45, _("45 minutes")),
            (60, _("An hour")),
        ],
        coerce=int,
        initial=30,
    )
    place = forms.CharField(
        label=_("Where? (optional)"),
        required=False,
        max_length=200,
        help_text=_("A café, a room, or a video link."),
    )

    def start_at(self, zone: Any) -> datetime:
        return datetime.combine(self.cleaned_data["day"], self.cleaned_data["start"], zone)

    def duration(self) -> timedelta:
        return timedelta(minutes=int(self.cleaned_data["minutes"]))

    @staticmethod
    def suggested_initial(today: Any) -> dict[str, Any]:
        return {"day": today + timedelta(days=7), "start": time(10, 0), "minutes": 30}


class ApologyForm(forms.Form):
    what_happened = forms.CharField(
        label=_("1. What happened?"),
        required=False,
        max_length=3000,
        widget=Textarea({"rows": 3}),
        help_text=_("Just for you: the facts, as plainly as you can."),
    )
    acknowledge = forms.CharField(
        label=_("2. Name the harm"),
        required=False,
        max_length=3000,
        widget=Textarea({"rows": 3}),
        help_text=_("What you did, and how it affected them. Start with “I”."),
    )
    own_impact = forms.CharField(
        label=_("3. Own the impact"),
        required=False,
        max_length=3000,
        widget=Textarea({"rows": 3}),
        help_text=_("No “if” and no “but”: the impact is real whatever you meant."),
    )
    do_differently = forms.CharField(
        label=_("4. What I will do differently"),
        required=False,
        max_length=3000,
        widget=Textarea({"rows": 3}),
        help_text=_("One concrete change you can keep."),
    )
    resume = forms.CharField(
        label=_("5. Let the conversation go on"),
        required=False,
        max_length=3000,
        widget=Textarea({"rows": 3}),
        help_text=_("How you hand the conversation back: an open door, not a demand."),
    )

    def draft(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key) or "" for key in self.fields}


class NoteForm(forms.Form):
    recipient = forms.ModelChoiceField(queryset=Person.objects.none())
    kind = forms.ChoiceField(
        label=_("What kind of note?"),
        choices=[
            (Note.Kind.CHECK_IN.value, _("A check-in: thinking of you, how are you?")),
            (Note.Kind.RECOGNITION.value, _("Recognition: you showed up for me when…")),
        ],
        widget=forms.RadioSelect,
        initial=Note.Kind.CHECK_IN.value,
        error_messages={"required": _("Choose check-in or recognition.")},
    )
    text = forms.CharField(
        label=_("Your note"),
        max_length=2000,
        widget=Textarea({"rows": 5}),
        help_text=_("Only they will read it. It is never public and never counted."),
        error_messages={"required": _("Write a line or two.")},
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"] = ColleagueField(
            person,
            label=_("To"),
            error_messages={
                "required": _("Choose who the note is for."),
                "invalid_choice": _("Choose who the note is for."),
            },
        )
