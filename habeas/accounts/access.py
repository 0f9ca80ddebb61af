"""Who may see and change which records: the one helper every view, the admin and the CLI go through.

A record belongs to a team; a user sees the records of the teams they are a member of (superusers see
everything). Every helper takes the request's ``Viewer`` (``habeas.accounts.viewer``): the user with their roles,
read once. Seeing a record does not mean changing it: analysts and read-only members only read.
An object the user may not see answers 404, so that its existence is not revealed; a write the user may not
make answers 403.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from habeas.accounts.models import WRITING_ROLES, Role, Team
from habeas.accounts.viewer import Viewer

M = TypeVar("M", bound=models.Model)


def visible(model: type[M], viewer: Viewer) -> models.QuerySet[M]:
    """The records of ``model`` the user may see."""
    manager = model._default_manager
    if viewer.superuser:
        return manager.all()
    return manager.filter(team_id__in=list(viewer.roles))


def can_write(viewer: Viewer, obj: models.Model | None = None) -> bool:
    """Whether the user may add records (``obj`` None) or change this one."""
    if viewer.superuser:
        return True
    if obj is None:
        return any(role in WRITING_ROLES for role in viewer.roles.values())
    return can_write_in(viewer, getattr(obj, "team_id", None))


def can_write_in(viewer: Viewer, team_id: int | None) -> bool:
    """Whether the user may add or change records of this team."""
    if viewer.superuser:
        return True
    return team_id is not None and viewer.roles.get(team_id) in WRITING_ROLES


def can_analyse(viewer: Viewer, team_id: int | None) -> bool:
    """Whether the user may run analyses (record linkage, estimates) over a team's lists: the writing roles
    and analysts, who are read-only for case records but whose work is the analysis."""
    if viewer.superuser:
        return True
    return team_id is not None and viewer.roles.get(team_id) in (*WRITING_ROLES, Role.ANALYST)


def can_delete(viewer: Viewer, obj: models.Model | None = None) -> bool:
    if viewer.superuser:
        return True
    roles = viewer.roles
    if obj is None:
        return Role.ADMINISTRATOR in roles.values()
    return roles.get(getattr(obj, "team_id", None) or 0) == Role.ADMINISTRATOR


def get_for_user(model: type[M], viewer: Viewer, pk: Any, *, write: bool = False) -> M:
    """The record, if the user may see it (else 404) and, for a write, change it (else 403)."""
    try:
        obj = visible(model, viewer).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404(f"no {model._meta.verbose_name} {pk}") from None
    if write and not can_write(viewer, obj):
        raise PermissionDenied(f"{viewer} may read but not change this {model._meta.verbose_name}")
    return obj


def default_team(viewer: Viewer) -> int | None:
    """The team a new record of this user goes to: the first team they may write in."""
    for team_id, role in sorted(viewer.roles.items()):
        if role in WRITING_ROLES:
            return team_id
    return None


def writable_team_ids(viewer: Viewer) -> list[int] | None:
    """The teams in which the user may add and change records; None for a superuser, who may write in all."""
    if viewer.superuser:
        return None
    return sorted(team_id for team_id, role in viewer.roles.items() if role in WRITING_ROLES)


def writable_teams(viewer: Viewer) -> models.QuerySet[Team]:
    """The teams a new record of this user may go to, by name."""
    teams = writable_team_ids(viewer)
    found = Team.objects.order_by("name")
    return found if teams is None else found.filter(pk__in=teams)


def writable(model: type[M], viewer: Viewer) -> models.QuerySet[M]:
    """The records of ``model`` the user may change, and so link into their own records: a record of a team in
    which they only read is not offered (its name would reach that team's records)."""
    teams = writable_team_ids(viewer)
    manager = model._default_manager
    return manager.all() if teams is None else manager.filter(team_id__in=teams)


def owned(model: Any) -> bool:
    """Whether a team holds the records of ``model`` (shared reference data, as localities, has no team)."""
    return any(field.name == "team" for field in model._meta.fields)


def links_outside_team(obj: models.Model, team_id: int | None) -> dict[str, Any]:
    """The fields of ``obj`` that point to a record of another team than ``team_id`` (the team the record
    belongs to), each with its message. A record of team A linked into team B's would show its name to B."""
    errors: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if not field.is_relation or field.name == "team" or not owned(field.related_model):
            continue
        linked_id = getattr(obj, field.attname)
        if linked_id is None:
            continue
        related: Any = field.related_model
        linked = related._default_manager.filter(pk=linked_id).values_list("team_id", flat=True).first()
        if linked != team_id:
            errors[field.name] = _("Choose a record of the same team as this one.")
    return errors


def linkable(model: type[M], viewer: Viewer) -> models.QuerySet[M]:
    """The records of ``model`` a new record of this user (which goes to ``default_team``) may point to: those
    of that same team. A superuser who writes in no team links among records of no team."""
    return writable(model, viewer).filter(team_id=default_team(viewer))
