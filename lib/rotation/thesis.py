"""The thesis verdict (notebook 06): where the four legs of the Great Rotation thesis stand, what
followed when they held together before, whether a signal built from them paid out of sample,
what happened after the article, and a verdict by a rule fixed before any result.

Pure functions: frames in, frames and numbers out; no I/O (`rotation.data.thesis_inputs`
loads the inputs). Monthly series carry a monthly PeriodIndex; daily series a DatetimeIndex.

The four legs, each measured at the end of a month m with data up to m only:

* **valuation**: the price-to-book discount of small caps, 1 - P/B(ME1) / P/B(ME5), share
  (`valuation_discount`; Fama-French *25 Portfolios 5x5 size x BE/ME*, June formation rolled
  forward with value-weighted total returns, as notebook 01 computes it). Holds when the
  discount is at or above the `valuation_pct_min` percentile of its own history since the later
  of the notebook's start and 1963-07 (when AMEX, and from 1973 NASDAQ, firms join the universe).
* **concentration**: the top NYSE size decile's share of all ten deciles' market cap, share
  (`rotation.concentration.top_decile_share`; Fama-French *Portfolios Formed on ME*, dated by
  the month whose end the caps describe). Holds at or above the `concentration_pct_min`
  percentile of its history since the notebook's start.
* **easing**: the change of the monthly-average effective fed funds rate (FRED FEDFUNDS,
  percent) over the last `easing_months` months, percentage points, matched by date. Holds when
  it is at least `easing_cut_pp` below its value `easing_months` months earlier.
* **credit**: Moody's Baa yield minus the 10-year Treasury, monthly mean, percentage points
  (`rotation.credit.baa_minus_10y`: FRED BAA10Y from 2016-04, before that BAA - DGS10; lower =
  easier credit). Holds at or below the `credit_pct_max` percentile of its history since the
  notebook's start.

Percentiles are expanding (`rotation.timeseries.expanding_percentile`: the share of the
history up to and including m at or below the value at m, x100) and a leg is judged only once
`MIN_HISTORY_MONTHS` months of its history exist; the thresholds are fixed in advance. So a
month's flags use nothing after it. The values are the snapshot's revised vintages, not the
numbers published at the time.

Outcome: the collection's headline small-minus-large spread (`rotation.spreads.HEADLINE`,
SMB value-weighted, decimal per month; `spreads.headline_one_period`). Cumulative spreads are
sums of its monthly values (for SMB, a long-short factor return, a simple sum).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import concentration, credit, inference, rates, valuation
from .stats import ols_newey_west
from .timeseries import change_by_date, expanding_percentile, to_monthly_index, value_at

LEGS = ("valuation", "concentration", "easing", "credit")
LEG_NAMES = {"valuation": "valuation gap", "concentration": "market concentration", "easing": "Fed easing",
             "credit": "credit conditions"}
LEG_UNITS = {"valuation": "share (P/B discount, 1 - ME1/ME5)", "concentration": "share of market cap",
             "easing": "percentage points", "credit": "percentage points"}
VALUATION_FROM = valuation.SINCE_1963      # the valuation percentile never reaches back before 1963-07
MIN_HISTORY_MONTHS = 120                   # a leg is judged only with at least ten years of its own history
EPISODE_GAP_MONTHS = 12                    # flagged months more than 12 months apart start a new episode
HORIZONS_MONTHS = (12, 36, 60)             # forward horizons of the analogues (1, 3 and 5 years)
VERDICT_HORIZON_MONTHS = 36                # the verdict rule reads the 3-year outcome
NW_LAGS = 12                               # Newey-West lags of the signal's t-statistic
T_CRITICAL = 2.0                           # |t| the verdict rule asks of the signal
MIN_EPISODES = inference.MIN_EPISODES      # the verdict rule asks for at least 5 complete episodes
ARTICLE_BASE_DATE = pd.Timestamp("2025-12-31")  # "after the article" runs from this close
PUBLICATION_LAG_MONTHS = 3                  # the signal of month t is held from month t + 4: the last input of month t
                                           # (end-of-month-t caps in Fama-French row t + 1, out 45 days after t + 1)
                                           # is published in the middle of month t + 3
SUPPORTED, CONTRADICTED, UNDECIDED = "supported", "contradicted", "not decided by the data"
VERDICTS = (SUPPORTED, CONTRADICTED, UNDECIDED)


@dataclass(frozen=True)
class Thresholds:
    """The legs' thresholds, fixed before any result (notebook parameters).

    valuation_pct_min      valuation holds when the discount's percentile is >= this (0-100)
    concentration_pct_min  concentration holds when the share's percentile is >= this (0-100)
    easing_months          the easing change is taken over this many months
    easing_cut_pp          easing holds when the rate is at least this many pp below `easing_months` earlier
    credit_pct_max         credit holds when the spread's percentile is <= this (0-100)
    """

    valuation_pct_min: float = 80.0
    concentration_pct_min: float = 80.0
    easing_months: int = 6
    easing_cut_pp: float = 0.25
    credit_pct_max: float = 50.0

    def rule(self, leg: str) -> str:
        """The leg's rule in words."""
        return {"valuation": f"discount at or above its {self.valuation_pct_min:g}th percentile",
                "concentration": f"share at or above its {self.concentration_pct_min:g}th percentile",
                "easing": f"fed funds at least {self.easing_cut_pp:g} pp lower than {self.easing_months} months earlier",
                "credit": f"spread at or below its {self.credit_pct_max:g}th percentile"}[leg]


