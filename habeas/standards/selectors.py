"""Reads of the stored findings."""

from __future__ import annotations

from collections.abc import Iterable

from habeas.accounts.viewer import Viewer
from habeas.standards.finding_view import FindingView, finding_views
from habeas.standards.models import Finding
from habeas.standards.visibility import findings_seen


def findings_for_report(
    profile: str, codes: Iterable[str] | None = None, *, seen_by: Viewer | None = None
) -> list[FindingView]:
    """The current findings of a profile, most severe first; with ``seen_by``, only those about records that
    viewer may see (``findings_seen``), so that no other team's finding is decrypted."""

    current = Finding.objects.filter(active=True) if seen_by is None else findings_seen(seen_by)
    rows = current.filter(profile=profile)
    wanted = None if codes is None else set(codes)
    cited = (f for f in rows if wanted is None or wanted & ({s.get("rule") for s in f.standards} | {f.rule}))
    views = finding_views(cited)
    # the subject is encrypted, so the database cannot sort by it
    return sorted(views, key=lambda v: (-v.severity_rank, v.rule, v.subject, v.record.pk))
