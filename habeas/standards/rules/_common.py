"""Helpers shared by the rule modules."""

from __future__ import annotations

from habeas.standards.engine import Outcome, Status


def judge(shortest: float, longest: float, limit: float) -> Status | None:
    """Compare an uncertain quantity with a limit that must not be exceeded: a breach when even the
    shortest reading exceeds it, possible when only the longest does, nothing otherwise."""
    if shortest > limit:
        return Status.BREACH
    if longest > limit:
        return Status.POSSIBLE
    return None


def outcome(status: Status | None, summary: str, **facts: object) -> Outcome | None:
    if status is None:
        return None
    return Outcome(status=status, summary=summary, facts=dict(facts))


def amount(shortest: float, longest: float, unit: str) -> str:
    """'730 days', or '31 to 92 days' when the dates leave it uncertain."""
    low = round(shortest)
    if longest == float("inf"):
        return f"more than {low:,} {unit}"
    high = round(longest)
    if low == high:
        return f"{low:,} {unit}"
    return f"{low:,} to {high:,} {unit}"
