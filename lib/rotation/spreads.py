"""Small minus large: the candidate definitions, the ETF spread they are judged against, and
the one headline definition the collection uses. Pure functions, frames in and out.

Units: every return here is a decimal per month (0.01 = 1% in the month) unless a name says
otherwise; tracking errors are decimals per year.

Sources:

* Fama-French `Portfolios_Formed_on_ME` (dataset `ff_portfolios_me`), tables "Average Value
  Weight Returns -- Monthly" (VW) and "Average Equal Weighted Returns -- Monthly" (EW):
  portfolios formed each June on NYSE size breakpoints, all NYSE, AMEX and NASDAQ stocks.
  A spread is the return of the smaller group minus that of the larger one, month by month.
* Fama-French 5 factors (2x3) (dataset `ff_5_factors`, untitled monthly table), column `SMB`:
  value-weighted by construction, so its weighting is "VW".
* Daily adjusted closes of IWM (iShares Russell 2000 ETF) and SPY (SPDR S&P 500 ETF), split-
  and dividend-adjusted, so month-end to month-end changes are total returns net of fund fees.

A candidate is named by (spread, weighting): spread as Fama-French column names joined by
"-" (e.g. "Lo 20-Hi 20", "SMB") and weighting "VW" or "EW".
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .timeseries import month_end_dates, month_end_values, to_monthly_index

# spread name -> (small leg, large leg): columns of Portfolios_Formed_on_ME
SPREADS: dict[str, tuple[str, str]] = {
    "Lo 30-Hi 30": ("Lo 30", "Hi 30"),   # bottom 30% minus top 30% (NYSE breakpoints)
    "Lo 20-Hi 20": ("Lo 20", "Hi 20"),   # smallest minus largest quintile
    "Qnt 2-Hi 20": ("Qnt 2", "Hi 20"),   # second quintile minus largest: small caps without micro-caps
    "Lo 10-Hi 10": ("Lo 10", "Hi 10"),   # smallest minus largest decile (micro-caps)
    "Lo 30-Hi 10": ("Lo 30", "Hi 10"),   # bottom 30% minus the largest decile (mega-caps)
}
WEIGHTINGS = ("VW", "EW")
SMB = "SMB"
BENCHMARK = "IWM-SPY"

# The headline definition of "small minus large" for the whole collection: the Fama-French size
# factor SMB (5-factor file, 2x3 sorts, value-weighted). It is a DEFINITION, fixed once on the
# 2000-2026 data, not an estimate: runs at any as_of use it, including dates before the data
# it was chosen on. The rule, set before looking: among all candidates, the highest monthly
# correlation with IWM minus SPY; candidates within 0.01 of the highest count as tied and the
# lowest annualised tracking error wins. On the full store (IWM from its first full month
# 2000-06 to the last month each candidate covers) the top four were (correlation, tracking
# error per year, months):
#   Qnt 2-Hi 20 VW  0.969  3.23%  309 (2000-06..2026-02)
#   SMB VW          0.959  2.85%  310 (2000-06..2026-03)   <- within 0.01 of the top, lower TE
#   Lo 30-Hi 10 VW  0.933  5.62%  309
#   Lo 30-Hi 30 VW  0.920  5.23%  309
# (on the 309 months all share, SMB: 0.959, 2.85%). SMB's beta is 1.00 (IWM-SPY moves one for
# one with it), Qnt 2-Hi 20's 0.83. The tie-break is narrow (0.0094 of correlation), so the
# runner-up Qnt 2-Hi 20 VW belongs in every robustness grid; it is also the longest close
# substitute: SMB starts 1963-07, the ME portfolios 1926-07.
HEADLINE: tuple[str, str] = (SMB, "VW")
HEADLINE_CHOSEN_ON = "2000-06 to 2026-03"  # the months of IWM minus SPY the definition was fixed on


def source_of(spread: str, weighting: str) -> str:
    """The Fama-French file and table a candidate comes from (for source lines)."""
    if spread == SMB:
        return "Fama-French 5 factors (2x3), SMB"
    table = {"VW": "Average Value Weight Returns", "EW": "Average Equal Weighted Returns"}[weighting]
    return f"Fama-French Portfolios_Formed_on_ME, {table} -- Monthly"


def label(spread: str, weighting: str) -> str:
    """A candidate's display name, e.g. "Lo 20-Hi 20, VW"."""
    return f"{spread}, {weighting}"


