"""Reads of the register: finding people by name, although their names are stored encrypted."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from habeas.accounts import access
from habeas.cases.models import Allegation, Charge, Proceeding, Verdict
from habeas.core.fields import name_keys, name_query
from habeas.files.timeline import CUSTODY, Reader, Timeline, timeline
from habeas.registry.models import Disability, Group, Organisation, Person, PersonName, Relationship


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


def person_get_for_user(*, user: Any, pk: Any) -> Person:
    """A person the user may see, else 404."""
    return access.get_for_user(Person, user, pk)


def group_get_for_user(*, user: Any, pk: Any) -> Group:
    """A group the user may see, else 404."""
    return access.get_for_user(Group, user, pk)


def name_filter_allowed(user: Any) -> bool:
    """Whether the user may look people up by name: not an analyst without identities in every team they see
    (a name search would unmask a pseudonym)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return bool(set(access.roles_of(user)) - access.identities_hidden_from(user))


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


def persons_listed(*, user: Any, name: str = "", role: str = "") -> QuerySet[Person]:
    """The persons the user may see, in the order they were recorded, each with ``is_<role>`` for every role of
    ``ROLES``; with ``name``, those so named in any script, among the teams whose identities the user may see;
    with ``role``, those who have it."""
    persons = access.visible(Person, user).select_related("home_locality").order_by("pk")
    roles = {key: Exists(Person.objects.filter(condition, pk=OuterRef("pk"))) for key, (_l, condition) in ROLES.items()}
    persons = persons.annotate(**{f"is_{key}": exists for key, exists in roles.items()})
    if role in ROLES:
        persons = persons.filter(**{f"is_{role}": True})
    if not name.strip():
        return persons
    hidden = access.identities_hidden_from(user)
    return persons_named(name, among=persons.exclude(team_id__in=hidden) if hidden else persons)


def roles_of(person: Person) -> list[StrOrPromise]:
    """The names of the roles of a person read through ``persons_listed``."""
    return [label for key, (label, _c) in ROLES.items() if getattr(person, f"is_{key}", False)]


def groups_listed(*, user: Any) -> QuerySet[Group]:
    """The groups the user may see, with their event and the number of named members."""
    return (
        access.visible(Group, user)
        .select_related("event")
        .annotate(named=Count("members", distinct=True))
        .order_by("pk")
    )


def _ids(kind: str, *rows: QuerySet[Any, int]) -> list[int]:
    """The ids the querysets of flat ids select, in one query, when a timeline of this kind needs them."""
    if kind == CUSTODY:
        return []
    first, *more = (q.order_by() for q in rows)
    return list(first.union(*more)) if more else list(first)


@dataclass
class Relative:
    relation: StrOrPromise
    name: str
    person: Person | None  # to link to, when the user may see them


@dataclass
class PersonFile:
    """Everything about one person, as one user may see it."""

    person: Person
    shown: bool  # protected fields (names, contact, descriptions) may be shown
    may_write: bool
    names: list[PersonName]
    disabilities: list[Disability]
    relatives: list[Relative]
    groups: list[Group]
    timeline: Timeline


def person_file(person: Person, user: Any, *, kind: str = "all") -> PersonFile:
    """The person's file: the facts, their relatives and groups, and the timeline of every record that concerns
    them (custody, accountability or both), each with its sources and findings — in a fixed number of queries."""
    reader = Reader(user, home=person.home_locality)
    shown = reader.shown(person)
    # ids first, so that each condition below is one index lookup or an OR of index lookups (an OR across a
    # join, or of subqueries, would scan a whole table at national scale)
    alleged = _ids(kind, Allegation.objects.filter(victim=person).values_list("pk", flat=True))
    tried = _ids(
        kind,
        Proceeding.defendants.through.objects.filter(person=person).values_list("proceeding_id", flat=True),
        Verdict.objects.filter(defendant=person).values_list("proceeding_id", flat=True),
        Charge.objects.filter(defendant=person).values_list("proceeding_id", flat=True),
    )
    in_custody = Q(custody__person=person)
    filters = {
        "episodes": Q(person=person),
        "placements": in_custody,
        "transfers": in_custody,
        "measures": in_custody,
        "contacts": in_custody,
        "notifications": in_custody,
        "news": in_custody,
        "examinations": in_custody,
        "allegations": Q(pk__in=alleged),
        "statements": Q(person=person),
        "complaints": Q(allegation__in=alleged) | Q(complainant=person),
        "investigations": Q(allegation__in=alleged),
        "proceedings": Q(pk__in=tried),
        "charges": Q(defendant=person),
        "verdicts": Q(defendant=person),
        "reparations": Q(beneficiary=person) | Q(allegation__in=alleged),
        "stages": in_custody,
        "deaths": in_custody,
        "intimidations": Q(target=person),
        "rulings": Q(proceeding__in=tried) | Q(allegation__in=alleged),
    }
    ties = sorted(
        Relationship.objects.filter(Q(person=person) | Q(relative=person)).select_related("person", "relative"),
        key=attrgetter("pk"),
    )
    relatives = [
        Relative(r.get_kind_display(), reader.name(r.relative), r.relative if reader.seen(r.relative) else None)
        for r in ties
        if r.person_id == person.pk
    ] + [
        Relative(
            _("%(kind)s of") % {"kind": r.get_kind_display()},
            reader.name(r.person),
            r.person if reader.seen(r.person) else None,
        )
        for r in ties
        if r.relative_id == person.pk
    ]
    return PersonFile(
        person=person,
        shown=shown,
        may_write=access.can_write(user, person),
        names=sorted(person.names.all(), key=lambda n: (n.script, n.kind != "primary", n.pk)) if shown else [],
        disabilities=list(person.disabilities.order_by("pk")),
        relatives=relatives,
        groups=list(access.visible(Group, user).filter(members=person).order_by("pk")),
        timeline=timeline(reader, person, kind, filters),
    )


@dataclass
class GroupFile:
    """Everything about one group, as one user may see it."""

    group: Group
    shown: bool
    may_write: bool
    members: list[Person]
    members_count: int
    timeline: Timeline


#: how many named members a group's page lists
MEMBERS_SHOWN = 100


def group_file(group: Group, user: Any, *, kind: str = "all") -> GroupFile:
    """The group's file: its size, named members, and the timeline of the allegations, custody of its named
    members, statements, complaints, investigations, proceedings, verdicts and reparations that concern it."""
    reader = Reader(user)
    alleged = _ids(kind, Allegation.objects.filter(victim_group=group).values_list("pk", flat=True))
    tried = _ids(
        kind,
        Proceeding.objects.filter(defendant_group=group).values_list("pk", flat=True),
        Verdict.objects.filter(defendant_group=group).values_list("proceeding_id", flat=True),
        Charge.objects.filter(defendant_group=group).values_list("proceeding_id", flat=True),
    )
    filters = {
        "episodes": Q(person__in=group.members.values("pk")),
        "allegations": Q(pk__in=alleged),
        "statements": Q(group=group),
        "complaints": Q(allegation__in=alleged) | Q(complainant_group=group),
        "investigations": Q(allegation__in=alleged),
        "proceedings": Q(pk__in=tried),
        "charges": Q(defendant_group=group),
        "verdicts": Q(defendant_group=group),
        "reparations": Q(allegation__in=alleged),
    }
    members = access.visible(Person, user).filter(groups=group).order_by("pk")
    return GroupFile(
        group=group,
        shown=reader.shown(group),
        may_write=access.can_write(user, group),
        members=list(members[:MEMBERS_SHOWN]),
        members_count=members.count(),
        timeline=timeline(reader, group, kind, filters, named=True),
    )
