"""Rules on what follows an allegation of torture: prompt and independent investigation, thoroughness,
the exclusion of coerced statements, courts' duty to verify torture claims, and reparation; with the
impunity indicators that combine them."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from habeas.core.wording import Part, say
from habeas.standards.engine import LegalForce, Outcome, Params, Rule, Severity, Status
from habeas.standards.facts import (
    AllegationFacts,
    ComplaintFacts,
    DeathFacts,
    ExaminationFacts,
    InvestigationFacts,
    InvestigationSummary,
    ReparationFacts,
    StatementFacts,
    When,
    moment,
    span_days,
)
from habeas.standards.rules._common import amount, days, hours, judge, label, outcome, when

CAT = gettext_noop("Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment")
ISTANBUL = gettext_noop(
    "Istanbul Protocol (2022) and Principles on the Effective Investigation of Torture, A/RES/55/89"
)
IMPUNITY = gettext_noop("Impunity indicator (CAT arts. 12-14; Istanbul Principles; CPT 14th General Report)")


def opened(investigations: tuple[InvestigationSummary, ...]) -> list[InvestigationSummary]:
    """Investigations that were actually opened (not those recorded as never opened)."""
    return [i for i in investigations if i.outcome != "never"]


def first_opened(investigations: tuple[InvestigationSummary, ...]) -> When | None:
    dates = [i.opened for i in opened(investigations) if i.opened is not None]
    return min(dates, key=lambda when: moment(when.lo)) if dates else None


def promptness(trigger: When, investigations: tuple[InvestigationSummary, ...], params: Params) -> Outcome | None:
    """No investigation opened within the limit after the allegation (possibly none at all, as of now)."""
    limit = params["P_INVESTIGATION_OPEN_D"]
    first = first_opened(investigations)
    if opened(investigations) and first is None:
        return None  # an investigation exists but its date is unknown: nothing to compare
    if first is not None:
        span = span_days(trigger, first)
        return outcome(
            judge(*span, limit),
            say(
                "investigation opened %(time)s after the allegation (%(on)s); the limit is %(limit)s",
                time=amount(*span, "days"),
                on=when(trigger),
                limit=days(limit),
            ),
            days_shortest=span[0],
            days_longest=span[1],
            limit_days=limit,
        )
    span = span_days(trigger, When.day_of(params.as_of))
    return outcome(
        judge(*span, limit),
        say(
            "no investigation recorded since the allegation (%(on)s), %(time)s ago; the limit is %(limit)s",
            on=when(trigger),
            time=amount(*span, "days"),
            limit=days(limit),
        ),
        days_shortest=span[0],
        days_longest=span[1],
        limit_days=limit,
    )


def same_agency(body_chain: tuple[int, ...], perpetrator_chains: tuple[tuple[int, ...], ...]) -> bool:
    """Whether the investigating body belongs to the same organisation or ministry as an alleged
    perpetrator: their chains of organisations (unit → service → ministry; heads of state and government
    left out by the selector) meet."""
    return any(set(body_chain) & set(chain) for chain in perpetrator_chains)


def _body(item: InvestigationSummary) -> Part:
    return item.body or say("an unnamed body")


def _perpetrators(names: str) -> Part:
    return names or say("not identified")


def cat_12(facts: AllegationFacts, params: Params) -> Outcome | None:
    dependent = [i for i in opened(facts.investigations) if same_agency(i.body_chain, facts.perpetrator_chains)]
    if dependent:
        return outcome(
            Status.BREACH,
            say(
                "the allegation was investigated by %(body)s, part of the same agency as the alleged perpetrators "
                "(%(perpetrators)s): not an impartial investigation",
                body=_body(dependent[0]),
                perpetrators=_perpetrators(facts.perpetrators),
            ),
            investigating_body=dependent[0].body or None,
        )
    trigger = facts.raised
    return promptness(trigger, facts.investigations, params) if trigger else None


def ip_prompt(facts: AllegationFacts, params: Params) -> Outcome | None:
    trigger = facts.raised
    if trigger is None:
        return None
    late = promptness(trigger, facts.investigations, params)
    if late is not None:
        return late
    limit = params["P_INVESTIGATION_MAX_D"]
    for item in opened(facts.investigations):
        if item.outcome == "open" and item.opened is not None:
            span = span_days(item.opened, When.day_of(params.as_of))
            return outcome(
                judge(*span, limit),
                say(
                    "investigation by %(body)s open for %(time)s without an outcome; the limit is %(limit)s",
                    body=_body(item),
                    time=amount(*span, "days"),
                    limit=days(limit),
                ),
                days_shortest=span[0],
                days_longest=span[1],
                limit_days=limit,
            )
    return None


def no_investigation(facts: AllegationFacts, params: Params) -> Outcome | None:
    trigger = facts.raised
    if trigger is None or opened(facts.investigations):
        return None
    return promptness(trigger, facts.investigations, params)


def reported_in_custody(facts: AllegationFacts, params: Params) -> Outcome | None:
    if not facts.in_custody:
        return None
    independent = [i for i in opened(facts.investigations) if not same_agency(i.body_chain, facts.perpetrator_chains)]
    trigger = facts.raised
    if independent or trigger is None:
        return None
    limit_hours = params["P_TORTURE_REPORT_H"]
    span = span_days(trigger, When.day_of(params.as_of))
    return outcome(
        judge(span[0] * 24, span[1] * 24, limit_hours),
        say(
            "torture alleged by a person in custody (%(on)s) and no investigation by an authority independent of "
            "the alleged perpetrators recorded; the limit is %(limit)s",
            on=when(trigger),
            limit=hours(limit_hours),
        ),
        limit_hours=limit_hours,
    )


def court_verification(facts: AllegationFacts, params: Params) -> Outcome | None:
    if facts.raised_in_court is None:
        return None
    limit = params["P_COURT_REFERRAL_D"]
    span = span_days(facts.raised_in_court, first_opened(facts.investigations) or When.day_of(params.as_of))
    return outcome(
        judge(*span, limit),
        say(
            "torture alleged in court (%(on)s) and not referred for verification within %(limit)s (%(time)s "
            "without an investigation)",
            on=when(facts.raised_in_court),
            limit=days(limit),
            time=amount(*span, "days"),
        ),
        days_shortest=span[0],
        days_longest=span[1],
        limit_days=limit,
    )


def independence(facts: InvestigationFacts, params: Params) -> Outcome | None:
    item = facts.summary
    if item is None or item.outcome == "never" or not same_agency(item.body_chain, facts.perpetrator_chains):
        return None
    return outcome(
        Status.BREACH,
        say(
            "investigated by %(body)s, at the request of %(by)s, which belongs to the same agency as the alleged "
            "perpetrators (%(perpetrators)s)",
            body=_body(item),
            by=facts.assigned_by,
            perpetrators=_perpetrators(facts.perpetrators),
        )
        if facts.assigned_by
        else say(
            "investigated by %(body)s, which belongs to the same agency as the alleged perpetrators (%(perpetrators)s)",
            body=_body(item),
            perpetrators=_perpetrators(facts.perpetrators),
        ),
        investigating_body=item.body or None,
    )


def dismissed_without_forensics(facts: InvestigationFacts, params: Params) -> Outcome | None:
    item = facts.summary
    if item is None or item.outcome != "no_case" or item.forensic_done:
        return None
    return outcome(
        Status.BREACH,
        say(
            "the allegation was dismissed by %(body)s with no forensic medical examination recorded",
            body=_body(item),
        ),
        investigating_body=item.body or None,
    )


def retraction_not_investigated(facts: StatementFacts, params: Params) -> Outcome | None:
    if not facts.coercion_alleged or (facts.retracted is None and not facts.retracted_undated):
        return None
    statement = label(facts.kind)
    if opened(facts.investigations):
        if facts.retracted is None:
            return None
        limit = params["P_RETRACTION_INVESTIGATION_D"]
        first = first_opened(facts.investigations)
        if first is None:
            return None
        span = span_days(facts.retracted, first)
        return outcome(
            judge(*span, limit),
            say(
                "%(statement)s retracted (%(on)s) alleging torture; investigation opened %(time)s later; the limit "
                "is %(limit)s",
                statement=statement,
                on=when(facts.retracted),
                time=amount(*span, "days"),
                limit=days(limit),
            ),
            limit_days=limit,
        )
    return outcome(
        Status.BREACH,
        say(
            "%(statement)s retracted (%(on)s) on the ground that it was obtained by torture or ill-treatment, and no "
            "investigation of that allegation was carried out",
            statement=statement,
            on=when(facts.retracted),
        )
        if facts.retracted
        else say(
            "%(statement)s retracted on the ground that it was obtained by torture or ill-treatment, and no "
            "investigation of that allegation was carried out",
            statement=statement,
        ),
    )


def exclusionary_rule(facts: StatementFacts, params: Params) -> Outcome | None:
    if not (facts.used_in and facts.coercion_alleged) or facts.claims_examined is True:
        return None
    refused = facts.claims_examined is False
    return outcome(
        Status.BREACH if refused else Status.POSSIBLE,
        say(
            "%(statement)s said to be coerced was before the court in %(case)s, which did not examine the claim"
            if refused
            else "%(statement)s said to be coerced was before the court in %(case)s, which is not recorded to have "
            "examined the claim",
            statement=label(facts.kind),
            case=facts.used_in,
        ),
    )


def unpaid_reparation(facts: ReparationFacts, params: Params) -> Outcome | None:
    if facts.status not in ("unpaid", "partly") or facts.ordered is None:
        return None
    limit = params["P_REPARATION_PAYMENT_D"]
    as_of = facts.as_of or When.day_of(params.as_of)
    start, allowed = (facts.due, 0) if facts.due else (facts.ordered, limit)
    span = span_days(start, as_of)
    return outcome(
        judge(*span, allowed),
        say(
            "%(kind)s of %(amount)s ordered %(ordered)s, still not paid as of %(as_of)s (%(time)s later); payment "
            "is due within %(limit)s"
            if facts.status == "unpaid"
            else "%(kind)s of %(amount)s ordered %(ordered)s, still only partly paid as of %(as_of)s (%(time)s "
            "later); payment is due within %(limit)s",
            kind=label(facts.kind),
            amount=facts.amount,
            ordered=when(facts.ordered),
            as_of=when(as_of),
            time=amount(*span_days(facts.ordered, as_of), "days"),
            limit=days(limit),
        ),
        limit_days=limit,
    )


def complaint_examined(facts: ComplaintFacts, params: Params) -> Outcome | None:
    if facts.lodged is None:
        return None
    limit = params["P_COMPLAINT_RESPONSE_D"]
    end = facts.decided or When.day_of(params.as_of)
    span = span_days(facts.lodged, end)
    state = say(
        "decided %(time)s after it was lodged" if facts.decided else "still undecided %(time)s after it was lodged",
        time=amount(*span, "days"),
    )
    return outcome(
        judge(*span, limit),
        say(
            "complaint with %(body)s (%(on)s) %(state)s; the limit is %(limit)s",
            body=facts.lodged_with,
            on=when(facts.lodged),
            state=state,
            limit=days(limit),
        )
        if facts.lodged_with
        else say(
            "complaint (%(on)s) %(state)s; the limit is %(limit)s",
            on=when(facts.lodged),
            state=state,
            limit=days(limit),
        ),
        limit_days=limit,
    )


def examination_record(facts: ExaminationFacts, params: Params) -> Outcome | None:
    kind = label(facts.kind)
    if not facts.performed:
        if facts.requested is None:
            return None
        return outcome(
            Status.BREACH,
            say("%(kind)s medical examination requested (%(on)s) and not done", kind=kind, on=when(facts.requested)),
        )
    if facts.examiner and facts.findings:
        return None
    return outcome(
        Status.BREACH,
        say(
            "%(kind)s medical examination recorded without the examiner or the results"
            if not (facts.examiner or facts.findings)
            else "%(kind)s medical examination recorded without the examiner"
            if not facts.examiner
            else "%(kind)s medical examination recorded without the results",
            kind=kind,
        ),
    )


def death_in_custody(facts: DeathFacts, params: Params) -> Outcome | None:
    if facts.died is None:
        return None
    limit = params["P_DEATH_REPORT_H"]
    independent = [i for i in opened(facts.investigations) if not same_agency(i.body_chain, (facts.authority_chain,))]
    first = first_opened(tuple(independent))
    span = span_days(facts.died, first or When.day_of(params.as_of))
    return outcome(
        judge(span[0] * 24, span[1] * 24, limit),
        say(
            "died in custody (%(on)s); the first independent investigation opened %(time)s later; the limit is "
            "%(limit)s",
            on=when(facts.died),
            time=amount(*span, "days"),
            limit=hours(limit),
        )
        if first
        else say(
            "died in custody (%(on)s); no investigation by an authority independent of the detaining agency "
            "recorded; the limit is %(limit)s",
            on=when(facts.died),
            limit=hours(limit),
        ),
        limit_hours=limit,
    )


def implicated_staff(facts: AllegationFacts, params: Params) -> Outcome | None:
    if facts.raised is None or not facts.perpetrator_postings:
        return None
    for name, place, _since, until in facts.perpetrator_postings:
        if place in facts.victim_places and (until is None or moment(until.hi) > moment(facts.raised.hi)):
            return outcome(
                Status.BREACH,
                say(
                    "%(name)s, accused, stayed posted where the victim was held after the allegation (%(on)s)",
                    name=name,
                    on=when(facts.raised),
                ),
            )
    return None


RULES = [
    Rule(
        code="CAT-13-RIGHT-TO-COMPLAIN",
        version=1,
        title="A torture complaint is examined promptly and impartially",
        instrument=CAT,
        article=gettext_noop("arts. 13 and 16; Nelson Mandela Rules, rule 57"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="K",
        subject="complaint",
        parameters=("P_COMPLAINT_RESPONSE_D",),
        evaluate=complaint_examined,
    ),
    Rule(
        code="BOP-24-26-MEDICAL-EXAM-RECORD",
        version=1,
        title="A medical examination is offered and recorded with the examiner and results; a second one on request",
        instrument=gettext_noop("Body of Principles, A/RES/43/173"),
        article=gettext_noop("principles 24-26"),
        legal_force=LegalForce.SOFT,
        severity=Severity.HIGH,
        verified="K",
        subject="examination",
        parameters=(),
        evaluate=examination_record,
    ),
    Rule(
        code="MANDELA-71-1-REPORT-DEATH-INJURY",
        version=1,
        title="A death in custody goes at once to an independent authority for investigation",
        instrument=gettext_noop("Nelson Mandela Rules, A/RES/70/175"),
        article=gettext_noop("rule 71(1); Body of Principles, principle 34"),
        legal_force=LegalForce.SOFT,
        severity=Severity.CRITICAL,
        verified="K",
        subject="death",
        parameters=("P_DEATH_REPORT_H",),
        evaluate=death_in_custody,
    ),
    Rule(
        code="MANDELA-71-3-IMPLICATED-STAFF-SEPARATED",
        version=1,
        title="Staff implicated in an allegation are kept away from the victim and the investigation",
        instrument=gettext_noop("Nelson Mandela Rules, A/RES/70/175"),
        article=gettext_noop("rule 71(3); Istanbul Principles, principle 3(b)"),
        legal_force=LegalForce.SOFT,
        severity=Severity.CRITICAL,
        verified="K",
        subject="allegation",
        parameters=(),
        evaluate=implicated_staff,
    ),
    Rule(
        code="CAT-12-PROMPT-IMPARTIAL-INVESTIGATION",
        version=1,
        title="Wherever torture is alleged, a prompt and impartial investigation must follow",
        instrument=CAT,
        article=gettext_noop("arts. 12 and 16"),
        legal_force=LegalForce.TREATY,
        severity=Severity.CRITICAL,
        verified="K",
        subject="allegation",
        parameters=("P_INVESTIGATION_OPEN_D",),
        evaluate=cat_12,
    ),
    Rule(
        code="IP-PROMPT-INVESTIGATION",
        version=1,
        title="Torture allegations are investigated promptly and expeditiously throughout",
        instrument=ISTANBUL,
        article=gettext_noop("principle 2; Protocol paras. 193-194"),
        legal_force=LegalForce.GUIDANCE,
        severity=Severity.HIGH,
        verified="V",
        subject="allegation",
        parameters=("P_INVESTIGATION_OPEN_D", "P_INVESTIGATION_MAX_D"),
        evaluate=ip_prompt,
    ),
    Rule(
        code="MANDELA-71-2-REPORT-TORTURE-WITHOUT-COMPLAINT",
        version=1,
        title="Torture reported by a prisoner goes to an independent authority for investigation, complaint or not",
        instrument=gettext_noop("Nelson Mandela Rules, A/RES/70/175"),
        article=gettext_noop("rule 71(1)-(2)"),
        legal_force=LegalForce.SOFT,
        severity=Severity.CRITICAL,
        verified="K",
        subject="allegation",
        parameters=("P_TORTURE_REPORT_H",),
        evaluate=reported_in_custody,
    ),
    Rule(
        code="KZ-SC-NR7-2009-VERIFY-TORTURE-CLAIMS",
        version=1,
        title="Courts must have torture claims raised before them checked",
        instrument=gettext_noop("Supreme Court of Kazakhstan, Normative Resolution No. 7 of 28 December 2009"),
        article=gettext_noop("as amended"),
        legal_force=LegalForce.NATIONAL,
        severity=Severity.HIGH,
        verified="V",
        subject="allegation",
        parameters=("P_COURT_REFERRAL_D",),
        evaluate=court_verification,
        jurisdiction="KZ",
    ),
    Rule(
        code="IMP-01-NO-INVESTIGATION-WITHIN-N-DAYS",
        version=1,
        title="An allegation with no investigation opened within the configured delay",
        instrument=IMPUNITY,
        article=gettext_noop("IMP-01"),
        legal_force=LegalForce.HEURISTIC,
        severity=Severity.HIGH,
        verified="K",
        subject="allegation",
        parameters=("P_INVESTIGATION_OPEN_D",),
        evaluate=no_investigation,
    ),
    Rule(
        code="IP-INDEPENDENCE",
        version=1,
        title="Investigators must be independent of the suspected perpetrators and their agency",
        instrument=ISTANBUL,
        article=gettext_noop("principle 2; Protocol paras. 194 and 201"),
        legal_force=LegalForce.GUIDANCE,
        severity=Severity.CRITICAL,
        verified="V",
        subject="investigation",
        parameters=(),
        evaluate=independence,
        topic="independence",
    ),
    Rule(
        code="IMP-02-SAME-AGENCY-INVESTIGATES",
        version=1,
        title="Investigation by the same agency or ministry as the alleged perpetrators",
        instrument=IMPUNITY,
        article=gettext_noop("IMP-02"),
        legal_force=LegalForce.HEURISTIC,
        severity=Severity.CRITICAL,
        verified="K",
        subject="investigation",
        parameters=(),
        evaluate=independence,
        topic="independence",
    ),
    Rule(
        code="IMP-06-DISMISSED-WITHOUT-FORENSIC-EXAM",
        version=1,
        title="A torture complaint dismissed without a forensic medical examination",
        instrument=IMPUNITY,
        article=gettext_noop("IMP-06; Istanbul Protocol paras. 194, 196"),
        legal_force=LegalForce.GUIDANCE,
        severity=Severity.HIGH,
        verified="K",
        subject="investigation",
        parameters=(),
        evaluate=dismissed_without_forensics,
    ),
    Rule(
        code="IMP-03-RETRACTED-CONFESSION-NOT-INVESTIGATED",
        version=1,
        title="A statement retracted in court as coerced, with no investigation of the coercion",
        instrument=IMPUNITY,
        article=gettext_noop("IMP-03; CAT arts. 12 and 15"),
        legal_force=LegalForce.HEURISTIC,
        severity=Severity.HIGH,
        verified="K",
        subject="statement",
        parameters=("P_RETRACTION_INVESTIGATION_D",),
        evaluate=retraction_not_investigated,
    ),
    Rule(
        code="CAT-15-EXCLUSIONARY-RULE",
        version=1,
        title="A statement made as a result of torture may not be invoked as evidence; claims must be verified",
        instrument=CAT,
        article=gettext_noop("art. 15; Human Rights Committee General Comment No. 32, para. 41"),
        legal_force=LegalForce.TREATY,
        severity=Severity.CRITICAL,
        verified="K",
        subject="statement",
        parameters=(),
        evaluate=exclusionary_rule,
    ),
    Rule(
        code="CAT-14-REDRESS",
        version=1,
        title="Victims obtain redress, including fair and adequate compensation, actually paid",
        instrument=CAT,
        article=gettext_noop("art. 14; Committee against Torture General Comment No. 3"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="K",
        subject="reparation",
        parameters=("P_REPARATION_PAYMENT_D",),
        evaluate=unpaid_reparation,
        topic="reparation",
    ),
    Rule(
        code="IMP-05-REPARATION-UNPAID",
        version=1,
        title="Reparation ordered and still unpaid after the configured delay",
        instrument=IMPUNITY,
        article=gettext_noop("IMP-05"),
        legal_force=LegalForce.HEURISTIC,
        severity=Severity.HIGH,
        verified="K",
        subject="reparation",
        parameters=("P_REPARATION_PAYMENT_D",),
        evaluate=unpaid_reparation,
        topic="reparation",
    ),
]
