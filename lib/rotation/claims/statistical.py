"""Checks of the article's statistical thesis claims, decided by the robust inference layer (`rotation.inference`)
and a specification grid, plus the historic-valuation-gap description.

One rule for every statistical claim (`robust_and_grid_verdict`): supported only when the headline robust test
supports the claim AND more than `min_grid_share` of the specification grid does; contradicted symmetrically;
otherwise inconclusive. Every threshold comes from the claim's `tolerance` in seeds/claims.yml.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import concentration, credit, inference, rates, spreads, valuation
from ..params import Window
from ..timeseries import change_by_date, month_end_values, percentile_rank, to_monthly_index


# ----------------------------------------------------------------- the shared rule

def grid_verdict(headline_stance: str, shares: dict, min_grid_share: float) -> str:
    """The verdict from the headline specification's stance ("supports" / "contradicts" /
    "inconclusive", `inference.stance`) and the grid's shares (`inference.grid_shares`, 0-1):
    "supported" when the headline supports and the supporting share exceeds `min_grid_share`,
    "contradicted" when the headline contradicts and the contradicting share exceeds it, else
    "inconclusive" (also when the grid is empty: its shares are NaN)."""
    for stance, verdict in (("supports", "supported"), ("contradicts", "contradicted")):
        share = shares.get(stance, np.nan)
        if headline_stance == stance and share == share and share > min_grid_share:
            return verdict
    return "inconclusive"


def robust_and_grid_verdict(estimate: float, p: float, direction: int, alpha: float, grid_shares: dict,
                            min_grid_share: float) -> str:
    """The rule of every statistical claim: the headline robust test's stance (`inference.stance`
    of `estimate` and its robust p-value `p`, the claim's sign `direction` +1 or -1, level
    `alpha`) combined with the specification grid's shares by `grid_verdict`."""
    return grid_verdict(inference.stance(estimate, p, direction, alpha), grid_shares, min_grid_share)


def grid_text(shares: dict, n: int) -> str:
    """'x% of n specifications support, y% contradict' (or that no specification can be run)."""
    if not n:
        return "no specification of the grid can be run at this date"
    return f"{shares['supports']:.0%} of {n} specifications support, {shares['contradicts']:.0%} contradict"


def _shares(grid: pd.DataFrame) -> dict:
    return inference.grid_shares(grid) if len(grid) else {s: float("nan") for s in inference.STANCES}


def _window(start: pd.Period, ctx) -> Window:
    """The claims run's window with its own sample start (a check's `tolerance` start)."""
    return Window(start=start, as_of=ctx["as_of"], as_of_month=ctx["as_of_month"], requested=str(ctx["as_of"].date()),
                  data_end=ctx["as_of_month"])


# ----------------------------------------------------------------- easing

