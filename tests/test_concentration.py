import numpy as np
import pandas as pd
import pytest

from rotation import concentration as C
from rotation import inference
from rotation.params import Window


def frame(rows, columns, start="2000-01"):
    return pd.DataFrame(rows, columns=columns, index=pd.period_range(start, periods=len(rows), freq="M"), dtype=float)


def test_top_decile_share_hand_computed():
    # deciles: 10 firms each of size 1, except Hi 10: 5 firms of size 20 -> caps 10 x 9 + 100
    firms = frame([[10] * 9 + [5]], C.DECILES)
    size = frame([[1] * 9 + [20]], C.DECILES)
    share = C.top_decile_share(firms, size)
    assert share.iloc[0] == pytest.approx(100 / 190)
    # missing decile -> NaN, not a share of a partial market
    size.iloc[0, 3] = np.nan
    assert np.isnan(C.top_decile_share(firms, size).iloc[0])


def test_share_is_dated_by_the_month_end_its_caps_describe():
    # Fama-French row t holds caps at the end of t-1: rows 2026-01..03 give the shares of 2025-12..2026-02
    firms = frame([[10] * 9 + [5]] * 3, C.DECILES, start="2026-01")
    size = frame([[1] * 9 + [20], [1] * 9 + [10], [1] * 9 + [40]], C.DECILES, start="2026-01")
    share = C.top_decile_share(firms, size)
    assert list(share.index.astype(str)) == ["2025-12", "2026-01", "2026-02"]
    # row 2026-02: Hi 10 cap 5 x 10 = 50 of 90 + 50 = 140 -> the share at the end of 2026-01
    assert share[pd.Period("2026-01", "M")] == pytest.approx(50 / 140)
    assert share[pd.Period("2026-02", "M")] == pytest.approx(200 / 290)
    q = C.top_quintile_share(frame([[1] * 5] * 3, C.QUINTILES, start="2026-01"),
                             frame([[1, 1, 1, 1, 6]] * 3, C.QUINTILES, start="2026-01"))
    assert list(q.index.astype(str)) == ["2025-12", "2026-01", "2026-02"] and q.iloc[1] == pytest.approx(0.6)
    assert list(C.cap_month(firms["Hi 10"]).index.astype(str)) == ["2025-12", "2026-01", "2026-02"]


def test_top_quintile_share_hand_computed():
    firms = frame([[100, 50, 40, 30, 10]], C.QUINTILES)
    size = frame([[1, 2, 3, 4, 50]], C.QUINTILES)
    # caps 100, 100, 120, 120, 500 -> 500 / 940
    assert C.top_quintile_share(firms, size).iloc[0] == pytest.approx(500 / 940)


def test_small_minus_large_forward_hand_computed():
    r = frame([[0.0, 0.0], [0.10, 0.05], [0.10, -0.05], [0.0, 0.0]], ["Lo 30", "Hi 10"])
    out = C.small_minus_large_forward(r, "Lo 30", "Hi 10", 2)
    small = (1.1 * 1.1) ** 6 - 1
    large = (1.05 * 0.95) ** 6 - 1
    assert out.iloc[0] == pytest.approx(small - large)


def test_high_flags_use_no_future_data():
    rng = np.random.default_rng(0)
    share = pd.Series(rng.uniform(0.5, 0.7, 200), index=pd.period_range("1990-01", periods=200, freq="M"))
    flags = C.high_flags(share, 80, min_history=24)
    assert flags.iloc[:23].isna().all() and flags.iloc[23:].notna().all()  # classed from 24 months of history
    # changing the future never changes past classifications
    changed = share.copy()
    changed.iloc[150:] = 0.99
    assert C.high_flags(changed, 80, min_history=24).iloc[:150].equals(flags.iloc[:150])
    # month t is high iff its value beats 80% of values up to and including t
    t = 100
    assert flags.iloc[t] == float((share.iloc[: t + 1] <= share.iloc[t]).mean() * 100 > 80)


