"""Forms of the counting workspace: running an estimate, and deciding a review pair."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from habeas.core.access import can_analyse, identities_hidden_from, roles_of
from habeas.counting.models import ReviewPair, SourceList
from habeas.counting.selectors import STRATA_COLUMNS, list_name, lists_visible

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


class ListChoice(forms.ModelMultipleChoiceField):
    hidden: set[int] = set()  # the teams whose identities are hidden from the user: their lists by number

    def label_from_instance(self, obj: SourceList) -> str:
        return f"{list_name(obj, self.hidden)} ({obj.source.key}, {obj.row_count:,})"


class LinkForm(forms.Form):
    """Lists of one team to link into people: those of the teams in which the user may run analyses."""

    lists = ListChoice(
        label=_("Lists"),
        queryset=SourceList.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick the lists to link: at least one.")},
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        initial=0,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("the same seed and lists give the same people again"),
    )

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        teams = [team for team in roles_of(user) if can_analyse(user, team)]
        if getattr(user, "is_superuser", False):
            chosen = lists_visible(user=user)
        else:
            chosen = lists_visible(user=user).filter(team_id__in=teams)
        self.fields["lists"].hidden = identities_hidden_from(user)  # type: ignore[attr-defined]
        self.fields["lists"].queryset = chosen.select_related("source").order_by("-imported_at", "-pk")  # type: ignore[attr-defined]

    def clean_lists(self) -> list[SourceList]:
        lists = list(self.cleaned_data["lists"])
        if len({lst.team_id for lst in lists}) > 1:
            raise forms.ValidationError(_("These lists belong to different teams: link one team's lists at a time."))
        return lists


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
