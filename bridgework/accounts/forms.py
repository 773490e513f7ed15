from __future__ import annotations

import re
import time
import zoneinfo
from datetime import datetime
from functools import cache
from typing import Any

from allauth.account.authentication import get_authentication_records
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy, ngettext

from . import registry
from .fields import Textarea
from .models import CommunityGroup, Invitation, Organisation, Person, Role, usual_language

# How long a sign-in through the identity provider counts as "just now" for deleting an
# account without a password.
RECENT_SIGN_IN_SECONDS = 10 * 60

MAX_CSV_BYTES = 1_000_000


@cache
def _zones_by_folded_name() -> dict[str, str]:
    """Each zone by its full name ("europe/berlin") and by its city alone ("berlin"), folded.
    A city in two zones counts only if they keep the same clocks (Asia/Istanbul and
    Europe/Istanbul are one zone under two names)."""
    names = sorted(zoneinfo.available_timezones())
    by_city: dict[str, list[str]] = {}
    for name in names:
        if "/" in name:
            by_city.setdefault(name.rsplit("/", 1)[1].casefold(), []).append(name)
    cities = {
        city: found[0]
        for city, found in by_city.items()
        if len({_clocks(name) for name in found}) == 1
    }
    return cities | {name.casefold(): name for name in names}


def _clocks(name: str) -> tuple[object, ...]:
    zone = zoneinfo.ZoneInfo(name)
    return tuple(datetime(2026, month, 1, tzinfo=zone).utcoffset() for month in (1, 4, 7, 10))


class TimeZoneField(forms.CharField):
    """A time zone typed as its name ("Europe/Berlin"), with a short list of suggestions
    (`TIME_ZONE_LIST`, filled by the page) rather than a menu of ~600 zones. Any case, and
    spaces for underscores, are accepted, and a city alone ("Berlin") where it names one zone."""

    widget = forms.TextInput(
        attrs={"list": "time-zone-suggestions", "autocomplete": "off", "spellcheck": "false"}
    )

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault(
            "help_text",
            gettext_lazy("Its name, such as Europe/Berlin, America/New_York or Asia/Kolkata."),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value).strip()
        found = _zones_by_folded_name().get(text.replace(" ", "_").casefold())
        if found is None:
            raise forms.ValidationError(
                gettext(
                    "“%(name)s” is not a time zone name we know. Write it as region and "
                    "city, such as Europe/Berlin."
                )
                % {"name": text[:64]}
            )
        return found


class ProfileForm(forms.ModelForm[Person]):
    intention = forms.CharField(
        label=gettext_lazy("Why I'm here (private)"),
        required=False,
        max_length=2000,
        widget=Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Only you can read this. It is encrypted and never shown to admins."
        ),
    )

    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        help_text=gettext_lazy("Pages, e-mails and reminders reach you in this language."),
    )

    class Meta:
        model = Person
        fields = ["chosen_name", "pronouns", "language"]
        labels = {"chosen_name": gettext_lazy("Name"), "pronouns": gettext_lazy("Pronouns")}
        error_messages = {
            "chosen_name": {"required": gettext_lazy("Give the name people should see.")}
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.instance.organisation
        default = usual_language("", organisation)
        default_name = dict(settings.LANGUAGES)[default]
        language_field = self.fields["language"]
        assert isinstance(language_field, forms.ChoiceField)
        language_field.choices = [
            ("", gettext("Organisation default (%(language)s)") % {"language": default_name}),
            *settings.LANGUAGES,
        ]

    def clean_chosen_name(self) -> str:
        name: str = self.cleaned_data["chosen_name"].strip()
        if not name:
            raise forms.ValidationError(gettext("Tell us what to call you."))
        return name


class RolesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", Role.choices)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        error_messages={"required": gettext_lazy("Type the address to send the invitation to.")},
    )
    chosen_name = forms.CharField(
        label=gettext_lazy("Name (optional)"),
        max_length=80,
        required=False,
        help_text=gettext_lazy("They can change it when they accept."),
    )
    roles = RolesField(
        label=gettext_lazy("Roles"),
        initial=[Role.PARTICIPANT],
        help_text=gettext_lazy("Pick at least one."),
        error_messages={"required": gettext_lazy("Pick at least one role.")},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        self.organisation = organisation
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        # Only this organisation's people count: whether the address has an account in
        # another organisation is not this admin's to learn. Such a person is told when
        # they open the invitation.
        if Person.objects.filter(organisation=self.organisation, email__iexact=email).exists():
            raise forms.ValidationError(
                gettext("Someone with this e-mail address already has an account here.")
            )
        if (
            Invitation.objects.pending()
            .filter(organisation=self.organisation, email=email)
            .exists()
        ):
            raise forms.ValidationError(
                gettext(
                    "This person already has a pending invitation. To send it again, use "
                    "“Send again” under Pending invitations on the People page."
                )
            )
        return email


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        error_messages={"required": gettext_lazy("Choose the CSV file to upload.")},
        help_text=gettext_lazy(
            "Columns: email, name, roles (roles separated by ';'). UTF-8, at most 1 MB."
        ),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than 1 MB. Split it into smaller files.")
            )
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(gettext("Upload a .csv file."))
        data: bytes = upload.read()
        return data


