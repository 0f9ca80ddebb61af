"""The sparse-data stepwise method (habeas.stats.estimation.sparse) against the R package SparseMSE 2.0.1.

The reference is ``sparsemse.csv`` in /work/shared/data/mse/reference: ``estimatepopulation`` with its defaults
(stepwise, p = 0.02, 1,000 multinomial resamples, BCa) on R 4.2.2. Its notes give the chosen formula, the lognormal
interval of ``estimatepopulation.0`` and the jackknife acceleration a.

Tolerances. The point estimate, the lognormal interval and the acceleration are deterministic: they must agree to
the printed precision, within half a unit of the last printed digit (estimates to 0.1, the interval to 1, a to
1e-4). The BCa interval is random twice over: R's 1,000 resamples and ours (R's random streams cannot be
reproduced). See ``test_the_bca_interval_agrees_with_sparsemse_within_monte_carlo_error`` for that tolerance.
"""

from __future__ import annotations

import csv
import math
import re
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from habeas.stats.estimation._sparse_boot import Engine, Job, quantile
from habeas.stats.estimation.sparse import (
    SparseBootstrap,
    SparseError,
    sparse_bootstrap,
    sparse_check,
    sparse_fit,
    sparse_stepwise,
)
from habeas.stats.estimation.table import CaptureTable
from tests.paths import MSE

DATA = MSE
REFERENCE = DATA / "reference" / "sparsemse.csv"
needs_data = pytest.mark.skipif(not REFERENCE.exists(), reason="reference data not available")

ROWS = list(csv.DictReader(REFERENCE.open(newline=""))) if REFERENCE.exists() else []
DATASETS = [row["dataset"] for row in ROWS]
RESAMPLES = 1000
"""As many resamples as the reference: a 4-list bootstrap takes about a second."""
Z_TOLERANCE = 4.0
"""Monte Carlo standard errors allowed between a BCa endpoint and the reference's."""


def _row(dataset: str) -> dict[str, str]:
    return next(row for row in ROWS if row["dataset"] == dataset)


def _note(dataset: str, pattern: str) -> str:
    match = re.search(pattern, _row(dataset)["notes"])
    assert match is not None, f"no {pattern!r} in the notes of {dataset}"
    return match.group(1)


@cache
def _table(dataset: str) -> CaptureTable:
    return CaptureTable.from_csv(DATA / f"{dataset}.csv")


@cache
def _bootstrap(dataset: str) -> SparseBootstrap:
    return sparse_bootstrap(_table(dataset), resamples=RESAMPLES, seed=20240611, workers=2)


def _table_of(lists: int, rows: dict[tuple[int, ...], int]) -> CaptureTable:
    return CaptureTable.from_rows([f"L{j + 1}" for j in range(lists)], rows.items())


# --- the stepwise choice and the point estimate ---------------------------------------------------------------------


@needs_data
@pytest.mark.parametrize("dataset", DATASETS)
def test_the_stepwise_search_chooses_sparsemse_model(dataset: str) -> None:
    assert sparse_stepwise(_table(dataset)).formula == _note(dataset, r"formula: ([^;]+);").strip()


@needs_data
@pytest.mark.parametrize("dataset", DATASETS)
def test_the_point_estimate_matches_sparsemse_to_printed_precision(dataset: str) -> None:
    assert sparse_stepwise(_table(dataset)).estimate == pytest.approx(float(_row(dataset)["estimate"]), abs=0.05)


@needs_data
def test_kosovo_gives_14341_7_with_five_two_list_effects() -> None:
    fit = sparse_stepwise(_table("kosovo"))
    assert fit.formula == "count ~ . + B:C + C:D + A:C + A:B + A:D"
    assert fit.pairs == ((2, 3), (3, 4), (1, 3), (1, 2), (1, 4))
    assert all(p < 0.02 for p in fit.p_values)
    assert fit.estimate == pytest.approx(14341.6638, abs=1e-4)
    assert fit.estimate == pytest.approx(fit.observed + math.exp(dict(fit.coefficients)["(Intercept)"]), rel=1e-12)


@needs_data
@pytest.mark.parametrize("dataset", DATASETS)
def test_the_lognormal_interval_matches_estimatepopulation_0(dataset: str) -> None:
    low, high = (float(v) for v in _note(dataset, r"lognormal-CI\(estimatepopulation\.0\)=\[([^\]]+)\]").split(","))
    interval = sparse_stepwise(_table(dataset)).lognormal_interval(0.95)
    assert interval.lower == pytest.approx(low, abs=0.5)
    assert interval.upper == pytest.approx(high, abs=0.5)


