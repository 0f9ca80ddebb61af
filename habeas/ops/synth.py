"""A synthetic national-scale database, deterministic by seed, for benchmarks and load tests.

At scale 1: 500 places, 700,000 people, 1,000,000 custody episodes (100,000 of them with a placement in a
prison), 100,000 restrictive measures, 50,000 allegations with complaints, investigations and their steps,
20,000 notifications, 20,000 family-contact arrangements, 2,000 reparations and 2,000 monitoring visits.
Every record is marked as synthetic in its notes; none is real.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from django.db import connection, models, transaction

from habeas.accounts.models import Team
from habeas.cases.models import Allegation, Complaint, Investigation, InvestigationStep, Perpetrator, Reparation
from habeas.core.models import Record
from habeas.custody.models import CustodyEpisode, FamilyContact, Notification, Placement, RestrictiveMeasure
from habeas.monitoring.models import Visit
from habeas.registry.models import Disability, Locality, Organisation, Person, Place
from habeas.registry.services import gazetteer_seed

NOTE = "synthetic"
EPOCH = dt.datetime(2010, 1, 1, tzinfo=dt.UTC)
BATCH = 10_000


@dataclass(frozen=True)
class Sizes:
    places: int
    people: int
    episodes: int
    placements: int
    measures: int
    allegations: int
    notifications: int
    contacts: int
    reparations: int
    visits: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        def n(base: int) -> int:
            return max(1, round(base * scale))

        return cls(
            places=n(500),
            people=n(700_000),
            episodes=n(1_000_000),
            placements=n(100_000),
            measures=n(100_000),
            allegations=n(50_000),
            notifications=n(20_000),
            contacts=n(20_000),
            reparations=n(2_000),
            visits=n(2_000),
        )


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, BATCH):
        yield start, min(BATCH, total - start)


def _insert(model: type[models.Model], objects: list[models.Model]) -> None:
    model.objects.bulk_create(objects, batch_size=2000)  # type: ignore[attr-defined]


def _ids(model: type[models.Model], after: int) -> np.ndarray:
    return np.fromiter(model.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True), dtype=np.int64)  # type: ignore[attr-defined]


def _last(model: type[models.Model]) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0  # type: ignore[attr-defined]


#: the models synth writes that belong to a team
OWNED: tuple[type[Record], ...] = (
    Organisation, Place, Person, CustodyEpisode, Placement, RestrictiveMeasure, Allegation, Complaint,
    Investigation, InvestigationStep, Notification, FamilyContact, Reparation, Visit,
)  # fmt: skip


def synth(
    *, scale: float, seed: int, team: Team | None = None, progress: Callable[[str], None] = lambda _: None
) -> Sizes:
    """Add a synthetic dataset of the given scale to the database, in one transaction; its records belong to
    ``team`` (none: only superusers see them)."""
    if scale <= 0:
        raise ValueError(f"--scale must be positive, not {scale}")
    sizes = Sizes.at(scale)
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        before = {model: _last(model) for model in OWNED}
        gazetteer_seed(country="KZ")
        cities = list(Locality.objects.filter(country="KZ", kind=Locality.Kind.SETTLEMENT).order_by("pk"))
        ministry = Organisation.objects.create(
            name="Synthetic Ministry of Internal Affairs", kind="ministry", notes=NOTE
        )
        prosecutor = Organisation.objects.create(name="Synthetic Prosecutor's Office", kind="prosecutor", notes=NOTE)
        units = [
            Organisation.objects.create(name=f"Synthetic police unit {i}", kind="unit", parent=ministry, notes=NOTE)
            for i in range(20)
        ]
        security = Organisation.objects.create(
            name="Synthetic internal security service", kind="service", parent=ministry, notes=NOTE
        )
        monitor = Organisation.objects.create(name="Synthetic monitoring body", kind="monitor", notes=NOTE)
        progress(f"places: {sizes.places:,}")
        kinds = rng.choice(["police", "pretrial", "prison"], size=sizes.places, p=[0.6, 0.15, 0.25])
        kinds[0] = "prison"  # so that even a tiny dataset has a prison to place people in
        _insert(
            Place,
            [
                Place(
                    name=f"Synthetic {kind} {i}",
                    kind=str(kind),
                    locality=cities[int(rng.integers(len(cities)))],
                    authority=units[int(rng.integers(len(units)))],
                    capacity=int(rng.integers(20, 1500)),
                    notes=NOTE,
                )
                for i, kind in enumerate(kinds)
            ],
        )
        places = np.array(
            list(Place.objects.filter(name__startswith="Synthetic ").order_by("pk").values_list("pk", flat=True))
        )
        prisons = np.array(
            list(Place.objects.filter(name__startswith="Synthetic ", kind="prison").values_list("pk", flat=True))
        )
        first_person = _last(Person)
        for start, count in _chunks(sizes.people):
            homes = rng.integers(len(cities), size=count)
            sexes = rng.choice(["m", "f"], size=count, p=[0.9, 0.1])
            _insert(
                Person,
                [
                    Person(
                        label=f"Synthetic person {start + i}",
                        sex=str(sexes[i]),
                        home_locality=cities[int(homes[i])],
                        notes=NOTE,
                    )
                    for i in range(count)
                ],
            )
            progress(f"people: {start + count:,} of {sizes.people:,}")
        people = _ids(Person, first_person)
        disabled = rng.choice(people, size=max(1, len(people) // 50), replace=False)
        _insert(Disability, [Disability(person_id=int(p), kind="physical") for p in disabled])
        first_episode = _last(CustodyEpisode)
        for start, count in _chunks(sizes.episodes):
            who = rng.choice(people, size=count)
            hours = rng.integers(0, 14 * 365 * 24, size=count)
            to_judge = rng.lognormal(mean=np.log(30), sigma=0.5, size=count)
            precise = rng.random(count) < 0.97  # most registers record the hour; some only the day
            released = rng.random(count) < 0.5
            _insert(
                CustodyEpisode,
                [
                    CustodyEpisode(
                        person_id=int(who[i]),
                        apprehended_at=EPOCH + dt.timedelta(hours=int(hours[i])),
                        apprehended_at_precision="exact",
                        first_judge_at=EPOCH + dt.timedelta(hours=int(hours[i]) + float(to_judge[i])),
                        first_judge_at_precision="exact" if precise[i] else "day",
                        released_at=EPOCH + dt.timedelta(hours=int(hours[i]) + 24 * 90) if released[i] else None,
                        status="released" if released[i] else "pretrial",
                        apprehended_by_id=units[i % len(units)].pk,
                        notes=NOTE,
                    )
                    for i in range(count)
                ],
            )
            progress(f"custody episodes: {start + count:,} of {sizes.episodes:,}")
        episodes = _ids(CustodyEpisode, first_episode)
        placed = rng.choice(episodes, size=sizes.placements, replace=False)
        # Seven in ten prisoners are held in a prison of their home region, where there is one.
        by_region: dict[str, list[int]] = {}
        for pk, region in Place.objects.filter(pk__in=[int(p) for p in prisons]).values_list(
            "pk", "locality__region_code"
        ):
            by_region.setdefault(region, []).append(pk)
        home_region = dict(
            CustodyEpisode.objects.filter(pk__gt=first_episode).values_list("pk", "person__home_locality__region_code")
        )

        def prison_for(episode: int) -> int:
            near = by_region.get(home_region.get(episode, ""), [])
            return int(rng.choice(near)) if near and rng.random() < 0.7 else int(rng.choice(prisons))

        for start, count in _chunks(sizes.placements):
            _insert(
                Placement,
                [
                    Placement(
                        custody_id=int(e),
                        place_id=prison_for(int(e)),
                        started_on=(EPOCH + dt.timedelta(days=int(rng.integers(0, 5000)))).date(),
                        notes=NOTE,
                    )
                    for e in placed[start : start + count]
                ],
            )
        progress(f"placements: {sizes.placements:,}")
        for start, count in _chunks(sizes.measures):
            chosen = rng.choice(episodes, size=count)
            begin = rng.integers(0, 5000, size=count)
            length = rng.exponential(10, size=count).astype(int)
            kinds = rng.choice(["solitary", "punishment_cell", "cell_type", "visits"], size=count)
            _insert(
                RestrictiveMeasure,
                [
                    RestrictiveMeasure(
                        custody_id=int(chosen[i]),
                        kind=str(kinds[i]),
                        disciplinary=bool(rng.random() < 0.8),
                        started_on=(EPOCH + dt.timedelta(days=int(begin[i]))).date(),
                        ended_on=(EPOCH + dt.timedelta(days=int(begin[i] + length[i]))).date(),
                        place_id=int(rng.choice(places)),
                        notes=NOTE,
                    )
                    for i in range(count)
                ],
            )
            progress(f"restrictive measures: {start + count:,} of {sizes.measures:,}")
        first_allegation = _last(Allegation)
        for start, count in _chunks(sizes.allegations):
            victims = rng.choice(people, size=count)
            days = rng.integers(0, 5000, size=count)
            _insert(
                Allegation,
                [
                    Allegation(
                        victim_id=int(victims[i]),
                        happened_on=(EPOCH + dt.timedelta(days=int(days[i]))).date(),
                        place_id=int(rng.choice(places)),
                        summary="Synthetic allegation.",
                        notes=NOTE,
                    )
                    for i in range(count)
                ],
            )
            progress(f"allegations: {start + count:,} of {sizes.allegations:,}")
        allegations = list(Allegation.objects.filter(pk__gt=first_allegation).values_list("pk", "happened_on"))
        _insert(Perpetrator, [Perpetrator(allegation_id=a, organisation=units[a % len(units)]) for a, _ in allegations])
        complained = [(a, d) for a, d in allegations if rng.random() < 0.7]
        _insert(
            Complaint,
            [
                Complaint(
                    allegation_id=a,
                    lodged_on=d + dt.timedelta(days=int(rng.integers(0, 30))),
                    lodged_with=prosecutor,
                    outcome="dismissed",
                    notes=NOTE,
                )
                for a, d in complained
            ],
        )
        investigated = [(a, d) for a, d in allegations if rng.random() < 0.6]
        first_investigation = _last(Investigation)
        _insert(
            Investigation,
            [
                Investigation(
                    allegation_id=a,
                    kind="check",
                    subject="Synthetic investigation",
                    body=security if rng.random() < 0.3 else prosecutor,
                    opened_on=d + dt.timedelta(days=int(rng.exponential(10))),
                    outcome=str(rng.choice(["no_case", "open", "charges"], p=[0.7, 0.2, 0.1])),
                    notes=NOTE,
                )
                for a, d in investigated
            ],
        )
        investigations = _ids(Investigation, first_investigation)
        _insert(
            InvestigationStep,
            [
                InvestigationStep(investigation_id=int(i), kind="forensic", notes=NOTE)
                for i in investigations
                if rng.random() < 0.4
            ],
        )
        progress(f"complaints: {len(complained):,}; investigations: {len(investigations):,}")
        _insert(
            Notification,
            [
                Notification(
                    custody_id=int(e),
                    about="transfer",
                    occurred_on=(EPOCH + dt.timedelta(days=int(d))).date(),
                    informed_on=(EPOCH + dt.timedelta(days=int(d) + int(rng.exponential(3)))).date(),
                    notes=NOTE,
                )
                for e, d in zip(
                    rng.choice(episodes, size=sizes.notifications),
                    rng.integers(0, 5000, sizes.notifications),
                    strict=True,
                )
            ],
        )
        _insert(
            FamilyContact,
            [
                FamilyContact(
                    custody_id=int(e), kind="visit", times=1, every=int(n), every_unit="month", minutes=60, notes=NOTE
                )
                for e, n in zip(
                    rng.choice(episodes, size=sizes.contacts), rng.integers(1, 4, sizes.contacts), strict=True
                )
            ],
        )
        _insert(
            Reparation,
            [
                Reparation(
                    allegation_id=int(a),
                    kind="compensation",
                    ordered_on=d,
                    amount=int(rng.integers(1, 10)) * 100_000,
                    currency="KZT",
                    status=str(rng.choice(["unpaid", "paid"])),
                    notes=NOTE,
                )
                for a, d in (allegations[int(i)] for i in rng.integers(len(allegations), size=sizes.reparations))
            ],
        )
        _insert(
            Visit,
            [
                Visit(
                    body=monitor,
                    place_id=int(p),
                    visited_on=(EPOCH + dt.timedelta(days=int(d))).date(),
                    announced=bool(rng.random() < 0.5),
                    access_granted=bool(rng.random() < 0.9),
                    private_interviews=bool(rng.random() < 0.8),
                    notes=NOTE,
                )
                for p, d in zip(rng.choice(places, size=sizes.visits), rng.integers(0, 5000, sizes.visits), strict=True)
            ],
        )
        progress("notifications, family contacts, reparations and visits added")
        if team is not None:
            for model in OWNED:
                model._default_manager.filter(pk__gt=before[model]).update(team=team)
            progress(f"all of it given to team {team.name}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics of a million new rows, before anyone queries them
    return sizes
