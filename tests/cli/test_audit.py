"""`habeas audit verify` from the command line: exit 0 when intact, 1 naming the first broken link."""

from __future__ import annotations

import shutil
import sqlite3

from tests.cli.conftest import cli_env, run_habeas


def test_the_demo_audit_trail_verifies_and_a_tampered_copy_does_not(demo_dir, tmp_path):
    copy = tmp_path / "demo.sqlite3"
    shutil.copy(demo_dir / "demo.sqlite3", copy)
    shutil.copy(demo_dir / "keys.json", tmp_path / "keys.json")  # the database, its key file and checkpoint
    shutil.copy(demo_dir / "audit-checkpoint.json", tmp_path / "audit-checkpoint.json")
    env = cli_env(tmp_path, DATABASE_URL=f"sqlite:///{copy}")
    intact = run_habeas("audit", "verify", env=env)
    assert intact.returncode == 0, intact.stderr
    assert "The audit trail of" in intact.stdout and "is intact" in intact.stdout
    with sqlite3.connect(copy) as connection:
        connection.execute("update accounts_auditevent set actor_label = 'nobody' where seq = 2")
    broken = run_habeas("audit", "verify", env=env)
    assert broken.returncode == 1
    assert "event #2 was altered after it was recorded" in broken.stderr
    with sqlite3.connect(copy) as connection:  # the encrypted summary replaced by a text in clear
        connection.execute("update accounts_auditevent set summary = 'nothing happened' where seq = 1")
    unreadable = run_habeas("audit", "verify", env=env)
    assert unreadable.returncode == 1
    assert "event #1 cannot be read" in unreadable.stderr and "stored unencrypted" in unreadable.stderr
