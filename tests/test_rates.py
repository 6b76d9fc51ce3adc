import numpy as np
import pandas as pd
import pytest

from rotation import rates
from rotation.params import Window


def mseries(values, start):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def step_path(first: str, last: str, level: float, steps: dict) -> pd.Series:
    """A daily rate from `first` to `last` starting at `level`, moved to each value of `steps`
    (date -> new level, percent) from that date on."""
    days = pd.date_range(first, last, freq="D")
    path = pd.Series(level, index=days)
    for when, new in steps.items():
        path[days >= when] = new
    return path


def test_cut_signals_and_first_cuts_on_hand_made_path():
    # monthly-average effective rate, 2000-01 .. 2002-12 (before the target-range era)
    eff = mseries([6.0] * 6 + [5.9, 5.7, 5.5, 5.5, 5.5, 5.5] + [5.5] * 6 + [5.6, 5.4, 5.2] + [5.2] * 15, "2000-01")
    # target upper bound, daily, from 2008-12 on: cut 2019-08, again 2020-03 (same cycle), then 2024-09
    upper = step_path("2018-01-01", "2025-06-30", 2.5, {"2019-08-01": 2.25, "2020-03-04": 1.25, "2020-03-16": 0.25,
                                                         "2022-03-17": 5.5, "2024-09-19": 5.0})
    signals = rates.cut_signals(eff, upper)
    # 2000-08: 5.7 vs 6.0 three months earlier (-0.3) is the first signal; 2000-07 is only -0.1
    assert not signals[pd.Period("2000-07", "M")] and signals[pd.Period("2000-08", "M")]
    cuts = rates.first_cuts(signals)
    # 2000-10 (5.5 vs 5.9 in 2000-07: -0.4) is still a signal; 2000-11 (-0.2) is not.
    # 2001-09 (5.2 vs 5.5 in 2001-06: -0.3) is a signal but comes 11 months after 2000-10: same cycle.
    assert signals[pd.Period("2000-10", "M")] and not signals[pd.Period("2000-11", "M")]
    assert signals[pd.Period("2001-09", "M")]
    assert pd.Period("2001-09", "M") not in cuts
    assert cuts == [pd.Period("2000-08", "M"), pd.Period("2019-08", "M"), pd.Period("2024-09", "M")]


def test_monthly_changes_by_date():
    lv = mseries([1.0, 1.5, 1.25], "2020-01").drop(pd.Period("2020-02", "M"))
    ch = rates.monthly_changes({"x": lv})
    assert np.isnan(ch.loc["2020-03", "x"])  # no February: no change, not a 2-month change


def test_rate_betas_hand_computed():
    x = mseries([0.1, -0.2, 0.3, 0.0, -0.1, 0.2, -0.3, 0.1, 0.05, -0.05], "2020-01")
    y = 2.0 * x + 0.5
    out = rates.rate_betas(y, x.to_frame("DGS2"), lags=2, min_months=5)
    assert out.loc[("DGS2", "none"), "beta"] == pytest.approx(2.0)
    ctrl = mseries([1, 2, 3, 1, 2, 3, 1, 2, 3, 4], "2020-01")
    out2 = rates.rate_betas(y + 0.7 * ctrl, x.to_frame("DGS2"), lags=2, control=ctrl, min_months=5)
    assert out2.loc[("DGS2", "Mkt-RF"), "beta"] == pytest.approx(2.0)


def test_recession_within():
    usrec = mseries([0, 0, 0, 1, 1, 0, 0], "2020-01")  # known through 2020-07; recession 2020-04..05
    jan = pd.Period("2020-01", "M")
    assert rates.recession_within(usrec, jan, 3) is True  # 2020-04 is inside Jan..Apr
    assert rates.recession_within(usrec, jan, 2) is False  # Jan..Mar all 0, covered
    # False only once USREC covers the settle months after the window: Mar + 4 = Jul is covered, Mar + 5 is not
    assert rates.recession_within(usrec, jan, 2, settle_months=4) is False
    assert rates.recession_within(usrec, jan, 2, settle_months=5) is None
    # a recession on record inside a window that runs past the data is still known
    assert rates.recession_within(usrec, pd.Period("2020-05", "M"), 3) is True
    assert rates.recession_within(usrec, pd.Period("2020-06", "M"), 3) is None  # Jun, Jul 0; Aug, Sep unknown


