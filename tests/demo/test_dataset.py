"""The demo dataset: the briefing's facts load, every record is cited, and its people are all there with
their custody, measures, allegations and proceedings."""

from __future__ import annotations

import pytest
import yaml
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from habeas.cases.models import Allegation, Claim, Proceeding, Reparation, Statement, Verdict
from habeas.custody.models import CustodyEpisode, FamilyContact, Notification, RestrictiveMeasure, Transfer
from habeas.demo import DATA_FILE
from habeas.evidence.models import Citation
from habeas.registry.selectors import persons_named
from habeas.registry.services import gazetteer_seed
from tests.factories import demo_loaded

pytestmark = pytest.mark.django_db
NAMED = [
    "Roza Tuletaeva",
    "Aron Atabek",
    "Zhasulan Suleimenov",
    "Dmitri Tian",
    "Oleg Evloev",
    "Bazarbai Kenzhebaev",
    "Zhenishbek Temirov",
    "Irina Khan",
    "Nursultan Nazarbaev",
]
DOMAIN_APPS = ["evidence", "registry", "custody", "cases", "monitoring"]


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Load the dataset once and take a snapshot of what the tests read."""
    with django_db_blocker.unblock(), transaction.atomic():
        gazetteer_seed(country="KZ")
        summary = demo_loaded()
        cited = {(c.content_type_id, c.object_id) for c in Citation.objects.all()}
        uncited = []
        for label in DOMAIN_APPS:
            for model in apps.get_app_config(label).get_models():
                if model is Citation or model._meta.label_lower == "cases.method":
                    continue  # the controlled vocabulary is not a fact of the briefing
                rows = model.objects.all()
                if model._meta.label_lower == "registry.locality":
                    rows = rows.filter(geonames_id__isnull=True)  # the gazetteer's are not either
                ct = ContentType.objects.get_for_model(model)
                uncited += [
                    f"{model._meta.label_lower}#{pk}"
                    for pk in rows.values_list("pk", flat=True)
                    if (ct.pk, pk) not in cited
                ]
        people = {}
        for name in NAMED:
            person = persons_named(name, exact=True).get()
            people[name] = {
                "custody": CustodyEpisode.objects.filter(person=person).count(),
                "measures": RestrictiveMeasure.objects.filter(custody__person=person).count(),
                "allegations": Allegation.objects.filter(victim=person).count(),
                "trials": Proceeding.objects.filter(defendants=person).count(),
                "verdicts": Verdict.objects.filter(defendant=person).count(),
            }
        snapshot = {
            "summary": summary,
            "uncited": uncited,
            "people": people,
            "claims": {
                (c.measure, c.value, c.qualifier, str(c.claimed_by or c.claimed_by_text)) for c in Claim.objects.all()
            },
            "transfers": list(Transfer.objects.values_list("custody__person__label", "to_place__locality__name")),
            "contact": list(
                FamilyContact.objects.values_list("custody__person__label", "every", "every_unit", "minutes")
            ),
            "notifications": list(Notification.objects.values_list("custody__person__label", "party__label")),
            "reparations": list(Reparation.objects.values_list("amount", "currency", "status")),
            "retracted": list(Statement.objects.filter(retracted=True).values_list("group__label", "kind")),
            "measures": list(
                RestrictiveMeasure.objects.values_list(
                    "custody__person__label", "kind", "planned_days", "min_days", "started_on_precision"
                )
            ),
        }
        transaction.set_rollback(True)
    return snapshot


def test_the_data_file_is_valid_yaml_written_in_our_format():
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    assert data["default_source"] == "amnesty-2013"
    assert all({"model", "fields", "cite"} <= entry.keys() for entry in data["records"])


def test_every_record_has_at_least_one_citation(loaded):
    assert loaded["uncited"] == []
    assert loaded["summary"].citations >= sum(loaded["summary"].counts.values())


def test_the_briefings_named_people_are_there_with_custody_measures_allegations_and_trials(loaded):
    people = loaded["people"]
    assert set(people) == set(NAMED)
    for name in [
        "Roza Tuletaeva",
        "Aron Atabek",
        "Zhasulan Suleimenov",
        "Dmitri Tian",
        "Oleg Evloev",
        "Bazarbai Kenzhebaev",
    ]:
        assert people[name]["custody"] >= 1, name
        assert people[name]["allegations"] >= 1, name
    for name in ["Aron Atabek", "Zhasulan Suleimenov"]:
        assert people[name]["measures"] >= 1, name
    for name in ["Roza Tuletaeva", "Dmitri Tian", "Oleg Evloev", "Zhenishbek Temirov"]:
        assert people[name]["trials"] >= 1 and people[name]["verdicts"] >= 1, name


def test_disputed_figures_are_separate_claims_each_with_its_source(loaded):
    claims = loaded["claims"]
    assert ("killed", 15, "exact", "Amnesty International") in claims or any(
        c[0] == "killed" and c[1] == 15 for c in claims
    )
    assert any(c[0] == "arrested" and c[1] == 16 and "General Prosecutor" in c[3] for c in claims)
    assert any(
        c[0] == "detained" and c[1] == 130 and c[2] == "more_than" and "General Prosecutor" in c[3] for c in claims
    )
    assert any(c[0] == "detained" and c[1] == 700 and c[2] == "up_to" for c in claims)


def test_custody_facts_keep_the_briefings_precision(loaded):
    assert ("Oleg Evloev", 1, "year", 15) in loaded["contact"]
    assert ("Dmitri Tian", 4, "month", None) in loaded["contact"]
    assert ("Dmitri Tian", "Irina Khan") in loaded["notifications"]
    assert ("Aron Atabek", "solitary", 730, None, "day") in loaded["measures"]
    assert ("Zhasulan Suleimenov", "solitary", None, 335, "day") in loaded["measures"]
    assert any(person == "Oleg Evloev" for person, _ in loaded["transfers"])


def test_the_unpaid_damages_and_the_retractions(loaded):
    assert (1_000_000, "KZT", "unpaid") in [(int(a), c, s) for a, c, s in loaded["reparations"]]
    assert ("Ten prosecution witnesses who withdrew their testimony", "testimony") in loaded["retracted"]
    assert any(group and group.startswith("37 defendants") for group, _ in loaded["retracted"])
