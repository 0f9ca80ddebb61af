"""Settings, reviewed decisions and errors of the record-linkage step."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Final

import pandas as pd


class LinkageError(ValueError):
    """Input that cannot be linked; the message names the column or the row."""


@dataclass(frozen=True)
class LinkageConfig:
    """How records are compared, trained on, clustered and queued for review.

    ``match_threshold``
        Pairs scoring at least this match probability are links. Clusters start as connected components of
        the links and are then split where their internal pairwise scores do not support them
        (:mod:`habeas.stats.linkage.cluster`).
    ``review_band``
        Pairs whose probability lies in ``[low, high)`` go to the review queue.
    ``predict_threshold``
        Blocked pairs scoring below this are dropped from the pairwise predictions.
    ``u_max_pairs``, ``em_max_pairs``, ``em_max_iterations``
        Sample sizes of the u estimation by random sampling and of each EM run, and the EM iteration cap.
    ``term_frequencies``
        Adjust exact name agreements for how common the name is (an agreement on a rare surname counts
        more than one on a common surname).
    ``extra_columns``
        Further input columns to compare by Jaro-Winkler similarity (e.g. an address), beyond the standard ones.
    ``strata``
        Input columns carried into the capture histories as stratum columns (the most frequent value in
        each cluster).
    ``max_exhaustive_component``
        Largest candidate cluster whose missing internal pairs are all scored before it is checked; in a
        larger one, unscored pairs count as non-links.
    ``min_labels_for_m``
        Reviewed matches needed before the m probabilities are re-estimated from them.
    ``shipped_weights_below``
        Lists with fewer records than this learn nothing by expectation maximisation: they start from the
        weights learned on large synthetic lists (:mod:`habeas.stats.linkage.prior`), without term-frequency
        adjustments, and move from them only through reviewed matches. 0 always learns from the lists.
    """

    match_threshold: float = 0.5
    review_band: tuple[float, float] = (0.3, 0.9)
    predict_threshold: float = 0.01
    u_max_pairs: float = 2e6
    em_max_pairs: float = 2e6
    em_max_iterations: int = 25
    term_frequencies: bool = True
    extra_columns: tuple[str, ...] = ()
    strata: tuple[str, ...] = ()
    max_exhaustive_component: int = 500
    min_labels_for_m: int = 10
    shipped_weights_below: int = 5000

    def __post_init__(self) -> None:
        for name in ("match_threshold", "predict_threshold"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise LinkageError(f"config.{name} must lie strictly between 0 and 1, got {value!r}")
        low, high = self.review_band
        if not 0.0 <= low <= high <= 1.0:
            raise LinkageError(f"config.review_band must satisfy 0 <= low <= high <= 1, got {self.review_band!r}")
        if self.predict_threshold > min(low, self.match_threshold):
            raise LinkageError(
                "config.predict_threshold must not exceed the review band's low end or the match threshold"
            )
        for name in ("u_max_pairs", "em_max_pairs", "em_max_iterations", "max_exhaustive_component"):
            if getattr(self, name) < 1:
                raise LinkageError(f"config.{name} must be at least 1")
        for name in ("min_labels_for_m", "shipped_weights_below"):
            if getattr(self, name) < 0:
                raise LinkageError(f"config.{name} must not be negative")


@dataclass(frozen=True)
class ReviewedPair:
    """A person's decision on a pair of records: the same person (``is_match``) or not."""

    record_id_l: Hashable
    record_id_r: Hashable
    is_match: bool


_MATCH_WORDS: Final = {
    "match": True, "same": True, "yes": True,
    "non-match": False, "nonmatch": False, "non_match": False, "no-match": False, "different": False, "no": False,
}  # fmt: skip


def reviewed_pairs(reviewed: pd.DataFrame | Iterable[ReviewedPair] | None) -> tuple[ReviewedPair, ...]:
    """Read reviewed decisions from :class:`ReviewedPair` objects or a DataFrame with ``record_id_l``,
    ``record_id_r`` and either a boolean ``is_match`` or a ``decision`` of "match" / "non-match"."""
    if reviewed is None:
        return ()
    if not isinstance(reviewed, pd.DataFrame):
        pairs = tuple(reviewed)
        for i, pair in enumerate(pairs):
            if not isinstance(pair, ReviewedPair):
                raise LinkageError(f"reviewed decision {i}: expected a ReviewedPair, got {type(pair).__name__}")
        return pairs
    for column in ("record_id_l", "record_id_r"):
        if column not in reviewed.columns:
            raise LinkageError(f"reviewed decisions: missing column '{column}'")
    if "is_match" in reviewed.columns:
        column, values = "is_match", reviewed["is_match"].tolist()
    elif "decision" in reviewed.columns:
        column, values = "decision", reviewed["decision"].tolist()
    else:
        raise LinkageError("reviewed decisions: need a column 'is_match' (true/false) or 'decision' (match/non-match)")
    out: list[ReviewedPair] = []
    for label, left, right, value in zip(
        reviewed.index, reviewed["record_id_l"], reviewed["record_id_r"], values, strict=True
    ):
        if isinstance(value, bool) or (column == "is_match" and value in (0, 1)):
            is_match = bool(value)
        elif isinstance(value, str) and value.strip().lower() in _MATCH_WORDS:
            is_match = _MATCH_WORDS[value.strip().lower()]
        else:
            raise LinkageError(f"reviewed decisions, row {label!r}, column '{column}': cannot read {value!r}")
        out.append(ReviewedPair(left, right, is_match))
    return tuple(out)
