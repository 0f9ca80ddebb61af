"""Writes of API tokens: created (shown once) and revoked, each an audit event of its owner's."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from habeas.accounts import access
from habeas.accounts.records import after_write, record_create, record_update
from habeas.accounts.services import audit_record
from habeas.accounts.sites import code_failed, second_factor_required
from habeas.api.models import ApiToken

#: what every token starts with, so that one pasted in the wrong place is recognised
TOKEN_START = "habeas_"


def token_digest(secret: str) -> str:
    """The digest stored for a token: SHA-256 is enough for a random secret of 256 bits (no password)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _second_factor_checked(user: Any, code: str) -> None:
    if not second_factor_required(user):
        return
    devices = list(devices_for_user(user, confirmed=True))
    if not devices:
        raise ValidationError(_("Your account needs a second factor: add an authenticator before creating a token."))
    if not code.strip():
        raise ValidationError(_("Your account needs a second factor: give the code of your authenticator."))
    if not any(device.verify_token(code.strip()) for device in devices):
        code_failed(user, reason="otp", summary="API token refused: wrong second-factor code")
        raise ValidationError(_("That code is wrong or has expired."))


def token_create(*, user: Any, name: str, code: str = "") -> tuple[ApiToken, str]:
    """A new token of the user's, and the token itself (shown once: only its digest is kept). An account that
    needs a second factor gives the code of its authenticator; a wrong code counts toward its lock-out (so it is
    recorded outside the transaction that creates the token)."""
    if not user.is_active:
        raise PermissionDenied(_("An inactive account may not have tokens."))
    _second_factor_checked(user, code)
    secret = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), prefix=secret[: len(TOKEN_START) + 4], digest=token_digest(secret))
    with transaction.atomic():
        token.full_clean()
        token.save()
        audit_record(action="permission", actor=user, target=token, summary=f"API token created: {token}")
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    """Revoke a token (its owner or a superuser): it answers no request any more."""
    if actor.pk != token.user_id and not (actor.is_active and actor.is_superuser):
        raise PermissionDenied(_("Only the token's owner or an administrator of the instance may revoke it."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action="permission", actor=actor, target=token, summary=f"API token revoked: {token}")
    return token


def _links_refused(record: models.Model, links: dict[str, list[int]]) -> dict[str, str]:
    """The many-to-many fields given whose records the forms would refuse: one that does not exist, or one of
    another team than the record's (a missing record and another team's are told apart by no one)."""
    errors = {}
    for name, ids in links.items():
        related: Any = record._meta.get_field(name).related_model
        found = related._default_manager.filter(pk__in=set(ids))
        if access.owned(related):
            found = found.filter(team_id=getattr(record, "team_id", None))
            message = _("Choose records of the same team as this one.")
        else:
            message = _("There is no such record.")
        if found.count() != len(set(ids)):
            errors[name] = message
    return errors


@transaction.atomic
def record_write(
    *,
    record: models.Model,
    user: Any,
    parent: models.Model | None,
    links: dict[str, list[int]],
    changes: dict[str, list[str]] | None = None,
) -> models.Model:
    """Store a new record (``changes`` is None) or a change of one through the write path, with its many-to-many
    links (the ids of the records it links to, field by field) set as the forms set them: each of the record's
    team, after the write's own checks; a change of links is in the update's audit event."""
    if changes is None:
        record_create(record=record, user=user, parent=parent, recheck=True)
    else:
        for name, ids in links.items():
            before, after = sorted(getattr(record, name).values_list("pk", flat=True)), sorted(set(ids))
            if before != after:
                changes[name] = [str(before), str(after)]
        record_update(record=record, user=user, parent=parent, changes=changes, recheck=True)
    if links:
        errors = _links_refused(record, links)
        if errors:
            raise ValidationError(errors)
        for name, ids in links.items():
            getattr(record, name).set(set(ids))
        after_write("update", [record], recheck=True)  # the links, once set, follow as the admin's do
    return record
