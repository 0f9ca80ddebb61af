"""``habeas lists``: import, link, review, histories and estimate from the command line, as a named user.

One SQLite instance is set up for the module (migrated, with teams A and B, a source of team A, a member and a
read-only member and an analyst of A, and an outsider in B); the tests run the command as a user would.
"""

from __future__ import annotations

import codecs
import csv
import re
import sqlite3
from pathlib import Path

import pytest

from tests.cli.conftest import cli_env, run_habeas
from tests.counting.conftest import (
    FAMILIES,
    HEADER_EN,
    HEADER_RU,
    LAWYERS,
    MAP_EN,
    MAP_RU,
    OFFICIAL,
    csv_bytes,
    filler,
    xlsx_bytes,
)

SETUP = """
from django.contrib.auth import get_user_model
from habeas.accounts.models import Role, Team
from habeas.accounts.services import membership_grant
from habeas.evidence.models import Source

users = get_user_model().objects
team_a, team_b = Team.objects.create(name="A"), Team.objects.create(name="B")
Source.objects.create(key="register", title="Official register", kind="official", team=team_a)
for name, team, role in [
    ("member", team_a, Role.RESEARCHER),
    ("readonly", team_a, Role.READ_ONLY),
    ("analyst", team_a, Role.ANALYST),
    ("outsider", team_b, Role.RESEARCHER),
]:
    membership_grant(team=team, user=users.create_user(name, "", "a-long-test-password"), role=role, actor=None)
"""


def as_map(mapping: dict[str, str]) -> str:
    return ",".join(f"{field}={column}" for field, column in mapping.items())


class Instance:
    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env

    def run(self, *args: str, user: str | None = "member"):
        env = {k: v for k, v in self.env.items() if k != "HABEAS_USER"}
        return run_habeas("lists", *args, *(["--user", user] if user else []), env=env)

    def events(self, action: str) -> list[tuple[str, str, str]]:
        with sqlite3.connect(self.folder / "db.sqlite3") as db:
            return db.execute(
                "SELECT actor_label, target_type, target_id FROM accounts_auditevent WHERE action = ? ORDER BY seq",
                (action,),
            ).fetchall()


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> Instance:
    folder = tmp_path_factory.mktemp("lists")
    env = cli_env(folder, DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}")
    for args in (["manage", "migrate", "--verbosity", "0"], ["manage", "shell", "-c", SETUP]):
        result = run_habeas(*args, env=env)
        assert result.returncode == 0, result.stderr
    official, lawyers, families = filler()
    (folder / "register.csv").write_bytes(csv_bytes(HEADER_RU, OFFICIAL + official, encoding="cp1251", delimiter=";"))
    (folder / "lawyers.csv").write_bytes(csv_bytes(HEADER_EN, LAWYERS + lawyers))
    (folder / "families.xlsx").write_bytes(xlsx_bytes(HEADER_EN, FAMILIES + families))
    (folder / "wide.yaml").write_text("review_band: [0.3, 1.0]\n", encoding="utf-8")
    return Instance(folder, env)


@pytest.fixture(scope="module")
def linked(instance) -> dict[str, str]:
    """The three lists imported and linked; the ids of the lists and the run."""
    ids = []
    for name, mapping in (("register.csv", MAP_RU), ("lawyers.csv", MAP_EN), ("families.xlsx", MAP_EN)):
        result = instance.run("import", str(instance.folder / name), "--source", "register", "--map", as_map(mapping))
        assert result.returncode == 0, result.stderr
        ids.append(re.search(r"Imported list (\d+)", result.stdout).group(1))
    result = instance.run("link", *ids, "--seed", "1", "--config", str(instance.folder / "wide.yaml"))
    assert result.returncode == 0, result.stderr
    run = re.search(r"Linkage run (\d+)", result.stdout).group(1)
    return {"lists": ids, "run": run, "summary": result.stdout}


def test_an_import_says_what_was_read(instance, linked):
    result = instance.run(
        "import", str(instance.folder / "register.csv"), "--source", "register", "--map", as_map(MAP_RU)
    )
    assert result.returncode == 1 and "already imported" in result.stderr  # the same file twice is refused
    assert [e[1] for e in instance.events("import")] == ["counting.sourcelist"] * 3


