"""Writes of any record, as the admin makes them: who may write is checked, the record validated, saved and
audited in one transaction, then ``after_write`` runs what follows the write.

What follows a write on the floors above this one (the search index of ``reports``, the findings of ``standards``)
is done by the followers those apps register with ``follow_writes`` from their ``AppConfig.ready``: this is the one
way a write reaches them, and the write path imports nothing above ``accounts``. A service that writes records
without these functions (an intake, a document) calls ``after_write`` itself.

A record's team is set when it is created, from the user's teams, and never changed by an edit: moving a
record to another team is an administrator's operation of its own (``record_move``). A part of a record
edited on its page (a person's names, a custody's placements, a citation) belongs to the record's team.
A record never points to another team's record (their names would show to the wrong team).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _

from habeas.accounts import access
from habeas.accounts.models import Role, Team
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import viewer_for

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Write:
    """What was written: the action, the records (for a deletion, still in the database), whether the records
    are to be re-checked against the standards once the change is committed, and for a deletion the ids of every
    record it takes, by kind (the record and those that cascade with it)."""

    action: Literal["create", "update", "delete", "move"]
    records: tuple[models.Model, ...]
    recheck: bool = False
    cascade: Mapping[type[models.Model], Collection[Any]] = field(default_factory=dict)


Follower = Callable[[Write], None]
_followers: list[Follower] = []


def follow_writes(follower: Follower) -> None:
    """Have ``follower`` run after every write, in the write's transaction (it defers to the commit what must wait
    for it). Called once by an app above this floor, from its ``AppConfig.ready``."""
    if follower not in _followers:
        _followers.append(follower)


def after_write(
    action: Literal["create", "update", "delete", "move"],
    records: Sequence[models.Model],
    *,
    recheck: bool = False,
    cascade: Mapping[type[models.Model], Collection[Any]] | None = None,
) -> None:
    """Run what follows a write: each registered follower, in the order the apps were started. A deletion calls it
    just before the records are deleted, so that they can still be named."""
    write = Write(action=action, records=tuple(records), recheck=recheck, cascade=cascade or {})
    for follower in _followers:
        follower(write)


def _team_of(record: models.Model, parent: models.Model | None) -> int | None:
    """The team a record belongs to; for a part without a team of its own, its parent's (or, for a citation,
    the cited record's)."""
    holder = record if access.owned(type(record)) else parent or getattr(record, "record", None)
    return getattr(holder, "team_id", None)


def _check_write(*, record: models.Model, user: Any, parent: models.Model | None, team_id: int | None) -> None:
    if access.owned(type(record)) or parent is not None:
        if not access.can_write_in(viewer_for(user), team_id):
            raise PermissionDenied(_("You may not write in this record's team."))
    elif not (user.is_active and user.is_superuser):
        raise PermissionDenied(_("Only an administrator of the instance may change shared data."))


def _validated(record: models.Model, team_id: int | None) -> None:
    errors = access.links_outside_team(record, team_id)
    if errors:
        raise ValidationError(errors)
    record.full_clean()


@transaction.atomic
def record_create(*, record: M, user: Any, parent: models.Model | None = None, recheck: bool = False) -> M:
    """Store a new record. Its team is the parent's (for a part of a record), the one chosen, or the user's
    only team they write in; a user who writes in several teams chooses, and one who writes in none may not
    create."""
    owned = access.owned(type(record))
    if owned and parent is not None:
        record.team_id = parent.team_id  # type: ignore[attr-defined]
    elif owned and record.team_id is None:  # type: ignore[attr-defined]
        teams = list(access.writable_teams(viewer_for(user)).values_list("pk", flat=True)[:2])
        if len(teams) == 1:
            record.team_id = teams[0]  # type: ignore[attr-defined]
        else:
            raise ValidationError({"team": _("Choose the team this record belongs to.")})
    team_id = _team_of(record, parent)
    _check_write(record=record, user=user, parent=parent, team_id=team_id)
    _validated(record, team_id)
    record.save()
    audit_record(action="create", actor=user, target=record, summary=str(record)[:200])
    after_write("create", [record], recheck=recheck)
    return record


