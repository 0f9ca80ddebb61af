"""Words kept as a message and its parts, and put into words in the reader's language when shown: a
finding's summary, a contact arrangement's frequency.

A rule words what it found in English, as a gettext message id with named placeholders (``say``), counted
quantities with their plural forms (``count``), dates at their precision (``date``) and lists (``listed``).
The finding stores that structure, not the sentence (``Finding.wording``), and ``render`` writes it in the
active language: the reader's on pages, English in exports and reports (``Finding.summary``). Values taken
from records (names, places, what a source says) stay as they are; choice labels are given with ``say``, so
that they are translated as the form that records them is.

The message ids live in the rule modules; the Russian catalogue translates each one, and
``tests/core/test_wording.py`` fails when one is missing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext, ngettext

from habeas.core.dates import describe

#: a message (``m``) with its parameters (``p``), plural (``pl``) and count (``n``); a date (``d``, ``pr``);
#: or a list (``l``) and its separator (``s``)
Words = dict[str, Any]
Part = Words | str | int | float


def say(msgid: str, **params: Part) -> Words:
    """A message: an English message id, with ``%(name)s`` for each parameter."""
    return {"m": msgid, "p": params} if params else {"m": msgid}


def count(singular: str, plural: str, n: int | float, **params: Part) -> Words:
    """A message whose form follows a number, given to it as ``%(n)s``."""
    return {"m": singular, "pl": plural, "n": n, "p": {**params, "n": n}}


def date(value: dt.date | dt.datetime, precision: str) -> Words:
    """A date, written at its precision ("March 2012") in the reader's language."""
    return {"d": value.isoformat(), "pr": precision}


def listed(parts: list[Part], separator: str = ", ") -> Words:
    return {"l": parts, "s": separator}


def render(part: Part) -> str:
    """The words, in the active language."""
    if isinstance(part, str):
        return part
    if isinstance(part, int | float) and not isinstance(part, bool):
        return formats.number_format(int(part) if float(part).is_integer() else part, force_grouping=True)
    if not isinstance(part, dict):
        raise TypeError(f"words are made of text, numbers and messages, not {part!r}")
    if "d" in part:
        text = part["d"]
        value = dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
        return describe(value, part["pr"])
    if "l" in part:
        return str(part["s"]).join(render(item) for item in part["l"])
    message = ngettext(part["m"], part["pl"], round(part["n"])) if "pl" in part else gettext(part["m"])
    params = part.get("p")
    if not params:
        return message
    return message % {name: render(value) for name, value in params.items()}


def english(part: Part) -> str:
    """The words in English, as exports and reports give them."""
    with translation.override("en"):
        return render(part)
