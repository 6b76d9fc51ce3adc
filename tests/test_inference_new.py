"""The inference helpers added for issue 14 (mean with a Newey-West t; one-driver-at-a-time fits),
on small series whose answers are worked out by hand in the comments."""
import math

import numpy as np
import pandas as pd
import pytest

from rotation import inference


def months(n, start="2000-01"):
    return pd.period_range(start, periods=n, freq="M")


def test_normal_two_sided_p():
    assert inference.normal_two_sided_p(1.959963984540054) == pytest.approx(0.05)
    assert inference.normal_two_sided_p(0.0) == pytest.approx(1.0)
    assert inference.normal_two_sided_p(-1.959963984540054) == pytest.approx(0.05)
    assert math.isnan(inference.normal_two_sided_p(float("nan")))


def test_mean_newey_west_by_hand():
    s = pd.Series([1.0, 2.0, 3.0, 4.0], index=months(4))
    # mean 2.5; residuals -1.5, -0.5, 0.5, 1.5; sum of squares 5
    # lag 0: var = 5 / 4^2, se = sqrt(5) / 4, t = 2.5 / se = 2 sqrt(5)
    out = inference.mean_newey_west(s, 0)
    assert out["mean"] == pytest.approx(2.5)
    assert out["se"] == pytest.approx(math.sqrt(5) / 4)
    assert out["t"] == pytest.approx(2 * math.sqrt(5))
    assert out["p"] == pytest.approx(math.erfc(2 * math.sqrt(5) / math.sqrt(2)))
    assert (out["n"], out["first"], out["last"]) == (4, pd.Period("2000-01", "M"), pd.Period("2000-04", "M"))
    # lag 1: first-order cross products 0.75 - 0.25 + 0.75 = 1.25, weight 1/2, both sides:
    # S = 5 + 0.5 x 2 x 1.25 = 6.25, var = 6.25 / 16, se = 0.625, t = 4
    out = inference.mean_newey_west(s, 1)
    assert out["se"] == pytest.approx(0.625)
    assert out["t"] == pytest.approx(4.0)
    # small-sample correction n / (n - 1): at lag 0 the ordinary t of the mean, s^2 = 5 / 3, se = sqrt(5 / 12)
    out = inference.mean_newey_west(s, 0, small_sample=True)
    assert out["se"] == pytest.approx(math.sqrt(5 / 12))
    assert out["t"] == pytest.approx(2.5 / math.sqrt(5 / 12))


def test_mean_newey_west_drops_missing_and_needs_three():
    s = pd.Series([1.0, np.nan, 2.0, 3.0, 4.0], index=months(5))
    assert inference.mean_newey_west(s, 0)["n"] == 4
    short = inference.mean_newey_west(pd.Series([1.0, 2.0], index=months(2)), 0)
    assert math.isnan(short["mean"]) and short["n"] == 2


def test_single_driver_fits_by_hand():
    idx = months(8)
    x = pd.Series([0, 1, 0, 1, 0, 1, 0, 1], index=idx, dtype=float)
    z = pd.Series([0, 0, 1, 1, 0, 0, 1, 1], index=idx, dtype=float)
    y = 2 * x + 1  # exactly linear in x; orthogonal to z (mean of x z = 0.25 = mean x x mean z)
    out = inference.single_driver_fits(y, pd.DataFrame({"x": x, "z": z}), lags=2)
    assert out.loc["x", "slope"] == pytest.approx(2.0)
    assert out.loc["x", "r2"] == pytest.approx(1.0)
    assert out.loc["z", "slope"] == pytest.approx(0.0, abs=1e-12)
    assert out.loc["z", "r2"] == pytest.approx(0.0, abs=1e-12)
    assert list(out["n_obs"]) == [8, 8]
    assert out.attrs["first"] == idx[0] and out.attrs["last"] == idx[-1]


def test_single_driver_fits_common_sample_and_constant_driver():
    idx = months(6)
    y = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], index=idx)
    a = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], index=idx)
    b = pd.Series([np.nan, 1.0, 1.0, 1.0, 1.0, 1.0], index=idx)  # a hole (common sample loses month 1) and no variation
    out = inference.single_driver_fits(y, pd.DataFrame({"a": a, "b": b}), lags=1)
    assert out.loc["a", "n_obs"] == 5 and out.attrs["first"] == idx[1]
    assert out.loc["a", "r2"] == pytest.approx(1.0)
    assert math.isnan(out.loc["b", "r2"]) and math.isnan(out.loc["b", "slope"])
