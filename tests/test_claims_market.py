"""The market and macro claims added for issue 14 (q4_catch_up_rally, steady_cutting_cycle,
breadth_expanding, tech_profit_taking, refinancing_above_2021): their pure helpers and checks
on hand-made frames whose answers are worked out by hand, the verdict rules' symmetry, and a
run on the real data at `latest`, 2025-12-31 and 2025-06-30."""
import re

import numpy as np
import pandas as pd
import pytest

from rotation import claims, data, params
from rotation.claims import macro, prices
from rotation.concentration import DECILES
from rotation.data import availability

RECORDS = {r["id"]: r for r in data.claims_catalog()["claims"]}
NEW = ["q4_catch_up_rally", "steady_cutting_cycle", "breadth_expanding", "tech_profit_taking", "refinancing_above_2021"]
W = params.Window(start=pd.Period("1926-07", "M"), as_of=pd.Timestamp("2026-06-30"), as_of_month=pd.Period("2026-02", "M"),
                  requested="2026-06-30", data_end=pd.Period("2026-02", "M"))
CTX = {"as_of": W.as_of, "as_of_month": W.as_of_month, "start": W.start, "window": W}
NAN = re.compile(r"\bnan\b", re.IGNORECASE)


def steps(levels: dict, start="2025-06-02", end="2026-01-30", freq="B") -> pd.Series:
    """A daily series that holds each value from its date on: {first date: value, ...}."""
    idx = pd.date_range(start, end, freq=freq)
    s = pd.Series(np.nan, index=idx)
    for when, v in levels.items():
        s[s.index >= pd.Timestamp(when)] = v
    return s


def quarter(q4_end: float, **kw) -> pd.Series:
    """100 from 2025-06-02 to 2025-09-30 (a flat Q3), `q4_end` from 2025-10-01 on."""
    return steps({"2025-06-02": 100.0, "2025-10-01": q4_end}, **kw)


# ------------------------------------------------------------------ the records

def test_records_complete():
    for cid in NEW:
        rec = RECORDS[cid]
        assert rec["check"] in claims.CHECKS and rec["rule"] and rec["observable_because"] and rec["tolerance"]
    assert RECORDS["q4_catch_up_rally"]["tolerance"]["min_lead"] == 0.02
    assert RECORDS["steady_cutting_cycle"]["tolerance"]["min_cuts"] == 3
    assert RECORDS["steady_cutting_cycle"]["tolerance"]["max_gap_months"] == 4
    assert RECORDS["refinancing_above_2021"]["tolerance"]["min_above_pp"] == 0.5


def test_breadth_observable_when_end_december_share_is_published():
    """The end-2025-12 share is Fama-French row 2026-01 (caps at the end of the previous month):
    observable_from is that row's release date under the ff_portfolios_me rule."""
    rec = RECORDS["breadth_expanding"]
    row = pd.PeriodIndex([pd.Period(rec["tolerance"]["share_to"], "M") + 1], freq="M")
    released = availability.release_dates(row, data.dataset("ff_portfolios_me").publication)[0]
    assert pd.Timestamp(rec["observable_from"]) == released
    assert released == pd.Timestamp("2026-01-31") + pd.Timedelta(days=45)


# ------------------------------------------------------------------ the verdict rules: each outcome reachable

def test_rules_can_come_out_every_way():
    assert prices.catch_up_verdict(0.10, 0.08, 0.08, 0.02) == "supported"  # lead of exactly 2 pp counts
    assert prices.catch_up_verdict(0.0, -0.05, -0.05, 0.02) == "contradicted"  # no rise
    assert prices.catch_up_verdict(0.05, 0.07, 0.01, 0.02) == "contradicted"  # trails SPY by 2 pp
    assert prices.catch_up_verdict(0.05, 0.04, 0.01, 0.02) == "mixed"
    assert prices.breadth_verdict(0.01, -0.001) == "supported"
    assert prices.breadth_verdict(-0.01, 0.001) == "contradicted"
    assert prices.breadth_verdict(0.01, 0.001) == "mixed" and prices.breadth_verdict(0.0, -0.01) == "mixed"
    assert prices.tech_verdict(0.01, 0.02, 0.03) == "supported"
    assert prices.tech_verdict(0.04, 0.02, 0.03) == "contradicted"
    assert prices.tech_verdict(0.01, 0.03, 0.02) == "mixed"
    assert macro.steady_cycle_verdict(3, 0, 4.0, True, 3, 4) == "supported"
    assert macro.steady_cycle_verdict(6, 0, 9.0, True, 3, 4) == "mixed"
    assert macro.steady_cycle_verdict(2, 0, 1.5, True, 3, 4) == "mixed"
    assert macro.steady_cycle_verdict(6, 0, 2.0, False, 3, 4) == "contradicted"
    assert macro.steady_cycle_verdict(6, 1, 2.0, True, 3, 4) == "contradicted"
    assert macro.refinancing_verdict(0.5, -0.1, 0.5) == "supported"
    assert macro.refinancing_verdict(0.0, -0.1, 0.5) == "contradicted"
    assert macro.refinancing_verdict(2.0, 0.1, 0.5) == "mixed" and macro.refinancing_verdict(0.3, -0.1, 0.5) == "mixed"


