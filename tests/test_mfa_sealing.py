"""Second-factor secrets are sealed at rest: the TOTP secret and the recovery-code seed are
stored sealed with the master key (allauth's MFA adapter hooks), secrets stored in plain
before that still work and are sealed by the migration, and rotating the master key
re-seals them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import import_module
from pathlib import Path

import pyotp
import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import Client

from bridgework.accounts.models import Person
from bridgework.lib import keyfiles
from bridgework.security import sealing

from .test_mfa import SECOND_STEP, enrol_authenticator_app, is_signed_in, sign_in

pytestmark = pytest.mark.django_db

PLAIN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(datetime(2026, 5, 4, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def stored_data(person: Person, kind: str) -> str:
    """The authenticator's data column as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data FROM mfa_authenticator WHERE user_id = %s AND type = %s",
            [person.pk, kind],
        )
        (data,) = cursor.fetchone()
    return str(data)


def second_step_works(person: Person, app: pyotp.TOTP, clock: time_machine.Traveller) -> bool:
    clock.shift(timedelta(seconds=31))
    client = Client()
    sign_in(client, person)
    client.post(SECOND_STEP, {"code": app.now()})
    return is_signed_in(client)


def test_the_database_holds_no_plain_totp_secret_and_the_app_still_signs_in(
    program_admin: Person, clock: time_machine.Traveller
) -> None:
    client = Client()
    sign_in(client, program_admin)
    app = enrol_authenticator_app(client)

    stored = stored_data(program_admin, "totp")
    assert app.secret not in stored
    assert '"mfa1:' in stored
    assert second_step_works(program_admin, app, clock)


def test_the_recovery_codes_seed_is_sealed_and_the_codes_still_work(
    program_admin: Person,
) -> None:
    client = Client()
    sign_in(client, program_admin)
    enrol_authenticator_app(client)
    codes = Authenticator.objects.get(user=program_admin, type="recovery_codes")
    seed = sealing.open_secret(codes.data["seed"])

    assert seed not in stored_data(program_admin, "recovery_codes")
    code = codes.wrap().get_unused_codes()[0]
    again = Client()
    sign_in(again, program_admin)
    again.post(SECOND_STEP, {"code": code})
    assert is_signed_in(again)


def plain_authenticator(person: Person) -> pyotp.TOTP:
    """An authenticator app enrolled before secrets were sealed: allauth stored it as is."""
    Authenticator.objects.create(user=person, type="totp", data={"secret": PLAIN_SECRET})
    return pyotp.TOTP(PLAIN_SECRET)


def test_a_secret_stored_in_plain_before_sealing_still_signs_in(
    program_admin: Person, clock: time_machine.Traveller
) -> None:
    app = plain_authenticator(program_admin)
    assert second_step_works(program_admin, app, clock)


def test_the_migration_seals_plain_secrets_and_they_still_sign_in(
    program_admin: Person, clock: time_machine.Traveller
) -> None:
    app = plain_authenticator(program_admin)
    Authenticator.objects.create(
        user=program_admin,
        type="recovery_codes",
        data={"seed": "ab" * 40, "used_mask": 0, "migrated_codes": ["12345678"]},
    )
    migration = import_module("bridgework.security.migrations.0002_seal_mfa_secrets")

    migration.seal_plain_secrets(django_apps, None)
    migration.seal_plain_secrets(django_apps, None)  # running twice changes nothing more

    assert PLAIN_SECRET not in stored_data(program_admin, "totp")
    recovery = stored_data(program_admin, "recovery_codes")
    assert "ab" * 40 not in recovery and "12345678" not in recovery
    codes = Authenticator.objects.get(user=program_admin, type="recovery_codes")
    assert sealing.open_secret(codes.data["seed"]) == "ab" * 40
    assert second_step_works(program_admin, app, clock)


def test_a_secret_sealed_by_a_lost_key_never_verifies(
    program_admin: Person, clock: time_machine.Traveller
) -> None:
    app = plain_authenticator(program_admin)
    totp = Authenticator.objects.get(user=program_admin, type="totp")
    totp.data["secret"] = f"mfa1:gone0000:{totp.data['secret']}"
    totp.save()

    assert not second_step_works(program_admin, app, clock)


def test_rotating_the_master_key_re_seals_second_factor_secrets(
    own_key_dir: Path, program_admin: Person, clock: time_machine.Traveller
) -> None:
    client = Client()
    sign_in(client, program_admin)
    app = enrol_authenticator_app(client)
    before = Authenticator.objects.get(user=program_admin, type="totp").data["secret"]

    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    # As a freshly started process would see it: only the new key file on disk.
    django_settings.FIELD_ENCRYPTION_KEYS = keyfiles.load_or_create_master_keys(own_key_dir)

    after = Authenticator.objects.get(user=program_admin, type="totp").data["secret"]
    assert after != before
    assert sealing.key_id_of(after) == django_settings.FIELD_ENCRYPTION_KEYS[0][0]
    assert "Re-sealed 2 other secrets" in out.getvalue()  # the app's secret, the codes' seed
    assert second_step_works(program_admin, app, clock)
