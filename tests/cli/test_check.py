"""`habeas check` and `habeas rules` from the command line: in the test's process on the demo records of the
test database, and once in a subprocess on a copy of the demo database."""

from __future__ import annotations

import json
import shutil

import pytest

from habeas.demo import DEMO_USER
from tests.cli.conftest import cli_env, habeas, run_habeas


@pytest.fixture
def env(demo_dir, tmp_path):
    copy = tmp_path / "demo.sqlite3"
    shutil.copy(demo_dir / "demo.sqlite3", copy)
    shutil.copy(demo_dir / "keys.json", tmp_path / "keys.json")  # the database and its key file
    return cli_env(tmp_path, DATABASE_URL=f"sqlite:///{copy}")


def test_check_prints_findings_as_json_with_every_field(demo_user):
    result = habeas("check", "--user", DEMO_USER, "--profile", "kz", "--format", "json", "--as-of", "2013-07-01")
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)
    assert findings
    for finding in findings:
        assert {"rule", "status", "severity", "record", "subject", "summary", "standard", "sources"} <= finding.keys()
        assert finding["status"] in ("breach", "possible", "alleged", "gap")
        assert {"type", "id"} <= finding["record"].keys()
    atabek = [f for f in findings if f["rule"] == "MANDELA-44-PROLONGED-SOLITARY" and f["subject"] == "Aron Atabek"]
    assert any(
        "730 consecutive days; the limit set by Nelson Mandela Rules, rule 44 is 15 days" in f["summary"]
        for f in atabek
    )
    assert "findings under profile 'kz'" in result.stderr


def test_a_what_if_check_prints_its_findings_and_stores_nothing(demo_user):
    from habeas.standards.models import Finding

    assert habeas("check", "--user", DEMO_USER, "--profile", "kz").returncode == 0
    stored = list(Finding.objects.order_by("pk").values_list("pk", "status", "fingerprint", "changed_at"))
    assert stored
    result = habeas("check", "--user", DEMO_USER, "--profile", "kz", "--as-of", "2012-01-01")
    assert result.returncode == 0, result.stderr
    assert "as of 2012-01-01; nothing stored" in result.stderr
    assert list(Finding.objects.order_by("pk").values_list("pk", "status", "fingerprint", "changed_at")) == stored


def test_check_can_run_one_rule_and_write_csv(demo_user):
    result = habeas(
        "check",
        "--user",
        DEMO_USER,
        "--profile",
        "kz",
        "--rule",
        "MANDELA-68-NOTIFY-FAMILY",
        "--format",
        "csv",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "rule,status,severity,subject,summary,record"
    assert len(lines) == 2 and "Dmitri Tian" in lines[1]  # one finding citing Mandela 68 and BOP 16


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--profile", "atlantis"], "unknown profile 'atlantis'"),
        (["--rule", "MANDELA-99"], "unknown rule code 'MANDELA-99'"),
        (["--profile", "international", "--rule", "KZ-CPC-DETENTION-48H"], "is not part of profile"),
    ],
)
def test_check_names_a_bad_profile_or_rule(demo_user, args, message):
    result = habeas("check", "--user", DEMO_USER, *args)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_check_needs_to_know_who_runs_it(demo_user, monkeypatch):
    monkeypatch.delenv("HABEAS_USER", raising=False)
    result = habeas("check", "--profile", "kz")
    assert result.returncode == 2
    assert "say who you are: --user NAME or HABEAS_USER" in result.stderr and result.stdout == ""


def test_check_takes_the_user_from_HABEAS_USER(env):
    """The real entry point, in a subprocess, on a copy of the demo database."""
    result = run_habeas("check", "--profile", "kz", "--format", "csv", env={**env, "HABEAS_USER": DEMO_USER})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("rule,status,severity,subject,summary,record")


def test_rules_lists_the_catalogue_with_cited_parameters(db):
    result = habeas("rules", "--profile", "kz", "--format", "json")
    assert result.returncode == 0, result.stderr
    rules = {r["rule"]: r for r in json.loads(result.stdout)}
    solitary = rules["KZ-PEC-SOLITARY-1M-PROSECUTOR"]["parameters"]["P_KZ_SOLITARY_D"]
    assert solitary["value"] == 30 and "General Prosecutor's Office" in solitary["citation"]
    prolonged = rules["MANDELA-44-PROLONGED-SOLITARY"]["parameters"]["P_PROLONGED_SOLITARY_D"]
    assert prolonged["value"] == 15 and prolonged["kind"] == "set by the standard"
    prompt = rules["CAT-12-PROMPT-IMPARTIAL-INVESTIGATION"]["parameters"]["P_INVESTIGATION_OPEN_D"]
    assert prompt["kind"] == "working threshold" and "gives no number" in prompt["working"]
    assert rules["OPCAT-21-NO-REPRISALS"]["applies"] == "states party to OPCAT, while in force"
    assert rules["MANDELA-44-PROLONGED-SOLITARY"]["applies"] == "everywhere"
