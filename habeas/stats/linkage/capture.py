"""Capture histories: which source lists each linked person appears on, for multiple systems estimation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd

from habeas.stats.estimation.table import CaptureTable
from habeas.stats.linkage.config import LinkageError

RESERVED_COLUMNS: Final = ("cluster_id", "n_records")


def capture_histories(
    clusters: pd.DataFrame, records: pd.DataFrame | None = None, strata: Sequence[str] = ()
) -> pd.DataFrame:
    """One row per cluster (person): ``cluster_id``, ``n_records``, a 0/1 column per source list (sorted
    by name) and one column per stratum.

    ``clusters`` has ``record_id``, ``source`` and ``cluster_id``; ``records`` (same row order as
    ``clusters``) supplies the stratum columns, whose value for a person is the most frequent non-missing
    value among their records (ties to the smallest value).
    """
    sources = sorted({str(s) for s in clusters["source"]})
    clash = [s for s in sources if s in RESERVED_COLUMNS or s in strata]
    if clash:
        raise LinkageError(f"source name {clash[0]!r} clashes with a capture-history column; rename the source")
    people, cluster_codes = np.unique(clusters["cluster_id"].to_numpy(), return_inverse=True)
    source_codes = pd.Categorical(clusters["source"].astype(str), categories=sources).codes
    seen = np.zeros((len(people), len(sources)), dtype="int8")
    seen[cluster_codes, source_codes] = 1
    out = pd.DataFrame(seen, index=pd.Index(people, name="cluster_id"), columns=sources)
    out.insert(0, "n_records", np.bincount(cluster_codes, minlength=len(people)).astype("int64"))
    for stratum in strata:
        if records is None or stratum not in records.columns:
            raise LinkageError(f"stratum column '{stratum}' is not in the records")
        values = pd.DataFrame({"cluster_id": clusters["cluster_id"].to_numpy(), "value": records[stratum].to_numpy()})
        counts = values.dropna().groupby(["cluster_id", "value"], sort=True).size().rename("n").reset_index()
        counts = counts.sort_values(["cluster_id", "n"], ascending=[True, False], kind="stable")
        out[stratum] = counts.drop_duplicates("cluster_id").set_index("cluster_id")["value"].reindex(out.index)
    out.columns.name = None
    return out.reset_index()


def capture_table(
    histories: pd.DataFrame, lists: Sequence[str], stratum: Mapping[str, object] | None = None
) -> CaptureTable:
    """The :class:`CaptureTable` of ``histories`` over the source ``lists``, counting only people whose
    stratum columns equal ``stratum`` (e.g. ``{"sex": "f"}``) when given.

    People seen on none of ``lists`` (possible when ``lists`` is a subset of the sources) are left out.
    """
    chosen = list(lists)
    missing = [c for c in chosen if c not in histories.columns]
    if missing:
        raise LinkageError(f"no capture-history column for list '{missing[0]}'")
    rows = histories
    for column, value in (stratum or {}).items():
        if column not in histories.columns:
            raise LinkageError(f"no stratum column '{column}' in the capture histories")
        rows = rows[rows[column] == value]
    patterns = rows[chosen].to_numpy(dtype="int64")
    patterns = patterns[patterns.sum(axis=1) > 0]
    return CaptureTable.from_rows(chosen, ((tuple(p), 1) for p in patterns.tolist()))
