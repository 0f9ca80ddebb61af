"""The API's resources, declared once (``RESOURCES``) and turned into routers: for each kind of record a list
(paginated by offset or after an id, "changed since"), a read, and — where writable — create, update (partial,
many-to-many fields as lists of ids) and delete, all through the access helper and the write path of
``habeas.accounts.records``; and for a finding and a review pair, the decision on it (``Action``) through its
app's service.

Each handler acts as the token's user: it sees what the pages show them (``access.visible``; another team's
record answers 404), writes only where their role writes (403), reads pseudonyms where their membership hides
identities (protected fields are null, ``display`` is the pseudonym), and every read is an audit event (writes
are audited by the services)."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import AfterValidator, BaseModel, create_model

from habeas.accounts import access
from habeas.accounts.identity import name_of
from habeas.accounts.records import record_delete
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import Viewer, viewer_for
from habeas.api.services import record_write
from habeas.core.fields import EncryptedJSONField, EncryptedTextField, NameDigestsField
from habeas.core.models import Record
from habeas.counting.services import review_decide
from habeas.standards.services import finding_review

BIGINT = 2**63 - 1
#: the most records one page of a list holds
PAGE_MAX = 1000


@dataclass(frozen=True)
class Action:
    """A decision on a record that is not an edit of its fields, taken through its app's service (which checks
    who may take it and audits it): ``POST /{pk}/{name}`` with ``payload``, answered with the record."""

    name: str
    payload: type[Schema]
    take: Callable[[Viewer, Any, Any], Any]  # (viewer, record, payload)
    summary: str


@dataclass(frozen=True)
class Resource:
    """One kind of record in the API. ``team`` is the path to the team that holds it ("" for the jobs, which
    are their starter's); ``parent`` the field naming the record a part belongs to ("record" for a
    citation's cited record), which gives the part its team."""

    label: str
    writable: bool = True
    team: str = "team"
    parent: str = ""
    action: Action | None = None

    @cached_property
    def model(self) -> Any:
        return apps.get_model(self.label)

    @cached_property
    def name(self) -> str:
        """The path of the resource: the model's English plural, as "custody-episodes"."""
        with translation.override("en"):
            return slugify(str(self.model._meta.verbose_name_plural))

    @cached_property
    def changed_field(self) -> str:
        names = {f.name for f in self.model._meta.concrete_fields}
        return next((name for name in ("updated_at", "changed_at") if name in names), "")


def _record_resources() -> list[Resource]:
    """Every record type of the domain apps (the ``Record`` models), each writable."""
    domain = ("registry", "custody", "cases", "monitoring")
    return [
        Resource(model._meta.label_lower)
        for model in apps.get_models()
        if issubclass(model, Record) and model._meta.app_label in domain
    ]


class FindingReview(Schema):
    review: Literal["confirmed", "dismissed", ""] = Field(
        "", description='"confirmed" or "dismissed"; "" takes a decision back'
    )
    reason: Text = Field("", description="why: needed for a decision")


def _finding_reviewed(viewer: Viewer, finding: Any, given: FindingReview) -> None:
    """As a finding's team writes its records, it reviews its findings."""
    if not access.can_write_in(viewer, finding.team_id):
        raise PermissionDenied(_("Your role may read these findings but not review them."))
    finding_review(finding=finding, decision=given.review, reason=given.reason, user=viewer.user)


class PairDecision(Schema):
    state: Literal["same", "different"] | None = Field(
        None, description='"same" (one person) or "different"; later linkage runs over both rows apply it'
    )
    reason: Text = Field("", description="why")


def _pair_decided(viewer: Viewer, pair: Any, given: PairDecision) -> None:
    """Who may analyse the run's team, seeing its names, decides (``review_decide`` checks both)."""
    review_decide(pair=pair, decision=given.state or "", reason=given.reason, user=viewer.user)


def resources() -> list[Resource]:
    """The declaration the routers are generated from."""
    return [
        *_record_resources(),
        Resource("registry.personname", team="person__team", parent="person"),
        Resource("evidence.source"),
        Resource("evidence.citation", team="source__team", parent="record"),
        Resource(
            "standards.finding",
            writable=False,
            action=Action("review", FindingReview, _finding_reviewed, "Confirm or dismiss a finding"),
        ),
        Resource("counting.sourcelist", writable=False),
        Resource("counting.linkagerun", writable=False),
        Resource(
            "counting.reviewpair",
            writable=False,
            team="run__team",
            action=Action("decision", PairDecision, _pair_decided, "Decide whether the pair's rows are one person"),
        ),
        Resource("counting.estimaterun", writable=False),
        Resource("core.job", writable=False, team=""),
    ]


# Schemas: from the model's fields. Outputs give every field but the keyed hashes (a foreign key as the id it
# points to); inputs every editable field, each optional (what is missing is reported by full_clean, naming it).


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not hold the NUL character")
    return value


def _in_utc(value: dt.datetime) -> dt.datetime:
    try:
        return (value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("the date is out of range") from None


Text = Annotated[str, AfterValidator(_no_nul)]
Moment = Annotated[dt.datetime, AfterValidator(_in_utc)]
Whole = Annotated[int, Field(ge=-BIGINT, le=BIGINT)]
Id = Annotated[int, Field(ge=1, le=BIGINT)]
Number = Annotated[float, Field(allow_inf_nan=False)]


def _python_type(field: models.Field[Any, Any], *, write: bool) -> Any:
    if write and field.choices and not field.is_relation:  # the stored values, as an enumeration
        values = [value for value, _ in field.flatchoices]
        return Literal[tuple([*values, ""] if field.blank and "" not in values else values)]
    if isinstance(field, EncryptedJSONField | models.JSONField):
        return Any
    if field.is_relation:
        return Id if write else int
    for django_type, written, read in (
        (models.BooleanField, bool, bool),
        (models.DateTimeField, Moment, dt.datetime),
        (models.DateField, dt.date, dt.date),
        (models.IntegerField, Whole, int),
        (models.AutoField, Whole, int),
        (models.FloatField, Number, float),
        (models.DecimalField, decimal.Decimal, decimal.Decimal),
    ):
        if isinstance(field, django_type):
            return written if write else read
    return Text if write else str


def _output_fields(model: Any) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not isinstance(f, NameDigestsField)]


def _links(model: Any) -> list[Any]:
    """The many-to-many fields (a group's members, an allegation's methods): given as the ids linked to."""
    return list(model._meta.many_to_many)


def _input_fields(model: Any, *, creating: bool) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and not isinstance(f, NameDigestsField) and (creating or f.name != "team")
    ]


