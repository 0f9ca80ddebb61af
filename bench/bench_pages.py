"""Load test of the workplace's pages: the production server (gunicorn, 2 workers) under 20 concurrent clients.

Usage (the database must hold ``habeas synth --scale 1 --team Monitors`` and its search index):

    DATABASE_URL=postgres://… HABEAS_SECRET_KEY=… HABEAS_DATA_DIR=… HABEAS_SECURE_COOKIES=0 \\
        .venv/bin/python bench/bench_pages.py [--team Monitors] [--clients 20] [--seconds 60] [--warmup 60] \\
            [--samples 200] [--workers 2] [--think 0]

It creates (or reuses) a researcher of the team, starts ``habeas serve`` on a free loopback port, logs every
client in through the login form, and has each client request the person page, the place page, the dashboard
and a search, in turn, each time for another record (people with custody episodes, places, name words of
synthetic people), for a warm-up of ``--warmup`` seconds and then ``--seconds`` seconds: with no pause between
requests (as wrk), or with ``--think``, a pause of that many seconds on average (a person reading the page). The
latencies are those each client sees (queueing included). It prints, per page, the number of requests,
median, 95th and 99th percentile and the worst, in milliseconds, and any response other than 200.

Each page is made anew at each request (no page is kept). ``--samples`` says among how many records of each
kind the clients choose; ``--think 1`` has them read for about a second between pages.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a-long-bench-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(team_name: str, samples: int) -> dict[str, list[str]]:
    """The bench user, and the URLs to request: a sample of each kind of page."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habeas.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from habeas.accounts.models import Membership, Role, Team
    from habeas.custody.models import CustodyEpisode
    from habeas.registry.models import Place

    team = Team.objects.get(name=team_name)
    user, _ = get_user_model().objects.get_or_create(username="bench-member", defaults={"is_staff": True})
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.get_or_create(user=user, team=team, defaults={"role": Role.RESEARCHER})
    rng = random.Random(2013)
    top = CustodyEpisode.objects.filter(team=team).order_by("-pk").values_list("pk", flat=True).first() or 0
    episodes = rng.sample(range(1, top + 1), min(samples * 3, top))
    people = list(CustodyEpisode.objects.filter(pk__in=episodes).values_list("person_id", flat=True)[:samples])
    places = list(Place.objects.filter(team=team).values_list("pk", flat=True))
    words = [f"Synthetic person {rng.randrange(700_000)}" for _ in range(samples)]
    return {
        "person": [reverse("person_detail", kwargs={"pk": pk}) for pk in people],
        "place": [reverse("place_detail", kwargs={"pk": pk}) for pk in rng.sample(places, min(samples, len(places)))],
        "dashboard": [reverse("dashboard")],
        "search": [f"{reverse('search')}?{urlencode({'q': word})}" for word in words],
    }


class Client:
    """One logged-in browser: a keep-alive connection and the session cookie."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.read().decode("utf-8", "replace")

    def log_in(self) -> None:
        status, page = self.request("GET", "/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token, f"the login page answered {status}"
        form = urlencode({"csrfmiddlewaretoken": token.group(1), "username": "bench-member", "password": PASSWORD})
        status, _ = self.request("POST", "/admin/login/?next=/", form)
        assert status == 302, f"logging in answered {status}"


def run(
    port: int, urls: dict[str, list[str]], clients: int, warmup: float, seconds: float, think: float
) -> dict[str, list]:
    results: dict[str, list[float]] = {kind: [] for kind in urls}
    failures: dict[str, list[str]] = {kind: [] for kind in urls}
    # the clients log in one after the other before the clock starts: twenty logins at once on workers that
    # are still loading (and hashing each password) outlast a client's patience on a loaded machine
    browsers = []
    for _ in range(clients):
        browsers.append(Client(port))
        browsers[-1].log_in()
    start = time.monotonic()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    lock = threading.Lock()

    def work(number: int) -> None:
        client = browsers[number]
        rng = random.Random(number)
        kinds = list(urls)
        i = number
        while (now := time.monotonic()) < stop_at:
            kind = kinds[i % len(kinds)]
            i += 1
            path = rng.choice(urls[kind])
            began = time.perf_counter()
            try:
                status, _ = client.request("GET", path)
            except (http.client.HTTPException, OSError) as exc:
                status = -1
                error = repr(exc)
            took = (time.perf_counter() - began) * 1000
            if now >= measure_from:
                with lock:
                    results[kind].append(took)
                    if status != 200:
                        failures[kind].append(f"{path}: {status if status != -1 else error}")
            if think:  # a person reads the page before the next click: on average ``think`` seconds
                time.sleep(rng.expovariate(1 / think))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": results, "failures": failures}  # type: ignore[dict-item]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def serve_and_run(args: argparse.Namespace, urls: dict[str, list[str]], log: IO[str]) -> dict[str, Any]:
    """Start ``habeas serve`` (its messages written to ``log``), run the clients against it, stop it."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "habeas"), "serve", "--port", str(port), "--workers", str(args.workers)],
        stdout=subprocess.DEVNULL,
        stderr=log,
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
                    log.seek(0)
                    raise SystemExit(f"the server did not start:\n{log.read()}") from None
                time.sleep(0.3)
        return run(port, urls, args.clients, args.warmup, args.seconds, args.think)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--team", default="Monitors")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=60)
    parser.add_argument("--samples", type=int, default=200, help="records of each kind to pick from")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds each client waits after a page before the next (exponential); 0: none, as wrk",
    )
    args = parser.parse_args()
    urls = prepare(args.team, args.samples)
    # the server's messages go to a file, read if it fails: a pipe nobody reads would fill and stall it
    with tempfile.TemporaryFile("w+") as log:
        outcome = serve_and_run(args, urls, log)
        log.seek(0)
        errors = [line for line in log.read().splitlines() if "Error" in line or "Traceback" in line]
    load = os.getloadavg()
    done = sum(len(values) for values in outcome["latencies"].values())
    print(
        f"{args.clients} clients, think time {args.think:g} s, {args.workers} gunicorn workers, {args.seconds:.0f} s "
        f"after {args.warmup:.0f} s of warm-up: {done / args.seconds:.1f} requests/s; load average {load[0]:.1f} "
        f"{load[1]:.1f} {load[2]:.1f}"
    )
    print("| page | requests | median ms | p95 ms | p99 ms | worst ms | not 200 |")
    print("|---|---|---|---|---|---|---|")
    worst_p95 = 0.0
    for kind, values in outcome["latencies"].items():
        failed = outcome["failures"][kind]
        if not values:
            print(f"| {kind} | 0 | | | | | |")
            continue
        p95 = percentile(values, 95)
        worst_p95 = max(worst_p95, p95)
        print(
            f"| {kind} | {len(values)} | {statistics.median(values):.0f} | {p95:.0f} | {percentile(values, 99):.0f} "
            f"| {max(values):.0f} | {len(failed)} |"
        )
        for line in failed[:3]:
            print(f"    {line}")
    if any(outcome["failures"].values()) and errors:
        print("the server's errors:", *errors[-10:], sep="\n    ")
    print(f"worst p95: {worst_p95:.0f} ms ({'within' if worst_p95 < 150 else 'over'} the 150 ms target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
