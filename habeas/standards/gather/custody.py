"""Facts about custody: episodes and their deadlines, safeguards at apprehension, restrictive measures, where people
were held and moved, contact with family, notifications, and deaths in custody."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Exists, FloatField, Func, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from habeas.cases.models import (
    Allegation,
    Investigation,
)
from habeas.cases.selectors import appearances
from habeas.custody.models import (
    CustodyEpisode,
    CustodyStage,
    Death,
    DeathCause,
    Extension,
    FamilyContact,
    FamilyNews,
    MedicalExamination,
    Notification,
    Placement,
    RestrictiveMeasure,
    Transfer,
    describe_frequency,
)
from habeas.registry.models import Disability, Person, Place, Relationship
from habeas.standards import facts as f
from habeas.standards.facts import DeathInCustodyFacts, SafeguardFacts, When
from habeas.standards.gather.cases import _investigations
from habeas.standards.gather.common import Context, _day, _in, _label, chunked, countries, ref, when

# Arrangements are counted in whole days: "once a month" is every 30 days, "once a year" every 365.
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def measures(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.MeasureFacts]:
    query = RestrictiveMeasure.objects.filter(_in("id", ids)).values(
        "id",
        "custody_id",
        "custody__person_id",
        "custody__person__label",
        "place_id",
        "imposed_by_id",
        "kind",
        "name_used",
        "disciplinary",
        "started_on",
        "started_on_precision",
        "imposed_on",
        "imposed_on_precision",
        "ended_on",
        "ended_on_precision",
        "planned_days",
        "min_days",
        "open_ended",
        "hours_confined_per_day",
        "meaningful_contact",
        "exacerbation_risk",
        "family_contact_banned",
        "by_sentence",
        "independent_review",
        "daily_health_visits",
        "reasons",
        "cell_lighting",
        "diet_reduced",
        "corporal",
        "collective",
        "custody__person__sex",
        "custody__person__born_on",
        "custody__person__born_on_precision",
    )
    rows: list[dict[str, Any]] = [dict(r) for r in query]
    people = {r["custody__person_id"] for r in rows}
    disabilities: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for chunk in chunked(people):
        for person_id, kind, text in Disability.objects.filter(person_id__in=chunk).values_list(
            "person_id", "kind", "description"
        ):
            disabilities[person_id].append((kind, text or str(Disability.Kind(kind).label)))
    approved: set[int] = set()
    for chunk in chunked(r["id"] for r in rows):
        approved.update(
            Extension.objects.filter(measure_id__in=chunk, prosecutor_approved=True).values_list(
                "measure_id", flat=True
            )
        )
    for r in rows:
        start = when(r["started_on"], r["started_on_precision"]) or when(r["imposed_on"], r["imposed_on_precision"])
        yield f.MeasureFacts(
            record=ref(RestrictiveMeasure, r["id"]),
            subject=r["custody__person__label"],
            on=_day(start),
            refs=(ref(CustodyEpisode, r["custody_id"]),),
            place_id=r["place_id"],
            organisation_id=r["imposed_by_id"]
            or (ctx.places[r["place_id"]]["authority_id"] if r["place_id"] else None),
            kind=r["kind"],
            kind_label=str(RestrictiveMeasure.Kind(r["kind"]).label),
            name_used=r["name_used"],
            disciplinary=r["disciplinary"],
            start=start,
            end=when(r["ended_on"], r["ended_on_precision"]),
            planned_days=r["planned_days"],
            min_days=r["min_days"],
            open_ended=r["open_ended"],
            hours_per_day=float(r["hours_confined_per_day"]) if r["hours_confined_per_day"] is not None else None,
            meaningful_contact=r["meaningful_contact"],
            disabilities=tuple(disabilities.get(r["custody__person_id"], ())),
            exacerbation_risk=r["exacerbation_risk"],
            family_contact_banned=r["family_contact_banned"],
            prosecutor_extension=r["id"] in approved,
            by_sentence=r["by_sentence"],
            independent_review=r["independent_review"],
            daily_health_visits=r["daily_health_visits"],
            authorised_by_known=r["imposed_by_id"] is not None,
            reasons_given=bool(r["reasons"].strip()),
            cell_lighting=r["cell_lighting"],
            diet_reduced=r["diet_reduced"],
            corporal=r["corporal"],
            collective=r["collective"],
            sex=r["custody__person__sex"],
            born=when(r["custody__person__born_on"], r["custody__person__born_on_precision"]),
        )


def custody_episodes(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.CustodyFacts]:
    ids = ids if ids is None or isinstance(ids, QuerySet) else list(ids)
    rows = CustodyEpisode.objects.filter(_in("id", ids)).values(
        "id",
        "person_id",
        "person__label",
        "apprehended_by_id",
        "apprehended_at",
        "apprehended_at_precision",
        "first_judge_at",
        "first_judge_at_precision",
        "released_at",
        "released_at_precision",
    )
    heard = _appearances(ids)
    for r in rows.iterator(chunk_size=5000):
        apprehended = when(r["apprehended_at"], r["apprehended_at_precision"])
        judged = [when(r["first_judge_at"], r["first_judge_at_precision"]), heard.get(r["id"])]
        yield f.CustodyFacts(
            record=ref(CustodyEpisode, r["id"]),
            subject=r["person__label"],
            on=_day(apprehended),
            organisation_id=r["apprehended_by_id"],
            apprehended=apprehended,
            first_judge=_earliest(judged),
            released=when(r["released_at"], r["released_at_precision"]),
        )


def _earliest(moments: Iterable[When | None]) -> When | None:
    known = [m for m in moments if m is not None]
    return min(known, key=lambda m: (f.moment(m.lo), f.moment(m.hi))) if known else None


def _appearances(ids: Iterable[int] | None) -> dict[int, When]:
    """Each custody's earliest appearance before a judge recorded as a hearing (``cases.selectors.appearances``)."""
    found: dict[int, list[When | None]] = defaultdict(list)
    rows = appearances().filter(_in("custody_id", ids)).values_list("custody_id", "held_at", "held_at_precision")
    for custody_id, held_at, precision in rows:
        found[custody_id].append(when(held_at, precision))
    return {custody_id: moment for custody_id, moments in found.items() if (moment := _earliest(moments))}


