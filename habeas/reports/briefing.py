"""Briefings: a document for publication, partners or the team, built from the records in a scope.

A scope (``Scope``) says the period, places, themes or rules, persons or groups, the language and the redaction
(internal, partner or public). ``briefing_gather`` reads what the user may see in it, ``briefing_html`` writes it
as one HTML document (charts as SVG, every statement with a footnote giving its source and where in it), and
``briefing_pdf`` prints that document as an A4 PDF through WeasyPrint, the footnotes at the foot of the page.

Redaction follows the declared profiles (``habeas.reports.redaction``) and the findings' own redaction for
analysts (``habeas.standards.visibility.findings_visible``): under *partner* and *public* each record is named by
its pseudonymous reference, a finding is told by its rule's title rather than the summary in words (which names
people), no free text is shown (a recommendation's text is encrypted free text), dates are coarsened to the
profile's precision, and a source is named only when it is a published document; any other source is given by
its key and page. *Internal* shows what the user may see on the pages, names included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from habeas.accounts import access
from habeas.accounts.identity import pseudonymous_ref
from habeas.accounts.viewer import Viewer, viewer_for
from habeas.core import charts
from habeas.core.dates import Precision, describe, interval
from habeas.core.errors import CommandError
from habeas.core.models import PRECISION_SUFFIX
from habeas.counting.models import EstimateRun
from habeas.evidence.models import Citation, Source
from habeas.evidence.selectors import citation_shown
from habeas.monitoring.models import Recommendation, RecommendationStatus
from habeas.registry.models import Group, Person, Place
from habeas.reports.redaction import profile_load
from habeas.reports.selectors import coarsen
from habeas.standards.finding_view import CitedSource, FindingView, cited_source, finding_views, sources_cited
from habeas.standards.models import Finding
from habeas.standards.rules import CATALOGUE, detention, life, monitoring, redress, reprisals, safeguards
from habeas.standards.rules import accountability as accountability_rules
from habeas.standards.visibility import findings_seen, findings_visible

REDACTIONS = ("internal", "partner", "public")
FORMATS = ("pdf", "html")
LANGUAGES = ("en", "ru", "kk")
#: the themes of a briefing: the rule modules of the catalogue, each a family of duties
THEMES: dict[str, tuple[Any, Any]] = {
    "detention": (_("Conditions and length of detention"), detention),
    "safeguards": (_("Safeguards in custody"), safeguards),
    "accountability": (_("Investigation and accountability"), accountability_rules),
    "redress": (_("Courts and redress"), redress),
    "reprisals": (_("Reprisals against those who speak"), reprisals),
    "life": (_("Deaths in custody"), life),
    "monitoring": (_("Independent monitoring"), monitoring),
}
THEME_OF_RULE = {rule.code: key for key, (_title, module) in THEMES.items() for rule in module.RULES}
#: how many hops from a finding's record to the person or group it concerns (a measure → its custody → the person)
HOPS = 2
#: the apps whose records date the records that refer to them
DATED_APPS = ("cases", "custody", "monitoring")
#: the bar charts' size in a page of A4: room for the longest theme's name
BAR_SIZE: dict[str, Any] = {"width": 640, "label_width": 300}

Progress = Callable[[int, int, str], None]


class BriefingError(CommandError):
    """A scope that cannot be honoured (an unknown theme, rule or redaction); the message says which."""


@dataclass(frozen=True)
class Scope:
    """What a briefing covers, in which language, under which redaction."""

    redaction: str
    language: str = "en"
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    places: tuple[int, ...] = ()
    themes: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    persons: tuple[int, ...] = ()
    groups: tuple[int, ...] = ()
    profile: str = "kz"

    def __post_init__(self) -> None:
        if self.redaction not in REDACTIONS:
            raise BriefingError(f"unknown redaction {self.redaction!r}; choose one of: {', '.join(REDACTIONS)}")
        if self.language not in LANGUAGES:
            raise BriefingError(f"unknown language {self.language!r}; choose one of: {', '.join(LANGUAGES)}")
        unknown = [t for t in self.themes if t not in THEMES]
        if unknown:
            raise BriefingError(f"unknown theme {unknown[0]!r}; the themes are: {', '.join(THEMES)}")
        unknown = [r for r in self.rules if r not in CATALOGUE]
        if unknown:
            raise BriefingError(f"unknown rule {unknown[0]!r}; 'habeas rules' lists them")
        if self.period_from and self.period_to and self.period_to < self.period_from:
            raise BriefingError("the period ends before it starts: give --to on or after --from")

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("period_from", "period_to"):
            data[key] = data[key].isoformat() if data[key] else None
        return {key: list(value) if isinstance(value, tuple) else value for key, value in data.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scope:
        values = dict(data)
        for key in ("period_from", "period_to"):
            values[key] = dt.date.fromisoformat(values[key]) if values.get(key) else None
        for key in ("places", "themes", "rules", "persons", "groups"):
            values[key] = tuple(values.get(key) or ())
        return cls(**values)


@dataclass
class Case:
    """One record behind a duty breached, in short."""

    subject: str
    date: str
    status: str
    summary: str
    note: str


@dataclass
class Duty:
    rule: str
    title: str
    standard: str
    cases: list[Case] = field(default_factory=list)


@dataclass
class Theme:
    key: str
    title: str
    duties: list[Duty] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(d.cases) for d in self.duties)


@dataclass
class RecommendationRow:
    pk: int
    issuer: str
    addressee: str
    issued: str
    text: str
    status: str
    note: str


@dataclass
class EstimateRow:
    pk: int
    method: str
    model: str
    observed: int
    estimate: float
    low: float | None
    high: float | None
    illustrative: bool
    strata: str
    note: str


@dataclass
class Briefing:
    """What a briefing says, before it is written out."""

    scope: Scope
    built_at: dt.datetime
    counts: list[tuple[str, int]]
    themes: list[Theme]
    recommendations: list[RecommendationRow]
    estimates: list[EstimateRow]
    records_sha256: str
    records: int
    places: list[str]
    summary_note: str


# Reading the scope --------------------------------------------------------------------------------------------


def _date_fields(model: type[models.Model]) -> list[str]:
    """The record's dates stored with a precision, its own first (an allegation's, a custody's start)."""
    names = []
    for candidate in model._meta.concrete_fields:
        if isinstance(candidate, models.DateField):
            try:
                model._meta.get_field(candidate.name + PRECISION_SUFFIX)
            except Exception:
                continue
            names.append(candidate.name)
    return names


