"""Key operations on the encrypted fields: creating the key file, rotating the key, and telling which keys the
stored values use."""

from __future__ import annotations

import fcntl
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, transaction

from habeas.accounts.services import audit_record
from habeas.core import crypto
from habeas.core.fields import index_rebuild, protected_fields, rewrite_columns
from habeas.evidence.services import documents_reseal
from habeas.reports.search import search_reindex


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
    from the file only once no stored value uses them — checked while writers are held back for a moment, so
    that a transaction still sealing with an old key finishes first and is re-encrypted too. One rotation at
    a time (a lock file beside the key file)."""
    with _rotation_lock(crypto.key_file()):
        return _rotate(actor=actor, say=progress or (lambda text: None), pause=pause)


@contextmanager
def _rotation_lock(key_file: Path) -> Iterator[None]:
    with key_file.with_name(f".{key_file.name}.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise crypto.KeyringError(f"another key rotation of {key_file} is running; wait for it to end") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _hold_writers() -> None:
    """Inside a transaction: wait for every writer of protected tables to finish, and keep new ones waiting
    until the transaction ends (SQLite's transactions take the write lock as they begin)."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in _protected_models())
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN SHARE MODE")


def _rotate(*, actor: Any, say: Callable[[str], None], pause: float) -> Rotation:
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

    def sweep() -> int:
        changed_rows = 0
        for model in _protected_models():
            encrypted, _ = protected_fields(model)
            if encrypted:
                changed = rewrite_columns(connection, model, encrypted, reseal)
                changed_rows += changed
                say(f"{model._meta.verbose_name_plural}: {changed:,} rows re-encrypted")
            index_rebuild(model)
        search_reindex(progress=say)  # the search index's keyed hashes, like the names' above
        return changed_rows

    def remaining() -> dict[str, int]:
        return {kid: n for kid, n in (keys_usage() + documents_reseal(say)).items() if kid != new_key}

    total = sweep()
    with transaction.atomic():
        _hold_writers()  # writes wait while the old keys' last use is checked (a full read of protected columns)
        left = remaining()
        if left:  # written meanwhile by transactions that began before the new key
            total += sweep()
            left = remaining()
        retired = not left
        if retired:
            ring = crypto.keyring(fresh=True)
            kept = {kid: key for kid, key in ring.keys.items() if kid not in old_keys}
            crypto.Keyring(ring.path, new_key, kept, ring.pseudonym_key).write()
            say(f"Removed the old keys {', '.join(old_keys)} from the key file.")
        else:
            say(f"Kept the old keys: values still use them ({left}); run the rotation again.")
        audit_record(
            action="keys",
            actor=actor,
            target_type="keys",
            target_id=new_key,
            summary=f"key rotation: {total} rows re-encrypted",
            details={"old_keys": old_keys, "new_key": new_key, "retired": retired},
        )
    return Rotation(old_keys=old_keys, new_key=new_key, values=total, retired=retired)
