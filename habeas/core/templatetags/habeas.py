"""Template filters of the workplace: dates at their precision, and the navigation."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from habeas.core.dates import describe

register = template.Library()

#: the workplace's sections, in the order of the navigation bar: (URL name, label)
SECTIONS = [
    ("dashboard", _("Dashboard")),
    ("person_list", _("People")),
    ("place_list", _("Places of detention")),
    ("visit_list", _("Visits")),
    ("recommendation_list", _("Recommendations")),
    ("source_list", _("Sources")),
    ("counting", _("Counting")),
    ("briefings", _("Briefings")),
    ("intake", _("Record an allegation")),
]


@register.filter
def when(obj: Any, field: str) -> str:
    """``{{ episode|when:"apprehended_at" }}``: the date of a fuzzy-date field at its precision."""
    value = getattr(obj, field)
    if value is None:
        return ""
    if hasattr(obj, "date_text"):  # a record: a time shown in the time zone of its place
        return str(obj.date_text(field))
    return describe(value, getattr(obj, f"{field}_precision"))


@register.inclusion_tag("habeas/nav.html", takes_context=True)
def nav(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    sections = []
    for name, label in SECTIONS:
        try:
            url = reverse(name)
        except NoReverseMatch:  # a section whose app is not installed in this deployment
            continue
        sections.append(
            {
                "url": url,
                "label": label,
                "current": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    return {"sections": sections, "request": request}
