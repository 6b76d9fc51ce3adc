"""rotation.thesis on small hand-made frames: answers derived by hand in the comments."""
import math

import numpy as np
import pandas as pd
import pytest

from rotation import findings, results
from rotation import thesis as T


def monthly(values, start="2000-01"):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def daily(pairs):
    pairs = list(pairs)
    return pd.Series([v for _, v in pairs], index=pd.DatetimeIndex([d for d, _ in pairs]), dtype=float)


# ------------------------------------------------------------------ the legs

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


def test_leg_panels_start_when_all_four_legs_are_judged():
    nan = np.nan
    m = measures_frame([
        [0.5, nan, 0.6, 79.9, -0.25, 10, 2.0, 50.0],   # valuation not judged
        [0.5, 80.0, 0.6, 79.9, -0.30, 10, 2.0, 50.0],   # all four judged from here
        [0.5, 95.0, 0.6, 90.0, -1.00, 10, 2.0, 10.0],
    ])
    panels = T.leg_panels(m, T.leg_flags(m), T.Thresholds(), pd.Period("2000-01", "M"))
    assert [p["threshold"] for p in panels] == [80.0, 80.0, -0.25, 50.0] and [p["side"] for p in panels] == [">=", ">=", "<=", "<="]
    assert [str(i) for i in panels[2]["series"].index] == ["2000-02", "2000-03"] and panels[2]["series"].tolist() == [-0.30, -1.00]


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
    eps = T.analogue_episodes(flags, d, pd.Period("2003-12", "M"), horizons=(12, 36), lag=0)
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
    eps = T.analogue_episodes(flags, d, pd.Period("2002-12", "M"), horizons=(12,), lag=0)
    # 2002-03's window 2002-04..2003-03 ends after 2002-12: incomplete, although the data hold it
    assert np.isnan(eps["fwd_12m"].iloc[1])
    none = T.analogue_episodes(flags, d, pd.Period("1999-12", "M"), horizons=(12,))
    assert none.empty and T.episode_summary(none, 12)["complete"] == 0 and np.isnan(T.episode_summary(none, 12)["mean"])


def test_analogue_outcomes_start_after_the_publication_lag():
    flags, d = analogue_inputs()
    eps = T.analogue_episodes(flags, d, pd.Period("2003-12", "M"), horizons=(12, 36), lag=5)
    # from 2000-01 with a 5-month lag: 2000-07..2001-06 = 12 x 0.01 (the -0.20 of 2000-06 is before the window); 36 months 0.36
    assert [str(p) for p in eps["outcome_from"]] == ["2000-07", "2002-09"]
    assert eps["fwd_12m"].tolist() == pytest.approx([0.12, 0.12])  # 2002-03: 2002-09..2003-08
    assert eps["fwd_36m"].iloc[0] == pytest.approx(0.36) and np.isnan(eps["fwd_36m"].iloc[1])  # 2002-09..2005-08 is not there
    # nothing between t + 1 and t + lag counts: changing 2000-02..2000-06 leaves the outcome alone
    d2 = d.copy()
    d2[pd.Period("2000-02", "M"):pd.Period("2000-06", "M")] = 0.5
    assert T.analogue_episodes(flags, d2, pd.Period("2003-12", "M"), horizons=(12,), lag=5)["fwd_12m"].iloc[0] == pytest.approx(0.12)
    # the notebook's default is the signal's lag: windows from t + 4
    assert str(T.analogue_episodes(flags, d, pd.Period("2003-12", "M"), horizons=(12,))["outcome_from"].iloc[0]) == "2000-05"
    # base rate with the same lag: 2000-01 -> 2000-07..2001-06 = 0.12, 2000-06 -> 2000-12..2001-11 = 0.12, 2003-06 incomplete
    b = T.base_rate(d, pd.PeriodIndex(["2000-01", "2000-06", "2003-06"], freq="M"), pd.Period("2003-12", "M"), horizons=(12,), lag=5)
    assert b.loc[12, "months"] == 2 and b.loc[12, "mean"] == pytest.approx(0.12) and b.loc[12, "share_positive"] == 1.0
    assert (str(b.loc[12, "first"]), str(b.loc[12, "last"])) == ("2000-01", "2000-06")


