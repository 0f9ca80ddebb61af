"""The latent-class estimator (habeas.stats.estimation.lcmcr) against R's LCMCR 0.4.14, exact posteriors and
known truths.

Tolerance against the long LCMCR runs (``reference/lcmcr_long.csv``, 4 chains x (1e4 burn-in + 5000 draws
thinned by 100), pooled). Both medians are Monte Carlo estimates, so we require

    |ours - reference| <= 3 * sqrt(mcse_ref**2 + mcse_ours**2) + 0.5,

three combined standard errors (a 0.3% chance of failing when the two samplers target the same posterior),
plus half a unit for the reference's rounding of its median to a whole number. ``mcse_ours`` is our own
run's Monte Carlo standard error of the median (Vehtari et al. 2021, from the effective sample size of the
median's indicator). ``mcse_ref`` is the larger of two estimates from the reference notes: the standard
deviation of the four chain medians divided by 2 (the pooled median of four chains), and the normal-theory
error of a median, sqrt(pi / 2) * sd / sqrt(ESS), with the posterior sd taken as the 95% interval's width
divided by 3.92. For Kosovo these are 30.5 and 26.0, so mcse_ref = 30.5; our run (4 chains of LCMCR's
standard length, 1e4 burn-in + 1000 draws thinned by 100) has an MCSE of about 40, and the tolerance is
about 150 people, 1.4% of the estimate (LCMCR's own standard-length runs move by 2% between seeds). For
hiv_rome mcse_ref = 8.6 and the tolerance about 65 (0.6%); for lesbian_allegheny 12.3 and about 70 (1.3%);
for spina_bifida_my 0.52 and about 4; for spina_bifida_conting (the same study, as conting ships it) 0.52 and
about 4 (2 s a run; 23 of 24 other seeds also pass: a median of whole numbers moves by whole units); for
artificial3 1.4 and about 9.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import math
import re
import statistics
import warnings
from functools import cache

import numpy as np
import pytest
from numba import njit
from numpy.typing import NDArray
from scipy import stats

from habeas.stats.estimation._lcmcr_kernel import _class_probabilities
from habeas.stats.estimation._lcmcr_random import binomial, multinomial, truncated_negative_binomial
from habeas.stats.estimation.lcmcr import (
    LcmcrError,
    LcmcrResult,
    LcmcrWarning,
    convergence_warnings,
    ess_bulk,
    ess_tail,
    lcmcr_estimate,
    mcse_quantile,
    rank_normalized_rhat,
    split_rhat,
)
from habeas.stats.estimation.table import CaptureTable
from tests.paths import MSE

DATA = MSE
REFERENCE = DATA / "reference"
needs_data = pytest.mark.skipif(not (REFERENCE / "lcmcr_long.csv").exists(), reason="reference data not available")


@cache
def _table(name: str) -> CaptureTable:
    return CaptureTable.from_csv(DATA / f"{name}.csv")


def _quiet_estimate(table: CaptureTable, **kwargs: object) -> LcmcrResult:
    """An estimate whose convergence warnings (checked elsewhere) are not the point of the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LcmcrWarning)
        return lcmcr_estimate(table, **kwargs)  # type: ignore[arg-type]


def _long_reference(dataset: str) -> tuple[float, float]:
    """The long-run reference median and its Monte Carlo standard error (see the module docstring)."""
    with (REFERENCE / "lcmcr_long.csv").open(newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["dataset"] == dataset)
    medians = re.search(r"chain medians=([\d/]+)", row["notes"])
    total_ess = re.search(r"ESS\(total\)=(\d+)", row["notes"])
    assert medians and total_ess, row["notes"]
    chain_medians = [float(v) for v in medians.group(1).split("/")]
    ess = float(total_ess.group(1))
    spread = statistics.stdev(chain_medians) / math.sqrt(len(chain_medians))
    sd = (float(row["hi95"]) - float(row["lo95"])) / 3.92
    return float(row["estimate"]), max(spread, math.sqrt(math.pi / 2) * sd / math.sqrt(ess))


# --- agreement with R's LCMCR and with known truths ------------------------------------------------------------