@needs_data
def test_threshold_zero_keeps_the_main_effects_model() -> None:
    stepwise = sparse_stepwise(_table("kosovo"), threshold=0)
    assert stepwise.formula == "count ~ ."
    assert stepwise.estimate == sparse_fit(_table("kosovo")).estimate


@needs_data
def test_a_fixed_model_reproduces_the_stepwise_choice() -> None:
    stepwise = sparse_stepwise(_table("lesbian_allegheny"))
    fixed = sparse_fit(_table("lesbian_allegheny"), stepwise.pairs)
    assert fixed.estimate == pytest.approx(stepwise.estimate, rel=1e-9)
    assert fixed.threshold is None and fixed.p_values == ()


# --- the bootstrap ----------------------------------------------------------------------------------------------------


@needs_data
@pytest.mark.parametrize("dataset", DATASETS)
def test_the_jackknife_acceleration_matches_sparsemse(dataset: str) -> None:
    assert _bootstrap(dataset).acceleration == pytest.approx(float(_note(dataset, r"BCa a=([-0-9.]+)")), abs=5e-5)


@needs_data
@pytest.mark.parametrize("dataset", DATASETS)
def test_the_bca_interval_agrees_with_sparsemse_within_monte_carlo_error(dataset: str) -> None:
    """With B resamples, an endpoint is our bootstrap distribution read at BCa's level
    alpha' = Phi(z0 + w / (1 - a w)), w = z0 + z_alpha. Monte Carlo moves it in two ways: the order statistic at
    alpha' has the binomial error sqrt(alpha' (1 - alpha') / B) in level, and z0 = Phi^-1(share below the estimate)
    has the error sqrt(P (1 - P) / B) / phi(z0), which moves alpha' by d alpha' / d z0 = phi(.) (1 + 1 / (1 - a w)^2)
    times it. R's run has the same errors with its own B = 1,000, independently. So the reference endpoint must lie
    between our quantiles at alpha' -+ 4 standard errors of the difference of the two levels (about 0.04 for B = 1,000
    at alpha' = 0.025, some 0.6 bootstrap standard deviations; the acceleration and the estimate are deterministic).
    Where that band runs past 0 or 1 it is open on that side: R's sample may reach beyond the extremes of ours
    (lesbian_allegheny's lower endpoint sits at alpha' = 0.003, about R's third smallest replicate, which is below our
    smallest with probability about 1/8). Over 20 seeds the twelve reference endpoints lie at z-scores whose squares
    sum to 7.9 (12 expected): no sign of a systematic difference.
    """
    boot = _bootstrap(dataset)
    assert boot.bca is not None
    ordered = np.sort(np.array(boot.replicates)[~np.isnan(boot.replicates)])
    share = float(np.mean(ordered < boot.fit.estimate))
    z0, a = boot.bias_correction, boot.acceleration
    tail = (1 - boot.level) / 2
    for alpha, reference, ours in ((tail, "lo95", boot.bca.lower), (1 - tail, "hi95", boot.bca.upper)):
        w = z0 + float(norm.ppf(alpha))
        level = float(norm.cdf(z0 + w / (1 - a * w)))
        assert ours == quantile(ordered, level)
        slope = float(norm.pdf(z0 + w / (1 - a * w))) * (1 + 1 / (1 - a * w) ** 2)
        one_run = level * (1 - level) + (slope * math.sqrt(share * (1 - share)) / float(norm.pdf(z0))) ** 2
        error = math.sqrt(one_run / RESAMPLES + one_run / 1000)
        below, above = level - Z_TOLERANCE * error, level + Z_TOLERANCE * error
        low = quantile(ordered, below) if below > 0 else -math.inf
        high = quantile(ordered, above) if above < 1 else math.inf
        assert low <= float(_row(dataset)[reference]) <= high


