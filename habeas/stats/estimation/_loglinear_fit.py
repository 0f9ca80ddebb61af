"""Numerical core of the log-linear models: Poisson regression by Newton's method, many models at once.

For a design X (cells x parameters) and counts y, the Poisson log-likelihood sum(y * eta - exp(eta)),
eta = X beta, is concave; Newton's method (which for the canonical log link is IRLS) climbs it with step
halving. Fits run on stacks of designs of the same shape, so that a search over thousands of models costs a
few vectorised linear-algebra calls per iteration.

The maximum-likelihood estimate does not exist when the data lie on the boundary of the model (typically
sampling zeros that the model can fit exactly with a zero expected count). Newton's method then converges
in likelihood while the parameters diverge: each step still lowers the log fitted count of some
never-observed patterns by about 1 (geometric decay towards zero) but gains nothing. So once the Newton
decrement is negligible, a fit is a genuine maximum if its step no longer moves any log fitted count (by
less than 1e-6 in practice) and is on the boundary if the step moves some by more than ``MOVING`` (about 1).
Near the boundary the information matrix is nearly singular (condition number 1e17 for Rcapture's
artificial3 under Mth Gamma3.5), so the computed step itself can be noise that differs between LAPACK
builds. The decrement is then about the sum of the vanishing fitted counts, so Newton stops when they are
near 1e-12; a never-observed cell fitted below ``VANISHED`` is therefore on the boundary whatever the step.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq, minimize_scalar
from scipy.special import gammaln
from scipy.stats import chi2

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

MAX_ITERATIONS = 100
NEWTON_TOLERANCE = 1e-12
"""Stop when the squared Newton decrement g'H^-1 g (twice the log-likelihood still to gain) is below this."""
MOVING = 0.5
"""A log fitted count that a converged Newton step still moves by more than this is diverging to zero."""
VANISHED = 1e-9
"""A never-observed cell whose fitted count a converged fit puts below this is diverging to zero."""
LARGE_BIAS = 0.1
"""Rcapture warns when the asymptotic bias of N exceeds this fraction of N."""
_ETA_LIMIT = 700.0


@dataclass(frozen=True)
class NewtonResult:
    """Newton's method on a stack of B designs: coefficients (B, p), fitted counts (B, m), whether each
    converged (B,) and, for a fit that diverges, the cells whose fitted counts are vanishing (B, m)."""

    beta: FloatArray
    mu: FloatArray
    converged: BoolArray
    vanishing: BoolArray


def _linear(x: FloatArray, beta: FloatArray) -> FloatArray:
    return np.minimum((x @ beta[..., None])[..., 0], _ETA_LIMIT)


def _score(x: FloatArray, residual: FloatArray) -> FloatArray:
    return (residual[:, None, :] @ x)[:, 0, :]


def _information(x: FloatArray, mu: FloatArray) -> FloatArray:
    return np.swapaxes(x, 1, 2) @ (mu[..., None] * x)


def _solve(matrix: FloatArray, rhs: FloatArray) -> FloatArray:
    """Solve each system of a stack; a singular one (a fit diverging to underflow) gives NaN."""
    try:
        return np.asarray(np.linalg.solve(matrix, rhs[..., None])[..., 0], dtype=np.float64)
    except np.linalg.LinAlgError:
        out = np.full(rhs.shape, np.nan)
        for b in range(rhs.shape[0]):
            with contextlib.suppress(np.linalg.LinAlgError):
                out[b] = np.linalg.solve(matrix[b], rhs[b])
        return out


def _log_likelihood(x: FloatArray, y: FloatArray, beta: FloatArray) -> FloatArray:
    eta = _linear(x, beta)
    return np.sum(y * eta - np.exp(eta), axis=1)


