"""On the briefing's records, the Kazakhstan profile finds what Amnesty International argued by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from habeas.registry.services import gazetteer_seed
from habeas.standards.finding_view import FindingView
from habeas.standards.rules import CATALOGUE
from habeas.standards.selectors import findings_for_report
from habeas.standards.services import findings_evaluate
from tests.factories import demo_loaded

AS_OF = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # years after the briefing: its findings are as of its date
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


def cited(finding: FindingView) -> list[str]:
    return list(finding.rules)


def found(findings, rule: str, subject: str) -> list[FindingView]:
    """The findings about a subject that cite a rule (first, or beside a stricter one)."""
    return [f for f in findings if rule in cited(f) and f.subject.startswith(subject)]


def one(findings, rule: str, subject: str, status: str = "breach") -> FindingView:
    matches = [f for f in found(findings, rule, subject) if f.status == status]
    assert matches, f"no {status} of {rule} for {subject}"
    return matches[0]


def test_aron_atabeks_two_years_of_solitary_breach_the_international_and_national_limits_in_one_finding(findings):
    finding = one(findings, "KZ-PEC-SOLITARY-1M-PROSECUTOR", "Aron Atabek")
    # one finding citing both standards, the stricter first, worded with the limit as the standard's own
    assert cited(finding) == ["MANDELA-44-PROLONGED-SOLITARY", "KZ-PEC-SOLITARY-1M-PROSECUTOR"]
    assert finding.rule == "MANDELA-44-PROLONGED-SOLITARY"
    assert "730 consecutive days; the limit set by Nelson Mandela Rules, rule 44 is 15 days" in finding.summary


def test_zhasulan_suleimenovs_solitary_as_a_person_with_a_disability(findings):
    finding = one(findings, "MANDELA-45-SOLITARY-DISABILITY", "Zhasulan Suleimenov")
    assert "more than 335 days" in finding.summary and "disability" in finding.summary
    assert "(paraplegic; uses a wheelchair)" in finding.summary  # sealed with the summary
    assert finding.facts["disabilities"] == ["physical"]  # the facts are stored in clear: the kind only
    assert finding.severity == "critical"


def test_oleg_evloev_is_held_far_from_his_fathers_home_with_one_short_visit_a_year(findings):
    visit = one(findings, "MANDELA-58-FAMILY-CONTACT", "Oleg Evloev")
    assert "once a year, 15 minutes each, supervised" in visit.summary
    distance = one(findings, "KZ-PEC-SERVE-NEAR-RESIDENCE", "Oleg Evloev")
    assert "Astana" in distance.summary and "800 km" in distance.summary
    # the national breach and Mandela 59's possible breach are one finding, the breach first
    assert cited(distance) == ["KZ-PEC-SERVE-NEAR-RESIDENCE", "MANDELA-59-ALLOCATION-NEAR-HOME"]
    assert len(found(findings, "MANDELA-59-ALLOCATION-NEAR-HOME", "Oleg Evloev")) == 1


def test_dmitri_tians_wife_was_not_told_where_he_was_for_two_months(findings):
    finding = one(findings, "MANDELA-68-NOTIFY-FAMILY", "Dmitri Tian")
    assert "Irina Khan" in finding.summary and "32 to 91 days" in finding.summary
    assert sorted(cited(finding)) == ["BOP-16-NOTIFICATION", "MANDELA-68-NOTIFY-FAMILY"]


def test_bazarbai_kenzhebaevs_family_was_never_paid_the_damages(findings):
    finding = one(findings, "CAT-14-REDRESS", "family of Bazarbai Kenzhebaev")
    assert cited(finding) == ["CAT-14-REDRESS", "IMP-05-REPARATION-UNPAID"]  # the treaty before the indicator
    assert "1,000,000 KZT" in finding.summary and "not paid" in finding.summary


def test_the_defendants_allegations_were_investigated_by_the_accused_ministrys_own_service(findings):
    # one failure, one finding: the treaty's rule first, then the guidance and the indicator on the same failure
    [finding] = found(findings, "IMP-02-SAME-AGENCY-INVESTIGATES", "37 defendants")
    assert finding.record.model == "cases.allegation"
    assert cited(finding)[0] == "CAT-12-PROMPT-IMPARTIAL-INVESTIGATION"
    assert {"IP-INDEPENDENCE", "IMP-02-SAME-AGENCY-INVESTIGATES"} <= set(cited(finding))
    assert "Internal Security Service" in finding.summary
    assert found(findings, "IP-INDEPENDENCE", "37 defendants") == [finding]
    # The briefing says only that the inquiry was superficial, not that no forensic examination was done: a
    # question for the researcher, not a breach.
    assert (
        "no source says whether a forensic medical examination was done"
        in one(findings, "IMP-06-DISMISSED-WITHOUT-FORENSIC-EXAM", "37 defendants", status="gap").summary
    )


def test_the_ten_witnesses_retractions_were_never_investigated(findings):
    finding = one(findings, "IMP-03-RETRACTED-CONFESSION-NOT-INVESTIGATED", "Ten prosecution witnesses")
    assert "no investigation" in finding.summary


def test_roza_tuletaevas_torture_is_an_alleged_violation_and_its_investigation_a_question(findings):
    alleged = one(findings, "CAT-1-2-ALLEGED-TORTURE", "Roza Tuletaeva", status="alleged")
    assert "for a reviewer to confirm" in alleged.summary
    # the briefing does not say whether her claims were investigated (the authorities say all were): a gap
    investigation = one(findings, "CAT-12-PROMPT-IMPARTIAL-INVESTIGATION", "Roza Tuletaeva", status="gap")
    assert "no source says whether an investigation was opened" in investigation.summary
    assert "as of July 2013" in investigation.summary  # the briefing's date, not the day of the check
    one(findings, "KZ-SC-NR7-2009-VERIFY-TORTURE-CLAIMS", "Roza Tuletaeva", status="gap")


def test_the_resolution_of_december_2009_is_not_applied_to_the_trial_of_june_2009(findings):
    assert not found(findings, "KZ-SC-NR7-2009-VERIFY-TORTURE-CLAIMS", "Dmitri Tian")
    assert not found(findings, "KZ-SC-NR7-2009-VERIFY-TORTURE-CLAIMS", "Oleg Evloev")


def test_one_finding_per_allegation_whose_investigation_a_source_says_was_never_opened(findings):
    (finding,) = found(findings, "CAT-12-PROMPT-IMPARTIAL-INVESTIGATION", "Oleg Evloev")
    assert finding.status == "breach"
    assert sorted(cited(finding)) == [
        "CAT-12-PROMPT-IMPARTIAL-INVESTIGATION",
        "IMP-01-NO-INVESTIGATION-WITHIN-N-DAYS",
        "IP-PROMPT-INVESTIGATION",
        "MANDELA-71-2-REPORT-TORTURE-WITHOUT-COMPLAINT",
    ]
    assert "Habeas's working threshold" in finding.summary and "gives no number" in finding.summary


def test_every_finding_cites_the_briefing_and_its_standard(findings):
    assert findings
    for finding in findings:
        assert finding.standard.startswith(CATALOGUE[finding.rule].citation)  # the lead rule's standard first
        assert any(source.key == "amnesty-2013" and source.section for source in finding.sources), finding