def candidate_spreads(me_vw: pd.DataFrame, me_ew: pd.DataFrame, factors: pd.DataFrame) -> pd.DataFrame:
    """Monthly small-minus-large returns of every candidate (decimal per month).

    `me_vw`, `me_ew`: Portfolios_Formed_on_ME "Average Value Weight Returns -- Monthly" and
    "Average Equal Weighted Returns -- Monthly" (decimals per month, monthly index); `factors`:
    the 5-factor monthly table (column `SMB`, decimal per month).

    Columns: a MultiIndex (spread, weighting), e.g. ("Lo 20-Hi 20", "EW"), in the order of
    `SPREADS` x `WEIGHTINGS`, then ("SMB", "VW"). Rows: the union of the months of the three
    tables (PeriodIndex "M"); a candidate is NaN in months its source does not cover (SMB
    starts 1963-07). No month is filled.
    """
    tables = {"VW": to_monthly_index(me_vw), "EW": to_monthly_index(me_ew)}
    cols = {}
    for spread, (small, large) in SPREADS.items():
        for weighting in WEIGHTINGS:
            t = tables[weighting]
            cols[(spread, weighting)] = t[small] - t[large]
    cols[(SMB, "VW")] = to_monthly_index(factors)[SMB]
    out = pd.concat(cols, axis=1).sort_index()
    out.columns = pd.MultiIndex.from_tuples(list(cols), names=["spread", "weighting"])
    out.index.name = "period"
    out.attrs = {"units": "decimal return per month",
                 "source": "Fama-French Portfolios_Formed_on_ME (VW and EW monthly returns); 5 factors (SMB)"}
    return out


def candidate(candidates: pd.DataFrame, spread: str, weighting: str) -> pd.Series:
    """One candidate's monthly series (decimal per month), months it does not cover dropped.
    Named by `label(spread, weighting)`."""
    key = (spread, weighting)
    if key not in candidates.columns:
        have = ", ".join(label(*c) for c in candidates.columns)
        raise KeyError(f"no candidate {label(*key)!r}; candidates are: {have}")
    s = candidates[key].dropna()
    s.name = label(spread, weighting)
    s.attrs = {"units": "decimal return per month", "spread": spread, "weighting": weighting}
    return s


def _month_end_closes(daily: pd.Series) -> pd.DataFrame:
    """Each month's last close and its date, for months that are over in the data: a month
    counts when the series has a later observation or its last close falls on the month's
    last weekday (a final month that stops earlier is partial and left out)."""
    daily = daily.dropna().sort_index()
    out = pd.DataFrame({"close": month_end_values(daily), "date": month_end_dates(daily)})
    if len(out):
        last = out.index[-1]
        last_weekday = (last.to_timestamp(how="start") + pd.offsets.BMonthEnd(0)).normalize()
        if out["date"].iloc[-1].normalize() < last_weekday:
            out = out.drop(index=last)
    return out


def etf_spread_monthly(iwm_daily: pd.Series, spy_daily: pd.Series) -> pd.Series:
    """Monthly total return of IWM minus that of SPY (decimal per month), from adjusted closes.

    Each fund's return in month m is its month-end close of m over that of m-1, minus 1
    (`rotation.timeseries.month_end_values`; the closes are split- and dividend-adjusted, so
    this is a total return net of the funds' fees). A month counts only when both funds have a
    close on the month's last trading day in the data (the last date either fund trades that
    month) and the month is over; a return needs both month m and the calendar month before it,
    matched by date, not row position. So the first month is the first full month after IWM
    starts (IWM's first close is 2000-05-26: the first return is June 2000), and a month in
    which either fund lacks its month-end close gives no return for that month or the next.
    Index: PeriodIndex "M"; name "IWM-SPY".
    """
    a, b = _month_end_closes(iwm_daily), _month_end_closes(spy_daily)
    both = pd.concat([a.add_suffix("_a"), b.add_suffix("_b")], axis=1, join="inner")
    both = both[both["date_a"] == both["date_b"]]
    prior = both.copy()
    prior.index = prior.index + 1
    prior = prior.reindex(both.index)
    ret_a = both["close_a"] / prior["close_a"] - 1.0
    ret_b = both["close_b"] / prior["close_b"] - 1.0
    out = (ret_a - ret_b).dropna()
    out.index = pd.PeriodIndex(out.index, freq="M", name="period")
    out.name = BENCHMARK
    out.attrs = {"units": "decimal return per month",
                 "source": "IWM and SPY daily adjusted closes (Yahoo Finance snapshot), month-end to month-end"}
    return out


