"""What every fact gatherer shares: dates as intervals, record references, the lookups of one check (organisations,
places, localities, countries), and restricting queries to some ids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Model, Q, QuerySet

from habeas.core.dates import interval
from habeas.registry.models import Locality, Organisation, Place
from habeas.standards import facts as f
from habeas.standards.geo import geodesic_km


def when(value: Any, precision: str) -> f.When | None:
    if value is None:
        return None
    if precision == "exact":  # the common case at scale: no interval to compute
        return f.When(value, value, value, precision)
    lo, hi = interval(value, precision)
    return f.When(lo, hi, value, precision)


def _day(moment: f.When | None) -> dt.date | None:
    """The day whose law applies to a fact dated ``moment`` (its earliest day)."""
    if moment is None:
        return None
    return moment.lo.date() if isinstance(moment.lo, dt.datetime) else moment.lo


def ref(model: type[Model], pk: int) -> f.Ref:
    return (model._meta.label_lower, pk)


class Context:
    """Lookups shared by all gatherers of one evaluation: organisations' chains, people, places."""

    def __init__(self) -> None:
        self.orgs: dict[int, dict[str, Any]] = {
            o["id"]: dict(o) for o in Organisation.objects.values("id", "name", "kind", "parent_id")
        }
        self.places: dict[int, dict[str, Any]] = {
            p["id"]: dict(p) for p in Place.objects.values("id", "name", "authority_id", "locality_id")
        }
        self._distances: dict[tuple[int, int], float | None] = {}
        self.localities: dict[int, dict[str, Any]] = {
            loc["id"]: dict(loc)
            for loc in Locality.objects.values("id", "name", "kind", "region_code", "latitude", "longitude")
        }

    def distance_km(self, a: int, b: int) -> float | None:
        """The geodesic distance between two localities, computed once per pair."""
        key = (a, b) if a <= b else (b, a)
        if key not in self._distances:
            first, second = self.localities.get(a), self.localities.get(b)
            known = first and second and first["latitude"] is not None and second["latitude"] is not None
            self._distances[key] = (
                geodesic_km(first["latitude"], first["longitude"], second["latitude"], second["longitude"])  # type: ignore[index]
                if known
                else None
            )
        return self._distances[key]

    def chain(self, org_id: int | None) -> tuple[int, ...]:
        """The organisation and those above it, leaving out heads of state and government, under which
        every agency sits."""
        out: list[int] = []
        while org_id is not None and org_id not in out:
            org = self.orgs.get(org_id)
            if org is None:
                break
            if org["kind"] != Organisation.Kind.STATE:
                out.append(org_id)
            org_id = org["parent_id"]
        return tuple(out)

    def org_name(self, org_id: int | None) -> str:
        return self.orgs[org_id]["name"] if org_id in self.orgs else ""


CHUNK = 5000  # ids per IN (...) list: SQLite allows at most 32,766 parameters in a statement


def chunked(ids: Iterable[int]) -> Iterator[list[int]]:
    items = list(ids)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _in(field: str, ids: Iterable[int] | QuerySet[Any, Any] | None) -> Q:
    """Restrict to some ids: a small collection, or a subquery (a set-based form's candidates)."""
    if ids is None:
        return Q()
    return Q(**{f"{field}__in": ids if isinstance(ids, QuerySet) else list(ids)})


class Countries:
    """The country of a place, an organisation or a locality (its own code, else its parent's)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        rows = {r["id"]: r for r in Locality.objects.values("id", "country", "parent_id")}
        self.locality: dict[int, str] = {}
        for pk in rows:
            seen, at = set(), pk
            while at is not None and at not in seen and not rows[at]["country"]:
                seen.add(at)
                at = rows[at]["parent_id"]
            self.locality[pk] = rows[at]["country"] if at is not None and at in rows else ""
        self.org: dict[int, str] = {
            pk: (country or self.locality.get(loc or 0, "")).upper()
            for pk, country, loc in Organisation.objects.values_list("id", "country", "locality_id")
        }

    def of_place(self, place_id: int | None) -> str:
        place = self.ctx.places.get(place_id or 0)
        if place is None:
            return ""
        return (
            self.locality.get(place["locality_id"] or 0, "") or self.org.get(place["authority_id"] or 0, "")
        ).upper()

    def of(self, *, place: int | None = None, locality: int | None = None, org: int | None = None) -> str:
        return self.of_place(place) or self.locality.get(locality or 0, "").upper() or self.org.get(org or 0, "")


def countries(ctx: Context) -> Countries:
    """The countries of one check's places and organisations, read once for all its gatherers."""
    found = getattr(ctx, "countries", None)
    if found is None:
        found = Countries(ctx)
        ctx.countries = found  # type: ignore[attr-defined]
    return found


def _label(model: type[Model], code: str, field: str = "kind") -> str:
    return str(dict(getattr(model._meta.get_field(field), "choices", None) or [])[code]) if code else ""
