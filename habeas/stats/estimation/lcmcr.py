"""Bayesian latent-class multiple systems estimation (LCMCR; Manrique-Vallier 2016).

The method of D. Manrique-Vallier (2016), "Bayesian population size estimation using Dirichlet process
mixtures", *Biometrics* 72(4):1246-1254, as a Gibbs sampler over the tabulated capture patterns.

The statistics, briefly. Each of the N people in the population belongs to one of K latent classes; within a
class the J lists record people independently, list j with probability lam[k, j]. Mixing over classes lets
capture probabilities differ between people (heterogeneity) and so makes the lists dependent overall. The
class weights pi come from a stick-breaking Dirichlet process truncated at ``k_max`` classes
(V_k ~ Beta(1, alpha), pi_k = V_k prod_{h<k} (1 - V_h)), so the data decide how many classes are used; the
concentration alpha has a Gamma(a, b) prior (rate b), each lam[k, j] a uniform Beta(1, 1) prior, and N the
improper prior p(N) ∝ 1/N. The people no list recorded are the all-zero cell of the table; the sampler
draws how many there are, ``n0``, from its negative binomial full conditional, and the latent classes of
everyone as multinomial counts per capture pattern, so one iteration costs the same for N = 10**3 or 10**7.
The posterior of N = observed + n0 is summarised by its median and 95% equal-tailed interval.

What Habeas does differently from the R package LCMCR (0.4.14):

- *No silent cap on N.* LCMCR silently caps the number missing at 20 times the number observed. Here
  there is no cap unless ``max_missing`` is given; a given cap truncates the prior of N there, and the
  result counts the iterations at which it bit and warns about them.
- *Structural zeros.* Capture patterns that cannot occur (``CaptureTable.structural_zeros``) are excluded:
  the model is the latent-class mixture conditioned on the allowed patterns, fitted by the data
  augmentation of Manrique-Vallier & Reiter (2014, *J. Comput. Graph. Stat.* 23(4):1061-1079).
- *Several chains by default*, seeded reproducibly from one seed and optionally run in parallel processes,
  with the rank-normalised split R-hat and effective sample sizes of Vehtari et al. (2021) and a warning
  when the chains disagree (LCMCR's chains can sit in different modes and a single chain cannot show it).
"""

from __future__ import annotations

import math
import multiprocessing
import secrets
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from habeas.stats.estimation._lcmcr_diagnostics import (
    ess_bulk,
    ess_tail,
    mcse_quantile,
    rank_normalized_rhat,
    split_rhat,
)
from habeas.stats.estimation.table import CaptureTable

__all__ = [
    "LcmcrError",
    "LcmcrResult",
    "LcmcrSettings",
    "LcmcrWarning",
    "convergence_warnings",
    "ess_bulk",
    "ess_tail",
    "lcmcr_estimate",
    "mcse_quantile",
    "rank_normalized_rhat",
    "split_rhat",
]

RHAT_THRESHOLD = 1.01
"""Vehtari et al. (2021): chains whose rank-normalised R-hat exceeds this have not mixed."""
MIN_ESS_PER_CHAIN = 100
"""Vehtari et al. (2021): below 100 effective draws per chain R-hat and the intervals are unreliable."""
MEDIAN_DISAGREEMENT_Z = 4.0
"""A chain whose median lies more than this many of its own Monte Carlo standard errors from the pooled
median disagrees with the others (for agreeing chains |z| > 4 has probability about 6e-5 per chain)."""


_MIN_SAMPLES = 4
"""Split R-hat cuts each chain in two halves of at least two draws."""


class LcmcrError(ValueError):
    """Input the latent-class estimator cannot use; the message names the parameter."""


class LcmcrWarning(UserWarning):
    """A result to be read with care: chains that disagree, too few effective draws, or a cap that bit."""


