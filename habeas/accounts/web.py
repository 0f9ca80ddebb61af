"""The web application's glue shared by every page: who may open a page, and rendering a whole page or,
for an htmx request, one of its template partials."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from habeas.accounts import access
from habeas.accounts.forms import RecordForm
from habeas.accounts.records import record_create, record_update
from habeas.accounts.sites import second_factor_passed
from habeas.accounts.viewer import Viewer, viewer_of

View = Callable[..., HttpResponseBase]


def member_required(view: View) -> View:
    """A page of the workplace: for a logged-in user who has passed two-factor login where it applies;
    anyone else is sent to log in and brought back. What the page shows is then limited by the access helpers
    (``habeas.accounts.access``): records of other teams answer 404."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return redirect_to_login(request.get_full_path())
        if not second_factor_passed(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded


def render_page(
    request: HttpRequest, template: str, context: Mapping[str, Any], *, partial: str | None = None, status: int = 200
) -> HttpResponse:
    """The whole page, or for an htmx request the named partial of the same template
    (``"files/person_detail.html#timeline"``), so that a fragment and its page never drift apart."""
    name = f"{template}#{partial}" if partial and getattr(request, "htmx", False) else template
    return render(request, name, context, status=status)


class SourceForm(Protocol):
    """The form of the source a record's page cites (``habeas.evidence.forms.RecordSourceForm``)."""

    def __init__(self, data: Any, *, viewer: Viewer, team_id: int | None, record: Any) -> None: ...
    def is_valid(self) -> bool: ...
    def cite(self, *, record: Any, user: Any) -> None: ...


_source_forms: list[type[SourceForm]] = []


def cite_with(form: type[SourceForm]) -> None:
    """Have every record's page (``RecordPages``) ask for the source of what it records with ``form``, and cite
    it in the record's write. Called once by ``evidence`` (above this floor), from its ``AppConfig.ready``."""
    _source_forms[:] = [form]


@dataclass(frozen=True)
class RecordPages:
    """The pages that add and change one kind of record through its form (a ``RecordForm``): the user must
    write in the record's team (else 403; a record they do not see answers 404), the record is written by
    ``record_create``/``record_update`` (which check the team again, validate, audit and re-check findings),
    and the user goes back to ``?next=`` (the file they came from) or the record's ``back``. Every page asks for
    the source of what it records and where in it (``cite_with``): the citation is written in the record's
    transaction, and a new record without one is refused. An htmx request
    gets the form alone back when it has errors, and is sent on with ``HX-Redirect`` once saved.

    ``parent`` is the record a new one belongs to (a custody episode's person, a placement's episode), found
    by the ``<int:parent>`` of the address and set on ``parent_field``."""

    form: type[RecordForm]
    title: StrOrPromise
    parent: type[models.Model] | None = None
    parent_field: str = ""
    back: Callable[[Any], str] = lambda record: reverse("dashboard")

    def add(self, request: HttpRequest, parent: int | None = None) -> HttpResponseBase:
        holder = None
        if self.parent is not None:
            holder = access.get_for_user(self.parent, viewer_of(request), parent, write=True)
            team_id = holder.team_id  # type: ignore[attr-defined]
        elif not access.can_write(viewer_of(request)):
            raise PermissionDenied(_("Read-only members do not add records."))
        else:
            team_id = access.default_team(viewer_of(request))
        record = self.form._meta.model()
        if holder is not None:
            setattr(record, self.parent_field, holder)
        elif access.owned(type(record)):
            record.team_id = team_id
        return self._page(request, record, team_id, holder)

    def change(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        record = access.get_for_user(self.form._meta.model, viewer_of(request), pk, write=True)
        holder = getattr(record, self.parent_field) if self.parent_field else None
        return self._page(request, record, getattr(record, "team_id", None), holder)

    def _page(
        self, request: HttpRequest, record: Any, team_id: int | None, holder: models.Model | None
    ) -> HttpResponseBase:
        data = request.POST or None
        viewer = viewer_of(request)
        form = self.form(data, instance=record, viewer=viewer, team_id=team_id)
        cited = [source_form(data, viewer=viewer, team_id=team_id, record=record) for source_form in _source_forms]
        back = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
            back = ""
        if request.method == "POST" and all([form.is_valid(), *(source.is_valid() for source in cited)]):
            new = record.pk is None
            try:
                with transaction.atomic():
                    if new:
                        record = record_create(record=form.instance, user=request.user, parent=holder, recheck=True)
                    else:
                        record = record_update(
                            record=form.instance, user=request.user, parent=holder, changes=form.changes(), recheck=True
                        )
                    for source in cited:
                        source.cite(record=record, user=request.user)
            except ValidationError as exc:
                if new:  # the write was rolled back: the record is still to be created
                    form.instance.pk, form.instance._state.adding = None, True
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                for name, messages in errors.items():
                    form.add_error(name if name in form.fields else None, messages)
            else:
                target = back or self.back(record)
                if getattr(request, "htmx", False):
                    return HttpResponse(status=204, headers={"HX-Redirect": target})
                return redirect(target)
        context = {
            "title": self.title,
            "form": form,
            "sources": cited,
            "citations": record.citations.select_related("source").order_by("pk") if record.pk else [],
            "record": record,
            "holder": holder,
            "back": back or "/",
        }
        return render_page(request, "habeas/record_form.html", context, partial="form")


#: model → the name of its change page, and the pages that add its parts: (name, the part's model); filled by
#: ``record_urls`` for the links of a file (``record_actions``)
CHANGE_PAGES: dict[type[models.Model], str] = {}
PART_PAGES: dict[type[models.Model], list[tuple[str, type[models.Model]]]] = {}


def record_urls(name: str, pages: RecordPages, *, new: str, change: str) -> list[URLPattern]:
    """The addresses of a kind of record's pages, ``<name>_add`` at ``new`` (with the ``<int:parent>`` of the
    record it belongs to, if any) and ``<name>_change`` at ``change`` (with ``<int:pk>``)."""
    model = pages.form._meta.model
    CHANGE_PAGES[model] = f"{name}_change"
    if pages.parent is not None and f"{name}_add" not in dict(PART_PAGES.get(pages.parent, [])):
        PART_PAGES.setdefault(pages.parent, []).append((f"{name}_add", model))
    return [
        path(new, member_required(pages.add), name=f"{name}_add"),
        path(change, member_required(pages.change), name=f"{name}_change"),
    ]
