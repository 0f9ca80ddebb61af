"""Rules on independent monitoring of places of detention (OPCAT, Mandela Rules 83-84)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from habeas.core.wording import Part, listed, say
from habeas.standards.engine import LegalForce, Outcome, Params, Rule, Severity, Status
from habeas.standards.facts import InformationRequestFacts, PlaceFacts, VisitFacts, span_days
from habeas.standards.rules._common import amount, days, gap, judge, limit_of, outcome, when

OPCAT = gettext_noop("Optional Protocol to the Convention against Torture")
MANDELA = gettext_noop("Nelson Mandela Rules, A/RES/70/175")


def private_interviews(facts: VisitFacts, params: Params) -> Outcome | None:
    if facts.private_interviews is not False:
        return None
    return outcome(
        Status.BREACH,
        say(
            "%(body)s could not interview detainees in private at %(place)s",
            body=facts.body or say("monitors"),
            place=facts.place or say("the place visited"),
        ),
    )


def access(facts: VisitFacts, params: Params) -> Outcome | None:
    problems: list[Part] = []
    if facts.access_granted is False:
        problems.append(say("access was refused"))
    if facts.refused:
        problems.append(say("refused: %(what)s", what=facts.refused))
    if not problems:
        return None
    return outcome(
        Status.BREACH,
        say(
            "%(body)s at %(place)s: %(problems)s",
            body=facts.body or say("monitors"),
            place=facts.place or say("the place"),
            problems=listed(problems, "; "),
        ),
    )


def inspector_powers(facts: VisitFacts, params: Params) -> Outcome | None:
    problems: list[Part] = []
    if facts.access_granted is False:
        problems.append(say("access refused"))
    if facts.refused:
        problems.append(say("areas, people or records refused"))
    if facts.private_interviews is False:
        problems.append(say("no private interviews"))
    if not problems:
        return None
    return outcome(
        Status.BREACH,
        say(
            "inspection of %(place)s restricted: %(problems)s",
            place=facts.place or say("the place"),
            problems=listed(problems),
        ),
    )


def external_inspection(facts: PlaceFacts, params: Params) -> Outcome | None:
    limit = params["P_INSPECTION_GAP_D"]
    figure = limit_of(params, "P_INSPECTION_GAP_D", days(limit))
    until = params.until()
    if facts.last_external_visit is None:
        # no visit recorded is not a place never visited: a question for the researcher
        return gap(say("no source says when an external body last inspected the place; %(limit)s", limit=figure))
    span = span_days(facts.last_external_visit, until)
    return outcome(
        judge(*span, limit),
        say(
            "last external inspection %(on)s, %(ago)s before %(as_of)s; %(limit)s",
            on=when(facts.last_external_visit),
            ago=amount(*span, "days"),
            as_of=when(until),
            limit=figure,
        ),
        as_of=until.value,
        limit_days=limit,
    )


def information_access(facts: InformationRequestFacts, params: Params) -> Outcome | None:
    if facts.refused.strip():
        return outcome(
            Status.BREACH,
            say(
                "%(body)s was refused information: %(what)s",
                body=facts.body or say("the monitoring body"),
                what=facts.refused,
            ),
        )
    if facts.requested is None:
        return None
    limit = params["P_NPM_INFO_RESPONSE_D"]
    figure = limit_of(params, "P_NPM_INFO_RESPONSE_D", days(limit))
    if facts.answered:
        span = span_days(facts.requested, facts.answered)
        return outcome(
            judge(*span, limit),
            say(
                "request for information (%(on)s) answered after %(time)s; %(limit)s",
                on=when(facts.requested),
                time=amount(*span, "days"),
                limit=figure,
            ),
            limit_days=limit,
        )
    until = params.until()
    span = span_days(facts.requested, until)
    return outcome(
        judge(*span, limit),
        say(
            "request for information (%(on)s) still unanswered as of %(as_of)s, %(time)s later; %(limit)s",
            on=when(facts.requested),
            as_of=when(until),
            time=amount(*span, "days"),
            limit=figure,
        ),
        as_of=until.value,
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