def test_recession_within_uses_only_what_usrec_holds():
    # USREC as known at a date before the recession was announced: zeros up to the cutoff month
    known_then = mseries([0] * 10, "2007-09")  # 2007-09..2008-06
    assert rates.recession_within(known_then, pd.Period("2007-09", "M"), 12, rates.NBER_PEAK_LAG_MONTHS) is None
    known_later = mseries([0] * 4 + [1] * 18 + [0] * 24, "2007-09")  # recession 2008-01..2009-06 announced
    assert rates.recession_within(known_later, pd.Period("2007-09", "M"), 12, rates.NBER_PEAK_LAG_MONTHS) is True


def test_cut_signals_first_target_range_month_uses_effective_rule():
    # 2008-12: the range replaced the single target, so there is no previous month-end upper bound;
    # FEDFUNDS fell from 1.81 (2008-09) to 0.16 (2008-12): a signal. 2009-01: upper unchanged, no signal.
    eff = mseries([2.0, 2.0, 2.0, 1.81, 0.97, 0.39, 0.16, 0.15], "2008-06")
    upper = pd.Series(0.25, index=pd.date_range("2008-12-16", "2009-01-31", freq="D"))
    signals = rates.cut_signals(eff, upper)
    assert signals[pd.Period("2008-12", "M")] and not signals[pd.Period("2009-01", "M")]
    # 2008-10: 0.97 vs 2.0 in 2008-07 is a signal under the effective rule
    assert signals[pd.Period("2008-10", "M")]


def window(start, as_of, as_of_month):
    return Window(start=pd.Period(start, "M"), as_of=pd.Timestamp(as_of), as_of_month=pd.Period(as_of_month, "M"),
                  requested=as_of, data_end=pd.Period(as_of_month, "M"))


def target_path():
    """Upper bound, daily 2018-01-01..2026-03-31: cuts take effect 2019-08-01 and 2019-10-31,
    hike 2022-03-17, cuts 2024-09-19 and 2024-12-19."""
    return step_path("2018-01-01", "2026-03-31", 2.50, {"2019-08-01": 2.25, "2019-10-31": 1.75, "2022-03-17": 5.50,
                                                         "2024-09-19": 5.00, "2024-12-19": 4.50})


def test_latest_cycle_in_the_target_range_era():
    upper = target_path()
    eff = mseries([2.4] * 12, "2017-01")  # no effective-rate signal
    w = window("2015-01", "2025-06-30", "2025-04")
    signals = rates.cut_signals(eff, upper[upper.index <= w.as_of])
    assert rates.cycle_starts(signals, w) == [pd.Period("2019-08", "M"), pd.Period("2024-09", "M")]
    c = rates.latest_cycle(signals, w, upper)
    assert c["first_cut"] == pd.Period("2024-09", "M")
    assert c["first_cut_date"] == pd.Timestamp("2024-09-19") and c["date_source"] == "DFEDTARU"
    assert c["returns_from"] == pd.Timestamp("2024-09-18")  # the decision day, the day before
    assert c["last_cut"] == pd.Period("2024-12", "M")
    # 2025-06 - 2024-09 = 9 months; 2025-06 - 2024-12 = 6; monthly data to 2025-04: 7 months after 2024-09
    assert (c["months_since_first_cut"], c["months_since_last_cut"], c["monthly_months_after"]) == (9, 6, 7)
    assert c["under_way"] is True


def test_latest_cycle_over_when_no_cut_for_more_than_12_months():
    upper = target_path()
    eff = mseries([2.4] * 12, "2017-01")
    w = window("2015-01", "2026-01-15", "2025-12")
    c = rates.latest_cycle(rates.cut_signals(eff, upper[upper.index <= w.as_of]), w, upper)
    # last cut 2024-12; 2026-01 is 13 months later: a cut now would start a new cycle
    assert c["first_cut"] == pd.Period("2024-09", "M") and c["months_since_last_cut"] == 13
    assert c["under_way"] is False and c["monthly_months_after"] == 15


