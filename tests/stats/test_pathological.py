"""Tables no method (or only some methods) can use, through the public API ``habeas.stats.estimate``: every
method says so, and none gives a number where no finite estimate exists. ``method="all"`` reports a method
that cannot run on the table as refused (no number, the reason) and goes on with the others."""

from __future__ import annotations

import json

import pytest

from habeas.stats import CaptureTable, estimate, estimate_strata
from habeas.stats.estimation import CaptureTableError, DgaError, LcmcrError
from tests.paths import MSE

SMALL_LCMCR = {"seed": 1, "chains": 2, "burn_in": 300, "samples": 100, "thin": 2}
METHODS = ["loglinear", "sparse", "dga", "lcmcr"]

pytestmark = pytest.mark.filterwarnings("ignore::habeas.stats.estimation.lcmcr.LcmcrWarning")

SINGLE = CaptureTable.from_rows(["A"], [((1,), 10)])
EMPTY_LIST = CaptureTable.from_rows(["A", "B", "C"], [((1, 0, 0), 10), ((0, 1, 0), 5), ((1, 1, 0), 3)])
NO_OVERLAP = CaptureTable.from_rows(["A", "B", "C"], [((1, 0, 0), 10), ((0, 1, 0), 5), ((0, 0, 1), 3)])


def _by_method(table: CaptureTable) -> dict[str, object]:
    return {r.method: r for r in estimate(table, method="all", **SMALL_LCMCR)}


def _refused(result, reason: str) -> None:
    assert result.estimate is None and result.ci95 is None and result.model == "none"
    assert result.diagnostics == {"refused": True}
    assert len(result.warnings) == 1 and reason in result.warnings[0]
    answer = result.as_dict()
    assert answer["estimate"] is None and answer["ci95"] is None and "refused" in json.dumps(answer)


def test_all_on_six_lists_reports_dga_refused_and_runs_the_other_methods():
    """uk2013 has 6 lists; dga averages over graphs of 3-5 lists only. It used to stop the whole run."""
    results = _by_method(CaptureTable.from_csv(MSE / "uk2013.csv"))
    assert list(results) == METHODS
    _refused(results["dga"], "3 to 5 lists; this table has 6 lists")
    for name in ("loglinear", "sparse", "lcmcr"):
        assert results[name].estimate is not None and results[name].estimate > 2_744
        assert results[name].provenance["method"] == name


def test_one_method_that_cannot_use_the_table_still_raises():
    two = CaptureTable.from_rows(["A", "B"], [((1, 0), 10), ((0, 1), 5), ((1, 1), 3)])
    with pytest.raises(DgaError, match="3 to 5 lists; this table has 2 lists"):
        estimate(two, method="dga")
    results = _by_method(two)
    _refused(results["dga"], "this table has 2 lists")
    assert results["sparse"].estimate == pytest.approx(18 + 10 * 5 / 3, rel=1e-6)  # Lincoln-Petersen


def test_a_single_list_is_refused_by_every_method():
    results = _by_method(SINGLE)
    _refused(results["loglinear"], "a single list cannot tell how many people it missed")
    _refused(results["sparse"], "a single list cannot tell how many people it missed")
    _refused(results["dga"], "this table has 1 list (A)")
    _refused(results["lcmcr"], "the table has 1 list")


def test_lists_that_never_overlap_give_no_number_from_any_method():
    """The Bayesian methods would return a posterior median that only restates the prior: refused too."""
    results = _by_method(NO_OVERLAP)
    for name in METHODS:
        _refused(results[name], "no one appears on more than one list")
    with pytest.raises(LcmcrError, match="no one appears on more than one list"):
        estimate(NO_OVERLAP, method="lcmcr", **SMALL_LCMCR)


def test_an_empty_list_is_named_by_every_method():
    results = _by_method(EMPTY_LIST)
    loglinear = results["loglinear"]
    assert loglinear.estimate is None and loglinear.ci95 is None
    assert loglinear.warnings[0].startswith("list(s) C recorded nobody")
    _refused(results["sparse"], "list(s) C recorded nobody")
    for name in ("dga", "lcmcr"):  # a number from lists A and B, with the empty list named
        assert results[name].estimate is not None
        assert any(w.startswith("list(s) C recorded nobody") for w in results[name].warnings)


