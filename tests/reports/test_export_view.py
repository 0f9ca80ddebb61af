"""The export page (/export/): every persona, re-authentication of a stale session, and the download."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from habeas.accounts.models import AuditEvent
from habeas.accounts.reauth import SESSION_KEY
from tests.conftest import PASSWORD
from tests.protected import leaks, protected_texts
from tests.reports.conftest import unzip

URL = "/export/"


def go_stale(client, minutes: int = 11) -> None:
    session = client.session
    session[SESSION_KEY] = (timezone.now() - dt.timedelta(minutes=minutes)).timestamp()
    session.save()


def sent_to_reauth(response, next_url: str) -> bool:
    parts = urlsplit(response["Location"]) if response.status_code == 302 else None
    return parts is not None and parts.path == reverse("reauth") and parse_qs(parts.query).get("next") == [next_url]


def test_the_page_is_named_export():
    assert reverse("export") == URL


def test_an_anonymous_visitor_is_sent_to_log_in(client, world):
    for response in (client.get(URL), client.post(URL, {"profile": "public", "format": "json"})):
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == reverse("admin:login")
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_user_who_is_not_staff_is_sent_to_the_admin_login(client, world):
    user = get_user_model().objects.create_user("visitor", "", PASSWORD)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 302 and urlsplit(response["Location"]).path == reverse("admin:login")


@pytest.mark.parametrize("persona", ["superuser", "owner", "member", "readonly", "outsider"])
def test_every_staff_persona_sees_the_form_with_the_profiles(client, world, persona):
    client.force_login(world[persona])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.templates[0].name == "reports/export.html"
    page = response.content.decode()
    assert 'value="public"' in page and 'value="partner"' in page
    assert "<script" not in page.split("</head>")[1] and "style=" not in page


@pytest.mark.parametrize(("persona", "persons"), [("member", 17), ("readonly", 17), ("outsider", 0)])
def test_a_fresh_session_downloads_what_the_user_may_see(client, world, persona, persons):
    client.force_login(world[persona])
    response = client.post(URL, {"profile": "public", "format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="habeas-public.json"'
    assert len(json.loads(response.content)["records"]["registry.person"]) == persons
    assert leaks(response.content, protected_texts()) == []
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.actor == world[persona]
    assert event.details["sha256"] == hashlib.sha256(response.content).hexdigest() == response["X-Content-SHA256"]
    assert event.details["destination"] == "download"


def test_the_csv_download_is_a_zip(client, world):
    client.force_login(world["member"])
    response = client.post(URL, {"profile": "partner", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "custody.custodyepisode.csv" in unzip(response.content)


def test_a_stale_session_confirms_its_password_before_seeing_the_page(client, world):
    client.force_login(world["member"])
    go_stale(client)
    assert sent_to_reauth(client.get(URL), URL)


def test_a_stale_post_exports_nothing_and_comes_back_to_the_page(client, world):
    client.force_login(world["member"])
    go_stale(client)
    response = client.post(URL, {"profile": "public", "format": "json"})
    assert sent_to_reauth(response, URL)
    assert not AuditEvent.objects.filter(action="export").exists()


def test_after_confirming_the_password_the_export_is_made(client, world):
    client.force_login(world["member"])
    go_stale(client)
    response = client.post(reverse("reauth"), {"password": PASSWORD, "next": URL})
    assert response.status_code == 302 and response["Location"] == URL
    assert client.post(URL, {"profile": "public", "format": "json"}).status_code == 200
    assert AuditEvent.objects.filter(action="export").count() == 1


def test_an_unknown_profile_or_format_is_a_form_error(client, world):
    client.force_login(world["member"])
    response = client.post(URL, {"profile": "atlantis", "format": "xml"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"profile", "format"}
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_findings_sentences_are_written_in_the_language_chosen_on_the_page(client, world):
    from habeas.standards.services import findings_evaluate

    findings_evaluate(profile_name="kz")
    client.force_login(world["member"])
    response = client.post(URL, {"profile": "public", "format": "json", "language": "ru"})
    assert response.status_code == 200
    summaries = [row["summary"] for row in json.loads(response.content)["records"]["standards.finding"]]
    assert summaries and any(any("а" <= letter <= "я" for letter in summary) for summary in summaries)
    assert leaks(response.content, protected_texts()) == []
    assert AuditEvent.objects.filter(action="export").latest("seq").details["language"] == "ru"