@needs_data
@pytest.mark.slow  # LCMCR's full run length on each data set: run in a step of its own by scripts/test
@pytest.mark.parametrize(
    "dataset", ["kosovo", "hiv_rome", "lesbian_allegheny", "spina_bifida_my", "spina_bifida_conting", "artificial3"]
)
def test_the_posterior_median_agrees_with_the_long_lcmcr_reference_within_monte_carlo_error(dataset: str) -> None:
    """Four chains of LCMCR's standard length (1e4 burn-in + 1000 draws thinned by 100) with LCMCR's
    defaults (K = 10, a = b = 0.25); tolerance as in the module docstring."""
    reference, mcse_ref = _long_reference(dataset)
    result = _quiet_estimate(_table(dataset), seed=20240601)
    tolerance = 3.0 * math.hypot(mcse_ref, result.mcse_median) + 0.5
    assert abs(result.median - reference) <= tolerance, (result.median, reference, tolerance)


@needs_data
@pytest.mark.slow  # 100,000 iterations on 8 lists
def test_the_95_percent_interval_on_synth8_covers_the_true_population_of_130000() -> None:
    """synth8_100k: 8 lists, 255 patterns, 99,482 observed from a 3-class model with N = 130,000. Run
    length: 4 chains x (5,000 burn-in + 1,000 draws thinned by 20), 100,000 iterations in all; the upper
    bound's Monte Carlo error is about 50, a third of its distance from the truth."""
    result = _quiet_estimate(_table("synth8_100k"), seed=20240601, burn_in=5_000, samples=1_000, thin=20)
    assert result.lower95 <= 130_000 <= result.upper95
    assert result.rhat < 1.05


def _exact_quantiles(table: CaptureTable, levels: list[float], grid: int = 160) -> list[int]:
    """Posterior quantiles of N under the one-class model (independent lists, uniform priors, p(N) ∝ 1/N)
    conditioned on the allowed patterns, by quadrature. With cell probabilities f and s = P(structural zero),
    summing the n0 out leaves p(lam | data) ∝ prod_x f(x)**n_x (1 - s - f(0))**-n, and given lam the number
    missing is NegBin(n, 1 - f(0) / (1 - s)); the midpoint rule on a grid**J lattice integrates the mixture."""
    n_x = table.counts.astype(np.float64)
    n = n_x.sum()
    seen_on = table.patterns.T.astype(np.float64) @ n_x
    axes = np.meshgrid(*([(np.arange(grid) + 0.5) / grid] * table.k), indexing="ij")
    log_post = sum(seen_on[j] * np.log(axes[j]) + (n - seen_on[j]) * np.log1p(-axes[j]) for j in range(table.k))
    zero = np.prod([1.0 - lam for lam in axes], axis=0)
    impossible = np.zeros_like(zero)
    for pattern in table.structural_zeros:
        impossible += np.prod([lam if on else 1.0 - lam for lam, on in zip(axes, pattern, strict=True)], axis=0)
    log_post = log_post - n * np.log(1.0 - impossible - zero)
    weight = np.exp(log_post - log_post.max())
    keep = weight > 1e-14 * weight.max()
    weight = weight[keep] / weight[keep].sum()
    q = (zero / (1.0 - impossible))[keep]
    out = []
    for level in levels:
        low, high = -1, 10**7
        while high - low > 1:
            middle = (low + high) // 2
            if np.sum(weight * stats.nbinom.cdf(middle, n, 1.0 - q)) >= level:
                high = middle
            else:
                low = middle
        out.append(int(n) + high)
    return out


def _exclusive_lists_table() -> tuple[CaptureTable, int]:
    """2,000 people on three lists recorded independently (0.3, 0.3, 0.4), except that lists A and B never
    record the same person: the patterns (1,1,0) and (1,1,1) are structurally impossible. The table lists
    them with count 0, as a CSV would; nothing in the counts says whether those zeros are structural."""
    rng = np.random.default_rng(11)
    patterns = np.array(list(itertools.product([0, 1], repeat=3)))
    prob = np.prod(np.where(patterns == 1, [0.3, 0.3, 0.4], [0.7, 0.7, 0.6]), axis=1)
    prob[(patterns[:, 0] == 1) & (patterns[:, 1] == 1)] = 0.0
    counts = rng.multinomial(2_000, prob / prob.sum())
    rows = [(tuple(p), int(c)) for p, c in zip(patterns[1:].tolist(), counts[1:], strict=True)]
    return CaptureTable.from_rows(["A", "B", "C"], rows), 2_000


EXCLUSIVE_ZEROS = ((1, 1, 0), (1, 1, 1))


