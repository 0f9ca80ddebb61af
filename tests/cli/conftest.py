from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from unittest import mock

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


def run_habeas(*args: str, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "habeas.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def habeas(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``habeas ARGS`` run in the test's own process: its ``main``, with the settings and the database of the
    tests and ``env`` added to the environment, what it prints captured as a subprocess's would be (the
    warnings it shows, as Python shows them by default, included). Saves the start of a new Python for each
    run; the commands themselves are the same. ``run_habeas`` runs the real entry point, in a subprocess."""
    from habeas.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.dict(os.environ, env or {}),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        warnings.catch_warnings(record=True) as shown,
    ):
        warnings.simplefilter("default")
        for hidden in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.simplefilter("ignore", hidden)
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 1
    shown_text = "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line) for w in shown)
    return subprocess.CompletedProcess(["habeas", *args], code, out.getvalue(), err.getvalue() + shown_text)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding a freshly built demo database."""
    folder = tmp_path_factory.mktemp("demo")
    result = run_habeas("demo", "--no-serve", "--yes", env=cli_env(folder))
    assert result.returncode == 0, result.stderr
    return folder
