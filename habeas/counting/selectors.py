"""Reads of lists, linkage runs, their review queues and capture histories, through the access helper."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext, ngettext

from habeas.accounts.access import can_analyse, get_for_user, visible
from habeas.accounts.viewer import Viewer
from habeas.core.dates import Precision, describe
from habeas.counting.models import ClusterMember, EstimateRun, LinkageRun, ListRow, ReviewPair, SourceList
from habeas.stats.estimation.linkage_uncertainty import UncertainPair

#: columns of a list's rows that capture histories can be stratified by
STRATA_COLUMNS: Final = ("stratum", "sex", "region", "event_place", "event_year")
NOT_RECORDED: Final = "(not recorded)"


class StrataColumnError(ValueError):
    """A stratum column that the rows do not have."""


def lists_visible(*, viewer: Viewer) -> QuerySet[SourceList]:
    return visible(SourceList, viewer)


def list_name(lst: SourceList, hidden: set[int]) -> str:
    """A list's name on a page: its title, or for an analyst without identities (``hidden``: the teams whose
    identities are hidden from the user) its number and source key."""
    if lst.team_id in hidden:
        return f"{lst} ({lst.source.key})"
    return str(lst.title)


def list_get_for_user(*, viewer: Viewer, pk: Any, write: bool = False) -> SourceList:
    return get_for_user(SourceList, viewer, pk, write=write)


def run_get_for_user(*, viewer: Viewer, pk: Any, write: bool = False) -> LinkageRun:
    return get_for_user(LinkageRun, viewer, pk, write=write)


def pair_get_for_user(*, viewer: Viewer, pk: Any, write: bool = False) -> ReviewPair:
    """A review pair of a run the user may see (else 404) and, for a decision, change (else 403)."""
    try:
        pair = ReviewPair.objects.select_related("run").get(pk=pk, run__in=visible(LinkageRun, viewer))
    except (ReviewPair.DoesNotExist, ValueError, TypeError):
        raise Http404(f"no review pair {pk}") from None
    if write and not can_analyse(viewer, pair.run.team_id):
        raise PermissionDenied(f"{viewer} may read but not decide review pairs of this run")
    return pair


def review_queue(*, run: LinkageRun) -> QuerySet[ReviewPair]:
    """The pairs of a run still to be decided, those whose decision could change the count most first
    (``habeas.stats.linkage.impact``)."""
    return (
        ReviewPair.objects.filter(run=run, state=ReviewPair.State.PENDING)
        .select_related("row_a__source_list", "row_b__source_list")
        .order_by("-priority", "pk")
    )


def latest_run(run: LinkageRun) -> LinkageRun:
    """The run that re-linked ``run`` after its review decisions, and so on to the newest."""
    done = LinkageRun.objects.filter(status=LinkageRun.Status.DONE)
    while (after := done.filter(follows=run).order_by("-pk").first()) is not None:
        run = after
    return run


def run_people(*, run: LinkageRun) -> QuerySet[ClusterMember]:
    """The run's rows by person (cluster), with their lists."""
    return (
        ClusterMember.objects.filter(run=run)
        .select_related("row__source_list__source")
        .order_by("cluster", "row__source_list_id", "row__row_number")
    )


def run_labels(run: LinkageRun) -> list[str]:
    """The run's lists as capture-history columns, in order."""
    return sorted(lst.label for lst in run.lists.all())


def run_uncertain_links(*, run: LinkageRun) -> tuple[list[int], list[int], list[UncertainPair]]:
    """The run's records as positions: each one's person (cluster) and list (its place among
    ``run_labels``), and the pairs still to review with their match probabilities, which the estimate may draw
    over. Reads no protected field."""
    labels = run_labels(run)
    members = list(
        ClusterMember.objects.filter(run=run)
        .order_by("row__source_list_id", "row__row_number")
        .values_list("row_id", "cluster", "row__source_list_id")
    )
    position = {row: i for i, (row, _, _) in enumerate(members)}
    column = {label: i for i, label in enumerate(labels)}
    pending = ReviewPair.objects.filter(
        run=run, state=ReviewPair.State.PENDING, match_probability__isnull=False
    ).values_list("row_a_id", "row_b_id", "match_probability")
    pairs = [
        UncertainPair(position[a], position[b], float(p))
        for a, b, p in pending
        if p is not None and a in position and b in position
    ]
    return [m[1] for m in members], [column[f"list_{m[2]}"] for m in members], pairs


