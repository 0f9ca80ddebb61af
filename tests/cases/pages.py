"""The cases app's workplace pages in the access matrix (tests/accounts/test_authorisation_matrix.py): the
status each persona gets on each page, and the URL arguments of the pages that take some."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import READERS
from tests.pages import RECORD_WRITE_PAGE, WRITE_PAGE, first_of

#: ``intake_step`` is a step of one draft, and a draft is its author's alone: the matrix opens a draft of the
#: "member" persona, which is 200 for them and 404 for everyone else who may record (the superuser and the
#: owner of the same team included: a draft is not a record of the team yet); read-only members and analysts
#: are refused any intake page (403) before the draft is looked up.
DRAFT_PAGE = {
    **{persona: 404 for persona in WRITE_PAGE},
    "anonymous": 302,
    "member": 200,
    **dict.fromkeys(READERS, 403),
}

PAGES: dict[str, dict[str, int]] = {
    "intake": WRITE_PAGE,
    "intake_step": DRAFT_PAGE,
}


def _member_draft() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from habeas.cases.services import intake_draft_start

    member = get_user_model().objects.get(username="member")
    return {"pk": intake_draft_start(user=member).pk, "step": "who"}


URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {"intake_step": _member_draft}


# The pages that add and change the records of a case: a record of team A, or one belonging to one --------------
_PARTS = {
    "complaint": "cases.Allegation",
    "investigation": "cases.Allegation",
    "investigation_step": "cases.Investigation",
    "charge": "cases.Proceeding",
    "hearing": "cases.Proceeding",
    "verdict": "cases.Proceeding",
    "sentence": "cases.Verdict",
    "reparation": "cases.Allegation",
}
_MODELS = {
    "complaint": "cases.Complaint",
    "investigation": "cases.Investigation",
    "investigation_step": "cases.InvestigationStep",
    "proceeding": "cases.Proceeding",
    "charge": "cases.Charge",
    "hearing": "cases.Hearing",
    "verdict": "cases.Verdict",
    "sentence": "cases.Sentence",
    "reparation": "cases.Reparation",
}
PAGES.update({f"{name}_add": RECORD_WRITE_PAGE for name in _PARTS})
PAGES.update({f"{name}_change": RECORD_WRITE_PAGE for name in _MODELS})
PAGES["proceeding_add"] = WRITE_PAGE
URL_ARGUMENTS.update({f"{name}_add": first_of(parent, key="parent") for name, parent in _PARTS.items()})
URL_ARGUMENTS.update({f"{name}_change": first_of(model) for name, model in _MODELS.items()})
