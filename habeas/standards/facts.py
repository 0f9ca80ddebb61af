"""The facts rules read: frozen dataclasses that the gatherers (``habeas.standards.gather``) fill from the
database. No ORM here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from habeas.core.dates import describe
from habeas.core.wording import Words

Ref = tuple[str, int]  # (app_label.model, primary key)


@dataclass(frozen=True)
class When:
    """A date or date-time as the interval its precision allows (inclusive), and how to word it."""

    lo: dt.date | dt.datetime
    hi: dt.date | dt.datetime
    value: dt.date | dt.datetime
    precision: str

    @property
    def text(self) -> str:
        return describe(self.value, self.precision)

    @classmethod
    def day_of(cls, moment: dt.datetime) -> When:
        """The start of the day of a moment, worded as a day: "now" at the granularity of days, so that
        re-checking within a day changes nothing."""
        start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        return cls(start, start, moment.date(), "day")


def moment(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def span_days(start: When, end: When) -> tuple[float, float]:
    """The shortest and longest number of days from start to end that the two intervals allow
    (never below zero). Day-precise dates give whole days: 1 to 16 January is 15 days."""
    shortest = (moment(end.lo) - moment(start.hi)).total_seconds() / 86400
    longest = (moment(end.hi) - moment(start.lo)).total_seconds() / 86400
    return max(shortest, 0.0), max(longest, 0.0)


def span_hours(start: When, end: When) -> tuple[float, float]:
    shortest, longest = span_days(start, end)
    return shortest * 24, longest * 24


@dataclass(frozen=True)
class Base:
    record: Ref
    subject: str
    on: dt.date | None = None  # the date whose law applies (e.g. the apprehension)
    refs: tuple[Ref, ...] = ()  # other records whose facts were used
    place_id: int | None = None
    organisation_id: int | None = None


@dataclass(frozen=True)
class MeasureFacts(Base):
    kind: str = ""
    kind_label: str = ""  # the kind as the form names it, in English
    name_used: str = ""
    disciplinary: bool | None = None
    start: When | None = None
    end: When | None = None
    planned_days: int | None = None
    min_days: int | None = None
    open_ended: bool | None = None
    hours_per_day: float | None = None
    meaningful_contact: bool | None = None
    disabilities: tuple[tuple[str, str], ...] = ()  # kind, and its description (protected) or its label
    exacerbation_risk: bool | None = None
    family_contact_banned: bool | None = None
    prosecutor_extension: bool = False
    by_sentence: bool | None = None
    independent_review: bool | None = None
    daily_health_visits: bool | None = None
    authorised_by_known: bool = False
    reasons_given: bool = False
    cell_lighting: str = ""
    diet_reduced: bool | None = None
    corporal: bool | None = None
    collective: bool | None = None
    sex: str = ""
    born: When | None = None


@dataclass(frozen=True)
class CustodyFacts(Base):
    apprehended: When | None = None
    first_judge: When | None = None
    released: When | None = None


@dataclass(frozen=True)
class LocationFacts(Base):
    """Where a person was held, against where they (or their family) live."""

    place: str = ""
    place_region: str = ""
    home: str = ""
    home_region: str = ""
    home_is_family: bool = False
    distance_km: float | None = None
    stated_distance_km: int | None = None
    reason: str = ""
    since: When | None = None


@dataclass(frozen=True)
class ContactFacts(Base):
    kind: str = ""
    relative: str = ""
    allowed: bool = True
    every_days: float | None = None
    frequency: Words | str = ""
    minutes: int | None = None
    supervised: bool | None = None


@dataclass(frozen=True)
class NotificationFacts(Base):
    about: str = ""
    about_code: str = ""
    party: str = ""
    occurred: When | None = None
    informed: When | None = None


@dataclass(frozen=True)
class InvestigationSummary:
    record: tuple[str, int]
    opened: When | None
    outcome: str
    body: str
    body_chain: tuple[int, ...]  # the body and the organisations above it
    forensic_done: bool | None  # a forensic medical examination done; None when no source says
    assigned_by: str = ""  # the authority that assigned it to its body, if a source says
    charged: bool = False  # charges brought in it, as a source states


@dataclass(frozen=True)
class AllegationFacts(Base):
    kind: str = ""
    kind_label: str = ""  # the kind as the form names it, in English
    happened: When | None = None
    raised: When | None = None
    victim_places: tuple[int, ...] = ()
    perpetrator_postings: tuple[tuple[str, int, When | None, When | None], ...] = ()  # (name, place, from, until)
    raised_in_court: When | None = None
    in_custody: bool = False
    perpetrator_chains: tuple[tuple[int, ...], ...] = ()
    perpetrators: str = ""
    investigations: tuple[InvestigationSummary, ...] = field(default=())
    reparations: int = 0  # reparations recorded for it, whatever became of them


@dataclass(frozen=True)
class InvestigationFacts(Base):
    summary: InvestigationSummary | None = None
    perpetrator_chains: tuple[tuple[int, ...], ...] = ()
    perpetrators: str = ""


@dataclass(frozen=True)
class StatementFacts(Base):
    kind: str = ""
    retracted: When | None = None
    retracted_undated: bool = False
    coercion_alleged: bool = False
    investigations: tuple[InvestigationSummary, ...] = ()
    used_in: str = ""
    claims_examined: bool | None = None


@dataclass(frozen=True)
class ReparationFacts(Base):
    kind: str = ""
    ordered: When | None = None
    due: When | None = None
    status: str = ""
    as_of: When | None = None
    amount: Words | str = ""
    paid: When | None = None


@dataclass(frozen=True)
class VisitFacts(Base):
    body: str = ""
    place: str = ""
    announced: bool | None = None
    access_granted: bool | None = None
    refused: str = ""
    private_interviews: bool | None = None


@dataclass(frozen=True)
class PlaceFacts(Base):
    last_external_visit: When | None = None
    kind: str = ""


@dataclass(frozen=True)
class FamilyNewsFacts(Base):
    kind: str = ""
    known: When | None = None
    told: When | None = None
    leave_requested: bool = False
    leave_granted: bool | None = None
    refusal_reason: str = ""


@dataclass(frozen=True)
class ComplaintFacts(Base):
    lodged: When | None = None
    decided: When | None = None
    lodged_with: str = ""
    outcome: str = ""  # the code of Complaint.Outcome


@dataclass(frozen=True)
class ExaminationFacts(Base):
    kind: str = ""
    requested: When | None = None
    performed: bool = True
    examiner: str = ""
    findings: str = ""


@dataclass(frozen=True)
class DeathFacts(Base):
    """A death in custody and the investigations into the person's treatment."""

    died: When | None = None
    authority_chain: tuple[int, ...] = ()
    investigations: tuple[InvestigationSummary, ...] = ()


