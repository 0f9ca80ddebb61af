"""What the dashboard shows, read for one user: open findings by severity and rule, where allegations of
torture stand on the way from allegation to reparation, the latest estimates, and recommendations by status.

Every count is of records the user may see (``habeas.accounts.access.visible``) and is made in the database, so
the number of queries does not grow with the number of records. Counting a national database takes a second
(50,000 allegations, 700,000 findings), so :func:`dashboard_counts` keeps the counts of each set of teams in
the cache, says when they were made, and makes them again no sooner than ``FRESH_SECONDS`` after the last
count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from habeas.accounts import access
from habeas.accounts.viewer import Viewer
from habeas.cases.models import Allegation, Complaint, Investigation, Perpetrator, Reparation, Verdict
from habeas.counting.models import EstimateRun
from habeas.monitoring.models import Recommendation, RecommendationStatus
from habeas.monitoring.selectors import latest_first
from habeas.standards.models import Finding
from habeas.standards.visibility import findings_seen

#: the failure a finding on an investigation names when its investigators belonged to the accused agency
NOT_INDEPENDENT = "independence"


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    count: int


def open_findings(viewer: Viewer) -> QuerySet[Finding]:
    """Current findings not dismissed by a reviewer, about records the user may see: one per record and failure
    (a finding cites every standard the failure breaches), gaps apart."""
    return findings_seen(viewer).exclude(review=Finding.Review.DISMISSED).exclude(status=Finding.Status.GAP)


def open_gaps(viewer: Viewer) -> int:
    """How many questions for the researcher stand open: facts a rule needs that no source states."""
    return findings_seen(viewer).filter(status=Finding.Status.GAP).exclude(review=Finding.Review.DISMISSED).count()


def findings_by_severity(viewer: Viewer) -> list[tuple[str, str, int]]:
    """(severity value, its name, count), the gravest first."""
    counts = dict(open_findings(viewer).values_list("severity").annotate(n=Count("pk")).order_by())
    return [(str(s.value), str(s.label), counts[s.value]) for s in reversed(Finding.Severity) if counts.get(s.value)]


def findings_by_rule(viewer: Viewer, limit: int = 12) -> list[tuple[str, int, int]]:
    """(rule code, its severity, count) for the rules with most open findings."""
    rows = open_findings(viewer).values("rule").annotate(n=Count("pk"), severity=Max("severity")).order_by("-n", "rule")
    return [(r["rule"], r["severity"], r["n"]) for r in rows[:limit]]


def allegation_funnel(viewer: Viewer) -> list[Stage]:
    """How many of the allegations of torture or ill-treatment the user may see reached each stage of the road
    to accountability. An investigation counts as independent unless a finding of a rule on independence
    (``NOT_INDEPENDENT``) stands against it; prosecution and conviction are of a person named as a
    perpetrator of the allegation."""
    allegations = access.visible(Allegation, viewer)
    opened = Investigation.objects.filter(allegation=OuterRef("pk")).exclude(outcome=Investigation.Outcome.NONE_OPENED)
    dependent = Finding.objects.filter(
        active=True,
        topic=NOT_INDEPENDENT,
        content_type=ContentType.objects.get_for_model(Investigation),
    ).exclude(review=Finding.Review.DISMISSED)
    independent = opened.exclude(pk__in=dependent.values("object_id"))
    charged = Investigation.objects.filter(allegation=OuterRef("pk"), outcome=Investigation.Outcome.CHARGES)
    tried = Perpetrator.objects.filter(allegation=OuterRef("pk"), person__trials__isnull=False)
    convicted = Verdict.objects.filter(
        outcome=Verdict.Outcome.CONVICTED, defendant__alleged_acts__allegation=OuterRef("pk")
    )
    paid = Reparation.objects.filter(allegation=OuterRef("pk"), status=Reparation.Status.PAID)
    # one pass over the allegations, each stage a semi-join: no join that multiplies rows to count them distinct
    counts = allegations.aggregate(
        alleged=Count("pk"),
        complaint=Count("pk", filter=Q(Exists(Complaint.objects.filter(allegation=OuterRef("pk"))))),
        investigation=Count("pk", filter=Q(Exists(opened))),
        independent=Count("pk", filter=Q(Exists(independent))),
        prosecution=Count("pk", filter=Q(Exists(charged)) | Q(Exists(tried))),
        conviction=Count("pk", filter=Q(Exists(convicted))),
        reparation=Count("pk", filter=Q(Exists(paid))),
    )
    labels = {
        "alleged": _("alleged"),
        "complaint": _("complaint lodged"),
        "investigation": _("investigation opened"),
        "independent": _("independent investigation"),
        "prosecution": _("prosecution"),
        "conviction": _("conviction"),
        "reparation": _("reparation paid"),
    }
    return [Stage(key, str(label), counts[key]) for key, label in labels.items()]


def latest_estimates(viewer: Viewer, limit: int = 5) -> list[EstimateRun]:
    """The most recent estimate runs over lists of the user's teams."""
    return list(
        access.visible(EstimateRun, viewer).filter(estimate__isnull=False).order_by("-created_at", "-pk")[:limit]
    )


def recommendations_by_status(viewer: Viewer) -> list[tuple[str, str, int]]:
    """(status, its name, count) of the recommendations the user may see, by their latest recorded status;
    a recommendation with no response recorded counts as issued."""
    latest = latest_first(RecommendationStatus.objects.filter(recommendation=OuterRef("pk")))
    rows = (
        access.visible(Recommendation, viewer)
        .annotate(status=latest.values("status")[:1])
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, int] = {}
    for status, n in rows:
        key = status or RecommendationStatus.Status.ISSUED
        counts[key] = counts.get(key, 0) + n
    return [(s.value, str(s.label), counts[s.value]) for s in RecommendationStatus.Status if counts.get(s.value)]


#: when records change, the dashboard's counts are made again once they are this old
FRESH_SECONDS = 60


@dataclass(frozen=True)
class Counts:
    severity: list[tuple[str, str, int]]
    rules: list[tuple[str, int, int]]
    funnel: list[Stage]
    recommendations: list[tuple[str, str, int]]
    counted_at: dt.datetime
    gaps: int = 0


def dashboard_counts(viewer: Viewer) -> Counts:
    """The dashboard's counts for the user's teams (kept per set of teams and language, since everyone of the
    same teams sees the same counts): made again at most once a minute."""
    scope = "all" if viewer.superuser else ",".join(map(str, sorted(viewer.roles)))
    key = f"habeas:dashboard:{scope}:{get_language()}"
    kept: Counts | None = cache.get(key)
    if kept is not None and timezone.now() - kept.counted_at < dt.timedelta(seconds=FRESH_SECONDS):
        return kept
    counts = Counts(
        severity=findings_by_severity(viewer),
        rules=findings_by_rule(viewer),
        funnel=allegation_funnel(viewer),
        recommendations=recommendations_by_status(viewer),
        counted_at=timezone.now(),
        gaps=open_gaps(viewer),
    )
    cache.set(key, counts, None)
    return counts