@dataclass
class Schemas:
    out: type[BaseModel]
    page: type[BaseModel]
    params: type[Schema]
    create: type[Schema] | None
    update: type[Schema] | None


def _schemas(resource: Resource) -> Schemas:
    model, base = resource.model, resource.model.__name__
    out_fields: dict[str, Any] = {"display": (str, Field(description="the record as the pages name it"))}
    for f in _output_fields(model):
        hideable = isinstance(f, EncryptedTextField)  # null where the reader sees pseudonyms
        kind = _python_type(f, write=False)
        out_fields[f.name] = (kind | None if (f.null or hideable) and kind is not Any else kind, ...)
    for f in _links(model):
        out_fields[f.name] = (list[int], Field(description=f"the ids of its {f.verbose_name}"))
    # answers are plain pydantic models: ninja's Schema reads each item through its getter of Django objects,
    # which took half the time of a page of 1,000 items (they are dicts here)
    out: Any = create_model(base, **out_fields)
    page_fields: dict[str, Any] = {
        "count": (
            int | None,
            Field(description="the records the list holds in all; null on a page asked for with `after`"),
        ),
        "limit": (int, ...),
        "offset": (int, ...),
        "next": (
            int | None,
            Field(description="on a full page, the `after` that asks for the next one; else null"),
        ),
        "items": (list[out], ...),
    }
    page = create_model(f"{base}Page", **page_fields)
    params: dict[str, Any] = {
        "limit": (int, Field(100, ge=1, le=PAGE_MAX, description="records per page")),
        "offset": (int, Field(0, ge=0, le=BIGINT, description="records skipped")),
        "after": (
            int | None,
            Field(
                None,
                ge=0,
                le=BIGINT,
                description=(
                    "only the records whose id is greater (the `next` of the page before): the fast way through "
                    "a long list, as the page does not count the records skipped or the list"
                ),
            ),
        ),
    }
    if resource.changed_field:
        params["changed_since"] = (
            Moment | None,
            Field(None, description="only the records created or changed at or after this moment"),
        )
    params_schema = create_model(f"{base}Params", __base__=Schema, **params)

    def written(creating: bool) -> type[Schema]:
        fields: dict[str, Any] = {}
        for f in _input_fields(model, creating=creating):
            kind = _python_type(f, write=True)
            fields[f.name] = (kind | None if f.null and kind is not Any else kind, Field(None))
        for f in _links(model):
            fields[f.name] = (list[Id], Field(None, description=f"the ids of its {f.verbose_name}, all of them"))
        return create_model(f"{base}{'In' if creating else 'Change'}", __base__=Schema, **fields)

    return Schemas(
        out=out,
        page=page,
        params=params_schema,
        create=written(True) if resource.writable else None,
        update=written(False) if resource.writable else None,
    )