def test_analogues_sets_and_episode_table():
    flags = pd.DataFrame({"legs_held": [4, 3, 2, 3, np.nan, 4]}, index=pd.period_range("2000-01", periods=6, freq="M"))
    d = monthly([0.01] * 30)
    eps = T.analogues(flags, d, pd.Period("2002-06", "M"), horizons=(12,), lag=0)
    # all four: 2000-01 and 2000-06 (one episode, 2 months); at least three: 01, 02, 04, 06 (one episode, 4 months)
    assert eps["all_four"]["months"].tolist() == [2] and eps["at_least_three"]["months"].tolist() == [4]
    assert list(T.judged_months(flags).astype(str)) == ["2000-01", "2000-02", "2000-03", "2000-04", "2000-06"]
    table = T.episode_table(T.analogue_episodes(flags["legs_held"].ge(4).astype(float), d, pd.Period("2000-12", "M"), horizons=(12,), lag=0))
    assert table.columns.tolist() == ["first", "last", "months flagged", "outcome from", "next 12m, cumulative", "next 12m, per year"]
    assert table["next 12m, cumulative"].tolist() == ["incomplete"]  # 2000-02..2001-01 runs past 2000-12


def test_base_rate_over_the_sample_months():
    _, d = analogue_inputs()
    sample = pd.PeriodIndex(["2000-01", "2000-06", "2003-06"], freq="M")
    b = T.base_rate(d, sample, pd.Period("2003-12", "M"), horizons=(12, 36), lag=0)
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


def test_signal_test_against_neutral_long_and_the_exposure_matched_long():
    flags, spread = signal_inputs()
    r = T.signal_returns(T.signal_positions(flags, 3), spread, pd.Period("2000-07", "M"))
    t = T.signal_test(r, lags=0, min_stretches=1)
    # strategy 0.02, 0, 0.04, -0.02, 0: mean 0.008; invested 3 of 5; invested spreads 0.02, 0.04, -0.02
    assert t["months"] == 5 and t["share_invested"] == pytest.approx(0.6) and t["mean"] == pytest.approx(0.008)
    assert t["mean_invested"] == pytest.approx(0.04 / 3) and t["hit_rate"] == pytest.approx(2 / 3)
    assert t["mean_neutral_months"] == pytest.approx(0.01)  # -0.03 and 0.05
    # always-long 0.02 - 0.03 + 0.04 - 0.02 + 0.05 = 0.06 over 5 months: 0.012; at 60% exposure 0.0072; excess 0.0008
    assert t["long_mean"] == pytest.approx(0.012) and t["matched_mean"] == pytest.approx(0.0072)
    assert t["excess_mean"] == pytest.approx(0.0008)
    # invested return months 02, 04, 06 lie within 12 months of each other: one stretch
    assert t["stretches"] == 1 and t["invested_months"] == 3
    # with 0 lags the Newey-West t is the ordinary t of the mean: deviations' squares sum to 0.00208, s^2 = 0.00052
    assert t["t_nw"] == pytest.approx(0.008 / math.sqrt(0.00052 / 5), rel=1e-9)
    # excess (position - 0.6) x spread: 0.008, 0.018, 0.016, -0.008, -0.030, mean 0.0008, squared deviations sum 0.0016048
    assert t["excess_t_nw"] == pytest.approx(0.0008 / math.sqrt(0.0016048 / 4 / 5), rel=1e-9)
    assert t["testable"] and t["stance"] == "inconclusive"  # |t| far below 2
    # the rule's default asks for five stretches: one stretch gives no t at all
    d = T.signal_test(r, lags=0)
    assert d["stretches"] == 1 and not d["testable"] and d["stance"] == "inconclusive"
    assert np.isnan(d["t_nw"]) and np.isnan(d["excess_t_nw"]) and d["excess_mean"] == pytest.approx(0.0008)
    never = T.signal_test(T.signal_returns(T.signal_positions(flags, 5), spread, pd.Period("2000-07", "M")))
    assert never["share_invested"] == 0.0 and never["mean"] == 0.0 and never["stretches"] == 0 and np.isnan(never["hit_rate"])
    assert never["stance"] == "inconclusive" and np.isnan(never["excess_t_nw"]) and np.isnan(never["excess_mean"])  # no timing
    paths = T.signal_paths(r, t["share_invested"], 3)
    # cumulative percent: signal 2, 2, 6, 4, 4; at 60% exposure 0.6 x (2, -1, 3, 1, 6); always long 2, -1, 3, 1, 6
    assert paths["signal (at least 3 legs)"].tolist() == pytest.approx([2, 2, 6, 4, 4])
    assert paths["always long at the signal's exposure"].tolist() == pytest.approx([1.2, -0.6, 1.8, 0.6, 3.6])
    table = T.signal_table({"signal": t})
    assert list(table.index) == ["signal", "always long at the signal's exposure", "always long", "always neutral"]
    assert table.loc["always neutral", "mean_all_months"] == 0.0
    assert table.loc["always long at the signal's exposure", "mean_all_months"] == pytest.approx(0.0072)


