"""Exact random variates for the LCMCR sampler, compiled with numba and driven by a NumPy ``Generator``.

The sampler's cost is dominated by multinomial draws (one per capture pattern per iteration), each a chain of
conditional binomials. NumPy's binomial algorithm (inversion below a mean of 30, BTPE above) spends most of
its time in the inversion loop for means between 5 and 30, which are the common case here, so this module
has its own binomial generator: inversion with a table of reciprocals below a mean of 10 and Hörmann's
transformed rejection with decomposition (BTRD; W. Hörmann 1993, "The generation of binomial random
variates", J. Statist. Comput. Simul. 46:101-110) above. Both are exact. The multinomial visits categories by
decreasing weight and places the last few individuals one by one, which avoids most binomial set-ups.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray

_INVERSION_MEAN = 10.0
"""Binomials with n * min(p, 1 - p) below this use inversion; BTRD needs a mean of at least 10."""

_ONE_BY_ONE = 8
"""A multinomial places its last individuals one at a time once at most this many remain."""

_STIRLING_TABLE = np.array(
    [
        math.lgamma(k + 1.0) - (k + 0.5) * math.log(k + 1.0) + (k + 1.0) - 0.5 * math.log(2.0 * math.pi)
        for k in range(10)
    ]
)

_INVERSION_TAIL = 40.0
"""The truncated negative binomial sum stops once its terms fall e**-40 below the running total."""


@njit(cache=True)
def _stirling_correction(k: float) -> float:
    """log k! - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2], from a table below 10 and its asymptotic
    series above."""
    if k < 10.0:
        return _STIRLING_TABLE[int(k)]
    r = 1.0 / (k + 1.0)
    r2 = r * r
    return (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 * r2) * r2) * r


@njit(cache=True)
def _binomial_inversion(rng: np.random.Generator, n: int, p: float) -> int:
    """Binomial(n, p) for p <= 1/2 and a small mean, by sequential search from 0: the pmf ratio
    f(k) / f(k - 1) = ((n + 1) s / k - s) with s = p / (1 - p). The search restarts (with a new uniform)
    in the vanishingly rare case that rounding carries it past any plausible value."""
    s = p / (1.0 - p)
    a = (n + 1) * s
    f0 = np.exp(n * np.log1p(-p))
    mean = n * p
    bound = min(float(n), mean + 10.0 * np.sqrt(mean * (1.0 - p) + 1.0))
    while True:
        u = rng.random()
        f = f0
        k = 0
        found = True
        while u > f:
            u -= f
            k += 1
            if k > bound:
                found = False
                break
            f *= a / k - s
        if found:
            return k


@njit(cache=True)
def _binomial_btrd(rng: np.random.Generator, n: int, p: float) -> int:
    """Binomial(n, p) for p <= 1/2 and n p >= 10 by Hörmann's BTRD: a transformed-rejection hat built on
    the inverse of a quadratic-plus-hyperbola transformation, with a quick acceptance region, a recursive
    evaluation of the pmf near the mode, a squeeze and, rarely, the exact pmf via Stirling corrections."""
    m = math.floor((n + 1) * p)
    r = p / (1.0 - p)
    nr = (n + 1) * r
    npq = n * p * (1.0 - p)
    sqrt_npq = np.sqrt(npq)
    b = 1.15 + 2.53 * sqrt_npq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    alpha = (2.83 + 5.1 / b) * sqrt_npq
    v_r = 0.92 - 4.2 / b
    u_rv_r = 0.86 * v_r
    while True:
        v = rng.random()
        if v <= u_rv_r:
            u = v / v_r - 0.43
            return math.floor((2.0 * a / (0.5 - abs(u)) + b) * u + c)
        if v >= v_r:
            u = rng.random() - 0.5
        else:
            u = v / v_r - 0.93
            u = math.copysign(0.5, u) - u
            v = rng.random() * v_r
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        v = v * alpha / (a / (us * us) + b)
        km = abs(k - m)
        if km <= 15:
            f = 1.0
            if m < k:
                for i in range(m + 1, k + 1):
                    f *= nr / i - r
            elif m > k:
                for i in range(k + 1, m + 1):
                    v *= nr / i - r
            if v <= f:
                return int(k)
            continue
        v = np.log(v)
        rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5)
        t = -km * km / (2.0 * npq)
        if v < t - rho:
            return int(k)
        if v > t + rho:
            continue
        nm = n - m + 1.0
        h = (m + 0.5) * np.log((m + 1.0) / (r * nm)) + _stirling_correction(m) + _stirling_correction(n - m)
        nk = n - k + 1.0
        if v <= (
            h
            + (n + 1.0) * np.log(nm / nk)
            + (k + 0.5) * np.log(nk * r / (k + 1.0))
            - _stirling_correction(k)
            - _stirling_correction(n - k)
        ):
            return int(k)


@njit(cache=True)
def binomial(rng: np.random.Generator, n: int, p: float) -> int:
    """An exact Binomial(n, p) draw."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    flip = p > 0.5
    small = 1.0 - p if flip else p
    k = _binomial_inversion(rng, n, small) if n * small < _INVERSION_MEAN else _binomial_btrd(rng, n, small)
    return n - k if flip else k


