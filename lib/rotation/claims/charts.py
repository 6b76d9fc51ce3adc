"""What to draw for each claim in the claims-check notebook (data up to as_of only)."""
from __future__ import annotations

import pandas as pd

from .. import concentration, credit
from ..timeseries import pct_change_by_date, value_at
from .common import truncate

def chart_spec(rec: dict, inputs: dict, window) -> dict | None:
    """What to draw for a claim (series, title, units, source, reference line and shaded
    windows), from data up to `window.as_of` only; None when there is nothing to draw."""
    as_of, as_of_month = window.as_of, window.as_of_month
    inp = {k: truncate(v, as_of, as_of_month) for k, v in inputs.items()}
    cid = rec["id"]
    clip = lambda s, a, b: s[(s.index >= pd.Timestamp(a)) & (s.index <= pd.Timestamp(b))]
    if cid == "small_caps_lead_2026_open":
        series = {}
        for name, key in [("Russell 2000", "rut"), ("S&P 500 (SPY)", "spy"), ("Nasdaq Composite", "nasdaq")]:
            s = clip(inp[key], "2025-12-01", "2026-01-31")
            base, _ = value_at(s, pd.Timestamp("2025-12-31"))
            series[name] = s / base * 100
        return {"series": series, "title": "Russell 2000, S&P 500 and Nasdaq around the 2026 open", "ylabel": "index, 2025-12-31 close = 100",
                "source": "^RUT (Yahoo), SPY adjusted close, FRED NASDAQCOM", "hline": 100.0,
                "shade": [("2026-01-01", "2026-01-08", "first sessions of 2026")]}
    if cid in ("rut_december_surge", "rut_all_time_high"):
        a, b = ("2025-11-01", "2026-01-15") if cid == "rut_december_surge" else ("2024-01-01", "2026-01-31")
        return {"series": {"Russell 2000 (^RUT)": clip(inp["rut"], a, b)}, "title": "Russell 2000 price index, daily close",
                "ylabel": "index points", "source": "^RUT (Yahoo)", "hline": 2590.0 if cid == "rut_all_time_high" else None,
                "shade": [("2025-12-10", "2025-12-31", "last three weeks of Dec 2025")] if cid == "rut_december_surge" else []}
    if cid in ("fed_target_dec_2025", "market_prices_3p00_3p25"):
        return {"series": {"upper bound": clip(inp["upper"], "2024-06-01", as_of), "lower bound": clip(inp["lower"], "2024-06-01", as_of)},
                "title": "Fed funds target range", "ylabel": "percent per year", "source": "FRED DFEDTARU, DFEDTARL",
                "hline": 3.25 if cid == "market_prices_3p00_3p25" else 3.75, "shade": []}
    if cid == "inflation_near_2p7":
        yoy = pct_change_by_date(inp["cpi"], 12) * 100
        yoy = yoy[yoy.index >= pd.Period("2023-01", "M")]
        return {"series": {"CPI, 12-month change": yoy}, "title": "Consumer price inflation (CPI-U, by date)",
                "ylabel": "percent per year", "source": "FRED CPIAUCSL (spliced); October 2025 never published", "hline": 2.7, "shade": []}
    if cid == "disinflation_intact":
        series = {name: (pct_change_by_date(inp[key], 12) * 100).loc[pd.Period("2023-01", "M"):]
                  for name, key in [("core CPI, 12-month change", "cpi_core_at_article"), ("CPI, 12-month change", "cpi_at_article")]}
        return {"series": series, "title": "Inflation as published by the article's date (by date)",
                "ylabel": "percent per year", "source": "FRED CPILFESL, CPIAUCSL (spliced); October 2025 never published",
                "hline": None, "shade": []}
    if cid == "yield_curve_steepening":
        return {"series": {"10y minus 2y": clip(inp["t10y2y"], "2024-01-01", "2026-01-31")}, "title": "Treasury curve: 10-year minus 2-year",
                "ylabel": "percentage points", "source": "FRED T10Y2Y", "hline": 0.0, "shade": [("2025-06-30", "2025-12-31", "claim window")]}
    if cid == "sp500_near_record":
        s = inp["spy"]
        return {"series": {"SPY": clip(s, "2025-10-01", "2026-01-31"), "running all-time high": clip(s.cummax(), "2025-10-01", "2026-01-31")},
                "title": "S&P 500 ETF against its running record", "ylabel": "dollars (adjusted close)", "source": "SPY (Yahoo, adjusted)",
                "hline": None, "shade": [("2026-01-01", "2026-01-08", "first sessions of 2026")]}
    if cid in ("concentration_extreme", "concentration_then_small_outperform"):
        share = concentration.top_decile_share(inp["me_firms"], inp["me_size"]) * 100
        return {"series": {"top-decile share of market cap": share}, "title": "Share of US market cap in the top NYSE size decile",
                "ylabel": "percent of total market cap", "source": "Fama-French Portfolios Formed on ME", "hline": None, "shade": [],
                "episodes": True}
    if cid == "russell_unprofitable_40pct":
        return {"series": {"share of listed firms with earnings <= 0": credit.unprofitable_share(inp["ep_firms"]) * 100},
                "title": "Loss-making share of US listed firms (analogue)", "ylabel": "percent of firms",
                "source": "Fama-French Portfolios Formed on E-P", "hline": 40.0, "shade": []}
    if cid in ("q4_catch_up_rally", "tech_profit_taking"):
        q4 = cid == "q4_catch_up_rally"
        base_day, a, b = ("2025-09-30", "2025-07-01", "2026-01-31") if q4 else ("2025-12-31", "2025-12-01", "2026-01-31")
        if as_of < pd.Timestamp(base_day):
            return None  # nothing to index to yet
        series = {}
        for name, key in [("Russell 2000 (IWM)", "iwm"), ("S&P 500 (SPY)", "spy"), ("Nasdaq-100 (QQQ)", "qqq")]:
            s = clip(inp[key], a, min(pd.Timestamp(b), as_of))
            base, _ = value_at(s, pd.Timestamp(base_day))
            series[name] = s / base * 100
        return {"series": series, "title": "IWM, SPY and QQQ total return " + ("over Q4 2025" if q4 else "around the 2026 open"),
                "ylabel": f"index, {base_day} close = 100 (total return)", "source": "IWM, SPY, QQQ adjusted closes (Yahoo)", "hline": 100.0,
                "shade": [("2025-09-30", "2025-12-31", "Q4 2025")] if q4 else [("2026-01-01", "2026-01-08", "first 5 sessions of 2026")]}
    if cid == "steady_cutting_cycle":
        from ..rates import target_changes
        from .macro import cycle_cut_gaps, easing_cycle
        end = pd.Timestamp(rec["tolerance"]["end"])
        cuts = easing_cycle(target_changes(inp["upper"]), min(end, as_of))["cuts"].index
        gaps = cycle_cut_gaps(cuts)
        shade = []
        if len(gaps):
            later = gaps.idxmax()
            shade.append((cuts[cuts.get_loc(later) - 1], later, f"longest gap between cuts ({gaps.max():.1f} months)"))
        if as_of > end:
            shade.append((end, as_of, "after the article's end-2025 window"))
        return {"series": {"upper bound": clip(inp["upper"], "2023-01-01", as_of), "lower bound": clip(inp["lower"], "2023-01-01", as_of)},
                "title": "Fed funds target range in the easing cycle", "ylabel": "percent per year",
                "source": "FRED DFEDTARU, DFEDTARL", "hline": None, "shade": shade}
    if cid == "breadth_expanding":
        if as_of < pd.Timestamp("2025-09-30"):
            return None  # nothing to index to yet
        rsp, spy = inp["rsp"], inp["spy"]
        both = pd.concat([rsp, spy], axis=1, join="inner").dropna()  # common dates only: RSP ends 2026-03-03, nothing is filled
        ratio = clip(both.iloc[:, 0] / both.iloc[:, 1], "2025-06-01", as_of)
        base, _ = value_at(ratio, pd.Timestamp("2025-09-30"))
        return {"series": {"RSP relative to SPY": ratio / base * 100}, "title": "Equal-weight S&P 500 (RSP) relative to SPY",
                "ylabel": "ratio of total-return indices, 2025-09-30 = 100", "source": "RSP, SPY adjusted closes (Yahoo); RSP ends 2026-03-03",
                "hline": 100.0, "shade": [("2025-09-30", "2025-12-31", "Q4 2025")]}
    if cid == "refinancing_above_2021":
        from .macro import baa_yield
        series = {"Baa corporate yield (BAA10Y + DGS10)": baa_yield(inp["baa10y"], inp["dgs10"]),
                  "10-year Treasury (DGS10)": inp["dgs10"], "effective fed funds (EFFR)": inp["effr"]}
        series = {k: clip(s, "2020-01-01", as_of) for k, s in series.items()}
        baa_2021 = series["Baa corporate yield (BAA10Y + DGS10)"]
        baa_2021 = baa_2021[baa_2021.index.year == 2021]
        return {"series": series, "title": "Borrowing rates against their 2021 levels", "ylabel": "percent per year",
                "source": "FRED BAA10Y, DGS10, EFFR", "hline": float(baa_2021.mean()) if len(baa_2021) else None,
                "shade": [("2021-01-01", "2021-12-31", "2021 (dashed: Baa 2021 average)")]}
    return None
