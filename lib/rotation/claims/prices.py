"""Checks of the article's market-price claims (Russell 2000, S&P 500, Nasdaq around the 2026 open)."""
from __future__ import annotations

import pandas as pd

from .. import concentration
from ..timeseries import percentile_rank, value_at
from .common import period_return, sessions_after, window_total_returns


def check_small_caps_lead(rec, inp, ctx) -> dict:
    tol = rec["tolerance"]
    days = sessions_after(inp["rut"], "2025-12-31", max(tol["sessions"], tol["search_sessions"][1]))
    if len(days) < tol["sessions"]:
        return {"verdict": "not yet observable", "evidence": "fewer 2026 sessions in the data than the claim's window"}

    def lead(k):
        end = days[k - 1]
        r = {n: period_return(inp[n], pd.Timestamp("2025-12-31"), end) for n in ("rut", "spy", "nasdaq")}
        return r, r["rut"] - max(r["spy"], r["nasdaq"])

    r, gap = lead(tol["sessions"])
    searched = [k for k in range(tol["search_sessions"][0], tol["search_sessions"][1] + 1) if k <= len(days)]
    holds = [k for k in searched if lead(k)[1] > 0]
    beats = (r["rut"] > r["spy"]) + (r["rut"] > r["nasdaq"])
    verdict = "supported" if beats == 2 else "mixed" if beats == 1 else "contradicted"
    return {"verdict": verdict, "value": gap, "window": f"2025-12-31 close to {days[tol['sessions'] - 1].date()} ({tol['sessions']} sessions)",
            "evidence": f"Russell 2000 {r['rut']:+.2%}, S&P 500 (SPY) {r['spy']:+.2%}, Nasdaq Composite {r['nasdaq']:+.2%}; "
                        f"the lead over both holds for windows of {', '.join(map(str, holds)) or 'no'} session(s) "
                        f"out of {searched[0]}-{searched[-1]} in the data by as_of."}


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


# ------------------------------------------------------------------ issue 14: Q4 rally, breadth, tech profit-taking

def calendar_quarter_returns(closes: pd.Series, as_of) -> pd.Series:
    """Return (decimal) of each complete calendar quarter, indexed by quarter (PeriodIndex "Q"):
    the quarter's last close over the previous quarter's last close, matched by quarter (a
    missing quarter gives no return, never a two-quarter one). A quarter counts when it ended
    on or before date `as_of` and the series has a close in its last seven calendar days (so a
    series that stopped mid-quarter gives no return for it). Total return on adjusted closes."""
    s = closes.dropna()
    quarters = s.index.to_period("Q")
    last = s.groupby(quarters).last()
    last_day = pd.Series(s.index, index=s.index).groupby(quarters).last()
    ends = last.index.to_timestamp(how="end").normalize()
    complete = (ends <= pd.Timestamp(as_of)) & (last_day.to_numpy() >= ends - pd.Timedelta(days=7))
    last = last[complete]
    prior = last.copy()
    prior.index = prior.index + 1
    out = (last / prior.reindex(last.index) - 1).dropna()
    out.index.name = "quarter"
    return out.rename(closes.name)


def catch_up_verdict(small: float, spy: float, qqq: float, min_lead: float) -> str:
    """The `q4_catch_up_rally` rule on quarter returns (decimals): supported when the small-cap
    return is positive and beats both SPY and QQQ by at least `min_lead`; contradicted when it is
    not positive or trails SPY by at least `min_lead`; mixed otherwise."""
    if small <= 0 or spy - small >= min_lead:
        return "contradicted"
    if small - spy >= min_lead and small - qqq >= min_lead:
        return "supported"
    return "mixed"


def check_q4_catch_up_rally(rec, inp, ctx) -> dict:
    """IWM against SPY and QQQ over Q4 2025 (total returns, adjusted closes), with the quarter's
    IWM-minus-SPY ranked among all complete calendar quarters since IWM began."""
    tol = rec["tolerance"]
    start, end = pd.Timestamp(tol["start"]), pd.Timestamp(tol["end"])
    if ctx["as_of"] < end:
        return {"verdict": "not yet observable", "value": None, "evidence": f"the quarter ends {end.date()}, after as_of."}
    r = window_total_returns({k: inp[k] for k in ("iwm", "spy", "qqq")}, start, end)
    iwm, spy, qqq = (float(r.loc[k, "return"]) for k in ("iwm", "spy", "qqq"))
    verdict = catch_up_verdict(iwm, spy, qqq, tol["min_lead"])
    rel = (calendar_quarter_returns(inp["iwm"], ctx["as_of"]) - calendar_quarter_returns(inp["spy"], ctx["as_of"])).dropna()
    quarter = end.to_period("Q")
    rank = (f"this quarter's IWM minus SPY ranks at percentile {percentile_rank(rel, float(rel[quarter])):.0f} (0-100) "
            f"of the {len(rel)} complete calendar quarters {rel.index[0]}-{rel.index[-1]} (descriptive, for 'blistering'; not part of the verdict)"
            if quarter in rel.index else "the quarter is not complete in the data, so it is not ranked")
    return {"verdict": verdict, "value": iwm - max(spy, qqq),
            "window": f"{r.loc['iwm', 'from'].date()} close to {r.loc['iwm', 'to'].date()} close",
            "evidence": f"total returns (adjusted closes): Russell 2000 ETF (IWM) {iwm:+.2%}, S&P 500 (SPY) {spy:+.2%}, Nasdaq-100 (QQQ) "
                        f"{qqq:+.2%}; IWM minus SPY {(iwm - spy) * 100:+.2f} pp, IWM minus QQQ {(iwm - qqq) * 100:+.2f} pp (rule: a positive "
                        f"return and a lead of at least {tol['min_lead'] * 100:.0f} pp over both); {rank}."}


