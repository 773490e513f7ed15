"""Who an identity provider's sign-in lets in, and the settings writes with their audit."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from bridgework.accounts import services as accounts_services
from bridgework.accounts.models import (
    GroupInvitation,
    GroupMembership,
    Invitation,
    Person,
    Role,
)
from bridgework.jobs import outbox
from bridgework.reflection.api import Note

from .models import IdentityProvider, PendingLink, SeenAssertion

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)


class SignInRefused(Exception):
    """The identity provider vouched for someone Bridgework does not let in.

    `message` is the sentence shown on the sign-in page; `reason` is the log line's (no
    address, no token)."""

    def __init__(self, *, message: str, reason: str) -> None:
        super().__init__(reason)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class Vouched:
    """What we take from the identity provider: an e-mail address and a name, nothing else;
    and whether it said it had verified the address. An OpenID Connect provider that does
    not (`email_verified` missing or false) may be passing on an address its user typed
    into their own profile: it reaches an account only through the owner's confirmation
    from their inbox, and claims no invitation and makes no account."""

    email: str
    name: str
    email_verified: bool = True


def _domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


@transaction.atomic
def person_for_sign_in(*, provider: IdentityProvider, vouched: Vouched) -> Person:
    """The person an identity provider's sign-in is for: someone already in the organisation,
    someone invited, or (with just-in-time creation on) a new participant.
    """
    organisation = provider.organisation
    email = vouched.email.strip().lower()
    if not email or "@" not in email:
        raise SignInRefused(
            message=gettext(
                "%(provider)s did not tell us your e-mail address, so we cannot sign you in. "
                "Ask your program admin to release it to Bridgework."
            )
            % {"provider": provider.display_name},
            reason="no e-mail address in the sign-in",
        )
    if _domain(email) not in organisation.email_domains:
        raise SignInRefused(
            message=gettext(
                "Your address at %(domain)s is not one of %(organisation)s's e-mail domains, "
                "so it cannot sign in here."
            )
            % {"domain": _domain(email)[:80], "organisation": organisation.name},
            reason="e-mail domain outside the organisation's domains",
        )
    not_invited = gettext(
        "%(organisation)s has not invited you to Bridgework yet. Ask your program admin for "
        "an invitation."
    ) % {"organisation": organisation.name}
    person = Person.objects.filter(email__iexact=email).first()
    if person is not None and person.organisation_id != organisation.pk:
        # Said as to someone unknown: whether the address has an account elsewhere is not
        # this organisation's (nor its identity provider's) to learn.
        raise SignInRefused(message=not_invited, reason="account in another organisation")
    if person is not None:
        if not person.is_active:
            raise SignInRefused(
                message=gettext("This account cannot sign in here. Ask your program admin."),
                reason="account inactive",
            )
        return person
    if not vouched.email_verified:
        raise SignInRefused(
            message=gettext(
                "%(provider)s has not confirmed that this e-mail address is yours, so it "
                "cannot open an invitation or a new account here. Accept your invitation from "
                "its e-mail instead, or ask your program admin."
            )
            % {"provider": provider.display_name},
            reason="e-mail address not verified by the provider",
        )
    invitation = (
        Invitation.objects.pending().filter(organisation=organisation, email__iexact=email).first()
    )
    if invitation is None and not provider.just_in_time:
        raise SignInRefused(
            message=not_invited, reason="not invited and just-in-time creation is off"
        )
    person = accounts_services.create_person(
        organisation=organisation,
        email=email,
        chosen_name=(invitation.chosen_name if invitation else "")
        or vouched.name[:80]
        or email.partition("@")[0][:80],
        password=None,
        roles=set(invitation.roles if invitation else []) or {Role.PARTICIPANT},
    )
    if invitation is not None:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    logger.info(
        "sso: person %s joined organisation %s on first sign-in (%s)",
        person.pk,
        organisation.pk,
        "invited" if invitation else "just in time",
    )
    return person


def _email(
    person: Person,
    *,
    key: str,
    subject: Callable[[], str],
    template: str,
    to: str = "",
    **context: object,
) -> None:
    """One e-mail to the person (at their address, or `to`), in their language, sent once
    the transaction commits."""
    with translation.override(person.preferred_language):
        text = subject()
        body = render_to_string(template, {"person": person, **context})
    key = f"{key}:{person.pk}:{timezone.now().isoformat()}"
    email = outbox.queue(key=key, to=to or person.email, subject=text, body=body)
    transaction.on_commit(lambda: outbox.send(email))


def holds_something(person: Person) -> bool:
    """Whether a sign-in as this person would reach something of theirs: an account
    someone has signed in to, or one in a community group (its members and protected space)
    or invited into one (whoever accepted in their name would be let in under it), or one a
    colleague has written a note to, even if nobody has signed in to it yet."""
    return (
        person.last_login is not None
        or GroupMembership.objects.filter(person_id=person.pk).exists()
        or GroupInvitation.objects.filter(person_id=person.pk).exists()
        or Note.objects.filter(recipient_id=person.pk).exists()
    )


def tell_of_first_link(*, provider: IdentityProvider, person: Person) -> None:
    """E-mail someone whose account was in use before that it now also signs in through the
    identity provider. Whoever runs the organisation's sign-in settings could point them at
    a provider of their own and sign in as anyone: this way the person hears of it, at an
    address that only they can change while they sign in with a password."""
    if person.last_login is None and not person.has_usable_password():
        return  # made just now, on this sign-in: there was nothing of theirs to reach
    _email(
        person,
        key="sso-link",
        subject=lambda: (
            gettext("Your Bridgework account now signs in through %(provider)s")
            % {"provider": provider.display_name}
        ),
        template="sso/email/first_link.txt",
        provider=provider.display_name,
        organisation=provider.organisation.name,
    )


LINK_CONFIRMATION_HOURS = 24


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def ask_owner_to_confirm_link(
    *, provider: IdentityProvider, person: Person, account_provider: str, uid: str
) -> None:
    """A first sign-in through the provider into an account someone has signed in to
    before: nothing is linked yet. Its owner is e-mailed a link to confirm it; whoever
    connected a provider of their own to sign in as them gets no further than this."""
    PendingLink.objects.filter(person=person).delete()
    token = secrets.token_urlsafe(32)
    PendingLink.objects.create(
        person=person,
        account_provider=account_provider,
        uid=uid,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + timedelta(hours=LINK_CONFIRMATION_HOURS),
    )
    _email(
        person,
        key="sso-confirm",
        # Where they signed in from last: provisioning may have changed `email` since, to
        # an address whoever runs it reads.
        to=person.signed_in_email,
        subject=lambda: (
            gettext("Confirm signing in to Bridgework through %(provider)s")
            % {"provider": provider.display_name}
        ),
        template="sso/email/confirm_link.txt",
        provider=provider.display_name,
        organisation=provider.organisation.name,
        url=settings.BASE_URL + reverse("sso_confirm_link", args=[token]),
        hours=LINK_CONFIRMATION_HOURS,
    )


def pending_link(token: str) -> PendingLink | None:
    """The link a confirmation e-mail is for, while it may still be confirmed."""
    return (
        PendingLink.objects.filter(token_hash=_token_hash(token), expires_at__gt=timezone.now())
        .select_related("person", "person__organisation")
        .first()
    )


@transaction.atomic
def confirm_link(pending: PendingLink) -> IdentityProvider | None:
    """The owner confirms: the provider's subject now signs in to their account. None when
    the organisation's provider has changed or gone since (the link is dropped)."""
    link = (
        PendingLink.objects.select_for_update()
        .select_related("person")
        .filter(pk=pending.pk)
        .first()
    )
    if link is None:
        return None  # confirmed a moment ago, in another tab
    link.delete()
    person = link.person
    provider = IdentityProvider.objects.filter(organisation=person.organisation).first()
    if provider is None or provider.slug != link.account_provider or not person.is_active:
        return None
    taken = SocialAccount.objects.filter(provider=link.account_provider, uid=link.uid)
    if taken.exclude(user=person).exists():
        return None
    SocialAccount.objects.get_or_create(
        provider=link.account_provider, uid=link.uid, defaults={"user": person}
    )
    return provider