def test_a_bad_file_is_refused_naming_row_and_column(instance, linked):
    path = instance.folder / "bad.csv"
    path.write_bytes(csv_bytes(HEADER_RU, [("1", "Тян", "Дмитрий", "", "м", "31.02.1980", "")]))
    result = instance.run("import", str(path), "--source", "register", "--map", as_map(MAP_RU))
    assert result.returncode == 1
    assert "row 2, column 'Дата рождения': '31.02.1980' is not a real date" in result.stderr
    assert "Traceback" not in result.stderr


def test_link_prints_the_summary(linked):
    assert re.search(r"\d+ records, \d+ people \(clusters\), \d+ links; \d+ pairs to review", linked["summary"])


def test_review_prints_pairs_side_by_side_and_records_a_decision(instance, linked):
    run = linked["run"]
    result = instance.run("review", run)
    assert result.returncode == 0, result.stderr
    assert "Кенжебаев" in result.stdout and "Kenzhebaev" in result.stdout
    pair = re.search(r"^Pair (\d+)", result.stdout, re.MULTILINE).group(1)
    assert ("member", "cli", "lists") in instance.events("read")
    decided = instance.run("review", run, "--decide", pair, "different", "--reason", "different fathers")
    assert decided.returncode == 0, decided.stderr
    assert ("member", "counting.reviewpair", pair) in instance.events("update")
    again = re.search(r"Linked again at once as run (\d+): \d+ people", decided.stdout).group(1)
    assert int(again) > int(run)
    assert f"Pair {pair} " not in instance.run("review", run).stdout


def test_an_analyst_not_granted_identities_sees_no_names_in_the_review(instance, linked):
    result = instance.run("review", linked["run"], user="analyst")
    assert result.returncode == 0, result.stderr
    assert "(hidden)" in result.stdout and "Кенжебаев" not in result.stdout and "Kenzhebaev" not in result.stdout


def test_histories_are_exported_and_the_read_is_audited(instance, linked):
    out = instance.folder / "histories.csv"
    result = instance.run("histories", linked["run"], "--strata", "sex", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(codecs.BOM_UTF8)  # spreadsheet programs then read it as UTF-8
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) == {"cluster_id", "n_records", "sex", *(f"list_{i}" for i in linked["lists"])}
    assert ("member", "cli", "lists") in instance.events("read")


def test_an_estimate_is_stored_and_printed(instance, linked):
    result = instance.run("estimate", linked["run"], "--method", "loglinear", "--seed", "4")
    assert result.returncode == 0, result.stderr
    assert re.search(r"Estimate run \d+ \(loglinear, seed 4\)", result.stdout)
    assert "estimated total" in result.stdout
    assert any(e[1] == "counting.estimaterun" for e in instance.events("create"))


@pytest.mark.parametrize(
    "args",
    [
        ["import", "x.csv", "--source", "register", "--map", "surname=Фамилия"],
        ["link", "1"],
        ["review", "1"],
        ["histories", "1"],
        ["estimate", "1"],
    ],
    ids=lambda a: a[0],
)
def test_every_command_without_a_user_exits_2(instance, args):
    result = instance.run(*args, user=None)
    assert result.returncode == 2
    assert "say who you are" in result.stderr


@pytest.mark.parametrize("command", ["link", "review", "histories", "estimate"])
def test_another_teams_user_finds_nothing(instance, linked, command):
    target = linked["lists"] if command == "link" else [linked["run"]]
    result = instance.run(command, *target, user="outsider")
    assert result.returncode == 1
    assert re.search(r"no (list|linkage run) \d+", result.stderr)


def test_a_read_only_member_may_not_link_or_decide(instance, linked):
    result = instance.run("link", *linked["lists"], user="readonly")
    assert result.returncode == 1 and "may not link" in result.stderr
    result = instance.run("review", linked["run"], "--decide", "1", "same", "--reason", "x", user="readonly")
    assert result.returncode == 1 and "may read but not decide" in result.stderr
