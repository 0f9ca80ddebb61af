"""Writes of the monitoring app: plan a visit, record what happened on it with the recommendations that
follow, and record a recommendation's response or status. Each is one transaction with its audit events;
a write that fails validation stores nothing and raises ``ValidationError`` naming the fields to fix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from habeas.accounts import access
from habeas.accounts.records import record_create
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import viewer_for
from habeas.core.dates import Precision, describe, interval
from habeas.monitoring.models import Recommendation, RecommendationStatus, Visit
from habeas.registry.models import Organisation, Place

#: the fields ``visit_record`` sets, in the order of the form
RECORDED = (
    "visited_on",
    "visited_on_precision",
    "announced",
    "access_granted",
    "refused",
    "private_interviews",
    "accompanied_by",
    "findings",
)


@dataclass(frozen=True)
class RecommendationDraft:
    """A recommendation issued after a visit, as typed on the visit's record page. ``issued_on`` None means on
    the date of the visit."""

    issuer: Organisation | None
    addressee: Organisation | None
    text: str
    issued_on: dt.date | None = None
    issued_on_precision: str = Precision.DAY
    response_due_on: dt.date | None = None
    response_due_on_precision: str = Precision.DAY


def _first_day(value: dt.date, precision: str) -> dt.date:
    first = interval(value, precision)[0]
    return first.date() if isinstance(first, dt.datetime) else first


def _last_day(value: dt.date, precision: str) -> dt.date:
    last = interval(value, precision)[1]
    return last.date() if isinstance(last, dt.datetime) else last


def _check_seen(user: Any, model: type[models.Model], obj: models.Model | None, field: str, what: str) -> None:
    """Refuse a choice of a record the user may not see (another team's, or one that does not exist)."""
    if obj is not None and not access.visible(model, viewer_for(user)).filter(pk=obj.pk).exists():
        raise ValidationError({field: _("Unknown %(what)s: choose one from the list.") % {"what": what}})


def _clean(obj: models.Model) -> None:
    errors: dict[str, Any] = {}
    _clean_into(errors, obj)
    if errors:
        raise ValidationError(errors)


def _clean_into(errors: dict[str, Any], obj: models.Model, exclude: Sequence[str] = ("team",)) -> None:
    """Validate ``obj`` (``full_clean``, and that what it links to is of its team: a place or organisation
    of another team would show there), adding its errors to ``errors`` for the fields that have none yet."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    for field, message in access.links_outside_team(obj, getattr(obj, "team_id", None)).items():
        errors.setdefault(field, [message])


def _date_errors(
    name: str, value: dt.date | None, precision: str, today: dt.date, *, missing: Any, future: Any
) -> dict[str, Any]:
    """The error of a required date of something that has happened: missing, or after ``today``."""
    if value is None:
        return {name: missing}
    if _first_day(value, precision) > today:
        return {name: future % {"date": describe(value, precision)}}
    return {}


@transaction.atomic
def visit_plan(
    *,
    user: Any,
    place: Place | None,
    body: Organisation | None,
    visited_on: dt.date | None,
    visited_on_precision: str = Precision.DAY,
    announced: bool | None,
    visitors: str = "",
    body_text: str = "",
    notes: str = "",
) -> Visit:
    """Plan a visit to a place of detention: where, by whom, when, announced in advance or not, and who goes.
    The visit belongs to the place's team (or, without a place, to the user's first team they write in). A body
    described rather than chosen is recorded on the spot as a monitoring body of that team, so that it can issue
    the visit's recommendations."""
    _check_seen(user, Place, place, "place", str(_("place")))
    _check_seen(user, Organisation, body, "body", str(_("monitoring body")))
    errors: dict[str, Any] = {}
    if place is None:
        errors["place"] = _("Choose the place of detention to visit.")
    if body is None and not body_text.strip():
        errors["body"] = _("Choose the monitoring body that visits (or describe it).")
    if visited_on is None:
        errors["visited_on"] = _("Give the date of the visit (at least its year).")
    if errors:
        raise ValidationError(errors)
    viewer = viewer_for(user)
    team_id = place.team_id if place is not None else access.default_team(viewer)
    if not access.can_write_in(viewer, team_id):
        raise PermissionDenied("the user may not plan visits for this team")
    if body is None:
        body = record_create(
            record=Organisation(team_id=team_id, name=body_text.strip(), kind=Organisation.Kind.MONITOR), user=user
        )
    visit = Visit(
        team_id=team_id,
        place=place,
        body=body,
        body_text=body_text.strip(),
        visited_on=visited_on,
        visited_on_precision=visited_on_precision,
        announced=announced,
        visitors=visitors.strip(),
        notes=notes.strip(),
    )
    _clean(visit)
    visit.save()
    audit_record(
        action="create",
        actor=user,
        target=visit,
        summary=str(visit)[:200],
        details={"planned": True, "announced": announced, "place": getattr(place, "pk", None)},
    )
    return visit


