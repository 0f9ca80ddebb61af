"""The ``habeas`` command."""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from habeas.cli.identity import add_user_argument
from habeas.core.errors import CommandError

SETTINGS = "habeas.config.settings"


def setup_django() -> None:
    """Configure Django from the environment, making sure the data folder exists."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from habeas.core.env import data_dir

    data_dir().mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def data_folder() -> Path:
    from habeas.core.env import data_dir

    return data_dir()


def cmd_manage(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["habeas manage", *args.rest])
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    setup_django()
    from habeas.accounts.models import Team
    from habeas.cli.identity import cli_user
    from habeas.ops.dataload import records_load

    user = cli_user(args)
    team = None
    if args.team:
        team = Team.objects.filter(name=args.team).first()
        if team is None:
            raise CommandError(f"there is no team {args.team!r}")
    summary = records_load(path=Path(args.file), user=user, team=team)
    print(f"Loaded {sum(summary.counts.values())} records and {summary.citations} citations from {args.file}.")
    return 0


def cmd_gazetteer(args: argparse.Namespace) -> int:
    setup_django()
    from habeas.registry.services import gazetteer_seed

    try:
        count = gazetteer_seed(country=args.country.upper())
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    print(f"{count} localities of {args.country.upper()} are in the gazetteer.")
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    setup_django()
    from habeas.accounts.models import Team
    from habeas.ops.synth import synth

    team = None
    if args.team:
        team, _ = Team.objects.get_or_create(name=args.team)
    try:
        sizes = synth(scale=args.scale, seed=args.seed, team=team, progress=lambda text: print(text, flush=True))
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    from habeas.reports.search import search_reindex

    search_reindex(progress=lambda text: print(text, flush=True))
    print(f"Added a synthetic dataset at scale {args.scale}: {sizes.episodes:,} custody episodes.")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    setup_django()
    from habeas.accounts.services import audit_verify

    report = audit_verify()
    if report.intact:
        kept = f"; its end agrees with the checkpoint file (event #{report.checkpoint})" if report.checkpoint else ""
        print(f"The audit trail of {report.events:,} events is intact{kept}.")
        return 0
    print(f"habeas: the audit trail is broken: {report.broken}", file=sys.stderr)
    return 1


def ensure_keys() -> None:
    """The demo keeps its key file in its data folder; a new one is made the first time."""
    from habeas.core.crypto import keys_init
    from habeas.core.env import key_file

    if not key_file().exists():
        keys_init(key_file())


def ensure_demo_secret(folder: Path) -> Path:
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path


def build_demo_database(target: Path) -> None:
    """Create the demo database in a temporary file beside ``target`` and move it into place, so that a
    failure leaves any earlier database as it was."""
    handle, temporary = tempfile.mkstemp(prefix=".demo-", suffix=".sqlite3", dir=target.parent)
    os.close(handle)
    os.environ["DATABASE_URL"] = f"sqlite:///{temporary}"
    try:
        setup_django()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connections

        from habeas.accounts.models import Membership, Role, Team
        from habeas.demo import DATA_FILE, DEMO_PASSWORD, DEMO_USER
        from habeas.demo.lists import demo_lists
        from habeas.ops.dataload import records_load
        from habeas.registry.services import gazetteer_seed
        from habeas.standards.services import findings_evaluate

        print("Creating the database…", flush=True)
        call_command("migrate", verbosity=0)
        print("Adding the gazetteer of Kazakhstan…", flush=True)
        gazetteer_seed(country="KZ")
        print("Loading the records of the 2013 briefing…", flush=True)
        team = Team.objects.create(name="Kazakhstan 2013", organisation="Demo")
        user = get_user_model().objects.create_superuser(DEMO_USER, "", DEMO_PASSWORD)
        Membership.objects.create(user=user, team=team, role=Role.ADMINISTRATOR)
        summary = records_load(path=DATA_FILE, user=user, team=team)
        print("Checking the records against the standards (profile: Kazakhstan)…", flush=True)
        evaluation = findings_evaluate(profile_name="kz")
        print("Linking three illustrative lists of detainees (synthetic names) and estimating their total…", flush=True)
        estimate = demo_lists(team=team, user=user)
        connections.close_all()
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    print_summary(summary.counts, summary.citations)
    print(
        f"Illustrative lists (synthetic names): {estimate.observed} people observed, about {estimate.estimate:.0f} "
        f"estimated in all (95% interval {estimate.ci_low:.0f}–{estimate.ci_high:.0f})"
    )
    print(f"Findings against the standards: {evaluation.found}")
    for code, count in sorted(evaluation.by_rule.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {count:5d}  {code}")
    print()


def print_summary(counts: dict[str, int], citations: int) -> None:
    from django.apps import apps

    print("\nThe demo database holds:")
    for label, count in sorted(counts.items(), key=lambda item: -item[1]):
        model = apps.get_model(label)
        name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
        print(f"  {count:5d}  {name}")
    print(f"  {citations:5d}  citations of sources\n")


def cmd_demo(args: argparse.Namespace) -> int:
    folder = data_folder()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "demo.sqlite3"
    os.environ["HABEAS_SECRET_KEY_FILE"] = str(ensure_demo_secret(folder))
    os.environ.pop("HABEAS_SECRET_KEY", None)
    os.environ["HABEAS_SECURE_COOKIES"] = "0"
    ensure_keys()
    rebuild = True
    if target.exists() and not args.yes:
        if sys.stdin.isatty():
            answer = input(f"A demo database already exists at {target}. Replace it? [y/N] ")
            rebuild = answer.strip().lower() in ("y", "yes")
        else:
            rebuild = False
        if not rebuild:
            print(f"Keeping the existing demo database at {target} (use --yes to replace it).")
    if rebuild:
        build_demo_database(target)
    from habeas.demo import DEMO_PASSWORD, DEMO_USER

    os.environ["DATABASE_URL"] = f"sqlite:///{target}"
    print(f"Database: {target}")
    print(f"Log in as '{DEMO_USER}' with the password '{DEMO_PASSWORD}'.")
    if args.no_serve:
        return 0
    print(f"Serving on http://127.0.0.1:{args.port}/ — press Ctrl+C to stop.", flush=True)
    return serve(host="127.0.0.1", port=args.port, workers=2, access_log=False)  # a line per start and error only


#: how often ``habeas serve`` looks whether its worker is still running, and how long the worker waits before
#: starting again after a database error
WORKER_CHECK_SECONDS = 2
WORKER_PAUSE_SECONDS = 5


def serve(*, host: str, port: int, workers: int, access_log: bool = True) -> int:
    """Run the production server (gunicorn) and, beside it, the task worker, started again whenever it exits;
    stop both together. Without ``access_log`` (the demo) the terminal shows starts and errors, not every
    request."""
    setup_django()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    # --preload: the application (with the API's routers, seconds to build) is loaded once, before the fork
    command = [gunicorn, "habeas.config.wsgi:application", "--preload", "--bind", f"{host}:{port}"]
    command += ["--workers", str(workers)]
    worker_command = [sys.executable, "-m", "habeas.cli.main", "worker"]
    worker = subprocess.Popen(worker_command)
    from habeas.core.requestlog import GUNICORN_ACCESS_LOG_FORMAT

    logging = ["--access-logfile", "-", "--access-logformat", GUNICORN_ACCESS_LOG_FORMAT] if access_log else []
    server = subprocess.Popen([*command, *logging])
    # stopped by a service manager or a script (SIGTERM) as by Ctrl+C: the server and the worker stop too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            try:
                return server.wait(timeout=WORKER_CHECK_SECONDS)
            except subprocess.TimeoutExpired:
                pass
            if worker.poll() is not None:
                print(
                    f"habeas serve: the worker stopped (exit code {worker.returncode}); starting it again",
                    file=sys.stderr,
                    flush=True,
                )
                worker = subprocess.Popen(worker_command)
    except KeyboardInterrupt:
        return 0
    finally:
        for child in (server, worker):
            child.terminate()
        for child in (server, worker):
            child.wait(timeout=30)


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the queued long operations (checks, linkage, estimates) one after another. After a database error
    (such as "database is locked" for longer than the busy timeout) the worker starts again by itself."""
    setup_django()
    import time

    from django.core.management import call_command
    from django.db import DatabaseError, connections

    from habeas.reports.tasks import clock_schedule

    if not args.batch:
        clock_schedule()  # the live clock's e-mails, every few minutes
    while True:
        try:
            call_command("db_worker", interval=1, batch=args.batch, reload=False, verbosity=1)
            return 0
        except DatabaseError as exc:
            print(
                f"habeas worker: the database answered an error ({exc}); starting again in {WORKER_PAUSE_SECONDS} s",
                file=sys.stderr,
                flush=True,
            )
            connections.close_all()
            time.sleep(WORKER_PAUSE_SECONDS)