# ------------------------------------------------------------------ the legs

def valuation_discount(firms: pd.DataFrame, avg_cap: pd.DataFrame, bm_june: pd.DataFrame,
                       returns: pd.DataFrame) -> pd.Series:
    """The small-cap price-to-book discount at each month-end, 1 - P/B(ME1) / P/B(ME5) (share;
    positive = small caps cheaper relative to book), from the Fama-French 25 Portfolios 5x5
    (size x BE/ME) tables "Number of Firms in Portfolios", "Average Market Cap",
    "BE_FYt-1/ME_June t" and "Average Value Weighted Returns -- Monthly" (decimals), as notebook 01
    computes it (`valuation.price_updated_pb_by_size`, `valuation.relative_pb`)."""
    rel = valuation.relative_pb(valuation.price_updated_pb_by_size(firms, avg_cap, bm_june, returns))
    return (1.0 - rel).dropna().rename("valuation")


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


def credit_spread(baa_monthly_pct: pd.Series, dgs10_daily: pd.Series, baa10y_daily: pd.Series) -> pd.Series:
    """Monthly Baa minus 10-year Treasury spread (percentage points), `credit.baa_minus_10y`
    (FRED BAA10Y monthly mean from 2016-04, before that Moody's Baa monthly minus the DGS10
    monthly mean), on complete months only (`complete_months_only`)."""
    out = credit.baa_minus_10y(baa_monthly_pct, complete_months_only(dgs10_daily), complete_months_only(baa10y_daily))
    return out["spread"].dropna().rename("credit")


def easing_change(fedfunds_monthly: pd.Series, months: int) -> pd.Series:
    """Change of the monthly-average effective fed funds rate (FEDFUNDS, percent) from `months`
    months earlier, percentage points, matched by date (a missing partner month gives NaN)."""
    return change_by_date(to_monthly_index(fedfunds_monthly.dropna()), months).dropna().rename("easing")


def _expanding_from(series: pd.Series, first: pd.Period, min_history: int) -> pd.Series:
    s = to_monthly_index(series.dropna())
    s = s[s.index >= first]
    if s.empty:
        return pd.Series(dtype=float, index=pd.PeriodIndex([], freq="M", name="period"))
    return expanding_percentile(s, min_periods=min_history)


def leg_measures(discount: pd.Series, share: pd.Series, fedfunds_monthly: pd.Series, spread: pd.Series,
                 start: pd.Period, easing_months: int = 6, min_history: int = MIN_HISTORY_MONTHS) -> pd.DataFrame:
    """Every leg's value and expanding percentile by month (PeriodIndex "M", the union of the
    legs' months; a leg is NaN in months it does not cover).

    Inputs: `discount` (share, `valuation_discount`), `share` (top-decile share of market cap,
    `concentration.top_decile_share`), `fedfunds_monthly` (FEDFUNDS, percent), `spread` (Baa minus
    10-year, pp, `credit_spread`), all cut at what was published by as_of; `start` the notebook's
    first month. Columns: valuation, concentration, easing (the `easing_months`-month change, pp),
    credit, and <leg>_pct: the percentile (0-100) of the value within its own history from the
    later of `start` and the leg's first month (valuation: also not before 1963-07) up to that
    month, NaN until `min_history` months of that history exist. easing_pct ranks the change
    (low = more easing); the easing leg is judged by its rule, not by this percentile."""
    start = pd.Period(start, "M")
    values = {"valuation": to_monthly_index(discount.dropna()), "concentration": to_monthly_index(share.dropna()),
              "easing": easing_change(fedfunds_monthly, easing_months), "credit": to_monthly_index(spread.dropna())}
    firsts = {"valuation": max(start, VALUATION_FROM)}
    cols = {}
    for leg, v in values.items():
        cols[leg] = v[v.index >= start]
        cols[f"{leg}_pct"] = _expanding_from(v, firsts.get(leg, start), min_history)
    out = pd.concat(cols, axis=1).sort_index()
    out.index = pd.PeriodIndex(out.index, freq="M", name="period")
    return out[[c for leg in LEGS for c in (leg, f"{leg}_pct")]]


