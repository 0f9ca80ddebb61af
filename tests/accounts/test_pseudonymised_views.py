"""Analysts see their team's records pseudonymised unless granted identities: no name, no protected text, a
stable pseudonym in place of each person — and a name search cannot be used to unmask one."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from habeas.accounts.models import Membership, Role, Team
from habeas.cases.models import Allegation
from habeas.core.crypto import pseudonym
from habeas.custody.models import RestrictiveMeasure
from habeas.monitoring.models import Recommendation
from habeas.registry.models import Person
from habeas.registry.selectors import persons_named
from habeas.registry.services import gazetteer_seed
from habeas.standards.services import findings_evaluate
from tests.factories import demo_loaded
from tests.protected import leaks, protected_texts

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture
def world():
    gazetteer_seed(country="KZ")
    team = Team.objects.create(name="A")
    demo_loaded(team)
    findings_evaluate(profile_name="kz")  # findings are shown on records' pages, and their subjects name people
    users = {}
    for name, role, identities in [
        ("analyst", Role.ANALYST, False),
        ("trusted", Role.ANALYST, True),
        ("researcher", Role.RESEARCHER, False),
    ]:
        users[name] = get_user_model().objects.create_user(name, "", PASSWORD, is_staff=True)
        Membership.objects.create(user=users[name], team=team, role=role, identities=identities)
    return users


def pages() -> list[str]:
    tian = persons_named("Dmitri Tian", exact=True).get()
    allegation = Allegation.objects.filter(victim=tian).first()
    assert allegation is not None
    measure = RestrictiveMeasure.objects.filter(custody__person__in=Person.objects.all()).order_by("pk").first()
    recommendation = Recommendation.objects.order_by("pk").first()
    assert measure is not None and recommendation is not None
    return [
        reverse("admin:custody_restrictivemeasure_change", args=[measure.pk]),
        reverse("admin:monitoring_recommendation_changelist"),
        reverse("admin:monitoring_recommendation_change", args=[recommendation.pk]),
        reverse("admin:monitoring_recommendationstatus_changelist"),
        reverse("admin:monitoring_informationrequest_changelist"),
        reverse("admin:evidence_source_changelist"),
        reverse("admin:registry_person_changelist"),
        reverse("admin:registry_person_change", args=[tian.pk]),
        reverse("admin:cases_allegation_changelist"),
        reverse("admin:cases_allegation_change", args=[allegation.pk]),
        reverse("admin:custody_custodyepisode_changelist"),
        reverse("admin:cases_investigation_changelist"),
        reverse("admin:cases_proceeding_changelist"),
        reverse("admin:registry_group_changelist"),
        reverse("admin:cases_statement_changelist"),
    ]


def test_an_analyst_sees_pseudonyms_and_no_protected_text(client, world):
    client.force_login(world["analyst"])
    tian = persons_named("Dmitri Tian", exact=True).get()
    texts = protected_texts()
    for url in pages():
        response = client.get(url)
        assert response.status_code == 200, url
        assert leaks(response.content, texts) == [], url
    page = client.get(reverse("admin:registry_person_change", args=[tian.pk])).content.decode()
    assert f"Person {pseudonym('registry.person', tian.pk)}" in page


def test_the_pseudonym_is_stable_and_differs_between_persons(world):
    tian = persons_named("Dmitri Tian", exact=True).get()
    evloev = persons_named("Oleg Evloev", exact=True).get()
    assert pseudonym("registry.person", tian.pk) == pseudonym("registry.person", tian.pk)
    assert pseudonym("registry.person", tian.pk) != pseudonym("registry.person", evloev.pk)


def test_a_name_search_does_not_unmask_a_pseudonym(client, world):
    client.force_login(world["analyst"])
    response = client.get(reverse("admin:registry_person_changelist"), {"q": "Tian"})
    assert response.status_code == 200
    assert "0 persons" in response.content.decode() or "0 results" in response.content.decode()


@pytest.mark.parametrize("who", ["trusted", "researcher"])
def test_members_granted_identities_see_names(client, world, who):
    client.force_login(world[who])
    tian = persons_named("Dmitri Tian", exact=True).get()
    page = client.get(reverse("admin:registry_person_change", args=[tian.pk])).content.decode()
    assert "Dmitri Tian" in page and "Дмитрий Тян" in page


def test_a_person_is_named_only_through_a_viewer_who_sees_identities(client, world):
    from habeas.accounts.identity import name_of
    from habeas.accounts.viewer import viewer_for

    client.force_login(world["analyst"])
    client.get(reverse("admin:registry_person_changelist"))
    tian = Person.objects.get(pk=persons_named("Dmitri Tian", exact=True).get().pk)
    assert str(tian) == f"Person {pseudonym('registry.person', tian.pk)}"  # no request state: never the name
    assert name_of(tian, viewer_for(world["researcher"])) == "Dmitri Tian"
    assert name_of(tian, viewer_for(world["analyst"])) == str(tian)


def test_no_record_names_anyone_in_its_title_to_an_analyst(world):
    """Every record's title (shown in lists, breadcrumbs, widgets and audit summaries), and its name as the
    analyst's viewer gives it, holds none of its own protected text."""
    from django.apps import apps

    from habeas.accounts.identity import name_of
    from habeas.accounts.viewer import viewer_for
    from habeas.core.fields import protected_fields

    texts = protected_texts()
    analyst = viewer_for(world["analyst"])
    for model in apps.get_models():
        encrypted, _ = protected_fields(model)
        for obj in model._default_manager.all()[:200]:
            for title in (str(obj), name_of(obj, analyst)):
                own = {str(getattr(obj, f.attname)) for f in encrypted if len(str(getattr(obj, f.attname))) >= 6}
                assert not any(text in title for text in own), (model, title)
                assert leaks(title.encode(), texts) == [], (model, title)


def test_an_analyst_may_not_open_a_document(client, world, settings, tmp_path):
    import io

    from habeas.evidence.models import Source
    from habeas.evidence.services import document_add

    settings.MEDIA_ROOT = tmp_path
    upload = io.BytesIO(b"Testimony of Dmitri Tian")
    upload.name = "testimony.txt"
    document = document_add(source=Source.objects.get(), upload=upload, user=world["researcher"])
    url = reverse("admin:evidence_document_download", args=[document.pk])
    client.force_login(world["analyst"])
    assert client.get(url).status_code == 403
    client.force_login(world["researcher"])
    assert client.get(url).content == b"Testimony of Dmitri Tian"


def test_a_pseudonym_names_the_kind_of_record_in_the_readers_language():
    from django.utils import translation

    from habeas.accounts.identity import pseudonymous_ref
    from habeas.cases.models import Investigation, Proceeding
    from habeas.registry.models import Group

    expected = {
        Person: ("Person", "Лицо"),
        Group: ("Group", "Группа"),
        Proceeding: ("Proceeding", "Судебное разбирательство"),
        Investigation: ("Investigation", "Расследование"),
    }
    for model, (english, russian) in expected.items():
        code = pseudonym(model._meta.label_lower, 7)
        assert pseudonymous_ref(model, 7) == f"{english} {code}"
        with translation.override("ru"):
            assert pseudonymous_ref(model, 7) == f"{russian} {code}"
