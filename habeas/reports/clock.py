"""Needs attention now: the live clock. What is running out of time, or has run out, as the records stand at
``now`` — read each time a page is shown, so it follows every write, and by ``habeas clock`` for the e-mails.

Four clocks, each against the limit of the profile that applies where the record is (the profile whose
jurisdiction is the country of the place: ``kz`` in Kazakhstan, else ``international``; where a profile has a
national and an international rule on the same thing, the stricter limit counts):

- a custody open (not released) with no appearance before a judge recorded (on the custody, or as a hearing that
  rules on it: ``habeas.cases.selectors.appearances``): the judge-within-48-hours rules
  (ICCPR art. 9(3) and General Comment No. 35 para. 33; the national limit of the Criminal Procedure Code);
- a complaint not answered (no decision and no outcome recorded): the complaint rule's delay (CAT art. 13);
- a recommendation whose response was due and none is recorded (``habeas.monitoring.selectors.overdue``);
- a solitary confinement still running (no end, the custody not over): Mandela rule 44's 15 days, and for a
  disciplinary one the national limit.

Only records whose facts run to today are on the clock: those under active monitoring (``standards.Follow``), and
those that no dated source or review bounds (a record entered as it happens). The others are known only up to their
latest source — a complaint from a 2013 report may have been answered since — so the standards check measures them
"as of" that date, and the clock leaves them out rather than count years no source covers.

A clock starts at the first moment the start date allows (a custody apprehended "on 16 December 2011" is
counted from midnight), so that the time left is never overstated; when a date is less precise than a day the
times are "about". Nothing here reads the clock: ``now`` is given.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from habeas.accounts import access
from habeas.accounts.models import Membership
from habeas.accounts.viewer import Viewer
from habeas.cases.models import Complaint
from habeas.cases.selectors import appearances
from habeas.core.dates import Precision, describe, interval
from habeas.core.wording import Words, count, render, say
from habeas.custody.models import CustodyEpisode, Placement, RestrictiveMeasure
from habeas.evidence.models import Citation
from habeas.monitoring.models import Recommendation
from habeas.monitoring.selectors import overdue, with_status
from habeas.registry.models import Group, Person, Place
from habeas.standards.engine import Profile, StandardsError
from habeas.standards.models import Follow
from habeas.standards.rules import CATALOGUE, standard_shown
from habeas.standards.rules.detention import SOLITARY_KINDS
from habeas.standards.services import profile_get, profile_names

#: each clock's rules and the parameter of each that sets its limit
JUDGE = (("ICCPR-09-3-PROMPT-JUDGE-48H", "P_JUDICIAL_APPEARANCE_H"), ("KZ-CPC-DETENTION-48H", "P_KZ_DETENTION_H"))
COMPLAINT = (("CAT-13-RIGHT-TO-COMPLAIN", "P_COMPLAINT_RESPONSE_D"),)
SOLITARY = (("MANDELA-44-PROLONGED-SOLITARY", "P_PROLONGED_SOLITARY_D"),)
#: a national limit on solitary confinement imposed as a punishment (to its first period: an extension is
#: counted by the full check)
DISCIPLINARY = (("KZ-PEC-SOLITARY-1M-PROSECUTOR", "P_KZ_SOLITARY_D"),)
for _code, _parameter in (*JUDGE, *COMPLAINT, *SOLITARY, *DISCIPLINARY):
    assert _parameter in CATALOGUE[_code].parameters, f"{_code} does not use {_parameter}"

#: what each clock is about, as the page and the e-mail name it
KINDS: dict[str, StrOrPromise] = {
    "custody": _("no appearance before a judge"),
    "complaint": _("complaint not answered"),
    "recommendation": _("recommendation not answered"),
    "solitary": _("solitary confinement"),
}
#: the most items a page lists (the most pressing first); it says how many there are in all
SHOWN = 20


@dataclass(frozen=True)
class Item:
    kind: str
    record_id: int
    team_id: int | None
    due: dt.datetime  # the moment the limit is reached
    due_precision: str  # the precision of the date the clock counts from (or of the due date)
    now: dt.datetime
    limit: Words | None  # "48 hours"; None for a recommendation, whose due date is its own
    rule: str  # the code of the rule whose limit counts ("" for a recommendation)
    whose: Person | Group | None  # shown as a pseudonym to whoever may not see names
    where: str  # the place or the authority
    url: str
    zone: dt.tzinfo | None = None  # the time zone of the place, in which an exact due time is shown

    @property
    def what(self) -> str:
        return str(KINDS[self.kind])

    @property
    def about(self) -> bool:
        return self.due_precision not in (Precision.EXACT, Precision.DAY)

    @property
    def exceeded(self) -> bool:
        return self.now >= self.due

    @property
    def due_text(self) -> str:
        precise = Precision.EXACT if self.due_precision == Precision.EXACT else Precision.DAY
        text = describe(self.due, precise, zone=self.zone)
        return str(_("about %(date)s") % {"date": text}) if self.about else text

    @property
    def time(self) -> Words:
        return time_words(self.due - self.now, about=self.about)

    @property
    def time_text(self) -> str:
        return render(self.time)

    @property
    def limit_text(self) -> str:
        return render(self.limit) if self.limit else ""

    @property
    def standard(self) -> str:
        return standard_shown(self.rule, CATALOGUE[self.rule].citation) if self.rule else ""

    @property
    def key(self) -> tuple[str, int, str]:
        """What an e-mail about the item is remembered by: a changed deadline is news."""
        return self.kind, self.record_id, self.due.isoformat()


def time_words(remaining: dt.timedelta, *, about: bool = False) -> Words:
    """ "1 hour left", "exceeded by 3 days": whole hours under two days, whole days beyond, never rounded up."""
    hours = abs(remaining.total_seconds()) / 3600
    left = remaining.total_seconds() > 0
    if hours < 1:
        return say("less than an hour left" if left else "exceeded by less than an hour")
    if hours < 48 and not about:
        if left:
            return count("%(n)s hour left", "%(n)s hours left", int(hours))
        return count("exceeded by %(n)s hour", "exceeded by %(n)s hours", int(hours))
    days = int(hours // 24)
    if about:
        days = max(days, 1)  # a date coarser than a day: "about 1 day" rather than "about 0 days"
        if left:
            return count("about %(n)s day left", "about %(n)s days left", days)
        return count("exceeded by about %(n)s day", "exceeded by about %(n)s days", days)
    if left:
        return count("%(n)s day left", "%(n)s days left", days)
    return count("exceeded by %(n)s day", "exceeded by %(n)s days", days)


@dataclass(frozen=True)
class Clock:
    items: list[Item]  # the most pressing, at most ``SHOWN``
    total: int  # how many there are in all

    @property
    def more(self) -> int:
        return self.total - len(self.items)


# Profiles and limits ---------------------------------------------------------------------------------------


@functools.cache
def _profiles() -> dict[str, Profile]:
    """Jurisdiction ("" for the international minimum, "KZ") → its profile."""
    found: dict[str, Profile] = {}
    for name in profile_names():
        profile = profile_get(name)
        found.setdefault(profile.jurisdiction.upper(), profile)
    return found


def profile_for(country: str | None) -> Profile:
    """The profile of a country's jurisdiction, else the international minimum."""
    profiles = _profiles()
    return profiles.get((country or "").upper()) or profiles[""]


