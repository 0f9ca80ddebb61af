"""Pseudonymised views: analysts see the structure of the records (dates, places, measures, outcomes) but not
who the people are, unless their membership grants them identities.

While a request (or a command) of such an analyst runs, the teams whose identities are hidden from them are
held in a context variable. Persons, groups and the records whose names are their own (an investigation's
subject, a trial's title) then show a stable pseudonym instead of their name, wherever they are printed;
and the admin leaves out every protected field (see ``habeas.accounts.recordadmin``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from habeas.accounts.viewer import Viewer, viewer_of
from habeas.core import crypto

_hidden: ContextVar[frozenset[int]] = ContextVar("habeas_hidden_identities", default=frozenset())


def hidden_teams() -> frozenset[int]:
    """The teams whose identities the current user may not see."""
    return _hidden.get()


def hides_identity(obj: Any) -> bool:
    return getattr(obj, "team_id", None) in _hidden.get()


def pseudonymous(obj: Any) -> str:
    """A record's stable pseudonym: its kind and a keyed code (the same code in every view and export)."""
    return pseudonymous_ref(type(obj), obj.pk)


def pseudonymous_ref(model: Any, pk: Any) -> str:
    return f"{str(model._meta.verbose_name).capitalize()} {crypto.pseudonym(model._meta.label_lower, pk)}"


@contextmanager
def identities_of(viewer: Viewer) -> Iterator[None]:
    """Within the block, hide the identities this user may not see."""
    token = _hidden.set(viewer.hidden)
    try:
        yield
    finally:
        _hidden.reset(token)


class PseudonymMiddleware:
    """Each request runs with the identities its user may not see hidden, and reads the user's memberships
    once."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with identities_of(viewer_of(request)):
            return self.get_response(request)
