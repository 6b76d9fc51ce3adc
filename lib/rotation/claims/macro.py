"""Checks of the article's rates and macro facts (Fed target, inflation, the shutdown's data gaps, the curve)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..rates import target_changes
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
    all_prints = pct_change_by_date(inp["cpi"], 12).dropna() * 100  # every print published by as_of
    later = all_prints[all_prints.index > month]
    claimed = later[later.index <= pd.Period(tol["last_month"], "M")]
    follow = (f" Follow-up, published after the article: {claimed.index[-1]} {claimed.iloc[-1]:.2f}%" if len(claimed) else "")
    if len(later) and later.index[-1] != (claimed.index[-1] if len(claimed) else None):
        follow += f"{';' if follow else ' Follow-up:'} the latest print by as_of, {later.index[-1]}, {later.iloc[-1]:.2f}%"
    follow += "." if follow else ""
    before_gap = yoy[yoy.index < month]
    gap = (f" The print before that month, {before_gap.index[-1]}, was {before_gap.iloc[-1]:.2f}%; {month} follows a month never "
           f"published, so it rests on a print collected after a gap." if len(before_gap) and before_gap.index[-1] < month - 1 else "")
    return {"verdict": verdict, "value": v, "window": f"CPI 12-month change, {month} (the last print out by the article's date)",
            "evidence": f"CPI rose {v:.2f}% in the year to {month} (by date; October 2025 was never published); the last "
                        f"{len(recent)} prints to then ranged {recent.min():.2f}%-{recent.max():.2f}%.{gap}{follow}"}


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


def disinflation(yoy_pct: pd.Series, months: int = 12) -> dict:
    """The last 12-month inflation rate (percent) against its value `months` earlier, by date.

    `yoy_pct` is a monthly 12-month change in percent (`pct_change_by_date(cpi, 12) * 100`); a
    missing month (the October 2025 hole) is never bridged by row position. Returns last_month,
    last, earlier_month, earlier (NaN when that month is missing) and change (pp)."""
    yoy = yoy_pct.dropna()
    last_month = yoy.index.max()
    earlier_month = last_month - months
    earlier = float(yoy.get(earlier_month, float("nan")))
    last = float(yoy.loc[last_month])
    return {"last_month": last_month, "last": last, "earlier_month": earlier_month, "earlier": earlier,
            "change": last - earlier}


def check_disinflation(rec, inp, ctx) -> dict:
    """'The underlying trend of disinflation remained intact': the 12-month core CPI change at the
    last print published by the article's date (`cpi_core_at_article`) against 12 months earlier;
    headline CPI is shown beside it. Rule and tolerance in claims.yml."""
    tol = rec["tolerance"]
    core = disinflation(pct_change_by_date(inp["cpi_core_at_article"], 12) * 100, tol["months"])
    head = disinflation(pct_change_by_date(inp["cpi_at_article"], 12) * 100, tol["months"])
    change = core["change"]
    verdict = ("supported" if change <= -tol["min_fall_pp"] else "contradicted" if change >= tol["min_fall_pp"] else "mixed")
    return {"verdict": verdict, "value": change,
            "window": f"{core['earlier_month']} to {core['last_month']} (the last prints published by the article's date)",
            "evidence": f"12-month core CPI inflation was {core['last']:.2f}% in {core['last_month']} against {core['earlier']:.2f}% "
                        f"in {core['earlier_month']} ({change:+.2f} pp); headline CPI {head['last']:.2f}% against {head['earlier']:.2f}% "
                        f"({head['change']:+.2f} pp)."}


# ------------------------------------------------------------------ issue 14: the cutting cycle, rates against 2021

DAYS_PER_MONTH = 365.25 / 12


def easing_cycle(changes: pd.DataFrame, end) -> dict:
    """The easing cycle that contains date `end`, from `target_changes` output.

    The cycle runs from the first cut after the last hike that precedes the latest cut at or
    before `end` (when the latest change by `end` is a cut, that is the first cut after the last
    hike before `end`). Returns `cuts` (the cycle's cuts up to `end`), `hikes_since` (hikes after
    the cycle's first cut up to `end`: a hike after the latest cut ends the cycle) and
    `last_hike` (date of the hike before the cycle, None when the data hold none)."""
    known = changes[changes.index <= pd.Timestamp(end)]
    cuts_all = known[known["kind"] == "cut"]
    empty = known.iloc[:0]
    if cuts_all.empty:
        return {"cuts": empty, "hikes_since": empty, "last_hike": None}
    latest_cut = cuts_all.index[-1]
    hikes_before = known[(known["kind"] == "hike") & (known.index < latest_cut)]
    last_hike = hikes_before.index[-1] if len(hikes_before) else None
    cuts = cuts_all if last_hike is None else cuts_all[cuts_all.index > last_hike]
    hikes_since = known[(known["kind"] == "hike") & (known.index > cuts.index[0])]
    return {"cuts": cuts, "hikes_since": hikes_since, "last_hike": last_hike}


def cycle_cut_gaps(cut_dates) -> pd.Series:
    """Gaps between consecutive cuts, in months (calendar days / 30.44), indexed by the later
    cut's date; empty with fewer than two cuts."""
    d = pd.DatetimeIndex(sorted(cut_dates))
    return pd.Series((d[1:] - d[:-1]).days / DAYS_PER_MONTH, index=d[1:], name="gap_months", dtype=float)


def steady_cycle_verdict(n_cuts: int, n_hikes_since: int, longest_gap_months: float, cut_in_recent: bool,
                         min_cuts: int, max_gap_months: float) -> str:
    """The `steady_cutting_cycle` rule: contradicted when no cut fell in the recent window before
    the article or a hike came after the cycle began; supported when the cycle had at least
    `min_cuts` cuts and no gap between consecutive cuts longer than `max_gap_months`; mixed
    otherwise (cutting, but too few cuts or with a long pause)."""
    if not cut_in_recent or n_hikes_since > 0:
        return "contradicted"
    if n_cuts >= min_cuts and longest_gap_months <= max_gap_months:
        return "supported"
    return "mixed"


def check_steady_cutting_cycle(rec, inp, ctx) -> dict:
    """The Fed's cuts in the easing cycle containing the article date (FRED DFEDTARU), with a
    follow-up line on the target's changes after it."""
    tol = rec["tolerance"]
    end = pd.Timestamp(tol["end"])
    if ctx["as_of"] < end:
        return {"verdict": "not yet observable", "value": None, "evidence": f"the claim's window ends {end.date()}, after as_of."}
    changes = target_changes(inp["upper"])
    cycle = easing_cycle(changes, end)
    cuts, hikes = cycle["cuts"], cycle["hikes_since"]
    gaps = cycle_cut_gaps(cuts.index)
    longest = float(gaps.max()) if len(gaps) else float("nan")
    recent_from = end - pd.DateOffset(months=tol["recent_months"])
    known = changes[changes.index <= end]
    cut_in_recent = bool(((known["kind"] == "cut") & (known.index > recent_from)).any())
    verdict = steady_cycle_verdict(len(cuts), len(hikes), longest, cut_in_recent, tol["min_cuts"], tol["max_gap_months"])
    listing = ", ".join(f"{d.date()} {c:+.2f}" for d, c in cuts["change_pp"].items()) or "none"
    gap_text = (f"longest gap between cuts {longest:.1f} months (ending {gaps.idxmax().date()})" if len(gaps)
                else "fewer than two cuts, so no gap")
    hike_text = f"; hikes since the cycle began: {', '.join(str(d.date()) for d in hikes.index)}" if len(hikes) else "; no hike since"
    before = f"the last hike before it was on {cycle['last_hike'].date()}" if cycle["last_hike"] is not None else "no earlier hike in the data"
    upper = inp["upper"].dropna()
    later = changes[(changes.index > end) & (changes.index <= ctx["as_of"])]
    if upper.index.max() <= end:
        follow = ""
    elif len(later):
        follow = (" Follow-up, not part of the verdict: after " f"{end.date()}: "
                  + ", ".join(f"{d.date()} {c:+.2f} pp to {lv:.2f}%" for d, c, lv in zip(later.index, later["change_pp"], later["level"]))
                  + f" (data to {upper.index.max().date()}).")
    else:
        follow = (f" Follow-up, not part of the verdict: no change of the target from {end.date()} to {upper.index.max().date()} "
                  f"(upper bound {upper.iloc[-1]:.2f}%).")
    return {"verdict": verdict, "value": None if np.isnan(longest) else longest,
            "window": f"easing cycle from {cuts.index[0].date()} to {end.date()}" if len(cuts) else f"to {end.date()}",
            "evidence": f"{len(cuts)} cut(s) of the target's upper bound (FRED DFEDTARU, pp, dated when in effect): {listing}; {before}; "
                        f"{gap_text}{hike_text}; a cut in the {tol['recent_months']} months to {end.date()}: {'yes' if cut_in_recent else 'no'} "
                        f"(rule: at least {tol['min_cuts']} cuts, no gap over {tol['max_gap_months']} months, i.e. at most two FOMC "
                        f"meetings skipped).{follow}"}


def baa_yield(baa10y_daily: pd.Series, dgs10_daily: pd.Series) -> pd.Series:
    """Moody's seasoned Baa corporate bond yield (percent per year), daily: FRED BAA10Y (Baa minus
    the 10-year Treasury, pp) plus DGS10 (percent) on the dates both hold (no filling)."""
    both = pd.concat([baa10y_daily, dgs10_daily], axis=1, join="inner").dropna()
    return (both.iloc[:, 0] + both.iloc[:, 1]).rename("baa_yield")


def yield_vs_year_average(series: pd.Series, when, year: int, months_back: int = 12) -> dict:
    """A daily rate (percent per year) at its last observation at or before date `when`, against
    its calendar-year `year` average (mean of that year's daily observations) and against its
    value `months_back` months before that observation (last one at or before that date).
    Keys: level, date, year_average, year_days, earlier, earlier_date, above_pp (level minus the
    year average, pp), change_pp (level minus the earlier value, pp)."""
    level, date = value_at(series, when)
    in_year = series.dropna()
    in_year = in_year[in_year.index.year == year]
    avg = float(in_year.mean()) if len(in_year) else float("nan")
    earlier, earlier_date = value_at(series, date - pd.DateOffset(months=months_back)) if date is not None else (float("nan"), None)
    return {"level": level, "date": date, "year_average": avg, "year_days": len(in_year), "earlier": earlier,
            "earlier_date": earlier_date, "above_pp": level - avg, "change_pp": level - earlier}


def refinancing_verdict(above_pp: float, change_pp: float, min_above_pp: float) -> str:
    """The `refinancing_above_2021` rule: contradicted when the rate is at or below its 2021 average
    (above_pp <= 0); supported when it is above by at least `min_above_pp` and lower than a year
    earlier (change_pp < 0); mixed otherwise (above but not falling, or above by less)."""
    if above_pp <= 0:
        return "contradicted"
    if above_pp >= min_above_pp and change_pp < 0:
        return "supported"
    return "mixed"


def check_refinancing_above_2021(rec, inp, ctx) -> dict:
    """Baa corporate yield (BAA10Y + DGS10) against its 2021 average and a year earlier; the
    10-year Treasury and the effective fed funds rate shown alongside."""
    tol = rec["tolerance"]
    when = pd.Timestamp(tol["date"])
    if ctx["as_of"] < when:
        return {"verdict": "not yet observable", "value": None, "evidence": f"the claim's date is {when.date()}, after as_of."}
    rates = {"Baa corporate yield": baa_yield(inp["baa10y"], inp["dgs10"]), "10-year Treasury (DGS10)": inp["dgs10"],
             "effective fed funds (EFFR)": inp["effr"]}
    stats = {name: yield_vs_year_average(s, when, tol["year"], tol["months_back"]) for name, s in rates.items()}
    head = stats["Baa corporate yield"]
    verdict = refinancing_verdict(head["above_pp"], head["change_pp"], tol["min_above_pp"])
    parts = [f"{name} {st['level']:.2f}% on {st['date'].date()}, {tol['year']} average {st['year_average']:.2f}% "
             f"({st['above_pp']:+.2f} pp), {st['earlier']:.2f}% on {st['earlier_date'].date()} ({st['change_pp']:+.2f} pp over the year)"
             for name, st in stats.items()]
    return {"verdict": verdict, "value": head["above_pp"], "window": f"{head['date'].date()} against {tol['year']} and {head['earlier_date'].date()}",
            "evidence": "; ".join(parts) + f" (percent per year; Baa = FRED BAA10Y + DGS10 on the same dates; rule: Baa at least "
                                           f"{tol['min_above_pp']:.1f} pp above its {tol['year']} average and lower than a year earlier)."}
