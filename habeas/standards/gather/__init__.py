"""Fact gatherers for the rules engine: each kind of rule (a subject) reads its facts in bulk, as frozen dataclasses
(``habeas.standards.facts``), from the records that state them. The gatherers are grouped by what they read:
``custody``, ``cases``, ``monitoring``; ``common`` holds what they share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import Model, QuerySet

from habeas.cases.models import (
    Allegation,
    Complaint,
    Intimidation,
    Investigation,
    Reparation,
    Statement,
    TortureClaimRuling,
    Verdict,
)
from habeas.custody.models import (
    CustodyEpisode,
    Death,
    FamilyContact,
    FamilyNews,
    MedicalExamination,
    Notification,
    Placement,
    RestrictiveMeasure,
    Transfer,
)
from habeas.monitoring.models import InformationRequest, Visit
from habeas.registry.models import Person, Place
from habeas.standards.gather.cases import (
    allegations,
    complaints,
    court_claims,
    intimidations,
    investigations,
    penalties,
    redress,
    reparations,
    statements,
)
from habeas.standards.gather.custody import (
    contacts,
    custody_candidates,
    custody_episodes,
    deaths,
    deaths_in_custody,
    examinations,
    family_news,
    locations,
    measures,
    notifications,
    safeguards,
)
from habeas.standards.gather.monitoring import information_requests, places, visits

#: subject → the parameters whose smallest value bounds its set-based form, and that form
SET_BASED: dict[str, tuple[tuple[str, ...], Callable[[float], QuerySet[Any, int]]]] = {
    "custody": (("P_JUDICIAL_APPEARANCE_H", "P_KZ_DETENTION_H"), custody_candidates),
}

#: subject → (selector, the models whose rows are its records)
SUBJECTS: dict[str, tuple[Callable[..., Iterator[Any]], tuple[type[Model], ...]]] = {
    "measure": (measures, (RestrictiveMeasure,)),
    "custody": (custody_episodes, (CustodyEpisode,)),
    "location": (locations, (Placement, Transfer)),
    "contact": (contacts, (FamilyContact,)),
    "notification": (notifications, (Notification,)),
    "allegation": (allegations, (Allegation,)),
    "investigation": (investigations, (Investigation,)),
    "statement": (statements, (Statement,)),
    "reparation": (reparations, (Reparation,)),
    "visit": (visits, (Visit,)),
    "place": (places, (Place,)),
    "news": (family_news, (FamilyNews,)),
    "complaint": (complaints, (Complaint,)),
    "examination": (examinations, (MedicalExamination,)),
    "death": (deaths, (Person,)),
    "information": (information_requests, (InformationRequest,)),
    # deaths in custody, safeguards, intimidation, courts, penalties, redress
    "custody_death": (deaths_in_custody, (Death,)),
    "safeguards": (safeguards, (CustodyEpisode,)),
    "intimidation": (intimidations, (Intimidation,)),
    "court_claim": (court_claims, (TortureClaimRuling,)),
    "penalty": (penalties, (Verdict,)),
    "redress": (redress, (Reparation,)),
}
