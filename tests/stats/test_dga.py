"""Bayesian model averaging over decomposable graphs (habeas.stats.estimation.dga) against R's dga 2.0.2.

Tolerance for the full posterior over N: the reference files print each probability with six significant
digits, so no implementation can be checked more closely than the rounding of the print. We require
|ours - dga| <= half a unit in the sixth significant digit of the printed value (at most 5e-6 relative, at
least 5e-7), plus 1e-9 relative for values that sit exactly on a rounding boundary. The files leave out
probabilities below 1e-12, which we check separately. The summaries (median, 95% bounds, mean, mode, Madigan
& York's estimate, top-graph probability, tail mass) must equal the reference at the precision it prints.
"""

from __future__ import annotations

import csv
import itertools
import math
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammaln

from habeas.stats.estimation.dga import (
    DecomposableGraph,
    DgaError,
    DgaResult,
    NegativeBinomialPrior,
    decomposable_graphs,
    dga_estimate,
)
from habeas.stats.estimation.table import CaptureTable
from tests.paths import MSE

DATA = MSE
REFERENCE = DATA / "reference"
needs_data = pytest.mark.skipif(not (REFERENCE / "dga.csv").exists(), reason="reference data not available")


def _reference_rows() -> list[dict[str, str]]:
    if not (REFERENCE / "dga.csv").exists():
        return []
    with (REFERENCE / "dga.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = _reference_rows()
POSTERIOR_FILES = sorted(REFERENCE.glob("dga_posterior_*.csv")) if REFERENCE.exists() else []


def _number(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in {text!r}"
    return match.group(1)


@cache
def _table(dataset: str) -> CaptureTable:
    return CaptureTable.from_csv(DATA / f"{dataset}.csv")


@cache
def _fit_reference_row(index: int) -> DgaResult:
    """Fit a row of dga.csv with its delta and prior; the grid is our default unless the model names one."""
    row = ROWS[index]
    model = row["model"]
    delta_text = _number(r"delta=([0-9.^-]+)", model)
    delta = 2.0 ** float(delta_text[2:]) if delta_text.startswith("2^") else float(delta_text)
    grid = re.search(r"Nmissing=(\d+)\.\.(\d+)", model)
    nmissing = range(int(grid.group(1)), int(grid.group(2)) + 1) if grid else None
    prior = None
    if "neg-binomial" in model:
        prior = NegativeBinomialPrior(
            a=float(_number(r"\ba=([0-9.]+)", model)), b=float(_number(r"\bb=([0-9.]+)", model))
        )
    return dga_estimate(_table(row["dataset"]), delta=delta, nmissing=nmissing, prior=prior)


def _row_id(row: dict[str, str]) -> str:
    return row["dataset"] + ("-manpage" if "man-page" in row["model"] else "")


ROW_PARAMS = [pytest.param(i, id=_row_id(row)) for i, row in enumerate(ROWS)]


@needs_data
@pytest.mark.parametrize("index", ROW_PARAMS)
def test_median_interval_mean_mode_and_top_graph_probability_agree_with_dga(index: int) -> None:
    row, result = ROWS[index], _fit_reference_row(index)
    notes = row["notes"]
    assert result.median == int(row["estimate"])
    assert result.lower95 == int(row["lo95"])
    assert result.upper95 == int(row["hi95"])
    assert round(result.mean) == int(_number(r"mean=(\d+)", notes))
    assert result.mode == int(_number(r"mode=(\d+)", notes))
    assert round(result.relative_loss_estimate) == int(_number(r"M&Y-Bayes[^=]*=(\d+)", notes))
    printed_p = _number(r"top graph #\d+ p=([0-9.]+)", notes)
    assert f"{result.top_graph_probability:.{len(printed_p) - 2}f}" == printed_p
    assert float(f"{result.tail_mass:.1e}") == float(_number(r"tail mass[a-z ]* ([0-9.e+-]+)", notes))
    if graphs := re.search(r"(\d+) graphs", row["model"]):
        assert len(result.graphs) == int(graphs.group(1))


@needs_data
@pytest.mark.parametrize(
    "index",
    [pytest.param(i, id=_row_id(row)) for i, row in enumerate(ROWS) if "Nmissing grid" in row["notes"]],
)
def test_the_default_grid_is_the_one_the_reference_runs_used(index: int) -> None:
    low, high = _number(r"Nmissing grid (\d+\.\.\d+)", ROWS[index]["notes"]).split("..")
    result = _fit_reference_row(index)
    assert (int(result.nmissing[0]), int(result.nmissing[-1]), result.nmissing.size) == (
        int(low),
        int(high),
        int(high) - int(low) + 1,
    )


def _posterior_index(dataset: str) -> int:
    return next(i for i, row in enumerate(ROWS) if row["dataset"] == dataset and "man-page" not in row["model"])


@needs_data
@pytest.mark.parametrize("path", POSTERIOR_FILES, ids=lambda p: p.stem.removeprefix("dga_posterior_"))
def test_the_posterior_over_n_agrees_with_dga_to_half_a_unit_in_the_sixth_digit(path: Path) -> None:
    reference = np.loadtxt(path, delimiter=",", skiprows=1)
    n_ref, p_ref = reference[:, 0].astype(np.int64), reference[:, 1]
    result = _fit_reference_row(_posterior_index(path.stem.removeprefix("dga_posterior_")))
    ours = dict(zip(result.n.tolist(), result.posterior.tolist(), strict=True))
    p_ours = np.array([ours[n] for n in n_ref.tolist()])
    half_unit = 0.5 * 10.0 ** (np.floor(np.log10(p_ref)) - 5)
    assert np.all(np.abs(p_ours - p_ref) <= half_unit + 1e-9 * p_ref)
    left_out = ~np.isin(result.n, n_ref)
    assert np.all(result.posterior[left_out] < 1e-12)


@needs_data
def test_the_most_probable_kosovo_graph_has_the_edges_of_the_published_log_linear_model() -> None:
    # Ball et al. (2002): EXH*ABA*OSCE + EXH*HRW + OSCE*HRW, lists in the order EXH, ABA, OSCE, HRW.
    result = dga_estimate(_table("kosovo"))
    assert result.top_graph.edges == ((0, 1), (0, 2), (0, 3), (1, 2), (2, 3))
    assert result.top_graph.label(["EXH", "ABA", "OSCE", "HRW"]) == "[EXH,ABA,OSCE][EXH,OSCE,HRW]"


@needs_data
def test_artificial3_shows_its_very_wide_posterior_and_warns_that_the_grid_end_matters() -> None:
    result = dga_estimate(_table("artificial3"))
    assert (result.lower95, result.median, result.upper95) == (96, 292, 5147)
    assert result.lower95 == result.observed  # the data allow that no one was missed ...
    assert result.upper95 > 50 * result.observed  # ... or that nearly everyone was
    assert result.grid_too_short and result.warnings
    text = str(result)
    assert "N = 292 (posterior median), 95% interval 96 to 5,147" in text
    assert "Warning: the posterior still has mass 4e-05 in the last 5% of the grid" in text


@needs_data
def test_every_summary_states_the_median_together_with_its_interval() -> None:
    result = dga_estimate(_table("kosovo"))
    first_line = result.summary().splitlines()[0]
    assert first_line.startswith("N = 12,595 (posterior median), 95% interval 9,827 to 16,544")
    assert result.warnings == ()


@pytest.mark.parametrize(("k", "count"), [(3, 8), (4, 61), (5, 822)])
def test_there_are_8_61_and_822_decomposable_graphs_on_3_4_and_5_lists(k: int, count: int) -> None:
    graphs = decomposable_graphs(k)
    assert len(graphs) == count
    assert len({g.edges for g in graphs}) == count
    assert graphs[0].cliques == tuple((v,) for v in range(k))
    assert graphs[-1].cliques == (tuple(range(k)),)


def _components(k: int, edges: Sequence[tuple[int, int]]) -> int:
    parent = list(range(k))

    def root(v: int) -> int:
        while parent[v] != v:
            v = parent[v]
        return v

    for u, v in edges:
        parent[root(u)] = root(v)
    return len({root(v) for v in range(k)})


def _maximal_cliques(k: int, edges: set[tuple[int, int]]) -> set[tuple[int, ...]]:
    complete = [
        s
        for r in range(1, k + 1)
        for s in itertools.combinations(range(k), r)
        if all(pair in edges for pair in itertools.combinations(s, 2))
    ]
    return {s for s in complete if not any(set(s) < set(t) for t in complete)}


@pytest.mark.parametrize("k", [3, 4, 5])
def test_each_graph_has_its_maximal_cliques_and_a_junction_forest_with_running_intersection(k: int) -> None:
    for graph in decomposable_graphs(k):
        assert set(graph.cliques) == _maximal_cliques(k, set(graph.edges))
        assert len(graph.separators) == len(graph.cliques) - _components(k, graph.edges)
        assert all(any(set(s) < set(c) for c in graph.cliques) for s in graph.separators)
        # In a junction forest the cliques holding any one list form a subtree, so every list is counted
        # once by (cliques containing it) - (separators containing it).
        assert sum(map(len, graph.cliques)) - sum(map(len, graph.separators)) == k


def test_the_graphs_left_out_on_four_lists_are_the_three_four_cycles() -> None:
    pairs = list(itertools.combinations(range(4), 2))
    kept = {g.edges for g in decomposable_graphs(4)}
    left_out = [e for r in range(7) for e in itertools.combinations(pairs, r) if e not in kept]
    assert len(left_out) == 3
    for edges in left_out:
        degrees = [sum(v in pair for pair in edges) for v in range(4)]
        assert len(edges) == 4 and degrees == [2, 2, 2, 2] and _components(4, edges) == 1


def test_relabelling_five_lists_maps_the_set_of_graphs_onto_itself() -> None:
    graphs = {g.edges for g in decomposable_graphs(5)}
    for perm in itertools.permutations(range(5)):
        assert {tuple(sorted(tuple(sorted((perm[u], perm[v]))) for u, v in e)) for e in graphs} == graphs


def _polya_log_probability(graph: DecomposableGraph, cells: Sequence[tuple[int, ...]], delta: float) -> float:
    """Log probability of a sequence of people in the given cells, by adding them one at a time: under the
    hyper-Dirichlet the predictive probability of the next cell is the product over cliques of the Dirichlet
    predictive (count + alpha) / (people so far + total prior), divided by the same over separators."""
    k = graph.k
    counts: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
    total = 0.0
    for seen, cell in enumerate(cells):
        for sign, subsets in ((1, graph.cliques), (-1, graph.separators)):
            for subset in subsets:
                key = (subset, tuple(cell[v] for v in subset))
                alpha = delta * 2 ** (k - len(subset))
                total += sign * math.log((counts.get(key, 0) + alpha) / (seen + delta * 2**k))
        for subset in (*graph.cliques, *graph.separators):
            key = (subset, tuple(cell[v] for v in subset))
            counts[key] = counts.get(key, 0) + 1
    return total


@pytest.mark.parametrize(("k", "graph_index"), [(3, 3), (3, 7), (4, 0), (4, 30), (4, 59), (5, 400)])
def test_one_graph_alone_gives_the_polya_urn_probability_of_the_completed_table(k: int, graph_index: int) -> None:
    rng = np.random.default_rng(graph_index + 10 * k)
    patterns = [p for p in itertools.product((0, 1), repeat=k) if any(p)]
    counts = rng.integers(0, 4, size=len(patterns))
    table = CaptureTable.from_rows([f"L{i}" for i in range(k)], zip(patterns, counts.tolist(), strict=True))
    graphs = decomposable_graphs(k)
    log_graph_prior = np.full(len(graphs), -np.inf)
    log_graph_prior[graph_index] = 0.0
    delta, grid = 0.3, np.arange(0, 25)
    result = dga_estimate(table, delta=delta, nmissing=grid, log_graph_prior=log_graph_prior)

    people = [p for p, c in zip(patterns, counts.tolist(), strict=True) for _ in range(c)]
    expected = []
    for n0 in grid.tolist():
        n = table.observed + n0
        # 1/N prior, times the number of orderings of the completed table, times one ordering's probability.
        log_orderings = gammaln(n + 1) - gammaln(n0 + 1) - np.sum(gammaln(counts + 1))
        sequence = [(0,) * k] * n0 + people
        expected.append(-math.log(n) + log_orderings + _polya_log_probability(graphs[graph_index], sequence, delta))
    expected_posterior = np.exp(np.array(expected) - np.logaddexp.reduce(expected))
    np.testing.assert_allclose(result.posterior, expected_posterior, rtol=1e-9)
    assert result.graph_posterior[graph_index] == pytest.approx(1.0)
    assert result.top_graph == graphs[graph_index]


def test_under_the_saturated_graph_alone_the_tail_decays_like_the_stated_power() -> None:
    table = CaptureTable.from_rows(["A", "B", "C"], [((1, 0, 0), 40), ((0, 1, 0), 30), ((1, 1, 0), 6), ((0, 0, 1), 20)])
    log_graph_prior = np.full(8, -np.inf)
    log_graph_prior[-1] = 0.0  # the saturated graph: the all-zero cell is not identified
    result = dga_estimate(table, nmissing=[10**6, 10**7], log_graph_prior=log_graph_prior)
    slope = math.log(result.posterior[1] / result.posterior[0]) / math.log(result.n[1] / result.n[0])
    assert slope == pytest.approx(result.delta * (1 - 2**3) - 1, abs=1e-3)


@st.composite
def _tables(draw: st.DrawFn) -> CaptureTable:
    k = draw(st.integers(3, 4))
    patterns = [p for p in itertools.product((0, 1), repeat=k) if any(p)]
    counts = draw(st.lists(st.integers(0, 60), min_size=len(patterns), max_size=len(patterns)))
    if sum(counts) == 0:
        counts[0] = 1
    return CaptureTable.from_rows([f"L{i}" for i in range(k)], zip(patterns, counts, strict=True))


@settings(max_examples=25, deadline=None)
@given(table=_tables(), data=st.data())
def test_relabelling_the_lists_leaves_the_averaged_posterior_unchanged(
    table: CaptureTable, data: st.DataObject
) -> None:
    perm = data.draw(st.permutations(range(table.k)))
    relabelled = CaptureTable(
        lists=tuple(table.lists[i] for i in perm), patterns=table.patterns[:, perm], counts=table.counts
    )
    grid = np.arange(0, 400)
    before, after = dga_estimate(table, nmissing=grid), dga_estimate(relabelled, nmissing=grid)
    np.testing.assert_allclose(after.posterior, before.posterior, rtol=1e-8, atol=1e-300)
    assert after.top_graph_probability == pytest.approx(before.top_graph_probability, rel=1e-8)
    assert before.lower95 <= before.median <= before.upper95
    assert before.posterior.sum() == pytest.approx(1.0)


@needs_data
def test_relabelling_five_lists_leaves_the_averaged_posterior_unchanged() -> None:
    table = _table("my_5list")
    perm = [3, 0, 4, 2, 1]
    relabelled = CaptureTable(lists=table.lists, patterns=table.patterns[:, perm], counts=table.counts)
    grid = np.arange(0, 5000)
    before, after = dga_estimate(table, nmissing=grid), dga_estimate(relabelled, nmissing=grid)
    np.testing.assert_allclose(after.posterior, before.posterior, rtol=1e-8, atol=1e-300)
    assert after.top_graph_probability == pytest.approx(before.top_graph_probability, rel=1e-8)


def _table_with(k: int) -> CaptureTable:
    patterns = [p for p in itertools.product((0, 1), repeat=k) if any(p)]
    return CaptureTable.from_rows([f"L{i}" for i in range(k)], [(p, 5) for p in patterns])


@pytest.mark.parametrize("k", [1, 2, 6])
def test_fewer_than_three_or_more_than_five_lists_are_refused_by_name(k: int) -> None:
    with pytest.raises(DgaError, match=rf"3 to 5 lists; this table has {k} lists?"):
        dga_estimate(_table_with(k))
    with pytest.raises(DgaError, match="3 to 5 lists"):
        decomposable_graphs(k)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"delta": 0.0}, "delta"),
        ({"delta": float("nan")}, "delta"),
        ({"nmissing": []}, "non-empty"),
        ({"nmissing": [0, 1.5]}, "whole numbers"),
        ({"nmissing": [-1, 0, 1]}, "negative"),
        ({"nmissing": [0, 1, 1]}, "repeat"),
        ({"log_graph_prior": [0.0] * 7}, "one value per graph"),
        ({"log_graph_prior": [-np.inf] * 8}, "at least one graph"),
        ({"tail_tolerance": 0.0}, "tail_tolerance"),
        ({"max_nmissing": 0}, "max_nmissing"),
    ],
)
def test_bad_arguments_are_refused_with_a_message_naming_them(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(DgaError, match=message):
        dga_estimate(_table_with(3), **arguments)  # type: ignore[arg-type]


def test_tables_without_anyone_observed_or_with_structural_zeros_are_refused() -> None:
    empty = CaptureTable.from_rows(["A", "B", "C"], [((1, 0, 0), 0)])
    with pytest.raises(DgaError, match="no one was observed"):
        dga_estimate(empty)
    table = _table_with(3)
    zeros = CaptureTable(table.lists, table.patterns, table.counts, structural_zeros=((1, 1, 1),))
    with pytest.raises(DgaError, match="structural zeros"):
        dga_estimate(zeros)


def test_a_negative_binomial_prior_needs_positive_parameters_and_dga_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="a > 0 and b > 0"):
        NegativeBinomialPrior(a=0.0, b=55.17)
    with pytest.raises(DgaError, match="strictly between 0 and 1"):
        dga_estimate(_table_with(3), nmissing=range(100)).quantile(1.0)
