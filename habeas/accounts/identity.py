"""Pseudonymised views: analysts see the structure of the records (dates, places, measures, outcomes) but not
who the people are, unless their membership grants them identities.

A record that names people (a person and their names, a group, a source and its citations, an investigation's
subject, a trial's title, a recommendation, a request for information) prints as its stable pseudonym: its
``__str__`` knows nothing of who is looking, so a record printed by mistake names no one. Its name in clear is
asked for through the viewer (``habeas.accounts.viewer``): ``name_of(record, viewer)`` in Python, ``{{ record|name:
viewer }}`` in templates (``habeas.accounts.templatetags.names``); the record's ``name_for(viewer)`` gives it to
those who see its team's identities. The admin leaves out every protected field of such a record
(``habeas.accounts.recordadmin``).
"""

from __future__ import annotations

from typing import Any

from habeas.accounts.viewer import Viewer
from habeas.core import crypto


def pseudonymous(obj: Any) -> str:
    """A record's stable pseudonym: its kind and a keyed code (the same code in every view and export)."""
    return pseudonymous_ref(type(obj), obj.pk)


def pseudonymous_ref(model: Any, pk: Any) -> str:
    return f"{str(model._meta.verbose_name).capitalize()} {crypto.pseudonym(model._meta.label_lower, pk)}"


def name_of(record: Any, viewer: Viewer) -> str:
    """How the viewer may call a record: its name in clear if it names people and they see its team's
    identities, else what ``str()`` gives (a pseudonym for a record that names people)."""
    if record is None:
        return ""
    named = getattr(record, "name_for", None)
    return str(named(viewer)) if named is not None else str(record)