def test_latest_cycle_sees_only_data_up_to_as_of_and_start():
    upper = target_path()
    eff = mseries([2.4] * 12, "2017-01")
    # on 2024-09-10 the 2024 cut had not happened: the latest cycle is 2019's, last cut 2019-10
    w = window("2015-01", "2024-09-10", "2024-07")
    c = rates.latest_cycle(rates.cut_signals(eff, upper[upper.index <= w.as_of]), w, upper)
    # the range cut took effect 2019-08-01, decided 2019-07-31: the first-cut month is July, the signal month August
    assert c["first_cut"] == pd.Period("2019-07", "M") and c["signal_month"] == pd.Period("2019-08", "M")
    assert c["first_cut_date"] == pd.Timestamp("2019-08-01") and c["months_since_first_cut"] == 2024 * 12 + 9 - (2019 * 12 + 7)
    assert c["last_cut"] == pd.Period("2019-10", "M") and c["months_since_last_cut"] == 59 and not c["under_way"]
    # no cycle began between 2020-01 and 2024-09-10
    w2 = window("2020-01", "2024-09-10", "2024-07")
    none = rates.latest_cycle(rates.cut_signals(eff, upper[upper.index <= w2.as_of]), w2, upper)
    assert none["first_cut"] is None and none["under_way"] is False


def test_first_cut_date_before_the_target_range():
    # September 2007: prime rate 8.25 -> 7.75 on 2007-09-18, 7.50 on 2007-10-31
    days = pd.bdate_range("2007-06-01", "2007-12-31")
    prime = pd.Series(8.25, index=days)
    prime[days >= "2007-09-18"] = 7.75
    prime[days >= "2007-10-31"] = 7.50
    upper = pd.Series(dtype=float, index=pd.DatetimeIndex([]))
    assert rates.first_cut_date(pd.Period("2007-09", "M"), upper, prime) == (pd.Timestamp("2007-09-18"), "DPRIME")
    # the monthly-average rule can be a month late: a 2007-10 signal is dated by the September fall
    assert rates.first_cut_date(pd.Period("2007-10", "M"), upper, prime) == (pd.Timestamp("2007-09-18"), "DPRIME")
    # two months late is too far: the first-cut month's first day
    assert rates.first_cut_date(pd.Period("2007-12", "M"), upper, prime) == (pd.Timestamp("2007-12-01"), "month start")
    assert rates.first_cut_date(pd.Period("2007-09", "M"), upper) == (pd.Timestamp("2007-09-01"), "month start")


def test_cycle_table_hand_made():
    one_period = mseries([0.01] * 12 + [0.5], "2019-08")  # one-period (log) spread 2019-08..2020-08: 1% a month, then 50%
    usrec = mseries([0] * 8 + [1, 1] + [0] * 14, "2019-07")  # 2019-07..2021-06, recession 2020-03..04
    w = window("2015-01", "2021-06-30", "2021-06")
    upper = target_path()
    # signal month 2019-08: the lower range took effect 2019-08-01, decided 2019-07-31, so the event month is 2019-07
    t = rates.cycle_table([pd.Period("2019-08", "M"), pd.Period("2021-01", "M")], one_period, usrec, w, upper)
    assert list(t.index) == ["2019-07", "2021-01"] and t.loc["2019-07", "signal_month"] == "2019-08"
    assert t.loc["2019-07", "first_cut_date"] == "2019-08-01" and t.loc["2019-07", "rule"] == "target upper bound cut"
    assert t.loc["2019-07", "recession_within_12m"] is True
    # 12 months 2019-08..2020-07 of 0.01 each: 0.12 (the 0.5 of 2020-08 is month 13, outside)
    assert t.loc["2019-07", "spread_next_12m"] == pytest.approx(0.12, abs=1e-12)
    # 24 months would need data to 2021-07: incomplete
    assert np.isnan(t.loc["2019-07", "spread_next_24m"])
    # 2021-01: window to 2022-01 is beyond USREC (2021-06): not yet known; no returns: NaN
    assert t.loc["2021-01", "recession_within_12m"] is None and np.isnan(t.loc["2021-01", "spread_next_12m"])


