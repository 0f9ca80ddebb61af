"""Log-linear models of multiple systems estimation (habeas.stats.estimation.loglinear) against Rcapture.

The references are ``rcapture.csv`` and ``rcapture_manpage.csv`` in /work/shared/data/mse/reference, from
Rcapture 1.4-4's ``closedpCI.t`` (multinomial estimate and profile-likelihood interval), ``closedp.t``
(Poisson abundance, standard error, deviance, df, BIC in the notes) and ``closedpMS.t`` (the BIC-best
hierarchical model) run on R 4.2.2. They print about five significant figures (estimates to 0.1, deviance
and BIC to 0.01), so every number must agree to the printed precision: within half a unit of the last
printed digit (estimates are rounded to 0.1 even where the trailing zero is not printed), plus 1e-5
relative for a value that sits on a rounding boundary; degrees of freedom exactly.
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

from habeas.stats.estimation.loglinear import (
    LoglinearError,
    LoglinearFit,
    LoglinearModel,
    fit_loglinear,
    hierarchical_models,
    search_models,
)
from habeas.stats.estimation.table import CaptureTable
from tests.paths import MSE

DATA = MSE
REFERENCE = DATA / "reference"
needs_data = pytest.mark.skipif(not (REFERENCE / "rcapture.csv").exists(), reason="reference data not available")


def _reference_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for name in ("rcapture.csv", "rcapture_manpage.csv"):
        if (REFERENCE / name).exists():
            with (REFERENCE / name).open(newline="") as handle:
                rows.extend(csv.DictReader(handle))
    return rows


ROWS = _reference_rows()
# On artificial3, Rcapture's Mth Gamma3.5 is a boundary fit that we decline to give a number for (below).
BOUNDARY_ROWS = [row for row in ROWS if row["dataset"] == "artificial3" and "Gamma3.5" in row["model"]]
FITTED_ROWS = [row for row in ROWS if row["estimate"] != "NA" and row not in BOUNDARY_ROWS]
SEARCH_ROWS = [row for row in ROWS if "closedpMS.t" in row["model"]]


@cache
def _table(dataset: str) -> CaptureTable:
    return CaptureTable.from_csv(DATA / f"{dataset}.csv")


def _model_spec(description: str) -> str:
    """The model of a reference row, as ``LoglinearModel.parse`` reads it."""
    if description.startswith("man-page: "):
        return description.removeprefix("man-page: ").removesuffix(", profile CI")
    pattern = r"\[[\d,]+\]" if "hierarchical [" in description else r"Mth [A-Za-z0-9.]+|Mt\b"
    match = re.search(pattern, description)
    assert match, f"no model in {description!r}"
    return match.group()


def _notes(row: dict[str, str]) -> dict[str, str]:
    return dict(re.findall(r"(\w+)=([-\d.]+)", row["notes"]))


def _close(ours: float | None, printed: str) -> bool:
    """Whether ``ours`` rounds to the printed reference value (see the module docstring)."""
    decimals = max(1, len(printed.partition(".")[2]))
    reference = float(printed)
    return ours is not None and abs(ours - reference) <= 0.5 * 10**-decimals + 1e-5 * abs(reference)


def _row_id(row: dict[str, str]) -> str:
    return f"{row['dataset']}:{_model_spec(row['model'])}"


@needs_data
@pytest.mark.parametrize("row", FITTED_ROWS, ids=_row_id)
def test_it_reproduces_every_fitted_model_of_rcapture(row: dict[str, str]) -> None:
    """Source: rcapture.csv and rcapture_manpage.csv (closedpCI.t, closedp.t); tolerance: the printed
    precision (module docstring). The row where Rcapture reports a boundary fit is checked below."""
    fit = fit_loglinear(_table(row["dataset"]), _model_spec(row["model"]))
    notes = _notes(row)
    assert fit.problem is None
    assert fit.interval is not None
    assert _close(fit.interval.estimate, row["estimate"])
    assert _close(fit.interval.lower, row["lo95"])
    assert _close(fit.interval.upper, row["hi95"])
    assert _close(fit.abundance, notes["poisson_abund"])
    assert _close(fit.stderr, notes["stderr"])
    assert _close(fit.deviance, notes["dev"])
    assert fit.df == int(notes["df"])
    assert _close(fit.bic, notes["BIC"])
    # Rcapture's infoFit is 0 for a clean fit and 1 when it warns of a large asymptotic bias.
    assert fit.trustworthy == (notes.get("infoFit", "0") == "0")


@needs_data
@pytest.mark.parametrize("row", SEARCH_ROWS, ids=lambda row: row["dataset"])
def test_the_exhaustive_search_finds_the_bic_best_model_of_rcapture(row: dict[str, str]) -> None:
    """Source: the closedpMS.t rows of rcapture.csv (the BIC-best model over 113 models of 4 lists or 8 of 3;
    for artificial3 none of the 8 fits cleanly, so there is no result); the model name must match exactly."""
    search = search_models(_table(row["dataset"]))
    assert len(search.fits) == (113 if _table(row["dataset"]).k == 4 else 8)
    best = search.best("BIC")
    if row["estimate"] == "NA":
        assert best is None
    else:
        assert best is not None
        assert best.model.name == _model_spec(row["model"])
        assert _close(best.bic, _notes(row)["BIC"])


@needs_data
def test_kosovos_bic_best_model_gives_the_published_estimate_of_10356() -> None:
    """Source: Ball et al. (2002), report to the ICTY: 10,356 killings from the BIC-best hierarchical model
    EXH x ABA x OSCE + EXH x HRW + OSCE x HRW; the Poisson abundance is 10,356.5, published truncated."""
    best = search_models(_table("kosovo")).best("BIC")
    assert best is not None
    assert best.model.name == "[123,14,34]"
    assert best.abundance is not None
    assert math.floor(best.abundance) == 10356


@needs_data
def test_it_reports_no_estimate_when_no_model_fits() -> None:
    """Source: rcapture.csv, artificial3 / closedpMS.t: 'NO RESULT: none of the 8 hierarchical models fit
    without glm warning'. Independence warns of a large bias; the seven others have no finite MLE."""
    search = search_models(_table("artificial3"))
    assert search.best("BIC") is None
    assert search.best("AIC") is None
    assert search.ranked() == ()
    assert len(search.excluded) == 8
    assert "there is no estimate" in search.describe()
    for fit in search.excluded:
        if fit.problem is not None:
            assert "no finite maximum-likelihood estimate" in fit.problem
            assert fit.abundance is None
            assert fit.bic is None
        else:
            assert fit.model.name == "[1,2,3]"
            assert "asymptotic bias" in fit.warnings[0]