@transaction.atomic
def record_update(
    *,
    record: M,
    user: Any,
    parent: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    recheck: bool = False,
) -> M:
    """Store a change of a record; ``changes`` (old and new values) go into the audit event. The team stays
    as it was stored (see ``record_move``)."""
    model = type(record)
    if access.owned(model):
        stored = model._default_manager.filter(pk=record.pk).values_list("team_id", flat=True).first()
        if record.team_id != stored:  # type: ignore[attr-defined]
            raise ValidationError({"team": _("A record moves to another team through its own operation.")})
    team_id = _team_of(record, parent)
    _check_write(record=record, user=user, parent=parent, team_id=team_id)
    _validated(record, team_id)
    record.save()
    audit_record(
        action="update", actor=user, target=record, summary=str(record)[:200], details={"changes": changes or {}}
    )
    after_write("update", [record], recheck=recheck)
    return record


def record_change(*, user: Any, record: M, **values: Any) -> M:
    """Set some fields of a stored record and store the change (``record_update``, re-checked once committed); the
    object is restored when the change is refused."""
    before = {name: getattr(record, name) for name in values}
    for name, value in values.items():
        setattr(record, name, value)
    changes = {name: [str(before[name]), str(value)] for name, value in values.items() if before[name] != value}
    try:
        return record_update(record=record, user=user, changes=changes, recheck=True)
    except Exception:
        for name, value in before.items():
            setattr(record, name, value)
        raise


@transaction.atomic
def record_delete(*, record: models.Model, user: Any, parent: models.Model | None = None) -> None:
    """Delete a record (the writer's administrators only), with its audit event; its search entry and its findings,
    and those of the records deleted with it, go with it (``after_write``)."""
    holder = record if access.owned(type(record)) else parent
    if holder is None:
        _check_write(record=record, user=user, parent=None, team_id=None)
    elif not access.can_delete(viewer_for(user), holder):
        raise PermissionDenied(_("Only an administrator of the record's team may delete it."))
    audit_record(
        action="delete",
        actor=user,
        target_type=record._meta.label_lower,
        target_id=str(record.pk),
        summary=str(record)[:200],
    )
    collector, cascade = _deleting(record)
    after_write("delete", [record], cascade=cascade)
    collector.delete()


def _deleting(record: models.Model) -> tuple[Collector, dict[type[models.Model], set[Any]]]:
    """What deleting ``record`` takes: the collector that deletes them, and the ids of each kind it will delete
    (the record and the parts and records that cascade with it)."""
    collector = Collector(using=router.db_for_write(type(record), instance=record), origin=record)
    collector.collect([record])
    ids: dict[type[models.Model], set[Any]] = defaultdict(set)
    for model, instances in collector.data.items():
        ids[model].update(instance.pk for instance in instances)
    for queryset in collector.fast_deletes:  # deleted in bulk, without loading them
        ids[queryset.model].update(queryset.values_list("pk", flat=True))
    return collector, ids


#: the most records one move may take along
MOVE_LIMIT = 5000

Moving = dict[tuple[str, Any], models.Model]
#: what an app above adds to a move: given what moves, the teams it leaves and the team it goes to, what moves
#: then and the reasons the move is refused (registered with ``plan_moves``)
MovePlanner = Callable[[Moving, set[int], int], tuple[Moving, list[str]]]
_planners: list[MovePlanner] = []


def plan_moves(planner: MovePlanner) -> None:
    """Have ``planner`` take part in every move (the sources a moving record cites, for ``evidence``). Called once
    by an app above this floor, from its ``AppConfig.ready``."""
    if planner not in _planners:
        _planners.append(planner)


