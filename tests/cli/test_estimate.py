"""`habeas estimate` from the command line, and its errors on bad files."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import cli_env, habeas, run_habeas
from tests.paths import MSE

DATA = MSE


def test_json_output_has_every_field(tmp_path):
    result = run_habeas("estimate", str(DATA / "kosovo.csv"), "--format", "json", env=cli_env(tmp_path))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {"method", "model", "observed", "estimate", "ci95", "diagnostics", "warnings", "provenance"} <= answer.keys()
    assert answer["observed"] == 4400 and round(answer["estimate"]) == 10357


def test_all_methods_side_by_side_show_their_disagreement(tmp_path):
    result = habeas(
        "estimate",
        str(DATA / "spina_bifida_my.csv"),
        "--method",
        "all",
        "--seed",
        "3",
        "--burn-in",
        "500",
        "--samples",
        "100",
        "--thin",
        "5",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert [e["method"] for e in answer["estimates"]] == ["loglinear", "sparse", "dga", "lcmcr"]
    assert answer["disagreement"]["lowest"] <= answer["disagreement"]["highest"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("list1,list2,count\n1,0,5\n1,2,3\n", "row 3, column 'list2': expected 0 or 1, found '2'"),
        ("list1,list2,count\n1,0,5\n1,1,-3\n", "row 3, column 'count': a count cannot be negative (-3)"),
        ("list1,list2,count\n1,0,five\n", "row 2, column 'count': expected a whole number, found 'five'"),
    ],
)
def test_a_bad_file_is_named_by_row_and_column(tmp_path, text, message):
    path = tmp_path / "lists.csv"
    path.write_text(text, encoding="utf-8")
    result = habeas("estimate", str(path))
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def _strata_file(path):
    """Two strata of 4 lists (seed 2024): 1,000 people recorded 0.35-0.5 by each list, 2,000 recorded
    0.08-0.15; tabulated with a 'region' column."""
    import numpy as np

    from habeas.stats.estimation.simulate import independent

    rng = np.random.default_rng(2024)
    lines = ["region,L1,L2,L3,L4,count"]
    for region, population in (
        ("easy", independent(1_000, [0.5, 0.45, 0.4, 0.35])),
        ("hard", independent(2_000, [0.08, 0.1, 0.12, 0.15])),
    ):
        table = population.draw(rng)
        for pattern, count in zip(table.patterns.tolist(), table.counts.tolist(), strict=True):
            lines.append(",".join([region, *map(str, pattern), str(count)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_strata_are_estimated_one_by_one_and_added_up(tmp_path):
    path = _strata_file(tmp_path / "strata.csv")
    result = habeas("estimate", str(path), "--strata", "region", "--format", "json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert [s["stratum"] for s in answer["strata"]] == ["easy", "hard"]
    assert answer["total"] == pytest.approx(sum(s["estimate"] for s in answer["strata"]), rel=1e-12)
    assert answer["ci95"][0] <= 3_000 <= answer["ci95"][1]  # the truth, by construction
    assert answer["unstratified"]["estimate"] < answer["ci95"][0]
    assert any("disagree beyond their intervals" in w for w in answer["warnings"])


def test_the_strata_table_shows_each_stratum_the_total_and_the_unstratified_estimate(tmp_path):
    path = _strata_file(tmp_path / "strata.csv")
    result = habeas("estimate", str(path), "--strata", "region", "--method", "dga")
    assert result.returncode == 0, result.stderr
    rows = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]
    assert rows == ["stratum", "easy", "hard", "total", "unstratified"]
    assert "warning: the stratified total" in result.stdout


def test_an_unknown_strata_column_is_named(tmp_path):
    result = habeas("estimate", str(DATA / "kosovo.csv"), "--strata", "region")
    assert result.returncode == 1
    assert "no stratum column 'region'" in result.stderr and "Traceback" not in result.stderr
