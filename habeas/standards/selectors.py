"""Reads for the rules engine: gather the facts each kind of rule needs, in bulk, as frozen dataclasses,
and the citations of the records they come from."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import FloatField, Func, Model, Q, QuerySet
from django.db.models.functions import Coalesce

from habeas.accounts import access
from habeas.accounts.identity import pseudonymous_ref
from habeas.cases.models import (
    Allegation,
    Complaint,
    Disclosure,
    Investigation,
    InvestigationStep,
    Reparation,
    Statement,
)
from habeas.core.dates import interval
from habeas.core.wording import listed, say
from habeas.custody.models import (
    CustodyEpisode,
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
from habeas.evidence.models import Citation
from habeas.evidence.selectors import citation_shown
from habeas.monitoring.models import InformationRequest, Visit
from habeas.registry.models import Disability, Locality, Organisation, Person, Place, Relationship, StaffAssignment
from habeas.standards import facts as f
from habeas.standards.geo import geodesic_km
from habeas.standards.models import Finding, Follow

# Arrangements are counted in whole days: "once a month" is every 30 days, "once a year" every 365.
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


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
    """Lookups shared by all selectors of one evaluation: organisations' chains, people, places."""

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
    for r in rows.iterator(chunk_size=5000):
        apprehended = when(r["apprehended_at"], r["apprehended_at_precision"])
        yield f.CustodyFacts(
            record=ref(CustodyEpisode, r["id"]),
            subject=r["person__label"],
            on=_day(apprehended),
            organisation_id=r["apprehended_by_id"],
            apprehended=apprehended,
            first_judge=when(r["first_judge_at"], r["first_judge_at_precision"]),
            released=when(r["released_at"], r["released_at_precision"]),
        )


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


def _forensic(rows: list[dict[str, Any]]) -> dict[int, bool]:
    """Whether a forensic medical examination was done in each investigation, as a source states it: a forensic
    step taken (True) or recorded as not taken (False), or a forensic examination of the victim recorded in the
    custody the allegation is about, performed (True) or not (False). An investigation no source speaks of is
    left out: not known."""
    done: dict[int, bool] = {}
    for chunk in chunked(r["id"] for r in rows):
        for investigation, taken in InvestigationStep.objects.filter(
            investigation_id__in=chunk, kind="forensic"
        ).values_list("investigation_id", "done"):
            done[investigation] = done.get(investigation, False) or taken
    custody_of = {
        r["id"]: custody
        for r in rows
        if (custody := r.get("allegation__custody_id") or r.get("complaint__allegation__custody_id")) is not None
    }
    examined: dict[int, bool] = {}
    for chunk in chunked(set(custody_of.values())):
        for custody, performed in MedicalExamination.objects.filter(custody_id__in=chunk, kind="forensic").values_list(
            "custody_id", "performed"
        ):
            examined[custody] = examined.get(custody, False) or performed
    for investigation, custody in custody_of.items():
        if custody in examined and not done.get(investigation):
            done[investigation] = examined[custody]
    return done


def _investigations(ctx: Context, allegation_ids: set[int]) -> dict[int, list[f.InvestigationSummary]]:
    """The investigations of each allegation: those opened on it directly or on a complaint about it."""
    out: dict[int, list[f.InvestigationSummary]] = defaultdict(list)
    for chunk in chunked(allegation_ids):
        by_complaint = dict(Complaint.objects.filter(allegation_id__in=chunk).values_list("id", "allegation_id"))
        rows: list[dict[str, Any]] = [
            dict(r)
            for r in Investigation.objects.filter(Q(allegation_id__in=chunk) | Q(complaint_id__in=list(by_complaint)))
            .values(
                "id",
                "allegation_id",
                "complaint_id",
                "body_id",
                "opened_on",
                "opened_on_precision",
                "outcome",
                "allegation__custody_id",
                "complaint__allegation__custody_id",
            )
            .distinct()
        ]
        forensic = _forensic(rows)
        for r in rows:
            summary = summarise(ctx, r, forensic.get(r["id"]))
            for allegation_id in {r["allegation_id"], by_complaint.get(r["complaint_id"])} - {None}:
                out[allegation_id].append(summary)
    return out


