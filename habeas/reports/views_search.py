"""The search page: one box for persons, places, allegations and documents (in a module of its own so that the
dashboard's views and this one can change independently)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from habeas.accounts.services import audit_record
from habeas.accounts.viewer import viewer_of
from habeas.accounts.web import member_required, render_page
from habeas.reports.search import KINDS, Kind, SearchResults, snippet
from habeas.reports.search import search as search_records


def record_url(obj: Any) -> str:
    """The workplace page of a record (``<model>_detail``) when there is one, else its admin page."""
    meta = obj._meta
    for name in (f"{meta.model_name}_detail", f"admin:{meta.app_label}_{meta.model_name}_change"):
        try:
            return reverse(name, args=[obj.pk])
        except NoReverseMatch:
            continue
    return ""


LABELS = {
    Kind.PERSON: _("People"),
    Kind.PLACE: _("Places"),
    Kind.ALLEGATION: _("Allegations"),
    Kind.DOCUMENT: _("Documents"),
}


def _sections(results: SearchResults, hidden: set[int]) -> list[dict[str, Any]]:
    """What the page shows of each kind's hits (protected text only where the user sees identities)."""
    sections = []
    for kind, hits in results.hits.items():
        rows = []
        for obj in hits.rows:
            row: dict[str, Any] = {"obj": obj, "url": record_url(obj)}
            if kind == Kind.ALLEGATION:
                if obj.team_id not in hidden:
                    row["snippet"], _page = snippet(obj.summary, results.keys)
                if obj.victim_id:
                    row["url"] = record_url(obj.victim) or row["url"]
            elif kind == Kind.DOCUMENT:
                row["snippet"], row["page"] = snippet(obj.text, results.keys)
            rows.append(row)
        sections.append({"kind": kind, "label": LABELS[Kind(kind)], "rows": rows, "more": hits.more})
    return sections


@member_required
def search(request: HttpRequest) -> HttpResponse:
    """``/search/?q=…&kind=person|place|allegation|document``: the records the user may see that hold every
    word of the query, in any script or transliteration. An htmx request (the box as one types) gets the
    results alone."""

    text = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    results = search_records(viewer_of(request), text, kind or None) if text else None
    hidden = viewer_of(request).hidden
    if results is not None:
        audit_record(
            action="read",
            actor=request.user,
            target_type="search",
            summary="search",
            details={"query": text, "kind": kind, "found": {k: len(h.rows) for k, h in results.hits.items()}},
        )
    context = {
        "title": _("Search"),
        "query": text,
        "kind": kind,
        "kinds": [(k.value, k.label) for k in KINDS],
        "results": results,
        "sections": _sections(results, hidden) if results else [],
    }
    return render_page(request, "reports/search.html", context, partial="results")
