"""CSV written for people to open in a spreadsheet: a text cell that a spreadsheet would take for a formula
(``=``, ``+``, ``-``, ``@``, a tab or a carriage return first) gets a leading ``'``, so that a name or a note
such as ``=HYPERLINK("http://…")`` typed into a record is shown as text and never runs when the file is opened."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """The text as a spreadsheet shows it, never as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
