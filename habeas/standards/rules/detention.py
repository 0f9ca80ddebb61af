"""Rules on deprivation of liberty itself: solitary confinement, prompt appearance before a judge,
allocation close to home, family contact and notification."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_noop

from habeas.core.wording import Part, Words, count, listed, say
from habeas.standards.engine import LegalForce, Outcome, Params, Rule, Severity, Status
from habeas.standards.facts import (
    ContactFacts,
    CustodyFacts,
    FamilyNewsFacts,
    LocationFacts,
    MeasureFacts,
    NotificationFacts,
    span_days,
    span_hours,
)
from habeas.standards.rules._common import amount, days, gap, hours, judge, label, limit_of, outcome, when

MANDELA = gettext_noop(
    "United Nations Standard Minimum Rules for the Treatment of Prisoners (Nelson Mandela Rules), A/RES/70/175"
)
BRIEFING = gettext_noop(
    "as stated by the General Prosecutor's Office to Amnesty International, December 2012 (Old habits, 2013)"
)
SOLITARY_KINDS = {"solitary", "punishment_cell", "cell_type", "segregation", "hospital"}


def is_solitary(facts: MeasureFacts, params: Params) -> bool:
    """Solitary confinement by what it is, whatever it is called: 22 hours or more a day without
    meaningful human contact, or an isolating measure with no meaningful contact recorded."""
    if facts.meaningful_contact:
        return False
    if facts.hours_per_day is not None:
        return facts.hours_per_day >= params["P_SOLITARY_HOURS"]
    return facts.kind in SOLITARY_KINDS


def measure_days(facts: MeasureFacts) -> tuple[float, float] | None:
    """The shortest and longest duration the record allows: from its dates, else from the length
    imposed, else from a stated minimum ("more than 11 months"); None when nothing says how long."""
    if facts.start and facts.end:
        shortest, longest = span_days(facts.start, facts.end)
    elif facts.planned_days is not None:
        shortest = longest = float(facts.planned_days)
    elif facts.min_days is not None:
        shortest, longest = float(facts.min_days), float("inf")
    else:
        return None
    if facts.min_days is not None:
        shortest, longest = max(shortest, facts.min_days), max(longest, facts.min_days)
    return shortest, longest


def _label(facts: MeasureFacts) -> Part:
    return facts.name_used or say("solitary confinement")


def prolonged_solitary(facts: MeasureFacts, params: Params) -> Outcome | None:
    if not is_solitary(facts, params):
        return None
    span = measure_days(facts)
    if span is None:
        return None
    limit = params["P_PROLONGED_SOLITARY_D"]
    return outcome(
        judge(*span, limit),
        say(
            "%(measure)s for %(time)s; %(limit)s",
            measure=_label(facts),
            time=amount(*span, "consecutive days"),
            limit=limit_of(params, "P_PROLONGED_SOLITARY_D", days(limit)),
        ),
        days_shortest=span[0],
        days_longest=span[1],
        limit_days=limit,
    )


def indefinite_solitary(facts: MeasureFacts, params: Params) -> Outcome | None:
    if is_solitary(facts, params) and facts.open_ended:
        return outcome(
            Status.BREACH, say("%(measure)s imposed without an end date", measure=_label(facts)), open_ended=True
        )
    return None


def solitary_with_disability(facts: MeasureFacts, params: Params) -> Outcome | None:
    if not (is_solitary(facts, params) and facts.disabilities) or facts.exacerbation_risk is False:
        return None
    assessed = say(
        "a health assessment found a risk of harm" if facts.exacerbation_risk else "no health assessment is recorded"
    )
    span = measure_days(facts)
    disabilities = listed([label(said) for _kind, said in facts.disabilities])  # a kind's label is translated
    return outcome(
        Status.BREACH,
        say(
            "%(measure)s for %(time)s of a person with a disability (%(disabilities)s); %(assessed)s",
            measure=_label(facts),
            time=amount(*span, "days"),
            disabilities=disabilities,
            assessed=assessed,
        )
        if span
        else say(
            "%(measure)s of a person with a disability (%(disabilities)s); %(assessed)s",
            measure=_label(facts),
            disabilities=disabilities,
            assessed=assessed,
        ),
        disabilities=[kind for kind, _said in facts.disabilities],  # stored in clear: never the description
        exacerbation_risk=facts.exacerbation_risk,
    )


def family_contact_ban(facts: MeasureFacts, params: Params) -> Outcome | None:
    if facts.family_contact_banned:
        return outcome(Status.BREACH, say("all contact with family prohibited as part of the measure"))
    return None


def national_solitary_limit(facts: MeasureFacts, params: Params) -> Outcome | None:
    if not is_solitary(facts, params) or not facts.disciplinary:
        return None  # the national limit is for solitary confinement imposed as a punishment
    span = measure_days(facts)
    if span is None:
        return None
    single, total = params["P_KZ_SOLITARY_D"], params["P_KZ_SOLITARY_MAX_D"]
    limit = total if facts.prosecutor_extension else single
    name = "P_KZ_SOLITARY_MAX_D" if facts.prosecutor_extension else "P_KZ_SOLITARY_D"
    return outcome(
        judge(*span, limit),
        say(
            "disciplinary %(measure)s for %(time)s with a prosecutor's approval of an extension; %(limit)s"
            if facts.prosecutor_extension
            else "disciplinary %(measure)s for %(time)s without a prosecutor's approval of an extension; %(limit)s",
            measure=_label(facts),
            time=amount(*span, "days"),
            limit=limit_of(params, name, days(limit)),
        ),
        days_shortest=span[0],
        days_longest=span[1],
        limit_days=limit,
    )


def prompt_judge(limit_name: str) -> Callable[[CustodyFacts, Params], Outcome | None]:
    def evaluate(facts: CustodyFacts, params: Params) -> Outcome | None:
        if facts.apprehended is None:
            return None
        limit = params[limit_name]
        if facts.first_judge is not None:
            span = span_hours(facts.apprehended, facts.first_judge)
            return outcome(
                judge(*span, limit),
                say(
                    "brought before a judge %(time)s after apprehension; %(limit)s",
                    time=amount(*span, "hours"),
                    limit=limit_of(params, limit_name, hours(limit)),
                ),
                hours_shortest=span[0],
                hours_longest=span[1],
                limit_hours=limit,
            )
        if facts.released is not None:
            span = span_hours(facts.apprehended, facts.released)
            return outcome(
                judge(*span, limit),
                say(
                    "held %(time)s and released with no appearance before a judge recorded; %(limit)s",
                    time=amount(*span, "hours"),
                    limit=limit_of(params, limit_name, hours(limit)),
                ),
                hours_shortest=span[0],
                hours_longest=span[1],
                limit_hours=limit,
            )
        return None

    return evaluate


def _distance(facts: LocationFacts) -> Part:
    """' (1,000 km in a straight line; about 800 km as the source states)', or nothing."""
    parts: list[Part] = []
    if facts.distance_km is not None:
        parts.append(say("%(km)s km in a straight line", km=round(facts.distance_km)))
    if facts.stated_distance_km is not None:
        parts.append(say("about %(km)s km as the source states", km=facts.stated_distance_km))
    return listed([" (", listed(parts, "; "), ")"], "") if parts else ""


def _home(facts: LocationFacts) -> Words:
    if facts.home_is_family:
        return say("the family's home in %(place)s", place=facts.home)
    return say("home in %(place)s", place=facts.home)


def near_home(facts: LocationFacts, params: Params) -> Outcome | None:
    if not facts.home:
        return None
    limit = params.values.get("P_NEAR_HOME_KM")
    other_region = bool(facts.place_region and facts.home_region and facts.place_region != facts.home_region)
    distance = facts.distance_km if facts.distance_km is not None else facts.stated_distance_km
    too_far = limit is not None and distance is not None and distance > limit.value
    if not (other_region or too_far) or facts.reason:
        return None
    why = (
        say("outside the home region")
        if other_region
        else say("more than %(km)s km away", km=limit.value if limit else 0)
    )
    return outcome(
        Status.POSSIBLE,
        say(
            "held at %(place)s, %(why)s, far from %(home)s%(distance)s, with no reason for the allocation recorded",
            place=facts.place,
            why=why,
            home=_home(facts),
            distance=_distance(facts),
        ),
        distance_km=facts.distance_km,
        stated_distance_km=facts.stated_distance_km,
        place_region=facts.place_region,
        home_region=facts.home_region,
    )


def national_near_residence(facts: LocationFacts, params: Params) -> Outcome | None:
    if not (facts.home and facts.place_region and facts.home_region) or facts.place_region == facts.home_region:
        return None
    return outcome(
        Status.BREACH,
        say(
            "held at %(place)s, in another region than %(home)s%(distance)s",
            place=facts.place,
            home=_home(facts),
            distance=_distance(facts),
        ),
        distance_km=facts.distance_km,
        stated_distance_km=facts.stated_distance_km,
    )


def family_contact(facts: ContactFacts, params: Params) -> Outcome | None:
    limit = params["P_FAMILY_CONTACT_GAP_D"]
    kind = label(facts.kind)
    if not facts.allowed:
        return outcome(
            Status.BREACH,
            say("%(kind)s with %(relative)s not allowed", kind=kind, relative=facts.relative)
            if facts.relative
            else say("%(kind)s not allowed", kind=kind),
            limit_days=limit,
        )
    if facts.every_days is None or facts.every_days <= limit:
        return None
    details: list[Part] = [facts.frequency]
    if facts.minutes is not None:
        details.append(count("%(n)s minute each", "%(n)s minutes each", facts.minutes))
    if facts.supervised:
        details.append(say("supervised"))
    allowed = (
        say(
            "%(kind)s with %(relative)s allowed %(details)s",
            kind=kind,
            relative=facts.relative,
            details=listed(details),
        )
        if facts.relative
        else say("%(kind)s allowed %(details)s", kind=kind, details=listed(details))
    )
    return outcome(
        Status.BREACH,
        say(
            "%(allowed)s: a gap of about %(gap)s between contacts; %(limit)s",
            allowed=allowed,
            gap=days(round(facts.every_days)),
            limit=limit_of(params, "P_FAMILY_CONTACT_GAP_D", days(limit)),
        ),
        every_days=facts.every_days,
        minutes=facts.minutes,
        supervised=facts.supervised,
        limit_days=limit,
    )


def notify(about: set[str], limit_name: str) -> Callable[[NotificationFacts, Params], Outcome | None]:
    """Rules on telling the family: of what (detention, transfer, death…) and within which limit."""

    def evaluate(facts: NotificationFacts, params: Params) -> Outcome | None:
        if facts.about_code not in about or facts.occurred is None or facts.informed is None:
            return None
        limit = params[limit_name]
        span = span_hours(facts.occurred, facts.informed)
        return outcome(
            judge(*span, limit),
            say(
                "%(who)s learned of the %(about)s %(time)s after it (%(occurred)s → %(informed)s); %(limit)s",
                who=facts.party or say("the family"),
                about=label(facts.about),
                time=amount(span[0] / 24, span[1] / 24, "days"),
                occurred=when(facts.occurred),
                informed=when(facts.informed),
                limit=limit_of(params, limit_name, hours(limit)),
            ),
            hours_shortest=span[0],
            hours_longest=span[1],
            limit_hours=limit,
        )

    return evaluate


def prohibited_sanctions(facts: MeasureFacts, params: Params) -> Outcome | None:
    found: list[Part] = [
        words
        for present, words in (
            (facts.cell_lighting == "dark", say("a dark cell")),
            (facts.cell_lighting == "constant", say("a cell lit day and night")),
            (facts.diet_reduced, say("reduced food or water")),
            (facts.corporal, say("corporal punishment")),
            (facts.collective, say("collective punishment")),
        )
        if present
    ]
    if not found:
        return None
    return outcome(
        Status.BREACH,
        say("%(measure)s with %(what)s", measure=facts.name_used or label(facts.kind_label), what=listed(found)),
    )


def restraints_as_sanction(facts: MeasureFacts, params: Params) -> Outcome | None:
    if facts.kind != "restraints" or not facts.disciplinary:
        return None
    return outcome(Status.BREACH, say("instruments of restraint applied as a disciplinary sanction"))


def solitary_safeguards(facts: MeasureFacts, params: Params) -> Outcome | None:
    if not is_solitary(facts, params):
        return None
    if facts.by_sentence:
        return outcome(
            Status.BREACH, say("%(measure)s imposed by virtue of the sentence or regime", measure=_label(facts))
        )
    if facts.independent_review is False:
        return outcome(Status.BREACH, say("%(measure)s with no independent review", measure=_label(facts)))
    missing: list[Part] = [
        words
        for absent, words in (
            (not facts.authorised_by_known, say("the authority that imposed it")),
            (not facts.reasons_given, say("the reasons")),
            (facts.independent_review is None, say("an independent review")),
        )
        if absent
    ]
    if not missing:
        return None
    return gap(say("%(measure)s: no source states %(missing)s", measure=_label(facts), missing=listed(missing)))


def solitary_of_women_and_children(facts: MeasureFacts, params: Params) -> Outcome | None:
    if not is_solitary(facts, params):
        return None
    child = False
    if facts.born is not None and facts.start is not None:
        child = span_days(facts.born, facts.start)[0] < 18 * 365.25
    if facts.sex != "f" and not child:
        return None
    return outcome(
        Status.POSSIBLE,
        say(
            "%(measure)s of a child: see the prohibitions of the Bangkok Rules (rule 22) and the Havana Rules (rule 67)"
            if child
            else "%(measure)s of a woman: see the prohibitions of the Bangkok Rules (rule 22) and the Havana Rules "
            "(rule 67)",
            measure=_label(facts),
        ),
    )


def health_visits(facts: MeasureFacts, params: Params) -> Outcome | None:
    if facts.daily_health_visits is not False or not (is_solitary(facts, params) or facts.kind == "segregation"):
        return None
    return outcome(Status.BREACH, say("%(measure)s without daily visits by health staff", measure=_label(facts)))


def family_news(facts: FamilyNewsFacts, params: Params) -> Outcome | None:
    if facts.leave_requested and facts.leave_granted is False and not facts.refusal_reason.strip():
        return outcome(
            Status.BREACH,
            say("leave to visit after a relative's %(news)s refused with no reason", news=label(facts.kind)),
        )
    if facts.known is None or facts.told is None:
        return None
    limit = params["P_BEREAVEMENT_NOTICE_H"]
    span = span_hours(facts.known, facts.told)
    return outcome(
        judge(*span, limit),
        say(
            "told of a relative's %(news)s %(time)s after the administration knew; %(limit)s",
            news=label(facts.kind),
            time=amount(span[0] / 24, span[1] / 24, "days"),
            limit=limit_of(params, "P_BEREAVEMENT_NOTICE_H", hours(limit)),
        ),
        limit_hours=limit,
    )


RULES = [
    Rule(
        code="MANDELA-44-PROLONGED-SOLITARY",
        version=1,
        topic="solitary-duration",
        title="Solitary confinement for more than 15 consecutive days is prolonged and prohibited",
        instrument=MANDELA,
        article=gettext_noop("rules 43(1)(b) and 44"),
        legal_force=LegalForce.SOFT,
        severity=Severity.CRITICAL,
        verified="V",
        subject="measure",
        parameters=("P_SOLITARY_HOURS", "P_PROLONGED_SOLITARY_D"),
        evaluate=prolonged_solitary,
    ),
    Rule(
        code="MANDELA-43-INDEFINITE-SOLITARY",
        version=1,
        title="Indefinite solitary confinement is prohibited",
        instrument=MANDELA,
        article=gettext_noop("rules 43(1)(a) and 44"),
        legal_force=LegalForce.SOFT,
        severity=Severity.CRITICAL,
        verified="V",
        subject="measure",
        parameters=("P_SOLITARY_HOURS",),
        evaluate=indefinite_solitary,
    ),
    Rule(
        code="MANDELA-45-SOLITARY-DISABILITY",
        version=1,
        title="No solitary confinement of prisoners with disabilities whose condition it would worsen",
        instrument=MANDELA,
        article=gettext_noop("rule 45(2); CRPD arts. 14(2) and 15"),
        legal_force=LegalForce.SOFT,
        severity=Severity.CRITICAL,
        verified="V",
        subject="measure",
        parameters=("P_SOLITARY_HOURS",),
        evaluate=solitary_with_disability,
    ),
    Rule(
        code="MANDELA-43-FAMILY-CONTACT-BAN",
        version=1,
        title="Disciplinary or restrictive measures may not prohibit family contact",
        instrument=MANDELA,
        article=gettext_noop("rule 43(3)"),
        legal_force=LegalForce.SOFT,
        severity=Severity.HIGH,
        verified="V",
        subject="measure",
        parameters=(),
        evaluate=family_contact_ban,
    ),
    Rule(
        code="KZ-PEC-SOLITARY-1M-PROSECUTOR",
        version=1,
        topic="solitary-duration",
        jurisdiction="KZ",
        title="Disciplinary solitary confinement at most one month, one more only with a prosecutor's approval",
        instrument=gettext_noop("Kazakhstan, penal enforcement rules"),
        article=BRIEFING,
        legal_force=LegalForce.NATIONAL,
        severity=Severity.HIGH,
        verified="U",
        subject="measure",
        parameters=("P_SOLITARY_HOURS", "P_KZ_SOLITARY_D", "P_KZ_SOLITARY_MAX_D"),
        evaluate=national_solitary_limit,
    ),
    Rule(
        code="ICCPR-09-3-PROMPT-JUDGE-48H",
        version=1,
        topic="judge",
        title="A person detained on a criminal charge must be brought before a judge within 48 hours",
        instrument=gettext_noop("International Covenant on Civil and Political Rights"),
        article=gettext_noop("art. 9(3); Human Rights Committee General Comment No. 35, para. 33"),
        legal_force=LegalForce.TREATY,
        severity=Severity.HIGH,
        verified="K",
        subject="custody",
        parameters=("P_JUDICIAL_APPEARANCE_H",),
        evaluate=prompt_judge("P_JUDICIAL_APPEARANCE_H"),
    ),
    Rule(
        code="KZ-CPC-DETENTION-48H",
        version=1,
        topic="judge",
        jurisdiction="KZ",
        title="No detention without a court order beyond the national limit (72 hours before 2018, 48 after)",
        instrument=gettext_noop("Criminal Procedure Code of Kazakhstan (2014)"),
        article=gettext_noop("arts. 14(2) and 131(4)"),
        legal_force=LegalForce.NATIONAL,
        severity=Severity.HIGH,
        verified="V",
        subject="custody",
        parameters=("P_KZ_DETENTION_H",),
        evaluate=prompt_judge("P_KZ_DETENTION_H"),
    ),
    Rule(
        code="MANDELA-59-ALLOCATION-NEAR-HOME",
        version=1,
        topic="near-home",
        title="Prisoners should be allocated, as far as possible, close to their homes",
        instrument=MANDELA,
        article=gettext_noop("rule 59; Body of Principles, principle 20"),
        legal_force=LegalForce.SOFT,
        severity=Severity.MEDIUM,
        verified="V",
        subject="location",
        parameters=(),
        evaluate=near_home,
    ),
    Rule(
        code="KZ-PEC-SERVE-NEAR-RESIDENCE",
        version=1,
        topic="near-home",
        jurisdiction="KZ",
        title="Prisoners are to be held close to their place of residence",
        instrument=gettext_noop("Kazakhstan, penal enforcement law"),
        article=BRIEFING,
        legal_force=LegalForce.NATIONAL,
        severity=Severity.MEDIUM,
        verified="U",
        subject="location",
        parameters=(),
        evaluate=national_near_residence,
    ),
    Rule(
        code="MANDELA-58-FAMILY-CONTACT",
        version=1,
        title="Prisoners may communicate with family at regular intervals, by letter, telephone and visits",
        instrument=MANDELA,
        article=gettext_noop("rule 58(1)"),
        legal_force=LegalForce.SOFT,
        severity=Severity.MEDIUM,
        verified="K",
        subject="contact",
        parameters=("P_FAMILY_CONTACT_GAP_D",),
        evaluate=family_contact,
    ),
    Rule(
        code="MANDELA-68-NOTIFY-FAMILY",
        version=1,
        topic="notify",
        title="Family must be able to learn at once of an imprisonment, transfer, illness or injury",
        instrument=MANDELA,
        article=gettext_noop("rules 68 and 69"),
        legal_force=LegalForce.SOFT,
        severity=Severity.HIGH,
        verified="K",
        subject="notification",
        parameters=("P_NOTIFY_FAMILY_H",),
        evaluate=notify({"detention", "transfer", "whereabouts", "illness"}, "P_NOTIFY_FAMILY_H"),
    ),
    Rule(
        code="BOP-16-NOTIFICATION",
        version=1,
        topic="notify",
        title="Family to be told promptly of an arrest and of every transfer and place of custody",
        instrument=gettext_noop(
            "Body of Principles for the Protection of All Persons under Any Form of Detention or Imprisonment, "
            "A/RES/43/173"
        ),
        article=gettext_noop("principle 16(1)"),
        legal_force=LegalForce.SOFT,
        severity=Severity.HIGH,
        verified="K",
        subject="notification",
        parameters=("P_NOTIFY_FAMILY_H",),
        evaluate=notify({"detention", "transfer", "whereabouts"}, "P_NOTIFY_FAMILY_H"),
    ),
    Rule(
        code="MANDELA-69-DEATH-ILLNESS-NOTICE",
        version=1,
        topic="notify",
        title="Next of kin are told at once of a prisoner's death, and of serious illness or injury",
        instrument=MANDELA,
        article=gettext_noop("rule 69"),
        legal_force=LegalForce.SOFT,
        severity=Severity.HIGH,
        verified="K",
        subject="notification",
        parameters=("P_NOK_DEATH_NOTIFY_H",),
        evaluate=notify({"death", "illness"}, "P_NOK_DEATH_NOTIFY_H"),
    ),
    Rule(
        code="MANDELA-70-INFORM-PRISONER-BEREAVEMENT",
        version=1,
        title="A prisoner is told at once of a near relative's serious illness or death",
        instrument=MANDELA,
        article=gettext_noop("rule 70"),
        legal_force=LegalForce.SOFT,
        severity=Severity.LOW,
        verified="K",
        subject="news",
        parameters=("P_BEREAVEMENT_NOTICE_H",),
        evaluate=family_news,
    ),
    Rule(
        code="MANDELA-43-PROHIBITED-SANCTIONS",
        version=1,
        title="No dark or constantly lit cells, corporal punishment, reduced diet or collective punishment",
        instrument=MANDELA,
        article=gettext_noop("rule 43(1)(c)-(e)"),
        legal_force=LegalForce.SOFT,
        severity=Severity.CRITICAL,
        verified="V",
        subject="measure",
        parameters=(),
        evaluate=prohibited_sanctions,
    ),
    Rule(
        code="MANDELA-43-RESTRAINTS-AS-SANCTION",
        version=1,
        title="Instruments of restraint are never a disciplinary sanction",
        instrument=MANDELA,
        article=gettext_noop("rule 43(2); rules 47-49"),
        legal_force=LegalForce.SOFT,
        severity=Severity.CRITICAL,
        verified="V",
        subject="measure",
        parameters=(),
        evaluate=restraints_as_sanction,
    ),
    Rule(
        code="MANDELA-45-SOLITARY-SAFEGUARDS",
        version=1,
        title="Solitary confinement only as a last resort, authorised, reviewed independently, never by sentence",
        instrument=MANDELA,
        article=gettext_noop("rule 45(1); rule 37(d)"),
        legal_force=LegalForce.SOFT,
        severity=Severity.HIGH,
        verified="V",
        subject="measure",
        parameters=("P_SOLITARY_HOURS",),
        evaluate=solitary_safeguards,
    ),
    Rule(
        code="MANDELA-45-SOLITARY-WOMEN-CHILDREN",
        version=1,
        title="The prohibitions of solitary confinement for women and children in other UN standards apply",
        instrument=MANDELA,
        article=gettext_noop("rule 45(2); Bangkok Rules, rule 22; Havana Rules, rule 67"),
        legal_force=LegalForce.SOFT,
        severity=Severity.INFO,
        verified="V",
        subject="measure",
        parameters=("P_SOLITARY_HOURS",),
        evaluate=solitary_of_women_and_children,
    ),
    Rule(
        code="MANDELA-46-HEALTH-VISITS-IN-SEPARATION",
        version=1,
        title="Health staff visit prisoners in any involuntary separation every day",
        instrument=MANDELA,
        article=gettext_noop("rule 46(1)-(3)"),
        legal_force=LegalForce.SOFT,
        severity=Severity.HIGH,
        verified="K",
        subject="measure",
        parameters=("P_SOLITARY_HOURS",),
        evaluate=health_visits,
    ),
]
