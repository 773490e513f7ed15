"""Bearer tokens that let an organisation's identity provider manage its people over SCIM."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from bridgework.accounts.models import Organisation, Person

TOKEN_PREFIX = "bwscim_"  # noqa: S105  (a marker that says what a leaked token is)
# Writing the last-used time on every request would make each SCIM call a write; a minute's
# precision is all the settings page needs.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def name_key(name: str) -> str:
    """A token's name as the one-name-per-organisation rule compares it: without the spaces
    around it, case-folded. Folded in Python and kept in a column, so that the form and the
    database's constraint hold the same rule: SQLite's lower() knows only ASCII, and neither
    database's lower() turns "ß" into "ss"."""
    return name.strip().casefold()


class ProvisioningTokenQuerySet(models.QuerySet["ProvisioningToken"]):
    def usable(self) -> ProvisioningTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def named(self, name: str) -> ProvisioningToken | None:
        """The token of this name, whatever its case (see name_key)."""
        return self.filter(name_key=name_key(name)).first()


class ProvisioningToken(models.Model):
    """One identity provider's key to the organisation's SCIM base. Only a hash is stored:
    the token itself is shown once, when it is made."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="provisioning_tokens"
    )
    name = models.CharField(
        max_length=80, help_text="Which identity provider uses it, for example “Okta”."
    )
    # Set from the name on every save. Case folding can make a name up to three times as long.
    name_key = models.CharField(max_length=240, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ProvisioningTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The form's rule, held by the database too: two admins who send the same name at
            # the same instant both pass the form. A revoked token's name is free again.
            models.UniqueConstraint(
                fields=["organisation", "name_key"],
                condition=models.Q(revoked_at__isnull=True),
                name="provisioning_token_name_in_use_once",
            )
        ]

    def __str__(self) -> str:
        return f"Provisioning token {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    @classmethod
    def issue(
        cls, *, organisation: Organisation, name: str, created_by: Person
    ) -> tuple[ProvisioningToken, str]:
        """A new saved token and its secret, which nothing keeps."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            organisation=organisation,
            name=name,
            token_hash=hash_token(secret),
            created_by=created_by,
        )
        return token, secret

    @classmethod
    def authenticate(cls, secret: str) -> ProvisioningToken | None:
        if not secret.isascii() or not secret.startswith(TOKEN_PREFIX):
            return None
        token = (
            cls.objects.usable()
            .select_related("organisation")
            .filter(token_hash=hash_token(secret))
            .first()
        )
        if token is not None:
            now = timezone.now()
            # One statement whatever the state, so every SCIM request costs the same.
            cls.objects.filter(pk=token.pk).filter(
                models.Q(last_used_at__isnull=True)
                | models.Q(last_used_at__lt=now - LAST_USED_PRECISION)
            ).update(last_used_at=now)
        return token

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class ExternalIdentity(models.Model):
    """The identifier the identity provider keeps for a person it provisioned (SCIM's
    `externalId`), stored so it can be returned: Okta and Entra ID match people by it. It
    says nothing about the person beyond that link, and goes with them when they are erased.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="scim_identity")
    external_id = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.external_id