@dataclass(frozen=True)
class InformationRequestFacts(Base):
    body: str = ""
    requested: When | None = None
    answered: When | None = None
    refused: str = ""


@dataclass(frozen=True)
class DeathInCustodyFacts(Base):
    country: str = ""
    died: When | None = None
    place: str = ""
    causes: tuple[tuple[str, str, bool], ...] = ()  # (stated by, kind of cause, the authorities' account)
    investigated: bool | None = None
    investigation_outcome: str = ""
    investigation_independent: bool | None = None  # of the detaining agency; None when either is unknown


@dataclass(frozen=True)
class SafeguardFacts(Base):
    country: str = ""
    apprehended: When | None = None
    registered: bool | None = None
    reasons_told: bool | None = None
    lawyer_requested: bool | None = None
    lawyer_granted: bool | None = None
    doctor_requested: bool | None = None
    doctor_examined: bool | None = None
    stages: tuple[tuple[str, When | None], ...] = ()  # (legal basis, from)


@dataclass(frozen=True)
class IntimidationFacts(Base):
    country: str = ""
    role: str = ""
    kind: str = ""
    forum: str = ""
    happened: When | None = None
    by_officials: bool | None = None
    by: str = ""
    established: bool | None = None
    withdrawn: bool | None = None
    communication: str = ""
    complaint: bool = False  # linked to the complaint it is said to answer


@dataclass(frozen=True)
class CourtClaimFacts(Base):
    country: str = ""
    court: str = ""
    raised: When | None = None
    decided: When | None = None
    examined: bool | None = None
    relied_on: bool | None = None
    excluded: bool | None = None


@dataclass(frozen=True)
class PenaltyFacts(Base):
    country: str = ""
    decided: When | None = None
    charges: tuple[tuple[str, str, str, bool], ...] = ()  # (qualification, article, offence, for alleged torture)
    sentences: tuple[tuple[str, int | None], ...] = ()  # (kind, months)


@dataclass(frozen=True)
class RedressFacts(Base):
    country: str = ""
    kind: str = ""
    refused: When | None = None
    convicted: When | None = None  # an official convicted for the acts alleged
    upheld: When | None = None  # a complaint about them upheld
