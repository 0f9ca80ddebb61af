"""`habeas export --redact PROFILE` from the command line, run in a subprocess on a copy of the demo database."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from habeas.core.crypto import Keyring, unseal
from habeas.demo import DEMO_USER
from tests.cli.conftest import cli_env, demo_dir, run_habeas  # noqa: F401 (demo_dir is a fixture)
from tests.protected import leaks, protected_texts


@pytest.fixture
def env(demo_dir, tmp_path):  # noqa: F811
    copy = tmp_path / "demo.sqlite3"
    shutil.copy(demo_dir / "demo.sqlite3", copy)
    shutil.copy(demo_dir / "keys.json", tmp_path / "keys.json")  # the database and its key file
    return cli_env(tmp_path, DATABASE_URL=f"sqlite:///{copy}")


def export_events(env) -> list[dict]:
    """The details of the copy's export events, opened with its key file (they are stored encrypted)."""
    database = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    ring = Keyring.read(database.parent / "keys.json")
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT details FROM accounts_auditevent WHERE action = 'export' ORDER BY seq")
        return [json.loads(unseal(details, ring=ring)) for (details,) in rows]


def test_export_writes_the_json_file_prints_a_summary_and_records_it(env, tmp_path):
    out = tmp_path / "public.json"
    result = run_habeas("export", "--redact", "public", "--out", str(out), "--user", DEMO_USER, env=env)
    assert result.returncode == 0, result.stderr
    blob = out.read_bytes()
    document = json.loads(blob)
    assert document["profile"] == "public"
    assert len(document["records"]["registry.person"]) == 17
    assert leaks(blob, protected_texts()) == []
    sha = hashlib.sha256(blob).hexdigest()
    assert "redaction profile 'public'" in result.stdout
    assert "17  registry.person" in result.stdout
    assert str(out) in result.stdout and sha in result.stdout
    (event,) = export_events(env)
    assert event["sha256"] == sha and event["profile"] == "public"
    assert event["destination"] == str(out.resolve())


def test_export_writes_a_zip_of_csv_files(env, tmp_path):
    out = tmp_path / "partner.zip"
    args = ["export", "--redact", "partner", "--format", "csv", "--out", str(out), "--user", DEMO_USER]
    result = run_habeas(*args, env=env)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        assert "custody.custodyepisode.csv" in archive.namelist()
        contents = b"".join(archive.read(name) for name in archive.namelist())
    assert leaks(contents, protected_texts()) == []


def test_export_without_a_user_exits_2_and_writes_nothing(env, tmp_path):
    out = tmp_path / "public.json"
    result = run_habeas("export", "--redact", "public", "--out", str(out), env=env)
    assert result.returncode == 2
    assert "--user NAME" in result.stderr
    assert not out.exists()
    assert export_events(env) == []


def test_export_without_redact_is_refused(env, tmp_path):
    out = tmp_path / "all.json"
    result = run_habeas("export", "--out", str(out), "--user", DEMO_USER, env=env)
    assert result.returncode == 2
    assert "--redact PROFILE" in result.stderr and "no unredacted exports" in result.stderr
    assert not out.exists()


def test_an_unknown_profile_is_an_error_listing_the_profiles(env, tmp_path):
    out = tmp_path / "x.json"
    result = run_habeas("export", "--redact", "atlantis", "--out", str(out), "--user", DEMO_USER, env=env)
    assert result.returncode == 1
    assert "unknown redaction profile 'atlantis'; the profiles are: partner, public" in result.stderr
    assert not out.exists()
    assert export_events(env) == []
