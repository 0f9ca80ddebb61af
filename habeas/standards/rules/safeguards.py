"""Safeguards from the outset of custody: reasons for the arrest, a lawyer, a doctor, and a register of the
detention under a legal basis. Each rule speaks only where a source states that a safeguard was refused or missing;
where no source says, it says nothing."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from habeas.core.wording import Words, say
from habeas.standards.engine import LegalForce, Outcome, Params, Rule, Severity, Status
from habeas.standards.facts import SafeguardFacts
from habeas.standards.rules._common import outcome, when

ICCPR = gettext_noop("International Covenant on Civil and Political Rights")
CAT = gettext_noop("Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment")
BOP = gettext_noop("Body of Principles, A/RES/43/173")


def _on(facts: SafeguardFacts) -> Words:
    return when(facts.apprehended) if facts.apprehended else say("date unknown")


def reasons(facts: SafeguardFacts, params: Params) -> Outcome | None:
    if facts.reasons_told is not False:
        return None
    return outcome(
        Status.BREACH,
        say("apprehended (%(on)s) and, a source states, not told the reasons for the arrest", on=_on(facts)),
    )


def lawyer(facts: SafeguardFacts, params: Params) -> Outcome | None:
    if facts.lawyer_granted is not False:
        return None
    return outcome(
        Status.BREACH,
        say("apprehended (%(on)s), asked for a lawyer and was refused one", on=_on(facts))
        if facts.lawyer_requested
        else say("apprehended (%(on)s) and, a source states, given no access to a lawyer", on=_on(facts)),
    )


def doctor(facts: SafeguardFacts, params: Params) -> Outcome | None:
    if facts.doctor_examined is not False or not facts.doctor_requested:
        return None
    return outcome(
        Status.BREACH,
        say("apprehended (%(on)s), asked for a doctor and was not examined by one", on=_on(facts)),
    )


def registration(facts: SafeguardFacts, params: Params) -> Outcome | None:
    """Not registered (as a source states), or held for a stage with no legal basis; held after an 'invitation'
    not recorded as a detention is possible (the source may not know of a record)."""
    if facts.registered is False:
        return outcome(
            Status.BREACH,
            say("apprehended (%(on)s); a source states that the detention was not registered", on=_on(facts)),
        )
    for basis, start in facts.stages:
        if basis == "none":
            return outcome(
                Status.BREACH,
                say(
                    "held from %(from)s with no legal basis, unacknowledged or unrecorded",
                    **{"from": when(start) if start else say("date unknown")},
                ),
            )
    for basis, start in facts.stages:
        if basis == "invitation":
            return outcome(
                Status.POSSIBLE,
                say(
                    "held from %(from)s after an 'invitation' to talk, not recorded as a detention",
                    **{"from": when(start) if start else say("date unknown")},
                ),
            )
    return None


RULES = [
    Rule(
        code="ICCPR-09-2-REASONS-AT-ARREST",
        version=1,
        title="Anyone arrested is told, at the time of arrest, the reasons for it",
        instrument=ICCPR,
        article=gettext_noop("art. 9(2); Human Rights Committee General Comment No. 35, paras. 24-30"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="K",
        subject="safeguards",
        parameters=(),
        evaluate=reasons,
    ),
    Rule(
        code="BOP-17-18-ACCESS-TO-LAWYER",
        version=1,
        title="A detained person has a lawyer from the outset of custody, and may consult them",
        instrument=BOP,
        article=gettext_noop(
            "principles 17-18; Committee against Torture General Comment No. 2, para. 13; Human Rights Committee "
            "General Comment No. 35, para. 35"
        ),
        legal_force=LegalForce.SOFT,
        severity=Severity.HIGH,
        verified="K",
        subject="safeguards",
        parameters=(),
        evaluate=lawyer,
    ),
    Rule(
        code="CAT-GC2-13-INDEPENDENT-DOCTOR",
        version=1,
        title="A detained person who asks for a doctor is examined by one",
        instrument=CAT,
        article=gettext_noop(
            "art. 2(1) as interpreted in General Comment No. 2, para. 13; Body of Principles, principle 24"
        ),
        legal_force=LegalForce.INTERPRETATION,
        severity=Severity.HIGH,
        verified="K",
        subject="safeguards",
        parameters=(),
        evaluate=doctor,
    ),
    Rule(
        code="CAT-GC2-13-OFFICIAL-REGISTER",
        version=1,
        title="Every detention is recorded in an official register, under a legal basis",
        instrument=CAT,
        article=gettext_noop(
            "art. 2(1) as interpreted in General Comment No. 2, para. 13; Body of Principles, principle 12; "
            "International Covenant on Civil and Political Rights, art. 9(1)"
        ),
        legal_force=LegalForce.INTERPRETATION,
        severity=Severity.HIGH,
        verified="K",
        subject="safeguards",
        parameters=(),
        evaluate=registration,
    ),
]
