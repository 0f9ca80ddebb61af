"""Hostile input: script and SQL payloads are stored as text and shown escaped; forged CSRF tokens and
expired sessions are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from habeas.accounts.models import Team
from habeas.registry.models import Person
from tests import factories

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script>'
SQL = "Robert'); DROP TABLE registry_person;--"


@pytest.mark.parametrize("payload", [SCRIPT, SQL, 'Кенжебаев <b>bold</b> & "quotes"'])
def test_payloads_are_stored_as_text_and_shown_escaped(client, payload):
    client.force_login(factories.superuser())
    team = Team.objects.create(name="A")  # every new record belongs to a team
    response = client.post(
        reverse("admin:registry_person_add"),
        {
            "team": team.pk,
            "label": payload,
            "sex": "",
            "born_on_precision": "day",
            "died_on_precision": "day",
            "notes": payload,
            "names-TOTAL_FORMS": "0",
            "names-INITIAL_FORMS": "0",
            "disabilities-TOTAL_FORMS": "0",
            "disabilities-INITIAL_FORMS": "0",
            "relationships-TOTAL_FORMS": "0",
            "relationships-INITIAL_FORMS": "0",
            "evidence-citation-content_type-object_id-TOTAL_FORMS": "0",
            "evidence-citation-content_type-object_id-INITIAL_FORMS": "0",
            "standards-finding-content_type-object_id-TOTAL_FORMS": "0",
            "standards-finding-content_type-object_id-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    person = next(p for p in Person.objects.all() if p.label == payload)
    assert person.notes == payload
    listing = client.get(reverse("admin:registry_person_changelist")).content.decode()
    page = client.get(reverse("admin:registry_person_change", args=[person.pk])).content.decode()
    for html in (listing, page):
        assert SCRIPT not in html
    if payload == SCRIPT:
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_a_forged_csrf_token_is_refused():
    person = factories.person("Someone")
    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.superuser())
    response = client.post(
        reverse("admin:registry_person_change", args=[person.pk]), {"label": "changed", "csrfmiddlewaretoken": "forged"}
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.label == "Someone"


def test_an_expired_session_must_log_in_again(client):
    client.force_login(factories.superuser())
    assert client.get(reverse("admin:index")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_every_text_field_of_every_record_keeps_a_payload_as_text_and_shows_it_escaped(client):
    """For each kind of record in the admin: every free-text field set to a script-and-SQL payload is read back
    exactly as written and its page shows it escaped, never as markup."""
    from django.contrib import admin
    from django.db import IntegrityError, models, transaction

    from habeas.accounts.models import Team
    from habeas.registry.services import gazetteer_seed

    gazetteer_seed(country="KZ")
    factories.demo_loaded(Team.objects.create(name="A"))
    client.force_login(factories.superuser())
    payload = f"{SCRIPT} {SQL}"
    checked = []
    for model in admin.site._registry:
        obj = model._default_manager.order_by("pk").first()
        if obj is None or model._meta.app_label in ("auth", "otp_totp", "accounts", "standards"):
            continue  # accounts and the engine's findings are not typed in by users
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and f.editable
            and not f.choices
            and not isinstance(f, models.SlugField | models.URLField | models.EmailField)
            and (f.max_length is None or f.max_length >= len(payload))
        ]
        kept = []
        for field in fields:
            try:
                with transaction.atomic():
                    setattr(obj, field.attname, payload)
                    obj.save()
                kept.append(field)
            except IntegrityError:  # a field the database constrains (e.g. a code): payloads cannot get in
                obj.refresh_from_db()
        if not kept:
            continue
        stored = model._default_manager.get(pk=obj.pk)
        assert all(getattr(stored, f.attname) == payload for f in kept), model
        meta = model._meta
        page = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))
        html = page.content.decode()
        assert page.status_code == 200 and SCRIPT not in html, model
        assert "&lt;script&gt;" in html, model
        checked.append(meta.label_lower)
    assert {"registry.person", "cases.allegation", "custody.restrictivemeasure", "monitoring.visit"} <= set(checked)