def _recommendation_build(visit: Visit, draft: RecommendationDraft, user: Any) -> Recommendation:
    """A recommendation issued after the visit, validated (not saved); errors by field."""
    _check_seen(user, Organisation, draft.issuer, "issuer", str(_("issuer")))
    _check_seen(user, Organisation, draft.addressee, "addressee", str(_("addressee")))
    errors: dict[str, Any] = {}
    if draft.issuer is None:
        errors["issuer"] = _("Choose who issued the recommendation.")
    if draft.addressee is None:
        errors["addressee"] = _("Choose the authority the recommendation is addressed to.")
    if not draft.text.strip():
        errors["text"] = _("Write the recommendation: its text is empty.")
    issued_on, issued_precision = draft.issued_on, draft.issued_on_precision
    if issued_on is None and visit.visited_on is not None:
        issued_on, issued_precision = visit.visited_on, visit.visited_on_precision
    elif (
        issued_on is not None
        and visit.visited_on is not None
        and _last_day(issued_on, issued_precision) < _first_day(visit.visited_on, visit.visited_on_precision)
    ):
        errors["issued_on"] = _(
            "A recommendation that follows the visit cannot be issued (%(issued)s) before the visit (%(visit)s)."
        ) % {"issued": describe(issued_on, issued_precision), "visit": visit.date_text("visited_on")}
    recommendation = Recommendation(
        team_id=visit.team_id,
        visit=visit,
        issuer=draft.issuer,
        addressee=draft.addressee,
        text=draft.text.strip(),
        issued_on=issued_on,
        issued_on_precision=issued_precision,
        response_due_on=draft.response_due_on,
        response_due_on_precision=draft.response_due_on_precision,
    )
    _clean_into(errors, recommendation, exclude=["team", "visit", "issuer", "addressee", "text"])
    if errors:
        raise ValidationError(errors)
    return recommendation


