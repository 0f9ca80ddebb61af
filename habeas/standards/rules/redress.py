"""What courts and the state do after torture is alleged or established: a court examines a torture claim raised
before it (CAT 15), an official convicted of torture gets a penalty that reflects its gravity (CAT 4(2)), and a
victim whose ill-treatment was established obtains redress (CAT 14)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from habeas.core.wording import Words, count, listed, say
from habeas.standards.engine import LegalForce, Outcome, Params, Rule, Severity, Status
from habeas.standards.facts import AllegationFacts, CourtClaimFacts, PenaltyFacts, RedressFacts
from habeas.standards.rules._common import label, outcome, when

CAT = gettext_noop("Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment")

#: qualifications lesser than torture for acts alleged as torture
LESSER = {
    "abuse": gettext_noop("abuse of office or power"),
    "excess": gettext_noop("excess of authority or power"),
    "negligence": gettext_noop("negligence"),
    "harm": gettext_noop("bodily harm, assault or battery"),
}
#: sentences that leave the official at liberty
LENIENT = {"fine": gettext_noop("a fine"), "suspended": gettext_noop("a suspended sentence")}


def court_claim(facts: CourtClaimFacts, params: Params) -> Outcome | None:
    if facts.examined is not False:
        return None
    court = facts.court or say("the court")
    raised = when(facts.raised) if facts.raised else say("date unknown")
    return outcome(
        Status.BREACH,
        say(
            "%(court)s did not examine the torture claim raised before it (%(on)s) and relied on the contested "
            "evidence",
            court=court,
            on=raised,
        )
        if facts.relied_on
        else say("%(court)s did not examine the torture claim raised before it (%(on)s)", court=court, on=raised),
    )


def _sentences(facts: PenaltyFacts) -> Words:
    parts: list[Words | str] = []
    for kind, months in facts.sentences:
        if kind in LENIENT:
            parts.append({"m": LENIENT[kind]})
        elif months:
            parts.append(count("%(n)s month of imprisonment", "%(n)s months of imprisonment", months))
        else:
            parts.append(say("imprisonment"))
    return listed(parts)  # type: ignore[arg-type]


def penalty(facts: PenaltyFacts, params: Params) -> Outcome | None:
    """Convicted of torture and given only a fine or a suspended sentence (breach); or acts alleged as torture
    qualified as a lesser offence (possible: whether the acts amount to torture is a lawyer's judgment)."""
    if not facts.sentences:
        return None
    lenient = all(kind in LENIENT for kind, _ in facts.sentences)
    torture = [(article, offence) for qualification, article, offence, _ in facts.charges if qualification == "torture"]
    if torture and lenient:
        return outcome(
            Status.BREACH,
            say(
                "convicted of torture (%(charge)s, %(on)s) and given only %(sentence)s",
                charge=listed([article or offence for article, offence in torture]),
                on=when(facts.decided) if facts.decided else say("date unknown"),
                sentence=_sentences(facts),
            ),
        )
    lesser = [
        (qualification, article)
        for qualification, article, _, alleged_torture in facts.charges
        if alleged_torture and qualification in LESSER
    ]
    if torture or not lesser:
        return None
    return outcome(
        Status.POSSIBLE,
        say(
            "acts alleged as torture were qualified as %(charge)s; sentenced (%(on)s) to %(sentence)s",
            charge=listed(
                [
                    say("%(what)s (%(article)s)", what={"m": LESSER[q]}, article=a) if a else {"m": LESSER[q]}
                    for q, a in lesser
                ]
            ),
            on=when(facts.decided) if facts.decided else say("date unknown"),
            sentence=_sentences(facts),
        ),
    )


def redress(facts: RedressFacts, params: Params) -> Outcome | None:
    established = facts.convicted or facts.upheld
    if established is None:
        return None
    refused = when(facts.refused) if facts.refused else say("date unknown")
    return outcome(
        Status.BREACH,
        say(
            "%(kind)s refused or not given (%(on)s), though an official was convicted for the ill-treatment "
            "(%(established)s)",
            kind=label(facts.kind),
            on=refused,
            established=when(established),
        )
        if facts.convicted
        else say(
            "%(kind)s refused or not given (%(on)s), though a complaint of the ill-treatment was upheld "
            "(%(established)s)",
            kind=label(facts.kind),
            on=refused,
            established=when(established),
        ),
    )


def redress_denied_by_closure(facts: AllegationFacts, params: Params) -> Outcome | None:
    """Torture or ill-treatment alleged, every investigation a source records closed as unsubstantiated, and no
    reparation recorded: General Comment No. 3, para. 17, reads a failure to investigate or prosecute as a de
    facto denial of redress. A possible breach, for a reviewer: redress may have been sought and given by a way
    no source speaks of. A reparation recorded is judged by the redress rules; an investigation never opened,
    by the rules on its promptness."""
    if facts.kind not in ("torture", "ill") or facts.reparations or not facts.investigations:
        return None
    if any(i.outcome != "no_case" for i in facts.investigations):
        return None
    return outcome(
        Status.POSSIBLE,
        say(
            "the alleged %(kind)s was not tried: the investigation by %(body)s was closed, and no source records any "
            "redress; a failure to investigate or prosecute may itself deny redress",
            kind=label(facts.kind_label),
            body=facts.investigations[0].body or say("an unnamed body"),
        ),
    )


RULES = [
    Rule(
        code="CAT-15-COURT-EXAMINES-TORTURE-CLAIM",
        version=1,
        title="A court before which torture is alleged has the claim examined, and does not rely on what it taints",
        instrument=CAT,
        article=gettext_noop("art. 15; Human Rights Committee General Comment No. 32, para. 41"),
        legal_force=LegalForce.TREATY,
        severity=Severity.CRITICAL,
        verified="K",
        subject="court_claim",
        parameters=(),
        evaluate=court_claim,
    ),
    Rule(
        code="CAT-04-2-COMMENSURATE-PENALTIES",
        version=1,
        title="Torture is punished by penalties that take into account its grave nature",
        instrument=CAT,
        article=gettext_noop("art. 4(2)"),
        legal_force=LegalForce.TREATY,
        severity=Severity.MEDIUM,
        verified="K",
        subject="penalty",
        parameters=(),
        evaluate=penalty,
    ),
    Rule(
        code="CAT-14-REDRESS-GIVEN",
        version=1,
        title="A victim whose ill-treatment was established obtains redress",
        instrument=CAT,
        article=gettext_noop("art. 14; Committee against Torture General Comment No. 3, paras. 2-3"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="K",
        subject="redress",
        parameters=(),
        evaluate=redress,
    ),
    Rule(
        code="CAT-14-REDRESS-DENIED-BY-CLOSURE",
        version=1,
        title="Closing the investigation of torture with no one tried may itself deny the victim redress",
        instrument=CAT,
        article=gettext_noop("art. 14; Committee against Torture General Comment No. 3, para. 17"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="K",
        subject="allegation",
        parameters=(),
        evaluate=redress_denied_by_closure,
    ),
]
