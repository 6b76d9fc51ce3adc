"""rotation.thesis on small hand-made frames: answers derived by hand in the comments."""
import math

import numpy as np
import pandas as pd
import pytest

from rotation import thesis as T


def monthly(values, start="2000-01"):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def daily(pairs):
    pairs = list(pairs)
    return pd.Series([v for _, v in pairs], index=pd.DatetimeIndex([d for d, _ in pairs]), dtype=float)


# ------------------------------------------------------------------ the legs

def test_complete_months_only_drops_a_final_month_the_series_does_not_finish():
    march = pd.bdate_range("2026-03-02", "2026-03-31")
    s = pd.Series(1.0, index=march.append(pd.DatetimeIndex(["2026-04-21", "2026-04-22", "2026-04-23"])))
    out = T.complete_months_only(s)
    assert out.index.max() == pd.Timestamp("2026-03-31")  # April stops on the 23rd: no April value
    # a month that runs to its last weekday (Friday 2026-02-27) is kept
    feb = pd.Series(1.0, index=pd.bdate_range("2026-02-02", "2026-02-27"))
    assert T.complete_months_only(feb).index.max() == pd.Timestamp("2026-02-27")


def test_credit_spread_newer_series_wins_and_partial_month_is_dropped():
    baa = pd.Series([7.0, 7.5, 8.0], index=pd.DatetimeIndex(["2016-01-01", "2016-02-01", "2016-03-01"]))
    days = pd.bdate_range("2016-01-01", "2016-03-31")
    dgs10 = pd.Series(np.where(days.month == 1, 2.0, 3.0), index=days)
    b10 = pd.Series(np.r_[[4.0] * 23, [5.0] * 11], index=pd.bdate_range("2016-03-01", "2016-04-15"))
    out = T.credit_spread(baa, dgs10, b10)
    # Jan: 7.0 - 2.0; Feb: 7.5 - 3.0; Mar: BAA10Y mean 4.0 (newer wins over 8.0 - 3.0); April stops mid-month: dropped
    assert list(out.index.astype(str)) == ["2016-01", "2016-02", "2016-03"]
    assert out.tolist() == pytest.approx([5.0, 4.5, 4.0])


def test_easing_change_is_matched_by_date():
    ff = pd.Series([5.0, 4.9, 4.7, 4.5, 4.6], index=pd.date_range("2000-01-01", periods=5, freq="MS"))
    ch = T.easing_change(ff, 2)
    # 2000-03: 4.7 - 5.0; 2000-04: 4.5 - 4.9; 2000-05: 4.6 - 4.7
    assert list(ch.index.astype(str)) == ["2000-03", "2000-04", "2000-05"]
    assert ch.tolist() == pytest.approx([-0.3, -0.4, -0.1])
    # with February missing, April has no partner (no row-position shift to January)
    ch2 = T.easing_change(ff.drop(pd.Timestamp("2000-02-01")), 2)
    assert list(ch2.index.astype(str)) == ["2000-03", "2000-05"]


def legs_inputs():
    v = monthly([0.1, 0.3, 0.2, 0.4, 0.3])
    ff = pd.Series([5.0, 4.9, 4.7, 4.5, 4.6], index=pd.date_range("2000-01-01", periods=5, freq="MS"))
    return v, v * 2, ff, monthly([3.0, 2.0, 1.0, 4.0, 2.5])