def records_moving(records: list[models.Model]) -> Moving:
    """The records that move with these: each record's parts and the records of its team that point to it
    (a person's names, custody episodes and allegations; an episode's placements), and theirs in turn. A model
    that follows a record of its own (a finding; ``follows_its_record = True``) is moved by its app's follower of
    the write instead."""
    found: dict[tuple[str, Any], models.Model] = {}
    queue = list(records)
    while queue:
        record = queue.pop()
        key = (record._meta.label_lower, record.pk)
        if key in found:
            continue
        found[key] = record
        if len(found) > MOVE_LIMIT:
            raise ValidationError(
                _("More than %(limit)d records would move together: move fewer at a time.") % {"limit": MOVE_LIMIT}
            )
        for relation in record._meta.related_objects:
            model: Any = relation.related_model
            if access.owned(model) and not getattr(model, "follows_its_record", False):
                linked = model._default_manager.filter(**{relation.field.name: record})
                queue += list(linked.filter(team_id=record.team_id))  # type: ignore[attr-defined]
    return found


def _crossing(record: models.Model, team_id: int, moving: dict[tuple[str, Any], models.Model]) -> list[str]:
    """What ``record`` would point to in another team than ``team_id``, beside the records moving with it."""
    problems = []
    for name in access.links_outside_team(record, team_id):
        field: Any = record._meta.get_field(name)
        if (field.related_model._meta.label_lower, getattr(record, field.attname)) not in moving:
            problems.append(f"{record._meta.verbose_name} {record.pk} → {field.verbose_name}")
    for m2m in record._meta.many_to_many:
        if access.owned(m2m.related_model):
            for linked in getattr(record, m2m.name).exclude(team_id=team_id):
                if (linked._meta.label_lower, linked.pk) not in moving:
                    problems.append(f"{record._meta.verbose_name} {record.pk} → {m2m.verbose_name}")
    return problems


def can_move(user: Any, record: models.Model, team: Team) -> bool:
    """Whether the user administers both the record's team and the team it would go to."""
    if user.is_active and user.is_superuser:
        return True
    roles = viewer_for(user).roles
    return roles.get(record.team_id) == Role.ADMINISTRATOR and roles.get(team.pk) == Role.ADMINISTRATOR  # type: ignore[attr-defined]


@transaction.atomic
def record_move(*, records: list[models.Model], team: Team, user: Any) -> list[models.Model]:
    """Move records to another team, with the records that go with them (``records_moving``) and what the apps
    above add (``plan_moves``: the sources cited only by them): their findings go with them, as do their
    citations (which are theirs). Only an administrator of both teams may, and only when none of them would then
    point to a record of another team (move that one along, or unlink it). The move is
    audited, each record with its old and new team. Returns what moved."""
    for record in records:
        if not access.owned(type(record)):
            raise ValidationError(_("This kind of record belongs to no team."))
        if not can_move(user, record, team):
            raise PermissionDenied(_("Only an administrator of both teams may move a record between them."))
        if record.team_id == team.pk:  # type: ignore[attr-defined]
            raise ValidationError({"team": _("The record is in this team already.")})
    moving = records_moving(records)
    left = {record.team_id for record in records} - {team.pk}  # type: ignore[attr-defined]
    planned: list[str] = []
    for planner in _planners:
        moving, refused = planner(moving, left, team.pk)
        planned += refused
    problems = [problem for record in moving.values() for problem in _crossing(record, team.pk, moving)] + planned
    if problems:
        raise ValidationError(
            _("Records of another team are linked with them; move those along or unlink them first: %(records)s")
            % {"records": "; ".join(problems[:10])}
        )
    moved = list(moving.values())
    for record in moved:
        old_team = record.team_id  # type: ignore[attr-defined]
        type(record)._default_manager.filter(pk=record.pk).update(team_id=team.pk)
        record.team_id = team.pk  # type: ignore[attr-defined]
        audit_record(
            action="update",
            actor=user,
            target=record,
            summary=f"moved from team {old_team} to team {team.pk}",
            details={"team": {"old": old_team, "new": team.pk}},
        )
    after_write("move", moved)
    return moved
