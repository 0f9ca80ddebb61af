"""`habeas check` and `habeas rules`."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from typing import Any

from habeas.cli.identity import add_user_argument
from habeas.core.spreadsheet import formula_safe

FORMATS = ["table", "json", "csv"]


def _as_of(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of {text!r} is not a date (YYYY-MM-DD)") from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def write(rows: list[dict[str, Any]], columns: list[str], fmt: str) -> None:
    if fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    flat = [{c: _cell(row.get(c)) for c in columns} for row in rows]
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=columns)
        writer.writeheader()
        writer.writerows({c: formula_safe(text) for c, text in row.items()} for row in flat)
        return
    widths = {c: min(max([len(c)] + [len(r[c]) for r in flat]), 60) for c in columns}
    print("  ".join(c.upper().ljust(widths[c]) for c in columns))
    for r in flat:
        print("  ".join(r[c][: widths[c]].ljust(widths[c]) for c in columns))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and {"type", "id"} <= value.keys():
        return f"{value['type']}#{value['id']}"
    if isinstance(value, list):
        return "; ".join(
            f"{s.get('source', '')} — {s.get('section', '')}" if isinstance(s, dict) else str(s) for s in value
        )
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def cmd_check(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.cli.identity import cli_read_record, cli_user

    user = cli_user(args)  # before anything is evaluated or printed
    from habeas.standards.selectors import findings_for_report, findings_visible
    from habeas.standards.services import findings_evaluate

    evaluation = findings_evaluate(profile_name=args.profile, codes=args.rule, now=_as_of(args.as_of))
    rows = findings_visible(findings_for_report(evaluation.profile, args.rule, seen_by=user), user)
    records: dict[str, set[int]] = {}
    for row in rows:
        records.setdefault(row["record"]["type"], set()).add(row["record"]["id"])
    command = " ".join(
        ["check", "--profile", evaluation.profile]
        + [f"--rule {code}" for code in args.rule or []]
        + (["--as-of", args.as_of] if args.as_of else [])
        + ["--format", args.format]
    )
    cli_read_record(
        user=user,
        command=command,
        records={label: sorted(ids) for label, ids in sorted(records.items())},
        details={"findings": len(rows)},
    )
    write(rows, ["rule", "status", "severity", "subject", "summary", "record"], args.format)
    print(
        f"{len(rows)} findings under profile {evaluation.profile!r} that {user.get_username()} may see "
        f"({evaluation.created} new, {evaluation.changed} changed, {evaluation.retired} no longer found).",
        file=sys.stderr,
    )
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.standards.services import profile_get

    profile = profile_get(args.profile)
    from habeas.standards.rules import CATALOGUE

    params = profile.params()
    rows = []
    for code in profile.rules:
        rule = CATALOGUE[code]
        rows.append(
            {
                "rule": rule.code,
                "version": rule.version,
                "severity": rule.severity.name.lower(),
                "legal_force": rule.legal_force.value,
                "verified": rule.verified,
                "title": rule.title,
                "standard": rule.citation,
                "parameters": {p: {"value": params[p], "citation": params.cited(p).citation} for p in rule.parameters},
            }
        )
    write(rows, ["rule", "severity", "legal_force", "verified", "parameters", "title"], args.format)
    return 0


def add_commands(sub: Any) -> None:
    check = sub.add_parser("check", help="check every record against the standards and print the findings")
    check.add_argument("--profile", default="international", help="jurisdiction profile (international, kz)")
    check.add_argument("--rule", action="append", metavar="CODE", help="only this rule (repeatable)")
    check.add_argument("--format", choices=FORMATS, default="table")
    check.add_argument("--as-of", help="the date to judge delays against (default: today)")
    add_user_argument(check)
    check.set_defaults(func=cmd_check)

    rules = sub.add_parser("rules", help="list the rules of a profile with their parameters and citations")
    rules.add_argument("--profile", default="international")
    rules.add_argument("--format", choices=FORMATS, default="table")
    rules.set_defaults(func=cmd_rules)