def test_leg_measures_are_expanding_percentiles_with_a_minimum_history():
    disc, share, ff, credit = legs_inputs()
    m = T.leg_measures(disc, share, ff, credit, pd.Period("2000-01", "M"), easing_months=2, min_history=3)
    # discount 0.1, 0.3, 0.2, 0.4, 0.3: at 2000-03 two of three values <= 0.2 -> 66.7; 2000-04 the maximum -> 100;
    # 2000-05 four of five <= 0.3 -> 80; the first two months have under 3 months of history -> NaN
    assert m["valuation_pct"].iloc[:2].isna().all()
    assert m["valuation_pct"].iloc[2:].tolist() == pytest.approx([200 / 3, 100.0, 80.0])
    assert m["concentration_pct"].iloc[2:].tolist() == pytest.approx([200 / 3, 100.0, 80.0])
    # credit 3, 2, 1, 4, 2.5: 2000-03 the minimum of three -> 33.3; 2000-04 -> 100; 2000-05: 2, 1, 2.5 <= 2.5 -> 60
    assert m["credit_pct"].iloc[2:].tolist() == pytest.approx([100 / 3, 100.0, 60.0])
    assert m["easing"].dropna().tolist() == pytest.approx([-0.3, -0.4, -0.1])


def test_leg_measures_use_no_later_month():
    disc, share, ff, credit = legs_inputs()
    start = pd.Period("2000-01", "M")
    before = T.leg_measures(disc, share, ff, credit, start, 2, min_history=3)
    disc2 = disc.copy()
    disc2.iloc[-1] = -5.0  # a different last month changes nothing before it
    after = T.leg_measures(disc2, share, ff, credit, start, 2, min_history=3)
    pd.testing.assert_series_equal(before["valuation_pct"].iloc[:-1], after["valuation_pct"].iloc[:-1])
    assert after["valuation_pct"].iloc[-1] == pytest.approx(20.0)  # the lowest of five


def test_valuation_history_never_starts_before_1963_07():
    disc = monthly([0.9, 0.8, 0.7, 0.1, 0.2, 0.3], start="1963-04")
    m = T.leg_measures(disc, disc, pd.Series(dtype=float, index=pd.DatetimeIndex([])), disc, pd.Period("1963-01", "M"),
                       easing_months=6, min_history=1)
    # ranked from 1963-07 only: 0.1 -> 100 (alone), 0.2 -> 100, 0.3 -> 100; the earlier months get no percentile
    assert m["valuation_pct"].loc[pd.Period("1963-04", "M"):pd.Period("1963-06", "M")].isna().all()
    assert m["valuation_pct"].loc[pd.Period("1963-07", "M"):].tolist() == pytest.approx([100.0, 100.0, 100.0])
    # the concentration leg ranks against its whole history from start: 0.1 is the lowest of four -> 25
    assert m["concentration_pct"].loc[pd.Period("1963-07", "M")] == pytest.approx(25.0)


def measures_frame(rows, start="2000-01"):
    cols = ["valuation", "valuation_pct", "concentration", "concentration_pct", "easing", "easing_pct", "credit", "credit_pct"]
    return pd.DataFrame(rows, columns=cols, index=pd.period_range(start, periods=len(rows), freq="M"), dtype=float)


def test_leg_flags_thresholds_and_joint_flags():
    nan = np.nan
    m = measures_frame([
        [0.5, 80.0, 0.6, 79.9, -0.25, 10, 2.0, 50.0],      # valuation at its threshold, concentration just under: 3 legs
        [0.5, nan, 0.6, 90.0, -1.0, 10, 2.0, 10.0],        # valuation not judged: no count, no joint flag
        [0.5, 95.0, 0.6, 90.0, -1.0, 10, 2.0, 10.0],       # all four
        [0.5, 10.0, 0.6, 10.0, -0.2499, 10, 2.0, 50.1],    # none: easing 0.2499 pp is not a 0.25 pp cut
    ])
    f = T.leg_flags(m, T.Thresholds())
    assert f["valuation"].tolist()[0] == 1.0 and np.isnan(f["valuation"].iloc[1])
    assert f["concentration"].tolist() == [0.0, 1.0, 1.0, 0.0]
    assert f["easing"].tolist() == [1.0, 1.0, 1.0, 0.0]
    assert f["credit"].tolist() == [1.0, 1.0, 1.0, 0.0]
    assert f["legs_known"].tolist() == [4, 3, 4, 4]
    assert f["legs_held"].iloc[[0, 2, 3]].tolist() == [3.0, 4.0, 0.0] and np.isnan(f["legs_held"].iloc[1])
    assert f["all_four"].iloc[[0, 2, 3]].tolist() == [0.0, 1.0, 0.0] and np.isnan(f["all_four"].iloc[1])
    assert f["at_least_three"].iloc[[0, 2, 3]].tolist() == [1.0, 1.0, 0.0]
    two = T.joint_flags(f, 2)
    assert two.iloc[[0, 2, 3]].tolist() == [1.0, 1.0, 0.0] and np.isnan(two.iloc[1])


