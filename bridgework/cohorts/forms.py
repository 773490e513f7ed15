from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.core.validators import validate_email
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.accounts.fields import Textarea, offer
from bridgework.accounts.forms import TimeZoneField
from bridgework.accounts.models import Organisation, Person, Role
from bridgework.curriculum.api import Module

from .models import Attendance, Cadence, Cohort, Membership, Session

# The largest key a row can have (a signed 64-bit integer, on SQLite and PostgreSQL alike).
LARGEST_ID = 2**63 - 1


def _beyond_any_id(value: object) -> bool:
    """A number no row could have as its key. SQLite cannot even compare one with a column,
    so it is answered as an unknown choice before it reaches the database."""
    text = str(value).strip()
    if len(text) > 20:
        return True
    try:
        return abs(int(text)) > LARGEST_ID
    except ValueError:
        return False  # not a number at all: the field says so itself


def session_length_field() -> forms.IntegerField:
    between = gettext_lazy("A session lasts from 15 to 480 minutes (eight hours).")
    return forms.IntegerField(
        label=gettext_lazy("Length in minutes"),
        min_value=15,
        max_value=480,
        error_messages={"min_value": between, "max_value": between},
    )


class IdChoiceField[M: Model](forms.ModelChoiceField[M]):
    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and _beyond_any_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdMultipleChoiceField[M: Model](forms.ModelMultipleChoiceField[M]):
    def clean(self, value: Any) -> Any:
        for chosen in value if isinstance(value, list | tuple) else []:
            if _beyond_any_id(chosen):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(chosen)[:20]},
                )
        return super().clean(value)


class PersonChoiceField(IdMultipleChoiceField[Person]):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.chosen_name} ({obj.email})"


class NamedPersonChoiceField(IdMultipleChoiceField[Person]):
    """For short lists (the facilitators): names only, as tick boxes."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Person) -> str:
        return obj.chosen_name


class PickedPeopleField(IdMultipleChoiceField[Person]):
    """People chosen with the search-and-tick picker (`includes/people_picker.html`). The
    field only checks the chosen ids; it is never rendered as a list of choices, so a page
    never holds everyone in the organisation."""

    widget = forms.MultipleHiddenInput


def _people(organisation: Organisation) -> QuerySet[Person]:
    return Person.objects.in_organisation(organisation).filter(is_active=True)


# A cohort meets at this local time unless the facilitator says otherwise: late afternoon in
# the organisation's own time zone, not in UTC.
DEFAULT_START = time(16, 0)


class CohortForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=120,
        help_text=gettext_lazy("For example “Spring cohort 2026”."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=2000,
        widget=Textarea(attrs={"rows": 3}),
    )
    modules = IdMultipleChoiceField(
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Modules"),
        help_text=gettext_lazy(
            "Sessions follow these in the curriculum's order, one module a session."
        ),
    )
    start_date = forms.DateField(
        label=gettext_lazy("First session"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "Later sessions fall on the same weekday of the month, or the same date."
        ),
    )
    start_time = forms.TimeField(
        label=gettext_lazy("Starts at (local time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = session_length_field()
    time_zone = TimeZoneField(label=gettext_lazy("Time zone"))
    cadence = forms.ChoiceField(
        label=gettext_lazy("Cadence"), choices=Cadence.choices, widget=forms.RadioSelect
    )
    session_count = forms.IntegerField(
        label=gettext_lazy("Number of sessions"), min_value=1, max_value=24
    )
    facilitators = NamedPersonChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label=gettext_lazy("Facilitators"),
        help_text=gettext_lazy(
            "People with the facilitator role. Leave all unticked to lead it yourself."
        ),
    )
    members = PickedPeopleField(
        label=gettext_lazy("Members"), queryset=Person.objects.none(), required=False
    )
    open_to_join = forms.BooleanField(
        label=gettext_lazy("Let people in the organisation ask to join"), required=False
    )

    def __init__(
        self, *args: Any, organisation: Organisation, time_zone: str = "UTC", **kwargs: Any
    ) -> None:
        """`time_zone`: the organisation's usual zone, which the form starts in."""
        kwargs.setdefault(
            "initial",
            {
                "cadence": Cadence.MONTHLY_WEEKDAY,
                "start_time": DEFAULT_START,
                "duration_minutes": 90,
                "time_zone": time_zone,
                "session_count": 6,
            },
        )
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        offer(self.fields["modules"], Module.objects.for_organisation(organisation))
        people = _people(organisation)
        offer(self.fields["facilitators"], people.filter(role_assignments__role=Role.FACILITATOR))
        offer(self.fields["members"], people)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        taken = Cohort.objects.filter(organisation=self.organisation, name__iexact=name)
        if taken.exists():
            raise forms.ValidationError(_("There is already a cohort with this name."))
        return name


