"""Protection of those who complain, testify or speak to monitors: intimidation or reprisal by officials, for a
complaint at home (CAT 13), for speaking to a preventive mechanism (OPCAT 21), or for a communication to the
Committee against Torture (CAT 22) or the Human Rights Committee (Optional Protocol to the ICCPR). Found established
(by a court, the authorities or an international body), it is a breach; only alleged by a source, possible."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_noop

from habeas.core.wording import say
from habeas.standards.engine import LegalForce, Outcome, Params, Rule, Severity, Status
from habeas.standards.facts import IntimidationFacts
from habeas.standards.rules._common import gap, label, outcome, when

CAT = gettext_noop("Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment")
OPCAT = gettext_noop("Optional Protocol to the Convention against Torture")
OP_ICCPR = gettext_noop("Optional Protocol to the International Covenant on Civil and Political Rights")

#: forum of the complaint → the rule that protects it
DOMESTIC, MONITORS, CAT_COMMITTEE, HUMAN_RIGHTS_COMMITTEE = "domestic", "monitors", "cat", "hrc"
#: the role of a witness, protected for the evidence given whether or not a complaint is recorded
WITNESS = "witness"


def reprisal(forum: str) -> Callable[[IntimidationFacts, Params], Outcome | None]:
    def evaluate(facts: IntimidationFacts, params: Params) -> Outcome | None:
        if facts.forum != forum or not facts.by_officials:
            return None
        on = when(facts.happened) if facts.happened else say("date unknown")
        what = label(facts.kind)
        if forum == DOMESTIC and not facts.complaint and facts.role != WITNESS:
            # art. 13 protects "as a consequence of his complaint or any evidence given"
            return gap(
                say(
                    "%(what)s against a %(role)s by %(by)s (%(on)s): no source links it to a complaint",
                    what=what,
                    role=label(facts.role),
                    by=facts.by or say("officials"),
                    on=on,
                )
            )
        status = Status.BREACH if facts.established else Status.POSSIBLE
        if facts.established:
            words = say(
                "%(what)s against a %(role)s by %(by)s (%(on)s), found established",
                what=what,
                role=label(facts.role),
                by=facts.by or say("officials"),
                on=on,
            )
        else:
            words = say(
                "%(what)s against a %(role)s by %(by)s (%(on)s), as a source states; not yet established",
                what=what,
                role=label(facts.role),
                by=facts.by or say("officials"),
                on=on,
            )
        if facts.withdrawn:
            words = say("%(words)s; the complaint was then withdrawn", words=words)
        return outcome(status, words)

    return evaluate


RULES = [
    Rule(
        code="CAT-13-PROTECTION-OF-COMPLAINANTS",
        version=1,
        title="Complainants and witnesses are protected against ill-treatment or intimidation for complaining",
        instrument=CAT,
        article=gettext_noop("arts. 13 and 16"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="K",
        subject="intimidation",
        parameters=(),
        evaluate=reprisal(DOMESTIC),
    ),
    Rule(
        code="OPCAT-21-NO-REPRISALS",
        version=1,
        title="No one is sanctioned or prejudiced for communicating with a preventive mechanism",
        instrument=OPCAT,
        article=gettext_noop("art. 21(1); art. 15"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="K",
        subject="intimidation",
        parameters=(),
        evaluate=reprisal(MONITORS),
    ),
    Rule(
        code="CAT-22-NO-PRESSURE-ON-COMMUNICATION",
        version=1,
        title="A state that accepts individual communications does not pressure those who bring them",
        instrument=CAT,
        article=gettext_noop("art. 22 (declaration recognising the Committee's competence)"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="K",
        subject="intimidation",
        parameters=(),
        evaluate=reprisal(CAT_COMMITTEE),
    ),
    Rule(
        code="OP-ICCPR-01-NO-PRESSURE-ON-COMMUNICATION",
        version=1,
        title="A state party to the Optional Protocol does not hinder or pressure those who bring communications",
        instrument=OP_ICCPR,
        article=gettext_noop("art. 1; Human Rights Committee General Comment No. 33, para. 4"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="K",
        subject="intimidation",
        parameters=(),
        evaluate=reprisal(HUMAN_RIGHTS_COMMITTEE),
    ),
]
