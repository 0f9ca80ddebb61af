"""Rules on what follows an allegation of torture: prompt and independent investigation, thoroughness,
the exclusion of coerced statements, courts' duty to verify torture claims, and reparation; with the
impunity indicators that combine them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

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
from habeas.standards.rules._common import amount, days, gap, hours, judge, label, limit_of, outcome, when

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


def stated_none(investigations: tuple[InvestigationSummary, ...]) -> bool:
    """Whether a source states that no investigation was opened (an investigation recorded as never opened)."""
    return any(i.outcome == "never" for i in investigations)


def promptness(
    trigger: When,
    investigations: tuple[InvestigationSummary, ...],
    params: Params,
    limit_name: str = "P_INVESTIGATION_OPEN_D",
) -> Outcome | None:
    """No investigation opened within the limit after the allegation. With none opened, a breach only when a
    source states that none was (measured to the date the facts are known up to, and said "as of" it); with
    no investigation recorded at all, a gap: no source says whether one was opened."""
    in_hours = limit_name.endswith("_H")
    limit = params[limit_name]
    figure = hours(limit) if in_hours else days(limit)
    scale = 24 if in_hours else 1
    first = first_opened(investigations)
    if opened(investigations) and first is None:
        return None  # an investigation exists but its date is unknown: nothing to compare
    if first is not None:
        span = span_days(trigger, first)
        return outcome(
            judge(span[0] * scale, span[1] * scale, limit),
            say(
                "investigation opened %(time)s after the allegation (%(on)s); %(limit)s",
                time=amount(*span, "days"),
                on=when(trigger),
                limit=limit_of(params, limit_name, figure),
            ),
            days_shortest=span[0],
            days_longest=span[1],
            **{"limit_hours" if in_hours else "limit_days": limit},
        )
    until = params.until()
    span = span_days(trigger, until)
    status = judge(span[0] * scale, span[1] * scale, limit)
    if status is None:
        return None
    if not stated_none(investigations):
        return gap(
            say(
                "no source says whether an investigation was opened after the allegation (%(on)s); as of %(as_of)s "
                "one was due: %(limit)s",
                on=when(trigger),
                as_of=when(until),
                limit=limit_of(params, limit_name, figure),
            ),
            as_of=until.value,
        )
    return outcome(
        status,
        say(
            "no investigation opened as of %(as_of)s, as a source states: %(time)s after the allegation (%(on)s); "
            "%(limit)s",
            as_of=when(until),
            time=amount(*span, "days"),
            on=when(trigger),
            limit=limit_of(params, limit_name, figure),
        ),
        days_shortest=span[0],
        days_longest=span[1],
        as_of=until.value,
        **{"limit_hours" if in_hours else "limit_days": limit},
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
            topic="independence",
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
    until = params.until()
    for item in opened(facts.investigations):
        if item.outcome == "open" and item.opened is not None:
            span = span_days(item.opened, until)
            status = judge(*span, limit)
            if status is None:
                return None
            return Outcome(
                status,
                say(
                    "investigation by %(body)s still open without an outcome as of %(as_of)s, %(time)s after it "
                    "was opened; %(limit)s",
                    body=_body(item),
                    as_of=when(until),
                    time=amount(*span, "days"),
                    limit=limit_of(params, "P_INVESTIGATION_MAX_D", days(limit)),
                ),
                {"days_shortest": span[0], "days_longest": span[1], "as_of": until.value, "limit_days": limit},
                topic="investigation-expeditious",
            )
    return None


def no_investigation(facts: AllegationFacts, params: Params) -> Outcome | None:
    trigger = facts.raised
    if trigger is None or opened(facts.investigations):
        return None
    return promptness(trigger, facts.investigations, params)


def reported_in_custody(facts: AllegationFacts, params: Params) -> Outcome | None:
    if not facts.in_custody or facts.raised is None:
        return None
    found = opened(facts.investigations)
    independent = [i for i in found if not same_agency(i.body_chain, facts.perpetrator_chains)]
    if independent:
        return None
    if found:
        return Outcome(
            Status.BREACH,
            say(
                "torture alleged by a person in custody (%(on)s) was investigated only by %(body)s, part of the same "
                "agency as the alleged perpetrators (%(perpetrators)s), not by an independent authority",
                on=when(facts.raised),
                body=_body(found[0]),
                perpetrators=_perpetrators(facts.perpetrators),
            ),
            {"investigating_body": found[0].body or None},
            topic="independence",
        )
    return promptness(facts.raised, facts.investigations, params, "P_TORTURE_REPORT_H")


def court_verification(facts: AllegationFacts, params: Params) -> Outcome | None:
    raised = facts.raised_in_court
    if raised is None:
        return None
    limit = params["P_COURT_REFERRAL_D"]
    figure = limit_of(params, "P_COURT_REFERRAL_D", days(limit))
    first = first_opened(facts.investigations)
    if opened(facts.investigations) and first is None:
        return None
    if first is not None:
        span = span_days(raised, first)
        return outcome(
            judge(*span, limit),
            say(
                "torture alleged in court (%(on)s); an investigation was opened %(time)s later; %(limit)s",
                on=when(raised),
                time=amount(*span, "days"),
                limit=figure,
            ),
            days_shortest=span[0],
            days_longest=span[1],
            limit_days=limit,
        )
    until = params.until()
    span = span_days(raised, until)
    status = judge(*span, limit)
    if status is None:
        return None
    if not stated_none(facts.investigations):
        return gap(
            say(
                "torture alleged in court (%(on)s): no source says whether the court had the claim checked",
                on=when(raised),
            ),
            as_of=until.value,
        )
    return outcome(
        status,
        say(
            "torture alleged in court (%(on)s) and, as a source states, not investigated as of %(as_of)s, %(time)s "
            "later; %(limit)s",
            on=when(raised),
            as_of=when(until),
            time=amount(*span, "days"),
            limit=figure,
        ),
        days_shortest=span[0],
        days_longest=span[1],
        as_of=until.value,
        limit_days=limit,
    )


def independence(facts: AllegationFacts, params: Params) -> Outcome | None:
    """The allegation investigated by a body of the same agency as its alleged perpetrators: judged on the
    allegation, as CAT 12 and Mandela 71(2) judge the same failure, so that the failure makes one finding."""
    dependent = [i for i in opened(facts.investigations) if same_agency(i.body_chain, facts.perpetrator_chains)]
    if not dependent:
        return None
    item = dependent[0]
    return outcome(
        Status.BREACH,
        say(
            "investigated by %(body)s, at the request of %(by)s, which belongs to the same agency as the alleged "
            "perpetrators (%(perpetrators)s)",
            body=_body(item),
            by=item.assigned_by,
            perpetrators=_perpetrators(facts.perpetrators),
        )
        if item.assigned_by
        else say(
            "investigated by %(body)s, which belongs to the same agency as the alleged perpetrators (%(perpetrators)s)",
            body=_body(item),
            perpetrators=_perpetrators(facts.perpetrators),
        ),
        investigating_body=item.body or None,
    )


def charges_dropped(facts: InvestigationFacts, params: Params) -> Outcome | None:
    """Charges brought for the alleged ill-treatment, then the case closed as unsubstantiated, as a source states:
    no one tried for it. A possible breach, for a reviewer to weigh the reasons for the closure."""
    item = facts.summary
    if item is None or item.outcome != "no_case" or not item.charged:
        return None
    return outcome(
        Status.POSSIBLE,
        say(
            "charges were brought for the alleged ill-treatment (%(perpetrators)s), then %(body)s closed the case: "
            "no one was tried",
            perpetrators=_perpetrators(facts.perpetrators),
            body=_body(item),
        ),
        investigating_body=item.body or None,
    )


def dismissed_without_forensics(facts: InvestigationFacts, params: Params) -> Outcome | None:
    """Dismissed with a forensic examination a source says was not done (breach); or with none a source speaks of
    (a gap: the absence of a record is not the absence of the examination)."""
    item = facts.summary
    if item is None or item.outcome != "no_case" or item.forensic_done:
        return None
    if item.forensic_done is None:
        return gap(
            say(
                "the allegation was dismissed by %(body)s: no source says whether a forensic medical examination "
                "was done",
                body=_body(item),
            ),
            investigating_body=item.body or None,
        )
    return outcome(
        Status.BREACH,
        say(
            "the allegation was dismissed by %(body)s without the forensic medical examination a source says was "
            "not done",
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
                "%(statement)s retracted (%(on)s) alleging torture; investigation opened %(time)s later; %(limit)s",
                statement=statement,
                on=when(facts.retracted),
                time=amount(*span, "days"),
                limit=limit_of(params, "P_RETRACTION_INVESTIGATION_D", days(limit)),
            ),
            limit_days=limit,
        )
    if not stated_none(facts.investigations):
        return gap(
            say(
                "%(statement)s retracted (%(on)s) on the ground that it was obtained by torture or ill-treatment: no "
                "source says whether that allegation was investigated",
                statement=statement,
                on=when(facts.retracted),
            )
            if facts.retracted
            else say(
                "%(statement)s retracted on the ground that it was obtained by torture or ill-treatment: no source "
                "says whether that allegation was investigated",
                statement=statement,
            )
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
    if facts.claims_examined is None:
        return gap(
            say(
                "%(statement)s said to be coerced was before the court in %(case)s: no source says whether the court "
                "examined the claim",
                statement=label(facts.kind),
                case=facts.used_in,
            )
        )
    return outcome(
        Status.BREACH,
        say(
            "%(statement)s said to be coerced was before the court in %(case)s, which did not examine the claim",
            statement=label(facts.kind),
            case=facts.used_in,
        ),
    )


def unpaid_reparation(facts: ReparationFacts, params: Params) -> Outcome | None:
    if facts.status not in ("unpaid", "partly") or facts.ordered is None:
        return None
    limit = params["P_REPARATION_PAYMENT_D"]
    as_of = facts.as_of or params.until()
    start, allowed = (facts.due, 0) if facts.due else (facts.ordered, limit)
    span = span_days(start, as_of)
    due = (
        say("payment was due %(due)s", due=when(facts.due))
        if facts.due
        else limit_of(params, "P_REPARATION_PAYMENT_D", days(limit))
    )
    return outcome(
        judge(*span, allowed),
        say(
            "%(kind)s of %(amount)s ordered %(ordered)s, still not paid as of %(as_of)s (%(time)s later); %(due)s"
            if facts.status == "unpaid"
            else "%(kind)s of %(amount)s ordered %(ordered)s, still only partly paid as of %(as_of)s (%(time)s "
            "later); %(due)s",
            kind=label(facts.kind),
            amount=facts.amount,
            ordered=when(facts.ordered),
            as_of=when(as_of),
            time=amount(*span_days(facts.ordered, as_of), "days"),
            due=due,
        ),
        as_of=as_of.value,
        limit_days=limit,
    )


#: the outcomes of a complaint that was examined and decided
DECIDED = {"dismissed", "forwarded", "upheld"}


def complaint_examined(facts: ComplaintFacts, params: Params) -> Outcome | None:
    """A complaint refused (not registered, or refused without examination) is a breach as a source states it;
    a decided one is judged by the time it took; one pending or unanswered, to the date the facts are known up
    to; one whose fate no source gives is a gap."""
    if facts.lodged is None:
        return None
    body = facts.lodged_with
    if facts.outcome in ("refused", "unregistered"):
        return outcome(
            Status.BREACH,
            (
                say(
                    "complaint with %(body)s (%(on)s) refused registration: never examined",
                    body=body,
                    on=when(facts.lodged),
                )
                if body
                else say("complaint (%(on)s) refused registration: never examined", on=when(facts.lodged))
            )
            if facts.outcome == "unregistered"
            else (
                say("complaint with %(body)s (%(on)s) refused without examination", body=body, on=when(facts.lodged))
                if body
                else say("complaint (%(on)s) refused without examination", on=when(facts.lodged))
            ),
            outcome=facts.outcome,
        )
    limit = params["P_COMPLAINT_RESPONSE_D"]
    until = params.until()
    if facts.decided is not None:
        span = span_days(facts.lodged, facts.decided)
        state = say(
            "dismissed %(time)s after it was lodged"
            if facts.outcome == "dismissed"
            else "forwarded for investigation %(time)s after it was lodged"
            if facts.outcome == "forwarded"
            else "upheld %(time)s after it was lodged"
            if facts.outcome == "upheld"
            else "decided %(time)s after it was lodged",
            time=amount(*span, "days"),
        )
    elif facts.outcome in ("pending", "no_answer"):
        span = span_days(facts.lodged, until)
        state = say(
            "still pending as of %(as_of)s, %(time)s after it was lodged"
            if facts.outcome == "pending"
            else "not answered as of %(as_of)s, %(time)s after it was lodged",
            as_of=when(until),
            time=amount(*span, "days"),
        )
    elif facts.outcome in DECIDED:
        return None  # decided, on a date no source gives: nothing to measure
    else:
        span = span_days(facts.lodged, until)
        if judge(*span, limit) is None:
            return None
        return gap(
            say(
                "complaint with %(body)s (%(on)s): no source says whether or when it was answered",
                body=body,
                on=when(facts.lodged),
            )
            if body
            else say("complaint (%(on)s): no source says whether or when it was answered", on=when(facts.lodged)),
            as_of=until.value,
        )
    figure = limit_of(params, "P_COMPLAINT_RESPONSE_D", days(limit))
    return outcome(
        judge(*span, limit),
        say(
            "complaint with %(body)s (%(on)s) %(state)s; %(limit)s",
            body=body,
            on=when(facts.lodged),
            state=state,
            limit=figure,
        )
        if body
        else say("complaint (%(on)s) %(state)s; %(limit)s", on=when(facts.lodged), state=state, limit=figure),
        outcome=facts.outcome,
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
    return gap(
        say(
            "%(kind)s medical examination: no source says who examined the person or what was found, nor whether "
            "it was recorded"
            if not (facts.examiner or facts.findings)
            else "%(kind)s medical examination: no source says who examined the person, nor whether it was recorded"
            if not facts.examiner
            else "%(kind)s medical examination: no source says what was found, nor whether it was recorded",
            kind=kind,
        ),
    )


def death_in_custody(facts: DeathFacts, params: Params) -> Outcome | None:
    if facts.died is None:
        return None
    limit = params["P_DEATH_REPORT_H"]
    figure = limit_of(params, "P_DEATH_REPORT_H", hours(limit))
    independent = [i for i in opened(facts.investigations) if not same_agency(i.body_chain, (facts.authority_chain,))]
    first = first_opened(tuple(independent))
    if first is not None:
        span = span_days(facts.died, first)
        return outcome(
            judge(span[0] * 24, span[1] * 24, limit),
            say(
                "died in custody (%(on)s); the first independent investigation opened %(time)s later; %(limit)s",
                on=when(facts.died),
                time=amount(*span, "days"),
                limit=figure,
            ),
            limit_hours=limit,
        )
    if independent:
        return None  # an independent investigation, on a date no source gives
    until = params.until()
    span = span_days(facts.died, until)
    status = judge(span[0] * 24, span[1] * 24, limit)
    if status is None:
        return None
    if not (stated_none(facts.investigations) or opened(facts.investigations)):
        return gap(
            say(
                "died in custody (%(on)s): no source says whether an independent authority investigated the death",
                on=when(facts.died),
            ),
            as_of=until.value,
        )
    return outcome(
        status,
        say(
            "died in custody (%(on)s); as of %(as_of)s no investigation by an authority independent of the "
            "detaining agency, as the sources state; %(limit)s",
            on=when(facts.died),
            as_of=when(until),
            limit=figure,
        ),
        as_of=until.value,
        limit_hours=limit,
    )


#: the kinds of allegation that allege torture (possibly), and those that allege other ill-treatment only
TORTURE_KINDS = {"torture"}
ILL_TREATMENT_KINDS = {"ill", "force"}


def alleged(kinds: set[str]) -> Callable[[AllegationFacts, Params], Outcome | None]:
    """The act itself: an allegation of torture or ill-treatment is an alleged violation, for a reviewer to
    confirm; the sources, not Habeas, make the allegation."""

    def evaluate(facts: AllegationFacts, params: Params) -> Outcome | None:
        if facts.kind not in kinds:
            return None
        return Outcome(
            Status.ALLEGED,
            say(
                "%(kind)s alleged (%(on)s), as the sources state; a violation for a reviewer to confirm",
                kind=label(facts.kind_label),
                on=when(facts.happened),
            )
            if facts.happened
            else say(
                "%(kind)s alleged, as the sources state; a violation for a reviewer to confirm",
                kind=label(facts.kind_label),
            ),
            {"kind": facts.kind},
        )

    return evaluate


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
        code="CAT-1-2-ALLEGED-TORTURE",
        version=1,
        title="Torture, or other ill-treatment, is alleged: an alleged violation for a reviewer to confirm",
        instrument=CAT,
        article=gettext_noop("arts. 1, 2 and 16; International Covenant on Civil and Political Rights, art. 7"),
        legal_force=LegalForce.TREATY,
        severity=Severity.CRITICAL,
        verified="K",
        subject="allegation",
        parameters=(),
        evaluate=alleged(TORTURE_KINDS),
        topic="the-act",
    ),
    Rule(
        code="CAT-16-ALLEGED-ILL-TREATMENT",
        version=1,
        title="Cruel, inhuman or degrading treatment is alleged: an alleged violation for a reviewer to confirm",
        instrument=CAT,
        article=gettext_noop("art. 16; International Covenant on Civil and Political Rights, art. 7"),
        legal_force=LegalForce.TREATY,
        severity=Severity.CRITICAL,
        verified="K",
        subject="allegation",
        parameters=(),
        evaluate=alleged(ILL_TREATMENT_KINDS),
        topic="the-act",
    ),
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
        topic="investigation-prompt",
        other_topics=("independence",),
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
        topic="investigation-prompt",
        other_topics=("investigation-expeditious",),
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
        topic="investigation-prompt",
        other_topics=("independence",),
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
        in_force_from=dt.date(2009, 12, 28),  # adopted that day: a court's handling before it is not judged by it
        dated=lambda facts: facts.raised_in_court,
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
        topic="investigation-prompt",
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
        subject="allegation",
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
        subject="allegation",
        parameters=(),
        evaluate=independence,
        topic="independence",
    ),
    Rule(
        code="CAT-04-CHARGES-DROPPED",
        version=1,
        title="Officials charged with torture are brought to trial, not let go by closing the case",
        instrument=CAT,
        article=gettext_noop("arts. 4(1) and 12"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="K",
        subject="investigation",
        parameters=(),
        evaluate=charges_dropped,
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
