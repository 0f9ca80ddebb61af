"""Key operations on the encrypted fields: creating the key file, rotating the key, and telling which keys the
stored values use."""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection

from habeas.accounts.services import audit_record
from habeas.core import crypto
from habeas.core.fields import index_rebuild, protected_fields, rewrite_columns
from habeas.evidence.services import documents_reseal


@dataclass(frozen=True)
class Rotation:
    old_keys: list[str]
    new_key: str
    values: int  # values re-encrypted
    retired: bool  # whether the old keys were removed from the key file


def _protected_models() -> list[Any]:
    return [m for m in apps.get_models() if any(protected_fields(m))]


def keys_usage() -> Counter[str]:
    """How many stored values each key seals."""
    usage: Counter[str] = Counter()
    ops = connection.ops
    for model in _protected_models():
        for field in protected_fields(model)[0]:
            column, table = ops.quote_name(field.column), ops.quote_name(model._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")
                usage.update(crypto.key_id_of(value) or "unencrypted" for (value,) in cursor.fetchall())
    return usage


def keys_rotate(
    *, actor: Any = None, progress: Callable[[str], None] | None = None, pause: float = 2 * crypto.RELOAD_SECONDS
) -> Rotation:
    """Re-encrypt every protected value under a new key, while the service keeps running.

    The new key is added to the key file first and made current; running processes read the file again within
    ``RELOAD_SECONDS`` and from then on seal new values with it, while still opening values sealed with the old
    keys. Every value is then re-encrypted a batch at a time (a value someone changed meanwhile is already
    sealed with the new key and is left alone), the keyed hashes are recomputed, and the old keys are removed
    from the file only once no stored value uses them."""
    say = progress or (lambda text: None)
    ring = crypto.keyring(fresh=True)
    old_keys = list(ring.keys)
    new_key = crypto.Keyring.new_key_id()
    ring = crypto.Keyring(ring.path, new_key, {**ring.keys, new_key: secrets.token_bytes(32)}, ring.pseudonym_key)
    ring.write()
    say(f"Added key {new_key} to {ring.path} as the current key; waiting for running processes to see it.")
    time.sleep(pause)
    ring = crypto.keyring(fresh=True)

    def reseal(value: str) -> str:
        if not value or crypto.key_id_of(value) == new_key:
            return value
        return crypto.seal_bytes(crypto.open_bytes(value), ring=ring)

    total = 0
    for model in _protected_models():
        encrypted, _ = protected_fields(model)
        if encrypted:
            changed = rewrite_columns(connection, model, encrypted, reseal)
            total += changed
            say(f"{model._meta.verbose_name_plural}: {changed:,} rows re-encrypted")
        index_rebuild(model)
    remaining = {kid: n for kid, n in (keys_usage() + documents_reseal(say)).items() if kid != new_key}
    retired = not remaining
    if retired:
        ring = crypto.keyring(fresh=True)
        crypto.Keyring(ring.path, new_key, {new_key: ring.keys[new_key]}, ring.pseudonym_key).write()
        say(f"Removed the old keys {', '.join(old_keys)} from the key file.")
    else:
        say(f"Kept the old keys: values still use them ({remaining}); run the rotation again.")
    audit_record(
        action="keys",
        actor=actor,
        target_type="keys",
        target_id=new_key,
        summary=f"key rotation: {total} rows re-encrypted",
        details={"old_keys": old_keys, "new_key": new_key, "retired": retired},
    )
    return Rotation(old_keys=old_keys, new_key=new_key, values=total, retired=retired)
