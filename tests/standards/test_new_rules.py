"""The rules on deaths in custody, safeguards, reprisals, courts, penalties and redress: a breach or a possible breach
only where a source states the facts, nothing where none does, and nothing before the treaty was in force for the
state where the facts happened, or in a state not party to it."""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.cases.models import Allegation, Charge, Complaint, Reparation, Sentence
from habeas.cases.services_records import intimidation_record, torture_claim_ruling_record
from habeas.core.wording import english
from habeas.custody.services import death_cause_add, death_record, safeguards_record
from habeas.evidence.models import Source
from habeas.monitoring.models import Visit
from habeas.standards.engine import Params, Status
from habeas.standards.facts import (
    CourtClaimFacts,
    DeathInCustodyFacts,
    IntimidationFacts,
    PenaltyFacts,
    RedressFacts,
    SafeguardFacts,
    When,
)
from habeas.standards.rules import CATALOGUE
from habeas.standards.services import evaluate, profile_get
from tests import factories

PARAMS = Params(profile="international", values={})
DAY = When(dt.date(2010, 3, 1), dt.date(2010, 3, 1), dt.date(2010, 3, 1), "day")
BASE = {"record": ("x.y", 1), "subject": "A", "on": dt.date(2010, 3, 1)}


def run(code: str, facts):
    return CATALOGUE[code].evaluate(facts, PARAMS)


# -- pure rules --------------------------------------------------------------------------------------------------


def test_a_death_with_no_investigation_stated_is_a_breach_and_an_unstated_one_is_nothing():
    stated = run("ICCPR-06-DEATH-IN-CUSTODY-INVESTIGATED", DeathInCustodyFacts(**BASE, died=DAY, investigated=False))
    assert stated.status == Status.BREACH
    assert "no investigation was opened" in english(stated.wording)
    assert run("ICCPR-06-DEATH-IN-CUSTODY-INVESTIGATED", DeathInCustodyFacts(**BASE, died=DAY)) is None


def test_a_death_investigated_by_the_detaining_agency_is_a_breach():
    facts = DeathInCustodyFacts(**BASE, died=DAY, investigated=True, investigation_independent=False)
    assert run("ICCPR-06-DEATH-IN-CUSTODY-INVESTIGATED", facts).status == Status.BREACH


def test_a_death_the_family_attributes_to_violence_against_the_official_suicide_is_possible_until_established():
    causes = (("the prison", "suicide", True), ("the family", "violence by officials", False))
    found = run("ICCPR-06-DEATH-IN-CUSTODY-EXPLAINED", DeathInCustodyFacts(**BASE, died=DAY, causes=causes))
    assert found.status == Status.POSSIBLE
    assert "the family: violence by officials" in english(found.wording)
    assert "the prison: suicide" in english(found.wording)
    settled = DeathInCustodyFacts(**BASE, died=DAY, causes=causes, investigated=True, investigation_outcome="charges")
    assert run("ICCPR-06-DEATH-IN-CUSTODY-EXPLAINED", settled) is None
    natural = DeathInCustodyFacts(**BASE, died=DAY, causes=(("the prison", "illness or natural causes", True),))
    assert run("ICCPR-06-DEATH-IN-CUSTODY-EXPLAINED", natural) is None


def test_the_authorities_own_account_of_violence_by_officials_is_a_breach():
    causes = (("the prosecutor", "violence by officials", True),)
    found = run("ICCPR-06-DEATH-IN-CUSTODY-EXPLAINED", DeathInCustodyFacts(**BASE, died=DAY, causes=causes))
    assert found.status == Status.BREACH


@pytest.mark.parametrize(
    ("code", "stated", "unstated"),
    [
        ("ICCPR-09-2-REASONS-AT-ARREST", {"reasons_told": False}, {"reasons_told": None}),
        ("BOP-17-18-ACCESS-TO-LAWYER", {"lawyer_requested": True, "lawyer_granted": False}, {"lawyer_requested": True}),
        (
            "CAT-GC2-13-INDEPENDENT-DOCTOR",
            {"doctor_requested": True, "doctor_examined": False},
            {"doctor_examined": False},
        ),
        ("CAT-GC2-13-OFFICIAL-REGISTER", {"registered": False}, {"registered": True}),
    ],
)
def test_a_safeguard_a_source_says_was_refused_is_a_breach_and_one_no_source_mentions_is_nothing(
    code, stated, unstated
):
    assert run(code, SafeguardFacts(**BASE, apprehended=DAY, **stated)).status == Status.BREACH
    assert run(code, SafeguardFacts(**BASE, apprehended=DAY, **unstated)) is None


