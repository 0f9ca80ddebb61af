"""What the sources say of records: the sources cited for each, with their locators, and the date up to which each
record's facts are known (its latest dated source, its last review, or today while it is under active monitoring)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType

from habeas.evidence.models import Citation
from habeas.evidence.selectors import citation_shown
from habeas.standards import facts as f
from habeas.standards.gather.common import chunked, when
from habeas.standards.models import Follow


def sources_of(refs: Iterable[f.Ref]) -> tuple[dict[f.Ref, list[dict[str, str]]], dict[f.Ref, f.When]]:
    """The sources cited for each record, with their locators; and the date of the latest of them that gives
    one, the date the record's facts are known up to."""
    by_label: dict[str, set[int]] = defaultdict(set)
    for label, pk in refs:
        by_label[label].add(pk)
    out: dict[f.Ref, list[dict[str, str]]] = defaultdict(list)
    latest: dict[f.Ref, f.When] = {}
    for label, pks in by_label.items():
        content_type = ContentType.objects.get_by_natural_key(*label.split("."))
        if not Citation.objects.filter(content_type=content_type).exists():
            continue
        cited = (
            c
            for chunk in chunked(pks)
            for c in Citation.objects.filter(content_type=content_type, object_id__in=chunk)
            .select_related("source")
            .order_by("pk")
        )
        for c in cited:
            key = (label, c.object_id)
            out[key].append(citation_shown(c))
            published = when(c.source.published_on, c.source.published_on_precision)
            if published and (key not in latest or f.moment(published.hi) > f.moment(latest[key].hi)):
                latest[key] = published
    return out, latest


def follows_of(refs: Iterable[f.Ref]) -> tuple[set[f.Ref], dict[f.Ref, f.When]]:
    """Of these records, those under active monitoring, and the date to which each reviewed one was reviewed."""
    by_label: dict[str, set[int]] = defaultdict(set)
    for label, pk in refs:
        by_label[label].add(pk)
    active: set[f.Ref] = set()
    reviewed: dict[f.Ref, f.When] = {}
    if not Follow.objects.exists():
        return active, reviewed
    for label, pks in by_label.items():
        content_type = ContentType.objects.get_by_natural_key(*label.split("."))
        for chunk in chunked(pks):
            for pk, is_active, on in Follow.objects.filter(content_type=content_type, object_id__in=chunk).values_list(
                "object_id", "active", "reviewed_on"
            ):
                if is_active:
                    active.add((label, pk))
                if on is not None:
                    reviewed[(label, pk)] = f.When(on, on, on, "day")
    return active, reviewed
