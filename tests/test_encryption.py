"""Field encryption at rest: a data key per person, wrapped by a master key on disk.

What a person writes privately never reaches the database as plaintext, cannot be written or
searched around the encryption, is destroyed with its key when the person is erased, and
survives a master-key rotation.
"""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from bridgework.accounts import encryption, services
from bridgework.accounts.encryption import key_cache
from bridgework.accounts.models import DataKey, Organisation, Person, PrivateProfile
from bridgework.lib import crypto, keyfiles
from bridgework.sso.models import IdentityProvider

SECRET = "I want to stop talking over my colleague Dana in meetings"


def raw_intention(profile_id: int) -> str | None:
    """The value as it sits in the table, read around the ORM."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT intention FROM accounts_privateprofile WHERE id = %s", [profile_id])
        row = cursor.fetchone()
    assert row is not None
    value: str | None = row[0]
    return value


def write_raw_intention(profile_id: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_privateprofile SET intention = %s WHERE id = %s", [value, profile_id]
        )


def read_back(profile_id: int) -> str | None:
    intention: str | None = PrivateProfile.objects.get(pk=profile_id).intention
    return intention


def profile_of(person: Person) -> PrivateProfile:
    return PrivateProfile.objects.get(person=person)


# --- Storage -----------------------------------------------------------------------------


def test_it_writes_no_plaintext_to_the_table(participant: Person) -> None:
    services.save_intention(person=participant, intention=SECRET)

    stored = raw_intention(profile_of(participant).pk)

    assert stored is not None
    assert stored.startswith("bw1:")
    assert SECRET not in stored
    assert "Dana" not in stored


def test_it_reads_the_intention_back_through_the_model(participant: Person) -> None:
    services.save_intention(person=participant, intention=SECRET)
    key_cache.clear()  # read as a fresh process would: unwrap the key from the database

    assert read_back(profile_of(participant).pk) == SECRET


def test_it_keeps_an_empty_intention_empty_and_a_missing_one_null(participant: Person) -> None:
    services.save_intention(person=participant, intention="")
    profile = profile_of(participant)
    assert read_back(profile.pk) == ""
    assert raw_intention(profile.pk).startswith("bw1:")  # type: ignore[union-attr]

    profile.intention = None
    profile.save()
    assert raw_intention(profile.pk) is None
    assert read_back(profile.pk) is None


def test_the_same_text_encrypts_differently_every_time(participant: Person) -> None:
    services.save_intention(person=participant, intention=SECRET)
    first = raw_intention(profile_of(participant).pk)
    services.save_intention(person=participant, intention=SECRET)
    second = raw_intention(profile_of(participant).pk)

    assert first != second
    assert read_back(profile_of(participant).pk) == SECRET


def test_each_person_gets_their_own_data_key_recorded_in_their_ciphertext(
    participant: Person, facilitator: Person
) -> None:
    services.save_intention(person=participant, intention=SECRET)
    services.save_intention(person=facilitator, intention=SECRET)

    participant_key = DataKey.objects.get(person=participant)
    facilitator_key = DataKey.objects.get(person=facilitator)
    participant_text = raw_intention(profile_of(participant).pk)
    facilitator_text = raw_intention(profile_of(facilitator).pk)

    assert participant_key.pk != facilitator_key.pk
    assert crypto.ciphertext_key_id(participant_text) == participant_key.pk  # type: ignore[arg-type]
    assert crypto.ciphertext_key_id(facilitator_text) == facilitator_key.pk  # type: ignore[arg-type]
    # One person's key cannot open the other's text.
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(
            participant_text,  # type: ignore[arg-type]
            key=encryption.key_by_id(facilitator_key.pk),
        )


def test_a_data_key_is_stored_only_wrapped_under_the_current_master_key(
    participant: Person,
) -> None:
    services.save_intention(person=participant, intention=SECRET)
    data_key = DataKey.objects.get(person=participant)
    plain = encryption.key_by_id(data_key.pk)
    current_master_id, _ = django_settings.FIELD_ENCRYPTION_KEYS[0]

    assert data_key.master_key_id == current_master_id
    assert plain not in bytes(data_key.wrapped_key)


def test_saving_a_second_intention_reuses_the_persons_key(participant: Person) -> None:
    services.save_intention(person=participant, intention="first")
    services.save_intention(person=participant, intention="second")

    assert DataKey.objects.filter(person=participant).count() == 1


# --- No plaintext path --------------------------------------------------------------------


def test_queryset_update_cannot_write_plaintext(participant: Person) -> None:
    services.save_intention(person=participant, intention=SECRET)
    before = raw_intention(profile_of(participant).pk)

    with pytest.raises(TypeError), transaction.atomic():
        PrivateProfile.objects.filter(person=participant).update(intention="plain words")

    assert raw_intention(profile_of(participant).pk) == before


def test_bulk_update_cannot_write_plaintext(participant: Person) -> None:
    services.save_intention(person=participant, intention=SECRET)
    profile = profile_of(participant)
    profile.intention = "plain words"

    with pytest.raises(TypeError), transaction.atomic():
        PrivateProfile.objects.bulk_update([profile], ["intention"])


@pytest.mark.parametrize("lookup", ["intention", "intention__icontains", "intention__startswith"])
def test_filtering_on_the_encrypted_field_is_refused(participant: Person, lookup: str) -> None:
    services.save_intention(person=participant, intention=SECRET)

    with pytest.raises(TypeError), transaction.atomic():
        list(PrivateProfile.objects.filter(**{lookup: SECRET}))


# --- Erasure --------------------------------------------------------------------------------


def test_erasing_a_person_makes_every_copy_of_their_ciphertext_unreadable(
    participant: Person, facilitator: Person
) -> None:
    services.save_intention(person=participant, intention=SECRET)
    copied = raw_intention(profile_of(participant).pk)  # as a backup would hold it
    assert copied is not None
    key_id = crypto.ciphertext_key_id(copied)

    services.erase_person(person=participant)

    assert not Person.objects.filter(pk=participant.pk).exists()
    assert not DataKey.objects.filter(pk=key_id).exists()
    assert key_cache.get(key_id) is None
    with pytest.raises(crypto.DecryptionError):
        encryption.key_by_id(key_id)
    # Put the copy back into the database, as restoring an old backup row would:
    # it still cannot be read.
    services.save_intention(person=facilitator, intention="placeholder")
    restored = profile_of(facilitator)
    write_raw_intention(restored.pk, copied)
    assert read_back(restored.pk) is None


def test_erasing_one_person_leaves_everyone_elses_text_readable(
    participant: Person, facilitator: Person
) -> None:
    services.save_intention(person=participant, intention=SECRET)
    services.save_intention(person=facilitator, intention="Listen more than I speak")

    services.erase_person(person=participant)

    assert read_back(profile_of(facilitator).pk) == "Listen more than I speak"


# --- Key rotation ---------------------------------------------------------------------------


def rotate() -> str:
    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    return out.getvalue()


def test_rotate_keys_rewraps_every_key_and_retires_the_old_master(
    own_key_dir: Path, participant: Person, facilitator: Person
) -> None:
    services.save_intention(person=participant, intention=SECRET)
    services.save_intention(person=facilitator, intention="Listen more than I speak")
    [(old_id, old_key)] = keyfiles.load_or_create_master_keys(own_key_dir)
    wrapped_before = {k.pk: bytes(k.wrapped_key) for k in DataKey.objects.all()}

    output = rotate()

    [(new_id, new_key)] = keyfiles.load_or_create_master_keys(own_key_dir)
    assert new_id != old_id
    assert new_key != old_key
    retired = list(own_key_dir.glob("master_keys.retired-*"))
    assert len(retired) == 1
    assert stat.S_IMODE(retired[0].stat().st_mode) == 0o600
    assert keyfiles.parse_master_keys(retired[0].read_text(), retired[0]) == [(old_id, old_key)]
    assert stat.S_IMODE((own_key_dir / keyfiles.MASTER_KEYS_FILE).stat().st_mode) == 0o600
    for data_key in DataKey.objects.all():
        assert data_key.master_key_id == new_id
        assert bytes(data_key.wrapped_key) != wrapped_before[data_key.pk]
    assert "Re-wrapped 2 data keys" in output


def test_values_still_decrypt_after_rotation_with_only_the_new_key_file(
    own_key_dir: Path, participant: Person
) -> None:
    services.save_intention(person=participant, intention=SECRET)

    rotate()
    # As a freshly started process would see it: the key file on disk, nothing cached.
    django_settings.FIELD_ENCRYPTION_KEYS = keyfiles.load_or_create_master_keys(own_key_dir)
    key_cache.clear()

    assert read_back(profile_of(participant).pk) == SECRET


def test_an_identity_providers_client_secret_survives_rotation(
    own_key_dir: Path, organisation: Organisation
) -> None:
    provider = IdentityProvider(organisation=organisation, display_name="Okta")
    provider.set_oidc_secret("s3cret-from-okta")
    provider.save()

    output = rotate()
    # As a freshly started process would see it: only the new key file on disk.
    django_settings.FIELD_ENCRYPTION_KEYS = keyfiles.load_or_create_master_keys(own_key_dir)

    provider.refresh_from_db()
    assert provider.oidc_secret() == "s3cret-from-okta"
    assert provider.oidc_secret_key_id == django_settings.FIELD_ENCRYPTION_KEYS[0][0]
    assert "Re-sealed 1 other secrets" in output


def test_rotating_twice_keeps_values_readable_and_retires_each_old_key(
    own_key_dir: Path, participant: Person
) -> None:
    services.save_intention(person=participant, intention=SECRET)

    rotate()
    rotate()
    key_cache.clear()

    assert len(list(own_key_dir.glob("master_keys.retired-*"))) == 2
    assert len(keyfiles.load_or_create_master_keys(own_key_dir)) == 1
    assert read_back(profile_of(participant).pk) == SECRET


def test_a_data_key_wrapped_by_an_unknown_master_key_does_not_open(
    own_key_dir: Path, participant: Person
) -> None:
    services.save_intention(person=participant, intention=SECRET)
    rotate()
    # Lose the new master key (say, a data directory restored without its key file).
    keyfiles.replace_master_keys(own_key_dir, [keyfiles.new_master_key()])
    django_settings.FIELD_ENCRYPTION_KEYS = keyfiles.load_or_create_master_keys(own_key_dir)
    key_cache.clear()

    assert read_back(profile_of(participant).pk) is None


# --- Tampering ------------------------------------------------------------------------------


def test_a_tampered_ciphertext_in_the_table_does_not_decrypt(participant: Person) -> None:
    services.save_intention(person=participant, intention=SECRET)
    profile = profile_of(participant)
    stored = raw_intention(profile.pk)
    assert stored is not None
    prefix, key_id, body = stored.split(":", 2)
    # Change one character in the middle of the sealed body (staying valid base64).
    middle = len(body) // 2
    swapped = "A" if body[middle] != "A" else "B"
    tampered = f"{prefix}:{key_id}:{body[:middle]}{swapped}{body[middle + 1 :]}"

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(tampered, key=encryption.key_by_id(int(key_id)))
    write_raw_intention(profile.pk, tampered)
    assert read_back(profile.pk) is None


def test_a_ciphertext_moved_to_another_key_id_does_not_decrypt(
    participant: Person, facilitator: Person
) -> None:
    services.save_intention(person=participant, intention=SECRET)
    services.save_intention(person=facilitator, intention="mine")
    stored = raw_intention(profile_of(participant).pk)
    assert stored is not None
    _, _, body = stored.split(":", 2)
    other_id = DataKey.objects.get(person=facilitator).pk
    relabelled = f"bw1:{other_id}:{body}"

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(relabelled, key=encryption.key_by_id(other_id))


# --- lib/crypto unit properties ---------------------------------------------------------


@given(text=st.text(), key_id=st.integers(min_value=1, max_value=2**53))
def test_encrypt_then_decrypt_returns_any_text_unchanged(text: str, key_id: int) -> None:
    key = crypto.new_data_key()

    ciphertext = crypto.encrypt_text(text, key=key, key_id=key_id)

    assert ciphertext.startswith(f"bw1:{key_id}:")
    assert crypto.ciphertext_key_id(ciphertext) == key_id
    assert crypto.decrypt_text(ciphertext, key=key) == text


@given(text=st.text(min_size=1))
def test_a_different_key_never_opens_the_text(text: str) -> None:
    ciphertext = crypto.encrypt_text(text, key=crypto.new_data_key(), key_id=1)

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(ciphertext, key=crypto.new_data_key())


@given(text=st.text(), position=st.integers(min_value=0), flip=st.integers(1, 255))
def test_changing_any_byte_of_the_sealed_body_is_detected(
    text: str, position: int, flip: int
) -> None:
    import base64

    key = crypto.new_data_key()
    prefix, key_id, body = crypto.encrypt_text(text, key=key, key_id=7).split(":", 2)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[position % len(raw)] ^= flip
    tampered = f"{prefix}:{key_id}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(tampered, key=key)


@given(garbage=st.text())
def test_decrypting_anything_malformed_raises_only_decryption_error(garbage: str) -> None:
    key = crypto.new_data_key()

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(garbage, key=key)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(f"bw1:1:{garbage}", key=key)


@given(garbage=st.text().filter(lambda s: not s.startswith("bw1:")))
def test_reading_the_key_id_of_a_foreign_value_raises_decryption_error(garbage: str) -> None:
    with pytest.raises(crypto.DecryptionError):
        crypto.ciphertext_key_id(garbage)


def test_a_wrapped_key_opens_only_with_its_master_key_and_its_own_label() -> None:
    data_key = crypto.new_data_key()
    master = crypto.new_data_key()
    wrapped = crypto.wrap_key(data_key, master_key=master, associated=b"datakey:1")

    assert crypto.unwrap_key(wrapped, master_key=master, associated=b"datakey:1") == data_key
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_key(wrapped, master_key=crypto.new_data_key(), associated=b"datakey:1")
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_key(wrapped, master_key=master, associated=b"datakey:2")
