"""Every numeric rule at its threshold: at the limit is no breach, one over is; an uncertain date that
straddles the limit gives 'possible'. Pure: rules evaluated on facts, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.core.dates import Precision
from habeas.standards.engine import Status
from habeas.standards.facts import (
    AllegationFacts,
    ComplaintFacts,
    ContactFacts,
    CustodyFacts,
    DeathFacts,
    ExaminationFacts,
    FamilyNewsFacts,
    InformationRequestFacts,
    InvestigationSummary,
    MeasureFacts,
    NotificationFacts,
    ReparationFacts,
    StatementFacts,
)
from habeas.standards.gather.common import when
from habeas.standards.rules import CATALOGUE
from habeas.standards.services import profile_get

KZ = profile_get("kz")


def params(on: dt.date | None = None, as_of: dt.datetime | None = None):
    return KZ.params(on, as_of=as_of or dt.datetime(2013, 7, 1, tzinfo=dt.UTC))


def day(y: int, m: int, d: int, precision: str = Precision.DAY):
    return when(dt.date(y, m, d), precision)


def at(hours_after: float, precision: str = Precision.EXACT):
    start = dt.datetime(2019, 3, 1, 8, 0, tzinfo=dt.UTC)
    return when(start + dt.timedelta(hours=hours_after), precision)


def status(code: str, facts, on=None, as_of=None):
    found = CATALOGUE[code].evaluate(facts, params(on, as_of))
    return None if found is None else found.status


def solitary(start, end, **extra) -> MeasureFacts:
    extra.setdefault("kind", "solitary")
    return MeasureFacts(record=("custody.restrictivemeasure", 1), subject="P", start=start, end=end, **extra)


@pytest.mark.parametrize(("days", "expected"), [(15, None), (16, Status.BREACH)])
def test_fifteen_days_of_solitary_is_no_breach_and_sixteen_is(days, expected):
    start = dt.date(2012, 1, 1)
    facts = solitary(day(2012, 1, 1), when(start + dt.timedelta(days=days), Precision.DAY))
    assert status("MANDELA-44-PROLONGED-SOLITARY", facts) == expected


def test_a_month_precise_start_that_straddles_the_limit_gives_possible():
    facts = solitary(day(2012, 1, 1, Precision.MONTH), day(2012, 1, 25))
    found = CATALOGUE["MANDELA-44-PROLONGED-SOLITARY"].evaluate(facts, params())
    assert found is not None and found.status == Status.POSSIBLE
    assert "0 to 24 consecutive days" in found.summary


def test_solitary_is_judged_by_what_it_is_not_by_its_name():
    isolated = solitary(
        day(2012, 1, 1),
        day(2012, 3, 1),
        kind="other",
        name_used="quarantine cell",
        hours_per_day=23,
        meaningful_contact=False,
    )
    assert status("MANDELA-44-PROLONGED-SOLITARY", isolated) == Status.BREACH
    with_contact = solitary(day(2012, 1, 1), day(2012, 3, 1), meaningful_contact=True)
    assert status("MANDELA-44-PROLONGED-SOLITARY", with_contact) is None
    few_hours = solitary(day(2012, 1, 1), day(2012, 3, 1), hours_per_day=21)
    assert status("MANDELA-44-PROLONGED-SOLITARY", few_hours) is None


@pytest.mark.parametrize(
    ("days", "extension", "expected"),
    [
        (30, False, None),
        (31, False, Status.BREACH),
        (45, True, None),
        (60, True, None),
        (61, True, Status.BREACH),
    ],
)
def test_the_national_limit_is_a_month_and_a_second_only_with_a_prosecutor(days, extension, expected):
    facts = solitary(
        day(2012, 1, 1),
        when(dt.date(2012, 1, 1) + dt.timedelta(days=days), Precision.DAY),
        disciplinary=True,
        prosecutor_extension=extension,
    )
    assert status("KZ-PEC-SOLITARY-1M-PROSECUTOR", facts) == expected


def test_a_stated_minimum_counts_when_the_dates_are_unknown():
    facts = MeasureFacts(record=("custody.restrictivemeasure", 1), subject="P", kind="solitary", min_days=335)
    assert status("MANDELA-44-PROLONGED-SOLITARY", facts) == Status.BREACH


@pytest.mark.parametrize(("hours", "expected"), [(48, None), (49, Status.BREACH)])
def test_48_hours_before_a_judge_is_no_breach_and_49_is(hours, expected):
    facts = CustodyFacts(record=("custody.custodyepisode", 1), subject="P", apprehended=at(0), first_judge=at(hours))
    assert status("ICCPR-09-3-PROMPT-JUDGE-48H", facts) == expected


def test_a_day_precise_appearance_that_straddles_48_hours_gives_possible():
    facts = CustodyFacts(
        record=("custody.custodyepisode", 1),
        subject="P",
        apprehended=at(0),
        first_judge=at(40, Precision.DAY),
    )
    assert status("ICCPR-09-3-PROMPT-JUDGE-48H", facts) == Status.POSSIBLE


@pytest.mark.parametrize(
    ("on", "hours", "expected"),
    [
        (dt.date(2015, 5, 1), 72, None),
        (dt.date(2015, 5, 1), 73, Status.BREACH),
        (dt.date(2019, 3, 1), 48, None),
        (dt.date(2019, 3, 1), 49, Status.BREACH),
    ],
)
def test_the_national_custody_limit_follows_the_law_in_force_at_the_time(on, hours, expected):
    facts = CustodyFacts(
        record=("custody.custodyepisode", 1), subject="P", on=on, apprehended=at(0), first_judge=at(hours)
    )
    assert status("KZ-CPC-DETENTION-48H", facts, on=on) == expected


@pytest.mark.parametrize(("every_days", "expected"), [(30, None), (31, Status.BREACH)])
def test_family_contact_at_most_every_30_days(every_days, expected):
    facts = ContactFacts(record=("custody.familycontact", 1), subject="P", kind="visit", every_days=every_days)
    assert status("MANDELA-58-FAMILY-CONTACT", facts) == expected


@pytest.mark.parametrize(("hours", "expected"), [(24, None), (25, Status.BREACH)])
def test_the_family_is_told_within_24_hours(hours, expected):
    facts = NotificationFacts(
        record=("custody.notification", 1),
        subject="P",
        about="transfer",
        about_code="transfer",
        occurred=at(0),
        informed=at(hours),
    )
    assert status("MANDELA-68-NOTIFY-FAMILY", facts) == expected


def investigation(opened_days_after: int, outcome: str = "no_case") -> InvestigationSummary:
    return InvestigationSummary(
        record=("cases.investigation", 1),
        opened=when(dt.date(2012, 3, 1) + dt.timedelta(days=opened_days_after), "day"),
        outcome=outcome,
        body="Prosecutor",
        body_chain=(9,),
        forensic_done=True,
    )


@pytest.mark.parametrize(("days", "expected"), [(7, None), (8, Status.BREACH)])
def test_an_investigation_opens_within_seven_days_of_the_allegation(days, expected):
    facts = AllegationFacts(
        record=("cases.allegation", 1),
        subject="P",
        raised=day(2012, 3, 1),
        perpetrator_chains=((1, 2),),
        investigations=(investigation(days),),
    )
    assert status("CAT-12-PROMPT-IMPARTIAL-INVESTIGATION", facts) == expected


def test_an_investigation_by_the_perpetrators_own_ministry_is_not_impartial():
    own = InvestigationSummary(
        record=("cases.investigation", 1),
        opened=day(2012, 3, 2),
        outcome="no_case",
        body="Internal Security Service",
        body_chain=(5, 2),
        forensic_done=False,
    )
    facts = AllegationFacts(
        record=("cases.allegation", 1),
        subject="P",
        raised=day(2012, 3, 1),
        perpetrator_chains=((7, 3, 2),),
        perpetrators="police",
        investigations=(own,),
    )
    found = CATALOGUE["CAT-12-PROMPT-IMPARTIAL-INVESTIGATION"].evaluate(facts, params())
    assert found is not None and found.status == Status.BREACH
    assert "Internal Security Service" in found.summary


@pytest.mark.parametrize(("days", "expected"), [(10, None), (11, Status.BREACH)])
def test_a_retraction_alleging_torture_is_investigated_within_ten_days(days, expected):
    facts = StatementFacts(
        record=("cases.statement", 1),
        subject="P",
        kind="confession",
        retracted=day(2012, 3, 1),
        coercion_alleged=True,
        investigations=(investigation(days),),
    )
    assert status("IMP-03-RETRACTED-CONFESSION-NOT-INVESTIGATED", facts) == expected


@pytest.mark.parametrize(("days", "expected"), [(90, None), (91, Status.BREACH)])
def test_reparation_is_paid_within_ninety_days(days, expected):
    facts = ReparationFacts(
        record=("cases.reparation", 1),
        subject="P",
        kind="moral damages",
        ordered=day(2012, 5, 17),
        status="unpaid",
        amount="1 KZT",
        as_of=when(dt.date(2012, 5, 17) + dt.timedelta(days=days), "day"),
    )
    assert status("CAT-14-REDRESS", facts) == expected


def test_notice_of_a_death_falls_under_rule_69_not_rule_68():
    facts = NotificationFacts(
        record=("custody.notification", 1),
        subject="P",
        about="death",
        about_code="death",
        occurred=at(0),
        informed=at(30),
    )
    assert status("MANDELA-69-DEATH-ILLNESS-NOTICE", facts) == Status.BREACH
    assert status("MANDELA-68-NOTIFY-FAMILY", facts) is None
    assert status("BOP-16-NOTIFICATION", facts) is None


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"cell_lighting": "constant"}, Status.BREACH),
        ({"diet_reduced": True}, Status.BREACH),
        ({"collective": True}, Status.BREACH),
        ({"cell_lighting": "normal", "diet_reduced": False}, None),
    ],
)
def test_dark_or_lit_cells_reduced_diet_and_collective_punishment_are_prohibited(extra, expected):
    facts = solitary(day(2012, 1, 1), day(2012, 1, 5), **extra)
    assert status("MANDELA-43-PROHIBITED-SANCTIONS", facts) == expected


def test_restraints_as_a_punishment_are_prohibited():
    restraint = solitary(None, None, kind="restraints", disciplinary=True)
    assert status("MANDELA-43-RESTRAINTS-AS-SANCTION", restraint) == Status.BREACH
    assert status("MANDELA-43-RESTRAINTS-AS-SANCTION", solitary(None, None, kind="restraints")) is None


def test_solitary_safeguards_breach_by_sentence_and_are_a_gap_when_no_source_states_them():
    base = {"authorised_by_known": True, "reasons_given": True}
    assert status("MANDELA-45-SOLITARY-SAFEGUARDS", solitary(None, None, by_sentence=True, **base)) == Status.BREACH
    assert (
        status("MANDELA-45-SOLITARY-SAFEGUARDS", solitary(None, None, independent_review=False, **base))
        == Status.BREACH
    )
    assert status("MANDELA-45-SOLITARY-SAFEGUARDS", solitary(None, None, **base)) == Status.GAP
    assert status("MANDELA-45-SOLITARY-SAFEGUARDS", solitary(None, None, independent_review=True, **base)) is None


def test_solitary_of_a_child_is_flagged_for_the_havana_rules():
    child = solitary(day(2012, 1, 1), day(2012, 1, 3), born=day(2000, 6, 1))
    adult = solitary(day(2012, 1, 1), day(2012, 1, 3), born=day(1980, 6, 1))
    assert status("MANDELA-45-SOLITARY-WOMEN-CHILDREN", child) == Status.POSSIBLE
    assert status("MANDELA-45-SOLITARY-WOMEN-CHILDREN", adult) is None
    assert status("MANDELA-45-SOLITARY-WOMEN-CHILDREN", solitary(None, None, sex="f")) == Status.POSSIBLE


def test_separation_without_daily_health_visits():
    assert (
        status("MANDELA-46-HEALTH-VISITS-IN-SEPARATION", solitary(None, None, daily_health_visits=False))
        == Status.BREACH
    )
    assert status("MANDELA-46-HEALTH-VISITS-IN-SEPARATION", solitary(None, None)) is None


@pytest.mark.parametrize(("hours", "expected"), [(24, None), (25, Status.BREACH)])
def test_a_prisoner_is_told_of_a_relatives_death_within_24_hours(hours, expected):
    facts = FamilyNewsFacts(record=("custody.familynews", 1), subject="P", kind="Death", known=at(0), told=at(hours))
    assert status("MANDELA-70-INFORM-PRISONER-BEREAVEMENT", facts) == expected


@pytest.mark.parametrize(("days", "expected"), [(30, None), (31, Status.BREACH)])
def test_a_complaint_is_examined_within_30_days(days, expected):
    facts = ComplaintFacts(
        record=("cases.complaint", 1),
        subject="P",
        lodged=day(2012, 3, 1),
        decided=when(dt.date(2012, 3, 1) + dt.timedelta(days=days), "day"),
    )
    assert status("CAT-13-RIGHT-TO-COMPLAIN", facts) == expected


def test_an_independent_examination_requested_and_not_done():
    refused = ExaminationFacts(
        record=("custody.medicalexamination", 1),
        subject="P",
        kind="Independent",
        requested=day(2012, 3, 1),
        performed=False,
    )
    assert status("BOP-24-26-MEDICAL-EXAM-RECORD", refused) == Status.BREACH
    unrequested = ExaminationFacts(
        record=("custody.medicalexamination", 1), subject="P", kind="Independent", performed=False
    )
    assert status("BOP-24-26-MEDICAL-EXAM-RECORD", unrequested) is None


@pytest.mark.parametrize(("hours", "expected"), [(24, None), (48, Status.BREACH)])
def test_a_death_in_custody_is_investigated_independently_within_24_hours(hours, expected):
    independent = InvestigationSummary(
        record=("cases.investigation", 1),
        opened=when(dt.datetime(2012, 3, 1, tzinfo=dt.UTC) + dt.timedelta(hours=hours), "exact"),
        outcome="open",
        body="Prosecutor",
        body_chain=(9,),
        forensic_done=True,
    )
    facts = DeathFacts(
        record=("registry.person", 1),
        subject="P",
        died=when(dt.datetime(2012, 3, 1, tzinfo=dt.UTC), "exact"),
        authority_chain=(3, 2),
        investigations=(independent,),
    )
    assert status("MANDELA-71-1-REPORT-DEATH-INJURY", facts) == expected


def test_an_accused_officer_left_where_the_victim_is_held():
    facts = AllegationFacts(
        record=("cases.allegation", 1),
        subject="P",
        raised=day(2012, 3, 1),
        victim_places=(4,),
        perpetrator_postings=(("Officer X", 4, day(2010, 1, 1), None),),
    )
    assert status("MANDELA-71-3-IMPLICATED-STAFF-SEPARATED", facts) == Status.BREACH
    moved = AllegationFacts(
        record=("cases.allegation", 1),
        subject="P",
        raised=day(2012, 3, 1),
        victim_places=(4,),
        perpetrator_postings=(("Officer X", 4, day(2010, 1, 1), day(2012, 3, 1)),),
    )
    assert status("MANDELA-71-3-IMPLICATED-STAFF-SEPARATED", moved) is None


@pytest.mark.parametrize(("days", "expected"), [(30, None), (31, Status.BREACH)])
def test_a_monitors_request_for_information_is_answered_within_30_days(days, expected):
    facts = InformationRequestFacts(
        record=("monitoring.informationrequest", 1),
        subject="MIA",
        body="NPM",
        requested=day(2014, 5, 1),
        answered=when(dt.date(2014, 5, 1) + dt.timedelta(days=days), "day"),
    )
    assert status("OPCAT-20-NPM-INFORMATION-ACCESS", facts) == expected