# Access


def _visible(resource: Resource, viewer: Viewer) -> models.QuerySet[Any]:
    model = resource.model
    if not resource.team:
        return model._default_manager.filter(created_by=viewer.user)
    if resource.team == "team":
        return access.visible(model, viewer)
    if viewer.superuser:
        return model._default_manager.all()
    return model._default_manager.filter(**{f"{resource.team}_id__in": list(viewer.roles)})


def _team_id(resource: Resource, record: Any) -> int | None:
    holder = record
    for step in resource.team.split("__")[:-1]:
        holder = getattr(holder, step)
    return getattr(holder, "team_id", None)


def _get(resource: Resource, viewer: Viewer, pk: int) -> Any:
    found = _visible(resource, viewer).filter(pk=pk).first()
    if found is None:
        raise Http404(f"no {resource.model._meta.verbose_name} {pk}")
    return found


def _parent(resource: Resource, record: Any, viewer: Viewer) -> Any:
    """The record a part belongs to, which the user must be allowed to change (a part of a record they may not
    see answers 404, as the record would)."""
    if not resource.parent:
        return None
    if resource.parent == "record":  # a citation: the cited record
        try:
            model: Any = ContentType.objects.get_for_id(record.content_type_id).model_class()
        except ContentType.DoesNotExist:
            raise ValidationError({"content_type": "There is no such kind of record."}) from None
        pk = record.object_id
    else:
        field: Any = resource.model._meta.get_field(resource.parent)
        model, pk = field.related_model, getattr(record, field.attname)
    if model is None or pk is None:
        raise ValidationError({resource.parent: "Name the record this belongs to."})
    return access.get_for_user(model, viewer, pk, write=True) if access.owned(model) else None


def _shown(resource: Resource, record: Any, viewer: Viewer) -> dict[str, Any]:
    hide = not viewer.sees_identity(_team_id(resource, record)) if resource.team else False
    shown: dict[str, Any] = {"display": name_of(record, viewer)}
    for f in _output_fields(resource.model):
        shown[f.name] = None if hide and isinstance(f, EncryptedTextField) else getattr(record, f.attname)
    for f in _links(resource.model):
        shown[f.name] = sorted(linked.pk for linked in getattr(record, f.name).all())
    return shown


def _read_audited(request: HttpRequest, resource: Resource, records: list[Any]) -> None:
    token = getattr(request, "api_token", None)
    audit_record(
        action="read",
        actor=request.auth,  # type: ignore[attr-defined]
        target_type=resource.label,
        target_id=str(records[0].pk) if len(records) == 1 else "",
        summary=f"API: {len(records)} {resource.label}",
        details={"api": request.path, "token": getattr(token, "prefix", ""), "ids": [r.pk for r in records]},
    )


def _assign(record: Any, values: dict[str, Any]) -> dict[str, list[str]]:
    """Set the values given on the record (a link by the id it points to); the changes, old and new."""
    changes = {}
    for name, value in values.items():
        attname = record._meta.get_field(name).attname
        before = getattr(record, attname)
        setattr(record, attname, value)
        if before != value:
            changes[name] = [str(before), str(value)]
    return changes


def _add_action(router: Router, resource: Resource, action: Action, out: type[BaseModel], errors: Any) -> None:
    name = resource.name.replace("-", "_")

    def act(request: HttpRequest, payload: Any, pk: int = Path(..., ge=1, le=BIGINT)) -> Any:
        viewer = viewer_for(request.auth)  # type: ignore[attr-defined]
        record = _get(resource, viewer, pk)
        action.take(viewer, record, payload)
        return _shown(resource, record, viewer)

    act.__annotations__["payload"] = action.payload
    router.add_api_operation(
        f"/{{pk}}/{action.name}",
        ["POST"],
        act,
        response={200: out, **errors},
        operation_id=f"{name}_{action.name}",
        url_name=f"{name}_{action.name}",
        summary=action.summary,
    )


