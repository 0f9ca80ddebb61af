"""The workplace's forms of places and organisations (see ``habeas.accounts.forms.RecordForm``)."""

from __future__ import annotations

from habeas.accounts.forms import RecordForm
from habeas.registry.models import Organisation, Place


class PlaceForm(RecordForm):
    class Meta:
        model = Place
        fields = ["name", "kind", "authority", "locality", "capacity", "address", "notes"]


class OrganisationForm(RecordForm):
    class Meta:
        model = Organisation
        fields = ["name", "short_name", "local_name", "kind", "parent", "locality", "country", "notes"]
