"""Statistics from noisy sums and counts, with intervals that cover the noise as well as the
sampling error. No Django; SciPy for the t and noncentral-t distributions.

Each noisy figure is the true one plus independent Gaussian noise of a known standard
deviation (its scale). Intervals add the two sources of error as variances (a normal
approximation, the delta method for ratios):

- a share x / n: Var = p(1 - p) / n  +  (sd_x² + p²·sd_n²) / n²;
- a mean change S / n with the sum of squares Q: the SD of the changes from (Q - S²/n)/(n - 1);
  Var = sd² / n  +  (sd_S² + mean²·sd_n²) / n², with Student's t on n - 1 degrees of freedom;
- d_z = mean / sd: the exact interval for the sampling error inverts the noncentral t
  distribution of d_z·√n (df = n - 1); each limit is then moved away from d_z so its distance
  also covers the noise (the two added in quadrature, the noise's part by the delta method).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from scipy import optimize
from scipy import stats as scipy_stats

Z_95 = 1.959963984540054
Interval = tuple[float, float]


@dataclass(frozen=True)
class Noisy:
    value: float
    scale: float = 0.0


def share(successes: Noisy, n: Noisy) -> tuple[float, Interval] | None:
    """The share and its 95% interval (clipped to 0..1), or None when n is under one (a
    noisy count can be anything, even negative)."""
    if n.value < 1:
        return None
    p = min(1.0, max(0.0, successes.value / n.value))
    variance = p * (1 - p) / n.value + (successes.scale**2 + p * p * n.scale**2) / n.value**2
    half = Z_95 * math.sqrt(variance)
    return p, (max(0.0, p - half), min(1.0, p + half))


def mean(total: Noisy, n: Noisy) -> float | None:
    return total.value / n.value if n.value >= 1 else None


@dataclass(frozen=True)
class Change:
    n: float
    mean: float
    sd: float | None
    mean_ci: Interval | None
    dz: float | None
    dz_ci: Interval | None


# Changes lie within -4..4: a d_z beyond this means the spread is noise-thin, not a finding
# (and the noncentral t's tails would take seconds to search).
LARGEST_DZ = 10.0


@functools.lru_cache(maxsize=4096)
def dz_interval(dz: float, n: int, level: float = 0.95) -> Interval:
    """The exact interval of d_z from the noncentral t distribution of t = d_z·√n.

    Remembered: released figures never change, so every view of a period asks for the same
    intervals, and the search through the noncentral t was a third of a dashboard request."""
    df = n - 1
    t = dz * math.sqrt(n)
    upper_p, lower_p = (1 + level) / 2, (1 - level) / 2

    def limit(p: float) -> float:
        # The noncentrality at which P(T <= t) = p; P falls as the noncentrality rises.
        # SciPy's noncentral t answers NaN far in its tails, where P is 0 or 1 to double
        # precision, so those are read as such.
        def gap(ncp: float) -> float:
            value = float(scipy_stats.nct.cdf(t, df, ncp))
            if math.isnan(value):
                value = 0.0 if ncp > t else 1.0
            return value - p

        spread = 4.0 * math.sqrt(1.0 + t * t / (2.0 * df))
        low, high = t - spread, t + spread
        while gap(low) < 0:
            low -= spread
        while gap(high) > 0:
            high += spread
        return float(optimize.brentq(gap, low, high, xtol=1e-12))

    return limit(upper_p) / math.sqrt(n), limit(lower_p) / math.sqrt(n)


def paired_change(n: Noisy, total: Noisy, squares: Noisy) -> Change | None:
    """Mean change, its interval, d_z and its interval from the noisy count of people, sum of
    changes and sum of squared changes. None when fewer than two people remain."""
    if n.value < 2:
        return None
    count = n.value
    m = total.value / count
    variance = (squares.value - total.value**2 / count) / (count - 1)
    sd = math.sqrt(variance) if variance > 0 else 0.0
    if sd == 0 or abs(m) / sd > LARGEST_DZ:
        # The noise left no spread to measure (or there is none): no interval to offer.
        return Change(count, m, None, None, None, None)
    df = max(1, round(count) - 1)
    noise_var = (total.scale**2 + m * m * n.scale**2) / count**2
    half = float(scipy_stats.t.ppf(0.975, df)) * math.sqrt(sd * sd / count + noise_var)
    dz = m / sd
    low, high = dz_interval(dz, df + 1)
    noise_dz = math.sqrt(noise_var) / sd
    widen = Z_95 * noise_dz
    dz_ci = (
        dz - math.hypot(dz - low, widen),
        dz + math.hypot(high - dz, widen),
    )
    return Change(count, m, sd, (m - half, m + half), dz, dz_ci)
