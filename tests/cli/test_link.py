"""`habeas link`: lists in, clusters out, with a summary; bad input named."""

from __future__ import annotations

import csv
import json

from habeas.stats.linkage.synthetic import generate_lists
from tests.cli.conftest import habeas


def write_lists(tmp_path):
    """Lists of the synthetic generator (Cyrillic and Latin spellings, typos, several sources)."""
    path = tmp_path / "lists.csv"
    generate_lists(600, seed=5).records.drop(columns=["person_id"]).to_csv(path, index=False)
    return path


def test_it_writes_clusters_and_a_summary(tmp_path):
    out = tmp_path / "clusters.csv"
    result = habeas("link", str(write_lists(tmp_path)), "--out", str(out), "--format", "json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    with out.open(encoding="utf-8") as handle:
        clusters = {row["record_id"]: row["cluster_id"] for row in csv.DictReader(handle)}
    assert summary["records"] == len(clusters) == 600
    assert 0 < summary["people"] < 600  # people appear on several lists, and are found there


def test_a_missing_source_column_is_named(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("record_id,first_name,surname\nr1,Roza,Tuletaeva\n", encoding="utf-8")
    result = habeas("link", str(path))
    assert result.returncode == 1
    assert "no 'source' column" in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_setting_is_named(tmp_path):
    config = tmp_path / "link.yaml"
    config.write_text("match_treshold: 0.7\n", encoding="utf-8")
    result = habeas("link", str(write_lists(tmp_path)), "--config", str(config))
    assert result.returncode == 1
    assert "unknown setting 'match_treshold'" in result.stderr


def test_lists_in_the_legacy_cyrillic_encodings_are_read(tmp_path):
    """One list saved as Windows-1251 and one as KOI8-R, as offices in the region still do."""
    lists = generate_lists(400, seed=7).records.drop(columns=["person_id"])
    paths = []
    for encoding, (source, rows) in zip(("cp1251", "koi8_r"), lists.groupby("source"), strict=False):
        path = tmp_path / f"{source}.csv"
        path.write_bytes(rows.drop(columns=["source"]).to_csv(index=False).encode(encoding, errors="replace"))
        paths.append(str(path))
    result = habeas("link", *paths, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["records"] > 0


def test_a_list_mixing_encodings_is_refused_naming_the_rows(tmp_path):
    path = tmp_path / "mixed.csv"
    header = b"record_id,source,first_name,surname\n"
    path.write_bytes(header + "r1,a,Дмитрий,Тян\n".encode() + "r2,a,Олег,Евлоев\n".encode("cp1251"))
    result = habeas("link", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "mixed encodings" in result.stderr and "row 3" in result.stderr
