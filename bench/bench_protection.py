"""Benchmark of what protection at rest costs: field encryption, keyed hashes of names, and the audit trail.

Usage:

    .venv/bin/python bench/bench_protection.py                       # SQLite, in a temporary folder
    scripts/with-postgres .venv/bin/python bench/bench_protection.py  # PostgreSQL (DATABASE_URL=postgres://…)
    .venv/bin/python bench/bench_protection.py --quick                # a smoke run: 2,000 persons, 30 requests

It measures, each with protection ON (the code as it is) and OFF (switched off inside this process only):

1. the person page — the admin change page of Dmitri Tian in the demo data (several names, custody
   episodes, findings), requested ``--requests`` times per round by a logged-in superuser (Django's test
   client, so without a network or a web server): median and 95th percentile in ms;
2. a bulk import of ``--persons`` persons, each with a name in Latin and one in Cyrillic script and a
   free-text note, through ``records_load`` from a generated JSON file: wall-clock seconds, into a fresh
   database each time.

OFF replaces ``seal``, ``seal_bytes``, ``unseal`` and ``open_bytes`` of ``habeas.core.crypto`` with functions
that store ``hb1:plain:<text>`` (so that every field still round-trips), ``digest`` with one that returns the
phonetic key itself, and ``audit_record`` with a no-op — in every ``habeas`` module that holds those names.
The page and the import of each mode get their own database (copied from one migrated template), since a
database written with protection ON cannot be read with it OFF. The page's GETs alternate between the modes
one by one; the imports alternate ON OFF, OFF ON, … (so that a steady drift cancels out), each into a fresh
copy, and their CPU time is given beside the wall-clock time (it depends less on what else the machine runs).
Finally one ON run of each is repeated with the time spent inside seal, unseal, digest and audit_record
added up, which says how much of the difference protection itself accounts for.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

PLAIN = "hb1:plain:"
SUPERUSER = "bench"


# ------------------------------------------------------------------------------------ protection off


def _seal_off(text: str) -> str:
    return PLAIN + text if text else ""


def _unseal_off(token: str, *, what: str = "a protected value", ring: Any = None) -> str:
    if not token:
        return ""
    if not token.startswith(PLAIN):
        raise RuntimeError(f"{what} was sealed with protection on; this benchmark mixed its databases")
    return token[len(PLAIN) :]


def _seal_bytes_off(data: bytes, *, aad: bytes = b"", ring: Any = None) -> str:
    return PLAIN + data.decode("latin-1")


def _open_bytes_off(token: str, *, aad: bytes = b"", what: str = "a protected value", ring: Any = None) -> bytes:
    return _unseal_off(token, what=what).encode("latin-1")


def _digest_off(text: str, *, kid: str | None = None) -> str:
    return f"[{text}]"  # delimited, so that a `contains` lookup of one key does not find a longer one


def _audit_off(**kwargs: Any) -> None:
    return None


class Protection:
    """Switches encryption, keyed hashes and auditing off and on again, in every module that holds them."""

    def __init__(self) -> None:
        from habeas.accounts import services
        from habeas.core import crypto

        originals = {
            crypto.seal: _seal_off,
            crypto.unseal: _unseal_off,
            crypto.seal_bytes: _seal_bytes_off,
            crypto.open_bytes: _open_bytes_off,
            crypto.digest: _digest_off,
            services.audit_record: _audit_off,
        }
        self.replacements = {id(original): off for original, off in originals.items()}
        self.timed_names = {id(crypto.seal), id(crypto.unseal), id(crypto.digest), id(services.audit_record)}
        self.seconds = 0.0  # time spent inside protection while timing()
        self.patched: list[tuple[Any, str, Any]] = []

    def _patch(self, replace: Callable[[Any], Any | None]) -> list[str]:
        assert not self.patched
        for module in list(sys.modules.values()):
            if not getattr(module, "__name__", "").startswith("habeas"):
                continue
            for name, value in list(vars(module).items()):
                if (new := replace(value)) is not None:
                    self.patched.append((module, name, value))
                    setattr(module, name, new)
        return sorted({f"{m.__name__}.{n}" for m, n, _ in self.patched})

    def off(self) -> None:
        where = self._patch(lambda value: self.replacements.get(id(value)))
        if not hasattr(self, "reported"):
            self.reported = True
            print(f"protection OFF patches {len(where)} names: {', '.join(where)}", flush=True)

    def timing(self) -> None:
        """Protection ON, with the time spent inside seal, unseal, digest and audit_record added up (the outer
        call only: seal_bytes and open_bytes are called by seal and unseal)."""
        depth = [0]

        def timer(function: Callable[..., Any]) -> Callable[..., Any]:
            def timed(*args: Any, **kwargs: Any) -> Any:
                if depth[0]:
                    return function(*args, **kwargs)
                depth[0] += 1
                start = time.perf_counter()
                try:
                    return function(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - start
                    depth[0] -= 1

            return timed

        wrappers: dict[int, Any] = {}

        def replace(value: Any) -> Any:
            if id(value) not in self.timed_names:
                return None
            return wrappers.setdefault(id(value), timer(value))

        self._patch(replace)

    def on(self) -> None:
        for module, name, original in reversed(self.patched):
            setattr(module, name, original)
        self.patched.clear()

    @contextlib.contextmanager
    def mode(self, on: bool) -> Iterator[None]:
        if not on:
            self.off()
        try:
            yield
        finally:
            self.on()


# --------------------------------------------------------------------------------------------- databases


class Databases:
    """Copies of a template database: files on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL."""

    def __init__(self, folder: Path) -> None:
        from django.db import connection

        self.folder = folder
        self.vendor = connection.vendor
        self.settings = connection.settings_dict
        self.created: list[str] = []
        self.maintenance = str(self.settings["NAME"])
        self.template = self.create("habeas_bench_template")

    def admin(self) -> Any:
        import psycopg

        s = self.settings
        return psycopg.connect(
            dbname=self.maintenance,
            user=s["USER"],
            password=s["PASSWORD"] or None,
            host=s["HOST"] or None,
            port=s["PORT"] or None,
            autocommit=True,
        )

    def create(self, name: str, *, template: str | None = None) -> str:
        from django.db import connections

        connections.close_all()
        if self.vendor == "sqlite":
            path = self.folder / f"{name}.sqlite3"
            if template:
                shutil.copyfile(template, path)
            self.created.append(str(path))
            return str(path)
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.created.append(name)
        return name

    def use(self, name: str) -> None:
        from django.contrib.contenttypes.models import ContentType
        from django.db import connections

        connections.close_all()
        self.settings["NAME"] = name
        ContentType.objects.clear_cache()

    def drop(self, name: str) -> None:
        from django.db import connections

        connections.close_all()
        if self.vendor == "sqlite":
            Path(name).unlink(missing_ok=True)
        else:
            with self.admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        self.created.remove(name)

    def drop_all(self) -> None:
        if self.vendor != "sqlite" and self.created:
            self.use(self.maintenance)
        for name in list(reversed(self.created)):
            self.drop(name)


def raw_value(table: str, column: str, pk: int) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def check_stored(on: bool, table: str, column: str, pk: int) -> None:
    """Make sure the mode did what it says: sealed values with protection on, plain ones with it off."""
    value = raw_value(table, column, pk)
    if on != (value.startswith("hb1:") and not value.startswith(PLAIN)):
        raise SystemExit(f"protection {'ON' if on else 'OFF'} stored {table}.{column} as {value[:24]!r}…")


def audit_count() -> int:
    from habeas.accounts.models import AuditEvent

    return AuditEvent.objects.count()


# ------------------------------------------------------------------------------------------ person page


def page_database(dbs: Databases, protection: Protection, on: bool) -> tuple[Any, Any, str]:
    """A copy of the template with the demo data and its findings loaded in one mode; the open connection to
    it, a logged-in client and the address of Dmitri Tian's page."""
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client

    from habeas.accounts.models import Team
    from habeas.demo import DATA_FILE
    from habeas.ops.dataload import records_load
    from habeas.registry.selectors import persons_named
    from habeas.standards.services import findings_evaluate

    name = dbs.create(f"habeas_bench_page_{'on' if on else 'off'}", template=dbs.template)
    dbs.use(name)
    with protection.mode(on):
        team = Team.objects.get()
        records_load(path=DATA_FILE, user=get_user_model().objects.get(username=SUPERUSER), team=team)
        findings_evaluate(profile_name="kz")
        person = persons_named("Dmitri Tian", exact=True).get()
        check_stored(on, "registry_person", "label", person.pk)
        client = Client()
        client.force_login(get_user_model().objects.get(username=SUPERUSER))
    wrapper = connections["default"]
    wrapper.settings_dict = dict(wrapper.settings_dict)  # its own, so that later use() leaves it on this database
    del connections["default"]  # the next one is made from the settings again
    return wrapper, client, f"/admin/registry/person/{person.pk}/change/"