@needs_data
def test_the_intervals_bracket_the_estimate_and_bca_quantiles_reproduce_the_interval() -> None:
    boot = _bootstrap("kosovo")
    assert boot.bca is not None
    assert boot.bca.lower < boot.fit.estimate < boot.bca.upper
    assert boot.percentile.lower < boot.fit.estimate < boot.percentile.upper
    assert boot.lognormal == boot.fit.lognormal_interval(0.95)
    tail = (1 - boot.level) / 2
    assert boot.bca_quantile(tail) == boot.bca.lower and boot.bca_quantile(1 - tail) == boot.bca.upper
    assert boot.percentile_quantile(tail) == boot.percentile.lower
    assert boot.infinite == boot.undefined == 0


@needs_data
def test_the_result_records_how_to_reproduce_it() -> None:
    boot = _bootstrap("spina_bifida_my")
    assert (boot.seed, boot.resamples, boot.threshold, boot.resampling, boot.level) == (
        20240611,
        RESAMPLES,
        0.02,
        "multinomial",
        0.95,
    )
    assert len(boot.replicates) == RESAMPLES
    assert "seed 20240611" in boot.describe()


@needs_data
def test_the_same_seed_gives_bit_identical_results_whatever_the_number_of_workers() -> None:
    runs = [sparse_bootstrap(_table("new_orleans"), resamples=120, seed=99, workers=w) for w in (1, 2, 3)]
    for other in runs[1:]:
        assert np.array_equal(np.array(other.replicates), np.array(runs[0].replicates), equal_nan=True)
        assert (other.bca, other.percentile, other.acceleration) == (
            runs[0].bca,
            runs[0].percentile,
            runs[0].acceleration,
        )


@needs_data
def test_another_seed_gives_other_resamples() -> None:
    first = sparse_bootstrap(_table("spina_bifida_my"), resamples=50, seed=1, workers=1)
    second = sparse_bootstrap(_table("spina_bifida_my"), resamples=50, seed=2, workers=1)
    assert first.replicates != second.replicates
    assert first.acceleration == second.acceleration


@needs_data
def test_the_parametric_bootstrap_resamples_from_the_fitted_model() -> None:
    boot = sparse_bootstrap(_table("spina_bifida_my"), resamples=200, resampling="parametric", workers=1)
    multinomial = sparse_bootstrap(_table("spina_bifida_my"), resamples=200, workers=1)
    assert boot.resampling == "parametric"
    assert boot.replicates != multinomial.replicates
    assert boot.percentile.lower < boot.fit.estimate < boot.percentile.upper


def test_resamples_without_any_overlap_count_as_infinite_estimates() -> None:
    # One case on both lists out of 101: about e^-1 of the resamples lose it.
    table = _table_of(2, {(1, 0): 50, (0, 1): 50, (1, 1): 1})
    boot = sparse_bootstrap(table, resamples=200, workers=1)
    assert 40 < boot.infinite < 110
    assert boot.percentile.upper == math.inf
    assert boot.undefined == 0


@needs_data
def test_a_resample_that_empties_a_list_is_estimated_from_the_other_lists() -> None:
    kosovo = _table("kosovo")
    y = kosovo.full_counts().astype(float)
    engine = Engine(Job(4, y, 0.02, {}, "multinomial", y, 0))
    on_list_4 = np.arange(1, 16) % 2 == 1
    y[on_list_4] = 0
    rows = [(row[:3], n) for row, n in zip(kosovo.patterns.tolist(), kosovo.counts.tolist(), strict=True) if not row[3]]
    three = CaptureTable.from_rows(kosovo.lists[:3], rows)
    assert engine.estimate(y) == pytest.approx(sparse_stepwise(three).estimate, rel=1e-9)


def test_quantiles_are_r_type_8() -> None:
    values = np.sort(np.random.default_rng(5).normal(size=37))
    for p in (0.0, 0.001, 0.025, 0.3, 0.5, 0.975, 0.999, 1.0):
        assert quantile(values, p) == pytest.approx(np.quantile(values, p, method="median_unbiased"), abs=1e-12)
    assert quantile(np.array([1.0, 2.0, math.inf]), 0.9) == math.inf


# --- sparse and pathological tables -----------------------------------------------------------------------------------


@needs_data
def test_artificial3_keeps_main_effects_with_estimate_539_1() -> None:
    fit = sparse_stepwise(_table("artificial3"))
    assert fit.formula == "count ~ ."
    assert fit.estimate == pytest.approx(539.1, abs=0.05)