@dataclass(frozen=True)
class LcmcrSettings:
    """Everything that, with the table, determines the draws: re-running with these gives identical draws.

    ``seed`` is the entropy of the ``numpy.random.SeedSequence`` the chains' generators are spawned from
    (128 bits from the operating system when none was given). Each chain runs ``burn_in + samples * thin``
    iterations and keeps every ``thin``-th after the burn-in. ``max_missing`` (None: no cap) bounds the
    number of people missed.
    """

    seed: int
    chains: int = 4
    burn_in: int = 10_000
    samples: int = 1_000
    thin: int = 100
    k_max: int = 10
    a: float = 0.25
    b: float = 0.25
    max_missing: int | None = None

    def __post_init__(self) -> None:
        _check_int("seed", self.seed, 0)
        _check_int("chains", self.chains, 1)
        _check_int("burn_in", self.burn_in, 0)
        _check_int("samples", self.samples, _MIN_SAMPLES)
        _check_int("thin", self.thin, 1)
        _check_int("k_max", self.k_max, 1)
        for name, value in (("a", self.a), ("b", self.b)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 < value < math.inf:
                raise LcmcrError(f"{name} must be a positive finite number (the Gamma prior on alpha), not {value!r}")
        if self.max_missing is not None:
            _check_int("max_missing", self.max_missing, 0)

    @property
    def iterations(self) -> int:
        """Gibbs iterations per chain."""
        return self.burn_in + self.samples * self.thin


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise LcmcrError(f"{name} must be a whole number, not {value!r}")
    if value < minimum:
        raise LcmcrError(f"{name} must be at least {minimum}, not {value}")


@dataclass(frozen=True, eq=False)
class LcmcrResult:
    """The posterior of the population size N from several chains, with convergence diagnostics.

    ``draws[c, s]`` is the s-th kept draw of N in chain c; the summaries pool all chains. ``alpha`` and
    ``occupied_classes`` are the matching draws of the Dirichlet process concentration and of the number of
    latent classes holding anyone (observed or not). ``fitted_patterns`` / ``fitted_probabilities`` give the
    posterior mean probability, under the fitted model, of the all-zero pattern (first row), of each other
    pattern the table lists (sampling zeros included) and of each declared structural zero (0: the model
    excludes them).
    ``cap_hits[c]`` counts the iterations of chain c at which ``max_missing`` bit.

    ``rhat`` is the rank-normalised split R-hat of Vehtari et al. (2021) over the chains, ``ess_bulk`` and
    ``ess_tail`` their effective sample sizes and ``mcse_median`` the Monte Carlo standard error of the
    median. ``warnings`` says in plain words what should make a reader wary of the numbers.
    """

    lists: tuple[str, ...]
    observed: int
    structural_zeros: tuple[tuple[int, ...], ...]
    settings: LcmcrSettings
    draws: NDArray[np.int64] = field(repr=False)
    alpha: NDArray[np.float64] = field(repr=False)
    occupied_classes: NDArray[np.int64] = field(repr=False)
    fitted_patterns: NDArray[np.int8] = field(repr=False)
    fitted_probabilities: NDArray[np.float64] = field(repr=False)
    cap_hits: NDArray[np.int64] = field(repr=False)
    median: float
    mean: float
    lower95: float
    upper95: float
    rhat: float
    ess_bulk: float
    ess_tail: float
    mcse_median: float
    chain_medians: tuple[float, ...]
    warnings: tuple[str, ...]

    def quantile(self, level: float) -> float:
        """A quantile of the pooled draws of N (linear interpolation, R's type 7)."""
        if not 0.0 < level < 1.0:
            raise LcmcrError(f"level must lie strictly between 0 and 1, not {level}")
        return float(np.quantile(self.draws, level))

    def fitted_probability(self, pattern: tuple[int, ...]) -> float:
        """The posterior mean probability of ``pattern`` under the fitted model (one of ``fitted_patterns``:
        the all-zero pattern, a pattern the table lists, or a declared structural zero)."""
        matches = np.flatnonzero(np.all(self.fitted_patterns == np.asarray(pattern, dtype=np.int8), axis=1))
        if matches.size == 0:
            raise LcmcrError(f"pattern {pattern} is neither all-zero, in the table, nor a declared structural zero")
        return float(self.fitted_probabilities[matches[0]])

    def summary(self) -> str:
        """The estimate with its interval and the convergence diagnostics, in plain words."""
        s = self.settings
        cap = "no cap on N" if s.max_missing is None else f"N capped at {self.observed + s.max_missing:,}"
        lines = [
            f"N = {self.median:,.0f} (posterior median), 95% interval {self.lower95:,.0f} to {self.upper95:,.0f}; "
            f"mean {self.mean:,.0f}; {self.observed:,} observed on {len(self.lists)} lists.",
            f"Latent-class model (LCMCR), K = {s.k_max} classes, alpha ~ Gamma({s.a:g}, {s.b:g}), p(N) ∝ 1/N, "
            f"{cap}; {len(self.structural_zeros)} structural zeros; "
            f"mean occupied classes {float(np.mean(self.occupied_classes)):.1f}.",
            f"{s.chains} chains x ({s.burn_in:,} burn-in + {s.samples:,} draws thinned by {s.thin}), seed {s.seed}; "
            f"R-hat {self.rhat:.3f}, ESS bulk {self.ess_bulk:,.0f}, tail {self.ess_tail:,.0f}; "
            f"Monte Carlo error of the median {self.mcse_median:,.1f}; chain medians "
            + "/".join(f"{m:,.0f}" for m in self.chain_medians)
            + ".",
        ]
        lines.extend(f"Warning: {text}." for text in self.warnings)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def convergence_warnings(draws: ArrayLike) -> tuple[str, ...]:
    """What the chains' draws (shape (chains, draws per chain)) say against trusting their pooled summary:
    a rank-normalised R-hat above 1.01, fewer than 100 effective draws per chain, or a chain whose median
    lies more than four of its own Monte Carlo standard errors from the pooled median."""
    x = np.asarray(draws, dtype=np.float64)
    chains = x.shape[0]
    found: list[str] = []
    rhat = rank_normalized_rhat(x)
    if not rhat <= RHAT_THRESHOLD:
        found.append(
            f"the chains disagree (R-hat {rhat:.3f} > {RHAT_THRESHOLD}): they have not mixed, "
            "and may sit in different modes of the posterior; run longer chains or more of them"
        )
    ess = min(ess_bulk(x), ess_tail(x))
    if not ess >= MIN_ESS_PER_CHAIN * chains:
        found.append(
            f"only {ess:,.0f} effective draws ({MIN_ESS_PER_CHAIN * chains:,} wanted for {chains} chains): "
            "the interval and R-hat are unreliable; run longer chains"
        )
    pooled = float(np.median(x))
    far = []
    for c in range(chains):
        median = float(np.median(x[c]))
        error = mcse_quantile(x[c : c + 1], 0.5)
        if median != pooled and not abs(median - pooled) <= MEDIAN_DISAGREEMENT_Z * error:
            far.append(f"chain {c + 1} ({median:,.0f})")
    if far:
        found.append(
            f"chain medians far from the pooled median {pooled:,.0f} (beyond {MEDIAN_DISAGREEMENT_Z:g} "
            f"Monte Carlo standard errors): {', '.join(far)}"
        )
    return tuple(found)


def _cells(table: CaptureTable) -> tuple[NDArray[np.int8], NDArray[np.int64], NDArray[np.int8]]:
    """The table's patterns and counts less any declared structural zeros, and those zeros, checked."""
    k = len(table.lists)
    if k < 2:
        raise LcmcrError(
            f"lists: the table has {k} list{'s' if k != 1 else ''}; estimating how many people were missed "
            "needs at least two overlapping lists"
        )
    counts = np.asarray(table.counts, dtype=np.int64)
    patterns = np.asarray(table.patterns, dtype=np.int8)
    if int(counts.sum()) == 0:
        raise LcmcrError("counts: nobody was observed (the table is empty or every count is 0): nothing to estimate")
    rows = [tuple(int(v) for v in row) for row in patterns.tolist()]
    observed_at = dict(zip(rows, counts.tolist(), strict=True))
    zeros: list[tuple[int, ...]] = []
    for zero in table.structural_zeros:
        pattern = tuple(int(v) for v in zero)
        if len(pattern) != k or set(pattern) - {0, 1} or not any(pattern):
            raise LcmcrError(f"structural_zeros: {zero} is not an observable capture pattern of {k} lists")
        if observed_at.get(pattern, 0) > 0:
            raise LcmcrError(
                f"structural_zeros: pattern {zero} is declared impossible but {observed_at[pattern]} people have it"
            )
        if pattern not in zeros:
            zeros.append(pattern)
    keep = np.array([row not in zeros for row in rows], dtype=bool)
    sz = np.array(zeros, dtype=np.int8).reshape(len(zeros), k)
    return np.ascontiguousarray(patterns[keep]), np.ascontiguousarray(counts[keep]), sz


_ChainOutput = tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64], NDArray[np.float64], int, int, int]


