"""End-to-end benchmark of record linkage (habeas.stats.linkage) on the synthetic Kazakh/Russian lists.

Run ``.venv/bin/python -m bench.bench_linkage [N ...]`` from the repository root (default N: 100000).
Each size is run in a fresh process, so that peak memory is that run's alone. For each it prints the
seconds to generate the lists (not counted), the seconds of ``link`` (normalise, train, predict, cluster,
capture histories), the peak resident memory of the process (``resource.getrusage``) and the accuracy
against the generator's truth. Targets on 2 cores: 100,000 records under 30 s; 1,000,000 under 4 minutes
and 6 GB.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time

from habeas.stats.linkage import LinkageConfig, evaluate_clusters, link
from habeas.stats.linkage.synthetic import generate_lists


def run_one(n_records: int, seed: int = 2011) -> None:
    start = time.perf_counter()
    lists = generate_lists(n_records, seed=seed)
    generated = time.perf_counter() - start
    config = LinkageConfig(u_max_pairs=5e6, em_max_pairs=5e6)
    start = time.perf_counter()
    result = link(lists.records, config=config, seed=seed)
    seconds = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    metrics = evaluate_clusters(result.clusters["cluster_id"].to_numpy(), lists.records["person_id"].to_numpy())
    summary = result.summary
    print(
        f"records={n_records:>9,} people={lists.people:>8,} generate={generated:6.1f}s link={seconds:7.1f}s "
        f"peak={peak_gb:5.2f}GB pairs={summary.pairs_scored:,} split={summary.split_clusters:,} "
        f"review={summary.review_queue:,}"
    )
    print(
        f"    pairwise P={metrics.pairwise_precision:.4f} R={metrics.pairwise_recall:.4f} "
        f"F1={metrics.pairwise_f1:.4f}  clusters P={metrics.cluster_precision:.4f} R={metrics.cluster_recall:.4f}  "
        f"people found={metrics.found_people:,} true={metrics.true_people:,}",
        flush=True,
    )


def main(argv: list[str]) -> None:
    if len(argv) == 2 and argv[0] == "--one":
        run_one(int(argv[1]))
        return
    for size in argv or ["100000"]:
        subprocess.run([sys.executable, "-m", "bench.bench_linkage", "--one", size], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