def test_legs_at_takes_each_legs_last_month_and_counts_unjudged_legs():
    nan = np.nan
    m = measures_frame([
        [0.5, 85.0, 0.6, 70.0, -0.5, 10, 2.0, 40.0],
        [0.6, 90.0, 0.7, 85.0, -0.5, 10, 2.1, nan],
        [nan, nan, 0.7, 85.0, 0.1, 60, 2.2, nan],
    ])
    legs = T.legs_at(m, T.leg_flags(m), T.Thresholds())
    assert str(legs.loc["valuation", "month"]) == "2000-02" and legs.loc["valuation", "holds"] == True  # noqa: E712
    assert legs.loc["valuation", "value"] == pytest.approx(0.6) and legs.loc["valuation", "percentile"] == pytest.approx(90.0)
    assert str(legs.loc["easing", "month"]) == "2000-03" and legs.loc["easing", "holds"] == False  # noqa: E712
    assert legs.loc["credit", "holds"] is None  # a value but no judged percentile
    c = T.legs_count(legs)
    assert (c["held"], c["unknown"]) == (2, 1)
    assert c["holding"] == ["valuation", "concentration"] and c["not_holding"] == ["easing"] and c["not_judged"] == ["credit"]


# ------------------------------------------------------------------ analogues

def analogue_inputs():
    months = pd.period_range("2000-01", "2003-12", freq="M")
    d = pd.Series(0.01, index=months)
    d[pd.Period("2000-06", "M")] = -0.20
    flags = pd.Series(0.0, index=months)
    for p in ["2000-01", "2000-02", "2001-02", "2002-03"]:
        flags[pd.Period(p, "M")] = 1.0
    flags[pd.Period("2002-04", "M")] = np.nan  # not judged: not a flagged month
    return flags, d


def test_analogue_episodes_grouping_and_forward_spreads():
    flags, d = analogue_inputs()
    eps = T.analogue_episodes(flags, d, pd.Period("2003-12", "M"), horizons=(12, 36))
    # 2001-02 is 12 months after 2000-02: same episode; 2002-03 is 13 months after 2001-02: a new one
    assert [(str(a), str(b), n) for a, b, n in eps[["first", "last", "months"]].itertuples(index=False)] == [
        ("2000-01", "2001-02", 3), ("2002-03", "2002-03", 1)]
    # from 2000-01: 2000-02..2001-01 = 11 x 0.01 - 0.20 = -0.09; 36 months 2000-02..2003-01 = 35 x 0.01 - 0.20 = 0.15
    assert eps["fwd_12m"].tolist() == pytest.approx([-0.09, 0.12])
    assert eps["fwd_36m"].iloc[0] == pytest.approx(0.15) and eps["fwd_36m_per_year"].iloc[0] == pytest.approx(0.05)
    assert np.isnan(eps["fwd_36m"].iloc[1])  # 2002-04..2005-03 runs past the data
    s = T.episode_summary(eps, 36)
    assert (s["episodes"], s["complete"], s["positive"]) == (2, 1, 1)
    assert s["mean"] == pytest.approx(0.15) and s["mean_per_year"] == pytest.approx(0.05) and s["share_positive"] == 1.0