def test_event_outcomes_sum_the_months_after_and_stop_at_as_of_month():
    s = mseries([1, 2, 3, 4, 5, 6, 7, 8], "2020-01")  # 2020-01..2020-08
    w = window("2019-01", "2020-07-31", "2020-06")  # only months up to 2020-06 are published
    out = rates.event_outcomes(s, [pd.Period("2020-01", "M"), pd.Period("2020-03", "M"), pd.Period("2020-04", "M")], (2, 3), w)
    assert out.loc["2020-01", "2m"] == 2 + 3 and out.loc["2020-01", "3m"] == 2 + 3 + 4
    assert out.loc["2020-03", "2m"] == 4 + 5 and out.loc["2020-03", "3m"] == 4 + 5 + 6
    # 2020-04 + 3 months reaches 2020-07, after the as_of month: incomplete even though the data hold it
    assert out.loc["2020-04", "2m"] == 5 + 6 and np.isnan(out.loc["2020-04", "3m"])


def test_event_study_planted_effect_and_window():
    # 0 every month except +1 in the month after each of the three events: only events have outcome 1 at h=1
    s = mseries([0.0] * 120, "2000-01")
    events = [pd.Period("2001-03", "M"), pd.Period("2004-06", "M"), pd.Period("2007-09", "M")]
    for e in events:
        s[e + 1] = 1.0
    w = window("2000-01", "2009-12-31", "2009-12")
    out = rates.event_study(s, events, w, 1, draws=500, seed=1)
    assert out["k"] == 3 and out["observed"] == 1.0 and out["eligible"] == 119  # 2009-12 has no next month
    # randomised means of 3 of 119 months: the chance of drawing all three event months is tiny
    assert out["p_two_sided"] < 0.01 and out["band_high"] < 1.0
    assert list(out["per_event"].index) == ["2001-03", "2004-06", "2007-09"] and (out["per_event"] == 1.0).all()
    # a start after the first event leaves it out; an as_of month before the last event's window leaves that out
    late = rates.event_study(s, events, window("2002-01", "2007-09-30", "2007-09"), 1, draws=100, seed=1)
    assert late["k"] == 1 and list(late["per_event"].index) == ["2004-06"]
    # same seed, same answer
    assert rates.event_study(s, events, w, 1, draws=500, seed=1)["p_two_sided"] == out["p_two_sided"]


def test_decision_month_and_event_months():
    # a range cut effective 2019-08-01 was decided 2019-07-31: July; one effective 2024-09-19: September
    assert rates.decision_month(pd.Timestamp("2019-08-01"), "DFEDTARU") == pd.Period("2019-07", "M")
    assert rates.decision_month(pd.Timestamp("2024-09-19"), "DFEDTARU") == pd.Period("2024-09", "M")
    # the prime rate moves with the decision: its month; without daily data the signal month stays
    assert rates.decision_month(pd.Timestamp("1998-09-30"), "DPRIME") == pd.Period("1998-09", "M")
    assert rates.decision_month(pd.Timestamp("1969-11-01"), "month start") == pd.Period("1969-11", "M")
    # the monthly-average rule signals 1995-08 and 1998-10; the prime rate fell 1995-07-07 and 1998-09-30
    days = pd.bdate_range("1995-01-02", "1998-12-31")
    prime = pd.Series(9.0, index=days)
    prime[days >= "1995-07-07"] = 8.75
    prime[days >= "1998-09-30"] = 8.25
    upper = pd.Series(dtype=float, index=pd.DatetimeIndex([]))
    got = rates.event_months([pd.Period("1995-08", "M"), pd.Period("1998-10", "M"), pd.Period("1997-03", "M")], upper, prime)
    assert got == {pd.Period("1995-08", "M"): pd.Period("1995-07", "M"), pd.Period("1998-10", "M"): pd.Period("1998-09", "M"),
                   pd.Period("1997-03", "M"): pd.Period("1997-03", "M")}  # no prime fall near 1997-03: unchanged
    # range era: the 2019 and 2024 first cuts of the target path
    ev = rates.event_months([pd.Period("2019-08", "M"), pd.Period("2024-09", "M")], target_path())
    assert list(ev.values()) == [pd.Period("2019-07", "M"), pd.Period("2024-09", "M")]