def _homes(person_ids: set[int]) -> dict[int, tuple[int, bool]]:
    """Each person's home locality, or failing that the home of a relative they have contact with: the
    place a transfer takes them away from. Value: (locality id, whether it is the family's home)."""
    homes: dict[int, tuple[int, bool]] = {}
    for chunk in chunked(person_ids):
        own = Person.objects.filter(id__in=chunk, home_locality__isnull=False).values_list("id", "home_locality_id")
        homes.update({pid: (loc, False) for pid, loc in own})
    for chunk in chunked(person_ids - homes.keys()):
        for pid, loc in [
            *FamilyContact.objects.filter(
                custody__person_id__in=chunk, relative__home_locality__isnull=False
            ).values_list("custody__person_id", "relative__home_locality_id"),
            *Relationship.objects.filter(person_id__in=chunk, relative__home_locality__isnull=False).values_list(
                "person_id", "relative__home_locality_id"
            ),
        ]:
            homes.setdefault(pid, (loc, True))
    return homes


def _region(ctx: Context, locality_id: int | None) -> str:
    locality = ctx.localities.get(locality_id) if locality_id else None
    return locality["region_code"] if locality else ""


def locations(ctx: Context, ids: Iterable[tuple[str, int]] | None = None) -> Iterator[f.LocationFacts]:
    """Every place a person was held after a placement or transfer, against their home."""
    wanted = list(ids) if ids is not None else None
    placement_ids = None if wanted is None else [pk for label, pk in wanted if label == "custody.placement"]
    transfer_ids = None if wanted is None else [pk for label, pk in wanted if label == "custody.transfer"]
    rows: list[tuple[type[Model], dict[str, Any]]] = [
        (Placement, dict(r))
        for r in Placement.objects.filter(_in("id", placement_ids)).values(
            "id",
            "custody_id",
            "custody__person_id",
            "custody__person__label",
            "place_id",
            "reason",
            "stated_distance_km",
            "started_on",
            "started_on_precision",
        )
    ] + [
        (
            Transfer,
            {
                **r,
                "place_id": r["to_place_id"],
                "started_on": r["arrived_on"] or r["departed_on"],
                "started_on_precision": r["arrived_on_precision"],
            },
        )
        for r in Transfer.objects.filter(_in("id", transfer_ids)).values(
            "id",
            "custody_id",
            "custody__person_id",
            "custody__person__label",
            "to_place_id",
            "reason",
            "stated_distance_km",
            "arrived_on",
            "arrived_on_precision",
            "departed_on",
        )
    ]
    # A transfer to a place where a placement is also recorded is the same stay: judge it once.
    placed = {(r["custody_id"], r["place_id"]) for model, r in rows if model is Placement}
    for chunk in chunked({r["custody_id"] for model, r in rows if model is Transfer}):
        placed |= set(Placement.objects.filter(custody_id__in=chunk).values_list("custody_id", "place_id"))
    rows = [(m, r) for m, r in rows if m is Placement or (r["custody_id"], r["place_id"]) not in placed]
    homes = _homes({r["custody__person_id"] for _, r in rows})
    for model, r in rows:
        home = homes.get(r["custody__person_id"])
        place = ctx.places[r["place_id"]]
        place_loc: dict[str, Any] | None = ctx.localities.get(place["locality_id"]) if place["locality_id"] else None
        home_loc: dict[str, Any] | None = ctx.localities.get(home[0]) if home else None
        distance = ctx.distance_km(place["locality_id"], home[0]) if place["locality_id"] and home else None
        since = when(r["started_on"], r["started_on_precision"])
        yield f.LocationFacts(
            record=ref(model, r["id"]),
            subject=r["custody__person__label"],
            on=_day(since),
            refs=(ref(CustodyEpisode, r["custody_id"]), ref(Place, r["place_id"])),
            place_id=r["place_id"],
            organisation_id=place["authority_id"],
            place=place["name"],
            place_region=place_loc["region_code"] if place_loc else "",
            home=home_loc["name"] if home_loc else "",
            home_region=home_loc["region_code"] if home_loc else "",
            home_is_family=bool(home and home[1]),
            distance_km=distance,
            stated_distance_km=r["stated_distance_km"],
            reason=r["reason"],
            since=since,
        )


