"""Rules on deprivation of liberty itself: solitary confinement, prompt appearance before a judge,
allocation close to home, family contact and notification."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_noop

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
from habeas.standards.rules._common import amount, judge, outcome

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


def _label(facts: MeasureFacts) -> str:
    return facts.name_used or "solitary confinement"


def prolonged_solitary(facts: MeasureFacts, params: Params) -> Outcome | None:
    if not is_solitary(facts, params):
        return None
    days = measure_days(facts)
    if days is None:
        return None
    limit = params["P_PROLONGED_SOLITARY_D"]
    return outcome(
        judge(*days, limit),
        f"{_label(facts)} for {amount(*days, 'consecutive days')}; the limit is {limit}",
        days_shortest=days[0],
        days_longest=days[1],
        limit_days=limit,
    )


def indefinite_solitary(facts: MeasureFacts, params: Params) -> Outcome | None:
    if is_solitary(facts, params) and facts.open_ended:
        return outcome(Status.BREACH, f"{_label(facts)} imposed without an end date", open_ended=True)
    return None


def solitary_with_disability(facts: MeasureFacts, params: Params) -> Outcome | None:
    if not (is_solitary(facts, params) and facts.disabilities) or facts.exacerbation_risk is False:
        return None
    assessed = (
        "a health assessment found a risk of harm" if facts.exacerbation_risk else "no health assessment is recorded"
    )
    days = measure_days(facts)
    length = f" for {amount(*days, 'days')}" if days else ""
    return outcome(
        Status.BREACH,
        f"{_label(facts)}{length} of a person with a disability ({', '.join(facts.disabilities)}); {assessed}",
        disabilities=list(facts.disabilities),
        exacerbation_risk=facts.exacerbation_risk,
    )


def family_contact_ban(facts: MeasureFacts, params: Params) -> Outcome | None:
    if facts.family_contact_banned:
        return outcome(Status.BREACH, "all contact with family prohibited as part of the measure")
    return None


def national_solitary_limit(facts: MeasureFacts, params: Params) -> Outcome | None:
    if not is_solitary(facts, params) or not facts.disciplinary:
        return None  # the national limit is for solitary confinement imposed as a punishment
    days = measure_days(facts)
    if days is None:
        return None
    single, total = params["P_KZ_SOLITARY_D"], params["P_KZ_SOLITARY_MAX_D"]
    limit = total if facts.prosecutor_extension else single
    approval = "with" if facts.prosecutor_extension else "without"
    return outcome(
        judge(*days, limit),
        f"disciplinary {_label(facts)} for {amount(*days, 'days')} {approval} a prosecutor's approval of an "
        f"extension; the national limit is {limit} days",
        days_shortest=days[0],
        days_longest=days[1],
        limit_days=limit,
    )


def prompt_judge(limit_name: str) -> Callable[[CustodyFacts, Params], Outcome | None]:
    def evaluate(facts: CustodyFacts, params: Params) -> Outcome | None:
        if facts.apprehended is None:
            return None
        limit = params[limit_name]
        if facts.first_judge is not None:
            hours = span_hours(facts.apprehended, facts.first_judge)
            return outcome(
                judge(*hours, limit),
                f"brought before a judge {amount(*hours, 'hours')} after apprehension; the limit is {limit} hours",
                hours_shortest=hours[0],
                hours_longest=hours[1],
                limit_hours=limit,
            )
        if facts.released is not None:
            hours = span_hours(facts.apprehended, facts.released)
            return outcome(
                judge(*hours, limit),
                f"held {amount(*hours, 'hours')} and released with no appearance before a judge recorded; "
                f"the limit is {limit} hours",
                hours_shortest=hours[0],
                hours_longest=hours[1],
                limit_hours=limit,
            )
        return None

    return evaluate


def _distance_text(facts: LocationFacts) -> str:
    parts = []
    if facts.distance_km is not None:
        parts.append(f"{facts.distance_km:,.0f} km in a straight line")
    if facts.stated_distance_km is not None:
        parts.append(f"about {facts.stated_distance_km:,} km as the source states")
    return " (" + "; ".join(parts) + ")" if parts else ""


def _home(facts: LocationFacts) -> str:
    return f"the family's home in {facts.home}" if facts.home_is_family else f"home in {facts.home}"


def near_home(facts: LocationFacts, params: Params) -> Outcome | None:
    if not facts.home:
        return None
    limit = params.values.get("P_NEAR_HOME_KM")
    other_region = bool(facts.place_region and facts.home_region and facts.place_region != facts.home_region)
    distance = facts.distance_km if facts.distance_km is not None else facts.stated_distance_km
    too_far = limit is not None and distance is not None and distance > limit.value
    if not (other_region or too_far) or facts.reason:
        return None
    why = "outside the home region" if other_region else f"more than {limit.value if limit else 0:,} km away"
    return outcome(
        Status.POSSIBLE,
        f"held at {facts.place}, {why}, far from {_home(facts)}{_distance_text(facts)}, with no reason for the "
        "allocation recorded",
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
        f"held at {facts.place}, in another region than {_home(facts)}{_distance_text(facts)}",
        distance_km=facts.distance_km,
        stated_distance_km=facts.stated_distance_km,
    )


def family_contact(facts: ContactFacts, params: Params) -> Outcome | None:
    limit = params["P_FAMILY_CONTACT_GAP_D"]
    with_whom = f" with {facts.relative}" if facts.relative else ""
    if not facts.allowed:
        return outcome(Status.BREACH, f"{facts.kind}s{with_whom} not allowed", limit_days=limit)
    if facts.every_days is None or facts.every_days <= limit:
        return None
    details = [facts.frequency]
    if facts.minutes is not None:
        details.append(f"{facts.minutes} minutes each")
    if facts.supervised:
        details.append("supervised")
    return outcome(
        Status.BREACH,
        f"{facts.kind}s{with_whom} allowed {', '.join(details)}: a gap of about {facts.every_days:,.0f} days; "
        f"contact at regular intervals means gaps of at most {limit} days",
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
        hours = span_hours(facts.occurred, facts.informed)
        days = (hours[0] / 24, hours[1] / 24)
        who = facts.party or "the family"
        return outcome(
            judge(*hours, limit),
            f"{who} learned of the {facts.about} {amount(*days, 'days')} after it ({facts.occurred.text} → "
            f"{facts.informed.text}); the limit is {limit} hours",
            hours_shortest=hours[0],
            hours_longest=hours[1],
            limit_hours=limit,
        )

    return evaluate


def prohibited_sanctions(facts: MeasureFacts, params: Params) -> Outcome | None:
    found = [
        text
        for present, text in (
            (facts.cell_lighting == "dark", "a dark cell"),
            (facts.cell_lighting == "constant", "a cell lit day and night"),
            (facts.diet_reduced, "reduced food or water"),
            (facts.corporal, "corporal punishment"),
            (facts.collective, "collective punishment"),
        )
        if present
    ]
    if not found:
        return None
    return outcome(Status.BREACH, f"{facts.name_used or facts.kind.replace('_', ' ')} with {', '.join(found)}")


def restraints_as_sanction(facts: MeasureFacts, params: Params) -> Outcome | None:
    if facts.kind != "restraints" or not facts.disciplinary:
        return None
    return outcome(Status.BREACH, "instruments of restraint applied as a disciplinary sanction")


def solitary_safeguards(facts: MeasureFacts, params: Params) -> Outcome | None:
    if not is_solitary(facts, params):
        return None
    if facts.by_sentence:
        return outcome(Status.BREACH, f"{_label(facts)} imposed by virtue of the sentence or regime")
    if facts.independent_review is False:
        return outcome(Status.BREACH, f"{_label(facts)} with no independent review")
    missing = [
        text
        for absent, text in (
            (not facts.authorised_by_known, "the authority that imposed it"),
            (not facts.reasons_given, "the reasons"),
            (facts.independent_review is None, "an independent review"),
        )
        if absent
    ]
    if not missing:
        return None
    return outcome(Status.POSSIBLE, f"{_label(facts)}: no record of {', '.join(missing)}")


def solitary_of_women_and_children(facts: MeasureFacts, params: Params) -> Outcome | None:
    if not is_solitary(facts, params):
        return None
    child = False
    if facts.born is not None and facts.start is not None:
        child = span_days(facts.born, facts.start)[0] < 18 * 365.25
    if facts.sex != "f" and not child:
        return None
    who = "a child" if child else "a woman"
    return outcome(
        Status.POSSIBLE,
        f"{_label(facts)} of {who}: see the prohibitions of the Bangkok Rules (rule 22) and the Havana Rules (rule 67)",
    )


def health_visits(facts: MeasureFacts, params: Params) -> Outcome | None:
    if facts.daily_health_visits is not False or not (is_solitary(facts, params) or facts.kind == "segregation"):
        return None
    return outcome(Status.BREACH, f"{_label(facts)} without daily visits by health staff")


def family_news(facts: FamilyNewsFacts, params: Params) -> Outcome | None:
    if facts.leave_requested and facts.leave_granted is False and not facts.refusal_reason.strip():
        return outcome(Status.BREACH, f"leave to visit after a relative's {facts.kind.lower()} refused with no reason")
    if facts.known is None or facts.told is None:
        return None
    limit = params["P_BEREAVEMENT_NOTICE_H"]
    hours = span_hours(facts.known, facts.told)
    return outcome(
        judge(*hours, limit),
        f"told of a relative's {facts.kind.lower()} {amount(hours[0] / 24, hours[1] / 24, 'days')} after the "
        f"administration knew; the limit is {limit} hours",
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
