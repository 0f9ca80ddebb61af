"""Template tags of the record pages: ``{% load records %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from habeas.accounts.web import CHANGE_PAGES, PART_PAGES

register = template.Library()


@register.simple_tag
def record_actions(record: Any, back: str) -> list[tuple[str, str]]:
    """``{% record_actions record here as actions %}``: the pages that change the record and add its parts, as
    (address, label), each coming back to ``back``."""
    model = type(record)
    after = "?" + urlencode({"next": back})
    out = []
    if model in CHANGE_PAGES:
        out.append((reverse(CHANGE_PAGES[model], args=[record.pk]) + after, str(_("change"))))
    for name, part in PART_PAGES.get(model, []):
        label = _("add: %(what)s") % {"what": part._meta.verbose_name}
        out.append((reverse(name, args=[record.pk]) + after, str(label)))
    return out
