"""Every look-up by name is a read in the audit trail — the people filter of the workplace, the admin's search
and its autocomplete — with the name looked for kept only encrypted; a wrong second-factor code at login is a
failed login."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
NAME = "Tuletaeva"


@pytest.fixture
def root_client(client):
    factories.person("Roza Tuletaeva")
    client.force_login(factories.superuser("root"))
    return client


def the_search() -> AuditEvent:
    (event,) = AuditEvent.objects.filter(action="read", target_type="search")
    return event


def stored_in_clear(text: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary, details, target_id, actor_label FROM accounts_auditevent")
        return any(text in (value or "") for row in cursor.fetchall() for value in row)


@pytest.mark.parametrize(
    ("where", "url", "query"),
    [
        ("people list", "person_list", {"name": NAME}),
        ("admin search", "admin:registry_person_changelist", {"q": NAME}),
        (
            "admin autocomplete",
            "admin:autocomplete",
            {"app_label": "cases", "model_name": "allegation", "field_name": "victim", "term": NAME},
        ),
    ],
)
def test_a_look_up_by_name_is_audited_without_the_name_in_clear(root_client, where, url, query):
    response = root_client.get(reverse(url), query)
    assert response.status_code == 200
    event = the_search()
    assert event.actor_label == "root" and event.details["where"] == where and event.details["query"] == NAME
    assert not stored_in_clear(NAME)


def test_a_list_without_a_name_is_no_search(root_client):
    assert root_client.get(reverse("person_list")).status_code == 200
    assert not AuditEvent.objects.filter(target_type="search").exists()


def test_a_wrong_code_at_login_is_a_failed_login(client):
    user = factories.superuser("lawyer1")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post(
        reverse("admin:login"),
        {"username": "lawyer1", "password": PASSWORD, "otp_device": device.persistent_id, "otp_token": "000000"},
    )
    assert response.status_code == 200
    (event,) = AuditEvent.objects.filter(action="login_failed")
    assert (event.target_type, event.target_id, event.summary) == (
        "auth.user",
        "lawyer1",
        "failed login: wrong code at login",
    )
