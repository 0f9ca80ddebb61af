"""``habeas lists``: import lists of named people, link them into people, review uncertain pairs, export capture
histories and estimate the total — every command as a named user (``--user`` or ``HABEAS_USER``)."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from habeas.cli.identity import add_user_argument, cli_read_record, cli_user
from habeas.core.errors import CommandError
from habeas.core.spreadsheet import formula_safe

_SIDE_BY_SIDE = (
    ("surname", "surname"),
    ("given name", "given_name"),
    ("patronymic", "patronymic"),
    ("sex", "sex"),
    ("born", "born"),
    ("place", "region"),
    ("national ID", "national_id"),
)


def _setup() -> None:
    from habeas.cli.main import setup_django

    setup_django()


def _get(lookup: Any, user: Any, pk: str, what: str, *, write: bool = False) -> Any:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from habeas.accounts.viewer import viewer_for

    try:
        return lookup(viewer=viewer_for(user), pk=int(pk), write=write)
    except (Http404, ValueError):
        raise CommandError(f"no {what} {pk}") from None
    except PermissionDenied as exc:
        raise CommandError(str(exc)) from None


def parse_mapping(items: list[str]) -> dict[str, str]:
    """``field=column`` pairs separated by commas (``--map`` may be given several times)."""
    mapping: dict[str, str] = {}
    for item in items:
        for part in item.split(","):
            if not part.strip():
                continue
            field, sep, column = part.partition("=")
            if not sep or not field.strip() or not column.strip():
                raise CommandError(f"--map: {part.strip()!r} is not field=column (e.g. surname=Фамилия)")
            if field.strip() in mapping:
                raise CommandError(f"--map: the field {field.strip()!r} is mapped twice")
            mapping[field.strip()] = column.strip()
    return mapping


def cmd_import(args: argparse.Namespace) -> int:
    _setup()
    from django.core.exceptions import PermissionDenied

    from habeas.accounts.access import default_team, visible
    from habeas.accounts.models import Team
    from habeas.accounts.viewer import viewer_for
    from habeas.counting.reading import encoding_name
    from habeas.counting.services import ListImportError, list_import
    from habeas.evidence.models import Source

    user = cli_user(args)
    mapping = parse_mapping(args.map)
    source = visible(Source, viewer_for(user)).filter(key=args.source).first()
    if source is None:
        raise CommandError(f"no source {args.source!r}")
    if args.team:
        team = Team.objects.filter(name=args.team).first()
    else:
        team_id = source.team_id or default_team(viewer_for(user))
        team = Team.objects.filter(pk=team_id).first() if team_id else None
    if team is None:
        raise CommandError(f"no team {args.team!r}" if args.team else "give the team of the list: --team NAME")
    try:
        listed = list_import(
            source=source,
            path=Path(args.file),
            mapping=mapping,
            encoding=args.encoding,
            team=team,
            user=user,
            title=args.title or "",
            event=args.event or "",
            stratum=args.stratum or "",
        )
    except ListImportError as exc:
        raise CommandError(str(exc)) from None
    except PermissionDenied:
        raise CommandError(f"{user} may not import lists into the team {team.name!r}") from None
    how = "declared" if listed.encoding_declared else "detected"
    encoding = f", {encoding_name(listed.encoding)} ({how})" if listed.encoding else ""
    name = Path(args.file).name
    print(f"Imported list {listed.pk}: {listed.row_count:,} rows from {name} ({listed.file_format}{encoding}).")
    print(f"SHA-256 {listed.sha256}")
    return 0


def _config(path: str | None) -> dict[str, Any] | None:
    if not path:
        return None
    import yaml

    try:
        settings = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CommandError(f"{path}: cannot be read ({exc})") from None
    if not isinstance(settings, dict):
        raise CommandError(f"{path}: expected settings as 'name: value' lines")
    return settings


def cmd_link(args: argparse.Namespace) -> int:
    _setup()
    from django.core.exceptions import PermissionDenied

    from habeas.counting.selectors import list_get_for_user
    from habeas.counting.services import LinkageRunError, linkage_run
    from habeas.stats.linkage import LinkageError

    user = cli_user(args)
    lists = [_get(list_get_for_user, user, pk, "list") for pk in args.lists]
    try:
        run = linkage_run(lists=lists, user=user, seed=args.seed, config=_config(args.config))
    except (LinkageRunError, LinkageError) as exc:
        raise CommandError(str(exc)) from None
    except PermissionDenied as exc:
        raise CommandError(str(exc)) from None
    print(
        f"Linkage run {run.pk} over lists {', '.join(str(lst.pk) for lst in lists)} (seed {run.seed}): "
        f"{run.records:,} records, {run.people:,} people (clusters), {run.links:,} links; "
        f"{run.pairs_to_review:,} pairs to review"
        + (f"; {run.reviewed_applied:,} earlier review decisions applied" if run.reviewed_applied else "")
        + "."
    )
    if run.summary.get("shipped_weights"):
        print(
            "These lists are too small to learn from how often the same person's details agree: the weights "
            "learned on large synthetic lists were used. Review the uncertain pairs; the decisions then train "
            "the next run."
        )
    if run.pairs_to_review:
        print(f"See them with: habeas lists review {run.pk}")
    return 0


def _side(row: Any, hidden: bool) -> dict[str, str]:
    from habeas.core.dates import describe

    born = describe(row.born_on, row.born_on_precision) if row.born_on else ""
    values = {
        "surname": row.surname,
        "given_name": row.given_name,
        "patronymic": row.patronymic,
        "sex": row.sex,
        "born": born,
        "region": row.region,
        "national_id": row.national_id,
    }
    if hidden:
        for key in ("surname", "given_name", "patronymic", "national_id"):
            values[key] = "(hidden)" if values[key] else ""
    return values


def cmd_review(args: argparse.Namespace) -> int:
    _setup()
    from django.core.exceptions import ValidationError

    from habeas.accounts.viewer import viewer_for
    from habeas.counting.selectors import pair_get_for_user, review_queue, run_get_for_user
    from habeas.counting.services import LinkageRunError, linkage_relink, review_decide

    user = cli_user(args)
    run = _get(run_get_for_user, user, args.run, "linkage run")
    if args.decide:
        pair_id, decision = args.decide
        if decision not in ("same", "different"):
            raise CommandError(f"--decide PAIR same|different, not {decision!r}")
        if not args.reason:
            raise CommandError("give the reason for the decision: --reason TEXT")
        pair = _get(pair_get_for_user, user, pair_id, "review pair", write=True)
        if pair.run_id != run.pk:
            raise CommandError(f"no review pair {pair_id} in linkage run {run.pk}")
        try:
            review_decide(pair=pair, decision=decision, reason=args.reason, user=user)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        print(f"Pair {pair.pk}: {pair.get_state_display()}. Later runs over these lists apply the decision.")
        try:
            again = linkage_relink(run=run, user=user)
        except LinkageRunError as exc:
            raise CommandError(f"the decision is kept, but linking again failed: {exc}") from None
        print(
            f"Linked again at once as run {again.pk}: {again.people:,} people ({run.people:,} before), "
            f"{again.pairs_to_review:,} pairs to review."
        )
        return 0
    hidden = run.team_id in viewer_for(user).hidden
    pairs = list(review_queue(run=run))
    print(f"Linkage run {run.pk}: {len(pairs):,} pairs to review.")
    width = 34
    for pair in pairs:
        a, b = pair.row_a, pair.row_b
        print()
        print(f"Pair {pair.pk}  match probability {pair.match_probability:.3f}")
        where_a = f"list {a.source_list_id}, row {a.row_number}"
        where_b = f"list {b.source_list_id}, row {b.row_number}"
        print(f"  {'':12s} {where_a:{width}s} {where_b}")
        left, right = _side(a, hidden), _side(b, hidden)
        for label, key in _SIDE_BY_SIDE:
            if left[key] or right[key]:
                print(f"  {label:12s} {left[key]:{width}s} {right[key]}")
    if pairs:
        print()
        print(f"Decide with: habeas lists review {run.pk} --decide PAIR same|different --reason TEXT")
    cli_read_record(
        user=user,
        command=f"lists review {run.pk}",
        records={"counting.reviewpair": [p.pk for p in pairs]},
        details={"run": run.pk, "identities_hidden": hidden},
    )
    return 0


def cmd_histories(args: argparse.Namespace) -> int:
    _setup()
    from habeas.counting.selectors import StrataColumnError, run_get_for_user, run_histories

    user = cli_user(args)
    run = _get(run_get_for_user, user, args.run, "linkage run")
    if run.status != "done":
        raise CommandError(f"linkage run {run.pk} failed: it has no capture histories")
    try:
        histories = run_histories(run=run, strata=args.strata)
    except StrataColumnError as exc:
        raise CommandError(str(exc)) from None
    text = io.StringIO()
    as_text = histories.select_dtypes(include="object").columns  # list names and strata are typed by people
    histories[as_text] = histories[as_text].map(lambda v: formula_safe(v) if isinstance(v, str) else v)
    histories.rename(columns=lambda name: formula_safe(str(name))).to_csv(text, index=False, lineterminator="\n")
    if args.out:
        Path(args.out).write_text(text.getvalue(), encoding="utf-8-sig")  # with the BOM spreadsheets read it as UTF-8
        print(f"Wrote the capture histories of {len(histories):,} people to {args.out}.", file=sys.stderr)
    else:
        sys.stdout.write(text.getvalue())
    cli_read_record(
        user=user,
        command=f"lists histories {run.pk}",
        records={"counting.linkagerun": [run.pk]},
        details={"people": len(histories), "strata": args.strata or "", "out": args.out or "stdout"},
    )
    return 0


def cmd_estimate(args: argparse.Namespace) -> int:
    _setup()
    from django.core.exceptions import PermissionDenied

    from habeas.counting.selectors import StrataColumnError, linkage_words, run_get_for_user
    from habeas.counting.services import LinkageRunError, estimate_run
    from habeas.stats.linkage import LinkageError

    user = cli_user(args)
    run = _get(run_get_for_user, user, args.run, "linkage run")
    options = {
        key: value
        for key, value in (
            ("model", args.model),
            ("chains", args.chains),
            ("burn_in", args.burn_in),
            ("samples", args.samples),
            ("thin", args.thin),
        )
        if value is not None
    }
    try:
        stored = estimate_run(
            linkage=run,
            method=args.method,
            seed=args.seed,
            strata=args.strata,
            options=options,
            user=user,
            linkage_draws=args.linkage_draws,
        )
    except (LinkageRunError, LinkageError, StrataColumnError) as exc:
        raise CommandError(str(exc)) from None
    except PermissionDenied as exc:
        raise CommandError(str(exc)) from None
    interval = (
        f"95% interval {stored.ci_low:,.0f} to {stored.ci_high:,.0f}" if stored.ci_high is not None else "no interval"
    )
    by = f", stratified by {stored.strata}" if stored.strata else ""
    print(f"Estimate run {stored.pk} ({stored.method}{by}, seed {stored.seed}) of linkage run {run.pk}:")
    print(f"  {stored.observed:,} people observed on {len(stored.lists)} lists")
    if stored.estimate is None:
        print("  no finite estimate")
    else:
        print(f"  estimated total {stored.estimate:,.0f} ({interval})")
    for stratum in stored.result.get("strata", []):
        number = stratum.get("estimate")
        shown = f"{number:,.0f}" if isinstance(number, int | float) else "no estimate"
        print(f"    {stored.strata} = {stratum['stratum']}: {stratum['observed']:,} observed, {shown}")
    spread = stored.result.get("linkage_uncertainty")
    if spread:
        print(f"  {linkage_words(spread)}")
    for warning in stored.result.get("warnings", []):
        print(f"  warning: {warning}")
    return 0


def add_commands(sub: Any) -> None:
    lists = sub.add_parser("lists", help="lists of named people: import, link, review, capture histories, estimates")
    commands = lists.add_subparsers(dest="lists_command", required=True)

    imp = commands.add_parser("import", help="import a list from a CSV or XLSX file (all rows or none)")
    imp.add_argument("file")
    imp.add_argument("--source", required=True, metavar="KEY", help="the key of the source the list comes from")
    imp.add_argument(
        "--map",
        required=True,
        action="append",
        metavar="FIELD=COLUMN,...",
        help="which column holds each field, e.g. 'surname=Фамилия,given_name=Имя,born_on=Дата рождения'; fields: "
        "record_id, given_name, patronymic, surname, sex, born_on, birth_year, region, national_id, event_on, "
        "event_place, stratum",
    )
    imp.add_argument("--encoding", help="the CSV file's encoding (utf-8, cp1251, koi8-r); detected when left out")
    imp.add_argument("--team", metavar="NAME", help="the team that holds the list (default: the source's)")
    imp.add_argument("--title", help="the list's title (default: the file's name)")
    imp.add_argument("--event", help="what the list is about, e.g. 'Zhanaozen, December 2011'")
    imp.add_argument("--stratum", help="a stratum shared by every row, e.g. a region")
    add_user_argument(imp)
    imp.set_defaults(func=cmd_import)

    lnk = commands.add_parser("link", help="link lists into people (record linkage); prints the summary")
    lnk.add_argument("lists", nargs="+", metavar="LIST_ID")
    lnk.add_argument("--seed", type=int, default=0)
    lnk.add_argument("--config", help="a YAML file of linkage settings (thresholds, review band)")
    add_user_argument(lnk)
    lnk.set_defaults(func=cmd_link)

    rev = commands.add_parser("review", help="list a run's pairs to review side by side, or decide one")
    rev.add_argument("run", metavar="RUN")
    rev.add_argument("--decide", nargs=2, metavar=("PAIR", "same|different"))
    rev.add_argument("--reason", help="why (needed with --decide)")
    add_user_argument(rev)
    rev.set_defaults(func=cmd_review)

    his = commands.add_parser("histories", help="the capture histories of a run as CSV: one row per person")
    his.add_argument("run", metavar="RUN")
    his.add_argument("--strata", metavar="COLUMN", help="add each person's stratum: stratum, sex, region, …")
    his.add_argument("--out", metavar="FILE.csv")
    add_user_argument(his)
    his.set_defaults(func=cmd_histories)

    est = commands.add_parser("estimate", help="estimate the total from a run's capture histories, and store it")
    est.add_argument("run", metavar="RUN")
    est.add_argument("--method", default="loglinear", choices=["loglinear", "sparse", "dga", "lcmcr"])
    est.add_argument("--seed", type=int, help="default: one is drawn and recorded")
    est.add_argument("--strata", metavar="COLUMN", help="estimate each stratum and add them up")
    est.add_argument(
        "--linkage-draws",
        type=int,
        metavar="K",
        help="clusterings drawn from the pairs still to review, so that the interval includes the linkage's "
        "uncertainty (default 20, 0 for lcmcr; 0: the run's clustering taken as certain)",
    )
    est.add_argument("--model", help="a log-linear model, e.g. '[12,13,23]' (default: BIC-best)")
    est.add_argument("--chains", type=int)
    est.add_argument("--burn-in", type=int)
    est.add_argument("--samples", type=int)
    est.add_argument("--thin", type=int)
    add_user_argument(est)
    est.set_defaults(func=cmd_estimate)
