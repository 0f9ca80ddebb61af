"""Tokens of the API: shown once and kept only as a digest, revocable, created with the second factor where the
account needs one; the CLI creates, lists and revokes them; calls are limited in rate."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from habeas.accounts.models import AuditEvent
from habeas.api.models import ApiToken
from habeas.api.services import token_create, token_revoke
from habeas.cli.main import main

pytestmark = pytest.mark.django_db


def _get(secret: str, url: str = "/api/persons/") -> int:
    return Client().get(url, headers={"Authorization": f"Bearer {secret}"}).status_code


def test_a_token_is_kept_only_as_its_digest(world):
    token, secret = token_create(user=world["member"], name="intake app")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(value) for value in stored.values()}
    assert token.prefix == secret[: len(token.prefix)]
    assert _get(secret) == 200


def test_a_call_without_a_token_or_with_a_wrong_one_is_refused(world):
    assert Client().get("/api/persons/").status_code == 401
    assert _get("habeas_not-a-token") == 401


def test_a_revoked_token_answers_no_call(world):
    token, secret = token_create(user=world["member"], name="old script")
    token_revoke(token=token, actor=world["member"])
    assert _get(secret) == 401
    assert AuditEvent.objects.filter(action="permission", target_id=str(token.pk)).count() == 2


def test_only_its_owner_or_a_superuser_revokes_a_token(world):
    from django.core.exceptions import PermissionDenied

    token, _ = token_create(user=world["member"], name="script")
    with pytest.raises(PermissionDenied):
        token_revoke(token=token, actor=world["owner"])
    token_revoke(token=token, actor=world["superuser"])
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_token_of_an_inactive_account_answers_no_call(world):
    _, secret = token_create(user=world["member"], name="script")
    world["member"].is_active = False
    world["member"].save()
    assert _get(secret) == 401


def test_an_account_with_an_authenticator_gives_its_code_to_create_a_token(world):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = world["member"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    with pytest.raises(ValidationError, match="give the code"):
        token_create(user=user, name="script")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    right = str(totp.token()).zfill(device.digits)
    with pytest.raises(ValidationError, match="wrong or has expired"):
        token_create(user=user, name="script", code=str((int(right) + 500_000) % 10**6).zfill(device.digits))
    assert AuditEvent.objects.filter(action="login_failed", actor=user).exists()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes a device wait after a wrong code: the wait has passed
    _, secret = token_create(user=user, name="script", code=right)
    assert _get(secret) == 200


def test_when_every_account_needs_a_second_factor_one_without_an_authenticator_has_no_token(world, settings):
    settings.HABEAS_REQUIRE_2FA = True
    with pytest.raises(ValidationError, match="add an authenticator"):
        token_create(user=world["member"], name="script")


def test_the_command_line_prints_a_token_once_lists_and_revokes_it(world, capsys):
    assert main(["token", "create", "--user", "member", "--name", "field app"]) == 0
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert _get(secret) == 200
    token = ApiToken.objects.get(user=world["member"], name="field app")
    assert main(["token", "list", "--user", "member"]) == 0
    listed = capsys.readouterr().out
    assert "field app" in listed and secret not in listed
    assert main(["token", "revoke", "--user", "outsider", str(token.pk)]) != 0
    assert main(["token", "revoke", "--user", "member", str(token.pk)]) == 0
    assert _get(secret) == 401


def test_calls_beyond_the_rate_are_refused_until_the_minute_passes(world, settings):
    from habeas.api.main import api

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-rate"},
    }
    throttle = api.throttle
    limit = throttle.num_requests
    throttle.num_requests = 3  # the figure of HABEAS_API_PER_MINUTE, lowered for the test
    try:
        _, secret = token_create(user=world["member"], name="busy script")
        statuses = [_get(secret) for _ in range(4)]
    finally:
        throttle.num_requests = limit
    assert statuses == [200, 200, 200, 429]
