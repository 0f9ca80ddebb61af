"""The pages that add and change a custody and its parts, from the person's file (see
``habeas.accounts.web.RecordPages``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from habeas.accounts.web import RecordPages
from habeas.custody import forms
from habeas.custody.models import CustodyEpisode, RestrictiveMeasure
from habeas.registry.models import Person


def _file_of(record: Any) -> str:
    """The file of the person whose custody this is (or of the person themself)."""
    person = record.person if isinstance(record, CustodyEpisode) else record.custody.person
    return reverse("person_detail", args=[person.pk])


def _part(form: Any, title: Any) -> RecordPages:
    return RecordPages(form, title, parent=CustodyEpisode, parent_field="custody", back=_file_of)


EPISODE = RecordPages(forms.CustodyEpisodeForm, _("Custody"), parent=Person, parent_field="person", back=_file_of)
STAGE = _part(forms.CustodyStageForm, _("Stage of custody and its legal basis"))
PLACEMENT = _part(forms.PlacementForm, _("Placement"))
TRANSFER = _part(forms.TransferForm, _("Transfer"))
MEASURE = _part(forms.RestrictiveMeasureForm, _("Restrictive measure"))
EXTENSION = RecordPages(
    forms.ExtensionForm,
    _("Extension of a restrictive measure"),
    parent=RestrictiveMeasure,
    parent_field="measure",
    back=lambda record: _file_of(record.measure),
)
NOTIFICATION = _part(forms.NotificationForm, _("Notification of the family"))
CONTACT = _part(forms.FamilyContactForm, _("Contact with the family"))
DEATH = _part(forms.DeathForm, _("Death in custody"))