def _run_chain(
    seed: np.random.SeedSequence,
    patterns: NDArray[np.int8],
    counts: NDArray[np.int64],
    sz: NDArray[np.int8],
    settings: LcmcrSettings,
) -> _ChainOutput:
    """One chain, in this process or a worker. The compiled kernel is imported here so that importing this
    module stays cheap and free of numba."""
    from habeas.stats.estimation._lcmcr_kernel import run_chain

    cap = -1 if settings.max_missing is None else settings.max_missing
    return run_chain(
        np.random.default_rng(seed),
        patterns,
        counts,
        sz,
        settings.k_max,
        float(settings.a),
        float(settings.b),
        settings.burn_in,
        settings.samples,
        settings.thin,
        cap,
    )


def lcmcr_estimate(
    table: CaptureTable,
    *,
    seed: int | None = None,
    chains: int = 4,
    burn_in: int = 10_000,
    samples: int = 1_000,
    thin: int = 100,
    k_max: int = 10,
    a: float = 0.25,
    b: float = 0.25,
    max_missing: int | None = None,
    processes: int = 1,
) -> LcmcrResult:
    """Fit the latent-class model of Manrique-Vallier (2016) to ``table`` by Gibbs sampling.

    The defaults follow the R package LCMCR for each chain (K = 10 classes, a = b = 0.25, 10,000 burn-in
    iterations, 1,000 draws thinned by 100), with four chains. ``seed`` makes the run reproducible: the same
    seed and settings give bit-identical draws, whether or not the chains run in parallel (``processes``
    worker processes, started with the "spawn" method, so a script that asks for them must guard its entry
    point with ``if __name__ == "__main__":``; 1 runs the chains here, one after the other).
    ``max_missing`` caps the number of people missed (None, the default: no cap). Emits an ``LcmcrWarning``
    for each of the result's warnings.

    Raises ``LcmcrError``, naming the parameter, for a table with fewer than two lists or nobody observed,
    for an impossible structural zero, for invalid settings, and when a chain's number missing runs past
    10**15 without a cap (the data then say nothing about N under this model).
    """
    if seed is None:
        entropy = secrets.randbits(128)
    else:
        _check_int("seed", seed, 0)
        entropy = int(seed)
    settings = LcmcrSettings(
        seed=entropy,
        chains=chains,
        burn_in=burn_in,
        samples=samples,
        thin=thin,
        k_max=k_max,
        a=a,
        b=b,
        max_missing=max_missing,
    )
    _check_int("processes", processes, 1)
    patterns, counts, sz = _cells(table)
    seeds = np.random.SeedSequence(settings.seed).spawn(settings.chains)
    workers = min(processes, settings.chains)
    if workers > 1:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(_run_chain, s, patterns, counts, sz, settings) for s in seeds]
            outputs = [f.result() for f in futures]
    else:
        outputs = [_run_chain(s, patterns, counts, sz, settings) for s in seeds]
    return _result(table, patterns, counts, sz, settings, outputs)


