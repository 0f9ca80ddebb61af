"""Convergence diagnostics for several Markov chains: R-hat, effective sample size and Monte Carlo error.

Implemented from Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), "Rank-normalization, folding, and
localization: an improved R-hat for assessing convergence of MCMC", *Bayesian Analysis* 16(2):667-718.

- ``split_rhat``: the classic potential scale reduction factor of Gelman et al. (BDA3, sec. 11.4) on chains
  cut in halves, so that a chain drifting within itself also shows up.
- ``rank_normalized_rhat``: Vehtari et al.'s R-hat, the larger of the split R-hat of the rank-normalised
  draws (bulk) and of the rank-normalised distances from the median (tails). It is robust to heavy tails,
  which the posterior of a population size usually has. This is the R-hat that LCMCR results report.
- ``ess_bulk`` / ``ess_tail``: effective sample sizes of the rank-normalised split chains, and the smaller of
  those of the indicators of the 5% and 95% quantiles; each from the chains' pooled autocorrelations, summed
  with Geyer's initial monotone sequence.
- ``mcse_quantile``: the Monte Carlo standard error of a quantile, from the effective sample size of its
  indicator and the Beta distribution of a sample quantile's rank (Vehtari et al. sec. 4.3).

All take an array of shape (chains, draws per chain).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri
from scipy.stats import beta, rankdata

FloatArray = NDArray[np.float64]

_MIN_DRAWS = 4
_ONE_SIGMA = 0.15865525393145707
"""P(Z < -1) for a standard normal Z: the quantiles of a Beta that bracket one standard error."""


def _chains(draws: ArrayLike) -> FloatArray:
    x = np.asarray(draws, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"draws must have shape (chains, draws per chain), not {x.shape}")
    if x.shape[0] < 1 or x.shape[1] < _MIN_DRAWS:
        raise ValueError(f"at least one chain of {_MIN_DRAWS} draws is needed (got shape {x.shape})")
    if not np.all(np.isfinite(x)):
        raise ValueError("draws must be finite")
    return x


def _split(x: FloatArray) -> FloatArray:
    """Each chain cut in two halves (the middle draw of an odd-length chain is left out)."""
    half = x.shape[1] // 2
    return np.vstack([x[:, :half], x[:, x.shape[1] - half :]])


def _rank_normalize(x: FloatArray) -> FloatArray:
    """Normal scores of the pooled ranks (average ranks for ties, Blom's offset 3/8)."""
    ranks = rankdata(x, method="average").reshape(x.shape)
    return np.asarray(ndtri((ranks - 0.375) / (x.size + 0.25)), dtype=np.float64)


def _rhat(x: FloatArray) -> float:
    """sqrt(var+ / W) for chains already split: W the mean within-chain variance, var+ the pooled
    estimate of the posterior variance. Equal constant chains give 1; different constant chains give inf."""
    n = x.shape[1]
    within = float(np.mean(np.var(x, axis=1, ddof=1)))
    between = float(n * np.var(np.mean(x, axis=1), ddof=1)) if x.shape[0] > 1 else 0.0
    if within == 0.0:
        return 1.0 if between == 0.0 else math.inf
    var_plus = (n - 1) / n * within + between / n
    return math.sqrt(var_plus / within)


def _autocovariance(x: FloatArray) -> FloatArray:
    """Autocovariances (divisor n) of each chain at lags 0..n-1, by FFT."""
    n = x.shape[1]
    centred = x - x.mean(axis=1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    return np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=1)[:, :n] / n


def _ess(x: FloatArray) -> float:
    """Effective sample size of chains already split: M n / tau with tau = -1 + 2 sum_k P_k, where
    P_k = rho_2k + rho_2k+1 are sums of adjacent autocorrelations of the pooled chains, kept while
    positive and made monotone (Geyer 1992). tau is floored at 1 / log10(M n), as Vehtari et al. do, so an
    antithetic chain cannot claim an unbounded ESS. A constant quantity has no ESS (nan)."""
    chains, n = x.shape
    acov = _autocovariance(x)
    mean_var = float(np.mean(acov[:, 0])) * n / (n - 1)
    var_plus = mean_var * (n - 1) / n
    if chains > 1:
        var_plus += float(np.var(np.mean(x, axis=1), ddof=1))
    if var_plus <= 0.0:
        return math.nan
    rho = 1.0 - (mean_var - np.mean(acov, axis=0)) / var_plus
    rho[0] = 1.0
    pairs = rho[: 2 * (n // 2)].reshape(-1, 2).sum(axis=1)
    negative = np.flatnonzero(pairs <= 0.0)
    pairs = pairs[: negative[0]] if negative.size else pairs
    pairs = np.minimum.accumulate(pairs)
    total = chains * n
    tau = max(-1.0 + 2.0 * float(np.sum(pairs)), 1.0 / math.log10(total))
    return total / tau


def split_rhat(draws: ArrayLike) -> float:
    """The Gelman-Rubin potential scale reduction factor on chains split in halves (BDA3, sec. 11.4)."""
    return _rhat(_split(_chains(draws)))


def rank_normalized_rhat(draws: ArrayLike) -> float:
    """Vehtari et al.'s (2021) R-hat: the larger of the bulk R-hat (split R-hat of the rank-normalised
    draws) and the tail R-hat (split R-hat of the rank-normalised absolute deviations from the median).
    Values above 1.01 mean the chains have not mixed."""
    x = _chains(draws)
    bulk = _rhat(_rank_normalize(_split(x)))
    tail = _rhat(_rank_normalize(_split(np.abs(x - np.median(x)))))
    return max(bulk, tail)


def ess_bulk(draws: ArrayLike) -> float:
    """The bulk effective sample size: the ESS of the rank-normalised split chains."""
    return _ess(_rank_normalize(_split(_chains(draws))))


def ess_tail(draws: ArrayLike) -> float:
    """The tail effective sample size: the smaller ESS of the indicators of the 5% and 95% quantiles."""
    x = _chains(draws)
    low, high = np.quantile(x, [0.05, 0.95])
    return min(_ess(_split((x <= low).astype(np.float64))), _ess(_split((x <= high).astype(np.float64))))


def mcse_quantile(draws: ArrayLike, prob: float) -> float:
    """Monte Carlo standard error of the ``prob`` quantile: with S the effective sample size of the
    indicator I(draw <= quantile), the quantile's rank among the draws is about Beta(S p + 1, S (1-p) + 1);
    the draws at that Beta's 15.9% and 84.1% points are one standard error either side of the estimate,
    and half their distance is the standard error. nan when every draw falls on one side."""
    if not 0.0 < prob < 1.0:
        raise ValueError(f"prob must lie strictly between 0 and 1, not {prob}")
    x = _chains(draws)
    indicator = (x <= np.quantile(x, prob)).astype(np.float64)
    size = _ess(_split(indicator))
    if not math.isfinite(size):
        return math.nan
    lower, upper = beta.ppf([_ONE_SIGMA, 1.0 - _ONE_SIGMA], size * prob + 1.0, size * (1.0 - prob) + 1.0)
    ordered = np.sort(x, axis=None)
    count = ordered.size
    below = ordered[max(math.floor(lower * count), 1) - 1]
    above = ordered[min(math.ceil(upper * count), count) - 1]
    return float(above - below) / 2.0
