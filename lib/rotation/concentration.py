"""Market concentration: how much of the market the biggest firms hold, and what followed.

Source table: Fama-French `Portfolios_Formed_on_ME` (NYSE breakpoints; all NYSE, AMEX and
NASDAQ firms with CRSP data from 1963, NYSE only before that), tables "Number of Firms in
Portfolios" and "Average Firm Size" ($ millions) and "Average Value Weight Returns -- Monthly".

Definitions (all pure functions on frames with a monthly PeriodIndex):
* market cap of a size portfolio = number of firms x average firm size ($ millions); Fama-French
  row t holds the caps at the END of month t-1, so every share is dated t-1 (`cap_month`): the
  share at month m is the end-of-m value, known at the end of m;
* `top_decile_share` = cap of `Hi 10` / sum of the caps of the ten deciles (decimal, 0-1);
* small-minus-large forward return over h months = annualised compounded return of the small
  portfolio over months t+1..t+h minus that of the large portfolio (decimal per year).

Point in time: every function uses only the months it is given up to `as_of` (the notebook
passes data already cut at what was published by `as_of`). A month is classed "high" from its
own history to date (`high_flags`); forward returns count only when their window is complete by
`as_of`. Named episodes that run past `as_of` are cut there and marked ongoing
(`episode_windows`). Data-found peaks (`find_peaks`) need five years after the peak to be known,
so they are hindsight, listed only once confirmed by `as_of`, and never used for a recorded
figure or for the conditional test; the latest month that may still become one is reported by
`unconfirmed_peak`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import inference
from .stats import ols_newey_west
from .timeseries import cumulative_difference, expanding_percentile, forward_return_difference

DECILES = ["Lo 10", "2-Dec", "3-Dec", "4-Dec", "5-Dec", "6-Dec", "7-Dec", "8-Dec", "9-Dec", "Hi 10"]
QUINTILES = ["Lo 20", "Qnt 2", "Qnt 3", "Qnt 4", "Hi 20"]
MIN_HISTORY_MONTHS = 120  # a month is classed high/low only once 10 years of its history exist
PEAK_HALF_WINDOW = 60  # a data-found peak is the highest month within +-60 months
# Changes of the Fama-French universe visible in the firm counts (portfolios formed each June):
UNIVERSE_CHANGES = {pd.Period("1963-07", "M"): "AMEX firms enter (July 1963)",
                    pd.Period("1973-07", "M"): "NASDAQ firms enter (July 1973)"}


def cap_month(obj):
    """Re-date rows of the Fama-French "Number of Firms in Portfolios" / "Average Firm Size"
    tables (a Series or frame with a monthly PeriodIndex) to the month whose END the caps
    describe: row t holds the market equity at the end of month t-1 (the weights of month t's
    value-weighted returns), so row t becomes month t-1. Values unchanged."""
    out = obj.copy()
    out.index = out.index - 1
    return out


def portfolio_caps(firms: pd.DataFrame, avg_size: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Market cap ($ millions) of each portfolio: number of firms x average firm size, indexed
    like the Fama-French rows (row t = caps at the END of month t-1, the weights of month t's
    value-weighted returns; see `cap_month` to date them by the month they describe)."""
    return firms[columns] * avg_size[columns]


