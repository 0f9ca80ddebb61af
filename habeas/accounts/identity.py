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

import re
from collections.abc import Iterator
from typing import Any

from habeas.accounts.viewer import Viewer
from habeas.core import crypto


def pseudonymous(obj: Any) -> str:
    """A record's stable pseudonym: its kind and a keyed code (the same code in every view and export)."""
    return pseudonymous_ref(type(obj), obj.pk)


def pseudonymous_ref(model: Any, pk: Any) -> str:
    return f"{str(model._meta.verbose_name).capitalize()} {crypto.pseudonym(model._meta.label_lower, pk)}"


#: a pseudonym's code in a record's text (``crypto.pseudonym``: ten letters and digits of base 32)
_CODE = re.compile(r"\b[A-Z2-7]{10}\b")


def name_of(record: Any, viewer: Viewer) -> str:
    """How the viewer may call a record: its name in clear if it names people and they see its team's
    identities, else what ``str()`` gives (a pseudonym for a record that names people). A record whose text
    names others (a custody episode names its person, a transfer its custody's person) has each of their
    pseudonyms in it replaced by their name as the viewer may see it."""
    if record is None:
        return ""
    named = getattr(record, "name_for", None)
    if named is not None:
        return str(named(viewer))
    text = str(record)
    if _CODE.search(text):
        for other in _named_in(record, depth=2):
            text = text.replace(pseudonymous(other), str(other.name_for(viewer)))
    return text


def _named_in(record: Any, *, depth: int) -> Iterator[Any]:
    """The records that name people which ``record`` points to, directly or through one more link."""
    for field in record._meta.concrete_fields:
        if not field.many_to_one and not field.one_to_one:
            continue
        other = getattr(record, field.name, None)
        if other is None:
            continue
        if hasattr(other, "name_for"):
            yield other
        elif depth > 1:
            yield from _named_in(other, depth=depth - 1)
