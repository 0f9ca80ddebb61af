from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from habeas.core.crypto import keys_init

Run = Callable[..., subprocess.CompletedProcess[str]]


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a user's shell: no test settings, a data folder of its own."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env["HABEAS_DATA_DIR"] = str(data_dir)
    env.update(extra)
    keys = Path(env.get("HABEAS_KEY_FILE") or data_dir / "keys.json")
    if not keys.exists():  # what `habeas keys init` does on a new instance
        keys_init(keys)
    return env


def run_habeas(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "habeas.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding a freshly built demo database."""
    folder = tmp_path_factory.mktemp("demo")
    result = run_habeas("demo", "--no-serve", "--yes", env=cli_env(folder))
    assert result.returncode == 0, result.stderr
    return folder
