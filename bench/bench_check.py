"""Benchmark of `habeas check` on a synthetic national-scale database.

Usage (the database must hold `habeas synth --scale N` data):

    DATABASE_URL=sqlite:////path/synth.sqlite3 HABEAS_SECRET_KEY=... .venv/bin/python bench/bench_check.py

It times (1) a full check from scratch (no stored findings), (2) a second full check with nothing changed,
(3) a full check where every stored finding has changed — as the first check after an upgrade that
words findings anew — and (4) re-checking one edited record — a restrictive measure whose end date
moves — 20 times, reporting the median and the worst.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habeas.config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from habeas.custody.models import CustodyEpisode, RestrictiveMeasure  # noqa: E402
from habeas.standards.models import Finding  # noqa: E402
from habeas.standards.services import findings_evaluate  # noqa: E402

PROFILE = "kz"
NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def timed(label: str, action):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    print(f"{label}: {seconds:.2f} s", flush=True)
    return result, seconds


def main() -> None:
    print(
        f"database: {connection.vendor}; custody episodes: {CustodyEpisode.objects.count():,}; "
        f"restrictive measures: {RestrictiveMeasure.objects.count():,}"
    )
    Finding.objects.all().delete()
    evaluation, _ = timed("full check, no stored findings", lambda: findings_evaluate(profile_name=PROFILE, now=NOW))
    print(f"  findings: {evaluation.found:,}")
    again, _ = timed("full check again, nothing changed", lambda: findings_evaluate(profile_name=PROFILE, now=NOW))
    print(f"  created {again.created}, changed {again.changed}, retired {again.retired}")
    Finding.objects.update(fingerprint="")
    anew, _ = timed("full check, every finding changed", lambda: findings_evaluate(profile_name=PROFILE, now=NOW))
    print(f"  created {anew.created}, changed {anew.changed}, retired {anew.retired}")
    measure = RestrictiveMeasure.objects.filter(kind="solitary", ended_on__isnull=False).order_by("pk").first()
    assert measure is not None and measure.ended_on is not None
    times = []
    for i in range(20):
        measure.ended_on = measure.ended_on + dt.timedelta(days=1 if i % 2 == 0 else -1)
        measure.save(update_fields=["ended_on"])
        start = time.perf_counter()
        findings_evaluate(profile_name=PROFILE, now=NOW, records={"measure": {measure.pk}})
        times.append(time.perf_counter() - start)
    print(
        f"re-check one edited record: median {statistics.median(times) * 1000:.1f} ms, "
        f"worst {max(times) * 1000:.1f} ms (20 edits)"
    )


if __name__ == "__main__":
    main()