def test_custody_under_no_legal_basis_is_a_breach_and_an_unrecorded_invitation_possible():
    none = SafeguardFacts(**BASE, apprehended=DAY, stages=(("none", DAY),))
    invited = SafeguardFacts(**BASE, apprehended=DAY, stages=(("invitation", DAY), ("admin", DAY)))
    assert run("CAT-GC2-13-OFFICIAL-REGISTER", none).status == Status.BREACH
    assert run("CAT-GC2-13-OFFICIAL-REGISTER", invited).status == Status.POSSIBLE


def test_intimidation_by_officials_is_a_breach_once_established_and_possible_before():
    facts = IntimidationFacts(**BASE, forum="domestic", by_officials=True, role="witness", kind="threats", happened=DAY)
    assert run("CAT-13-PROTECTION-OF-COMPLAINANTS", facts).status == Status.POSSIBLE
    established = IntimidationFacts(**{**facts.__dict__, "established": True})
    assert run("CAT-13-PROTECTION-OF-COMPLAINANTS", established).status == Status.BREACH
    assert run("OPCAT-21-NO-REPRISALS", facts) is None  # another forum
    private = IntimidationFacts(**{**facts.__dict__, "by_officials": None})
    assert run("CAT-13-PROTECTION-OF-COMPLAINANTS", private) is None


def test_pressure_over_a_communication_falls_under_the_procedure_it_was_brought_under():
    facts = IntimidationFacts(**BASE, forum="hrc", by_officials=True, role="complainant", kind="withdraw")
    assert run("OP-ICCPR-01-NO-PRESSURE-ON-COMMUNICATION", facts).status == Status.POSSIBLE
    assert run("CAT-22-NO-PRESSURE-ON-COMMUNICATION", facts) is None


def test_a_court_that_did_not_examine_a_torture_claim_is_a_breach():
    assert run("CAT-15-COURT-EXAMINES-TORTURE-CLAIM", CourtClaimFacts(**BASE, examined=False)).status == Status.BREACH
    assert run("CAT-15-COURT-EXAMINES-TORTURE-CLAIM", CourtClaimFacts(**BASE, examined=True)) is None
    assert run("CAT-15-COURT-EXAMINES-TORTURE-CLAIM", CourtClaimFacts(**BASE)) is None


def test_a_fine_for_torture_is_a_breach_and_a_lesser_qualification_possible():
    torture = PenaltyFacts(
        **BASE, decided=DAY, charges=(("torture", "art. 146", "torture", True),), sentences=(("fine", None),)
    )
    found = run("CAT-04-2-COMMENSURATE-PENALTIES", torture)
    assert found.status == Status.BREACH
    assert "a fine" in english(found.wording)
    prison = PenaltyFacts(**{**torture.__dict__, "sentences": (("prison", 60),)})
    assert run("CAT-04-2-COMMENSURATE-PENALTIES", prison) is None
    lesser = PenaltyFacts(
        **BASE, decided=DAY, charges=(("abuse", "art. 362", "abuse", True),), sentences=(("suspended", 24),)
    )
    assert run("CAT-04-2-COMMENSURATE-PENALTIES", lesser).status == Status.POSSIBLE
    unrelated = PenaltyFacts(
        **BASE, decided=DAY, charges=(("abuse", "art. 362", "abuse", False),), sentences=(("fine", None),)
    )
    assert run("CAT-04-2-COMMENSURATE-PENALTIES", unrelated) is None


def test_redress_refused_after_a_conviction_is_a_breach_and_without_an_established_finding_nothing():
    refused = RedressFacts(**BASE, kind="moral damages", refused=DAY, convicted=DAY)
    assert run("CAT-14-REDRESS-GIVEN", refused).status == Status.BREACH
    assert run("CAT-14-REDRESS-GIVEN", RedressFacts(**BASE, kind="moral damages", refused=DAY)) is None


# -- through the database: applicability by state and date ---------------------------------------------------------


