"""The workplace's pages of the cases app: the intake of an allegation, step by step."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from habeas.accounts.access import can_write
from habeas.accounts.viewer import viewer_of
from habeas.accounts.web import RecordPages, member_required, render_page
from habeas.cases import forms
from habeas.cases.forms import STEP_BY_SLUG, STEPS, Step, step_form
from habeas.cases.models import Allegation, Investigation, Proceeding, Verdict
from habeas.cases.selectors import intake_draft_get_for_user, intake_drafts_of, intake_victim
from habeas.cases.services import (
    IntakeInvalid,
    intake_draft_discard,
    intake_draft_save,
    intake_draft_start,
    intake_submit,
)

#: what a step's form posts besides its fields: the button pressed
NOT_TYPED = {"csrfmiddlewaretoken", "go"}


def _writer(request: HttpRequest) -> None:
    if not can_write(viewer_of(request)):
        raise PermissionDenied(_("your role may read records but not record allegations"))


@member_required
def intake(request: HttpRequest) -> HttpResponseBase:
    """The user's drafts, and a button to start a new one (POST); a draft named in ``discard`` is deleted."""
    _writer(request)
    if request.method == "POST":
        if "discard" in request.POST:
            draft = intake_draft_get_for_user(user=request.user, pk=request.POST["discard"])
            intake_draft_discard(draft=draft, user=request.user)
            messages.success(request, _("The draft was deleted."))
            return redirect("intake")
        draft = intake_draft_start(user=request.user)
        return redirect("intake_step", pk=draft.pk, step=STEPS[0].slug)
    drafts = [
        {"draft": draft, "victim": _victim_typed(draft.data or {}), "next": STEPS[min(draft.step, len(STEPS) - 1)]}
        for draft in intake_drafts_of(request.user)
    ]
    return render_page(request, "cases/intake_list.html", {"title": _("Record an allegation"), "drafts": drafts})


def _victim_typed(data: dict[str, Any]) -> str:
    who = data.get("who") or {}
    return (who.get("name") or [""])[-1] or (_("a person already recorded") if who.get("person") else "")


@member_required
def intake_step(request: HttpRequest, pk: int, step: str) -> HttpResponseBase:
    """One step of the intake: GET shows what the draft holds for it; POST keeps what was typed (valid or not)
    and goes on, back, or stays to show the messages. The last step records everything."""
    _writer(request)
    draft = intake_draft_get_for_user(user=request.user, pk=pk)
    current = STEP_BY_SLUG.get(step)
    if current is None:
        raise Http404(f"no intake step {step}")
    if current.form is None:
        return _review(request, draft)
    victim = intake_victim(draft=draft, viewer=viewer_of(request))
    stored = (draft.data or {}).get(current.slug)
    if request.method != "POST":
        form = step_form(current, viewer=viewer_of(request), data=stored, victim=victim)
        return _render_step(request, draft, current, form)
    go = request.POST.get("go", "next")
    typed = {key: request.POST.getlist(key) for key in request.POST if key not in NOT_TYPED}
    if go == "more" and "form-TOTAL_FORMS" in typed:
        typed["form-TOTAL_FORMS"] = [str(int(typed["form-TOTAL_FORMS"][0] or 0) + 1)]
    form = step_form(current, viewer=viewer_of(request), data=typed, victim=victim)
    valid = go in ("next", "review") and form.is_valid()
    intake_draft_save(draft=draft, user=request.user, step=current.slug, data=typed, completed=valid)
    index = STEPS.index(current)
    if go == "back":
        return redirect("intake_step", pk=draft.pk, step=STEPS[max(index - 1, 0)].slug)
    if go == "find" and current.slug == "who":
        form = current.form(initial={k: v[-1] for k, v in typed.items()}, viewer=viewer_of(request), victim=victim)
        return _render_step(request, draft, current, form)
    if valid:
        following = STEPS[-1] if go == "review" else STEPS[index + 1]
        return redirect("intake_step", pk=draft.pk, step=following.slug)
    return _render_step(request, draft, current, form)