def leg_flags(measures: pd.DataFrame, th: Thresholds = Thresholds()) -> pd.DataFrame:
    """Whether each leg holds at each month (1.0 holds, 0.0 does not, NaN not judged: no value or
    under the minimum history), by the rules of `th` (`Thresholds`), plus legs_known (legs
    judged), legs_held (legs holding, NaN unless all four are judged), all_four and
    at_least_three (1.0 / 0.0 / NaN likewise)."""
    m = measures
    holds = {"valuation": m["valuation_pct"] >= th.valuation_pct_min,
             "concentration": m["concentration_pct"] >= th.concentration_pct_min,
             "easing": m["easing"] <= -th.easing_cut_pp + 1e-9,
             "credit": m["credit_pct"] <= th.credit_pct_max}
    known = {"valuation": m["valuation_pct"].notna(), "concentration": m["concentration_pct"].notna(),
             "easing": m["easing"].notna(), "credit": m["credit_pct"].notna()}
    out = pd.DataFrame({leg: holds[leg].astype(float).where(known[leg]) for leg in LEGS}, index=m.index)
    out["legs_known"] = pd.DataFrame(known).sum(axis=1).astype(int)
    all_known = out["legs_known"] == len(LEGS)
    out["legs_held"] = out[list(LEGS)].sum(axis=1).where(all_known)
    out["all_four"] = (out["legs_held"] >= 4).astype(float).where(all_known)
    out["at_least_three"] = (out["legs_held"] >= 3).astype(float).where(all_known)
    return out


def joint_flags(flags: pd.DataFrame, min_legs: int) -> pd.Series:
    """1.0 in months when at least `min_legs` of the four legs held, 0.0 when not, NaN when a leg
    was not judged (from `leg_flags`)."""
    return (flags["legs_held"] >= min_legs).astype(float).where(flags["legs_held"].notna()).rename(f"at_least_{min_legs}")


def legs_at(measures: pd.DataFrame, flags: pd.DataFrame, th: Thresholds = Thresholds()) -> pd.DataFrame:
    """Where each leg stands at as_of: its latest value (the inputs being cut at what was
    published by as_of, legs can end in different months), one row per leg with value, unit,
    month (Period the value refers to), percentile (0-100, its expanding percentile at that
    month; NaN for an unjudged leg), holds (True / False / None when not judged), rule, and
    history_from (first month of the history its percentile ranks against: the later of the
    notebook's start, the leg's first value and, for valuation, 1963-07; None without a value)."""
    rows = {}
    for leg in LEGS:
        v = measures[leg].dropna()
        if v.empty:
            rows[leg] = {"value": float("nan"), "unit": LEG_UNITS[leg], "month": None, "percentile": float("nan"),
                         "holds": None, "rule": th.rule(leg), "history_from": None}
            continue
        month = v.index[-1]
        flag = flags.loc[month, leg]
        first = max(v.index[0], VALUATION_FROM) if leg == "valuation" else v.index[0]
        rows[leg] = {"value": float(v.iloc[-1]), "unit": LEG_UNITS[leg], "month": month,
                     "percentile": float(measures.loc[month, f"{leg}_pct"]),
                     "holds": None if np.isnan(flag) else bool(flag == 1), "rule": th.rule(leg),
                     "history_from": first if first <= month else None}
    out = pd.DataFrame.from_dict(rows, orient="index")
    for col in ("month", "holds", "history_from"):  # keep None as None (not NaT / NaN)
        out[col] = pd.Series([rows[leg][col] for leg in LEGS], index=list(LEGS), dtype=object)
    return out


def _holds(value) -> bool | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return bool(value)


def legs_count(legs: pd.DataFrame) -> dict:
    """held (legs holding), unknown (legs not judged) and the lists holding, not_holding and
    not_judged (leg keys, in the order of `LEGS`), from `legs_at`."""
    state = {leg: _holds(legs.loc[leg, "holds"]) for leg in LEGS}
    holding = [leg for leg in LEGS if state[leg] is True]
    unknown = [leg for leg in LEGS if state[leg] is None]
    return {"held": len(holding), "unknown": len(unknown), "holding": holding,
            "not_holding": [leg for leg in LEGS if state[leg] is False], "not_judged": unknown}


# ------------------------------------------------------------------ historical analogues

def _months(one_period: pd.Series, as_of_month: pd.Period) -> pd.Series:
    s = to_monthly_index(one_period.dropna())
    return s[s.index <= as_of_month]


