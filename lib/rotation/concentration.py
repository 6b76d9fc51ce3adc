"""Market concentration: how much of the market the biggest firms hold, and what followed.

Source table: Fama-French `Portfolios_Formed_on_ME` (NYSE breakpoints; all NYSE, AMEX and
NASDAQ firms with CRSP data from 1963, NYSE only before that), tables "Number of Firms in
Portfolios" and "Average Firm Size" ($ millions) and "Average Value Weight Returns -- Monthly".

Definitions (all pure functions on frames with a monthly PeriodIndex):
* market cap of a size portfolio = number of firms x average firm size ($ millions);
* `top_decile_share` = cap of `Hi 10` / sum of the caps of the ten deciles (decimal, 0-1);
* small-minus-large forward return over h months = annualised compounded return of the small
  portfolio over months t+1..t+h minus that of the large portfolio (decimal per year).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .stats import ols_newey_west
from .timeseries import cumulative_difference, expanding_percentile, forward_return_difference

DECILES = ["Lo 10", "2-Dec", "3-Dec", "4-Dec", "5-Dec", "6-Dec", "7-Dec", "8-Dec", "9-Dec", "Hi 10"]
QUINTILES = ["Lo 20", "Qnt 2", "Qnt 3", "Qnt 4", "Hi 20"]
MIN_HISTORY_MONTHS = 120  # a month is classed high/low only once 10 years of its history exist


def portfolio_caps(firms: pd.DataFrame, avg_size: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Market cap ($ millions) of each portfolio: number of firms x average firm size."""
    return firms[columns] * avg_size[columns]


