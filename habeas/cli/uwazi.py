"""``habeas uwazi export`` and ``habeas uwazi import``: persons, places of detention and events in the CSV that
HURIDOCS Uwazi reads and writes for entities (``habeas.ops.uwazi``; the mapping is in docs/operations.md)."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from habeas.cli.identity import add_user_argument
from habeas.core.errors import CommandError

KINDS = ["persons", "places", "events"]


def cmd_uwazi_export(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.cli.identity import cli_user
    from habeas.ops.uwazi import uwazi_export

    user = cli_user(args)
    out = Path(args.out)
    if out.is_dir():
        raise CommandError(f"--out {out} is a folder; give the path of the file to write")
    if not out.parent.is_dir():
        raise CommandError(f"--out {out}: the folder {out.parent} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:  # a failure leaves no partial file (nor, the audit event being in the same transaction, its event)
        with os.fdopen(handle, "wb") as stream:
            summary = uwazi_export(
                user=user, kind=args.kind, redaction=args.redact, out=stream, destination=str(out.resolve())
            )
        Path(temporary).replace(out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    print(f"Exported {summary.rows} {summary.kind} ({summary.redaction}) as Uwazi CSV to {out}:")
    print(f"{summary.size:,} bytes, SHA-256 {summary.sha256}. The export is recorded in the audit trail.")
    return 0


def cmd_uwazi_import(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.accounts.models import Team
    from habeas.cli.identity import cli_user
    from habeas.ops.uwazi import uwazi_import

    user = cli_user(args)
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    team: Any = None
    if args.team:
        team = Team.objects.filter(name=args.team).first()
        if team is None:
            raise CommandError(f"there is no team {args.team!r}")
    summary = uwazi_import(
        path=path,
        kind=args.kind,
        user=user,
        team=team,
        source_title=args.source_title,
        language=args.lang,
        date_format=args.date_format,
    )
    print(f"Imported {sum(summary.created.values())} records, cited to the source '{summary.source.key}':")
    for label, count in sorted(summary.created.items()):
        print(f"  {count:6d}  {label}")
    print("The import is recorded in the audit trail.")
    return 0


def add_commands(sub: Any) -> None:
    uwazi = sub.add_parser("uwazi", help="persons, places and events in the CSV that HURIDOCS Uwazi reads and writes")
    uwazi_sub = uwazi.add_subparsers(dest="uwazi_command", required=True)

    export = uwazi_sub.add_parser(
        "export",
        help="write the persons, places or events you may see as an Uwazi CSV, redacted",
        description="Write one kind of records you may see as the CSV that Uwazi imports into a template, at a "
        "redaction level: internal (the team's own view), partner or public (as `habeas export` redacts).",
    )
    export.add_argument("--kind", required=True, choices=KINDS)
    export.add_argument("--redact", required=True, choices=["internal", "partner", "public"])
    export.add_argument("--out", required=True, metavar="PATH", help="the CSV file to write")
    add_user_argument(export)
    export.set_defaults(func=cmd_uwazi_export)

    imp = uwazi_sub.add_parser(
        "import",
        help="add the persons, places or events of an Uwazi CSV to your team, cited to a new source",
        description="Read an Uwazi CSV (as Uwazi exports it, or as `habeas uwazi export` writes it) into your "
        "team: every row is checked, all the records or none are added, each cited to a new source for the file.",
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--kind", required=True, choices=KINDS)
    imp.add_argument("--source-title", required=True, metavar="TITLE", help="what the file is and where it is from")
    imp.add_argument("--team", metavar="NAME", help="the team to add to (if you write in several)")
    imp.add_argument(
        "--lang", default="en", metavar="LANG", help="the language read when a column is given in several (title__en)"
    )
    imp.add_argument(
        "--date-format",
        default="yyyy/MM/dd",
        choices=["yyyy/MM/dd", "dd/MM/yyyy", "MM/dd/yyyy"],
        help="the Uwazi instance's date setting, for dates such as 16/12/2011 (ISO dates are always read)",
    )
    add_user_argument(imp)
    imp.set_defaults(func=cmd_uwazi_import)
