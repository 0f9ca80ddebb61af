"""The Fellegi-Sunter model of record pairs, built, trained and scored with Splink (DuckDB or Spark).

Comparisons (each a set of agreement levels; Splink learns how much each level says for or against a
match):

* surname and given name: missing / exact key (adjusted for how common the name is) / given and family
  names swapped / (given name only: same diminutive group) / Jaro-Winkler on the keys at two thresholds /
  different;
* patronymic: missing / same father's-name key / Jaro-Winkler ≥ 0.9 / different;
* date of birth, allowing partial dates: missing year / same full date / one typo in a full date
  (Damerau-Levenshtein ≤ 1 on YYYYMMDD) / same year and month with a day unknown on one side / same year
  with a month unknown on one side / same year, different month or day / years one apart / different. On
  lists too small to learn from, birth years that differ are checked first, with an m fixed so low that it all
  but vetoes a match (:data:`YEARS_DIFFER_M`);
* sex, region: missing / same / different; national id: missing / same / one typo / different;
* any ``extra_columns``: missing / Jaro-Winkler ≥ 0.92 / ≥ 0.8 / different.

A comparison is left out when its field is almost never filled in (fewer than 10 values, or under 0.5 %
of records), since it could be neither trained nor used.

Blocking rules (a pair is scored when any rule holds), chosen to keep recall high while each stays small
at a million records: same surname key and given-name group; same surname key and birth year; same
consonant skeleton of the surname key (survives vowel typos) and given-name group; same given-name group,
birth year and first letter of the surname key; same given-name group, patronymic and first letter of the
surname key; same national id; same full date of birth and first letter of the given name; same
patronymic and surname key; given and family names swapped.

Training, without labels: u probabilities from random pairs; m probabilities by expectation maximisation
over pairs blocked on names (trains the other fields) and then on the date of birth (trains the names);
with enough reviewed matches, m probabilities are then re-estimated from those labelled pairs. Lists with
fewer records than ``config.shipped_weights_below`` learn neither: they take m and u from the weights
learned on large synthetic lists (:mod:`habeas.stats.linkage.prior`) and compare exact names without
term-frequency adjustments, since a few dozen names say nothing reliable about how common a name is. The prior
probability that two records match is estimated last, by EM over the Bayes factors of the blocked pairs
(:func:`estimate_prior`).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from numpy.typing import NDArray
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.database_api import DatabaseAPI
from splink.internals.splink_dataframe import SplinkDataFrame

from habeas.stats.linkage.config import LinkageConfig, LinkageError
from habeas.stats.linkage.prior import prior_weights, with_prior_weights

Backend = Literal["duckdb", "spark"]

_MIN_FILLED: Final = 10
_MIN_FILLED_SHARE: Final = 0.005
_MIN_TRAINING_PAIRS: Final = 50


def _filled(frame: pd.DataFrame, column: str, *, trained: bool) -> bool:
    """Whether ``column`` is filled in often enough to compare on: to be trained, in at least 10 records and
    0.5 % of them; with shipped weights, in any two records."""
    count = int(frame[column].notna().sum())
    if not trained:
        return count >= 2
    return count >= _MIN_FILLED and count >= _MIN_FILLED_SHARE * len(frame)


def _pairs_sharing(frame: pd.DataFrame, columns: list[str]) -> int:
    sizes = frame.dropna(subset=columns).groupby(columns, sort=False).size().to_numpy(dtype=np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def _name_comparison(column: str, other: str, *, tf: bool, with_group: bool) -> ComparisonCreator:
    levels: list[Any] = [
        cll.NullLevel(column),
        cll.ExactMatchLevel(column, term_frequency_adjustments=tf),
        cll.CustomLevel(f"{column}_l = {other}_r AND {other}_l = {column}_r", "given and family names swapped"),
    ]
    if with_group:
        levels.append(cll.ExactMatchLevel("given_canon").configure(label_for_charts="same diminutive group"))
    levels += [cll.JaroWinklerLevel(column, 0.92), cll.JaroWinklerLevel(column, 0.8), cll.ElseLevel()]
    return cl.CustomComparison(levels, output_column_name=column)


#: The m probability of "birth years differ" (both known) on lists too small to learn from, fixed at 2^-30: the
#: level costs about 30 bits, more than full agreement of surname, given name, patronymic and sex together, so
#: that namesakes born in other years (a father and his son) never merge on names alone; only a shared national
#: id or a reviewer's decision can outweigh it. Large lists learn it, as they learn how often years are mistyped.
YEARS_DIFFER_M: Final = 2.0**-30


def _dob_comparison(*, veto: bool) -> ComparisonCreator:
    """The date-of-birth comparison. With ``veto`` (lists too small to learn from) birth years that differ form
    one level of fixed, tiny m, checked before the others; the remaining levels then compare dates of one year.
    Without, years one apart and years further apart are levels learned like the others."""
    levels: list[Any] = [cll.CustomLevel("by_l IS NULL OR by_r IS NULL", "year unknown").configure(is_null_level=True)]
    if veto:
        levels.append(
            cll.CustomLevel("by_l <> by_r", "birth years differ").configure(
                m_probability=YEARS_DIFFER_M, fix_m_probability=True
            )
        )
    levels += [
        cll.ExactMatchLevel("dob_digits").configure(label_for_charts="same full date"),
        cll.DamerauLevenshteinLevel("dob_digits", 1),
        cll.CustomLevel(
            "by_l = by_r AND bm_l = bm_r AND (bd_l IS NULL OR bd_r IS NULL)", "same year-month, a day unknown"
        ),
        cll.CustomLevel("by_l = by_r AND (bm_l IS NULL OR bm_r IS NULL)", "same year, a month unknown"),
    ]
    if veto:
        levels.append(cll.ElseLevel().configure(label_for_charts="same year"))
    else:
        levels += [
            cll.CustomLevel("by_l = by_r", "same year"),
            cll.CustomLevel("abs(by_l - by_r) <= 1", "years one apart"),
            cll.ElseLevel(),
        ]
    return cl.CustomComparison(levels, output_column_name="dob")


def build_settings(
    frame: pd.DataFrame, config: LinkageConfig, prior: float, *, trained: bool = True
) -> SettingsCreator:
    """The Splink settings for the normalised ``frame`` (see the module docstring), starting from ``prior``;
    ``trained`` False when the weights will be the shipped ones rather than learned from ``frame``."""
    comparisons: list[ComparisonCreator | dict[str, Any]] = []
    if _filled(frame, "surname_key", trained=trained):
        comparisons.append(_name_comparison("surname_key", "given_key", tf=config.term_frequencies, with_group=False))
    if _filled(frame, "given_key", trained=trained):
        comparisons.append(_name_comparison("given_key", "surname_key", tf=config.term_frequencies, with_group=True))
    if _filled(frame, "patronymic_key", trained=trained):
        comparisons.append(cl.JaroWinklerAtThresholds("patronymic_key", [0.9]))
    if _filled(frame, "by", trained=trained):
        comparisons.append(_dob_comparison(veto=not trained))
    for column in ("sex", "region_key"):
        if _filled(frame, column, trained=trained):
            comparisons.append(cl.ExactMatch(column))
    if _filled(frame, "national_id", trained=trained):
        comparisons.append(cl.DamerauLevenshteinAtThresholds("national_id", [1]))
    for column in config.extra_columns:
        if _filled(frame, f"x_{column}", trained=trained):
            comparisons.append(cl.JaroWinklerAtThresholds(f"x_{column}", [0.92, 0.8]))
    if len(comparisons) < 2:
        raise LinkageError("too few filled fields to compare records: need names and at least one other field")
    rules: list[BlockingRuleCreator | dict[str, Any]] = [
        block_on("surname_key", "given_canon"),
        block_on("surname_key", "by"),
        block_on("surname_skeleton", "given_canon"),
        block_on("given_canon", "by", "surname_init"),
        block_on("given_canon", "patronymic_key", "surname_init"),
        block_on("national_id"),
        block_on("dob_digits", "given_init"),
        block_on("patronymic_key", "surname_key"),
        {"blocking_rule": "l.surname_key = r.given_key AND l.given_key = r.surname_key"},
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=config.em_max_iterations,
        em_convergence=1e-4,
        probability_two_random_records_match=prior,
    )


def _spark_api(spark_session: Any) -> DatabaseAPI[Any]:
    from pyspark.sql import SparkSession
    from splink import SparkAPI
    from splink.internals.spark.jar_location import similarity_jar_location

    if spark_session is None:
        spark_session = (
            SparkSession.builder.master("local[2]")
            .appName("habeas-linkage")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
    api: DatabaseAPI[Any] = SparkAPI(spark_session=spark_session, break_lineage_method="persist")
    return api


def _logit2(p: float) -> float:
    return float(np.log2(p) - np.log2(1.0 - p))


def estimate_prior(log2_bayes_factors: NDArray[np.float64], total_pairs: int, start: float) -> float:
    """The probability that two random records match, by EM over the mixture of matches and non-matches
    with the pairs' Bayes factors held fixed: iterate ``λ ← Σ p_i(λ) / N``, where ``p_i(λ)`` is pair i's
    match probability under prior ``λ`` and ``N`` counts all pairs (unblocked pairs count as p ≈ 0).
    The factors are sorted first: DuckDB returns pairs in no fixed order, and a floating-point sum depends on
    the order, so sorting makes the same data give the same prior to the last bit."""
    log2_bayes_factors = np.sort(log2_bayes_factors)
    lam = start
    for _ in range(500):
        odds = np.clip(log2_bayes_factors + _logit2(lam), -1000.0, 1000.0)
        new = float(np.sum(1.0 / (1.0 + np.exp2(-odds)))) / total_pairs
        new = min(max(new, 1e-12), 0.5)
        if abs(new - lam) <= 1e-7 * lam:
            return new
        lam = new
    return lam


class SplinkMatcher:
    """A Splink linker over one normalised frame: train, predict blocked pairs, score chosen pairs.

    Splink's m and u probabilities make each pair's Bayes factor; the prior that turns it into a match
    probability is re-estimated after prediction by :func:`estimate_prior`, so that the probabilities
    (and so the match threshold and the review band) mean the same on large and small sets of lists.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        config: LinkageConfig,
        *,
        backend: Backend = "duckdb",
        seed: int = 0,
        spark_session: Any = None,
    ) -> None:
        if backend == "duckdb":
            self._db: DatabaseAPI[Any] = DuckDBAPI()
        elif backend == "spark":
            self._db = _spark_api(spark_session)
        else:
            raise LinkageError(f"unknown backend {backend!r}: use 'duckdb' or 'spark'")
        splink_logger = logging.getLogger("splink")
        if splink_logger.level == logging.NOTSET:  # quiet Splink's progress notes unless the caller set a level
            splink_logger.setLevel(logging.ERROR)
        self._frame = frame
        self._config = config
        self._seed = seed
        n = len(frame)
        self._total_pairs = n * (n - 1) // 2
        self._start_prior = min(0.5, 1.0 / max(n - 1, 1))
        self.prior = self._start_prior
        self.m_from_em = False
        #: True when the lists are too small to learn from and start from the shipped weights
        self.shipped_weights = n < config.shipped_weights_below
        if self.shipped_weights:
            config = dataclasses.replace(config, term_frequencies=False)
        self._table = self._db.register(frame)
        settings = build_settings(frame, config, self._start_prior, trained=not self.shipped_weights)
        self._linker = Linker(self._table, settings, log_level=None)

    def train(self, labelled_matches: NDArray[np.int64] | None = None) -> None:
        """Estimate u by random sampling and m by EM; then m from ``labelled_matches`` (pairs of unique ids
        reviewed as matches) when given."""
        training = self._linker.training
        max_pairs = self._config.u_max_pairs
        # When every pair fits in the sample, one pass does; else Splink samples in chunks and may stop early.
        chunks = 1 if self._total_pairs <= max_pairs else 10
        training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=self._seed, num_chunks=chunks)
        if self.shipped_weights:
            settings = with_prior_weights(self._linker.misc.save_model_to_json(), prior_weights()["levels"])
            self._linker = Linker(self._table, settings, log_level=None)
            training = self._linker.training
        rules = [] if self.shipped_weights else self._em_rules()
        # Lists too small for EM keep the shipped m probabilities, or, where none is shipped for a level, Splink's
        # defaults; reviewed matches, when there are enough, train m below.
        self.m_from_em = bool(rules)
        for rule, blocked in rules:
            training.estimate_parameters_using_expectation_maximisation(
                rule,
                estimate_without_term_frequencies=True,
                max_pairs=self._config.em_max_pairs if blocked > self._config.em_max_pairs else None,
            )
        if labelled_matches is not None and len(labelled_matches) > 0:
            labels = pd.DataFrame(
                {"unique_id_l": labelled_matches[:, 0], "unique_id_r": labelled_matches[:, 1]}, dtype=np.int64
            )
            training.estimate_m_from_pairwise_labels(self._db.register(labels))

    def _em_rules(self) -> list[tuple[BlockingRuleCreator, int]]:
        """Blocking rules for EM with the number of pairs each blocks: one on names (trains the other fields),
        one on the date (trains the names); a rule is used only if it yields enough pairs to learn from, so
        that small lists may have none."""
        candidates = [
            ["surname_key", "given_canon"],
            ["dob_digits"] if "dob_digits" in self._frame and self._frame["dob_digits"].notna().any() else [],
            ["by", "surname_init", "given_init"],
        ]
        rules: list[tuple[BlockingRuleCreator, int]] = []
        for columns in candidates:
            blocked = _pairs_sharing(self._frame, columns) if columns else 0
            if blocked >= _MIN_TRAINING_PAIRS:
                rules.append((block_on(*columns), blocked))
            if len(rules) == 2:
                break
        return rules

    def predict(self) -> pd.DataFrame:
        """Scored blocked pairs at or above ``config.predict_threshold`` (unique ids, weight, probability,
        and the blocking rule that found the pair), after re-estimating the prior from all blocked pairs
        whose evidence favours a match."""
        result = self._linker.inference.predict(threshold_match_weight=_logit2(self._start_prior))
        frame = self._fetch(result)
        log2_bf = frame["match_weight"].to_numpy(dtype=np.float64) - _logit2(self._start_prior)
        self.prior = estimate_prior(log2_bf, self._total_pairs, self._start_prior)
        out = self._tidy(frame)
        return out.loc[out["match_probability"] >= self._config.predict_threshold].reset_index(drop=True)

    def score(self, pairs: NDArray[np.int64]) -> pd.DataFrame:
        """Score the given pairs of unique ids, whatever the blocking rules say."""
        low = np.minimum(pairs[:, 0], pairs[:, 1])
        high = np.maximum(pairs[:, 0], pairs[:, 1])
        blocked = pd.DataFrame({"match_key": "rescored", "join_key_l": low, "join_key_r": high})
        self._linker.table_management.register_blocked_pairs_for_predict(self._db.register(blocked))
        return self._tidy(self._fetch(self._linker.inference.predict()))

    def _fetch(self, result: SplinkDataFrame) -> pd.DataFrame:
        """The columns kept from a Splink prediction table, which is then dropped from the database."""
        columns = "unique_id_l, unique_id_r, match_weight, match_key"
        frame: pd.DataFrame = self._linker.misc.query_sql(
            f"SELECT {columns} FROM {result.physical_name}", output_type="pandas"
        )
        result.drop_table_from_database_and_remove_from_cache()
        return frame

    def _tidy(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Unique ids, match weight and probability under the estimated prior, and the blocking rule."""
        out = frame[["unique_id_l", "unique_id_r", "match_weight", "match_key"]].copy()
        out["unique_id_l"] = out["unique_id_l"].astype(np.int64)
        out["unique_id_r"] = out["unique_id_r"].astype(np.int64)
        weight = out["match_weight"].to_numpy(dtype=np.float64) - _logit2(self._start_prior) + _logit2(self.prior)
        out["match_weight"] = weight
        out["match_probability"] = 1.0 / (1.0 + np.exp2(-np.clip(weight, -1000.0, 1000.0)))
        out["match_key"] = out["match_key"].astype(str)
        return out.sort_values(["unique_id_l", "unique_id_r"], ignore_index=True)

    def model(self) -> dict[str, Any]:
        """The trained model as a Splink settings dictionary (for provenance or to score new records), with
        the re-estimated prior."""
        settings: dict[str, Any] = self._linker.misc.save_model_to_json()
        settings["probability_two_random_records_match"] = self.prior
        return settings