@needs_data
def test_artificial3_model_with_every_two_list_effect_is_not_identifiable() -> None:
    check = sparse_check(_table("artificial3"), [(1, 2), (1, 3), (2, 3)])
    assert not check.identifiable and not check.ok
    with pytest.raises(SparseError, match="not identifiable"):
        sparse_fit(_table("artificial3"), [(1, 2), (1, 3), (2, 3)])


@needs_data
def test_artificial3_model_with_a_b_has_no_estimate_and_gives_no_number() -> None:
    check = sparse_check(_table("artificial3"), [(1, 2)])
    assert check.identifiable and not check.exists
    with pytest.raises(SparseError, match="does not exist"):
        sparse_fit(_table("artificial3"), [(1, 2)])


@needs_data
def test_empty_overlaps_in_a_model_have_infinite_negative_effects_and_drop_their_cells() -> None:
    fit = sparse_fit(_table("artificial3"), [(1, 3), (2, 3)])
    assert sparse_check(_table("artificial3"), [(1, 3), (2, 3)]).ok
    assert fit.empty_overlaps == ((1, 3), (2, 3))
    assert dict(fit.coefficients)["list1:list3"] == -math.inf
    assert fit.formula == "count ~ ."  # as in SparseMSE's glm formula: empty overlaps are not columns
    assert fit.estimate == pytest.approx(296.0, rel=1e-6)


def test_a_single_list_is_refused() -> None:
    with pytest.raises(SparseError, match="single list"):
        sparse_stepwise(_table_of(1, {(1,): 10}))


def test_a_table_where_nobody_was_observed_is_refused() -> None:
    with pytest.raises(SparseError, match="nobody was observed"):
        sparse_stepwise(_table_of(3, {(1, 0, 0): 0, (0, 1, 1): 0}))


def test_lists_that_never_overlap_are_refused() -> None:
    with pytest.raises(SparseError, match="no one appears on more than one list"):
        sparse_bootstrap(_table_of(3, {(1, 0, 0): 5, (0, 1, 0): 7, (0, 0, 1): 9}), resamples=10, workers=1)


def test_a_list_that_recorded_nobody_is_refused() -> None:
    with pytest.raises(SparseError, match="L3 recorded nobody"):
        sparse_stepwise(_table_of(3, {(1, 0, 0): 5, (0, 1, 0): 7, (1, 1, 0): 2}))


def test_a_list_holding_every_case_is_refused() -> None:
    with pytest.raises(SparseError, match="L1 hold every case"):
        sparse_stepwise(_table_of(3, {(1, 0, 0): 5, (1, 1, 0): 7, (1, 0, 1): 2}))


def test_structural_zeros_are_refused() -> None:
    table = _table_of(2, {(1, 0): 5, (0, 1): 7, (1, 1): 2})
    with pytest.raises(SparseError, match="structural zeros"):
        sparse_stepwise(CaptureTable(table.lists, table.patterns, table.counts, structural_zeros=((1, 1),)))


@pytest.mark.parametrize(
    "arguments",
    [{"resamples": 1}, {"seed": -1}, {"threshold": 1.0}, {"level": 1.0}, {"workers": 0}, {"resampling": "jackknife"}],
)
def test_invalid_bootstrap_settings_are_refused(arguments: dict[str, object]) -> None:
    with pytest.raises(SparseError):
        sparse_bootstrap(_table_of(2, {(1, 0): 5, (0, 1): 7, (1, 1): 2}), **arguments)  # type: ignore[arg-type]


def test_invalid_two_list_effects_are_refused() -> None:
    table = _table_of(3, {(1, 0, 0): 5, (0, 1, 0): 7, (1, 1, 0): 2, (0, 1, 1): 3})
    for pairs in ([(1, 1)], [(0, 2)], [(1, 4)], [(1, 2), (2, 1)]):
        with pytest.raises(SparseError):
            sparse_fit(table, pairs)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=12), min_size=15, max_size=15))
def test_the_search_only_ever_chooses_models_that_pass_the_checks(counts: list[int]) -> None:
    table = _table_of(4, {tuple(int(b) for b in f"{i:04b}"): n for i, n in enumerate(counts, start=1)})
    try:
        fit = sparse_stepwise(table)
    except SparseError:
        return
    assert sparse_check(table, fit.pairs).ok
    assert fit.estimate >= fit.observed
    assert fit.lognormal_interval().lower <= fit.estimate <= fit.lognormal_interval().upper