def timing_returns(stretches: int, invested_spread: float) -> pd.DataFrame:
    """100 months; two invested months every 20 (stretches 18 months apart), spread `invested_spread`
    in them, +/-0.001 alternating in the others."""
    months = pd.period_range("2000-01", periods=100, freq="M")
    pos = pd.Series(0.0, index=months)
    for k in range(stretches):
        pos.iloc[[20 * k, 20 * k + 1]] = 1.0
    spread = pd.Series([0.001 if i % 2 else -0.001 for i in range(100)], index=months)
    spread[pos == 1] = invested_spread
    return pd.DataFrame({"position": pos, "spread": spread, "strategy": pos * spread})


def test_signal_test_is_symmetric_and_needs_five_stretches():
    up = T.signal_test(timing_returns(5, 0.05), lags=0)
    # share 0.1; excess 0.9 x 0.05 = 0.045 in 10 months, -0.1 x (+/-0.001) = -/+0.0001 in 90 (45 each): mean 0.0045;
    # squared deviations 10 x 0.0405^2 + 45 x 0.0046^2 + 45 x 0.0044^2 = 0.0182259, s^2 = /99, t = 0.0045 / sqrt(s^2 / 100)
    assert up["stretches"] == 5 and up["share_invested"] == pytest.approx(0.1) and up["excess_mean"] == pytest.approx(0.0045)
    assert up["excess_t_nw"] == pytest.approx(0.0045 / math.sqrt(0.0182259 / 99 / 100), rel=1e-6)
    assert up["excess_t_nw"] > 2 and up["stance"] == "supports"
    down = T.signal_test(timing_returns(5, -0.05), lags=0)
    assert down["excess_t_nw"] == pytest.approx(-up["excess_t_nw"], rel=1e-6) and down["stance"] == "contradicts"
    four = T.signal_test(timing_returns(4, 0.05), lags=0)  # the same timing in four stretches: no t, no stance
    assert four["stretches"] == 4 and np.isnan(four["excess_t_nw"]) and four["stance"] == "inconclusive"


def test_invested_stretches_merge_within_twelve_months():
    months = pd.period_range("2000-01", "2002-12", freq="M")
    pos = pd.Series(0.0, index=months)
    spread = pd.Series(0.01, index=months)
    for p, v in [("2000-01", 0.03), ("2000-02", -0.01), ("2001-02", 0.04), ("2002-03", -0.02)]:
        pos[pd.Period(p, "M")] = 1.0
        spread[pd.Period(p, "M")] = v
    st = T.invested_stretches(pd.DataFrame({"position": pos, "spread": spread, "strategy": pos * spread}))
    # 2001-02 is 12 months after 2000-02 (same stretch), 2002-03 13 months after 2001-02 (a new one)
    assert [(str(a), str(b), n) for a, b, n in st[["first", "last", "months"]].itertuples(index=False)] == [
        ("2000-01", "2001-02", 3), ("2002-03", "2002-03", 1)]
    assert st["mean_spread"].tolist() == pytest.approx([0.02, -0.02])  # (0.03 - 0.01 + 0.04) / 3; the neutral months do not count
    assert T.stretch_table(st)["mean spread a month"].tolist() == ["+2.000%", "-2.000%"]


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
    assert T.post_article(closes, rut, upper, lower, "2025-12-31", "2026-01-02") == {"appeared": False, "as_of": pd.Timestamp("2025-12-31")}