def limit_of(pairs: tuple[tuple[str, str], ...], country: str | None, on: dt.date) -> tuple[float, str]:
    """The strictest limit (and its rule) of the rules the country's profile applies, in force on ``on``."""
    profile = profile_for(country)
    params = profile.params(on)
    limits = [
        (float(params[parameter]), code)
        for code, parameter in pairs
        if code in profile.rules and parameter in params.values
    ]
    if not limits:
        raise StandardsError(f"profile {profile.name!r} applies none of the rules {', '.join(c for c, _ in pairs)}")
    return min(limits)


def _moment(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def _first(value: dt.date | dt.datetime, precision: str) -> dt.datetime:
    """The first moment a fuzzy date allows."""
    return _moment(interval(value, precision)[0])


def _amount(n: float, unit: str) -> Words:
    n = int(n) if float(n).is_integer() else n
    return count("%(n)s hour", "%(n)s hours", n) if unit == "hours" else count("%(n)s day", "%(n)s days", n)


# The four clocks -------------------------------------------------------------------------------------------


def _live(model: type[Any]) -> Q:
    """Records of ``model`` whose facts run to today: under active monitoring, or bounded by no dated source and no
    review."""
    content_type = ContentType.objects.get_for_model(model)
    follows = Follow.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
    dated = Citation.objects.filter(
        content_type=content_type, object_id=OuterRef("pk"), source__published_on__isnull=False
    )
    reviewed = follows.filter(reviewed_on__isnull=False)
    return Q(Exists(follows.filter(active=True))) | (~Q(Exists(dated)) & ~Q(Exists(reviewed)))


def _custody(viewer: Viewer, person: Person | None, place: Place | None) -> QuerySet[CustodyEpisode]:
    held = Placement.objects.filter(custody=OuterRef("pk"), ended_on__isnull=True)
    rows = access.visible(CustodyEpisode, viewer).filter(
        _live(CustodyEpisode),
        ~Exists(appearances().filter(custody=OuterRef("pk"))),
        apprehended_at__isnull=False,
        first_judge_at__isnull=True,
        released_at__isnull=True,
        status__in=[CustodyEpisode.Status.POLICE, CustodyEpisode.Status.UNKNOWN],
    )
    if person is not None:
        rows = rows.filter(person=person)
    if place is not None:
        rows = rows.filter(Exists(held.filter(place=place)))
    return rows


def _custody_rows(ids: list[int]) -> QuerySet[CustodyEpisode]:
    held = Placement.objects.filter(custody=OuterRef("pk"), ended_on__isnull=True).order_by("-started_on", "-pk")
    rows = CustodyEpisode.objects.filter(pk__in=ids).select_related("person", "apprehended_in")
    return rows.annotate(held_in=Subquery(held.values("place__name")[:1]))


def _custody_item(row: CustodyEpisode, now: dt.datetime) -> Item:
    assert row.apprehended_at is not None
    country = row.apprehended_in.country if row.apprehended_in else ""
    limit, rule = limit_of(JUDGE, country, row.apprehended_at.date())
    return Item(
        kind="custody",
        record_id=row.pk,
        team_id=row.team_id,
        due=_first(row.apprehended_at, row.apprehended_at_precision) + dt.timedelta(hours=limit),
        due_precision=row.apprehended_at_precision,
        now=now,
        limit=_amount(limit, "hours"),
        rule=rule,
        whose=row.person,
        where=row.held_in or (row.apprehended_in.name if row.apprehended_in else ""),  # type: ignore[attr-defined]
        url=reverse("person_detail", args=[row.person_id]),
        zone=row.time_zone(),
    )


def _complaints(viewer: Viewer, person: Person | None, place: Place | None) -> QuerySet[Complaint]:
    rows = access.visible(Complaint, viewer).filter(
        _live(Complaint),
        lodged_on__isnull=False,
        decided_on__isnull=True,
        outcome__in=[Complaint.Outcome.PENDING, Complaint.Outcome.UNKNOWN],
    )
    if person is not None:
        rows = rows.filter(Q(allegation__victim=person) | Q(complainant=person))
    if place is not None:
        rows = rows.filter(allegation__place=place)
    return rows


def _complaint_rows(ids: list[int]) -> QuerySet[Complaint]:
    return Complaint.objects.filter(pk__in=ids).select_related(
        "allegation__victim", "allegation__victim_group", "complainant", "lodged_with"
    )


def _complaint_item(row: Complaint, now: dt.datetime) -> Item:
    assert row.lodged_on is not None
    limit, rule = limit_of(COMPLAINT, row.lodged_with.country if row.lodged_with else "", row.lodged_on)
    whose = row.allegation.victim or row.complainant or row.allegation.victim_group
    return Item(
        kind="complaint",
        record_id=row.pk,
        team_id=row.team_id,
        due=_first(row.lodged_on, row.lodged_on_precision) + dt.timedelta(days=limit),
        due_precision=row.lodged_on_precision,
        now=now,
        limit=_amount(limit, "days"),
        rule=rule,
        whose=whose,
        where=row.lodged_with.name if row.lodged_with else "",
        url=reverse(f"{whose._meta.model_name}_detail", args=[whose.pk]) if whose else "",
    )


def _recommendations(viewer: Viewer, person: Person | None, place: Place | None, now: dt.datetime) -> QuerySet[Any]:
    rows = with_status(access.visible(Recommendation, viewer)).filter(_live(Recommendation), overdue(now.date()))
    if person is not None:
        rows = rows.none()  # a recommendation is addressed to an authority, not about one person
    if place is not None:
        rows = rows.filter(visit__place=place)
    return rows


def _recommendation_rows(ids: list[int]) -> QuerySet[Recommendation]:
    return Recommendation.objects.filter(pk__in=ids).select_related("addressee", "visit__place")


def _recommendation_item(row: Recommendation, now: dt.datetime) -> Item:
    assert row.response_due_on is not None
    last = interval(row.response_due_on, row.response_due_on_precision)[1]
    return Item(
        kind="recommendation",
        record_id=row.pk,
        team_id=row.team_id,
        due=_moment(last) + dt.timedelta(days=1),  # overdue from the day after the last day the date allows
        due_precision=row.response_due_on_precision,
        now=now,
        limit=None,
        rule="",
        whose=None,
        where=", ".join(str(x) for x in (row.addressee, row.visit.place if row.visit else None) if x),
        url=reverse("recommendation_detail", args=[row.pk]),
    )


def _solitary(viewer: Viewer, person: Person | None, place: Place | None) -> QuerySet[RestrictiveMeasure]:
    hours = profile_for("").params()["P_SOLITARY_HOURS"]  # what solitary confinement is (Mandela 44)
    is_solitary = ~Q(meaningful_contact=True) & (
        Q(hours_confined_per_day__gte=hours) | Q(hours_confined_per_day__isnull=True, kind__in=SOLITARY_KINDS)
    )
    rows = (
        access.visible(RestrictiveMeasure, viewer)
        .filter(
            _live(RestrictiveMeasure),
            is_solitary,
            started_on__isnull=False,
            ended_on__isnull=True,
            custody__released_at__isnull=True,
        )
        .exclude(custody__status=CustodyEpisode.Status.RELEASED)
    )
    if person is not None:
        rows = rows.filter(custody__person=person)
    if place is not None:
        held = Placement.objects.filter(custody=OuterRef("custody"), ended_on__isnull=True, place=place)
        rows = rows.filter(Q(place=place) | Q(place__isnull=True) & Exists(held))
    return rows


def _solitary_rows(ids: list[int]) -> QuerySet[RestrictiveMeasure]:
    return RestrictiveMeasure.objects.filter(pk__in=ids).select_related(
        "custody__person", "custody__apprehended_in", "place__locality", "place"
    )


def _solitary_item(row: RestrictiveMeasure, now: dt.datetime) -> Item:
    assert row.started_on is not None
    locality = (row.place.locality if row.place else None) or row.custody.apprehended_in
    country = locality.country if locality else ""
    limit, rule = limit_of(SOLITARY + (DISCIPLINARY if row.disciplinary else ()), country, row.started_on)
    return Item(
        kind="solitary",
        record_id=row.pk,
        team_id=row.team_id,
        due=_first(row.started_on, row.started_on_precision) + dt.timedelta(days=limit),
        due_precision=row.started_on_precision,
        now=now,
        limit=_amount(limit, "days"),
        rule=rule,
        whose=row.custody.person,
        where=row.place.name if row.place else "",
        url=reverse("person_detail", args=[row.custody.person_id]),
    )


def clock_items(
    viewer: Viewer,
    *,
    now: dt.datetime,
    person: Person | None = None,
    place: Place | None = None,
    shown: int | None = SHOWN,
) -> Clock:
    """What needs attention now among the records the user may see (about one person or place, if given): the
    clocks still running, the soonest due first, then those run out, the latest first; at most ``shown`` of
    them (all with None), and how many there are.

    One query per clock finds the ids of its items, and only a clock that has some reads them with what they
    show (and counts them, when there are more than ``shown``): four queries on a page where nothing is due,
    at most twelve, however many records there are."""
    sources: list[tuple[QuerySet[Any], str, Any, Any]] = [
        (_custody(viewer, person, place), "-apprehended_at", _custody_rows, _custody_item),
        (_complaints(viewer, person, place), "-lodged_on", _complaint_rows, _complaint_item),
        (_recommendations(viewer, person, place, now), "-response_due_on", _recommendation_rows, _recommendation_item),
        (_solitary(viewer, person, place), "-started_on", _solitary_rows, _solitary_item),
    ]
    items: list[Item] = []
    total = 0
    for rows, latest, read, make in sources:
        # the latest starts are the latest deadlines: the ones still running and those just run out
        ordered = rows.order_by(latest, "-pk").values_list("pk", flat=True)
        ids = list(ordered if shown is None else ordered[:shown])
        found = {row.pk: row for row in read(ids)} if ids else {}
        listed = [make(found[pk], now) for pk in ids if pk in found]  # (unless deleted in between)
        items.extend(listed)
        # counted only when the list was cut short: on most pages nothing, or less than a page, is due
        total += rows.count() if shown is not None and len(listed) == shown else len(listed)
    items.sort(key=lambda item: (item.exceeded, (item.due - now) if not item.exceeded else (now - item.due)))
    if shown is None:
        return Clock(items=items, total=len(items))
    return Clock(items=items[:shown], total=total)


def clock_subscriptions(user: Any) -> QuerySet[Membership]:
    """The user's memberships, each saying whether they asked for the e-mails about its team."""
    return Membership.objects.filter(user=user).select_related("team").order_by("team__name")
