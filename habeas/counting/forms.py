"""Forms of the counting workspace: running an estimate, and deciding a review pair."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from habeas.counting.models import ReviewPair
from habeas.counting.selectors import STRATA_COLUMNS

METHODS = [
    ("loglinear", _("Log-linear models (best hierarchical model by BIC, profile-likelihood interval)")),
    ("sparse", _("Sparse stepwise method (SparseMSE, bootstrap interval)")),
    ("dga", _("Bayesian model averaging over decomposable graphs (dga; 3 to 5 lists)")),
    ("lcmcr", _("Bayesian latent classes (LCMCR)")),
]
STRATA_LABELS = {
    "stratum": _("the list's or row's stratum"),
    "sex": _("sex"),
    "region": _("place or region"),
    "event_place": _("place of the event"),
    "event_year": _("year of the event"),
}


class EstimateForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=METHODS, initial="loglinear")
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("a whole number, 0 or more, to repeat a run exactly; left empty, one is drawn and recorded"),
    )
    strata = forms.ChoiceField(
        label=_("Stratify by"),
        required=False,
        choices=[("", _("no strata (one table)")), *[(c, STRATA_LABELS[c]) for c in STRATA_COLUMNS]],
        help_text=_("estimate each group on its own and add them up, when capture differs between groups"),
    )


class DecisionForm(forms.Form):
    pair = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ReviewPair.State.SAME, _("Same person")), (ReviewPair.State.DIFFERENT, _("Different people"))],
        error_messages={"required": _("Choose “same person” or “different people”.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("what decided it, e.g. same birth date and patronymic; different fathers"),
        error_messages={"required": _("Give the reason for the decision: it is kept with it.")},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the decision: it is kept with it."))
        return reason