def contacts(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.ContactFacts]:
    rows = FamilyContact.objects.filter(_in("id", ids)).values(
        "id",
        "custody_id",
        "custody__person__label",
        "relative__label",
        "kind",
        "allowed",
        "times",
        "every",
        "every_unit",
        "minutes",
        "supervised",
    )
    for r in rows.iterator(chunk_size=5000):
        every, unit = r["every"], r["every_unit"]
        yield f.ContactFacts(
            record=ref(FamilyContact, r["id"]),
            subject=r["custody__person__label"],
            refs=(ref(CustodyEpisode, r["custody_id"]),),
            kind=str(FamilyContact.Kind(r["kind"]).label),
            relative=r["relative__label"] or "",
            allowed=r["allowed"],
            every_days=every * UNIT_DAYS[unit] / (r["times"] or 1) if every and unit else None,
            frequency=describe_frequency(r["times"], every, unit),
            minutes=r["minutes"],
            supervised=r["supervised"],
        )


def notifications(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.NotificationFacts]:
    rows = Notification.objects.filter(_in("id", ids)).values(
        "id",
        "custody_id",
        "custody__person__label",
        "party__label",
        "about",
        "occurred_on",
        "occurred_on_precision",
        "informed_on",
        "informed_on_precision",
    )
    for r in rows.iterator(chunk_size=5000):
        yield f.NotificationFacts(
            record=ref(Notification, r["id"]),
            subject=r["custody__person__label"],
            refs=(ref(CustodyEpisode, r["custody_id"]),),
            about=str(Notification.About(r["about"]).label),
            about_code=r["about"],
            party=r["party__label"] or "",
            occurred=when(r["occurred_on"], r["occurred_on_precision"]),
            informed=when(r["informed_on"], r["informed_on_precision"]),
        )


def family_news(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.FamilyNewsFacts]:
    for r in FamilyNews.objects.filter(_in("id", ids)).values(
        "id",
        "custody_id",
        "custody__person__label",
        "kind",
        "known_on",
        "known_on_precision",
        "told_on",
        "told_on_precision",
        "leave_requested",
        "leave_granted",
        "leave_refusal_reason",
    ):
        yield f.FamilyNewsFacts(
            record=ref(FamilyNews, r["id"]),
            subject=r["custody__person__label"],
            refs=(ref(CustodyEpisode, r["custody_id"]),),
            kind=str(FamilyNews.Kind(r["kind"]).label),
            known=when(r["known_on"], r["known_on_precision"]),
            told=when(r["told_on"], r["told_on_precision"]),
            leave_requested=r["leave_requested"],
            leave_granted=r["leave_granted"],
            refusal_reason=r["leave_refusal_reason"],
        )