@needs_data
def test_it_gives_no_number_where_rcapture_reports_a_boundary_fit() -> None:
    """Source: rcapture.csv, artificial3 / Mth Gamma3.5, where Rcapture prints N = 96.0 with stderr 0.0
    (infoFit 0): its intercept diverges to -inf, the unseen count to 0. The MLE does not exist (the fitted
    count of pattern 111, never observed, falls to zero), so we report the problem and no number."""
    [row] = BOUNDARY_ROWS
    assert float(row["estimate"]) == _table("artificial3").observed
    assert _notes(row)["stderr"] == "0.0"
    fit = fit_loglinear(_table("artificial3"), "Mth Gamma3.5")
    assert not fit.estimable
    assert fit.problem is not None
    assert "111" in fit.problem
    assert (fit.abundance, fit.stderr, fit.interval, fit.deviance, fit.bic) == (None, None, None, None, None)


@needs_data
def test_chaos_negative_eta_is_set_to_zero_as_rcapture_does() -> None:
    """Source: rcapture.csv, kosovo / Mth Chao (LB): df 9, not 8, because eta_4 came out negative."""
    fit = fit_loglinear(_table("kosovo"), "Mth Chao", interval=False)
    assert fit.dropped_eta == (4,)
    assert fit.df == 9
    assert [name for name, _ in fit.coefficients][-1] == "eta3"


