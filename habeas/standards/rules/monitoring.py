"""Rules on independent monitoring of places of detention (OPCAT, Mandela Rules 83-84)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from habeas.standards.engine import LegalForce, Outcome, Params, Rule, Severity, Status
from habeas.standards.facts import InformationRequestFacts, PlaceFacts, VisitFacts, When, span_days
from habeas.standards.rules._common import amount, judge, outcome

OPCAT = gettext_noop("Optional Protocol to the Convention against Torture")
MANDELA = gettext_noop("Nelson Mandela Rules, A/RES/70/175")


def private_interviews(facts: VisitFacts, params: Params) -> Outcome | None:
    if facts.private_interviews is not False:
        return None
    return outcome(
        Status.BREACH,
        f"{facts.body or 'monitors'} could not interview detainees in private at {facts.place or 'the place visited'}",
    )


def access(facts: VisitFacts, params: Params) -> Outcome | None:
    problems = []
    if facts.access_granted is False:
        problems.append("access was refused")
    if facts.refused:
        problems.append(f"refused: {facts.refused}")
    if not problems:
        return None
    return outcome(Status.BREACH, f"{facts.body or 'monitors'} at {facts.place or 'the place'}: " + "; ".join(problems))


def inspector_powers(facts: VisitFacts, params: Params) -> Outcome | None:
    problems = []
    if facts.access_granted is False:
        problems.append("access refused")
    if facts.refused:
        problems.append("areas, people or records refused")
    if facts.private_interviews is False:
        problems.append("no private interviews")
    if not problems:
        return None
    return outcome(Status.BREACH, f"inspection of {facts.place or 'the place'} restricted: " + ", ".join(problems))


def external_inspection(facts: PlaceFacts, params: Params) -> Outcome | None:
    limit = params["P_INSPECTION_GAP_D"]
    now = When.day_of(params.as_of)
    if facts.last_external_visit is None:
        return outcome(
            Status.BREACH, f"no external inspection recorded; one is due every {limit} days", limit_days=limit
        )
    days = span_days(facts.last_external_visit, now)
    return outcome(
        judge(*days, limit),
        f"last external inspection {facts.last_external_visit.text}, {amount(*days, 'days')} ago; one is due every "
        f"{limit} days",
        limit_days=limit,
    )


def information_access(facts: InformationRequestFacts, params: Params) -> Outcome | None:
    if facts.refused.strip():
        return outcome(Status.BREACH, f"{facts.body or 'the monitoring body'} was refused information: {facts.refused}")
    if facts.requested is None:
        return None
    limit = params["P_NPM_INFO_RESPONSE_D"]
    end = facts.answered or When.day_of(params.as_of)
    days = span_days(facts.requested, end)
    state = "answered" if facts.answered else "still unanswered"
    return outcome(
        judge(*days, limit),
        f"request for information ({facts.requested.text}) {state} after {amount(*days, 'days')}; the limit is "
        f"{limit} days",
        limit_days=limit,
    )


RULES = [
    Rule(
        code="OPCAT-20-NPM-INFORMATION-ACCESS",
        version=1,
        title="Monitors have access to all information on detainees, places and treatment",
        instrument=OPCAT,
        article=gettext_noop("art. 20(a)-(b)"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="V",
        subject="information",
        parameters=("P_NPM_INFO_RESPONSE_D",),
        evaluate=information_access,
    ),
    Rule(
        code="OPCAT-20-PRIVATE-INTERVIEWS",
        version=1,
        title="Monitors may interview detainees in private, without witnesses",
        instrument=OPCAT,
        article=gettext_noop("art. 20(d)"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="V",
        subject="visit",
        parameters=(),
        evaluate=private_interviews,
    ),
    Rule(
        code="OPCAT-20-NPM-ACCESS-UNANNOUNCED",
        version=1,
        title="Monitors have access to all places and choose where to go and whom to see",
        instrument=OPCAT,
        article=gettext_noop("art. 20(c) and (e)"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="V",
        subject="visit",
        parameters=(),
        evaluate=access,
    ),
    Rule(
        code="MANDELA-84-INSPECTOR-POWERS",
        version=1,
        title="Inspectors have access to all places, people and records, and interview in private",
        instrument=MANDELA,
        article=gettext_noop("rule 84(1)"),
        legal_force=LegalForce.SOFT,
        severity=Severity.HIGH,
        verified="K",
        subject="visit",
        parameters=(),
        evaluate=inspector_powers,
    ),
    Rule(
        code="MANDELA-83-TWOFOLD-INSPECTION",
        version=1,
        title="Places of detention are inspected regularly by a body independent of their administration",
        instrument=MANDELA,
        article=gettext_noop("rule 83"),
        legal_force=LegalForce.SOFT,
        severity=Severity.MEDIUM,
        verified="K",
        subject="place",
        parameters=("P_INSPECTION_GAP_D",),
        evaluate=external_inspection,
    ),
]
