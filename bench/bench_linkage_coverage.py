"""Coverage of 95% intervals when the linkage that made the capture table was uncertain.

Each replicate draws a capture table from a population of known size, links its records with errors as a model
with calibrated match probabilities would (``habeas.stats.estimation.linkage_uncertainty.noisy_linkage``), and
estimates N twice from the linked records: once from the run's one clustering (today's estimate), once over
``--draws`` clusterings drawn from the uncertain pairs (``estimate_over_linkage``). It reports, per scenario and
method, how often each interval covers the true N, the median width and the median relative error.

Run: ``.venv/bin/python bench/bench_linkage_coverage.py [--reps 100] [--draws 20] [--seed 1]``. Progress goes to
stderr, the table (Markdown) to stdout.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from habeas.stats.estimation.linkage_uncertainty import estimate_over_linkage  # noqa: E402
from habeas.stats.estimation.simulate import Population, dependent, independent  # noqa: E402
from habeas.stats.linkage.noisy import noisy_linkage  # noqa: E402

SCENARIOS: tuple[tuple[str, Population, float], ...] = (
    ("3 independent lists, N = 1,000, 30 % of true pairs hard", independent(1000, [0.3, 0.25, 0.2]), 0.3),
    (
        "4 lists, lists 1 and 2 dependent (odds ratio 2), N = 2,000, 50 % of true pairs hard",
        dependent(2000, [0.2, 0.2, 0.15, 0.25], {(1, 2): 2.0}),
        0.5,
    ),
)
METHODS = ("loglinear", "dga")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = []
    for number, (title, population, hard) in enumerate(SCENARIOS):
        tallies: dict[tuple[str, str], list[tuple[bool, float, float]]] = {}
        for rep in range(args.reps):
            rng = np.random.default_rng([args.seed, number, rep])
            table = population.draw(rng)
            linked = noisy_linkage(table, rng, hard=hard)
            for method in METHODS:
                combined, spread = estimate_over_linkage(
                    linked.labels, linked.lists, table.lists, linked.pairs,
                    method=method, draws=args.draws, seed=rep,
                )  # fmt: skip
                fixed = (spread.fixed_estimate, spread.fixed_ci95) if spread else (combined.estimate, combined.ci95)
                over = (combined.estimate, combined.ci95)
                for kind, (point, ci) in (("one clustering", fixed), ("over the linkage", over)):
                    if point is None or ci is None:
                        continue
                    truth = population.size
                    tallies.setdefault((method, kind), []).append(
                        (ci[0] <= truth <= ci[1], ci[1] - ci[0], abs(point - truth) / truth)
                    )
            print(f"{title[:40]}… replicate {rep + 1}/{args.reps}", file=sys.stderr)
        for (method, kind), values in tallies.items():
            cover, width, error = zip(*values, strict=True)
            rows.append(
                f"| {title} | {method} | {kind} | {len(values)} | {np.mean(cover):.1%} | "
                f"{np.median(width):,.0f} | {np.median(error):.1%} |"
            )
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"{args.reps} replicates, {args.draws} clusterings each, seed {args.seed}; "
        f"{time.perf_counter() - started:,.0f} s.\n"
    )
    print("| scenario | method | interval | replicates | coverage | median width | median error |")
    print("|---|---|---|---:|---:|---:|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
