"""Writes of the rules engine: evaluate a profile's rules and store the findings, in one transaction."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, cast

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from habeas.accounts import pagecache
from habeas.accounts.jobs import Progress
from habeas.accounts.records import Write
from habeas.accounts.services import audit_record
from habeas.core.wording import english
from habeas.standards import selectors
from habeas.standards.applicability import Applicability
from habeas.standards.engine import (
    PROFILE_DIR,
    LegalForce,
    Outcome,
    Params,
    Profile,
    Rule,
    StandardsError,
    Status,
    load_profile,
)
from habeas.standards.facts import Base, Ref, When, moment
from habeas.standards.models import Finding, Follow
from habeas.standards.rules import CATALOGUE, rules_by_code


@dataclass(frozen=True)
class Result:
    rule: Rule
    facts: Base
    outcome: Outcome
    params: Params

    @property
    def topic(self) -> str:
        """The failure judged: the outcome's, else the rule's topic, else the rule alone."""
        return self.outcome.topic or self.rule.topic or self.rule.code


@dataclass(frozen=True)
class Folded:
    """One failure on one record: the outcomes of every rule that judged it, the strictest first."""

    topic: str
    results: tuple[Result, ...]

    @property
    def lead(self) -> Result:
        return self.results[0]


@dataclass(frozen=True)
class Evaluation:
    profile: str
    found: int
    created: int
    changed: int
    retired: int
    by_rule: dict[str, int]


def profile_names() -> list[str]:
    """The jurisdiction profiles one can check against."""
    return sorted(path.stem for path in PROFILE_DIR.glob("*.yaml"))


def profile_get(name: str) -> Profile:
    return load_profile(name, known_rules=CATALOGUE.values())


def _rules(profile: Profile, codes: Iterable[str] | None) -> list[Rule]:
    """The rules to run: the profile's, or those named with every rule of the profile judging the same
    failures (a finding cites them all, so a check of one is a check of its topic)."""
    chosen = list(profile.rules) if codes is None else list(codes)
    rules = rules_by_code(chosen)
    outside = [rule.code for rule in rules if rule.code not in profile.rules]
    if outside:
        raise StandardsError(f"rule {outside[0]} is not part of profile {profile.name!r}")
    if codes is None:
        return rules
    topics = {t for rule in rules for t in rule.topics}
    return rules + [r for r in rules_by_code(profile.rules) if r not in rules and topics & set(r.topics)]


def evaluate(
    profile: Profile,
    rules: list[Rule],
    *,
    now: dt.datetime,
    records: dict[str, set[int]] | None = None,
    progress: Progress | None = None,
) -> list[Result]:
    """Run the rules over the facts the selectors gather (all records, or only ``records``: subject →
    ids). Pure reads. ``progress(done, total, what)`` is told of each kind of record in turn, out of the kinds
    plus one (storing the findings)."""
    ctx = selectors.Context()
    applicable = Applicability(profile, ctx)  # a treaty's rules: only in its states parties, while in force
    usable_on: dict[tuple[int | None, str], list[Rule]] = {}
    # Between two dates where some parameter changes, the same parameters apply: cache them per interval.
    boundaries = sorted(
        {d for versions in profile.parameters.values() for v in versions for d in (v.valid_from, v.valid_until) if d}
    )
    params_on: dict[int | None, Params] = {}
    results = []
    by_subject: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        by_subject[rule.subject].append(rule)
    for step, (subject, subject_rules) in enumerate(by_subject.items()):
        if progress:
            progress(step, len(by_subject) + 1, str(_("checking %(kind)s records") % {"kind": subject}))
        gather, _models = selectors.SUBJECTS[subject]
        ids: Any = None if records is None else records.get(subject, set())
        if ids is not None and not ids:
            continue
        if ids is None and subject in selectors.SET_BASED:
            names, candidates = selectors.SET_BASED[subject]
            ids = candidates(_smallest(profile, subject_rules, names))
        with translation.override("en"):  # facts name choices in English, whoever started the check
            for facts in gather(ctx, ids):
                on = facts.on.date() if isinstance(facts.on, dt.datetime) else facts.on
                period = None if on is None else bisect.bisect_right(boundaries, on)
                if period not in params_on:
                    params_on[period] = profile.params(on, as_of=now)
                params = params_on[period]
                if (period, subject) not in usable_on:  # rules whose parameters are all in force on that date
                    usable_on[(period, subject)] = [
                        r for r in subject_rules if all(p in params.values for p in r.parameters)
                    ]
                for rule in usable_on[(period, subject)]:
                    bounded = rule.in_force_from is not None or rule.in_force_until is not None
                    if (bounded and not rule.applies(facts)) or not applicable.applies(rule, facts):
                        continue
                    found = rule.evaluate(facts, params)
                    if found is not None:
                        results.append(Result(rule, facts, found, params))
    return results


def as_known(results: list[Result], now: dt.datetime, latest: dict[Ref, When]) -> list[Result]:
    """The results judged as of the date each record's facts are known up to: its latest dated source, or the
    date its facts were last reviewed, whichever is later — unless it (or a record whose facts it used) is
    under active monitoring, or nothing dates it: then the day of the check. A result found at the check's date
    is judged again at that earlier date (a delay only shortens), and dropped if nothing is found there.
    ``latest``: the date of the latest dated source of each record (``selectors.sources_of``)."""
    refs = {r.facts.record for r in results} | {ref for r in results for ref in r.facts.refs}
    active, reviewed = selectors.follows_of(refs)
    today = When.day_of(now)
    out = []
    rejudged: dict[tuple[int, When], Params] = {}
    for result in results:
        used = (result.facts.record, *result.facts.refs)
        dates = [d for ref in used for d in (latest.get(ref), reviewed.get(ref)) if d is not None]
        if not dates or any(ref in active for ref in used):
            out.append(result)
            continue
        known = max(dates, key=lambda d: moment(d.hi))
        if moment(known.lo) >= moment(today.lo):
            out.append(result)  # known up to the check's date or later: the check's date
            continue
        if moment(known.hi) > moment(today.lo):
            known = When(known.lo, today.lo, known.value, known.precision)
        key = (id(result.params), known)
        if key not in rejudged:
            rejudged[key] = replace(result.params, known=known)
        found = result.rule.evaluate(result.facts, rejudged[key])
        if found is not None:
            out.append(Result(result.rule, result.facts, found, rejudged[key]))
    return out


#: how statuses rank within one finding: the first is what the finding says
STATUS_RANK = {Status.BREACH: 0, Status.POSSIBLE: 1, Status.ALLEGED: 2, Status.GAP: 3}
#: binding law is cited before interpretation, soft law, guidance and heuristics with the same limit
FORCE_RANK = {
    LegalForce.TREATY: 0,
    LegalForce.NATIONAL: 1,
    LegalForce.INTERPRETATION: 2,
    LegalForce.SOFT: 3,
    LegalForce.GUIDANCE: 4,
    LegalForce.HEURISTIC: 5,
}


def folded(results: list[Result]) -> list[Folded]:
    """One finding per record and failure: the results of the rules that judged the same failure on the same
    record, ordered strictest first — the strongest status, then the lowest limit, then binding law first."""
    groups: dict[tuple[Ref, str], list[Result]] = defaultdict(list)
    for result in results:
        groups[(result.facts.record, result.topic)].append(result)
    out = []
    for (_record, topic), members in groups.items():
        if len(members) > 1:
            members.sort(
                key=lambda r: (
                    STATUS_RANK[r.outcome.status],
                    _limit(r.outcome) if _limit(r.outcome) is not None else float("inf"),
                    FORCE_RANK[r.rule.legal_force],
                    r.rule.code,
                )
            )
        out.append(Folded(topic, tuple(members)))
    return out


def _smallest(profile: Profile, rules: list[Rule], names: tuple[str, ...]) -> float:
    """The smallest value, over every date version, of the limits these rules use."""
    used = {p for rule in rules for p in rule.parameters if p in names}
    return min(float(version.value) for p in used for version in profile.parameters[p])


def _limit(found: Outcome) -> float | None:
    for key in ("limit_hours", "limit_days"):
        if key in found.facts:
            value = float(found.facts[key])
            return value / 24 if key == "limit_hours" else value
    return None


#: the stored fields of a finding that the rules determine, in the order ``_rows`` builds them
ROW_FIELDS = (
    "rule",
    "rule_version",
    "status",
    "severity",
    "subject",
    "wording",
    "standard",
    "standards",
    "facts",
    "parameters",
    "sources",
    "prevails",
    "place_id",
    "organisation_id",
    "team_id",
)
JSON_FIELDS = ("standards", "facts", "parameters")  # the parameters object is shared by many findings
KEY_FIELDS = ("topic", "content_type_id", "object_id")


def _prepared(rows: list[tuple[Any, ...]], at: int) -> list[list[Any]]:
    """Rows holding the ``ROW_FIELDS`` from position ``at``, with the protected fields sealed (they name people,
    and the sections of sources cited) as the field would seal them."""
    protected = [
        (at + ROW_FIELDS.index(name), cast(Field[Any, Any], Finding._meta.get_field(name)))
        for name in ("subject", "wording", "sources")
    ]
    sealed = []
    for r in rows:
        values = list(r)
        for i, field in protected:
            values[i] = field.get_db_prep_save(values[i], connection)
        sealed.append(values)
    return sealed


def _json_adapted(rows: list[list[Any]], at: int) -> Iterator[list[Any]]:
    """The rows with their JSON fields adapted for the database (the parameters object, shared by many
    findings, once)."""
    ops, encoder = connection.ops, Finding._meta.get_field("facts").encoder
    own = [at + ROW_FIELDS.index(name) for name in JSON_FIELDS[:-1]]
    parameters_at = at + ROW_FIELDS.index(JSON_FIELDS[-1])
    adapted: dict[int, Any] = {}
    for values in rows:
        for i in own:
            values[i] = ops.adapt_json_value(values[i], encoder)
        parameters = values[parameters_at]
        if id(parameters) not in adapted:
            adapted[id(parameters)] = ops.adapt_json_value(parameters, encoder)
        values[parameters_at] = adapted[id(parameters)]
        yield values


def _insert(profile: str, rows: list[tuple[Any, ...]], now: dt.datetime) -> None:
    """Insert new findings — tuples of the ``KEY_FIELDS``, the ``ROW_FIELDS`` and the fingerprint — with one
    parameterised statement per batch: at national scale the ORM's per-object work would dominate."""
    if not rows:
        return
    at = len(KEY_FIELDS)
    sealed = _prepared(rows, at)
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    columns = [
        *KEY_FIELDS,
        *ROW_FIELDS,
        "fingerprint",
        "profile",
        "active",
        "first_found_at",
        "changed_at",
        "review",
        "review_reason",
    ]
    table = ops.quote_name(Finding._meta.db_table)
    tail = (profile, True, stamp, stamp, "", "")
    if connection.vendor == "postgresql":
        _copy(table, columns, sealed, tail, tuple(at + ROW_FIELDS.index(name) for name in JSON_FIELDS))
        return
    sql = (
        f"INSERT INTO {table} ({', '.join(ops.quote_name(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    adapted = list(_json_adapted(sealed, at))
    with connection.cursor() as cursor:
        for start in range(0, len(adapted), 5000):
            cursor.executemany(sql, [(*values, *tail) for values in adapted[start : start + 5000]])


def _update(rows: dict[int, tuple[Any, ...]], now: dt.datetime) -> None:
    """Write changed findings — by primary key, the ``ROW_FIELDS`` and the fingerprint — current again, with one
    parameterised statement per batch (the first check after an upgrade may change every finding)."""
    if not rows:
        return
    ops = connection.ops
    pks = list(rows)
    sealed = _prepared([rows[pk] for pk in pks], 0)
    columns = [*ROW_FIELDS, "fingerprint", "active", "changed_at"]
    sql = (
        f"UPDATE {ops.quote_name(Finding._meta.db_table)} "
        f"SET {', '.join(f'{ops.quote_name(c)} = %s' for c in columns)} WHERE {ops.quote_name('id')} = %s"
    )
    stamp = ops.adapt_datetimefield_value(now)
    adapted = [(*values, True, stamp, pk) for values, pk in zip(_json_adapted(sealed, 0), pks, strict=True)]
    with connection.cursor() as cursor:
        for start in range(0, len(adapted), 5000):
            cursor.executemany(sql, adapted[start : start + 5000])


def _copy(
    table: str, columns: list[str], rows: list[list[Any]], tail: tuple[Any, ...], json_at: tuple[int, ...]
) -> None:
    """PostgreSQL's bulk path: COPY, with the JSON columns as text."""
    dumped: dict[int, str] = {}  # the parameters object is shared by many findings: dump it once
    shared_at = json_at[-1]

    def dump(value: Any) -> str:
        if id(value) not in dumped:
            dumped[id(value)] = json.dumps(value, ensure_ascii=False)
        return dumped[id(value)]

    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for r in rows:
            values = list(r)
            for i in json_at:
                values[i] = dump(r[i]) if i == shared_at else json.dumps(r[i], ensure_ascii=False)
            copy.write_row((*values, *tail))


def _jsonable(value: Any) -> Any:
    if isinstance(value, float):
        return None if value == float("inf") else round(value, 3)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Row:
    """A finding as the check builds it: its key (topic, record) and its ``ROW_FIELDS``."""

    topic: str
    record: Ref
    values: tuple[Any, ...]
    fingerprint: str


def _rows(results: list[Result], sources: dict[Ref, list[dict[str, str]]]) -> list[Row]:
    """The findings the results make: one per record and failure (``folded``), with its sources and team."""
    groups = folded(results)
    teams = selectors.teams_of({r.facts.record for r in results})
    # What many findings share is built once: the parameters of the rules in one period.
    shared: dict[tuple[tuple[str, int], ...], tuple[dict[str, Any], str]] = {}
    rows = []
    for group in groups:
        lead = group.lead
        facts, found = lead.facts, lead.outcome
        key = tuple((r.rule.code, id(r.params)) for r in group.results)
        if key not in shared:
            cited_params = {
                p: {
                    "value": r.params.values[p].value,
                    "citation": r.params.values[p].citation,
                    **({"working": r.params.values[p].working} if r.params.values[p].working else {}),
                }
                for r in group.results
                for p in r.rule.parameters
                if p in r.params.values
            }
            shared[key] = (cited_params, repr(cited_params))
        parameters, parameters_key = shared[key]
        refs = dict.fromkeys(ref for r in group.results for ref in (r.facts.record, *r.facts.refs))
        cited = [s for ref in refs for s in sources.get(ref, ())] if sources else []
        values = (
            lead.rule.code,
            lead.rule.version,
            found.status.value,
            max(int(r.rule.severity) for r in group.results),
            facts.subject[:300],
            found.wording,
            lead.rule.citation,
            [
                {"rule": r.rule.code, "standard": r.rule.citation, "status": r.outcome.status.value}
                for r in group.results
            ],
            {k: _jsonable(v) for k, v in found.facts.items()},
            parameters,
            cited,
            True,
            facts.place_id,
            facts.organisation_id,
            teams.get(facts.record),
        )
        at = ROW_FIELDS.index("parameters")
        fingerprint = hashlib.blake2b(
            repr((group.topic, values[:at], values[at + 1 :], parameters_key)).encode(), digest_size=32
        ).hexdigest()
        rows.append(Row(group.topic, facts.record, values, fingerprint))
    return rows


def _checked(
    profile_name: str,
    codes: Iterable[str] | None,
    now: dt.datetime,
    records: dict[str, set[int]] | None,
    progress: Progress | None,
) -> tuple[Profile, list[Rule], list[Row]]:
    profile = profile_get(profile_name)
    rules = _rules(profile, codes)
    found = evaluate(profile, rules, now=now, records=records, progress=progress)
    steps = len({rule.subject for rule in rules}) + 1
    if progress:
        progress(steps - 1, steps, str(_("storing %(count)d findings") % {"count": len(found)}))
    sources, latest = selectors.sources_of(
        {r.facts.record for r in found} | {ref for r in found for ref in r.facts.refs}
    )
    return profile, rules, _rows(as_known(found, now, latest), sources)


def findings_preview(
    *, profile_name: str, codes: Iterable[str] | None = None, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """What a check would find, as of ``now`` (a what-if: ``habeas check --as-of``), as plain data like
    ``selectors.findings_for_report`` gives: nothing is stored, the stored findings stay as they are."""
    now = now or timezone.now()
    _profile, _rules_run, rows = _checked(profile_name, codes, now, None, None)
    out = []
    ordered = sorted(rows, key=lambda r: (-r.values[ROW_FIELDS.index("severity")], r.values[0], r.values[4]))
    for row in ordered:
        values = dict(zip(ROW_FIELDS, row.values, strict=True))
        out.append(
            {
                "rule": values["rule"],
                "rule_version": values["rule_version"],
                "topic": row.topic,
                "status": values["status"],
                "severity": str(Finding.Severity(values["severity"]).label),
                "record": {"type": row.record[0], "id": row.record[1]},
                "subject": values["subject"],
                "summary": english(values["wording"]),
                "standard": values["standard"],
                "standards": values["standards"],
                "prevails": values["prevails"],
                "review": None,
                "parameters": values["parameters"],
                "facts": values["facts"],
                "sources": values["sources"],
            }
        )
    return out


@transaction.atomic
def findings_evaluate(
    *,
    profile_name: str,
    codes: Iterable[str] | None = None,
    now: dt.datetime | None = None,
    records: dict[str, set[int]] | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    """Evaluate and store findings: one per record and failure, citing every standard it breaches. Unchanged
    findings are left alone; changed ones are updated in place, keeping any review decision; findings no
    longer produced are retired (kept, with their review, but marked not current). With ``records``, only those
    records' findings are touched. ``progress`` is told how far the check has got (see ``evaluate``)."""
    now = now or timezone.now()
    profile, rules, rows = _checked(profile_name, codes, now, records, progress)
    steps = len({rule.subject for rule in rules}) + 1
    content_types = {
        label: ContentType.objects.get_for_model(apps.get_model(label)) for label in {row.record[0] for row in rows}
    }
    # the failures these rules judge, and the rules themselves (findings stored before one finding per failure)
    topics = {t for rule in rules for t in rule.topics} | {rule.code for rule in rules}
    scope = Finding.objects.filter(profile=profile.name, topic__in=topics)
    if records is not None:
        subject_models = [m for s in records for m in selectors.SUBJECTS[s][1]]
        scope = scope.filter(
            content_type__in=[ContentType.objects.get_for_model(m) for m in subject_models],
            object_id__in={pk for ids in records.values() for pk in ids},
        )
    existing = {
        (topic, ct, obj): (pk, fingerprint, active)
        for pk, topic, ct, obj, fingerprint, active in scope.values_list(
            "pk", "topic", "content_type_id", "object_id", "fingerprint", "active"
        )
    }
    seen: set[tuple[str, int, int]] = set()
    new: list[tuple[Any, ...]] = []
    updates: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        key = (row.topic, content_types[row.record[0]].pk, row.record[1])
        seen.add(key)
        found = existing.get(key)
        if found is None:
            new.append((*key, *row.values, row.fingerprint))
        elif found[1] != row.fingerprint or not found[2]:
            updates[found[0]] = (*row.values, row.fingerprint)
    _update(updates, now)
    _insert(profile.name, new, now)
    stale = [pk for key, (pk, _, active) in existing.items() if key not in seen and active]
    for chunk in selectors.chunked(stale):
        Finding.objects.filter(pk__in=chunk).update(active=False, changed_at=now)
    created, changed = len(new), len(updates)
    if new or updates or stale:
        pagecache.data_changed()  # findings written past ``save``: the pages that show them are made anew
    audit_record(
        action="check",
        target_type="standards.profile",
        target_id=profile.name,
        summary=f"{len(rows)} findings: {created} new, {changed} changed, {len(stale)} retired",
        details={"rules": [r.code for r in rules], "records": {k: sorted(v) for k, v in (records or {}).items()}},
    )
    if progress:
        progress(steps, steps, str(_("done")))
    return Evaluation(
        profile=profile.name,
        found=len(rows),
        created=created,
        changed=changed,
        retired=len(stale),
        by_rule=dict(Counter(row.values[0] for row in rows)),
    )


@transaction.atomic
def finding_review(
    *, finding: Finding, decision: str, reason: str, user: Any, now: dt.datetime | None = None
) -> Finding:
    """Confirm or dismiss a finding, with a reason; or take a decision back (``decision`` "", no reason)."""
    if decision not in Finding.Review.values:
        raise StandardsError(f"a review decision is 'confirmed' or 'dismissed', not {decision!r}")
    finding.review, finding.review_reason = decision, reason.strip()
    finding.reviewed_by, finding.reviewed_at = (user, now or timezone.now()) if decision else (None, None)
    finding.full_clean()
    finding.save()
    audit_record(
        action="update",
        actor=user,
        target=finding,
        summary=f"{finding.rule}: {decision or 'not reviewed'}",
        details={"review": decision},
    )
    return finding


@transaction.atomic
def record_follow(*, record: Any, active: bool, reviewed_on: dt.date | None, actor: Any) -> Follow:
    """Say whether a record is under active monitoring (its open situations then run to the day of the check)
    and to which date its facts were last reviewed; then re-check it, so its findings say "as of" anew."""
    content_type = ContentType.objects.get_for_model(record)
    follow, _created = Follow.objects.get_or_create(content_type=content_type, object_id=record.pk)
    follow.active, follow.reviewed_on = active, reviewed_on
    follow.full_clean()
    follow.save()
    audit_record(
        action="update",
        actor=actor,
        target=record,
        summary="follow-up: " + ("under active monitoring" if active else "not actively monitored"),
        details={"active": active, "reviewed_on": reviewed_on.isoformat() if reviewed_on else None},
    )
    findings_recheck(record=record)
    return follow


def findings_follow(write: Write) -> None:
    """What follows a write for the findings (registered with ``follow_writes``): a moved record's findings go to
    its new team; a record written to be re-checked is re-checked once the change is committed."""
    if write.action == "move":
        for record in write.records:
            content_type = ContentType.objects.get_for_model(record)
            Finding.objects.filter(content_type=content_type, object_id=record.pk).update(team_id=record.team_id)  # type: ignore[attr-defined]
    if write.recheck:
        for record in write.records:
            transaction.on_commit(functools.partial(findings_recheck, record=record))


def findings_recheck(*, record: Any, now: dt.datetime | None = None) -> list[Evaluation]:
    """Re-check one edited record under every profile that has findings stored: only its findings change."""
    label = record._meta.label_lower
    subjects = {s for s, (_, models) in selectors.SUBJECTS.items() if any(m._meta.label_lower == label for m in models)}
    if not subjects:
        return []
    profiles = Finding.objects.values_list("profile", flat=True).distinct()
    return [
        findings_evaluate(profile_name=name, now=now, records={s: {record.pk} for s in subjects})
        for name in sorted(set(profiles))
    ]
