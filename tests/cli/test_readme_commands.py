"""After the README's demo command, its other commands work on the demo's data with only the data folder set, and the
demo holds what a newcomer should see: the illustrative lists and their estimate."""

from __future__ import annotations

import sqlite3

from tests.cli.conftest import cli_env, run_habeas


def test_check_works_after_the_demo_with_nothing_set_but_the_data_folder(demo_dir):
    env = cli_env(demo_dir)
    for name in ("HABEAS_SECRET_KEY", "HABEAS_SECRET_KEY_FILE", "HABEAS_DEBUG", "HABEAS_KEY_FILE"):
        env.pop(name, None)
    result = run_habeas("check", "--user", "demo", "--format", "csv", env=env)
    assert result.returncode == 0, result.stderr
    assert "Zhanaozen" in result.stdout  # the demo's findings, not an empty database's


def test_the_demo_holds_its_illustrative_lists_and_their_estimate(demo_dir):
    with sqlite3.connect(demo_dir / "demo.sqlite3") as db:
        illustrative = db.execute("select count(*) from counting_sourcelist where illustrative").fetchone()[0]
        low, estimate, high = db.execute("select ci_low, estimate, ci_high from counting_estimaterun").fetchone()
    assert illustrative == 3
    assert low <= estimate <= high
