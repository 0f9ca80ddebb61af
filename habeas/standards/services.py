"""Writes of the rules engine: evaluate a profile's rules and store the findings, in one transaction."""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from habeas.accounts.services import audit_record
from habeas.core import pagecache
from habeas.core.jobs import Progress
from habeas.standards import selectors
from habeas.standards.engine import PROFILE_DIR, Outcome, Params, Profile, Rule, StandardsError, load_profile
from habeas.standards.facts import Base, Ref
from habeas.standards.models import Finding
from habeas.standards.rules import CATALOGUE, rules_by_code


@dataclass(frozen=True)
class Result:
    rule: Rule
    facts: Base
    outcome: Outcome
    params: Params


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
    chosen = list(profile.rules) if codes is None else list(codes)
    rules = rules_by_code(chosen)
    outside = [rule.code for rule in rules if rule.code not in profile.rules]
    if outside:
        raise StandardsError(f"rule {outside[0]} is not part of profile {profile.name!r}")
    return rules


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
                for rule in subject_rules:
                    found = rule.evaluate(facts, params)
                    if found is not None:
                        results.append(Result(rule, facts, found, params))
    return results


def _smallest(profile: Profile, rules: list[Rule], names: tuple[str, ...]) -> float:
    """The smallest value, over every date version, of the limits these rules use."""
    used = {p for rule in rules for p in rule.parameters if p in names}
    return min(float(version.value) for p in used for version in profile.parameters[p])


def _outranked(results: list[Result]) -> set[int]:
    """Indexes of the results that do not prevail: on one record and topic, a rule with a stricter limit
    also found something."""
    groups: dict[tuple[Ref, str], list[int]] = defaultdict(list)
    for i, result in enumerate(results):
        if result.rule.topic:
            groups[(result.facts.record, result.rule.topic)].append(i)
    losers: set[int] = set()
    for members in groups.values():
        limits = {i: _limit(results[i].outcome) for i in members}
        known = {i: v for i, v in limits.items() if v is not None}
        if len(known) > 1:
            strictest = min(known.values())
            losers.update(i for i, v in known.items() if v > strictest)
    return losers


def _limit(found: Outcome) -> float | None:
    for key in ("limit_hours", "limit_days"):
        if key in found.facts:
            value = float(found.facts[key])
            return value / 24 if key == "limit_hours" else value
    return None


#: the stored fields of a finding that the rules determine, in the order ``findings_evaluate`` builds them
ROW_FIELDS = (
    "rule_version",
    "status",
    "severity",
    "subject",
    "wording",
    "standard",
    "facts",
    "parameters",
    "sources",
    "prevails",
    "place_id",
    "organisation_id",
    "team_id",
)


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
    facts_at, parameters_at = (at + ROW_FIELDS.index(name) for name in ("facts", "parameters"))
    adapted: dict[int, Any] = {}
    for values in rows:
        parameters = values[parameters_at]
        if id(parameters) not in adapted:
            adapted[id(parameters)] = ops.adapt_json_value(parameters, encoder)
        values[facts_at] = ops.adapt_json_value(values[facts_at], encoder)
        values[parameters_at] = adapted[id(parameters)]
        yield values