def linkage_words(spread: dict[str, Any]) -> str:
    """In words, what an estimate's interval says of the linkage it rests on (``EstimateRun.result``'s
    ``linkage_uncertainty``)."""
    pairs = int(spread.get("uncertain_pairs") or 0)
    if not pairs:
        return gettext("No pair of records is left to review: the people as linked are taken as certain.")
    said = ngettext(
        "The interval includes the uncertainty of the linkage: the estimate was repeated over %(draws)s ways of "
        "deciding the %(pairs)s pair of records still to review, each taken as one person with its match "
        "probability (people observed: %(low)s to %(high)s).",
        "The interval includes the uncertainty of the linkage: the estimate was repeated over %(draws)s ways of "
        "deciding the %(pairs)s pairs of records still to review, each taken as one person with its match "
        "probability (people observed: %(low)s to %(high)s).",
        pairs,
    ) % {
        "draws": spread["draws"],
        "pairs": f"{pairs:,}",
        "low": f"{spread['observed_range'][0]:,}",
        "high": f"{spread['observed_range'][1]:,}",
    }
    if spread.get("combination") == "none":
        return said + " " + gettext("Too few of them gave an estimate for an interval to be given.")
    fixed, interval = spread.get("fixed_estimate"), spread.get("fixed_ci95")
    if fixed is not None and interval:
        said += " " + gettext(
            "Taking the people as linked as certain would give %(estimate)s (95%% interval %(low)s to %(high)s)."
        ) % {"estimate": f"{fixed:,.0f}", "low": f"{interval[0]:,.0f}", "high": f"{interval[1]:,.0f}"}
    return said


def run_histories(*, run: LinkageRun, strata: str | None = None) -> pd.DataFrame:
    """One row per person of the run: ``cluster_id``, ``n_records``, a 0/1 column per list (``list_<id>``),
    and, with ``strata``, the person's stratum: the most frequent value among their rows (ties to the smallest),
    or "(not recorded)". Reads no protected field."""
    from habeas.stats.linkage.capture import capture_histories

    if strata is not None and strata not in STRATA_COLUMNS:
        raise StrataColumnError(f"cannot stratify by {strata!r}: choose one of {', '.join(STRATA_COLUMNS)}")
    members = list(
        ClusterMember.objects.filter(run=run)
        .order_by("row__source_list_id", "row__row_number")
        .values_list(
            "cluster",
            "row__source_list_id",
            "row__stratum",
            "row__source_list__stratum",
            "row__sex",
            "row__region",
            "row__event_place",
            "row__event_on",
        )
    )
    clusters = pd.DataFrame(
        {
            "record_id": range(len(members)),
            "source": [f"list_{m[1]}" for m in members],
            "cluster_id": [m[0] for m in members],
        }
    )
    records = pd.DataFrame(
        {
            "stratum": [m[2] or m[3] or None for m in members],
            "sex": [m[4] or None for m in members],
            "region": [m[5] or None for m in members],
            "event_place": [m[6] or None for m in members],
            "event_year": [str(m[7].year) if m[7] else None for m in members],
        }
    )
    histories = capture_histories(clusters, records, (strata,) if strata else ())
    for label in run_labels(run):  # a list whose rows all went elsewhere still has its column
        if label not in histories.columns:
            histories[label] = 0
    if strata:
        histories[strata] = histories[strata].fillna(NOT_RECORDED).astype(str)
    return histories


