"""Checks of the article's rates and macro facts (Fed target, inflation, the shutdown's data gaps, the curve)."""
from __future__ import annotations

import pandas as pd

from ..timeseries import pct_change_by_date, to_monthly_index, value_at

def check_fed_target(rec, inp, ctx) -> dict:
    tol = rec["tolerance"]
    lo, lo_d = value_at(inp["lower"], tol["date"])
    hi, hi_d = value_at(inp["upper"], tol["date"])
    want = rec["asserted"]["value"]
    ok = abs(lo - want[0]) <= tol["abs"] + 1e-9 and abs(hi - want[1]) <= tol["abs"] + 1e-9
    return {"verdict": "supported" if ok else "contradicted", "value": hi, "window": f"as of {hi_d.date()}",
            "evidence": f"target range {lo:.2f}%-{hi:.2f}% on {hi_d.date()} (DFEDTARL/DFEDTARU)."}


def check_inflation(rec, inp, ctx) -> dict:
    """Tested on the latest CPI print published by the article's date (`cpi_at_article`; the
    article cannot have known a later one); a later print, when the data hold one, is reported
    as a follow-up line, not used for the verdict."""
    tol, target = rec["tolerance"], rec["asserted"]["value"]
    known = inp.get("cpi_at_article", inp["cpi"])
    yoy = pct_change_by_date(known, 12).dropna() * 100
    month = min(pd.Period(tol["last_month"], "M"), yoy.index.max())
    v = float(yoy.loc[month])
    recent = yoy[(yoy.index > month - tol["stable_months"]) & (yoy.index <= month)]
    near, stable = abs(v - target) <= tol["abs"], (recent.max() - recent.min()) <= tol["stable_band"]
    verdict = "supported" if near and stable else "mixed" if near or stable else "contradicted"
    later = pct_change_by_date(inp["cpi"], 12).dropna() * 100
    later = later[(later.index > month) & (later.index <= pd.Period(tol["last_month"], "M"))]
    follow = (f" Follow-up, published after the article: {later.index[-1]} {later.iloc[-1]:.2f}%." if len(later) else "")
    return {"verdict": verdict, "value": v, "window": f"CPI 12-month change, {month} (the last print out by the article's date)",
            "evidence": f"CPI rose {v:.2f}% in the year to {month} (by date; October 2025 was never published); the last "
                        f"{len(recent)} prints to then ranged {recent.min():.2f}%-{recent.max():.2f}%.{follow}"}


def check_shutdown_gaps(rec, inp, ctx) -> dict:
    tol = rec["tolerance"]
    month = pd.Period(tol["month"], "M")
    names = {"CPIAUCSL": inp["cpi"], "CPILFESL": inp["cpi_core"], "UNRATE": inp["unrate"]}
    missing = [n for n in tol["series"] if month not in to_monthly_index(names[n].dropna()).index]
    verdict = "supported" if len(missing) == len(tol["series"]) else "mixed" if missing else "contradicted"
    return {"verdict": verdict, "value": float(len(missing)), "window": str(month),
            "evidence": f"{len(missing)} of {len(tol['series'])} monthly prints for {month} are missing ({', '.join(missing) or 'none'}); "
                        f"the shutdown's length (43 days) is not in the data."}


def check_steepening(rec, inp, ctx) -> dict:
    tol = rec["tolerance"]
    end = min(pd.Timestamp(tol["end"]), ctx["as_of"])
    v1, d1 = value_at(inp["t10y2y"], end)
    v0, d0 = value_at(inp["t10y2y"], end - pd.DateOffset(months=tol["months"]))
    change = v1 - v0
    verdict = "supported" if change >= tol["min_change_pp"] else "contradicted" if change <= -tol["min_change_pp"] else "mixed"
    return {"verdict": verdict, "value": change, "window": f"{d0.date()} to {d1.date()}",
            "evidence": f"10-year minus 2-year Treasury spread {v0:+.2f} pp on {d0.date()} and {v1:+.2f} pp on {d1.date()}."}
