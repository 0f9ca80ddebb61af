"""Facts for the rules on deaths in custody, safeguards at apprehension, intimidation, courts' handling of torture
claims, penalties and redress, gathered in bulk from the records that state them. Each fact carries the country
where it happened (``country``), which decides whether a treaty applied there on its date."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Model

from habeas.cases.models import (
    Allegation,
    Charge,
    Complaint,
    Intimidation,
    Investigation,
    Proceeding,
    Reparation,
    Sentence,
    TortureClaimRuling,
    Verdict,
)
from habeas.custody.models import CustodyEpisode, CustodyStage, Death, DeathCause, Placement
from habeas.registry.models import Locality, Organisation
from habeas.standards.facts import Base, When


@dataclass(frozen=True)
class DeathInCustodyFacts(Base):
    country: str = ""
    died: When | None = None
    place: str = ""
    causes: tuple[tuple[str, str, bool], ...] = ()  # (stated by, kind of cause, the authorities' account)
    investigated: bool | None = None
    investigation_outcome: str = ""
    investigation_independent: bool | None = None  # of the detaining agency; None when either is unknown


@dataclass(frozen=True)
class SafeguardFacts(Base):
    country: str = ""
    apprehended: When | None = None
    registered: bool | None = None
    reasons_told: bool | None = None
    lawyer_requested: bool | None = None
    lawyer_granted: bool | None = None
    doctor_requested: bool | None = None
    doctor_examined: bool | None = None
    stages: tuple[tuple[str, When | None], ...] = ()  # (legal basis, from)


@dataclass(frozen=True)
class IntimidationFacts(Base):
    country: str = ""
    role: str = ""
    kind: str = ""
    forum: str = ""
    happened: When | None = None
    by_officials: bool | None = None
    by: str = ""
    established: bool | None = None
    withdrawn: bool | None = None
    communication: str = ""
    complaint: bool = False  # linked to the complaint it is said to answer


@dataclass(frozen=True)
class CourtClaimFacts(Base):
    country: str = ""
    court: str = ""
    raised: When | None = None
    decided: When | None = None
    examined: bool | None = None
    relied_on: bool | None = None
    excluded: bool | None = None


@dataclass(frozen=True)
class PenaltyFacts(Base):
    country: str = ""
    decided: When | None = None
    charges: tuple[tuple[str, str, str, bool], ...] = ()  # (qualification, article, offence, for alleged torture)
    sentences: tuple[tuple[str, int | None], ...] = ()  # (kind, months)


@dataclass(frozen=True)
class RedressFacts(Base):
    country: str = ""
    kind: str = ""
    refused: When | None = None
    convicted: When | None = None  # an official convicted for the acts alleged
    upheld: When | None = None  # a complaint about them upheld


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
    """The countries of one check's places and organisations, read once for all its selectors."""
    found = getattr(ctx, "countries", None)
    if found is None:
        found = Countries(ctx)
        ctx.countries = found  # type: ignore[attr-defined]
    return found


def _label(model: type[Model], code: str, field: str = "kind") -> str:
    return str(dict(getattr(model._meta.get_field(field), "choices", None) or [])[code]) if code else ""


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


