"""The claims check: every testable claim of the article against the data, with a verdict.

`evaluate(records, inputs, window)` runs each claim's check function (named in
`seeds/claims.yml`) on the inputs truncated at the window's `as_of` (no data after it is ever
used; the loaders already hide what was not yet published) and returns one row per claim.

Verdicts:
* supported           the measured figure agrees with the claim within the record's tolerance;
* contradicted        it does not, and no nearby window rescues it;
* mixed               part holds (e.g. the size is right but the dates are wrong);
* inconclusive        a statistical claim the robust test does not decide (p at or above the
                      record's alpha, whichever the sign): the same rule decides for or against;
* not testable        the data needed are not here; the evidence names the closest analogue;
* not yet observable  the claim's window ends after `as_of`.

Inputs (a dict of frames, built by `rotation.data.claims_inputs()`):
rut, spy (daily closes), nasdaq, t10y2y, upper, lower (FRED daily), cpi, cpi_core, unrate,
usrec, fedfunds (FRED monthly), dgs2 (daily), hy (daily, spliced), me_returns, me_firms,
me_size, me_returns_ew (Portfolios_Formed_on_ME), factors (5 factors), prime (FRED DPRIME, daily), ep_firms (Portfolios_Formed_on_E-P), bm25_firms,
bm25_cap, bm25_bm_june (June-formation BE/ME), bm25_returns (25_Portfolios_5x5), shiller.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from . import concentration, credit, inference, rates, spreads, valuation
from .timeseries import month_end_values, pct_change_by_date, to_monthly_index, value_at

VERDICTS = ("supported", "contradicted", "mixed", "inconclusive", "not testable", "not yet observable")
VERDICT_COLOURS = {"supported": "#d4edda", "contradicted": "#f8d7da", "mixed": "#fff3cd", "inconclusive": "#ece6f5",
                   "not testable": "#e2e3e5", "not yet observable": "#d6e4f0"}
ROBUST_VERDICT = {"supports": "supported", "contradicts": "contradicted", "inconclusive": "inconclusive"}


@dataclass
class Verdict:
    id: str
    topic: str
    claim: str
    verdict: str
    value: float | None
    unit: str
    window: str
    source: str
    evidence: str


def truncate(obj, as_of: pd.Timestamp, as_of_month: pd.Period):
    """Drop every observation after `as_of` (daily data) or after `as_of_month` (monthly data)."""
    if isinstance(obj, (pd.Series, pd.DataFrame)):
        if isinstance(obj.index, pd.PeriodIndex):
            if obj.index.freqstr.startswith("M"):
                return obj[obj.index <= as_of_month]
            return obj[obj.index.end_time <= as_of_month.end_time]
        if isinstance(obj.index, pd.DatetimeIndex):
            return obj[obj.index <= as_of]
    return obj


def _ret(s: pd.Series, start_date, end_date) -> float:
    """Return (decimal) from the last close at or before `start_date` to the last at or before `end_date`."""
    a, _ = value_at(s, start_date)
    b, _ = value_at(s, end_date)
    return b / a - 1


def _sessions(s: pd.Series, after: str, n: int) -> list[pd.Timestamp]:
    """The first `n` observation dates after date `after`."""
    return list(s[s.index > pd.Timestamp(after)].index[:n])


# ----------------------------------------------------------------- checks on prices

def check_small_caps_lead(rec, inp, ctx) -> dict:
    tol = rec["tolerance"]
    days = _sessions(inp["rut"], "2025-12-31", tol["sessions"])
    if len(days) < tol["sessions"]:
        return {"verdict": "not yet observable", "evidence": "fewer 2026 sessions in the data than the claim's window"}

    def lead(k):
        end = days[k - 1] if k <= len(days) else None
        r = {n: _ret(inp[n], pd.Timestamp("2025-12-31"), end) for n in ("rut", "spy", "nasdaq")}
        return r, r["rut"] - max(r["spy"], r["nasdaq"])

    r, gap = lead(tol["sessions"])
    holds = [k for k in range(tol["search_sessions"][0], tol["search_sessions"][1] + 1)
             if k <= len(_sessions(inp["rut"], "2025-12-31", k)) and lead(k)[1] > 0]
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
    days = _sessions(spy, "2025-12-31", tol["sessions"])
    if len(days) < tol["sessions"]:
        return {"verdict": "not yet observable", "evidence": "fewer 2026 sessions in the data than the claim's window"}
    running_high = spy.cummax()
    below = (spy / running_high - 1).loc[days]
    worst = float(below.min())
    verdict = "supported" if worst >= -tol["max_below"] else "contradicted"
    return {"verdict": verdict, "value": worst, "window": f"{days[0].date()} to {days[-1].date()}",
            "evidence": f"over the first {tol['sessions']} sessions of 2026 SPY closed at most {-worst:.2%} below its running all-time high "
                        f"(new highs on {sum(below >= 0)} of them; adjusted closes, dividends included)."}


# ----------------------------------------------------------------- checks on rates and macro

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


def check_easing(rec, inp, ctx) -> dict:
    tol = rec["tolerance"]
    start = pd.Period(tol["start"], "M")
    from .params import Window

    headline = (spreads.headline_one_period(inp["me_returns"], inp["me_returns_ew"], inp["factors"])
                if "factors" in inp else None)  # the collection's headline small-minus-large (notebook 02)
    head = rates.summary(inp["me_returns"], inp["dgs2"], inp["fedfunds"], inp["upper"],
                         Window(start=start, as_of=ctx["as_of"], as_of_month=ctx["as_of_month"],
                                requested=str(ctx["as_of"].date()), data_end=ctx["as_of_month"]),
                         one_period=headline, prime_daily=inp.get("prime"))  # DPRIME dates pre-2008 first cuts (bundles key "prime")
    m, beta, t = head["mean_spread_12m_after_first_cut"], head["size_spread_beta_dgs2"], head["size_spread_beta_dgs2_t"]
    p, k = head["mean_spread_12m_after_first_cut_p_randomization"], head["cycles_with_12m"]
    window = f"{start}..{ctx['as_of_month']}, {k} easing cycle(s) with 12 months"
    if not k:
        return {"verdict": "not yet observable", "value": None, "window": window,
                "evidence": "no easing cycle since the test's start has 12 months of returns by as_of."}
    # the rule (claims.yml): the robust test decides; the rate beta is co-movement, not evidence; with fewer
    # than five cycles the cycles are episodes, not a sample: no p is read and the claim stays inconclusive
    few = k < inference.MIN_EPISODES
    verdict = "inconclusive" if few else ROBUST_VERDICT[inference.stance(m, p, +1, tol["alpha"])]
    test = (f"{k} cycle(s), fewer than {inference.MIN_EPISODES}: episodes, no p-value read" if few
            else f"randomisation p {p:.2f}, {k} cycles")
    return {"verdict": verdict, "value": m, "window": window,
            "evidence": f"small minus large ({head['spread_definition']}, log) averaged {m:+.1%} over the 12 months after a first cut "
                        f"({', '.join(head['first_cuts'])}; {test}); "
                        f"month to month, the Lo 30 - Hi 30 spread moved {'with' if beta > 0 else 'against'} 2-year yields "
                        f"(beta {beta:+.2f}% per pp, t {t:+.1f}; co-movement, not the effect of a cut)."}


# ----------------------------------------------------------------- checks on concentration

def check_concentration_extreme(rec, inp, ctx) -> dict:
    tol = rec["tolerance"]
    start = ctx["start"]
    head = concentration.summary(inp["me_firms"], inp["me_size"], inp["me_returns"], ctx["window"], 80.0)
    p = head["top_decile_share_percentile"]
    verdict = "supported" if p >= tol["min_percentile"] else "mixed" if p >= 80 else "contradicted"
    return {"verdict": verdict, "value": p, "window": f"{start}..{ctx['as_of_month']}",
            "evidence": f"the top NYSE size decile held {head['top_decile_share']:.1%} of market cap at the end of {head['share_month']}, "
                        f"at or above {p:.1f}% of months since {start} (record {head['peak_share']:.1%} in {head['peak_month']}); "
                        f"a decile is ~{head['top_decile_firms']} firms, broader than 'a handful'."}


def check_concentration_followed(rec, inp, ctx) -> dict:
    """The robust test of "high concentration was followed by small-cap outperformance": the
    predictive regression of the next-5-year headline spread on the top-decile share (bootstrap
    p, `concentration.share_regression`) decides; the named episodes are shown as evidence,
    never as a test (they are fewer than five)."""
    tol = rec["tolerance"]
    share = ctx["window"].clip(concentration.top_decile_share(inp["me_firms"], inp["me_size"]))
    if "factors" in inp:
        headline = spreads.headline_one_period(inp["me_returns"], inp["me_returns_ew"], inp["factors"])
        definition = spreads.label(*spreads.HEADLINE)
    else:
        headline = inference.log_spread(inp["me_returns"], "Lo 30", "Hi 10")
        definition = "Lo 30-Hi 10, VW"
    fit = concentration.share_regression(headline, share, ctx["window"], h=60, draws=tol["draws"])
    window = f"5-year windows complete by {ctx['as_of_month']}, {definition}"
    if not fit["n_obs"]:
        return {"verdict": "not yet observable", "value": None, "window": window,
                "evidence": "fewer than five non-overlapping 5-year windows of the headline spread are complete by as_of."}
    from .episodes import episode_periods

    eps = concentration.episode_table(share, concentration.cap_month(inp["me_firms"]["Hi 10"]), inp["me_returns"], episode_periods(),
                                      "Lo 30", "Hi 10", ctx["as_of_month"])
    named = "; ".join(f"{k}: {v:+.1%}/yr" for k, v in eps["next_5y_small_minus_large"].dropna().items())
    verdict = ROBUST_VERDICT[inference.stance(fit["slope"], fit["p_bootstrap"], +1, tol["alpha"])]
    return {"verdict": verdict, "value": float(fit["slope"]), "window": window,
            "evidence": f"the next-5-year {definition} spread rose by {fit['slope']:+.2f} a year per unit of top-decile share "
                        f"({fit['first']}..{fit['last']}; null-bootstrap p {fit['p_bootstrap']:.2f}, out-of-sample R² {fit['oos_r2']:+.2f}); "
                        f"after the named peaks (Lo 30 - Hi 10, descriptive, a handful of episodes): {named or 'none complete'}."}


# ----------------------------------------------------------------- untestable claims

def _analogue(name: str, inp, ctx) -> str:
    m = ctx["as_of_month"]
    if name == "valuation_pb_discount":
        rel = valuation.relative_pb(valuation.price_updated_pb_by_size(inp["bm25_firms"], inp["bm25_cap"], inp["bm25_bm_june"],
                                                                        inp["bm25_returns"]))
        v, when = value_at(rel, m)
        return (f"closest analogue: the smallest NYSE size quintile's price-updated price-to-book was {1 - v:.0%} below the biggest's in {when} "
                f"(notebook 01); the claim's 1 - 15/22 is a {1 - 15 / 22:.0%} forward-P/E discount.")
    if name == "unprofitable_share":
        v, when = value_at(credit.unprofitable_share(inp["ep_firms"]), m)
        return (f"closest analogue: {v:.1%} of all US listed firms had earnings <= 0 in fiscal year {credit.earnings_fiscal_year(when)} "
                f"(the E/P sort in force in {when}; Fama-French, notebook 04).")
    if name == "fed_target_path":
        hi, d = value_at(inp["upper"], ctx["as_of"])
        lo, _ = value_at(inp["lower"], ctx["as_of"])
        return f"closest analogue: the realised target range was {lo:.2f}%-{hi:.2f}% on {d.date()} (notebook 02)."
    if name == "credit_beta":
        spread = (rates.size_spread(inp["me_returns"]) * 100)
        spread = spread[spread.index >= pd.Period("1997-01", "M")]
        b = rates.rate_betas(spread, rates.monthly_changes({"HY OAS": month_end_values(inp["hy"])}), 6).iloc[0]
        return (f"closest analogue: small minus large returns fall {abs(b['beta']):.2f}% a month per pp rise in the HY spread "
                f"(t {b['t_nw']:+.1f}, notebook 04): small caps are more credit-sensitive, which is consistent with, not proof of, more floating debt.")
    return "no analogue."


def check_not_testable(rec, inp, ctx) -> dict:
    return {"verdict": "not testable", "value": None,
            "evidence": f"needs {rec['needs']}; " + _analogue(rec.get("analogue", ""), inp, ctx)}


# ----------------------------------------------------------------- orchestration

CHECKS = {name: fn for name, fn in globals().items() if name.startswith("check_")}


def evaluate(records: list[dict], inputs: dict, window) -> pd.DataFrame:
    """Run every claim's check at the resolved `window` (a `rotation.params.Window`: daily
    checks up to `window.as_of`, monthly ones at `window.as_of_month`, long-history checks
    ranked against months from `window.start`); one row per claim (see module docstring).
    The inputs are cut at as_of again here, so no check can see a later observation."""
    inp = {k: truncate(v, window.as_of, window.as_of_month) for k, v in inputs.items()}
    ctx = {"as_of": pd.Timestamp(window.as_of), "as_of_month": window.as_of_month, "start": window.start,
           "window": window}
    rows = []
    for rec in records:
        base = {"id": rec["id"], "topic": rec["topic"], "claim": rec["claim"], "value": None,
                "unit": rec["asserted"]["unit"], "window": rec["asserted"]["window"], "source": rec.get("data", "")}
        if rec["check"] not in CHECKS:
            raise KeyError(f"claim {rec['id']}: unknown check {rec['check']!r}; known: {', '.join(sorted(CHECKS))}")
        if pd.Timestamp(rec["observable_from"]) > ctx["as_of"]:
            out = {"verdict": "not yet observable",
                   "evidence": f"the claim's window ends {rec['observable_from']}, after as_of {ctx['as_of'].date()}."}
        else:
            out = CHECKS[rec["check"]](rec, inp, ctx)
        merged = {**base, **out}
        if merged["verdict"] not in VERDICTS:
            raise ValueError(f"claim {rec['id']}: check returned unknown verdict {merged['verdict']!r}")
        v = merged["value"]
        merged["value"] = None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)
        rows.append(asdict(Verdict(**{k: merged[k] for k in Verdict.__dataclass_fields__})))
    return pd.DataFrame(rows).set_index("id")


# ----------------------------------------------------------------- charts

def verdict_counts(verdicts: pd.DataFrame) -> dict[str, int]:
    """Number of claims with each verdict, in the order of `VERDICTS` (zeros included)."""
    counts = verdicts["verdict"].value_counts()
    return {v: int(counts.get(v, 0)) for v in VERDICTS}


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
    return None