def test_conditional_forward_ignores_returns_after_as_of():
    idx = pd.period_range("2000-01", periods=200, freq="M")
    share = pd.Series(np.linspace(0.5, 0.8, 200), index=idx)  # rising: always at its own maximum
    r = pd.DataFrame({"Lo 30": 0.01, "Hi 10": 0.0}, index=idx)
    as_of = idx[160]
    base = C.conditional_forward(share, r, "Lo 30", "Hi 10", [1], 80, as_of)
    r2 = r.copy()
    r2.loc[r2.index > as_of, "Lo 30"] = 0.5  # a huge future after as_of must not matter
    assert C.conditional_forward(share, r2, "Lo 30", "Hi 10", [1], 80, as_of).equals(base)
    # windows end by as_of: months 0..148 have complete 12-month windows ending by month 160;
    # months 119.. (120 months of history) are high; earlier ones are not classed at all
    row = base.iloc[0]
    assert row["n_high_months"] == 148 - 119 + 1 and row["n_other_months"] == 0
    assert row["mean_after_high"] == pytest.approx(1.01 ** 12 - 1)


def test_clusters_counts_distinct_episodes():
    idx = pd.period_range("2000-01", periods=40, freq="M")
    flags = pd.Series(False, index=idx)
    flags.iloc[[1, 2, 3, 10, 30, 31]] = True  # 1-3 and 10 merge (gap 7 < 12); 30-31 separate
    assert len(inference.episodes_of(flags, 12)) == 2


