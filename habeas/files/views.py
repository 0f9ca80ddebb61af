"""The workplace's pages of persons and groups: the lists, and one file per person or group with the timeline
of everything that concerns them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.accounts.identity import name_of
from habeas.accounts.services import audit_record, audit_search
from habeas.accounts.viewer import viewer_of
from habeas.accounts.web import member_required, render_page
from habeas.files import selectors as files
from habeas.files.timeline import KINDS
from habeas.registry import selectors
from habeas.registry.models import Group, Person
from habeas.reports.clock import Clock, clock_items

#: rows on a page of a list
PAGE_SIZE = 50


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@member_required
def person_list(request: HttpRequest) -> HttpResponse:
    """The people the user may see, 50 a page, each with their roles (victim, witness, official, judge…), with a
    filter by role and one by name in any script (not for analysts who see pseudonyms: a name search would
    unmask them)."""
    may_filter = selectors.name_filter_allowed(viewer_of(request))
    name = request.GET.get("name", "").strip() if may_filter else ""
    role = request.GET.get("role", "")
    role = role if role in selectors.ROLES else ""
    page = _page(request, selectors.persons_listed(viewer=viewer_of(request), name=name, role=role))
    if name:
        audit_search(actor=request.user, where="people list", query=name, found=page.paginator.count)
    roles_of = selectors.roles_of(page)
    for person in page:
        person.roles = roles_of.get(person.pk, [])
    roles = [(key, label) for key, (label, _condition) in selectors.ROLES.items()]
    context = {"title": _("People"), "page": page, "name": name, "role": role, "roles": roles, "may_filter": may_filter}
    return render_page(request, "files/person_list.html", context, partial="results")


def _file_page(
    request: HttpRequest, obj: Person | Group, read: Callable[..., Any], clock: Clock | None = None
) -> HttpResponse:
    """A person's or a group's file; the timeline alone for an htmx request (``?kind=`` chooses what it shows).
    Each view is a read of a protected record in the audit trail."""
    audit_record(action="read", actor=request.user, target_type=obj._meta.label_lower, target_id=str(obj.pk))
    kind = request.GET.get("kind", "all")
    kind = kind if kind in dict(KINDS) else "all"
    name = str(obj._meta.model_name)
    part = "#timeline" if getattr(request, "htmx", False) else ""

    def rendered() -> str:
        file = read(obj, viewer_of(request), kind=kind)
        context = {
            "viewer": viewer_of(request),
            "file": file,
            name: obj,
            "timeline": file.timeline,
            "kinds": KINDS,
            "here": reverse(f"{name}_detail", args=[obj.pk]),
        }
        return render_to_string(f"files/{name}_file.html{part}", context)

    main = rendered()
    if part:
        return HttpResponse(main)
    return render_page(
        request, f"files/{name}_detail.html", {"title": name_of(obj, viewer_of(request)), "main": main, "clock": clock}
    )


@member_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person's file: the facts and the timeline of everything that concerns them, with the sources and the
    findings beside each item."""
    person = selectors.person_get_for_user(viewer=viewer_of(request), pk=pk)
    clock = (
        None if getattr(request, "htmx", False) else clock_items(viewer_of(request), now=timezone.now(), person=person)
    )
    return _file_page(request, person, files.person_file, clock)


@member_required
def group_list(request: HttpRequest) -> HttpResponse:
    """The groups the user may see, 50 a page."""
    page = _page(request, selectors.groups_listed(viewer=viewer_of(request)))
    return render_page(request, "files/group_list.html", {"title": _("Groups"), "page": page})


@member_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One group's file: its size and named members, and the timeline of what concerns it."""
    group = selectors.group_get_for_user(viewer=viewer_of(request), pk=pk)
    return _file_page(request, group, files.group_file)
