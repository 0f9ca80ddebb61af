"""Reads of a redacted export: the rows of each model a profile lists, as the user may see them, with persons
pseudonymised, dates coarsened, localities given at the profile's level and free text left out.

Rows are read with ``values()`` so that no protected (encrypted) column is ever loaded, let alone opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from habeas.core import access
from habeas.core.crypto import pseudonym
from habeas.core.dates import Precision
from habeas.core.identity import pseudonymous_ref
from habeas.core.models import PRECISION_SUFFIX
from habeas.registry.models import Locality, Person, PersonName
from habeas.reports.redaction import (
    LOCALITY_LEVELS,
    PRECISION_ORDER,
    PUBLIC_NAMES,
    VIRTUAL_FIELDS,
    VISIBLE_THROUGH,
    ModelRule,
    Profile,
)
from habeas.standards.visibility import findings_seen

PERSON = "registry.person"
Value = str | int | bool | list[str] | None


def person_pseudonym(pk: int) -> str:
    """A person's stable pseudonym ("Person 7KQ2M4XAB3"): the same in every export, every profile and every
    pseudonymised view, meaningless without the key file."""
    return pseudonymous_ref(Person, pk)


def record_reference(label: str, pk: int) -> str:
    """A stable pseudonymous id of any other record, keyed the same way (it hides the database's numbering)."""
    return pseudonym(label, pk)


def coarsen(value: dt.date | dt.datetime | None, stored: str, finest: str) -> str | None:
    """A date no finer than ``finest`` nor than its stored precision, in the extended ISO 8601 forms
    (EDTF): ``2011-12-19``, ``2011-12``, ``2011``, and ``1961~`` for "about 1961". A date-time is shown by its
    UTC day."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).date() if value.tzinfo else value.date()
    shown = max(PRECISION_ORDER.index(Precision(stored)), PRECISION_ORDER.index(Precision(finest)))
    precision = PRECISION_ORDER[shown]
    if precision == Precision.APPROXIMATE:
        return f"{value.year:04d}~"
    if precision == Precision.YEAR:
        return f"{value.year:04d}"
    if precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


@dataclass
class _Node:
    name: str
    kind: str
    parent_id: int | None
    region_code: str


class _Resolver:
    """Turns stored references into what an export shows, with caches so that each target is read once."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.officials = self._official_names() if profile.officials == "keep" else {}
        self.names: dict[str, dict[int, str]] = {}
        self.localities: dict[int, _Node | None] = {}

    @staticmethod
    def _official_names() -> dict[int, str]:
        """Officials (a person with an organisation or a position) whose name is recorded: id → the name as
        usually written, in Latin script when there is one. An official known only by a description ("judge in
        the trial of …") gets a pseudonym: descriptions are written about others and may name them."""
        officials = Person.objects.filter(Q(organisation__isnull=False) | ~Q(position="")).values("pk")
        chosen: dict[int, tuple[int, str]] = {}
        for person_id, full_name, kind, script in (
            PersonName.objects.filter(person__in=officials)
            .order_by("pk")
            .values_list("person_id", "full_name", "kind", "script")
        ):
            rank = (0 if kind == PersonName.Kind.PRIMARY else 2) + (0 if script == PersonName.Script.LATIN else 1)
            if person_id not in chosen or rank < chosen[person_id][0]:
                chosen[person_id] = (rank, full_name)
        return {pk: name for pk, (_, name) in chosen.items()}

    def person(self, pk: int | None) -> str | None:
        if pk is None:
            return None
        return self.officials.get(pk) or person_pseudonym(pk)

    def public_name(self, label: str, model: type[models.Model], pk: int | None) -> str | None:
        if pk is None:
            return None
        if label not in self.names:
            column = PUBLIC_NAMES[label]
            self.names[label] = dict(model._default_manager.values_list("pk", column))
        return self.names[label].get(pk)

    def _node(self, pk: int) -> _Node | None:
        if pk not in self.localities:
            row = Locality.objects.filter(pk=pk).values("name", "kind", "parent_id", "region_code").first()
            self.localities[pk] = _Node(**row) if row else None
        return self.localities[pk]

    def locality(self, pk: int | None) -> str | None:
        """The locality at the profile's level: itself if it is that fine or coarser, else the region (or its
        GeoNames region code, when the gazetteer holds no region) or the country it lies in."""
        if pk is None:
            return None
        level = LOCALITY_LEVELS.index(self.profile.localities)
        region_code = ""
        node = self._node(pk)
        seen: set[int] = set()
        while node is not None:
            rank = LOCALITY_LEVELS.index(node.kind) if node.kind in LOCALITY_LEVELS else len(LOCALITY_LEVELS) - 1
            if rank == level:
                return node.name
            if rank < level:
                if level == LOCALITY_LEVELS.index("region") and region_code:
                    return region_code
                return node.name
            region_code = region_code or node.region_code
            if node.parent_id is None or node.parent_id in seen:
                break
            seen.add(node.parent_id)
            node = self._node(node.parent_id)
        return region_code or None

    def reference(self, target: type[models.Model], pk: int | None) -> str | None:
        if pk is None:
            return None
        label = target._meta.label_lower
        if label == PERSON:
            return self.person(pk)
        if target is Locality:
            return self.locality(pk)
        if label in PUBLIC_NAMES:
            return self.public_name(label, target, pk)
        return record_reference(label, pk)


def rows_visible(rule: ModelRule, user: Any) -> models.QuerySet[Any]:
    """The records of a profile's model that the user may see."""
    model = rule.model
    if rule.label == "standards.finding":
        return findings_seen(user)
    if rule.label in VISIBLE_THROUGH:
        via = VISIBLE_THROUGH[rule.label]
        parent = model._meta.get_field(via).related_model
        return model._default_manager.filter(**{f"{via}__in": access.visible(parent, user).values("pk")})  # type: ignore[arg-type]
    return access.visible(model, user)


def export_rows(*, user: Any, profile: Profile) -> dict[str, list[dict[str, Value]]]:
    """Per model of the profile (in the profile's order), its rows as the export shows them."""
    resolver = _Resolver(profile)
    return {label: list(_rows(rule, user, profile, resolver)) for label, rule in profile.models.items()}


def _rows(rule: ModelRule, user: Any, profile: Profile, resolver: _Resolver) -> Iterator[dict[str, Value]]:
    model = rule.model
    queryset = rows_visible(rule, user).order_by("pk")
    virtual = VIRTUAL_FIELDS.get(rule.label, {})
    columns: set[str] = {"pk"}
    many: dict[str, dict[int, list[str]]] = {}
    for name in (*rule.fields, *rule.text):
        if name in virtual:
            columns |= {"content_type_id", "object_id"}
            continue
        found = model._meta.get_field(name)
        if found.many_to_many:
            many[name] = _many(model, name, queryset, resolver)
        elif found.is_relation:
            columns.add(found.attname)  # type: ignore[union-attr]
        else:
            columns.add(name)
            if isinstance(found, models.DateField) and _has_precision(model, name):
                columns.add(name + PRECISION_SUFFIX)
    for row in queryset.values(*sorted(columns)).iterator(chunk_size=2000):
        pk = row["pk"]
        out: dict[str, Value] = {
            "id": resolver.person(pk) if rule.label == PERSON else record_reference(rule.label, pk)
        }
        for name in (*rule.fields, *rule.text):
            if name == "record" and name in virtual:
                target = ContentType.objects.get_for_id(row["content_type_id"]).model_class()
                out[name] = _record_of_finding(target, row["object_id"], resolver)
                continue
            if name in many:
                out[name] = many[name].get(pk, [])
                continue
            found = model._meta.get_field(name)
            if found.is_relation:
                out[name] = resolver.reference(found.related_model, row[found.attname])  # type: ignore[arg-type, union-attr]
            elif isinstance(found, models.DateField):
                stored = row.get(name + PRECISION_SUFFIX) or (
                    Precision.EXACT if isinstance(found, models.DateTimeField) else Precision.DAY
                )
                out[name] = coarsen(row[name], stored, profile.date_precision(rule, name))
            else:
                out[name] = _plain(row[name])
        yield out


def _record_of_finding(target: type[models.Model] | None, pk: int, resolver: _Resolver) -> str | None:
    if target is None:
        return None
    label = target._meta.label_lower
    if label == PERSON:
        return resolver.person(pk)
    return f"{label}/{record_reference(label, pk)}"


def _many(
    model: type[models.Model], name: str, queryset: models.QuerySet[Any], resolver: _Resolver
) -> dict[int, list[str]]:
    """A many-to-many field of every row: row id → the shown references, in a stable order."""
    found: Any = model._meta.get_field(name)
    through = found.remote_field.through
    source = found.m2m_field_name()
    target = found.m2m_reverse_field_name()
    out: dict[int, list[str]] = {}
    pairs = through._default_manager.filter(**{f"{source}__in": queryset.values("pk")}).values_list(
        f"{source}_id", f"{target}_id"
    )
    for row_id, target_id in pairs.order_by(f"{source}_id", f"{target}_id"):
        shown = resolver.reference(found.related_model, target_id)
        if shown is not None:
            out.setdefault(row_id, []).append(shown)
    for shown_list in out.values():
        shown_list.sort()
    return out


def _has_precision(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name + PRECISION_SUFFIX)
    except Exception:
        return False
    return True


def _plain(value: Any) -> Value:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)
