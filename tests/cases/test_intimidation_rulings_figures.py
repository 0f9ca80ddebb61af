"""Intimidation and reprisals, courts' handling of torture claims, the qualification of charges and fines, and
figures in aggregate: each constraint refuses bad input naming what to fix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from habeas.cases.models import AggregateFigure, Charge, Intimidation, Proceeding, Sentence, TortureClaimRuling
from habeas.cases.services_records import aggregate_figure_record, intimidation_record, torture_claim_ruling_record
from habeas.evidence.models import Source
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_reprisal_for_speaking_to_monitors_needs_the_visit_or_the_interviewee_role():
    admin = factories.superuser()
    witness = factories.person("Witness")
    with pytest.raises(ValidationError, match="speaking to monitors"):
        intimidation_record(user=admin, target=witness, role="witness", kind="threats", forum="monitors")
    stored = intimidation_record(user=admin, target=witness, role="interviewee", kind="sanction", forum="monitors")
    assert Intimidation.objects.get().pk == stored.pk


def test_an_intimidation_takes_the_team_of_the_person_targeted():
    from habeas.accounts.models import Team

    team = Team.objects.create(name="Monitors")
    target = factories.person("Mother", team=team)
    record = intimidation_record(
        user=factories.superuser(), target=target, role="relative", kind="threats", forum="domestic"
    )
    assert record.team_id == team.pk


def test_a_court_cannot_both_exclude_and_rely_on_the_contested_evidence():
    proceeding = factories.saved(Proceeding(kind="criminal", title="Trial"))
    with pytest.raises(ValidationError, match="both excluded and relied on"):
        torture_claim_ruling_record(
            user=factories.superuser(), proceeding=proceeding, evidence_excluded=True, evidence_relied_on=True
        )
    assert not TortureClaimRuling.objects.exists()


def test_a_ruling_decided_before_the_claim_was_raised_is_refused_naming_the_field():
    proceeding = factories.saved(Proceeding(kind="criminal", title="Trial"))
    with pytest.raises(ValidationError) as caught:
        torture_claim_ruling_record(
            user=factories.superuser(),
            proceeding=proceeding,
            raised_on=dt.date(2009, 5, 2),
            decided_on=dt.date(2009, 5, 1),
            examined=False,
        )
    assert list(caught.value.message_dict) == ["decided_on"]


def test_a_charge_keeps_its_legal_qualification_and_a_fine_needs_its_currency():
    verdict = factories.verdict()
    charge = factories.saved(
        Charge(
            proceeding=verdict.proceeding,
            defendant=verdict.defendant,
            offence="abuse",
            article="art. 362",
            qualification="abuse",
        )
    )
    assert charge.get_qualification_display() == "abuse of office or power"
    with pytest.raises(ValidationError, match="a fine needs its currency"):
        factories.saved(Sentence(verdict=verdict, kind="fine", fine_amount=100000))
    assert factories.saved(Sentence(verdict=verdict, kind="fine", fine_amount=100000, currency="KZT")).pk


def test_a_figure_in_aggregate_needs_a_period_and_a_scope():
    admin = factories.superuser()
    source = Source.objects.create(key="stats", title="Prosecutor's statistics", kind="document")
    prosecutor = factories.organisation("Prosecutor General", kind="prosecutor")
    with pytest.raises(ValidationError, match="needs its period"):
        aggregate_figure_record(user=admin, source=source, measure="complaints", value=30, authority=prosecutor)
    with pytest.raises(ValidationError, match="authority or the country"):
        aggregate_figure_record(
            user=admin,
            source=source,
            measure="complaints",
            value=30,
            period_from=dt.date(2010, 1, 1),
            period_from_precision="year",
        )
    for measure, value in (("complaints", 30), ("cases", 4), ("fined", 3)):
        aggregate_figure_record(
            user=admin,
            source=source,
            measure=measure,
            value=value,
            authority=prosecutor,
            period_from=dt.date(2010, 1, 1),
            period_from_precision="year",
        )
    assert list(AggregateFigure.objects.order_by("value").values_list("value", flat=True)) == [3, 4, 30]


def test_a_reparation_refused_has_no_payment():
    from habeas.cases.models import Reparation

    with pytest.raises(ValidationError, match="refused or never given has no payment"):
        factories.saved(
            Reparation(beneficiary=factories.person(), kind="moral", status="denied", paid_on=dt.date(2014, 1, 1))
        )
