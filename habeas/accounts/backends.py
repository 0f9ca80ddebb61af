"""Logging in, slowed down after repeated failures, by account and by source address.

Failures of the last ``WINDOW`` are counted twice: for the account whose name was typed, and for the address
the attempts come from. The first failures cost nothing; after that, each failure makes the next attempt wait
longer (``FIRST_WAIT``, then twice as long each time), up to a ceiling. An attempt made while it must wait is
refused without looking at the password, and does not count as a failure.

- An ordinary account waits up to ``ACCOUNT_MAX_WAIT`` (fifteen minutes: in effect locked while the attempts
  go on).
- A superuser's or a team administrator's account is only slowed: it waits at most ``ADMIN_MAX_WAIT``, so
  that someone typing wrong passwords for it cannot keep the administrators out.
- One address waits up to ``ADDRESS_MAX_WAIT`` once it has failed ``ADDRESS_FREE`` times on any accounts, so
  that passwords tried across many accounts from one place are slowed too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from habeas.accounts.models import LoginFailure, Membership, Role
from habeas.core import crypto

WINDOW = dt.timedelta(minutes=15)
FIRST_WAIT = dt.timedelta(seconds=5)
ACCOUNT_FREE = 3  # failures on one account before it is slowed
ADDRESS_FREE = 10  # failures from one address (on any accounts) before it is slowed
ACCOUNT_MAX_WAIT = dt.timedelta(minutes=15)
ADMIN_MAX_WAIT = dt.timedelta(seconds=30)
ADDRESS_MAX_WAIT = dt.timedelta(minutes=15)


def address_key(request: Any) -> str:
    """The source address of a request as a keyed hash (the counts need no address in clear); "" without one."""
    address = getattr(request, "META", {}).get("REMOTE_ADDR", "") if request is not None else ""
    return crypto.digest(f"login address:{address}") if address else ""


def _privileged(username: str) -> bool:
    """Whether the account is a superuser's or a team administrator's: slowed, never locked out."""
    user = get_user_model()._default_manager.filter(username=username[:150]).first()
    if user is None:
        return False
    return bool(user.is_superuser) or Membership.objects.filter(user=user, role=Role.ADMINISTRATOR).exists()


def _wait(failures: QuerySet[LoginFailure], *, free: int, ceiling: dt.timedelta, now: dt.datetime) -> dt.timedelta:
    counted = failures.filter(at__gte=now - WINDOW).aggregate(n=Count("pk"), last=Max("at"))
    if counted["n"] < free:
        return dt.timedelta(0)
    delay = min(FIRST_WAIT * 2 ** min(counted["n"] - free, 20), ceiling)
    return max(counted["last"] + delay - now, dt.timedelta(0))


def login_wait(username: str, address: str = "", *, now: dt.datetime | None = None) -> dt.timedelta:
    """How long a login to ``username`` from ``address`` (a keyed hash, "" if unknown) must still wait."""
    now = now or timezone.now()
    ceiling = ADMIN_MAX_WAIT if _privileged(username) else ACCOUNT_MAX_WAIT
    wait = _wait(LoginFailure.objects.filter(account=username[:150]), free=ACCOUNT_FREE, ceiling=ceiling, now=now)
    if address:
        by_address = LoginFailure.objects.filter(address=address)
        wait = max(wait, _wait(by_address, free=ADDRESS_FREE, ceiling=ADDRESS_MAX_WAIT, now=now))
    return wait


def wait_message(wait: dt.timedelta) -> str:
    """What a person is told when they must wait before trying again."""
    seconds = max(1, round(wait.total_seconds()))
    if seconds < 90:
        when = ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    else:
        minutes = round(seconds / 60)
        when = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    return gettext(
        "Too many failed attempts to log in, to this account or from this network. Wait %(when)s and try "
        "again. If you have forgotten your password, ask an administrator."
    ) % {"when": when}


class ThrottledModelBackend(ModelBackend):
    """Django's username and password check, refused while the account or the address must wait."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is not None and login_wait(username, address_key(request)):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
