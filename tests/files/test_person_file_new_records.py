"""The person's file shows what the field now records: a custody that ended in death with each source's account of
the cause side by side, the stages of custody, the safeguards at apprehension, intimidation of the person and a
court's handling of their torture claim."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from habeas.cases.models import Proceeding
from habeas.cases.services_records import intimidation_record, torture_claim_ruling_record
from habeas.custody.services import custody_stage_add, death_cause_add, death_record, safeguards_record
from habeas.evidence.models import Source
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_file_shows_a_death_with_each_sources_cause_the_stages_safeguards_reprisals_and_rulings(client, world):
    member = world["member"]
    team = member.memberships.get().team
    person = factories.person("Erlan Test", team=team)
    custody = factories.custody(
        person,
        team=team,
        apprehended_at=dt.datetime(2011, 12, 16, 14, 0, tzinfo=dt.UTC),
        apprehended_at_precision="exact",
    )
    safeguards_record(user=member, custody=custody, lawyer_requested=True, lawyer_granted=False)
    custody_stage_add(
        user=member,
        custody=custody,
        basis="admin",
        started_at=dt.datetime(2011, 12, 16, 15, 0, tzinfo=dt.UTC),
        legal_provision="Code of Administrative Offences, art. 434",
    )
    death = death_record(
        user=member, custody=custody, died_at=dt.datetime(2011, 12, 16, tzinfo=dt.UTC), died_at_precision="day"
    )
    report = Source.objects.create(key="ngo-report", title="NGO report", kind="document", team=team)
    death_cause_add(
        user=member, death=death, source=report, stated_by="the police", kind="illness", by_authorities=True
    )
    death_cause_add(user=member, death=death, source=report, stated_by="the family", kind="officials")
    intimidation_record(
        user=member, target=person, role="complainant", kind="threats", forum="cat", happened_on=dt.date(2012, 3, 1)
    )
    trial = factories.saved(Proceeding(kind="criminal", title="Trial of Erlan Test", team=team))
    trial.defendants.add(person)
    torture_claim_ruling_record(user=member, proceeding=trial, raised_by=person, examined=False)

    client.force_login(member)
    html = client.get(reverse("person_detail", args=[person.pk])).content.decode()

    assert "Died in custody" in html and "16 December 2011" in html
    assert "Cause, as the police states it" in html and "illness or natural causes" in html
    assert "Cause, as the family states it" in html and "violence by officials" in html
    assert "Held under: administrative detention" in html and "art. 434" in html
    assert "Asked for a lawyer" in html and "Given access to a lawyer" in html
    assert "Intimidation or reprisal: threats" in html and "the Committee against Torture" in html
    assert "Torture claim before the court" in html and "The court examined the claim" in html
