"""Load test of the JSON API: 20 clients listing 1,000 persons at a time from the production server.

Usage (a throw-away database: a PostgreSQL one from scripts/with-postgres, else SQLite in the data folder):

    HABEAS_SECRET_KEY=… HABEAS_DATA_DIR=$(mktemp -d) HABEAS_SECURE_COOKIES=0 \\
        scripts/with-postgres .venv/bin/python bench/bench_api.py [--persons 5000] [--clients 20] [--seconds 30]

It migrates the database, adds ``--persons`` persons to a team through the write path (once; a national-scale
database from ``habeas synth`` may be used instead, with ``--team``), creates a researcher of that team and a
token of theirs, starts ``habeas serve`` on a free loopback port and has each client call
``GET /api/persons/?limit=1000&offset=…`` (a random page) with no pause, for ``--warmup`` and then ``--seconds``
seconds. Each call is a read event in the audit trail. It prints the number of calls, the median, 95th and 99th
percentile and the worst latency in milliseconds, and any answer other than 200.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(team_name: str, persons: int) -> tuple[str, int]:
    """The bench user's token, and the number of persons of the team."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habeas.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from habeas.accounts.models import Membership, Role, Team
    from habeas.accounts.records import record_create
    from habeas.api.services import token_create
    from habeas.registry.models import Person

    team, _ = Team.objects.get_or_create(name=team_name)
    user, _ = get_user_model().objects.get_or_create(username="bench-api")
    Membership.objects.get_or_create(user=user, team=team, defaults={"role": Role.RESEARCHER})
    have = Person.objects.filter(team=team).count()
    for number in range(have, persons):
        record_create(record=Person(team=team, label=f"Bench person {number}", sex="m"), user=user)
    _, secret = token_create(user=user, name="bench")
    return secret, Person.objects.filter(team=team).count()


def run(port: int, secret: str, total: int, clients: int, warmup: float, seconds: float) -> tuple[list, list]:
    latencies: list[float] = []
    failures: list[str] = []
    start = time.monotonic()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    lock = threading.Lock()
    pages = max(1, total // PAGE)

    def work(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        rng = random.Random(number)
        headers = {"Authorization": f"Bearer {secret}", "Host": "127.0.0.1"}
        while (now := time.monotonic()) < stop_at:
            path = f"/api/persons/?limit={PAGE}&offset={rng.randrange(pages) * PAGE}"
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (http.client.HTTPException, OSError) as exc:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = repr(exc)  # type: ignore[assignment]
            took = (time.perf_counter() - began) * 1000
            if now >= measure_from:
                with lock:
                    latencies.append(took)
                    if status != 200:
                        failures.append(f"{path}: {status}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--team", default="Bench")
    parser.add_argument("--persons", type=int, default=5000, help="persons the team holds at least")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    args = parser.parse_args()
    os.environ["HABEAS_API_PER_MINUTE"] = "1000000"  # the bench measures latency, not the rate limit
    secret, total = prepare(args.team, args.persons)
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "habeas"), "serve", "--port", str(port), "--workers", str(args.workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    message = server.stderr.read() if server.stderr else ""
                    raise SystemExit(f"the server did not start:\n{message}") from None
                time.sleep(0.3)
        latencies, failures = run(port, secret, total, args.clients, args.warmup, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{total} persons, {args.clients} clients, {args.workers} workers, pages of {PAGE}")
    if not latencies:
        print(f"no call started after the warm-up finished within the run; not 200: {failures[:3]}")
        return 1
    print(
        f"calls {len(latencies)} ({len(latencies) / args.seconds:.1f}/s), median {percentile(latencies, 50):.0f} ms, "
        f"p95 {percentile(latencies, 95):.0f} ms, p99 {percentile(latencies, 99):.0f} ms, "
        f"worst {max(latencies):.0f} ms"
    )
    for failure in failures[:10]:
        print("not 200:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
