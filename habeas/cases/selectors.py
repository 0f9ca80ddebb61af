"""Reads of the cases app for the workplace's pages: intake drafts, and the people, custody episodes, places and
sources an intake may refer to (only those the user may see); the hearings that bring a detainee before a judge."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from habeas.accounts.access import linkable
from habeas.accounts.viewer import Viewer
from habeas.cases.models import APPEARANCES, Hearing, IntakeDraft
from habeas.custody.models import CustodyEpisode
from habeas.registry.models import Person
from habeas.registry.selectors import persons_named

#: the most people a search by name offers to pick from
MATCHES_SHOWN = 20


def intake_drafts_of(user: Any) -> QuerySet[IntakeDraft]:
    """The user's own drafts, the latest first (nobody else's, whatever their role)."""
    if not getattr(user, "is_authenticated", False):
        return IntakeDraft.objects.none()
    return IntakeDraft.objects.filter(user=user)


def intake_draft_get_for_user(*, user: Any, pk: Any) -> IntakeDraft:
    """The draft if it is the user's own, else 404 (another user's draft does not exist for them)."""
    try:
        return intake_drafts_of(user).get(pk=pk)
    except (IntakeDraft.DoesNotExist, ValueError, TypeError):
        raise Http404(f"no intake draft {pk}") from None


def persons_matching(*, text: str, viewer: Viewer) -> list[Person]:
    """The people whose names hold the words of ``text`` in any script, among those the user's new records may
    name (for picking a victim: see ``access.linkable``)."""
    return list(persons_named(text, among=linkable(Person, viewer)).order_by("pk")[:MATCHES_SHOWN])


def person_visible(*, viewer: Viewer, pk: Any) -> Person | None:
    if pk in (None, ""):
        return None
    try:
        return linkable(Person, viewer).filter(pk=pk).first()
    except (ValueError, TypeError):
        return None


def person_named_exactly(*, name: str, viewer: Viewer) -> Person | None:
    """The one person the user's new records may name (``access.linkable``) with exactly this name, or None when
    there is none or several (a new person is recorded then)."""
    found = list(persons_named(name, exact=True, among=linkable(Person, viewer))[:2])
    return found[0] if len(found) == 1 else None


def custody_episodes_of(*, person: Person | None, viewer: Viewer) -> QuerySet[CustodyEpisode]:
    if person is None:
        return CustodyEpisode.objects.none()
    # each episode's label names its person: one query for them all, not one per episode
    return (
        linkable(CustodyEpisode, viewer).filter(person=person).select_related("person").order_by("apprehended_at", "pk")
    )


def intake_victim(*, draft: IntakeDraft, viewer: Viewer) -> Person | None:
    """The person already recorded that the draft's first step picked, if any (and if the user may see them)."""
    picked = (draft.data or {}).get("who", {}).get("person") or [None]
    return person_visible(viewer=viewer, pk=picked[-1])


def appearances() -> QuerySet[Hearing]:
    """The hearings that are a custody's appearance before a judge: a dated first appearance or detention hearing
    that names the custody it rules on, the detainee not recorded as absent. The clock and the rules on a prompt
    appearance read them beside the custody's own date of first appearance."""
    return Hearing.objects.filter(kind__in=APPEARANCES, custody__isnull=False, held_at__isnull=False).exclude(
        detainee_present=False
    )