# ------------------------------------------------------------------ q4_catch_up_rally

def test_window_total_returns_uses_last_close_at_or_before():
    s = pd.Series([100.0, 110.0, 121.0], index=pd.to_datetime(["2025-09-26", "2025-09-29", "2025-10-03"]))
    r = prices.window_total_returns({"x": s}, "2025-09-28", "2025-10-05")  # a Sunday to a Sunday
    assert r.loc["x", "return"] == pytest.approx(0.21)
    assert r.loc["x", "from"] == pd.Timestamp("2025-09-26") and r.loc["x", "to"] == pd.Timestamp("2025-10-03")


def test_calendar_quarter_returns_complete_quarters_by_date():
    ends = {"2024-12-31": 100.0, "2025-03-31": 110.0, "2025-09-30": 99.0, "2025-12-31": 118.8, "2026-02-27": 130.0}
    s = pd.Series(ends)
    s.index = pd.to_datetime(s.index)
    out = prices.calendar_quarter_returns(s, "2026-06-30")
    # 2025Q1 +10%; 2025Q2 has no close, so neither Q2 nor Q3 (no Q2 close to start from) has a return;
    # 2025Q4 +20%; 2026Q1 stopped on 2026-02-27, more than a week before the quarter's end: incomplete
    assert list(out.index.astype(str)) == ["2025Q1", "2025Q4"]
    assert out.to_numpy() == pytest.approx([0.10, 0.20])
    assert list(prices.calendar_quarter_returns(s, "2025-12-30").index.astype(str)) == ["2025Q1"]


def test_q4_catch_up_rally_verdicts():
    rec = RECORDS["q4_catch_up_rally"]
    inp = {"iwm": quarter(q4_end=110.0), "spy": quarter(q4_end=105.0), "qqq": quarter(q4_end=104.0)}
    out = claims.check_q4_catch_up_rally(rec, inp, CTX)
    # IWM +10%, SPY +5%, QQQ +4%: leads 5 and 6 pp; value 10% - 5%
    assert out["verdict"] == "supported" and out["value"] == pytest.approx(0.05)
    # quarters: 2025Q3 (IWM-SPY 0) and 2025Q4 (+5 pp), so Q4 ranks at 100; 2026Q1 is incomplete (data end in January)
    assert "percentile 100 (0-100) of the 2 complete calendar quarters 2025Q3-2025Q4" in out["evidence"]
    down = dict(inp, iwm=quarter(q4_end=99.0))
    assert claims.check_q4_catch_up_rally(rec, down, CTX)["verdict"] == "contradicted"
    trails = dict(inp, iwm=quarter(q4_end=103.0), spy=quarter(q4_end=106.0))
    out = claims.check_q4_catch_up_rally(rec, trails, CTX)
    assert out["verdict"] == "contradicted" and out["value"] == pytest.approx(-0.03)
    small_lead = dict(inp, iwm=quarter(q4_end=105.0), spy=quarter(q4_end=104.0), qqq=quarter(q4_end=102.0))
    assert claims.check_q4_catch_up_rally(rec, small_lead, CTX)["verdict"] == "mixed"
    early = dict(CTX, as_of=pd.Timestamp("2025-11-30"))
    assert claims.check_q4_catch_up_rally(rec, inp, early)["verdict"] == "not yet observable"


# ------------------------------------------------------------------ steady_cutting_cycle

