"""What the real cases showed the engine got wrong: a forensic examination no source speaks of read as one not
done, an examination whose examiner a source does not name read as unrecorded, a forensic examination of the
victim in custody ignored when the allegation is dismissed, and a death in custody left unjudged for want of
its date."""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.cases.models import Allegation, Investigation, InvestigationStep
from habeas.custody.models import MedicalExamination
from habeas.standards.engine import Status
from habeas.standards.facts import DeathInCustodyFacts, ExaminationFacts, InvestigationFacts, InvestigationSummary
from habeas.standards.models import Finding
from habeas.standards.rules import CATALOGUE
from habeas.standards.services import findings_evaluate, profile_get
from tests import factories

PARAMS = profile_get("international").params(dt.date(2012, 1, 1), as_of=dt.datetime(2014, 1, 1, tzinfo=dt.UTC))


def judged(code: str, facts) -> Status | None:
    found = CATALOGUE[code].evaluate(facts, PARAMS)
    return None if found is None else found.status


def dismissed(forensic_done: bool | None) -> InvestigationFacts:
    summary = InvestigationSummary(
        record=("cases.investigation", 1),
        opened=None,
        outcome="no_case",
        body="Prosecutor",
        body_chain=(9,),
        forensic_done=forensic_done,
    )
    return InvestigationFacts(record=("cases.investigation", 1), subject="P", summary=summary)


@pytest.mark.parametrize(("forensic_done", "expected"), [(None, Status.GAP), (False, Status.BREACH), (True, None)])
def test_a_dismissal_without_forensics_is_a_breach_only_when_a_source_says_none_was_done(forensic_done, expected):
    assert judged("IMP-06-DISMISSED-WITHOUT-FORENSIC-EXAM", dismissed(forensic_done)) == expected


def test_an_examination_whose_examiner_and_results_no_source_gives_is_a_question_not_a_breach():
    facts = ExaminationFacts(record=("custody.medicalexamination", 1), subject="P", kind="Forensic", performed=True)
    assert judged("BOP-24-26-MEDICAL-EXAM-RECORD", facts) == Status.GAP


def test_a_death_in_custody_of_unknown_date_investigated_by_the_detaining_agency_is_a_breach():
    facts = DeathInCustodyFacts(
        record=("custody.death", 1),
        subject="P",
        country="KG",
        investigated=True,
        investigation_outcome="no_case",
        investigation_independent=False,
    )
    found = CATALOGUE["ICCPR-06-DEATH-IN-CUSTODY-INVESTIGATED"].evaluate(facts, PARAMS)
    assert found is not None and found.status == Status.BREACH
    assert "date unknown" in found.summary


def test_a_death_in_custody_of_unknown_date_the_family_blames_on_cellmates_must_be_explained():
    facts = DeathInCustodyFacts(
        record=("custody.death", 1),
        subject="P",
        country="KG",
        causes=(("the ministry", "suicide", True), ("the brother", "violence by other detainees", False)),
        investigated=True,
        investigation_outcome="no_case",
    )
    assert judged("ICCPR-06-DEATH-IN-CUSTODY-EXPLAINED", facts) == Status.POSSIBLE


def dismissed_allegation() -> Investigation:
    custody = factories.custody(factories.person("Examined"), apprehended_at=dt.datetime(2012, 3, 1, tzinfo=dt.UTC))
    allegation = factories.saved(Allegation(victim=custody.person, custody=custody, summary="beaten"))
    return factories.saved(
        Investigation(
            allegation=allegation,
            kind="criminal",
            subject="Beating",
            body=factories.organisation("Prosecutor", "prosecutor"),
            outcome="no_case",
        )
    )


def forensic_findings() -> list[str]:
    findings_evaluate(
        profile_name="international",
        codes=["IMP-06-DISMISSED-WITHOUT-FORENSIC-EXAM"],
        now=dt.datetime(2014, 1, 1, tzinfo=dt.UTC),
    )
    return list(Finding.objects.filter(active=True).values_list("status", flat=True))


@pytest.mark.django_db
def test_a_forensic_examination_of_the_victim_in_custody_counts_for_the_dismissed_allegation():
    investigation = dismissed_allegation()
    factories.saved(MedicalExamination(custody=investigation.allegation.custody, kind="forensic", performed=True))
    assert forensic_findings() == []


@pytest.mark.django_db
def test_a_forensic_step_recorded_as_not_taken_makes_the_dismissal_a_breach():
    investigation = dismissed_allegation()
    factories.saved(InvestigationStep(investigation=investigation, kind="forensic", done=False))
    assert forensic_findings() == ["breach"]


@pytest.mark.django_db
def test_a_dismissal_no_source_says_anything_forensic_about_is_a_gap():
    dismissed_allegation()
    assert forensic_findings() == ["gap"]


def test_threats_linked_to_no_complaint_are_a_question_for_the_article_on_complainants():
    from habeas.standards.facts import IntimidationFacts

    warned = IntimidationFacts(
        record=("cases.intimidation", 1),
        subject="P",
        country="TJ",
        forum="domestic",
        role="complainant or alleged victim",
        kind="threats",
        by_officials=True,
        by="district police",
    )
    assert judged("CAT-13-PROTECTION-OF-COMPLAINANTS", warned) == Status.GAP
    complained = IntimidationFacts(**{**warned.__dict__, "complaint": True})
    assert judged("CAT-13-PROTECTION-OF-COMPLAINANTS", complained) == Status.POSSIBLE
