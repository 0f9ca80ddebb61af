"""Jurisdiction profiles: data files whose every value is cited and dated; bad ones are named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from habeas.standards.engine import StandardsError, load_profile
from habeas.standards.rules import CATALOGUE, rules_by_code
from habeas.standards.services import profile_get


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_kazakhstan_profile_extends_the_international_minimum():
    kz, international = profile_get("kz"), profile_get("international")
    assert set(international.rules) < set(kz.rules)
    assert "KZ-PEC-SOLITARY-1M-PROSECUTOR" in kz.rules
    assert kz.params()["P_PROLONGED_SOLITARY_D"] == 15


def test_every_parameter_value_is_cited():
    for name in ("international", "kz"):
        for versions in profile_get(name).parameters.values():
            assert all(version.citation for version in versions)


def test_national_limits_are_versioned_by_date():
    kz = profile_get("kz")
    assert kz.params(dt.date(2015, 1, 1))["P_KZ_DETENTION_H"] == 72
    assert kz.params(dt.date(2018, 1, 1))["P_KZ_DETENTION_H"] == 48


def test_the_national_solitary_limits_cite_the_briefing():
    citation = profile_get("kz").params().cited("P_KZ_SOLITARY_D").citation
    assert "General Prosecutor's Office" in citation and "Old habits" in citation


def test_an_unknown_profile_is_named():
    with pytest.raises(StandardsError, match="unknown profile 'atlantis'; available: international, kz"):
        profile_get("atlantis")


def test_an_unknown_rule_code_is_named():
    with pytest.raises(StandardsError, match="unknown rule code 'MANDELA-99'"):
        rules_by_code(["MANDELA-99"])


def test_a_profile_missing_a_parameter_a_rule_needs_is_named(tmp_path):
    folder = write(
        tmp_path,
        "broken",
        "title: Broken\nrules: [MANDELA-44-PROLONGED-SOLITARY]\nparameters:\n"
        "  P_SOLITARY_HOURS: [{value: 22, citation: Rule 44, set_by: Rule 44}]\n",
    )
    with pytest.raises(
        StandardsError, match="rule MANDELA-44-PROLONGED-SOLITARY needs parameter P_PROLONGED_SOLITARY_D"
    ):
        load_profile("broken", directory=folder, known_rules=CATALOGUE.values())


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("[{value: fifteen, citation: Rule 44}]", "'fifteen' is not a non-negative number"),
        ("[{value: -3, citation: Rule 44}]", "-3 is not a non-negative number"),
        ("[{value: 15}]", "missing 'citation'"),
        ("[{citation: Rule 44}]", "missing 'value'"),
        ("[{value: 15, citation: Rule 44, set_by: Rule 44, from: 'soon'}]", "'soon' is not a date"),
        ("[{value: 15, citation: Rule 44}]", "say either which standard sets the figure"),
        ("[{value: 15, citation: Rule 44, set_by: Rule 44, working: why}]", "say either which standard sets"),
    ],
)
def test_a_malformed_parameter_value_is_named(tmp_path, entry, message):
    folder = write(tmp_path, "broken", f"title: Broken\nparameters:\n  P_PROLONGED_SOLITARY_D: {entry}\n")
    with pytest.raises(StandardsError, match=f"parameter P_PROLONGED_SOLITARY_D, value 1: {message}"):
        load_profile("broken", directory=folder, known_rules=CATALOGUE.values())


def test_a_profile_naming_an_unknown_rule_is_refused(tmp_path):
    folder = write(tmp_path, "broken", "title: Broken\nrules: [NOT-A-RULE]\n")
    with pytest.raises(StandardsError, match="unknown rule code 'NOT-A-RULE'"):
        load_profile("broken", directory=folder, known_rules=CATALOGUE.values())


def test_every_catalogued_rule_is_in_a_profile():
    assert set(CATALOGUE) == set(profile_get("kz").rules)