def tell_there_is_no_password(person: Person) -> None:
    """Answer "Forgot your password?" for someone who has signed in without a password: no
    reset link (see ResetPasswordForm), but how they do sign in."""
    provider = IdentityProvider.objects.filter(organisation=person.organisation).first()
    sign_in = (
        settings.BASE_URL
        + reverse("sso_start", kwargs={"organisation_slug": provider.organisation.slug})
        if provider is not None
        else ""
    )
    _email(
        person,
        key="no-password",
        subject=lambda: gettext("How you sign in to Bridgework"),
        template="sso/email/no_password.txt",
        provider=provider.display_name if provider else "",
        sign_in=sign_in,
    )


# What says which provider is trusted. Whoever runs the sign-in settings could point these
# at a provider of their own, which may claim the subjects already linked (a SAML name ID is
# often just the address): a change unlinks everyone, so each person's next sign-in is a
# first link again, which they hear of by e-mail (tell_of_first_link).
TRUST_FIELDS = (
    "protocol",
    "oidc_server_url",
    "oidc_client_id",
    "saml_metadata_url",
    "saml_metadata_xml",
)


@transaction.atomic
def save_identity_provider(
    *, provider: IdentityProvider, actor: Person, new_secret: str, changed: list[StrOrPromise]
) -> None:
    """Save the Sign-in settings and audit each changed setting by name (never a value)."""
    before = (
        IdentityProvider.objects.filter(pk=provider.pk).values(*TRUST_FIELDS).first()
        if provider.pk
        else None
    )
    if new_secret:
        provider.set_oidc_secret(new_secret)
    provider.updated_at = timezone.now()
    provider.save()
    if before is not None and any(before[name] != getattr(provider, name) for name in TRUST_FIELDS):
        unlinked, _ = SocialAccount.objects.filter(
            provider=provider.slug, user__organisation=provider.organisation
        ).delete()
        SeenAssertion.objects.filter(organisation=provider.organisation).delete()
        PendingLink.objects.filter(person__organisation=provider.organisation).delete()
        logger.info(
            "sso: provider of organisation %s changed; %s links removed",
            provider.organisation_id,
            unlinked,
        )
    for setting in changed:
        accounts_services.record_settings_change(
            organisation=provider.organisation, actor=actor, setting=setting
        )