def tracking_table(candidates: pd.DataFrame, benchmark: pd.Series) -> pd.DataFrame:
    """How closely each candidate follows `benchmark` (e.g. IWM minus SPY), month by month.

    For each candidate column, over the months both it and the benchmark cover (matched by
    date): `months` (count), `first` and `last` month, `correlation` of the monthly returns,
    `tracking_error` = standard deviation (ddof=1) of the monthly difference candidate minus
    benchmark times sqrt(12) (decimal per year), and `beta` = the slope of the benchmark on
    the candidate, cov(benchmark, candidate) / var(candidate) (ddof=1 both), with `alpha` the
    intercept of that line, mean(benchmark) - beta x mean(candidate) (decimal per month). Statistics are
    NaN with fewer than 3 common months. Rows are indexed like the candidate columns (spread,
    weighting) and sorted by correlation, highest first (NaN last).
    """
    bench = to_monthly_index(benchmark.dropna())
    cands = to_monthly_index(candidates)
    rows = []
    for col in cands.columns:
        both = pd.concat([cands[col].rename("c"), bench.rename("b")], axis=1, join="inner").dropna()
        n = len(both)
        row = {"months": n, "first": both.index.min() if n else None, "last": both.index.max() if n else None,
               "correlation": np.nan, "tracking_error": np.nan, "beta": np.nan, "alpha": np.nan}
        if n >= 3:
            c, b = both["c"].to_numpy(float), both["b"].to_numpy(float)
            row["correlation"] = float(np.corrcoef(c, b)[0, 1])
            row["tracking_error"] = float(np.std(c - b, ddof=1) * np.sqrt(12.0))
            row["beta"] = float(np.cov(b, c, ddof=1)[0, 1] / np.var(c, ddof=1))
            row["alpha"] = float(b.mean() - row["beta"] * c.mean())
        rows.append(row)
    index = (pd.MultiIndex.from_tuples(list(cands.columns), names=cands.columns.names)
             if isinstance(cands.columns, pd.MultiIndex) else pd.Index(cands.columns))
    out = pd.DataFrame(rows, index=index)
    out = out.sort_values("correlation", ascending=False, na_position="last", kind="mergesort")
    out.attrs = {"units": "correlation: -1..1; tracking_error: decimal per year; beta: benchmark per unit of "
                          "candidate; alpha: decimal per month"}
    return out


def best_tracking(table: pd.DataFrame, tie: float = 0.01):
    """The row label of the best-tracking candidate in a `tracking_table`: the highest
    correlation, with a near-tie (correlation within `tie` of the highest) going to the lowest
    tracking error. None when no candidate has a correlation."""
    t = table.dropna(subset=["correlation", "tracking_error"])
    if t.empty:
        return None
    near = t[t["correlation"] >= t["correlation"].max() - tie]
    return near["tracking_error"].idxmin()


def group_profile(firms: pd.DataFrame, avg_size: pd.DataFrame, month, groups=("Lo 10", "Lo 20", "Qnt 2", "Hi 20")) -> pd.DataFrame:
    """Who is in the size groups in `month`: for each group, the number of firms, their share
    of all firms in the size portfolios (all = Lo 30 + Med 40 + Hi 30) and their average market
    value ($ million).

    `firms`, `avg_size`: Portfolios_Formed_on_ME "Number of Firms in Portfolios" and "Average
    Firm Size" ($ million), monthly. Groups are cut at NYSE percentiles but hold NYSE, AMEX
    (from 1962-07) and NASDAQ (from 1972-12) stocks, so the bottom groups hold far more than
    their NYSE share of firms. Empty frame when `month` is not in `firms`.
    """
    firms, avg_size = to_monthly_index(firms), to_monthly_index(avg_size)
    month = pd.Period(month, "M")
    if month not in firms.index:
        return pd.DataFrame(columns=["firms", "share_of_firms", "avg_size_musd"], dtype=float)
    row, size = firms.loc[month], avg_size.loc[month]
    total = float(row[["Lo 30", "Med 40", "Hi 30"]].sum())
    out = pd.DataFrame({"firms": [int(row[g]) for g in groups],
                        "share_of_firms": [float(row[g]) / total for g in groups],
                        "avg_size_musd": [float(size[g]) for g in groups]}, index=pd.Index(list(groups), name="group"))
    out.attrs = {"month": str(month), "firms_total": int(total),
                 "units": "firms: count; share_of_firms: decimal; avg_size_musd: $ million"}
    return out


def headline_spread(me_vw: pd.DataFrame, me_ew: pd.DataFrame, factors: pd.DataFrame) -> pd.Series:
    """The headline small-minus-large series, `HEADLINE` (decimal per month; months its source
    does not cover dropped: SMB starts 1963-07); inputs as for `candidate_spreads`."""
    return candidate(candidate_spreads(me_vw, me_ew, factors), *HEADLINE)


