"""Fixtures for the SSO tests: a real OpenID Connect provider on loopback, and leave to
read identity providers there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .oidc_provider import OIDCProvider


@pytest.fixture(autouse=True)
def _on_loopback(loopback_identity_providers: None) -> None:
    """Every test here may read its identity provider on loopback; the specs of refusing
    private addresses (`test_private_addresses.py`) turn that back off."""


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[OIDCProvider]:
    provider = OIDCProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def idp(oidc_provider: OIDCProvider) -> Iterator[OIDCProvider]:
    """The provider with its misbehaviour switches reset after each test."""
    yield oidc_provider
    oidc_provider.sign_with_unpublished_key = False
    oidc_provider.audience = oidc_provider.issuer_claim = oidc_provider.nonce_claim = None
    oidc_provider.expired = oidc_provider.authorize_elsewhere = False