def get(client: Any, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - start
    if response.status_code != 200 or b"Dmitri Tian" not in response.content:
        raise SystemExit(f"GET {url}: status {response.status_code}, or the page does not name Dmitri Tian")
    return seconds


def bench_page(dbs: Databases, protection: Protection, requests: int, warmup: int, rounds: int) -> dict[bool, Any]:
    """GETs alternate between the modes one by one (ON OFF, then OFF ON), each mode on its own open
    connection, so that the load of other processes on the machine falls on both alike."""
    from django.db import connections

    pages = {on: page_database(dbs, protection, on) for on in (True, False)}

    def switch(on: bool) -> None:
        protection.on()
        if not on:
            protection.off()
        connections["default"] = pages[on][0]

    for on in (True, False):
        switch(on)
        for _ in range(warmup):
            get(pages[on][1], pages[on][2])
    print(f"person page: {pages[False][2]} ({len(pages[False][1].get(pages[False][2]).content):,} bytes)", flush=True)
    samples: dict[bool, list[list[float]]] = {True: [], False: []}
    for r in range(rounds):
        before = {}
        for on in (True, False):
            switch(on)
            before[on] = audit_count()
        times: dict[bool, list[float]] = {True: [], False: []}
        for i in range(requests):
            for on in (True, False) if i % 2 == 0 else (False, True):
                switch(on)
                times[on].append(get(pages[on][1], pages[on][2]))
        for on in (True, False):
            switch(on)
            written = audit_count() - before[on]
            if written != (requests if on else 0):
                raise SystemExit(f"protection {'ON' if on else 'OFF'}: {written} audit events for {requests} GETs")
            samples[on].append(times[on])
            print(
                f"  round {r + 1} {'ON ' if on else 'OFF'}: median {ms(statistics.median(times[on]))}, "
                f"p95 {ms(p95(times[on]))} ms ({requests} GETs)",
                flush=True,
            )
    switch(True)
    protection.on()
    protection.timing()
    protection.seconds, total = 0.0, 0.0
    for _ in range(requests):
        total += get(pages[True][1], pages[True][2])
    protection.on()
    inside = (protection.seconds / requests, total / requests)
    print(f"  inside protection (ON, timed): {ms(inside[0])} of {ms(inside[1])} ms per GET", flush=True)
    for on in (True, False):
        pages[on][0].close()
    del connections["default"]
    return samples, inside


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


# ----------------------------------------------------------------------------------------------- import

LATIN = ["Aidar", "Bolat", "Dana", "Erlan", "Gulnara", "Kairat", "Madina", "Nurlan", "Roza", "Serik", "Zhanna"]
CYRILLIC = ["Айдар", "Болат", "Дана", "Ерлан", "Гульнара", "Кайрат", "Мадина", "Нурлан", "Роза", "Серик", "Жанна"]
FAMILY_LATIN = ["Abenov", "Baimukhanov", "Dzhaksybekov", "Ermekov", "Kuanyshev", "Nurpeisov", "Sadykov", "Tian"]
FAMILY_CYRILLIC = ["Абенов", "Баймуханов", "Джаксыбеков", "Ермеков", "Куанышев", "Нурпеисов", "Садыков", "Тян"]


def import_file(folder: Path, persons: int) -> Path:
    """A JSON data file of ``persons`` persons, each with a Latin and a Cyrillic name and a note, one entry a
    line (as ``records_load`` reports errors by line)."""
    path = folder / f"persons_{persons}.json"
    rows = [
        {
            "model": "evidence.source",
            "key": "bench-list",
            "fields": {"title": "List of detainees submitted by relatives", "kind": "document"},
            "cite": {"section": "cover letter"},
        }
    ]
    for i in range(persons):
        given, family = i % len(LATIN), (i // len(LATIN)) % len(FAMILY_LATIN)
        latin = f"{LATIN[given]} {FAMILY_LATIN[family]}"
        cyrillic = f"{CYRILLIC[given]} {FAMILY_CYRILLIC[family]}"
        key = f"p{i}"
        cite = {"section": f"row {i + 1}"}
        rows.append(
            {
                "model": "registry.person",
                "key": key,
                "fields": {
                    "label": latin,
                    "sex": "f" if given in (2, 4, 6, 8, 10) else "m",
                    "born_on": str(1950 + i % 50),
                    "notes": f"Detained at the protest in Zhanaozen; relatives last saw {latin} at the police "
                    f"station on day {i % 28 + 1}. Reported beaten during questioning; no lawyer was present.",
                },
                "cite": cite,
            }
        )
        rows.append(
            {
                "model": "registry.personname",
                "fields": {"person": key, "full_name": latin, "script": "Latn", "kind": "primary"},
                "cite": cite,
            }
        )
        rows.append(
            {
                "model": "registry.personname",
                "fields": {"person": key, "full_name": cyrillic, "script": "Cyrl", "kind": "primary"},
                "cite": cite,
            }
        )
    with path.open("w", encoding="utf-8") as out:
        out.write('{"default_source": "bench-list", "records": [\n')
        out.write(",\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
        out.write("\n]}\n")
    return path


def import_once(dbs: Databases, protection: Protection, path: Path, on: bool, label: str) -> tuple[float, float, Any]:
    from django.contrib.auth import get_user_model

    from habeas.accounts.models import Team
    from habeas.ops.dataload import records_load
    from habeas.registry.models import Person

    name = dbs.create(f"habeas_bench_import_{label}", template=dbs.template)
    dbs.use(name)
    try:
        with protection.mode(on):
            team = Team.objects.get()
            before = audit_count()
            start, cpu = time.perf_counter(), time.process_time()
            summary = records_load(path=path, user=get_user_model().objects.get(username=SUPERUSER), team=team)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            written = audit_count() - before
            last = Person.objects.order_by("-pk").first()
            assert last is not None
            check_stored(on, "registry_person", "notes", last.pk)
        if written != (1 if on else 0):
            raise SystemExit(f"import with protection {'ON' if on else 'OFF'} wrote {written} audit events")
        return seconds, cpu, summary
    finally:
        dbs.drop(name)


def bench_import(dbs: Databases, protection: Protection, persons: int, rounds: int, profile: Path | None) -> Any:
    from habeas.ops.dataload import read_data_file

    start = time.perf_counter()
    path = import_file(dbs.folder, persons)
    print(f"import: {persons:,} persons written to {path.name} in {time.perf_counter() - start:.1f} s", flush=True)
    start = time.perf_counter()
    read_data_file(path)
    parse = time.perf_counter() - start
    print(f"  reading and parsing the file alone (read_data_file): {parse:.1f} s", flush=True)
    warmup = import_file(dbs.folder, 100)  # the first import of a process pays for lazy imports and caches
    for on in (True, False):
        import_once(dbs, protection, warmup, on, f"warmup_{'on' if on else 'off'}")
    samples: dict[bool, list[float]] = {True: [], False: []}
    cpus: dict[bool, list[float]] = {True: [], False: []}
    for r in range(rounds):
        for on in (True, False) if r % 2 == 0 else (False, True):
            seconds, cpu, summary = import_once(dbs, protection, path, on, f"{'on' if on else 'off'}_{r}")
            samples[on].append(seconds)
            cpus[on].append(cpu)
            print(
                f"  round {r + 1} {'ON ' if on else 'OFF'}: {seconds:.1f} s, CPU of this process {cpu:.1f} s "
                f"({sum(summary.counts.values()):,} records, {summary.citations:,} citations)",
                flush=True,
            )
    small = import_file(dbs.folder, min(persons, 5_000))
    protection.timing()
    protection.seconds = 0.0
    try:
        seconds, _, _ = import_once(dbs, protection, small, True, "timed")
    finally:
        protection.on()
    inside = (protection.seconds, seconds, min(persons, 5_000))
    print(f"  inside protection (ON, timed, {inside[2]:,} persons): {inside[0]:.1f} of {inside[1]:.1f} s", flush=True)
    if profile is not None:
        import cProfile

        for on in (True, False):
            profiler = cProfile.Profile()
            profiler.enable()
            import_once(dbs, protection, path, on, f"profile_{'on' if on else 'off'}")
            profiler.disable()
            out = profile.with_name(f"{profile.stem}_{dbs.vendor}_{'on' if on else 'off'}{profile.suffix}")
            profiler.dump_stats(out)
            print(f"  profile ({'ON' if on else 'OFF'}) written to {out}", flush=True)
    return samples, parse, inside, cpus


# ------------------------------------------------------------------------------------------------- main


def prepare_template(dbs: Databases) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from habeas.accounts.models import Membership, Role, Team
    from habeas.core.fields import name_keys
    from habeas.registry.services import gazetteer_seed

    dbs.use(dbs.template)
    call_command("migrate", verbosity=0)
    name_keys("Dmitri Tian")  # imports the phonetic keys' module (about 2 s, once per process) before any timing
    gazetteer_seed(country="KZ")
    team = Team.objects.create(name="Benchmark", organisation="Benchmark")
    user = get_user_model().objects.create_superuser(SUPERUSER, "", secrets.token_urlsafe(16))
    Membership.objects.create(user=user, team=team, role=Role.ADMINISTRATOR)


def overhead(on: float, off: float) -> str:
    return f"{(on / off - 1) * 100:+.1f} %"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000, help="persons in the bulk import (100,000)")
    parser.add_argument("--requests", type=int, default=300, help="timed GETs of the page per round (300)")
    parser.add_argument("--warmup", type=int, default=30, help="untimed GETs of each mode first (30)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, each ON then OFF (2)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 persons, 30 GETs")
    parser.add_argument("--skip-page", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--profile", type=Path, help="also profile one import per mode (cProfile) into this file")
    args = parser.parse_args()
    if args.quick:
        args.persons, args.requests, args.warmup = min(args.persons, 2_000), min(args.requests, 30), 5

    folder = Path(tempfile.mkdtemp(prefix="habeas-bench-"))
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'habeas_bench_template.sqlite3'}"
    os.environ["HABEAS_DATA_DIR"] = str(folder)
    os.environ["HABEAS_KEY_FILE"] = str(folder / "keys.json")
    os.environ["HABEAS_ALLOWED_HOSTS"] = "testserver"  # Django's test client
    (folder / "static").mkdir()
    os.environ.setdefault("HABEAS_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DJANGO_SETTINGS_MODULE"] = "habeas.config.settings"

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from habeas.core.crypto import keys_init

    keys_init(Path(settings.HABEAS_KEY_FILE))
    started = time.perf_counter()
    print(f"database: {connection.vendor}; folder {folder}; load average {load()}", flush=True)
    dbs = Databases(folder)
    protection = Protection()
    try:
        prepare_template(dbs)
        page = None if args.skip_page else bench_page(dbs, protection, args.requests, args.warmup, args.rounds)
        imports = None if args.skip_import else bench_import(dbs, protection, args.persons, args.rounds, args.profile)
    finally:
        dbs.drop_all()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"\n{connection.vendor}; load average {load()}; {time.perf_counter() - started:.0f} s in all")
    print("| measurement | ON | OFF | overhead |\n|---|---|---|---|")
    if page is not None and page[0][True]:
        samples, inside = page
        on = [t for times in samples[True] for t in times]
        off = [t for times in samples[False] for t in times]
        print(
            f"| person page, median of {len(on)} GETs (ms) | {ms(statistics.median(on))} | "
            f"{ms(statistics.median(off))} | {overhead(statistics.median(on), statistics.median(off))} |"
        )
        print(f"| person page, p95 (ms) | {ms(p95(on))} | {ms(p95(off))} | {overhead(p95(on), p95(off))} |")
        print(
            f"| person page, time inside protection (ms per GET) | {ms(inside[0])} of {ms(inside[1])} | — | "
            f"{inside[0] / (inside[1] - inside[0]) * 100:+.1f} % |"
        )
    if imports is not None and imports[0][True]:
        samples, parse, inside, cpus = imports
        on_s, off_s = statistics.median(samples[True]), statistics.median(samples[False])
        runs = " / ".join(f"{a:.1f}–{b:.1f}" for a, b in zip(samples[True], samples[False], strict=True))
        print(
            f"| import of {args.persons:,} persons (s; runs ON–OFF {runs}) | {on_s:.1f} | {off_s:.1f} | "
            f"{overhead(on_s, off_s)} |"
        )
        on_c, off_c = statistics.median(cpus[True]), statistics.median(cpus[False])
        print(f"| the same, CPU time of this process (s) | {on_c:.1f} | {off_c:.1f} | {overhead(on_c, off_c)} |")
        print(
            f"| the same without parsing the file ({parse:.1f} s) | {on_s - parse:.1f} | {off_s - parse:.1f} | "
            f"{overhead(on_s - parse, off_s - parse)} |"
        )
    if imports is not None:
        seconds, total, persons = imports[2]
        print(
            f"| import of {persons:,} persons, time inside protection (s) | {seconds:.1f} of {total:.1f} | — | "
            f"{seconds / (total - seconds) * 100:+.1f} % |"
        )


if __name__ == "__main__":
    main()