def test_post_article_returns_highs_and_fed_path():
    closes, rut, upper, lower = article_inputs()
    p = T.post_article(closes, rut, upper, lower, "2026-01-31", "2026-01-02")
    # 2025-12-31 -> 2026-01-05: IWM 110/100 - 1 = 0.10, SPY 201/200 - 1 = 0.005, QQQ 51/50 - 1 = 0.02
    assert p["to"] == pd.Timestamp("2026-01-05") and p["from"] == pd.Timestamp("2025-12-31") and p["as_of"] == pd.Timestamp("2026-01-31")
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

def test_premise_present_partly_absent():
    assert [T.premise(h) for h in (4, 3, 2, 1, 0)] == [T.PRESENT, T.PRESENT, T.PARTLY_PRESENT, T.ABSENT, T.ABSENT]
    assert T.premise(0, 1) == T.ABSENT            # at most one leg could hold
    assert T.premise(1, 1) == T.PARTLY_PRESENT    # the unjudged leg might hold: two possible
    assert T.premise(2, 2) == T.PARTLY_PRESENT    # present needs three legs that do hold


def test_analogue_test_against_the_base_rate():
    s = {"episodes": 6, "complete": 5, "mean": 0.10}
    up = T.analogue_test(s, 0.06)
    assert up["testable"] and up["stance"] == "supports" and up["difference"] == pytest.approx(0.04)
    down = T.analogue_test({**s, "mean": 0.02}, 0.06)  # positive, but below the base rate: against small caps
    assert down["stance"] == "contradicts" and down["difference"] == pytest.approx(-0.04)
    few = T.analogue_test({**s, "complete": 4}, 0.06)
    assert not few["testable"] and few["stance"] == "inconclusive" and few["difference"] == pytest.approx(0.04)
    none = T.analogue_test({"episodes": 1, "complete": 0, "mean": float("nan")}, 0.06)
    assert none["stance"] == "inconclusive" and np.isnan(none["difference"])


def test_verdict_rule_is_symmetric_and_can_come_out_either_way():
    s, c, i = "supports", "contradicts", "inconclusive"
    assert T.thesis_verdict(T.PRESENT, s, s) == T.SUPPORTED
    assert T.thesis_verdict(T.PRESENT, c, c) == T.CONTRADICTED
    for a, b in [(s, i), (i, s), (s, c), (c, s), (c, i), (i, c), (i, i)]:
        assert T.thesis_verdict(T.PRESENT, a, b) == T.UNDECIDED, (a, b)
    assert T.thesis_verdict(T.PARTLY_PRESENT, s, s) == T.UNDECIDED
    assert T.thesis_verdict(T.PARTLY_PRESENT, c, c) == T.UNDECIDED
    assert T.thesis_verdict(T.ABSENT, s, s) == T.NOT_TESTED == T.thesis_verdict(T.ABSENT, c, c)
    # swapping the stances swaps the verdicts, whatever the premise
    flip = {s: c, c: s, i: i}
    swap = {T.SUPPORTED: T.CONTRADICTED, T.CONTRADICTED: T.SUPPORTED, T.UNDECIDED: T.UNDECIDED, T.NOT_TESTED: T.NOT_TESTED}
    for p in T.PREMISES:
        for a in (s, c, i):
            for b in (s, c, i):
                assert T.thesis_verdict(p, flip[a], flip[b]) == swap[T.thesis_verdict(p, a, b)]
    assert [T.verdict_direction(v) for v in T.VERDICTS] == ["supports", "contradicts", "inconclusive", "inconclusive"]
    with pytest.raises(ValueError):
        T.thesis_verdict("present", s, s)


def test_verdict_summary_states_the_premise_and_both_tests():
    count = {"held": 4, "unknown": 0}
    common = {"month": pd.Period("2025-09", "M"), "held": 3, "holding": ["valuation", "concentration", "credit"]}
    a = T.analogue_test({"episodes": 2, "complete": 2, "mean": 0.23}, 0.065)
    sig = T.signal_test(timing_returns(2, 0.05), lags=0)
    line = T.verdict_summary(T.UNDECIDED, T.PRESENT, count, common, a, sig)
    assert line.startswith("Great Rotation thesis: not decided by the data. Conditions present (4 of 4 legs")
    assert "3 at 2025-09, the last month all four were judged" in line
    assert "2 complete episodes with at least 3 legs, under the 5 the rule needs" in line and "2 invested stretches" in line
    assert "nan" not in line.lower()
    up = T.signal_test(timing_returns(5, 0.05), lags=0)
    line = T.verdict_summary(T.UNDECIDED, T.PRESENT, count, {"month": None, "held": None, "holding": []},
                             T.analogue_test({"episodes": 5, "complete": 5, "mean": 0.10}, 0.06), up)
    assert "+10.0% against a base rate of +6.0%: favours small caps" in line and "over 5 stretches: favours small caps" in line


