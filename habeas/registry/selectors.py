"""Reads of the register: finding people by name, although their names are stored encrypted."""

from __future__ import annotations

from django.db.models import QuerySet

from habeas.core.fields import name_keys, name_query
from habeas.registry.models import Person


def persons_named(text: str, *, exact: bool = False, among: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """The persons whose display name or one of whose names holds every word of ``text`` in any script or
    transliteration ("Тян" finds "Dmitri Tian"), found through keyed hashes; with ``exact``, only those with a
    name of exactly these words ("Aron Atabek", not "wife of Aron Atabek")."""
    persons = Person.objects.all() if among is None else among
    by_label, by_name = name_query("name_digests", text), name_query("names__name_digests", text)
    if by_label is None or by_name is None:
        return persons.none()
    found = persons.filter(pk__in=Person.objects.filter(by_label | by_name).values("pk"))
    if not exact:
        return found
    wanted = name_keys(text)
    same = [
        person.pk
        for person in found.prefetch_related("names")
        if any(name_keys(name) == wanted for name in (person.label, *(n.full_name for n in person.names.all())))
    ]
    return persons.filter(pk__in=same)
