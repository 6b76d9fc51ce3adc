"""Date-correct helpers shared by the topic modules. Pure functions, no I/O.

Conventions: monthly series carry a monthly PeriodIndex; daily series a DatetimeIndex.
Returns are decimals (0.01 = 1%).
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def to_monthly_index(s: pd.Series | pd.DataFrame):
    """Give a monthly series a monthly PeriodIndex (from a DatetimeIndex of any day in the month)."""
    if isinstance(s.index, pd.PeriodIndex):
        return s
    out = s.copy()
    out.index = pd.PeriodIndex(out.index, freq="M", name="period")
    return out


def month_end_values(daily: pd.Series) -> pd.Series:
    """Last observation of each calendar month, indexed by month (PeriodIndex "M").

    `attrs["obs_date"]` is not kept; use `month_end_dates` for the actual dates.
    Months without any observation are absent (not filled).
    """
    daily = daily.dropna()
    months = daily.index.to_period("M")
    out = daily.groupby(months).last()
    out.index.name = "period"
    out.name = daily.name
    return out


def month_end_dates(daily: pd.Series) -> pd.Series:
    """The date of the last observation in each month (the date `month_end_values` refers to)."""
    daily = daily.dropna()
    idx = pd.Series(daily.index, index=daily.index)
    out = idx.groupby(daily.index.to_period("M")).last()
    out.index.name = "period"
    return out


def complete_months_only(daily: pd.Series) -> pd.Series:
    """A daily series without the observations of a final month it does not finish: the last
    month is kept only when its last observation falls on or after the month's last weekday (a
    series that stops, or is cut at as_of, mid-month gives no value for that month rather than a
    partial monthly mean). Nothing is filled."""
    s = daily.dropna().sort_index()
    if s.empty:
        return s
    last = s.index[-1].to_period("M")
    if s.index[-1].normalize() < (last.to_timestamp(how="start") + pd.offsets.BMonthEnd(0)).normalize():
        s = s[s.index.to_period("M") < last]
    return s


def monthly_mean(daily: pd.Series) -> pd.Series:
    """Average of each calendar month's observations (PeriodIndex "M"), complete months only: a
    final month the series does not finish (it stops, or is cut at as_of, before the month's
    last weekday) gives no value (`complete_months_only`), so a mean is never labelled with a
    month it only partly covers."""
    daily = complete_months_only(daily)
    out = daily.groupby(daily.index.to_period("M")).mean()
    out.index.name = "period"
    return out


def change_by_date(monthly: pd.Series, months: int) -> pd.Series:
    """Difference from the value exactly `months` calendar months earlier, matched by date.

    A month whose partner month is missing gives NaN (a row-position shift would silently
    compare against the wrong month when a month is missing).
    """
    m = to_monthly_index(monthly.dropna())
    lagged = m.copy()
    lagged.index = lagged.index + months
    return (m - lagged.reindex(m.index)).rename(m.name)


def pct_change_by_date(monthly: pd.Series, months: int = 12) -> pd.Series:
    """Percent change (decimal) over `months` calendar months, matched by date, not row position.

    Example: with October 2025 CPI missing, the November 2026 12-month change still uses
    November 2025, and October 2026's change is NaN rather than a 13-month change.
    """
    m = to_monthly_index(monthly.dropna())
    prior = m.copy()
    prior.index = prior.index + months
    return (m / prior.reindex(m.index) - 1.0).rename(m.name)


def value_at(series: pd.Series, when) -> tuple[float, object]:
    """The last observation at or before `when`, and the date/period it refers to.

    Returns (nan, None) when there is none. Never forward-fills: the returned date says how
    old the value is.
    """
    s = series.dropna()
    if isinstance(s.index, pd.PeriodIndex):
        when = pd.Period(when, s.index.freqstr)
    else:
        when = pd.Timestamp(when) if not isinstance(when, pd.Period) else when.to_timestamp(how="end")
    s = s[s.index <= when]
    if s.empty:
        return float("nan"), None
    return float(s.iloc[-1]), s.index[-1]


def percentile_rank(history: pd.Series, value: float) -> float:
    """Share of `history` at or below `value`, times 100 (0-100). NaNs are ignored."""
    h = history.dropna().to_numpy(dtype=float)
    if h.size == 0 or value is None or np.isnan(value):
        return float("nan")
    return float((h <= value).mean() * 100.0)


def zscore(history: pd.Series, value: float) -> float:
    """(value - mean) / standard deviation (ddof=1) of `history`."""
    h = history.dropna()
    return float((value - h.mean()) / h.std(ddof=1))


def expanding_percentile(series: pd.Series, min_periods: int = 60) -> pd.Series:
    """At each date, the percentile (0-100) of the value within its own history up to and
    including that date: no look-ahead. NaN until `min_periods` observations exist."""
    s = series.dropna()
    vals = s.to_numpy(dtype=float)
    n = len(vals)
    # at_or_below[i, j] = vals[j] <= vals[i], counted only for j <= i (the history to date)
    at_or_below = np.tril(vals[None, :] <= vals[:, None])
    out = at_or_below.sum(axis=1) / np.arange(1, n + 1) * 100.0
    out[: max(min_periods - 1, 0)] = np.nan
    return pd.Series(out, index=s.index, name=s.name)


def forward_return(monthly_returns: pd.Series, months: int, annualise: bool = True) -> pd.Series:
    """Compounded return over the `months` months *after* each month t (t+1 .. t+months).

    Decimal; annualised (per year) when `annualise`. NaN where any of the future months is
    missing or beyond the data. Requires a complete monthly PeriodIndex (checked).
    """
    r = to_monthly_index(monthly_returns)
    full = pd.period_range(r.index.min(), r.index.max(), freq="M")
    r = r.reindex(full)
    growth = np.log1p(r)
    # sum of log growth over t+1..t+months, by date
    fwd = growth[::-1].rolling(months, min_periods=months).sum()[::-1].shift(-1)
    total = np.expm1(fwd)
    if annualise:
        total = (1.0 + total) ** (12.0 / months) - 1.0
    total.name = monthly_returns.name
    return total


def forward_return_difference(returns: pd.DataFrame, a: str, b: str, months: int) -> pd.Series:
    """Annualised compounded return of column `a` minus that of column `b` over months
    t+1..t+months (decimal per year); NaN where either window is incomplete."""
    fa = forward_return(returns[a], months, annualise=True)
    fb = forward_return(returns[b], months, annualise=True)
    return (fa - fb).rename(f"{a} - {b}, next {months}m")


def cumulative_difference(returns: pd.DataFrame, a: str, b: str) -> pd.Series:
    """Cumulative compounded return of column `a` minus that of column `b` (decimal), over
    the rows given, in order: (1+a1)(1+a2).. - (1+b1)(1+b2).."""
    return ((1 + returns[a]).cumprod() - (1 + returns[b]).cumprod()).rename(f"{a} - {b}")


def common_window_returns(closes: dict[str, pd.Series], base_date, end) -> dict:
    """Returns (decimal) of several daily close series over one window of common dates: from the
    last date at or before `base_date` on which every series has a close, to the last common date
    after `base_date` and at or before `end` (nothing filled forward; a series that ends early
    ends the window). On adjusted ETF closes the returns are total returns. Returns from, to
    (Timestamps, None when the window is empty) and returns (name -> decimal, NaN when empty)."""
    frame = pd.concat(closes, axis=1, join="inner").dropna()
    base = frame[frame.index <= pd.Timestamp(base_date)]
    seg = frame[(frame.index > pd.Timestamp(base_date)) & (frame.index <= pd.Timestamp(end))]
    if base.empty or seg.empty:
        return {"from": None, "to": None, "returns": {k: float("nan") for k in closes}}
    b, e = base.iloc[-1], seg.iloc[-1]
    return {"from": base.index[-1], "to": seg.index[-1], "returns": {k: float(e[k] / b[k] - 1.0) for k in closes}}

