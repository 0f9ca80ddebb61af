"""Re-authentication: deleting records, exporting them, changing who may do what (teams, memberships,
accounts, authenticators) and other key operations need a password (and TOTP code, for a user with an
authenticator) confirmed in the last ``HABEAS_REAUTH_MINUTES`` minutes.

A login marks the session as freshly authenticated (see ``receivers``); the ``reauth`` view marks it again.
Views guard an operation with ``reauth_required`` (or the ``reauth_view`` decorator) and send a stale
session to ``reauth_redirect``; a write from a stale session is refused, never carried out.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import devices_for_user

from habeas.accounts.backends import login_wait, wait_message
from habeas.accounts.services import audit_record
from habeas.accounts.sites import code_failed, has_authenticator

SESSION_KEY = "habeas_reauth_at"  # seconds since the epoch (UTC) of the last confirmed password


def reauth_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.HABEAS_REAUTH_MINUTES)


def reauth_mark(request: HttpRequest, now: dt.datetime | None = None) -> None:
    """Record in the session that its user has just proved who they are."""
    request.session[SESSION_KEY] = (now or timezone.now()).timestamp()


def reauth_required(request: HttpRequest, now: dt.datetime | None = None) -> bool:
    """Whether the session must confirm the password again before a key operation."""
    marked = request.session.get(SESSION_KEY)
    if not isinstance(marked, int | float):
        return True
    at = dt.datetime.fromtimestamp(marked, tz=dt.UTC)
    moment = now or timezone.now()
    return not (moment - reauth_window() <= at <= moment)


def reauth_url(next_url: str) -> str:
    return f"{reverse('reauth')}?{urlencode({'next': next_url})}"


def reauth_redirect(request: HttpRequest, next_url: str | None = None) -> HttpResponseRedirect:
    """Send the user to confirm their password, and back to ``next_url`` (default: this page) after."""
    return HttpResponseRedirect(reauth_url(next_url or request.get_full_path()))


def reauth_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """For views of key operations (exports, say): a stale session confirms its password first. A request
    that would change something (not GET or HEAD) is not carried out; the user comes back to the page."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and reauth_required(request):
            return reauth_redirect(request, request.path if request.method not in ("GET", "HEAD") else None)
        return view(request, *args, **kwargs)

    return guarded


def _reauth_first(action: Any) -> Any:
    """An admin action (such as "delete selected") refused for a stale session: nothing happens, and the user
    confirms their password and comes back to the list."""

    @functools.wraps(action)
    def guarded(modeladmin: Any, request: HttpRequest, queryset: Any) -> Any:
        if reauth_required(request):
            return reauth_redirect(request, request.get_full_path())
        return action(modeladmin, request, queryset)

    return guarded


class ReauthBeforeDeletion(admin.ModelAdmin[Any]):
    """A model admin whose deletions need a recently confirmed password: the delete page of a stale session
    sends the user to confirm it and back to the confirmation page; a stale POST deletes nothing; so does the
    "delete selected" action."""

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        if self.has_delete_permission(request) and reauth_required(request):
            return reauth_redirect(request, request.path)
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        delete_selected = actions.get("delete_selected")
        if delete_selected is not None:
            func, name, description = delete_selected
            actions["delete_selected"] = (_reauth_first(func), name, description)
        return actions


class ReauthBeforeChanges(ReauthBeforeDeletion):
    """A model admin of what decides access (teams and their members, accounts, authenticators), where adding
    or changing a record is a key operation as deleting is: a stale session confirms its password before the
    form is shown, and a stale POST changes nothing."""

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> Any:
        if reauth_required(request):
            return reauth_redirect(request, request.path)
        return super().changeform_view(request, object_id, form_url, extra_context)


class ReauthForm(forms.Form):
    """The password of the logged-in user, and the current code of their authenticator if they have one.
    Failures are failed logins: audited, and counted toward the lock-out."""

    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    otp_token = forms.CharField(
        label="Code from your authenticator",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.needs_code = has_authenticator(user)
        if self.needs_code:
            self.fields["otp_token"].required = True
        else:
            del self.fields["otp_token"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        username = self.user.get_username()
        wait = login_wait(username)
        if wait:
            raise forms.ValidationError(wait_message(wait), code="wait")
        password = cleaned.get("password")
        if password is None:
            return cleaned
        if not self.user.check_password(password):
            self._failed("wrong password")
            raise forms.ValidationError("That is not your password.", code="password")
        if self.needs_code:
            token = (cleaned.get("otp_token") or "").strip()
            if not token:
                return cleaned  # the field says it is required; no guess was made
            if not any(device.verify_token(token) for device in devices_for_user(self.user, confirmed=True)):
                self._failed("wrong code")
                raise forms.ValidationError("That code is wrong or has expired.", code="otp")
        return cleaned

    def _failed(self, reason: str) -> None:
        code_failed(self.user, reason=reason, details={"reauth": True}, summary=f"failed re-authentication: {reason}")


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    """``next`` if it points into this site, else the admin's index."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


@sensitive_post_parameters("password", "otp_token")
@csrf_protect
@never_cache
def reauth(request: HttpRequest) -> HttpResponse:
    """Ask for the password (and code) again, then go on to ``next``."""
    if not (request.user.is_authenticated and request.user.is_active):
        return redirect_to_login(request.get_full_path(), resolve_url("admin:login"))
    next_url = _safe_next(request, request.POST.get("next") if request.method == "POST" else request.GET.get("next"))
    form = ReauthForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        reauth_mark(request)
        audit_record(
            action="login",
            actor=request.user,
            summary="confirmed their password (re-authentication)",
            details={"reauth": True},
        )
        return HttpResponseRedirect(next_url)
    context = {
        **admin.site.each_context(request),
        "title": "Confirm it is you",
        "form": form,
        "next": next_url,
        "minutes": settings.HABEAS_REAUTH_MINUTES,
    }
    return render(request, "accounts/reauth.html", context)
