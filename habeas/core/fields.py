"""Model fields for protected text: encrypted at rest, opened on read, found through keyed hashes.

An ``EncryptedTextField`` holds what could identify or describe a victim or witness. The database sees only
ciphertext: it cannot compare, sort or search such a field, and a query that tries is refused with a message
rather than silently finding nothing. Lookups go through a ``NameDigestsField``: the keyed hashes of the
phonetic keys of a name's words, so that "Тян", "Tyan" and "Tian" find the same person without the name being
stored in clear.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import FieldError
from django.db import models
from django.db.models import Q

from habeas.core import crypto


class EncryptedTextField(models.TextField):
    description = "text encrypted at rest"

    def _what(self) -> str:
        model = getattr(self, "model", None)
        where = f"{model._meta.label_lower}." if model is not None else ""
        return f"the encrypted field {where}{self.name}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not value:
            return value
        return crypto.unseal(value, what=self._what())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value:
            raise FieldError(
                f"{self._what()} cannot be compared in the database (it holds only ciphertext); "
                "look records up through their keyed hashes"
            )
        return value

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if value is None or hasattr(value, "as_sql"):
            return value
        return crypto.seal(self.to_python(value))

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.max_length and self.max_length <= 300 and not self.choices:
            kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)


class EncryptedJSONField(EncryptedTextField):
    """A JSON document encrypted as a whole (e.g. the old and new values of an audited change)."""

    description = "JSON encrypted at rest"
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return json.loads(crypto.unseal(value, what=self._what()))

    def to_python(self, value: Any) -> Any:
        return value

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if value is None or hasattr(value, "as_sql"):
            return value
        return crypto.seal(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))

    def value_to_string(self, obj: Any) -> Any:
        return self.value_from_object(obj)

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return forms.JSONField(label=self.verbose_name, required=not self.blank, disabled=True)


_WORD_RE = re.compile(r"[^\W\d_]+")


def name_keys(text: str) -> set[str]:
    """The phonetic keys of the words of a name, the same whatever the script or transliteration."""
    from habeas.stats.linkage.normalise import phonetic_key

    return {key for word in _WORD_RE.findall(text) if (key := phonetic_key(word))}


#: the shortest start of a name's word that finds it ("Туле" and "Tulet" find "Tuletaeva")
PREFIX_MIN = 3


def prefix_keys(keys: set[str]) -> set[str]:
    """The starts of the keys of a name's words, marked apart from whole words, from ``PREFIX_MIN`` letters to one
    short of the whole key (the whole key is the word itself). The phonetic key of a word's start is the start of
    the word's key, so a typed start finds a name in either script."""
    return {"^" + key[:n] for key in keys for n in range(PREFIX_MIN, len(key))}


def word_or_start(key: str) -> list[str]:
    """The keyed hashes that a name holding ``key`` as a word, or a word starting with it, holds: under every key of
    the key file."""
    return crypto.digests(key) + (crypto.digests("^" + key) if len(key) >= PREFIX_MIN else [])


class NameDigestsField(models.TextField):
    """The keyed hashes of the words of other fields of the record, set whenever the record is saved (as
    ``auto_now`` sets a time): space-separated, one per phonetic key of a word."""

    description = "keyed hashes of a name's words"

    def __init__(self, *args: Any, of: Iterable[str] = (), **kwargs: Any) -> None:
        self.of = tuple(of)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"] = self.of
        for key in ("editable", "blank", "default"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def compute(self, obj: Any) -> str:
        keys: set[str] = set()
        for source in self.of:
            keys |= name_keys(str(getattr(obj, source) or ""))
        return " ".join(sorted(crypto.digest(key) for key in keys | prefix_keys(keys)))

    def pre_save(self, model_instance: Any, add: bool) -> str:
        value = self.compute(model_instance)
        setattr(model_instance, self.attname, value)
        return value


def name_query(field: str, text: str) -> Q | None:
    """The condition that a record's ``field`` (a ``NameDigestsField``) holds every word of ``text``, whole or as
    the start of a word ("Туле" finds "Tuletaeva") — under any key of the key file, so that lookups keep working
    while a rotation runs. None when ``text`` has no word."""
    keys = name_keys(text)
    if not keys:
        return None
    condition = Q()
    for key in keys:
        any_key = Q()
        for value in word_or_start(key):
            any_key |= Q(**{f"{field}__contains": value})
        condition &= any_key
    return condition


def protected_fields(model: Any) -> tuple[list[EncryptedTextField], list[NameDigestsField]]:
    fields = model._meta.concrete_fields
    return (
        [f for f in fields if isinstance(f, EncryptedTextField)],
        [f for f in fields if isinstance(f, NameDigestsField)],
    )


def rewrite_columns(
    connection: Any, model: Any, fields: list[EncryptedTextField], change: Any, *, batch: int = 1000
) -> int:
    """Apply ``change`` to the stored values of ``fields`` (in the database's own form, with no conversion), a
    batch of rows per transaction. A value changed meanwhile by someone else is left as they wrote it.
    Returns the number of rows changed."""
    from django.db import transaction

    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    pk = ops.quote_name(model._meta.pk.column)
    columns = [ops.quote_name(f.column) for f in fields]
    select = f"SELECT {pk}, {', '.join(columns)} FROM {table} WHERE {pk} > %s ORDER BY {pk}"
    assignments = ", ".join(f"{c} = %s" for c in columns)
    unchanged = " AND ".join(f"{c} = %s" for c in columns)  # protected text is never NULL
    update = f"UPDATE {table} SET {assignments} WHERE {pk} = %s AND {unchanged}"
    last, changed = 0, 0
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"{select} LIMIT {int(batch)}", [last])
            rows = cursor.fetchall()
            updates = []
            for key, *old in rows:
                new = [change(v) for v in old]
                if new != old:
                    updates.append((*new, key, *old))
            if updates:
                cursor.executemany(update, updates)
                changed += len(updates)
        if len(rows) < batch:
            return changed
        last = rows[-1][0]


def index_rebuild(model: Any, *, batch: int = 1000) -> None:
    """Recompute the keyed hashes of a model's records (after a key rotation)."""
    _, indexes = protected_fields(model)
    if not indexes:
        return
    names = [index.attname for index in indexes]
    objects = model._base_manager.order_by("pk")
    last = 0
    while chunk := list(objects.filter(pk__gt=last)[:batch]):
        for obj in chunk:
            for index in indexes:
                setattr(obj, index.attname, index.compute(obj))
        model._base_manager.bulk_update(chunk, names)
        last = chunk[-1].pk


def protect_existing(app_label: str) -> Any:
    """A migration operation that encrypts the protected fields of an app's existing rows (and sets their
    keyed hashes); reversed, it decrypts them."""
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        for model in apps.get_app_config(app_label).get_models():
            encrypted, indexes = protected_fields(model)
            if encrypted:
                rewrite_columns(
                    schema_editor.connection,
                    model,
                    encrypted,
                    lambda v: v if not v or crypto.key_id_of(v) else crypto.seal(v),
                )
            if indexes:
                index_rebuild(model)

    def backward(apps: Any, schema_editor: Any) -> None:
        for model in apps.get_app_config(app_label).get_models():
            encrypted, _ = protected_fields(model)
            if encrypted:
                rewrite_columns(schema_editor.connection, model, encrypted, lambda v: crypto.unseal(v) if v else v)

    return migrations.RunPython(forward, backward, elidable=True)
