"""Reads for the pages of places of detention: the register, one place with its people, measures, findings
and visits, and where people were held against their homes (for the map).

Every read starts from what the user may see (``habeas.accounts.access.visible``) and makes a fixed number of
queries, whatever the number of records: counts are grouped in the database, lists are paged or capped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from habeas.accounts import access
from habeas.accounts.viewer import Viewer
from habeas.custody.models import FamilyContact, Placement, RestrictiveMeasure, Transfer
from habeas.evidence.models import Citation
from habeas.monitoring.models import Recommendation, Visit
from habeas.registry.models import Locality, Organisation, Person, Place, Relationship
from habeas.reports.dashboard import open_findings
from habeas.standards.finding_view import FindingView, finding_views
from habeas.standards.geo import geodesic_km
from habeas.standards.visibility import findings_visible

#: the most rows of one kind a place's page lists (the rest are counted)
DETAIL_LIMIT = 50


def places_visible(
    viewer: Viewer, *, kind: str = "", authority: Organisation | None = None, text: str = ""
) -> QuerySet[Place]:
    """The places the user may see, filtered by kind, operating authority and words of the name."""
    places = access.visible(Place, viewer).select_related("authority", "locality__parent")
    if kind:
        places = places.filter(kind=kind)
    if authority is not None:
        places = places.filter(authority=authority)
    for word in text.split():
        places = places.filter(name__icontains=word)
    return places.order_by("name", "pk")


def authorities_visible(viewer: Viewer) -> QuerySet[Organisation]:
    """The organisations that run a place the user may see, and that the user may see themselves."""
    run = access.visible(Place, viewer).filter(authority__isnull=False).values("authority_id")
    return access.visible(Organisation, viewer).filter(pk__in=run).order_by("name")


@dataclass(frozen=True)
class Tally:
    people: int = 0
    open_findings: int = 0


def tallies(viewer: Viewer, place_ids: Sequence[int]) -> dict[int, Tally]:
    """For each place: the people held there (with a placement, or a transfer to it) and its open findings,
    of the records the user may see. Three grouped queries, whatever the number of places or records."""
    people: dict[int, int] = defaultdict(int)
    placed = (
        access.visible(Placement, viewer)
        .filter(place_id__in=place_ids)
        .values("place_id")
        .annotate(n=Count("custody__person_id", distinct=True))
        .order_by()
    )
    for row in placed:
        people[row["place_id"]] += row["n"]
    # a person transferred to a place where a placement of theirs is recorded is counted once
    also_placed = Placement.objects.filter(
        place_id=OuterRef("to_place_id"), custody__person_id=OuterRef("custody__person_id")
    )
    moved = (
        access.visible(Transfer, viewer)
        .filter(to_place_id__in=place_ids)
        .exclude(Exists(also_placed))
        .values("to_place_id")
        .annotate(n=Count("custody__person_id", distinct=True))
        .order_by()
    )
    for row in moved:
        people[row["to_place_id"]] += row["n"]
    findings = dict(
        open_findings(viewer).filter(place_id__in=place_ids).values_list("place_id").annotate(n=Count("pk")).order_by()
    )
    return {pk: Tally(people.get(pk, 0), findings.get(pk, 0)) for pk in place_ids}


# ---------------------------------------------------------------------------------------------------------
# Positions: a locality's coordinates, or an approximate position when only its region is known
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    lat: float
    lon: float
    approximate: bool = False  # the middle of the locality's region, not the locality itself


def positions(localities: Iterable[Locality]) -> dict[int, Position]:
    """Where each locality is: its own coordinates; else those of the locality it lies within (not a
    country); else, approximately, the middle of the gazetteer's settlements in its region (a province the
    sources name without a town). One query at most, for the regions."""
    out: dict[int, Position] = {}
    regions: dict[int, str] = {}
    for loc in localities:
        if loc.latitude is not None and loc.longitude is not None:
            out[loc.pk] = Position(loc.latitude, loc.longitude)
            continue
        parent = loc.parent if loc.parent_id else None  # the caller selects it with the locality
        if parent is not None and parent.kind != Locality.Kind.COUNTRY and parent.latitude is not None:
            out[loc.pk] = Position(parent.latitude, parent.longitude or 0.0, approximate=True)
        elif loc.region_code and loc.kind != Locality.Kind.COUNTRY:
            regions[loc.pk] = loc.region_code
    if regions:
        middles = {
            row["region_code"]: row
            for row in Locality.objects.filter(region_code__in=set(regions.values()), latitude__isnull=False)
            .values("region_code")
            .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
            .order_by()
        }
        for pk, code in regions.items():
            if code in middles:
                out[pk] = Position(middles[code]["lat"], middles[code]["lon"], approximate=True)
    return out


# ---------------------------------------------------------------------------------------------------------
# Stays: where people were held, from where, and how far from home
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Stay:
    """One person held in one place: a placement, or a transfer with no placement recorded at its end."""

    kind: str  # "placement" or "transfer"
    pk: int
    person: Person
    place: Place
    came_from: Place | None
    since: str
    stated_km: int | None
    record: Placement | Transfer | None = None
    home: Locality | None = None
    home_is_family: bool = False
    distance_km: float | None = None
    distance_approximate: bool = False
    place_at: Position | None = None
    from_at: Position | None = None
    home_at: Position | None = None

    @property
    def stated_text(self) -> str:
        return f"{self.stated_km:,} km" if self.stated_km is not None else ""

    @property
    def distance_text(self) -> str:
        if self.distance_km is None:
            return ""
        return f"≈ {self.distance_km:,.0f} km" if self.distance_approximate else f"{self.distance_km:,.0f} km"


def stays_visible(viewer: Viewer, places: QuerySet[Place] | None = None) -> QuerySet[Any]:
    """Rows (kind, id, custody, place, day) of every stay the user may see, at ``places`` if given, the latest
    first (undated last): one union query, so that it can be counted and paged in the database."""
    placements = access.visible(Placement, viewer)
    transfers = access.visible(Transfer, viewer).exclude(
        Exists(Placement.objects.filter(custody_id=OuterRef("custody_id"), place_id=OuterRef("to_place_id")))
    )
    if places is not None:
        placements = placements.filter(place__in=places.values("pk"))
        transfers = transfers.filter(to_place__in=places.values("pk"))
    first = placements.annotate(
        row_kind=Value(0, output_field=IntegerField()), row_place=F("place_id"), row_day=F("started_on")
    ).values_list("row_kind", "pk", "custody_id", "row_place", "row_day")
    second = transfers.annotate(
        row_kind=Value(1, output_field=IntegerField()),
        row_place=F("to_place_id"),
        row_day=Coalesce("arrived_on", "departed_on"),
    ).values_list("row_kind", "pk", "custody_id", "row_place", "row_day")
    return first.union(second, all=True).order_by(F("row_day").desc(nulls_last=True), "-row_kind", "-pk")


def stays_of(rows: Iterable[tuple[int, int, int, int, Any]]) -> list[Stay]:
    """The stays of rows from ``stays_visible``, with where the person came from, their home and the
    distance from it. Every record of the rows' custody episodes is read at once (an episode has few), so the
    number of queries is the same for one row or a page of them."""
    rows = list(rows)
    if not rows:
        return []
    episodes = {custody for _, _, custody, _, _ in rows}
    where_from = "place__locality__parent"
    placements = list(
        Placement.objects.filter(custody_id__in=episodes)
        .select_related("custody__person__home_locality__parent", where_from)
        .order_by(F("started_on").asc(nulls_first=True), "pk")
    )
    transfers = list(
        Transfer.objects.filter(custody_id__in=episodes).select_related(
            "custody__person__home_locality__parent", "to_place__locality__parent", "from_place__locality__parent"
        )
    )
    placement_of, transfer_of = {p.pk: p for p in placements}, {t.pk: t for t in transfers}
    earlier: dict[int, list[Placement]] = defaultdict(list)  # each episode's placements, in order
    for p in placements:
        earlier[p.custody_id].append(p)
    arrivals = {(t.custody_id, t.to_place_id): t for t in reversed(transfers) if t.from_place_id is not None}
    stays: list[Stay] = []
    for kind, pk, custody, _, _ in rows:
        if kind == 0:
            p = placement_of[pk]
            moved = arrivals.get((custody, p.place_id))
            came = moved.from_place if moved else _before(earlier[custody], p)
            stated = p.stated_distance_km or (moved.stated_distance_km if moved else None)
            stays.append(Stay("placement", pk, p.custody.person, p.place, came, p.date_text("started_on"), stated, p))
        else:
            t = transfer_of[pk]
            came = t.from_place or _before(earlier[custody], None, t.departed_on or t.arrived_on)
            when = t.date_text("arrived_on") if t.arrived_on else t.date_text("departed_on")
            stays.append(Stay("transfer", pk, t.custody.person, t.to_place, came, when, t.stated_distance_km, t))
    _locate(stays, episodes)
    return stays


def _before(placements: list[Placement], this: Placement | None, day: Any = None) -> Place | None:
    """The place of the placement before ``this`` (or before ``day``) in the same episode, if elsewhere."""
    previous: Place | None = None
    for p in placements:
        if this is not None and p.pk == this.pk:
            break
        if this is None and (day is None or p.started_on is None or p.started_on > day):
            break
        previous = p.place
    if this is not None and previous is not None and previous.pk == this.place_id:
        return None
    return previous


def _family_homes(episodes: set[int]) -> dict[int, Locality]:
    """For the people of ``episodes`` with no home recorded, the home of a relative they have contact with
    (as the rules on distance from home take it: ``habeas.standards.gather``): two queries."""
    homeless = Q(custody__in=episodes, custody__person__home_locality__isnull=True)
    found: dict[int, Locality] = {}
    for contact in FamilyContact.objects.filter(homeless, relative__home_locality__isnull=False).select_related(
        "custody", "relative__home_locality__parent"
    ):
        found.setdefault(contact.custody.person_id, contact.relative.home_locality)  # type: ignore[union-attr,arg-type]
    ties = Relationship.objects.filter(
        person__custody__in=episodes, person__home_locality__isnull=True, relative__home_locality__isnull=False
    ).select_related("relative__home_locality__parent")
    for tie in ties:
        found.setdefault(tie.person_id, tie.relative.home_locality)  # type: ignore[arg-type]
    return found


def _locate(stays: list[Stay], episodes: set[int]) -> None:
    """Fill in each stay's home (the person's, or failing that a relative's they are in contact with), the
    positions of its places and home, and the geodesic distance from home."""
    family = _family_homes(episodes)
    localities: dict[int, Locality] = {}
    for s in stays:
        if s.person.home_locality is not None:
            s.home = s.person.home_locality
        elif s.person.pk in family:
            s.home, s.home_is_family = family[s.person.pk], True
        for loc in (s.home, s.place.locality, s.came_from.locality if s.came_from else None):
            if loc is not None:
                localities[loc.pk] = loc
    where = positions(localities.values())
    distances: dict[tuple[int, int], float] = {}  # many people of one town held in one place: compute it once
    for s in stays:
        s.place_at = where.get(s.place.locality_id) if s.place.locality_id else None
        s.from_at = where.get(s.came_from.locality_id) if s.came_from and s.came_from.locality_id else None
        s.home_at = where.get(s.home.pk) if s.home else None
        if s.place_at and s.home_at and s.home and s.place.locality_id:
            pair = (s.home.pk, s.place.locality_id)
            if pair not in distances:
                distances[pair] = geodesic_km(s.home_at.lat, s.home_at.lon, s.place_at.lat, s.place_at.lon)
            s.distance_km = distances[pair]
            s.distance_approximate = s.place_at.approximate or s.home_at.approximate


# ---------------------------------------------------------------------------------------------------------
# One place
# ---------------------------------------------------------------------------------------------------------


@dataclass
class PlaceFile:
    """What a place's page shows, read for one user."""

    place: Place
    position: Position | None
    tally: Tally
    stays: list[Stay]
    stays_total: int
    transfers_out: list[Transfer]
    measures: list[RestrictiveMeasure]
    measures_total: int
    findings: list[FindingView]
    findings_total: int
    visits: list[Visit]
    citations: list[Citation]
    hidden: bool = field(default=False)  # the user sees this team's records pseudonymised


