"""Wall-clock timings of the decomposable-graph estimator (habeas.stats.estimation.dga).

Run ``.venv/bin/python -m bench.bench_dga`` from the repository root. The graph enumeration is timed on its
first (uncached) call; each estimate is the best of three runs, default grid unless one is given.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from habeas.stats.estimation.dga import decomposable_graphs, dga_estimate
from habeas.stats.estimation.table import CaptureTable

DATA = Path("/work/shared/data/mse")


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    for k in (3, 4, 5):
        seconds = best_of(1, partial(decomposable_graphs, k))
        print(f"enumerate the decomposable graphs on {k} lists: {seconds:.3f} s")
    cases: list[tuple[str, NDArray[np.int64] | None]] = [
        ("kosovo", None),
        ("artificial3", None),
        ("my_5list", np.arange(150_001)),
        ("netherlands_5", None),
    ]
    for name, nmissing in cases:
        table = CaptureTable.from_csv(DATA / f"{name}.csv")
        result = dga_estimate(table, nmissing=nmissing)
        seconds = best_of(3, partial(dga_estimate, table, nmissing=nmissing))
        grid = f"0..{int(result.nmissing[-1]):,}"
        print(f"{name:>14}: K={table.k}, {len(result.graphs)} graphs, grid {grid}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
