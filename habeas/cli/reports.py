"""``habeas export --redact PROFILE``: a redacted export for publication or for partners, signed if asked;
``habeas verify``: a signed export checked against its sender's key; ``habeas import``: a partner's signed
export loaded as records of a new source; ``habeas briefing``: a briefing in PDF or
HTML; ``habeas search reindex``."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from habeas.cli.identity import add_user_argument
from habeas.core.errors import CommandError

FORMATS = ["json", "csv"]


class UsageError(CommandError):
    """A command line that asks for something this command will not do (exit code 2, as argparse's)."""

    exit_code = 2


def cmd_export(args: argparse.Namespace) -> int:
    if not args.redact:
        raise UsageError(
            "say which redaction profile to apply: --redact PROFILE (the command line makes no unredacted exports)"
        )
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.cli.identity import cli_user
    from habeas.reports.redaction import profile_load

    user = cli_user(args)
    profile = profile_load(args.redact)  # an unknown profile fails before anything is written
    out = Path(args.out)
    if out.is_dir():
        raise CommandError(f"--out {out} is a folder; give the path of the file to write")
    if not out.parent.is_dir():
        raise CommandError(f"--out {out}: the folder {out.parent} does not exist")
    summary = _write_atomically(out, user=user, profile=profile, fmt=args.format, language=args.lang)
    print(f"Exported {summary.total} records under the redaction profile '{summary.profile}' ({summary.format}):")
    for label, count in summary.counts.items():
        print(f"  {count:6d}  {label}")
    print(f"Written to {out} ({summary.size:,} bytes, SHA-256 {summary.sha256}).")
    if args.sign:
        from habeas.reports.signing import export_sign

        print(f"Signed with the organisation's key: {export_sign(out)} (send it with the export).")
    print("The export is recorded in the audit trail.")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.reports.signing import export_verify

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    trust = Path(args.trust).read_text(encoding="utf-8") if Path(args.trust).is_file() else args.trust
    export_verify(path, trust=trust)
    print(f"{path} is as the holder of the key you trust signed it.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.accounts.models import Team
    from habeas.cli.identity import cli_user
    from habeas.ops.exchange import export_import

    user = cli_user(args)
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    team = None
    if args.team:
        team = Team.objects.filter(name=args.team).first()
        if team is None:
            raise CommandError(f"there is no team {args.team!r}")
    trust = Path(args.trust).read_text(encoding="utf-8") if Path(args.trust).is_file() else args.trust
    summary = export_import(path=path, trust=trust, user=user, team=team, sender=args.sender)
    print(f"{path} is as the holder of the key you trust signed it.")
    print(f"Imported {summary.total} records as records of the source '{summary.source.key}':")
    for label in sorted({*summary.created, *summary.updated}):
        created, updated = summary.created.get(label, 0), summary.updated.get(label, 0)
        print(f"  {created:6d} new, {updated:6d} updated  {label}")
    if summary.unmatched:
        print(f"{len(summary.unmatched)} references name what this Habeas does not hold and were left empty:")
        for reference in sorted(summary.unmatched):
            print(f"  {reference}")
    print("The import is recorded in the audit trail.")
    return 0


def _write_atomically(out: Path, *, user: Any, profile: Any, fmt: str, language: str) -> Any:
    """Write to a temporary file beside ``out`` and move it into place, so that a failure leaves no partial
    file (and, the audit event being written in the same transaction, no event of an export that was not
    made)."""
    from habeas.reports.services import export_write

    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            summary = export_write(
                user=user, profile=profile, format=fmt, out=stream, destination=str(out.resolve()), language=language
            )
        Path(temporary).replace(out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return summary


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def _places(names: list[str]) -> tuple[int, ...]:
    """The places named (by name, as on their page, or by number)."""
    from habeas.registry.models import Place

    found = []
    for name in names:
        place = Place.objects.filter(pk=int(name)).first() if name.isdigit() else None
        place = place or Place.objects.filter(name__iexact=name).first()
        if place is None:
            raise CommandError(f"there is no place {name!r}: give its name as on its page, or its number")
        found.append(place.pk)
    return tuple(found)


def cmd_briefing(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.cli.identity import cli_user
    from habeas.reports.briefing import Scope
    from habeas.reports.services_briefing import briefing_build, briefing_document

    user = cli_user(args)
    out = Path(args.out)
    if out.is_dir():
        raise CommandError(f"--out {out} is a folder; give the path of the file to write")
    if not out.parent.is_dir():
        raise CommandError(f"--out {out}: the folder {out.parent} does not exist")
    scope = Scope(
        redaction=args.redact,
        language=args.lang,
        period_from=args.date_from,
        period_to=args.date_to,
        places=_places(args.place),
        themes=tuple(args.theme),
        rules=tuple(args.rule),
        persons=tuple(args.person),
        groups=tuple(args.group),
        profile=args.profile,
    )
    built = briefing_build(
        user=user, scope=scope, format=args.format, progress=lambda done, total, what: print(what, flush=True)
    )
    temporary = out.with_name(f".{out.name}.part")
    temporary.write_bytes(briefing_document(built))
    temporary.replace(out)
    print(f"Wrote the briefing ({scope.redaction}, {scope.language}, {args.format}) to {out}: {built.size:,} bytes,")
    print(f"SHA-256 {built.sha256}; built from {built.records} records (SHA-256 {built.records_sha256}).")
    print("The briefing is recorded in the audit trail.")
    return 0


def cmd_search_reindex(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.reports.search import search_reindex

    counts = search_reindex(progress=lambda text: print(text, flush=True))
    print(f"The search index holds {sum(counts.values()):,} records again.")
    return 0


def add_commands(sub: Any) -> None:
    export = sub.add_parser(
        "export",
        help="write a redacted export (persons pseudonymised, dates coarsened, free text removed)",
        description="Write the records you may see, redacted by a declared profile (habeas/reports/redaction). "
        "CSV is a zip archive with one file per model; JSON is one document with a key per model.",
    )
    export.add_argument("--redact", metavar="PROFILE", help="the redaction profile, e.g. public or partner")
    export.add_argument("--format", choices=FORMATS, default="json")
    export.add_argument(
        "--lang", default="en", metavar="LANG", help="the language of the findings' sentences: en, ru, kk"
    )
    export.add_argument("--out", required=True, metavar="PATH", help="the file to write (.json or .zip)")
    export.add_argument(
        "--sign",
        action="store_true",
        help="sign it with the organisation's key (FILE.sig beside it; see `habeas keys signing`)",
    )
    add_user_argument(export)
    export.set_defaults(func=cmd_export)

    briefing = sub.add_parser(
        "briefing",
        help="write a briefing (findings by theme, recommendations, estimates, footnoted) as PDF or HTML",
        description="Write a briefing of the records you may see in a scope, redacted for the team (internal), "
        "for partners or for the public.",
    )
    briefing.add_argument("--from", dest="date_from", type=_date, metavar="DATE", help="the first day (YYYY-MM-DD)")
    briefing.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="the last day (YYYY-MM-DD)")
    briefing.add_argument("--place", action="append", default=[], metavar="NAME", help="a place (repeat for more)")
    briefing.add_argument("--theme", action="append", default=[], metavar="THEME", help="a theme (repeat for more)")
    briefing.add_argument("--rule", action="append", default=[], metavar="CODE", help="a rule (repeat for more)")
    briefing.add_argument("--person", action="append", default=[], type=int, metavar="ID", help="a person's number")
    briefing.add_argument("--group", action="append", default=[], type=int, metavar="ID", help="a group's number")
    briefing.add_argument("--lang", default="en", choices=["en", "ru", "kk"], help="the language (default: en)")
    briefing.add_argument("--redact", required=True, choices=["internal", "partner", "public"])
    briefing.add_argument("--format", default="pdf", choices=["pdf", "html"])
    briefing.add_argument("--profile", default="kz", help="the jurisdiction profile of the findings (default: kz)")
    briefing.add_argument("--out", required=True, metavar="PATH", help="the file to write")
    add_user_argument(briefing)
    briefing.set_defaults(func=cmd_briefing)

    verify = sub.add_parser(
        "verify",
        help="check that an export was signed by a key you trust and not changed since",
        description="Check FILE against its signature FILE.sig and the sender's public key.",
    )
    verify.add_argument("file", metavar="FILE")
    verify.add_argument(
        "--trust", required=True, metavar="PUBLICKEY", help="the sender's public key (or a file holding it)"
    )
    verify.set_defaults(func=cmd_verify)

    imp = sub.add_parser(
        "import",
        help="load a partner's signed export as records of a new source (a newer export updates them)",
        description="Check FILE against its signature FILE.sig and the sender's public key, then load its records "
        "into your team, cited to a new source that says who sent it and when. Records a former export of the "
        "same sender brought are updated, not added again. All the records or none.",
    )
    imp.add_argument("file", metavar="FILE", help="the export (JSON), with FILE.sig beside it")
    imp.add_argument(
        "--trust", required=True, metavar="PUBLICKEY", help="the sender's public key (or a file holding it)"
    )
    imp.add_argument("--sender", default="", metavar="NAME", help="the sender's name, for the source's title")
    imp.add_argument("--team", metavar="NAME", help="the team to load into (if you write in several)")
    add_user_argument(imp)
    imp.set_defaults(func=cmd_import)

    search = sub.add_parser("search", help="the search index")
    search_sub = search.add_subparsers(dest="search_command", required=True)
    reindex = search_sub.add_parser(
        "reindex", help="rebuild the search index from every record (after records were written around Habeas)"
    )
    reindex.set_defaults(func=cmd_search_reindex)
