"""Template filters of the monitoring pages."""

from __future__ import annotations

from django import template

from habeas.monitoring.models import RecommendationStatus

register = template.Library()


@register.filter
def status_label(status: str | None) -> str:
    """The name of a recommendation's status; none recorded reads as issued."""
    return str(RecommendationStatus.Status(status or RecommendationStatus.Status.ISSUED).label)
