"""Who calls the API: a bearer token of one user's, looked up by its digest, and the rate each may call at."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

from habeas.api.models import ApiToken
from habeas.api.services import token_digest

#: a token's time of last use is written at most this often (not on every request)
USE_RECORDED_EVERY = dt.timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer habeas_…``: the token's user, while the token is not revoked and the account is
    active. Any other answer is 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=token_digest(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > USE_RECORDED_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


def throttle() -> AuthRateThrottle:
    """Calls a minute per user (HABEAS_API_PER_MINUTE), counted in Django's default cache."""
    return AuthRateThrottle(f"{settings.HABEAS_API_PER_MINUTE}/m")
