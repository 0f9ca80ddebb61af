"""The second factor on every page: a logged-in session that now needs a TOTP code and has not given one —
opened before an authenticator was added to the account, or before HABEAS_REQUIRE_2FA was turned on — is sent
to log in with the code before anything else, whatever the page (the workplace, the admin, exports, jobs)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import resolve_url
from django.urls import reverse

from habeas.accounts.sites import second_factor_passed


class SecondFactorMiddleware:
    """After django-otp's middleware, which tells whether the session gave a code (``user.is_verified()``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and request.path_info not in self._open_paths() and not second_factor_passed(request):
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        return self.get_response(request)

    @staticmethod
    def _open_paths() -> set[str]:
        """The pages such a session may still open: logging in with the code, logging out, the language."""
        return {reverse("admin:login"), reverse("admin:logout"), reverse("set_language")}