class PersonRolesForm(forms.Form):
    roles = RolesField(
        label=gettext_lazy("Roles"),
        required=False,
        help_text=gettext_lazy(
            "With none, they can still sign in and take part in their community groups, but "
            "not in the program: no lessons, practice or cohorts."
        ),
    )

    def __init__(self, *args: Any, person: Person, acting: Person, **kwargs: Any) -> None:
        self.person = person
        self.acting = acting
        super().__init__(*args, **kwargs)

    def clean_roles(self) -> list[str]:
        roles: list[str] = self.cleaned_data["roles"]
        removing_admin = Role.PROGRAM_ADMIN not in roles and self.person.is_program_admin
        if removing_admin and self.person.pk == self.acting.pk:
            raise forms.ValidationError(
                gettext("You can't remove your own program admin role. Ask another admin.")
            )
        return roles


class AcceptInvitationForm(forms.Form):
    chosen_name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=80,
        help_text=gettext_lazy("The name you want others to see."),
    )
    pronouns = forms.CharField(
        label=gettext_lazy("Pronouns"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Optional, for example she/her or they/them."),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("At least 8 characters, not too common."),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean_chosen_name(self) -> str:
        name: str = self.cleaned_data["chosen_name"].strip()
        if not name:
            raise forms.ValidationError(gettext("Tell us what to call you."))
        return name

    def clean_password2(self) -> str:
        first = self.cleaned_data.get("password1")
        second: str = self.cleaned_data["password2"]
        if first and first != second:
            raise forms.ValidationError(gettext("The two passwords don't match."))
        password_validation.validate_password(
            second, Person(email=self.email, chosen_name=self.cleaned_data.get("chosen_name", ""))
        )
        return second


class CommunityGroupForm(forms.ModelForm[CommunityGroup]):
    class Meta:
        model = CommunityGroup
        fields = ["name", "description", "open_to_join"]
        widgets = {"description": Textarea(attrs={"rows": 3})}
        labels = {
            "name": gettext_lazy("Name"),
            "description": gettext_lazy("Description"),
            "open_to_join": gettext_lazy("Open to join"),
        }
        error_messages = {"name": {"required": gettext_lazy("Give the group a name.")}}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        self.organisation = organisation
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.instance.open_to_join:
            # Opening it would let anyone, its program admins first, join and read what its
            # members shared in its spaces: they joined on the understanding it was closed.
            self.fields["open_to_join"].disabled = True
            self.fields["open_to_join"].help_text = gettext(
                "Its members joined by invitation, so it stays by invitation: opening it "
                "would let anyone read what they shared. For an open group, create a new one."
            )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        clash = CommunityGroup.objects.in_organisation(self.organisation).filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(gettext("There is already a group with this name."))
        return name

    def validate_unique(self) -> None:
        # The organisation is set by the view after validation; clean_name covers uniqueness.
        pass


class GroupInviteForm(forms.Form):
    """A program admin invites someone into a group by e-mail address. A list of everyone to
    pick from would do too, but typing the address keeps the page the same size for 10,000
    people."""

    email = forms.EmailField(
        label=gettext_lazy("Their e-mail address"),
        max_length=254,
        help_text=gettext_lazy("Invite someone only when they have asked to be in this group."),
    )
    as_lead = forms.BooleanField(
        label=gettext_lazy("Invite them to lead the group"),
        required=False,
        help_text=gettext_lazy(
            "Leads see who is in the group, let in those who accepted an invitation, and are "
            "told when someone joins."
        ),
    )

    def __init__(
        self, *args: Any, organisation: Organisation, inviting: Person, **kwargs: Any
    ) -> None:
        self.organisation = organisation
        self.inviting = inviting
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].lower()
        person = Person.objects.filter(
            organisation=self.organisation, email__iexact=email, is_active=True
        ).first()
        if person is None:
            raise forms.ValidationError(
                gettext(
                    "Nobody in your organisation has this e-mail address. "
                    "Invite them to Bridgework first, from People."
                )
            )
        if person.pk == self.inviting.pk:
            raise forms.ValidationError(
                gettext(
                    "You cannot invite yourself. Ask another program admin to invite you; "
                    "one of the group's leads then decides whether to let you in."
                )
            )
        self.cleaned_data["person"] = person
        return email


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search people"), required=False, max_length=100)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        widget=forms.PasswordInput({"autocomplete": "current-password"}),
        error_messages={"required": gettext_lazy("Type your password to confirm.")},
    )

    confirm = forms.BooleanField(
        label=gettext_lazy("Yes, delete my account and everything I wrote"),
        error_messages={"required": gettext_lazy("Tick the box to confirm. Nothing was deleted.")},
    )

    def __init__(self, *args: Any, request: HttpRequest, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.person = person
        # Someone who signs in only through the organisation's identity provider has no
        # password to type: a sign-in through the provider in the last few minutes confirms
        # it is them instead (a borrowed, long-open session cannot delete the account).
        self.sign_in_again_at = registry.sign_in_elsewhere(person)
        if self.sign_in_again_at is None:
            del self.fields["confirm"]
        else:
            del self.fields["password"]

    @property
    def signed_in_recently(self) -> bool:
        records = get_authentication_records(self.request, self.person)
        return bool(records) and time.time() - float(records[-1]["at"]) < RECENT_SIGN_IN_SECONDS

    def clean_confirm(self) -> bool:
        if not self.signed_in_recently:
            raise forms.ValidationError(
                gettext(
                    "To confirm it is you, sign in again first (the link is above). "
                    "Nothing was deleted."
                )
            )
        return True

    def clean_password(self) -> str:
        # Through authenticate() so that wrong guesses count towards the same lockout as
        # sign-in: a borrowed session cannot be used to try passwords without limit.
        password: str = self.cleaned_data["password"]
        if AxesProxyHandler.is_locked(self.request, {"email": self.person.email}):
            raise forms.ValidationError(
                gettext(
                    "Too many wrong passwords. Wait 15 minutes, then try again. "
                    "Nothing was deleted."
                )
            )
        if authenticate(self.request, email=self.person.email, password=password) != self.person:
            raise forms.ValidationError(gettext("That is not your password. Nothing was deleted."))
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.person.is_program_admin:
            others = (
                Person.objects.filter(
                    organisation=self.person.organisation,
                    is_active=True,
                    role_assignments__role="program_admin",
                )
                .exclude(pk=self.person.pk)
                .exists()
            )
            if not others:
                raise forms.ValidationError(
                    gettext(
                        "You are the only program admin. Make someone else a program admin "
                        "first, so your organisation is not left without one."
                    )
                )
        return data


# A domain name: labels of letters, digits and inner hyphens, at least one dot, no scheme.
DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MAX_EMAIL_DOMAINS = 20


class OrganisationSettingsForm(forms.ModelForm[Organisation]):
    time_zone = TimeZoneField(
        label=gettext_lazy("Time zone"),
        help_text=gettext_lazy(
            "Times are shown in it to people who have not chosen a zone of their own. Its "
            "name, such as Europe/Berlin, America/New_York or Asia/Kolkata."
        ),
    )
    default_language = forms.ChoiceField(
        label=gettext_lazy("Default language"),
        choices=settings.LANGUAGES,
        help_text=gettext_lazy("What people see until they choose a language of their own."),
    )
    email_domains = forms.CharField(
        label=gettext_lazy("E-mail domains"),
        required=False,
        widget=Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One per line, such as example.com. Sign-in with your identity provider "
            "is offered to addresses at these domains."
        ),
    )

    class Meta:
        model = Organisation
        fields = ["name", "time_zone", "default_language", "email_domains"]
        labels = {"name": gettext_lazy("Organisation name")}
        error_messages = {"name": {"required": gettext_lazy("Give the organisation a name.")}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["time_zone"] = self.instance.usual_time_zone
        self.initial["email_domains"] = "\n".join(self.instance.email_domains)

    def clean_email_domains(self) -> list[str]:
        raw: str = self.cleaned_data["email_domains"]
        domains: list[str] = []
        for entry in re.split(r"[\s,;]+", raw.strip().lower()):
            domain = entry.removeprefix("@").rstrip(".")
            if not domain or domain in domains:
                continue
            if not DOMAIN_PATTERN.match(domain):
                raise forms.ValidationError(
                    gettext(
                        "“%(domain)s” is not a domain name. Write it as example.com, "
                        "without @ or https://."
                    )
                    % {"domain": domain[:80]}
                )
            domains.append(domain)
        if len(domains) > MAX_EMAIL_DOMAINS:
            raise forms.ValidationError(
                gettext("List at most %(count)s domains.") % {"count": MAX_EMAIL_DOMAINS}
            )
        taken = _domains_of_other_organisations(self.instance).intersection(domains)
        if taken:
            raise forms.ValidationError(
                ngettext(
                    "%(domains)s already belongs to another organisation here. "
                    "Ask the platform's operator if it should move.",
                    "%(domains)s already belong to another organisation here. "
                    "Ask the platform's operator if they should move.",
                    len(taken),
                )
                % {"domains": ", ".join(sorted(taken))}
            )
        return domains


def _domains_of_other_organisations(organisation: Organisation) -> set[str]:
    return organisation.domains_of_others()