def test_analogues_use_nothing_after_as_of():
    flags, d = analogue_inputs()
    eps = T.analogue_episodes(flags, d, pd.Period("2002-12", "M"), horizons=(12,))
    # 2002-03's window 2002-04..2003-03 ends after 2002-12: incomplete, although the data hold it
    assert np.isnan(eps["fwd_12m"].iloc[1])
    none = T.analogue_episodes(flags, d, pd.Period("1999-12", "M"), horizons=(12,))
    assert none.empty and T.episode_summary(none, 12)["complete"] == 0 and np.isnan(T.episode_summary(none, 12)["mean"])


def test_base_rate_over_the_sample_months():
    _, d = analogue_inputs()
    sample = pd.PeriodIndex(["2000-01", "2000-06", "2003-06"], freq="M")
    b = T.base_rate(d, sample, pd.Period("2003-12", "M"), horizons=(12, 36))
    # 12m: 2000-01 -> -0.09; 2000-06 -> 2000-07..2001-06 = 0.12; 2003-06 incomplete. Mean 0.015, half positive
    assert b.loc[12, "months"] == 2 and b.loc[12, "mean"] == pytest.approx(0.015) and b.loc[12, "share_positive"] == 0.5
    # 36m: 2000-01 -> 0.15, 2000-06 -> 2000-07..2003-06 = 0.36: mean 0.255 (0.085 a year), both positive
    assert b.loc[36, "mean"] == pytest.approx(0.255) and b.loc[36, "mean_per_year"] == pytest.approx(0.085)
    assert b.loc[36, "share_positive"] == 1.0 and str(b.loc[36, "last"]) == "2000-06"


# ------------------------------------------------------------------ the signal

def signal_inputs():
    flags = pd.DataFrame({"legs_held": [4, 2, 3, np.nan, 3, 1]}, index=pd.period_range("2000-01", periods=6, freq="M"))
    spread = monthly([0.05, 0.02, -0.03, 0.04, 0.01, -0.02, 0.05])  # 2000-01..2000-07
    return flags, spread


def test_signal_positions_act_the_next_month():
    flags, spread = signal_inputs()
    pos = T.signal_positions(flags, 3)
    assert pos.tolist() == [1.0, 0.0, 1.0, 1.0, 0.0]  # 2000-04 (a leg not judged) has no position
    r = T.signal_returns(pos, spread, pd.Period("2000-07", "M"))
    # the position of month t earns the spread of t + 1: 02 (long) 0.02, 03 (neutral), 04 (long) 0.04, 06 (long) -0.02, 07 (neutral)
    assert list(r.index.astype(str)) == ["2000-02", "2000-03", "2000-04", "2000-06", "2000-07"]
    assert r["strategy"].tolist() == pytest.approx([0.02, 0.0, 0.04, -0.02, 0.0])
    lagged = T.signal_returns(pos, spread, pd.Period("2000-07", "M"), lag=1)
    # acted on a month later: 03 <- 01 (long) -0.03, 04 <- 02 (neutral), 05 <- 03 (long) 0.01, 07 <- 05 (long) 0.05
    assert list(lagged.index.astype(str)) == ["2000-03", "2000-04", "2000-05", "2000-07"]
    assert lagged["strategy"].tolist() == pytest.approx([-0.03, 0.0, 0.01, 0.05])


def test_signal_has_no_look_ahead():
    flags, spread = signal_inputs()
    base = T.signal_returns(T.signal_positions(flags, 3), spread, pd.Period("2000-07", "M"))
    # the month's own return cannot change the position held in it
    spread2 = spread.copy()
    spread2[pd.Period("2000-04", "M")] = -0.50
    again = T.signal_returns(T.signal_positions(flags, 3), spread2, pd.Period("2000-07", "M"))
    assert again["position"].tolist() == base["position"].tolist()
    # changing the legs at 2000-05 changes only the return of 2000-06
    flags2 = flags.copy()
    flags2.loc[pd.Period("2000-05", "M"), "legs_held"] = 0
    moved = T.signal_returns(T.signal_positions(flags2, 3), spread, pd.Period("2000-07", "M"))
    assert (moved["position"] != base["position"]).sum() == 1 and moved.loc[pd.Period("2000-06", "M"), "position"] == 0.0
    # no return after as_of: the 2000-06 position would earn 2000-07, cut here
    assert T.signal_returns(T.signal_positions(flags, 3), spread, pd.Period("2000-06", "M")).index.max() == pd.Period("2000-06", "M")