def one_period_spreads(me_vw: pd.DataFrame, me_ew: pd.DataFrame, factors: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    """Every candidate as the one-period series of the specification grids (decimal per month),
    keyed (spread, weighting): the log return difference log(1 + r_small) - log(1 + r_large)
    for the two-leg Fama-French spreads (so that sums over months are compounded returns), and
    SMB itself (a long-short factor return with no legs to take logs of). Months a source does
    not cover are dropped, nothing filled."""
    from .inference import log_spread

    tables = {"VW": to_monthly_index(me_vw), "EW": to_monthly_index(me_ew)}
    out: dict[tuple[str, str], pd.Series] = {}
    for spread, (small, large) in SPREADS.items():
        for weighting in WEIGHTINGS:
            s = log_spread(tables[weighting], small, large).dropna()
            s.name = label(spread, weighting)
            out[(spread, weighting)] = s
    smb = to_monthly_index(factors)[SMB].dropna().rename(label(SMB, "VW"))
    out[(SMB, "VW")] = smb
    return out


def headline_one_period(me_vw: pd.DataFrame, me_ew: pd.DataFrame, factors: pd.DataFrame) -> pd.Series:
    """The headline definition (`HEADLINE`) as a one-period series (see `one_period_spreads`)."""
    return one_period_spreads(me_vw, me_ew, factors)[HEADLINE]


def chosen_on_end() -> pd.Period:
    """The last month of the IWM-minus-SPY data the headline definition was fixed on."""
    return pd.Period(HEADLINE_CHOSEN_ON.split(" to ")[-1], "M")


def best_tracking_at(me_vw: pd.DataFrame, me_ew: pd.DataFrame, factors: pd.DataFrame, iwm_daily: pd.Series,
                     spy_daily: pd.Series, window):
    """The (spread, weighting) the headline's rule (`best_tracking` of `tracking_table` against
    IWM minus SPY) picks on the data up to the window's as_of, or None when no month of ETF
    returns exists by then. Inputs as for `candidate_spreads` and `etf_spread_monthly`."""
    etf = window.to_date(etf_spread_monthly(window.to_date(iwm_daily), window.to_date(spy_daily)))
    return best_tracking(tracking_table(window.to_date(candidate_spreads(me_vw, me_ew, factors)), etf))


def state_headline(window, best) -> None:
    """Record the headline definition (`small_minus_large_definition`) and what the rule picks on
    the data published by as_of (`small_minus_large_best_tracking`, from `best_tracking_at`), both
    quiet, and say which definition the report uses; a report dated before the end of the data
    the definition was fixed on says that it is a definition, not an estimate of that date, and
    whether the rule would have picked it then. One sentence, the same in every notebook."""
    from . import findings, results

    results.record("small_minus_large_definition", label(*HEADLINE), "definition", window.as_of_month,
                   f"the collection's headline small-minus-large series, fixed once on the months {HEADLINE_CHOSEN_ON} of IWM "
                   "minus SPY (highest monthly correlation, near-ties within 0.01 to the lower tracking error): a definition, "
                   "not an estimate", quiet=True)
    results.record("small_minus_large_best_tracking", None if best is None else label(*best), "definition", window.as_of_month,
                   "the candidate the headline's rule picks on the IWM minus SPY months published by as_of "
                   "(none before a full common month)", quiet=True)
    if window.as_of_month >= chosen_on_end():
        findings.say("The headline small-minus-large spread is {name}, the candidate that best tracks the Russell 2000 against the "
                     "S&P 500 (IWM minus SPY) over the months {chosen}.",
                     name=findings.figure("small_minus_large_definition"), chosen=findings.text(HEADLINE_CHOSEN_ON))
        return
    findings.say("The headline small-minus-large spread, {name}, is a definition fixed for the collection on the IWM-minus-SPY "
                 "months {chosen}, after this date, not an estimate made with the data of {as_of}; {then}.",
                 name=findings.figure("small_minus_large_definition"), chosen=findings.text(HEADLINE_CHOSEN_ON),
                 as_of=findings.text(window.as_of.date()),
                 then=(findings.text("no month of ETF returns had been published by then to choose with") if best is None else
                       findings.compare("small_minus_large_best_tracking", "==", "small_minus_large_definition",
                                        "on the months published by then the same rule also picks it",
                                        f"on the months published by then the rule picks {label(*best)} instead (it is in the robustness grid)")))