def breadth_verdict(equal_minus_cap: float, share_change: float) -> str:
    """The `breadth_expanding` rule: supported when the equal-weight index beat the cap-weighted
    one (decimal return difference > 0) and the top-decile share of market cap fell; contradicted
    when it lagged and the share rose; mixed otherwise (the two measures disagree, or one is flat)."""
    if equal_minus_cap > 0 and share_change < 0:
        return "supported"
    if equal_minus_cap < 0 and share_change > 0:
        return "contradicted"
    return "mixed"


def check_breadth_expanding(rec, inp, ctx) -> dict:
    """RSP (equal-weight S&P 500) minus SPY over Q4 2025 (total returns) and the change of the
    top-decile share of US market cap (Fama-French Portfolios Formed on ME) over the quarter."""
    tol = rec["tolerance"]
    start, end = pd.Timestamp(tol["start"]), pd.Timestamp(tol["end"])
    m0, m1 = pd.Period(tol["share_from"], "M"), pd.Period(tol["share_to"], "M")
    share = concentration.top_decile_share(inp["me_firms"], inp["me_size"]).dropna()
    if ctx["as_of"] < end or m1 not in share.index or m0 not in share.index:
        return {"verdict": "not yet observable", "value": None,
                "evidence": f"the end-{m1} top-decile share is in the Fama-French update for {m1 + 1} (row {m1 + 1} holds the caps at the end "
                            f"of {m1}), not yet published by as_of {ctx['as_of'].date()}."}
    r = window_total_returns({k: inp[k] for k in ("rsp", "spy")}, start, end)
    rel = float(r.loc["rsp", "return"] - r.loc["spy", "return"])
    change = float(share[m1] - share[m0])
    verdict = breadth_verdict(rel, change)
    follow_end = min(ctx["as_of"], inp["rsp"].index.max())
    after = window_total_returns({k: inp[k] for k in ("rsp", "spy")}, end, follow_end)
    rsp_end = after.loc["rsp", "to"]
    ended = (f"; RSP's data end on {inp['rsp'].index.max().date()}, before as_of {ctx['as_of'].date()}, and are not extended"
             if inp["rsp"].index.max() < ctx["as_of"] else "")
    follow = (f" Follow-up, not part of the verdict: RSP minus SPY from the {end.date()} close to {rsp_end.date()} was "
              f"{after.loc['rsp', 'return'] - after.loc['spy', 'return']:+.2%}{ended}." if rsp_end > end else "")
    return {"verdict": verdict, "value": rel, "window": f"{r.loc['rsp', 'from'].date()} close to {r.loc['rsp', 'to'].date()}; shares end-{m0} and end-{m1}",
            "evidence": f"total returns (adjusted closes): equal-weight S&P 500 (RSP) {r.loc['rsp', 'return']:+.2%}, SPY {r.loc['spy', 'return']:+.2%}, "
                        f"difference {rel * 100:+.2f} pp; share of US market cap in the top NYSE size decile {share[m0]:.1%} at the end of {m0}, "
                        f"{share[m1]:.1%} at the end of {m1} ({change * 100:+.2f} pp; Fama-French, CRSP firms).{follow}"}


def tech_verdict(tech: float, market: float, small: float) -> str:
    """The `tech_profit_taking` rule on window returns (decimals): supported when tech < market <
    small caps (tech lagged the market, the market lagged small caps); contradicted when tech beat
    both; mixed otherwise."""
    if tech < market < small:
        return "supported"
    if tech > market and tech > small:
        return "contradicted"
    return "mixed"


def check_tech_profit_taking(rec, inp, ctx) -> dict:
    """QQQ (Nasdaq-100, the tech proxy), SPY and IWM from the 2025-12-31 close to the n-th session
    of 2026 (total returns, adjusted closes)."""
    tol = rec["tolerance"]
    days = sessions_after(inp["spy"], tol["after"], tol["sessions"])
    if len(days) < tol["sessions"]:
        return {"verdict": "not yet observable", "value": None, "evidence": "fewer 2026 sessions in the data than the claim's window."}
    def returns(end):
        r = window_total_returns({k: inp[k] for k in ("qqq", "spy", "iwm")}, pd.Timestamp(tol["after"]), end)
        return tuple(float(r.loc[k, "return"]) for k in ("qqq", "spy", "iwm"))

    qqq, spy, iwm = returns(days[-1])
    # the same ordering over other window lengths: shown, not used (a thin margin is visible here)
    search = sessions_after(inp["spy"], tol["after"], 10)
    same = [k for k in range(1, len(search) + 1) if tech_verdict(*returns(search[k - 1])) == tech_verdict(qqq, spy, iwm)]
    return {"verdict": tech_verdict(qqq, spy, iwm), "value": qqq - spy,
            "window": f"{tol['after']} close to {days[-1].date()} ({tol['sessions']} sessions)",
            "evidence": f"total returns (adjusted closes): Nasdaq-100 (QQQ) {qqq:+.2%}, S&P 500 (SPY) {spy:+.2%}, Russell 2000 (IWM) {iwm:+.2%} "
                        f"(rule: QQQ < SPY < IWM supports, QQQ above both contradicts); the same verdict holds for windows of "
                        f"{', '.join(map(str, same)) or 'no'} of 1-{len(search)} sessions. Prices cannot show motives or flows: "
                        f"'profit-taking' is a reading of these moves, not something measured."}
