from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy

from bridgework.accounts.fields import (
    CLIENT_SECRET,
    SafeModelChoiceField,
    Textarea,
    WriteOnlySecretField,
)
from bridgework.accounts.models import Organisation, Person, Role

from .backends import address_moved_since_last_sign_in, signs_in_through_the_provider
from .models import IdentityProvider, Protocol
from .provider import DiscoveryUnavailable, read_discovery
from .saml import MetadataUnavailable, fetch_metadata, sign_in_address_in
from .services import tell_there_is_no_password

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_METADATA_CHARACTERS = 200_000


class AdminChoiceField(SafeModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.chosen_name} ({obj.email})"


class IdentityProviderForm(forms.ModelForm[IdentityProvider]):
    """The Sign-in settings. The client secret is write-only: the page says whether one is
    set and never shows it back."""

    client_secret = WriteOnlySecretField()
    break_glass_admin = AdminChoiceField(
        queryset=Person.objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody chosen yet"),
        label=gettext_lazy("Break-glass program admin"),
        help_text=gettext_lazy(
            "Keeps a password when sign-in is only through the identity provider, so "
            "someone can still get in if it is down or misconfigured."
        ),
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "protocol",
            "display_name",
            "oidc_server_url",
            "oidc_client_id",
            "saml_metadata_url",
            "saml_metadata_xml",
            "just_in_time",
            "sso_only",
            "break_glass_admin",
        ]
        widgets = {
            "protocol": forms.RadioSelect,
            "saml_metadata_xml": Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        }
        labels = {"protocol": gettext_lazy("Protocol")}
        help_texts = {
            "oidc_server_url": gettext_lazy(
                "The issuer, such as https://example.okta.com; we read its "
                "/.well-known/openid-configuration."
            ),
            "saml_metadata_url": gettext_lazy(
                "Where the identity provider publishes its metadata. Or "
                "paste the metadata XML below."
            ),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        # Only an admin with a password can be the one who keeps it: one who signs in through
        # the provider would have no way in while it is down.
        admins = (
            Person.objects.filter(
                organisation=organisation,
                is_active=True,
                role_assignments__role=Role.PROGRAM_ADMIN,
            )
            .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
            .order_by("chosen_name", "pk")
        )
        field = self.fields["break_glass_admin"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = admins
        secret = self.fields["client_secret"]
        assert isinstance(secret, WriteOnlySecretField)
        secret.explain(
            is_set=self.instance.has_oidc_secret,
            otherwise=gettext_lazy(
                "Shown once by your identity provider when you created the application."
            ),
        )

    def clean_saml_metadata_xml(self) -> str:
        xml: str = self.cleaned_data["saml_metadata_xml"].strip()
        if len(xml) > MAX_METADATA_CHARACTERS:
            raise forms.ValidationError(
                gettext("That metadata is too long to be an IdP's metadata.")
            )
        if xml and not sign_in_address_in(xml):
            raise forms.ValidationError(
                gettext(
                    "We cannot read an identity provider's entity ID, certificate and sign-in "
                    "address in that XML. Paste the IdP metadata file as your provider gives it."
                )
            )
        return xml

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        protocol = data.get("protocol")
        if protocol == Protocol.OIDC:
            if not data.get("oidc_server_url"):
                self.add_error("oidc_server_url", gettext("Give the issuer or discovery address."))
            if not data.get("oidc_client_id"):
                self.add_error("oidc_client_id", gettext("Give the client ID."))
            if not data.get("client_secret") and not self.instance.has_oidc_secret:
                self.add_error("client_secret", gettext("Give the client secret."))
            self._check_discovery(data)
        elif protocol == Protocol.SAML:
            self._check_saml_metadata(data)
        if data.get("sso_only") and not data.get("break_glass_admin"):
            self.add_error(
                "break_glass_admin",
                gettext(
                    "Choose a program admin who keeps a password before turning passwords off."
                ),
            )
        if not self.organisation.email_domains:
            raise forms.ValidationError(
                gettext(
                    "Add the organisation's e-mail domains in General first: sign-in through the "
                    "identity provider is offered, and allowed, only for addresses at them."
                )
            )
        return data

    def _check_discovery(self, data: dict[str, Any]) -> None:
        # Read it now, so a wrong issuer is found here rather than at people's sign-in; only
        # when it changed, so a provider that is briefly down never blocks other changes.
        url = data.get("oidc_server_url")
        if url and {"oidc_server_url", "protocol"} & set(self.changed_data):
            try:
                read_discovery(url)
            except DiscoveryUnavailable as unavailable:
                self.add_error("oidc_server_url", str(unavailable))

    def _check_saml_metadata(self, data: dict[str, Any]) -> None:
        url = data.get("saml_metadata_url")
        if not url and not data.get("saml_metadata_xml"):
            self.add_error(
                "saml_metadata_url",
                gettext("Give the metadata address or paste the metadata XML."),
            )
        # Read it now, so a wrong address is found here rather than at people's sign-in;
        # only when it changed, so an IdP that is briefly down never blocks other changes.
        elif (
            url
            and not data.get("saml_metadata_xml")
            and {"saml_metadata_url", "protocol", "saml_metadata_xml"} & set(self.changed_data)
        ):
            try:
                fetch_metadata(url)
            except MetadataUnavailable as unavailable:
                self.add_error("saml_metadata_url", str(unavailable))

    def changed_settings(self) -> list[StrOrPromise]:
        """The labels of the settings this save changes, for the audit (never their values);
        lazy, so that the audit keeps them in English."""
        changed: list[StrOrPromise] = [
            self.fields[name].label or name for name in self.changed_data if name != "client_secret"
        ]
        if self.cleaned_data.get("client_secret"):
            changed.append(CLIENT_SECRET)
        return changed


class FindProviderForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Work e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class LoginForm(allauth_forms.LoginForm):
    """allauth's sign-in form, which first sends people whose organisation signs in only
    through its identity provider there, with a sentence rather than "wrong password"."""

    def clean(self) -> dict[str, Any]:
        email = str(self.data.get("login", "")).strip()
        provider = IdentityProvider.objects.for_email(email) if "@" in email else None
        if provider is None or not provider.sso_only:
            cleaned: dict[str, Any] = super().clean()
            return cleaned
        through_provider = forms.ValidationError(
            gettext(
                "%(organisation)s signs in through %(provider)s, not with a password. "
                "Use “Sign in with your organisation's identity provider” below."
            )
            % {"organisation": provider.organisation.name, "provider": provider.display_name}
        )
        person = Person.objects.filter(email__iexact=email).first()
        if person is None or not provider.allows_password_for(person):
            # As long as checking a password takes, like the break-glass admin's below.
            make_password(str(self.data.get("password", "")))
            raise through_provider
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            # A wrong password for the one account here that may use one gets the answer
            # every other address here gets: "wrong password" would single out the
            # break-glass program admin to anyone trying addresses.
            raise through_provider from None
        return cleaned


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    """allauth's "forgot your password" form. An address at an organisation that signs in
    only through its identity provider gets no reset link (there is no password to reset)
    unless it is the break-glass program admin's; `identity_provider` tells the view to
    answer with the provider's sign-in instead, the same answer for every address at those
    domains, whether or not it has an account, so the page reveals nothing."""

    identity_provider: IdentityProvider | None = None
    users: list[Person]
    without_password: list[Person]

    def clean_email(self) -> str:
        email: str = super().clean_email()
        provider = IdentityProvider.objects.for_email(email)
        if provider is not None and provider.sso_only:
            self.identity_provider = provider
            self.users = [user for user in self.users if user.pk == provider.break_glass_admin_id]
        # Someone who has signed in without ever having a password signs in through their
        # organisation's identity provider, and SCIM may change their address: a reset link
        # would give a first password, and their account, to whoever reads the address. They
        # are told how they sign in instead. (Never signed in: a first password is how they
        # start, unless SCIM moved the address the account was made for. No provider any
        # more: it is how they get back in, unless their address was moved since they last
        # signed in.)
        self.without_password = [
            user
            for user in self.users
            if signs_in_through_the_provider(user) or address_moved_since_last_sign_in(user)
        ]
        self.users = [user for user in self.users if user not in self.without_password]
        return email

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        for person in self.without_password:
            tell_there_is_no_password(person)
        if self.without_password and not self.users:
            return str(self.cleaned_data["email"])
        return str(super().save(request, **kwargs))
