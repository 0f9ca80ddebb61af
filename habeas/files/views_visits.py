"""A visit's page: what the monitoring record holds, with the findings against the standards about it (composed
here, above the monitoring and standards floors)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from habeas.accounts import access
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import viewer_of
from habeas.accounts.web import member_required, render_page
from habeas.evidence.selectors import sources_cited
from habeas.files.selectors import findings_of_visit
from habeas.monitoring import selectors


@member_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get_for_user(viewer_of(request), pk)
    audit_record(action="read", actor=request.user, target_type=visit._meta.label_lower, target_id=str(visit.pk))
    today = timezone.localdate()
    recommendations = selectors.recommendations_of_visit(visit)
    context = {
        "title": str(visit),
        "visit": visit,
        "planned": selectors.visit_is_planned(visit, today),
        "hidden": not viewer_of(request).sees_identity(visit.team_id),
        "recommendations": [(r, selectors.recommendation_is_overdue(r, today)) for r in recommendations],
        "sources": sources_cited(visit),
        "findings": findings_of_visit(visit, viewer_of(request)),
        "can_write": access.can_write(viewer_of(request), visit),
    }
    return render_page(request, "monitoring/visit_detail.html", context)
