"""The admin site with two-factor login: a TOTP code for every user who has an authenticator, and for
everyone when HABEAS_REQUIRE_2FA is on."""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest
from django_otp import device_classes
from django_otp.admin import OTPAdminAuthenticationForm

from habeas.accounts.backends import address_key, login_wait, wait_message
from habeas.accounts.services import login_failure_record


@functools.cache
def _device_models() -> tuple[type[Any], ...]:
    return tuple(device_classes())


def has_authenticator(user: Any) -> bool:
    """Whether the user has a confirmed authenticator. Read on every page, so that one added to an account is
    asked for at once; one ``EXISTS`` per kind of device (django-otp's own helper walks every model of every
    app each time, and reads the devices whole)."""
    return any(model.objects.filter(user_id=user.pk, confirmed=True).exists() for model in _device_models())


def second_factor_required(user: Any) -> bool:
    return bool(getattr(settings, "HABEAS_REQUIRE_2FA", False) or has_authenticator(user))


def second_factor_passed(request: HttpRequest) -> bool:
    """Whether the request's user gave a code this session, or needs none. Asked by the middleware, the
    workplace's pages and the admin alike: whether the user needs one is read once per request."""
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return True
    known = getattr(request, "_second_factor_required", None)
    if known is None or known[0] != user.pk:  # read again for another user (one who just logged in)
        known = (user.pk, second_factor_required(user))
        request._second_factor_required = known  # type: ignore[attr-defined]
    return not known[1]


def code_failed(
    user: Any, *, reason: str, address: str = "", summary: str = "", details: dict[str, Any] | None = None
) -> None:
    """A wrong password or second-factor code of a known user (at login, or confirming it is them): audited
    against the account, and counted toward its lock-out."""

    login_failure_record(
        username=user.get_username(), address=address, reason=reason, actor=user, summary=summary, details=details
    )


class TwoFactorLoginForm(OTPAdminAuthenticationForm):
    """The password first; then, for users who have an authenticator (or for everyone, when required), the
    code it shows."""

    def clean(self) -> dict[str, Any]:
        try:
            self.cleaned_data = AdminAuthenticationForm.clean(self)
        except forms.ValidationError:
            wait = login_wait(self.cleaned_data.get("username") or "", address_key(self.request))
            if wait:  # the lock-out, rather than "wrong password"
                raise forms.ValidationError(wait_message(wait), code="wait") from None
            raise
        user = self.get_user()
        if user is not None and second_factor_required(user):
            if not has_authenticator(user):
                raise forms.ValidationError(
                    "Two-factor login is required, and this account has no authenticator yet: ask an "
                    "administrator to set one up.",
                    code="no_device",
                )
            try:
                self.clean_otp(user)
            except forms.ValidationError:
                if self.cleaned_data.get("otp_token"):  # a code was given, and it was wrong
                    code_failed(user, reason="wrong code at login", address=address_key(self.request))
                raise
        return self.cleaned_data


class HabeasAdminSite(AdminSite):
    site_header = site_title = "Habeas"
    index_title = "Records"
    login_form = TwoFactorLoginForm
    login_template = "accounts/login.html"  # the code field says it is only for users with an authenticator

    def has_permission(self, request: Any) -> bool:
        if not super().has_permission(request):
            return False
        return second_factor_passed(request)