@pytest.mark.parametrize("declare", [False, True], ids=["undeclared", "declared"])
def test_with_one_class_the_sampler_reproduces_the_exact_posterior_of_the_independence_model(declare: bool) -> None:
    """With K = 1 the model is independence (truncated to the allowed patterns when structural zeros are
    declared), whose posterior of N has a closed form up to a 3-dimensional integral. The sampler's median
    and 95% bounds must match it within 4 Monte Carlo standard errors plus one person (the quadrature
    reports whole numbers)."""
    table, _ = _exclusive_lists_table()
    if declare:
        table = dataclasses.replace(table, structural_zeros=EXCLUSIVE_ZEROS)
    exact = _exact_quantiles(table, [0.5, 0.025, 0.975])
    result = _quiet_estimate(table, seed=7, k_max=1, burn_in=1_000, samples=2_000, thin=5)
    for level, value in zip([0.5, 0.025, 0.975], exact, strict=True):
        error = mcse_quantile(result.draws, level)
        assert abs(result.quantile(level) - value) <= 4.0 * error + 1.0, (level, result.quantile(level), value)


def test_declared_structural_zeros_correct_the_estimate_that_ignoring_them_gets_wrong() -> None:
    """Lists A and B are mutually exclusive. Read as sampling zeros, the empty A-and-B cells look like
    strong negative list dependence, and the independence model (K = 1) overshoots: its interval misses
    the true 2,000. Declared as structural zeros, the model is right and its interval covers the truth."""
    table, truth = _exclusive_lists_table()
    ignored = _quiet_estimate(table, seed=7, k_max=1, burn_in=1_000, samples=1_000, thin=5)
    declared = _quiet_estimate(
        dataclasses.replace(table, structural_zeros=EXCLUSIVE_ZEROS),
        seed=7,
        k_max=1,
        burn_in=1_000,
        samples=1_000,
        thin=5,
    )
    assert ignored.lower95 > truth
    assert declared.lower95 <= truth <= declared.upper95


def test_a_declared_structural_zero_gets_zero_probability_in_the_fitted_model() -> None:
    """The latent-class mixture gives every pattern some probability, so undeclared the impossible patterns
    keep a positive fitted probability; declared, they get exactly zero and the allowed patterns' fitted
    probabilities (here all of them are in the table) sum to one."""
    table, _ = _exclusive_lists_table()
    declared = dataclasses.replace(table, structural_zeros=EXCLUSIVE_ZEROS)
    kwargs = {"seed": 3, "chains": 2, "burn_in": 2_000, "samples": 200, "thin": 10}
    without = _quiet_estimate(table, **kwargs)
    with_zeros = _quiet_estimate(declared, **kwargs)
    for pattern in EXCLUSIVE_ZEROS:
        assert without.fitted_probability(pattern) > 0.0
        assert with_zeros.fitted_probability(pattern) == 0.0
    assert with_zeros.structural_zeros == EXCLUSIVE_ZEROS
    assert with_zeros.fitted_probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    assert without.fitted_probabilities.sum() == pytest.approx(1.0, abs=1e-12)


# --- no silent cap ----------------------------------------------------------------------------------------------


def _barely_overlapping_table() -> CaptureTable:
    """Three lists of about 500 people each that share only three people: the data put N in the hundreds
    of thousands, far beyond LCMCR's silent cap of 20 x observed (30,060)."""
    rows = [((1, 0, 0), 500), ((0, 1, 0), 500), ((0, 0, 1), 500), ((1, 1, 0), 1), ((1, 0, 1), 1), ((0, 1, 1), 1)]
    return CaptureTable.from_rows(["A", "B", "C"], rows)


def test_without_a_cap_the_estimate_goes_beyond_twenty_times_the_observed_count() -> None:
    table = _barely_overlapping_table()
    result = _quiet_estimate(table, seed=1, burn_in=2_000, samples=200, thin=10)
    assert result.median > 20 * table.observed
    assert result.settings.max_missing is None
    assert result.cap_hits.tolist() == [0, 0, 0, 0]
    assert not any("cap" in text for text in result.warnings)


def test_a_stated_cap_that_bites_is_counted_reported_and_warned_about() -> None:
    table = _barely_overlapping_table()
    cap = 20 * table.observed
    with pytest.warns(LcmcrWarning, match="max_missing = 30,060"):
        result = lcmcr_estimate(table, seed=1, burn_in=2_000, samples=200, thin=10, max_missing=cap)
    assert result.draws.max() <= table.observed + cap
    assert result.cap_hits.sum() > 0
    assert any("bit at" in text for text in result.warnings)
    assert "N capped at 31,563" in result.summary()