def test_grid_events_and_easing_grid_drop_duplicate_starts():
    # signals 2010-01..2021-12 with a range cut effective 2019-08-01 (signal 2019-08, decided 2019-07)
    upper = target_path()
    signals = pd.Series(False, index=pd.period_range("2017-01", "2021-12", freq="M"))
    signals[pd.Period("2019-08", "M")] = True
    w = window("2018-06", "2021-12-31", "2021-12")
    assert rates.grid_events(signals, w, upper) == [pd.Period("2019-07", "M")]
    # the first available month is 2018-01 (12 months after 2017-01); a spread from 2018-06 turns that start into 2018-06,
    # the same specification as the window start: kept once
    starts = rates.grid_starts(w, signals, extra=())
    assert starts == [pd.Period("2018-01", "M"), pd.Period("2018-06", "M")]
    one = pd.Series(0.0, index=pd.period_range("2018-06", "2021-12", freq="M"))
    one[pd.Period("2019-08", "M")] = 0.1  # the first month after the decision month
    grid = rates.easing_grid({("SMB", "VW"): one}, [pd.Period("2019-07", "M")], starts, w, draws=99)
    assert list(grid["sample_start"]) == ["2018-06", "2018-06"] and list(grid["horizon_months"]) == [12, 24]
    assert grid["estimate"].tolist() == pytest.approx([0.1, 0.1]) and (grid["n_episodes"] == 1).all()


def test_identifiable_first_cuts_and_grid_starts():
    signals = pd.Series(False, index=pd.period_range("1954-10", "1995-12", freq="M"))
    for m in ["1954-11", "1960-06", "1975-01", "1991-01", "1995-07"]:
        signals[pd.Period(m, "M")] = True
    w = window("1990-01", "1995-06-30", "1995-05")
    # 1954-11 is within 12 months of the first signal month (no quiet year seen): not identifiable;
    # 1995-07 is after the month of the as_of date
    assert rates.identifiable_first_cuts(signals, w) == [pd.Period(m, "M") for m in ["1960-06", "1975-01", "1991-01"]]
    # starts: the first available month (1954-10 + 12 = 1955-10), 1963-07, and window.start 1990-01 (= an extra one, deduplicated)
    assert rates.grid_starts(w, signals) == [pd.Period("1955-10", "M"), pd.Period("1963-07", "M"), pd.Period("1990-01", "M")]
    # an extra start before the first datable month is moved to it (and then is the first available month)
    assert rates.grid_starts(w, signals, extra=("1926-07",)) == [pd.Period("1955-10", "M"), pd.Period("1990-01", "M")]
    # a start after the as_of month is dropped
    early = window("1960-01", "1970-06-30", "1970-05")
    assert rates.grid_starts(early, signals) == [pd.Period("1955-10", "M"), pd.Period("1960-01", "M"), pd.Period("1963-07", "M")]


def test_log_event_paths_hand_computed():
    s = mseries([0.1, 0.2, 0.3, 0.4, 0.5], "2020-01")  # 2020-01..2020-05
    p = rates.log_event_paths(s, [pd.Period("2020-02", "M")], 1, 2, pd.Period("2020-04", "M"))
    # baseline -2 = 0; -1 (2020-01) 0.1; 0 (2020-02) 0.3; +1 (2020-03) 0.6; +2 (2020-04) 1.0; 2020-05 is after as_of
    assert list(p.index) == [-2, -1, 0, 1, 2]
    assert p["2020-02"].tolist() == pytest.approx([0.0, 0.1, 0.3, 0.6, 1.0])
    p2 = rates.log_event_paths(s, [pd.Period("2020-03", "M")], 0, 3, pd.Period("2020-04", "M"))
    assert p2["2020-03"].tolist()[:3] == pytest.approx([0.0, 0.3, 0.7]) and p2["2020-03"].iloc[3:].isna().all()


