"""The causes of what the engine missed on the real cases, each fixed where it lay: redress denied by an investigation
closed with no one tried (CAT General Comment No. 3, para. 17), charges against officials dropped (CAT arts. 4 and
12), and one failure of independence judged once, on the allegation, under every standard that judges it."""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.cases.models import Allegation, Investigation, InvestigationStep, Reparation
from habeas.core.wording import english
from habeas.standards.engine import Params, Status
from habeas.standards.facts import AllegationFacts, InvestigationFacts, InvestigationSummary
from habeas.standards.gather.cases import allegations, investigations
from habeas.standards.gather.common import Context
from habeas.standards.rules import CATALOGUE
from habeas.standards.services import Result, folded, profile_get
from tests import factories

PARAMS = Params(profile="international", values={})


def summary(outcome: str, *, charged: bool = False, chain: tuple[int, ...] = (9,)) -> InvestigationSummary:
    return InvestigationSummary(
        record=("cases.investigation", 1),
        opened=None,
        outcome=outcome,
        body="Prosecutor's office",
        body_chain=chain,
        forensic_done=True,
        charged=charged,
    )


def alleged(*investigations: InvestigationSummary, kind: str = "torture", reparations: int = 0) -> AllegationFacts:
    return AllegationFacts(
        record=("cases.allegation", 1),
        subject="A",
        kind=kind,
        kind_label="torture or other ill-treatment",
        investigations=investigations,
        reparations=reparations,
        perpetrator_chains=((3, 2),),
        perpetrators="two police officers",
    )


def run(code: str, facts):
    return CATALOGUE[code].evaluate(facts, PARAMS)


# -- redress denied by closing the investigation -----------------------------------------------------------------


def test_torture_whose_investigation_was_closed_with_no_redress_recorded_is_a_possible_denial_of_redress():
    found = run("CAT-14-REDRESS-DENIED-BY-CLOSURE", alleged(summary("no_case")))
    assert found.status == Status.POSSIBLE
    assert "closed, and no source records any redress" in english(found.wording)
    assert "General Comment No. 3, para. 17" in CATALOGUE["CAT-14-REDRESS-DENIED-BY-CLOSURE"].citation


@pytest.mark.parametrize(
    "facts",
    [
        alleged(summary("no_case"), reparations=1),  # a reparation recorded: the redress rules judge it
        alleged(summary("open")),  # still under investigation
        alleged(summary("no_case"), summary("charges")),  # someone charged in another investigation
        alleged(summary("unknown")),  # no source says how it ended
        alleged(summary("never")),  # never opened: the rules on promptness judge it, with their time limits
        alleged(),  # no source speaks of an investigation: a question, not a denial
        alleged(summary("no_case"), kind="threats"),  # not an allegation of ill-treatment
    ],
)
def test_no_denial_of_redress_is_read_where_a_source_does_not_state_the_closure(facts):
    assert run("CAT-14-REDRESS-DENIED-BY-CLOSURE", facts) is None


# -- charges dropped ---------------------------------------------------------------------------------------------


def test_charges_brought_then_the_case_closed_is_a_possible_breach_of_articles_4_and_12():
    facts = InvestigationFacts(
        record=("cases.investigation", 1),
        subject="A",
        summary=summary("no_case", charged=True),
        perpetrators="two police officers",
    )
    found = run("CAT-04-CHARGES-DROPPED", facts)
    assert found.status == Status.POSSIBLE
    assert "charges were brought" in english(found.wording) and "no one was tried" in english(found.wording)


@pytest.mark.parametrize(("outcome", "charged"), [("no_case", False), ("charges", True), ("open", True)])
def test_charges_not_brought_or_a_case_not_closed_is_not_charges_dropped(outcome, charged):
    facts = InvestigationFacts(
        record=("cases.investigation", 1), subject="A", summary=summary(outcome, charged=charged)
    )
    assert run("CAT-04-CHARGES-DROPPED", facts) is None


# -- the gatherers state what these rules read --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_gatherers_read_charges_brought_and_reparations_recorded():
    victim = factories.person("Charged against")
    allegation = factories.saved(Allegation(victim=victim, kind="torture", summary="beaten"))
    investigation = factories.saved(
        Investigation(allegation=allegation, kind="criminal", subject="Beating", outcome="no_case")
    )
    factories.saved(InvestigationStep(investigation=investigation, kind="charge", description="Two officers"))
    ctx = Context()
    [facts] = list(allegations(ctx, [allegation.pk]))
    assert facts.reparations == 0 and [i.charged for i in facts.investigations] == [True]
    [about] = list(investigations(ctx, [investigation.pk]))
    assert about.summary is not None and about.summary.charged
    factories.saved(Reparation(allegation=allegation, beneficiary=victim, kind="moral", status="denied"))
    [facts] = list(allegations(Context(), [allegation.pk]))
    assert facts.reparations == 1


# -- one failure, one finding ------------------------------------------------------------------------------------


def test_an_investigation_by_the_perpetrators_own_agency_makes_one_finding_citing_every_standard():
    profile = profile_get("international")
    codes = [
        "CAT-12-PROMPT-IMPARTIAL-INVESTIGATION",
        "MANDELA-71-2-REPORT-TORTURE-WITHOUT-COMPLAINT",
        "IP-INDEPENDENCE",
        "IMP-02-SAME-AGENCY-INVESTIGATES",
    ]
    assert {CATALOGUE[code].subject for code in codes} == {"allegation"}
    facts = AllegationFacts(
        record=("cases.allegation", 1),
        subject="A",
        kind="torture",
        raised=None,
        in_custody=True,
        investigations=(summary("no_case", chain=(2,)),),
        perpetrator_chains=((3, 2),),
        perpetrators="two police officers",
    )
    results = []
    for code in codes:
        rule = CATALOGUE[code]
        found = rule.evaluate(facts, profile.params(dt.date(2010, 3, 1)))
        if found is not None:
            results.append(Result(rule, facts, found, PARAMS))
    groups = [g for g in folded(results) if g.topic == "independence"]
    assert len(groups) == 1
    assert {r.rule.code for r in groups[0].results} >= {"IP-INDEPENDENCE", "IMP-02-SAME-AGENCY-INVESTIGATES"}
