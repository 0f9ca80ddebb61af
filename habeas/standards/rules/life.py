"""Deaths in custody: the state that holds a person answers for their life. A death in custody must be
investigated promptly, impartially and independently, and the state bears the burden of explaining it."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from habeas.core.wording import Part, listed, say
from habeas.standards.engine import LegalForce, Outcome, Params, Rule, Severity, Status
from habeas.standards.facts import DeathInCustodyFacts
from habeas.standards.rules._common import label, outcome, when

ICCPR = gettext_noop("International Covenant on Civil and Political Rights")

#: causes that, stated by a source, engage the state's responsibility for the death
VIOLENT = ("violence by officials", "use of force or firearms")
IMPUTABLE = (*VIOLENT, "violence by other detainees", "lack of medical care or neglect")
#: investigation outcomes that close it without establishing anything
NOT_ESTABLISHED = ("never", "no_case", "suspended")


def _died(facts: DeathInCustodyFacts) -> Part:
    """When the person died; a death in custody whose date no source gives is judged all the same."""
    return when(facts.died) if facts.died else say("date unknown")


def investigated(facts: DeathInCustodyFacts, params: Params) -> Outcome | None:
    """A source states that no investigation was opened, or the one opened was conducted by the detaining agency."""
    if facts.investigated is False or facts.investigation_outcome == "never":
        return outcome(
            Status.BREACH,
            say("died in custody (%(on)s); a source states that no investigation was opened", on=_died(facts)),
        )
    if facts.investigation_independent is False:
        return outcome(
            Status.BREACH,
            say(
                "died in custody (%(on)s); the death was investigated by the agency that held the person",
                on=_died(facts),
            ),
        )
    return None


def explained(facts: DeathInCustodyFacts, params: Params) -> Outcome | None:
    """The authorities' own account attributes the death to officials' violence (breach); or a source attributes it
    to violence, force or neglect and no investigation has established the cause (possible: the state has not
    discharged its burden of explanation)."""
    official_violence: list[Part] = [by for by, kind, authorities in facts.causes if authorities and kind == VIOLENT[0]]
    if official_violence:
        return outcome(
            Status.BREACH,
            say(
                "died in custody (%(on)s); the authorities' own account (%(by)s) attributes the death to violence by "
                "officials",
                on=_died(facts),
                by=listed(official_violence),
            ),
        )
    imputed = [(by, kind) for by, kind, authorities in facts.causes if not authorities and kind in IMPUTABLE]
    settled = facts.investigated and facts.investigation_outcome not in ("", "open", "unknown", *NOT_ESTABLISHED)
    if not imputed or settled:
        return None
    official = [(by, kind) for by, kind, authorities in facts.causes if authorities]
    return outcome(
        Status.POSSIBLE,
        say(
            "died in custody (%(on)s); %(accounts)s, against the authorities' account (%(official)s), and no "
            "investigation has established the cause; the state must explain a death in its custody",
            on=_died(facts),
            accounts=listed([say("%(by)s: %(cause)s", by=by, cause=label(kind)) for by, kind in imputed]),
            official=listed([say("%(by)s: %(cause)s", by=by, cause=label(kind)) for by, kind in official]),
        )
        if official
        else say(
            "died in custody (%(on)s); %(accounts)s, the authorities have given no account of the cause, and no "
            "investigation has established it; the state must explain a death in its custody",
            on=_died(facts),
            accounts=listed([say("%(by)s: %(cause)s", by=by, cause=label(kind)) for by, kind in imputed]),
        ),
    )


RULES = [
    Rule(
        code="ICCPR-06-DEATH-IN-CUSTODY-INVESTIGATED",
        version=1,
        title="A death in custody is investigated promptly, impartially and independently of the detaining agency",
        instrument=ICCPR,
        article=gettext_noop(
            "art. 6(1); Human Rights Committee General Comment No. 36, paras. 27-29; Nelson Mandela Rules, rule "
            "71(1); Minnesota Protocol on the Investigation of Potentially Unlawful Death (2016), paras. 17 and 22-33"
        ),
        legal_force=LegalForce.TREATY,
        severity=Severity.CRITICAL,
        verified="K",
        subject="custody_death",
        parameters=(),
        evaluate=investigated,
    ),
    Rule(
        code="ICCPR-06-DEATH-IN-CUSTODY-EXPLAINED",
        version=1,
        title="The state explains a death in its custody: the burden of proof is on the state",
        instrument=ICCPR,
        article=gettext_noop(
            "art. 6(1); Human Rights Committee General Comment No. 36, para. 29; Minnesota Protocol on the "
            "Investigation of Potentially Unlawful Death (2016), para. 17"
        ),
        legal_force=LegalForce.TREATY,
        severity=Severity.CRITICAL,
        verified="K",
        subject="custody_death",
        parameters=(),
        evaluate=explained,
    ),
]
