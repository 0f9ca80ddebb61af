"""Writes of the rules engine: evaluate a profile's rules and store the findings, in one transaction."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from habeas.accounts.jobs import Progress
from habeas.accounts.records import Write
from habeas.accounts.services import audit_record
from habeas.standards import store
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
from habeas.standards.finding_view import FindingView, finding_views
from habeas.standards.gather import SET_BASED, SUBJECTS
from habeas.standards.gather.common import Context, chunked
from habeas.standards.models import Finding, Follow
from habeas.standards.rules import CATALOGUE, rules_by_code
from habeas.standards.sources import follows_of, sources_of
from habeas.standards.visibility import teams_of


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
    """Run the rules over the facts the gatherers read (all records, or only ``records``: subject →
    ids). Pure reads. ``progress(done, total, what)`` is told of each kind of record in turn, out of the kinds
    plus one (storing the findings)."""
    ctx = Context()
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
        gather, _models = SUBJECTS[subject]
        ids: Any = None if records is None else records.get(subject, set())
        if ids is not None and not ids:
            continue
        if ids is None and subject in SET_BASED:
            names, candidates = SET_BASED[subject]
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
    ``latest``: the date of the latest dated source of each record (``sources.sources_of``)."""
    refs = {r.facts.record for r in results} | {ref for r in results for ref in r.facts.refs}
    active, reviewed = follows_of(refs)
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


def _jsonable(value: Any) -> Any:
    if isinstance(value, float):
        return None if value == float("inf") else round(value, 3)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Row:
    """A finding as the check builds it: its key (topic, record) and its ``store.ROW_FIELDS``."""

    topic: str
    record: Ref
    values: tuple[Any, ...]
    fingerprint: str


def _rows(results: list[Result], sources: dict[Ref, list[dict[str, str]]]) -> list[Row]:
    """The findings the results make: one per record and failure (``folded``), with its sources and team."""
    groups = folded(results)
    teams = teams_of({r.facts.record for r in results})
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
        at = store.ROW_FIELDS.index("parameters")
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
    sources, latest = sources_of({r.facts.record for r in found} | {ref for r in found for ref in r.facts.refs})
    return profile, rules, _rows(as_known(found, now, latest), sources)


def findings_preview(
    *, profile_name: str, codes: Iterable[str] | None = None, now: dt.datetime | None = None
) -> list[FindingView]:
    """What a check would find, as of ``now`` (a what-if: ``habeas check --as-of``), viewed as
    ``selectors.findings_for_report`` gives the stored ones: nothing is stored, the stored findings stay as they
    are."""
    now = now or timezone.now()
    profile, _rules_run, rows = _checked(profile_name, codes, now, None, None)
    ordered = sorted(rows, key=lambda r: (-r.values[store.ROW_FIELDS.index("severity")], r.values[0], r.values[4]))
    unsaved = [
        Finding(
            profile=profile.name,
            topic=row.topic,
            content_type_id=ContentType.objects.get_by_natural_key(*row.record[0].split(".")).pk,
            object_id=row.record[1],
            **dict(zip(store.ROW_FIELDS, row.values, strict=True)),
        )
        for row in ordered
    ]
    return finding_views(unsaved)


@dataclass(frozen=True)
class Changes:
    """What a check changes in the stored findings: those to insert (``store.KEY_FIELDS``, ``store.ROW_FIELDS``,
    fingerprint), those to update by primary key, and the primary keys of those to retire."""

    new: list[tuple[Any, ...]]
    updates: dict[int, tuple[Any, ...]]
    stale: list[int]


