"""Who is looking: the user, their role in each team, and the teams whose identities they may see — read once per
request (or command, job, API call) and handed to every check and every name shown.

``viewer_for(user)`` builds it from a user, with one query of their memberships; ``ViewerMiddleware`` does so once
per request (``request.viewer``, read with ``viewer_of``) and templates receive it as ``viewer`` (``viewer``, the
context processor). Access checks are in ``habeas.accounts.access``; names are shown through
``habeas.accounts.identity.name_of`` and the ``name`` template filter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponseBase

from habeas.accounts.models import Membership, Role


@dataclass(frozen=True)
class TeamRole:
    """A user's role in one team, and whether they see the identities of that team's records."""

    role: str
    identities: bool


@dataclass(frozen=True)
class Viewer:
    """The user and what they may see, fixed for the request."""

    user: AbstractBaseUser | AnonymousUser
    #: an active superuser: sees and changes every record, identities included
    superuser: bool
    #: team id → their role in it
    teams: Mapping[int, TeamRole]

    @property
    def roles(self) -> dict[int, str]:
        """Team id → the user's role in it."""
        return {team_id: team.role for team_id, team in self.teams.items()}

    @property
    def hidden(self) -> set[int]:
        """The teams whose records the user sees pseudonymised (an analyst not granted identities)."""
        return set(team_id for team_id, team in self.teams.items() if not team.identities)

    def sees_identity(self, team_id: int | None) -> bool:
        """Whether names of a record of this team are shown to the user (records without a team hide none)."""
        return team_id not in self.hidden

    def __str__(self) -> str:
        return str(self.user)


def viewer_for(user: AbstractBaseUser | AnonymousUser | None) -> Viewer:
    """The viewer of a user (of a request, a command, a job or an API call): one query of their memberships."""
    if user is None or not user.is_authenticated:
        return Viewer(user=user or AnonymousUser(), superuser=False, teams=MappingProxyType({}))
    superuser = bool(getattr(user, "is_superuser", False) and user.is_active)
    rows = Membership.objects.filter(user_id=user.pk).values_list("team_id", "role", "identities")
    teams = {
        team_id: TeamRole(role=role, identities=superuser or role != Role.ANALYST or identities)
        for team_id, role, identities in rows
    }
    return Viewer(user=user, superuser=superuser, teams=MappingProxyType(teams))


def viewer_of(request: HttpRequest) -> Viewer:
    """The request's viewer, built once (by ``ViewerMiddleware``, or here for a request made without it)."""
    viewer = getattr(request, "viewer", None)
    if viewer is None:
        viewer = viewer_for(getattr(request, "user", None))
        request.viewer = viewer  # type: ignore[attr-defined]
    return viewer


class ViewerMiddleware:
    """Builds the request's viewer once, after authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        viewer_of(request)
        return self.get_response(request)


def viewer(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``viewer`` in every template, for the ``name`` filter."""
    return {"viewer": viewer_of(request)}