def test_grid_cells_compact_table():
    grid = pd.DataFrame({"spread": ["SMB", "SMB", "Lo 30-Hi 30"], "weighting": ["VW", "VW", "EW"],
                         "sample_start": ["1990-01", "1963-07", "1990-01"], "horizon_months": [12, 12, 24],
                         "estimate": [0.031, -0.002, 0.1], "p_randomization": [0.42, 0.9, 0.04], "n_episodes": [6, 13, 5]})
    t = rates.grid_cells(grid)
    assert list(t.columns) == ["from 1963-07, 12m", "from 1990-01, 12m", "from 1990-01, 24m"]
    assert t.loc[("SMB", "VW"), "from 1990-01, 12m"] == "+3.1% (p 0.420, k 6)"
    assert t.loc[("Lo 30-Hi 30", "EW"), "from 1990-01, 24m"] == "+10.0% (p 0.040, k 5)"
    assert t.loc[("SMB", "VW"), "from 1990-01, 24m"] == ""


def test_summary_uses_only_the_window():
    # inside 2020-01..2020-12 the spread (percent) is exactly 0.5 + 2 x the DGS2 change; outside it is not
    dx = [0.1, -0.2, 0.3, 0.0, -0.1, 0.2, -0.3, 0.1, 0.05, -0.05, 0.15, -0.15]
    months = pd.period_range("2019-01", "2021-06", freq="M")
    level = [2.0] * 12 + list(2.0 + np.cumsum(dx)) + [2.0 + sum(dx) + 0.1 * (k % 2) for k in range(6)]
    dgs2 = pd.Series(level, index=[m.to_timestamp(how="end").normalize() for m in months])
    spread = [1.0, -1.0] * 6 + [0.5 + 2 * d for d in dx] + [3.0, -3.0] * 3
    returns = pd.DataFrame({"Lo 30": np.array(spread) / 100, "Hi 30": 0.0}, index=months)
    upper = pd.Series(1.75, index=pd.date_range("2019-01-01", "2021-06-30", freq="D"))
    eff = mseries([1.7] * 30, "2019-01")
    w = window("2020-01", "2020-12-31", "2020-12")
    head = rates.summary(returns, dgs2, eff, upper, w)
    assert head["size_spread_beta_dgs2"] == pytest.approx(2.0) and head["size_spread_beta_dgs2_months"] == 12
    assert head["easing_cycles"] == 0 and head["cycles_with_12m"] == 0 and np.isnan(head["mean_spread_12m_after_first_cut"])
    assert head["fed_target_upper"] == 1.75 and head["fed_target_upper_date"] == "2020-12-31"
    assert head["current_cycle_first_cut"] is None
    assert np.isnan(head["mean_spread_12m_after_first_cut_p_randomization"]) and head["spread_definition"] == "Lo 30-Hi 30, VW"


