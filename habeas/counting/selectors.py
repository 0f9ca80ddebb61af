"""Reads of lists, linkage runs, their review queues and capture histories, through the access helper."""

from __future__ import annotations

from typing import Any, Final

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from habeas.core.access import can_analyse, get_for_user, visible
from habeas.counting.models import ClusterMember, LinkageRun, ListRow, ReviewPair, SourceList

#: columns of a list's rows that capture histories can be stratified by
STRATA_COLUMNS: Final = ("stratum", "sex", "region", "event_place", "event_year")
NOT_RECORDED: Final = "(not recorded)"


class StrataColumnError(ValueError):
    """A stratum column that the rows do not have."""


def lists_visible(*, user: Any) -> QuerySet[SourceList]:
    return visible(SourceList, user)


def list_get_for_user(*, user: Any, pk: Any, write: bool = False) -> SourceList:
    return get_for_user(SourceList, user, pk, write=write)


def run_get_for_user(*, user: Any, pk: Any, write: bool = False) -> LinkageRun:
    return get_for_user(LinkageRun, user, pk, write=write)


def pair_get_for_user(*, user: Any, pk: Any, write: bool = False) -> ReviewPair:
    """A review pair of a run the user may see (else 404) and, for a decision, change (else 403)."""
    try:
        pair = ReviewPair.objects.select_related("run").get(pk=pk, run__in=visible(LinkageRun, user))
    except (ReviewPair.DoesNotExist, ValueError, TypeError):
        raise Http404(f"no review pair {pk}") from None
    if write and not can_analyse(user, pair.run.team_id):
        raise PermissionDenied(f"{user} may read but not decide review pairs of this run")
    return pair


def review_queue(*, run: LinkageRun) -> QuerySet[ReviewPair]:
    """The pairs of a run still to be decided, nearest the match threshold first (the order linkage gave)."""
    return (
        ReviewPair.objects.filter(run=run, state=ReviewPair.State.PENDING)
        .select_related("row_a__source_list", "row_b__source_list")
        .order_by("pk")
    )


def run_labels(run: LinkageRun) -> list[str]:
    """The run's lists as capture-history columns, in order."""
    return sorted(lst.label for lst in run.lists.all())


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
