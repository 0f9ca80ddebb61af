"""A backup of a SQLite database does not hold the database while it is written: the database is copied with
SQLite's online backup API in steps, and the archive is written from the copy, so that a writer (a page
recording its audit event, the worker) goes on at once all along; no copy is left behind."""

from __future__ import annotations

import secrets
import sqlite3
import subprocess
import sys
import time

from tests.cli.conftest import cli_env, run_habeas


def test_writers_go_on_while_a_backup_of_a_sqlite_database_is_written(tmp_path):
    folder = tmp_path / "instance"
    folder.mkdir()
    env = cli_env(
        folder,
        HABEAS_SECRET_KEY=secrets.token_urlsafe(50),
        HABEAS_BACKUP_PASSPHRASE="seven words are easier to keep",
    )
    for command in (["manage", "migrate"], ["synth", "--scale", "0.005", "--team", "Monitors"]):
        result = run_habeas(*command, env=env, timeout=900)
        assert result.returncode == 0, result.stderr
    before = {p.name for p in folder.iterdir()}
    writer = sqlite3.connect(folder / "habeas.sqlite3", timeout=2, isolation_level=None)
    writer.execute("CREATE TABLE probe (at REAL)")  # not a table of Habeas: the backup leaves it out

    backup = subprocess.Popen(
        [sys.executable, "-m", "habeas.cli.main", "backup", str(tmp_path / "archive.habeas")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    waits, refused = [], []
    while backup.poll() is None:
        began = time.perf_counter()
        try:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO probe VALUES (?)", (time.time(),))
            writer.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            refused.append(str(exc))
            writer.execute("ROLLBACK") if writer.in_transaction else None
        waits.append(time.perf_counter() - began)
        time.sleep(0.05)
    out, err = backup.communicate()
    writer.close()

    assert backup.returncode == 0, err
    assert "Wrote " in out
    assert len(waits) > 20  # the backup took a while: the writer tried all along
    assert refused == []
    assert max(waits) < 1.0
    # the snapshot was removed: what is new is the audit trail's checkpoint (the backup is an audit event)
    assert {p.name for p in folder.iterdir()} - before <= {"audit-checkpoint.json", ".audit-checkpoint.json.lock"}
    assert before <= {p.name for p in folder.iterdir()}