def test_summary_event_study_on_the_given_one_period_spread():
    # a cut decided 2019-07-31 (target path, effective 2019-08-01): one-period spread 0.01 a month 2015-01..2021-12
    # except 0.05 in 2019-09 and -0.30 in 2020-08 (the 13th month after July, the 12th after the signal month August)
    months = pd.period_range("2015-01", "2021-12", freq="M")
    one = pd.Series(0.01, index=months, name="SMB, VW")
    one[pd.Period("2019-09", "M")] = 0.05
    one[pd.Period("2020-08", "M")] = -0.30
    # a size spread that moves (a constant one would make the beta regression's R^2 undefined)
    returns = pd.DataFrame({"Lo 30": 0.001 * np.cos(np.arange(len(months))), "Hi 30": 0.0}, index=months)
    dgs2 = pd.Series(2 + np.sin(np.arange(len(months))), index=[m.to_timestamp(how="end").normalize() for m in months])
    eff = mseries([2.4] * len(months), "2015-01")
    w = window("2016-01", "2021-12-31", "2021-12")
    head = rates.summary(returns, dgs2, eff, target_path(), w, one_period=one, draws=200, seed=3)
    # the event is the decision month 2019-07 (not the signal month 2019-08)
    assert head["spread_definition"] == "SMB, VW" and head["first_cuts"] == ["2019-07"]
    # 12 months 2019-08..2020-07: 0.05 + 11 x 0.01 = 0.16 (from the signal month it would be 2019-09..2020-08:
    # 0.05 - 0.30 + 10 x 0.01 = -0.15); 24 months 2019-08..2021-07: 0.05 - 0.30 + 22 x 0.01 = -0.03
    assert head["mean_spread_12m_after_first_cut"] == pytest.approx(0.16) and head["cycles_with_12m"] == 1
    assert head["mean_spread_24m_after_first_cut"] == pytest.approx(-0.03) and head["cycles_with_24m"] == 1
    assert head["per_event_12m"] == {"2019-07": pytest.approx(0.16)} and head["cycles_small_ahead_12m"] == 1
    # eligible 12-month windows: months t = 2016-01..2020-12 (60), window t+1..t+12. t = 2018-09..2019-07 (11): 0.16;
    # t = 2019-08: 0.05 - 0.30 + 0.10 = -0.15; t = 2019-09..2020-07 (11): 0.11 - 0.30 = -0.19; the other 37: 0.12.
    # Mean (1.76 - 0.15 - 2.09 + 4.44) / 60 = 0.066. With k = 1 a draw is at least 0.094 from it when it is 0.16,
    # -0.15 or -0.19: 23 of 60 months, p = 0.38 (a draw at least 0.16: 11 of 60, twice that 0.37; 200 draws' noise ~0.035)
    assert head["eligible_months_12m"] == 60
    assert head["mean_spread_12m_after_first_cut_p_randomization"] == pytest.approx(0.38, abs=0.1)


def test_rate_betas_skips_variables_with_too_few_months():
    x = mseries([0.1, -0.2, 0.3, 0.0, -0.1, 0.2, -0.3, 0.1, 0.05, -0.05], "2020-01")
    changes = pd.DataFrame({"DGS2": x, "HY OAS": x.where(x.index >= pd.Period("2020-07", "M"))})
    out = rates.rate_betas(2.0 * x, changes, lags=2, min_months=5)
    assert list(out.index.get_level_values("variable")) == ["DGS2"]  # HY OAS has 4 months


def test_event_paths_and_spread_after_hand_computed():
    r = pd.DataFrame({"Lo 30": [0.1, 0.0, 0.1, 0.1], "Hi 30": [0.0, 0.0, 0.0, 0.1]},
                     index=pd.period_range("2020-01", periods=4, freq="M"))
    p = rates.event_paths(r, "Lo 30", "Hi 30", [pd.Period("2020-02", "M")], 1, 2, pd.Period("2020-04", "M"))
    # baseline -2: 0; -1 (2020-01): 0.1; 0 (2020-02): 0.1; +1: 1.21-1 = 0.21; +2: 1.331 - 1.1 = 0.231
    assert list(p["2020-02"].round(6)) == [0.0, 0.1, 0.1, 0.21, 0.231]
    after = rates.spread_after(r, "Lo 30", "Hi 30", [pd.Period("2020-01", "M"), pd.Period("2020-03", "M")], 2, pd.Period("2020-04", "M"))
    assert list(after.index) == ["2020-01"] and after.iloc[0] == pytest.approx(0.1)  # 2020-03 incomplete