def test_signal_test_against_neutral_and_long():
    flags, spread = signal_inputs()
    t = T.signal_test(T.signal_returns(T.signal_positions(flags, 3), spread, pd.Period("2000-07", "M")), lags=0)
    # strategy 0.02, 0, 0.04, -0.02, 0: mean 0.008; invested 3 of 5; invested spreads 0.02, 0.04, -0.02
    assert t["months"] == 5 and t["share_invested"] == pytest.approx(0.6) and t["mean"] == pytest.approx(0.008)
    assert t["mean_invested"] == pytest.approx(0.04 / 3) and t["hit_rate"] == pytest.approx(2 / 3)
    assert t["mean_neutral_months"] == pytest.approx(0.01)  # -0.03 and 0.05
    assert t["long_mean"] == pytest.approx(0.012) and t["difference_vs_long"] == pytest.approx(-0.004)
    # with 0 lags the Newey-West t is the ordinary t of the mean: deviations' squares sum to 0.00208, s^2 = 0.00052
    assert t["t_nw"] == pytest.approx(0.008 / math.sqrt(0.00052 / 5), rel=1e-9)
    never = T.signal_test(T.signal_returns(T.signal_positions(flags, 5), spread, pd.Period("2000-07", "M")))
    assert never["share_invested"] == 0.0 and never["mean"] == 0.0 and np.isnan(never["t_nw"]) and np.isnan(never["hit_rate"])
    table = T.signal_table({"signal": t})
    assert list(table.index) == ["signal", "always long", "always neutral"]
    assert table.loc["always neutral", "mean_all_months"] == 0.0


# ------------------------------------------------------------------ after the article

def article_inputs():
    dates = ["2025-12-30", "2025-12-31", "2026-01-02", "2026-01-05"]
    closes = {"IWM": daily(zip(dates, [99, 100, 103, 110])), "SPY": daily(zip(dates, [199, 200, 202, 201])),
              "QQQ": daily(zip(dates, [50, 50, 49, 51]))}
    rut = daily([("2025-12-10", 2500), ("2025-12-11", 2590), ("2025-12-31", 2550), ("2026-01-02", 2600), ("2026-01-05", 2580)])
    days = pd.date_range("2025-12-01", "2026-01-31")
    upper = pd.Series(np.where(days < "2025-12-11", 4.0, np.where(days < "2026-01-20", 3.75, 3.5)), index=days)
    return closes, rut, upper, upper - 0.25


def test_post_article_before_the_article_records_nothing():
    closes, rut, upper, lower = article_inputs()
    assert T.post_article(closes, rut, upper, lower, "2025-12-31", "2026-01-02") == {"appeared": False}


def test_post_article_returns_highs_and_fed_path():
    closes, rut, upper, lower = article_inputs()
    p = T.post_article(closes, rut, upper, lower, "2026-01-31", "2026-01-02")
    # 2025-12-31 -> 2026-01-05: IWM 110/100 - 1 = 0.10, SPY 201/200 - 1 = 0.005, QQQ 51/50 - 1 = 0.02
    assert p["to"] == pd.Timestamp("2026-01-05") and p["from"] == pd.Timestamp("2025-12-31")
    assert (p["return_iwm"], p["return_spy"], p["return_qqq"]) == pytest.approx((0.10, 0.005, 0.02))
    assert p["iwm_minus_spy"] == pytest.approx(0.095)
    # ^RUT after 2025-12-31: highest close 2600 on 2026-01-02, above December's 2590 (2025-12-11); the series ends 2026-01-05
    assert (p["rut_high"], p["rut_high_date"]) == (2600.0, pd.Timestamp("2026-01-02"))
    assert (p["december_high"], p["december_high_date"], p["beats_december"]) == (2590.0, pd.Timestamp("2025-12-11"), True)
    assert p["rut_last"] == pd.Timestamp("2026-01-05")
    # one cut after 2025-12-31 (3.75 -> 3.50 on 2026-01-20); the December cut is before the base date
    assert (p["cuts"], p["hikes"], p["fed_upper"], p["fed_lower"]) == (1, 0, 3.5, 3.25)
    assert p["fed_path"]["date"].tolist() == [pd.Timestamp("2026-01-20")] and p["fed_path"]["change_pp"].tolist() == [-0.25]