def cmd_serve(args: argparse.Namespace) -> int:
    return serve(host=args.host, port=args.port, workers=args.workers)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="habeas", description="Habeas: document torture and detention.")
    sub = top.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="create the demo database (the 2013 Kazakhstan briefing) and serve it")
    demo.add_argument("--no-serve", action="store_true", help="stop after loading")
    demo.add_argument("--yes", action="store_true", help="replace an existing demo database without asking")
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(func=cmd_demo)

    serve_cmd = sub.add_parser("serve", help="run the production server for DATABASE_URL")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--workers", type=int, default=2)
    serve_cmd.set_defaults(func=cmd_serve)

    worker_cmd = sub.add_parser("worker", help="run the queued long operations (habeas serve starts one)")
    worker_cmd.add_argument("--batch", action="store_true", help="run what is queued, then stop")
    worker_cmd.set_defaults(func=cmd_worker)

    load = sub.add_parser(
        "load", help="load records and their citations from a YAML or JSON data file, as a user into a team"
    )
    load.add_argument("file")
    load.add_argument("--team", metavar="NAME", help="the team the records go to (default: the user's one team)")
    add_user_argument(load)
    load.set_defaults(func=cmd_load)

    gazetteer = sub.add_parser("gazetteer", help="add a country's cities to the gazetteer")
    gazetteer.add_argument("country", help="two-letter country code, e.g. KZ")
    gazetteer.set_defaults(func=cmd_gazetteer)

    synth = sub.add_parser("synth", help="add a synthetic national-scale dataset (for benchmarks)")
    synth.add_argument("--scale", type=float, default=1.0, help="1 = about 1,000,000 custody episodes")
    synth.add_argument("--seed", type=int, default=2013)
    synth.add_argument("--team", help="the team the records belong to (created if new); default: none")
    synth.set_defaults(func=cmd_synth)

    audit = sub.add_parser("audit", help="work with the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check that no audit event was altered, removed or moved")
    verify.set_defaults(func=cmd_audit)

    from habeas.cli.backup import add_commands as add_backup
    from habeas.cli.clock import add_commands as add_clock
    from habeas.cli.counting import add_commands as add_counting
    from habeas.cli.keys import add_commands as add_keys
    from habeas.cli.lists import add_commands as add_lists
    from habeas.cli.reports import add_commands as add_reports
    from habeas.cli.standards import add_commands as add_standards
    from habeas.cli.tokens import add_commands as add_tokens
    from habeas.cli.uwazi import add_commands as add_uwazi

    add_backup(sub)
    add_clock(sub)
    add_counting(sub)
    add_keys(sub)
    add_lists(sub)
    add_reports(sub)

    add_standards(sub)
    add_tokens(sub)
    add_uwazi(sub)

    manage = sub.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from django.core.exceptions import ImproperlyConfigured

    from habeas.core.crypto import KeyringError
    from habeas.core.errors import LoadError
    from habeas.standards.engine import StandardsError
    from habeas.stats.estimation import CaptureTableError, EstimateError
    from habeas.stats.estimation.dga import DgaError
    from habeas.stats.estimation.lcmcr import LcmcrError
    from habeas.stats.estimation.loglinear import LoglinearError
    from habeas.stats.estimation.sparse import SparseError

    user_errors = (
        CommandError,
        LoadError,
        KeyringError,
        ImproperlyConfigured,
        StandardsError,
        CaptureTableError,
        EstimateError,
        DgaError,
        LcmcrError,
        LoglinearError,
        SparseError,
    )
    try:
        return int(args.func(args))
    except user_errors as exc:
        print(f"habeas: error: {exc}", file=sys.stderr)
        return int(getattr(exc, "exit_code", 1))  # 2 for a usage error, such as no --user
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
