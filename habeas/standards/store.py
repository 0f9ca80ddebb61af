"""Storing findings in bulk: one parameterised statement per batch (COPY on PostgreSQL), with the protected fields
sealed as the model's fields would seal them. At national scale the ORM's per-object work would dominate."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, cast

from django.db import connection
from django.db.models import Field

from habeas.standards.gather.common import chunked
from habeas.standards.models import Finding

#: the stored fields of a finding that the rules determine, in the order ``_rows`` builds them
ROW_FIELDS = (
    "rule",
    "rule_version",
    "status",
    "severity",
    "subject",
    "wording",
    "standard",
    "standards",
    "facts",
    "parameters",
    "sources",
    "prevails",
    "place_id",
    "organisation_id",
    "team_id",
)

JSON_FIELDS = ("standards", "facts", "parameters")  # the parameters object is shared by many findings

KEY_FIELDS = ("topic", "content_type_id", "object_id")


def _prepared(rows: list[tuple[Any, ...]], at: int) -> list[list[Any]]:
    """Rows holding the ``ROW_FIELDS`` from position ``at``, with the protected fields sealed (they name people,
    and the sections of sources cited) as the field would seal them."""
    protected = [
        (at + ROW_FIELDS.index(name), cast(Field[Any, Any], Finding._meta.get_field(name)))
        for name in ("subject", "wording", "sources")
    ]
    sealed = []
    for r in rows:
        values = list(r)
        for i, field in protected:
            values[i] = field.get_db_prep_save(values[i], connection)
        sealed.append(values)
    return sealed


def _json_adapted(rows: list[list[Any]], at: int) -> Iterator[list[Any]]:
    """The rows with their JSON fields adapted for the database (the parameters object, shared by many
    findings, once)."""
    ops, encoder = connection.ops, Finding._meta.get_field("facts").encoder
    own = [at + ROW_FIELDS.index(name) for name in JSON_FIELDS[:-1]]
    parameters_at = at + ROW_FIELDS.index(JSON_FIELDS[-1])
    adapted: dict[int, Any] = {}
    for values in rows:
        for i in own:
            values[i] = ops.adapt_json_value(values[i], encoder)
        parameters = values[parameters_at]
        if id(parameters) not in adapted:
            adapted[id(parameters)] = ops.adapt_json_value(parameters, encoder)
        values[parameters_at] = adapted[id(parameters)]
        yield values


def insert(profile: str, rows: list[tuple[Any, ...]], now: dt.datetime) -> None:
    """Insert new findings — tuples of the ``KEY_FIELDS``, the ``ROW_FIELDS`` and the fingerprint — with one
    parameterised statement per batch: at national scale the ORM's per-object work would dominate."""
    if not rows:
        return
    at = len(KEY_FIELDS)
    sealed = _prepared(rows, at)
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    columns = [
        *KEY_FIELDS,
        *ROW_FIELDS,
        "fingerprint",
        "profile",
        "active",
        "first_found_at",
        "changed_at",
        "review",
        "review_reason",
    ]
    table = ops.quote_name(Finding._meta.db_table)
    tail = (profile, True, stamp, stamp, "", "")
    if connection.vendor == "postgresql":
        _copy(table, columns, sealed, tail, tuple(at + ROW_FIELDS.index(name) for name in JSON_FIELDS))
        return
    sql = (
        f"INSERT INTO {table} ({', '.join(ops.quote_name(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    adapted = list(_json_adapted(sealed, at))
    with connection.cursor() as cursor:
        for start in range(0, len(adapted), 5000):
            cursor.executemany(sql, [(*values, *tail) for values in adapted[start : start + 5000]])


def update(rows: dict[int, tuple[Any, ...]], now: dt.datetime) -> None:
    """Write changed findings — by primary key, the ``ROW_FIELDS`` and the fingerprint — current again, with one
    parameterised statement per batch (the first check after an upgrade may change every finding)."""
    if not rows:
        return
    ops = connection.ops
    pks = list(rows)
    sealed = _prepared([rows[pk] for pk in pks], 0)
    columns = [*ROW_FIELDS, "fingerprint", "active", "changed_at"]
    sql = (
        f"UPDATE {ops.quote_name(Finding._meta.db_table)} "
        f"SET {', '.join(f'{ops.quote_name(c)} = %s' for c in columns)} WHERE {ops.quote_name('id')} = %s"
    )
    stamp = ops.adapt_datetimefield_value(now)
    adapted = [(*values, True, stamp, pk) for values, pk in zip(_json_adapted(sealed, 0), pks, strict=True)]
    with connection.cursor() as cursor:
        for start in range(0, len(adapted), 5000):
            cursor.executemany(sql, adapted[start : start + 5000])


def _copy(
    table: str, columns: list[str], rows: list[list[Any]], tail: tuple[Any, ...], json_at: tuple[int, ...]
) -> None:
    """PostgreSQL's bulk path: COPY, with the JSON columns as text."""
    dumped: dict[int, str] = {}  # the parameters object is shared by many findings: dump it once
    shared_at = json_at[-1]

    def dump(value: Any) -> str:
        if id(value) not in dumped:
            dumped[id(value)] = json.dumps(value, ensure_ascii=False)
        return dumped[id(value)]

    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for r in rows:
            values = list(r)
            for i in json_at:
                values[i] = dump(r[i]) if i == shared_at else json.dumps(r[i], ensure_ascii=False)
            copy.write_row((*values, *tail))


def retire(pks: list[int], now: dt.datetime) -> None:
    """Mark findings no longer produced as not current (kept, with their review)."""
    for chunk in chunked(pks):
        Finding.objects.filter(pk__in=chunk).update(active=False, changed_at=now)
