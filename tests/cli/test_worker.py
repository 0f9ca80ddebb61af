"""The worker as it runs beside the server, on a SQLite database file: a job whose worker was killed is seen as
failed after the heartbeat timeout and runs to its end once started again; the worker starts again by itself
after a database error; ``habeas serve`` starts again a worker that exited, and its access log holds no query
string (searches and filters hold names) nor referrer."""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import cli_env, run_habeas


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> tuple[dict[str, str], Path]:
    """A migrated instance on a SQLite file, whose worker beats every second and is given up after 3 s."""
    folder = tmp_path_factory.mktemp("worker")
    env = cli_env(
        folder,
        HABEAS_SECRET_KEY=secrets.token_urlsafe(50),
        HABEAS_JOB_HEARTBEAT_SECONDS="1",
        HABEAS_JOB_STALLED_SECONDS="3",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    result = run_habeas("manage", "migrate", env=env)
    assert result.returncode == 0, result.stderr
    return env, folder / "habeas.sqlite3"


def shell(env: dict[str, str], code: str) -> str:
    """Run Python in the instance, as an administrator would with ``habeas manage shell``."""
    result = run_habeas("manage", "shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def start_waiting_job(env: dict[str, str], gate: Path) -> int:
    code = (
        "from django.contrib.auth.models import User\n"
        "from habeas.accounts.jobs import job_start\n"
        "from tests.cli.tasks import wait_for_file\n"
        "user, _ = User.objects.get_or_create(username='starter')\n"
        f"job = job_start(kind='test', title='Wait', user=user, task=wait_for_file, path={str(gate)!r})\n"
        "print(job.pk)\n"
    )
    return int(shell(env, code).splitlines()[-1])


def job_status(database: Path, job_id: int) -> str:
    with sqlite3.connect(database, timeout=30) as db:
        return str(db.execute("SELECT status FROM core_job WHERE id = ?", (job_id,)).fetchone()[0])


def wait_until(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.2)


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "habeas.cli.main", "worker"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)


def test_a_job_whose_worker_was_killed_is_failed_after_the_timeout_and_runs_once_started_again(instance, tmp_path):
    env, database = instance
    gate = tmp_path / "go"
    job_id = start_waiting_job(env, gate)
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        wait_until(lambda: job_status(database, job_id) == "running", seconds=120, what="the worker to start the job")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    time.sleep(4)
    assert job_status(database, job_id) == "running"  # as the killed worker left it
    check = (
        "from django.utils import timezone\n"
        "from habeas.accounts.jobs import job_restart, job_stalled\n"
        "from habeas.core.models import Job\n"
        f"job = Job.objects.get(pk={job_id})\n"
        "print(job_stalled(job, now=timezone.now()))\n"
        "job_restart(job=job, user=job.created_by, now=timezone.now())\n"
    )
    assert shell(env, check).splitlines()[-1] == "True"
    assert job_status(database, job_id) == "queued"
    gate.touch()
    result = run_habeas("worker", "--batch", env=env)
    assert result.returncode == 0, result.stderr
    assert job_status(database, job_id) == "done"


def test_the_worker_starts_again_after_the_database_stayed_locked(instance, tmp_path):
    env, database = instance
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        time.sleep(5)  # started, and waiting for jobs
        locker = sqlite3.connect(database, timeout=30, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")  # as a long write (a backup, a bulk import) holds it: beyond the 20 s
        time.sleep(24)  # SQLite's busy timeout, after which the worker is told "database is locked"
        locker.execute("ROLLBACK")
        locker.close()
        assert "database is locked" in log.read_text()
        gate = tmp_path / "go"
        gate.touch()
        job_id = start_waiting_job(env, gate)
        wait_until(lambda: job_status(database, job_id) == "done", seconds=120, what="the worker to run a new job")
        assert worker.poll() is None
    finally:
        stop(worker)


def children(pid: int) -> dict[int, str]:
    """The processes ``pid`` started, with their command lines."""
    found = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            found[int(child)] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except FileNotFoundError:
            continue
    return found


def the_worker(pid: int) -> int | None:
    return next((child for child, line in children(pid).items() if line.endswith("habeas.cli.main worker ")), None)


@pytest.fixture(scope="module")
def served(instance, tmp_path_factory) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """``habeas serve`` of the instance on a free port, and the file of what it writes (its access log too)."""
    env, _ = instance
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "habeas.cli.main", "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield server, port, log
    finally:
        stop(server)


def test_serve_starts_again_a_worker_that_exited(served):
    server, _, log = served
    wait_until(lambda: the_worker(server.pid) is not None, seconds=120, what="serve to start its worker")
    first = the_worker(server.pid)
    assert first is not None
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: the_worker(server.pid) not in (None, first), seconds=30, what="serve to start a new worker")
    assert server.poll() is None
    assert "the worker stopped (exit code -9); starting it again" in log.read_text()


def test_serves_access_log_has_no_query_string_nor_referrer(served):
    _, port, log = served

    def answered() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    wait_until(answered, seconds=120, what="the server to answer")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    referrer = f"http://127.0.0.1:{port}/people/?name=Dmitry+Tyan"
    connection.request("GET", "/search/?q=Roza+Tuletaeva", headers={"Referer": referrer})
    assert connection.getresponse().status == 302  # to log in
    wait_until(lambda: '"GET /search/ HTTP/1.1" 302' in log.read_text(), seconds=30, what="the access log")
    written = log.read_text()
    assert "Roza" not in written and "Tyan" not in written and "q=" not in written
