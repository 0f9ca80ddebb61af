"""Time the sparse-data stepwise bootstrap (SparseMSE's ``estimatepopulation``) on the 8-list tables.

Run: ``.venv/bin/python bench/bench_sparse_bootstrap.py``. Each run is 1,000 resamples, the stepwise selection re-run
on every one, plus the jackknife for BCa's acceleration (one more selection per observed pattern), with 1 and with
2 worker processes; BLAS is held to one thread per process. The replicates of the two runs must be bit-identical.
SparseMSE takes about 600 s for this on one core.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import time  # noqa: E402
from pathlib import Path  # noqa: E402

from habeas.stats.estimation.sparse import sparse_bootstrap  # noqa: E402
from habeas.stats.estimation.table import CaptureTable  # noqa: E402

DATA = Path("/work/shared/data/mse")
DATASETS = ("new_orleans", "synth8_100k")
RESAMPLES = 1000
WORKERS = (1, 2)


def main() -> None:
    print(f"{'dataset':<14}{'workers':>8}{'seconds':>9}{'estimate':>12}  95% BCa interval; model")
    for name in DATASETS:
        table = CaptureTable.from_csv(DATA / f"{name}.csv")
        runs = []
        for workers in WORKERS:
            start = time.perf_counter()
            boot = sparse_bootstrap(table, resamples=RESAMPLES, workers=workers)
            elapsed = time.perf_counter() - start
            runs.append(boot)
            interval = "undefined" if boot.bca is None else f"{boot.bca.lower:,.0f} to {boot.bca.upper:,.0f}"
            print(f"{name:<14}{workers:>8}{elapsed:>9.2f}{boot.fit.estimate:>12,.1f}  {interval}; {boot.fit.formula}")
        identical = all(run.replicates == runs[0].replicates for run in runs[1:])
        print(f"{'':<14}replicates identical across worker counts: {identical}")


if __name__ == "__main__":
    main()
