"""Whether a rule applies to a fact: a treaty's rules apply only to facts in a state party, on or after the date the
treaty entered into force for that state (and before it ceased to be). The state of a fact is the country of its
place's locality (else of the agency or locality its record names, else the profile's jurisdiction). Standards that
bind no state by ratification — UN standards such as the Nelson Mandela Rules, guidance, national law (whose own
dates are the profile's) and Habeas's indicators — apply wherever and whenever."""

from __future__ import annotations

import datetime as dt

from habeas.standards.engine import LegalForce, Profile, Rule
from habeas.standards.facts import Base
from habeas.standards.gather.common import Context, countries
from habeas.standards.treaties import Instrument, Parties

#: a rule's instrument (as its ``instrument`` reads) → the treaty in the ratification table
TREATY_OF_INSTRUMENT = {
    "Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment": Instrument.CAT,
    "Optional Protocol to the Convention against Torture": Instrument.OPCAT,
    "International Covenant on Civil and Political Rights": Instrument.ICCPR,
    "Optional Protocol to the International Covenant on Civil and Political Rights": Instrument.ICCPR_OP1,
    "European Convention on Human Rights": Instrument.ECHR,
}
#: rules that bind only a state that accepted a particular procedure
TREATY_OF_RULE = {"CAT-22-NO-PRESSURE-ON-COMMUNICATION": Instrument.CAT_22}
BINDING = (LegalForce.TREATY, LegalForce.INTERPRETATION)


def treaty_of(rule: Rule) -> str | None:
    """The treaty whose ratification a rule needs, or None for a rule that applies wherever and whenever."""
    if rule.code in TREATY_OF_RULE:
        return TREATY_OF_RULE[rule.code]
    if rule.legal_force not in BINDING:
        return None
    return TREATY_OF_INSTRUMENT.get(rule.instrument)


class Applicability:
    """The ratification table and the countries of places and agencies, read once for a check."""

    def __init__(self, profile: Profile, ctx: Context) -> None:
        self.profile = profile
        self.ctx = ctx
        self.parties = Parties.read()
        self.states: dict[tuple[int | None, int | None], str] = {}

    def state_of(self, facts: Base) -> str:
        country = getattr(facts, "country", "")
        if country:
            return str(country)
        key = (facts.place_id, facts.organisation_id)
        if key not in self.states:
            found = countries(self.ctx).of(place=facts.place_id, org=facts.organisation_id)
            self.states[key] = found or self.profile.jurisdiction.upper()
        return self.states[key]

    def applies(self, rule: Rule, facts: Base) -> bool:
        treaty = treaty_of(rule)
        if treaty is None:
            return True
        state = self.state_of(facts)
        if not state:
            return True  # no country known: the state is unknown, not a non-party
        on = facts.on.date() if isinstance(facts.on, dt.datetime) else facts.on
        return self.parties.in_force(state, treaty, on)
