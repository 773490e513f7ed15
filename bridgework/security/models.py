"""An organisation's rules for how its people sign in: which roles need a second factor."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db import models
from django.utils.translation import gettext_lazy

from bridgework.accounts.models import Organisation, Person
from bridgework.sso import sealing as master_sealing

from . import sealing


class MFAPolicyQuerySet(models.QuerySet["MFAPolicy"]):
    def for_organisation(self, organisation: Organisation) -> MFAPolicy:
        """The organisation's policy; one that was never saved is the default (program admins
        need MFA, facilitators do not), so new organisations are protected from the start."""
        return self.filter(organisation=organisation).first() or MFAPolicy(
            organisation=organisation
        )


class MFAPolicy(models.Model):
    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="mfa_policy"
    )
    program_admins = models.BooleanField(
        gettext_lazy("Program admins must use MFA"),
        default=True,
        help_text=gettext_lazy(
            "Program admins who sign in with a password set up a second step and use it "
            "at every sign-in."
        ),
    )
    facilitators = models.BooleanField(
        gettext_lazy("Facilitators must use MFA"),
        default=False,
        help_text=gettext_lazy("The same for facilitators. Participants are never asked."),
    )

    objects = MFAPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = "MFA policy"
        verbose_name_plural = "MFA policies"

    def __str__(self) -> str:
        return f"MFA policy of {self.organisation}"

    def applies_to(self, person: Person) -> bool:
        """Whether this person must have a second factor when they sign in with a password."""
        return (self.program_admins and person.is_program_admin) or (
            self.facilitators and person.is_facilitator
        )


def must_use_mfa(person: Person) -> bool:
    """Whether the person's organisation requires them to use MFA after a password."""
    organisation = person.organisation
    return organisation is not None and (
        MFAPolicy.objects.for_organisation(organisation).applies_to(person)
    )


def reseal_mfa_secrets() -> int:
    """Re-seal every second-factor secret under the newest master key (and seal any still
    plain), so rotating the master key never locks anyone out of their authenticator app."""
    newest = master_sealing.newest_key_id()
    count = 0
    kinds = list(sealing.SECRET_KEYS)
    for authenticator in Authenticator.objects.filter(type__in=kinds).order_by("pk"):
        if sealing.reseal_data(authenticator.type, authenticator.data, newest_key_id=newest):
            authenticator.save(update_fields=["data"])
            count += 1
    return count
