"""`habeas demo`: builds the briefing's database offline, keeps an existing one unless told, and serves it."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from habeas.core.crypto import Keyring, unseal
from habeas.demo import DEMO_PASSWORD, DEMO_USER
from tests.cli.conftest import cli_env, run_habeas


def test_it_builds_the_demo_database_and_prints_a_summary(demo_dir):
    ring = Keyring.read(demo_dir / "keys.json")
    with sqlite3.connect(demo_dir / "demo.sqlite3") as connection:
        stored = [row[0] for row in connection.execute("select label from registry_person")]
    assert all(value.startswith(f"hb1:{ring.current}:") for value in stored)  # in the file, only ciphertext
    assert {"Roza Tuletaeva", "Aron Atabek", "Dmitri Tian"} <= {unseal(value, ring=ring) for value in stored}


def test_without_a_terminal_it_keeps_the_existing_database(demo_dir):
    before = (demo_dir / "demo.sqlite3").stat().st_mtime_ns
    result = run_habeas("demo", "--no-serve", env=cli_env(demo_dir))
    assert result.returncode == 0, result.stderr
    assert "Keeping the existing demo database" in result.stdout
    assert f"Log in as '{DEMO_USER}'" in result.stdout
    assert (demo_dir / "demo.sqlite3").stat().st_mtime_ns == before


def test_the_summary_counts_the_records(tmp_path):
    result = run_habeas("demo", "--no-serve", "--yes", env=cli_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert re.search(r"^\s+\d+\s+persons$", result.stdout, re.MULTILINE)
    assert re.search(r"^\s+\d+\s+citations of sources$", result.stdout, re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_it_serves_the_admin_with_the_briefings_records(demo_dir):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "habeas.cli.main", "demo", "--port", str(port)],
        env=cli_env(demo_dir),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(f"{base}/admin/login/")
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(f"{base}/admin/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": DEMO_USER,
                "password": DEMO_PASSWORD,
                "next": "/admin/",
            }
        ).encode()
        request = urllib.request.Request(f"{base}/admin/login/", data=form, headers={"Referer": f"{base}/admin/login/"})
        index = opener.open(request).read().decode()
        assert "Site administration" in index or "Records" in index
        people = opener.open(f"{base}/admin/registry/person/?q=Tuletaeva").read().decode()
        assert "Roza Tuletaeva" in people
        styles = opener.open(f"{base}/static/admin/css/base.css")
        assert styles.status == 200
        # stopped as a service manager stops it (SIGTERM to it alone): the server and the worker stop too
        server.terminate()
        server.wait(timeout=60)
        assert group_ends(server.pid), "gunicorn or the worker outlived `habeas demo`"
        shown = server.stdout.read().decode() if server.stdout else ""
        assert "Serving on" in shown and "GET /admin/" not in shown  # a line per start and error, not per request
    finally:
        if not group_ends(server.pid, seconds=0):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def group_ends(group: int, seconds: float = 30) -> bool:
    """Whether no process of the group is left, within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