def _compared(profile: Profile, rules: list[Rule], rows: list[Row], records: dict[str, set[int]] | None) -> Changes:
    """The findings a check made, compared with those stored for the same rules (and records, if given):
    unchanged ones are left alone."""
    content_types = {
        label: ContentType.objects.get_for_model(apps.get_model(label)) for label in {row.record[0] for row in rows}
    }
    # the failures these rules judge, and the rules themselves (findings stored before one finding per failure)
    topics = {t for rule in rules for t in rule.topics} | {rule.code for rule in rules}
    scope = Finding.objects.filter(profile=profile.name, topic__in=topics)
    if records is not None:
        subject_models = [m for s in records for m in SUBJECTS[s][1]]
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
    stale = [pk for key, (pk, _, active) in existing.items() if key not in seen and active]
    return Changes(new, updates, stale)


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
    profile, rules, rows = _checked(profile_name, codes, now, records, progress)  # compute
    changes = _compared(profile, rules, rows, records)  # compare
    store.update(changes.updates, now)  # store
    store.insert(profile.name, changes.new, now)
    store.retire(changes.stale, now)
    created, changed, retired = len(changes.new), len(changes.updates), len(changes.stale)
    audit_record(
        action="check",
        target_type="standards.profile",
        target_id=profile.name,
        summary=f"{len(rows)} findings: {created} new, {changed} changed, {retired} retired",
        details={"rules": [r.code for r in rules], "records": {k: sorted(v) for k, v in (records or {}).items()}},
    )
    if progress:
        steps = len({rule.subject for rule in rules}) + 1
        progress(steps, steps, str(_("done")))
    return Evaluation(
        profile=profile.name,
        found=len(rows),
        created=created,
        changed=changed,
        retired=retired,
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
    """What follows a write for the findings (registered with ``follow_writes``), in the write's transaction:
    a moved record's findings go to its new team; a deletion retires the findings of every record it takes
    (cascades included); a record written to be re-checked is re-checked once the change is committed."""
    if write.action == "move":
        _findings_moved(write.records)
    if write.action == "delete":
        _findings_retired(write.cascade)
    if write.recheck:
        for record in write.records:
            transaction.on_commit(functools.partial(findings_recheck, record=record))


def _findings_moved(records: Iterable[Model]) -> int:
    """Between checks, a finding keeps the team of its record. Returns how many findings moved."""
    by_team: dict[tuple[type[Model], Any], list[Any]] = defaultdict(list)
    for record in records:
        by_team[type(record), getattr(record, "team_id", None)].append(record.pk)
    moved = 0
    for (model, team_id), pks in by_team.items():
        content_type = ContentType.objects.get_for_model(model)
        for chunk in chunked(pks):
            found = Finding.objects.filter(content_type=content_type, object_id__in=chunk)
            moved += found.exclude(team_id=team_id).update(team_id=team_id)
    return moved


def _findings_retired(deleted: Mapping[type[Model], Collection[Any]], now: dt.datetime | None = None) -> int:
    """Between checks, a deleted record's findings are retired (kept, with any review, as a check would keep
    them), given the records a deletion takes, by kind. Returns how many."""
    subjects = {model for _, models in SUBJECTS.values() for model in models}
    now = now or timezone.now()
    retired = 0
    for model, pks in deleted.items():
        if model not in subjects:  # only the rules' subjects have findings
            continue
        content_type = ContentType.objects.get_for_model(model)
        for chunk in chunked(pks):
            found = Finding.objects.filter(content_type=content_type, object_id__in=chunk, active=True)
            retired += found.update(active=False, changed_at=now)
    return retired


def findings_recheck(*, record: Any, now: dt.datetime | None = None) -> list[Evaluation]:
    """Re-check one edited record, and the records it points to, under every profile that has findings stored:
    only their findings change. A part changes the findings of what it belongs to (a new investigation, its
    allegation's: whether anyone independent investigated)."""
    pointed = [(record._meta.model, record.pk)] + [
        (field.related_model, getattr(record, field.attname))
        for field in record._meta.concrete_fields
        if field.many_to_one and getattr(record, field.attname) is not None
    ]
    records: dict[str, set[Any]] = defaultdict(set)
    for model, pk in pointed:
        for subject, (_gather, models) in SUBJECTS.items():
            if model in models:
                records[subject].add(pk)
    if not records:
        return []
    profiles = Finding.objects.values_list("profile", flat=True).distinct()
    return [findings_evaluate(profile_name=name, now=now, records=dict(records)) for name in sorted(set(profiles))]
