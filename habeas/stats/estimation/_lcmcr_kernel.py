"""The compiled Gibbs sampler behind :mod:`habeas.stats.estimation.lcmcr` (numba, one chain per call).

Everything here works on *cells*: a capture pattern together with the number of people who have it. The
observed cells come from the table, the all-zero cell holds the ``n0`` people no list recorded, and each
declared structural zero has a cell of "pseudo-people" drawn by data augmentation (see ``run_chain``). The
latent class of every person is only ever needed through per-cell class counts, drawn as one multinomial per
cell, so the work per iteration grows with the number of cells and classes but not with N.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from habeas.stats.estimation._lcmcr_random import (
    log_gamma_variate,
    multinomial,
    truncated_negative_binomial,
)

STATUS_OK = 0
STATUS_DIVERGED = 1
MISSING_LIMIT = 1e15
"""A Poisson mean for the number missing beyond this ends the chain with STATUS_DIVERGED (no cap is set)."""
_TABLE_MAX_LISTS = 20
"""Pattern probabilities by doubling need a table of 2**J numbers per class: not beyond 20 lists."""


@njit(cache=True)
def _class_probabilities(
    patterns: NDArray[np.int8],
    index: NDArray[np.int64],
    lam: NDArray[np.float64],
    table: NDArray[np.float64],
    out: NDArray[np.float64],
) -> None:
    """out[c, k] = P(pattern c | class k) = prod_j lam[k, j]**x_cj (1 - lam[k, j])**(1 - x_cj).

    With a scratch ``table`` of 2**J entries, the probabilities of all 2**J patterns of a class are built
    by doubling (list j splits every pattern so far into off and on: 2**(J+1) products instead of C * J)
    and looked up by ``index``, the pattern read as a binary number with list j worth 2**j. With an empty
    table the products are taken cell by cell."""
    n_cells, n_lists = patterns.shape
    k_max = lam.shape[0]
    if table.shape[0] > 0:
        for k in range(k_max):
            table[0] = 1.0
            size = 1
            for j in range(n_lists):
                on = lam[k, j]
                off = 1.0 - on
                for i in range(size):
                    table[size + i] = table[i] * on
                    table[i] *= off
                size *= 2
            for c in range(n_cells):
                out[c, k] = table[index[c]]
        return
    for c in range(n_cells):
        for k in range(k_max):
            p = 1.0
            for j in range(n_lists):
                p *= lam[k, j] if patterns[c, j] else 1.0 - lam[k, j]
            out[c, k] = p


@njit(cache=True)
def _assign_classes(
    rng: np.random.Generator,
    total: int,
    patterns: NDArray[np.int8],
    given_class: NDArray[np.float64],
    row: int,
    pi: NDArray[np.float64],
    weights: NDArray[np.float64],
    orders: NDArray[np.int64],
    tail: NDArray[np.float64],
    draw: NDArray[np.int64],
    class_size: NDArray[np.int64],
    class_seen: NDArray[np.int64],
) -> None:
    """Draw the classes of the ``total`` people with pattern ``patterns[row]`` (probabilities
    ∝ pi_k given_class[row, k]) and add them to the class sizes and to the per-class counts of people seen
    on each list."""
    if total == 0:
        return
    k_max = pi.shape[0]
    for k in range(k_max):
        weights[k] = pi[k] * given_class[row, k]
    multinomial(rng, total, weights, orders, row, tail, draw)
    n_lists = patterns.shape[1]
    for k in range(k_max):
        d = draw[k]
        if d > 0:
            class_size[k] += d
            for j in range(n_lists):
                if patterns[row, j]:
                    class_seen[k, j] += d


@njit(cache=True)
def _model_state(
    lam: NDArray[np.float64],
    pi: NDArray[np.float64],
    sz_patterns: NDArray[np.int8],
    no_index: NDArray[np.int64],
    no_table: NDArray[np.float64],
    zero_given_class: NDArray[np.float64],
    sz_given_class: NDArray[np.float64],
) -> tuple[float, float, float]:
    """Fill P(all-zero | class) and P(structural-zero cell | class); return (s, q, p): s the mixture's
    probability of the structural zeros, q = P(all-zero) / (1 - s) and p = P(seen) / (1 - s) = 1 - q, the
    cell probabilities of the model truncated to the allowed patterns. p is summed from per-class terms
    1 - prod_j (1 - lam[k, j]) computed as lam_J + (1 - lam_J)(lam_J-1 + ...), a sum of positive terms, so
    that it keeps its precision when tiny (when N is huge).
    ``no_index`` and ``no_table`` are empty arrays (structural zeros are few: their products are direct)."""
    k_max, n_lists = lam.shape
    _class_probabilities(sz_patterns, no_index, lam, no_table, sz_given_class)
    s = 0.0
    zero = 0.0
    seen = 0.0
    for k in range(k_max):
        z = 1.0
        seen_k = 0.0
        for j in range(n_lists):
            seen_k = lam[k, j] + (1.0 - lam[k, j]) * seen_k
            z *= 1.0 - lam[k, j]
        zero_given_class[k] = z
        s_k = 0.0
        for c in range(sz_patterns.shape[0]):
            s_k += sz_given_class[c, k]
        s += pi[k] * s_k
        zero += pi[k] * z
        seen += pi[k] * max(seen_k - s_k, 0.0)
    allowed = zero + seen
    return s, zero / allowed, seen / allowed


@njit(cache=True)
def run_chain(
    rng: np.random.Generator,
    patterns: NDArray[np.int8],
    counts: NDArray[np.int64],
    sz_patterns: NDArray[np.int8],
    k_max: int,
    a: float,
    b: float,
    burn_in: int,
    samples: int,
    thin: int,
    max_missing: int,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64], NDArray[np.float64], int, int, int]:
    """One chain of the LCMCR Gibbs sampler on tabulated data.

    ``patterns`` (C x J) and ``counts`` (C) are the observed cells (zero counts allowed), ``sz_patterns``
    (S x J) the declared structural zeros; ``max_missing`` < 0 means no cap on the number missing.

    Returns (missing draws, alpha draws, occupied-class draws, summed fitted probabilities of the observed
    cells then the all-zero cell, iterations at which the cap bit, status, iterations run). Draws are
    recorded every ``thin`` iterations after ``burn_in``; the fitted probabilities are summed over the
    recorded draws.

    The chain starts from the one-class (independence) model, pi = (1, 0, ..., 0) and alpha = a / b, with
    list probabilities drawn uniformly; classes are added as the data ask for them. (Started with all K
    classes in use, chains on some tables linger for hundreds of thousands of iterations in a region of
    little posterior mass where an extra class of rarely-listed people inflates N.)

    One iteration updates, in turn:

    1. n0 | theta ~ NegBin(n, p): with the prior p(N) ∝ 1/N the number missing is a negative binomial
       (failures before the n-th success) with success probability p = P(seen | theta) under the model
       truncated to the allowed patterns (Manrique-Vallier 2016, sec. 3). With a cap, the draw is from this
       distribution restricted to n0 <= cap (the prior truncated there).
    2. Class counts per cell ~ Multinomial(count, ∝ pi_k P(x | k)), for the observed and all-zero cells.
    3. Structural zeros (Manrique-Vallier & Reiter 2014): given the N allowed people, the number m of draws
       from the untruncated mixture that land in a structural-zero cell before N land outside is
       NegBin(N, 1 - s); those m pseudo-people are spread over the zero cells, and then over the classes,
       multinomially. With them the completed data are i.i.d. from the untruncated mixture and every update
       below is conjugate.
    4. lam[k, j] ~ Beta(1 + seen on list j in class k, 1 + class size - that).
    5. Stick-breaking V_k ~ Beta(1 + n_k, alpha + sum_{h>k} n_h), k < K; pi_k = V_k prod_{h<k} (1 - V_h).
       Computed in log space from log-gamma draws, so small alpha cannot underflow a stick to exactly 1.
    6. alpha ~ Gamma(a + K - 1, rate b - sum_{k<K} log(1 - V_k)).
    """
    n_cells, n_lists = patterns.shape
    n_sz = sz_patterns.shape[0]
    n_obs = 0
    for c in range(n_cells):
        n_obs += counts[c]

    lam = np.empty((k_max, n_lists))
    for k in range(k_max):
        for j in range(n_lists):
            lam[k, j] = rng.random()
    alpha = a / b
    pi = np.zeros(k_max)
    pi[0] = 1.0

    # pattern probabilities by doubling when the 2**J table is cheaper than products cell by cell
    index = np.zeros(n_cells, dtype=np.int64)
    table = np.empty(0)
    if n_lists <= _TABLE_MAX_LISTS and 2 ** (n_lists + 1) <= n_cells * n_lists:
        table = np.empty(2**n_lists)
        for c in range(n_cells):
            for j in range(n_lists):
                if patterns[c, j]:
                    index[c] += 2**j
    no_index = np.empty(0, dtype=np.int64)
    no_table = np.empty(0)
    cell_given_class = np.empty((n_cells, k_max))
    sz_given_class = np.empty((n_sz, k_max))
    zero_given_class = np.empty(k_max)
    weights = np.empty(k_max)
    sz_weights = np.empty(n_sz)
    cell_order = np.empty((n_cells, k_max), dtype=np.int64)
    for c in range(n_cells):
        cell_order[c] = np.arange(k_max)
    zero_order = np.arange(k_max).reshape(1, k_max)
    sz_cell_order = np.arange(n_sz).reshape(1, n_sz)
    sz_order = np.empty((n_sz, k_max), dtype=np.int64)
    for c in range(n_sz):
        sz_order[c] = np.arange(k_max)
    tail = np.empty(k_max)
    sz_tail = np.empty(n_sz)
    draw = np.empty(k_max, dtype=np.int64)
    sz_counts = np.empty(n_sz, dtype=np.int64)
    class_size = np.empty(k_max, dtype=np.int64)
    class_seen = np.empty((k_max, n_lists), dtype=np.int64)

    missing_draws = np.zeros(samples, dtype=np.int64)
    alpha_draws = np.zeros(samples)
    occupied_draws = np.zeros(samples, dtype=np.int64)
    fitted = np.zeros(n_cells + 1)
    cap_hits = 0
    total_iterations = burn_in + samples * thin

    for it in range(total_iterations):
        # 1. the number missing, n0 | theta
        s, q, p = _model_state(lam, pi, sz_patterns, no_index, no_table, zero_given_class, sz_given_class)
        poisson_mean = rng.standard_gamma(float(n_obs)) * q / p
        if poisson_mean > MISSING_LIMIT:
            if max_missing < 0:
                return missing_draws, alpha_draws, occupied_draws, fitted, cap_hits, STATUS_DIVERGED, it
            n0 = max_missing + 1
        else:
            n0 = rng.poisson(poisson_mean)
        if 0 <= max_missing < n0:
            cap_hits += 1
            n0 = truncated_negative_binomial(rng, float(n_obs), q, max_missing)

        # 2. class counts of the observed cells and of the all-zero cell
        class_size[:] = 0
        class_seen[:, :] = 0
        _class_probabilities(patterns, index, lam, table, cell_given_class)
        for c in range(n_cells):
            _assign_classes(
                rng,
                counts[c],
                patterns,
                cell_given_class,
                c,
                pi,
                weights,
                cell_order,
                tail,
                draw,
                class_size,
                class_seen,
            )
        for k in range(k_max):
            weights[k] = pi[k] * zero_given_class[k]
        multinomial(rng, n0, weights, zero_order, 0, tail, draw)
        for k in range(k_max):
            class_size[k] += draw[k]

        # 3. pseudo-people in the structural-zero cells, and their classes
        if n_sz > 0 and s > 0.0:
            pseudo = rng.negative_binomial(float(n_obs + n0), 1.0 - s)
            if pseudo > 0:
                for c in range(n_sz):
                    sz_weights[c] = 0.0
                    for k in range(k_max):
                        sz_weights[c] += pi[k] * sz_given_class[c, k]
                multinomial(rng, pseudo, sz_weights, sz_cell_order, 0, sz_tail, sz_counts)
                for c in range(n_sz):
                    _assign_classes(
                        rng,
                        sz_counts[c],
                        sz_patterns,
                        sz_given_class,
                        c,
                        pi,
                        weights,
                        sz_order,
                        tail,
                        draw,
                        class_size,
                        class_seen,
                    )

        # 4. list probabilities within classes (uniform for an empty class)
        for k in range(k_max):
            for j in range(n_lists):
                if class_size[k] == 0:
                    lam[k, j] = rng.random()
                else:
                    g1 = rng.standard_gamma(1.0 + class_seen[k, j])
                    g2 = rng.standard_gamma(1.0 + class_size[k] - class_seen[k, j])
                    lam[k, j] = g1 / (g1 + g2)

        # 5. stick-breaking weights, in log space
        later = 0
        for k in range(k_max):
            later += class_size[k]
        log_rest = 0.0
        for k in range(k_max - 1):
            later -= class_size[k]
            lg1 = log_gamma_variate(rng, 1.0 + class_size[k])
            lg2 = log_gamma_variate(rng, alpha + later)
            hi = max(lg1, lg2)
            log_sum = hi + np.log(np.exp(lg1 - hi) + np.exp(lg2 - hi))
            pi[k] = np.exp(log_rest + lg1 - log_sum)
            log_rest += lg2 - log_sum
        pi[k_max - 1] = np.exp(log_rest)

        # 6. the Dirichlet process concentration; log_rest = sum_{k<K} log(1 - V_k)
        alpha = rng.standard_gamma(a + k_max - 1.0) / (b - log_rest)

        if it >= burn_in and (it - burn_in + 1) % thin == 0:
            r = (it - burn_in) // thin
            missing_draws[r] = n0
            alpha_draws[r] = alpha
            for k in range(k_max):
                if class_size[k] > 0:
                    occupied_draws[r] += 1
            s, q, p = _model_state(lam, pi, sz_patterns, no_index, no_table, zero_given_class, sz_given_class)
            _class_probabilities(patterns, index, lam, table, cell_given_class)
            for c in range(n_cells):
                f = 0.0
                for k in range(k_max):
                    f += pi[k] * cell_given_class[c, k]
                fitted[c] += f / (1.0 - s)
            fitted[n_cells] += q

    return missing_draws, alpha_draws, occupied_draws, fitted, cap_hits, STATUS_OK, total_iterations