def test_the_number_of_hierarchical_models_matches_rcapture() -> None:
    """Source: Rcapture's getAllModels (its man page: 113 models for 4 lists); 8 for 3 lists, 6,893 for 5."""
    assert [sum(1 for _ in hierarchical_models(k)) for k in (2, 3, 4, 5)] == [1, 8, 113, 6893]
    assert sum(1 for _ in hierarchical_models(5, max_order=2)) == 2**10


@needs_data
def test_the_search_over_five_lists_ranks_every_hierarchical_model() -> None:
    """All 6,893 hierarchical models of uk2013_5 (Rcapture's default closedpMS.t search for 5 lists): the
    ranking is by increasing BIC and leaves out exactly the fits with a problem or a warning."""
    search = search_models(_table("uk2013_5"))
    assert search.method == "exhaustive"
    assert len(search.fits) == 6893
    ranked = search.ranked("BIC")
    assert ranked
    bics = [fit.criterion("BIC") for fit in ranked]
    assert bics == sorted(bics)
    assert len(ranked) + len(search.excluded) == 6893
    assert all(fit.trustworthy for fit in ranked)
    assert all(fit.problem is not None or fit.warnings for fit in search.excluded)
    assert search.ranked("AIC")[0].aic == min(fit.aic for fit in ranked if fit.aic is not None)


@needs_data
def test_more_than_five_lists_are_searched_stepwise() -> None:
    """Exhaustive search is refused beyond Rcapture's 10,000 models (7,785,061 hierarchical models of 6
    lists); the stepwise search returns a ranked list, and its best model beats its neighbours."""
    table = _table("uk2013")
    with pytest.raises(LoglinearError, match="stepwise"):
        search_models(table, method="exhaustive")
    search = search_models(table)
    assert search.method == "stepwise"
    best = search.best("BIC")
    assert best is not None
    assert best.bic == min(fit.criterion("BIC") for fit in search.fits)


def test_stepwise_search_handles_ten_lists() -> None:
    """A simulated population of 3,000 seen by 10 independent lists: the stepwise search runs and its best
    model's estimate is near the truth (a loose check of the estimate, a strict one of the mechanics)."""
    rng = np.random.default_rng(7)
    caught = rng.random((3000, 10)) < rng.uniform(0.1, 0.3, size=10)
    table = CaptureTable.from_rows([f"L{j}" for j in range(10)], [(row, 1) for row in caught if row.any()])
    search = search_models(table, max_order=2)
    best = search.best("BIC")
    assert best is not None and best.abundance is not None
    assert 2700 < best.abundance < 3300
    assert best.model.name.startswith("[")


def test_independence_on_two_lists_is_the_lincoln_petersen_estimator() -> None:
    """Mt on two lists is saturated: N = n + n10 * n01 / n11 exactly, with zero deviance and df."""
    table = CaptureTable.from_rows(["A", "B"], [((1, 0), 60), ((0, 1), 40), ((1, 1), 20)])
    fit = fit_loglinear(table, "Mt")
    assert fit.abundance == pytest.approx(120 + 60 * 40 / 20)
    assert fit.df == 0
    assert fit.deviance == pytest.approx(0, abs=1e-9)
    assert fit.interval is not None
    assert fit.interval.lower < fit.interval.estimate < fit.interval.upper


@pytest.mark.parametrize(
    ("lists", "rows", "message"),
    [
        (["A"], [((1,), 10)], "single list"),
        (["A", "B", "C"], [], "nobody was observed"),
        (["A", "B"], [((1, 0), 0), ((1, 1), 0)], "nobody was observed"),
        (["A", "B", "C"], [((1, 0, 0), 5), ((0, 1, 0), 7), ((0, 0, 1), 3)], "more than one list"),
    ],
    ids=["a single list", "an empty table", "all-zero counts", "lists with no overlap"],
)
def test_it_refuses_tables_that_no_model_can_use(lists: list[str], rows: list, message: str) -> None:
    """A single list, nobody observed, or no one on two lists: no log-linear model can estimate anything."""
    table = CaptureTable.from_rows(lists, rows)
    with pytest.raises(LoglinearError, match=message):
        fit_loglinear(table)
    with pytest.raises(LoglinearError, match=message):
        search_models(table)


