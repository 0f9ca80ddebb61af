"""Monitoring: visits to places of detention and the recommendations that follow, with their status over
time."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from habeas.accounts.identity import pseudonymous
from habeas.accounts.viewer import Viewer
from habeas.core.fields import EncryptedTextField
from habeas.core.models import Record, fuzzy_date, not_before
from habeas.registry.models import Organisation, Place


class Visit(Record):
    """A visit, or an attempted visit, by a monitoring body to a place of detention."""

    body = models.ForeignKey(
        Organisation,
        verbose_name=_("monitoring body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    body_text = models.CharField(_("monitoring body (as described)"), max_length=200, blank=True)
    place = models.ForeignKey(
        Place, verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    visited_on, visited_on_precision = fuzzy_date(_("date"))
    announced = models.BooleanField(_("announced in advance"), null=True, blank=True)
    access_granted = models.BooleanField(_("access granted"), null=True, blank=True)
    refused = EncryptedTextField(_("what was refused"), blank=True, help_text=_("areas, people or documents"))
    private_interviews = models.BooleanField(_("private interviews allowed"), null=True, blank=True)
    accompanied_by = models.CharField(_("accompanied or controlled by"), max_length=200, blank=True)
    visitors = EncryptedTextField(_("who visits"), blank=True, help_text=_("the members of the visiting team"))
    findings = EncryptedTextField(_("findings"), blank=True)

    class Meta:
        verbose_name = _("monitoring visit")
        verbose_name_plural = _("monitoring visits")

    def __str__(self) -> str:
        where = self.place or _("unnamed place")
        return f"{self.body or self.body_text} at {where} ({self.date_text('visited_on')})"


class Recommendation(Record):
    issuer = models.ForeignKey(
        Organisation,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="recommendations_issued",
    )
    addressee = models.ForeignKey(
        Organisation,
        verbose_name=_("addressed to"),
        on_delete=models.PROTECT,
        related_name="recommendations_received",
    )
    issued_on, issued_on_precision = fuzzy_date(_("issued"))
    text = EncryptedTextField(_("recommendation"))
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("following visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    event = models.ForeignKey(
        "cases.Event",
        verbose_name=_("about event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    response_due_on, response_due_on_precision = fuzzy_date(_("response due"))

    date_order = (("response_due_on", "issued_on"),)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [not_before("response_due_on", "issued_on")]

    def __str__(self) -> str:
        return pseudonymous(self)

    def name_for(self, viewer: Viewer) -> str:
        """Who recommended what to whom, for a viewer who sees its team's identities."""
        return (
            f"{self.issuer} → {self.addressee}: {self.text[:80]}" if viewer.sees_identity(self.team_id) else str(self)
        )


class RecommendationStatus(Record):
    """One entry in a recommendation's history: what the authority said or did, and its status then."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("issued, no response")
        ACCEPTED = "accepted", _("accepted")
        PARTLY = "partly", _("partly implemented")
        IMPLEMENTED = "implemented", _("implemented")
        REJECTED = "rejected", _("rejected")
        DISPUTED = "disputed", _("response disputes the facts")

    recommendation = models.ForeignKey(
        Recommendation, verbose_name=_("recommendation"), on_delete=models.CASCADE, related_name="history"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    recorded_on, recorded_on_precision = fuzzy_date(_("as of"))
    response = EncryptedTextField(_("response or action"), blank=True)

    class Meta:
        verbose_name = _("recommendation status")
        verbose_name_plural = _("recommendation statuses")
        ordering = ["recorded_on"]
        verbose_name_plural = _("recommendation statuses")

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.date_text('recorded_on')})"


class InformationRequest(Record):
    """A monitoring body's request for information on detainees, places or treatment, and the answer."""

    body = models.ForeignKey(
        Organisation, verbose_name=_("monitoring body"), on_delete=models.PROTECT, related_name="information_requests"
    )
    addressee = models.ForeignKey(
        Organisation, verbose_name=_("asked of"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_on, requested_on_precision = fuzzy_date(_("requested"))
    asked_for = EncryptedTextField(_("information asked for"))
    answered_on, answered_on_precision = fuzzy_date(_("answered"))
    refused = EncryptedTextField(_("what was refused"), blank=True)

    date_order = (("answered_on", "requested_on"),)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        constraints = [not_before("answered_on", "requested_on")]

    def __str__(self) -> str:
        return pseudonymous(self)

    def name_for(self, viewer: Viewer) -> str:
        """Who asked for what, for a viewer who sees its team's identities."""
        return f"{self.body}: {self.asked_for[:60]}" if viewer.sees_identity(self.team_id) else str(self)