def forward_spread(one_period: pd.Series, months: int, as_of_month: pd.Period) -> pd.Series:
    """Cumulative headline spread over the `months` months after each month t (t+1..t+months,
    decimal, sum of the one-period values), NaN where the window is not complete by
    `as_of_month` (no value after it is used); empty when the spread has no month by then."""
    s = _months(one_period, as_of_month)
    if s.empty:
        return pd.Series(dtype=float, index=pd.PeriodIndex([], freq="M", name="period"), name=one_period.name)
    return inference.forward_cumulative(s, months)


def analogue_episodes(joint: pd.Series, one_period: pd.Series, as_of_month: pd.Period,
                      horizons=HORIZONS_MONTHS, gap_months: int = EPISODE_GAP_MONTHS) -> pd.DataFrame:
    """Episodes of flagged months (`joint` = 1.0; flagged months more than `gap_months` apart start
    a new one, `inference.episodes_of`) with what the headline spread did after each episode's
    first month: first, last (Periods), months (flagged months in it), and per horizon h:
    fwd_{h}m (cumulative, decimal) and fwd_{h}m_per_year (decimal per year), NaN where the window
    is not complete by `as_of_month`."""
    flags = joint[joint.index <= as_of_month].fillna(0.0)
    eps = inference.episodes_of(flags, gap_months)
    fwd = {h: forward_spread(one_period, h, as_of_month) for h in horizons}
    rows = []
    for a, b in eps:
        seg = flags[(flags.index >= a) & (flags.index <= b)]
        row = {"first": a, "last": b, "months": int((seg == 1).sum())}
        for h in horizons:
            v = float(fwd[h].get(a, np.nan))
            row[f"fwd_{h}m"] = v
            row[f"fwd_{h}m_per_year"] = v * 12.0 / h
        rows.append(row)
    cols = ["first", "last", "months"] + [c for h in horizons for c in (f"fwd_{h}m", f"fwd_{h}m_per_year")]
    return pd.DataFrame(rows, columns=cols)


def episode_summary(episodes: pd.DataFrame, h: int) -> dict:
    """episodes (count), complete (episodes whose h-month window is complete), mean (mean
    cumulative spread over the complete ones, decimal), mean_per_year, positive (complete
    episodes with a positive spread) and share_positive."""
    v = episodes[f"fwd_{h}m"].dropna() if len(episodes) else pd.Series(dtype=float)
    n = len(v)
    mean = float(v.mean()) if n else float("nan")
    return {"episodes": int(len(episodes)), "complete": n, "mean": mean, "mean_per_year": mean * 12.0 / h,
            "positive": int((v > 0).sum()), "share_positive": float((v > 0).mean()) if n else float("nan")}


def base_rate(one_period: pd.Series, months: pd.PeriodIndex, as_of_month: pd.Period, horizons=HORIZONS_MONTHS) -> pd.DataFrame:
    """The unconditional base rate: over every month in `months` (the analogue search's sample)
    whose window is complete by `as_of_month`, the mean cumulative headline spread over the next
    h months (decimal), per year, and the share of those months with a positive one. One row per
    horizon (index h in months): months, first, last, mean, mean_per_year, share_positive."""
    rows = {}
    for h in horizons:
        f = forward_spread(one_period, h, as_of_month).reindex(pd.PeriodIndex(months, freq="M")).dropna()
        rows[h] = {"months": len(f), "first": f.index.min() if len(f) else None, "last": f.index.max() if len(f) else None,
                   "mean": float(f.mean()) if len(f) else float("nan"),
                   "mean_per_year": float(f.mean()) * 12.0 / h if len(f) else float("nan"),
                   "share_positive": float((f > 0).mean()) if len(f) else float("nan")}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "horizon_months"
    return out


# ------------------------------------------------------------------ the out-of-sample signal

def signal_positions(flags: pd.DataFrame, min_legs: int) -> pd.Series:
    """The signal at the end of each month when all four legs are judged: 1.0 (long the headline
    spread next month) when at least `min_legs` legs hold, else 0.0 (neutral). Each month's legs
    use only data up to it (`leg_flags` of `leg_measures`), the thresholds are fixed in advance."""
    return joint_flags(flags, min_legs).dropna().rename("position")


def signal_returns(positions: pd.Series, one_period: pd.Series, as_of_month: pd.Period, lag: int = 0) -> pd.DataFrame:
    """The signal's monthly returns: the position decided at the end of month t is held in month
    t + 1 + `lag` (lag 0: acted on at once). Index: the month the return is earned (PeriodIndex),
    only months up to `as_of_month` with both a position and a headline spread. Columns:
    position (1.0 / 0.0), spread (the headline, decimal per month), strategy (position x spread;
    always-neutral earns 0)."""
    pos = to_monthly_index(positions.dropna()).copy()
    pos.index = pos.index + 1 + lag
    spread = _months(one_period, as_of_month)
    df = pd.concat([pos.rename("position"), spread.rename("spread")], axis=1, join="inner").dropna()
    df["strategy"] = df["position"] * df["spread"]
    df.index = pd.PeriodIndex(df.index, freq="M", name="period")
    return df


