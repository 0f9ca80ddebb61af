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

from habeas.stats.estimation.dga import dga_estimate
from habeas.stats.estimation.lcmcr import lcmcr_estimate
from habeas.stats.estimation.loglinear import LoglinearFit, fit_loglinear, search_models
from habeas.stats.estimation.sparse import DEFAULT_SEED, sparse_bootstrap
from habeas.stats.estimation.table import CaptureTable

ESTIMATION_PACKAGES = ("habeas", "numpy", "scipy", "numba")


class EstimateError(ValueError):
    """An estimation request that cannot be run; the message names the problem."""


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
        best = search_models(table).best("BIC")
        fit = fit_loglinear(table, best.model) if best else None  # the search skips the profile interval
        chosen = best.model.name if best else "none"
        warnings = () if fit else ("no hierarchical model has a finite, trustworthy estimate: no number is given",)
    if fit is None or not fit.estimable or fit.abundance is None:
        problem = fit.problem if fit is not None and fit.problem else "no finite estimate"
        return Estimate("loglinear", chosen, table.observed, None, None, {}, (*warnings, problem))
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


def _dga(table: CaptureTable, **_: Any) -> Estimate:
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
    records the data's digest, the method, its parameters, the seed and the package versions."""
    methods = list(RUNNERS) if method == "all" else [method]
    unknown = [m for m in methods if m not in RUNNERS]
    if unknown:
        raise EstimateError(f"unknown method {unknown[0]!r}; choose one of {', '.join(RUNNERS)} or all")
    if model and method not in ("loglinear",):
        raise EstimateError("--model applies to the loglinear method only")
    parameters = {"model": model, "seed": seed, "chains": chains, "burn_in": burn_in, "samples": samples, "thin": thin}
    out = []
    for name in methods:
        result = RUNNERS[name](table, **parameters)
        provenance = {
            "data_sha256": table.digest(),
            "lists": list(table.lists),
            "method": name,
            "parameters": parameters,
            "versions": package_versions(*ESTIMATION_PACKAGES),
        }
        out.append(Estimate(**{**result.__dict__, "provenance": provenance}))
    return out
