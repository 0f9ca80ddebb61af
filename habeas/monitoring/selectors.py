"""Reads of the monitoring app: the visits and recommendations a user may see, planned visits before past ones,
each recommendation with its current status (the latest entry of its history), the number of entries, and
whether its response is overdue.

A date keeps its precision, so "has this date passed?" asks whether the *last* day the date allows is before
today: a response due "March 2013" is overdue from 1 April 2013, one due "2013" from 1 January 2014. The same
test is made in SQL (``date_passed``) so that lists can be filtered and ordered on it, and in Python
(``passed``) for one record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from habeas.accounts import access
from habeas.accounts.viewer import Viewer
from habeas.core.dates import Precision, interval
from habeas.monitoring.models import Recommendation, RecommendationStatus, Visit
from habeas.registry.models import Organisation, Place

ISSUED = RecommendationStatus.Status.ISSUED


def date_passed(field: str, today: dt.date) -> Q:
    """The records whose fuzzy date ``field`` is known and whose last possible day is before ``today``."""
    precision = f"{field}_precision"
    month_start = today.replace(day=1)
    year_start = today.replace(month=1, day=1)
    return (
        Q(**{f"{precision}__in": [Precision.DAY, Precision.EXACT], f"{field}__lt": today})
        | Q(**{precision: Precision.MONTH, f"{field}__lt": month_start})
        | Q(**{precision: Precision.YEAR, f"{field}__lt": year_start})
        # an approximate year reaches a year either side: "about 2011" has passed once 2012 is over
        | Q(**{precision: Precision.APPROXIMATE, f"{field}__lt": year_start.replace(year=today.year - 1)})
    )


def passed(value: dt.date | None, precision: str, today: dt.date) -> bool:
    """Whether a fuzzy date is known and its last possible day is before ``today`` (``date_passed`` in Python)."""
    if value is None:
        return False
    last = interval(value, precision)[1]
    return (last.date() if isinstance(last, dt.datetime) else last) < today


# Visits ------------------------------------------------------------------------------------------------------


def planned_visits(today: dt.date) -> Q:
    """Visits still to come: dated, the date not yet passed, and nothing recorded of them (access unknown)."""
    return Q(visited_on__isnull=False, access_granted__isnull=True) & ~date_passed("visited_on", today)


def visit_is_planned(visit: Visit, today: dt.date) -> bool:
    return (
        visit.visited_on is not None
        and visit.access_granted is None
        and not passed(visit.visited_on, visit.visited_on_precision, today)
    )


def visits_for_user(
    viewer: Viewer,
    *,
    today: dt.date,
    body: Organisation | None = None,
    place: Place | None = None,
    state: str = "",
) -> QuerySet[Visit]:
    """The visits the user may see, planned ones first (soonest first), then the others, latest first, and
    those without a date last. ``state`` is "planned", "done" or "" for both."""
    visits = (
        access.visible(Visit, viewer)
        .select_related("place", "body")
        .annotate(
            planned=Case(When(planned_visits(today), then=Value(1)), default=Value(0), output_field=IntegerField())
        )
    )
    if body is not None:
        visits = visits.filter(body=body)
    if place is not None:
        visits = visits.filter(place=place)
    if state == "planned":
        visits = visits.filter(planned=1)
    elif state == "done":
        visits = visits.filter(planned=0)
    return visits.order_by(
        "-planned",
        Case(When(planned=1, then="visited_on")).asc(nulls_last=True),
        Case(When(planned=0, then="visited_on")).desc(nulls_last=True),
        "-pk",
    )


def visit_get_for_user(viewer: Viewer, pk: Any, *, write: bool = False) -> Visit:
    visit = access.get_for_user(Visit, viewer, pk, write=write)
    return Visit.objects.select_related("place", "body").get(pk=visit.pk)


#: the kinds of organisation that visit places of detention
MONITORING_KINDS = (Organisation.Kind.MONITOR, Organisation.Kind.UN, Organisation.Kind.NGO)


def monitoring_bodies(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """The organisations among these that monitor places of detention (an NPM, a UN body, an NGO), by name."""
    return organisations.filter(kind__in=MONITORING_KINDS).order_by("name")


def places_for_user(viewer: Viewer) -> QuerySet[Place]:
    """The places a visit of this user may be to: those of the teams they see."""
    return access.visible(Place, viewer).order_by("name")


def organisations_for_user(viewer: Viewer) -> QuerySet[Organisation]:
    """The organisations this user may name as a monitoring body, issuer or addressee."""
    return access.visible(Organisation, viewer).order_by("name")


# Recommendations ---------------------------------------------------------------------------------------------


def latest_first(history: QuerySet[RecommendationStatus]) -> QuerySet[RecommendationStatus]:
    """A history, its latest entry first. The issuing comes before any response whatever the precision of their
    dates (a response dated "2013" is stored as 1 January, before a recommendation issued on 2 July 2013, and
    the issuing is always first: a response is refused a date before it); the responses in the order of their
    dates, and of their recording for the same date."""
    issuing_last = Case(When(status=ISSUED, then=Value(1)), default=Value(0), output_field=IntegerField())
    return history.order_by(issuing_last, "-recorded_on", "-pk")


def _latest(field: str) -> Subquery:
    latest = latest_first(RecommendationStatus.objects.filter(recommendation=OuterRef("pk")))
    return Subquery(latest.values(field)[:1])


def with_status(recommendations: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """Each recommendation with ``current_status`` (its latest recorded status; "issued" when none is recorded)
    and ``history_count`` (how many entries its history has)."""
    return recommendations.annotate(
        latest_status=_latest("status"),
        history_count=Subquery(
            RecommendationStatus.objects.filter(recommendation=OuterRef("pk"))
            .order_by()
            .values("recommendation")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
    )


def overdue(today: dt.date) -> Q:
    """Recommendations (annotated ``with_status``) whose response was due before today and that have none yet."""
    return date_passed("response_due_on", today) & (Q(latest_status__isnull=True) | Q(latest_status=ISSUED))


def recommendations_for_user(
    viewer: Viewer,
    *,
    today: dt.date,
    issuer: Organisation | None = None,
    addressee: Organisation | None = None,
    status: str = "",
    overdue_only: bool = False,
) -> QuerySet[Recommendation]:
    """The recommendations the user may see, filtered, each annotated ``with_status`` and ``is_overdue``;
    overdue ones first, then the latest issued."""
    recommendations = with_status(
        access.visible(Recommendation, viewer).select_related(
            "issuer", "addressee", "visit", "visit__place", "visit__body"
        )
    )
    if issuer is not None:
        recommendations = recommendations.filter(issuer=issuer)
    if addressee is not None:
        recommendations = recommendations.filter(addressee=addressee)
    if status == ISSUED:
        recommendations = recommendations.filter(Q(latest_status__isnull=True) | Q(latest_status=ISSUED))
    elif status:
        recommendations = recommendations.filter(Q(latest_status=status))
    recommendations = recommendations.annotate(
        is_overdue=Case(When(overdue(today), then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    if overdue_only:
        recommendations = recommendations.filter(is_overdue=1)
    return recommendations.order_by("-is_overdue", "-issued_on", "-pk")


def recommendations_by_status(recommendations: QuerySet[Recommendation]) -> list[tuple[str, str, int]]:
    """(status, its name, count) over recommendations annotated ``with_status``, in the order of the statuses;
    a recommendation without any entry counts as issued."""
    counts: dict[str, int] = {}
    for status, n in recommendations.order_by().values_list(F("latest_status")).annotate(n=Count("pk")):
        key = status or ISSUED
        counts[key] = counts.get(key, 0) + n
    return [(s.value, str(s.label), counts[s.value]) for s in RecommendationStatus.Status if counts.get(s.value)]


def recommendation_get_for_user(viewer: Viewer, pk: Any, *, write: bool = False) -> Recommendation:
    recommendation = access.get_for_user(Recommendation, viewer, pk, write=write)
    return with_status(
        Recommendation.objects.select_related("issuer", "addressee", "visit", "visit__place", "visit__body", "event")
    ).get(pk=recommendation.pk)


def recommendation_is_overdue(recommendation: Recommendation, today: dt.date) -> bool:
    status = getattr(recommendation, "latest_status", None)
    return (status in (None, ISSUED)) and passed(
        recommendation.response_due_on, recommendation.response_due_on_precision, today
    )


def status_of(recommendation: Recommendation) -> str:
    """The current status of a recommendation annotated ``with_status``."""
    return getattr(recommendation, "latest_status", None) or ISSUED


def history_of(recommendation: Recommendation) -> list[RecommendationStatus]:
    """The entries of a recommendation's history, oldest first."""
    return list(reversed(latest_first(recommendation.history.all())))


def recommendations_of_visit(visit: Visit) -> list[Recommendation]:
    return list(with_status(visit.recommendations.select_related("issuer", "addressee")).order_by("issued_on", "pk"))
