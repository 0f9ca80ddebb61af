"""Re-authentication before deletions: a session whose password was confirmed more than
HABEAS_REAUTH_MINUTES ago confirms it again (with the authenticator's code, if the user has one) before
anything is deleted; a stale POST deletes nothing; failures are audited and count toward the lock-out."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts.backends import login_wait
from habeas.accounts.models import AuditEvent, Membership, Role, Team
from habeas.accounts.reauth import SESSION_KEY, reauth_mark, reauth_required, reauth_view
from habeas.core.env import env_int
from habeas.registry.models import Person
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture
def owner():
    """An administrator of team A, who may delete its records."""
    team = Team.objects.create(name="A")
    user = get_user_model().objects.create_user("owner", "", PASSWORD, is_staff=True)
    Membership.objects.create(user=user, team=team, role=Role.ADMINISTRATOR)
    return user


@pytest.fixture
def person(owner):
    return factories.person("Aron Atabek", team=Team.objects.get(name="A"))


def go_stale(client, minutes: int = 11) -> None:
    """Move the session's last confirmation ``minutes`` into the past (the clock, as the session sees it)."""
    session = client.session
    session[SESSION_KEY] = (timezone.now() - dt.timedelta(minutes=minutes)).timestamp()
    session.save()


def delete_url(person: Person) -> str:
    return reverse("admin:registry_person_delete", args=[person.pk])


def sent_to_reauth(response, next_url: str) -> bool:
    if response.status_code != 302:
        return False
    parts = urlsplit(response["Location"])
    return parts.path == reverse("reauth") and parse_qs(parts.query).get("next") == [next_url]