# ------------------------------------------------------------------ records and sentences

from types import SimpleNamespace  # noqa: E402



def figures_of(records):
    return {r["name"]: {"value": results._plain(r["value"]), "unit": r["unit"], "as_of": str(r["as_of"]), "label": r["label"]}
            for r in records}


def rendered(sentences, records):
    """Every sentence rendered against the records' figures, each checked by findings.check."""
    figs = figures_of(records)
    out = []
    for template, slots in sentences:
        st = findings.render(template, **T.parts(slots, figs))
        assert not findings.check(st, figs), (template, findings.check(st, figs))
        assert "nan" not in st["text"].lower().split() and "NaT" not in st["text"] and "(s)" not in st["text"]
        out.append(st["text"])
    return out


def window_stub(as_of="2000-03-31", start="2000-01"):
    return SimpleNamespace(as_of=pd.Timestamp(as_of), as_of_month=pd.Timestamp(as_of).to_period("M"), start=pd.Period(start, "M"))


def test_leg_records_and_sentences_state_the_months_and_the_common_count():
    nan = np.nan
    m = measures_frame([
        [0.5, 85.0, 0.6, 70.0, -0.5, 10, 2.0, 40.0],   # 2000-01: valuation, easing, credit hold: 3
        [0.6, 90.0, 0.7, 85.0, -0.5, 10, 2.1, nan],    # 2000-02: credit not judged
        [nan, nan, 0.7, 85.0, 0.1, 60, 2.2, nan],
    ])
    flags = T.leg_flags(m, T.Thresholds())
    legs, th = T.legs_at(m, flags, T.Thresholds()), T.Thresholds()
    count, common = T.legs_count(legs), T.legs_at_last_judged_month(flags)
    assert common == {"month": pd.Period("2000-01", "M"), "held": 3, "holding": ["valuation", "easing", "credit"]}
    assert np.isnan(legs.loc["easing", "percentile"])  # the easing leg is judged by its rule, not a percentile
    ff = pd.Series([5.0, 4.6, 4.5], index=pd.period_range("2000-01", periods=3, freq="M"))
    cycle = {"first_cut": None}
    recs = T.leg_records(legs, count, common, th, window_stub(), ff, pd.Series(dtype=float, index=pd.DatetimeIndex([])),
                         pd.Series(dtype=float, index=pd.DatetimeIndex([])), cycle)
    names = [r["name"] for r in recs]
    assert "easing_percentile" not in names and "credit_percentile" not in names  # credit's last month is not judged
    assert {r["name"]: r["value"] for r in recs}["legs_held_last_judged_month"] == 3
    assert {r["name"]: r["as_of"] for r in recs}["legs_held_last_judged_month"] == pd.Period("2000-01", "M")
    assert {r["name"]: r["value"] for r in recs}["fedfunds_rate"] == 4.5
    text = " ".join(rendered(T.leg_sentences(legs, count, common, th, window_stub(), cycle, None), recs))
    assert "the legs end in different months (valuation gap 2000-02, market concentration 2000-03, Fed easing 2000-03, credit conditions 2000-03)" in text
    assert "at 2000-01, the last month all four were judged (the basis of the analogues and the signal), 3 legs held" in text
    assert "Credit** (this notebook's proxy" in text and "cannot be judged yet" in text