def top_share(firms: pd.DataFrame, avg_size: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Share (decimal) of the summed cap of `columns` held by the last of them (the biggest),
    indexed by the month whose END the caps describe: Fama-French row t (caps at the end of
    t-1) gives the share of month t-1 (`cap_month`). So the share at month m is known at the
    end of m, and the last month of a table published through month T is T-1."""
    caps = cap_month(portfolio_caps(firms, avg_size, columns))
    return (caps[columns[-1]] / caps.sum(axis=1, min_count=len(columns))).rename("share")


def top_decile_share(firms: pd.DataFrame, avg_size: pd.DataFrame) -> pd.Series:
    """Share of total market cap in the top NYSE size decile (`Hi 10`), decimal, at the end of
    each month (row t of the Fama-French tables -> month t-1, see `top_share`)."""
    return top_share(firms, avg_size, DECILES).rename("top_decile_share")


def top_quintile_share(firms: pd.DataFrame, avg_size: pd.DataFrame) -> pd.Series:
    """Share of total market cap in the top NYSE size quintile (`Hi 20`), decimal, at the end
    of each month (row t of the Fama-French tables -> month t-1, see `top_share`)."""
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


def high_sample(share: pd.Series, returns: pd.DataFrame, small: str, large: str, months: int,
                pct: float, as_of: pd.Period) -> pd.DataFrame:
    """Months with a concentration class (`high` 1.0/0.0 from `high_flags`) and a complete
    `months`-month forward window by `as_of`: columns `fwd` (annualised `small` minus `large`,
    decimal per year) and `high`. Returns after `as_of` are never used."""
    flags = high_flags(share, pct)
    r = returns[returns.index <= as_of]
    fwd = small_minus_large_forward(r, small, large, months)
    df = pd.concat([fwd.rename("fwd"), flags.rename("high")], axis=1, join="inner").dropna()
    return df[share.reindex(df.index).notna()]


def conditional_forward(share: pd.Series, returns: pd.DataFrame, small: str, large: str,
                        horizons_years: list[int], pct: float, as_of: pd.Period,
                        min_episodes_for_t: int = 0) -> pd.DataFrame:
    """Mean future small-minus-large return after high-concentration months vs all other months.

    Only windows that end by `as_of` count (no data after `as_of` is used). For each horizon:
    mean after high months, mean after other months, their difference with a Newey-West
    t-statistic (lags = horizon in months, the overlap), months used and distinct episodes.
    With `min_episodes_for_t` > 0 (e.g. `inference.MIN_EPISODES`), a row resting on fewer
    distinct episodes gets no t-statistic (`difference_t_nw` NaN, `t_withheld` True): the
    means are then a description of those episodes, not evidence.
    """
    rows = []
    for h in horizons_years:
        df = high_sample(share, returns, small, large, 12 * h, pct, as_of)
        high = df[df["high"].astype(bool)]
        rest = df[~df["high"].astype(bool)]
        row = {"horizon_years": h, "pair": f"{small} minus {large}",
               "mean_after_high": high["fwd"].mean(), "mean_after_other": rest["fwd"].mean(),
               "n_high_months": len(high), "n_other_months": len(rest),
               "high_episodes": len(inference.episodes_of(df["high"].astype(bool)))}
        if len(high) > 2 and len(rest) > 2:
            fit = ols_newey_west(df["fwd"], df["high"].astype(float).rename("high"), lags=12 * h)
            row["difference"] = fit.params["high"]
            row["difference_t_nw"] = fit.tvalues["high"]
        else:
            row["difference"] = np.nan
            row["difference_t_nw"] = np.nan
        row["t_withheld"] = bool(row["high_episodes"] < min_episodes_for_t)
        if row["t_withheld"]:
            row["difference_t_nw"] = np.nan
        rows.append(row)
    return pd.DataFrame(rows).set_index(["horizon_years", "pair"])


def conditional_forward_spread(share: pd.Series, outcomes: dict, horizons_years: list[int], pct: float,
                               as_of: pd.Period, min_episodes_for_t: int = 0) -> pd.DataFrame:
    """`conditional_forward` for one-period spreads: `outcomes` {label: one-period spread,
    decimal per month (e.g. `spreads.one_period_spreads`)}; the forward outcome is
    `forward_annualised` (annualised sum over months t+1..t+h, decimal per year), windows
    complete by `as_of` only. Same columns and index (horizon_years, pair = label)."""
    rows = []
    flags = high_flags(share, pct)
    for label, d in outcomes.items():
        d = d[d.index <= as_of].dropna()
        for h in horizons_years:
            fwd = forward_annualised(d, 12 * h) if len(d) else pd.Series(dtype=float)
            df = pd.concat([fwd.rename("fwd"), flags.rename("high")], axis=1, join="inner").dropna()
            high, rest = df[df["high"] == 1], df[df["high"] != 1]
            row = {"horizon_years": h, "pair": label, "mean_after_high": high["fwd"].mean(),
                   "mean_after_other": rest["fwd"].mean(), "n_high_months": len(high), "n_other_months": len(rest),
                   "high_episodes": len(inference.episodes_of(df["high"] == 1)), "difference": np.nan,
                   "difference_t_nw": np.nan}
            if len(high) > 2 and len(rest) > 2:
                fit = ols_newey_west(df["fwd"], df["high"].astype(float).rename("high"), lags=12 * h)
                row["difference"], row["difference_t_nw"] = fit.params["high"], fit.tvalues["high"]
            row["t_withheld"] = bool(row["high_episodes"] < min_episodes_for_t)
            if row["t_withheld"]:
                row["difference_t_nw"] = np.nan
            rows.append(row)
    return pd.DataFrame(rows).set_index(["horizon_years", "pair"])


def headline_after_high(share: pd.Series, one_period: pd.Series, pct: float, as_of: pd.Period,
                        months: int = 60) -> dict:
    """The mean annualised next-`months` sum of `one_period` (decimal per year; the headline
    spread) over the months flagged high (`high_flags` of `share`, own history to date) whose
    window is complete by `as_of`: `mean` (NaN with none), `months` (those months), `episodes`
    (their distinct runs, `inference.episodes_of`), `pending` (months flagged high up to
    `as_of`, from the spread's first month on, whose window is not complete yet) and
    `last_high` (the latest month flagged high, or None)."""
    flags = high_flags(share, pct)
    flags = flags[flags.index <= as_of]
    d = one_period[one_period.index <= as_of].dropna()
    fwd = forward_annualised(d, months) if len(d) else pd.Series(dtype=float)
    df = pd.concat([fwd.rename("fwd"), flags.rename("high")], axis=1, join="inner").dropna()
    used = df[df["high"] == 1]
    flagged = flags[flags == 1]
    covered = flagged[flagged.index >= d.index.min()] if len(d) else flagged.iloc[:0]
    return {"mean": float(used["fwd"].mean()) if len(used) else np.nan, "months": len(used),
            "episodes": inference.episodes_of(df["high"] == 1),
            "pending": int(len(covered.index.difference(used.index))),
            "last_high": flagged.index[-1] if len(flagged) else None}


def high_episodes(share: pd.Series, returns: pd.DataFrame, small: str, large: str, years: int,
                  pct: float, as_of: pd.Period) -> dict:
    """What a conditional `years`-year average rests on: `months` (high months with a window
    complete by `as_of`), `episodes` (their distinct runs, as (first, last) month pairs, see
    `inference.episodes_of`), `pending` (months flagged high up to `as_of` whose window is not complete yet,
    so not in the average) and `last_high` (the latest month flagged high, or None)."""
    df = high_sample(share, returns, small, large, 12 * years, pct, as_of)
    used = df["high"].astype(bool)
    flags = high_flags(share, pct)
    flagged = flags[(flags == 1) & (flags.index <= as_of)]
    return {"months": int(used.sum()), "episodes": inference.episodes_of(used),
            "pending": int(len(flagged.index.difference(df.index[used]))),
            "last_high": flagged.index[-1] if len(flagged) else None}


def regression_on_share(share: pd.Series, returns: pd.DataFrame, small: str, large: str,
                        years: int, as_of: pd.Period):
    """OLS of the future small-minus-large return (decimal per year, next `years`) on the
    top-decile share (decimal), Newey-West lags = the overlap (12 x years)."""
    r = returns[returns.index <= as_of]
    fwd = small_minus_large_forward(r, small, large, 12 * years)
    return ols_newey_west(fwd, share.rename("top_decile_share"), lags=12 * years)


def find_peaks(share: pd.Series, half_window_months: int = PEAK_HALF_WINDOW,
               min_share: float | None = None) -> list[pd.Period]:
    """Months whose share is the highest within +-`half_window_months`, optionally above
    `min_share`. Hindsight: a month is a peak only once the `half_window_months` after it are
    known, so only months with that whole forward half-window inside `share` are returned (pass
    the share cut at `as_of`: the peaks confirmed by then). Descriptive only; never use them for
    conditioning (see `unconfirmed_peak` for the latest month that may still become one)."""
    s = share.dropna()
    if s.empty:
        return []
    roll = s.rolling(2 * half_window_months + 1, center=True, min_periods=half_window_months + 1).max()
    peaks = s[(s == roll) & (s.index <= s.index[-1] - half_window_months)]
    if min_share is not None:
        peaks = peaks[peaks >= min_share]
    return list(peaks.index)


def unconfirmed_peak(share: pd.Series, half_window_months: int = PEAK_HALF_WINDOW) -> dict:
    """The month of the last `half_window_months` of `share` (cut at `as_of`) with the highest
    share (`month`, `share`), and whether it can still become a peak in the sense of
    `find_peaks` (`candidate`: it is at least as high as every month from `half_window_months`
    before it to the end of the series). If it does, that is known only at `confirm_month`
    (month + `half_window_months`), after the series ends. At most one month can be such a
    candidate: any other recent month has this one inside its own window."""
    s = share.dropna()
    recent = s[s.index > s.index[-1] - half_window_months]
    month = recent.idxmax()
    back = s[s.index >= month - half_window_months]
    return {"month": month, "share": float(recent.max()), "candidate": bool(recent.max() >= back.max()),
            "confirm_month": month + half_window_months}


def episode_windows(episodes: dict, as_of: pd.Period) -> dict[str, tuple[pd.Period, pd.Period, bool]]:
    """Named episodes as seen at `as_of`: those that had begun by `as_of`, each as (first month,
    last month cut at `as_of`, ongoing), where ongoing means its named window runs past `as_of`.
    `episodes`: {name: (first, last)} with months as Periods or strings."""
    out = {}
    for name, (a, b) in episodes.items():
        a, b = pd.Period(a, "M"), pd.Period(b, "M")
        if a <= as_of:
            out[name] = (a, min(b, as_of), b > as_of)
    return out


def episode_label(name: str, episodes: dict, as_of: pd.Period, short: bool = False) -> str:
    """An episode's name as shown at `as_of`: the name itself when its named window (in
    `episodes`, {name: (first, last)}) ends by `as_of`; otherwise the name marked as ongoing,
    with the named last month that lies after `as_of` (a name such as "Dot-com 1999-2000"
    carries an end that was not known then). `short`: only "(ongoing)" is added (chart labels)."""
    last = pd.Period(episodes[name][1], "M")
    if last <= as_of:
        return name
    return f"{name} (ongoing)" if short else f"{name} (ongoing at as_of; named window to {last})"


def episode_table(share: pd.Series, firms_top: pd.Series, returns: pd.DataFrame, episodes: dict,
                  small: str, large: str, as_of: pd.Period, extra_peaks: list[pd.Period] = (),
                  peak_half_window: int = PEAK_HALF_WINDOW, outcome: pd.Series | None = None) -> pd.DataFrame:
    """Per named episode begun by `as_of` (see `episode_windows`) and per extra (data-found)
    peak: `window` (first..last month, cut at `as_of`; for an extra peak the +-`peak_half_window`
    months it is the highest of, cut to the data), `status` ("complete"; "ongoing" when
    the named window runs past `as_of`, so its highest month so far is not known to be its
    peak; "hindsight peak" for `extra_peaks`), the highest share in the window (`peak_share`,
    decimal) and its month, firms in the top decile then (`firms_top` dated like the share, e.g.
    `cap_month(firms["Hi 10"])`), and the annualised small-minus-large return over the next 3, 5
    and 10 years (decimal per year; NaN when that window is not complete by `as_of`, and always
    NaN for an ongoing episode): `small` minus `large` of `returns` compounded, or, with
    `outcome` (a one-period spread, decimal per month, e.g. the headline), its annualised sum
    (`forward_annualised`). The index is the episode's name, for an ongoing one as marked by
    `episode_label`."""
    r = returns[returns.index <= as_of]
    if outcome is not None:
        o = outcome[outcome.index <= as_of].dropna()
        fwd = {y: forward_annualised(o, 12 * y) if len(o) else pd.Series(dtype=float) for y in (3, 5, 10)}
    else:
        fwd = {y: small_minus_large_forward(r, small, large, 12 * y) for y in (3, 5, 10)}
    rows = []
    items = [(name, a, b, "ongoing" if ongoing else "complete")
             for name, (a, b, ongoing) in episode_windows(episodes, as_of).items()]
    items += [(f"peak {p}", p, p, "hindsight peak") for p in extra_peaks if p <= as_of]
    known = share[share.index <= as_of].dropna()
    for name, a, b, status in items:
        window = share[(share.index >= a) & (share.index <= b)].dropna()
        if window.empty:
            continue
        peak = window.idxmax()
        span = f"{a}..{b}"
        if status == "hindsight peak":
            span = f"{max(a - peak_half_window, known.index[0])}..{min(b + peak_half_window, known.index[-1])}"
        shown = episode_label(name, episodes, as_of) if status == "ongoing" else name
        rows.append({"episode": shown, "window": span, "status": status,
                     "peak_month": str(peak), "peak_share": window.max(),
                     "top_decile_firms": firms_top.get(peak, np.nan),
                     **{f"next_{y}y_small_minus_large": np.nan if status == "ongoing" else fwd[y].get(peak, np.nan)
                        for y in (3, 5, 10)}})
    cols = ["window", "status", "peak_month", "peak_share", "top_decile_firms",
            "next_3y_small_minus_large", "next_5y_small_minus_large", "next_10y_small_minus_large"]
    return pd.DataFrame(rows, columns=["episode", *cols]).set_index("episode")


def hindsight_peaks(share: pd.Series, episodes: dict, as_of: pd.Period,
                    half_window_months: int = PEAK_HALF_WINDOW) -> list[pd.Period]:
    """Data-found peaks of `share` (cut at `as_of`) confirmed by `as_of` (`find_peaks`) that lie
    outside every named episode window begun by then: the extra rows of the episode table."""
    wins = episode_windows(episodes, as_of).values()
    return [p for p in find_peaks(share[share.index <= as_of], half_window_months)
            if not any(a <= p <= b for a, b, _ in wins)]


def universe_changes(window) -> list[str]:
    """The changes of the Fama-French universe (`UNIVERSE_CHANGES`) inside the sample
    `window.start`..`window.as_of_month`, in order."""
    return [text for month, text in UNIVERSE_CHANGES.items() if window.start <= month <= window.as_of_month]


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


def cumulative_after(one_period: pd.Series, starts: dict[str, pd.Period], months: int, as_of: pd.Period) -> pd.DataFrame:
    """Cumulative sum of a one-period spread (decimal per month; for a log spread the cumulative
    log return difference) over the `months` months after each start, indexed by months since
    the start (0 = the start month, value 0). Only months up to `as_of`; a start with no month
    of the spread after it (e.g. before the spread begins) gets an empty column (NaN)."""
    d = one_period[one_period.index <= as_of].dropna()
    out = {}
    for name, p in starts.items():
        seg = d[(d.index > p) & (d.index <= p + months)]
        if seg.empty or seg.index[0] != p + 1:
            out[name] = pd.Series([np.nan])
            continue
        out[name] = pd.concat([pd.Series([0.0]), seg.cumsum().reset_index(drop=True)], ignore_index=True)
    return pd.DataFrame(out).reindex(range(months + 1))


def relative_total_return(a: pd.Series, b: pd.Series, start=None, end=None) -> pd.Series:
    """Ratio of two adjusted price series on their common dates (in [start, end] when given),
    set to 1.0 on the first common date (above 1: `a` out-performed `b`, dividends included).
    Empty when the two have no common date (e.g. a fund that did not exist yet)."""
    df = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
    if start is not None:
        df = df[df.index >= pd.Timestamp(start)]
    if end is not None:
        df = df[df.index <= pd.Timestamp(end)]
    ratio = (df["a"] / df["b"]).rename(f"{a.name}/{b.name}")
    return ratio / ratio.iloc[0] if len(ratio) else ratio


def price_coverage(prices: dict[str, pd.Series]) -> pd.DataFrame:
    """First and last date with a price, per ticker (NaT for a series with none), for the
    series as given (cut at `as_of` by the caller)."""
    rows = {t: {"first": s.dropna().index.min() if len(s.dropna()) else pd.NaT,
                "last": s.dropna().index.max() if len(s.dropna()) else pd.NaT} for t, s in prices.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def summary(firms: pd.DataFrame, avg_size: pd.DataFrame, returns: pd.DataFrame, window,
            high_pct: float, headline: pd.Series | None = None) -> dict:
    """The notebook's headline figures over the sample of `window` (a `rotation.params.Window`:
    months `window.start`..`window.as_of_month`; no Fama-French row after it is used). The share is dated
    by the month whose end its caps describe (`top_share`), so its last month, `share_month`, is
    the month before the last Fama-French row published (`window.as_of_month` - 1); firm counts
    are dated the same way (`cap_month`):

    * top_decile_share (decimal) and top_decile_firms (count) at `share_month`;
      top_decile_share_percentile (0-100, share of sample months at or below it);
    * top_decile_firms_min / _max: fewest and most firms in the top decile in the sample;
    * peak_share and peak_month: the sample maximum (the record to date);
    * as_of_high: whether `share_month` is itself a high-concentration month
      (`high_flags` at that month; None with under 10 years of history);
    * fwd5y_small_minus_large_after_high: mean annualised next-5-year `headline` (a one-period
      spread, decimal per month; the collection's headline, `spreads.HEADLINE`) after months
      above the `high_pct` percentile of their own history, windows complete by the as_of month
      (`headline_after_high`; NaN when `headline` is None); fwd5y_high_months and
      fwd5y_high_episodes (what it rests on, with fwd5y_high_episode_spans as "first..last"
      texts), fwd5y_high_months_pending (months flagged high, from the headline's first month,
      whose window is not complete yet) and last_high_month;
    * fwd5y_lo30_hi10_after_high: the same mean for the `Lo 30` minus `Hi 10` log return
      difference of `returns` (`inference.log_spread`; robustness, reaches back to 1926);
    * recent_high_share / recent_high_month: highest share of the last 60 months, and
      recent_high_candidate / recent_high_confirm_month (see `unconfirmed_peak`).
    """
    from .timeseries import percentile_rank

    as_of = window.as_of_month
    firms, avg_size = firms[firms.index <= as_of], avg_size[avg_size.index <= as_of]  # rows published by as_of
    share = window.clip(top_decile_share(firms, avg_size)).dropna()
    month = share.index[-1]
    value = float(share.iloc[-1])
    count = window.clip(cap_month(firms["Hi 10"])).dropna()
    lo30 = headline_after_high(share, window.clip(inference.log_spread(returns, "Lo 30", "Hi 10")), high_pct, as_of, 60)
    empty = pd.Series(dtype=float, index=pd.PeriodIndex([], freq="M"))
    eps = headline_after_high(share, window.clip(headline) if headline is not None else empty, high_pct, as_of, 60)
    flag = high_flags(share, high_pct).get(month, np.nan)
    recent = unconfirmed_peak(share)
    return {"share_month": str(month),
            "top_decile_share": value,
            "top_decile_share_percentile": percentile_rank(share, value),
            "top_decile_firms": int(count.loc[month]),
            "top_decile_firms_min": int(count.min()),
            "top_decile_firms_max": int(count.max()),
            "peak_share": float(share.max()),
            "peak_month": str(share.idxmax()),
            "as_of_high": None if np.isnan(flag) else bool(flag == 1),
            "fwd5y_small_minus_large_after_high": eps["mean"],
            "fwd5y_lo30_hi10_after_high": lo30["mean"],
            "fwd5y_high_months": eps["months"],
            "fwd5y_high_episodes": len(eps["episodes"]),
            "fwd5y_high_episode_spans": [f"{a}..{b}" for a, b in eps["episodes"]],
            "fwd5y_high_months_pending": eps["pending"],
            "last_high_month": None if eps["last_high"] is None else str(eps["last_high"]),
            "recent_high_share": recent["share"],
            "recent_high_month": str(recent["month"]),
            "recent_high_candidate": recent["candidate"],
            "recent_high_confirm_month": str(recent["confirm_month"])}


# ------------------------------------------------------------------ robust inference (issue 13)

NEAR_TOP = -0.10  # market drawdown above this at the share peak: "near a market top"
TROUGH = -0.20    # at or below this: "crash trough"; in between: "in between"
GRID_STARTS_FIXED = ("1963-07", "1990-01")  # grid sample starts beside the window's own start
GRID_HORIZONS = (36, 60)  # grid horizons, months


def market_return(firms: pd.DataFrame, avg_size: pd.DataFrame, returns: pd.DataFrame) -> pd.Series:
    """Value-weighted return of the whole market (decimal per month): the returns of the ten
    NYSE size deciles (`returns`, "Average Value Weight Returns -- Monthly") weighted by their
    caps in the same row (firms x "Average Firm Size", which Fama-French measure at the end of
    the previous month, the weights of that month's value-weighted returns). NaN in a month
    where any decile is missing. On the store it tracks Mkt-RF + RF of the factors file with a
    monthly correlation of about 0.9996 from 1963-07, and it reaches back to 1926-07."""
    caps = portfolio_caps(firms, avg_size, DECILES)
    weights = caps.div(caps.sum(axis=1, min_count=len(DECILES)), axis=0)
    return (returns[DECILES] * weights).sum(axis=1, min_count=len(DECILES)).rename("market")


def drawdown(monthly_returns: pd.Series) -> pd.DataFrame:
    """Drawdown of a cumulative return index from its prior peak, month by month.

    The index is the compounded `monthly_returns` (decimal per month) from the first month given
    (its level before that first month counts as a peak, 1.0). Columns: `index` (level),
    `drawdown` (index / highest level to date - 1, decimal, 0 at a new peak, never positive) and
    `prior_peak` (the month of that highest level to date; the month before the first one given
    when nothing has beaten the starting level yet). Uses only months up to each row."""
    r = monthly_returns.dropna()
    level = (1 + r).cumprod()
    before = r.index[0] - 1 if len(r) else None
    with_start = pd.concat([pd.Series([1.0], index=[before]), level]) if len(r) else level
    peak = with_start.cummax()
    # month of the running maximum: the last month at which the level equalled its maximum to date
    at_peak = pd.Series(np.where(with_start >= peak, with_start.index.astype(object), None), index=with_start.index)
    peak_month = at_peak.ffill()
    return pd.DataFrame({"index": level, "drawdown": level / peak.iloc[1:] - 1,
                         "prior_peak": peak_month.iloc[1:]}, index=level.index)


def market_state(dd: float, near_top: float = NEAR_TOP, trough: float = TROUGH) -> str:
    """Class of a market drawdown (decimal, <= 0): "near a market top" when above `near_top`
    (-10%), "crash trough" at or below `trough` (-20%), else "in between"; "unknown" for NaN."""
    if dd is None or np.isnan(dd):
        return "unknown"
    if dd > near_top:
        return "near a market top"
    if dd <= trough:
        return "crash trough"
    return "in between"


def forward_annualised(one_period: pd.Series, h: int) -> pd.Series:
    """Annualised sum of a one-period spread over months t+1..t+h: (12 / h) x sum (decimal per
    year; for a log spread, the annualised log return difference). NaN where the window runs past
    the last month given (pass the series cut at `as_of`: only windows complete by then)."""
    return inference.forward_cumulative(one_period, h) * 12.0 / h


MAX_TOP_LAG = 24  # an outcome "from the market top" is shown only when the top is at most this many months before the share peak


def high_concentration_episodes(share: pd.Series, flags: pd.Series, market: pd.Series, outcomes: dict,
                                as_of: pd.Period, gap_months: int = 12, max_top_lag: int = MAX_TOP_LAG) -> pd.DataFrame:
    """Every data-found high-concentration episode up to `as_of`, with the market state at its
    share peak and what followed.

    `flags`: 1.0/0.0 per month from `high_flags` (each month classed from its own history to
    date, no look-ahead); an episode is a run of flagged months merged when fewer than
    `gap_months` months apart (`inference.episodes_of`). `market`: the market's monthly return
    (decimal, e.g. `market_return`), compounded from its first month. `outcomes`: {label:
    forward outcome per month (e.g. `forward_annualised` of a spread cut at `as_of`, NaN where
    the window is not complete)}.

    Columns: `first`, `last` (flagged months), `status` ("complete"; "open" when its last
    flagged month is within `gap_months` of `as_of`, so the episode and its peak may go on),
    `flagged_months`, `share_peak_month` (highest share among its flagged months: hindsight
    within the episode), `share_peak` (decimal), `market_drawdown_at_first` and
    `market_drawdown_at_peak` (decimal, from the market's prior peak), `market_top_month` (the
    month of that prior peak), `top_months_before_peak` (months from that top to the share
    peak), `market_state` (`market_state` of the drawdown at the share peak); then per outcome
    label L: `L | mean over flagged months` (mean outcome of its flagged months with a complete
    window), `L | months with outcome`, `L | from share peak`, `L | from market top` (the
    outcome at those months; NaN where not complete by `as_of`, and NaN from a market top more
    than `max_top_lag` months before the share peak, where it says nothing about the episode:
    see `outcome_display`)."""
    s = share[share.index <= as_of]
    f = flags[(flags.index <= as_of)].dropna()
    dd = drawdown(market[market.index <= as_of])
    rows = []
    for a, b in inference.episodes_of(f, gap_months):
        months = f[(f.index >= a) & (f.index <= b) & (f == 1)].index
        peak = s.reindex(months).idxmax()
        row = {"first": str(a), "last": str(b), "status": "open" if (as_of - b).n <= gap_months else "complete",
               "flagged_months": len(months), "share_peak_month": str(peak), "share_peak": float(s[peak]),
               "market_drawdown_at_first": float(dd["drawdown"].get(a, np.nan)),
               "market_drawdown_at_peak": float(dd["drawdown"].get(peak, np.nan))}
        top = dd["prior_peak"].get(peak, None)
        row["market_top_month"] = str(top) if top is not None else None
        lag = (peak - top).n if top is not None else None
        row["top_months_before_peak"] = lag
        row["market_state"] = market_state(row["market_drawdown_at_peak"])
        for label, out in outcomes.items():
            o = out.reindex(months).dropna()
            row[f"{label} | mean over flagged months"] = float(o.mean()) if len(o) else np.nan
            row[f"{label} | months with outcome"] = len(o)
            row[f"{label} | from share peak"] = float(out.get(peak, np.nan))
            near = top is not None and lag <= max_top_lag
            row[f"{label} | from market top"] = float(out.get(top, np.nan)) if near else np.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        out = pd.DataFrame(columns=["first", "last", "status", "flagged_months", "share_peak_month", "share_peak",
                                    "market_drawdown_at_first", "market_drawdown_at_peak", "market_top_month",
                                    "top_months_before_peak", "market_state"])
    return out


def outcome_display(found: pd.DataFrame, max_top_lag: int = MAX_TOP_LAG) -> pd.DataFrame:
    """The outcome columns of `high_concentration_episodes` as text for display: "+x.x%" (a
    decimal per year as percent), counts as integers, "not yet / no data" where the window is
    not complete by `as_of` or the spread has no data, and for `from market top` "n/a (top N
    years earlier)" when the market's prior top lies more than `max_top_lag` months before the
    share peak (N = months / 12, one decimal). Indexed by (first, last, market_state)."""
    cols = [k for k in found.columns if " | " in k]
    out = pd.DataFrame(index=pd.MultiIndex.from_frame(found[["first", "last", "market_state"]]) if len(found) else None)
    for k in cols:
        texts = []
        for _, r in found.iterrows():
            v = r[k]
            if k.endswith("months with outcome"):
                texts.append(f"{int(v):d}")
            elif k.endswith("from market top") and r["top_months_before_peak"] is not None \
                    and not pd.isna(r["top_months_before_peak"]) and r["top_months_before_peak"] > max_top_lag:
                texts.append(f"n/a (top {r['top_months_before_peak'] / 12:.1f} years earlier)")
            else:
                texts.append("not yet / no data" if pd.isna(v) else f"{v:+.1%}")
        out[k] = texts
    return out


def share_regression(one_period: pd.Series, share: pd.Series, window, h: int = 60, draws: int = 499,
                     seed: int = 0) -> dict:
    """The predictive regression of the annualised next-`h`-month sum of `one_period` (decimal
    per month; a log spread, or SMB itself) on the top-decile share (decimal), over the months
    of `window` whose forward window is complete by `window.as_of_month`
    (`inference.predictive_regression`). Returns `slope` (decimal per year per unit of share),
    `t_nw` (Newey-West, lags = h), `t_hodrick` (Hodrick 1992 1B), `p_bootstrap` (two-sided, AR(1)
    block null bootstrap, `draws`, `seed`), `null_mean_slope` (the slope's mean under the null:
    the small-sample bias), `oos_r2` (against the expanding mean), `n_obs`, `first` and `last`
    (months t in the regression); NaN figures with fewer than `inference.MIN_EPISODES` (5)
    non-overlapping windows (fewer than 5 x h complete windows), the rule of the grid."""
    d = window.clip(one_period).dropna()
    x = window.clip(share).dropna()
    nan = {"slope": np.nan, "t_nw": np.nan, "t_hodrick": np.nan, "p_bootstrap": np.nan, "null_mean_slope": np.nan,
           "oos_r2": np.nan, "n_obs": 0, "first": None, "last": None}
    if len(d) - h < inference.MIN_EPISODES * h or x.empty:
        return nan
    fit = inference.predictive_regression(d, x, h, draws=draws, seed=seed)
    first = max(d.index.min(), x.index.min())
    return {"slope": fit.estimate, "t_nw": fit.t_nw, "t_hodrick": fit.t_hodrick, "p_bootstrap": fit.p_bootstrap,
            "null_mean_slope": fit.null_mean_slope, "oos_r2": fit.oos_r2, "n_obs": fit.n_obs,
            "first": str(first), "last": str(first + fit.n_obs - 1)}


def episode_evidence(share: pd.Series, one_period: pd.Series, window, pct: float, h: int = 60) -> pd.DataFrame:
    """The conditional forward return at episode level: `inference.episode_evidence` of the
    high-concentration flags (`high_flags` of the share over `window`, no look-ahead) and the
    annualised next-`h`-month sum of `one_period` (`forward_annualised`, decimal per year;
    windows complete by `window.as_of_month` only). One row per episode with an outcome (first,
    last, months, mean_outcome, ...); attrs `n_episodes`, `t_allowed` and `episode_mean` (the
    mean of the episodes' means: each episode counts once; NaN with none)."""
    flags = high_flags(window.clip(share).dropna(), pct)
    outcome = forward_annualised(window.clip(one_period).dropna(), h)
    ev = inference.episode_evidence(flags, outcome)
    ev.attrs["episode_mean"] = float(ev["mean_outcome"].mean()) if len(ev) else np.nan
    return ev


def grid_starts(window) -> list[pd.Period]:
    """The sample starts of the specification grid: `window.start`, then 1963-07 and 1990-01
    when they are later than it and not after `window.as_of_month` (each kept once)."""
    starts = [window.start] + [pd.Period(p, "M") for p in GRID_STARTS_FIXED]
    return sorted({p for p in starts if window.start <= p <= window.as_of_month})


def specification_grid(spreads: dict, share: pd.Series, window, horizons=GRID_HORIZONS, draws: int = 99,
                       seed: int = 0, direction: int = 1) -> pd.DataFrame:
    """The claim `concentration` (a higher top-decile share is followed by a higher small-minus-
    large return: slope sign `direction` = +1) over every candidate spread (`spreads`: {(spread,
    weighting): one-period series, decimal per month}, e.g. `spreads.one_period_spreads`) x
    sample start (`grid_starts`) x horizon (months): `inference.predictive_grid` on the share,
    cut at `window.as_of_month`. A start earlier than a spread's first month is the same
    specification as that first month, so it is run once (SMB starts 1963-07). Estimates are
    annualised slopes (decimal per year per unit of share). Each spread draws from its own seed
    block (`seed` + 1000 x its position; within it `predictive_grid` gives every specification
    its own seed), so no two specifications share simulation draws. Specifications with fewer
    than five non-overlapping windows are skipped (`skipped_specs` lists them)."""
    x = window.clip(share).dropna()
    parts = []
    for i, (key, d) in enumerate(spreads.items()):
        d = window.clip(d).dropna()
        if d.empty:
            continue
        starts = sorted({max(p, d.index.min()) for p in grid_starts(window)})
        parts.append(inference.predictive_grid("concentration", {key: d}, x, starts, list(horizons), direction,
                                               window.as_of_month, draws=draws, seed=seed + 1000 * i))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else inference.predictive_grid(
        "concentration", {}, x, [], list(horizons), direction, window.as_of_month)


def skipped_specs(spreads: dict, share: pd.Series, window, horizons=GRID_HORIZONS,
                  min_windows: int = inference.MIN_EPISODES) -> pd.DataFrame:
    """The specifications `specification_grid` plans but does not run: those whose sample
    (the spread cut to start..`window.as_of_month`) holds fewer than `min_windows`
    non-overlapping windows of the horizon, i.e. fewer than `min_windows` x h complete
    h-month windows (the rule of `inference.predictive_grid`). Columns: spread, weighting,
    sample_start, horizon_months, complete_windows (months with a complete window), needed."""
    rows = []
    x = window.clip(share).dropna()
    for (name, weighting), d in spreads.items():
        d = window.clip(d).dropna()
        if d.empty or x.empty:
            continue
        for start in sorted({max(p, d.index.min()) for p in grid_starts(window)}):
            dd = d[d.index >= start]
            for h in horizons:
                if len(dd) - h < min_windows * h:
                    rows.append({"spread": name, "weighting": weighting, "sample_start": str(start), "horizon_months": h,
                                 "complete_windows": max(len(dd) - h, 0), "needed": min_windows * h})
    return pd.DataFrame(rows, columns=["spread", "weighting", "sample_start", "horizon_months", "complete_windows", "needed"])


def skipped_text(skipped: pd.DataFrame) -> str:
    """`skipped_specs` grouped by (sample start, horizon) as text: "start S, h months: k
    spread(s) (w complete windows, n needed)"; "none" when nothing was skipped."""
    if skipped.empty:
        return "none"
    parts = []
    for (start, h), g in skipped.groupby(["sample_start", "horizon_months"], sort=True):
        lo, hi = int(g["complete_windows"].min()), int(g["complete_windows"].max())
        have = f"{lo}" if lo == hi else f"{lo} to {hi}"
        parts.append(f"start {start}, {h} months: {len(g)} spread(s) ({have} complete windows, {int(g['needed'].iloc[0])} needed)")
    return "; ".join(parts)


STANCE_MARKS = {"supports": "+", "contradicts": "-", "inconclusive": "?"}


def compact_grid(grid: pd.DataFrame) -> pd.DataFrame:
    """A specification grid as one row per (spread, weighting) and one column per (sample
    start, horizon in months): the text "slope (p) mark" with the slope in decimal per year per
    unit of share, p the bootstrap p-value and mark `STANCE_MARKS` of the stance ("+" supports,
    "-" contradicts, "?" inconclusive). Empty cells are specifications not run."""
    if grid.empty:
        return pd.DataFrame()
    text = grid.apply(lambda r: f"{r['estimate']:+.2f} (p {r['p_bootstrap']:.2f}) {STANCE_MARKS[r['stance']]}", axis=1)
    out = grid.assign(cell=text).pivot_table(index=["spread", "weighting"], columns=["sample_start", "horizon_months"],
                                             values="cell", aggfunc="first", sort=False)
    return out.fillna("")