def summarise(ctx: Context, row: dict[str, Any], forensic_done: bool | None) -> f.InvestigationSummary:
    return f.InvestigationSummary(
        record=ref(Investigation, row["id"]),
        opened=when(row["opened_on"], row["opened_on_precision"]),
        outcome=row["outcome"],
        body=ctx.org_name(row["body_id"]),
        body_chain=ctx.chain(row["body_id"]),
        forensic_done=forensic_done,
    )


def _perpetrators(ctx: Context, allegation_ids: set[int]) -> dict[int, tuple[list[tuple[int, ...]], list[str]]]:
    out: dict[int, tuple[list[tuple[int, ...]], list[str]]] = defaultdict(lambda: ([], []))
    rows = (
        row
        for chunk in chunked(allegation_ids)
        for row in Allegation.objects.filter(id__in=chunk).values(
            "id",
            "perpetrators__organisation_id",
            "perpetrators__person__organisation_id",
            "perpetrators__person__label",
        )
    )
    for r in rows:
        chains, names = out[r["id"]]
        for org in (r["perpetrators__organisation_id"], r["perpetrators__person__organisation_id"]):
            if org is not None and ctx.chain(org) not in chains:
                chains.append(ctx.chain(org))
                names.append(ctx.org_name(org))
        if r["perpetrators__person__label"] and not r["perpetrators__person__organisation_id"]:
            names.append(r["perpetrators__person__label"])
    return out


def allegations(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.AllegationFacts]:
    rows = list(
        Allegation.objects.filter(_in("id", ids)).values(
            "id",
            "victim_id",
            "victim__label",
            "victim_group__label",
            "custody_id",
            "place_id",
            "happened_on",
            "happened_on_precision",
            "kind",
        )
    )
    allegation_ids = {r["id"] for r in rows}
    disclosures: dict[int, list[tuple[str, f.When]]] = defaultdict(list)
    for d in (
        row
        for chunk in chunked(allegation_ids)
        for row in Disclosure.objects.filter(allegation_id__in=chunk).values(
            "allegation_id", "audience", "disclosed_on", "disclosed_on_precision"
        )
    ):
        moment = when(d["disclosed_on"], d["disclosed_on_precision"])
        if moment:
            disclosures[d["allegation_id"]].append((d["audience"], moment))
    investigations = _investigations(ctx, allegation_ids)
    perpetrators = _perpetrators(ctx, allegation_ids)
    held: dict[int, set[int]] = defaultdict(set)  # custody episode → places
    for chunk in chunked({r["custody_id"] for r in rows} - {None}):
        for custody_id, place_id in Placement.objects.filter(custody_id__in=chunk).values_list(
            "custody_id", "place_id"
        ):
            held[custody_id].add(place_id)
    postings: dict[int, list[tuple[str, int, f.When | None, f.When | None]]] = defaultdict(list)
    for chunk in chunked(allegation_ids):
        for p in StaffAssignment.objects.filter(
            person__alleged_acts__allegation_id__in=chunk, place__isnull=False
        ).values(
            "person__alleged_acts__allegation_id",
            "person__label",
            "place_id",
            "started_on",
            "started_on_precision",
            "ended_on",
            "ended_on_precision",
            "suspended_on",
            "suspended_on_precision",
        ):
            until = when(p["suspended_on"], p["suspended_on_precision"]) or when(p["ended_on"], p["ended_on_precision"])
            postings[p["person__alleged_acts__allegation_id"]].append(
                (p["person__label"], p["place_id"], when(p["started_on"], p["started_on_precision"]), until)
            )
    for r in rows:
        made = sorted(disclosures.get(r["id"], []), key=lambda item: f.moment(item[1].lo))
        in_court = [moment for audience, moment in made if audience == Disclosure.Audience.COURT]
        happened = when(r["happened_on"], r["happened_on_precision"])
        chains, names = perpetrators.get(r["id"], ([], []))
        yield f.AllegationFacts(
            record=ref(Allegation, r["id"]),
            subject=r["victim__label"] or r["victim_group__label"] or "",
            place_id=r["place_id"],
            kind=r["kind"],
            kind_label=str(Allegation.Kind(r["kind"]).label),
            happened=happened,
            raised=made[0][1] if made else happened,
            raised_in_court=in_court[0] if in_court else None,
            victim_places=tuple({r["place_id"], *held.get(r["custody_id"], ())} - {None}),
            perpetrator_postings=tuple(postings.get(r["id"], ())),
            in_custody=bool(r["custody_id"] or r["place_id"]),
            perpetrator_chains=tuple(chains),
            perpetrators=", ".join(names),
            investigations=tuple(investigations.get(r["id"], ())),
        )