def check_easing(rec, inp, ctx) -> dict:
    """"Fed rate cuts are a boon for small caps": notebook 02's headline event study (the mean
    12-month headline spread after first cuts, randomisation p, `tolerance.draws` draws, seed
    `rates.RANDOMISATION_SEED`) and its easing grid (`rates.easing_grid`: every candidate spread x
    `rates.grid_starts` x 12/24 months, `tolerance.grid_draws` draws each, the notebook's
    settings), decided by `robust_and_grid_verdict`. Below `inference.MIN_EPISODES` cycles no p is
    read and the claim stays inconclusive. The rate beta is description only."""
    tol = rec["tolerance"]
    w = _window(pd.Period(tol["start"], "M"), ctx)
    candidates = spreads.one_period_spreads(inp["me_returns"], inp["me_returns_ew"], inp["factors"])
    head = rates.summary(inp["me_returns"], inp["dgs2"], inp["fedfunds"], inp["upper"], w, one_period=candidates[spreads.HEADLINE],
                         draws=tol["draws"], seed=rates.RANDOMISATION_SEED, prime_daily=inp.get("prime"),
                         min_gap=rates.EVENT_MIN_GAP)  # DPRIME dates pre-2008 first cuts (bundles key "prime")
    m, beta, t = head["mean_spread_12m_after_first_cut"], head["size_spread_beta_dgs2"], head["size_spread_beta_dgs2_t"]
    p, k = head["mean_spread_12m_after_first_cut_p_randomization"], head["cycles_with_12m"]
    window = f"{w.start}..{ctx['as_of_month']}, {k} easing cycle(s) with 12 months"
    if not k:
        return {"verdict": "not yet observable", "value": None, "window": window,
                "evidence": "no easing cycle since the test's start has 12 months of returns by as_of."}
    signals = rates.cut_signals(inp["fedfunds"], inp["upper"])
    starts = rates.grid_starts(w, signals)
    events = rates.grid_events(signals, w, inp["upper"], inp.get("prime"))
    grid = rates.easing_grid(candidates, events, starts, w, draws=tol["grid_draws"], seed=rates.RANDOMISATION_SEED,
                             min_gap=rates.EVENT_MIN_GAP)
    shares = _shares(grid)
    few = k < inference.MIN_EPISODES
    verdict = ("inconclusive" if few else
               robust_and_grid_verdict(m, p, rates.EASING_DIRECTION, tol["alpha"], shares, tol["min_grid_share"]))
    test = (f"{k} cycle(s), fewer than {inference.MIN_EPISODES}: episodes, no p-value read" if few
            else f"randomisation p {p:.2f}, {k} cycles")
    averaged, pending = head["first_cuts"][:k], head["first_cuts"][k:]  # chronological: the earliest k have 12 months
    pending_text = f"; {', '.join(pending)} not yet 12 months old by {ctx['as_of_month']}, not averaged" if pending else ""
    return {"verdict": verdict, "value": m, "window": window,
            "evidence": f"headline test: small minus large ({head['spread_definition']}, log) averaged {m:+.1%} over the 12 months "
                        f"after the first cuts of {', '.join(averaged)} ({test}{pending_text}); grid (notebook 02): {grid_text(shares, len(grid))} "
                        f"(every candidate spread x starts {', '.join(map(str, starts))} x 12/24 months, randomisation "
                        f"{tol['grid_draws']} draws each, p < {inference.ALPHA:g}); month to month, the Lo 30 - Hi 30 spread moved "
                        f"{'with' if beta > 0 else 'against'} 2-year yields (beta {beta:+.2f}% per pp, t {t:+.1f}; co-movement, "
                        f"not the effect of a cut)."}


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
    p, `concentration.share_regression`, `tolerance.draws`, seed 0) and notebook 03's grid
    (`concentration.specification_grid`: every candidate spread x sample start x 36/60 months,
    `tolerance.grid_draws` draws each, seed 0), decided by `robust_and_grid_verdict`; every
    high-concentration episode (above `tolerance.episode_pct`, `concentration.episode_evidence`,
    as notebook 03) is listed as evidence, never as a test."""
    tol = rec["tolerance"]
    share = ctx["window"].clip(concentration.top_decile_share(inp["me_firms"], inp["me_size"]))
    candidates = spreads.one_period_spreads(inp["me_returns"], inp["me_returns_ew"], inp["factors"])
    definition = spreads.label(*spreads.HEADLINE)
    fit = concentration.share_regression(candidates[spreads.HEADLINE], share, ctx["window"], h=60, draws=tol["draws"], seed=0)
    window = f"5-year windows complete by {ctx['as_of_month']}, {definition}"
    if not fit["n_obs"]:
        return {"verdict": "not yet observable", "value": None, "window": window,
                "evidence": "fewer than five non-overlapping 5-year windows of the headline spread are complete by as_of."}
    grid = concentration.specification_grid(candidates, share, ctx["window"], draws=tol["grid_draws"], seed=0)
    shares = _shares(grid)
    # every high-concentration episode (notebook 03's definition), not only the article's named ones
    eps = concentration.episode_evidence(share, candidates[spreads.HEADLINE], ctx["window"], tol["episode_pct"], 60)
    listed = "; ".join(f"{r.first}..{r.last}: {r.mean_outcome:+.1%}/yr" for r in eps.itertuples())
    verdict = robust_and_grid_verdict(fit["slope"], fit["p_bootstrap"], +1, tol["alpha"], shares, tol["min_grid_share"])
    horizons = "/".join(str(h) for h in concentration.GRID_HORIZONS)
    return {"verdict": verdict, "value": float(fit["slope"]), "window": window,
            "evidence": f"headline test: the next-5-year {definition} spread moved by {fit['slope']:+.2f} a year per unit of top-decile share "
                        f"({fit['first']}..{fit['last']}; null-bootstrap p {fit['p_bootstrap']:.2f}, out-of-sample R² {fit['oos_r2']:+.2f}); "
                        f"grid (notebook 03): {grid_text(shares, len(grid))} (every candidate spread x sample start x {horizons} months, "
                        f"bootstrap {tol['grid_draws']} draws each, p < {inference.ALPHA:g}); "
                        f"every episode of months above the {tol['episode_pct']:g}th percentile of the share's history to date with a "
                        f"complete window, mean next-5-year {definition} spread per year over its months (descriptive, "
                        f"{len(eps)} episode(s)): {listed or 'none complete'}."}


# ----------------------------------------------------------------- the historic valuation gap

def check_valuation_gap(rec, inp, ctx) -> dict:
    """"A historic valuation gap that has left small caps trading at a significant discount": the
    price-updated relative P/B of the smallest to the biggest NYSE size quintile
    (`valuation.price_updated_pb_by_size` and `relative_pb` on the Fama-French 25 size x BE/ME
    portfolios, as notebook 01) in `tolerance.month`; discount = 1 - relative P/B (decimal),
    ranked against the discounts of `tolerance.history_from`..`tolerance.month` (percentile
    0-100: share of months with a discount at or below it, so a wider discount ranks higher).
    Supported: discount > 0 and percentile >= `min_percentile`; contradicted: no discount or
    percentile < `contradicted_below_percentile`; mixed in between. A description, no p-value."""
    tol = rec["tolerance"]
    month, first = pd.Period(tol["month"], "M"), pd.Period(tol["history_from"], "M")
    rel = valuation.relative_pb(valuation.price_updated_pb_by_size(inp["bm25_firms"], inp["bm25_cap"], inp["bm25_bm_june"],
                                                                    inp["bm25_returns"])).dropna()
    window = f"{month}, ranked against {first}..{month}"
    if month not in rel.index:
        last = rel.index.max() if len(rel) else "none"
        return {"verdict": "not yet observable", "value": None, "window": window,
                "evidence": f"the relative P/B of {month} is not in the Fama-French tables published by as_of (last month {last})."}
    discount = 1.0 - rel[(rel.index >= first) & (rel.index <= month)]
    d = float(discount.loc[month])
    pct = percentile_rank(discount, d)
    widest = discount.idxmax()
    verdict = ("supported" if d > 0 and pct >= tol["min_percentile"] else
               "contradicted" if d <= 0 or pct < tol["contradicted_below_percentile"] else "mixed")
    side = f"a discount of {d:.0%}" if d > 0 else f"no discount (a premium of {-d:.0%})"
    return {"verdict": verdict, "value": pct, "window": window,
            "evidence": f"at the end of {month} the smallest NYSE size quintile's price-updated price-to-book was {1 - d:.2f} times the "
                        f"biggest's, {side}; that discount is at least as wide as in {pct:.0f}% of the month-ends {first}..{month} "
                        f"({valuation.universe(first, month)}); the widest was {float(discount.loc[widest]):.0%} in {widest} "
                        f"(Fama-French 25 size x BE/ME portfolios, June book-to-market rolled forward with total returns; notebook 01; "
                        f"a description, no p-value)."}


# ----------------------------------------------------------------- rates as the primary driver

DRIVERS = ("rates", "market", "credit")  # driver keys, in the order shown


def driver_changes(inp, rate: str) -> pd.DataFrame:
    """The candidate monthly drivers of the small-minus-large spread (monthly PeriodIndex):
    "rates" = change of the month-end Treasury yield `rate` ("DGS2" or "DGS10", FRED daily, pp),
    "market" = Fama-French Mkt-RF (5-factor file, decimal per month), "credit" = change of the
    monthly Baa-minus-10-year spread (`credit.baa_minus_10y`: Moody's Baa monthly minus the
    monthly mean of DGS10, FRED BAA10Y's monthly mean from 2016-04; pp). Changes by date."""
    return pd.DataFrame({
        "rates": change_by_date(month_end_values(inp[rate.lower()]), 1),
        "market": to_monthly_index(inp["factors"])["Mkt-RF"],
        "credit": change_by_date(credit.baa_minus_10y(inp["baa"], inp["dgs10"], inp["baa10y"])["spread"], 1),
    })


def driver_stances(fits: pd.DataFrame, alpha: float) -> dict:
    """What one specification's `inference.single_driver_fits` (rows `DRIVERS`) says about the
    rates: top (rates have the highest R² of the three and a Newey-West p below `alpha`),
    lowest (rates have the lowest R²), significant_not_top (p below `alpha` without the highest
    R²). All False when an R² is missing."""
    r2 = fits["r2"]
    if r2.reindex(list(DRIVERS)).isna().any():
        return {"top": False, "lowest": False, "significant_not_top": False}
    others = r2.drop("rates")
    significant = bool(fits.loc["rates", "p_nw"] < alpha)
    highest = bool(r2["rates"] > others.max())
    return {"top": highest and significant, "lowest": bool(r2["rates"] < others.min()),
            "significant_not_top": significant and not highest}


def check_rates_driver(rec, inp, ctx) -> dict:
    """"Interest rate sensitivity is a primary driver of returns", read as: of the monthly
    headline small-minus-large spread's variation, rate changes explain more than the market
    (Mkt-RF) and credit (change of Baa minus 10-year) do (`driver_changes`), each driver alone
    on the common sample (`inference.single_driver_fits`, Newey-West `tolerance.nw_lags` lags).
    Headline: the headline spread from `tolerance.start` with the `tolerance.rate` yield. Grid:
    every candidate spread (`spreads.one_period_spreads`) x `grid_starts` x `grid_rates`.
    Supported: rates top and significant in the headline and in more than `min_grid_share` of
    the grid; contradicted: rates have the lowest R² in the headline and in more than that
    share; mixed (checked after both): rates
    significant but not top in more than that share; else inconclusive. Co-movement, not the
    causal effect of policy."""
    tol = rec["tolerance"]
    last = ctx["as_of_month"]
    candidates = spreads.one_period_spreads(inp["me_returns"], inp["me_returns_ew"], inp["factors"])
    drivers = {r: driver_changes(inp, r) for r in dict.fromkeys([tol["rate"], *tol["grid_rates"]])}

    def fit(series, start, rate):
        s = series[(series.index >= pd.Period(start, "M")) & (series.index <= last)]
        out = inference.single_driver_fits(s, drivers[rate], tol["nw_lags"])
        return out if out["n_obs"].min() >= rates.MIN_REGRESSION_MONTHS else None

    rows = []
    for key, series in candidates.items():
        for start in tol["grid_starts"]:
            for rate in tol["grid_rates"]:
                f = fit(series, start, rate)
                if f is not None:
                    rows.append(driver_stances(f, tol["alpha"]))
    grid = pd.DataFrame(rows, columns=["top", "lowest", "significant_not_top"])
    shares = grid.mean().to_dict() if len(grid) else {c: float("nan") for c in grid.columns}
    head = fit(candidates[spreads.HEADLINE], tol["start"], tol["rate"])
    name = spreads.label(*spreads.HEADLINE)
    window = f"{tol['start']}..{last}, monthly"
    if head is None:
        return {"verdict": "inconclusive", "value": None, "window": window,
                "evidence": f"fewer than {rates.MIN_REGRESSION_MONTHS} common months of {name} and the three drivers from {tol['start']} to {last}."}
    h = driver_stances(head, tol["alpha"])
    share = tol["min_grid_share"]
    # symmetric and checked in this order: top (headline and most of the grid) supports, lowest (headline and
    # most of the grid) contradicts, significant-but-not-top in most of the grid is "mixed"
    verdict = ("supported" if h["top"] and shares["top"] > share else
               "contradicted" if h["lowest"] and shares["lowest"] > share else
               "mixed" if shares["significant_not_top"] > share else "inconclusive")
    r2, slope = head["r2"], head.loc["rates", "slope"]
    grid_part = (f"in the grid (every candidate spread x starts {', '.join(tol['grid_starts'])} x {'/'.join(tol['grid_rates'])}), rates "
                 f"explain the most and significantly in {shares['top']:.0%} of {len(grid)} specifications, the least in "
                 f"{shares['lowest']:.0%}, and are significant but not the top driver in {shares['significant_not_top']:.0%}"
                 if len(grid) else "no specification of the grid can be run at this date")
    return {"verdict": verdict, "value": float(r2["rates"]), "window": window,
            "evidence": f"headline ({name}, {head.attrs['first']}..{head.attrs['last']}, {int(head['n_obs'].iloc[0])} months, each driver alone): "
                        f"R² {r2['rates']:.3f} for the change of {tol['rate']} (slope {slope * 100:+.2f}% a month per pp, Newey-West t "
                        f"{head.loc['rates', 't_nw']:+.1f}), {r2['market']:.3f} for the market (Mkt-RF), {r2['credit']:.3f} for the change "
                        f"of Baa minus 10-year; {grid_part}. A {'positive' if slope > 0 else 'negative'} slope means small caps did "
                        f"{'better' if slope > 0 else 'worse'} than large in months when 2-year yields rose"
                        f"{' (the opposite of cuts helping them)' if slope > 0 else ''}. These are co-movements (a description), "
                        f"not the causal effect of policy."}


# ----------------------------------------------------------------- quality small caps

def op_column(quintile: int, op: int) -> str:
    """Column name of the Fama-French 25 size x operating-profitability portfolios for size
    quintile `quintile` (1 small .. 5 big) and OP quintile `op` (1 low .. 5 high): the corner
    portfolios are named SMALL/BIG LoOP/HiOP, the others ME{q} OP{o}."""
    corner = {1: "SMALL", 5: "BIG"}.get(quintile)
    if corner and op in (1, 5):
        return f"{corner} {'LoOP' if op == 1 else 'HiOP'}"
    return f"ME{quintile} OP{op}"


def quality_spread(returns: pd.DataFrame, quintile: int) -> pd.Series:
    """Robust-minus-weak operating profitability within one size quintile: the monthly return of
    its highest-OP portfolio minus its lowest-OP one (simple return difference, decimal per
    month; Fama-French 25 portfolios formed on size and operating profitability)."""
    return (returns[op_column(quintile, 5)] - returns[op_column(quintile, 1)]).rename(f"ME{quintile} OP5-OP1")


def check_quality_small_caps(rec, inp, ctx) -> dict:
    """"Favour quality small caps over those burdened by excessive leverage": leverage is not in
    the data; the closest public analogue is small robust-minus-weak profitability
    (`quality_spread`), whose mean per year (12 x the monthly mean) is tested with a Newey-West t
    (`tolerance.nw_lags` lags, `inference.mean_newey_west`) on the headline (`tolerance.quintile`,
    `weighting`, `start`) and over the grid `grid_quintiles` x `grid_starts` x `grid_weightings`
    (EW from `op25_returns_ew`), decided by `robust_and_grid_verdict` (claim sign +1). The mean
    over the 12 months after the first cuts of easing cycles is description only."""
    tol = rec["tolerance"]
    last = ctx["as_of_month"]
    tables = {"VW": inp["op25_returns"], "EW": inp.get("op25_returns_ew")}

    def test(quintile, weighting, start):
        s = quality_spread(to_monthly_index(tables[weighting]), quintile)
        return inference.mean_newey_west(s[(s.index >= pd.Period(start, "M")) & (s.index <= last)], tol["nw_lags"])

    weightings = [wt for wt in tol["grid_weightings"] if tables.get(wt) is not None]  # EW only when its table is in the inputs
    rows = []
    for q in tol["grid_quintiles"]:
        for weighting in weightings:
            for start in tol["grid_starts"]:
                r = test(q, weighting, start)
                rows.append({"stance": inference.stance(r["mean"], r["p"], +1, tol["alpha"])})
    grid = pd.DataFrame(rows, columns=["stance"])
    shares = _shares(grid)
    head = test(tol["quintile"], tol["weighting"], tol["start"])
    label = f"{op_column(tol['quintile'], 5)} - {op_column(tol['quintile'], 1)}, {tol['weighting']}"
    window = f"{tol['start']}..{last}, monthly"
    if head["mean"] != head["mean"]:
        return {"verdict": "inconclusive", "value": None, "window": window,
                "evidence": f"too few months of {label} from {tol['start']} to {last} for a test."}
    per_year = 12 * head["mean"]
    verdict = robust_and_grid_verdict(head["mean"], head["p"], +1, tol["alpha"], shares, tol["min_grid_share"])
    # description: the 12 months after each first cut of an easing cycle since the start
    w = _window(pd.Period(tol["start"], "M"), ctx)
    cuts = rates.cycle_starts(rates.cut_signals(inp["fedfunds"], inp["upper"]), w)
    events = list(rates.event_months(cuts, w.to_date(inp["upper"]),
                                     None if inp.get("prime") is None else w.to_date(inp["prime"])).values())
    head_series = quality_spread(to_monthly_index(tables[tol["weighting"]]), tol["quintile"])
    after = rates.event_outcomes(head_series, events, (tol["after_cut_months"],), w)[f"{tol['after_cut_months']}m"].dropna()
    easing = (f"summed to {after.mean():+.1%} on average over the {tol['after_cut_months']} months after the {len(after)} first cut(s) "
              f"with a complete window ({', '.join(f'{e} {v:+.1%}' for e, v in after.items())})" if len(after)
              else f"has no first cut with {tol['after_cut_months']} complete months after it yet")
    return {"verdict": verdict, "value": per_year, "window": window,
            "evidence": f"headline test: small robust-minus-weak profitability ({label}, Fama-French 25 size x operating-profitability "
                        f"portfolios, simple monthly return difference) averaged {per_year:+.1%} a year {head['first']}..{head['last']} "
                        f"(Newey-West t {head['t']:+.2f}, {tol['nw_lags']} lags, p {head['p']:.3f}); grid: {grid_text(shares, len(grid))} "
                        f"(size quintiles {', '.join(map(str, tol['grid_quintiles']))} x starts {', '.join(tol['grid_starts'])} x "
                        f"{'/'.join(weightings)}). Leverage is not in the data: "
                        f"operating profitability is the closest public measure of 'quality'. Described, not tested: the quality spread "
                        f"{easing}."}