def _render_step(request: HttpRequest, draft: Any, current: Step, form: Any) -> HttpResponse:
    index = STEPS.index(current)
    context = {
        "title": _("Record an allegation: %(step)s") % {"step": current.title},
        "draft": draft,
        "step": current,
        "number": index + 1,
        "steps": _steps(draft, current),
        "form": form,
        "rows": hasattr(form, "forms"),
        "first": index == 0,
    }
    return render_page(request, "cases/intake_step.html", context, partial="step")


def _steps(draft: Any, current: Step) -> list[dict[str, Any]]:
    return [
        {"step": s, "number": n, "current": s == current, "reached": n - 1 <= draft.step}
        for n, s in enumerate(STEPS, 1)
    ]


def _review(request: HttpRequest, draft: Any) -> HttpResponseBase:
    user = request.user
    if request.method == "POST":
        try:
            result = intake_submit(draft=draft, user=user)
        except IntakeInvalid as exc:
            messages.error(request, exc.message)
            return redirect("intake_step", pk=draft.pk, step=exc.step)
        messages.success(
            request,
            _("The allegation was recorded: %(n)s records, each citing the source.") % {"n": len(result.records)},
        )
        return redirect(_result_url(result))
    victim = intake_victim(draft=draft, viewer=viewer_of(request))
    sections = []
    for step in STEPS[:-1]:
        form = step_form(step, viewer=viewer_of(request), data=(draft.data or {}).get(step.slug), victim=victim)
        valid = form.is_bound and form.is_valid()
        sections.append({"step": step, "valid": valid, "items": form.summary() if valid else []})
    context = {
        "title": _("Record an allegation: review"),
        "draft": draft,
        "step": STEPS[-1],
        "number": len(STEPS),
        "steps": _steps(draft, STEPS[-1]),
        "sections": sections,
        "ready": all(s["valid"] for s in sections),
    }
    return render_page(request, "cases/intake_review.html", context)


def _result_url(result: Any) -> str:
    """The victim's file."""
    return reverse("person_detail", kwargs={"pk": result.victim.pk})


# The pages of the records of a case (see ``habeas.accounts.web.RecordPages``) ---------------------------------------


def _file_of(record: Any) -> str:
    """The file of the person the record is about: the victim of its allegation, or the defendant or
    beneficiary it names, or the person whose custody it rules on; else the dashboard."""
    for path in ("allegation", "investigation.allegation", "complaint.allegation", "verdict.proceeding"):
        holder = record
        for step in path.split("."):
            holder = getattr(holder, step, None)
        person = getattr(holder, "victim", None) if isinstance(holder, Allegation) else None
        if person is not None:
            return reverse("person_detail", args=[person.pk])
    custody = getattr(record, "custody", None)
    person = (
        getattr(record, "defendant", None)
        or getattr(record, "beneficiary", None)
        or (custody.person if custody is not None else None)
    )
    return reverse("person_detail", args=[person.pk]) if person else reverse("dashboard")


def _pages(form: Any, title: Any, parent: Any = None, parent_field: str = "") -> RecordPages:
    return RecordPages(form, title, parent=parent, parent_field=parent_field, back=_file_of)


COMPLAINT = _pages(forms.ComplaintForm, gettext_lazy("Complaint"), Allegation, "allegation")
INVESTIGATION = _pages(forms.InvestigationForm, gettext_lazy("Investigation"), Allegation, "allegation")
STEP = _pages(forms.InvestigationStepForm, gettext_lazy("Step of an investigation"), Investigation, "investigation")
PROCEEDING = _pages(forms.ProceedingForm, gettext_lazy("Court proceeding or appeal"))
CHARGE = _pages(forms.ChargeForm, gettext_lazy("Charge"), Proceeding, "proceeding")
HEARING = _pages(forms.HearingForm, gettext_lazy("Hearing"), Proceeding, "proceeding")
VERDICT = _pages(forms.VerdictForm, gettext_lazy("Verdict"), Proceeding, "proceeding")
SENTENCE = _pages(forms.SentenceForm, gettext_lazy("Sentence"), Verdict, "verdict")
REPARATION = _pages(forms.ReparationForm, gettext_lazy("Reparation ordered and paid"), Allegation, "allegation")