def _record_dates(model: type[models.Model], ids: Iterable[int], depth: int = HOPS) -> dict[int, tuple[Any, str]]:
    """Each record's date as (value, precision): its own, else the first other date a source gave, else the date
    of a record it refers to (an allegation undated but for its event's)."""
    wanted = sorted(ids)
    names = _date_fields(model)
    references = [  # the events and custodies a record belongs to; not a person's birth, nor a place's opening
        f
        for f in model._meta.concrete_fields
        if f.many_to_one
        and f.related_model not in (None, "self", model)
        and f.related_model._meta.app_label in DATED_APPS  # type: ignore[union-attr]
    ]
    columns = [column for name in names for column in (name, name + PRECISION_SUFFIX)]
    rows = list(model._default_manager.filter(pk__in=wanted).values("pk", *columns, *(f.attname for f in references)))
    out: dict[int, tuple[Any, str]] = {}
    for row in rows:
        for name in names:
            if row[name] is not None:
                out[row["pk"]] = (row[name], row[name + PRECISION_SUFFIX] or Precision.DAY)
                break
    if depth > 1:
        for reference in references:
            undated = {row["pk"]: row[reference.attname] for row in rows if row["pk"] not in out}
            targets = {target for target in undated.values() if target is not None}
            if not targets:
                continue
            found = _record_dates(reference.related_model, targets, depth - 1)  # type: ignore[arg-type]
            for pk, target in undated.items():
                if target in found:
                    out[pk] = found[target]
    return out


def _in_period(model: type[models.Model], ids: Iterable[int], scope: Scope) -> set[int]:
    """The records whose date may fall in the period (a date known only to the year counts when the year
    overlaps it); a record with no date at all is outside any period."""
    out = set()
    for pk, (value, precision) in _record_dates(model, ids).items():
        lo, hi = interval(value, precision)
        lo_day = lo.date() if isinstance(lo, dt.datetime) else lo
        hi_day = hi.date() if isinstance(hi, dt.datetime) else hi
        if (scope.period_from is None or hi_day >= scope.period_from) and (
            scope.period_to is None or lo_day <= scope.period_to
        ):
            out.add(pk)
    return out