def investigations(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.InvestigationFacts]:
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in Investigation.objects.filter(_in("id", ids)).values(
            "id",
            "allegation_id",
            "complaint__allegation_id",
            "allegation__custody_id",
            "complaint__allegation__custody_id",
            "body_id",
            "assigned_by_id",
            "opened_on",
            "opened_on_precision",
            "outcome",
            "subject",
            "allegation__victim_id",
            "allegation__victim__label",
            "allegation__victim_group__label",
            "complaint__allegation__victim_id",
            "complaint__allegation__victim__label",
            "complaint__allegation__victim_group__label",
        )
    ]
    forensic = _forensic(rows)
    about = {r["allegation_id"] or r["complaint__allegation_id"] for r in rows} - {None}
    perpetrators = _perpetrators(ctx, about)
    for r in rows:
        allegation_id = r["allegation_id"] or r["complaint__allegation_id"]
        chains, names = perpetrators.get(allegation_id, ([], []))
        victim = (
            r["allegation__victim__label"]
            or r["complaint__allegation__victim__label"]
            or r["allegation__victim_group__label"]
            or r["complaint__allegation__victim_group__label"]
            or ""
        )
        yield f.InvestigationFacts(
            record=ref(Investigation, r["id"]),
            subject=victim or r["subject"],
            refs=(ref(Allegation, allegation_id),) if allegation_id else (),
            organisation_id=r["body_id"],
            summary=summarise(ctx, r, forensic.get(r["id"])),
            perpetrator_chains=tuple(chains),
            perpetrators=", ".join(names),
            assigned_by=ctx.org_name(r["assigned_by_id"]),
        )


def statements(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.StatementFacts]:
    rows = list(
        Statement.objects.filter(_in("id", ids)).values(
            "id",
            "person_id",
            "person__label",
            "group__label",
            "kind",
            "retracted",
            "retracted_on",
            "retracted_on_precision",
            "coercion_alleged_id",
            "used_in__title",
            "used_in__torture_claims_examined",
        )
    )
    investigations = _investigations(ctx, {r["coercion_alleged_id"] for r in rows} - {None})
    for r in rows:
        retracted = when(r["retracted_on"], r["retracted_on_precision"])
        yield f.StatementFacts(
            record=ref(Statement, r["id"]),
            subject=r["person__label"] or r["group__label"] or "",
            refs=(ref(Allegation, r["coercion_alleged_id"]),) if r["coercion_alleged_id"] else (),
            kind=str(Statement.Kind(r["kind"]).label),
            retracted=retracted,
            retracted_undated=r["retracted"] and retracted is None,
            coercion_alleged=r["coercion_alleged_id"] is not None,
            investigations=tuple(investigations.get(r["coercion_alleged_id"], ())),
            used_in=r["used_in__title"] or "",
            claims_examined=r["used_in__torture_claims_examined"],
        )


def reparations(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.ReparationFacts]:
    for r in Reparation.objects.filter(_in("id", ids)).select_related("beneficiary"):
        amount = (
            listed([round(r.amount), r.currency] if r.currency else [round(r.amount)], " ")
            if r.amount is not None
            else say("an unstated amount")
        )
        yield f.ReparationFacts(
            record=ref(Reparation, r.pk),
            subject=r.beneficiary.label if r.beneficiary else r.beneficiary_text,
            organisation_id=r.ordered_by_id,
            kind=r.get_kind_display(),
            ordered=when(r.ordered_on, r.ordered_on_precision),
            due=when(r.due_on, r.due_on_precision),
            status=r.status,
            as_of=when(r.status_on, r.status_on_precision),
            amount=amount,
            paid=when(r.paid_on, r.paid_on_precision),
        )


