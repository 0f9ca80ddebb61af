"""Reads of the files of persons and groups: everything about one person or group, as one user may see it."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from operator import attrgetter, or_
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from habeas.accounts import access
from habeas.accounts.viewer import Viewer
from habeas.cases.models import Allegation, Charge, Proceeding, Verdict
from habeas.files.timeline import CUSTODY, Reader, Timeline, attach, timeline
from habeas.monitoring.models import Visit
from habeas.registry.models import Disability, Group, Person, PersonName, Relationship
from habeas.standards.finding_view import FindingView


def _ids(kind: str, *rows: QuerySet[Any, int]) -> list[int]:
    """The ids the querysets of flat ids select, in one query, when a timeline of this kind needs them."""
    if kind == CUSTODY:
        return []
    first, *more = (q.order_by() for q in rows)
    return list(first.union(*more)) if more else list(first)


def _either(*conditions: Q | None) -> Q | None:
    """The conditions that may select something, or-ed; None when none may."""
    kept = [condition for condition in conditions if condition is not None]
    return functools.reduce(or_, kept) if kept else None


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


def person_file(person: Person, viewer: Viewer, *, kind: str = "all") -> PersonFile:
    """The person's file: the facts, their relatives and groups, and the timeline of every record that concerns
    them (custody, accountability or both), each with its sources and findings — in a fixed number of queries."""
    reader = Reader(viewer, home=person.home_locality)
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
    # a condition on an empty list of ids is left out, and a section left with none is not probed at all:
    # most people have no allegation and no trial
    of_alleged = Q(allegation__in=alleged) if alleged else None
    of_tried = Q(proceeding__in=tried) if tried else None
    filters = {
        "episodes": Q(person=person),
        "placements": in_custody,
        "transfers": in_custody,
        "measures": in_custody,
        "contacts": in_custody,
        "notifications": in_custody,
        "news": in_custody,
        "examinations": in_custody,
        "allegations": Q(pk__in=alleged) if alleged else None,
        "statements": Q(person=person),
        "complaints": _either(of_alleged, Q(complainant=person)),
        "investigations": of_alleged,
        "proceedings": Q(pk__in=tried) if tried else None,
        "charges": Q(defendant=person),
        "hearings": Q(proceeding__in=tried) | Q(custody__person=person),
        "verdicts": Q(defendant=person),
        "reparations": _either(Q(beneficiary=person), of_alleged),
        "stages": in_custody,
        "deaths": in_custody,
        "intimidations": Q(target=person),
        "rulings": _either(of_tried, of_alleged),
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
        may_write=access.can_write(viewer, person),
        names=sorted(person.names.all(), key=lambda n: (n.script, n.kind != "primary", n.pk)) if shown else [],
        disabilities=list(person.disabilities.order_by("pk")),
        relatives=relatives,
        groups=list(access.visible(Group, viewer).filter(members=person).order_by("pk")),
        timeline=timeline(reader, person, kind, {section: q for section, q in filters.items() if q is not None}),
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


def group_file(group: Group, viewer: Viewer, *, kind: str = "all") -> GroupFile:
    """The group's file: its size, named members, and the timeline of the allegations, custody of its named
    members, statements, complaints, investigations, proceedings, verdicts and reparations that concern it."""
    reader = Reader(viewer)
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
        "hearings": Q(proceeding__in=tried),
        "verdicts": Q(defendant_group=group),
        "reparations": Q(allegation__in=alleged),
    }
    members = access.visible(Person, viewer).filter(groups=group).order_by("pk")
    return GroupFile(
        group=group,
        shown=reader.shown(group),
        may_write=access.can_write(viewer, group),
        members=list(members[:MEMBERS_SHOWN]),
        members_count=members.count(),
        timeline=timeline(reader, group, kind, filters, named=True),
    )


def findings_of_visit(visit: Visit, viewer: Viewer) -> list[FindingView]:
    """The findings against the standards about a visit that the user may see (access refused, no private
    interviews, …), as a file shows them."""
    return attach(Reader(viewer), [], visit)
