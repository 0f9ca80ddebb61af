"""Accuracy of a clustering against the truth: pairwise and cluster-level measures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class LinkageMetrics:
    """Pairwise measures count the record pairs placed in one cluster; cluster measures count people.

    ``cluster_precision`` is the share of found clusters that are exactly one true person's records,
    ``cluster_recall`` the share of true people whose records form exactly one found cluster.
    """

    true_pairs: int
    found_pairs: int
    correct_pairs: int
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    true_people: int
    found_people: int
    cluster_precision: float
    cluster_recall: float


def _pairs(sizes: np.ndarray) -> int:
    sizes = sizes.astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def evaluate_clusters(found: Sequence[object] | np.ndarray, truth: Sequence[object] | np.ndarray) -> LinkageMetrics:
    """Compare cluster labels ``found`` with true person labels ``truth`` (one of each per record)."""
    frame = pd.DataFrame({"found": np.asarray(found), "truth": np.asarray(truth)})
    cells = frame.groupby(["found", "truth"], sort=False).size()
    found_sizes = frame.groupby("found", sort=False).size()
    true_sizes = frame.groupby("truth", sort=False).size()
    correct, found_pairs, true_pairs = (
        _pairs(cells.to_numpy()),
        _pairs(found_sizes.to_numpy()),
        _pairs(true_sizes.to_numpy()),
    )
    precision = correct / found_pairs if found_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    cell = cells.reset_index(name="n")
    cell["found_size"] = found_sizes.reindex(cell["found"]).to_numpy()
    cell["true_size"] = true_sizes.reindex(cell["truth"]).to_numpy()
    exact = int(((cell["n"] == cell["found_size"]) & (cell["n"] == cell["true_size"])).sum())
    return LinkageMetrics(
        true_pairs=true_pairs,
        found_pairs=found_pairs,
        correct_pairs=correct,
        pairwise_precision=precision,
        pairwise_recall=recall,
        pairwise_f1=f1,
        true_people=len(true_sizes),
        found_people=len(found_sizes),
        cluster_precision=exact / len(found_sizes) if len(found_sizes) else 1.0,
        cluster_recall=exact / len(true_sizes) if len(true_sizes) else 1.0,
    )
