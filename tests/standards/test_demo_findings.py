"""On the briefing's records, the Kazakhstan profile finds what Amnesty International argued by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from habeas.registry.services import gazetteer_seed
from habeas.standards.selectors import findings_for_report
from habeas.standards.services import findings_evaluate
from tests.factories import demo_loaded

AS_OF = dt.datetime(2013, 7, 1, tzinfo=dt.UTC)  # the briefing's publication
pytestmark = pytest.mark.django_db  # so that pytest-django sets up the test database for the module fixture


@pytest.fixture(scope="module")
def findings(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        gazetteer_seed(country="KZ")
        demo_loaded()
        findings_evaluate(profile_name="kz", now=AS_OF)
        rows = findings_for_report("kz")
        transaction.set_rollback(True)
    return rows


def found(findings, rule: str, subject: str) -> list[dict]:
    return [f for f in findings if f["rule"] == rule and f["subject"].startswith(subject)]


def one(findings, rule: str, subject: str, status: str = "breach") -> dict:
    matches = [f for f in found(findings, rule, subject) if f["status"] == status]
    assert matches, f"no {status} of {rule} for {subject}"
    return matches[0]


def test_aron_atabeks_two_years_of_solitary_breach_the_international_and_national_limits(findings):
    international = one(findings, "MANDELA-44-PROLONGED-SOLITARY", "Aron Atabek")
    national = one(findings, "KZ-PEC-SOLITARY-1M-PROSECUTOR", "Aron Atabek")
    assert "730 consecutive days; the limit is 15 days" in " ".join(
        f["summary"] for f in found(findings, "MANDELA-44-PROLONGED-SOLITARY", "Aron Atabek")
    )
    assert "the national limit is 30 days" in national["summary"]
    assert international["prevails"] and not national["prevails"]  # the stricter standard wins; both kept


def test_zhasulan_suleimenovs_solitary_as_a_person_with_a_disability(findings):
    finding = one(findings, "MANDELA-45-SOLITARY-DISABILITY", "Zhasulan Suleimenov")
    assert "more than 335 days" in finding["summary"] and "disability" in finding["summary"]
    assert "(paraplegic; uses a wheelchair)" in finding["summary"]  # sealed with the summary
    assert finding["facts"]["disabilities"] == ["physical"]  # the facts are stored in clear: the kind only
    assert finding["severity"] == "critical"


def test_oleg_evloev_is_held_far_from_his_fathers_home_with_one_short_visit_a_year(findings):
    visit = one(findings, "MANDELA-58-FAMILY-CONTACT", "Oleg Evloev")
    assert "once a year, 15 minutes each, supervised" in visit["summary"]
    distance = one(findings, "KZ-PEC-SERVE-NEAR-RESIDENCE", "Oleg Evloev")
    assert "Astana" in distance["summary"] and "800 km" in distance["summary"]
    one(findings, "MANDELA-59-ALLOCATION-NEAR-HOME", "Oleg Evloev", status="possible")
    assert len(found(findings, "KZ-PEC-SERVE-NEAR-RESIDENCE", "Oleg Evloev")) == 1


def test_dmitri_tians_wife_was_not_told_where_he_was_for_two_months(findings):
    finding = one(findings, "MANDELA-68-NOTIFY-FAMILY", "Dmitri Tian")
    assert "Irina Khan" in finding["summary"] and "32 to 91 days" in finding["summary"]
    one(findings, "BOP-16-NOTIFICATION", "Dmitri Tian")


def test_bazarbai_kenzhebaevs_family_was_never_paid_the_damages(findings):
    for rule in ("CAT-14-REDRESS", "IMP-05-REPARATION-UNPAID"):
        finding = one(findings, rule, "family of Bazarbai Kenzhebaev")
        assert "1,000,000 KZT" in finding["summary"] and "not paid" in finding["summary"]


def test_the_defendants_allegations_were_investigated_by_the_accused_ministrys_own_service(findings):
    for rule in ("IMP-02-SAME-AGENCY-INVESTIGATES", "IP-INDEPENDENCE"):
        finding = one(findings, rule, "37 defendants")
        assert "Internal Security Service" in finding["summary"]
    assert (
        "Internal Security Service"
        in one(findings, "CAT-12-PROMPT-IMPARTIAL-INVESTIGATION", "37 defendants")["summary"]
    )
    one(findings, "IMP-06-DISMISSED-WITHOUT-FORENSIC-EXAM", "37 defendants")


def test_the_ten_witnesses_retractions_were_never_investigated(findings):
    finding = one(findings, "IMP-03-RETRACTED-CONFESSION-NOT-INVESTIGATED", "Ten prosecution witnesses")
    assert "no investigation" in finding["summary"]


def test_roza_tuletaevas_allegations_in_court(findings):
    one(findings, "KZ-SC-NR7-2009-VERIFY-TORTURE-CLAIMS", "Roza Tuletaeva")
    one(findings, "CAT-12-PROMPT-IMPARTIAL-INVESTIGATION", "Roza Tuletaeva")


def test_every_finding_cites_the_briefing_and_its_standard(findings):
    assert findings
    for finding in findings:
        assert finding["standard"]
        assert any(source["key"] == "amnesty-2013" and source["section"] for source in finding["sources"]), finding