class CohortSettingsForm(forms.Form):
    """What can change once a cohort runs; sessions are edited one by one."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=2000,
        widget=Textarea(attrs={"rows": 3}),
    )
    facilitators = PersonChoiceField(
        queryset=Person.objects.none(),
        error_messages={"required": gettext_lazy("Choose at least one facilitator.")},
        label=gettext_lazy("Facilitators"),
        help_text=gettext_lazy(
            "People with the facilitator role. A cohort always has at least one."
        ),
    )
    open_to_join = forms.BooleanField(
        label=gettext_lazy("Let people in the organisation ask to join"), required=False
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": cohort.name,
                "description": cohort.description,
                "facilitators": list(cohort.facilitators.all()),
                "open_to_join": cohort.open_to_join,
            },
        )
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        facilitators = _people(cohort.organisation).filter(role_assignments__role=Role.FACILITATOR)
        # Someone who leads it without the facilitator role (a program admin who started it)
        # stays choosable, so saving the form does not quietly remove them.
        current = Person.objects.filter(facilitated_cohorts=cohort)
        offer(self.fields["facilitators"], (facilitators | current).distinct())

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        taken = Cohort.objects.filter(organisation=self.cohort.organisation, name__iexact=name)
        if taken.exclude(pk=self.cohort.pk).exists():
            raise forms.ValidationError(_("There is already a cohort with this name."))
        return name


def members_of(cohort: Cohort) -> QuerySet[Person]:
    return Person.objects.filter(
        cohort_memberships__cohort=cohort,
        cohort_memberships__status=Membership.Status.MEMBER,
    )


class EnrolForm(forms.Form):
    people = PickedPeopleField(
        queryset=Person.objects.none(), required=False, label=gettext_lazy("People")
    )
    emails = forms.CharField(
        label=gettext_lazy("Or paste e-mail addresses"),
        required=False,
        widget=Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "One address a line. They must already have a Bridgework account here."
        ),
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        offer(self.fields["people"], self.newcomers())

    def newcomers(self) -> QuerySet[Person]:
        """Who may still be added: active people of the organisation not yet members."""
        return _people(self.cohort.organisation).exclude(
            pk__in=members_of(self.cohort).values("pk")
        )

    def clean_emails(self) -> list[Person]:
        lines = [
            (n, line.strip())
            for n, line in enumerate(self.cleaned_data["emails"].splitlines(), start=1)
        ]
        wanted = [(n, line.lower()) for n, line in lines if line]
        found = {
            p.email: p
            for p in _people(self.cohort.organisation).filter(
                email__in=[email for _, email in wanted]
            )
        }
        errors, people = [], []
        for n, email in wanted:
            try:
                validate_email(email)
            except forms.ValidationError:
                errors.append(
                    _("Line %(line)s: “%(email)s” does not look like an e-mail address.")
                    % {"line": n, "email": email}
                )
                continue
            if email not in found:
                errors.append(
                    _("Line %(line)s: no one here has the address %(email)s.")
                    % {"line": n, "email": email}
                )
                continue
            people.append(found[email])
        if errors:
            raise forms.ValidationError(errors)
        return people

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("people") and not data.get("emails"):
            raise forms.ValidationError(_("Choose someone or paste at least one address."))
        return data

    def chosen(self) -> list[Person]:
        seen: dict[int, Person] = {}
        for person in [*self.cleaned_data.get("people", []), *self.cleaned_data.get("emails", [])]:
            seen[person.pk] = person
        return list(seen.values())


class SessionForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.TimeField(
        label=gettext_lazy("Starts at (local time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_zone = TimeZoneField(label=gettext_lazy("Time zone"))
    duration_minutes = session_length_field()
    location = forms.CharField(label=gettext_lazy("Room"), max_length=200, required=False)
    video_link = forms.URLField(
        label=gettext_lazy("Video link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": gettext_lazy(
                "Enter the video call's whole address, such as https://meet.example.com/abc-defg."
            )
        },
    )
    module = IdChoiceField(
        queryset=Module.objects.none(),
        required=False,
        label=gettext_lazy("Module"),
        empty_label=gettext_lazy("No module"),
        help_text=gettext_lazy(
            "Changing the module starts the run-of-show again from the new module."
        ),
    )

    WHEN = ("on", "at", "time_zone", "duration_minutes")

    def __init__(
        self, *args: Any, session: Session, fixed_time: bool = False, **kwargs: Any
    ) -> None:
        """`fixed_time`: members were marked present, so when it was held stays as it is."""
        local = session.local_start
        kwargs.setdefault(
            "initial",
            {
                "on": local.date(),
                "at": local.time().replace(second=0, microsecond=0),
                "time_zone": session.time_zone,
                "duration_minutes": session.duration_minutes,
                "location": session.location,
                "video_link": session.video_link,
                "module": session.module_id,
            },
        )
        super().__init__(*args, **kwargs)
        offer(self.fields["module"], Module.objects.for_organisation(session.cohort.organisation))
        for name in self.WHEN if fixed_time else ():
            self.fields[name].disabled = True


class RunItemForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    minutes = forms.IntegerField(label=gettext_lazy("Minutes"), min_value=1, max_value=240)
    body = forms.CharField(
        label=gettext_lazy("Notes for the group"),
        required=False,
        max_length=4000,
        widget=Textarea(attrs={"rows": 6}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your private notes"),
        required=False,
        max_length=10000,
        widget=Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Encrypted; only you can read them, not even co-facilitators."),
    )


ATTENDANCE_CHOICES = [("", gettext_lazy("Not marked")), *Attendance.Status.choices]


class AttendanceForm(forms.Form):
    """One radio group per member: present, absent or not marked."""

    def __init__(
        self, *args: Any, members: list[Person], current: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for person in members:
            self.fields[f"person_{person.pk}"] = forms.ChoiceField(
                label=person.chosen_name,
                choices=ATTENDANCE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                initial=current.get(person.pk, ""),
            )

    def marks(self, *, unmarked: str = "") -> dict[int, str]:
        """Each member's mark; `unmarked` for everyone left without one."""
        return {p.pk: self.cleaned_data.get(f"person_{p.pk}") or unmarked for p in self.members}


SCALE = [(n, str(n)) for n in range(1, 6)]


class PulseForm(forms.Form):
    useful = forms.TypedChoiceField(
        label=gettext_lazy("How useful was this session for you?"),
        help_text=gettext_lazy("1 is not at all, 5 is very."),
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a number from 1 to 5.")},
    )
    safe = forms.TypedChoiceField(
        label=gettext_lazy("How safe did it feel to speak?"),
        help_text=gettext_lazy("1 is not at all, 5 is completely."),
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a number from 1 to 5.")},
    )
    line = forms.CharField(
        label=gettext_lazy("Anything else, in one line? (optional)"),
        help_text=gettext_lazy(
            "Your facilitators read each line word for word, with no name, and only once ten "
            "or more people have answered. Leave out anything that would tell them it was you."
        ),
        required=False,
        max_length=200,
    )
