"""The JSON API: its routers (``resources``), the token every call needs, its refusals as JSON with their
status, and the OpenAPI 3.1 schema (/api/schema) with its documentation (/api/docs, from our static files)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema

from habeas.api.auth import TokenAuth, throttle
from habeas.api.resources import resources, router_for


class Refusal(Schema):
    """Why a call was refused: a sentence, or for invalid data the fields and what is wrong with each."""

    detail: Any


#: every refusal an endpoint may answer with
REFUSALS = {code: Refusal for code in (401, 403, 404, 409, 422, 429)}

api = NinjaAPI(
    title="Habeas API",
    version="1",
    description=(
        "Records of Habeas, as the token's user sees them on the pages. Send `Authorization: Bearer <token>`; "
        "create a token with `habeas token create --user NAME`."
    ),
    auth=TokenAuth(),
    throttle=throttle(),
    urls_namespace="api",
    openapi_url="/schema",
    docs_url="/docs",
)
for _resource in resources():
    api.add_router(f"/{_resource.name}", router_for(_resource, REFUSALS))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("You may not do this.")}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(ProtectedError)
@api.exception_handler(RestrictedError)
def _still_linked(request: HttpRequest, exc: Exception) -> HttpResponse:
    message = _("Other records point to this one: remove or change them first.")
    return api.create_response(request, {"detail": message}, status=409)
