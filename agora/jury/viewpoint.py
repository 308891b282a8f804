"""The viewpoint model: Community-Notes-style matrix factorisation on the jury's vote history.

rating(u, n) = mu + i_u + i_n + f_u * f_n, with one factor, fitted by alternating ridge updates (each step is
the exact minimiser of the loss in one block of parameters) of
    sum (r - r_hat)^2 + l_i * (i_u^2 + i_n^2 + mu^2) + l_f * (f_u^2 + f_n^2).
A rating is 1.0 for "does not violate" (keep) and 0.0 for "violates", so an item's intercept i_n is its
support for keeping that no viewpoint explains, and |f_n| how much the keep/remove split follows the axis.
Raters with fewer than MIN_RATINGS_PER_RATER ratings are not modelled (as in the reference).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fit:
    mu: float
    rater_intercept: dict[Hashable, float]
    rater_factor: dict[Hashable, float]
    item_intercept: dict[Hashable, float]
    item_factor: dict[Hashable, float]
    ratings: int


def fit(
    ratings: Sequence[tuple[Hashable, Hashable, float]],
    *,
    lambda_intercept: float,
    lambda_factor: float,
    min_ratings_per_rater: int,
    rounds: int = 60,
    seed: int = 0,
) -> Fit:
    """Fit the model on (rater, item, rating) triples; deterministic for a given seed."""
    per_rater = Counter(rater for rater, _item, _r in ratings)
    kept = [row for row in ratings if per_rater[row[0]] >= min_ratings_per_rater]
    if not kept:
        return Fit(0.0, {}, {}, {}, {}, 0)
    raters = sorted({row[0] for row in kept}, key=str)
    items = sorted({row[1] for row in kept}, key=str)
    rater_index = {rater: i for i, rater in enumerate(raters)}
    item_index = {item: i for i, item in enumerate(items)}
    u = np.array([rater_index[row[0]] for row in kept])
    n = np.array([item_index[row[1]] for row in kept])
    r = np.array([row[2] for row in kept], dtype=float)
    nu, nn = len(raters), len(items)
    rng = np.random.default_rng(seed)
    mu = 0.0
    iu, inn = np.zeros(nu), np.zeros(nn)
    fu, fn = rng.normal(0.0, 0.1, nu), rng.normal(0.0, 0.1, nn)
    count_u = np.bincount(u, minlength=nu).astype(float)
    count_n = np.bincount(n, minlength=nn).astype(float)
    for _round in range(rounds):
        mu = float(np.sum(r - iu[u] - inn[n] - fu[u] * fn[n]) / (len(r) + lambda_intercept))
        iu = np.bincount(u, weights=r - mu - inn[n] - fu[u] * fn[n], minlength=nu) / (
            count_u + lambda_intercept
        )
        inn = np.bincount(n, weights=r - mu - iu[u] - fu[u] * fn[n], minlength=nn) / (
            count_n + lambda_intercept
        )
        residual = r - mu - iu[u] - inn[n]
        fu = np.bincount(u, weights=fn[n] * residual, minlength=nu) / (
            np.bincount(u, weights=fn[n] ** 2, minlength=nu) + lambda_factor
        )
        fn = np.bincount(n, weights=fu[u] * residual, minlength=nn) / (
            np.bincount(n, weights=fu[u] ** 2, minlength=nn) + lambda_factor
        )
    # One factor has no natural sign: orient it so most raters sit on the positive side.
    if np.sum(fu > 0) < np.sum(fu < 0):
        fu, fn = -fu, -fn
    return Fit(
        mu=mu,
        rater_intercept={rater: float(iu[i]) for rater, i in rater_index.items()},
        rater_factor={rater: float(fu[i]) for rater, i in rater_index.items()},
        item_intercept={item: float(inn[i]) for item, i in item_index.items()},
        item_factor={item: float(fn[i]) for item, i in item_index.items()},
        ratings=len(r),
    )


def score_item(
    ratings: Sequence[tuple[float, float, float]],
    *,
    mu: float,
    lambda_intercept: float,
    lambda_factor: float,
) -> tuple[float, float]:
    """(i_n, f_n) of a new item from (rating, i_u, f_u) of modelled raters, rater parameters held fixed:
    the exact ridge solution of the 2x2 system."""
    r = np.array([row[0] for row in ratings], dtype=float) - mu - np.array([row[1] for row in ratings])
    f = np.array([row[2] for row in ratings], dtype=float)
    a = np.array([[len(r) + lambda_intercept, f.sum()], [f.sum(), float(f @ f) + lambda_factor]])
    b = np.array([r.sum(), float(f @ r)])
    intercept, factor = np.linalg.solve(a, b)
    return float(intercept), float(factor)