def test_analogue_sentences_use_singular_and_plural_and_the_rule_set():
    flags, d = analogue_inputs()
    fl = pd.DataFrame({"legs_held": flags.map(lambda v: 4.0 if v == 1 else (np.nan if v != v else 1.0))})
    m = pd.Period("2003-12", "M")
    eps = T.analogues(fl, d, m, lag=0)
    sums, sample = T.summaries(eps), T.judged_months(fl)
    base = T.base_rate(d, sample, m, lag=0)
    test = T.analogue_test(sums["at_least_three"][36], base.loc[36, "mean"])
    recs = T.analogue_records(eps, sums, base, test, sample, m, "SMB, VW")
    text = " ".join(rendered(T.analogue_sentences(sums, base, test, sample, m), recs))
    # two episodes (as in the grouping test), one complete over 3 years
    assert "at least three legs held in 4 (2 episodes) and all four in 4 (2 episodes)" in text
    assert "1 episode has a complete 3-year window; over the 3 years from the fourth month after its first month" in text
    assert "fewer than 5 episodes" in text
    assert "All four legs together: 1 complete episode," in text
    assert {r["name"]: r["value"] for r in recs}["thesis_rule_analogues"] == "inconclusive"
    none = T.analogues(fl, d, pd.Period("1999-12", "M"), lag=0)
    s0 = T.summaries(none)
    t0 = T.analogue_test(s0["at_least_three"][36], float("nan"))
    recs0 = T.analogue_records(none, s0, T.base_rate(d, pd.PeriodIndex([], freq="M"), pd.Period("1999-12", "M")), t0,
                               pd.PeriodIndex([], freq="M"), pd.Period("1999-12", "M"), "SMB, VW")
    assert "there is no precedent" in " ".join(rendered(T.analogue_sentences(s0, None, t0, pd.PeriodIndex([], freq="M"),
                                                                            pd.Period("1999-12", "M")), recs0))


def test_signal_records_in_percent_and_no_t_under_five_stretches():
    few, many = T.signal_test(timing_returns(2, 0.05), lags=0), T.signal_test(timing_returns(5, 0.05), lags=0)
    m = pd.Period("2008-04", "M")
    recs = T.signal_records(few, few, m, "SMB, VW", 3)
    by = {r["name"]: r for r in recs}
    assert "signal_t_nw" not in by and "signal_excess_t_nw" not in by and by["signal_stretches"]["value"] == 2
    assert by["signal_mean_monthly"]["unit"] == "percent per month"
    assert by["signal_mean_monthly"]["value"] == pytest.approx(100 * few["mean"])  # unrounded, in percent
    text = " ".join(rendered(T.signal_sentences(few, few, m, 3), recs))
    assert "With 2 stretches, fewer than the 5 the rule needs, no t-statistic is computed" in text
    recs = T.signal_records(many, many, m, "SMB, VW", 3)
    assert {r["name"]: r["value"] for r in recs}["thesis_rule_signal"] == "supports"
    text = " ".join(rendered(T.signal_sentences(many, many, m, 3), recs))
    assert "Over its 5 stretches the Newey-West t of that excess is +3.32: test (b) favours small caps" in text


def test_a_signal_invested_every_month_has_no_timing_to_test():
    r = timing_returns(0, 0.0)
    r["position"], r["strategy"] = 1.0, r["spread"]
    always = T.signal_test(r, lags=0)
    assert always["share_invested"] == 1.0 and np.isnan(always["excess_mean"]) and always["stance"] == "inconclusive"
    recs = T.signal_records(always, always, pd.Period("2008-04", "M"), "SMB, VW", 1)
    assert "signal_excess_monthly" not in {r["name"] for r in recs}
    assert "no timing to test" in " ".join(rendered(T.signal_sentences(always, always, pd.Period("2008-04", "M"), 1), recs))


def test_post_records_and_sentences():
    closes, rut, upper, lower = article_inputs()
    post = T.post_article(closes, rut, upper, lower, "2026-01-31", "2026-01-02")
    recs = T.post_records(post, pd.Timestamp("2026-01-02"), (3.0, 3.25))
    by = {r["name"]: r["value"] for r in recs}
    assert by["post_article_iwm_minus_spy"] == pytest.approx(0.095) and by["post_article_rut_high"] == 2600.0
    text = " ".join(rendered(T.post_sentences(post, pd.Timestamp("2026-01-02")), recs))
    assert "made 1 cut and 0 hikes of the range (cut of 0.25 pp effective 2026-01-20)" in text
    assert "an endpoint it gives no date for" in text
    before = T.post_article(closes, rut, upper, lower, "2025-12-31", "2026-01-02")
    assert T.post_records(before, pd.Timestamp("2026-01-02"), (3.0, 3.25)) == []
    assert "had not appeared by 2025-12-31" in rendered(T.post_sentences(before, pd.Timestamp("2026-01-02")), [])[0]


