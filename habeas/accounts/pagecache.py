"""Pages kept ready: the costly part of a record's page (a person's or a group's file, a place with its
people) is kept, rendered, in the memory of the server process, and served again until any record changes.

A kept page is found by what it shows and who may see what:

- the page and its record, and the part shown (the whole file, or the timeline of an htmx request);
- what the reader may see: superuser or not, and for each of their teams the role and whether identities
  are granted. Readers alike in these see the same page, so they share it;
- the language, the time zone and the day (a response becomes overdue at midnight);
- the data version: a token that every write of a record replaces once its transaction commits
  (``data_changed``, connected to every model of the apps whose records the pages show, and to every
  many-to-many change; writers that bypass ``save`` call it themselves). A page kept before a write is not
  served after it.

The pages hold names in clear, so they stay in the memory of the process that rendered them: the ``pages``
cache is Django's local-memory cache, never a shared one (Redis, memcached, files), and a page is kept at most
``KEEP_SECONDS``. Only what is rendered without the request is kept, so no token, user name or message
of one reader can reach another.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Hashable
from typing import Any

from django.apps import apps
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from habeas.accounts import access
from habeas.core.models import DataVersion

#: the longest a rendered page is kept
KEEP_SECONDS = 600
#: the apps whose records the kept pages show (the audit trail, jobs, lists and the search index are not shown;
#: a receiver would also keep Django from deleting their rows in bulk)
SHOWN_APPS = frozenset({"registry", "custody", "cases", "monitoring", "evidence", "standards"})


def data_version() -> str:
    """The token of the records as they are now ("" before the first write)."""
    return DataVersion.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def _replace_token() -> None:
    token = secrets.token_hex(16)
    if not DataVersion.objects.filter(pk=1).update(token=token):
        DataVersion.objects.update_or_create(pk=1, defaults={"token": token})


def data_changed(**_: Any) -> None:
    """Records were written: once the transaction commits, pages kept before no longer apply. One new token
    per transaction, however many records it writes."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(callback is _replace_token for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(_replace_token)


def connect() -> None:
    """Every write of a record the kept pages show replaces the data version."""
    for model in apps.get_models():
        if model._meta.app_label in SHOWN_APPS:
            uid = f"pagecache:{model._meta.label_lower}"
            post_save.connect(data_changed, sender=model, dispatch_uid=f"{uid}:saved")
            post_delete.connect(data_changed, sender=model, dispatch_uid=f"{uid}:deleted")
    m2m_changed.connect(data_changed, dispatch_uid="pagecache:m2m")  # any many-to-many table (a few are not shown)


def kept(user: Any, page: str, parts: tuple[Hashable, ...], render: Callable[[], str]) -> SafeString:
    """The rendering of this page (``render()``, which must not use the request) for readers who may see
    what this user may see, kept for the next of them until the records change."""
    superuser = bool(getattr(user, "is_superuser", False) and user.is_active)
    seen = () if superuser else tuple(sorted(access.memberships(user)))
    signature = repr(
        (
            page,
            parts,
            superuser,
            seen,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            timezone.localdate().isoformat(),
            data_version(),
        )
    )
    key = "page:" + hashlib.sha256(signature.encode()).hexdigest()
    store = caches["pages"]
    html = store.get(key)
    if html is None:
        html = render()
        store.set(key, html, KEEP_SECONDS)
    return mark_safe(html)