def _paths(model: type[models.Model], target: type[models.Model], depth: int = HOPS) -> list[str]:
    """The lookups from a record to the ``target`` records it concerns, through at most ``depth`` references."""
    if model is target:
        return ["pk"]
    found: list[str] = []
    for reference in model._meta.concrete_fields:
        related = reference.related_model
        if not reference.is_relation or related is None or related == "self":
            continue
        if related is target:
            found.append(reference.name)
        elif depth > 1 and related._meta.app_label not in ("accounts", "auth", "contenttypes"):
            found += [f"{reference.name}__{rest}" for rest in _paths(related, target, depth - 1)]
    return found


def _concerning(
    model: type[models.Model], ids: Iterable[int], target: type[models.Model], wanted: tuple[int, ...]
) -> set[int]:
    """The records among ``ids`` that concern one of the ``wanted`` persons, groups or places."""
    condition = Q(pk__in=[])
    for path in _paths(model, target):
        condition |= Q(**{f"{path}__in": wanted})
    return set(model._default_manager.filter(condition, pk__in=list(ids)).values_list("pk", flat=True))


def _findings(viewer: Viewer, scope: Scope) -> list[FindingView]:
    """The current findings in scope that the user may see, most severe first."""
    rows = (
        findings_seen(viewer)
        .filter(profile=scope.profile)
        .exclude(review=Finding.Review.DISMISSED)
        .exclude(status=Finding.Status.GAP)
    )
    if scope.places:
        rows = rows.filter(place_id__in=scope.places)
    wanted_rules = set(scope.rules)
    if scope.themes:
        wanted_rules |= {code for code, theme in THEME_OF_RULE.items() if theme in scope.themes}
    if wanted_rules:
        rows = rows.filter(rule__in=sorted(wanted_rules))
    found = list(rows)
    by_type: dict[int, set[int]] = {}
    for finding in found:
        by_type.setdefault(finding.content_type_id, set()).add(finding.object_id)
    kept: dict[int, set[int]] = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        if scope.period_from or scope.period_to:
            ids = _in_period(model, ids, scope)
        if scope.persons or scope.groups:
            ids = (_concerning(model, ids, Person, scope.persons) if scope.persons else set()) | (
                _concerning(model, ids, Group, scope.groups) if scope.groups else set()
            )
        kept[type_id] = ids
    found = [f for f in found if f.object_id in kept.get(f.content_type_id, set())]
    found.sort(key=lambda f: (-f.severity, f.rule, f.content_type_id, f.object_id))
    return findings_visible(finding_views(found), viewer)


class _Sources:
    """How sources are named in footnotes: by title and section when the row still holds them (``_bare`` and
    ``findings_visible`` take them away where they may name someone), else by key."""

    def __init__(self) -> None:
        self.published = set(
            Source.objects.filter(kind=Source.Kind.DOCUMENT, published_on__isnull=False).values_list("key", flat=True)
        )

    def note(self, sources: Iterable[CitedSource]) -> str:
        return sources_cited(sources) or gettext("no source recorded")


