"""Statistics for insights: paired change with effect sizes, and Wilson intervals.
Pure Python, no Django, no SciPy (the tests check these against SciPy).

Paired change from baseline to latest among people with both:
- mean difference and the sample SD of the differences (n - 1 in the denominator);
- 95% CI of the mean difference: mean ± t(0.975, n - 1) · SD / √n;
- Cohen's d_z = mean / SD, with a 95% CI from the normal approximation of its standard
  error, SE = √(1/n + d_z² / (2n)), so the interval is d_z ± 1.96 · SE;
- Hedges' g = J · d_z with J = 1 - 3 / (4(n - 1) - 1); its interval is J times d_z's.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

Z_95 = NormalDist().inv_cdf(0.975)


def _incomplete_beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the regularized incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        m2 = 2 * m
        step = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + step * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + step / c if abs(1.0 + step / c) > tiny else tiny
        result *= d * c
        step = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + step * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + step / c if abs(1.0 + step / c) > tiny else tiny
        change = d * c
        result *= change
        if abs(change - 1.0) < 1e-15:
            break
    return result


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b) for 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The fraction converges fast on the side of the mean; use the symmetry on the other.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _incomplete_beta_fraction(a, b, x) / a
    return 1.0 - front * _incomplete_beta_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with df degrees of freedom."""
    squared = t * t
    if squared < df:
        # Near zero, df / (df + t²) rounds to 1; the central form keeps the precision.
        central = 0.5 * regularized_beta(0.5, df / 2.0, squared / (df + squared))
        return 0.5 + central if t > 0 else 0.5 - central
    tail = 0.5 * regularized_beta(df / 2.0, 0.5, df / (df + squared))
    return 1.0 - tail if t > 0 else tail


@functools.lru_cache(maxsize=1024)
def t_quantile(p: float, df: float) -> float:
    """The t value with P(T <= t) = p, by bisection on the CDF (monotone, so it cannot miss)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be between 0 and 1")
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if p == 0.5:
        return 0.0
    low, high = -1.0, 1.0
    while t_cdf(low, df) > p:
        low *= 2.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12 * max(1.0, abs(middle)):
            break
    return (low + high) / 2.0


Interval = tuple[float, float]


@dataclass(frozen=True)
class PairedChange:
    n: int
    mean: float
    sd: float | None
    mean_ci: Interval | None
    dz: float | None
    dz_ci: Interval | None
    hedges_j: float | None
    g: float | None
    g_ci: Interval | None


def hedges_j(n: int) -> float:
    """Hedges' small-sample correction for a paired design with n pairs (df = n - 1)."""
    return 1.0 - 3.0 / (4.0 * (n - 1) - 1.0)


def paired_change_from_sums(n: int, total: float, total_squares: float) -> PairedChange:
    """From n, the sum of the differences and the sum of their squares (what a GROUP BY
    gives), without the individual differences."""
    if n < 1:
        raise ValueError("need at least one pair")
    mean = total / n
    if n < 2:
        return PairedChange(n, mean, None, None, None, None, None, None, None)
    variance = max(0.0, (total_squares - n * mean * mean) / (n - 1))
    sd = math.sqrt(variance)
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    mean_ci = (mean - half, mean + half)
    if sd == 0.0:
        return PairedChange(n, mean, sd, mean_ci, None, None, None, None, None)
    dz = mean / sd
    se = math.sqrt(1.0 / n + dz * dz / (2.0 * n))
    dz_ci = (dz - Z_95 * se, dz + Z_95 * se)
    j = hedges_j(n) if n > 2 else None
    if j is None:
        return PairedChange(n, mean, sd, mean_ci, dz, dz_ci, None, None, None)
    return PairedChange(n, mean, sd, mean_ci, dz, dz_ci, j, j * dz, (j * dz_ci[0], j * dz_ci[1]))


def paired_change(differences: Sequence[float]) -> PairedChange:
    return paired_change_from_sums(
        len(differences), math.fsum(differences), math.fsum(d * d for d in differences)
    )


def wilson(successes: int, n: int, z: float = Z_95) -> Interval:
    """Wilson score interval for a proportion."""
    if n <= 0:
        raise ValueError("need at least one observation")
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)
