"""``{{ record|name:viewer }}``: a record's name as the viewer may see it (``habeas.accounts.identity.name_of``).
Every page has ``viewer`` (the context processor ``habeas.accounts.viewer.viewer``)."""

from __future__ import annotations

from typing import Any

from django import template

from habeas.accounts.identity import name_of
from habeas.accounts.viewer import Viewer

register = template.Library()


@register.filter
def name(record: Any, viewer: Viewer | None) -> str:
    """Without a viewer (a template rendered outside a request), the name is not shown in clear."""
    return name_of(record, viewer) if isinstance(viewer, Viewer) else str(record or "")