def visits(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.VisitFacts]:
    for v in Visit.objects.filter(_in("id", ids)):
        place = ctx.places[v.place_id]["name"] if v.place_id else ""
        yield f.VisitFacts(
            record=ref(Visit, v.pk),
            subject=place or v.body_text or ctx.org_name(v.body_id),
            place_id=v.place_id,
            organisation_id=v.body_id,
            body=ctx.org_name(v.body_id) or v.body_text,
            place=place,
            announced=v.announced,
            access_granted=v.access_granted,
            refused=v.refused,
            private_interviews=v.private_interviews,
        )


def places(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.PlaceFacts]:
    latest: dict[int, f.When] = {}
    for v in Visit.objects.filter(place__isnull=False, access_granted=True, visited_on__isnull=False):
        moment = when(v.visited_on, v.visited_on_precision)
        if moment and (v.place_id not in latest or f.moment(moment.hi) > f.moment(latest[v.place_id].hi)):
            latest[v.place_id] = moment  # type: ignore[index]
    for place_id in ids if ids is not None else ctx.places:
        place = ctx.places[place_id]
        yield f.PlaceFacts(
            record=ref(Place, place_id),
            subject=place["name"],
            place_id=place_id,
            organisation_id=place["authority_id"],
            last_external_visit=latest.get(place_id),
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


def complaints(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.ComplaintFacts]:
    for r in Complaint.objects.filter(_in("id", ids)).values(
        "id",
        "allegation_id",
        "complainant__label",
        "complainant_group__label",
        "allegation__victim__label",
        "allegation__victim_group__label",
        "lodged_with_id",
        "lodged_on",
        "lodged_on_precision",
        "decided_on",
        "decided_on_precision",
        "outcome",
    ):
        yield f.ComplaintFacts(
            record=ref(Complaint, r["id"]),
            subject=r["complainant__label"]
            or r["complainant_group__label"]
            or r["allegation__victim__label"]
            or r["allegation__victim_group__label"]
            or "",
            refs=(ref(Allegation, r["allegation_id"]),),
            organisation_id=r["lodged_with_id"],
            lodged=when(r["lodged_on"], r["lodged_on_precision"]),
            decided=when(r["decided_on"], r["decided_on_precision"]),
            lodged_with=ctx.org_name(r["lodged_with_id"]),
            outcome=r["outcome"],
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


def information_requests(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[f.InformationRequestFacts]:
    for r in InformationRequest.objects.filter(_in("id", ids)).values(
        "id",
        "body_id",
        "addressee_id",
        "requested_on",
        "requested_on_precision",
        "answered_on",
        "answered_on_precision",
        "refused",
    ):
        yield f.InformationRequestFacts(
            record=ref(InformationRequest, r["id"]),
            subject=ctx.org_name(r["addressee_id"]) or ctx.org_name(r["body_id"]),
            organisation_id=r["addressee_id"],
            body=ctx.org_name(r["body_id"]),
            requested=when(r["requested_on"], r["requested_on_precision"]),
            answered=when(r["answered_on"], r["answered_on_precision"]),
            refused=r["refused"],
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
    judged = Q(first_judge_at__isnull=False)
    exact = Q(apprehended_at_precision="exact") & (
        (judged & Q(first_judge_at_precision="exact")) | (~judged & Q(released_at_precision="exact"))
    )
    rows = (
        CustodyEpisode.objects.filter(apprehended_at__isnull=False)
        .filter(judged | Q(released_at__isnull=False))
        .annotate(held_hours=HoursBetween("apprehended_at", Coalesce("first_judge_at", "released_at")))
    )
    return rows.filter(~exact | Q(held_hours__gt=limit_hours - 0.001)).values_list("id", flat=True)


#: subject → the parameters whose smallest value bounds its set-based form, and that form
SET_BASED: dict[str, tuple[tuple[str, ...], Callable[[float], QuerySet[Any, int]]]] = {
    "custody": (("P_JUDICIAL_APPEARANCE_H", "P_KZ_DETENTION_H"), custody_candidates),
}

#: subject → (selector, the models whose rows are its records)
SUBJECTS: dict[str, tuple[Callable[..., Iterator[Any]], tuple[type[Model], ...]]] = {
    "measure": (measures, (RestrictiveMeasure,)),
    "custody": (custody_episodes, (CustodyEpisode,)),
    "location": (locations, (Placement, Transfer)),
    "contact": (contacts, (FamilyContact,)),
    "notification": (notifications, (Notification,)),
    "allegation": (allegations, (Allegation,)),
    "investigation": (investigations, (Investigation,)),
    "statement": (statements, (Statement,)),
    "reparation": (reparations, (Reparation,)),
    "visit": (visits, (Visit,)),
    "place": (places, (Place,)),
    "news": (family_news, (FamilyNews,)),
    "complaint": (complaints, (Complaint,)),
    "examination": (examinations, (MedicalExamination,)),
    "death": (deaths, (Person,)),
    "information": (information_requests, (InformationRequest,)),
}
from habeas.standards import gather_new  # noqa: E402  (it reads this module's helpers)

SUBJECTS.update(gather_new.SUBJECTS)  # deaths in custody, safeguards, intimidation, courts, penalties, redress


def sources_of(refs: Iterable[f.Ref]) -> tuple[dict[f.Ref, list[dict[str, str]]], dict[f.Ref, f.When]]:
    """The sources cited for each record, with their locators; and the date of the latest of them that gives
    one, the date the record's facts are known up to."""
    by_label: dict[str, set[int]] = defaultdict(set)
    for label, pk in refs:
        by_label[label].add(pk)
    out: dict[f.Ref, list[dict[str, str]]] = defaultdict(list)
    latest: dict[f.Ref, f.When] = {}
    for label, pks in by_label.items():
        content_type = ContentType.objects.get_by_natural_key(*label.split("."))
        if not Citation.objects.filter(content_type=content_type).exists():
            continue
        cited = (
            c
            for chunk in chunked(pks)
            for c in Citation.objects.filter(content_type=content_type, object_id__in=chunk)
            .select_related("source")
            .order_by("pk")
        )
        for c in cited:
            key = (label, c.object_id)
            out[key].append(citation_shown(c))
            published = when(c.source.published_on, c.source.published_on_precision)
            if published and (key not in latest or f.moment(published.hi) > f.moment(latest[key].hi)):
                latest[key] = published
    return out, latest


def follows_of(refs: Iterable[f.Ref]) -> tuple[set[f.Ref], dict[f.Ref, f.When]]:
    """Of these records, those under active monitoring, and the date to which each reviewed one was reviewed."""

    by_label: dict[str, set[int]] = defaultdict(set)
    for label, pk in refs:
        by_label[label].add(pk)
    active: set[f.Ref] = set()
    reviewed: dict[f.Ref, f.When] = {}
    if not Follow.objects.exists():
        return active, reviewed
    for label, pks in by_label.items():
        content_type = ContentType.objects.get_by_natural_key(*label.split("."))
        for chunk in chunked(pks):
            for pk, is_active, on in Follow.objects.filter(content_type=content_type, object_id__in=chunk).values_list(
                "object_id", "active", "reviewed_on"
            ):
                if is_active:
                    active.add((label, pk))
                if on is not None:
                    reviewed[(label, pk)] = f.When(on, on, on, "day")
    return active, reviewed


def teams_of(refs: Iterable[f.Ref]) -> dict[f.Ref, int | None]:
    """The team that holds each record (none for a record of a kind no team holds)."""
    by_label: dict[str, set[int]] = defaultdict(set)
    for label, pk in refs:
        by_label[label].add(pk)
    out: dict[f.Ref, int | None] = {}
    for label, pks in by_label.items():
        model = apps.get_model(label)
        if not any(field.name == "team" for field in model._meta.fields):
            continue
        for chunk in chunked(pks):
            for pk, team in model._default_manager.filter(pk__in=chunk).values_list("pk", "team_id"):
                out[(label, pk)] = team
    return out


def findings_seen(user: Any) -> QuerySet[Any]:
    """The current findings about records the user may see (as ``habeas.accounts.access.visible`` says), through
    the team each finding keeps: one indexed column, where asking each kind of record took seconds at
    national scale."""

    current = Finding.objects.filter(active=True)
    if getattr(user, "is_superuser", False) and user.is_active:
        return current
    return current.filter(team_id__in=list(access.roles_of(user)))


def findings_for_report(
    profile: str, codes: Iterable[str] | None = None, *, seen_by: Any = None
) -> list[dict[str, Any]]:
    """The current findings of a profile as plain data, most severe first; with ``seen_by``, only those about
    records that user may see (``findings_seen``), so that no other team's finding is decrypted."""

    current = Finding.objects.filter(active=True) if seen_by is None else findings_seen(seen_by)
    rows = current.filter(profile=profile).select_related("content_type")
    wanted = None if codes is None else set(codes)
    out = []
    # the subject is encrypted, so the database cannot sort by it
    ordered = sorted(rows, key=lambda f: (-f.severity, f.rule, f.subject, f.object_id))
    for finding in ordered:
        cited = {s.get("rule") for s in finding.standards} | {finding.rule}
        if wanted is not None and not wanted & cited:
            continue
        out.append(
            {
                "rule": finding.rule,
                "rule_version": finding.rule_version,
                "topic": finding.topic,
                "status": finding.status,
                "severity": str(Finding.Severity(finding.severity).label),
                "record": {
                    "type": f"{finding.content_type.app_label}.{finding.content_type.model}",
                    "id": finding.object_id,
                },
                "subject": finding.subject,
                "summary": finding.summary,
                "standard": finding.standard,
                "standards": finding.standards,
                "prevails": finding.prevails,
                "review": finding.review or None,
                "parameters": finding.parameters,
                "facts": finding.facts,
                "sources": finding.sources,
            }
        )
    return out


def findings_visible(rows: list[dict[str, Any]], user: Any) -> list[dict[str, Any]]:
    """The findings whose record the user may see (``habeas.accounts.access.visible``), in their order; for an
    analyst not granted identities, each concerning a pseudonymised record rather than a named one."""
    from django.apps import apps

    if user.is_superuser and user.is_active:
        return rows
    wanted: dict[str, set[int]] = {}
    for row in rows:
        wanted.setdefault(row["record"]["type"], set()).add(row["record"]["id"])
    allowed: set[tuple[str, int]] = set()
    hidden_teams = access.identities_hidden_from(user)
    pseudonyms: dict[tuple[str, int], str] = {}
    for label, ids in wanted.items():
        model = apps.get_model(label)
        if not any(field.name == "team" for field in model._meta.fields):
            if user.is_superuser:  # a record no team holds: only superusers see it
                allowed |= {(label, pk) for pk in ids}
            continue
        for chunk in chunked(ids):
            for pk, team in access.visible(model, user).filter(pk__in=chunk).values_list("pk", "team_id"):
                allowed.add((label, pk))
                if team in hidden_teams:
                    pseudonyms[(label, pk)] = pseudonymous_ref(model, pk)
    out = []
    for row in rows:
        key = (row["record"]["type"], row["record"]["id"])
        if key in allowed:
            out.append(_pseudonymised(row, pseudonyms[key]) if key in pseudonyms else row)
    return out


def _pseudonymised(row: dict[str, Any], pseudonym: str) -> dict[str, Any]:
    """A finding as an analyst without identities sees it: about a pseudonym, with its facts but without the
    summary in words (which names people), citing sources by key and page only (a section heading or a
    source's title can name a person)."""
    sources = [{k: v for k, v in s.items() if k not in ("section", "source")} for s in row.get("sources", [])]
    return {**row, "subject": pseudonym, "summary": "", "sources": sources}
