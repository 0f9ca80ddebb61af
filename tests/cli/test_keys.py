"""`habeas keys` on a copy of the demo database: status, and a rotation after which everything still reads."""

from __future__ import annotations

import json
import shutil

from tests.cli.conftest import cli_env, run_habeas


def test_a_rotation_of_the_demo_keeps_every_record_readable(demo_dir, tmp_path):
    shutil.copy(demo_dir / "demo.sqlite3", tmp_path / "demo.sqlite3")
    shutil.copy(demo_dir / "keys.json", tmp_path / "keys.json")
    env = cli_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    old = json.loads((tmp_path / "keys.json").read_text())["current"]
    status = run_habeas("keys", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert f"{old} (current):" in status.stdout
    rotated = run_habeas("keys", "rotate", env=env)
    assert rotated.returncode == 0, rotated.stderr
    new = json.loads((tmp_path / "keys.json").read_text())
    assert list(new["keys"]) == [new["current"]] != [old]
    assert f"Removed the old keys {old}" in rotated.stdout
    verify = run_habeas("audit", "verify", env=env)
    assert verify.returncode == 0, verify.stderr
    check = run_habeas("check", "--profile", "kz", "--user", "demo", "--format", "json", env=env)
    assert check.returncode == 0, check.stderr
    assert "Dmitri Tian" in check.stdout


def test_init_refuses_to_overwrite_a_key_file(tmp_path):
    env = cli_env(tmp_path)  # creates the key file, as `habeas keys init` does
    before = (tmp_path / "keys.json").read_bytes()
    again = run_habeas("keys", "init", env=env)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert (tmp_path / "keys.json").read_bytes() == before
