"""Logins, logouts and failed logins reach the audit trail through django.contrib.auth's signals."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from habeas.accounts.backends import address_key, login_wait
from habeas.accounts.reauth import reauth_mark
from habeas.accounts.services import audit_record, login_failure_record


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
    """A wrong password, or an attempt refused because the account or the address must still wait (the
    password was then not even looked at)."""
    username = str(credentials.get("username", ""))[:150]
    address = address_key(request)
    refused = bool(login_wait(username, address))
    reason = "too many failed attempts" if refused else "wrong password"
    login_failure_record(username=username, address=address, reason=reason, refused=refused)
