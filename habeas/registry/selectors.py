"""Reads of the register: finding people by name, although their names are stored encrypted."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from habeas.accounts import access
from habeas.accounts.viewer import Viewer
from habeas.core.fields import name_keys, name_query
from habeas.registry.models import Group, Organisation, Person


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


# ---------------------------------------------------------------------------------------------------------------
# The workplace's pages of persons and groups
# ---------------------------------------------------------------------------------------------------------------


def person_get_for_user(*, viewer: Viewer, pk: Any) -> Person:
    """A person the user may see, else 404."""
    return access.get_for_user(Person, viewer, pk)


def group_get_for_user(*, viewer: Viewer, pk: Any) -> Group:
    """A group the user may see, else 404."""
    return access.get_for_user(Group, viewer, pk)


def name_filter_allowed(viewer: Viewer) -> bool:
    """Whether the user may look people up by name: not an analyst without identities in every team they see
    (a name search would unmask a pseudonym)."""
    if viewer.superuser:
        return True
    return bool(set(viewer.roles) - viewer.hidden)


_OFFICIALS = [
    Organisation.Kind.STATE,
    Organisation.Kind.MINISTRY,
    Organisation.Kind.SERVICE,
    Organisation.Kind.UNIT,
    Organisation.Kind.PRISON_ADMIN,
]
#: what a person is in the records, by which the people list tells them apart and filters them
ROLES: dict[str, tuple[StrOrPromise, Q]] = {
    "victim": (_("victim"), Q(allegations__isnull=False)),
    "witness": (_("witness"), Q(statements__kind="testimony")),
    "complainant": (_("complainant"), Q(complaints__isnull=False)),
    "perpetrator": (_("alleged perpetrator"), Q(alleged_acts__isnull=False)),
    "defendant": (_("defendant"), Q(trials__isnull=False)),
    "official": (_("official"), Q(organisation__kind__in=_OFFICIALS)),
    "prosecutor": (_("prosecutor"), Q(organisation__kind=Organisation.Kind.PROSECUTOR)),
    "judge": (_("judge"), Q(organisation__kind=Organisation.Kind.COURT)),
}


def _has_role(key: str) -> Exists:
    return Exists(Person.objects.filter(ROLES[key][1], pk=OuterRef("pk")))


def persons_listed(*, viewer: Viewer, name: str = "", role: str = "") -> QuerySet[Person]:
    """The persons the user may see, in the order they were recorded; with ``name``, those so named in any
    script, among the teams whose identities the user may see; with ``role``, those who have it."""
    persons = access.visible(Person, viewer).select_related("home_locality").order_by("pk")
    if role in ROLES:
        persons = persons.filter(_has_role(role))
    if not name.strip():
        return persons
    hidden = viewer.hidden
    return persons_named(name, among=persons.exclude(team_id__in=hidden) if hidden else persons)


def roles_of(persons: Iterable[Person]) -> dict[int, list[StrOrPromise]]:
    """The names of the roles of each of these persons (a page of a list), in one query over them alone: asked
    of the whole list, PostgreSQL would read every allegation and complaint to answer for the first fifty."""
    flags = {f"is_{key}": _has_role(key) for key in ROLES}
    rows = Person.objects.filter(pk__in=[p.pk for p in persons]).annotate(**flags).values("pk", *flags)
    return {row["pk"]: [label for key, (label, _c) in ROLES.items() if row[f"is_{key}"]] for row in rows}


def groups_listed(*, viewer: Viewer) -> QuerySet[Group]:
    """The groups the user may see, with their event and the number of named members."""
    return (
        access.visible(Group, viewer)
        .select_related("event")
        .annotate(named=Count("members", distinct=True))
        .order_by("pk")
    )
