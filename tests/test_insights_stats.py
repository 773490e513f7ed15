"""The statistics of the insights dashboard, checked by hand and against SciPy."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from bridgework.lib import stats

# Changes in self-rating (latest minus baseline) of eight people.
DIFFERENCES = [0.5, 1.0, -0.25, 0.75, 0.0, 1.25, 0.5, 0.25]


def test_it_computes_the_paired_change_by_hand() -> None:
    # Mean 4/8 = 0.5. Squared deviations: 0, .25, .5625, .0625, .25, .5625, 0, .0625 = 1.75.
    # SD = sqrt(1.75 / 7) = 0.5; d_z = 0.5 / 0.5 = 1; J = 1 - 3 / (4*7 - 1) = 1 - 3/27.
    change = stats.paired_change(DIFFERENCES)

    assert change.n == 8
    assert change.mean == pytest.approx(0.5)
    assert change.sd == pytest.approx(0.5)
    assert change.dz == pytest.approx(1.0)
    assert change.hedges_j == pytest.approx(1 - 3 / 27)
    assert change.g == pytest.approx(24 / 27)


def test_its_confidence_interval_of_the_mean_uses_the_t_distribution() -> None:
    change = stats.paired_change(DIFFERENCES)
    # t(0.975, 7) = 2.364624251592785; half width = 2.3646 * 0.5 / sqrt(8).
    half = 2.364624251592785 * 0.5 / math.sqrt(8)
    assert change.mean_ci == pytest.approx((0.5 - half, 0.5 + half))
    expected = scipy_stats.ttest_1samp(DIFFERENCES, 0.0).confidence_interval(0.95)
    assert change.mean_ci == pytest.approx((expected.low, expected.high))


def test_its_effect_size_interval_is_the_normal_approximation() -> None:
    change = stats.paired_change(DIFFERENCES)
    # SE = sqrt(1/8 + 1/16) = sqrt(0.1875); 1.959964 * SE = 0.848686...
    half = 1.959963984540054 * math.sqrt(0.1875)
    assert change.dz_ci == pytest.approx((1 - half, 1 + half))
    j = 1 - 3 / 27
    assert change.g_ci == pytest.approx((j * (1 - half), j * (1 + half)))


def test_the_sums_from_sql_give_the_same_answer_as_the_differences() -> None:
    total, squares = sum(DIFFERENCES), sum(d * d for d in DIFFERENCES)
    assert stats.paired_change_from_sums(8, total, squares) == stats.paired_change(DIFFERENCES)


def test_one_pair_has_a_mean_but_no_spread_and_no_interval() -> None:
    change = stats.paired_change([0.75])
    assert change.mean == 0.75
    assert change.sd is None and change.mean_ci is None and change.dz is None


def test_no_spread_means_no_effect_size() -> None:
    change = stats.paired_change([0.5, 0.5, 0.5])
    assert change.sd == 0
    assert change.mean_ci == pytest.approx((0.5, 0.5))
    assert change.dz is None


@pytest.mark.parametrize("df", [1, 2, 3, 4, 7, 12, 30, 99, 1000])
@pytest.mark.parametrize("p", [0.5, 0.6, 0.9, 0.95, 0.975, 0.995, 0.025, 0.001])
def test_the_t_quantile_matches_scipy(df: int, p: float) -> None:
    assert stats.t_quantile(p, df) == pytest.approx(scipy_stats.t.ppf(p, df), rel=1e-9, abs=1e-9)


@given(
    t=st.floats(min_value=-50, max_value=50, allow_nan=False),
    df=st.integers(min_value=1, max_value=500),
)
def test_the_t_cdf_matches_scipy(t: float, df: int) -> None:
    assert stats.t_cdf(t, df) == pytest.approx(scipy_stats.t.cdf(t, df), rel=1e-8, abs=1e-12)


def test_wilson_interval_by_hand() -> None:
    # 3 of 10, z = 1.96: centre (0.3 + 0.19208) / 1.38416 = 0.35553,
    # half 1.96 * sqrt(0.021 + 0.009604) / 1.38416 = 0.24770.
    low, high = stats.wilson(3, 10, z=1.96)
    assert low == pytest.approx(0.10779, abs=1e-5)
    assert high == pytest.approx(0.60323, abs=1e-5)


@given(n=st.integers(min_value=1, max_value=2000), data=st.data())
def test_wilson_interval_matches_scipy(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(min_value=0, max_value=n))
    expected = scipy_stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    low, high = stats.wilson(k, n)
    assert low == pytest.approx(expected.low, abs=1e-9)
    assert high == pytest.approx(expected.high, abs=1e-9)


def test_wilson_interval_holds_the_proportion_at_the_edges() -> None:
    assert stats.wilson(0, 5)[0] == 0.0
    assert stats.wilson(5, 5)[1] == 1.0
    with pytest.raises(ValueError):
        stats.wilson(6, 5)
