"""End-to-end benchmark of record linkage (habeas.stats.linkage) against a plain Splink model, side by side.

Run ``.venv/bin/python -m bench.bench_linkage [--sides habeas,plain,spark] [N ...]`` from the repository root
(default N: 100000, sides: habeas and plain). Each size and side runs in a fresh process, so that peak memory is
that run's alone, on the same lists (the synthetic Kazakh/Russian generator, same seed). For each it prints the
seconds from the records to the clusters (generating the lists is not counted) with the processor seconds
of the process over the same span (less sensitive to other work on the machine), the peak resident memory
of the process (``resource.getrusage``, which includes the lists themselves) and the accuracy against the
generator's truth.

Sides:

* ``habeas``: ``link`` on DuckDB (normalise across scripts, train, predict, cluster with the split, capture
  histories).
* ``plain``: the model a Splink user writes from Splink's own tutorial, without this project's knowledge of
  names: names lower-cased, dates of birth read into ISO dates where they parse, Splink's ``NameComparison``
  for the three names, ``DateOfBirthComparison``, exact sex and region, national id within one edit; blocking
  on first name and surname, surname and date of birth, first name and date of birth, national id; the prior
  from a deterministic rule, u by random sampling (the same number of pairs as the habeas side), m by EM on
  two rules, predictions above 0.5 and Splink's connected components at 0.9.
* ``spark``: ``link`` on Spark, ``local[2]``, the driver given 8 GB (needs Java and ``pyspark``); the processor
  seconds and peak memory of its Java process are printed apart (``jvm_cpu``, ``jvm_peak``).
"""

from __future__ import annotations

import logging
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from habeas.stats.linkage import LinkageConfig, evaluate_clusters, link
from habeas.stats.linkage.synthetic import generate_lists

MAX_PAIRS = 5e6
SPARK_DRIVER_MEMORY = "8g"
SIDES = ("habeas", "plain", "spark")


def _iso_dates(values: pd.Series) -> pd.Series:
    """Dates of birth as ISO strings where they read as a full date (day first, or ISO), else missing."""
    text = values.astype("string")
    dotted = pd.to_datetime(text, format="%d.%m.%Y", errors="coerce")
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    return dotted.fillna(iso).dt.strftime("%Y-%m-%d").astype(object).where(dotted.notna() | iso.notna(), None)


def plain_splink(records: pd.DataFrame, seed: int) -> np.ndarray:
    """Cluster ids per record (input order) from the plain Splink model described in the module docstring."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    frame = pd.DataFrame({"unique_id": np.arange(len(records), dtype=np.int64)})
    for column in ("first_name", "surname", "patronymic", "sex", "region"):
        frame[column] = records[column].astype("string").str.strip().str.lower().astype(object)
    frame["dob"] = _iso_dates(records["dob"])
    frame["national_id"] = records["national_id"].astype(object)
    frame = frame.where(frame.notna(), None)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.NameComparison("patronymic"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("region"),
            cl.LevenshteinAtThresholds("national_id", 1),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("national_id"),
        ],
    )
    linker = Linker(DuckDBAPI().register(frame), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=MAX_PAIRS, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.9)
    out = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]].sort_values("unique_id")
    return pd.factorize(out["cluster_id"])[0]


def _cpu_seconds() -> float:
    """Processor seconds of this process, all its threads (DuckDB's and Spark's driver), user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _jvm_usage() -> tuple[float, float]:
    """Processor seconds and peak resident memory (GB) of the Spark driver's Java process, from /proc."""
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    assert session is not None
    pid = session.sparkContext._gateway.proc.pid  # type: ignore[union-attr]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return cpu, peak_kb / 1024**2


def run_one(n_records: int, side: str, seed: int = 2011) -> None:
    start = time.perf_counter()
    lists = generate_lists(n_records, seed=seed)
    generated = time.perf_counter() - start
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    if side == "plain":
        clusters = plain_splink(lists.records, seed)
        extra = ""
    else:
        config = LinkageConfig(u_max_pairs=MAX_PAIRS, em_max_pairs=MAX_PAIRS)
        backend = "spark" if side == "spark" else "duckdb"
        if side == "spark":  # the driver holds the scored pairs on their way to pandas
            os.environ.setdefault("PYSPARK_SUBMIT_ARGS", f"--driver-memory {SPARK_DRIVER_MEMORY} pyspark-shell")
        result = link(lists.records, config=config, seed=seed, backend=backend)
        clusters = result.clusters["cluster_id"].to_numpy()
        summary = result.summary
        extra = f" pairs={summary.pairs_scored:,} split={summary.split_clusters:,} review={summary.review_queue:,}"
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    if side == "spark":
        jvm_cpu, jvm_peak = _jvm_usage()
        extra += f" jvm_cpu={jvm_cpu:.1f}s jvm_peak={jvm_peak:.2f}GB"
    metrics = evaluate_clusters(clusters, lists.records["person_id"].to_numpy())
    print(
        f"side={side:<6} records={n_records:>9,} people={lists.people:>8,} generate={generated:6.1f}s "
        f"link={seconds:7.1f}s cpu={cpu:7.1f}s peak={peak_gb:5.2f}GB{extra}"
    )
    print(
        f"    pairwise P={metrics.pairwise_precision:.4f} R={metrics.pairwise_recall:.4f} "
        f"F1={metrics.pairwise_f1:.4f}  clusters P={metrics.cluster_precision:.4f} R={metrics.cluster_recall:.4f}  "
        f"people found={metrics.found_people:,} true={metrics.true_people:,}",
        flush=True,
    )


def main(argv: list[str]) -> None:
    if len(argv) == 3 and argv[0] == "--one":
        run_one(int(argv[1]), argv[2])
        return
    sides = ["habeas", "plain"]
    if argv[:1] == ["--sides"]:
        sides = argv[1].split(",")
        argv = argv[2:]
    unknown = set(sides) - set(SIDES)
    if unknown:
        raise SystemExit(f"unknown side(s) {', '.join(sorted(unknown))}: choose among {', '.join(SIDES)}")
    for size in argv or ["100000"]:
        for side in sides:
            subprocess.run([sys.executable, "-m", "bench.bench_linkage", "--one", size, side], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
