"""Reads of the stored findings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from habeas.accounts.viewer import Viewer
from habeas.standards.models import Finding
from habeas.standards.visibility import findings_seen


def findings_for_report(
    profile: str, codes: Iterable[str] | None = None, *, seen_by: Viewer | None = None
) -> list[dict[str, Any]]:
    """The current findings of a profile as plain data, most severe first; with ``seen_by``, only those about
    records that user may see (``findings_seen``), so that no other team's finding is decrypted."""

    current = Finding.objects.filter(active=True) if seen_by is None else findings_seen(seen_by)
    rows = current.filter(profile=profile).select_related("content_type")
    wanted = None if codes is None else set(codes)
    out = []
    # the subject is encrypted, so the database cannot sort by it
    ordered = sorted(rows, key=lambda f: (-f.severity, f.rule, f.subject, f.object_id))
    for finding in ordered:
        cited = {s.get("rule") for s in finding.standards} | {finding.rule}
        if wanted is not None and not wanted & cited:
            continue
        out.append(
            {
                "rule": finding.rule,
                "rule_version": finding.rule_version,
                "topic": finding.topic,
                "status": finding.status,
                "severity": str(Finding.Severity(finding.severity).label),
                "record": {
                    "type": f"{finding.content_type.app_label}.{finding.content_type.model}",
                    "id": finding.object_id,
                },
                "subject": finding.subject,
                "summary": finding.summary,
                "standard": finding.standard,
                "standards": finding.standards,
                "prevails": finding.prevails,
                "review": finding.review or None,
                "parameters": finding.parameters,
                "facts": finding.facts,
                "sources": finding.sources,
            }
        )
    return out