def verdict_case(held, common_held, analogue, signal):
    count = {"held": held, "unknown": 0, "holding": list(T.LEGS[:held])}
    common = {"month": pd.Period("2025-09", "M"), "held": common_held, "holding": list(T.LEGS[:common_held])}
    prem = T.premise(held)
    verdict = T.thesis_verdict(prem, analogue["stance"], signal["stance"])
    m = pd.Period("2025-10", "M")
    recs = [T._rec("legs_held", held, "count", m, ""), T._rec("legs_held_last_judged_month", common_held, "count", m, ""),
            T._rec("analogue_complete_3y_at_least_three", analogue["complete"], "count", m, ""),
            T._rec("base_rate_mean_3y", analogue["base_mean"], "decimal", m, "")]
    if analogue["complete"]:
        recs.append(T._rec("analogue_mean_3y_at_least_three", analogue["mean"], "decimal", m, ""))
    recs += T.signal_records(signal, signal, m, "SMB, VW", 3)
    recs += T.verdict_records(verdict, prem, T.verdict_summary(verdict, prem, count, common, analogue, signal), "2025-12-31")
    return verdict, " ".join(rendered(T.verdict_sentences(verdict, prem, count, common, analogue, signal, "2025-12-31"), recs))


def test_verdict_sentences_for_each_outcome():
    few_a = T.analogue_test({"episodes": 2, "complete": 2, "mean": 0.23}, 0.065)
    few_s = T.signal_test(timing_returns(2, 0.05), lags=0)
    verdict, text = verdict_case(4, 3, few_a, few_s)
    assert verdict == T.UNDECIDED
    assert "**Premise: conditions present.** 4 of the four legs hold at their latest months (3 at 2025-09" in text
    assert "not run: 2 complete episodes with at least three legs, fewer than the 5 the rule needs" in text
    assert "history has too few complete episodes for test (a), and the signal's invested months form too few stretches" in text
    assert "one more precedent" not in text
    verdict, text = verdict_case(1, 1, T.analogue_test({"episodes": 1, "complete": 0, "mean": float("nan")}, 0.065), few_s)
    assert verdict == T.NOT_TESTED and "the thesis is not tested here" in text and "no complete precedent" in text
    assert "1 of the four legs holds at their latest months" in text
    assert "contradicted" not in text.split("Supported")[0]
    up_a = T.analogue_test({"episodes": 6, "complete": 6, "mean": 0.20}, 0.065)
    verdict, text = verdict_case(3, 3, up_a, T.signal_test(timing_returns(5, 0.05), lags=0))
    assert verdict == T.SUPPORTED and "both tests favour small caps" in text and "it favours small caps" in text
    down_a = T.analogue_test({"episodes": 6, "complete": 6, "mean": -0.05}, 0.065)
    verdict, text = verdict_case(3, 3, down_a, T.signal_test(timing_returns(5, -0.05), lags=0))
    assert verdict == T.CONTRADICTED and "both tests go against small caps" in text
    verdict, text = verdict_case(4, 4, up_a, T.signal_test(timing_returns(5, -0.05), lags=0))
    assert verdict == T.UNDECIDED and "the two tests point in opposite directions" in text


def grid_frame(rows):
    cols = ["thresholds", "spread", "weighting", "test", "stance", "estimate", "premise", "verdict"]
    return pd.DataFrame(rows, columns=cols)