def _nw_mean_t(y: pd.Series, lags: int) -> float:
    if len(y) <= 3 or float(y.std(ddof=1) if len(y) > 1 else 0.0) == 0.0:
        return float("nan")
    fit = ols_newey_west(y.rename("y"), pd.Series(1.0, index=y.index, name="const"), lags, const=False)
    return float(fit.tvalues["const"])


def signal_test(returns: pd.DataFrame, lags: int = NW_LAGS) -> dict:
    """The signal against always-neutral (which earns 0 every month) and always-long (the headline
    every month), from `signal_returns`: months, first, last (return months), share_invested,
    mean (strategy mean per month over all months, decimal), t_nw (Newey-West t of that mean,
    `lags` lags: the test of the signal against neutral), mean_invested and mean_neutral_months
    (mean headline spread in months invested / not invested, decimal per month), hit_rate (share of
    invested months with a positive spread), invested_months, long_mean, long_t_nw,
    long_hit_rate (always-long), difference_vs_long (strategy mean - always-long mean)."""
    r = returns.dropna()
    if r.empty:
        nan = float("nan")
        return {"months": 0, "first": None, "last": None, "share_invested": nan, "mean": nan, "t_nw": nan,
                "mean_invested": nan, "mean_neutral_months": nan, "hit_rate": nan, "invested_months": 0,
                "long_mean": nan, "long_t_nw": nan, "long_hit_rate": nan, "difference_vs_long": nan}
    inv = r[r["position"] == 1]
    out_ = r[r["position"] == 0]
    return {"months": int(len(r)), "first": r.index[0], "last": r.index[-1],
            "share_invested": float(r["position"].mean()), "mean": float(r["strategy"].mean()),
            "t_nw": _nw_mean_t(r["strategy"], lags),
            "mean_invested": float(inv["spread"].mean()) if len(inv) else float("nan"),
            "mean_neutral_months": float(out_["spread"].mean()) if len(out_) else float("nan"),
            "hit_rate": float((inv["spread"] > 0).mean()) if len(inv) else float("nan"),
            "invested_months": int(len(inv)),
            "long_mean": float(r["spread"].mean()), "long_t_nw": _nw_mean_t(r["spread"], lags),
            "long_hit_rate": float((r["spread"] > 0).mean()),
            "difference_vs_long": float(r["strategy"].mean() - r["spread"].mean())}


def signal_table(tests: dict[str, dict]) -> pd.DataFrame:
    """The signal variants side by side (`tests`: name -> `signal_test`), always-long and
    always-neutral added from the first: one row each with months, share invested, mean per month
    over all months, Newey-West t, mean when invested, hit rate (decimals)."""
    rows = {}
    for name, t in tests.items():
        rows[name] = {"months": t["months"], "share_invested": t["share_invested"], "mean_all_months": t["mean"],
                      "t_nw": t["t_nw"], "mean_when_invested": t["mean_invested"], "hit_rate": t["hit_rate"]}
    first = next(iter(tests.values()))
    rows["always long"] = {"months": first["months"], "share_invested": 1.0, "mean_all_months": first["long_mean"],
                           "t_nw": first["long_t_nw"], "mean_when_invested": first["long_mean"], "hit_rate": first["long_hit_rate"]}
    rows["always neutral"] = {"months": first["months"], "share_invested": 0.0, "mean_all_months": 0.0,
                              "t_nw": float("nan"), "mean_when_invested": float("nan"), "hit_rate": float("nan")}
    return pd.DataFrame.from_dict(rows, orient="index")


# ------------------------------------------------------------------ after the article

def fed_changes(upper_daily: pd.Series, lower_daily: pd.Series, after, as_of) -> pd.DataFrame:
    """Changes of the fed funds target range (FRED DFEDTARU / DFEDTARL, percent) that took effect
    after date `after` and up to `as_of`: one row per change with date (first day in effect),
    lower, upper (percent), change_pp (upper minus the previous upper, pp) and direction
    ("cut" / "hike")."""
    both = pd.concat([upper_daily.rename("upper"), lower_daily.rename("lower")], axis=1).dropna()
    both = both[both.index <= pd.Timestamp(as_of)]
    change = both["upper"].diff()
    moved = both[(change.abs() > 1e-9) & (both.index > pd.Timestamp(after))]
    out = pd.DataFrame({"date": moved.index, "lower": moved["lower"].to_numpy(float), "upper": moved["upper"].to_numpy(float),
                        "change_pp": change.loc[moved.index].to_numpy(float)})
    out["direction"] = np.where(out["change_pp"] < 0, "cut", "hike")
    return out


