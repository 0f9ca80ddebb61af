"""`habeas estimate` from the command line, and its errors on bad files."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import cli_env, run_habeas
from tests.paths import MSE

DATA = MSE


def test_json_output_has_every_field(tmp_path):
    result = run_habeas("estimate", str(DATA / "kosovo.csv"), "--format", "json", env=cli_env(tmp_path))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {"method", "model", "observed", "estimate", "ci95", "diagnostics", "warnings", "provenance"} <= answer.keys()
    assert answer["observed"] == 4400 and round(answer["estimate"]) == 10357


def test_all_methods_side_by_side_show_their_disagreement(tmp_path):
    result = run_habeas(
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
        env=cli_env(tmp_path),
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
    result = run_habeas("estimate", str(path), env=cli_env(tmp_path))
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