def check(codes: list[str]) -> list[tuple[str, str]]:
    profile = profile_get("international")
    rules = [CATALOGUE[c] for c in codes]
    results = evaluate(profile, rules, now=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    return sorted((r.rule.code, r.outcome.status.value) for r in results)


def prison_in(country: str):
    return factories.place("Colony", locality=factories.locality(f"Town {country}", country=country))


@pytest.mark.django_db
def test_a_reprisal_against_someone_who_spoke_to_monitors_counts_only_once_opcat_was_in_force_for_the_state():
    admin = factories.superuser()
    prison = prison_in("KZ")
    for year in (2007, 2010):
        visit = factories.saved(Visit(place=prison, visited_on=dt.date(year, 5, 1)))
        intimidation_record(
            user=admin,
            target=factories.person(f"Prisoner {year}"),
            role="interviewee",
            kind="sanction",
            forum="monitors",
            visit=visit,
            by_officials=True,
            happened_on=dt.date(year, 5, 2),
        )
    found = check(["OPCAT-21-NO-REPRISALS"])
    assert found == [
        ("OPCAT-21-NO-REPRISALS", "possible")
    ]  # 2010 only: OPCAT in force for Kazakhstan from 21 November 2008


@pytest.mark.django_db
def test_no_finding_from_a_treaty_in_a_state_not_party_to_it():
    admin = factories.superuser()
    visit = factories.saved(Visit(place=prison_in("RU"), visited_on=dt.date(2015, 5, 1)))
    intimidation_record(
        user=admin,
        target=factories.person("Prisoner"),
        role="interviewee",
        kind="violence",
        forum="monitors",
        visit=visit,
        by_officials=True,
        established=True,
        happened_on=dt.date(2015, 5, 2),
    )
    assert check(["OPCAT-21-NO-REPRISALS"]) == []


@pytest.mark.django_db
def test_a_death_in_custody_in_kazakhstan_with_no_investigation_is_found_after_the_iccpr_entered_into_force():
    admin = factories.superuser()
    for year in (2005, 2011):
        custody = factories.custody(
            factories.person(f"Detainee {year}"),
            apprehended_at=dt.datetime(year, 12, 16, 14, 0, tzinfo=dt.UTC),
        )
        death = death_record(
            user=admin,
            custody=custody,
            died_at=dt.datetime(year, 12, 16, tzinfo=dt.UTC),
            died_at_precision="day",
            place=prison_in("KZ")
            if year == 2005
            else factories.place("Pre-trial centre", locality=factories.locality("Zhanaozen", country="KZ")),
            investigated=False,
        )
        source = Source.objects.create(key=f"report-{year}", title="Report", kind="document")
        death_cause_add(user=admin, death=death, source=source, stated_by="the family", kind="officials")
    found = check(["ICCPR-06-DEATH-IN-CUSTODY-INVESTIGATED", "ICCPR-06-DEATH-IN-CUSTODY-EXPLAINED"])
    assert found == [
        ("ICCPR-06-DEATH-IN-CUSTODY-EXPLAINED", "possible"),
        ("ICCPR-06-DEATH-IN-CUSTODY-INVESTIGATED", "breach"),
    ]  # the death of 2005 came before the Covenant entered into force for Kazakhstan (24 April 2006)


@pytest.mark.django_db
def test_safeguards_court_penalty_and_redress_are_found_from_stated_facts_only():
    admin = factories.superuser()
    town = factories.locality("Almaty", country="KZ")
    court = factories.organisation("District court", kind="court", locality=town)
    told = factories.custody(factories.person("Told"), apprehended_at=dt.datetime(2012, 1, 1, 10, tzinfo=dt.UTC))
    refused = factories.custody(
        factories.person("Refused"), apprehended_at=dt.datetime(2012, 1, 1, 10, tzinfo=dt.UTC), apprehended_in=town
    )
    safeguards_record(user=admin, custody=refused, lawyer_requested=True, lawyer_granted=False)
    victim = factories.person("Victim")
    allegation = factories.saved(Allegation(victim=victim, summary="beaten", happened_on=dt.date(2012, 1, 1)))
    verdict = factories.verdict(decided_on=dt.date(2013, 6, 1))
    verdict.proceeding.court = court
    verdict.proceeding.save()
    factories.saved(
        Charge(
            proceeding=verdict.proceeding,
            defendant=verdict.defendant,
            offence="torture",
            article="art. 146",
            qualification="torture",
            allegation=allegation,
        )
    )
    factories.saved(Sentence(verdict=verdict, kind="suspended", months=24))
    torture_claim_ruling_record(
        user=admin, proceeding=verdict.proceeding, examined=False, raised_on=dt.date(2013, 5, 1)
    )
    factories.saved(
        Reparation(
            allegation=allegation, beneficiary=victim, kind="moral", status="denied", status_on=dt.date(2014, 1, 1)
        )
    )
    factories.saved(Complaint(allegation=allegation, outcome="pending"))
    found = check(
        [
            "BOP-17-18-ACCESS-TO-LAWYER",
            "CAT-15-COURT-EXAMINES-TORTURE-CLAIM",
            "CAT-04-2-COMMENSURATE-PENALTIES",
            "CAT-14-REDRESS-GIVEN",
        ]
    )
    assert found == [
        ("BOP-17-18-ACCESS-TO-LAWYER", "breach"),
        ("CAT-04-2-COMMENSURATE-PENALTIES", "breach"),
        ("CAT-14-REDRESS-GIVEN", "breach"),
        ("CAT-15-COURT-EXAMINES-TORTURE-CLAIM", "breach"),
    ]
    assert told.pk  # an episode with no safeguard stated gives nothing