def post_article(closes: dict[str, pd.Series], rut: pd.Series, upper_daily: pd.Series, lower_daily: pd.Series,
                 as_of, article_date, base_date=ARTICLE_BASE_DATE) -> dict:
    """What happened after the article, from the `base_date` close (2025-12-31) to the last data
    at or before `as_of`.

    `closes`: adjusted daily closes (total return) of IWM, SPY and QQQ; `rut`: ^RUT daily closes (a
    price index, no dividends); `upper_daily` / `lower_daily`: the target range (percent).
    Returns appeared (False before `article_date`: then nothing else), and from (the base close's
    date), to (the last date all of `closes` have at or before as_of; never filled forward),
    return_<ticker> (decimal, total return), iwm_minus_spy (decimal), rut_last (the last ^RUT
    date at or before as_of), rut_high and rut_high_date (highest ^RUT close after base_date, index
    points; NaN / None when there is none), december_high and december_high_date (highest ^RUT
    close in the base date's month), beats_december (bool or None), fed_upper, fed_lower (the
    range at as_of, percent; NaN before ranges began in 2008-12), fed_date (its date), and
    fed_path (`fed_changes` after base_date): cuts, hikes (counts)."""
    as_of, article_date, base_date = pd.Timestamp(as_of), pd.Timestamp(article_date), pd.Timestamp(base_date)
    if as_of < article_date:
        return {"appeared": False}
    frame = pd.concat({k: v[v.index <= as_of] for k, v in closes.items()}, axis=1, join="inner").dropna()
    base = frame[frame.index <= base_date]
    seg = frame[frame.index > base_date]
    out: dict = {"appeared": True}
    if base.empty or seg.empty:
        out.update({"from": None, "to": None, "iwm_minus_spy": float("nan")})
        out.update({f"return_{k.lower()}": float("nan") for k in closes})
    else:
        b, e = base.iloc[-1], seg.iloc[-1]
        out.update({"from": base.index[-1], "to": seg.index[-1]})
        for k in closes:
            out[f"return_{k.lower()}"] = float(e[k] / b[k] - 1.0)
        out["iwm_minus_spy"] = out["return_iwm"] - out["return_spy"]
    r = rut.dropna()
    r = r[r.index <= as_of]
    after = r[r.index > base_date]
    dec = r[r.index.to_period("M") == base_date.to_period("M")]
    out["rut_last"] = r.index[-1] if len(r) else None
    out["rut_high"] = float(after.max()) if len(after) else float("nan")
    out["rut_high_date"] = after.idxmax() if len(after) else None
    out["december_high"] = float(dec.max()) if len(dec) else float("nan")
    out["december_high_date"] = dec.idxmax() if len(dec) else None
    out["beats_december"] = (bool(out["rut_high"] > out["december_high"]) if len(after) and len(dec) else None)
    up, up_date = value_at(upper_daily, as_of)
    lo, _ = value_at(lower_daily, as_of)
    out.update({"fed_upper": up, "fed_lower": lo, "fed_date": up_date})
    path = fed_changes(upper_daily, lower_daily, base_date, as_of)
    out.update({"fed_path": path, "cuts": int((path["direction"] == "cut").sum()),
                "hikes": int((path["direction"] == "hike").sum())})
    return out


# ------------------------------------------------------------------ the verdict

def thesis_verdict(legs_held: int, legs_unknown: int, complete_episodes: int, episodes_mean: float,
                   signal_t: float, min_episodes: int = MIN_EPISODES, t_critical: float = T_CRITICAL) -> str:
    """The verdict on the thesis by the rule fixed before any result:

    * "supported" only if at least 3 of the 4 legs hold at as_of AND the all-four analogues have
      at least `min_episodes` episodes with a complete 3-year window whose mean 3-year headline
      spread (`episodes_mean`) is positive AND the signal beats always-neutral with Newey-West
      t >= `t_critical`;
    * "contradicted" if at most 1 leg holds (counting a leg that cannot be judged as possibly
      holding: held + unknown <= 1) OR (at least `min_episodes` complete episodes with a negative
      mean 3-year spread AND the signal underperforms neutral with t <= -`t_critical`);
    * otherwise "not decided by the data". A missing figure (NaN) never meets a condition."""
    enough = complete_episodes >= min_episodes
    mean_ok = episodes_mean is not None and not np.isnan(episodes_mean)
    t_ok = signal_t is not None and not np.isnan(signal_t)
    if legs_held >= 3 and enough and mean_ok and episodes_mean > 0 and t_ok and signal_t >= t_critical:
        return SUPPORTED
    if legs_held + legs_unknown <= 1 or (enough and mean_ok and episodes_mean < 0 and t_ok and signal_t <= -t_critical):
        return CONTRADICTED
    return UNDECIDED