def rows_of_lists(lists: list[SourceList]) -> QuerySet[ListRow]:
    return (
        ListRow.objects.filter(source_list__in=lists)
        .select_related("source_list")
        .order_by("source_list_id", "row_number")
    )


# ------------------------------------------------------------------------------------------- the workspace


def runs_visible(*, viewer: Viewer) -> QuerySet[LinkageRun]:
    """The linkage runs the user may see, newest first, each with ``list_count`` and ``pending`` (pairs still
    awaiting a decision)."""
    from django.db.models import Count, Q

    return (
        visible(LinkageRun, viewer)
        .annotate(
            list_count=Count("lists", distinct=True),
            pending=Count("review_pairs", filter=Q(review_pairs__state=ReviewPair.State.PENDING), distinct=True),
        )
        .order_by("-started_at", "-pk")
    )


def estimates_visible(*, viewer: Viewer) -> QuerySet[EstimateRun]:
    return visible(EstimateRun, viewer).order_by("-created_at", "-pk")


def estimate_get_for_user(*, viewer: Viewer, pk: Any) -> EstimateRun:
    return get_for_user(EstimateRun, viewer, pk)


def run_estimates(*, run: LinkageRun) -> QuerySet[EstimateRun]:
    """The estimates made from a linkage run, oldest first."""
    return EstimateRun.objects.filter(linkage=run).order_by("created_at", "pk")


@dataclass(frozen=True)
class Overlaps:
    """A linkage run's lists (in the order of each pattern's flags) with the number of people on each, and the
    capture patterns with the number of people found on exactly those lists."""

    lists: list[tuple[SourceList, int]]
    patterns: list[tuple[tuple[bool, ...], int]]

    @property
    def people(self) -> int:
        return sum(count for _, count in self.patterns)


def run_overlaps(*, run: LinkageRun) -> Overlaps:
    """How a run's lists overlap: for each person (cluster) the lists they are on, tallied by pattern. Two
    queries, whatever the number of rows."""
    lists = list(run.lists.select_related("source").order_by("pk"))
    position = {lst.pk: i for i, lst in enumerate(lists)}
    on: dict[int, set[int]] = defaultdict(set)
    for cluster, list_id in ClusterMember.objects.filter(run=run).values_list("cluster", "row__source_list_id"):
        on[cluster].add(list_id)
    tally = Counter(tuple(i in {position[p] for p in ids} for i in range(len(lists))) for ids in on.values())
    sizes = [sum(count for pattern, count in tally.items() if pattern[i]) for i in range(len(lists))]
    return Overlaps(list(zip(lists, sizes, strict=True)), sorted(tally.items(), key=lambda item: -item[1]))


# ------------------------------------------------------------------------------------------- clerical review


@dataclass(frozen=True)
class FieldComparison:
    """One field of a review pair, side by side: each row's text and whether they differ once normalised
    (``differs`` is False when either is missing: a blank neither confirms nor contradicts)."""

    name: str
    label: str
    a: str
    b: str
    differs: bool
    hidden: bool = False


def _date_key(value: Any, precision: str) -> tuple[int, ...]:

    depth = {str(Precision.DAY): 3, str(Precision.MONTH): 2}.get(str(precision), 1)
    return (value.year, value.month, value.day)[:depth]


def _dates_differ(a: ListRow, b: ListRow, field: str) -> bool:

    va, vb = getattr(a, field), getattr(b, field)
    if va is None or vb is None:
        return False
    pa, pb = getattr(a, f"{field}_precision"), getattr(b, f"{field}_precision")
    if Precision.APPROXIMATE in (pa, pb):
        return abs(va.year - vb.year) > 2
    ka, kb = _date_key(va, pa), _date_key(vb, pb)
    depth = min(len(ka), len(kb))
    return ka[:depth] != kb[:depth]


def _names_differ(a: str, b: str, key: Any) -> bool:
    if not a.strip() or not b.strip():
        return False
    return key(a) != key(b)


