"""Facts about monitoring: places, visits to them and requests for information."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from habeas.monitoring.models import InformationRequest, Visit
from habeas.registry.models import Place
from habeas.standards import facts as f
from habeas.standards.gather.common import Context, _in, ref, when


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