def examinations(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.ExaminationFacts]:
    for r in MedicalExamination.objects.filter(_in("id", ids)).values(
        "id",
        "custody_id",
        "custody__person__label",
        "kind",
        "requested_on",
        "requested_on_precision",
        "performed",
        "examiner",
        "findings",
    ):
        yield f.ExaminationFacts(
            record=ref(MedicalExamination, r["id"]),
            subject=r["custody__person__label"],
            refs=(ref(CustodyEpisode, r["custody_id"]),),
            kind=str(MedicalExamination.Kind(r["kind"]).label),
            requested=when(r["requested_on"], r["requested_on_precision"]),
            performed=r["performed"],
            examiner=r["examiner"],
            findings=r["findings"],
        )


def deaths(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.DeathFacts]:
    """People who died while deprived of their liberty (between apprehension and release)."""
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in CustodyEpisode.objects.filter(person__died_on__isnull=False)
        .filter(_in("person_id", ids))
        .values(
            "id",
            "person_id",
            "person__label",
            "person__died_on",
            "person__died_on_precision",
            "apprehended_at",
            "apprehended_at_precision",
            "released_at",
            "released_at_precision",
            "apprehended_by_id",
        )
    ]
    victims: dict[int, set[int]] = defaultdict(set)
    for chunk in chunked({r["person_id"] for r in rows}):
        for allegation_id, person_id in Allegation.objects.filter(victim_id__in=chunk).values_list("id", "victim_id"):
            victims[person_id].add(allegation_id)
    investigations = _investigations(ctx, {a for ids_ in victims.values() for a in ids_})
    for r in rows:
        died = when(r["person__died_on"], r["person__died_on_precision"])
        start = when(r["apprehended_at"], r["apprehended_at_precision"])
        end = when(r["released_at"], r["released_at_precision"])
        if died is None or start is None or f.moment(died.hi) < f.moment(start.lo):
            continue
        if end is not None and f.moment(died.lo) > f.moment(end.hi):
            continue  # died after release
        yield f.DeathFacts(
            record=ref(Person, r["person_id"]),
            subject=r["person__label"],
            refs=(ref(CustodyEpisode, r["id"]),),
            organisation_id=r["apprehended_by_id"],
            died=died,
            authority_chain=ctx.chain(r["apprehended_by_id"]),
            investigations=tuple(i for a in victims.get(r["person_id"], ()) for i in investigations.get(a, ())),
        )


