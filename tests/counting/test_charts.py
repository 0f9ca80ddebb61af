"""The counting workspace's charts, drawn without the database: the UpSet chart of list overlaps and the
posterior plot of a Bayesian estimate."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from habeas.counting.charts import Bin, Pattern, posterior, upset

SVG = "{http://www.w3.org/2000/svg}"
LISTS = [("Official register", 60), ("Lawyers' list", 45), ("Families' <list>", 30)]
PATTERNS = [
    Pattern((True, False, False), 20),
    Pattern((False, True, False), 15),
    Pattern((True, True, True), 4),
    Pattern((True, True, False), 8),
    Pattern((False, False, True), 12),
]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_the_upset_chart_draws_a_bar_per_pattern_largest_first_with_its_dots_and_the_list_sizes():
    root = parse(upset(LISTS, PATTERNS, title="Overlaps"))
    bars = [el for el in root.iter(f"{SVG}rect") if "pattern" in el.get("class", "")]
    assert [int(b.get("data-people")) for b in bars] == [20, 15, 12, 8, 4]
    assert bars[-1].get("data-lists") == "Official register, Lawyers' list, Families' <list>"
    heights = [float(b.get("height")) for b in bars]
    assert heights == sorted(heights, reverse=True) and heights[0] == pytest.approx(150 * 20 / 20)
    dots = [el for el in root.iter(f"{SVG}circle")]
    assert len(dots) == 5 * 3  # one per pattern and list
    assert sum("on" in d.get("class").split() for d in dots) == 1 + 1 + 1 + 2 + 3
    assert len([el for el in root.iter(f"{SVG}line") if el.get("class") == "link"]) == 2  # patterns of 2+ lists
    sizes = {el.get("data-list"): int(el.get("data-people")) for el in root.iter(f"{SVG}rect") if el.get("data-list")}
    assert sizes == dict(LISTS)
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert "Families' <list>" in texts and "20" in texts
    assert root.find(f"{SVG}title").text == "Overlaps"


def test_the_upset_chart_escapes_names_and_counts_the_patterns_it_leaves_out():
    svg = upset(LISTS, PATTERNS, title="<b>Overlaps</b>", most=2, more_label="{patterns} more ({people} people)")
    assert "<b>" not in svg and "&lt;list&gt;" in svg
    root = parse(svg)
    assert len([el for el in root.iter(f"{SVG}rect") if "pattern" in el.get("class", "")]) == 2
    assert "3 more (24 people)" in [el.text for el in root.iter(f"{SVG}text")]


def test_the_upset_chart_of_nothing_is_still_a_chart_and_bad_patterns_are_refused():
    root = parse(upset([], [], title="Empty"))
    assert "—" in [el.text for el in root.iter(f"{SVG}text")]
    with pytest.raises(ValueError, match="one flag per list"):
        upset(LISTS, [Pattern((True,), 3)], title="x")


def test_the_posterior_plot_marks_the_interval_the_median_and_the_number_observed():
    bins = [Bin(100 + 10 * i, 110 + 10 * i, mass) for i, mass in enumerate([0.02, 0.1, 0.3, 0.35, 0.18, 0.05])]
    root = parse(
        posterior(
            bins,
            title="Posterior",
            median=135,
            interval=(112, 148),
            observed=101,
            labels=("median {value}", "observed {value}"),
        )
    )
    rects = list(root.iter(f"{SVG}rect"))
    assert len(rects) == 6
    assert [r.get("class") for r in rects] == ["bar outside", "bar", "bar", "bar", "bar", "bar outside"]
    tallest = max(rects, key=lambda r: float(r.get("height")))
    assert rects.index(tallest) == 3
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert "median 135" in texts and "observed 101" in texts and "100" in texts and "160" in texts
    assert {el.get("class") for el in root.iter(f"{SVG}line")} >= {"axis", "interval", "median", "observed"}


def test_the_posterior_plot_leaves_out_an_observed_count_off_its_axis_and_draws_nothing_without_bins():
    svg = posterior([Bin(200, 210, 1.0)], title="P", observed=50)
    assert "observed" not in svg
    assert re.search(r">—<", posterior([], title="P"))


def test_the_stored_posterior_summary_has_quantiles_and_whole_number_bins_and_adds_strata_up():
    from types import SimpleNamespace

    import numpy as np

    from habeas.counting.services import posterior_summary, total_posterior
    from habeas.stats.estimation.run import Posterior

    draws = Posterior(np.arange(100, 200, dtype=np.float64).repeat(2))  # 100..199, each twice
    summary = posterior_summary(draws)
    assert summary["kind"] == "draws" and summary["size"] == 200
    assert summary["quantiles"]["0.5"] == 149 and summary["quantiles"]["0.025"] == 102
    edges, mass = summary["histogram"]["edges"], summary["histogram"]["mass"]
    assert len(mass) <= 40 and all(float(e) % 1 == 0.5 for e in edges)  # bins centred on whole numbers
    assert sum(mass) + summary["outside"] == pytest.approx(1)

    grid = Posterior(np.array([10.0, 11.0, 12.0]), np.array([0.2, 0.5, 0.3]))
    summary = posterior_summary(grid)
    assert summary["kind"] == "grid" and summary["quantiles"]["0.5"] == 11 and summary["quantiles"]["0.995"] == 12
    assert posterior_summary(None) is None

    def stratified(*posteriors):
        return SimpleNamespace(strata={str(i): SimpleNamespace(posterior=p) for i, p in enumerate(posteriors)})

    total = total_posterior(stratified(grid, grid))
    assert list(total.values) == [20, 21, 22, 23, 24] and total.probabilities.sum() == pytest.approx(1)
    assert total.probabilities[2] == pytest.approx(0.5 * 0.5 + 2 * 0.2 * 0.3)  # 10+12, 11+11, 12+10
    assert list(total_posterior(stratified(draws, draws)).values[:2]) == [200, 200]
    assert total_posterior(stratified(grid, None)) is None and total_posterior(stratified(grid, draws)) is None