# --- reproducibility --------------------------------------------------------------------------------------------


def _short_run(seed: int, processes: int = 1) -> LcmcrResult:
    return _quiet_estimate(_small_table(), seed=seed, chains=2, burn_in=200, samples=50, thin=2, processes=processes)


def _small_table() -> CaptureTable:
    return CaptureTable.from_rows(
        ["L1", "L2", "L3"],
        [
            ((0, 0, 1), 247),
            ((0, 1, 0), 112),
            ((0, 1, 1), 142),
            ((1, 0, 0), 12),
            ((1, 0, 1), 12),
            ((1, 1, 0), 60),
            ((1, 1, 1), 41),
        ],
    )


def test_the_same_seed_gives_bit_identical_draws_whether_chains_run_in_series_or_in_parallel() -> None:
    first, again, parallel = _short_run(5), _short_run(5), _short_run(5, processes=2)
    for other in (again, parallel):
        np.testing.assert_array_equal(first.draws, other.draws)
        np.testing.assert_array_equal(first.alpha, other.alpha)
        np.testing.assert_array_equal(first.occupied_classes, other.occupied_classes)
        np.testing.assert_array_equal(first.fitted_probabilities, other.fitted_probabilities)


def test_a_different_seed_gives_different_draws_and_the_chains_of_one_run_differ() -> None:
    first, second = _short_run(5), _short_run(6)
    assert not np.array_equal(first.draws, second.draws)
    assert not np.array_equal(first.draws[0], first.draws[1])


def test_a_run_without_a_seed_records_the_seed_that_reproduces_it() -> None:
    unseeded = _quiet_estimate(_small_table(), chains=2, burn_in=200, samples=50, thin=2)
    np.testing.assert_array_equal(unseeded.draws, _short_run(unseeded.settings.seed).draws)


# --- convergence diagnostics ------------------------------------------------------------------------------------


def _ar1(rng: np.random.Generator, chains: int, draws: int, rho: float) -> NDArray[np.float64]:
    x = np.empty((chains, draws))
    x[:, 0] = rng.standard_normal(chains)
    noise = rng.standard_normal((chains, draws)) * math.sqrt(1.0 - rho**2)
    for t in range(1, draws):
        x[:, t] = rho * x[:, t - 1] + noise[:, t]
    return x


def test_identical_well_mixed_chains_have_an_rhat_of_one() -> None:
    chain = np.random.default_rng(1).standard_normal(2_000)
    draws = np.tile(chain, (4, 1))
    assert split_rhat(draws) == pytest.approx(1.0, abs=0.005)
    assert rank_normalized_rhat(draws) == pytest.approx(1.0, abs=0.005)


def test_shifted_chains_have_an_rhat_far_above_one_and_are_warned_about() -> None:
    draws = np.random.default_rng(2).standard_normal((4, 1_000)) + np.arange(4)[:, None]
    assert split_rhat(draws) > 1.5
    assert rank_normalized_rhat(draws) > 1.5
    found = convergence_warnings(draws)
    assert any("R-hat" in text for text in found)
    assert any("chain medians far from the pooled median" in text for text in found)


def test_a_chain_that_drifts_within_itself_is_caught_by_splitting() -> None:
    rng = np.random.default_rng(3)
    drift = np.linspace(-2.0, 2.0, 1_000)
    draws = rng.standard_normal((4, 1_000)) + drift
    assert split_rhat(draws) > 1.2


def test_agreeing_chains_raise_no_warning() -> None:
    draws = np.random.default_rng(4).standard_normal((4, 1_000))
    assert convergence_warnings(draws) == ()


def test_independent_draws_have_an_effective_sample_size_close_to_their_number() -> None:
    draws = np.random.default_rng(5).standard_normal((4, 2_000))
    assert ess_bulk(draws) == pytest.approx(8_000, rel=0.1)
    assert ess_tail(draws) == pytest.approx(8_000, rel=0.15)


def test_autocorrelated_draws_have_the_effective_sample_size_of_an_ar1_process() -> None:
    """For AR(1) with coefficient rho the integrated autocorrelation time is (1 + rho) / (1 - rho)."""
    draws = _ar1(np.random.default_rng(6), 4, 20_000, 0.9)
    assert ess_bulk(draws) == pytest.approx(80_000 * 0.1 / 1.9, rel=0.2)


