"""The catalogue of implemented rules, by code."""

from __future__ import annotations

from habeas.standards.engine import Rule, StandardsError
from habeas.standards.rules import accountability, detention, monitoring

CATALOGUE: dict[str, Rule] = {
    rule.code: rule for module in (detention, accountability, monitoring) for rule in module.RULES
}


def rules_by_code(codes: list[str] | tuple[str, ...]) -> list[Rule]:
    unknown = [code for code in codes if code not in CATALOGUE]
    if unknown:
        raise StandardsError(f"unknown rule code {unknown[0]!r}; 'habeas rules' lists them")
    return [CATALOGUE[code] for code in codes]