def router_for(resource: Resource, errors: dict[int, Any]) -> Router:
    """The endpoints of one resource."""
    schemas = _schemas(resource)
    router = Router(tags=[resource.name])
    name, noun = resource.name.replace("-", "_"), resource.label

    # the columns shown (not the keyed hashes), and for a part the team of the record it belongs to, in one query
    holder = resource.team.rpartition("__")[0]
    columns = [f.name for f in _output_fields(resource.model)] + ([resource.team] if holder else [])
    linked = [Prefetch(f.name, f.related_model._base_manager.only("pk")) for f in _links(resource.model)]

    def listed(request: HttpRequest, params: Any) -> Any:
        viewer = viewer_for(request.auth)  # type: ignore[attr-defined]
        found = _visible(resource, viewer)
        if resource.changed_field and params.changed_since is not None:
            found = found.filter(**{f"{resource.changed_field}__gte": params.changed_since})
        after = found if params.after is None else found.filter(pk__gt=params.after)
        chosen = (after.select_related(holder) if holder else after).prefetch_related(*linked)
        page = list(chosen.only(*columns).order_by("pk")[params.offset : params.offset + params.limit])
        _read_audited(request, resource, page)
        answer = {
            "count": found.count() if params.after is None else None,
            "limit": params.limit,
            "offset": params.offset,
            "next": page[-1].pk if len(page) == params.limit else None,
            "items": [_shown(resource, record, viewer) for record in page],
        }
        # validated against the schema and written as JSON by pydantic: ninja's own path (to Python values, then
        # Django's JSON encoder) took three times as long on a page of 1,000
        return HttpResponse(schemas.page.model_validate(answer).model_dump_json(), content_type="application/json")

    listed.__annotations__["params"] = Query[schemas.params]  # type: ignore[misc,name-defined]
    router.add_api_operation(
        "/",
        ["GET"],
        listed,
        response={200: schemas.page, **errors},
        operation_id=f"{name}_list",
        url_name=f"{name}_list",
        summary=f"List {noun}",
    )

    def read(request: HttpRequest, pk: int = Path(..., ge=1, le=BIGINT)) -> Any:
        viewer = viewer_for(request.auth)  # type: ignore[attr-defined]
        record = _get(resource, viewer, pk)
        _read_audited(request, resource, [record])
        return _shown(resource, record, viewer)

    router.add_api_operation(
        "/{pk}",
        ["GET"],
        read,
        response={200: schemas.out, **errors},
        operation_id=f"{name}_read",
        url_name=f"{name}_read",
        summary=f"Read one {noun}",
    )
    if resource.action is not None:
        _add_action(router, resource, resource.action, schemas.out, errors)
    if not resource.writable:
        return router

    def create(request: HttpRequest, payload: Any) -> Any:
        viewer = viewer_for(request.auth)  # type: ignore[attr-defined]
        if not access.can_write(viewer):  # and for a part, in the team of the record it belongs to (below)
            raise PermissionDenied(_("Your role may read these records but not add them."))
        record = resource.model()
        values = payload.dict(exclude_unset=True)
        links = {f.name: values.pop(f.name) for f in _links(resource.model) if f.name in values}
        _assign(record, values)
        record_write(record=record, user=viewer.user, parent=_parent(resource, record, viewer), links=links)
        return Status(201, _shown(resource, record, viewer))

    def update(request: HttpRequest, payload: Any, pk: int = Path(..., ge=1, le=BIGINT)) -> Any:
        viewer = viewer_for(request.auth)  # type: ignore[attr-defined]
        record = _get(resource, viewer, pk)
        parent = _parent(resource, record, viewer)  # the record it belonged to, which the user must change
        values = payload.dict(exclude_unset=True)
        links = {f.name: values.pop(f.name) for f in _links(resource.model) if f.name in values}
        changes = _assign(record, values)
        moved = _parent(resource, record, viewer)  # and the one it belongs to now
        record_write(record=record, user=viewer.user, parent=moved or parent, links=links, changes=changes)
        return _shown(resource, record, viewer)

    def delete(request: HttpRequest, pk: int = Path(..., ge=1, le=BIGINT)) -> Any:
        viewer = viewer_for(request.auth)  # type: ignore[attr-defined]
        record = _get(resource, viewer, pk)
        holder = _parent(resource, record, viewer) if resource.parent else None
        record_delete(record=record, user=viewer.user, parent=holder)
        return Status(204, None)

    create.__annotations__["payload"] = schemas.create
    update.__annotations__["payload"] = schemas.update
    router.add_api_operation(
        "/",
        ["POST"],
        create,
        response={201: schemas.out, **errors},
        operation_id=f"{name}_create",
        url_name=f"{name}_list",
        summary=f"Create a {noun}",
    )
    router.add_api_operation(
        "/{pk}",
        ["PATCH"],
        update,
        response={200: schemas.out, **errors},
        operation_id=f"{name}_update",
        url_name=f"{name}_read",
        summary=f"Change a {noun} (the fields given)",
    )
    router.add_api_operation(
        "/{pk}",
        ["DELETE"],
        delete,
        response={204: None, **errors},
        operation_id=f"{name}_delete",
        url_name=f"{name}_read",
        summary=f"Delete a {noun} (administrators of its team)",
    )
    return router