def intimidations(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[IntimidationFacts]:
    where = countries(ctx)
    for r in Intimidation.objects.filter(_in("id", ids)).values(
        "id",
        "target__label",
        "target__home_locality_id",
        "role",
        "kind",
        "forum",
        "happened_on",
        "happened_on_precision",
        "by_organisation_id",
        "by_person__label",
        "by_officials",
        "established",
        "complaint_withdrawn",
        "communication",
        "complaint_id",
        "allegation_id",
        "allegation__place_id",
        "complaint__allegation__place_id",
        "visit__place_id",
    ):
        happened = when(r["happened_on"], r["happened_on_precision"])
        place = r["visit__place_id"] or r["allegation__place_id"] or r["complaint__allegation__place_id"]
        officials = r["by_officials"]
        if officials is None and r["by_organisation_id"] is not None:
            officials = True  # an agency named as the author: its officials
        yield IntimidationFacts(
            record=ref(Intimidation, r["id"]),
            subject=r["target__label"],
            on=_day(happened),
            refs=(ref(Complaint, r["complaint_id"]),) if r["complaint_id"] else (),
            place_id=place,
            organisation_id=r["by_organisation_id"],
            country=where.of(place=place, org=r["by_organisation_id"])
            or where.of(locality=r["target__home_locality_id"]),
            role=_label(Intimidation, r["role"], "role"),
            kind=_label(Intimidation, r["kind"]),
            forum=r["forum"],
            happened=happened,
            by_officials=officials,
            by=ctx.org_name(r["by_organisation_id"]) or r["by_person__label"] or "",
            established=r["established"],
            withdrawn=r["complaint_withdrawn"],
            communication=r["communication"],
            complaint=r["complaint_id"] is not None,
        )


def court_claims(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[CourtClaimFacts]:
    where = countries(ctx)
    for r in TortureClaimRuling.objects.filter(_in("id", ids)).values(
        "id",
        "proceeding_id",
        "proceeding__court_id",
        "proceeding__locality_id",
        "raised_by__label",
        "allegation__victim__label",
        "statement__person__label",
        "raised_on",
        "raised_on_precision",
        "decided_on",
        "decided_on_precision",
        "examined",
        "evidence_relied_on",
        "evidence_excluded",
    ):
        raised = when(r["raised_on"], r["raised_on_precision"])
        decided = when(r["decided_on"], r["decided_on_precision"])

        yield CourtClaimFacts(
            record=ref(TortureClaimRuling, r["id"]),
            subject=r["raised_by__label"] or r["allegation__victim__label"] or r["statement__person__label"] or "",
            on=_day(decided or raised),
            refs=(ref(Proceeding, r["proceeding_id"]),),
            organisation_id=r["proceeding__court_id"],
            country=where.of(locality=r["proceeding__locality_id"], org=r["proceeding__court_id"]),
            court=ctx.org_name(r["proceeding__court_id"]),
            raised=raised,
            decided=decided,
            examined=r["examined"],
            relied_on=r["evidence_relied_on"],
            excluded=r["evidence_excluded"],
        )


#: the verdict outcomes that leave a conviction standing
CONVICTIONS = ("convicted", "dismissed", "reduced", "increased")


def penalties(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[PenaltyFacts]:
    """Verdicts convicting a defendant charged for acts alleged as torture or ill-treatment, or charged with
    torture itself."""
    where = countries(ctx)
    charged: dict[tuple[int, int], list[tuple[str, str, str, bool]]] = defaultdict(list)
    for proceeding, defendant, qualification, article, offence, allegation_kind in (
        Charge.objects.filter(defendant__isnull=False)
        .exclude(allegation__isnull=True, qualification__in=["", "other"])
        .values_list("proceeding_id", "defendant_id", "qualification", "article", "offence", "allegation__kind")
    ):
        charged[(proceeding, defendant)].append((qualification, article, offence, allegation_kind == "torture"))
    verdicts = Verdict.objects.filter(_in("id", ids)).filter(outcome__in=CONVICTIONS, defendant__isnull=False)
    rows = [
        r
        for r in verdicts.values(
            "id",
            "proceeding_id",
            "proceeding__court_id",
            "proceeding__locality_id",
            "defendant_id",
            "defendant__label",
            "decided_on",
            "decided_on_precision",
        )
        if (r["proceeding_id"], r["defendant_id"]) in charged
    ]
    sentences: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for chunk in chunked(r["id"] for r in rows):
        for verdict, kind, months in Sentence.objects.filter(verdict_id__in=chunk).values_list(
            "verdict_id", "kind", "months"
        ):
            sentences[verdict].append((kind, months))
    for r in rows:
        decided = when(r["decided_on"], r["decided_on_precision"])
        yield PenaltyFacts(
            record=ref(Verdict, r["id"]),
            subject=r["defendant__label"],
            on=_day(decided),
            organisation_id=r["proceeding__court_id"],
            country=where.of(locality=r["proceeding__locality_id"], org=r["proceeding__court_id"]),
            decided=decided,
            charges=tuple(charged[(r["proceeding_id"], r["defendant_id"])]),
            sentences=tuple(sentences.get(r["id"], ())),
        )


def redress(ctx: Context, ids: Iterable[int] | None = None) -> Iterator[RedressFacts]:
    """Reparation refused (or stated as never given) for an allegation, with what established the ill-treatment."""
    where = countries(ctx)
    rows = list(
        Reparation.objects.filter(_in("id", ids))
        .filter(status=Reparation.Status.DENIED, allegation__isnull=False)
        .values(
            "id",
            "allegation_id",
            "allegation__victim__label",
            "allegation__victim_group__label",
            "allegation__place_id",
            "allegation__locality_id",
            "beneficiary__label",
            "ordered_by_id",
            "kind",
            "status_on",
            "status_on_precision",
            "ordered_on",
            "ordered_on_precision",
        )
    )
    allegations = {r["allegation_id"] for r in rows}
    convicted: dict[int, When] = {}
    upheld: dict[int, When] = {}
    for chunk in chunked(allegations):
        # a verdict convicting, in the proceeding of a charge for the acts alleged, the official so charged
        for allegation, decided, precision in (
            Verdict.objects.filter(
                outcome__in=CONVICTIONS,
                proceeding__charges__allegation_id__in=chunk,
                proceeding__charges__defendant_id=F("defendant_id"),
            )
            .order_by("decided_on")
            .values_list("proceeding__charges__allegation_id", "decided_on", "decided_on_precision")
        ):
            found = when(decided, precision)
            if found is not None:
                convicted.setdefault(allegation, found)
        for allegation, decided, precision in Complaint.objects.filter(
            allegation_id__in=chunk, outcome=Complaint.Outcome.UPHELD
        ).values_list("allegation_id", "decided_on", "decided_on_precision"):
            found = when(decided, precision)
            if found is not None:
                upheld.setdefault(allegation, found)

    for r in rows:
        refused = when(r["status_on"], r["status_on_precision"]) or when(r["ordered_on"], r["ordered_on_precision"])
        yield RedressFacts(
            record=ref(Reparation, r["id"]),
            subject=r["beneficiary__label"]
            or r["allegation__victim__label"]
            or r["allegation__victim_group__label"]
            or "",
            on=_day(refused),
            refs=(ref(Allegation, r["allegation_id"]),),
            place_id=r["allegation__place_id"],
            organisation_id=r["ordered_by_id"],
            country=where.of(place=r["allegation__place_id"], locality=r["allegation__locality_id"]),
            kind=_label(Reparation, r["kind"]),
            refused=refused,
            convicted=convicted.get(r["allegation_id"]),
            upheld=upheld.get(r["allegation_id"]),
        )


#: subject → (selector, the models whose rows are its records), joined to ``selectors.SUBJECTS``
SUBJECTS: dict[str, tuple[Callable[..., Iterator[Any]], tuple[type[Model], ...]]] = {
    "custody_death": (deaths_in_custody, (Death,)),
    "safeguards": (safeguards, (CustodyEpisode,)),
    "intimidation": (intimidations, (Intimidation,)),
    "court_claim": (court_claims, (TortureClaimRuling,)),
    "penalty": (penalties, (Verdict,)),
    "redress": (redress, (Reparation,)),
}

# Imported last: ``selectors`` joins ``SUBJECTS`` above to its own when it is imported, whichever comes first.
from habeas.standards.selectors import Context, _day, _in, chunked, ref, when  # noqa: E402
