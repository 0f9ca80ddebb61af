"""Time the exhaustive search over every hierarchical log-linear model of the 5-list datasets.

Run: ``.venv/bin/python bench/bench_loglinear_search.py``. BLAS is held to one thread, so the figures are
for one core; each dataset is searched ``REPEATS`` times and the fastest run is reported.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import time  # noqa: E402
from pathlib import Path  # noqa: E402

from habeas.stats.estimation.loglinear import search_models  # noqa: E402
from habeas.stats.estimation.table import CaptureTable  # noqa: E402

DATA = Path("/work/shared/data/mse")
DATASETS = ("uk2013_5", "netherlands_5", "new_orleans_5", "us_western", "my_5list")
REPEATS = 3


def main() -> None:
    print(f"{'dataset':<16}{'models':>8}{'ranked':>8}{'seconds':>9}  BIC-best model")
    for name in DATASETS:
        table = CaptureTable.from_csv(DATA / f"{name}.csv")
        timings = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            search = search_models(table)
            timings.append(time.perf_counter() - start)
        best = search.best("BIC")
        label = "none" if best is None else f"{best.model.name}  N = {best.abundance:,.1f}"
        print(f"{name:<16}{len(search.fits):>8}{len(search.ranked()):>8}{min(timings):>9.2f}  {label}")


if __name__ == "__main__":
    main()