def top_share(firms: pd.DataFrame, avg_size: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Share (decimal) of the summed cap of `columns` held by the last of them (the biggest)."""
    caps = portfolio_caps(firms, avg_size, columns)
    return (caps[columns[-1]] / caps.sum(axis=1, min_count=len(columns))).rename("share")


def top_decile_share(firms: pd.DataFrame, avg_size: pd.DataFrame) -> pd.Series:
    """Share of total market cap in the top NYSE size decile (`Hi 10`), decimal."""
    return top_share(firms, avg_size, DECILES).rename("top_decile_share")


def top_quintile_share(firms: pd.DataFrame, avg_size: pd.DataFrame) -> pd.Series:
    """Share of total market cap in the top NYSE size quintile (`Hi 20`), decimal."""
    return top_share(firms, avg_size, QUINTILES).rename("top_quintile_share")


def small_minus_large_forward(returns: pd.DataFrame, small: str, large: str, months: int) -> pd.Series:
    """Annualised compounded return of `small` minus that of `large` over months t+1..t+months
    (decimal per year). Returns are decimals per month."""
    return forward_return_difference(returns, small, large, months)


def high_flags(share: pd.Series, pct: float, min_history: int = MIN_HISTORY_MONTHS) -> pd.Series:
    """1.0 where the share is above the `pct` percentile of its own history up to that month
    (expanding window, no look-ahead), 0.0 where not, NaN before `min_history` months exist."""
    p = expanding_percentile(share, min_periods=min_history)
    return (p > pct).astype(float).where(p.notna()).reindex(share.index)


def clusters(flags: pd.Series, gap_months: int = 12) -> list[tuple[pd.Period, pd.Period]]:
    """Runs of True (or 1.0) months, merging runs separated by fewer than `gap_months` False months:
    the number of distinct episodes a conditional average rests on."""
    months = [p for p, v in flags.items() if v == 1]
    out = []
    for p in months:
        if out and (p - out[-1][1]).n <= gap_months:
            out[-1] = (out[-1][0], p)
        else:
            out.append((p, p))
    return out


def conditional_forward(share: pd.Series, returns: pd.DataFrame, small: str, large: str,
                        horizons_years: list[int], pct: float, as_of: pd.Period) -> pd.DataFrame:
    """Mean future small-minus-large return after high-concentration months vs all other months.

    Only windows that end by `as_of` count (no data after `as_of` is used). For each horizon:
    mean after high months, mean after other months, their difference with a Newey-West
    t-statistic (lags = horizon in months, the overlap), months used and distinct episodes.
    """
    rows = []
    flags = high_flags(share, pct)
    r = returns[returns.index <= as_of]
    for h in horizons_years:
        fwd = small_minus_large_forward(r, small, large, 12 * h)
        df = pd.concat([fwd.rename("fwd"), flags.rename("high")], axis=1, join="inner").dropna()
        df = df[share.reindex(df.index).notna()]
        high = df[df["high"].astype(bool)]
        rest = df[~df["high"].astype(bool)]
        row = {"horizon_years": h, "pair": f"{small} minus {large}",
               "mean_after_high": high["fwd"].mean(), "mean_after_other": rest["fwd"].mean(),
               "n_high_months": len(high), "n_other_months": len(rest),
               "high_episodes": len(clusters(df["high"].astype(bool)))}
        if len(high) > 2 and len(rest) > 2:
            fit = ols_newey_west(df["fwd"], df["high"].astype(float).rename("high"), lags=12 * h)
            row["difference"] = fit.params["high"]
            row["difference_t_nw"] = fit.tvalues["high"]
        else:
            row["difference"] = np.nan
            row["difference_t_nw"] = np.nan
        rows.append(row)
    return pd.DataFrame(rows).set_index(["horizon_years", "pair"])


def regression_on_share(share: pd.Series, returns: pd.DataFrame, small: str, large: str,
                        years: int, as_of: pd.Period):
    """OLS of the future small-minus-large return (decimal per year, next `years`) on the
    top-decile share (decimal), Newey-West lags = the overlap (12 x years)."""
    r = returns[returns.index <= as_of]
    fwd = small_minus_large_forward(r, small, large, 12 * years)
    return ols_newey_west(fwd, share.rename("top_decile_share"), lags=12 * years)


def find_peaks(share: pd.Series, half_window_months: int = 60, min_share: float | None = None) -> list[pd.Period]:
    """Months whose share is the highest within +-`half_window_months` (a descriptive
    look at the whole history, not usable for conditioning), optionally above `min_share`."""
    s = share.dropna()
    roll = s.rolling(2 * half_window_months + 1, center=True, min_periods=half_window_months + 1).max()
    peaks = s[(s == roll)]
    if min_share is not None:
        peaks = peaks[peaks >= min_share]
    return list(peaks.index)


def episode_table(share: pd.Series, firms_top: pd.Series, returns: pd.DataFrame, episodes: dict,
                  small: str, large: str, as_of: pd.Period, extra_peaks: list[pd.Period] = ()) -> pd.DataFrame:
    """Per episode: peak share and month within the episode window (clipped to `as_of`),
    firms in the top decile then, and the annualised small-minus-large return over the next
    3, 5 and 10 years (NaN when that window is not complete by `as_of`)."""
    r = returns[returns.index <= as_of]
    fwd = {y: small_minus_large_forward(r, small, large, 12 * y) for y in (3, 5, 10)}
    rows = []
    items = [(name, a, b) for name, (a, b) in episodes.items()]
    items += [(f"peak {p}", p, p) for p in extra_peaks]
    for name, a, b in items:
        window = share[(share.index >= a) & (share.index <= min(b, as_of))].dropna()
        if window.empty:
            continue
        peak = window.idxmax()
        rows.append({"episode": name, "peak_month": str(peak), "peak_share": window.max(),
                     "top_decile_firms": firms_top.get(peak, np.nan),
                     **{f"next_{y}y_small_minus_large": fwd[y].get(peak, np.nan) for y in (3, 5, 10)}})
    return pd.DataFrame(rows).set_index("episode")


def paths_after(returns: pd.DataFrame, small: str, large: str, starts: dict[str, pd.Period], months: int,
                as_of: pd.Period) -> pd.DataFrame:
    """Cumulative return of `small` minus cumulative return of `large` (decimal) over the
    months after each start, indexed by months since the start (0 = the start month)."""
    r = returns[returns.index <= as_of]
    out = {}
    for name, p in starts.items():
        seg = r[(r.index > p) & (r.index <= p + months)]
        path = pd.concat([pd.Series([0.0]), cumulative_difference(seg, small, large).reset_index(drop=True)],
                         ignore_index=True)
        path.index = range(len(path))
        out[name] = path
    return pd.DataFrame(out)


def relative_total_return(a: pd.Series, b: pd.Series, start, end) -> pd.Series:
    """Ratio of two adjusted price series on their common dates in [start, end], set to 1.0 on
    the first common date (above 1: `a` out-performed `b`, dividends included). Empty when
    the two have no common date in the window (e.g. a fund that did not exist yet)."""
    df = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
    df = df[(df.index >= pd.Timestamp(start)) & (df.index <= pd.Timestamp(end))]
    ratio = (df["a"] / df["b"]).rename(f"{a.name}/{b.name}")
    return ratio / ratio.iloc[0] if len(ratio) else ratio


def summary(firms: pd.DataFrame, avg_size: pd.DataFrame, returns: pd.DataFrame, start: pd.Period,
            as_of: pd.Period, high_pct: float) -> dict:
    """The notebook's headline figures, computed from the sample `start`..`as_of`:

    top_decile_share (decimal) and top_decile_firms at `as_of`; top_decile_share_percentile
    (0-100, share of months from `start` to `as_of` at or below it); peak_share and
    peak_month (maximum over the sample); fwd5y_small_minus_large_after_high (mean annualised
    5-year `Lo 30` minus `Hi 10` return after months above the `high_pct` percentile of their
    own history, windows complete by `as_of`).
    """
    from .timeseries import percentile_rank

    share = top_decile_share(firms, avg_size)
    share = share[(share.index >= start) & (share.index <= as_of)].dropna()
    value = float(share.loc[as_of])
    cond = conditional_forward(share, returns, "Lo 30", "Hi 10", [5], high_pct, as_of)
    return {"top_decile_share": value,
            "top_decile_share_percentile": percentile_rank(share, value),
            "top_decile_firms": int(firms.loc[as_of, "Hi 10"]),
            "peak_share": float(share.max()),
            "peak_month": str(share.idxmax()),
            "fwd5y_small_minus_large_after_high": float(cond["mean_after_high"].iloc[0])}
