from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from bridgework.accounts.models import Organisation, Person

from . import sealing


class Protocol(models.TextChoices):
    OIDC = "oidc", pgettext_lazy("protocol name", "OpenID Connect")
    SAML = "saml", pgettext_lazy("protocol name", "SAML 2.0")


class IdentityProviderQuerySet(models.QuerySet["IdentityProvider"]):
    def for_email(self, email: str) -> IdentityProvider | None:
        """The identity provider of the organisation whose domains include the address's."""
        domain = email.rpartition("@")[2].strip().lower()
        if not domain:
            return None
        for provider in self.select_related("organisation"):
            if domain in provider.organisation.email_domains:
                return provider
        return None


class IdentityProvider(models.Model):
    """An organisation's identity provider: people sign in through it instead of a password.

    Only a name and an e-mail address are ever taken from it; nothing it says about a person
    changes their roles, groups or anything else.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="identity_provider"
    )
    protocol = models.CharField(max_length=8, choices=Protocol.choices, default=Protocol.OIDC)
    display_name = models.CharField(
        gettext_lazy("name on the sign-in button"),
        max_length=60,
        help_text=gettext_lazy(
            "People see “Sign in with …” followed by this, such as Okta or Entra ID."
        ),
    )
    oidc_server_url = models.URLField(
        gettext_lazy("issuer or discovery address"), max_length=300, blank=True
    )
    oidc_client_id = models.CharField(gettext_lazy("client ID"), max_length=200, blank=True)
    oidc_secret_sealed = models.BinaryField(default=b"", editable=False)
    oidc_secret_key_id = models.CharField(max_length=16, blank=True, editable=False)
    saml_metadata_url = models.URLField(
        gettext_lazy("IdP metadata address"), max_length=300, blank=True
    )
    saml_metadata_xml = models.TextField(gettext_lazy("IdP metadata XML"), blank=True)
    just_in_time = models.BooleanField(
        gettext_lazy("create people on their first sign-in"),
        default=False,
        help_text=gettext_lazy("Off: only people who were invited or provisioned can sign in."),
    )
    sso_only = models.BooleanField(
        gettext_lazy("sign in only through the identity provider"),
        default=False,
        help_text=gettext_lazy(
            "Passwords stop working for everyone except the break-glass program admin."
        ),
    )
    break_glass_admin = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("break-glass program admin"),
        help_text=gettext_lazy(
            "Keeps a password, so someone can still sign in if the identity provider "
            "is down or misconfigured."
        ),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = IdentityProviderQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.display_name} for {self.organisation}"

    @property
    def slug(self) -> str:
        return self.organisation.slug

    @property
    def has_oidc_secret(self) -> bool:
        return bool(self.oidc_secret_sealed)

    def _secret_purpose(self) -> str:
        return f"oidc-secret:{self.organisation_id}"

    def set_oidc_secret(self, secret: str) -> None:
        self.oidc_secret_key_id, self.oidc_secret_sealed = sealing.seal(
            secret, purpose=self._secret_purpose()
        )

    def oidc_secret(self) -> str | None:
        return sealing.unseal(
            self.oidc_secret_sealed,
            key_id=self.oidc_secret_key_id,
            purpose=self._secret_purpose(),
        )

    def allows_password_for(self, person: Person) -> bool:
        return not self.sso_only or person.pk == self.break_glass_admin_id


class SeenAssertion(models.Model):
    """A SAML assertion ID already used, kept until it expires, so a replay is refused."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    assertion_id = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "assertion_id"], name="sso_assertion_once"
            )
        ]

    def __str__(self) -> str:
        return self.assertion_id


class PendingLink(models.Model):
    """A first sign-in through the identity provider into an account already in use, waiting
    for its owner to confirm it from an e-mail: whoever runs the sign-in settings could
    connect a provider of their own, and would otherwise be in before the owner heard of it.
    Only the token's hash is kept."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    # As allauth keeps the link: the provider's id (the organisation's slug) and the subject.
    account_provider = models.CharField(max_length=200)
    uid = models.CharField(max_length=191)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Pending link {self.pk}"


def reseal_client_secrets() -> int:
    """Re-seal every organisation's client secret under the newest master key, so rotating
    the master key never leaves an identity provider without its secret."""
    newest_id = sealing.newest_key_id()
    count = 0
    stale = IdentityProvider.objects.exclude(oidc_secret_sealed=b"").exclude(
        oidc_secret_key_id=newest_id
    )
    for provider in stale.order_by("pk"):
        secret = provider.oidc_secret()
        if secret is None:
            continue
        provider.set_oidc_secret(secret)
        provider.save(update_fields=["oidc_secret_sealed", "oidc_secret_key_id"])
        count += 1
    return count
