"""The statistics of the insights dashboard from noisy sums and counts, checked by hand and
against SciPy on fixed data sets with the noise at zero, then with noise added."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from bridgework.lib import noisy_stats
from bridgework.lib.noisy_stats import Noisy

# Changes in self-rating (latest minus baseline) of eight people.
DIFFERENCES = [0.5, 1.0, -0.25, 0.75, 0.0, 1.25, 0.5, 0.25]


def sums(differences: list[float], scale: float = 0.0) -> tuple[Noisy, Noisy, Noisy]:
    return (
        Noisy(float(len(differences)), scale),
        Noisy(math.fsum(differences), scale),
        Noisy(math.fsum(d * d for d in differences), scale),
    )


def test_without_noise_the_mean_change_and_its_interval_are_scipys_t_interval() -> None:
    change = noisy_stats.paired_change(*sums(DIFFERENCES))
    assert change is not None
    # Mean 4/8 = 0.5; the squared deviations add up to 1.75, so SD = sqrt(1.75 / 7) = 0.5.
    assert change.mean == pytest.approx(0.5)
    assert change.sd == pytest.approx(0.5)
    expected = scipy_stats.ttest_1samp(DIFFERENCES, 0.0).confidence_interval(0.95)
    assert change.mean_ci == pytest.approx((expected.low, expected.high))


def test_without_noise_d_z_has_the_exact_noncentral_t_interval() -> None:
    change = noisy_stats.paired_change(*sums(DIFFERENCES))
    assert change is not None and change.dz_ci is not None
    assert change.dz == pytest.approx(1.0)
    low, high = change.dz_ci
    t = math.sqrt(8)  # d_z * sqrt(n)
    # The limits are the noncentralities (over sqrt(n)) that put t at the 97.5th and the
    # 2.5th percentile of the noncentral t with 7 degrees of freedom.
    assert scipy_stats.nct.cdf(t, 7, low * math.sqrt(8)) == pytest.approx(0.975, abs=1e-7)
    assert scipy_stats.nct.cdf(t, 7, high * math.sqrt(8)) == pytest.approx(0.025, abs=1e-7)
    # Not the normal approximation it replaces: 1 ± 1.96 * sqrt(1/8 + 1/16).
    assert (low, high) != pytest.approx((1 - 0.8487, 1 + 0.8487), abs=1e-3)


@pytest.mark.parametrize("n", [3, 5, 10, 19, 40])
@pytest.mark.parametrize("dz", [-0.8, 0.0, 0.3, 1.5])
def test_the_noncentral_t_interval_covers_its_limits_for_small_groups(n: int, dz: float) -> None:
    low, high = noisy_stats.dz_interval(dz, n)
    assert low < dz < high
    t = dz * math.sqrt(n)
    assert scipy_stats.nct.cdf(t, n - 1, low * math.sqrt(n)) == pytest.approx(0.975, abs=1e-6)
    assert scipy_stats.nct.cdf(t, n - 1, high * math.sqrt(n)) == pytest.approx(0.025, abs=1e-6)


def test_noise_widens_every_interval() -> None:
    quiet = noisy_stats.paired_change(*sums(DIFFERENCES))
    noisy = noisy_stats.paired_change(*sums(DIFFERENCES, scale=0.5))
    assert quiet is not None and noisy is not None
    assert quiet.mean_ci is not None and noisy.mean_ci is not None
    assert noisy.mean_ci[0] < quiet.mean_ci[0] and noisy.mean_ci[1] > quiet.mean_ci[1]
    assert quiet.dz_ci is not None and noisy.dz_ci is not None
    assert noisy.dz_ci[0] < quiet.dz_ci[0] and noisy.dz_ci[1] > quiet.dz_ci[1]


def test_without_noise_a_share_has_the_normal_interval() -> None:
    found = noisy_stats.share(Noisy(30), Noisy(100))
    assert found is not None
    p, (low, high) = found
    half = scipy_stats.norm.ppf(0.975) * math.sqrt(0.3 * 0.7 / 100)
    assert p == 0.3
    assert (low, high) == pytest.approx((0.3 - half, 0.3 + half))


def test_the_share_interval_adds_the_noise_variance() -> None:
    found = noisy_stats.share(Noisy(30, 4.0), Noisy(100, 3.0))
    assert found is not None
    _, (low, high) = found
    variance = 0.21 / 100 + (16 + 0.09 * 9) / 100**2
    assert high - low == pytest.approx(2 * scipy_stats.norm.ppf(0.975) * math.sqrt(variance))


def test_too_few_people_or_no_spread_give_no_interval() -> None:
    assert noisy_stats.paired_change(Noisy(1.4), Noisy(1), Noisy(1)) is None
    flat = noisy_stats.paired_change(*sums([0.5, 0.5, 0.5]))
    assert flat is not None and flat.mean_ci is None and flat.dz is None
    assert noisy_stats.share(Noisy(3), Noisy(-2)) is None
    assert noisy_stats.share(Noisy(0), Noisy(1e-200)) is None


@given(
    successes=st.floats(min_value=-50, max_value=500),
    n=st.floats(min_value=-50, max_value=500),
    scale=st.floats(min_value=0, max_value=100),
)
def test_a_noisy_share_never_fails_and_stays_between_0_and_1(
    successes: float, n: float, scale: float
) -> None:
    """Noise can make a part larger than its whole, or a count negative: never a 500."""
    found = noisy_stats.share(Noisy(successes, scale), Noisy(n, scale))
    if found is not None:
        p, (low, high) = found
        assert 0 <= low <= p <= high <= 1


@settings(deadline=None)
@given(
    n=st.floats(min_value=-5, max_value=200),
    total=st.floats(min_value=-500, max_value=500),
    squares=st.floats(min_value=-500, max_value=5000),
    scale=st.floats(min_value=0, max_value=50),
)
def test_a_noisy_change_never_fails(n: float, total: float, squares: float, scale: float) -> None:
    change = noisy_stats.paired_change(Noisy(n, scale), Noisy(total, scale), Noisy(squares, scale))
    if change is not None and change.dz_ci is not None:
        assert change.dz_ci[0] <= change.dz <= change.dz_ci[1]  # type: ignore[operator]


def test_a_change_the_noise_left_almost_no_spread_in_offers_no_effect_size() -> None:
    """Everyone moving by exactly one point (a spread thinner than the noise could leave)
    would give a d_z in the millions: no d_z and no interval, rather than false precision."""
    n = 22.8
    change = noisy_stats.paired_change(Noisy(n, 0.0), Noisy(n, 0.0), Noisy(n, 0.0))
    assert change is not None
    assert change.mean == pytest.approx(1.0)
    assert change.dz is None
    assert change.dz_ci is None
