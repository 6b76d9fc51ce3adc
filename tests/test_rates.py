import numpy as np
import pandas as pd
import pytest

from rotation import rates as Rt


def mseries(values, start):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def test_cut_signals_and_first_cuts_on_hand_made_path():
    # monthly-average effective rate, 2000-01 .. 2002-12 (before the target-range era)
    eff = mseries([6.0] * 6 + [5.9, 5.7, 5.5, 5.5, 5.5, 5.5] + [5.5] * 6 + [5.6, 5.4, 5.2] + [5.2] * 15, "2000-01")
    # target upper bound, daily, from 2008-12 on: cut 2019-08, again 2020-03 (same cycle), then 2024-09
    days = pd.date_range("2018-01-01", "2025-06-30", freq="D")
    upper = pd.Series(2.5, index=days)
    upper[days >= "2019-08-01"] = 2.25
    upper[days >= "2020-03-04"] = 1.25
    upper[days >= "2020-03-16"] = 0.25
    upper[days >= "2022-03-17"] = 5.5
    upper[days >= "2024-09-19"] = 5.0
    signals = Rt.cut_signals(eff, upper)
    # 2000-08: 5.7 vs 6.0 three months earlier (-0.3) is the first signal; 2000-07 is only -0.1
    assert not signals[pd.Period("2000-07", "M")] and signals[pd.Period("2000-08", "M")]
    cuts = Rt.first_cuts(signals)
    # 2000-10 (5.5 vs 5.9 in 2000-07: -0.4) is still a signal; 2000-11 (-0.2) is not.
    # 2001-09 (5.2 vs 5.5 in 2001-06: -0.3) is a signal but comes 11 months after 2000-10: same cycle.
    assert signals[pd.Period("2000-10", "M")] and not signals[pd.Period("2000-11", "M")]
    assert signals[pd.Period("2001-09", "M")]
    assert pd.Period("2001-09", "M") not in cuts
    assert cuts == [pd.Period("2000-08", "M"), pd.Period("2019-08", "M"), pd.Period("2024-09", "M")]


def test_monthly_changes_by_date():
    lv = mseries([1.0, 1.5, 1.25], "2020-01").drop(pd.Period("2020-02", "M"))
    ch = Rt.monthly_changes({"x": lv})
    assert np.isnan(ch.loc["2020-03", "x"])  # no February: no change, not a 2-month change


def test_rate_betas_hand_computed():
    x = mseries([0.1, -0.2, 0.3, 0.0, -0.1, 0.2, -0.3, 0.1, 0.05, -0.05], "2020-01")
    y = 2.0 * x + 0.5
    out = Rt.rate_betas(y, x.to_frame("DGS2"), lags=2)
    assert out.loc[("DGS2", "none"), "beta"] == pytest.approx(2.0)
    ctrl = mseries([1, 2, 3, 1, 2, 3, 1, 2, 3, 4], "2020-01")
    out2 = Rt.rate_betas(y + 0.7 * ctrl, x.to_frame("DGS2"), lags=2, control=ctrl)
    assert out2.loc[("DGS2", "Mkt-RF"), "beta"] == pytest.approx(2.0)


def test_recession_within():
    usrec = mseries([0, 0, 0, 1, 1, 0, 0], "2020-01")
    assert Rt.recession_within(usrec, pd.Period("2020-01", "M"), 3) is True
    assert Rt.recession_within(usrec, pd.Period("2020-01", "M"), 2) is False
    assert Rt.recession_within(usrec, pd.Period("2020-05", "M"), 3) is None  # window beyond the data


def test_event_paths_and_spread_after_hand_computed():
    r = pd.DataFrame({"Lo 30": [0.1, 0.0, 0.1, 0.1], "Hi 30": [0.0, 0.0, 0.0, 0.1]},
                     index=pd.period_range("2020-01", periods=4, freq="M"))
    p = Rt.event_paths(r, "Lo 30", "Hi 30", [pd.Period("2020-02", "M")], 1, 2, pd.Period("2020-04", "M"))
    # baseline -2: 0; -1 (2020-01): 0.1; 0 (2020-02): 0.1; +1: 1.21-1 = 0.21; +2: 1.331 - 1.1 = 0.231
    assert list(p["2020-02"].round(6)) == [0.0, 0.1, 0.1, 0.21, 0.231]
    after = Rt.spread_after(r, "Lo 30", "Hi 30", [pd.Period("2020-01", "M"), pd.Period("2020-03", "M")], 2, pd.Period("2020-04", "M"))
    assert list(after.index) == ["2020-01"] and after.iloc[0] == pytest.approx(0.1)  # 2020-03 incomplete


def test_big_move_days_and_total_return_since():
    d = pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"])
    small = pd.Series([0.01, 0.02, -0.01, 0.0], index=d)
    large = pd.Series([0.0, 0.0, 0.0, 0.0], index=d)
    y = pd.Series([4.0, 4.2, 4.15, 3.9], index=d)
    out = Rt.big_move_days(small, large, y, 0.1)
    assert out.loc["yield up big", "days"] == 1 and out.loc["yield up big", "mean_spread"] == pytest.approx(0.02)
    assert out.loc["yield down big", "mean_spread"] == pytest.approx(0.0)
    px = pd.Series([100.0, 110.0, 121.0], index=pd.to_datetime(["2024-09-17", "2024-09-18", "2025-01-02"]))
    py = pd.Series([50.0, 50.0, 55.0], index=px.index)
    tr = Rt.total_return_since(px, py, pd.Timestamp("2024-09-18"), pd.Timestamp("2030-01-01"))
    assert tr["from"] == "2024-09-17" and tr["to"] == "2025-01-02"
    assert tr["small"] == pytest.approx(0.21) and tr["difference"] == pytest.approx(0.11)