def test_relative_total_return_common_dates_no_fill():
    a = pd.Series([10.0, 11.0, 12.0], index=pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"]), name="A")
    b = pd.Series([20.0, 20.0], index=pd.to_datetime(["2024-01-02", "2024-01-03"]), name="B")
    out = C.relative_total_return(a, b, "2024-01-01", "2024-12-31")
    assert list(out) == [1.0, 1.1] and out.index.max() == pd.Timestamp("2024-01-03")
    assert C.relative_total_return(a, b, "2025-01-01", "2025-12-31").empty
    assert list(C.relative_total_return(a, b)) == [1.0, 1.1]  # no dates: the common dates given
    assert C.relative_total_return(a, b.iloc[:0]).empty  # a fund with no price yet


def test_price_coverage_first_and_last_date():
    a = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-02", "2024-01-05"]))
    cov = C.price_coverage({"A": a, "B": a.iloc[:0]})
    assert cov.loc["A", "first"] == pd.Timestamp("2024-01-02") and cov.loc["A", "last"] == pd.Timestamp("2024-01-05")
    assert pd.isna(cov.loc["B", "first"]) and pd.isna(cov.loc["B", "last"])


def test_paths_after_hand_computed():
    r = frame([[0.0, 0.0], [0.10, 0.0], [0.10, 0.10]], ["Lo 30", "Hi 10"])
    p = C.paths_after(r, "Lo 30", "Hi 10", {"e": pd.Period("2000-01", "M")}, 2, pd.Period("2000-03", "M"))
    assert list(p["e"].round(10)) == [0.0, 0.1, round(1.21 - 1.1, 10)]


def months(start, values):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def hills(n, peaks):
    """n months falling by 0.001 a month with the distance to the nearest of `peaks`
    ({month number: value}), which take their own values: no ties, no other local maxima."""
    v = [0.5 - 0.001 * min(abs(i - p) for p in peaks) for i in range(n)]
    for p, x in peaks.items():
        v[p] = x
    return v


def test_find_peaks_lists_only_peaks_confirmed_by_the_series_end():
    # 30 months, half window 5: a peak at month 10 (0.9) is confirmed (months 11..15 known);
    # month 27 (0.95) is the highest so far but only 2 months after it are known: not listed
    s = months("2000-01", hills(30, {10: 0.9, 27: 0.95}))
    assert C.find_peaks(s, 5) == [pd.Period("2000-11", "M")]
    # cut the same series at month 13: month 10 has only 3 months after it, so it is not yet a peak
    assert C.find_peaks(s.iloc[:14], 5) == []
    # with exactly 5 months after it (cut at month 15) it is
    assert C.find_peaks(s.iloc[:16], 5) == [pd.Period("2000-11", "M")]


def test_unconfirmed_peak_candidate_or_not():
    # last 5 months (half window 5) are months 25..29; their highest is month 27 (0.8)
    v = [0.5] * 30
    v[27] = 0.8
    out = C.unconfirmed_peak(months("2000-01", v), 5)
    assert out["month"] == pd.Period("2002-04", "M") and out["share"] == 0.8
    assert out["candidate"] and out["confirm_month"] == pd.Period("2002-09", "M")
    # a higher month 24 (0.9) lies within the 5 months before month 27: 27 can never be a peak
    v[24] = 0.9
    out = C.unconfirmed_peak(months("2000-01", v), 5)
    assert out["month"] == pd.Period("2002-04", "M") and not out["candidate"]
    # month 21 (0.99) is more than 5 months before month 27: it does not matter
    v[24], v[21] = 0.5, 0.99
    assert C.unconfirmed_peak(months("2000-01", v), 5)["candidate"]


def test_episode_windows_drop_later_episodes_and_cut_ongoing_ones():
    eps = {"old": ("1999-01", "2000-12"), "now": ("2001-06", "2003-12"), "later": ("2005-01", "2006-12")}
    out = C.episode_windows(eps, pd.Period("2002-03", "M"))
    assert list(out) == ["old", "now"]
    assert out["old"] == (pd.Period("1999-01", "M"), pd.Period("2000-12", "M"), False)
    assert out["now"] == (pd.Period("2001-06", "M"), pd.Period("2002-03", "M"), True)
    # an episode ending exactly at as_of is complete
    assert C.episode_windows(eps, pd.Period("2003-12", "M"))["now"][2] is False


def test_episode_label_marks_only_ongoing_episodes():
    eps = {"Boom 1999-2000": ("1999-01", "2000-12")}
    assert C.episode_label("Boom 1999-2000", eps, pd.Period("2000-03", "M")) == "Boom 1999-2000 (ongoing at as_of; named window to 2000-12)"
    assert C.episode_label("Boom 1999-2000", eps, pd.Period("2000-12", "M")) == "Boom 1999-2000"
    assert C.episode_label("Boom 1999-2000", eps, pd.Period("2000-03", "M"), short=True) == "Boom 1999-2000 (ongoing)"


def test_episode_table_ongoing_rows_and_hindsight_windows():
    # 24 months from 2000-01; share peaks at month 3 (0.9) and at month 20 (0.8)
    v = [0.5] * 24
    v[3], v[20] = 0.9, 0.8
    share = months("2000-01", v)
    firms = months("2000-01", range(24))
    r = pd.DataFrame({"Lo 30": 0.01, "Hi 10": 0.0}, index=share.index)
    eps = {"first": ("2000-01", "2000-06"), "second": ("2001-06", "2002-06"), "never": ("2003-01", "2003-12")}
    as_of = share.index[-1]  # 2001-12
    t = C.episode_table(share, firms, r, eps, "Lo 30", "Hi 10", as_of, [pd.Period("2000-04", "M")], peak_half_window=3)
    second = "second (ongoing at as_of; named window to 2002-06)"  # its named end lies after as_of
    assert list(t.index) == ["first", second, "peak 2000-04"]  # 'never' had not begun
    assert t.loc["first", "status"] == "complete" and t.loc["first", "peak_month"] == "2000-04"
    assert t.loc["first", "top_decile_firms"] == 3
    assert t.loc[second, "status"] == "ongoing" and t.loc[second, "window"] == "2001-06..2001-12"
    assert t.loc[second, "peak_month"] == "2001-09" and t.loc[second, "peak_share"] == 0.8
    # no returns after an ongoing episode's highest month, although 3 months after it are known
    assert t.loc[second, ["next_3y_small_minus_large", "next_5y_small_minus_large"]].isna().all()
    # the hindsight peak's window is the +-3 months it is the highest of, cut at the data start
    assert t.loc["peak 2000-04", "status"] == "hindsight peak" and t.loc["peak 2000-04", "window"] == "2000-01..2000-07"
    # forward returns need 36 months after the peak: not complete by 2001-12
    assert np.isnan(t.loc["first", "next_3y_small_minus_large"])


def test_hindsight_peaks_exclude_named_windows_and_unconfirmed_months():
    share = months("2000-01", hills(40, {5: 0.9, 20: 0.8, 37: 0.95}))
    eps = {"named": ("2000-04", "2000-08")}  # holds month 5
    assert C.hindsight_peaks(share, eps, share.index[-1], 5) == [pd.Period("2001-09", "M")]  # month 20; 37 unconfirmed


def test_high_episodes_counts_used_and_pending_months():
    idx = pd.period_range("2000-01", periods=200, freq="M")
    share = pd.Series(np.linspace(0.5, 0.8, 200), index=idx)  # rising: every classed month is high
    r = pd.DataFrame({"Lo 30": 0.01, "Hi 10": 0.0}, index=idx)
    out = C.high_episodes(share, r, "Lo 30", "Hi 10", 1, 80, idx[160])
    # high from month 119 (120 months of history); 12-month windows complete by month 160 for months <= 148
    assert out["months"] == 148 - 119 + 1 and len(out["episodes"]) == 1
    assert out["episodes"][0] == (idx[119], idx[148])
    assert out["pending"] == 160 - 149 + 1 and out["last_high"] == idx[160]


def test_universe_changes_inside_the_window():
    def w(a, b):
        return Window(start=pd.Period(a, "M"), as_of=pd.Period(b, "M").to_timestamp(how="end"),
                      as_of_month=pd.Period(b, "M"), requested=b, data_end=pd.Period(b, "M"))
    assert C.universe_changes(w("1926-07", "1950-12")) == []
    assert len(C.universe_changes(w("1926-07", "1970-12"))) == 1 and "AMEX" in C.universe_changes(w("1926-07", "1970-12"))[0]
    assert len(C.universe_changes(w("1926-07", "2000-12"))) == 2
    assert C.universe_changes(w("1980-01", "2000-12")) == []


def test_summary_uses_only_the_window():
    # ten deciles, 1 firm of size 1 each, except Hi 10: 2 firms of size s, so the share is 2s / (9 + 2s).
    # Row i holds caps at the end of month i-1, so row i gives the share of month idx[i-1].
    n = 140
    idx = pd.period_range("1990-01", periods=n, freq="M")
    s = np.full(n, 4.5)  # share 9 / 18 = 0.5
    s[51] = 13.5         # share 27 / 36 = 0.75 in month idx[50]: the record inside the window
    s[130:] = 45.0       # rows after the as_of month (not published by then): must not count
    s[1] = 45.0          # month idx[0], before start: must not count
    size = pd.DataFrame(1.0, index=idx, columns=C.DECILES)
    size["Hi 10"] = s
    firms = pd.DataFrame(1.0, index=idx, columns=C.DECILES)
    firms["Hi 10"] = 2.0
    firms.loc[idx[2], "Hi 10"] = 3.0    # month idx[1]: the most firms in the window (share then 3*4.5/(9+13.5) = 0.6)
    firms.loc[idx[135], "Hi 10"] = 9.0  # after as_of: ignored
    r = pd.DataFrame(0.0, index=idx, columns=["Lo 30", "Hi 10"])
    window = Window(start=idx[1], as_of=idx[129].to_timestamp(how="end"), as_of_month=idx[129],
                    requested="test", data_end=idx[-1])
    head = C.summary(firms, size, r, window, 80.0, headline=pd.Series(0.0, index=idx))
    # the last row published is idx[129], so the last share month is idx[128]
    assert head["share_month"] == str(idx[128]) and head["top_decile_share"] == pytest.approx(0.5)
    assert head["peak_share"] == pytest.approx(0.75) and head["peak_month"] == str(idx[50])
    # 128 share months idx[1]..idx[128]: 126 at 0.5, one at 0.6, one at 0.75 -> 126 / 128 at or below 0.5
    assert head["top_decile_share_percentile"] == pytest.approx(126 / 128 * 100)
    assert head["top_decile_firms"] == 2 and head["top_decile_firms_min"] == 2 and head["top_decile_firms_max"] == 3
    # idx[128] (0.5) is at the 98.4th percentile of its 128-month history: a high month; flags start at
    # idx[120] (120 months of history) and 5-year windows are complete only for months to idx[69]
    assert head["as_of_high"] is True and head["fwd5y_high_months"] == 0 and np.isnan(head["fwd5y_small_minus_large_after_high"])
    assert head["fwd5y_high_months_pending"] == 9  # idx[120]..idx[128], each at or above 98% of its own history
    # highest of the last 60 share months (idx[69]..idx[128]): all 0.5, the first of them; month idx[50]
    # (0.75) is within 60 months before it, so it cannot become a peak
    assert head["recent_high_month"] == str(idx[69]) and head["recent_high_candidate"] is False


def test_headline_after_high_hand_computed():
    idx, share = spiky_share()
    d = pd.Series(np.where(np.arange(200) < 150, 0.01, 0.02), index=idx)
    out = C.headline_after_high(share, d, 80, idx[-1], months=12)
    # high months with a complete 12-month window: 130, 131, 132 (0.12 a year each) and 160, 161 (0.24)
    assert out["months"] == 5 and out["mean"] == pytest.approx((3 * 0.12 + 2 * 0.24) / 5)
    assert out["episodes"] == [(idx[130], idx[132]), (idx[160], idx[161])]
    assert out["pending"] == 1 and out["last_high"] == idx[195]  # month 195: window not complete
    # a spread starting after every high month: nothing used, nothing pending
    late = C.headline_after_high(share, d[d.index >= idx[196]], 80, idx[-1], months=12)
    assert late["months"] == 0 and np.isnan(late["mean"]) and late["pending"] == 0


def test_conditional_forward_spread_hand_computed():
    idx, share = spiky_share()
    d = pd.Series(np.where(np.arange(200) < 150, 0.01, 0.02), index=idx)
    out = C.conditional_forward_spread(share, {"S": d}, [1], 80, idx[-1], min_episodes_for_t=5).loc[(1, "S")]
    assert out["n_high_months"] == 5 and out["mean_after_high"] == pytest.approx((3 * 0.12 + 2 * 0.24) / 5)
    assert out["high_episodes"] == 2 and out["t_withheld"] and np.isnan(out["difference_t_nw"])


def test_cumulative_after_hand_computed():
    idx = pd.period_range("2000-01", periods=6, freq="M")
    d = pd.Series([0.5, 0.01, 0.02, -0.03, 0.04, 0.05], index=idx)
    out = C.cumulative_after(d, {"a": idx[0], "early": pd.Period("1999-01", "M")}, 3, idx[4])
    assert out["a"].tolist() == pytest.approx([0.0, 0.01, 0.03, 0.0])
    assert out["early"].isna().all()  # no spread month right after the start
    cut = C.cumulative_after(d, {"b": idx[2]}, 3, idx[4])  # months after idx[4] are not used
    assert cut["b"].iloc[:3].tolist() == pytest.approx([0.0, -0.03, 0.01]) and np.isnan(cut["b"].iloc[3])


# ------------------------------------------------------------------ issue 13: robust inference, market state

def window_of(start, last):
    return Window(start=pd.Period(start, "M"), as_of=pd.Period(last, "M").to_timestamp(how="end"),
                  as_of_month=pd.Period(last, "M"), requested=str(last), data_end=pd.Period(last, "M"))


def test_drawdown_hand_computed():
    r = pd.Series([0.1, -0.2, 0.1, 0.5, -0.1], index=pd.period_range("2000-01", periods=5, freq="M"))
    out = C.drawdown(r)
    # levels 1.1, 0.88, 0.968, 1.452, 1.3068; peaks 1.1, 1.1, 1.1, 1.452, 1.452
    assert out["index"].tolist() == pytest.approx([1.1, 0.88, 0.968, 1.452, 1.3068])
    assert out["drawdown"].tolist() == pytest.approx([0.0, -0.2, -0.12, 0.0, -0.1])
    assert [str(p) for p in out["prior_peak"]] == ["2000-01", "2000-01", "2000-01", "2000-04", "2000-04"]
    # a fall in the first month: the starting level (the month before) is the prior peak
    first = C.drawdown(pd.Series([-0.1, 0.05], index=pd.period_range("2000-01", periods=2, freq="M")))
    assert first["drawdown"].tolist() == pytest.approx([-0.1, 0.9 * 1.05 - 1])
    assert str(first["prior_peak"].iloc[1]) == "1999-12"


def test_market_state_thresholds():
    assert C.market_state(0.0) == "near a market top"
    assert C.market_state(-0.05) == "near a market top"
    assert C.market_state(-0.10) == "in between"  # not above -10%
    assert C.market_state(-0.15) == "in between"
    assert C.market_state(-0.20) == "crash trough"  # at or below -20%
    assert C.market_state(-0.45) == "crash trough"
    assert C.market_state(np.nan) == "unknown"


def test_market_return_weights_deciles_by_cap():
    firms = frame([[1] * 10, [1] * 10], C.DECILES)
    size = frame([[1] * 10, [1] * 9 + [11]], C.DECILES)
    rets = frame([[0.0] * 9 + [0.1], [0.02] * 9 + [-0.02]], C.DECILES)
    m = C.market_return(firms, size, rets)
    # month 1: equal caps, weights 0.1 -> 0.01; month 2: caps 9 x 1 and 11 -> 0.45 x 0.02 - 0.55 x 0.02
    assert m.tolist() == pytest.approx([0.01, -0.002])


def test_forward_annualised_hand_computed():
    d = pd.Series([0.01, 0.02, 0.03, 0.04], index=pd.period_range("2000-01", periods=4, freq="M"))
    out = C.forward_annualised(d, 2)
    assert out.iloc[:2].tolist() == pytest.approx([(0.02 + 0.03) * 6, (0.03 + 0.04) * 6])
    assert out.iloc[2:].isna().all()  # windows past the last month are not complete


def test_high_concentration_episodes_classify_and_measure():
    idx = pd.period_range("2000-01", periods=30, freq="M")
    share = pd.Series(0.5, index=idx)
    share.iloc[[5, 6, 7, 20, 21]] = [0.6, 0.7, 0.65, 0.6, 0.8]
    flags = pd.Series(0.0, index=idx)
    flags.iloc[[5, 6, 7, 20, 21]] = 1.0  # two runs 13 months apart: two episodes
    market = pd.Series(0.0, index=idx)
    market.iloc[[0, 1, 2]] = 0.1   # peak at month 2 (1.331)
    market.iloc[3] = -0.5          # drawdown -50% until month 10
    market.iloc[10] = 1.0          # back to 1.331: a (tied) new peak at month 10
    market.iloc[11] = -0.05        # then -5%
    outcome = pd.Series(np.nan, index=idx)
    outcome.iloc[[2, 5, 6, 7]] = [0.1, 0.2, 0.3, 0.4]  # the later episode has no complete window
    out = C.high_concentration_episodes(share, flags, market, {"S": outcome}, idx[29])
    assert len(out) == 2
    a, b = out.iloc[0], out.iloc[1]
    assert (a["first"], a["last"], a["status"], a["flagged_months"]) == ("2000-06", "2000-08", "complete", 3)
    assert a["share_peak_month"] == "2000-07" and a["share_peak"] == pytest.approx(0.7)
    assert a["market_drawdown_at_peak"] == pytest.approx(-0.5) and a["market_top_month"] == "2000-03"
    assert a["market_drawdown_at_first"] == pytest.approx(-0.5)
    assert a["market_state"] == "crash trough"
    assert a["S | mean over flagged months"] == pytest.approx(0.3) and a["S | months with outcome"] == 3
    assert a["S | from share peak"] == pytest.approx(0.3) and a["S | from market top"] == pytest.approx(0.1)
    # second episode: months 20-21, peak 21; last flagged month 8 months before as_of -> still open
    assert (b["first"], b["last"], b["status"], b["share_peak_month"]) == ("2001-09", "2001-10", "open", "2001-10")
    assert b["market_drawdown_at_peak"] == pytest.approx(-0.05) and b["market_state"] == "near a market top"
    assert b["market_top_month"] == "2000-11"
    assert np.isnan(b["S | mean over flagged months"]) and b["S | months with outcome"] == 0
    assert np.isnan(b["S | from share peak"]) and np.isnan(b["S | from market top"])
    # at an earlier as_of only what had happened by then: one open episode, cut there
    early = C.high_concentration_episodes(share, flags, market, {"S": outcome}, idx[6])
    assert len(early) == 1 and early.iloc[0]["last"] == "2000-07" and early.iloc[0]["status"] == "open"
    # the market top is 4 months before the first share peak: with a 3-month limit its outcome is not shown
    assert a["top_months_before_peak"] == 4
    strict = C.high_concentration_episodes(share, flags, market, {"S": outcome}, idx[29], max_top_lag=3)
    assert np.isnan(strict.iloc[0]["S | from market top"]) and strict.iloc[0]["S | from share peak"] == pytest.approx(0.3)
    shown = C.outcome_display(strict, max_top_lag=3)
    assert shown["S | from market top"].iloc[0] == "n/a (top 0.3 years earlier)"
    assert shown["S | from share peak"].tolist() == ["+30.0%", "not yet / no data"]
    assert shown["S | months with outcome"].tolist() == ["3", "0"]


def test_high_concentration_episodes_none():
    idx = pd.period_range("2000-01", periods=5, freq="M")
    out = C.high_concentration_episodes(pd.Series(0.5, index=idx), pd.Series(0.0, index=idx), pd.Series(0.0, index=idx),
                                        {}, idx[-1])
    assert out.empty and "market_state" in out.columns


def spiky_share(n=200, spikes=(130, 131, 132, 160, 161, 195)):
    idx = pd.period_range("1980-01", periods=n, freq="M")
    share = pd.Series(np.linspace(0.8, 0.4, n), index=idx)  # falling: every ordinary month is its own low
    share.iloc[list(spikes)] = 0.95
    return idx, share


def test_episode_evidence_counts_episodes_with_complete_windows():
    idx, share = spiky_share()
    d = pd.Series(np.where(np.arange(200) < 150, 0.01, 0.02), index=idx)
    ev = C.episode_evidence(share, d, window_of(idx[0], idx[-1]), 80, h=12)
    # episodes 130-132 (windows 131..144: 12 x 0.01 -> 0.12 a year) and 160-161 (12 x 0.02 -> 0.24);
    # month 195 has no complete 12-month window by the last month, so it is no episode with an outcome
    assert ev.attrs["n_episodes"] == 2 and not ev.attrs["t_allowed"]
    assert ev["months"].tolist() == [3, 2]
    assert ev["mean_outcome"].tolist() == pytest.approx([0.12, 0.24])
    assert ev.attrs["episode_mean"] == pytest.approx(0.18)
    # returns after the window's as_of month are never used
    cut = C.episode_evidence(share, d, window_of(idx[0], idx[150]), 80, h=12)
    assert cut.attrs["n_episodes"] == 1 and cut["mean_outcome"].iloc[0] == pytest.approx(0.12)


def test_conditional_forward_withholds_t_with_few_episodes():
    idx, share = spiky_share()
    r = pd.DataFrame({"Lo 30": np.linspace(0.0, 0.02, 200), "Hi 10": 0.0}, index=idx)
    shown = C.conditional_forward(share, r, "Lo 30", "Hi 10", [1], 80, idx[-1])
    held = C.conditional_forward(share, r, "Lo 30", "Hi 10", [1], 80, idx[-1], min_episodes_for_t=5)
    assert shown["high_episodes"].iloc[0] == 2 and not shown["t_withheld"].iloc[0]
    assert np.isfinite(shown["difference_t_nw"].iloc[0])
    assert held["t_withheld"].iloc[0] and np.isnan(held["difference_t_nw"].iloc[0])
    assert held["difference"].iloc[0] == shown["difference"].iloc[0]  # the means stay, described


def test_share_regression_is_the_inference_regression_on_the_window():
    from rotation import inference

    rng = np.random.default_rng(1)
    idx = pd.period_range("1960-01", periods=400, freq="M")
    share = pd.Series(0.6 + np.cumsum(rng.normal(0, 0.005, 400)), index=idx)
    d = pd.Series(rng.normal(0, 0.03, 400), index=idx)
    w = window_of(idx[20], idx[379])
    out = C.share_regression(d, share, w, h=60, draws=49, seed=3)
    want = inference.predictive_regression(d[20:380], share[20:380], 60, draws=49, seed=3)
    assert out["slope"] == want.estimate and out["t_hodrick"] == want.t_hodrick and out["p_bootstrap"] == want.p_bootstrap
    assert out["n_obs"] == 360 - 60 and (out["first"], out["last"]) == (str(idx[20]), str(idx[20 + 299]))
    short = C.share_regression(d, share, window_of(idx[0], idx[150]), h=60, draws=19)  # 151 - 60 < 5 x 60 windows
    assert np.isnan(short["slope"]) and short["n_obs"] == 0


def test_grid_starts_follow_the_window():
    assert [str(p) for p in C.grid_starts(window_of("1926-07", "2026-02"))] == ["1926-07", "1963-07", "1990-01"]
    assert [str(p) for p in C.grid_starts(window_of("1970-01", "2026-02"))] == ["1970-01", "1990-01"]
    assert [str(p) for p in C.grid_starts(window_of("1926-07", "1985-12"))] == ["1926-07", "1963-07"]


def test_specification_grid_runs_a_late_starting_spread_once_per_start():
    rng = np.random.default_rng(2)
    idx = pd.period_range("1955-01", "1994-12", freq="M")
    share = pd.Series(0.6 + np.cumsum(rng.normal(0, 0.005, len(idx))), index=idx)
    a = pd.Series(rng.normal(0, 0.03, len(idx)), index=idx)
    b = a[a.index >= pd.Period("1963-07", "M")]  # like SMB: starts 1963-07
    grid = C.specification_grid({("A", "VW"): a, ("B", "VW"): b}, share, window_of("1955-01", "1994-12"),
                                horizons=(36, 60), draws=19, seed=0)
    # A: starts 1955-01 and 1963-07 (1990-01 leaves too few windows) x 2 horizons; B: 1963-07 once x 2 horizons
    assert len(grid) == 6
    assert not grid.duplicated(["spread", "weighting", "sample_start", "horizon_months"]).any()
    assert sorted(grid.loc[grid["spread"] == "B", "sample_start"]) == ["1963-07", "1963-07"]
    assert set(grid["claim"]) == {"concentration"}


def test_compact_grid_one_cell_per_specification():
    grid = pd.DataFrame([
        {"spread": "A", "weighting": "VW", "sample_start": "1926-07", "horizon_months": 36, "estimate": 0.5,
         "p_bootstrap": 0.01, "stance": "supports"},
        {"spread": "A", "weighting": "VW", "sample_start": "1963-07", "horizon_months": 60, "estimate": -0.25,
         "p_bootstrap": 0.3, "stance": "inconclusive"},
        {"spread": "B", "weighting": "EW", "sample_start": "1926-07", "horizon_months": 36, "estimate": -1.0,
         "p_bootstrap": 0.02, "stance": "contradicts"}])
    out = C.compact_grid(grid)
    assert out.loc[("A", "VW"), ("1926-07", 36)] == "+0.50 (p 0.01) +"
    assert out.loc[("A", "VW"), ("1963-07", 60)] == "-0.25 (p 0.30) ?"
    assert out.loc[("B", "EW"), ("1926-07", 36)] == "-1.00 (p 0.02) -"
    assert out.loc[("B", "EW"), ("1963-07", 60)] == ""


def test_skipped_specs_fewer_than_five_nonoverlapping_windows():
    idx = pd.period_range("1980-01", periods=240, freq="M")  # 1980-01..1999-12
    share = pd.Series(0.5, index=idx)
    d = pd.Series(0.0, index=idx)
    w = window_of("1980-01", "1999-12")
    out = C.skipped_specs({("A", "VW"): d}, share, w, horizons=(36, 60))
    # start 1980-01: 240 months -> 204 windows of 36 (>= 180 run), 180 of 60 (< 300 skipped);
    # start 1990-01: 120 months -> 84 of 36 (< 180) and 60 of 60 (< 300): both skipped
    got = [(r.sample_start, r.horizon_months, r.complete_windows, r.needed) for r in out.itertuples()]
    assert got == [("1980-01", 60, 180, 300), ("1990-01", 36, 84, 180), ("1990-01", 60, 60, 300)]
    assert C.skipped_text(out) == ("start 1980-01, 60 months: 1 spread(s) (180 complete windows, 300 needed); "
                                   "start 1990-01, 36 months: 1 spread(s) (84 complete windows, 180 needed); "
                                   "start 1990-01, 60 months: 1 spread(s) (60 complete windows, 300 needed)")
    assert C.skipped_text(out.iloc[:0]) == "none"


def test_episode_table_with_a_one_period_outcome():
    idx = pd.period_range("2000-01", periods=48, freq="M")
    share = pd.Series(0.5, index=idx)
    share.iloc[5] = 0.9
    r = pd.DataFrame(0.0, index=idx, columns=["Lo 30", "Hi 10"])
    d = pd.Series(0.01, index=idx)
    t = C.episode_table(share, pd.Series(7.0, index=idx), r, {"E": ("2000-03", "2000-08")}, "Lo 30", "Hi 10", idx[-1],
                        outcome=d)
    # peak 2000-06; next 36 months of 0.01 -> 0.12 a year; 5 and 10 years not complete by 2003-12
    assert t.loc["E", "peak_month"] == "2000-06" and t.loc["E", "next_3y_small_minus_large"] == pytest.approx(0.12)
    assert np.isnan(t.loc["E", "next_5y_small_minus_large"]) and t.loc["E", "top_decile_firms"] == 7