def test_post_article_uses_the_last_common_close_and_never_fills_forward():
    closes, rut, upper, lower = article_inputs()
    closes["QQQ"] = closes["QQQ"].drop(pd.Timestamp("2026-01-05"))
    rut = rut[rut.index <= "2026-01-02"].copy()
    rut[pd.Timestamp("2026-01-02")] = 2580.0
    p = T.post_article(closes, rut, upper, lower, "2026-01-15", "2026-01-02")
    assert p["to"] == pd.Timestamp("2026-01-02") and p["return_iwm"] == pytest.approx(0.03)  # QQQ stops on 01-02
    assert p["rut_high"] == 2580.0 and p["beats_december"] is False and p["rut_last"] == pd.Timestamp("2026-01-02")
    assert (p["cuts"], p["fed_upper"]) == (0, 3.75)  # on 2026-01-15 the January cut had not come


# ------------------------------------------------------------------ the verdict rule

def test_verdict_supported_only_when_all_three_tests_pass():
    assert T.thesis_verdict(3, 0, 5, 0.10, 2.5) == T.SUPPORTED
    assert T.thesis_verdict(4, 0, 6, 0.01, 2.0) == T.SUPPORTED
    # each test failing on its own leaves it undecided
    assert T.thesis_verdict(2, 0, 5, 0.10, 2.5) == T.UNDECIDED
    assert T.thesis_verdict(3, 0, 4, 0.10, 2.5) == T.UNDECIDED
    assert T.thesis_verdict(3, 0, 5, -0.10, 2.5) == T.UNDECIDED
    assert T.thesis_verdict(3, 0, 5, 0.10, 1.99) == T.UNDECIDED
    assert T.thesis_verdict(3, 0, 5, 0.10, float("nan")) == T.UNDECIDED


def test_verdict_contradicted_by_the_legs_or_by_history_and_signal():
    assert T.thesis_verdict(1, 0, 0, float("nan"), float("nan")) == T.CONTRADICTED
    assert T.thesis_verdict(0, 1, 0, float("nan"), 0.5) == T.CONTRADICTED   # at most one leg could hold
    assert T.thesis_verdict(1, 1, 0, float("nan"), 0.5) == T.UNDECIDED      # the unjudged leg might hold: two possible
    assert T.thesis_verdict(3, 0, 6, -0.05, -2.1) == T.CONTRADICTED
    assert T.thesis_verdict(3, 0, 6, -0.05, -1.9) == T.UNDECIDED
    assert T.thesis_verdict(3, 0, 4, -0.05, -3.0) == T.UNDECIDED            # too few episodes to contradict


def test_verdict_undecided_and_its_shortfalls():
    assert T.thesis_verdict(4, 0, 0, float("nan"), 0.32) == T.UNDECIDED
    checks = T.verdict_shortfalls(4, 0, 0, float("nan"), 0.32)
    assert checks == {"legs": True, "episodes": False, "episodes_positive": False, "signal": False}
    line = T.verdict_summary(T.UNDECIDED, 4, 0, 0, float("nan"), 0.32)
    assert "not decided by the data" in line and "4 of 4 legs" in line and "nan" not in line
    assert "nan" not in T.verdict_summary(T.CONTRADICTED, 0, 2, 0, float("nan"), float("nan"))
