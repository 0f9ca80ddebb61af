"""Every numeric rule at its threshold: at the limit is no breach, one over is; an uncertain date that
straddles the limit gives 'possible'. Pure: rules evaluated on facts, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.core.dates import Precision
from habeas.standards.engine import Status
from habeas.standards.facts import (
    AllegationFacts,
    ContactFacts,
    CustodyFacts,
    InvestigationSummary,
    MeasureFacts,
    NotificationFacts,
    ReparationFacts,
    StatementFacts,
)
from habeas.standards.rules import CATALOGUE
from habeas.standards.selectors import when
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
        record=("custody.notification", 1), subject="P", about="transfer", occurred=at(0), informed=at(hours)
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
