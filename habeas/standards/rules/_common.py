"""Helpers shared by the rule modules."""

from __future__ import annotations

from habeas.core.wording import Words, count, date, say
from habeas.standards.engine import Outcome, Params, Status
from habeas.standards.facts import When


def judge(shortest: float, longest: float, limit: float) -> Status | None:
    """Compare an uncertain quantity with a limit that must not be exceeded: a breach when even the
    shortest reading exceeds it, possible when only the longest does, nothing otherwise."""
    if shortest > limit:
        return Status.BREACH
    if longest > limit:
        return Status.POSSIBLE
    return None


def outcome(status: Status | None, wording: Words, *, topic: str = "", **facts: object) -> Outcome | None:
    """An outcome when there is a status; ``topic`` names the failure when it is not the rule's own."""
    if status is None:
        return None
    return Outcome(status=status, wording=wording, facts=dict(facts), topic=topic)


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


def limit_of(params: Params, name: str, figure: Words) -> Words:
    """A limit worded as whose it is: the standard's ("the limit set by Nelson Mandela Rules, rule 44 is 15
    days"), or Habeas's working threshold with its reason where the standard sets no figure."""
    cited = params.cited(name)
    if cited.working:
        return say(
            "Habeas's working threshold is %(limit)s, since %(reason)s", limit=figure, reason=label(cited.working)
        )
    return say("the limit set by %(by)s is %(limit)s", by=label(cited.set_by), limit=figure)


def gap(wording: Words, **facts: object) -> Outcome:
    """A fact the rule needs that no source states: a question for the researcher, never a breach."""
    return Outcome(status=Status.GAP, wording=wording, facts=dict(facts))