def newton_poisson(x: FloatArray, y: FloatArray) -> NewtonResult:
    """Maximise the Poisson log-likelihood of each design in the stack ``x`` (B, m, p) for counts ``y``
    (m,). The start is one IRLS step from fitted counts y + 0.1, as R's glm does."""
    y = np.broadcast_to(y, x.shape[:2])
    start = y + 0.1
    working = np.log(start) + (y - start) / start
    beta = _solve(_information(x, start), _score(x, start * working))
    beta = np.where(np.isfinite(beta), beta, 0.0)
    loglik = _log_likelihood(x, y, beta)
    converged = np.zeros(x.shape[0], dtype=bool)
    vanishing = np.zeros(x.shape[:2], dtype=bool)
    active = np.arange(x.shape[0])
    for _ in range(MAX_ITERATIONS):
        xa, ya, ba, la = x[active], y[active], beta[active], loglik[active]
        mu = np.exp(_linear(xa, ba))
        gradient = _score(xa, ya - mu)
        step = _solve(_information(xa, mu), gradient)
        decrement = np.sum(gradient * step, axis=1)
        done = decrement < NEWTON_TOLERANCE
        converged[active[done]] = True
        moving = np.abs((xa[done] @ step[done, :, None])[..., 0]) > MOVING
        vanishing[active[done]] = moving | ((ya[done] == 0) & (mu[done] < VANISHED))
        # A singular information matrix (the design has full rank) means fitted counts have underflowed.
        singular = ~np.isfinite(decrement)
        converged[active[singular]] = True
        vanishing[active[singular]] = mu[singular] < 1e-12 * mu[singular].max(axis=1, keepdims=True)
        going = ~(done | singular)
        active, xa, ya, ba, la, step = active[going], xa[going], ya[going], ba[going], la[going], step[going]
        if active.size == 0:
            break
        # Step halving: take the longest step 2**-j that does not lower the log-likelihood.
        scale = np.ones(active.size)
        candidate = ba + step
        new = _log_likelihood(xa, ya, candidate)
        for _ in range(40):
            worse = ~(new >= la - 1e-12 * np.abs(la))
            if not worse.any():
                break
            scale[worse] /= 2
            candidate[worse] = ba[worse] + scale[worse, None] * step[worse]
            new[worse] = _log_likelihood(xa[worse], ya[worse], candidate[worse])
        beta[active], loglik[active] = candidate, new
    return NewtonResult(beta=beta, mu=np.exp(_linear(x, beta)), converged=converged, vanishing=vanishing)


@dataclass(frozen=True)
class PoissonSummary:
    """What the models of a stack say about the population, one entry per design; see ``summarize``."""

    problem: list[str | None]
    unseen: FloatArray
    stderr: FloatArray
    deviance: FloatArray
    log_likelihood: FloatArray
    bias: FloatArray


def summarize(x: FloatArray, y: FloatArray, fit: NewtonResult, patterns: list[str]) -> PoissonSummary:
    """Estimates and fit statistics over the observable cells; NaN for a fit that has a problem.

    The number unseen is u = exp(intercept) (every column is 0 for the unseen pattern); its standard error
    sqrt(u + u**2 var(intercept)) adds the Poisson variation of the unseen count to the estimation error
    (Rcapture). The asymptotic bias of N is the second-order bias of exp(intercept) for a canonical GLM
    (Cordeiro & McCullagh 1991): u (b_0 + var(intercept) / 2), b = -1/2 I^-1 X' diag(mu) diag(X I^-1 X').
    """
    batch = x.shape[0]
    problem: list[str | None] = [None] * batch
    for b in range(batch):
        if not fit.converged[b]:
            problem[b] = f"Newton's method did not converge in {MAX_ITERATIONS} iterations"
        elif fit.vanishing[b].any():
            which = ", ".join(patterns[i] for i in np.flatnonzero(fit.vanishing[b]))
            problem[b] = (
                "no finite maximum-likelihood estimate: the parameters diverge while the fitted count of "
                f"never-observed pattern(s) {which} falls towards zero"
            )
        elif not fit.beta[b, 0] < _ETA_LIMIT:
            problem[b] = "no finite maximum-likelihood estimate: the number unseen diverges"
    ok = np.array([p is None for p in problem])
    zero = y == 0
    unseen, stderr, deviance, loglik, bias = (np.full(batch, np.nan) for _ in range(5))
    if ok.any():
        xs, mu, beta = x[ok], fit.mu[ok], fit.beta[ok]
        covariance = np.linalg.inv(_information(xs, mu))
        u = np.exp(beta[:, 0])
        var0 = covariance[:, 0, 0]
        unseen[ok] = u
        stderr[ok] = np.sqrt(u + u**2 * var0)
        y_log_y = np.where(zero, 0.0, y * np.log(np.where(zero, 1.0, y)))
        y_log_mu = np.where(zero, 0.0, y * np.log(mu))
        deviance[ok] = 2 * np.sum(y_log_y - y_log_mu - (y - mu), axis=1)
        loglik[ok] = np.sum(y_log_mu - mu - gammaln(y + 1), axis=1)
        leverage = np.sum((xs @ covariance) * xs, axis=2)
        beta_bias = -0.5 * (covariance @ _score(xs, mu * leverage)[..., None])[..., 0]
        bias[ok] = u * (beta_bias[:, 0] + var0 / 2)
    return PoissonSummary(problem, unseen, stderr, deviance, loglik, bias)