def _insert(profile: str, rows: list[tuple[Any, ...]], now: dt.datetime) -> None:
    """Insert new findings — tuples of rule, content type, object id, the ``ROW_FIELDS`` and the fingerprint —
    with one parameterised statement per batch: at national scale the ORM's per-object work would dominate."""
    if not rows:
        return
    sealed = _prepared(rows, 3)
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    columns = [
        "rule",
        "content_type_id",
        "object_id",
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
        json_at = tuple(3 + ROW_FIELDS.index(name) for name in ("facts", "parameters"))
        _copy(table, columns, sealed, tail, json_at)
        return
    sql = (
        f"INSERT INTO {table} ({', '.join(ops.quote_name(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    adapted = list(_json_adapted(sealed, 3))
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

    def dump(value: Any) -> str:
        if id(value) not in dumped:
            dumped[id(value)] = json.dumps(value, ensure_ascii=False)
        return dumped[id(value)]

    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    facts_at, parameters_at = json_at
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for r in rows:
            values = list(r)
            values[facts_at] = json.dumps(r[facts_at], ensure_ascii=False)
            values[parameters_at] = dump(r[parameters_at])
            copy.write_row((*values, *tail))


def _jsonable(value: Any) -> Any:
    if isinstance(value, float):
        return None if value == float("inf") else round(value, 3)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


@transaction.atomic
def findings_evaluate(
    *,
    profile_name: str,
    codes: Iterable[str] | None = None,
    now: dt.datetime | None = None,
    records: dict[str, set[int]] | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    """Evaluate and store findings. Unchanged findings are left alone; changed ones are updated in place,
    keeping any review decision; findings no longer produced are retired (kept, with their review, but
    marked not current). With ``records``, only those records' findings are touched. ``progress`` is told
    how far the check has got (see ``evaluate``)."""
    now = now or timezone.now()
    profile = profile_get(profile_name)
    rules = _rules(profile, codes)
    results = evaluate(profile, rules, now=now, records=records, progress=progress)
    steps = len({rule.subject for rule in rules}) + 1
    if progress:
        progress(steps - 1, steps, str(_("storing %(count)d findings") % {"count": len(results)}))
    outranked = _outranked(results)
    sources = selectors.citations_of({r.facts.record for r in results} | {ref for r in results for ref in r.facts.refs})
    teams = selectors.teams_of({r.facts.record for r in results})
    content_types = {
        label: ContentType.objects.get_for_model(apps.get_model(label))
        for label in {r.facts.record[0] for r in results}
    }
    scope = Finding.objects.filter(profile=profile.name, rule__in=[r.code for r in rules])
    if records is not None:
        subject_models = [m for s in records for m in selectors.SUBJECTS[s][1]]
        scope = scope.filter(
            content_type__in=[ContentType.objects.get_for_model(m) for m in subject_models],
            object_id__in={pk for ids in records.values() for pk in ids},
        )
    existing = {
        (rule, ct, obj): (pk, fingerprint, active)
        for pk, rule, ct, obj, fingerprint, active in scope.values_list(
            "pk", "rule", "content_type_id", "object_id", "fingerprint", "active"
        )
    }
    seen: set[tuple[str, int, int]] = set()
    new: list[tuple[Any, ...]] = []
    updates: dict[int, tuple[Any, ...]] = {}
    # What many findings share is built once: the parameters of a rule in one period, its citation.
    shared: dict[tuple[str, int], tuple[dict[str, Any], str, str]] = {}
    for i, result in enumerate(results):
        rule, facts, found_now = result.rule, result.facts, result.outcome
        label, pk = facts.record
        key = (rule.code, content_types[label].pk, pk)
        seen.add(key)
        if (rule.code, id(result.params)) not in shared:
            cited_params = {
                p: {"value": result.params.values[p].value, "citation": result.params.values[p].citation}
                for p in rule.parameters
                if p in result.params.values
            }
            shared[(rule.code, id(result.params))] = (cited_params, rule.citation, repr(cited_params))
        parameters, standard, parameters_key = shared[(rule.code, id(result.params))]
        cited = [s for ref in (facts.record, *facts.refs) for s in sources.get(ref, ())] if sources else []
        row = (
            rule.version,
            found_now.status.value,
            int(rule.severity),
            facts.subject[:300],
            found_now.wording,
            standard,
            {k: _jsonable(v) for k, v in found_now.facts.items()},
            parameters,
            cited,
            i not in outranked,
            facts.place_id,
            facts.organisation_id,
            teams.get(facts.record),
        )
        fingerprint = hashlib.blake2b(repr((row[:7], row[8:], parameters_key)).encode(), digest_size=32).hexdigest()
        found = existing.get(key)
        if found is None:
            new.append((rule.code, key[1], pk, *row, fingerprint))
        elif found[1] != fingerprint or not found[2]:
            updates[found[0]] = (*row, fingerprint)
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
        summary=f"{len(results)} findings: {created} new, {changed} changed, {len(stale)} retired",
        details={"rules": [r.code for r in rules], "records": {k: sorted(v) for k, v in (records or {}).items()}},
    )
    if progress:
        progress(steps, steps, str(_("done")))
    return Evaluation(
        profile=profile.name,
        found=len(results),
        created=created,
        changed=changed,
        retired=len(stale),
        by_rule=dict(Counter(r.rule.code for r in results)),
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
