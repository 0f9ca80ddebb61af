"""The counting workspace: lists (imported from the web in two steps), linkage runs and their overlaps, the
clerical review queue, and estimates with their intervals, posteriors, diagnostics, provenance and
assumptions."""

from __future__ import annotations

import io
import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django_stubs_ext import StrOrPromise

from habeas.accounts.access import can_analyse, can_write
from habeas.accounts.jobs import job_start
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import Viewer, viewer_of
from habeas.accounts.web import member_required, render_page
from habeas.core import charts as core_charts
from habeas.counting import charts, tasks
from habeas.counting.forms import ByHandForm, DecisionForm, EstimateForm, LinkForm, ListMappingForm, ListUploadForm
from habeas.counting.models import ClusterMember, EstimateRun, LinkageRun, ReviewPair
from habeas.counting.reading import encoding_name
from habeas.counting.selectors import (
    estimate_get_for_user,
    estimates_visible,
    latest_run,
    linkage_words,
    list_name,
    lists_visible,
    pair_comparison,
    pair_get_for_user,
    recent_decisions,
    review_counts,
    review_queue,
    run_estimates,
    run_get_for_user,
    run_overlaps,
    run_people,
    runs_visible,
)
from habeas.counting.services import (
    RELINK_AT_ONCE,
    LinkageRunError,
    ListUploadMissing,
    linkage_relink,
    list_upload_get,
    list_upload_store,
    review_by_hand,
    review_decide,
)
from habeas.evidence.models import Source

#: the methods whose estimate is a posterior median
BAYESIAN = ("lcmcr", "dga")


def _read(request: HttpRequest, obj: Any) -> None:
    audit_record(action="read", actor=request.user, target_type=obj._meta.label_lower, target_id=str(obj.pk))


def upset_chart(run: LinkageRun, hidden: set[int]) -> tuple[SafeString, Any]:
    overlaps = run_overlaps(run=run)
    svg = charts.upset(
        [(list_name(lst, hidden), size) for lst, size in overlaps.lists],
        [charts.Pattern(pattern, count) for pattern, count in overlaps.patterns],
        title=_("People on each combination of the lists of linkage run %(run)s") % {"run": run.pk},
        more_label=_("{patterns} more patterns ({people} people) not drawn"),
    )
    return mark_safe(svg), overlaps


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _interval(label: str, estimate: Any, ci: Any) -> core_charts.Interval | None:
    point = _finite(estimate)
    if point is None:
        return None
    low, high = (ci or [None, None])[:2]
    return core_charts.Interval(label, point, _finite(low), _finite(high))


def comparison_chart(estimates: list[EstimateRun], title: str) -> SafeString | str:
    """The estimates side by side on one axis, the number observed marked: disagreement shows as intervals
    that do not overlap."""
    labels = [f"#{est.pk} {est.method}" + (f" / {est.strata}" if est.strata else "") for est in estimates]
    rows = [
        row
        for label, est in zip(labels, estimates, strict=True)
        if (row := _interval(label, est.estimate, [est.ci_low, est.ci_high]))
    ]
    if not rows:
        return ""
    observed = max(est.observed for est in estimates)
    return mark_safe(core_charts.intervals(rows, title=title, observed=observed))


@member_required
def counting(request: HttpRequest) -> HttpResponseBase:
    """The workspace: the lists, the linkage runs with the review still to do, the estimates, and the
    overlaps of one run's lists (the newest, or ``?run=``). A POST links the lists ticked, as a job of the
    worker whose page shows its progress."""
    user = request.user
    viewer = viewer_of(request)
    link_form = LinkForm(request.POST or None, viewer=viewer)
    if request.method == "POST":
        if not link_form.fields["lists"].queryset.exists():  # type: ignore[attr-defined]
            raise PermissionDenied(_("Your role may read these lists but not link them."))
        if link_form.is_valid():
            lists = link_form.cleaned_data["lists"]
            job = job_start(
                kind="linkage",
                title=_("Linkage of %(n)s lists") % {"n": len(lists)},
                user=user,
                task=tasks.link_lists,
                list_ids=[lst.pk for lst in lists],
                seed=link_form.cleaned_data["seed"],
            )
            return redirect("job_detail", pk=job.pk)
    hidden = viewer.hidden
    lists = list(lists_visible(viewer=viewer).select_related("source").order_by("-imported_at", "-pk"))
    runs = list(runs_visible(viewer=viewer))
    estimates = list(estimates_visible(viewer=viewer).select_related("linkage"))
    done = [run for run in runs if run.status == LinkageRun.Status.DONE]
    chosen = done[0] if done else None
    if request.GET.get("run"):
        chosen = next((run for run in done if str(run.pk) == request.GET["run"]), chosen)
    chart, overlaps = upset_chart(chosen, hidden) if chosen else ("", None)
    context = {
        "title": _("Counting"),
        "lists": [(lst, list_name(lst, hidden)) for lst in lists],
        "runs": runs,
        "done": done,
        "estimates": estimates,
        "chosen": chosen,
        "overlaps": overlaps,
        "upset_chart": chart,
        "link_form": link_form if link_form.fields["lists"].queryset.exists() else None,  # type: ignore[attr-defined]
        "may_import": can_write(viewer),
    }
    return render_page(request, "counting/workspace.html", context, status=400 if link_form.errors else 200)


@member_required
def linkage_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run's summary, the overlaps of its lists, its estimates side by side, and a form to run another."""
    user = request.user
    viewer = viewer_of(request)
    run = run_get_for_user(viewer=viewer, pk=pk)
    may_estimate = can_analyse(viewer, run.team_id) and run.status == LinkageRun.Status.DONE
    form = EstimateForm(request.POST or None)
    if request.method == "POST":
        if not can_analyse(viewer, run.team_id):
            raise PermissionDenied(_("You may read this run but not run estimates on it."))
        if form.is_valid():
            data = form.cleaned_data
            job = job_start(
                kind="estimate",
                title=_("Estimate (%(method)s) of linkage run %(run)s") % {"method": data["method"], "run": run.pk},
                user=user,
                task=tasks.estimate,
                run_id=run.pk,
                method=data["method"],
                seed=data["seed"],
                strata=data["strata"] or None,
                linkage_draws=data["linkage_draws"],
            )
            return redirect("job_detail", pk=job.pk)
    else:
        _read(request, run)
    hidden = viewer.hidden
    estimates = list(run_estimates(run=run))
    chart, overlaps = upset_chart(run, hidden) if run.status == LinkageRun.Status.DONE else ("", None)
    context = {
        "title": _("Linkage run %(pk)s") % {"pk": run.pk},
        "run": run,
        "lists": [(lst, list_name(lst, hidden)) for lst in run.lists.select_related("source").order_by("pk")],
        "counts": review_counts(run=run),
        "overlaps": overlaps,
        "upset_chart": chart,
        "estimates": estimates,
        "comparison_chart": comparison_chart(estimates, _("Estimates of this run with their 95% intervals")),
        "form": form,
        "may_estimate": may_estimate,
    }
    return render_page(request, "counting/run.html", context, status=400 if form.errors else 200)


def _queue_context(request: HttpRequest, run: LinkageRun, **extra: Any) -> dict[str, Any]:
    viewer = viewer_of(request)
    hide = run.team_id in viewer.hidden
    queue = review_queue(run=run).select_related("row_a__source_list__source", "row_b__source_list__source")
    pair = extra.pop("pair", None) or queue.first()
    form = extra.pop("form", None)
    if pair is not None and form is None:
        form = DecisionForm(initial={"pair": pair.pk})
    return {
        "title": _("Review queue of linkage run %(pk)s") % {"pk": run.pk},
        "run": run,
        "pair": pair,
        "fields": pair_comparison(pair=pair, hide_identities=hide) if pair is not None else [],
        "form": form,
        "counts": review_counts(run=run),
        "decisions": recent_decisions(run=run),
        "may_decide": can_analyse(viewer, run.team_id) and not hide,
        "hidden": hide,
        "newer": newer if (newer := latest_run(run)).pk != run.pk else None,
        **extra,
    }


