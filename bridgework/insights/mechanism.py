"""The noise: OpenDP's Gaussian mechanism under zero-concentrated DP, nothing hand-written.

`Noise(bound, rho)` is one measure's mechanism: the scale (standard deviation) that spends
exactly `rho` for a vector whose L2 change by one person is at most `bound`
(rho = bound² / (2 · scale²)), and what OpenDP itself says it spends (`spent`), which the
release adds up. The noise is drawn by OpenDP's sampler (cryptographically secure; it cannot
be seeded, so tests check its distribution statistically).

`settings.INSIGHTS_NOISELESS` switches the noise off for tests that compare statistics with
SciPy; settings.py refuses it outside the test environment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import opendp.prelude as dp

dp.enable_features("contrib")

# The scale is widened by this factor so that OpenDP's conservative (rounded up) accounting
# never lands a hair above the share it was given.
_SAFETY = 1.0 + 1e-9


@dataclass
class Noise:
    bound: float
    rho: float
    noiseless: bool = False
    scale: float = field(init=False)
    spent: float = field(init=False)
    _measurement: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.bound <= 0 or self.rho <= 0:
            raise ValueError("a mechanism needs a positive bound and budget")
        self.scale = self.bound / math.sqrt(2.0 * self.rho) * _SAFETY
        self._measurement = dp.m.make_gaussian(
            dp.vector_domain(dp.atom_domain(T=float, nan=False)),
            dp.l2_distance(T=float),
            scale=self.scale,
        )
        self.spent = float(self._measurement.map(self.bound))

    def release(self, values: Sequence[float]) -> list[float]:
        """The noisy vector (the true one when noise is switched off for a test)."""
        exact = [float(v) for v in values]
        if self.noiseless or not exact:
            return exact
        return [float(v) for v in self._measurement(exact)]


def margin(scale: float, z: float = 1.959963984540054) -> float:
    """Half the width of the interval holding 95% of the noise of a given scale."""
    return z * scale
