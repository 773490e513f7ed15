"""Field-level encryption at rest with a data key per person (envelope encryption).

A model with sensitive fields names its owner: ``EncryptedTextField(owner="person")``.
Saving encrypts with the owner's data key; loading decrypts by the key id recorded in the
ciphertext. Encrypted fields cannot be filtered on: search runs over decrypted values in
the owner's own request.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.db.models.lookups import Lookup
from django.db.models.query_utils import RegisterLookupMixin

from bridgework.lib import crypto, keyfiles

if TYPE_CHECKING:
    from .models import DataKey, Person


def _data_keys() -> type[DataKey]:
    from .models import DataKey

    return DataKey


class _UnwrappedKeyCache:
    """A small per-process cache of unwrapped data keys, so a page decrypts with one lookup."""

    def __init__(self, size: int = 512) -> None:
        self._keys: OrderedDict[int, bytes] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key_id: int) -> bytes | None:
        with self._lock:
            key = self._keys.get(key_id)
            if key is not None:
                self._keys.move_to_end(key_id)
            return key

    def put(self, key_id: int, key: bytes) -> None:
        with self._lock:
            self._keys[key_id] = key
            self._keys.move_to_end(key_id)
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()


key_cache = _UnwrappedKeyCache()


def _master_keys() -> dict[str, bytes]:
    return dict(settings.FIELD_ENCRYPTION_KEYS)


def _reload_master_keys() -> dict[str, bytes]:
    """After rotate-keys in another process, pick up the new key file without a restart."""
    settings.FIELD_ENCRYPTION_KEYS = keyfiles.load_or_create_master_keys(Path(settings.DATA_DIR))
    return _master_keys()


def _current_master() -> tuple[str, bytes]:
    key_id, key = settings.FIELD_ENCRYPTION_KEYS[0]
    return key_id, key


def _associated(data_key_id: int) -> bytes:
    return f"datakey:{data_key_id}".encode("ascii")


def _unwrap(data_key: DataKey) -> bytes:
    master = _master_keys().get(data_key.master_key_id)
    if master is None:
        master = _reload_master_keys().get(data_key.master_key_id)
    if master is None:
        raise crypto.DecryptionError(
            f"Master key {data_key.master_key_id} is not in the data directory's key file."
        )
    return crypto.unwrap_key(
        bytes(data_key.wrapped_key), master_key=master, associated=_associated(data_key.pk)
    )


def data_key_for(person_id: int) -> tuple[int, bytes]:
    """The person's data key (id, key), created on first use."""
    existing = _data_keys().objects.filter(person_id=person_id).first()
    if existing is None:
        with transaction.atomic():
            master_id, master = _current_master()
            existing = _data_keys().objects.create(
                person_id=person_id, wrapped_key=b"", master_key_id=master_id
            )
            plain = crypto.new_data_key()
            existing.wrapped_key = crypto.wrap_key(
                plain, master_key=master, associated=_associated(existing.pk)
            )
            existing.save(update_fields=["wrapped_key"])
        key_cache.put(existing.pk, plain)
        return existing.pk, plain
    cached = key_cache.get(existing.pk)
    if cached is None:
        cached = _unwrap(existing)
        key_cache.put(existing.pk, cached)
    return existing.pk, cached


def key_by_id(data_key_id: int) -> bytes:
    cached = key_cache.get(data_key_id)
    if cached is not None:
        return cached
    data_key = _data_keys().objects.filter(pk=data_key_id).first()
    if data_key is None:
        raise crypto.DecryptionError("The data key for this value has been destroyed.")
    plain = _unwrap(data_key)
    key_cache.put(data_key_id, plain)
    return plain


def destroy_data_key(person: Person) -> None:
    """Crypto-shredding: after this, nothing encrypted for the person can be read again."""
    _data_keys().objects.filter(person=person).delete()
    key_cache.clear()


def destroy_data_keys_in(organisation_id: int) -> None:
    """Crypto-shredding for everyone in an organisation at once (deleting an organisation)."""
    _data_keys().objects.filter(person__organisation_id=organisation_id).delete()
    key_cache.clear()


def rewrap_all(new_master_id: str, new_master: bytes) -> int:
    """Re-wrap every data key under a new master key. Ciphertexts stay as they are."""
    count = 0
    for data_key in _data_keys().objects.order_by("pk").iterator(chunk_size=500):
        plain = _unwrap(data_key)
        data_key.wrapped_key = crypto.wrap_key(
            plain, master_key=new_master, associated=_associated(data_key.pk)
        )
        data_key.master_key_id = new_master_id
        data_key.save(update_fields=["wrapped_key", "master_key_id"])
        count += 1
    return count


class Ciphertext(str):
    """A value already encrypted by pre_save, so get_prep_value lets it through."""


class _EncryptedMixin(RegisterLookupMixin):
    """Shared behaviour: encrypt in pre_save with the owner's key, decrypt when loaded.
    Mixed into model fields, which are lookup registries: that is what `super()` reaches."""

    owner: str
    attname: str

    def _serialise(self, value: Any) -> str:
        raise NotImplementedError

    def _deserialise(self, text: str) -> Any:
        raise NotImplementedError

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value is None:
            return None
        owner_id = getattr(model_instance, f"{self.owner}_id")
        if owner_id is None:
            raise ValueError(f"{type(model_instance).__name__} needs its {self.owner} to encrypt.")
        key_id, key = data_key_for(owner_id)
        return Ciphertext(crypto.encrypt_text(self._serialise(value), key=key, key_id=key_id))

    def get_prep_value(self, value: Any) -> Any:
        # Anything that reaches the database must have gone through pre_save; this stops
        # QuerySet.update() or a filter from ever writing or comparing plaintext.
        if value is None or isinstance(value, Ciphertext):
            return value
        raise TypeError("Encrypted fields are written through save() and cannot be queried.")

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        # Pattern lookups (contains, startswith, regex...) skip get_prep_value, so they would
        # send plaintext to the database and silently match nothing. Refuse them outright.
        if lookup_name not in {"exact", "isnull"}:
            raise TypeError("Encrypted fields are written through save() and cannot be queried.")
        return super().get_lookup(lookup_name)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        try:
            key = key_by_id(crypto.ciphertext_key_id(value))
            return self._deserialise(crypto.decrypt_text(value, key=key))
        except crypto.DecryptionError:
            return None


# No type arguments: left out, django-stubs types each subclass's values from its
# `_pyi_private_*_type` and `null=True`; given (even as Any), they would replace both.
class _EncryptedTextStorage(_EncryptedMixin, models.TextField):  # type: ignore[type-arg]
    """Stored as text; `owner` names the field whose person's data key encrypts it."""

    def __init__(self, *args: Any, owner: str = "person", **kwargs: Any) -> None:
        self.owner = owner
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["owner"] = self.owner
        return name, path, args, kwargs


class EncryptedTextField(_EncryptedTextStorage):
    def _serialise(self, value: Any) -> str:
        return str(value)

    def _deserialise(self, text: str) -> Any:
        return text


class EncryptedJSONField(_EncryptedTextStorage):
    """JSON stored encrypted (as text). Use for structured private answers."""

    # For django-stubs: values are any JSON, not text.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def _serialise(self, value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    def _deserialise(self, text: str) -> Any:
        return json.loads(text)

    def to_python(self, value: Any) -> Any:
        return value