def _result(
    table: CaptureTable,
    patterns: NDArray[np.int8],
    counts: NDArray[np.int64],
    sz: NDArray[np.int8],
    settings: LcmcrSettings,
    outputs: list[_ChainOutput],
) -> LcmcrResult:
    from habeas.stats.estimation._lcmcr_kernel import MISSING_LIMIT, STATUS_OK

    observed = int(counts.sum())
    for c, output in enumerate(outputs):
        status, iteration = output[5], output[6]
        if status != STATUS_OK:
            raise LcmcrError(
                f"max_missing: in chain {c + 1}, iteration {iteration:,}, the expected number missed passed "
                f"{MISSING_LIMIT:.0e}: the data do not bound N under this model; set max_missing to cap it"
            )
    draws = observed + np.stack([o[0] for o in outputs])
    alpha = np.stack([o[1] for o in outputs])
    occupied = np.stack([o[2] for o in outputs])
    fitted_sum = np.sum([o[3] for o in outputs], axis=0) / (settings.chains * settings.samples)
    cap_hits = np.array([o[4] for o in outputs], dtype=np.int64)
    k = len(table.lists)
    fitted_patterns = np.vstack([np.zeros((1, k), dtype=np.int8), patterns, sz])
    fitted = np.concatenate([fitted_sum[-1:], fitted_sum[:-1], np.zeros(sz.shape[0])])

    found = list(convergence_warnings(draws))
    if settings.max_missing is not None and cap_hits.sum() > 0:
        total = settings.chains * settings.iterations
        found.append(
            f"the cap max_missing = {settings.max_missing:,} (N <= {observed + settings.max_missing:,}) bit at "
            f"{int(cap_hits.sum()):,} of {total:,} iterations: the posterior of N is cut off there, so the upper "
            "end of the interval and the mean reflect the cap, not the data"
        )
    for text in found:
        warnings.warn(text, LcmcrWarning, stacklevel=3)
    lower, upper = np.quantile(draws, [0.025, 0.975])
    return LcmcrResult(
        lists=tuple(table.lists),
        observed=observed,
        structural_zeros=tuple(tuple(int(v) for v in row) for row in sz.tolist()),
        settings=settings,
        draws=draws,
        alpha=alpha,
        occupied_classes=occupied,
        fitted_patterns=fitted_patterns,
        fitted_probabilities=fitted,
        cap_hits=cap_hits,
        median=float(np.median(draws)),
        mean=float(np.mean(draws)),
        lower95=float(lower),
        upper95=float(upper),
        rhat=rank_normalized_rhat(draws),
        ess_bulk=ess_bulk(draws),
        ess_tail=ess_tail(draws),
        mcse_median=mcse_quantile(draws, 0.5),
        chain_medians=tuple(float(np.median(row)) for row in draws),
        warnings=tuple(found),
    )
