"""After the README's demo command, its other commands work on the demo's data with only the data folder set."""

from __future__ import annotations

from tests.cli.conftest import cli_env, run_habeas


def test_check_works_after_the_demo_with_nothing_set_but_the_data_folder(demo_dir):
    env = cli_env(demo_dir)
    for name in ("HABEAS_SECRET_KEY", "HABEAS_SECRET_KEY_FILE", "HABEAS_DEBUG", "HABEAS_KEY_FILE"):
        env.pop(name, None)
    result = run_habeas("check", "--user", "demo", "--format", "csv", env=env)
    assert result.returncode == 0, result.stderr
    assert "Zhanaozen" in result.stdout  # the demo's findings, not an empty database's