def test_artificial3_gives_no_log_linear_number_and_says_why_model_by_model():
    results = _by_method(CaptureTable.from_csv(MSE / "artificial3.csv"))
    loglinear = results["loglinear"]
    assert loglinear.estimate is None and loglinear.ci95 is None and "refused" not in loglinear.diagnostics
    assert "no number is given" in loglinear.warnings[0]
    assert loglinear.warnings[1] == "[1,2,3]: the asymptotic bias of N (73.8) exceeds 10% of N (539.1)"
    assert "[23,1]: no finite maximum-likelihood estimate" in loglinear.warnings[2]
    assert loglinear.warnings[-1] == "and 5 more models were left out for a problem or a warning"
    assert results["sparse"].estimate == pytest.approx(539.1, abs=0.05)  # SparseMSE's main-effects model
    assert any("do not pin down the number missing" in w for w in results["dga"].warnings)


def test_a_stratum_whose_lists_never_overlap_gets_no_bayesian_number():
    overlapping = CaptureTable.from_rows(
        ["A", "B", "C"], [((1, 0, 0), 30), ((0, 1, 0), 20), ((0, 0, 1), 25), ((1, 1, 0), 8), ((0, 1, 1), 6)]
    )
    result = estimate_strata({"north": overlapping, "south": NO_OVERLAP}, method="dga", seed=1)
    assert result.strata["north"].estimate is not None
    assert result.strata["south"].estimate is None and result.total is None
    assert "no one appears on more than one list" in result.strata["south"].warnings[0]


def test_an_all_zero_row_is_refused_by_its_row_and_a_zero_count_is_skipped(tmp_path):
    path = tmp_path / "zero.csv"
    path.write_text("A,B,count\n1,0,10\n0,0,4\n1,1,3\n", encoding="utf-8")
    with pytest.raises(CaptureTableError, match=r"zero\.csv, row 3: a person on no list cannot be observed"):
        CaptureTable.from_csv(path)
    path.write_text("A,B\n1,0\n0,0\n", encoding="utf-8")  # one row a person
    with pytest.raises(CaptureTableError, match="row 3: a person on no list"):
        CaptureTable.from_csv(path)
    path.write_text("A,B,count\n1,0,10\n0,0,0\n1,1,3\n", encoding="utf-8")
    assert CaptureTable.from_csv(path).observed == 13


def test_an_extra_column_is_named_with_its_row_and_the_columns_read_as_lists(tmp_path):
    path = tmp_path / "region.csv"
    path.write_text("A,B,region,count\n1,0,0,2\n1,0,north,5\n", encoding="utf-8")
    with pytest.raises(CaptureTableError) as caught:
        CaptureTable.from_csv(path)
    message = str(caught.value)
    assert f"{path}, row 3, column 'region': expected 0 or 1, found 'north'" in message
    assert "read as a list (A, B, region)" in message and "--strata region" in message


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (
            b"A,B,count\n1,0,5\n0,1,3\n1,1,\xff2\n",
            "row 4, column 'count': the file is not UTF-8 (byte 0xFF at offset 26)",
        ),
        ("A,Список,count\n1,0,5\n".encode("cp1251"), "row 1, column 2 of the header: the file is not UTF-8 (byte 0xD1"),
        (b"\xef\xbb\xbfA,B\n1,0\n0,\xe9\n", "row 3, column 'B': the file is not UTF-8 (byte 0xE9 at offset 13)"),
    ],
    ids=["a data row", "a cp1251 header", "after a byte-order mark"],
)
def test_a_file_that_is_not_utf8_is_refused_by_row_column_and_byte(tmp_path, content, where):
    path = tmp_path / "legacy.csv"
    path.write_bytes(content)
    with pytest.raises(CaptureTableError) as caught:
        CaptureTable.from_csv(path)
    assert str(caught.value).startswith(f"{path}, {where}")
    assert "save it as UTF-8" in str(caught.value)


def test_a_utf8_file_with_a_byte_order_mark_and_cyrillic_list_names_is_read(tmp_path):
    path = tmp_path / "lists.csv"
    path.write_bytes("Прокуратура,Полиция,count\n1,0,5\n0,1,3\n1,1,2\n".encode("utf-8-sig"))
    table = CaptureTable.from_csv(path)
    assert table.lists == ("Прокуратура", "Полиция") and table.observed == 10