def test_the_monte_carlo_error_of_the_median_of_independent_normals_is_sqrt_pi_over_2n() -> None:
    draws = np.random.default_rng(7).standard_normal((4, 2_500))
    assert mcse_quantile(draws, 0.5) == pytest.approx(math.sqrt(math.pi / 2 / 10_000), rel=0.15)


def test_the_result_summary_reports_the_estimate_and_its_diagnostics() -> None:
    result = _short_run(5)
    text = result.summary()
    assert f"N = {result.median:,.0f}" in text
    assert "R-hat" in text
    assert "chain medians" in text
    assert str(result) == text


# --- bad input --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("samples", -1),
        ("samples", 3),
        ("samples", True),
        ("k_max", 0),
        ("chains", 0),
        ("thin", 0),
        ("burn_in", -5),
        ("a", 0.0),
        ("b", -1.0),
        ("a", math.nan),
        ("b", math.inf),
        ("max_missing", -1),
        ("processes", 0),
        ("seed", -3),
        ("seed", 1.5),
    ],
)
def test_an_invalid_setting_is_refused_with_an_error_naming_it(parameter: str, value: object) -> None:
    with pytest.raises(LcmcrError, match=parameter):
        lcmcr_estimate(_small_table(), **{parameter: value})  # type: ignore[arg-type]


@dataclasses.dataclass
class _ListlessTable:
    """A stand-in for a table with no lists at all (CaptureTable itself refuses to build one)."""

    lists: tuple[str, ...] = ()
    patterns: NDArray[np.int8] = dataclasses.field(default_factory=lambda: np.zeros((0, 0), dtype=np.int8))
    counts: NDArray[np.int64] = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    structural_zeros: tuple[tuple[int, ...], ...] = ()


def test_a_table_with_no_lists_or_a_single_list_is_refused() -> None:
    with pytest.raises(LcmcrError, match="lists: the table has 0 lists"):
        lcmcr_estimate(_ListlessTable())  # type: ignore[arg-type]
    with pytest.raises(LcmcrError, match="lists: the table has 1 list;"):
        lcmcr_estimate(CaptureTable.from_rows(["A"], [((1,), 10)]))


def test_a_table_in_which_nobody_was_observed_is_refused() -> None:
    table = CaptureTable.from_rows(["A", "B"], [((1, 0), 0), ((0, 1), 0), ((1, 1), 0)])
    with pytest.raises(LcmcrError, match="counts: nobody was observed"):
        lcmcr_estimate(table)


@pytest.mark.parametrize(
    ("zero", "message"),
    [((1, 1), "not an observable capture pattern"), ((0, 0, 0), "not an observable"), ((1, 1, 1), "41 people have it")],
)
def test_an_impossible_structural_zero_is_refused(zero: tuple[int, ...], message: str) -> None:
    table = dataclasses.replace(_small_table(), structural_zeros=(zero,))
    with pytest.raises(LcmcrError, match=f"structural_zeros: .*{message}"):
        lcmcr_estimate(table)


def test_asking_for_the_probability_of_an_unfitted_pattern_is_refused() -> None:
    table = CaptureTable.from_rows(["A", "B", "C"], [((1, 0, 0), 30), ((0, 1, 0), 30), ((1, 1, 0), 5), ((0, 0, 1), 9)])
    result = _quiet_estimate(table, seed=1, chains=1, burn_in=100, samples=10, thin=1)
    with pytest.raises(LcmcrError, match="neither all-zero, in the table"):
        result.fitted_probability((1, 1, 1))
    with pytest.raises(LcmcrError, match="level"):
        result.quantile(1.0)


# --- the sampler's random variates are exact --------------------------------------------------------------------


@njit
def _binomial_draws(rng: np.random.Generator, n: int, p: float, size: int) -> NDArray[np.int64]:
    out = np.empty(size, dtype=np.int64)
    for i in range(size):
        out[i] = binomial(rng, n, p)
    return out


@njit
def _multinomial_draws(
    rng: np.random.Generator, total: int, weights: NDArray[np.float64], size: int
) -> NDArray[np.int64]:
    k = weights.shape[0]
    out = np.empty((size, k), dtype=np.int64)
    orders = np.arange(k).reshape(1, k)
    tail = np.empty(k)
    for i in range(size):
        multinomial(rng, total, weights, orders, 0, tail, out[i])
    return out


@njit
def _truncated_draws(rng: np.random.Generator, n: float, q: float, cap: int, size: int) -> NDArray[np.int64]:
    out = np.empty(size, dtype=np.int64)
    for i in range(size):
        out[i] = truncated_negative_binomial(rng, n, q, cap)
    return out