def test_grid_summary_and_table():
    g = grid_frame([
        ["this report", "SMB", "VW", "analogues", "supports", 0.10, T.PRESENT, T.SUPPORTED],
        ["this report", "SMB", "VW", "signal", "supports", 0.001, T.PRESENT, T.SUPPORTED],
        ["looser", "SMB", "VW", "analogues", "inconclusive", -0.02, T.PRESENT, T.UNDECIDED],
        ["looser", "SMB", "VW", "signal", "contradicts", -0.001, T.PRESENT, T.UNDECIDED],
        ["this report", "Lo 20-Hi 20", "EW", "analogues", "inconclusive", float("nan"), T.PRESENT, T.UNDECIDED],
        ["this report", "Lo 20-Hi 20", "EW", "signal", "supports", 0.002, T.PRESENT, T.UNDECIDED],
    ])
    s = T.grid_summary(g, T.SUPPORTED)
    # 3 of 6 rows support, 1 contradicts, 2 inconclusive; 1 of 3 combinations is 'supported'
    assert s["specs"] == 6 and s["share_supports"] == pytest.approx(0.5) and s["share_contradicts"] == pytest.approx(1 / 6)
    assert s["direction"] == "supports" and s["agrees"] == pytest.approx(0.5)
    assert s["combinations"] == 3 and s["same_verdict"] == pytest.approx(1 / 3)
    # estimates above zero: analogues 0.10 of (0.10, -0.02) -> 1/2 (the NaN has none); signal 0.001, 0.002 of three -> 2/3
    assert s["positive_analogues"] == pytest.approx(0.5) and s["positive_signal"] == pytest.approx(2 / 3)
    assert T.grid_summary(g, T.UNDECIDED)["agrees"] == pytest.approx(2 / 6)
    table = T.grid_table(g)
    assert table.loc["SMB, VW", "this report"] == "supported · a + +10.0% · b + +0.100%"
    assert table.loc["Lo 20-Hi 20, EW", "this report"] == "not decided · a ? – · b + +0.200%"
    assert table.loc["premise at as_of", "looser"] == T.PRESENT
    recs = T.grid_records(s, pd.Period("2025-10", "M"))
    text = " ".join(rendered(T.grid_sentences(s, T.SUPPORTED), recs))
    assert "Across the 6 specifications (3 spread x threshold combinations, each with both tests), 50% favour small caps" in text
    assert "is matched by the specifications that favour small caps: 50% of the grid, and the same rule gives the same verdict in 33%" in text
    text = " ".join(rendered(T.grid_sentences(T.grid_summary(g, T.UNDECIDED), T.UNDECIDED), T.grid_records(T.grid_summary(g, T.UNDECIDED), pd.Period("2025-10", "M"))))
    assert "takes neither side: 33% of the specifications also decide nothing" in text


def test_specification_grid_runs_both_tests_for_every_setting_and_spread():
    months = pd.period_range("1990-01", periods=200, freq="M")  # 1990-01 .. 2006-08
    rising = pd.Series(np.arange(200, dtype=float), index=months)
    ff = pd.Series(10.0 - 0.1 * np.arange(200), index=months.to_timestamp())  # falling 0.6 pp every 6 months
    x = {"discount": rising, "share": rising, "fedfunds": ff, "spread": rising,
         "one_period": {("SMB", "VW"): pd.Series(0.0, index=months), ("Lo 20-Hi 20", "EW"): pd.Series(0.0, index=months)}}
    window = window_stub("2006-08-31", "1990-01")
    settings = {"this report": T.Thresholds(), **T.SENSITIVITY}
    g = T.specification_grid(x, window, settings, min_legs=3)
    # every value is the highest of its history (percentile 100): valuation and concentration hold at 80 and 90, credit never
    # (at most the 60th); easing -0.6 pp holds at 0.25 and 0.5 pp: three legs every month, so conditions present everywhere
    assert len(g) == 2 * 3 * 2 and list(g.columns[:13]) == T.inference.GRID_COLUMNS
    assert set(g["claim"]) == {f"thesis_{t}_{s}" for t in ("analogues", "signal") for s in ("this_report", "looser", "stricter")}
    assert set(g["premise"]) == {T.PRESENT}
    a, s = g[g["test"] == "analogues"], g[g["test"] == "signal"]
    # one episode from 1999-12 (the first month with 120 months of history): complete, but one is not five
    assert (a["n_episodes"] == 1).all() and (a["horizon_months"] == 36).all() and a["estimate"].tolist() == pytest.approx([0.0] * 6)
    assert (a["sample_start"] == "1999-12").all()
    # the signal is long every month from 2000-04 (1999-12 + 4): no timing to compare, one stretch
    assert s["estimate"].isna().all() and (s["n_episodes"] == 1).all() and (s["sample_start"] == "2000-04").all()
    assert set(g["stance"]) == {"inconclusive"} and set(g["verdict"]) == {T.UNDECIDED}
