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
    from habeas.accounts.viewer import viewer_for
    from habeas.standards.selectors import findings_for_report
    from habeas.standards.services import findings_evaluate, findings_preview, profile_get
    from habeas.standards.visibility import findings_visible

    viewer = viewer_for(user)
    as_of = _as_of(args.as_of)
    if as_of is None:
        evaluation = findings_evaluate(profile_name=args.profile, codes=args.rule)
        profile = evaluation.profile
        rows = findings_visible(findings_for_report(profile, args.rule, seen_by=viewer), viewer)
        stored = f"({evaluation.created} new, {evaluation.changed} changed, {evaluation.retired} no longer found)"
    else:  # a what-if: computed and printed, the stored findings left as they are
        profile = profile_get(args.profile).name
        rows = findings_visible(findings_preview(profile_name=profile, codes=args.rule, now=as_of), viewer)
        stored = f"as of {args.as_of}; nothing stored"
    records: dict[str, set[int]] = {}
    for view in rows:
        records.setdefault(view.record.model, set()).add(view.record.pk)
    command = " ".join(
        ["check", "--profile", profile]
        + [f"--rule {code}" for code in args.rule or []]
        + (["--as-of", args.as_of] if args.as_of else [])
        + ["--format", args.format]
    )
    findings = [view.plain() for view in rows if view.status != "gap"]
    gaps = [view.plain() for view in rows if view.status == "gap"]
    cli_read_record(
        user=user,
        command=command,
        records={label: sorted(ids) for label, ids in sorted(records.items())},
        details={"findings": len(findings), "gaps": len(gaps)},
    )
    columns = ["rule", "status", "severity", "subject", "summary", "record"]
    if args.format == "table":
        write(findings, columns, args.format)
        if gaps:
            print(f"\nGaps: {len(gaps)} questions for the researcher (no source states the fact a rule needs)")
            write(gaps, ["rule", "subject", "summary", "record"], args.format)
    else:
        write([view.plain() for view in rows], columns, args.format)  # a gap is a row whose status is "gap"
    print(
        f"{len(findings)} findings under profile {profile!r} that {user.get_username()} may see, and {len(gaps)} "
        f"gaps {stored}.",
        file=sys.stderr,
    )
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from habeas.cli.main import setup_django

    setup_django()
    from habeas.standards.services import profile_get

    profile = profile_get(args.profile)
    from habeas.standards.applicability import treaty_of
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
                # a treaty's rules apply only in its states parties, from its entry into force for each of them
                "applies": f"states party to {treaty}, while in force" if (treaty := treaty_of(rule)) else "everywhere",
                "parameters": {
                    p: {
                        "value": params[p],
                        "kind": "working threshold" if params.cited(p).working else "set by the standard",
                        "set_by": params.cited(p).set_by,
                        "working": params.cited(p).working,
                        "citation": params.cited(p).citation,
                    }
                    for p in rule.parameters
                },
            }
        )
    write(rows, ["rule", "severity", "legal_force", "verified", "applies", "parameters", "title"], args.format)
    return 0


def add_commands(sub: Any) -> None:
    check = sub.add_parser("check", help="check every record against the standards and print the findings")
    check.add_argument("--profile", default="international", help="jurisdiction profile (international, kz)")
    check.add_argument("--rule", action="append", metavar="CODE", help="only this rule (repeatable)")
    check.add_argument("--format", choices=FORMATS, default="table")
    check.add_argument(
        "--as-of",
        help="what-if: judge delays as of this date (YYYY-MM-DD) and print the findings without storing them",
    )
    add_user_argument(check)
    check.set_defaults(func=cmd_check)

    rules = sub.add_parser("rules", help="list the rules of a profile with their parameters and citations")
    rules.add_argument("--profile", default="international")
    rules.add_argument("--format", choices=FORMATS, default="table")
    rules.set_defaults(func=cmd_rules)