def _chi_square_p(observed: NDArray[np.int64], expected: NDArray[np.float64]) -> float:
    """Pearson's test of counts against probabilities (rescaled to the counts' total) after pooling
    adjacent cells until each expects at least 5."""
    expected = expected * observed.sum() / expected.sum()
    pooled_o, pooled_e, o, e = [], [], 0.0, 0.0
    for oi, ei in zip(observed, expected, strict=True):
        o, e = o + oi, e + ei
        if e >= 5.0:
            pooled_o.append(o)
            pooled_e.append(e)
            o, e = 0.0, 0.0
    pooled_o[-1] += o
    pooled_e[-1] += e
    return float(stats.chisquare(np.array(pooled_o), np.array(pooled_e)).pvalue)


BINOMIAL_CASES = [
    (1, 0.3),
    (5, 0.5),
    (26, 0.4),
    (100, 0.099),
    (100, 0.1),
    (101, 0.5),
    (1_000, 0.3),
    (1_000, 0.7),
    (5_000, 0.002),
    (10**6, 0.3),
    (50, 0.95),
    (60, 0.2),
]


def test_binomial_draws_follow_the_binomial_distribution_on_both_sides_of_the_algorithm_switch() -> None:
    """Inversion below a mean of 10, BTRD above, and both mirrored for p > 1/2: 200,000 draws per case,
    12 chi-square tests; each p-value must exceed 1e-4 (a per-test false alarm rate of 1 in 10,000)."""
    rng = np.random.default_rng(123)
    for n, p in BINOMIAL_CASES:
        x = _binomial_draws(rng, n, p, 200_000)
        support = np.arange(x.min(), x.max() + 1)
        expected = stats.binom.pmf(support, n, p)
        observed = np.bincount(x - support[0], minlength=support.size)
        assert _chi_square_p(observed, expected) > 1e-4, (n, p)


def test_multinomial_draws_follow_the_multinomial_distribution() -> None:
    """Small totals exercise the one-by-one placement, large ones the conditional binomials; a zero weight
    never receives anyone."""
    rng = np.random.default_rng(9)
    weights = np.array([0.05, 0.0, 0.5, 0.3, 0.15])
    draws = _multinomial_draws(rng, 3, weights, 100_000)
    outcomes, observed = np.unique(draws, axis=0, return_counts=True)
    expected = stats.multinomial.pmf(outcomes, 3, weights)
    assert expected.sum() == pytest.approx(1.0)
    assert _chi_square_p(observed, expected) > 1e-4
    large = _multinomial_draws(rng, 10_000, weights * 7.0, 20_000)
    assert large[:, 1].max() == 0
    np.testing.assert_allclose(large.mean(axis=0), 10_000 * weights, rtol=0.01, atol=0.01)
    np.testing.assert_allclose(large.var(axis=0), 10_000 * weights * (1 - weights), rtol=0.05, atol=0.01)


@pytest.mark.parametrize(("n", "q", "cap"), [(50.0, 0.9, 300), (10.0, 0.5, 15), (3.0, 0.999, 500)])
def test_the_capped_number_missing_follows_the_truncated_negative_binomial(n: float, q: float, cap: int) -> None:
    x = _truncated_draws(np.random.default_rng(5), n, q, cap, 100_000)
    support = np.arange(cap + 1)
    expected = stats.nbinom.pmf(support, n, 1.0 - q)
    assert x.max() <= cap
    assert _chi_square_p(np.bincount(x, minlength=cap + 1), expected) > 1e-4


def test_pattern_probabilities_by_doubling_equal_those_taken_cell_by_cell() -> None:
    patterns = np.array(list(itertools.product([0, 1], repeat=5))[1:], dtype=np.int8)
    index = patterns.astype(np.int64) @ (2 ** np.arange(5))
    lam = np.random.default_rng(8).random((3, 5))
    by_table, by_cell = np.empty((31, 3)), np.empty((31, 3))
    _class_probabilities(patterns, index, lam, np.empty(32), by_table)
    _class_probabilities(patterns, index, lam, np.empty(0), by_cell)
    np.testing.assert_allclose(by_table, by_cell, rtol=1e-14)
    np.testing.assert_allclose(by_cell.sum(axis=0), 1.0 - np.prod(1.0 - lam, axis=1), rtol=1e-14)
