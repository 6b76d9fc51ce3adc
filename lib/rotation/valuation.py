"""The small-cap valuation gap: relative price-to-book of small vs big firms since 1926,
market-level valuation, and whether relative cheapness was followed by small-cap outperformance.

Source tables:
* Fama-French `25_Portfolios_5x5` (size x BE/ME): "Number of Firms in Portfolios", "Average
  Market Cap" ($ millions) and the value-weighted BE/ME table whose BE is divided by ME of
  December t-1 (title "... BE(Fiscal Year t-1) / ME(Dec t-1) ...");
* Fama-French `Portfolios_Formed_on_ME` value-weighted monthly returns (`Lo 20`, `Hi 20`);
* Fama-French `Portfolios_Formed_on_E-P` "Sum of E / Sum of ME" (annual) for aggregate E/P;
* Shiller `ie_data` for S&P 500 CAPE and trailing P/E.

Units: ratios are plain numbers (P/B of 2.0 = price twice book); returns are decimals per year.
"""
from __future__ import annotations

import pandas as pd

from .portfolios import me_weighted
from .stats import ols_newey_west
from .timeseries import forward_return_difference, percentile_rank, zscore

BM_TABLE = "BE(Fiscal Year t-1) / ME(Dec t-1)"


def aggregate_book_to_market(firms: pd.DataFrame, avg_cap: pd.DataFrame, bm: pd.DataFrame, quintile: int) -> pd.Series:
    """Aggregate B/M of a size quintile: sum_i ME_i x BM_i / sum_i ME_i over its five BE/ME
    portfolios, ME_i = number of firms x average market cap in that month."""
    return me_weighted(firms, avg_cap, bm, quintile).rename(f"ME{quintile} B/M")


def price_to_book_by_size(firms: pd.DataFrame, avg_cap: pd.DataFrame, bm: pd.DataFrame) -> pd.DataFrame:
    """Aggregate P/B (= 1 / aggregate B/M) of each size quintile, columns ME1..ME5."""
    return pd.DataFrame({f"ME{q}": 1.0 / aggregate_book_to_market(firms, avg_cap, bm, q) for q in range(1, 6)})


def relative_pb(pb: pd.DataFrame, small: str = "ME1", big: str = "ME5") -> pd.Series:
    """P/B of the small quintile divided by P/B of the big one (below 1: small caps cheaper)."""
    return (pb[small] / pb[big]).rename(f"{small}/{big} P/B")


def position_in_history(series: pd.Series, as_of: pd.Period, windows: dict[str, pd.Period]) -> pd.DataFrame:
    """The `as_of` value's percentile (0-100, share of months at or below it) and z-score
    within each window {label: first month} ending at `as_of`."""
    value = float(series.loc[as_of])
    rows = []
    for label, first in windows.items():
        h = series[(series.index >= first) & (series.index <= as_of)].dropna()
        rows.append({"window": label, "from": str(h.index.min()), "to": str(as_of), "months": len(h),
                     "value": value, "percentile": percentile_rank(h, value), "zscore": zscore(h, value),
                     "mean": h.mean(), "min": h.min(), "max": h.max()})
    return pd.DataFrame(rows).set_index("window")


def troughs(series: pd.Series, half_window_months: int = 36, n: int = 8) -> pd.DataFrame:
    """The `n` lowest local minima (lowest value within +-`half_window_months`): the cheapest
    episodes, with their month and value, cheapest first."""
    s = series.dropna()
    roll = s.rolling(2 * half_window_months + 1, center=True, min_periods=half_window_months + 1).min()
    mins = s[s == roll].sort_values().head(n)
    return pd.DataFrame({"month": [str(p) for p in mins.index], "value": mins.to_numpy()})