@njit(cache=True)
def multinomial(
    rng: np.random.Generator,
    total: int,
    weights: NDArray[np.float64],
    orders: NDArray[np.int64],
    row: int,
    tail: NDArray[np.float64],
    out: NDArray[np.int64],
) -> None:
    """Split ``total`` over the categories with probabilities proportional to ``weights`` (written to
    ``out``). ``orders[row]`` is a permutation of the categories, kept between calls: it is first re-sorted in
    place by decreasing weight (insertion sort, nearly free when the weights changed little since the last
    call). The categories are then filled in that order by conditional binomials, category i getting
    Binomial(remaining, w_i / sum of the weights from i on), and once at most ``_ONE_BY_ONE`` individuals
    remain they are placed one at a time by inversion of the categorical distribution over the categories
    left. ``tail`` is scratch space for suffix sums of the weights."""
    size = weights.shape[0]
    for i in range(size):
        out[i] = 0
    for i in range(1, size):
        current = orders[row, i]
        w = weights[current]
        j = i - 1
        while j >= 0 and weights[orders[row, j]] < w:
            orders[row, j + 1] = orders[row, j]
            j -= 1
        orders[row, j + 1] = current
    running = 0.0
    for idx in range(size - 1, -1, -1):
        running += weights[orders[row, idx]]
        tail[idx] = running
    remaining = total
    idx = 0
    while remaining > _ONE_BY_ONE and idx < size:
        k = orders[row, idx]
        w = weights[k]
        if w >= tail[idx]:
            out[k] = remaining
            return
        d = binomial(rng, remaining, w / tail[idx])
        out[k] = d
        remaining -= d
        idx += 1
    for _ in range(remaining):
        u = rng.random() * tail[idx]
        j = idx
        while j < size - 1 and u >= weights[orders[row, j]] and weights[orders[row, j + 1]] > 0.0:
            u -= weights[orders[row, j]]
            j += 1
        out[orders[row, j]] += 1


@njit(cache=True)
def log_gamma_variate(rng: np.random.Generator, shape: float) -> float:
    """log X for X ~ Gamma(shape, 1), finite even when X itself underflows (tiny shapes): for shape < 1,
    X = Y * U**(1/shape) with Y ~ Gamma(shape + 1) and U uniform, so log X = log Y + log(U) / shape."""
    if shape >= 1.0:
        return np.log(rng.standard_gamma(shape))
    return np.log(rng.standard_gamma(shape + 1.0)) + np.log(1.0 - rng.random()) / shape


@njit(cache=True)
def truncated_negative_binomial(rng: np.random.Generator, size: float, q: float, cap: int) -> int:
    """A draw from the negative binomial pmf ∝ Γ(size + k) / k! · q**k restricted to 0 <= k <= cap, by
    inversion from the cap downwards (the pmf ratio p(k - 1) / p(k) = k / ((size + k - 1) q) gives each
    term from the one above; the sum stops once the terms, falling below the mode, are negligible). Meant
    for the case where the cap has bitten, so that the mass sits near the cap."""
    log_q = np.log(q)
    log_total = 0.0
    log_term = 0.0
    k = cap
    while k > 0:
        step = np.log(k) - np.log(size + k - 1.0) - log_q
        log_term += step
        hi = max(log_total, log_term)
        log_total = hi + np.log(np.exp(log_total - hi) + np.exp(log_term - hi))
        k -= 1
        if step < 0.0 and log_term < log_total - _INVERSION_TAIL:
            break
    lowest = k
    target = np.log(1.0 - rng.random()) + log_total
    log_term = 0.0
    log_cumulative = 0.0
    k = cap
    while k > lowest and log_cumulative < target:
        log_term += np.log(k) - np.log(size + k - 1.0) - log_q
        hi = max(log_cumulative, log_term)
        log_cumulative = hi + np.log(np.exp(log_cumulative - hi) + np.exp(log_term - hi))
        k -= 1
    return k
