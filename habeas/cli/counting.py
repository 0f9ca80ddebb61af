"""`habeas estimate`: multiple systems estimation from a capture-history file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _spread(values: list[float]) -> dict[str, Any]:
    low, high = min(values), max(values)
    return {"lowest": low, "highest": high, "ratio": high / low if low > 0 else None}


def cmd_estimate(args: argparse.Namespace) -> int:
    import warnings

    from habeas.stats.estimation.lcmcr import LcmcrWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LcmcrWarning)  # the results carry them, and they are printed below
        return _estimate_strata(args) if args.strata else _estimate(args)


def _estimate(args: argparse.Namespace) -> int:
    from habeas.core.errors import CommandError
    from habeas.stats.estimation import CaptureTable, estimate
    from habeas.stats.estimation.run import REFUSALS

    table = CaptureTable.from_csv(args.file)
    try:
        results = estimate(
            table,
            method=args.method,
            model=args.model,
            seed=args.seed,
            chains=args.chains,
            burn_in=args.burn_in,
            samples=args.samples,
            thin=args.thin,
        )
    except REFUSALS as exc:  # one method, which cannot use this table
        raise CommandError(f"{args.file}: {exc}") from None
    numbers = [r.estimate for r in results if r.estimate is not None]
    if args.format == "json":
        if args.method == "all":
            payload: Any = {
                "estimates": [r.as_dict() for r in results],
                "disagreement": _spread(numbers) if numbers else None,
            }
        else:
            payload = results[0].as_dict()
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
        return 0
    print(
        f"{table.observed:,} people observed on {table.k} list{'s' if table.k != 1 else ''} ({', '.join(table.lists)})"
    )
    for r in results:
        if r.estimate is None:  # never a number: the reason instead
            label = "not run" if r.diagnostics.get("refused") else "no finite estimate"
            reasons = r.warnings or ("no reason given",)
            print(f"  {r.method:10s} {'none':>10s}  {label}: {reasons[0]}")
            for reason in reasons[1:]:
                print(f"  {'':10s} {'':10s}  {reason}")
            continue
        interval = f"{r.ci95[0]:,.0f} to {r.ci95[1]:,.0f}" if r.ci95 else "no interval"
        print(f"  {r.method:10s} {r.estimate:>10,.0f}  (95% interval {interval})  model: {r.model}")
        for warning in r.warnings:
            print(f"  {'':10s} warning: {warning}")
    if not numbers:
        print("No method gave a finite estimate." if len(results) > 1 else "No number is given.")
    elif len(numbers) > 1:
        spread = _spread(numbers)
        print(
            f"The methods disagree: from {spread['lowest']:,.0f} to {spread['highest']:,.0f}"
            + (f" (the highest is {spread['ratio']:.2f} times the lowest)." if spread["ratio"] else ".")
        )
    return 0


def _interval(ci95: Any) -> str:
    return f"{ci95[0]:,.0f} to {ci95[1]:,.0f}" if ci95 else "no interval"


def _estimate_strata(args: argparse.Namespace) -> int:
    from habeas.stats.estimation import EstimateError
    from habeas.stats.estimation.strata import estimate_strata, read_strata
    from habeas.stats.estimation.table import read_utf8

    if args.method == "all":
        raise EstimateError("--strata takes one method at a time: choose loglinear, sparse, dga or lcmcr")
    try:
        tables = read_strata(args.file, args.strata)
    except UnicodeDecodeError:
        read_utf8(Path(args.file))  # raises the error naming the row, column and byte that are not UTF-8
        raise
    result = estimate_strata(
        tables,
        method=args.method,
        seed=args.seed,
        model=args.model,
        chains=args.chains,
        burn_in=args.burn_in,
        samples=args.samples,
        thin=args.thin,
    )
    if args.format == "json":
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
        return 0
    lists = next(iter(tables.values())).lists
    print(
        f"{result.observed:,} people observed on {len(lists)} lists ({', '.join(lists)}), "
        f"in {len(tables)} strata by '{args.strata}'; method {result.method}, seed {result.provenance['seed']}"
    )
    width = max(len("unstratified"), *(len(name) for name in tables))
    print(f"  {'stratum':{width}s} {'observed':>10s} {'estimate':>10s}  95% interval")
    for name, r in result.strata.items():
        if r.estimate is None:
            print(f"  {name:{width}s} {r.observed:>10,} {'none':>10s}  no finite estimate — {'; '.join(r.warnings)}")
            continue
        print(f"  {name:{width}s} {r.observed:>10,} {r.estimate:>10,.0f}  {_interval(r.ci95)}  model: {r.model}")
    total = "none" if result.total is None else f"{result.total:,.0f}"
    print(f"  {'total':{width}s} {result.observed:>10,} {total:>10s}  {_interval(result.ci95)}  ({result.interval})")
    pooled = result.pooled
    if pooled.estimate is None:
        print(f"  {'unstratified':{width}s} {pooled.observed:>10,} {'none':>10s}  no finite estimate")
    else:
        print(
            f"  {'unstratified':{width}s} {pooled.observed:>10,} {pooled.estimate:>10,.0f}  "
            f"{_interval(pooled.ci95)}  model: {pooled.model}"
        )
    if result.difference is not None:
        print(f"The stratified total less the unstratified estimate: {result.difference:+,.0f}.")
    for warning in result.warnings:
        print(f"warning: {warning}")
    return 0


def _read_lists(paths: list[str]) -> Any:
    """One table of records from CSV or Parquet files: one file with a ``source`` column, or one file per
    source (named after the file). A CSV file may be UTF-8, UTF-16, Windows-1251 or KOI8-R (detected, as
    ``habeas lists import`` does); a file mixing encodings is refused with the rows that differ."""
    import io

    import pandas as pd

    from habeas.counting.reading import ReadError, decode
    from habeas.stats.linkage import LinkageError

    frames = []
    for name in paths:
        path = Path(name)
        try:
            if path.suffix.lower() == ".parquet":
                frame = pd.read_parquet(path)
            else:
                text, _ = decode(path.read_bytes())
                frame = pd.read_csv(io.StringIO(text), dtype=str)
        except FileNotFoundError:
            raise LinkageError(f"{path}: no such file") from None
        except ReadError as exc:
            raise LinkageError(f"{path}: {exc}") from None
        except (ValueError, OSError) as exc:
            raise LinkageError(f"{path}: cannot be read ({exc})") from None
        if "source" not in frame.columns:
            if len(paths) == 1:
                raise LinkageError(f"{path}: no 'source' column; give one file per source, or add the column")
            frame["source"] = path.stem
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def cmd_link(args: argparse.Namespace) -> int:
    from habeas.core.errors import CommandError
    from habeas.stats.linkage import LinkageError

    try:
        return _link(args)
    except LinkageError as exc:
        raise CommandError(str(exc)) from None


def _link(args: argparse.Namespace) -> int:
    import dataclasses

    import yaml

    from habeas.stats.linkage import LinkageConfig, LinkageError, link

    config = None
    if args.config:
        try:
            settings = yaml.safe_load(Path(args.config).read_text(encoding="utf-8")) or {}
            known = {f.name for f in dataclasses.fields(LinkageConfig)}
            unknown = sorted(set(settings) - known)
            if unknown:
                raise LinkageError(
                    f"{args.config}: unknown setting {unknown[0]!r}; settings: {', '.join(sorted(known))}"
                )
            values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in settings.items()}
            config = LinkageConfig(**values)
        except (OSError, yaml.YAMLError) as exc:
            raise LinkageError(f"{args.config}: cannot be read ({exc})") from None
    if args.backend == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError:
            message = "--backend spark needs pyspark: pip install 'habeas[spark]' (and a Java runtime)"
            raise LinkageError(message) from None
    result = link(_read_lists(args.files), config=config, seed=args.seed, backend=args.backend)
    clusters = result.clusters[["record_id", "cluster_id"]]
    if args.out:
        clusters.to_csv(args.out, index=False)
    summary = dataclasses.asdict(result.summary)
    if args.format == "json":
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
    else:
        if not args.out:
            clusters.to_csv(sys.stdout, index=False)
        print(
            f"{summary['records']:,} records, {summary['people']:,} people; {summary['links']:,} links; "
            f"{summary['review_queue']:,} pairs sent to review.",
            file=sys.stderr,
        )
    return 0


def add_commands(sub: Any) -> None:
    est = sub.add_parser("estimate", help="estimate how many people no list recorded (multiple systems estimation)")
    est.add_argument(
        "file", help="capture-history CSV: a 0/1 column per list and a 'count' column (or one row a person)"
    )
    est.add_argument("--method", default="loglinear", choices=["loglinear", "sparse", "dga", "lcmcr", "all"])
    est.add_argument("--model", help="a log-linear model, e.g. '[123,14,34]' or 'Mth Chao' (default: BIC-best)")
    est.add_argument("--seed", type=int)
    est.add_argument("--chains", type=int, default=4)
    est.add_argument("--burn-in", type=int, default=10_000)
    est.add_argument("--samples", type=int, default=1_000)
    est.add_argument("--thin", type=int, default=100)
    est.add_argument(
        "--strata",
        metavar="COLUMN",
        help="estimate each value of this column on its own and add them up, beside the unstratified estimate",
    )
    est.add_argument("--format", choices=["table", "json"], default="table")
    est.set_defaults(func=cmd_estimate)

    lnk = sub.add_parser("link", help="find the people who appear on several lists (record linkage)")
    lnk.add_argument("files", nargs="+", help="CSV or Parquet lists: one with a 'source' column, or one per source")
    lnk.add_argument("--config", help="a YAML file of linkage settings (thresholds, review band, extra columns)")
    lnk.add_argument("--out", help="write record_id,cluster_id to this CSV file")
    lnk.add_argument("--seed", type=int, default=0)
    lnk.add_argument(
        "--backend",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="where Splink computes: DuckDB on this machine (default), or Spark (pip install 'habeas[spark]' and "
        "Java; the session spark-submit provides, else a local[2] one)",
    )
    lnk.add_argument("--format", choices=["table", "json"], default="table")
    lnk.set_defaults(func=cmd_link)
