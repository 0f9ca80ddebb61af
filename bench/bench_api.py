"""Load test of the JSON API: 20 clients listing 1,000 persons at a time from the production server.

Usage (a throw-away database: a PostgreSQL one from scripts/with-postgres, else SQLite in the data folder):

    HABEAS_SECRET_KEY=… HABEAS_DATA_DIR=$(mktemp -d) HABEAS_SECURE_COOKIES=0 \\
        scripts/with-postgres .venv/bin/python bench/bench_api.py [--persons 5000] [--clients 20] [--seconds 30]

It migrates the database, adds ``--persons`` persons to a team through the write path (once; a national-scale
database from ``habeas synth`` may be used instead, with ``--team``), creates a researcher of that team and a
token of theirs, starts ``habeas serve`` on a free loopback port and has each client call
``GET /api/persons/?limit=1000&offset=…`` (a random page) with no pause, for ``--warmup`` and then ``--seconds``
seconds; with ``--paging after`` the same pages are asked for as ``?limit=1000&after=…`` (the id before the page,
as a client walking the list with each page's ``next`` does). Before the server starts, ``--in-process N`` times
N calls (after a first one) inside this process, which shows the cost of a call apart from the queueing. Each
call is a read event in the audit trail. It prints the number of calls, the median, 95th and 99th percentile and
the worst latency in milliseconds, and any answer other than 200.
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


def prepare(team_name: str, persons: int) -> tuple[str, list[int]]:
    """The bench user's token, and the id before each page of the team's persons."""
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
    ids = list(Person.objects.filter(team=team).order_by("pk").values_list("pk", flat=True))
    return secret, [0, *ids[PAGE - 1 : -1 : PAGE]][: max(1, len(ids) // PAGE)]


def path(paging: str, befores: list[int], page: int) -> str:
    where = f"offset={page * PAGE}" if paging == "offset" else f"after={befores[page]}"
    return f"/api/persons/?limit={PAGE}&{where}"


def in_process(secret: str, befores: list[int], paging: str, calls: int) -> tuple[float, list[float]]:
    """The first call and ``calls`` more (random pages) through Django's test client, in milliseconds."""
    from django.test import Client

    client, rng = Client(), random.Random(0)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_HOST": "127.0.0.1"}
    took = []
    for number in range(calls + 1):
        began = time.perf_counter()
        response = client.get(path(paging, befores, rng.randrange(len(befores)) if number else 0), **headers)
        took.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"in-process call answered {response.status_code}: {response.content[:300]!r}")
    return took[0], took[1:]


def run(
    port: int, secret: str, befores: list[int], paging: str, clients: int, warmup: float, seconds: float
) -> tuple[list, list]:
    latencies: list[float] = []
    failures: list[str] = []
    start = time.monotonic()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    lock = threading.Lock()

    def work(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        rng = random.Random(number)
        headers = {"Authorization": f"Bearer {secret}", "Host": "127.0.0.1"}
        while (now := time.monotonic()) < stop_at:
            asked = path(paging, befores, rng.randrange(len(befores)))
            began = time.perf_counter()
            try:
                connection.request("GET", asked, headers=headers)
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
                        failures.append(f"{asked}: {status}")

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
    parser.add_argument("--paging", choices=["offset", "after"], default="offset")
    parser.add_argument("--in-process", type=int, default=0, metavar="N", help="calls timed in this process first")
    args = parser.parse_args()
    os.environ["HABEAS_API_PER_MINUTE"] = "1000000"  # the bench measures latency, not the rate limit
    secret, befores = prepare(args.team, args.persons)
    total = len(befores) * PAGE
    if args.in_process:
        first, took = in_process(secret, befores, args.paging, args.in_process)
        print(
            f"in-process: first call {first:.0f} ms; {len(took)} calls, median {percentile(took, 50):.0f} ms, "
            f"p95 {percentile(took, 95):.0f} ms, best {min(took):.0f} ms"
        )
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
        latencies, failures = run(port, secret, befores, args.paging, args.clients, args.warmup, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{total} persons, {args.clients} clients, {args.workers} workers, pages of {PAGE} by {args.paging}")
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
