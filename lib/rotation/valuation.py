"""The small-cap valuation gap: relative price-to-book of small vs big firms since 1926,
market-level valuation, and whether relative cheapness was followed by small-cap outperformance.

Source tables:
* Fama-French `25_Portfolios_5x5` (size x BE/ME): "Number of Firms in Portfolios", "Average
  Market Cap" ($ millions, market equity at the end of the previous month: the weights of the
  month's value-weighted returns), "Average Value Weighted Returns -- Monthly", and the two
  value-weighted BE/ME sections of portfolios formed in June of year t: book equity of fiscal
  year t-1 divided by market equity of June t ("... BE_FYt-1/ME_June t ...", `BM_JUNE_TABLE`)
  or of December t-1 ("... BE(Fiscal Year t-1) / ME(Dec t-1) ...", `BM_TABLE`);
* the small-minus-large spreads of `rotation.spreads` (Fama-French 5-factor `SMB`, the headline
  `spreads.HEADLINE`, and the `Portfolios_Formed_on_ME` size spreads, VW and EW) for the
  cheapness regression and its specification grid (`rotation.inference`);
* Fama-French `Portfolios_Formed_on_E-P` "Sum of E / Sum of ME" (annual) for aggregate E/P;
* Shiller `ie_data` for S&P 500 CAPE and trailing P/E.

The headline relative P/B is *price-updated*: the December-formation section fixes each
firm's B/M at December t-1 prices for the whole July t .. June t+1 holding year (up to 18
months stale), so each size quintile's P/B is instead started from the June-formation
section (prices of the end of June t) and rolled forward month by month with the quintile's
value-weighted return (`price_updated_pb_by_size`). Fama-French returns are total returns, so
the roll-forward adds the dividend yield to price growth; `roll_forward_check` measures the
size of that approximation.

Units: ratios are plain numbers (P/B of 2.0 = price twice book); monthly returns are decimals
per month; forward spreads are annualised sums of one-period spreads (log return differences
for two-leg spreads, SMB's own return for SMB), decimals per year.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .inference import (Predictive, forward_cumulative, grid_shares, normal_two_sided_p, predictive_grid, predictive_regression,
                        stance)
from .portfolios import me_weighted
from .timeseries import percentile_rank, value_at, zscore

BM_TABLE = "BE(Fiscal Year t-1) / ME(Dec t-1)"          # December formation (Fama-French's usual BE/ME)
BM_JUNE_TABLE = "BE_FYt-1/ME_June t"                    # June formation: the roll-forward's starting point
RETURNS_TABLE = "Average Value Weighted Returns -- Monthly"
QUINTILES = (1, 2, 3, 4, 5)
SINCE_1963 = pd.Period("1963-07", "M")                  # first month of the NYSE+AMEX(+NASDAQ from 1973) universe
NASDAQ_FROM = pd.Period("1973-07", "M")                 # first holding month of portfolios that include NASDAQ firms


def universe(first, last) -> str:
    """Which firms the Fama-French size x BE/ME portfolios hold over the months `first`..`last`:
    NYSE only before July 1963 (book equity from Moody's for NYSE firms), NYSE and AMEX from
    July 1963, NASDAQ added with the June 1973 formation (CRSP covers NASDAQ from December
    1972). Only what had happened by `last` is mentioned."""
    first, last = pd.Period(first, "M"), pd.Period(last, "M")
    if last < SINCE_1963:
        return "NYSE firms only"
    text = "NYSE firms only before 1963-07, then NYSE and AMEX firms" if first < SINCE_1963 else "NYSE and AMEX firms"
    if last >= NASDAQ_FROM:
        text = text + ", with NASDAQ from 1973" if first < NASDAQ_FROM else "NYSE, AMEX and NASDAQ firms"
    return text


# ----------------------------------------------------------------- formation years

def formation_year(index: pd.PeriodIndex) -> np.ndarray:
    """The year Y of the Fama-French portfolios held in each month: portfolios formed at the end
    of June Y are held from July Y to June Y+1 (so 2009-04 -> 2008, 2009-07 -> 2009)."""
    idx = pd.PeriodIndex(index, freq="M")
    return np.where(idx.month >= 7, idx.year, idx.year - 1)


def dec_formation_price_month(month) -> pd.Period:
    """The month whose prices the December-formation BE/ME uses at `month`: December of the
    year before the formation year (2009-04 -> 2007-12, 2009-07 -> 2008-12)."""
    m = pd.Period(month, "M")
    return pd.Period(f"{int(formation_year(pd.PeriodIndex([m]))[0]) - 1}-12", "M")


# ----------------------------------------------------------------- P/B by size quintile

def aggregate_book_to_market(firms: pd.DataFrame, avg_cap: pd.DataFrame, bm: pd.DataFrame, quintile: int) -> pd.Series:
    """Aggregate B/M of a size quintile: sum_i ME_i x BM_i / sum_i ME_i over its five BE/ME
    portfolios, ME_i = number of firms x average market cap in that month."""
    return me_weighted(firms, avg_cap, bm, quintile).rename(f"ME{quintile} B/M")


def price_to_book_by_size(firms: pd.DataFrame, avg_cap: pd.DataFrame, bm: pd.DataFrame,
                          quintiles=QUINTILES) -> pd.DataFrame:
    """Aggregate P/B (= 1 / aggregate B/M) of each size quintile, columns ME1..ME5, month by
    month as the BE/ME section `bm` gives it (no roll-forward: with `BM_TABLE` every month of a
    holding year uses the prices of the previous December)."""
    return pd.DataFrame({f"ME{q}": 1.0 / aggregate_book_to_market(firms, avg_cap, bm, q) for q in quintiles})


def quintile_returns(firms: pd.DataFrame, avg_cap: pd.DataFrame, returns: pd.DataFrame,
                     quintiles=QUINTILES) -> pd.DataFrame:
    """Value-weighted return of each size quintile (decimal per month), columns ME1..ME5: the
    average of its five portfolios' value-weighted returns weighted by ME_i = number of firms x
    average market cap of the same month (Fama-French's average market cap is the market equity
    at the end of the previous month, so these are the quintile's own value weights)."""
    return pd.DataFrame({f"ME{q}": me_weighted(firms, avg_cap, returns, q) for q in quintiles})


def roll_forward(start_pb: pd.DataFrame, monthly_returns: pd.DataFrame) -> pd.DataFrame:
    """P/B rolled forward with returns within each holding year.

    `start_pb` holds, in its July Y row, the P/B of portfolios formed at the end of June Y at
    end-of-June-Y prices (only July rows are used); `monthly_returns` the same columns' returns
    (decimal per month). The value for month m of holding year Y (July Y .. June Y+1) is the P/B
    at the END of month m:

        P/B(m) = P/B(July Y row) x prod over k = July Y .. m of (1 + R_k)

    so July's value already includes July's return (the July row itself is priced at the end of
    June). NaN where the July row or any return since it is missing (a month absent from the
    index counts as missing). Ratios, on every month from the returns' first to their last.
    """
    r = monthly_returns.sort_index()
    r = r.reindex(pd.period_range(r.index.min(), r.index.max(), freq="M"))   # a missing month is a gap
    year = formation_year(r.index)
    july = start_pb[start_pb.index.month == 7]
    base = july.copy()
    base.index = july.index.year
    base = base.reindex(year)
    base.index = r.index
    growth = np.log1p(r[base.columns])
    cum = growth.groupby(year).cumsum()
    broken = r[base.columns].isna().groupby(year).cummax()          # a gap breaks the rest of the year
    return (base * np.exp(cum)).mask(broken)


def price_updated_pb_by_size(firms: pd.DataFrame, avg_cap: pd.DataFrame, bm_june: pd.DataFrame,
                             returns: pd.DataFrame, quintiles=QUINTILES) -> pd.DataFrame:
    """Price-updated aggregate P/B of each size quintile (ratio), columns ME1..ME5, at the end
    of each month: the June-formation P/B (`BM_JUNE_TABLE`, book equity of fiscal year Y-1 over
    market equity of June Y, aggregated ME-weighted as `aggregate_book_to_market` does) rolled
    forward with the quintile's value-weighted return since formation (`quintile_returns`,
    `roll_forward`). Returns are total returns: the value overstates price growth by the
    dividends paid since the end of June (see `roll_forward_check`)."""
    start = price_to_book_by_size(firms, avg_cap, bm_june, quintiles)
    return roll_forward(start, quintile_returns(firms, avg_cap, returns, quintiles))


def relative_pb(pb: pd.DataFrame, small: str = "ME1", big: str = "ME5") -> pd.Series:
    """P/B of the small quintile divided by P/B of the big one (below 1: small caps cheaper)."""
    return (pb[small] / pb[big]).rename(f"{small}/{big} P/B")


def roll_forward_check(firms: pd.DataFrame, avg_cap: pd.DataFrame, bm_dec: pd.DataFrame, bm_june: pd.DataFrame,
                       returns: pd.DataFrame, quintiles=QUINTILES, small: str = "ME1", big: str = "ME5") -> pd.DataFrame:
    """How far rolling a P/B forward with total returns strays from the true price-based P/B.

    For each formation year Y, both BE/ME sections' July Y rows hold the same firms, weights and
    book equity (fiscal year Y-1), priced at December Y-1 (`bm_dec`) and at June Y (`bm_june`).
    Rolling the December-priced P/B forward with the quintile's returns of January..June Y and
    comparing with the June-priced P/B gives, per quintile, the log difference

        log(P/B_dec(July Y) x prod_{Jan..Jun Y}(1 + R)) - log(P/B_june(July Y))

    (positive: the roll-forward overstates P/B), and the same for the ratio `small`/`big`.
    It measures six months of roll-forward and mixes three things: dividends (total returns
    include them: a positive bias of about half a year's dividend yield), the January..June
    returns being those of the portfolios formed a year earlier (the new portfolios' returns
    before formation are not published), and the December-priced value being weighted by June
    market equity. Index: formation year Y (int); only years with all six returns.
    """
    dec = price_to_book_by_size(firms, avg_cap, bm_dec, quintiles)
    jun = price_to_book_by_size(firms, avg_cap, bm_june, quintiles)
    rq = quintile_returns(firms, avg_cap, returns, quintiles)
    rows = {}
    for july in jun.index[jun.index.month == 7]:
        y = july.year
        months = pd.period_range(f"{y}-01", f"{y}-06", freq="M")
        if july not in dec.index or not months.isin(rq.index).all():
            continue
        r = rq.loc[months]
        if r.isna().any().any():
            continue
        rolled = dec.loc[july] * (1.0 + r).prod()
        rows[y] = np.log(rolled) - np.log(jun.loc[july])
    out = pd.DataFrame(rows).T.reindex(columns=list(dec.columns))
    out.index.name = "formation_year"
    out[f"{small}/{big}"] = out[small] - out[big]
    return out


def roll_forward_error(check: pd.DataFrame) -> pd.DataFrame:
    """Summary of `roll_forward_check` per column: formation years, median absolute log
    difference, mean log difference (the systematic part, mainly dividends) and the 90th
    percentile of the absolute log difference (all in log points; 0.01 ~ 1%)."""
    a = check.abs()
    return pd.DataFrame({"years": check.count(), "median_abs_log_diff": a.median(),
                         "mean_log_diff": check.mean(), "p90_abs_log_diff": a.quantile(0.9)})


# ----------------------------------------------------------------- history of one value

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
    episodes, with their month and value, cheapest first. A minimum within
    `half_window_months` of the series' end may still be undercut by later months."""
    s = series.dropna()
    roll = s.rolling(2 * half_window_months + 1, center=True, min_periods=half_window_months + 1).min()
    mins = s[s == roll].sort_values().head(n)
    return pd.DataFrame({"month": [str(p) for p in mins.index], "value": mins.to_numpy()})


# ----------------------------------------------------------------- market level

EP_COLUMNS = ["<= 0", "Lo 30", "Med 40", "Hi 30"]


def aggregate_earnings_yield(ep_sum: pd.DataFrame, firms: pd.DataFrame, avg_size: pd.DataFrame,
                             as_of: pd.Period | None = None) -> pd.DataFrame:
    """Aggregate E/P of all firms (decimal) for each June formation of the E/P portfolios.

    Row Y (annual Period) is the portfolios formed at the end of June Y: "Sum of E / Sum of ME"
    uses earnings of fiscal year Y-1 over market equity of December Y-1. The four portfolios
    (`<= 0`, `Lo 30`, `Med 40`, `Hi 30`) are combined as sum_i (E/ME)_i x ME_i / sum_i ME_i,
    with ME_i = firms x average size in July Y (market equity at the end of June Y, the first
    weights of the new portfolios: an approximation of the December Y-1 ME the file divides
    by). A formation counts only once its July row is in `firms` and, when `as_of` (a month)
    is given, July Y <= as_of: no weights from after as_of are used.

    Columns: `ep` (decimal), `fiscal_year` (of the earnings, Y-1), `formed` (June Y) and
    `weights_month` (July Y).
    """
    july = firms.index[firms.index.month == 7]
    if as_of is not None:
        july = july[july <= pd.Period(as_of, "M")]
    me = firms.loc[july, EP_COLUMNS] * avg_size.loc[july, EP_COLUMNS]
    me.index = pd.PeriodIndex([p.asfreq("Y") for p in me.index], freq="Y")
    ep = ep_sum[EP_COLUMNS].reindex(me.index)
    agg = (ep * me).sum(axis=1, min_count=4) / me.sum(axis=1, min_count=4)
    out = pd.DataFrame({"ep": agg,
                        "fiscal_year": [p.year - 1 for p in me.index],
                        "formed": pd.PeriodIndex([pd.Period(f"{p.year}-06", "M") for p in me.index], freq="M"),
                        "weights_month": pd.PeriodIndex([pd.Period(f"{p.year}-07", "M") for p in me.index], freq="M")},
                       index=me.index)
    out.index.name = "formation_year"
    return out.dropna(subset=["ep"])


# ----------------------------------------------------------------- does cheapness pay?

# The article's claim, fixed before any result: cheap small caps (LOW relative P/B) are followed by
# small-cap outperformance (HIGH future small-minus-large), i.e. a NEGATIVE slope.
DIRECTION = -1
CLAIM = "valuation"
GRID_HORIZONS = (36, 60)                                  # months
GRID_STARTS = (pd.Period("1963-07", "M"), pd.Period("1990-01", "M"))   # besides the window's start
SEED = 0                                                  # every bootstrap in 01 is drawn from this seed
SEED_STRIDE = 100                                         # grid: spread k draws from seed + 100 k (+1, +2, ... per specification)


def forward_spread(one_period: pd.Series, months: int) -> pd.Series:
    """The annualised sum of a one-period spread over the next `months` months:
    (12 / months) x (d_{t+1} + ... + d_{t+months}) (decimal per year; a log spread for two-leg
    spreads, see `rotation.spreads.one_period_spreads`). NaN where the window is incomplete."""
    return forward_cumulative(one_period, months) * (12.0 / months)


def cheapness_pairs(rel_pb: pd.Series, one_period: pd.Series, months: int, window) -> pd.DataFrame:
    """The months of the headline cheapness regression: columns `relative_pb` (ratio, known at
    the end of month t) and `fwd` (`forward_spread` over the next `months` months, decimal per
    year), for months t in the window's sample (start .. as_of month) with both values and a
    forward window complete by the as_of month. `window`: rotation.params.Window."""
    fwd = forward_spread(window.clip(one_period).dropna(), months)
    pairs = pd.concat([window.clip(rel_pb).rename("relative_pb"), fwd.rename("fwd")], axis=1, join="inner")
    return pairs.dropna()


def cheapness_regression(rel_pb: pd.Series, one_period: pd.Series, months: int, window,
                         draws: int = 499, seed: int = SEED) -> Predictive:
    """The predictive regression of the annualised next-`months` sum of `one_period` (decimal per
    month) on relative P/B (ratio), both cut to the window's sample (start .. as_of month, so
    only windows complete by the as_of month count; the sample starts at the later of `start`
    and the first month both series cover): `rotation.inference.predictive_regression` with
    Newey-West (lags = `months`) and Hodrick (1992) t, the AR(1) block null bootstrap
    (`draws`, `seed`) and the expanding out-of-sample R^2. Slope in decimal per year per unit of
    relative P/B."""
    return predictive_regression(window.clip(one_period).dropna(), window.clip(rel_pb).dropna(), months,
                                 draws=draws, seed=seed)


def fitted_intercept(pairs: pd.DataFrame, slope: float) -> float:
    """The OLS intercept that goes with `slope` on `cheapness_pairs`: mean(fwd) - slope x
    mean(relative_pb) (decimal per year)."""
    return float(pairs["fwd"].mean() - slope * pairs["relative_pb"].mean())


def grid_starts(window, first_months) -> list[pd.Period]:
    """The sample starts of the specification grid for a series whose first usable month is the
    latest of `first_months`: the window's start, 1963-07 and 1990-01 (`GRID_STARTS`), each
    moved to that first month when earlier, duplicates dropped, and those after the as_of month
    left out. Sorted."""
    first = max(pd.Period(f, "M") for f in first_months)
    starts = {max(pd.Period(s, "M"), first) for s in (window.start, *GRID_STARTS)}
    return sorted(s for s in starts if s <= window.as_of_month)


def cheapness_grid(one_period: dict, rel_pb: pd.Series, window, horizons=GRID_HORIZONS, draws: int = 99,
                   seed: int = SEED) -> pd.DataFrame:
    """The specification grid of the claim `valuation`: one `cheapness_regression`-style
    predictive regression per candidate spread (`one_period`: {(spread, weighting): one-period
    series, decimal per month}, as `rotation.spreads.one_period_spreads` gives it) x sample start
    (`grid_starts`: window start, 1963-07, 1990-01, each no earlier than the first month both
    series cover, so no specification is run twice) x horizon (months), all ending at the as_of
    month (`rotation.inference.predictive_grid`, direction `DIRECTION`; a specification whose
    sample holds fewer than 5 non-overlapping windows of its horizon, `inference.MIN_EPISODES`,
    is skipped). The grid's starts are fixed, not cut to the window's start. The k-th spread
    (0, 1, ...) draws with seeds `seed` + 100 k + 1, + 2, ... (one per specification), so no two
    specifications share their bootstrap draws. Rows: `rotation.inference.GRID_COLUMNS` plus
    se_hodrick, ci_low, ci_high, stance."""
    x = window.to_date(rel_pb).dropna()
    parts = []
    for k, (key, d) in enumerate(one_period.items()):
        d = window.to_date(d).dropna()
        if d.empty or x.empty:
            continue
        starts = grid_starts(window, [d.index.min(), x.index.min()])
        parts.append(predictive_grid(CLAIM, {key: d}, x, starts, list(horizons), DIRECTION, window.as_of_month,
                                     draws=draws, seed=seed + SEED_STRIDE * k))
    parts = [p for p in parts if len(p)]
    if not parts:
        return predictive_grid(CLAIM, {}, x, [], list(horizons), DIRECTION, window.as_of_month)
    return pd.concat(parts, ignore_index=True)


def grid_summary(grid: pd.DataFrame) -> pd.DataFrame:
    """Shares (0-1) of the grid's specifications that support / contradict / are inconclusive
    about the claim, and the count, for the whole grid and by horizon, sample start and
    weighting. Also the share with a positive out-of-sample R^2 (`oos_r2_positive`: beat the
    expanding historical mean) and the share that both supports the claim in sample and has a
    positive out-of-sample R^2 (`supports_and_oos_positive`)."""
    def row(g):
        shares = grid_shares(g)
        beat = g["oos_r2"] > 0
        return {**shares, "oos_r2_positive": float(beat.mean()) if len(g) else np.nan,
                "supports_and_oos_positive": float((beat & (g["stance"] == "supports")).mean()) if len(g) else np.nan,
                "specs": len(g)}

    rows = {"all specifications": row(grid)}
    for col, name in [("horizon_months", "horizon {} months"), ("sample_start", "start {}"), ("weighting", "{}")]:
        for value, g in grid.groupby(col, sort=True):
            rows[name.format(value)] = row(g)
    return pd.DataFrame(rows).T.astype({"specs": int})


STANCE_MARKS = {"supports": "S", "contradicts": "C", "inconclusive": "-"}


def grid_table(grid: pd.DataFrame, scale: float = 100.0) -> pd.DataFrame:
    """The grid as one compact table: rows (spread, weighting), columns (sample start, horizon),
    cells "estimate [bootstrap p] mark" with the estimate times `scale` (default: % per year per
    unit of relative P/B) and mark S (supports), C (contradicts) or - (inconclusive)."""
    if grid.empty:
        return pd.DataFrame()
    cell = [f"{e * scale:+.1f} [{p:.2f}] {STANCE_MARKS[s]}" for e, p, s in zip(grid["estimate"], grid["p_bootstrap"], grid["stance"])]
    t = grid.assign(cell=cell, start_horizon=[f"{s}, {h}m" for s, h in zip(grid["sample_start"], grid["horizon_months"])])
    order = sorted(t["start_horizon"].unique())
    out = t.pivot_table(index=["spread", "weighting"], columns="start_horizon", values="cell", aggfunc="first", sort=False)
    return out.reindex(columns=order).fillna("")


def mean_by_quintile(rel_pb: pd.Series, fwd: pd.Series) -> pd.DataFrame:
    """Mean future return by relative-P/B quintile (quintile 1 = cheapest small caps).
    Breakpoints come from all the months given (in-sample: a month's quintile depends on
    later months' values), so this describes history, it is not a trading rule."""
    df = pd.concat([rel_pb.rename("rel_pb"), fwd.rename("fwd")], axis=1, join="inner").dropna()
    df["quintile"] = pd.qcut(df["rel_pb"], 5, labels=[1, 2, 3, 4, 5])
    g = df.groupby("quintile", observed=True)
    return pd.DataFrame({"rel_pb_from": g["rel_pb"].min(), "rel_pb_to": g["rel_pb"].max(),
                         "mean_fwd": g["fwd"].mean(), "months": g["fwd"].size()})


def forward_pe_discount(large_pe: float, small_pe: float) -> float:
    """The discount of small on large implied by two P/E ratios: 1 - small/large (decimal).
    The article's 15x vs 22x gives 0.318."""
    return 1.0 - small_pe / large_pe


# ----------------------------------------------------------------- headline figures

def regression_figures(fit: Predictive, first_month) -> dict:
    """The figures of one cheapness regression (`cheapness_regression`), under the names of the
    headline ones: fwd_smb_slope (decimal per year per unit of relative P/B), fwd_smb_slope_t
    (Newey-West), fwd_smb_slope_t_hodrick, fwd_smb_slope_p_nw (two-sided normal p of the
    Newey-West t: the conventional reading), fwd_smb_slope_p_bootstrap, fwd_smb_slope_null_mean
    (mean slope under the null: the Stambaugh bias), fwd_smb_oos_r2, fwd_smb_stance (the
    in-sample stance: `rotation.inference.stance` on the bootstrap p, direction `DIRECTION`;
    the out-of-sample R^2 is not part of it), fwd_smb_nobs, fwd_smb_windows (non-overlapping
    windows: nobs // horizon) and fwd_smb_first (first month of the sample, text)."""
    return {"fwd_smb_slope": fit.estimate, "fwd_smb_slope_t": fit.t_nw, "fwd_smb_slope_t_hodrick": fit.t_hodrick,
            "fwd_smb_slope_p_nw": normal_two_sided_p(fit.t_nw),  # the conventional reading; the bootstrap checks it
            "fwd_smb_slope_p_bootstrap": fit.p_bootstrap, "fwd_smb_slope_null_mean": fit.null_mean_slope,
            "fwd_smb_oos_r2": fit.oos_r2, "fwd_smb_stance": stance(fit.estimate, fit.p_bootstrap, DIRECTION),
            "fwd_smb_nobs": fit.n_obs, "fwd_smb_windows": fit.n_obs // fit.horizon_months, "fwd_smb_first": str(first_month)}


def summary(rel: pd.Series, rel_dec: pd.Series, one_period: pd.Series, shiller: pd.DataFrame, window,
            horizon_years: int, draws: int = 499, seed: int = SEED) -> dict:
    """The notebook's headline figures at the window's as_of month.

    `rel`: price-updated ME1/ME5 relative P/B (ratio, `relative_pb` of
    `price_updated_pb_by_size`); `rel_dec`: the December-formation one; `one_period`: the
    headline small-minus-large one-period spread (decimal per month,
    `rotation.spreads.one_period_spreads(...)[rotation.spreads.HEADLINE]`); `shiller`: Shiller
    ie_data; `window`: rotation.params.Window. Keys: relative_pb_small_big and _dec_formation
    (ratios), relative_pb_percentile (0-100, months window.start..as_of),
    relative_pb_percentile_since_1963 (0-100, months 1963-07..as_of; NaN before 1963-07),
    relative_pb_dec_formation_percentile (window.start..as_of), relative_pb_zscore,
    small_cap_pb_discount (1 - relative P/B, share), sp500_cape / sp500_trailing_pe (last value
    at or before as_of, with their months), and the `regression_figures` of the headline
    `cheapness_regression` at 12 x `horizon_years` months (`draws` bootstrap draws, `seed`)."""
    m = window.as_of_month
    sample = window.clip(rel).dropna()
    value = float(sample.loc[m])
    since63 = window.clip_from(rel, SINCE_1963).dropna() if m >= SINCE_1963 else rel.iloc[:0]
    dec_sample = window.clip(rel_dec).dropna()
    dec_value = float(dec_sample.loc[m])
    sh = window.to_date(shiller)
    cape, cape_month = value_at(sh["CAPE"], m)
    pe, pe_month = value_at(sh["P"] / sh["E"], m)
    months = 12 * horizon_years
    fit = cheapness_regression(rel, one_period, months, window, draws=draws, seed=seed)
    first = cheapness_pairs(rel, one_period, months, window).index.min()
    return {"relative_pb_small_big": value, "relative_pb_percentile": percentile_rank(sample, value),
            "relative_pb_percentile_since_1963": percentile_rank(since63, value),
            "relative_pb_zscore": zscore(sample, value), "small_cap_pb_discount": 1.0 - value,
            "relative_pb_small_big_dec_formation": dec_value,
            "relative_pb_dec_formation_percentile": percentile_rank(dec_sample, dec_value),
            "dec_formation_prices": str(dec_formation_price_month(m)),
            "sp500_cape": cape, "sp500_cape_month": str(cape_month),
            "sp500_trailing_pe": pe, "sp500_trailing_pe_month": str(pe_month),
            **regression_figures(fit, first)}


REGRESSION_COLUMNS = {"fwd_smb_slope": "slope (per year per unit)", "fwd_smb_slope_t": "t (Newey-West)",
                      "fwd_smb_slope_t_hodrick": "t (Hodrick)", "fwd_smb_slope_p_bootstrap": "p (null bootstrap)",
                      "fwd_smb_slope_null_mean": "null mean slope (bias)", "fwd_smb_oos_r2": "out-of-sample R²",
                      "fwd_smb_nobs": "months", "fwd_smb_windows": "non-overlapping windows", "fwd_smb_first": "first month",
                      "fwd_smb_stance": "in-sample stance"}


def regression_table(rows: dict) -> pd.DataFrame:
    """One row per cheapness regression: `rows` maps a label (e.g. "60 months (headline)") to
    its `regression_figures`; columns named for reading (`REGRESSION_COLUMNS`)."""
    return pd.DataFrame({k: {c: v.get(c) for c in REGRESSION_COLUMNS} for k, v in rows.items()}).T.rename(columns=REGRESSION_COLUMNS)