def deaths_in_custody(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[DeathInCustodyFacts]:
    where = countries(ctx)
    rows = list(
        Death.objects.filter(_in("id", ids)).values(
            "id",
            "custody_id",
            "custody__person__label",
            "custody__apprehended_by_id",
            "died_at",
            "died_at_precision",
            "place_id",
            "locality_id",
            "investigated",
            "investigation_id",
            "investigation__outcome",
            "investigation__body_id",
        )
    )
    causes: dict[int, list[tuple[str, str, bool]]] = defaultdict(list)
    last_place: dict[int, int] = {}
    for chunk in chunked(r["id"] for r in rows):
        for death, by, kind, official in (
            DeathCause.objects.filter(death_id__in=chunk)
            .values_list("death_id", "stated_by", "kind", "by_authorities")
            .order_by("pk")
        ):
            causes[death].append((by, _label(DeathCause, kind), official))
    for chunk in chunked(r["custody_id"] for r in rows if r["place_id"] is None):
        for custody, held in (
            Placement.objects.filter(custody_id__in=chunk)
            .order_by("started_on", "pk")
            .values_list("custody_id", "place_id")
        ):
            last_place[custody] = held
    for r in rows:
        place = r["place_id"] or last_place.get(r["custody_id"])
        died = when(r["died_at"], r["died_at_precision"])
        detaining = ctx.chain(r["custody__apprehended_by_id"])
        body = ctx.chain(r["investigation__body_id"])
        independent = None if not detaining or not body else not set(body) & set(detaining)
        refs = [ref(CustodyEpisode, r["custody_id"])]
        if r["investigation_id"]:
            refs.append(ref(Investigation, r["investigation_id"]))
        yield DeathInCustodyFacts(
            record=ref(Death, r["id"]),
            subject=r["custody__person__label"],
            on=_day(died),
            refs=tuple(refs),
            place_id=place,
            organisation_id=r["custody__apprehended_by_id"],
            country=where.of(place=place, locality=r["locality_id"], org=r["custody__apprehended_by_id"]),
            died=died,
            place=ctx.places[place]["name"] if place else "",
            causes=tuple(causes.get(r["id"], ())),
            investigated=True if r["investigation_id"] else r["investigated"],
            investigation_outcome=r["investigation__outcome"] or "",
            investigation_independent=independent,
        )


def safeguards(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[SafeguardFacts]:
    where = countries(ctx)
    stated = (
        CustodyEpisode.objects.filter(_in("id", ids))
        .exclude(
            registered__isnull=True,
            reasons_told__isnull=True,
            lawyer_granted__isnull=True,
            doctor_examined__isnull=True,
            stages__isnull=True,
        )
        .distinct()
    )
    rows = list(
        stated.values(
            "id",
            "person__label",
            "apprehended_at",
            "apprehended_at_precision",
            "apprehended_in_id",
            "apprehended_by_id",
            "registered",
            "reasons_told",
            "lawyer_requested",
            "lawyer_granted",
            "doctor_requested",
            "doctor_examined",
        )
    )
    stages: dict[int, list[tuple[str, When | None]]] = defaultdict(list)
    first_place: dict[int, int] = {}
    for chunk in chunked(r["id"] for r in rows):
        for custody, basis, start, precision in CustodyStage.objects.filter(custody_id__in=chunk).values_list(
            "custody_id", "basis", "started_at", "started_at_precision"
        ):
            stages[custody].append((basis, when(start, precision)))
        for custody, held in (
            Placement.objects.filter(custody_id__in=chunk)
            .order_by("-started_on", "-pk")
            .values_list("custody_id", "place_id")
        ):
            first_place[custody] = held
    for r in rows:
        apprehended = when(r["apprehended_at"], r["apprehended_at_precision"])
        place = first_place.get(r["id"])
        yield SafeguardFacts(
            record=ref(CustodyEpisode, r["id"]),
            subject=r["person__label"],
            on=_day(apprehended),
            place_id=place,
            organisation_id=r["apprehended_by_id"],
            country=where.of(place=place, locality=r["apprehended_in_id"], org=r["apprehended_by_id"]),
            apprehended=apprehended,
            registered=r["registered"],
            reasons_told=r["reasons_told"],
            lawyer_requested=r["lawyer_requested"],
            lawyer_granted=r["lawyer_granted"],
            doctor_requested=r["doctor_requested"],
            doctor_examined=r["doctor_examined"],
            stages=tuple(stages.get(r["id"], ())),
        )


class HoursBetween(Func):
    """Hours from the first date-time to the second, computed by the database itself (on SQLite, Django's
    date-time arithmetic would call back into Python for every row)."""

    def __init__(self, start: str, end: Any) -> None:
        super().__init__(end, start, output_field=FloatField())

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 24.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)",
            arg_joiner=" - ",
            **extra,
        )


def custody_candidates(limit_hours: float) -> QuerySet[CustodyEpisode, int]:
    """The set-based form of the custody deadline rules (ICCPR 9(3), national limits): the episodes that can
    exceed ``limit_hours`` before a judge (or before release, when no judge is recorded). Where every date
    involved is exact the database decides; the rest are candidates for the per-record rules. Every other
    episode gives no finding under any limit of at least ``limit_hours``. The comparison keeps a few seconds'
    margin for floating-point arithmetic: a candidate too many is judged by the rules, none is lost."""
    heard = Exists(appearances().filter(custody=OuterRef("pk")))
    judged = Q(first_judge_at__isnull=False)
    exact = (
        Q(apprehended_at_precision="exact")
        & ~Q(heard)
        & ((judged & Q(first_judge_at_precision="exact")) | (~judged & Q(released_at_precision="exact")))
    )
    rows = (
        CustodyEpisode.objects.filter(apprehended_at__isnull=False)
        .filter(judged | Q(heard) | Q(released_at__isnull=False))
        .annotate(held_hours=HoursBetween("apprehended_at", Coalesce("first_judge_at", "released_at")))
    )
    return rows.filter(~exact | Q(held_hours__gt=limit_hours - 0.001)).values_list("id", flat=True)