def target(changes: dict, start="2022-01-01", end="2026-06-29", first=0.5) -> pd.Series:
    """A daily DFEDTARU-like series (percent) holding `first`, then each level from its date on."""
    return steps({start: first, **changes}, start=start, end=end, freq="D")


def test_target_changes_and_easing_cycle():
    upper = target({"2022-03-17": 1.0, "2023-07-27": 5.5, "2024-09-19": 5.0, "2024-11-08": 4.75, "2025-06-01": 5.0,
                    "2025-09-18": 4.75})
    ch = macro.target_changes(upper)
    assert list(ch["kind"]) == ["hike", "hike", "cut", "cut", "hike", "cut"]
    assert ch.loc["2023-07-27", "change_pp"] == pytest.approx(4.5) and ch.loc["2024-09-19", "level"] == 5.0
    # at the end of 2025 the latest change is a cut after the 2025-06-01 hike: one-cut cycle
    c = macro.easing_cycle(ch, "2025-12-31")
    assert list(c["cuts"].index) == [pd.Timestamp("2025-09-18")] and c["last_hike"] == pd.Timestamp("2025-06-01")
    assert c["hikes_since"].empty
    # in August 2025 the latest change is a hike: the cycle it ended, and the hike since
    c = macro.easing_cycle(ch, "2025-08-31")
    assert list(c["cuts"].index.strftime("%Y-%m-%d")) == ["2024-09-19", "2024-11-08"]
    assert list(c["hikes_since"].index) == [pd.Timestamp("2025-06-01")]
    # no hike in the data: the cycle starts at the first cut
    c = macro.easing_cycle(macro.target_changes(target({"2024-09-19": 0.25}, first=0.5)), "2025-12-31")
    assert c["last_hike"] is None and len(c["cuts"]) == 1
    assert macro.easing_cycle(ch, "2022-12-31")["cuts"].empty


def test_cycle_cut_gaps_in_months():
    gaps = macro.cycle_cut_gaps(pd.to_datetime(["2025-04-01", "2025-01-01", "2025-01-31"]))  # any order
    assert gaps.to_numpy() == pytest.approx([30 / 30.4375, 60 / 30.4375])
    assert list(gaps.index) == [pd.Timestamp("2025-01-31"), pd.Timestamp("2025-04-01")]
    assert macro.cycle_cut_gaps(pd.to_datetime(["2025-01-01"])).empty


def test_steady_cutting_cycle_verdicts():
    rec = RECORDS["steady_cutting_cycle"]
    hike = {"2023-07-27": 5.5}
    steady = target({**hike, "2025-06-20": 5.25, "2025-09-18": 5.0, "2025-12-11": 4.75, "2026-01-29": 4.5})
    out = claims.check_steady_cutting_cycle(rec, {"upper": steady}, CTX)
    # gaps 90 and 84 days; the 2026-01-29 cut is after the window: a follow-up line only
    assert out["verdict"] == "supported" and out["value"] == pytest.approx(90 / 30.4375)
    assert "3 cut(s)" in out["evidence"] and "Follow-up, not part of the verdict" in out["evidence"]
    assert "2026-01-29 -0.25 pp to 4.50%" in out["evidence"]
    paused = target({**hike, "2024-09-19": 5.0, "2024-11-08": 4.75, "2024-12-19": 4.5, "2025-09-18": 4.25,
                     "2025-10-30": 4.0, "2025-12-11": 3.75})
    out = claims.check_steady_cutting_cycle(rec, {"upper": paused}, CTX)
    assert out["verdict"] == "mixed" and out["value"] == pytest.approx(273 / 30.4375)  # 2024-12-19 to 2025-09-18
    assert "no change of the target from 2025-12-31" in out["evidence"]
    stopped = target({**hike, "2024-09-19": 5.0, "2024-11-08": 4.75, "2024-12-19": 4.5})
    assert claims.check_steady_cutting_cycle(rec, {"upper": stopped}, CTX)["verdict"] == "contradicted"
    reversed_ = target({**hike, "2025-03-20": 5.25, "2025-05-01": 5.0, "2025-06-20": 4.75, "2025-11-01": 5.0})
    out = claims.check_steady_cutting_cycle(rec, {"upper": reversed_}, CTX)
    assert out["verdict"] == "contradicted" and "hikes since the cycle began: 2025-11-01" in out["evidence"]
    one_cut = target({**hike, "2025-12-11": 5.25})
    out = claims.check_steady_cutting_cycle(rec, {"upper": one_cut}, CTX)
    assert out["verdict"] == "mixed" and out["value"] is None and not NAN.search(out["evidence"])


