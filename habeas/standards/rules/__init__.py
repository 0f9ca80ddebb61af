"""The catalogue of implemented rules, by code."""

from __future__ import annotations

from django.utils.translation import gettext

from habeas.standards.engine import Rule, StandardsError
from habeas.standards.rules import accountability, detention, life, monitoring, redress, reprisals, safeguards

CATALOGUE: dict[str, Rule] = {
    rule.code: rule
    for module in (detention, accountability, monitoring, life, safeguards, reprisals, redress)
    for rule in module.RULES
}


def rules_by_code(codes: list[str] | tuple[str, ...]) -> list[Rule]:
    unknown = [code for code in codes if code not in CATALOGUE]
    if unknown:
        raise StandardsError(f"unknown rule code {unknown[0]!r}; 'habeas rules' lists them")
    return [CATALOGUE[code] for code in codes]


def standard_shown(code: str, stored: str) -> str:
    """The standard a finding cites (stored in English when it was found), in the reader's language while it is
    still its rule's citation; a finding found under other wording keeps its own."""
    rule = CATALOGUE.get(code)
    if rule is None or rule.citation != stored:
        return stored
    return f"{gettext(rule.instrument)}, {gettext(rule.article)}"


def standards_shown(code: str, stored: str, cited: list[dict[str, str]]) -> str:
    """Every standard a finding cites (its ``standards``, the strictest first), in the reader's language while
    each is still its rule's citation; a finding stored before it cited several gives its own."""
    if not cited:
        return standard_shown(code, stored)
    return "; ".join(standard_shown(c["rule"], c["standard"]) for c in cited)
