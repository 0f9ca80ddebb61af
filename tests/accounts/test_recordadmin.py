"""The admin is the first place to enter data: every model is registered, its pages render, and every
documented record can carry citations."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from habeas.core.models import Record
from habeas.evidence.admin import CitationInline
from habeas.standards.admin import FindingInline
from tests import factories

pytestmark = pytest.mark.django_db

DOMAIN_APPS = ["evidence", "registry", "custody", "cases", "monitoring"]
#: a user's unfinished work, seen and changed only by its author on the intake pages, not a record of the team
NOT_IN_ADMIN = {"cases.intakedraft"}
MODELS = [
    model
    for label in DOMAIN_APPS
    for model in apps.get_app_config(label).get_models()
    if model._meta.label_lower not in NOT_IN_ADMIN
]
# Small child tables are edited inline on their parent's page.
INLINE_ONLY = {
    "registry.personname",
    "registry.disability",
    "registry.relationship",
    "cases.perpetrator",
    "evidence.document",  # uploaded and downloaded on its source's page
}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label_lower)
def test_every_model_is_editable_in_the_admin(model):
    if model._meta.label_lower in INLINE_ONLY:
        parents = [
            site_admin
            for site_admin in admin.site._registry.values()
            if any(inline.model is model for inline in site_admin.inlines)
        ]
        assert parents, f"{model._meta.label_lower} is neither registered nor inline"
    else:
        assert model in admin.site._registry


@pytest.mark.parametrize("model", [m for m in MODELS if issubclass(m, Record)], ids=lambda m: m._meta.label_lower)
def test_citations_and_findings_are_shown_wherever_a_record_is_edited(model, rf):
    inlines = admin.site._registry[model].get_inlines(rf.get("/"), None)
    assert CitationInline in inlines
    assert FindingInline in inlines


@pytest.mark.parametrize("model", [m for m in MODELS if m in admin.site._registry], ids=lambda m: m._meta.label_lower)
def test_the_list_and_add_pages_render(client, model):
    client.force_login(factories.superuser())
    meta = model._meta
    listing = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"), {"q": "Tian"})
    assert listing.status_code == 200
    adding = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    assert adding.status_code == 200


def test_a_person_page_shows_names_disabilities_relatives_and_sources(client):
    client.force_login(factories.superuser())
    someone = factories.person("Zhasulan Suleimenov")
    page = client.get(reverse("admin:registry_person_change", args=[someone.pk])).content.decode()
    for heading in ("Person names", "Disabilities", "Relationships", "Sources for this record"):
        assert heading in page


def test_every_model_of_habeas_is_named_in_russian():
    import re

    from django.utils import translation

    models = [m for m in apps.get_models() if m.__module__.startswith("habeas.")]
    assert len(models) > 50
    with translation.override("ru"):
        unnamed = [
            m._meta.label_lower
            for m in models
            if not (
                re.search("[а-я]", str(m._meta.verbose_name)) and re.search("[а-я]", str(m._meta.verbose_name_plural))
            )
        ]
    assert unnamed == []