def verdict_shortfalls(legs_held: int, legs_unknown: int, complete_episodes: int, episodes_mean: float,
                       signal_t: float, min_episodes: int = MIN_EPISODES, t_critical: float = T_CRITICAL) -> dict:
    """Which conditions of the 'supported' rule hold (True / False): legs (>= 3 legs hold),
    episodes (>= `min_episodes` complete episodes), episodes_positive (their mean 3-year spread
    > 0, False when there are too few), signal (t >= `t_critical`)."""
    enough = complete_episodes >= min_episodes
    return {"legs": legs_held >= 3, "episodes": enough,
            "episodes_positive": bool(enough and episodes_mean is not None and not np.isnan(episodes_mean) and episodes_mean > 0),
            "signal": bool(signal_t is not None and not np.isnan(signal_t) and signal_t >= t_critical)}


def verdict_summary(verdict: str, legs_held: int, legs_unknown: int, complete_episodes: int, episodes_mean: float,
                    signal_t: float) -> str:
    """The verdict paragraph's one-line summary (the label of the recorded `thesis_verdict`)."""
    legs = f"{legs_held} of 4 legs hold" + (f" ({legs_unknown} not judged)" if legs_unknown else "")
    eps = (f"{complete_episodes} complete all-four episodes (mean 3-year spread {episodes_mean:+.1%})"
           if complete_episodes else "no complete all-four episode")
    t = "no signal t" if signal_t is None or np.isnan(signal_t) else f"signal Newey-West t {signal_t:+.2f}"
    return f"Great Rotation thesis {verdict}: {legs}; {eps}; {t}"


# ------------------------------------------------------------------ everything at once

def prepare(inp: dict, window) -> dict:
    """The inputs cut at as_of: Fama-French tables to `window.as_of_month`; FEDFUNDS and Moody's
    Baa (monthly averages) to the last complete month at or before `window.as_of`; daily series to
    `window.as_of`. (Under a data cutoff the loaders have already removed what was not yet
    published; this cut also holds a run at 'latest' to its as_of.) Returns the legs' inputs:
    discount, share, fedfunds (PeriodIndex), spread, headline (the headline one-period spread,
    decimal per month) and the daily upper, lower, prime, iwm, spy, qqq, rut."""
    from .params import complete_month
    from .spreads import headline_one_period

    m, macro_month = window.as_of_month, complete_month(window.as_of)

    def monthly(obj, last):
        obj = to_monthly_index(obj.dropna(how="all"))
        return obj[obj.index <= last]

    def daily(s):
        return s[s.index <= window.as_of]

    bm = [monthly(inp[k], m) for k in ("bm25_firms", "bm25_cap", "bm25_bm_june", "bm25_returns")]
    headline = headline_one_period(monthly(inp["me_returns"], m), monthly(inp["me_returns_ew"], m), monthly(inp["factors"], m))
    return {"discount": valuation_discount(*bm),
            "share": concentration.top_decile_share(monthly(inp["me_firms"], m), monthly(inp["me_size"], m)).dropna(),
            "fedfunds": monthly(inp["fedfunds"], macro_month),
            "spread": credit_spread(monthly(inp["baa"], macro_month), daily(inp["dgs10"]), daily(inp["baa10y"])),
            "headline": headline,
            **{k: daily(inp[k]) for k in ("upper", "lower", "prime", "iwm", "spy", "qqq", "rut")}}


