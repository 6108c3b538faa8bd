"""The Student-t intervals are scipy's quantiles and the textbook half-width."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.stats import t_half_width, t_quantile


@pytest.mark.parametrize(("confidence", "df"), [(0.95, 1), (0.95, 19), (0.95, 1000), (0.95, 1001), (0.9, 4)])
def test_quantiles_are_scipys(confidence, df):
    assert t_quantile(confidence, df) == stats.t.ppf(0.5 + confidence / 2, df)


def test_the_half_width_is_the_textbook_one():
    values = np.array([1.0, 2.0, 4.0, 7.0])
    sd = values.std(ddof=1)
    assert t_half_width(values) == stats.t.ppf(0.975, 3) * sd / np.sqrt(4)
    assert np.isnan(t_half_width(np.array([3.0, np.nan])))
