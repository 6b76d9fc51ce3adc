"""Checks of the article's market-price claims (Russell 2000, S&P 500, Nasdaq around the 2026 open)."""
from __future__ import annotations

import pandas as pd

from .common import period_return, sessions_after

def check_small_caps_lead(rec, inp, ctx) -> dict:
    tol = rec["tolerance"]
    days = sessions_after(inp["rut"], "2025-12-31", tol["sessions"])
    if len(days) < tol["sessions"]:
        return {"verdict": "not yet observable", "evidence": "fewer 2026 sessions in the data than the claim's window"}

    def lead(k):
        end = days[k - 1] if k <= len(days) else None
        r = {n: period_return(inp[n], pd.Timestamp("2025-12-31"), end) for n in ("rut", "spy", "nasdaq")}
        return r, r["rut"] - max(r["spy"], r["nasdaq"])

    r, gap = lead(tol["sessions"])
    holds = [k for k in range(tol["search_sessions"][0], tol["search_sessions"][1] + 1)
             if k <= len(sessions_after(inp["rut"], "2025-12-31", k)) and lead(k)[1] > 0]
    beats = (r["rut"] > r["spy"]) + (r["rut"] > r["nasdaq"])
    verdict = "supported" if beats == 2 else "mixed" if beats == 1 else "contradicted"
    return {"verdict": verdict, "value": gap, "window": f"2025-12-31 close to {days[-1].date()} ({tol['sessions']} sessions)",
            "evidence": f"Russell 2000 {r['rut']:+.2%}, S&P 500 (SPY) {r['spy']:+.2%}, Nasdaq Composite {r['nasdaq']:+.2%}; "
                        f"the lead over both holds for windows of {', '.join(map(str, holds)) or 'no'} session(s) "
                        f"out of {tol['search_sessions'][0]}-{tol['search_sessions'][1]}."}


def check_rut_surge(rec, inp, ctx) -> dict:
    tol, target = rec["tolerance"], rec["asserted"]["value"]
    rut = inp["rut"]
    dec = rut[rut.index <= "2025-12-31"]
    end = dec.index[-1]
    start = dec.index[-1 - tol["sessions"]]
    measured = dec.iloc[-1] / dec.loc[start] - 1
    ok = abs(measured - target) <= tol["abs"]
    window = f"{start.date()} close to {end.date()} ({tol['sessions']} sessions)"
    if ok:
        return {"verdict": "supported", "value": measured, "window": window,
                "evidence": f"the Russell 2000 rose {measured:+.1%} over the stated window."}
    seg = rut[(rut.index >= tol["search_from"]) & (rut.index <= tol["search_to"])]
    best = None
    for n in range(tol["search_sessions"][0], tol["search_sessions"][1] + 1):
        r = seg / seg.shift(n) - 1
        for d, v in r.dropna().items():
            if abs(v - target) <= tol["abs"] and (best is None or abs(v - target) < abs(best[2] - target)):
                best = (seg.index[seg.index.get_loc(d) - n], d, v)
    if best is None:
        return {"verdict": "contradicted", "value": measured, "window": window,
                "evidence": f"the Russell 2000 moved {measured:+.1%} over the stated window, and no {tol['search_sessions'][0]}-"
                            f"{tol['search_sessions'][1]}-session window between {tol['search_from']} and {tol['search_to']} rose {target:.0%}±{tol['abs']:.0%}."}
    return {"verdict": "mixed", "value": measured, "window": window,
            "evidence": f"over the stated window the index moved {measured:+.1%}; a rise of {best[2]:+.1%} did happen, from the "
                        f"{best[0].date()} close to {best[1].date()}: right size, wrong dates."}


def check_rut_high(rec, inp, ctx) -> dict:
    tol, target = rec["tolerance"], rec["asserted"]["value"]
    rut = inp["rut"]
    month = pd.Period(tol["month"], "M")
    inside = rut[rut.index.to_period("M") == month]
    before = rut[rut.index < inside.index[0]]
    peak_day, peak = inside.idxmax(), inside.max()
    new_high = peak > before.max()
    near = abs(peak / target - 1) <= tol["rel"]
    verdict = "supported" if new_high and near else "mixed" if (new_high or near) else "contradicted"
    return {"verdict": verdict, "value": float(peak), "window": f"closes in {month}",
            "evidence": f"highest close of {month}: {peak:,.1f} on {peak_day.date()}; the previous record close was "
                        f"{before.max():,.1f} ({before.idxmax().date()}), so this {'was' if new_high else 'was not'} a new all-time high."}


def check_near_record(rec, inp, ctx) -> dict:
    tol = rec["tolerance"]
    spy = inp["spy"]
    days = sessions_after(spy, "2025-12-31", tol["sessions"])
    if len(days) < tol["sessions"]:
        return {"verdict": "not yet observable", "evidence": "fewer 2026 sessions in the data than the claim's window"}
    running_high = spy.cummax()
    below = (spy / running_high - 1).loc[days]
    worst = float(below.min())
    verdict = "supported" if worst >= -tol["max_below"] else "contradicted"
    return {"verdict": verdict, "value": worst, "window": f"{days[0].date()} to {days[-1].date()}",
            "evidence": f"over the first {tol['sessions']} sessions of 2026 SPY closed at most {-worst:.2%} below its running all-time high "
                        f"(new highs on {sum(below >= 0)} of them; adjusted closes, dividends included)."}