def evaluate(x: dict, window, th: Thresholds = Thresholds(), min_legs: int = 3) -> dict:
    """Sections 1-3 and the verdict from prepared inputs (`prepare`), composed exactly as the
    notebook composes them: measures, flags, legs (`legs_at`), count (`legs_count`), sample (the
    months all four legs are judged), episodes ({"all_four", "at_least_three"} ->
    `analogue_episodes`), episode_summary (the same keys -> {h: `episode_summary`}), base
    (`base_rate` over the sample), positions, signal (`signal_test`, acted on at once),
    signal_immediate (acted on at once, ignoring publication lags: not tradable in real time), main (the all-four 3-year `episode_summary`), verdict
    (`thesis_verdict`) and its one-line summary (`verdict_summary`)."""
    m = window.as_of_month
    measures = leg_measures(x["discount"], x["share"], x["fedfunds"], x["spread"], window.start, th.easing_months)
    flags = leg_flags(measures, th)
    legs = legs_at(measures, flags, th)
    count = legs_count(legs)
    sample = flags.index[flags["legs_held"].notna()]
    eps = {k: analogue_episodes(joint_flags(flags, n), x["headline"], m) for k, n in (("all_four", 4), ("at_least_three", 3))}
    eps_summary = {k: {h: episode_summary(e, h) for h in HORIZONS_MONTHS} for k, e in eps.items()}
    positions = signal_positions(flags, min_legs)
    sig = signal_test(signal_returns(positions, x["headline"], m, lag=PUBLICATION_LAG_MONTHS))  # held once the inputs are published
    main = eps_summary["all_four"][VERDICT_HORIZON_MONTHS]
    verdict = thesis_verdict(count["held"], count["unknown"], main["complete"], main["mean"], sig["t_nw"])
    return {"measures": measures, "flags": flags, "legs": legs, "count": count, "sample": sample, "episodes": eps,
            "episode_summary": eps_summary, "base": base_rate(x["headline"], sample, m), "positions": positions,
            "signal": sig, "signal_immediate": signal_test(signal_returns(positions, x["headline"], m, lag=0)),
            "main": main, "verdict": verdict,
            "summary": verdict_summary(verdict, count["held"], count["unknown"], main["complete"], main["mean"], sig["t_nw"])}


SENSITIVITY = {"looser": Thresholds(70.0, 70.0, 6, 0.25, 60.0), "stricter": Thresholds(90.0, 90.0, 6, 0.5, 40.0)}


def sensitivity(x: dict, window, settings: dict[str, Thresholds], min_legs: int = 3) -> pd.DataFrame:
    """The verdict's inputs under other thresholds (`settings`: name -> `Thresholds`), one row
    each: legs_held at as_of, all_four_months (months all four held), episodes, complete_3y,
    mean_3y (decimal, NaN with none complete), signal_t, verdict. Descriptive: the verdict of
    record uses the notebook's parameters."""
    rows = {}
    for name, th in settings.items():
        e = evaluate(x, window, th, min_legs)
        rows[name] = {"valuation_pct_min": th.valuation_pct_min, "concentration_pct_min": th.concentration_pct_min,
                      "easing": f"-{th.easing_cut_pp:g} pp over {th.easing_months}m", "credit_pct_max": th.credit_pct_max,
                      "legs_held": e["count"]["held"], "all_four_months": int((e["flags"]["all_four"] == 1).sum()),
                      "episodes": e["main"]["episodes"], "complete_3y": e["main"]["complete"], "mean_3y": e["main"]["mean"],
                      "signal_t": e["signal"]["t_nw"], "verdict": e["verdict"]}
    return pd.DataFrame.from_dict(rows, orient="index")


def coverage_table(measures: pd.DataFrame, flags: pd.DataFrame, headline: pd.Series) -> pd.DataFrame:
    """First and last month of each leg's value, of its judged percentile (or, for easing, its
    judged change), of the months all four legs are judged, and of the headline spread: the data
    each part of the report rests on (months as text; None where there is none)."""
    def span(s: pd.Series) -> dict:
        s = s.dropna()
        return {"first": str(s.index[0]) if len(s) else None, "last": str(s.index[-1]) if len(s) else None, "months": int(len(s))}

    rows = {}
    for leg in LEGS:
        rows[f"{LEG_NAMES[leg]}: value"] = span(measures[leg])
        rows[f"{LEG_NAMES[leg]}: judged"] = span(flags[leg])
    rows["all four legs judged"] = span(flags["legs_held"])
    rows["headline spread"] = span(headline)
    return pd.DataFrame.from_dict(rows, orient="index")


def summary(inp: dict, window, th: Thresholds = Thresholds(), min_legs: int = 3) -> dict:
    """Every result of the notebook from `rotation.data.thesis_inputs()` (as published by as_of)
    and `window` (`rotation.params.Window`): `evaluate` of `prepare`d inputs, plus inputs (the
    prepared inputs), headline, cycle (`rates.latest_cycle` of the FEDFUNDS / target-range cut
    signals) and post (`post_article` from the 2025-12-31 close to as_of)."""
    x = prepare(inp, window)
    out = evaluate(x, window, th, min_legs)
    out.update({"inputs": x, "headline": x["headline"],
                "cycle": rates.latest_cycle(rates.cut_signals(x["fedfunds"], x["upper"]), window, x["upper"], x["prime"]),
                "post": post_article({"IWM": x["iwm"], "SPY": x["spy"], "QQQ": x["qqq"]}, x["rut"], x["upper"], x["lower"],
                                     window.as_of, inp["article_date"])})
    return out
