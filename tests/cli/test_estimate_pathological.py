"""`habeas estimate` on files a method cannot use: one clear message and exit code 1 for one method, the
refused method shown without a number for `--method all`, and never a traceback."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import habeas
from tests.paths import MSE

SHORT = ("--seed", "1", "--chains", "2", "--burn-in", "300", "--samples", "100", "--thin", "2")
METHODS = ["loglinear", "sparse", "dga", "lcmcr"]


def _rows(stdout: str) -> dict[str, str]:
    """The estimate column of each method's line in the table output."""
    rows = {}
    for line in stdout.splitlines():
        parts = line.split()
        if line.startswith("  ") and parts and parts[0] in METHODS:
            rows[parts[0]] = parts[1]
    return rows


def _clean(result) -> None:
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr, result.stderr


def test_dga_on_two_lists_is_one_clear_error(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("A,B,count\n1,0,10\n0,1,5\n1,1,3\n", encoding="utf-8")
    result = habeas("estimate", str(path), "--method", "dga")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"habeas: error: {path}: DGA averages over decomposable graphs on 3 to 5 lists; this table has 2 lists (A, B)"
    ]


def test_all_on_six_lists_shows_dga_refused_and_the_others_json(tmp_path):
    result = habeas("estimate", str(MSE / "uk2013.csv"), "--method", "all", *SHORT, "--format", "json")
    assert result.returncode == 0, result.stderr
    _clean(result)
    answer = json.loads(result.stdout)
    by_method = {e["method"]: e for e in answer["estimates"]}
    assert list(by_method) == METHODS
    dga = by_method["dga"]
    assert (dga["model"], dga["estimate"], dga["ci95"], dga["diagnostics"]) == ("none", None, None, {"refused": True})
    assert "this table has 6 lists" in dga["warnings"][0]
    numbers = [by_method[m]["estimate"] for m in ("loglinear", "sparse", "lcmcr")]
    assert all(n > 2_744 for n in numbers)
    assert answer["disagreement"]["lowest"] == min(numbers)


def test_all_on_six_lists_table(tmp_path):
    result = habeas("estimate", str(MSE / "uk2013.csv"), "--method", "all", *SHORT)
    assert result.returncode == 0, result.stderr
    _clean(result)
    rows = _rows(result.stdout)
    assert rows["dga"] == "none" and all(rows[m] != "none" for m in ("loglinear", "sparse", "lcmcr"))
    assert "dga              none  not run: DGA averages over decomposable graphs on 3 to 5 lists" in result.stdout


CASES = {
    "single list": ("A,count\n1,10\n", {m: "none" for m in METHODS}, "No method gave a finite estimate."),
    "no overlap": (
        "A,B,C,count\n1,0,0,10\n0,1,0,5\n0,0,1,3\n",
        {m: "none" for m in METHODS},
        "not run: no one appears on more than one list",
    ),
    "empty list": (
        "A,B,C,count\n1,0,0,10\n0,1,0,5\n1,1,0,3\n",
        {"loglinear": "none", "sparse": "none", "dga": "number", "lcmcr": "number"},
        "no finite estimate: list(s) C recorded nobody",
    ),
    "artificial3": (
        (MSE / "artificial3.csv").read_text(encoding="utf-8"),
        {"loglinear": "none", "sparse": "number", "dga": "number", "lcmcr": "number"},
        "[1,2,3]: the asymptotic bias of N (73.8) exceeds 10% of N (539.1)",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_no_number_is_printed_where_no_finite_estimate_exists(tmp_path, case):
    text, expected, said = CASES[case]
    path = tmp_path / "lists.csv"
    path.write_text(text, encoding="utf-8")
    result = habeas("estimate", str(path), "--method", "all", *SHORT)
    assert result.returncode == 0, result.stderr
    _clean(result)
    rows = _rows(result.stdout)
    assert {m: "none" if v == "none" else "number" for m, v in rows.items()} == expected
    assert said in result.stdout


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"A,B,C,count\n1,0,0,10\n0,0,0,5\n", (), "row 3: a person on no list cannot be observed"),
        (
            b"A,B,region,count\n1,0,north,5\n",
            (),
            "row 2, column 'region': expected 0 or 1, found 'north'. Every column but 'count' is read as a list "
            "(A, B, region)",
        ),
        (
            "A,B,count\n1,0,5\n0,1,3\n1,1,Два\n".encode("cp1251"),
            (),
            "row 4, column 'count': the file is not UTF-8 (byte 0xC4 at offset 26)",
        ),
        (
            "A,B,region\n1,0,север\n".encode("koi8-r"),
            ("--strata", "region"),
            "row 2, column 'region': the file is not UTF-8 (byte 0xD3 at offset 15)",
        ),
    ],
    ids=["an all-zero row", "an extra column", "cp1251", "koi8-r with --strata"],
)
def test_a_bad_file_is_one_message_naming_the_file_row_and_column(tmp_path, content, args, message):
    path = tmp_path / "lists.csv"
    path.write_bytes(content)
    result = habeas("estimate", str(path), *args)
    assert result.returncode == 1
    assert result.stderr.startswith(f"habeas: error: {path}, {message}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