@transaction.atomic
def visit_record(
    *,
    visit: Visit,
    user: Any,
    visited_on: dt.date | None,
    visited_on_precision: str = Precision.DAY,
    announced: bool | None = None,
    access_granted: bool | None,
    refused: str = "",
    private_interviews: bool | None = None,
    accompanied_by: str = "",
    findings: str = "",
    recommendations: Sequence[RecommendationDraft] = (),
    today: dt.date | None = None,
) -> list[Recommendation]:
    """Record what happened on a visit — whether access was granted, what was refused (areas, people,
    documents), whether private interviews were allowed, the findings — and the recommendations issued after
    it. All or nothing: a ``ValidationError`` names the visit's fields, and those of the ``i``-th
    recommendation as ``recommendations-<i>-<field>``. Returns the recommendations created."""
    today = today or timezone.localdate()
    if not access.can_write(viewer_for(user), visit):
        raise PermissionDenied("the user may not change this visit")
    errors = _date_errors(
        "visited_on",
        visited_on,
        visited_on_precision,
        today,
        missing=_("Give the date of the visit (at least its year)."),
        future=_("The visit is dated %(date)s, after today: record it once it has taken place, or correct its date."),
    )
    if access_granted is None:
        errors["access_granted"] = _("Say whether the visitors were let in.")
    before = {name: getattr(visit, name) for name in RECORDED}
    values = {
        "visited_on": visited_on,
        "visited_on_precision": visited_on_precision,
        "announced": announced,
        "access_granted": access_granted,
        "refused": refused.strip(),
        "private_interviews": private_interviews,
        "accompanied_by": accompanied_by.strip(),
        "findings": findings.strip(),
    }
    for name, value in values.items():
        setattr(visit, name, value)
    _clean_into(errors, visit)
    built: list[Recommendation] = []
    for i, draft in enumerate(recommendations):
        try:
            built.append(_recommendation_build(visit, draft, user))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"recommendations-{i}-{field}"] = messages
    if errors:
        for name, value in before.items():  # the caller's object is left as it was
            setattr(visit, name, value)
        raise ValidationError(errors)
    visit.save()
    changed = sorted(name for name in RECORDED if before[name] != getattr(visit, name))
    audit_record(
        action="update",
        actor=user,
        target=visit,
        summary=str(visit)[:200],
        details={"recorded": True, "changed": changed, "recommendations": len(built)},
    )
    for recommendation in built:
        _recommendation_save(recommendation, user=user)
    return built


def _recommendation_save(recommendation: Recommendation, *, user: Any) -> None:
    """Save a validated recommendation and the first entry of its history (issued, on its date)."""
    recommendation.save()
    audit_record(
        action="create",
        actor=user,
        target=recommendation,
        summary=f"recommendation #{recommendation.pk}",
        details={"visit": recommendation.visit_id, "issuer": recommendation.issuer_id},
    )
    if recommendation.issued_on is not None:
        first = RecommendationStatus(
            team_id=recommendation.team_id,
            recommendation=recommendation,
            status=RecommendationStatus.Status.ISSUED,
            recorded_on=recommendation.issued_on,
            recorded_on_precision=recommendation.issued_on_precision,
        )
        _clean(first)
        first.save()
        audit_record(action="create", actor=user, target=first, summary=str(first)[:200])


@transaction.atomic
def recommendation_status_record(
    *,
    recommendation: Recommendation,
    user: Any,
    status: str,
    recorded_on: dt.date | None,
    recorded_on_precision: str = Precision.DAY,
    response: str = "",
    today: dt.date | None = None,
) -> RecommendationStatus:
    """Record the authority's response to a recommendation, or its status as of a date (accepted, partly
    implemented, …): a new entry of its history."""
    today = today or timezone.localdate()
    if not access.can_write(viewer_for(user), recommendation):
        raise PermissionDenied("the user may not change this recommendation")
    errors = _date_errors(
        "recorded_on",
        recorded_on,
        recorded_on_precision,
        today,
        missing=_("Give the date of this response or status (at least its year)."),
        future=_("The date %(date)s is after today: a status is recorded as it stands."),
    )
    if (
        recorded_on is not None
        and not errors
        and recommendation.issued_on is not None
        and _last_day(recorded_on, recorded_on_precision)
        < _first_day(recommendation.issued_on, recommendation.issued_on_precision)
    ):
        errors["recorded_on"] = _("The date %(date)s is before the recommendation was issued (%(issued)s).") % {
            "date": describe(recorded_on, recorded_on_precision),
            "issued": recommendation.date_text("issued_on"),
        }
    entry = RecommendationStatus(
        team_id=recommendation.team_id,
        recommendation=recommendation,
        status=status,
        recorded_on=recorded_on,
        recorded_on_precision=recorded_on_precision,
        response=response.strip(),
    )
    _clean_into(errors, entry)
    if errors:
        raise ValidationError(errors)
    entry.save()
    audit_record(
        action="create",
        actor=user,
        target=entry,
        summary=str(entry)[:200],
        details={"recommendation": recommendation.pk, "status": status},
    )
    return entry
