"""Two-factor login with TOTP: a code is needed for every user who has an authenticator, and for everyone
when HABEAS_REQUIRE_2FA is on; a wrong code is refused."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture
def lawyer():
    user = factories.superuser("lawyer1")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


def code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def log_in(client, **fields):
    return client.post(reverse("admin:login"), {"username": "lawyer1", "password": PASSWORD, **fields})


def test_a_password_alone_is_not_enough_with_an_authenticator(client, lawyer):
    response = log_in(client)
    assert response.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_wrong_code_is_refused(client, lawyer):
    _, device = lawyer
    wrong = f"{(int(code(device)) + 1) % 10**device.digits:0{device.digits}d}"
    response = log_in(client, otp_device=device.persistent_id, otp_token=wrong)
    assert response.status_code == 200
    assert "Invalid token. Please make sure you have entered it correctly." in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_right_code_logs_in(client, lawyer):
    _, device = lawyer
    response = log_in(client, otp_device=device.persistent_id, otp_token=code(device))
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    assert AuditEvent.objects.filter(action="login", actor_label="lawyer1").exists()


@override_settings(HABEAS_REQUIRE_2FA=True)
def test_when_required_an_account_without_an_authenticator_cannot_log_in(client):
    factories.superuser("lawyer1")
    response = log_in(client)
    assert response.status_code == 200
    assert "ask an administrator to set one up" in response.content.decode()


@override_settings(HABEAS_REQUIRE_2FA=True)
def test_when_required_a_session_without_a_second_factor_is_not_enough(client):
    client.force_login(factories.superuser("lawyer1"))
    assert client.get(reverse("admin:index")).status_code == 302


def test_without_an_authenticator_and_not_required_the_password_suffices(client):
    factories.superuser("lawyer1")
    assert log_in(client).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_authenticator_added_during_a_session_is_asked_for_at_once(client):
    user = factories.superuser("lawyer1")
    assert log_in(client).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)  # e.g. the account is feared compromised
    assert client.get(reverse("dashboard")).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_page_asks_once_whether_the_user_has_an_authenticator(client):
    factories.superuser("lawyer1")
    assert log_in(client).status_code == 302
    for page in (reverse("dashboard"), reverse("admin:index")):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page).status_code == 200
        asked = [q["sql"] for q in captured if TOTPDevice._meta.db_table in q["sql"]]
        assert len(asked) == 1, page


def test_a_session_opened_before_an_authenticator_was_added_cannot_export(client):
    user = factories.superuser("lawyer1")
    assert log_in(client).status_code == 302
    assert client.get(reverse("export")).status_code == 200
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    for response in (client.get(reverse("export")), client.post(reverse("export"), {"profile": "public"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("page", ["export", "reauth", "search", "dashboard"])
def test_a_session_opened_before_two_factor_was_required_is_asked_for_the_code_on_every_page(client, settings, page):
    factories.superuser("lawyer1")
    assert log_in(client).status_code == 302
    settings.HABEAS_REQUIRE_2FA = True
    response = client.get(reverse(page))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("admin:login")).status_code == 200  # where the code is asked for


def test_the_qr_code_of_a_new_authenticator_is_shown(client):
    factories.superuser("root")
    assert log_in(client, username="root").status_code == 302
    device = TOTPDevice.objects.create(user=factories.superuser("lawyer1"), name="phone", confirmed=False)
    response = client.get(reverse("admin:otp_totp_totpdevice_qrcode", args=[device.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content and len(response.content) > 1000


@pytest.mark.parametrize("language,hint", [("en", "Only if your account has an authenticator"), ("ru", "Только если")])
def test_the_login_page_says_the_code_is_only_for_users_with_an_authenticator(client, settings, language, hint):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/admin/login/").content.decode()
    assert hint in page and 'id="id_otp_token"' in page and "OTP Token" not in page