def place_file(viewer: Viewer, place: Place) -> PlaceFile:
    """The place's people (latest first), transfers away from it, restrictive measures applied there, open
    findings about it and its records, monitoring visits with their recommendations, and its sources."""
    here = Place.objects.filter(pk=place.pk)
    rows = stays_visible(viewer, here)
    stays = stays_of(rows[:DETAIL_LIMIT])
    out = list(
        access.visible(Transfer, viewer)
        .filter(from_place=place)
        .select_related("custody__person", "to_place")
        .order_by(F("departed_on").desc(nulls_last=True), "-pk")[:DETAIL_LIMIT]
    )
    measures = access.visible(RestrictiveMeasure, viewer).filter(place=place)
    found = open_findings(viewer).filter(place=place)
    visits = list(
        access.visible(Visit, viewer)
        .filter(place=place)
        .select_related("body")
        .prefetch_related(_recommendations(viewer))
        .order_by(F("visited_on").desc(nulls_last=True), "-pk")
    )
    for visit in visits:
        for recommendation in visit.recommendations_visible:  # type: ignore[attr-defined]
            history = list(recommendation.history.all())
            recommendation.latest_status = history[-1] if history else None
    content_type = ContentType.objects.get_for_model(Place)
    tally = tallies(viewer, [place.pk])[place.pk]
    return PlaceFile(
        place=place,
        position=positions([place.locality]).get(place.locality_id or 0) if place.locality else None,
        tally=tally,
        stays=stays,
        stays_total=rows.count(),
        transfers_out=out,
        measures=list(
            measures.select_related("custody__person").order_by(
                F("started_on").desc(nulls_last=True), F("imposed_on").desc(nulls_last=True), "-pk"
            )[:DETAIL_LIMIT]
        ),
        measures_total=measures.count(),
        findings=findings_visible(finding_views(found.order_by("-severity", "rule", "pk")[:DETAIL_LIMIT]), viewer),
        findings_total=tally.open_findings,  # the same count as the tally's
        visits=visits,
        citations=list(
            Citation.objects.filter(content_type=content_type, object_id=place.pk)
            .select_related("source")
            .order_by("pk")
        ),
        hidden=not viewer.sees_identity(place.team_id),
    )


def _recommendations(viewer: Viewer) -> Prefetch[Any]:
    return Prefetch(
        "recommendations",
        queryset=access.visible(Recommendation, viewer)
        .select_related("issuer", "addressee")
        .prefetch_related("history")
        .order_by("pk"),
        to_attr="recommendations_visible",
    )


def place_map_stays(viewer: Viewer, places: QuerySet[Place], limit: int) -> tuple[list[Stay], int]:
    """The latest ``limit`` stays at ``places``, and how many there are."""
    rows = stays_visible(viewer, places)
    return stays_of(rows[:limit]), rows.count()


def located(places: Iterable[Place]) -> dict[int, Position]:
    """Each place's position, by place id (places without a locality, or whose locality cannot be placed,
    are left out)."""
    places = list(places)
    where = positions({p.locality.pk: p.locality for p in places if p.locality is not None}.values())
    return {p.pk: where[p.locality_id] for p in places if p.locality_id in where}
