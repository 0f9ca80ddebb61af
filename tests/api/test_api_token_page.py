"""The page of one's API tokens: a new token is shown once, on the answer to its creation; a token can be revoked
there; an account with an authenticator gives its code; no one sees or revokes another's tokens."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from habeas.api.models import ApiToken
from habeas.api.services import token_create, token_digest

pytestmark = pytest.mark.django_db


def _created(client) -> str:
    response = client.post(reverse("api_tokens"), {"name": "intake app"})
    assert response.status_code == 200
    return re.search(r"<code>(habeas_[^<]+)</code>", response.content.decode()).group(1)


def test_a_token_created_on_the_page_is_shown_once_and_works(client, world):
    client.force_login(world["member"])
    secret = _created(client)
    assert ApiToken.objects.get(user=world["member"]).digest == token_digest(secret)
    assert secret not in client.get(reverse("api_tokens")).content.decode()
    assert client.get("/api/persons/", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_a_token_revoked_on_the_page_answers_no_call(client, world):
    client.force_login(world["member"])
    secret = _created(client)
    token = ApiToken.objects.get(user=world["member"])
    assert client.post(reverse("api_tokens"), {"revoke": token.pk}).status_code == 302
    assert client.get("/api/persons/", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_no_one_sees_or_revokes_anothers_token(client, world):
    token, _ = token_create(user=world["owner"], name="owner's script")
    client.force_login(world["member"])
    assert "owner&#x27;s script" not in client.get(reverse("api_tokens")).content.decode()
    assert client.post(reverse("api_tokens"), {"revoke": token.pk}).status_code == 404
    assert client.post(reverse("api_tokens"), {"revoke": "not a number"}).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_an_account_with_an_authenticator_is_asked_for_its_code(client, world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = world["member"]
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    session = client.session
    # the session passed the second factor at login, as django-otp records it
    session["otp_device_id"] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    page = client.get(reverse("api_tokens")).content.decode()
    assert 'name="code"' in page
    refused = client.post(reverse("api_tokens"), {"name": "script"})
    assert refused.status_code == 422
    assert "give the code" in refused.content.decode()
    assert not ApiToken.objects.filter(user=user).exists()
