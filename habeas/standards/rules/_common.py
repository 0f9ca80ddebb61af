"""Helpers shared by the rule modules."""

from __future__ import annotations

from habeas.core.wording import Words, count, date
from habeas.standards.engine import Outcome, Status
from habeas.standards.facts import When


def judge(shortest: float, longest: float, limit: float) -> Status | None:
    """Compare an uncertain quantity with a limit that must not be exceeded: a breach when even the
    shortest reading exceeds it, possible when only the longest does, nothing otherwise."""
    if shortest > limit:
        return Status.BREACH
    if longest > limit:
        return Status.POSSIBLE
    return None


def outcome(status: Status | None, wording: Words, **facts: object) -> Outcome | None:
    if status is None:
        return None
    return Outcome(status=status, wording=wording, facts=dict(facts))


def amount(shortest: float, longest: float, unit: str) -> Words:
    """'730 days', or '31 to 92 days' when the dates leave it uncertain, or 'more than 335 days' when only a
    minimum is known; ``unit`` is "days", "consecutive days" or "hours"."""
    low = round(shortest)
    high = None if longest == float("inf") else round(longest)
    if unit == "hours":
        if high is None:
            return count("more than %(n)s hour", "more than %(n)s hours", low)
        if low == high:
            return count("%(n)s hour", "%(n)s hours", low)
        return count("%(low)s to %(n)s hour", "%(low)s to %(n)s hours", high, low=low)
    if unit == "consecutive days":
        if high is None:
            return count("more than %(n)s consecutive day", "more than %(n)s consecutive days", low)
        if low == high:
            return count("%(n)s consecutive day", "%(n)s consecutive days", low)
        return count("%(low)s to %(n)s consecutive day", "%(low)s to %(n)s consecutive days", high, low=low)
    if high is None:
        return count("more than %(n)s day", "more than %(n)s days", low)
    if low == high:
        return count("%(n)s day", "%(n)s days", low)
    return count("%(low)s to %(n)s day", "%(low)s to %(n)s days", high, low=low)


def days(n: int | float) -> Words:
    """A limit in days."""
    return count("%(n)s day", "%(n)s days", n)


def hours(n: int | float) -> Words:
    """A limit in hours."""
    return count("%(n)s hour", "%(n)s hours", n)


def when(value: When) -> Words:
    return date(value.value, value.precision)


def label(text: str) -> Words | str:
    """A choice label the selectors supply in English: a message whose id is the label, so that it is shown as
    the form that records it names it."""
    return {"m": text} if text else ""