def _dates(rows: list[FindingView], finest: str | None) -> dict[tuple[str, int], str]:
    """Each finding's record's own date as words (coarsened to ``finest`` when given), one query per kind."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        wanted.setdefault(row.record.model, set()).add(row.record.pk)
    out: dict[tuple[str, int], str] = {}
    for label, ids in wanted.items():
        for pk, (value, precision) in _record_dates(apps.get_model(label), ids).items():
            shown = coarsen(value, precision, finest) if finest else describe(value, precision)
            out[(label, pk)] = shown or ""
    return out


def _themes(rows: list[FindingView], scope: Scope, sources: _Sources, finest: str) -> list[Theme]:
    redacted = scope.redaction != "internal"
    dates = _dates(rows, finest if redacted else None)
    themes = {key: Theme(key=key, title=str(title)) for key, (title, _module) in THEMES.items()}
    duties: dict[str, Duty] = {}
    for row in rows:
        rule = CATALOGUE.get(row.rule)
        theme = themes[THEME_OF_RULE.get(row.rule, "accountability")]
        if row.rule not in duties:
            duties[row.rule] = Duty(
                rule=row.rule,
                title=row.rule_name,
                standard=f"{gettext(rule.instrument)}, {gettext(rule.article)}" if rule else "",
            )
            theme.duties.append(duties[row.rule])
        label, pk = row.ref
        subject = pseudonymous_ref(apps.get_model(label), pk) if redacted else row.subject
        summary = row.summary if not redacted else ""
        duties[row.rule].cases.append(
            Case(
                subject=subject,
                date=dates.get((label, pk), ""),
                status=row.status_label,
                summary=summary,
                note=sources.note(row.sources if not redacted else _bare(row.sources, sources)),
            )
        )
    return [theme for theme in themes.values() if theme.duties]


def _bare(cited: Iterable[CitedSource], sources: _Sources) -> list[CitedSource]:
    """Sources as a redacted briefing gives them: a published document by its title, any other by its key; both
    with page and paragraph but no section (a section heading, like a title, can name a person: the demo's
    briefing has a section per victim)."""
    return [replace(s, section="", title=s.title if s.key in sources.published else "") for s in cited]


def _citations(model: type[models.Model], ids: list[int]) -> dict[int, list[CitedSource]]:
    """The citations of records, as the findings keep their sources."""
    content_type = ContentType.objects.get_for_model(model)
    out: dict[int, list[CitedSource]] = {}
    for citation in (
        Citation.objects.filter(content_type=content_type, object_id__in=ids, field="")
        .select_related("source")
        .order_by("pk")
    ):
        out.setdefault(citation.object_id, []).append(cited_source(citation_shown(citation)))
    return out


def _recommendations(viewer: Viewer, scope: Scope, sources: _Sources, finest: str) -> list[RecommendationRow]:
    """The recommendations in scope (issued in the period; following a visit to one of the places; about one of
    the persons or groups) with their latest status."""
    visible = access.visible(Recommendation, viewer).select_related("issuer", "addressee").order_by("issued_on", "pk")
    if scope.redaction != "internal":
        visible = visible.defer("text")  # never shown: not even decrypted
    ids = set(visible.values_list("pk", flat=True))
    if scope.period_from or scope.period_to:
        ids = _in_period(Recommendation, ids, scope)
    if scope.places:
        ids = _concerning(Recommendation, ids, Place, scope.places)
    if scope.persons or scope.groups:
        ids = (_concerning(Recommendation, ids, Person, scope.persons) if scope.persons else set()) | (
            _concerning(Recommendation, ids, Group, scope.groups) if scope.groups else set()
        )
    chosen = [r for r in visible if r.pk in ids]
    latest: dict[int, str] = {}
    for status in RecommendationStatus.objects.filter(recommendation__in=[r.pk for r in chosen]).order_by(
        "recorded_on", "pk"
    ):
        latest[status.recommendation_id] = status.status
    cited = _citations(Recommendation, [r.pk for r in chosen])
    hidden = viewer.hidden
    rows = []
    for rec in chosen:
        text_shown = scope.redaction == "internal" and rec.team_id not in hidden
        redacted = scope.redaction != "internal"
        issued = (
            coarsen(rec.issued_on, rec.issued_on_precision, finest)
            if redacted
            else describe(rec.issued_on, rec.issued_on_precision)
        )
        shown_status = RecommendationStatus.Status(latest.get(rec.pk, RecommendationStatus.Status.ISSUED))
        notes = cited.get(rec.pk, [])
        rows.append(
            RecommendationRow(
                pk=rec.pk,
                issuer=rec.issuer.name,
                addressee=rec.addressee.name,
                issued=issued or "",
                text=rec.text if text_shown else "",
                status=str(shown_status.label),
                note=sources.note(_bare(notes, sources) if redacted or rec.team_id in hidden else notes),
            )
        )
    return rows


def _estimates(viewer: Viewer) -> list[EstimateRow]:
    runs = access.visible(EstimateRun, viewer).filter(estimate__isnull=False).order_by("-created_at", "-pk")[:5]
    rows = []
    for run in runs:
        data_hash = (run.provenance or {}).get("data_sha256", run.table_sha256)
        rows.append(
            EstimateRow(
                pk=run.pk,
                method=run.method,
                model=run.model_name,
                observed=run.observed,
                estimate=run.estimate or 0.0,
                low=run.ci_low,
                high=run.ci_high,
                illustrative=run.illustrative,
                strata=run.strata,
                note=gettext("Habeas estimate run %(run)s over %(lists)s lists, data SHA-256 %(sha)s…")
                % {"run": run.pk, "lists": len(run.lists), "sha": str(data_hash)[:16]},
            )
        )
    return rows


def _records_hash(findings: list[FindingView], recommendations: list[int], estimates: list[int]) -> tuple[str, int]:
    """The SHA-256 of what the briefing was built from: each finding (its id and when it last changed), each
    recommendation and estimate run with when it was last changed; and how many records that is."""
    recs = Recommendation.objects.filter(pk__in=recommendations).order_by("pk").values_list("pk", "updated_at")
    runs = EstimateRun.objects.filter(pk__in=estimates).order_by("pk").values_list("pk", "updated_at")
    listed: dict[str, list[Any]] = {
        "findings": sorted((f.pk or 0, f.changed_at.isoformat() if f.changed_at else "") for f in findings),
        "recommendations": [[pk, at.isoformat()] for pk, at in recs],
        "estimates": [[pk, at.isoformat()] for pk, at in runs],
    }
    blob = json.dumps(listed, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest(), sum(len(v) for v in listed.values())


def briefing_gather(*, user: Any, scope: Scope, progress: Progress | None = None) -> Briefing:
    """Read what the briefing says: the findings, recommendations and estimates in scope that the user may see,
    redacted as the scope says. Runs in the scope's language."""
    tell = progress or (lambda done, total, what: None)
    finest = profile_load(scope.redaction).dates if scope.redaction != "internal" else Precision.DAY
    with translation.override(scope.language):
        tell(0, 4, gettext("Reading the findings"))
        sources = _Sources()
        viewer = viewer_for(user)
        rows = _findings(viewer, scope)
        themes = _themes(rows, scope, sources, finest)
        tell(1, 4, gettext("Reading the recommendations"))
        recommendations = _recommendations(viewer, scope, sources, finest)
        tell(2, 4, gettext("Reading the estimates"))
        estimates = _estimates(viewer) if not (scope.persons or scope.groups) else []
        sha, count = _records_hash(rows, [r.pk for r in recommendations], [e.pk for e in estimates])
        breaches = sum(1 for r in rows if r.status == Finding.Status.BREACH)
        counts = [
            (gettext("findings against the standards"), len(rows)),
            (gettext("of which breaches"), breaches),
            (gettext("records concerned"), len({r.ref for r in rows})),
            (gettext("duties breached"), sum(len(t.duties) for t in themes)),
            (gettext("recommendations"), len(recommendations)),
            (gettext("estimates of the total"), len(estimates)),
        ]
        places = list(Place.objects.filter(pk__in=scope.places).order_by("name").values_list("name", flat=True))
        note = gettext("Counted by Habeas from %(n)s records (SHA-256 %(sha)s…), on %(day)s") % {
            "n": count,
            "sha": sha[:16],
            "day": describe(timezone.now().date(), Precision.DAY),
        }
    return Briefing(
        scope=scope,
        built_at=timezone.now(),
        counts=counts,
        themes=themes,
        recommendations=recommendations,
        estimates=estimates,
        records_sha256=sha,
        records=count,
        places=places,
        summary_note=note,
    )


