"""The custody app's workplace pages in the access matrix (tests/accounts/test_authorisation_matrix.py): every
page adds to or changes a record of team A."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.pages import RECORD_WRITE_PAGE, first_of

_PARTS = {
    "custody": "registry.Person",
    "custody_stage": "custody.CustodyEpisode",
    "placement": "custody.CustodyEpisode",
    "transfer": "custody.CustodyEpisode",
    "measure": "custody.CustodyEpisode",
    "extension": "custody.RestrictiveMeasure",
    "notification": "custody.CustodyEpisode",
    "family_contact": "custody.CustodyEpisode",
    "death": "custody.CustodyEpisode",
}
_MODELS = {
    "custody": "custody.CustodyEpisode",
    "custody_stage": "custody.CustodyStage",
    "placement": "custody.Placement",
    "transfer": "custody.Transfer",
    "measure": "custody.RestrictiveMeasure",
    "extension": "custody.Extension",
    "notification": "custody.Notification",
    "family_contact": "custody.FamilyContact",
    "death": "custody.Death",
}
PAGES: dict[str, dict[str, int]] = {
    **{f"{name}_add": RECORD_WRITE_PAGE for name in _PARTS},
    **{f"{name}_change": RECORD_WRITE_PAGE for name in _MODELS},
}


def _made(name: str) -> Callable[[], dict[str, Any]]:
    """A record of a kind the demo has none of (a stage, an extension, a death), made for the page."""

    def argument() -> dict[str, Any]:
        from habeas.custody.models import CustodyEpisode, CustodyStage, Death, Extension, RestrictiveMeasure

        episode = CustodyEpisode.objects.filter(team__name="A").order_by("pk").first()
        assert episode is not None
        if name == "extension":
            measure = RestrictiveMeasure.objects.filter(team__name="A").order_by("pk").first()
            record: Any = Extension.objects.create(team=measure.team, measure=measure, added_days=10)
        elif name == "death":
            record = Death.objects.create(team=episode.team, custody=episode)
        else:
            record = CustodyStage.objects.create(team=episode.team, custody=episode, basis="suspect")
        return {"pk": record.pk}

    return argument


URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    **{f"{name}_add": first_of(parent, key="parent") for name, parent in _PARTS.items()},
    **{f"{name}_change": first_of(model) for name, model in _MODELS.items()},
    **{f"{name}_change": _made(name) for name in ("custody_stage", "extension", "death")},
}