def delete_selected(client, *people: Person):
    return client.post(
        reverse("admin:registry_person_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in people], "post": "yes"},
    )


def code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{(totp.token() + offset) % 10**device.digits:0{device.digits}d}"


def test_a_login_marks_the_session_as_freshly_authenticated(client, owner):
    response = client.post(reverse("admin:login"), {"username": "owner", "password": PASSWORD})
    assert response.status_code == 302
    marked = dt.datetime.fromtimestamp(client.session[SESSION_KEY], tz=dt.UTC)
    assert abs(timezone.now() - marked) < dt.timedelta(minutes=1)


def test_a_fresh_session_deletes_a_record(client, owner, person):
    client.force_login(owner)
    assert client.get(delete_url(person)).status_code == 200
    response = client.post(delete_url(person), {"post": "yes"})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
    assert AuditEvent.objects.filter(action="delete", target_type="registry.person", target_id=str(person.pk)).exists()


def test_a_stale_session_is_sent_to_confirm_its_password_and_back(client, owner, person):
    client.force_login(owner)
    go_stale(client)
    response = client.get(delete_url(person))
    assert sent_to_reauth(response, delete_url(person))
    assert Person.objects.filter(pk=person.pk).exists()


def test_a_stale_post_deletes_nothing(client, owner, person):
    client.force_login(owner)
    go_stale(client)
    response = client.post(delete_url(person), {"post": "yes"})
    assert sent_to_reauth(response, delete_url(person))
    assert Person.objects.filter(pk=person.pk).exists()
    assert not AuditEvent.objects.filter(action="delete").exists()


def test_delete_selected_from_a_stale_session_deletes_nothing(client, owner, person):
    client.force_login(owner)
    go_stale(client)
    response = delete_selected(client, person)
    assert sent_to_reauth(response, reverse("admin:registry_person_changelist"))
    assert Person.objects.filter(pk=person.pk).exists()


def test_delete_selected_from_a_fresh_session_deletes(client, owner, person):
    client.force_login(owner)
    response = delete_selected(client, person)
    assert response.status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()


def test_a_wrong_password_is_refused_and_audited(client, owner, person):
    client.force_login(owner)
    go_stale(client)
    response = client.post(reverse("reauth"), {"password": "guess", "next": delete_url(person)})
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    failure = AuditEvent.objects.get(action="login_failed")
    assert failure.actor == owner and failure.details["reauth"] is True and failure.details["username"] == "owner"
    assert sent_to_reauth(client.get(delete_url(person)), delete_url(person))


def test_failed_confirmations_count_toward_the_lock_out(client, owner):
    client.force_login(owner)
    go_stale(client)
    for _ in range(5):
        client.post(reverse("reauth"), {"password": "guess"})
    assert login_wait("owner")
    response = client.post(reverse("reauth"), {"password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert reauth_required(_Request(client.session))


def test_the_right_password_then_lets_the_deletion_through(client, owner, person):
    client.force_login(owner)
    go_stale(client)
    response = client.post(reverse("reauth"), {"password": PASSWORD, "next": delete_url(person)})
    assert response.status_code == 302 and response["Location"] == delete_url(person)
    assert any(e.details.get("reauth") for e in AuditEvent.objects.filter(action="login", actor=owner))
    client.post(delete_url(person), {"post": "yes"})
    assert not Person.objects.filter(pk=person.pk).exists()


def test_with_an_authenticator_the_code_is_needed_too(client, owner):
    device = TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    login = {"username": "owner", "password": PASSWORD, "otp_device": device.persistent_id, "otp_token": code(device)}
    assert client.post(reverse("admin:login"), login).status_code == 302  # with the code, as every page requires
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # as if the login had been a minute ago
    device.refresh_from_db()
    go_stale(client)
    page = client.get(reverse("reauth"))
    assert 'name="otp_token"' in page.content.decode()
    assert client.post(reverse("reauth"), {"password": PASSWORD}).status_code == 200
    wrong = client.post(reverse("reauth"), {"password": PASSWORD, "otp_token": code(device, offset=1)})
    assert "That code is wrong or has expired." in wrong.content.decode()
    reasons = [e.details["reason"] for e in AuditEvent.objects.filter(action="login_failed")]
    assert reasons == ["wrong code"]
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes a device wait a second after a wrong code
    right = client.post(reverse("reauth"), {"password": PASSWORD, "otp_token": code(device)})
    assert right.status_code == 302
    assert not reauth_required(_Request(client.session))


@pytest.mark.parametrize(
    "target", ["https://evil.example", "//evil.example/admin/", "https:evil.example", "javascript:alert(1)"]
)
def test_a_next_address_outside_the_site_is_refused(client, owner, target):
    client.force_login(owner)
    go_stale(client)
    page = client.get(reverse("reauth"), {"next": target})
    assert "evil.example" not in page.content.decode() and "javascript:" not in page.content.decode()
    response = client.post(reverse("reauth"), {"password": PASSWORD, "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("reauth"), {"next": "/admin/"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


class _Request:
    def __init__(self, session) -> None:
        self.session = session


@override_settings(HABEAS_REAUTH_MINUTES=30)
def test_a_confirmation_lasts_HABEAS_REAUTH_MINUTES():
    request = RequestFactory().get("/")
    request.session = {}
    assert reauth_required(request)
    at = dt.datetime(2013, 7, 1, 12, 0, tzinfo=dt.UTC)
    reauth_mark(request, at)
    assert not reauth_required(request, now=at + dt.timedelta(minutes=29))
    assert reauth_required(request, now=at + dt.timedelta(minutes=31))
    assert reauth_required(request, now=at - dt.timedelta(minutes=1))  # a mark from the future counts for nothing


def test_the_setting_refuses_a_value_that_is_not_a_whole_number(monkeypatch):
    monkeypatch.setenv("HABEAS_REAUTH_MINUTES", "ten")
    with pytest.raises(ImproperlyConfigured, match="HABEAS_REAUTH_MINUTES"):
        env_int("HABEAS_REAUTH_MINUTES", 10, minimum=1)
    monkeypatch.setenv("HABEAS_REAUTH_MINUTES", "0")
    with pytest.raises(ImproperlyConfigured, match="less than 1"):
        env_int("HABEAS_REAUTH_MINUTES", 10, minimum=1)
    monkeypatch.delenv("HABEAS_REAUTH_MINUTES")
    assert env_int("HABEAS_REAUTH_MINUTES", 10, minimum=1) == 10


def test_a_guarded_view_runs_only_for_a_fresh_session(owner):
    calls = []

    @reauth_view
    def export(request):
        calls.append(request.method)
        return HttpResponse("the export")

    def request(method: str, marked: dt.datetime | None):
        made = getattr(RequestFactory(), method)("/export/?format=csv")
        made.user, made.session = owner, {}
        if marked is not None:
            reauth_mark(made, marked)
        return made

    now = timezone.now()
    stale = now - dt.timedelta(minutes=11)
    assert sent_to_reauth(export(request("get", stale)), "/export/?format=csv")
    assert sent_to_reauth(export(request("post", None)), "/export/")
    assert calls == []
    assert export(request("post", now)).content == b"the export"
    assert calls == ["POST"]


@pytest.mark.parametrize(
    "page",
    [
        lambda target, team, device: reverse("admin:accounts_team_change", args=[team.pk]),
        lambda target, team, device: reverse("admin:accounts_team_add"),
        lambda target, team, device: reverse("admin:auth_user_change", args=[target.pk]),
        lambda target, team, device: reverse("admin:auth_user_password_change", args=[target.pk]),
        lambda target, team, device: reverse("admin:otp_totp_totpdevice_add"),
        lambda target, team, device: reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        lambda target, team, device: reverse("admin:otp_totp_totpdevice_config", args=[device.pk]),
    ],
    ids=["team", "new team", "account", "password", "new authenticator", "authenticator", "its secret"],
)
def test_changing_who_may_do_what_needs_a_recent_password(client, owner, page):
    """Teams and memberships, accounts and their passwords, authenticators: a stale session is sent to confirm
    its password before the page is shown, a stale POST changes nothing, and a fresh session gets the page."""
    superuser = get_user_model().objects.create_superuser("root", "", PASSWORD)
    team = Team.objects.get(name="A")
    device = TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    url = page(owner, team, device)
    client.force_login(superuser)
    assert client.get(url).status_code == 200
    go_stale(client)
    assert sent_to_reauth(client.get(url), url)
    role = Membership.objects.get(user=owner).role
    response = client.post(url, {"name": "renamed", "is_superuser": "on", "password1": "x", "password2": "x"})
    assert sent_to_reauth(response, url)
    assert Team.objects.get(pk=team.pk).name == "A" and Membership.objects.get(user=owner).role == role
    assert not get_user_model().objects.get(pk=owner.pk).is_superuser
    assert TOTPDevice.objects.filter(pk=device.pk, name="phone").exists()
