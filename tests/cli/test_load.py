"""`habeas load`: bad input gets one clear error naming file and position; the database is untouched. Bad
files are loaded in the test's process into the test database holding the demo records; a good one in a
subprocess into a copy of the demo database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from django.db import connection

from tests.cli.conftest import cli_env, habeas, run_habeas

TABLES = [
    "auth_user",
    "accounts_auditevent",
    "registry_person",
    "evidence_citation",
    "custody_custodyepisode",
    "cases_allegation",
    "evidence_source",
]


@pytest.fixture
def database(demo_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(demo_dir / "demo.sqlite3", copy)
    shutil.copy(demo_dir / "keys.json", tmp_path / "keys.json")  # the database and its key file
    return copy


def row_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as database:
        return {t: database.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}


def database_row_counts() -> dict[str, int]:
    """The row counts of the test database."""
    with connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"select count(*) from {table}")
            counts[table] = cursor.fetchone()[0]
        return counts


def load(database: Path, data_file: Path, *options: str) -> tuple[int, str]:
    env = cli_env(database.parent, DATABASE_URL=f"sqlite:///{database}")
    result = run_habeas("load", str(data_file), *(options or ("--user", "demo")), env=env)
    return result.returncode, result.stdout + result.stderr


BAD_FILES = {
    "malformed.json": (
        '{"records": [\n  {"model": "registry.person" "fields": {}}\n]}',
        "line 2, column 31: malformed JSON",
    ),
    "unknown_field.yaml": (
        "default_source: amnesty-2013\nrecords:\n  - model: registry.person\n"
        "    fields: {label: X, nmae: Y}\n"
        "    cite: {section: S}\n",
        "line 3: record 1 (registry.person): unknown field 'nmae'",
    ),
    "nul.yaml": (
        "default_source: amnesty-2013\nrecords:\n  - model: registry.person\n    fields: {label: A\x00B}\n",
        "line 4: a control character (U+0000), which no record holds",
    ),
    "deep.json": ('{"records": ' + "[" * 50_000 + "]" * 50_000 + "}", "line 1: nested deeper than 20"),
    "laughs.yaml": (
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{x}: &{x} [{','.join(['*' + y] * 9)}]\n" for x, y in zip("bcdefghi", "abcdefgh", strict=True))
        + "records: *i\n",
        "line 2: a YAML alias (*name)",
    ),
    "second_record_bad.yaml": (
        "default_source: amnesty-2013\nrecords:\n  - model: registry.person\n    fields: {label: Fine}\n"
        "    cite: {section: S}\n  - model: registry.group\n    fields: {label: G, size: -3}\n"
        "    cite: {section: S}\n",
        "line 6: record 2 (registry.group): field 'size': Ensure this value is greater than or equal to 0.",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_refused_with_its_position_and_nothing_changes(world, tmp_path, name):
    text, expected = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = database_row_counts()
    result = habeas("load", str(path), "--user", "member")
    code, output = result.returncode, result.stdout + result.stderr
    assert code == 1
    assert f"habeas: error: {path}" in output
    assert expected in output
    assert "Traceback" not in output
    assert database_row_counts() == before


def test_a_missing_file_is_named(world, tmp_path):
    before = database_row_counts()
    result = habeas("load", str(tmp_path / "absent.yaml"), "--user", "member")
    assert result.returncode == 1
    assert f"{tmp_path / 'absent.yaml'}: no such file" in result.stdout + result.stderr
    assert database_row_counts() == before


def test_a_good_file_is_loaded(database, tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(
        "default_source: amnesty-2013\nrecords:\n  - model: registry.person\n"
        "    fields: {label: New person}\n"
        "    cite: {section: Impunity}\n",
        encoding="utf-8",
    )
    before = row_counts(database)
    code, output = load(database, path)
    assert code == 0, output
    assert "Loaded 1 records and 1 citations" in output
    after = row_counts(database)
    assert after["registry_person"] == before["registry_person"] + 1


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("auth.user", "{username: backdoor, is_superuser: true, is_staff: true, password: x}"),
        ("accounts.auditevent", "{seq: 999, action: login, summary: forged}"),
    ],
)
def test_a_file_naming_an_account_or_an_audit_event_is_refused_by_name(database, tmp_path, model, fields):
    path = tmp_path / "backdoor.yaml"
    path.write_text(
        f"default_source: amnesty-2013\nrecords:\n  - model: {model}\n    fields: {fields}\n    cite: {{section: S}}\n",
        encoding="utf-8",
    )
    before = row_counts(database)
    code, output = load(database, path)
    assert code == 1
    assert (
        f"habeas: error: {path}, line 3: record 1 ({model}): '{model}' cannot be loaded from a data file: users, "
        "teams, audit events, keys and jobs are managed by administrators"
    ) in output
    assert "Traceback" not in output
    assert row_counts(database) == before


def test_the_user_is_named_and_the_team_must_be_theirs(database, tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(
        "default_source: amnesty-2013\nrecords:\n  - model: registry.person\n    fields: {label: New person}\n"
        "    cite: {section: Impunity}\n",
        encoding="utf-8",
    )
    before = row_counts(database)
    code, output = load(database, path, "--team", "Kazakhstan 2013")
    assert code == 2
    assert "say who you are: --user NAME or HABEAS_USER" in output
    code, output = load(database, path, "--user", "demo", "--team", "Nobody's")
    assert code == 1
    assert 'there is no team "Nobody\'s"' in output
    assert row_counts(database) == before
    code, output = load(database, path, "--user", "demo", "--team", "Kazakhstan 2013")
    assert code == 0, output
