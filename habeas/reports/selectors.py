"""Reads of a redacted export: the rows of each model a profile lists, as the user may see them, with persons
pseudonymised, dates coarsened, localities given at the profile's level and free text left out.

Rows are read with ``values()`` so that no protected (encrypted) column is ever loaded, let alone opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext

from habeas.accounts import access
from habeas.accounts.identity import pseudonymous_ref
from habeas.accounts.viewer import Viewer, viewer_for
from habeas.core.crypto import pseudonym
from habeas.core.dates import Precision
from habeas.core.models import PRECISION_SUFFIX
from habeas.core.wording import render
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
from habeas.reports.redaction_names import KnownNames
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


def rows_visible(rule: ModelRule, viewer: Viewer) -> models.QuerySet[Any]:
    """The records of a profile's model that the user may see."""
    model = rule.model
    if rule.label == "standards.finding":
        return findings_seen(viewer)
    if rule.label in VISIBLE_THROUGH:
        via = VISIBLE_THROUGH[rule.label]
        parent = model._meta.get_field(via).related_model
        return model._default_manager.filter(**{f"{via}__in": access.visible(parent, viewer).values("pk")})  # type: ignore[arg-type]
    return access.visible(model, viewer)


#: the columns a virtual field is read from
VIRTUAL_COLUMNS = {"record": {"content_type_id", "object_id"}, "summary": {"wording"}, "sources": {"sources"}}


def export_rows(*, user: Any, profile: Profile, language: str = "en") -> dict[str, list[dict[str, Value]]]:
    """Per model of the profile (in the profile's order), its rows as the export shows them: sentences in
    ``language``, and the names of known persons found in any text replaced by their pseudonyms
    (``redaction_names``)."""
    resolver, viewer = _Resolver(profile), viewer_for(user)
    texts = {label: _text_columns(rule) for label, rule in profile.models.items()}
    with translation.override(language):
        tables = {label: list(_rows(rule, viewer, profile, resolver)) for label, rule in profile.models.items()}
        shown = {
            text
            for label, rows in tables.items()
            for row in rows
            for text in _texts(row, [name for name in texts[label] if name not in VIRTUAL_FIELDS.get(label, {})])
        }
        shown |= set(resolver.officials.values())
        for row in tables.get("standards.finding", []):
            if row.get("summary"):
                row["summary"] = render(_shown(row["summary"], profile.dates, shown, gettext("[withheld]")))
    known = KnownNames(
        (text for label, rows in tables.items() for row in rows for text in _texts(row, texts[label])),
        kept=resolver.officials.keys(),
    )
    for label, rows in tables.items():
        for row in rows:
            for name in texts[label]:
                value = row[name]
                if isinstance(value, str):
                    row[name] = known.redact(value)
                elif isinstance(value, list):
                    row[name] = [known.redact(item) for item in value]
    return tables


def _text_columns(rule: ModelRule) -> list[str]:
    """The columns of a model's rows that may hold a name typed by someone: all but the ids and the references
    to persons (pseudonyms, or the names of officials the profile keeps)."""
    out = []
    for name in (*rule.fields, *rule.text):
        if name in VIRTUAL_FIELDS.get(rule.label, {}):
            if name != "record":
                out.append(name)
            continue
        found = rule.model._meta.get_field(name)
        if not (found.is_relation and found.related_model is Person):
            out.append(name)
    return out


def _texts(row: dict[str, Value], columns: list[str]) -> Iterator[str]:
    for name in columns:
        value = row[name]
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from value


def _rows(rule: ModelRule, viewer: Viewer, profile: Profile, resolver: _Resolver) -> Iterator[dict[str, Value]]:
    model = rule.model
    queryset = rows_visible(rule, viewer).order_by("pk")
    virtual = VIRTUAL_FIELDS.get(rule.label, {})
    columns: set[str] = {"pk"}
    many: dict[str, dict[int, list[str]]] = {}
    for name in (*rule.fields, *rule.text):
        if name in virtual:
            columns |= VIRTUAL_COLUMNS[name]
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
            if name == "summary" and name in virtual:
                out[name] = row["wording"] or ""  # put into words by ``export_rows``, once all names are known
                continue
            if name == "sources" and name in virtual:
                out[name] = [_cited(source) for source in row["sources"] or []]
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


def _shown(words: Any, finest: str, shown: set[str], withheld: str) -> Any:
    """A finding's words as an export gives them: each value taken from a record only if the export shows it
    anyway (a place's or an organisation's name), else ``withheld`` (a value of a protected field, a
    person's name); each date no finer than ``finest`` (the profile's dates)."""
    if isinstance(words, str):  # kept if shown anyway, or if it has no letter (punctuation, a figure)
        return words if words in shown or not any(c.isalpha() for c in words) else withheld
    if not isinstance(words, dict):
        return words  # a number
    if "d" in words:
        coarsest = max(PRECISION_ORDER.index(Precision(words["pr"])), PRECISION_ORDER.index(Precision(finest)))
        return {**words, "pr": PRECISION_ORDER[coarsest].value}
    if "l" in words:
        return {**words, "l": [_shown(item, finest, shown, withheld) for item in words["l"]]}
    if "m" in words and "pl" not in words and not _is_message(words["m"]) and words["m"] not in shown:
        return withheld  # a record's text given as a message (a disability's description, say)
    if "p" in words:
        return {**words, "p": {key: _shown(value, finest, shown, withheld) for key, value in words["p"].items()}}
    return words


@lru_cache(maxsize=4096)
def _is_message(text: str) -> bool:
    """Whether ``text`` is one of Habeas's own messages (every one has its Russian translation: see
    ``habeas.core.wording``), not a text taken from a record."""
    with translation.override("ru"):
        return gettext(text) != text


def _cited(source: dict[str, str]) -> str:
    """A source a finding rests on, as an export cites it: its title and where in it ("Old habits — Roza
    Tuletaeva, p. 12"); the names in it are redacted with the rest of the export's text."""
    where = [source.get("section") or "", source.get("page") and f"p. {source['page']}", source.get("paragraph")]
    located = ", ".join(part for part in where if part)
    return f"{source.get('source', '')} — {located}" if located else str(source.get("source", ""))


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
