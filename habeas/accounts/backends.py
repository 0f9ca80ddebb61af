"""Logging in, with a lock-out after repeated failures (counted from the audit trail)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from habeas.accounts.models import AuditEvent

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)


def locked_out(username: str, *, now: dt.datetime | None = None) -> bool:
    """Whether this account had ``MAX_FAILURES`` failed logins in the last ``WINDOW``."""
    since = (now or timezone.now()) - WINDOW
    failures = AuditEvent.objects.filter(
        action="login_failed", target_type="auth.user", target_id=username[:64], at__gte=since
    )
    return failures.count() >= MAX_FAILURES


class ThrottledModelBackend(ModelBackend):
    """Django's username and password check, refused while the account is locked out."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is not None and locked_out(username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
