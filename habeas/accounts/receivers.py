"""Logins, logouts and failed logins reach the audit trail through django.contrib.auth's signals."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from habeas.accounts.reauth import reauth_mark
from habeas.accounts.services import audit_record


@receiver(user_logged_in)
def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="login", actor=user, summary="logged in")
    if request is not None and hasattr(request, "session"):
        reauth_mark(request)  # a login is a fresh proof of who the user is


@receiver(user_logged_out)
def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="logout", actor=user, summary="logged out")


@receiver(user_login_failed)
def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:64]
    # the account name is the event's target, in clear, so that lock-out can count failures per account
    audit_record(action="login_failed", target_type="auth.user", target_id=username, summary="failed login")