# ------------------------------------------------------------------ breadth_expanding

def size_tables(hi_by_row: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fama-French-like "Number of Firms" (1 per decile) and "Average Firm Size" tables: nine
    deciles at 10 and `Hi 10` at the given size in each row (share = hi / (90 + hi))."""
    rows = pd.period_range("2025-07", "2026-02", freq="M")
    firms = pd.DataFrame(1.0, index=rows, columns=DECILES)
    size = pd.DataFrame(10.0, index=rows, columns=DECILES)
    for row, hi in hi_by_row.items():
        size.loc[pd.Period(row, "M"):, "Hi 10"] = hi
    return firms, size


def test_breadth_expanding_verdicts():
    rec = RECORDS["breadth_expanding"]
    rsp = steps({"2025-06-02": 100.0, "2025-10-01": 106.0, "2026-01-02": 110.0}, end="2026-01-15")
    spy = steps({"2025-06-02": 100.0, "2025-10-01": 104.0}, end="2026-06-30")
    falls = size_tables({"2025-07": 90.0, "2026-01": 60.0})  # end-Sep share 0.5 (row 2025-10), end-Dec 0.4 (row 2026-01)
    out = claims.check_breadth_expanding(rec, {"rsp": rsp, "spy": spy, "me_firms": falls[0], "me_size": falls[1]}, CTX)
    assert out["verdict"] == "supported" and out["value"] == pytest.approx(0.02)
    assert "50.0% at the end of 2025-09, 40.0% at the end of 2025-12" in out["evidence"]
    # follow-up: RSP 106 -> 110 after 2025-12-31, SPY flat; RSP stops 2026-01-15 and is not extended
    assert f"{110 / 106 - 1:+.2%}" in out["evidence"] and "RSP's data end on 2026-01-15" in out["evidence"]
    rises = size_tables({"2025-07": 90.0, "2026-01": 135.0})  # 0.5 -> 0.6
    lag = steps({"2025-06-02": 100.0, "2025-10-01": 102.0}, end="2026-01-15")
    out = claims.check_breadth_expanding(rec, {"rsp": lag, "spy": spy, "me_firms": rises[0], "me_size": rises[1]}, CTX)
    assert out["verdict"] == "contradicted" and out["value"] == pytest.approx(-0.02)
    out = claims.check_breadth_expanding(rec, {"rsp": rsp, "spy": spy, "me_firms": rises[0], "me_size": rises[1]}, CTX)
    assert out["verdict"] == "mixed"
    unpublished = (falls[0].loc[:"2025-12"], falls[1].loc[:"2025-12"])  # the end-December share needs row 2026-01
    out = claims.check_breadth_expanding(rec, {"rsp": rsp, "spy": spy, "me_firms": unpublished[0], "me_size": unpublished[1]}, CTX)
    assert out["verdict"] == "not yet observable" and "2026-01" in out["evidence"]


# ------------------------------------------------------------------ tech_profit_taking

def opening(after: float, end="2026-01-30") -> pd.Series:
    return steps({"2025-12-01": 100.0, "2026-01-01": after}, start="2025-12-01", end=end)


def test_tech_profit_taking_verdicts():
    rec = RECORDS["tech_profit_taking"]
    out = claims.check_tech_profit_taking(rec, {"qqq": opening(101.0), "spy": opening(102.0), "iwm": opening(105.0)}, CTX)
    assert out["verdict"] == "supported" and out["value"] == pytest.approx(-0.01)
    assert "cannot show motives or flows" in out["evidence"]
    out = claims.check_tech_profit_taking(rec, {"qqq": opening(106.0), "spy": opening(102.0), "iwm": opening(104.0)}, CTX)
    assert out["verdict"] == "contradicted" and out["value"] == pytest.approx(0.04)
    out = claims.check_tech_profit_taking(rec, {"qqq": opening(101.0), "spy": opening(103.0), "iwm": opening(102.0)}, CTX)
    assert out["verdict"] == "mixed"
    short = {k: opening(101.0, end="2026-01-05") for k in ("qqq", "spy", "iwm")}  # three sessions only
    assert claims.check_tech_profit_taking(rec, short, CTX)["verdict"] == "not yet observable"


# ------------------------------------------------------------------ refinancing_above_2021

def test_yield_vs_year_average():
    s = steps({"2021-01-01": 3.0, "2021-07-01": 4.0, "2022-01-03": 6.0, "2025-01-01": 5.0}, start="2021-01-01", end="2026-01-30")
    st = macro.yield_vs_year_average(s, "2025-12-28", 2021, 12)  # a Sunday: the Friday before counts
    assert st["date"] == pd.Timestamp("2025-12-26") and st["level"] == 5.0
    first_half = len(pd.bdate_range("2021-01-01", "2021-06-30"))
    assert st["year_average"] == pytest.approx((3.0 * first_half + 4.0 * (261 - first_half)) / 261) and st["year_days"] == 261
    assert st["earlier_date"] == pd.Timestamp("2024-12-26") and st["change_pp"] == pytest.approx(-1.0)


def test_baa_yield_on_common_dates():
    a = pd.Series([2.0, 2.1, 2.2], index=pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-06"]))
    b = pd.Series([4.0, 4.2], index=pd.to_datetime(["2025-01-03", "2025-01-07"]))
    out = macro.baa_yield(a, b)
    assert list(out.index) == [pd.Timestamp("2025-01-03")] and out.iloc[0] == pytest.approx(2.1 + 4.0)


def test_refinancing_above_2021_verdicts():
    rec = RECORDS["refinancing_above_2021"]
    span = dict(start="2021-01-01", end="2026-01-30")
    spread = steps({"2021-01-01": 2.0}, **span)
    effr = steps({"2021-01-01": 0.1, "2022-06-01": 4.0}, **span)
    falling = steps({"2021-01-01": 1.5, "2022-01-03": 4.5, "2025-07-01": 4.2}, **span)
    out = claims.check_refinancing_above_2021(rec, {"baa10y": spread, "dgs10": falling, "effr": effr}, CTX)
    # Baa 6.2% on 2025-12-31 against a 2021 average of 3.5% and 6.5% a year earlier
    assert out["verdict"] == "supported" and out["value"] == pytest.approx(2.7)
    assert "Baa corporate yield 6.20% on 2025-12-31, 2021 average 3.50% (+2.70 pp), 6.50% on 2024-12-31" in out["evidence"]
    rising = steps({"2021-01-01": 1.5, "2022-01-03": 4.2, "2025-07-01": 4.5}, **span)
    assert claims.check_refinancing_above_2021(rec, {"baa10y": spread, "dgs10": rising, "effr": effr}, CTX)["verdict"] == "mixed"
    slightly = steps({"2021-01-01": 1.5, "2022-01-03": 2.0, "2025-07-01": 1.8}, **span)  # 3.8%: 0.3 pp above, falling
    assert claims.check_refinancing_above_2021(rec, {"baa10y": spread, "dgs10": slightly, "effr": effr}, CTX)["verdict"] == "mixed"
    below = steps({"2021-01-01": 1.5, "2022-01-03": 2.0, "2025-07-01": 1.3}, **span)
    out = claims.check_refinancing_above_2021(rec, {"baa10y": spread, "dgs10": below, "effr": effr}, CTX)
    assert out["verdict"] == "contradicted" and out["value"] == pytest.approx(-0.2)


# ------------------------------------------------------------------ the real data

@pytest.mark.parametrize("as_of", ["latest", "2025-12-31", "2025-06-30"])
def test_new_claims_on_real_data(store, as_of):
    w = params.validate(as_of, "1926-07-01", core="ff_portfolios_me", data_cutoff="none")
    inputs = data.claims_inputs()
    out = claims.evaluate([RECORDS[c] for c in NEW], inputs, w)
    for cid, row in out.iterrows():
        assert row["verdict"] in claims.VERDICTS, cid
        assert not NAN.search(row["evidence"]) and not NAN.search(row["window"]), (cid, row["evidence"])
        if pd.Timestamp(RECORDS[cid]["observable_from"]) > w.as_of:
            assert row["verdict"] == "not yet observable", cid
        else:
            assert row["verdict"] in ("supported", "contradicted", "mixed"), (cid, row["evidence"])
            assert np.isfinite(row["value"]), cid
        spec = claims.chart_spec(RECORDS[cid], inputs, w)
        if row["verdict"] != "not yet observable":
            assert spec is not None and spec["ylabel"] and spec["source"]
            assert all(s.index.max() <= w.as_of for s in spec["series"].values()), cid
