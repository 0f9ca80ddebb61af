"""``link``: from records on several source lists to people, their capture histories and a review queue."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from habeas.stats.estimation.table import CaptureTable
from habeas.stats.linkage.capture import capture_histories, capture_table
from habeas.stats.linkage.cluster import check_reviewed, cluster_pairs
from habeas.stats.linkage.config import LinkageConfig, LinkageError, ReviewedPair, reviewed_pairs
from habeas.stats.linkage.impact import decision_priorities
from habeas.stats.linkage.normalise import normalise_records
from habeas.stats.linkage.splink_model import Backend, SplinkMatcher

REQUIRED_COLUMNS: Final = ("record_id", "source", "first_name", "surname")
OPTIONAL_COLUMNS: Final = ("patronymic", "sex", "dob", "birth_year", "region", "national_id")
_DISPLAY_COLUMNS: Final = ("source", "first_name", "patronymic", "surname", "dob", "birth_year")


@dataclass(frozen=True)
class LinkageSummary:
    """Counts describing one linkage run."""

    records: int
    people: int
    records_per_source: Mapping[str, int]
    pairs_scored: int
    links: int
    candidate_clusters: int
    split_clusters: int
    review_queue: int
    reviewed_applied: int
    m_from_labels: bool
    #: False when the lists were too small to learn how often true matches agree (fewer than about fifty pairs
    #: share a name or a date of birth): generic agreement weights were used, and the review queue matters more
    m_from_em: bool
    #: True when the lists had fewer records than ``config.shipped_weights_below`` and started from the weights
    #: learned on large synthetic lists (:mod:`habeas.stats.linkage.prior`) rather than learning their own
    shipped_weights: bool
    probability_two_random_records_match: float
    backend: str
    seed: int


@dataclass(frozen=True)
class LinkageResult:
    """The outcome of :func:`link`.

    ``clusters``: ``record_id``, ``source``, ``cluster_id`` (0..people-1), one row per input record, in input
    order. ``pairs``: every scored pair kept (``record_id_l``, ``record_id_r``, ``match_probability``,
    ``match_weight``, ``match_key`` = the blocking rule that found it or "rescored", ``origin`` =
    "blocked" / "rescored" / "reviewed"). ``review_queue``: pairs in the review band not yet reviewed, with the
    records' names side by side and their ``priority``, highest first: how much deciding the pair could change
    the people found and the estimate (:mod:`~habeas.stats.linkage.impact`). ``reviewed``: the decisions
    applied, to pass again next time. ``capture_histories``: one row per person (see
    :func:`habeas.stats.linkage.capture.capture_histories`). ``model``: the trained Splink model.
    """

    clusters: pd.DataFrame
    pairs: pd.DataFrame
    review_queue: pd.DataFrame
    reviewed: tuple[ReviewedPair, ...]
    capture_histories: pd.DataFrame
    lists: tuple[str, ...]
    summary: LinkageSummary
    model: Mapping[str, Any]

    def capture_table(self, stratum: Mapping[str, object] | None = None) -> CaptureTable:
        """The capture table over all source lists, optionally of one stratum (e.g. ``{"sex": "f"}``)."""
        return capture_table(self.capture_histories, self.lists, stratum)


def _validate(records: object, config: LinkageConfig) -> pd.DataFrame:
    if not isinstance(records, pd.DataFrame):
        raise LinkageError(f"records must be a pandas DataFrame, got {type(records).__name__}")
    missing = [c for c in (*REQUIRED_COLUMNS, *config.extra_columns, *config.strata) if c not in records.columns]
    if missing:
        raise LinkageError(f"records: missing required column '{missing[0]}'")
    if len(records) < 2:
        raise LinkageError("records: at least two records are needed")
    frame = records.reset_index(drop=True)
    for column in ("record_id", "source"):
        values = records[column]
        empty = values.isna() | (values.astype(str).str.strip() == "")
        if empty.any():
            pos = int(np.flatnonzero(empty.to_numpy())[0])
            raise LinkageError(f"records, row {pos} (index {records.index[pos]!r}): column '{column}' is empty")
    duplicated = records["record_id"].duplicated(keep=False).to_numpy()
    if duplicated.any():
        rows = np.flatnonzero(duplicated)
        value = records["record_id"].iloc[rows[0]]
        same = [int(r) for r in rows if records["record_id"].iloc[r] == value]
        raise LinkageError(f"records: duplicate record_id {value!r} in rows {same[0]} and {same[1]}")
    return frame


def _reviewed_ids(
    decisions: tuple[ReviewedPair, ...], position: Mapping[Hashable, int]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    seen: dict[tuple[int, int], bool] = {}
    for i, pair in enumerate(decisions):
        ids = []
        for side in (pair.record_id_l, pair.record_id_r):
            if side not in position:
                raise LinkageError(f"reviewed decision {i}: unknown record_id {side!r}")
            ids.append(position[side])
        a, b = min(ids), max(ids)
        if a == b:
            raise LinkageError(f"reviewed decision {i}: a record is paired with itself ({pair.record_id_l!r})")
        if seen.get((a, b), pair.is_match) != pair.is_match:
            raise LinkageError(f"reviewed decision {i}: contradicts an earlier decision on the same pair")
        seen[(a, b)] = pair.is_match
    must = np.array([k for k, v in seen.items() if v], dtype=np.int64).reshape(-1, 2)
    cannot = np.array([k for k, v in seen.items() if not v], dtype=np.int64).reshape(-1, 2)
    return must, cannot


def _apply_reviewed(pairs: pd.DataFrame, must: NDArray[np.int64], cannot: NDArray[np.int64]) -> pd.DataFrame:
    """Force reviewed pairs to probability 1 (match) or 0 (non-match), adding those never scored."""
    decided = pd.DataFrame(
        {
            "unique_id_l": np.concatenate([must[:, 0], cannot[:, 0]]),
            "unique_id_r": np.concatenate([must[:, 1], cannot[:, 1]]),
            "decision": np.concatenate([np.ones(len(must)), np.zeros(len(cannot))]),
        }
    )
    merged = pairs.merge(decided, on=["unique_id_l", "unique_id_r"], how="outer")
    reviewed = merged["decision"].notna()
    merged.loc[reviewed, "match_probability"] = merged.loc[reviewed, "decision"]
    merged.loc[reviewed, "match_weight"] = np.where(merged.loc[reviewed, "decision"] > 0, np.inf, -np.inf)
    merged.loc[reviewed, "origin"] = "reviewed"
    merged["match_key"] = merged["match_key"].fillna("reviewed")
    return merged.drop(columns="decision")


def _review_queue(
    pairs: pd.DataFrame, labels: NDArray[np.int64], records: pd.DataFrame, config: LinkageConfig
) -> pd.DataFrame:
    low, high = config.review_band
    p = pairs["match_probability"]
    queue = pairs.loc[(p >= low) & (p < high) & (pairs["origin"] != "reviewed")]
    queue = queue[["unique_id_l", "unique_id_r", "match_probability", "match_weight"]].copy()
    left, right = queue["unique_id_l"].to_numpy(), queue["unique_id_r"].to_numpy()
    queue["same_cluster"] = labels[left] == labels[right]
    out = pd.DataFrame(
        {
            "record_id_l": records["record_id"].to_numpy()[left],
            "record_id_r": records["record_id"].to_numpy()[right],
        }
    )
    for column in ("match_probability", "match_weight", "same_cluster"):
        out[column] = queue[column].to_numpy()
    for column in _DISPLAY_COLUMNS:
        if column in records.columns:
            out[f"{column}_l"] = records[column].to_numpy()[left]
            out[f"{column}_r"] = records[column].to_numpy()[right]
    clusters = pd.DataFrame({"record_id": records["record_id"], "source": records["source"].astype(str)})
    out["priority"] = decision_priorities(
        clusters.assign(cluster_id=labels), out["record_id_l"], out["record_id_r"], out["match_probability"]
    )
    return out.sort_values(["priority", "record_id_l"], ascending=[False, True], kind="stable").reset_index(drop=True)


def link(
    records: pd.DataFrame,
    *,
    config: LinkageConfig | None = None,
    backend: Backend = "duckdb",
    reviewed: pd.DataFrame | Iterable[ReviewedPair] | None = None,
    seed: int = 0,
    spark_session: Any = None,
) -> LinkageResult:
    """Find the records of ``records`` that name the same person, across and within source lists.

    ``records`` has one row per entry on a list with the columns ``record_id`` (unique), ``source`` (the
    list), ``first_name``, ``surname`` and optionally ``patronymic``, ``sex``, ``dob``, ``birth_year``,
    ``region``, ``national_id``; other columns are ignored unless named in ``config.extra_columns`` or
    ``config.strata``. Names may be in Cyrillic or any Latin transliteration, dates partial.

    Steps: normalise (:mod:`~habeas.stats.linkage.normalise`); train the Splink model without labels, and
    from the reviewed matches when there are enough (:mod:`~habeas.stats.linkage.splink_model`); score the
    blocked pairs; force reviewed pairs; cluster without chaining (:mod:`~habeas.stats.linkage.cluster`);
    build capture histories and the review queue. ``backend`` is "duckdb" or "spark" (a local[2] session
    is started when ``spark_session`` is None). The same ``seed`` and input give the same result.
    """
    config = config or LinkageConfig()
    frame = _validate(records, config)
    position = {rid: i for i, rid in enumerate(frame["record_id"].tolist())}
    decisions = reviewed_pairs(reviewed)
    must, cannot = _reviewed_ids(decisions, position)
    check_reviewed(len(frame), must, cannot, frame["record_id"].tolist())

    normalised = normalise_records(frame)
    for column in config.extra_columns:
        text = frame[column].astype("string[pyarrow]").str.strip().str.lower()
        normalised[f"x_{column}"] = text.mask(text == "")
    matcher = SplinkMatcher(normalised, config, backend=backend, seed=seed, spark_session=spark_session)
    use_labels = len(must) >= max(config.min_labels_for_m, 1)
    matcher.train(must if use_labels else None)

    blocked = matcher.predict().assign(origin="blocked")
    pairs = _apply_reviewed(blocked, must, cannot)
    outcome = cluster_pairs(
        len(frame),
        pairs,
        threshold=config.match_threshold,
        must=must,
        cannot=cannot,
        score_missing=matcher.score,
        max_exhaustive=config.max_exhaustive_component,
    )
    rescored = outcome.rescored.assign(origin="rescored")
    everything = pd.concat([pairs, rescored], ignore_index=True) if len(rescored) else pairs
    everything = everything.sort_values(["unique_id_l", "unique_id_r"], ignore_index=True)

    labels = outcome.labels
    clusters = pd.DataFrame(
        {"record_id": frame["record_id"].to_numpy(), "source": frame["source"].astype(str).to_numpy()}
    )
    clusters["cluster_id"] = labels
    histories = capture_histories(clusters, frame, config.strata)
    queue = _review_queue(everything, labels, frame, config)

    ids = frame["record_id"].to_numpy()
    out_pairs = everything.assign(
        record_id_l=ids[everything["unique_id_l"].to_numpy()], record_id_r=ids[everything["unique_id_r"].to_numpy()]
    ).drop(columns=["unique_id_l", "unique_id_r"])
    front = ["record_id_l", "record_id_r", "match_probability", "match_weight", "match_key", "origin"]
    out_pairs = out_pairs[front]

    lists = tuple(sorted(clusters["source"].unique().tolist()))
    model = matcher.model()
    summary = LinkageSummary(
        records=len(frame),
        people=int(labels.max()) + 1,
        records_per_source={s: int(c) for s, c in clusters["source"].value_counts().sort_index().items()},
        pairs_scored=len(everything),
        links=int((everything["match_probability"] >= config.match_threshold).sum()),
        candidate_clusters=outcome.candidate_clusters,
        split_clusters=outcome.split_components,
        review_queue=len(queue),
        reviewed_applied=len(must) + len(cannot),
        m_from_labels=use_labels,
        m_from_em=matcher.m_from_em,
        shipped_weights=matcher.shipped_weights,
        probability_two_random_records_match=float(model["probability_two_random_records_match"]),
        backend=backend,
        seed=seed,
    )
    return LinkageResult(
        clusters=clusters,
        pairs=out_pairs,
        review_queue=queue,
        reviewed=decisions,
        capture_histories=histories,
        lists=lists,
        summary=summary,
        model=model,
    )
