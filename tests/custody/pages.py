"""The custody app's workplace pages in the access matrix (tests/accounts/test_authorisation_matrix.py): every
page adds to or changes a record of team A."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.pages import RECORD_WRITE_PAGE


def first_of(label: str, key: str = "pk") -> Callable[[], dict[str, Any]]:
    """The URL argument ``key``: the first record of team A of the model ``app.Model``."""

    def argument() -> dict[str, Any]:
        from django.apps import apps

        model = apps.get_model(label)
        return {key: model._default_manager.filter(team__name="A").order_by("pk").values_list("pk", flat=True)[0]}

    return argument


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
URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    **{f"{name}_add": first_of(parent, key="parent") for name, parent in _PARTS.items()},
    **{f"{name}_change": first_of(model) for name, model in _MODELS.items()},
}
