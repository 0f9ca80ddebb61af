"""The web application's glue shared by every page: who may open a page, and rendering a whole page or,
for an htmx request, one of its template partials."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from habeas.accounts.sites import second_factor_required

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
        if not user.is_verified() and second_factor_required(user):  # type: ignore[attr-defined]
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
