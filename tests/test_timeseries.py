import numpy as np
import pandas as pd
import pytest

from rotation import stats, timeseries as T


def monthly(values, start="2024-01"):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def test_pct_change_by_date_skips_missing_month():
    # 2024-01 .. 2025-12 with 2025-10 missing (as CPI): values 100, 101, ... in row order.
    idx = pd.period_range("2024-01", "2025-12", freq="M").delete(21)
    s = pd.Series(np.arange(100.0, 100.0 + len(idx)), index=idx)
    assert s[pd.Period("2024-12", "M")] == 111 and s[pd.Period("2025-12", "M")] == 122
    out = T.pct_change_by_date(s, 12)
    assert out[pd.Period("2025-12", "M")] == pytest.approx(122 / 111 - 1)   # by date: Dec over Dec
    assert out[pd.Period("2025-11", "M")] == pytest.approx(121 / 110 - 1)
    assert pd.Period("2025-10", "M") not in out.index                       # the hole stays a hole
    # the row-position shortcut reaches back 13 months (to 2024-11 = 110): a different answer
    assert s.pct_change(12).iloc[-1] == pytest.approx(122 / 110 - 1)


def test_month_end_values_and_dates():
    days = pd.to_datetime(["2024-01-02", "2024-01-31", "2024-02-28", "2024-04-01"])
    s = pd.Series([1.0, 2.0, 3.0, 4.0], index=days)
    me = T.month_end_values(s)
    assert list(me.index.astype(str)) == ["2024-01", "2024-02", "2024-04"]  # March absent, not filled
    assert list(me) == [2.0, 3.0, 4.0]
    assert T.month_end_dates(s).iloc[1] == pd.Timestamp("2024-02-28")


def test_forward_return_hand_computed():
    r = monthly([0.10, -0.05, 0.02, 0.01])
    fwd = T.forward_return(r, 2, annualise=False)
    # at 2024-01: (1-0.05)*(1+0.02)-1 = -0.031
    assert fwd.iloc[0] == pytest.approx(0.95 * 1.02 - 1)
    assert fwd.iloc[1] == pytest.approx(1.02 * 1.01 - 1)
    assert np.isnan(fwd.iloc[2]) and np.isnan(fwd.iloc[3])
    ann = T.forward_return(r, 2, annualise=True)
    assert ann.iloc[0] == pytest.approx((0.95 * 1.02) ** 6 - 1)


def test_forward_return_hole_gives_nan():
    r = monthly([0.1, 0.1, 0.1, 0.1]).drop(pd.Period("2024-03", "M"))
    fwd = T.forward_return(r, 2, annualise=False)
    assert np.isnan(fwd[pd.Period("2024-01", "M")])  # needs Feb and Mar; Mar missing
    assert np.isnan(fwd[pd.Period("2024-02", "M")])


def test_percentile_zscore_value_at():
    h = monthly([1, 2, 3, 4])
    assert T.percentile_rank(h, 3) == 75.0
    assert T.percentile_rank(h, 0.5) == 0.0
    assert T.zscore(h, 4) == pytest.approx((4 - 2.5) / np.std([1, 2, 3, 4], ddof=1))
    v, when = T.value_at(h, pd.Period("2024-03", "M"))
    assert (v, when) == (3.0, pd.Period("2024-03", "M"))
    v, when = T.value_at(h, pd.Period("2030-01", "M"))
    assert when == pd.Period("2024-04", "M")  # the last real observation, with its date
    assert T.value_at(h, pd.Period("2000-01", "M"))[1] is None


def test_expanding_percentile_has_no_look_ahead():
    s = monthly([5, 1, 3, 10, 2])
    p = T.expanding_percentile(s, min_periods=1)
    assert list(p) == [100.0, 50.0, pytest.approx(200 / 3), 100.0, 40.0]
    # changing a later value never changes an earlier percentile
    s2 = s.copy(); s2.iloc[-1] = 100
    assert list(T.expanding_percentile(s2, 1).iloc[:-1]) == list(p.iloc[:-1])


def test_ols_newey_west_recovers_slope():
    x = pd.Series(np.arange(20.0))
    y = 1.0 + 2.0 * x
    fit = stats.ols_newey_west(y + np.sin(np.arange(20.0)) * 0.01, x.rename("x"), lags=3)
    assert fit.params["x"] == pytest.approx(2.0, abs=1e-2)
    assert fit.params["const"] == pytest.approx(1.0, abs=0.1)
    assert fit.nobs == 20 and fit.lags == 3


def test_common_window_returns_uses_common_dates_and_never_fills():
    from rotation.timeseries import common_window_returns

    days = pd.to_datetime(["2025-12-30", "2025-12-31", "2026-01-02", "2026-01-05"])
    a = pd.Series([100.0, 100.0, 110.0, 121.0], index=days)
    b = pd.Series([50.0, 50.0, 55.0], index=days[:3])  # ends a day early: the window ends with it
    got = common_window_returns({"a": a, "b": b}, "2025-12-31", "2026-01-31")
    assert got["from"] == pd.Timestamp("2025-12-31") and got["to"] == pd.Timestamp("2026-01-02")
    assert got["returns"]["a"] == pytest.approx(0.10) and got["returns"]["b"] == pytest.approx(0.10)
    empty = common_window_returns({"a": a}, "2026-01-05", "2026-01-31")  # nothing after the base date
    assert empty["from"] is None and np.isnan(empty["returns"]["a"])


def test_monthly_mean_drops_a_final_month_the_series_does_not_finish():
    days = pd.bdate_range("2026-01-01", "2026-02-13")  # stops mid-February
    s = pd.Series(1.0, index=days)
    s[days >= "2026-02-01"] = 3.0
    out = T.monthly_mean(s)
    assert list(out.index.astype(str)) == ["2026-01"] and out.iloc[0] == 1.0
    full = pd.Series(3.0, index=pd.bdate_range("2026-02-02", "2026-02-27"))  # 02-27 is February's last weekday
    assert T.monthly_mean(pd.concat([s[s.index < "2026-02-01"], full])).loc[pd.Period("2026-02", "M")] == 3.0


def test_complete_months_only_drops_a_final_month_the_series_does_not_finish():
    march = pd.bdate_range("2026-03-02", "2026-03-31")
    s = pd.Series(1.0, index=march.append(pd.DatetimeIndex(["2026-04-21", "2026-04-22", "2026-04-23"])))
    out = T.complete_months_only(s)
    assert out.index.max() == pd.Timestamp("2026-03-31")  # April stops on the 23rd: no April value
    # a month that runs to its last weekday (Friday 2026-02-27) is kept
    feb = pd.Series(1.0, index=pd.bdate_range("2026-02-02", "2026-02-27"))
    assert T.complete_months_only(feb).index.max() == pd.Timestamp("2026-02-27")
