"""Rate sensitivity of small vs large caps, and what Fed easing cycles did.

Source tables and units:
* size spread: Fama-French `Portfolios_Formed_on_ME` value-weighted monthly returns,
  `Lo 30` minus `Hi 30` (decimal per month; the regressions use percent per month);
* rates: FRED DGS2 and DGS10 (month-end values, percent), FEDFUNDS (monthly average of the
  effective rate, percent), BAMLH0A0HYM2 (high-yield OAS, month-end, percentage points),
  DFEDTARU/DFEDTARL (target range bounds, percent); changes are in percentage points;
* market control: Fama-French `Mkt-RF` (percent per month in the regressions).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .stats import ols_newey_west
from .timeseries import change_by_date, cumulative_difference, month_end_values, to_monthly_index

TARGET_RANGE_FROM = pd.Period("2008-12", "M")  # the FOMC has set a target range since 2008-12-16
EFFECTIVE_CUT_PP = -0.25   # pre-2008 cut signal: 3-month change of monthly-average EFFR <= -0.25 pp
NEW_CYCLE_QUIET_MONTHS = 12  # a cut starts a new cycle when no cut signal came in the 12 months before


def size_spread(returns: pd.DataFrame, small: str = "Lo 30", large: str = "Hi 30") -> pd.Series:
    """Monthly return of the small portfolio minus the large one (decimal per month)."""
    return (returns[small] - returns[large]).rename(f"{small} - {large}")


def monthly_changes(levels: dict[str, pd.Series]) -> pd.DataFrame:
    """Month-on-month change (percentage points) of each monthly level series, matched by date
    (a month whose previous month is missing gets NaN, not a two-month change)."""
    return pd.DataFrame({name: change_by_date(s, 1) for name, s in levels.items()})


def rate_betas(spread_pct: pd.Series, changes: pd.DataFrame, lags: int, control: pd.Series | None = None) -> pd.DataFrame:
    """One regression per column of `changes`: size spread (percent per month) on that change
    (percentage points), optionally with `control` (market excess return, percent) as a second
    regressor; Newey-West errors with `lags` lags. One row per rate variable."""
    rows = []
    for name in changes.columns:
        X = changes[[name]] if control is None else pd.concat([changes[[name]], control.rename("Mkt-RF")], axis=1)
        fit = ols_newey_west(spread_pct, X, lags=lags)
        ci = fit.conf_int()
        rows.append({"variable": name, "control": "Mkt-RF" if control is not None else "none",
                     "beta": fit.params[name], "se_nw": fit.bse[name], "t_nw": fit.tvalues[name],
                     "ci_low": ci.loc[name, "low"], "ci_high": ci.loc[name, "high"], "months": fit.nobs,
                     "r2": fit.rsquared})
    return pd.DataFrame(rows).set_index(["variable", "control"])


def rolling_beta(y: pd.Series, x: pd.Series, window: int) -> pd.DataFrame:
    """Rolling OLS slope of y on x over `window` months, with its plain OLS standard error and
    a 95% band (slope +- 1.96 se). Rows with a NaN are dropped first."""
    df = pd.concat([y.rename("y"), x.rename("x")], axis=1, join="inner").dropna()
    rows = {}
    for end in range(window, len(df) + 1):
        seg = df.iloc[end - window:end]
        res = sm.OLS(seg["y"].to_numpy(), sm.add_constant(seg["x"].to_numpy())).fit()
        rows[df.index[end - 1]] = (res.params[1], res.bse[1])
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["beta", "se"])
    out["low"], out["high"] = out["beta"] - 1.96 * out["se"], out["beta"] + 1.96 * out["se"]
    return out


def cut_signals(effective_monthly: pd.Series, target_upper_daily: pd.Series) -> pd.Series:
    """Months with a cut signal (bool, monthly PeriodIndex).

    Before 2008-12: the monthly average effective rate (FEDFUNDS) is at least 0.25 pp below
    its value three months earlier (by date). From 2008-12: the month-end target upper bound
    is below the previous month-end's.
    """
    eff = to_monthly_index(effective_monthly.dropna())
    prior = eff.copy()
    prior.index = prior.index + 3
    early = (eff - prior.reindex(eff.index)) <= EFFECTIVE_CUT_PP + 1e-9
    early = early[early.index < TARGET_RANGE_FROM]
    upper = month_end_values(target_upper_daily)
    prev = upper.copy()
    prev.index = prev.index + 1
    late = (upper < prev.reindex(upper.index))
    late = late[late.index >= TARGET_RANGE_FROM]
    return pd.concat([early, late]).sort_index().astype(bool)


def first_cuts(signals: pd.Series, quiet_months: int = NEW_CYCLE_QUIET_MONTHS) -> list[pd.Period]:
    """First month of each easing cycle: a cut signal with no signal in the `quiet_months`
    months before it."""
    months = [p for p, v in signals.items() if v]
    out = []
    for p in months:
        if not any(p - k in set(months) for k in range(1, quiet_months + 1)):
            out.append(p)
    return out


def recession_within(usrec: pd.Series, month: pd.Period, months: int) -> bool | None:
    """True if a recession began (USREC 0 -> 1) in month .. month+`months`, or the economy was
    already in one at `month`; None when USREC does not cover the whole window."""
    u = to_monthly_index(usrec.dropna())
    window = pd.period_range(month, month + months, freq="M")
    if not all(p in u.index for p in window):
        return None
    return bool((u.reindex(window) >= 0.5).any())


def event_paths(returns: pd.DataFrame, small: str, large: str, events: list[pd.Period], before: int, after: int,
                as_of: pd.Period) -> pd.DataFrame:
    """Cumulative small-minus-large return (decimal) from `before` months before each event to
    `after` months after it: column per event, index = month relative to the event (-before-1
    is the zero baseline). Months after `as_of` are left empty."""
    r = returns[returns.index <= as_of]
    out = {}
    for e in events:
        seg = r[(r.index >= e - before) & (r.index <= e + after)]
        path = cumulative_difference(seg, small, large)
        idx = [(p - e).n for p in path.index]
        s = pd.Series(path.to_numpy(), index=idx)
        s.loc[-before - 1] = 0.0
        out[str(e)] = s.sort_index()
    return pd.DataFrame(out).reindex(range(-before - 1, after + 1))


def spread_after(returns: pd.DataFrame, small: str, large: str, events: list[pd.Period], months: int,
                 as_of: pd.Period) -> pd.Series:
    """Cumulative small-minus-large return (decimal) over months e+1..e+`months` after each
    event; events whose window is not complete by `as_of` are left out."""
    out = {}
    for e in events:
        if e + months > as_of:
            continue
        seg = returns[(returns.index > e) & (returns.index <= e + months)]
        if len(seg) == months and seg[[small, large]].notna().all().all():
            out[str(e)] = cumulative_difference(seg, small, large).iloc[-1]
    return pd.Series(out, dtype=float, name=f"{small} - {large}, {months}m after")


def big_move_days(small_ret: pd.Series, large_ret: pd.Series, yield_daily: pd.Series, threshold_pp: float) -> pd.DataFrame:
    """Mean daily small-minus-large return (decimal) on days when the yield rose or fell by at
    least `threshold_pp` percentage points (change from the previous observation), and on
    other days, with counts. Only days where all three series have observations."""
    dy = yield_daily.dropna().diff()
    df = pd.concat([(small_ret - large_ret).rename("spread"), dy.rename("dy")], axis=1, join="inner").dropna()
    bucket = np.where(df["dy"] >= threshold_pp, "yield up big", np.where(df["dy"] <= -threshold_pp, "yield down big", "other days"))
    g = df.groupby(bucket)
    t = g["spread"].mean() / (g["spread"].std(ddof=1) / np.sqrt(g["spread"].size()))
    return pd.DataFrame({"days": g.size(), "mean_spread": g["spread"].mean(), "t": t,
                         "mean_yield_change_pp": g["dy"].mean()})


def summary(returns: pd.DataFrame, dgs2_daily: pd.Series, fedfunds: pd.Series, upper_daily: pd.Series,
            start: pd.Period, as_of: pd.Period, as_of_date: pd.Timestamp) -> dict:
    """The notebook's headline figures for start..as_of:
    size_spread_beta_dgs2 (percent per month per pp, NW 6 lags, no control) and its t;
    easing_cycles (first cuts from start to as_of); mean_spread_12m_after_first_cut (decimal,
    mean over cycles with a complete window); fed_target_upper (percent, last at or before as_of_date)."""
    from .timeseries import value_at

    spread = size_spread(returns) * 100
    spread = spread[(spread.index >= start) & (spread.index <= as_of)]
    d2 = monthly_changes({"DGS2": month_end_values(dgs2_daily)})
    fit = ols_newey_west(spread, d2[["DGS2"]], lags=6)
    cuts = [p for p in first_cuts(cut_signals(fedfunds, upper_daily)) if start <= p <= as_of]
    after = spread_after(returns, "Lo 30", "Hi 30", cuts, 12, as_of)
    upper, upper_date = value_at(upper_daily, as_of_date)
    return {"size_spread_beta_dgs2": float(fit.params["DGS2"]), "size_spread_beta_dgs2_t": float(fit.tvalues["DGS2"]),
            "size_spread_beta_dgs2_months": fit.nobs, "easing_cycles": len(cuts), "first_cuts": [str(c) for c in cuts],
            "mean_spread_12m_after_first_cut": float(after.mean()) if len(after) else float("nan"),
            "cycles_with_12m": len(after), "fed_target_upper": upper,
            "fed_target_upper_date": None if upper_date is None else str(upper_date.date())}


def total_return_since(small: pd.Series, large: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> dict:
    """Total return (decimal) of two adjusted price series from the last close before `start`
    to the last common close at or before `end`, and their difference, with the dates used."""
    df = pd.concat([small.rename("s"), large.rename("l")], axis=1, join="inner").dropna()
    base = df[df.index < start]
    seg = df[(df.index >= start) & (df.index <= end)]
    if base.empty or seg.empty:
        return {"from": None, "to": None, "small": float("nan"), "large": float("nan"), "difference": float("nan")}
    b, e = base.iloc[-1], seg.iloc[-1]
    rs, rl = e["s"] / b["s"] - 1, e["l"] / b["l"] - 1
    return {"from": str(base.index[-1].date()), "to": str(seg.index[-1].date()), "small": rs, "large": rl, "difference": rs - rl}


def cumulative_since(returns: pd.DataFrame, small: str, large: str, first: pd.Period, last: pd.Period) -> dict:
    """Compounded return (decimal) of two monthly return columns over months first..last and
    their difference, with the months used (the monthly analogue of `total_return_since`)."""
    seg = returns[(returns.index >= first) & (returns.index <= last)][[small, large]].dropna()
    if seg.empty:
        return {"from": None, "to": None, "small": float("nan"), "large": float("nan"), "difference": float("nan")}
    rs, rl = (1 + seg[small]).prod() - 1, (1 + seg[large]).prod() - 1
    return {"from": str(seg.index[0]), "to": str(seg.index[-1]), "small": rs, "large": rl, "difference": rs - rl}


def mean_paths_by_group(paths: pd.DataFrame, groups: dict[str, object], labels: dict[object, str]) -> pd.DataFrame:
    """Average of event paths (columns of `paths`) within each group: `groups` maps a column
    to its group key, `labels` maps group keys to the output column names (keys not in
    `labels`, e.g. None for unknown, are left out)."""
    out = {}
    for key, name in labels.items():
        cols = [c for c in paths.columns if groups.get(c) == key]
        out[f"{name} ({len(cols)} cycles)"] = paths[cols].mean(axis=1) if cols else pd.Series(float("nan"), index=paths.index)
    return pd.DataFrame(out)