def aggregate_earnings_yield(ep_sum: pd.DataFrame, firms: pd.DataFrame, avg_size: pd.DataFrame) -> pd.Series:
    """Aggregate E/P of all firms by year (decimal): sum over the E/P portfolios (`<= 0`,
    `Lo 30`, `Med 40`, `Hi 30`) of (Sum E / Sum ME)_i x ME_i / sum ME_i, with ME_i = firms x
    average size in July of that year (the portfolios' first month; an approximation of the
    December t-1 ME that the file's E/P divides by)."""
    cols = ["<= 0", "Lo 30", "Med 40", "Hi 30"]
    july = firms.index[firms.index.month == 7]
    me = (firms.loc[july, cols] * avg_size.loc[july, cols])
    me.index = pd.PeriodIndex([p.asfreq("Y") for p in me.index], freq="Y")
    ep = ep_sum[cols].reindex(me.index)
    return ((ep * me).sum(axis=1, min_count=4) / me.sum(axis=1, min_count=4)).rename("aggregate E/P")


def forward_smb(returns: pd.DataFrame, years: int, small: str = "Lo 20", big: str = "Hi 20") -> pd.Series:
    """Future small-minus-big return: annualised compounded `Lo 20` return minus `Hi 20`
    return over the next `years` years (decimal per year)."""
    return forward_return_difference(returns, small, big, 12 * years)


def cheapness_regression(rel_pb: pd.Series, returns: pd.DataFrame, years: int, start: pd.Period, as_of: pd.Period):
    """OLS of the future small-minus-big return (decimal per year, next `years`, windows
    complete by `as_of`) on relative P/B, Newey-West lags = 12 x years (the overlap)."""
    r = returns[returns.index <= as_of]
    fwd = forward_smb(r, years)
    x = rel_pb[(rel_pb.index >= start) & (rel_pb.index <= as_of)]
    return ols_newey_west(fwd, x.rename("relative_pb"), lags=12 * years)


def mean_by_quintile(rel_pb: pd.Series, fwd: pd.Series) -> pd.DataFrame:
    """Mean future return by relative-P/B quintile (quintile 1 = cheapest small caps).
    Breakpoints come from the whole sample shown (descriptive, not a trading rule)."""
    df = pd.concat([rel_pb.rename("rel_pb"), fwd.rename("fwd")], axis=1, join="inner").dropna()
    df["quintile"] = pd.qcut(df["rel_pb"], 5, labels=[1, 2, 3, 4, 5])
    g = df.groupby("quintile", observed=True)
    return pd.DataFrame({"rel_pb_from": g["rel_pb"].min(), "rel_pb_to": g["rel_pb"].max(),
                         "mean_fwd": g["fwd"].mean(), "months": g["fwd"].size()})


def forward_pe_discount(large_pe: float, small_pe: float) -> float:
    """The discount of small on large implied by two P/E ratios: 1 - small/large (decimal).
    The article's 15x vs 22x gives 0.318."""
    return 1.0 - small_pe / large_pe


def summary(firms, avg_cap, bm, returns, shiller, start: pd.Period, as_of: pd.Period, horizon_years: int) -> dict:
    """The notebook's headline figures for the sample `start`..`as_of`:
    relative_pb_small_big (ME1/ME5 P/B), its percentile (0-100) and z-score within the sample,
    sp500_cape (last CAPE at or before as_of, with its month), fwd_smb_slope and its NW t."""
    from .timeseries import value_at

    rel = relative_pb(price_to_book_by_size(firms, avg_cap, bm))
    sample = rel[(rel.index >= start) & (rel.index <= as_of)].dropna()
    value = float(sample.loc[as_of])
    cape, cape_month = value_at(shiller["CAPE"], as_of)
    fit = cheapness_regression(rel, returns, horizon_years, start, as_of)
    return {"relative_pb_small_big": value, "relative_pb_percentile": percentile_rank(sample, value),
            "relative_pb_zscore": zscore(sample, value), "sp500_cape": cape, "sp500_cape_month": str(cape_month),
            "fwd_smb_slope": float(fit.params["relative_pb"]), "fwd_smb_slope_t": float(fit.tvalues["relative_pb"]),
            "fwd_smb_nobs": fit.nobs}
