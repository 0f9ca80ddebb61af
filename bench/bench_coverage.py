"""Coverage of the 95% intervals of every estimation method, on data drawn from populations of known size.

Run: ``.venv/bin/python bench/bench_coverage.py --workers 2`` (the full study: 200 replicates of each scenario and
method) or ``--quick`` (5 replicates, to check that it runs). ``--reps N`` sets the replicates, ``--lcmcr-reps N``
those of LCMCR alone, ``--json PATH`` keeps every replicate. Progress goes to stderr, the results table (Markdown)
to stdout.

The scenarios (``habeas.stats.estimation.simulate.scenarios``): independent lists (3 and 5 lists, N = 1,000 and
5,000, capture probabilities 0.1 to 0.4), a positive and a negative dependence between two of 4 lists, two latent
classes on 4 and 5 lists, and two strata with very different capture probabilities (scored as the stratified total
of ``estimate_strata`` and as the pooled estimate). Every method is run through ``estimate``, as a user would:
log-linear with the BIC-best hierarchical model and its profile interval, the sparse stepwise method with its BCa
bootstrap (1,000 resamples), DGA, and LCMCR with short chains (2 chains x (3,000 burn-in + 500 draws thinned by 10),
against 4 x (10,000 + 1,000 x 100) by default) so that the study fits in its time; ``--lcmcr-default-chains``
runs the defaults instead. Every method sees the same
tables; the run is reproducible from ``--seed``.

Each worker process is pinned to one CPU and BLAS to one thread, so the sparse bootstrap runs in the worker.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from habeas.stats.estimation.simulate import (  # noqa: E402
    Coverage,
    Replicate,
    Scenario,
    run_replicate,
    scenarios,
    summarise,
)

METHODS = ("loglinear", "sparse", "dga", "lcmcr")
LCMCR = {"chains": 2, "burn_in": 3_000, "samples": 500, "thin": 10}
OPTIONS: dict[str, dict[str, Any]] = {"lcmcr": LCMCR}
DGA_MAX_LISTS = 5

_SCENARIOS: dict[str, Scenario] = {}


def _start(counter: Any) -> None:
    """Pin this worker to one CPU, so that nothing inside it starts processes of its own."""
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if cpus:
        os.sched_setaffinity(0, {cpus[index % len(cpus)]})
    _SCENARIOS.update({s.name: s for s in scenarios()})


def _job(job: tuple[str, str, int, int, dict[str, Any]]) -> list[Replicate]:
    name, method, rep, seed, options = job
    if not _SCENARIOS:
        _SCENARIOS.update({s.name: s for s in scenarios()})
    return run_replicate(_SCENARIOS[name], method, rep, seed=seed, options=options)


def jobs(
    chosen: Iterable[Scenario],
    methods: Iterable[str],
    reps: int,
    lcmcr_reps: int,
    seed: int,
    options: dict[str, dict[str, Any]] | None = None,
) -> list[Any]:
    """Every (scenario, method, replicate), replicate by replicate so that an interrupted run is balanced."""
    options = OPTIONS if options is None else options
    out = []
    chosen, methods = list(chosen), list(methods)
    for rep in range(max(reps, lcmcr_reps)):
        for scenario in chosen:
            for method in methods:
                if method == "dga" and scenario.k > DGA_MAX_LISTS:
                    continue
                if rep < (lcmcr_reps if method == "lcmcr" else reps):
                    out.append((scenario.name, method, rep, seed, options.get(method, {})))
    return out


def _percent(value: float) -> str:
    return "—" if math.isnan(value) else f"{100 * value:.1f}%"


def table(results: list[Coverage], titles: dict[str, str]) -> str:
    lines = [
        "| scenario | method | reps | coverage (± MC s.e.) | median relative bias | median width / N | "
        "no finite estimate | seconds per run |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in results:
        cover = "—" if math.isnan(c.coverage) else f"{100 * c.coverage:.1f}% ± {100 * c.coverage_se:.1f}"
        bias = "—" if math.isnan(c.median_bias) else f"{100 * c.median_bias:+.1f}%"
        per_run = f"{c.seconds / c.reps:.2f}" if c.variant != "pooled" else "(in the above)"
        lines.append(
            f"| {titles[c.scenario]} | {c.label} | {c.reps} | {cover} | {bias} | {_percent(c.median_width)} | "
            f"{_percent(c.no_estimate)} | {per_run} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 replicates of everything: a check that it runs")
    parser.add_argument("--reps", type=int, default=200, help="replicates per scenario and method (default 200)")
    parser.add_argument("--lcmcr-reps", type=int, help="replicates for LCMCR (default: --reps)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--seed", type=int, default=20_240_501)
    parser.add_argument("--scenarios", nargs="*", help="only these scenarios (by name)")
    parser.add_argument("--methods", nargs="*", choices=METHODS, default=list(METHODS))
    parser.add_argument(
        "--lcmcr-default-chains",
        action="store_true",
        help="run LCMCR with estimate's default chains (4 x (10,000 + 1,000 x 100)) instead of the short ones",
    )
    parser.add_argument("--json", help="write every replicate to this JSON file")
    args = parser.parse_args(argv)
    reps = 5 if args.quick else args.reps
    lcmcr_reps = reps if args.lcmcr_reps is None or args.quick else args.lcmcr_reps
    chosen = [s for s in scenarios() if not args.scenarios or s.name in args.scenarios]
    options = {**OPTIONS, "lcmcr": {}} if args.lcmcr_default_chains else OPTIONS
    todo = jobs(chosen, args.methods, reps, lcmcr_reps, args.seed, options)
    print(
        f"{len(todo)} runs: {len(chosen)} scenarios x {len(args.methods)} methods, {reps} replicates "
        f"({lcmcr_reps} for lcmcr), {args.workers} workers, seed {args.seed}",
        file=sys.stderr,
    )
    start = time.perf_counter()
    done: list[Replicate] = []
    context = multiprocessing.get_context("spawn")
    counter = context.Value("i", 0)
    with context.Pool(args.workers, initializer=_start, initargs=(counter,)) as pool:
        for i, result in enumerate(pool.imap_unordered(_job, todo), start=1):
            done.extend(result)
            if i % 20 == 0 or i == len(todo):
                elapsed = time.perf_counter() - start
                left = elapsed / i * (len(todo) - i)
                print(f"  {i}/{len(todo)} runs, {elapsed:,.0f} s, about {left:,.0f} s left", file=sys.stderr)
    elapsed = time.perf_counter() - start
    order = {(s.name, m): i for i, (s, m) in enumerate((s, m) for s in chosen for m in args.methods)}
    done.sort(key=lambda r: (order[r.scenario, r.method], r.variant != "stratified", r.rep))
    results = summarise(done)
    titles = {s.name: s.title for s in chosen}
    print(table(results, titles))
    print(
        f"\n{len(todo)} runs in {elapsed:,.0f} s with {args.workers} workers; Python {platform.python_version()}, "
        f"{platform.platform()}; seed {args.seed}; LCMCR {options['lcmcr'] or 'default chains'}."
    )
    if args.json:
        Path(args.json).write_text(json.dumps([dataclasses.asdict(r) for r in done]), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