def test_big_move_days_and_total_return_since():
    d = pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"])
    small = pd.Series([0.01, 0.02, -0.01, 0.0], index=d)
    large = pd.Series([0.0, 0.0, 0.0, 0.0], index=d)
    y = pd.Series([4.0, 4.2, 4.15, 3.9], index=d)
    out = rates.big_move_days(small, large, y, 0.1)
    assert out.loc["yield up big", "days"] == 1 and out.loc["yield up big", "mean_spread"] == pytest.approx(0.02)
    assert out.loc["yield down big", "mean_spread"] == pytest.approx(0.0)
    px = pd.Series([100.0, 110.0, 121.0], index=pd.to_datetime(["2024-09-17", "2024-09-18", "2025-01-02"]))
    py = pd.Series([50.0, 50.0, 55.0], index=px.index)
    tr = rates.total_return_since(px, py, pd.Timestamp("2024-09-18"), pd.Timestamp("2030-01-01"))
    assert tr["from"] == "2024-09-17" and tr["to"] == "2025-01-02"
    assert tr["small"] == pytest.approx(0.21) and tr["difference"] == pytest.approx(0.11)


def test_since_first_cut_hand_made():
    # first cut 2024-09 (in effect 2024-09-19): daily comparison from the last close before 2024-09-18
    cycle = {"first_cut": pd.Period("2024-09", "M"), "returns_from": pd.Timestamp("2024-09-18")}
    d = pd.to_datetime(["2024-09-16", "2024-09-17", "2024-09-18", "2024-10-31", "2024-12-02"])
    small = pd.Series([90.0, 100.0, 105.0, 110.0, 200.0], index=d)
    large = pd.Series([40.0, 50.0, 50.0, 52.0, 99.0], index=d)
    one = pd.Series([0.5, 0.10, -0.05], index=pd.period_range("2024-09", periods=3, freq="M"))  # one-period log spread
    w = window("2020-01", "2024-11-30", "2024-10")
    out = rates.since_first_cut(cycle, one, small, large, w)
    # 2024-09-17 close to the 2024-10-31 close (2024-12-02 is after as_of): 110/100 - 1 = 0.10, 52/50 - 1 = 0.04
    assert out["daily"]["from"] == "2024-09-17" and out["daily"]["to"] == "2024-10-31"
    assert out["daily"]["difference"] == pytest.approx(0.06)
    # monthly: 2024-10 only (as_of_month; 2024-11 is not published), not the first-cut month: 0.10
    assert out["monthly"]["from"] == "2024-10" and out["monthly"]["months"] == 1
    assert out["monthly"]["difference"] == pytest.approx(0.10)
    # two months later both months count: 0.10 - 0.05 = 0.05
    later = rates.since_first_cut(cycle, one, small, large, window("2020-01", "2024-12-31", "2024-11"))
    assert later["monthly"]["to"] == "2024-11" and later["monthly"]["difference"] == pytest.approx(0.05)
    # no month after the first-cut month yet, and no cycle at all
    early = rates.since_first_cut(cycle, one, small, large, window("2020-01", "2024-10-15", "2024-09"))
    assert early["monthly"]["from"] is None and np.isnan(early["monthly"]["difference"])
    none = rates.since_first_cut({"first_cut": None}, one, small, large, w)
    assert none["daily"]["from"] is None and none["monthly"]["from"] is None


def test_big_move_days_without_overlap_is_empty():
    d = pd.to_datetime(["2000-01-03", "2000-01-04"])
    y = pd.Series([6.0, 6.2], index=d)
    none = pd.Series(dtype=float, index=pd.DatetimeIndex([]))
    out = rates.big_move_days(none, none, y, 0.1)
    assert out.empty and out.attrs["first"] is None


def test_policy_rate_path_draws_the_expected_range_only_from_its_date():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from rotation import plotting

    days = pd.date_range("2024-09-01", "2026-03-31", freq="D")
    upper = pd.Series(4.0, index=days)
    ax = plotting.policy_rate_path(upper - 0.25, upper, mseries([4.0] * 19, "2024-09"), "t", "percent", "s",
                                   expected=(3.0, 3.25), expected_label="expected", expected_from="2026-01-02")
    band = [c for c in ax.collections if c.get_label() == "expected"]
    assert len(band) == 1
    xs = band[0].get_paths()[0].vertices[:, 0]
    # from the date the expectation was stated to the last day of the target range, not before
    assert mdates.num2date(xs.min()).date() == pd.Timestamp("2026-01-02").date()
    assert mdates.num2date(xs.max()).date() == pd.Timestamp("2026-03-31").date()
    plt.close(ax.figure)
