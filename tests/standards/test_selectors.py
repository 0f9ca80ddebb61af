"""From records to findings: the selectors gather what each newer rule needs."""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.cases.models import Allegation, Complaint, Perpetrator
from habeas.custody.models import FamilyNews, MedicalExamination, Notification, Placement
from habeas.monitoring.models import InformationRequest
from habeas.registry.models import StaffAssignment
from habeas.standards.models import Finding
from habeas.standards.services import findings_evaluate
from tests import factories

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2014, 1, 1, tzinfo=dt.UTC)


def check(*codes: str) -> dict[str, list[str]]:
    findings_evaluate(profile_name="international", codes=list(codes), now=NOW)
    out: dict[str, list[str]] = {}
    for finding in Finding.objects.filter(active=True):
        out.setdefault(finding.rule, []).append(finding.summary)
    return out


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def test_a_death_in_custody_without_an_independent_investigation():
    police = factories.organisation("Police", "unit", parent=factories.organisation("Ministry", "ministry"))
    person = factories.person("Died in custody", died_on=dt.date(2012, 3, 3))
    factories.custody(person, apprehended_at=at(2012, 3, 1, 10), apprehended_by=police)
    survivor = factories.person("Released", died_on=dt.date(2012, 3, 20))
    factories.custody(survivor, apprehended_at=at(2012, 3, 1, 10), released_at=at(2012, 3, 5, 10))
    found = check("MANDELA-71-1-REPORT-DEATH-INJURY")
    assert len(found["MANDELA-71-1-REPORT-DEATH-INJURY"]) == 1
    assert "died in custody (3 March 2012)" in found["MANDELA-71-1-REPORT-DEATH-INJURY"][0]


def test_complaints_news_examinations_notifications_and_requests_reach_their_rules():
    episode = factories.custody(factories.person("Prisoner"), apprehended_at=at(2012, 1, 1, 9))
    allegation = factories.saved(Allegation(victim=episode.person, summary="beaten"))
    factories.saved(Complaint(allegation=allegation, lodged_on=dt.date(2012, 2, 1), decided_on=dt.date(2012, 6, 1)))
    factories.saved(
        FamilyNews(custody=episode, kind="death", known_on=dt.date(2012, 5, 1), told_on=dt.date(2012, 5, 9))
    )
    factories.saved(
        MedicalExamination(custody=episode, kind="independent", requested_on=dt.date(2012, 2, 2), performed=False)
    )
    factories.saved(
        Notification(custody=episode, about="death", occurred_on=dt.date(2012, 7, 1), informed_on=dt.date(2012, 7, 5))
    )
    npm = factories.organisation("NPM", "monitor")
    factories.saved(
        InformationRequest(
            body=npm,
            asked_for="Number of detainees",
            requested_on=dt.date(2013, 1, 1),
            refused="the number of detainees",
        )
    )
    found = check(
        "CAT-13-RIGHT-TO-COMPLAIN",
        "MANDELA-70-INFORM-PRISONER-BEREAVEMENT",
        "BOP-24-26-MEDICAL-EXAM-RECORD",
        "MANDELA-69-DEATH-ILLNESS-NOTICE",
        "OPCAT-20-NPM-INFORMATION-ACCESS",
    )
    assert "decided 121 days after it was lodged" in found["CAT-13-RIGHT-TO-COMPLAIN"][0]
    assert "told of a relative's death 8 days after" in found["MANDELA-70-INFORM-PRISONER-BEREAVEMENT"][0]
    assert "requested (2 February 2012) and not done" in found["BOP-24-26-MEDICAL-EXAM-RECORD"][0]
    assert "learned of the death 4 days after it" in found["MANDELA-69-DEATH-ILLNESS-NOTICE"][0]
    assert "refused information" in found["OPCAT-20-NPM-INFORMATION-ACCESS"][0]


def test_an_accused_officer_still_posted_where_the_victim_is_held():
    prison = factories.place("Colony 1")
    episode = factories.custody(factories.person("Victim"))
    factories.saved(Placement(custody=episode, place=prison, started_on=dt.date(2011, 1, 1)))
    guard = factories.person("Guard")
    factories.saved(StaffAssignment(person=guard, place=prison, started_on=dt.date(2010, 1, 1)))
    allegation = factories.saved(
        Allegation(victim=episode.person, custody=episode, summary="beaten", happened_on=dt.date(2012, 1, 1))
    )
    factories.saved(Perpetrator(allegation=allegation, person=guard))
    found = check("MANDELA-71-3-IMPLICATED-STAFF-SEPARATED")
    assert "Guard, accused, stayed posted" in found["MANDELA-71-3-IMPLICATED-STAFF-SEPARATED"][0]