def chao_reduction(x: FloatArray, y: FloatArray, n_het: int) -> tuple[FloatArray, NewtonResult, list[int]]:
    """Fit a Chao lower-bound model whose last ``n_het`` columns have eta parameters that must not be
    negative: while one is, drop the first negative one (set it to zero) and refit, as Rcapture does.
    Returns the final design, its fit and the positions (among the eta columns) that were dropped."""
    first_eta = x.shape[1] - n_het
    kept = list(range(n_het))
    design = x
    while True:
        fit = newton_poisson(design[None], y)
        negative = np.flatnonzero(fit.beta[0, first_eta:] < 0)
        if negative.size == 0:
            return design, fit, [j for j in range(n_het) if j not in kept]
        del kept[negative[0]]
        design = np.delete(x, [first_eta + j for j in range(n_het) if j not in kept], axis=1)


def _log_factorial_ratio(unseen: float, total: float) -> float:
    """log(n0^n0 N! / (N^N n0!)), the term that turns the Poisson deviance of the complete table into the
    multinomial profile log-likelihood (Cormack 1992). For N > 100 the factorials are replaced by Stirling's
    formula, as Rcapture does (this keeps agreement with it to its printed precision); n0! stays exact below
    n0 = 1, where Stirling's formula fails."""
    n0_log_n0 = unseen * math.log(unseen) if unseen > 0 else 0.0
    if total <= 100:
        return n0_log_n0 + float(gammaln(total + 1)) - total * math.log(total) - float(gammaln(unseen + 1))
    log_total_factorial = total * math.log(total) - total + 0.5 * math.log(2 * math.pi * total)
    if unseen > 1:
        log_unseen_factorial = n0_log_n0 - unseen + 0.5 * math.log(2 * math.pi * unseen)
    else:
        log_unseen_factorial = float(gammaln(unseen + 1))
    return n0_log_n0 + log_total_factorial - total * math.log(total) - log_unseen_factorial


@dataclass(frozen=True)
class Profile:
    """The multinomial MLE of N and its profile-likelihood interval (``upper`` is inf when unbounded)."""

    estimate: float
    lower: float
    upper: float


def profile_interval(x: FloatArray, y: FloatArray, n_het_chao: int, poisson_n: float, level: float) -> Profile:
    """The multinomial profile likelihood of N (Cormack 1992; Baillargeon & Rivest 2007, section 3.3).

    For a given N the unseen count n0 = N - n is appended to the table as one more cell (a row of zeros in
    the design but for the intercept) and the model is fitted to the complete table by Poisson regression;
    then log L(N) = -D(N)/2 + log(n0^n0 N! / (N^N n0!)) up to a constant, D being that fit's deviance (its
    infimum if the fit is on a boundary). The estimate maximises log L over N >= n; the interval holds the
    N whose log L is within chi2_1(level)/2 of the maximum. For a Chao model (``n_het_chao`` eta columns)
    the eta parameters are kept non-negative at each N. The search runs over [n, 3 x the Poisson estimate],
    as in Rcapture, and the upper bound is sought further (up to 3,000 times) when it lies beyond.
    """
    n = float(y.sum())
    complete_x = np.vstack([np.eye(1, x.shape[1]), x])

    def loglik(total: float) -> float:
        unseen = max(total - n, 0.0)
        complete_y = np.concatenate([[unseen], y])
        if n_het_chao:
            _, fit, _ = chao_reduction(complete_x, complete_y, n_het_chao)
        else:
            fit = newton_poisson(complete_x[None], complete_y)
        mu = fit.mu[0]
        seen = complete_y > 0
        deviance = 2 * (np.sum(complete_y[seen] * np.log(complete_y[seen] / mu[seen])) - np.sum(complete_y - mu))
        return -deviance / 2 + _log_factorial_ratio(unseen, total)

    top = 3 * poisson_n
    best = minimize_scalar(lambda t: -loglik(t), bounds=(n, top), method="bounded", options={"xatol": 1e-6 * n})
    estimate, peak = float(best.x), -float(best.fun)
    if loglik(n) >= peak:
        estimate, peak = n, loglik(n)
    threshold = peak - float(chi2.ppf(level, 1)) / 2

    def excess(total: float) -> float:
        return loglik(total) - threshold

    lower = n if excess(n) >= 0 else float(brentq(excess, n, estimate, xtol=1e-6 * n))
    upper = math.inf
    for _ in range(4):
        if excess(top) < 0:
            upper = float(brentq(excess, estimate, top, xtol=1e-6 * n))
            break
        top *= 10
    return Profile(estimate=estimate, lower=lower, upper=upper)