@needs_data
@pytest.mark.parametrize(
    ("dataset", "spec"),
    [("kosovo", "[1234]"), ("kosovo", "[12,13,14,23,24,34] + Darroch"), ("two lists", "Mth Poisson2")],
)
def test_it_reports_a_model_that_is_not_identifiable_without_a_number(dataset: str, spec: str) -> None:
    """The 4-way interaction, heterogeneity aliased with all pairwise interactions, and heterogeneity on
    two lists (3 cells, 4 parameters) cannot be identified."""
    two_lists = CaptureTable.from_rows(["A", "B"], [((1, 0), 5), ((0, 1), 4), ((1, 1), 2)])
    fit = fit_loglinear(two_lists if dataset == "two lists" else _table(dataset), spec)
    assert fit.problem is not None and "not identifiable" in fit.problem
    assert fit.abundance is None and fit.interval is None


@needs_data
def test_a_structural_zero_removes_its_cell_from_the_model() -> None:
    """hiv_rome never saw pattern 1111; declared impossible, it leaves the fit and takes one degree of
    freedom with it. Declaring impossible a pattern that people have is refused."""
    table = _table("hiv_rome")
    zeros = CaptureTable(table.lists, table.patterns, table.counts, structural_zeros=((1, 1, 1, 1),))
    declared, sampled = fit_loglinear(zeros, "Mt"), fit_loglinear(table, "Mt")
    assert declared.df is not None and sampled.df is not None
    assert declared.df == sampled.df - 1
    assert declared.estimable and declared.interval is not None
    seen = CaptureTable(table.lists, table.patterns, table.counts, structural_zeros=((1, 1, 1, 0),))
    with pytest.raises(LoglinearError, match="declared impossible"):
        fit_loglinear(seen)


def test_models_are_read_and_named_as_rcapture_writes_them() -> None:
    """Rcapture's hierarchical names (closedpMS.t man page) and closedpCI.t formulas."""
    assert LoglinearModel.parse("[123,14,34]", 4).name == "[123,14,34]"
    assert LoglinearModel.parse("Mt", 4).name == "[1,2,3,4]"
    assert LoglinearModel.parse("Mt + c1:c2", 4) == LoglinearModel.hierarchical(4, [{1, 2}])
    assert LoglinearModel.parse("Mth Darroch + c1:c2+c1:c3+c1:c4", 4).name == "[12,13,14] + Darroch"
    assert LoglinearModel.parse("Mth LB", 3).heterogeneity == "Chao"
    assert LoglinearModel.parse("Mt + c1:c2:c3", 3).name == "Mt + c1:c2:c3"
    assert LoglinearModel.hierarchical(10, [{1, 2, 10}]).name == "[1:2:10,3,4,5,6,7,8,9]"
    for bad in ("Mth Normal", "[12,x]", "c1:c9", "Mh"):
        with pytest.raises(LoglinearError):
            LoglinearModel.parse(bad, 4)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=400), min_size=7, max_size=7))
def test_the_multinomial_interval_brackets_its_estimate(counts: list[int]) -> None:
    """For any 3-list table with every pattern seen, the profile interval contains the multinomial estimate,
    which is at least the number observed and at most the Poisson estimate (Cormack 1992)."""
    patterns = [tuple(int(b) for b in format(i, "03b")) for i in range(1, 8)]
    table = CaptureTable.from_rows(["A", "B", "C"], list(zip(patterns, counts, strict=True)))
    fit: LoglinearFit = fit_loglinear(table, "Mt")
    assert fit.interval is not None and fit.abundance is not None
    interval = fit.interval
    assert table.observed <= interval.lower <= interval.estimate <= interval.upper
    assert interval.estimate <= fit.abundance + 1e-6 * fit.abundance