def pair_comparison(*, pair: ReviewPair, hide_identities: bool) -> list[FieldComparison]:
    """The two rows of a review pair field by field: names as each list wrote them (any script), patronymic,
    sex, birth date, place, national ID, the event, and the list and source each comes from, with ``differs``
    set for fields that disagree after normalisation (transliteration, diminutives, patronymic forms, dates
    compared at their common precision). With ``hide_identities`` the protected fields (names, patronymic,
    national ID) are left out as hidden."""
    from django.utils.translation import gettext as _

    from habeas.stats.linkage.normalise import (
        canonical_given,
        national_id,
        patronymic_key,
        phonetic_key,
        region_key,
    )

    a, b = pair.row_a, pair.row_b

    def words(key: Any) -> Any:
        return lambda text: " ".join(sorted(key(word) for word in text.replace("-", " ").split()))

    def when(row: ListRow, field: str) -> str:
        value = getattr(row, field)
        return describe(value, getattr(row, f"{field}_precision")) if value else ""

    def source_of(row: ListRow) -> str:
        lst = row.source_list
        if hide_identities:
            return f"{lst} ({lst.source.key}), {row}"
        return f"{lst.title} ({lst.source.key}), {row}"

    out: list[FieldComparison] = []
    protected = [
        ("surname", _("Surname"), words(phonetic_key)),
        ("given_name", _("Given name"), words(lambda w: canonical_given(phonetic_key(w)))),
        ("patronymic", _("Patronymic"), lambda t: patronymic_key(t)),
    ]
    for field, label, key in protected:
        if hide_identities:
            out.append(FieldComparison(field, label, "", "", False, hidden=True))
            continue
        ta, tb = getattr(a, field), getattr(b, field)
        out.append(FieldComparison(field, label, ta, tb, _names_differ(ta, tb, key)))
    out.append(
        FieldComparison(
            "sex",
            _("Sex"),
            a.get_sex_display(),
            b.get_sex_display(),
            bool(a.sex and b.sex and a.sex != b.sex),
        )
    )
    out.append(
        FieldComparison("born_on", _("Born"), when(a, "born_on"), when(b, "born_on"), _dates_differ(a, b, "born_on"))
    )
    out.append(
        FieldComparison(
            "region",
            _("Place or region"),
            a.region,
            b.region,
            _names_differ(a.region, b.region, lambda t: region_key(t) or ""),
        )
    )
    if hide_identities:
        out.append(FieldComparison("national_id", _("National ID"), "", "", False, hidden=True))
    else:
        out.append(
            FieldComparison(
                "national_id",
                _("National ID"),
                a.national_id,
                b.national_id,
                _names_differ(a.national_id, b.national_id, lambda t: national_id(t) or ""),
            )
        )
    if a.event_on or b.event_on:
        out.append(
            FieldComparison(
                "event_on",
                _("Date of the event"),
                when(a, "event_on"),
                when(b, "event_on"),
                _dates_differ(a, b, "event_on"),
            )
        )
    if a.event_place or b.event_place:
        out.append(
            FieldComparison(
                "event_place",
                _("Place of the event"),
                a.event_place,
                b.event_place,
                _names_differ(a.event_place, b.event_place, lambda t: region_key(t) or ""),
            )
        )
    out.append(FieldComparison("list", _("List and source"), source_of(a), source_of(b), False))
    return out


def review_counts(*, run: LinkageRun) -> dict[str, int]:
    """How many of the run's pairs are pending and decided each way."""
    from django.db.models import Count

    counts = dict(ReviewPair.objects.filter(run=run).values_list("state").annotate(n=Count("pk")).order_by())
    return {state: counts.get(state, 0) for state in ReviewPair.State.values}


def recent_decisions(*, run: LinkageRun, limit: int = 10) -> list[ReviewPair]:
    """The run's latest decided pairs, newest first, with who decided them."""
    return list(
        ReviewPair.objects.filter(run=run)
        .exclude(state=ReviewPair.State.PENDING)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )
