"""One entry point for every estimation method, with results in one shape and their provenance, so that
methods can be compared side by side and every estimate re-run exactly."""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from habeas.stats.estimation.dga import DgaError, dga_estimate
from habeas.stats.estimation.lcmcr import LcmcrError, lcmcr_estimate
from habeas.stats.estimation.loglinear import LoglinearError, LoglinearFit, ModelSearch, fit_loglinear, search_models
from habeas.stats.estimation.sparse import DEFAULT_SEED, SparseError, sparse_bootstrap
from habeas.stats.estimation.table import CaptureTable, CaptureTableError

ESTIMATION_PACKAGES = ("habeas", "numpy", "scipy", "numba")


class EstimateError(ValueError):
    """An estimation request that cannot be run; the message names the problem."""


REFUSALS = (LoglinearError, SparseError, DgaError, LcmcrError, CaptureTableError)
"""Errors a method raises on a table it cannot use: with ``method="all"`` that method is reported as refused
(no number, the reason in its warnings) and the others go on."""


@dataclass(frozen=True, eq=False)
class Posterior:
    """The posterior of the population size N behind a Bayesian estimate, so that independent strata can be
    added up (``estimate_strata``).

    Either equally weighted draws (``probabilities`` None: LCMCR's kept draws, chains one after the other) or
    a probability on each value of a grid of whole numbers (``probabilities`` summing to one: DGA's exact
    posterior on its grid of N).
    """

    values: NDArray[np.float64]
    probabilities: NDArray[np.float64] | None = None


@dataclass(frozen=True)
class Estimate:
    """One method's answer. ``estimate`` and ``ci95`` are None when the method gives no finite estimate;
    ``warnings`` says why, or what to be careful about. ``posterior`` (Bayesian methods only) holds the
    posterior of N; it is left out of ``as_dict`` and of comparisons."""

    method: str
    model: str
    observed: int
    estimate: float | None
    ci95: tuple[float, float] | None
    diagnostics: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)
    posterior: Posterior | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "model": self.model,
            "observed": self.observed,
            "estimate": self.estimate,
            "ci95": list(self.ci95) if self.ci95 else None,
            "diagnostics": self.diagnostics,
            "warnings": list(self.warnings),
            "provenance": self.provenance,
        }


def package_versions(*names: str) -> dict[str, str]:
    """Python's version and each named package's, for an analysis's provenance."""
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _loglinear(table: CaptureTable, model: str | None, **_: Any) -> Estimate:
    warnings: tuple[str, ...]
    if model:
        fit: LoglinearFit | None = fit_loglinear(table, model)
        chosen, warnings = model, ()
    else:
        search = search_models(table)
        best = search.best("BIC")
        fit = fit_loglinear(table, best.model) if best else None  # the search skips the profile interval
        chosen = best.model.name if best else "none"
        warnings = (
            ()
            if fit
            else ("no hierarchical model has a finite, trustworthy estimate: no number is given", *_excluded(search))
        )
    if fit is None or not fit.estimable or fit.abundance is None:
        problems = (fit.problem or "no finite estimate",) if fit is not None else ()
        return Estimate("loglinear", chosen, table.observed, None, None, {}, (*warnings, *problems))
    interval = fit.interval
    return Estimate(
        "loglinear",
        fit.model.name,
        table.observed,
        fit.abundance,
        (interval.lower, interval.upper) if interval else None,
        {
            "multinomial_estimate": interval.estimate if interval else None,
            "stderr": fit.stderr,
            "deviance": fit.deviance,
            "df": fit.df,
            "aic": fit.aic,
            "bic": fit.bic,
            "interval": "multinomial profile likelihood",
        },
        (*warnings, *fit.warnings),
    )


def _excluded(search: ModelSearch, shown: int = 3) -> tuple[str, ...]:
    """Why the models of a search were left out: the first few by name, then how many more."""
    fits = search.excluded
    reasons = [f"{fit.model.name}: {fit.problem or '; '.join(fit.warnings)}" for fit in fits[:shown]]
    if len(fits) > shown:
        reasons.append(f"and {len(fits) - shown:,} more models were left out for a problem or a warning")
    return tuple(reasons)


NO_OVERLAP = (
    "no one appears on more than one list: nothing in the data links the lists, so the number nobody recorded "
    "cannot be estimated (a posterior would only restate the prior)"
)


def _overlaps(table: CaptureTable) -> bool:
    """Whether anyone was recorded on two lists or more."""
    return bool(np.any(table.counts[table.patterns.sum(axis=1) >= 2] > 0))


def _data_warnings(table: CaptureTable) -> tuple[str, ...]:
    """What to be careful about in the table whatever the method: lists that recorded nobody."""
    margins = table.patterns.T.astype(np.int64) @ table.counts
    empty = [name for name, total in zip(table.lists, margins.tolist(), strict=True) if total == 0]
    if not empty:
        return ()
    return (
        f"list(s) {', '.join(empty)} recorded nobody: an empty list carries no information on the people missed, "
        "so any estimate rests on the other lists alone (remove it)",
    )


def _dga(table: CaptureTable, **_: Any) -> Estimate:
    if table.k >= 2 and not _overlaps(table):
        raise DgaError(NO_OVERLAP)
    result = dga_estimate(table)
    return Estimate(
        "dga",
        f"Bayesian model averaging over {len(result.graphs)} decomposable graphs, delta={result.delta:g}",
        table.observed,
        float(result.median),
        (float(result.lower95), float(result.upper95)),
        {
            "mean": result.mean,
            "mode": result.mode,
            "top_graph_probability": result.top_graph_probability,
            "tail_mass": result.tail_mass,
            "estimate_is": "posterior median",
        },
        tuple(result.warnings),
        posterior=Posterior(result.n.astype(np.float64), result.posterior),
    )


def _lcmcr(
    table: CaptureTable, *, seed: int | None, chains: int, burn_in: int, samples: int, thin: int, **_: Any
) -> Estimate:
    if table.k >= 2 and not _overlaps(table):
        raise LcmcrError(NO_OVERLAP)
    result = lcmcr_estimate(table, seed=seed, chains=chains, burn_in=burn_in, samples=samples, thin=thin)
    return Estimate(
        "lcmcr",
        f"latent classes (K={result.settings.k_max}), {chains} chains",
        table.observed,
        result.median,
        (result.lower95, result.upper95),
        {
            "mean": result.mean,
            "rhat": result.rhat,
            "ess_bulk": result.ess_bulk,
            "ess_tail": result.ess_tail,
            "mcse_median": result.mcse_median,
            "chain_medians": list(result.chain_medians),
            "seed": result.settings.seed,
            "estimate_is": "posterior median",
        },
        tuple(result.warnings),
        posterior=Posterior(result.draws.reshape(-1).astype(np.float64)),
    )


def _sparse(table: CaptureTable, *, seed: int | None, **_: Any) -> Estimate:
    boot = sparse_bootstrap(table, seed=DEFAULT_SEED if seed is None else seed)
    interval = boot.bca or boot.percentile
    return Estimate(
        "sparse",
        boot.fit.formula,
        table.observed,
        boot.fit.estimate,
        (interval.lower, interval.upper),
        {
            "interval": "BCa bootstrap" if boot.bca else "percentile bootstrap",
            "resamples": boot.resamples,
            "resampling": boot.resampling,
            "seed": boot.seed,
            "lognormal_ci95": [boot.lognormal.lower, boot.lognormal.upper],
            "threshold": boot.fit.threshold,
        },
        (),
    )


RUNNERS: dict[str, Callable[..., Estimate]] = {
    "loglinear": _loglinear,
    "sparse": _sparse,
    "dga": _dga,
    "lcmcr": _lcmcr,
}


def estimate(
    table: CaptureTable,
    *,
    method: str = "loglinear",
    model: str | None = None,
    seed: int | None = None,
    chains: int = 4,
    burn_in: int = 10_000,
    samples: int = 1_000,
    thin: int = 100,
) -> list[Estimate]:
    """Estimate the total population with one method, or with every method (``method="all"``); each result
    records the data's digest, the method, its parameters, the seed and the package versions.

    One method that cannot use the table raises its error (one of ``REFUSALS``). With ``method="all"`` such a
    method is reported instead, refused: model ``"none"``, ``estimate`` and ``ci95`` None,
    ``diagnostics["refused"]`` True and the reason as its one warning; the other methods go on."""
    methods = list(RUNNERS) if method == "all" else [method]
    unknown = [m for m in methods if m not in RUNNERS]
    if unknown:
        raise EstimateError(f"unknown method {unknown[0]!r}; choose one of {', '.join(RUNNERS)} or all")
    if model and method not in ("loglinear",):
        raise EstimateError("--model applies to the loglinear method only")
    parameters = {"model": model, "seed": seed, "chains": chains, "burn_in": burn_in, "samples": samples, "thin": thin}
    out = []
    cautions = _data_warnings(table)
    for name in methods:
        try:
            result = RUNNERS[name](table, **parameters)
        except REFUSALS as exc:
            if method != "all":
                raise
            result = Estimate(name, "none", table.observed, None, None, {"refused": True}, (str(exc),))
        said = result.warnings if result.diagnostics.get("refused") else (*cautions, *result.warnings)
        provenance = {
            "data_sha256": table.digest(),
            "lists": list(table.lists),
            "method": name,
            "parameters": parameters,
            "versions": package_versions(*ESTIMATION_PACKAGES),
        }
        out.append(Estimate(**{**result.__dict__, "warnings": said, "provenance": provenance}))
    return out