# Writing it out -----------------------------------------------------------------------------------------------


def _charts(briefing: Briefing) -> dict[str, SafeString]:
    shown: dict[str, SafeString] = {}
    if briefing.themes:
        shown["themes"] = mark_safe(
            charts.bars([(t.title, t.count) for t in briefing.themes], title=gettext("Findings by theme"), **BAR_SIZE)
        )
    statuses: dict[str, int] = {}
    for row in briefing.recommendations:
        statuses[row.status] = statuses.get(row.status, 0) + 1
    if statuses:
        shown["recommendations"] = mark_safe(
            charts.bars(
                sorted(statuses.items(), key=lambda i: -i[1]), title=gettext("Recommendations by status"), **BAR_SIZE
            )
        )
    estimates = briefing.estimates
    if estimates:
        shown["estimates"] = mark_safe(
            charts.intervals(
                [
                    charts.Interval(f"{e.method} {e.model}".strip(), e.estimate, e.low, e.high)
                    for e in briefing.estimates
                ],
                title=gettext("Estimates of the total and their intervals (95%)"),
            )
        )
    return shown


def briefing_html(briefing: Briefing) -> str:
    """The briefing as one HTML document (its style included), in the scope's language."""
    scope = briefing.scope
    with translation.override(scope.language):
        period = ""
        if scope.period_from or scope.period_to:
            period = gettext("%(start)s to %(end)s") % {
                "start": describe(scope.period_from, Precision.DAY) if scope.period_from else "…",
                "end": describe(scope.period_to, Precision.DAY) if scope.period_to else "…",
            }
        context = {
            "b": briefing,
            "period": period,
            "charts": _charts(briefing),
            "redaction": {"internal": _("internal"), "partner": _("for partners"), "public": _("public")}[
                scope.redaction
            ],
            "built": describe(briefing.built_at, Precision.DAY),
            "language": scope.language,
        }
        return render_to_string("reports/briefing.html", context)


def briefing_pdf(html: str) -> bytes:
    """The HTML briefing printed as an A4 PDF with WeasyPrint (its print style puts the notes at the foot of each
    page)."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
