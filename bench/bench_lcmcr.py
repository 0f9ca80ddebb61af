"""Speed of the latent-class Gibbs sampler (habeas.stats.estimation.lcmcr) on one core.

Run ``.venv/bin/python bench/bench_lcmcr.py`` from the repository root. For each dataset it times one chain
(K = 10, LCMCR's defaults) after a warm-up call that loads or compiles the numba kernel and prints Gibbs
iterations per second once the chain has settled: chains start from a single latent class, and the first
iterations, with few classes in use, are faster than the rest. So the same chain (same seed, hence the same
path) is run for a short and a long time, best of three each, and the rate is the extra iterations over the
extra time. Then it prints the wall time of a default estimate (4 chains of 1e4 burn-in + 1000
draws thinned by 100) run on one core. The reference C++ sampler of the R package LCMCR does about
85,000-93,000 iterations/s on kosovo and 8,800-10,000 on synth8_100k. The machine's load average is printed
first: other work on the same cores slows every figure down.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from habeas.stats.estimation.lcmcr import LcmcrWarning, lcmcr_estimate
from habeas.stats.estimation.table import CaptureTable

DATA = Path("/work/shared/data/mse")
CASES = [("kosovo", 20_000, 220_000), ("hiv_rome", 20_000, 220_000), ("synth8_100k", 10_000, 40_000)]


def seconds(table: CaptureTable, iterations: int, runs: int = 3) -> float:
    """Best wall time of one chain of ``iterations`` Gibbs iterations."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        lcmcr_estimate(table, seed=1, chains=1, burn_in=iterations - 4, samples=4, thin=1)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    warnings.simplefilter("ignore", LcmcrWarning)
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    for name, short, long in CASES:
        table = CaptureTable.from_csv(DATA / f"{name}.csv")
        start = time.perf_counter()
        lcmcr_estimate(table, seed=0, chains=1, burn_in=10, samples=4, thin=1)
        warm_up = time.perf_counter() - start
        rate = (long - short) / (seconds(table, long) - seconds(table, short))
        start = time.perf_counter()
        lcmcr_estimate(table, seed=0)
        default = time.perf_counter() - start
        print(
            f"{name:>12}: K={table.k}, {table.patterns.shape[0]} patterns: {rate:>9,.0f} iterations/s; "
            f"default run (4 x 110,000 iterations) {default:.1f} s on one core; warm-up {warm_up:.2f} s"
        )


if __name__ == "__main__":
    main()