class RemovalRefused(Exception):
    """The identity provider cannot be removed yet; the message says what to do first."""


def removal_refusal(provider: IdentityProvider) -> str:
    """Why the provider cannot be removed now, or an empty string when it can."""
    if provider.sso_only:
        return gettext(
            "Sign-in is only through this identity provider, so removing it would leave "
            "everyone but the break-glass program admin without a way to sign in. Turn off "
            "“Sign in only through the identity provider”, save, then remove it."
        )
    return ""


@transaction.atomic
def remove_identity_provider(*, provider: IdentityProvider, actor: Person) -> None:
    """Disconnect the organisation's identity provider: its settings and sealed secret go,
    and so do the links between people and their accounts there, so a provider connected
    later starts afresh. People keep their Bridgework accounts (and passwords, if any).

    Refused while sign-in is only through the provider: nobody but the break-glass program
    admin would have a way in."""
    refusal = removal_refusal(provider)
    if refusal:
        raise RemovalRefused(refusal)
    organisation = provider.organisation
    SocialAccount.objects.filter(provider=provider.slug, user__organisation=organisation).delete()
    SeenAssertion.objects.filter(organisation=organisation).delete()
    PendingLink.objects.filter(person__organisation=organisation).delete()
    provider.delete()
    accounts_services.record_settings_change(
        organisation=organisation,
        actor=actor,
        setting=gettext_noop("Identity provider removed"),
    )
    logger.info("sso: identity provider of organisation %s removed", organisation.pk)
