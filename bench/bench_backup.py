"""Pages during a backup: the production server under concurrent clients, before, during and after
``habeas backup`` of the same database.

Usage (the database must hold ``habeas synth --scale … --team Monitors``):

    HABEAS_SECRET_KEY=… HABEAS_DATA_DIR=… HABEAS_SECURE_COOKIES=0 HABEAS_BACKUP_PASSPHRASE=… \\
        .venv/bin/python bench/bench_backup.py [--clients 5] [--before 30] [--after 15] [--workers 2]

It starts ``habeas serve`` on a free loopback port (the pages of ``bench_pages.py``: person, place, dashboard,
search, each read recording its audit event), lets the clients (once all logged in) run ``--before`` seconds,
then runs ``habeas backup`` to a new archive beside the database, and goes on ``--after`` seconds after it ends.
Each request counts in the phase in which it started. It prints, per phase, the number of requests, median, 95th
and 99th percentile and worst latency in milliseconds and the responses other than 200, the backup's duration, and
whether the task worker stopped (``habeas serve`` starts it again and says so).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pages import Client, free_port, percentile, prepare


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--team", default="Monitors")
    parser.add_argument("--clients", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--before", type=float, default=30)
    parser.add_argument("--after", type=float, default=15)
    args = parser.parse_args()
    urls = prepare(args.team, 200)
    port = free_port()
    habeas = str(Path(sys.executable).parent / "habeas")
    log = tempfile.TemporaryFile()  # noqa: SIM115 (read after the server stops)
    server = subprocess.Popen(
        [habeas, "serve", "--port", str(port), "--workers", str(args.workers)], stdout=log, stderr=log
    )
    phases: dict[str, list[float]] = {"before": [], "during": [], "after": []}
    failures: dict[str, list[str]] = {phase: [] for phase in phases}
    phase = ["before"]
    stop = threading.Event()
    lock = threading.Lock()
    logged_in = threading.Barrier(args.clients + 1)

    def work(number: int) -> None:
        client = Client(port)
        client.log_in()
        logged_in.wait()
        rng = random.Random(number)
        kinds = list(urls)
        i = number
        while not stop.is_set():
            kind = kinds[i % len(kinds)]
            i += 1
            path = rng.choice(urls[kind])
            started_in = phase[0]
            began = time.perf_counter()
            try:
                status, _ = client.request("GET", path)
                error = ""
            except (http.client.HTTPException, OSError) as exc:
                status, error = -1, repr(exc)
            took = (time.perf_counter() - began) * 1000
            with lock:
                phases[started_in].append(took)
                if status != 200:
                    failures[started_in].append(f"{path}: {status if status != -1 else error}")

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.3)
        threads = [threading.Thread(target=work, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        logged_in.wait()
        time.sleep(args.before)
        archive = Path(os.environ["HABEAS_DATA_DIR"]) / f"bench-{int(time.time())}.habeas"
        phase[0] = "during"
        began = time.monotonic()
        backup = subprocess.run([habeas, "backup", str(archive)], capture_output=True, text=True)
        took = time.monotonic() - began
        phase[0] = "after"
        time.sleep(args.after)
        stop.set()
        for thread in threads:
            thread.join()
        archive.unlink(missing_ok=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    log.seek(0)
    served = log.read().decode("utf-8", "replace")
    load = os.getloadavg()
    print(
        f"{args.clients} clients, {args.workers} gunicorn workers; backup: {took:.1f} s, exit code "
        f"{backup.returncode}{' ' + backup.stderr.strip().splitlines()[-1] if backup.returncode else ''}; "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print("| phase | requests | median ms | p95 ms | p99 ms | worst ms | not 200 |")
    print("|---|---|---|---|---|---|---|")
    for name, values in phases.items():
        if values:
            print(
                f"| {name} | {len(values)} | {statistics.median(values):.0f} | {percentile(values, 95):.0f} "
                f"| {percentile(values, 99):.0f} | {max(values):.0f} | {len(failures[name])} |"
            )
        for line in failures[name][:3]:
            print(f"    {line}")
    stopped = served.count("the worker stopped")
    print(f"task worker: {'stopped ' + str(stopped) + ' time(s), started again' if stopped else 'ran throughout'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