def _relink(request: HttpRequest, run: LinkageRun) -> tuple[LinkageRun, str]:
    """Link the run's lists again after a decision: at once for small runs, else (and when an LCMCR estimate,
    which may take minutes, is to be made again) by the worker. The run to show next, and what happened in
    words."""
    if run.records > RELINK_AT_ONCE or run.estimates.filter(method="lcmcr").exists():
        job = job_start(
            kind="linkage",
            title=_("Linking again after a review decision (run %(run)s)") % {"run": run.pk},
            user=request.user,
            task=tasks.relink,
            run_id=run.pk,
        )
        return run, _("The lists are being linked again (job %(job)s); the new run will apply the decision.") % {
            "job": job.pk
        }
    try:
        again = linkage_relink(run=run, user=request.user)
    except LinkageRunError as exc:
        return run, _("The decision is kept, but linking again failed: %(error)s") % {"error": exc}
    return again, _("Linked again at once as run %(pk)s: %(people)s people (%(before)s before).") % {
        "pk": again.pk,
        "people": again.people,
        "before": run.people,
    }


def _go_to(request: HttpRequest, url: str) -> HttpResponseBase:
    """A redirect, or for htmx a full-page redirect (the page shows another run)."""
    if request.htmx:  # type: ignore[attr-defined]
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@member_required
def review_queue_page(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The clerical review queue: the first pending pair side by side, its differences highlighted, and the
    decision. A POST decides the pair named in the form; an htmx POST gets back just the next pair."""
    user = request.user
    viewer = viewer_of(request)
    run = run_get_for_user(viewer=viewer, pk=pk)
    if request.method != "POST":
        _read(request, run)
        return render_page(request, "counting/review.html", _queue_context(request, run), partial="pair")
    form = DecisionForm(request.POST)
    try:
        pair_id = int(request.POST.get("pair", ""))
    except ValueError:
        raise Http404(_("No such pair in this run.")) from None
    pair = pair_get_for_user(viewer=viewer, pk=pair_id, write=True)
    if pair.run_id != run.pk:
        raise Http404(_("No such pair in this run."))
    if run.team_id in viewer.hidden:
        raise PermissionDenied(_("Deciding whether two rows are one person needs their names."))
    if pair.state != ReviewPair.State.PENDING:  # decided meanwhile (another reviewer, a second click)
        notice = _("This pair was already decided (%(state)s) by %(who)s; it is left as it was.") % {
            "state": pair.get_state_display(),
            "who": pair.decided_by or _("someone"),
        }
        if not request.htmx:  # type: ignore[attr-defined]
            messages.warning(request, notice)
            return redirect("review_queue", pk=run.pk)
        return render_page(request, "counting/review.html", _queue_context(request, run, notice=notice), partial="pair")
    if form.is_valid():
        try:
            review_decide(
                pair=pair, decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"], user=user
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            again, relinked = _relink(request, run)
            done = _("Pair %(pk)s decided: %(state)s.") % {"pk": pair.pk, "state": pair.get_state_display()}
            done = f"{done} {relinked}"
            if again.pk != run.pk or not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, done)
                return _go_to(request, reverse("review_queue", args=[again.pk]))
            return render_page(
                request, "counting/review.html", _queue_context(request, run, notice=done), partial="pair"
            )
    context = _queue_context(request, run, pair=pair, form=form)
    return render_page(request, "counting/review.html", context, partial="pair", status=200 if request.htmx else 400)  # type: ignore[attr-defined]


#: people shown on one page of a run's people
PEOPLE_PER_PAGE = 50


@member_required
def run_people_page(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A run's people with their rows, to link rows into one person or split them apart by hand, with a reason;
    the lists are then linked again at once with the decision applied."""
    user = request.user
    viewer = viewer_of(request)
    run = run_get_for_user(viewer=viewer, pk=pk)
    hide = run.team_id in viewer.hidden
    may_decide = can_analyse(viewer, run.team_id) and not hide and run.status == LinkageRun.Status.DONE
    members = run_people(run=run)
    row_ids = list(members.values_list("row_id", flat=True))
    form = ByHandForm(request.POST or None, row_ids=row_ids)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied(_("Your role may read this run's people but not link or split them."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                review_by_hand(run=run, rows=data["rows"], decision=data["decision"], reason=data["reason"], user=user)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                again, relinked = _relink(request, run)
                state = ReviewPair.State(data["decision"]).label
                messages.success(request, f"{_('Decided by hand: %(state)s.') % {'state': state}} {relinked}")
                return redirect("run_people", pk=again.pk)
    else:
        _read(request, run)
    clusters = members.values_list("cluster", flat=True).distinct().order_by("cluster")
    page = Paginator(clusters, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    people: dict[int, list[ClusterMember]] = {}
    for member in members.filter(cluster__in=list(page.object_list)):
        people.setdefault(member.cluster, []).append(member)
    newer = latest_run(run)
    context = {
        "title": _("People of linkage run %(pk)s") % {"pk": run.pk},
        "run": run,
        "people": list(people.items()),
        "page": page,
        "form": form,
        "may_decide": may_decide,
        "hidden": hide,
        "chosen": {int(v) for v in request.POST.getlist("rows") if v.isdigit()},
        "newer": newer if newer.pk != run.pk else None,
    }
    return render_page(request, "counting/people.html", context, status=400 if form.errors else 200)


def _posterior_chart(estimate: EstimateRun) -> SafeString | str:
    summary = estimate.result.get("posterior") if isinstance(estimate.result, dict) else None
    if not summary:
        return ""
    edges, mass = summary["histogram"]["edges"], summary["histogram"]["mass"]
    bins = [charts.Bin(float(lo), float(hi), float(m)) for lo, hi, m in zip(edges, edges[1:], mass, strict=False)]
    median = summary["quantiles"].get("0.5")
    interval = None
    if estimate.ci_low is not None and estimate.ci_high is not None:
        interval = (estimate.ci_low, estimate.ci_high)
    svg = charts.posterior(
        bins,
        title=_("Posterior distribution of the total (estimate run %(pk)s)") % {"pk": estimate.pk},
        median=_finite(median),
        interval=interval,
        observed=estimate.observed,
        labels=(_("median {value}"), _("observed {value}")),
    )
    return mark_safe(svg)


def _estimate_rows(estimate: EstimateRun) -> list[core_charts.Interval]:
    result = estimate.result if isinstance(estimate.result, dict) else {}
    if not estimate.strata:
        row = _interval(estimate.method, estimate.estimate, [estimate.ci_low, estimate.ci_high])
        return [row] if row else []
    rows = [
        _interval(f"{estimate.strata} = {part.get('stratum')}", part.get("estimate"), part.get("ci95"))
        for part in result.get("strata", [])
    ]
    rows.append(_interval(_("total of the strata"), estimate.estimate, [estimate.ci_low, estimate.ci_high]))
    pooled = result.get("unstratified") or {}
    rows.append(_interval(_("unstratified"), pooled.get("estimate"), pooled.get("ci95")))
    return [row for row in rows if row]


#: the names of the diagnostics the methods report, and of the words they use as values
DIAGNOSTICS: dict[str, StrOrPromise] = {
    "multinomial_estimate": gettext_lazy("estimate under the multinomial likelihood"),
    "stderr": gettext_lazy("standard error"),
    "deviance": gettext_lazy("deviance"),
    "df": gettext_lazy("degrees of freedom"),
    "aic": gettext_lazy("AIC"),
    "bic": gettext_lazy("BIC"),
    "interval": gettext_lazy("interval"),
    "mean": gettext_lazy("posterior mean"),
    "mode": gettext_lazy("posterior mode"),
    "top_graph_probability": gettext_lazy("probability of the most probable graph"),
    "tail_mass": gettext_lazy("posterior mass beyond the prior's upper limit"),
    "estimate_is": gettext_lazy("the estimate is"),
    "rhat": gettext_lazy("R-hat (agreement of the chains)"),
    "ess_bulk": gettext_lazy("effective sample size (bulk)"),
    "ess_tail": gettext_lazy("effective sample size (tails)"),
    "mcse_median": gettext_lazy("Monte Carlo standard error of the median"),
    "chain_medians": gettext_lazy("median of each chain"),
    "seed": gettext_lazy("seed"),
    "resamples": gettext_lazy("bootstrap resamples"),
    "resampling": gettext_lazy("resampling"),
    "lognormal_ci95": gettext_lazy("95% interval on the log scale"),
    "threshold": gettext_lazy("p-value threshold for adding an interaction"),
    "refused": gettext_lazy("refused"),
    "posterior_median": gettext_lazy("posterior median of the total"),
}
WORDS: dict[str, StrOrPromise] = {
    "multinomial profile likelihood": gettext_lazy("multinomial profile likelihood"),
    "posterior median": gettext_lazy("posterior median"),
    "BCa bootstrap": gettext_lazy("BCa bootstrap"),
    "percentile bootstrap": gettext_lazy("percentile bootstrap"),
}


def _diagnostics(result: dict[str, Any]) -> list[tuple[StrOrPromise, Any]]:
    """The diagnostics worth a row each, named in the reader's language: numbers and short texts (long lists left
    to the JSON)."""
    out: list[tuple[StrOrPromise, Any]] = []
    for key, value in (result.get("diagnostics") or {}).items():
        if isinstance(value, list):
            value = ", ".join(f"{v:,.0f}" if isinstance(v, int | float) else str(v) for v in value[:12])
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        elif isinstance(value, float):
            value = f"{value:,.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
        elif isinstance(value, str):
            value = WORDS.get(value, value)
        out.append((DIAGNOSTICS.get(key, key.replace("_", " ")), value))
    return out


@member_required
def estimate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An estimate: the number with its 95% interval, the posterior (Bayesian methods), diagnostics and
    warnings, provenance, what the method assumes and what happens when that fails, and the other estimates
    of the same run beside it."""
    viewer = viewer_of(request)
    estimate = estimate_get_for_user(viewer=viewer, pk=pk)
    _read(request, estimate)
    result = estimate.result if isinstance(estimate.result, dict) else {}
    rows = _estimate_rows(estimate)
    siblings = list(run_estimates(run=estimate.linkage)) if estimate.linkage is not None else [estimate]
    provenance = estimate.provenance if isinstance(estimate.provenance, dict) else {}
    posterior = result.get("posterior") or {}
    context = {
        "title": _("Estimate run %(pk)s") % {"pk": estimate.pk},
        "estimate": estimate,
        "bayesian": estimate.method in BAYESIAN,
        "interval_chart": mark_safe(
            core_charts.intervals(rows, title=_("Estimate with its 95% interval"), observed=estimate.observed)
        )
        if rows
        else "",
        "posterior_chart": _posterior_chart(estimate),
        "posterior": posterior,
        "quantiles": [
            (f"{float(k) * 100:g}%", v)
            for k, v in sorted((posterior.get("quantiles") or {}).items(), key=lambda item: float(item[0]))
        ],
        "diagnostics": _diagnostics(result),
        "warnings": result.get("warnings") or [],
        "linkage": linkage_words(result["linkage_uncertainty"]) if result.get("linkage_uncertainty") else "",
        "strata": result.get("strata") or [],
        "unstratified": result.get("unstratified"),
        "provenance": provenance,
        "versions": sorted((provenance.get("versions") or {}).items()),
        "parameters": sorted(
            (k, v) for k, v in (provenance.get("parameters") or estimate.parameters or {}).items() if v is not None
        ),
        "siblings": siblings,
        "comparison_chart": comparison_chart(siblings, _("Every estimate of this linkage run with its 95% interval"))
        if len(siblings) > 1
        else "",
    }
    return render_page(request, "counting/estimate.html", context)


def _require_import(viewer: Viewer) -> None:
    if not can_write(viewer):
        raise PermissionDenied(_("Your role may read lists but not import them."))


class InMemoryUpload(FileUploadHandler):
    """Keeps an uploaded file in memory only, never in a temporary file (where a list's names would sit on disk
    in clear), and at most one byte more than the limit: the form then refuses it as too large."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.content = io.BytesIO()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.content = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = self.limit + 1 - self.content.tell()
        if room > 0:
            self.content.write(raw_data[:room])

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.content.seek(0)
        return InMemoryUploadedFile(
            self.content,
            self.field_name,
            self.file_name,
            self.content_type,
            file_size,
            self.charset,
            self.content_type_extra,
        )


@csrf_exempt  # only so that the upload handler can be set before the form is read: checked just below
@member_required
def list_import_start(request: HttpRequest) -> HttpResponseBase:
    """Importing a list, step 1: the file, its source and what the import keeps about it. The file is kept
    encrypted until its import ends and read by the worker, never here (a file made to take a reader down then
    takes down no web process): the job's page names every problem that stops it being read, or leads to step 2,
    which asks which column holds which field."""
    limit = int(settings.HABEAS_MAX_UPLOAD_MB) * 1024 * 1024
    request.upload_handlers = [InMemoryUpload(request, limit)]
    return _list_import_start(request)


@csrf_protect
def _list_import_start(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    viewer = viewer_of(request)
    _require_import(viewer)
    form = ListUploadForm(request.POST or None, request.FILES or None, viewer=viewer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token = list_upload_store(
            content=data["file"].content,
            name=data["file"].name,
            source=data["source"],
            user=user,
            title=data["title"],
            encoding=data["encoding"],
            event=data["event"],
            stratum=data["stratum"],
        )
        job = job_start(
            kind="import",
            title=_("Reading a list of the source %(source)s") % {"source": data["source"].key},
            user=user,
            task=tasks.read_list_upload,
            token=token,
        )
        return redirect("job_detail", pk=job.pk)
    context = {"title": _("Import a list"), "form": form}
    return render_page(request, "counting/list_import.html", context, status=400 if form.errors else 200)


@member_required
def list_import_map(request: HttpRequest, token: str) -> HttpResponseBase:
    """Importing a list, step 2: which of the file's columns holds each field (guessed from the columns' names),
    beside the file's first rows. A POST starts the import as a job of the worker, whose page shows its
    progress and, if the list is refused, every problem."""
    user = request.user
    viewer = viewer_of(request)
    _require_import(viewer)
    try:
        upload = list_upload_get(token=token, user=user)
    except ListUploadMissing:
        raise Http404(_("No such upload: it was imported, refused, or kept too long. Upload the file again.")) from None
    sheet = upload.sheet
    if sheet is None:  # the worker has not read it yet: its job's page leads here once it has
        raise Http404(_("The file has not been read yet: wait for its job to end."))
    form = ListMappingForm(request.POST or None, header=tuple(sheet["header"]))
    source_key = Source.objects.filter(pk=upload.source_id).values_list("key", flat=True).first()
    if request.method == "POST" and form.is_valid():
        job = job_start(
            kind="import",
            title=_("Import of a list of the source %(source)s") % {"source": source_key},
            user=user,
            task=tasks.import_list,
            token=upload.token,
            mapping=form.mapping(),
        )
        return redirect("job_detail", pk=job.pk)
    context = {
        "title": _("Import a list: its columns"),
        "form": form,
        "upload": upload,
        "source_key": source_key,
        "header": sheet["header"],
        "row_count": sheet["rows"],
        "encoding": encoding_name(sheet["encoding"]),
        "preview": sheet["preview"],
    }
    return render_page(request, "counting/list_import_map.html", context, status=400 if form.errors else 200)
