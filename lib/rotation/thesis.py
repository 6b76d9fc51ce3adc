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
sums of its monthly values (for SMB, a long-short factor return, a simple sum). A month's legs
can be acted on only once the data behind them are out, `PUBLICATION_LAG_MONTHS` months later:
the analogues' outcomes, their base rate and the signal's holdings all start in month
t + 1 + `PUBLICATION_LAG_MONTHS`.

The verdict rule (fixed before any result; `premise`, `analogue_test`, `signal_test`,
`thesis_verdict`): the premise is described first, "conditions present" when at least 3 legs
hold, "conditions absent" when at most 1 can hold, else "conditions partly present". Two tests
then ask whether such conditions were followed by small-cap outperformance: (a) the episodes of
months with at least `RULE_MIN_LEGS` legs, with at least `MIN_EPISODES` complete ones, their mean
3-year spread against the base rate over the same sample; (b) the signal against an always-long
position scaled to its exposure, with a Newey-West t only when its invested months form at least
`MIN_EPISODES` stretches. Supported: conditions present and both tests favour small caps;
contradicted: present and both go against; conditions absent: not tested; otherwise not decided.

Reporting helpers (`*_records`, `*_sentences`) turn results into the figures to record (dicts
for `rotation.results.record`) and the sentences to say (template and slot specifications, made
into `rotation.findings` parts by `parts`); they decide nothing the functions above have not.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import concentration, credit, findings, inference, rates, valuation
from .timeseries import change_by_date, common_window_returns, expanding_percentile, to_monthly_index, value_at

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
RULE_MIN_LEGS = 3                          # the rule's analogue set: months with at least 3 legs (the premise's "present")
PREMISE_MIN_LEGS = 3                       # conditions present when at least 3 of the 4 legs hold
PREMISE_ABSENT_MAX_LEGS = 1                # conditions absent when at most 1 leg holds (a leg not judged may hold)

# The vocabulary (the runner imports UNDECIDED to colour it like "inconclusive").
SUPPORTED, CONTRADICTED, UNDECIDED = "supported", "contradicted", "not decided by the data"
NOT_TESTED = "conditions absent: the thesis is not tested at this date"
VERDICTS = (SUPPORTED, CONTRADICTED, UNDECIDED, NOT_TESTED)
PRESENT, PARTLY_PRESENT, ABSENT = "conditions present", "conditions partly present", "conditions absent"
PREMISES = (PRESENT, PARTLY_PRESENT, ABSENT)
SUPPORTS, CONTRADICTS, INCONCLUSIVE = inference.STANCES  # a test's stance: favours small caps, goes against, neither


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


def credit_spread(baa_monthly_pct: pd.Series, dgs10_daily: pd.Series, baa10y_daily: pd.Series) -> pd.Series:
    """Monthly Baa minus 10-year Treasury spread (percentage points), `credit.baa_minus_10y`
    (FRED BAA10Y monthly mean from 2016-04, before that Moody's Baa monthly minus the DGS10
    monthly mean; complete months only, `timeseries.monthly_mean`)."""
    out = credit.baa_minus_10y(baa_monthly_pct, dgs10_daily, baa10y_daily)
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
    month; NaN for an unjudged leg and for easing, which its rule judges by the change itself),
    holds (True / False / None when not judged), rule, and
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
                     "percentile": float("nan") if leg == "easing" else float(measures.loc[month, f"{leg}_pct"]),
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


def legs_at_last_judged_month(flags: pd.DataFrame) -> dict:
    """The legs at the last month in which all four are judged (`leg_flags`), the one basis the
    analogues and the signal share: month (Period; None when no month has all four), held (legs
    holding then; None without such a month) and holding (leg keys, in the order of `LEGS`)."""
    judged = flags[flags["legs_held"].notna()]
    if judged.empty:
        return {"month": None, "held": None, "holding": []}
    month = judged.index[-1]
    return {"month": month, "held": int(judged["legs_held"].iloc[-1]),
            "holding": [leg for leg in LEGS if judged[leg].iloc[-1] == 1]}


def legs_table(legs: pd.DataFrame) -> pd.DataFrame:
    """`legs_at` for display: leg names as index, months as text, holds as yes / no / not judged
    (the easing percentile stays empty: that leg is judged by its rule on the change)."""
    def text(v):
        return None if v is None else str(v)

    return (legs.assign(month=legs["month"].map(text), history_from=legs["history_from"].map(text),
                        holds=legs["holds"].map({True: "yes", False: "no"}).fillna("not judged"))
            .rename(index=LEG_NAMES))


def leg_panels(measures: pd.DataFrame, flags: pd.DataFrame, th: Thresholds, start: pd.Period) -> list[dict]:
    """The four panels of the legs chart (`plotting.threshold_panels`): per leg the series it is
    judged on (the valuation, concentration and credit percentiles, 0-100; the easing change itself,
    percentage points), its threshold and side, a name and a y label with units; every series
    from the first month all four legs are judged (or, when none is yet, the first month any is,
    or `start`)."""
    judged = flags[flags["legs_known"] > 0].index
    if flags["legs_held"].notna().any():
        first = flags.index[flags["legs_held"].notna()].min()
    else:
        first = judged.min() if len(judged) else pd.Period(start, "M")

    def clip(col):
        return measures[col][measures.index >= first]

    return [{"series": clip("valuation_pct"), "threshold": th.valuation_pct_min, "side": ">=",
             "name": "valuation: P/B discount percentile", "ylabel": "percentile (0-100)"},
            {"series": clip("concentration_pct"), "threshold": th.concentration_pct_min, "side": ">=",
             "name": "concentration: top-decile share percentile", "ylabel": "percentile (0-100)"},
            {"series": clip("easing"), "threshold": -th.easing_cut_pp, "side": "<=",
             "name": f"easing: {th.easing_months}-month change of fed funds", "ylabel": "percentage points"},
            {"series": clip("credit_pct"), "threshold": th.credit_pct_max, "side": "<=",
             "name": "credit: Baa - 10y spread percentile", "ylabel": "percentile (0-100)"}]


# ------------------------------------------------------------------ historical analogues

def _months(one_period: pd.Series, as_of_month: pd.Period) -> pd.Series:
    s = to_monthly_index(one_period.dropna())
    return s[s.index <= as_of_month]


def forward_spread(one_period: pd.Series, months: int, as_of_month: pd.Period, lag: int = PUBLICATION_LAG_MONTHS) -> pd.Series:
    """Cumulative headline spread over the `months` months that follow month t once its data are
    out: t + 1 + `lag` .. t + `lag` + `months` (decimal, sum of the one-period values; lag 0: from
    t + 1), indexed by t; NaN where that window is not complete by `as_of_month` (no value after
    it is used); empty when the spread has no month by then."""
    s = _months(one_period, as_of_month)
    if s.empty:
        return pd.Series(dtype=float, index=pd.PeriodIndex([], freq="M", name="period"), name=one_period.name)
    fwd = inference.forward_cumulative(s, months)  # at u: u + 1 .. u + months
    fwd.index = fwd.index - lag                    # relabelled to t = u - lag
    return fwd


def analogue_episodes(joint: pd.Series, one_period: pd.Series, as_of_month: pd.Period,
                      horizons=HORIZONS_MONTHS, gap_months: int = EPISODE_GAP_MONTHS,
                      lag: int = PUBLICATION_LAG_MONTHS) -> pd.DataFrame:
    """Episodes of flagged months (`joint` = 1.0; flagged months more than `gap_months` apart start
    a new one, `inference.episodes_of`) with what the headline spread did after each episode's
    first month once its data were out: first, last (Periods), months (flagged months in it),
    outcome_from (first + 1 + `lag`, the first month of every window), and per horizon h:
    fwd_{h}m (cumulative, decimal, `forward_spread`) and fwd_{h}m_per_year (decimal per year),
    NaN where the window is not complete by `as_of_month`."""
    flags = joint[joint.index <= as_of_month].fillna(0.0)
    eps = inference.episodes_of(flags, gap_months)
    fwd = {h: forward_spread(one_period, h, as_of_month, lag) for h in horizons}
    rows = []
    for a, b in eps:
        seg = flags[(flags.index >= a) & (flags.index <= b)]
        row = {"first": a, "last": b, "months": int((seg == 1).sum()), "outcome_from": a + 1 + lag}
        for h in horizons:
            v = float(fwd[h].get(a, np.nan))
            row[f"fwd_{h}m"] = v
            row[f"fwd_{h}m_per_year"] = v * 12.0 / h
        rows.append(row)
    cols = ["first", "last", "months", "outcome_from"] + [c for h in horizons for c in (f"fwd_{h}m", f"fwd_{h}m_per_year")]
    return pd.DataFrame(rows, columns=cols)


def analogues(flags: pd.DataFrame, one_period: pd.Series, as_of_month: pd.Period, horizons=HORIZONS_MONTHS,
              lag: int = PUBLICATION_LAG_MONTHS) -> dict[str, pd.DataFrame]:
    """`analogue_episodes` of the months in which all four legs held ("all_four") and in which at
    least three held ("at_least_three", the rule's set), from `leg_flags`."""
    return {key: analogue_episodes(joint_flags(flags, n), one_period, as_of_month, horizons, lag=lag)
            for key, n in (("all_four", 4), ("at_least_three", RULE_MIN_LEGS))}


def episode_summary(episodes: pd.DataFrame, h: int) -> dict:
    """episodes (count), complete (episodes whose h-month window is complete), mean (mean
    cumulative spread over the complete ones, decimal), mean_per_year, positive (complete
    episodes with a positive spread) and share_positive."""
    v = episodes[f"fwd_{h}m"].dropna() if len(episodes) else pd.Series(dtype=float)
    n = len(v)
    mean = float(v.mean()) if n else float("nan")
    return {"episodes": int(len(episodes)), "complete": n, "mean": mean, "mean_per_year": mean * 12.0 / h,
            "positive": int((v > 0).sum()), "share_positive": float((v > 0).mean()) if n else float("nan")}


def summaries(episodes: dict[str, pd.DataFrame], horizons=HORIZONS_MONTHS) -> dict[str, dict[int, dict]]:
    """{set: {h: `episode_summary`}} for every set of `analogues`."""
    return {key: {h: episode_summary(e, h) for h in horizons} for key, e in episodes.items()}


def judged_months(flags: pd.DataFrame) -> pd.PeriodIndex:
    """The months in which all four legs are judged: the sample of the analogue search, the base
    rate and the signal."""
    return flags.index[flags["legs_held"].notna()]


def base_rate(one_period: pd.Series, months: pd.PeriodIndex, as_of_month: pd.Period, horizons=HORIZONS_MONTHS,
              lag: int = PUBLICATION_LAG_MONTHS) -> pd.DataFrame:
    """The unconditional base rate: over every month t in `months` (the analogue search's sample)
    whose window t + 1 + `lag` .. t + `lag` + h is complete by `as_of_month`, the mean cumulative
    headline spread over that window (decimal), per year, and the share of those months with a
    positive one: the same windows as the episodes'. One row per horizon (index h in months):
    months, first, last (the months t), mean, mean_per_year, share_positive."""
    rows = {}
    for h in horizons:
        f = forward_spread(one_period, h, as_of_month, lag).reindex(pd.PeriodIndex(months, freq="M")).dropna()
        rows[h] = {"months": len(f), "first": f.index.min() if len(f) else None, "last": f.index.max() if len(f) else None,
                   "mean": float(f.mean()) if len(f) else float("nan"),
                   "mean_per_year": float(f.mean()) * 12.0 / h if len(f) else float("nan"),
                   "share_positive": float((f > 0).mean()) if len(f) else float("nan")}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "horizon_months"
    return out


def analogue_test(summary: dict, base_mean: float, min_episodes: int = MIN_EPISODES) -> dict:
    """Test (a) of the verdict rule: the rule's episodes (`episode_summary` of the at-least-three
    set at the 3-year horizon) against the base rate over the same sample (`base_mean`, decimal).
    Returns episodes, complete, mean, base_mean, difference (mean - base_mean, decimal; NaN
    without a complete episode), testable (at least `min_episodes` complete episodes and a
    difference) and stance: "supports" (above the base rate), "contradicts" (below) or
    "inconclusive" (not testable, or exactly equal). With fewer episodes they are shown one by one
    and this test does not count."""
    complete, mean = int(summary["complete"]), float(summary["mean"])
    diff = mean - float(base_mean) if complete and not np.isnan(mean) and not np.isnan(base_mean) else float("nan")
    testable = complete >= min_episodes and not np.isnan(diff)
    stance = (SUPPORTS if diff > 0 else CONTRADICTS if diff < 0 else INCONCLUSIVE) if testable else INCONCLUSIVE
    return {"episodes": int(summary["episodes"]), "complete": complete, "mean": mean, "base_mean": float(base_mean),
            "difference": diff, "testable": bool(testable), "stance": stance, "min_episodes": min_episodes}


def episode_table(episodes: pd.DataFrame) -> pd.DataFrame:
    """An `analogue_episodes` frame for display: months as text, column headers in words, the
    outcomes in percent (one decimal), "incomplete" where the window runs past as_of."""
    def pct(v):
        return "incomplete" if v != v else f"{v:+.1%}"

    out = pd.DataFrame({"first": episodes["first"].astype(str), "last": episodes["last"].astype(str),
                        "months flagged": episodes["months"], "outcome from": episodes["outcome_from"].astype(str)})
    for c in episodes.columns:
        if c.startswith("fwd_"):
            h = c[4:].split("m")[0]
            out[f"next {h}m, {'per year' if c.endswith('per_year') else 'cumulative'}"] = episodes[c].map(pct)
    return out


# ------------------------------------------------------------------ the out-of-sample signal

def signal_positions(flags: pd.DataFrame, min_legs: int) -> pd.Series:
    """The signal at the end of each month when all four legs are judged: 1.0 (long the headline
    spread) when at least `min_legs` legs hold, else 0.0 (neutral). Each month's legs use only
    data up to it (`leg_flags` of `leg_measures`), the thresholds are fixed in advance."""
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


def invested_stretches(returns: pd.DataFrame, gap_months: int = EPISODE_GAP_MONTHS) -> pd.DataFrame:
    """The stretches of months in which the signal was long (`signal_returns`; invested months
    more than `gap_months` apart start a new stretch, as episodes do, `inference.episodes_of`):
    first, last (Periods, return months), months (invested months in it) and mean_spread (mean
    headline spread in those months, decimal per month)."""
    r = returns.dropna()
    rows = []
    for a, b in inference.episodes_of(r["position"] if len(r) else pd.Series(dtype=float), gap_months):
        seg = r[(r.index >= a) & (r.index <= b) & (r["position"] == 1)]
        rows.append({"first": a, "last": b, "months": int(len(seg)), "mean_spread": float(seg["spread"].mean())})
    return pd.DataFrame(rows, columns=["first", "last", "months", "mean_spread"])


def stretch_table(stretches: pd.DataFrame) -> pd.DataFrame:
    """`invested_stretches` for display: months as text, the mean spread in percent a month."""
    return pd.DataFrame({"first": stretches["first"].astype(str), "last": stretches["last"].astype(str),
                         "months invested": stretches["months"],
                         "mean spread a month": stretches["mean_spread"].map(lambda v: f"{v:+.3%}")})


def signal_paths(returns: pd.DataFrame, share_invested: float, min_legs: int) -> dict[str, pd.Series]:
    """Cumulative sums of monthly returns in percent, for the signal chart: the signal, always-long
    at the signal's exposure (`share_invested` x the spread) and always-long (from `signal_returns`)."""
    return {f"signal (at least {min_legs} legs)": returns["strategy"].cumsum() * 100,
            "always long at the signal's exposure": (share_invested * returns["spread"]).cumsum() * 100,
            "always long": returns["spread"].cumsum() * 100}


def _nw_mean_t(y: pd.Series, lags: int) -> float:
    """Newey-West t of the mean of `y` (`inference.mean_newey_west`, small-sample corrected); NaN
    with three or fewer values or no variation."""
    if len(y) <= 3 or float(y.std(ddof=1)) == 0.0:
        return float("nan")
    return inference.mean_newey_west(y, lags, small_sample=True)["t"]


def signal_test(returns: pd.DataFrame, lags: int = NW_LAGS, min_stretches: int = MIN_EPISODES,
                gap_months: int = EPISODE_GAP_MONTHS, t_critical: float = T_CRITICAL) -> dict:
    """Test (b) of the verdict rule and the signal's description, from `signal_returns`.

    months, first, last (return months), share_invested, mean (strategy mean per month over all
    months, decimal; always-neutral earns 0), mean_invested and mean_neutral_months (mean headline
    spread in months invested / not invested), hit_rate (share of invested months with a positive
    spread), invested_months, stretches (`invested_stretches`), long_mean and long_hit_rate
    (always-long), long_t_nw (Newey-West t of always-long's mean), matched_mean (share_invested x
    long_mean: what always-long earns at the signal's exposure, the benchmark of a signal with no
    timing skill), excess_mean (mean - matched_mean, decimal per month: the mean of
    (position - share_invested) x spread; NaN when the signal was never or always invested, so
    had no timing), and, only when the invested months form at least
    `min_stretches` stretches (else NaN: show the stretches, no t), t_nw (Newey-West t of `mean`,
    against always-neutral) and excess_t_nw (Newey-West t of excess_mean, `lags` lags: the test).
    testable and stance: "supports" when excess_t_nw >= `t_critical`, "contradicts" when
    <= -`t_critical`, else "inconclusive"."""
    r = returns.dropna()
    nan = float("nan")
    if r.empty:
        return {"months": 0, "first": None, "last": None, "share_invested": nan, "mean": nan, "t_nw": nan,
                "mean_invested": nan, "mean_neutral_months": nan, "hit_rate": nan, "invested_months": 0, "stretches": 0,
                "long_mean": nan, "long_t_nw": nan, "long_hit_rate": nan, "matched_mean": nan, "excess_mean": nan,
                "excess_t_nw": nan, "testable": False, "stance": INCONCLUSIVE, "min_stretches": min_stretches}
    inv, out_ = r[r["position"] == 1], r[r["position"] == 0]
    share = float(r["position"].mean())
    stretches = len(invested_stretches(r, gap_months))
    enough = stretches >= min_stretches
    excess = r["strategy"] - share * r["spread"]
    timing = 0.0 < share < 1.0  # never or always invested: no timing to compare, no excess
    excess_t = _nw_mean_t(excess, lags) if enough and timing else nan
    testable = bool(enough and not np.isnan(excess_t))
    stance = (SUPPORTS if excess_t >= t_critical else CONTRADICTS if excess_t <= -t_critical else INCONCLUSIVE) if testable else INCONCLUSIVE
    return {"months": int(len(r)), "first": r.index[0], "last": r.index[-1], "share_invested": share,
            "mean": float(r["strategy"].mean()), "t_nw": _nw_mean_t(r["strategy"], lags) if enough else nan,
            "mean_invested": float(inv["spread"].mean()) if len(inv) else nan,
            "mean_neutral_months": float(out_["spread"].mean()) if len(out_) else nan,
            "hit_rate": float((inv["spread"] > 0).mean()) if len(inv) else nan,
            "invested_months": int(len(inv)), "stretches": stretches,
            "long_mean": float(r["spread"].mean()), "long_t_nw": _nw_mean_t(r["spread"], lags),
            "long_hit_rate": float((r["spread"] > 0).mean()),
            "matched_mean": share * float(r["spread"].mean()), "excess_mean": float(excess.mean()) if timing else nan,
            "excess_t_nw": excess_t, "testable": testable, "stance": stance, "min_stretches": min_stretches}


def signal_table(tests: dict[str, dict]) -> pd.DataFrame:
    """The signal variants side by side (`tests`: name -> `signal_test`), then, from the first:
    always-long scaled to its exposure (share invested x always-long, the rule's benchmark),
    always-long and always-neutral. One row each with months, stretches (of invested months),
    share invested, mean per month over all months, mean when invested, hit rate, excess over the
    exposure-matched always-long (decimal per month) and its Newey-West t (NaN under the rule's
    five stretches)."""
    rows = {}
    for name, t in tests.items():
        rows[name] = {"months": t["months"], "stretches": t["stretches"], "share_invested": t["share_invested"],
                      "mean_all_months": t["mean"], "mean_when_invested": t["mean_invested"], "hit_rate": t["hit_rate"],
                      "excess_vs_matched": t["excess_mean"], "t_excess": t["excess_t_nw"]}
    first = next(iter(tests.values()))
    nan = float("nan")
    rows["always long at the signal's exposure"] = {"months": first["months"], "stretches": nan, "share_invested": first["share_invested"],
                                                    "mean_all_months": first["matched_mean"], "mean_when_invested": nan, "hit_rate": nan,
                                                    "excess_vs_matched": 0.0, "t_excess": nan}
    rows["always long"] = {"months": first["months"], "stretches": nan, "share_invested": 1.0, "mean_all_months": first["long_mean"],
                           "mean_when_invested": first["long_mean"], "hit_rate": first["long_hit_rate"],
                           "excess_vs_matched": nan, "t_excess": nan}
    rows["always neutral"] = {"months": first["months"], "stretches": nan, "share_invested": 0.0, "mean_all_months": 0.0,
                              "mean_when_invested": nan, "hit_rate": nan, "excess_vs_matched": nan, "t_excess": nan}
    return pd.DataFrame.from_dict(rows, orient="index")


# ------------------------------------------------------------------ after the article

def fed_changes(upper_daily: pd.Series, lower_daily: pd.Series, after, as_of) -> pd.DataFrame:
    """Changes of the fed funds target range (FRED DFEDTARU / DFEDTARL, percent) that took effect
    after date `after` and up to `as_of`: one row per change with date (first day in effect),
    lower, upper (percent), change_pp (upper minus the previous upper, pp) and direction
    ("cut" / "hike")."""
    changes = rates.target_changes(upper_daily[upper_daily.index <= pd.Timestamp(as_of)])
    moved = changes[changes.index > pd.Timestamp(after)]
    return pd.DataFrame({"date": moved.index, "lower": lower_daily.reindex(moved.index).to_numpy(float),
                         "upper": moved["level"].to_numpy(float), "change_pp": moved["change_pp"].to_numpy(float),
                         "direction": moved["kind"].to_numpy()})


def post_article(closes: dict[str, pd.Series], rut: pd.Series, upper_daily: pd.Series, lower_daily: pd.Series,
                 as_of, article_date, base_date=ARTICLE_BASE_DATE) -> dict:
    """What happened after the article, from the `base_date` close (2025-12-31) to the last data
    at or before `as_of`.

    `closes`: adjusted daily closes (total return) of IWM, SPY and QQQ; `rut`: ^RUT daily closes (a
    price index, no dividends); `upper_daily` / `lower_daily`: the target range (percent).
    Returns appeared (False before `article_date`: then only as_of), as_of, and from (the base close's
    date), to (the last date all of `closes` have at or before as_of; never filled forward),
    return_<ticker> (decimal, total return), iwm_minus_spy (decimal), rut_last (the last ^RUT
    date at or before as_of), rut_high and rut_high_date (highest ^RUT close after base_date, index
    points; NaN / None when there is none), december_high and december_high_date (highest ^RUT
    close in the base date's month), beats_december (bool or None), fed_upper, fed_lower (the
    range at as_of, percent; NaN before ranges began in 2008-12), fed_date (its date), and
    fed_path (`fed_changes` after base_date): cuts, hikes (counts)."""
    as_of, article_date, base_date = pd.Timestamp(as_of), pd.Timestamp(article_date), pd.Timestamp(base_date)
    if as_of < article_date:
        return {"appeared": False, "as_of": as_of}
    window = common_window_returns(closes, base_date, as_of)
    out: dict = {"appeared": True, "as_of": as_of, "from": window["from"], "to": window["to"]}
    out.update({f"return_{k.lower()}": v for k, v in window["returns"].items()})
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

def premise(legs_held: int, legs_unknown: int = 0, present_min: int = PREMISE_MIN_LEGS,
            absent_max: int = PREMISE_ABSENT_MAX_LEGS) -> str:
    """The premise of the verdict rule, a description: "conditions present" when at least
    `present_min` legs hold, "conditions absent" when at most `absent_max` can hold (a leg that
    cannot be judged counts as possibly holding: held + unknown <= `absent_max`), else "conditions
    partly present"."""
    if legs_held >= present_min:
        return PRESENT
    if legs_held + legs_unknown <= absent_max:
        return ABSENT
    return PARTLY_PRESENT


def thesis_verdict(premise_: str, analogue_stance: str, signal_stance: str) -> str:
    """The verdict by the rule fixed before any result (symmetric: each side has the same routes).

    * conditions absent (`premise`): "conditions absent: the thesis is not tested at this date";
    * conditions present and both tests favour small caps (`analogue_test` and `signal_test`
      stances "supports"): "supported";
    * conditions present and both go against them ("contradicts"): "contradicted";
    * otherwise (partly present, a test not testable or neither way, the tests disagreeing):
      "not decided by the data"."""
    if premise_ not in PREMISES:
        raise ValueError(f"premise must be one of {PREMISES}, got {premise_!r}")
    if premise_ == ABSENT:
        return NOT_TESTED
    if premise_ == PRESENT and analogue_stance == signal_stance == SUPPORTS:
        return SUPPORTED
    if premise_ == PRESENT and analogue_stance == signal_stance == CONTRADICTS:
        return CONTRADICTED
    return UNDECIDED


def verdict_direction(verdict: str) -> str:
    """The stance a specification must take to agree with `verdict`: "supports" for supported,
    "contradicts" for contradicted, "inconclusive" for a verdict that decides nothing."""
    return {SUPPORTED: SUPPORTS, CONTRADICTED: CONTRADICTS}.get(verdict, INCONCLUSIVE)


def _stance_words(stance: str) -> str:
    return {SUPPORTS: "favours small caps", CONTRADICTS: "goes against small caps"}.get(stance, "decides nothing")


def analogue_phrase(test: dict) -> str:
    """Test (a) in a few words, for the verdict's one-line summary."""
    n = test["complete"]
    if not test["testable"]:
        return (f"{n} complete episode{'s' if n != 1 else ''} with at least {RULE_MIN_LEGS} legs, under the "
                f"{test['min_episodes']} the rule needs: not tested")
    return (f"{n} complete episodes, mean 3-year spread {test['mean']:+.1%} against a base rate of {test['base_mean']:+.1%}: "
            f"{_stance_words(test['stance'])}")


def signal_phrase(test: dict) -> str:
    """Test (b) in a few words, for the verdict's one-line summary."""
    k = test["stretches"]
    if not test["months"]:
        return "no month to test"
    if not test["testable"]:
        return (f"{k} invested stretch{'es' if k != 1 else ''}, under the {test['min_stretches']} the rule needs: not tested")
    return (f"{test['excess_mean']:+.3%} a month over always-long at its exposure, Newey-West t {test['excess_t_nw']:+.2f} "
            f"over {k} stretches: {_stance_words(test['stance'])}")


def verdict_summary(verdict: str, premise_: str, count: dict, common: dict, analogue: dict, signal: dict) -> str:
    """The verdict paragraph's one-line summary (the label of the recorded `thesis_verdict`):
    the verdict, the premise with the legs count at each leg's latest month and at the last month
    all four were judged, and both tests in a few words."""
    legs = f"{count['held']} of 4 legs hold at their latest months" + (f", {count['unknown']} not judged" if count["unknown"] else "")
    if common["month"] is not None:
        legs += f"; {common['held']} at {common['month']}, the last month all four were judged"
    return (f"Great Rotation thesis: {verdict}. {premise_[0].upper() + premise_[1:]} ({legs}); history: {analogue_phrase(analogue)}; "
            f"signal: {signal_phrase(signal)}")


# ------------------------------------------------------------------ the specification grid

SENSITIVITY = {"looser": Thresholds(70.0, 70.0, 6, 0.25, 60.0), "stricter": Thresholds(90.0, 90.0, 6, 0.5, 40.0)}


def specification_grid(x: dict, window, settings: dict[str, Thresholds], min_legs: int = 3) -> pd.DataFrame:
    """The verdict's two tests over spread definitions x threshold settings.

    `x`: `prepare`d inputs (its one_period: every candidate spread, `spreads.one_period_spreads`);
    `settings`: name -> `Thresholds` (this report's and `SENSITIVITY`). For every setting the legs
    are recomputed (premise at as_of, flags month by month) and, for every spread, test (a)
    (`analogue_test` of the at-least-three episodes' 3-year outcome against the base rate) and
    test (b) (`signal_test` of the signal held from t + 1 + `PUBLICATION_LAG_MONTHS`) are run.
    Two rows per (setting, spread) in the columns of `inference.GRID_COLUMNS`: claim
    ("thesis_analogues_<setting>" / "thesis_signal_<setting>"), spread, weighting, sample_start,
    horizon_months (36 for (a), 1 for (b)), estimate ((a): episode mean minus base rate,
    cumulative decimal; (b): excess over the exposure-matched always-long, decimal per month),
    t_nw ((b) only, NaN under five stretches), n_obs (base-rate months / signal months),
    n_episodes (complete episodes / invested stretches); the other statistics NaN. Extra columns:
    test, thresholds, premise, stance (of the test) and verdict (`thesis_verdict` of that
    setting's premise and the pair's two stances)."""
    m, h, nan = window.as_of_month, VERDICT_HORIZON_MONTHS, float("nan")
    rows = []
    for setting, th in settings.items():
        measures = leg_measures(x["discount"], x["share"], x["fedfunds"], x["spread"], window.start, th.easing_months)
        flags = leg_flags(measures, th)
        count = legs_count(legs_at(measures, flags, th))
        prem = premise(count["held"], count["unknown"])
        sample = judged_months(flags)
        joint, positions = joint_flags(flags, RULE_MIN_LEGS), signal_positions(flags, min_legs)
        slug = setting.replace(" ", "_")
        for (spread, weighting), d in x["one_period"].items():
            base = base_rate(d, sample, m, (h,))
            a = analogue_test(episode_summary(analogue_episodes(joint, d, m, (h,)), h), base.loc[h, "mean"])
            s = signal_test(signal_returns(positions, d, m, lag=PUBLICATION_LAG_MONTHS))
            verdict = thesis_verdict(prem, a["stance"], s["stance"])
            shared = {"spread": spread, "weighting": weighting, "t_hodrick": nan, "p_bootstrap": nan, "oos_r2": nan,
                      "p_randomization": nan, "thresholds": setting, "premise": prem, "verdict": verdict}
            rows.append({**shared, "claim": f"thesis_analogues_{slug}", "test": "analogues",
                         "sample_start": None if base.loc[h, "first"] is None else str(base.loc[h, "first"]),
                         "horizon_months": h, "estimate": a["difference"], "t_nw": nan, "n_obs": int(base.loc[h, "months"]),
                         "n_episodes": a["complete"], "stance": a["stance"]})
            rows.append({**shared, "claim": f"thesis_signal_{slug}", "test": "signal",
                         "sample_start": None if s["first"] is None else str(s["first"]), "horizon_months": 1,
                         "estimate": s["excess_mean"], "t_nw": s["excess_t_nw"], "n_obs": s["months"],
                         "n_episodes": s["stretches"], "stance": s["stance"]})
    return pd.DataFrame(rows, columns=inference.GRID_COLUMNS + ["test", "thresholds", "premise", "stance", "verdict"])


def grid_summary(grid: pd.DataFrame, verdict: str) -> dict:
    """How much of the grid (`specification_grid`) agrees with `verdict`: specs (rows), shares of
    the rows that support / contradict / are inconclusive (`inference.grid_shares`), direction
    (`verdict_direction`), agrees (share of rows whose stance is that direction), combinations
    (setting x spread pairs, each with its own verdict), same_verdict (share of them whose
    verdict equals `verdict`) and, descriptively (whatever the rule's minimums), positive_analogues
    and positive_signal: the share of each test's specifications with an estimate above zero
    (episodes above the base rate; the signal above its exposure-matched always-long), over the
    specifications with an estimate (NaN when none has one). Shares are NaN for an empty grid."""
    shares = inference.grid_shares(grid)
    direction = verdict_direction(verdict)
    pairs = grid.drop_duplicates(["thresholds", "spread", "weighting"])
    n, k = len(grid), len(pairs)

    def positive(test):
        est = grid.loc[grid["test"] == test, "estimate"].dropna() if n else pd.Series(dtype=float)
        return float((est > 0).mean()) if len(est) else float("nan")

    return {"specs": n, **{f"share_{s}": shares[s] for s in inference.STANCES}, "direction": direction,
            "agrees": float((grid["stance"] == direction).mean()) if n else float("nan"),
            "combinations": k, "same_verdict": float((pairs["verdict"] == verdict).mean()) if k else float("nan"),
            "positive_analogues": positive("analogues"), "positive_signal": positive("signal")}


SHORT_VERDICTS = {SUPPORTED: "supported", CONTRADICTED: "contradicted", UNDECIDED: "not decided", NOT_TESTED: "not tested"}


def grid_table(grid: pd.DataFrame) -> pd.DataFrame:
    """The grid for display: one row per spread definition (`spreads.label`), one column per
    threshold setting, each cell "<verdict> · a <s> <estimate> · b <s> <estimate>" with s = +
    (the test favours small caps), - (goes against) or ? (decides nothing, e.g. too few
    episodes), the estimates in percent ((a) over 3 years, (b) a month; "–" without one) and the
    verdict shortened (`SHORT_VERDICTS`); a first row gives each setting's premise."""
    from .spreads import label

    sym = {SUPPORTS: "+", CONTRADICTS: "-", INCONCLUSIVE: "?"}

    def est(v, fmt):
        return "–" if v != v else fmt.format(v)

    cells: dict[str, dict[str, str]] = {}
    premises: dict[str, str] = {}
    for (setting, spread, weighting), g in grid.groupby(["thresholds", "spread", "weighting"], sort=False):
        t = g.set_index("test")
        cells.setdefault(label(spread, weighting), {})[setting] = (
            f"{SHORT_VERDICTS[g['verdict'].iloc[0]]} · a {sym[t.loc['analogues', 'stance']]} {est(t.loc['analogues', 'estimate'], '{:+.1%}')}"
            f" · b {sym[t.loc['signal', 'stance']]} {est(t.loc['signal', 'estimate'], '{:+.3%}')}")
        premises[setting] = g["premise"].iloc[0]
    out = pd.DataFrame.from_dict({"premise at as_of": premises, **cells}, orient="index")
    out.index.name = "spread"
    return out


# ------------------------------------------------------------------ what to record and say

def _rec(name: str, value, unit: str, as_of, label: str, quiet: bool = False) -> dict:
    return {"name": name, "value": value, "unit": unit, "as_of": as_of, "label": label, "quiet": quiet}


def fig(name: str, fmt: str = "{}") -> tuple:
    """A sentence slot quoting recorded figure `name` (`findings.figure`)."""
    return ("figure", name, fmt)


def cmp(name: str, op: str, ref, if_true: str, if_false: str) -> tuple:
    """A sentence slot choosing a phrase by a recorded figure (`findings.compare`)."""
    return ("compare", name, op, ref, if_true, if_false)


def txt(value) -> tuple:
    """A sentence slot of plain text (`findings.text`)."""
    return ("text", str(value))


def plural(name: str, singular: str, plural_: str) -> tuple:
    """The singular or plural of a noun by the recorded count `name` (a comparison with 1)."""
    return cmp(name, "==", 1, singular, plural_)


def parts(slots: dict, figures: dict | None = None) -> dict:
    """Slot specifications (`fig`, `cmp`, `txt`) made into `findings` parts, read from the
    figures recorded in this process (or from `figures`, {name: {"value", ...}})."""
    out = {}
    for key, spec in slots.items():
        kind = spec[0]
        if kind == "figure":
            out[key] = findings.figure(spec[1], spec[2], figures=figures)
        elif kind == "compare":
            out[key] = findings.compare(*spec[1:], figures=figures)
        elif kind == "text":
            out[key] = findings.text(spec[1])
        else:
            raise ValueError(f"unknown slot kind {kind!r} in slot {key!r}")
    return out


def _names(keys) -> str:
    return ", ".join(LEG_NAMES[k] for k in keys) or "none"


LEG_FIGURES = {"valuation": ("valuation_discount", "share"), "concentration": ("top_decile_share", "share"),
               "easing": ("fedfunds_change", "percentage points"), "credit": ("credit_spread", "percentage points")}


def leg_records(legs: pd.DataFrame, count: dict, common: dict, th: Thresholds, window, fedfunds: pd.Series,
                upper: pd.Series, lower: pd.Series, cycle: dict) -> list[dict]:
    """The figures of section 1 (dicts for `results.record`): per leg its value, percentile
    (valuation, concentration, credit) and holds flag, dated by the leg's own month; the fed funds
    rate of the easing leg's month; legs_held (at each leg's latest month) and
    legs_held_last_judged_month (at the last month all four were judged, `legs_at_last_judged_month`);
    legs_not_judged; the latest easing cycle's months since its first cut; the target range at
    as_of. Values unrounded (text and tables format the same number)."""
    since = {leg: legs.loc[leg, "history_from"] for leg in LEGS}
    labels = {
        "valuation": f"1 - P/B(ME1) / P/B(ME5), price-updated (Fama-French 25 Portfolios 5x5); percentile among the months since {since['valuation']}",
        "concentration": ("market cap of the top NYSE size decile / all ten deciles at the month-end (Portfolios Formed on ME); "
                          f"percentile among the months since {since['concentration']}"),
        "easing": f"change of the monthly-average effective fed funds rate (FEDFUNDS) over {th.easing_months} months, matched by date",
        "credit": ("Baa minus 10-year Treasury, monthly mean (BAA10Y; before 2016-04 Moody's Baa - DGS10); "
                   f"percentile among the months since {since['credit']}")}
    out = []
    for leg in LEGS:
        row = legs.loc[leg]
        if row["month"] is None:
            continue
        name, unit = LEG_FIGURES[leg]
        out.append(_rec(name, float(row["value"]), unit, row["month"], labels[leg]))
        if not np.isnan(row["percentile"]):
            out.append(_rec(f"{leg}_percentile", float(row["percentile"]), "percentile", row["month"],
                            f"percentile (0-100) of the {name} at {row['month']} within its history to that month"))
        out.append(_rec(f"{leg}_holds", row["holds"], "flag", row["month"],
                        f"the {LEG_NAMES[leg]} leg holds ({row['rule']}); None: not judged"))
    rate, rate_month = value_at(fedfunds, legs.loc["easing", "month"] or window.as_of_month)
    if rate_month is not None:
        out.append(_rec("fedfunds_rate", rate, "percent", rate_month,
                        "monthly-average effective fed funds rate (FEDFUNDS) in the easing leg's month", quiet=True))
    months = "; ".join(f"{leg} {legs.loc[leg, 'month']}" for leg in LEGS if legs.loc[leg, "month"] is not None)
    out.append(_rec("legs_held", count["held"], "count", window.as_of,
                    f"legs holding at as_of, of four, each at its latest month ({months}): {_names(count['holding'])}"))
    out.append(_rec("legs_not_judged", count["unknown"], "count", window.as_of,
                    "legs that cannot be judged at as_of (under 120 months of history)", quiet=True))
    if common["month"] is not None:
        out.append(_rec("legs_held_last_judged_month", common["held"], "count", common["month"],
                        f"legs holding at {common['month']}, the last month all four legs were judged: {_names(common['holding'])}"))
    if cycle["first_cut"] is not None:
        out.append(_rec("easing_cycle_months_since_first_cut", cycle["months_since_first_cut"], "months", window.as_of,
                        f"calendar months from the latest easing cycle's first cut ({cycle['first_cut']}) to the month of as_of "
                        "(cut-signal rule of notebook 02)"))
    up, up_date = value_at(upper, window.as_of)
    lo, _ = value_at(lower, window.as_of)
    if up_date is not None:
        out.append(_rec("fed_target_upper", up, "percent", up_date, "upper bound of the fed funds target range at as_of (DFEDTARU)", quiet=True))
        out.append(_rec("fed_target_lower", lo, "percent", up_date, "lower bound of the fed funds target range at as_of (DFEDTARL)", quiet=True))
    return out


def leg_sentences(legs: pd.DataFrame, count: dict, common: dict, th: Thresholds, window, cycle: dict,
                  target_date) -> list[tuple[str, dict]]:
    """The sentences of section 1 as (template, slots) pairs, after `leg_records`: each leg's
    reading and whether it holds, the easing cycle, the target range (`target_date`: its date, or
    None), and the legs count with the months the legs refer to and the count at the last month
    all four were judged."""
    out: list[tuple[str, dict]] = []
    since = {leg: legs.loc[leg, "history_from"] for leg in LEGS}

    def holds(leg):
        if legs.loc[leg, "holds"] is None:
            return txt("cannot be judged yet: its history has fewer than 120 months")
        return cmp(f"{leg}_holds", "==", True, "holds", "does not hold")

    def rank(leg, what):
        if np.isnan(legs.loc[leg, "percentile"]):
            return txt("")
        return fig(f"{leg}_percentile", f"; among the {what} since {since[leg]} it has a percentile rank of {{:.1f}} out of 100")

    if legs.loc["valuation", "month"] is not None:
        out.append(("**Valuation.** At the end of {month} the smallest size quintile's price-to-book was {disc} below the biggest's{pct}. "
                    "The leg {holds} (rule: {rule}).",
                    {"month": txt(legs.loc["valuation", "month"]), "disc": fig("valuation_discount", "{:.1%}"),
                     "pct": rank("valuation", "months"), "holds": holds("valuation"), "rule": txt(th.rule("valuation"))}))
    if legs.loc["concentration", "month"] is not None:
        out.append(("**Concentration.** At the end of {month} the top NYSE size decile held {share} of the market value of all ten "
                    "deciles{pct}. The leg {holds} (rule: {rule}).",
                    {"month": txt(legs.loc["concentration", "month"]), "share": fig("top_decile_share", "{:.1%}"),
                     "pct": rank("concentration", "month-ends"), "holds": holds("concentration"), "rule": txt(th.rule("concentration"))}))
    if legs.loc["easing", "month"] is not None:
        out.append(("**Easing.** The effective fed funds rate averaged {rate}% in {month}, a change of {change} percentage points from "
                    "{n} months earlier. The leg {holds} (rule: {rule}).",
                    {"rate": fig("fedfunds_rate", "{:.2f}"), "month": txt(legs.loc["easing", "month"]),
                     "change": fig("fedfunds_change", "{:+.2f}"), "n": txt(th.easing_months), "holds": holds("easing"),
                     "rule": txt(th.rule("easing"))}))
    if cycle["first_cut"] is not None:
        out.append(("The latest easing cycle began with a cut decided in {first}, {months} {months_word} before {now}; the last cut signal "
                    "came in {last}, so by the rule of notebook 02 the cycle {under_way}.",
                    {"first": txt(cycle["first_cut"]), "months": fig("easing_cycle_months_since_first_cut", "{:d}"),
                     "months_word": plural("easing_cycle_months_since_first_cut", "month", "months"),
                     "now": txt(window.as_of.to_period("M")), "last": txt(cycle["last_cut"]),
                     "under_way": txt("is still under way (a cut now would belong to it)" if cycle["under_way"]
                                      else "is over (no cut signal in the last 12 months)")}))
    else:
        out.append(("No easing cycle began between {start} and {as_of} by the cut-signal rule of notebook 02.",
                    {"start": txt(window.start), "as_of": txt(window.as_of.date())}))
    if target_date is not None:
        out.append(("The target range in force on {date} was {lo}%-{hi}%.",
                    {"date": txt(pd.Timestamp(target_date).date()), "lo": fig("fed_target_lower", "{:.2f}"),
                     "hi": fig("fed_target_upper", "{:.2f}")}))
    if legs.loc["credit", "month"] is not None:
        out.append(("**Credit** (this notebook's proxy for the refinancing hurdle the article names). The Baa corporate yield was {spread} "
                    "percentage points above the 10-year Treasury in {month} (monthly mean){pct}. The leg {holds} (rule: {rule}).",
                    {"spread": fig("credit_spread", "{:.2f}"), "month": txt(legs.loc["credit", "month"]),
                     "pct": rank("credit", "months"), "holds": holds("credit"), "rule": txt(th.rule("credit"))}))
    months = {leg: legs.loc[leg, "month"] for leg in LEGS if legs.loc[leg, "month"] is not None}
    if len(set(months.values())) > 1:
        basis = "These are each leg's latest month, and the legs end in different months (" + ", ".join(
            f"{LEG_NAMES[leg]} {m}" for leg, m in months.items()) + ")"
    elif months:
        basis = f"All four refer to {next(iter(months.values()))}"
    else:
        basis = "No leg has a value yet"
    common_slots = {"basis": txt(basis)}
    if common["month"] is not None:
        tail = ("; at {common_month}, the last month all four were judged (the basis of the analogues and the signal), {common_held} "
                "{common_word} ({common_holding}).")
        common_slots.update({"common_month": txt(common["month"]), "common_held": fig("legs_held_last_judged_month", "{:d}"),
                             "common_word": plural("legs_held_last_judged_month", "leg held", "legs held"),
                             "common_holding": txt(_names(common["holding"]))})
    else:
        tail = "; no month yet has all four legs judged."
    out.append(("**Legs holding at {as_of}: {held} of four** (holding: {holding}; not holding: {not_holding}{not_judged}). {basis}" + tail,
                {"as_of": txt(window.as_of.date()), "held": fig("legs_held", "{:d}"), "holding": txt(_names(count["holding"])),
                 "not_holding": txt(_names(count["not_holding"])),
                 "not_judged": txt(f"; not judged: {_names(count['not_judged'])}" if count["not_judged"] else ""),
                 **common_slots}))
    return out


SETS = {"at_least_three": "at least three legs", "all_four": "all four legs"}
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}


def analogue_records(episodes: dict[str, pd.DataFrame], sums: dict, base: pd.DataFrame, test: dict, sample: pd.PeriodIndex,
                     as_of_month: pd.Period, spread_label: str) -> list[dict]:
    """The figures of section 2: the sample, per set (`SETS`) its flagged months, episodes and,
    per horizon, complete episodes, their mean cumulative spread (decimal) and how many were
    positive; the base rate per horizon; test (a): analogue_difference_3y (rule set's mean minus
    the base rate) and thesis_rule_analogues (its stance). The 3-year figures are shown, the rest
    quiet."""
    m, lag = as_of_month, PUBLICATION_LAG_MONTHS
    span = f"{sample.min()} to {sample.max()}" if len(sample) else "no month"
    out = [_rec("analogue_sample_months", int(len(sample)), "count", m, f"months in which all four legs can be judged ({span})")]
    for key, words in SETS.items():
        e = episodes[key]
        out.append(_rec(f"analogue_months_{key}", int(e["months"].sum()) if len(e) else 0, "count", m,
                        f"months ({span}) in which {words} held, each judged with its data to date", quiet=True))
        out.append(_rec(f"analogue_episodes_{key}", sums[key][VERDICT_HORIZON_MONTHS]["episodes"], "count", m,
                        f"episodes of months in which {words} held (flagged months more than {EPISODE_GAP_MONTHS} months apart start a new one)"))
        for h in HORIZONS_MONTHS:
            s, y, quiet = sums[key][h], h // 12, h != VERDICT_HORIZON_MONTHS
            out.append(_rec(f"analogue_complete_{y}y_{key}", s["complete"], "count", m,
                            f"episodes in which {words} held whose {h}-month window (from {lag + 1} months after their first month) is complete by {m}",
                            quiet=quiet))
            if s["complete"]:
                out.append(_rec(f"analogue_mean_{y}y_{key}", s["mean"], "decimal", m,
                                f"mean cumulative {spread_label} over the {h} months from {lag + 1} months after the first month of the "
                                f"complete episodes in which {words} held", quiet=quiet))
                out.append(_rec(f"analogue_positive_{y}y_{key}", s["positive"], "count", m,
                                f"complete episodes in which {words} held with a positive {h}-month {spread_label}", quiet=True))
    for h in HORIZONS_MONTHS:
        row, y = base.loc[h], h // 12
        if row["months"]:
            out.append(_rec(f"base_rate_mean_{y}y", float(row["mean"]), "decimal", m,
                            f"mean cumulative {spread_label} over the {h} months from month t + {lag + 1}, every month t from {row['first']} "
                            f"to {row['last']} in which all four legs can be judged and the window is complete", quiet=h != VERDICT_HORIZON_MONTHS))
            out.append(_rec(f"base_rate_share_positive_{y}y", float(row["share_positive"]), "share", m,
                            f"share of those months with a positive {h}-month {spread_label}", quiet=h != VERDICT_HORIZON_MONTHS))
            out.append(_rec(f"base_rate_months_{y}y", int(row["months"]), "count", m, f"months in the {h}-month base rate", quiet=True))
    if not np.isnan(test["difference"]):
        out.append(_rec("analogue_difference_3y", test["difference"], "decimal", m,
                        f"mean 3-year {spread_label} of the complete at-least-three episodes minus the base rate over the same sample"))
    out.append(_rec("thesis_rule_analogues", test["stance"], "stance", m,
                    f"test (a) of the verdict rule: supports when at least {test['min_episodes']} complete at-least-three episodes have a mean "
                    "3-year spread above the base rate, contradicts when below, else inconclusive"))
    return out


def analogue_sentences(sums: dict, base: pd.DataFrame, test: dict, sample: pd.PeriodIndex, as_of_month: pd.Period) -> list[tuple[str, dict]]:
    """The sentences of section 2, after `analogue_records`: the search, test (a) on the rule's
    at-least-three episodes (or why it is not run), and the all-four episodes."""
    m, h = as_of_month, VERDICT_HORIZON_MONTHS
    if not len(sample):
        return [("No month up to {month} has all four legs judged (each percentile needs 120 months of its own history), so there are "
                 "{n} months to search: **there is no precedent** at this date.",
                 {"month": txt(m), "n": fig("analogue_sample_months", "{:d}")})]
    out = [("Of the {n} months from {first} to {last} in which all four legs can be judged, at least three legs held in {k3} "
            "({e3} {e3_word}) and all four in {k4} ({e4} {e4_word}).",
            {"n": fig("analogue_sample_months", "{:d}"), "first": txt(sample.min()), "last": txt(sample.max()),
             "k3": fig("analogue_months_at_least_three", "{:d}"), "e3": fig("analogue_episodes_at_least_three", "{:d}"),
             "e3_word": plural("analogue_episodes_at_least_three", "episode", "episodes"),
             "k4": fig("analogue_months_all_four", "{:d}"), "e4": fig("analogue_episodes_all_four", "{:d}"),
             "e4_word": plural("analogue_episodes_all_four", "episode", "episodes")})]
    s3, s4 = sums["at_least_three"][h], sums["all_four"][h]
    if s3["episodes"] == 0:
        out.append(("**There is no precedent** with at least three legs in these data, so history cannot say what followed such a month; "
                    "test (a) of the rule is not run.", {}))
    elif s3["complete"] == 0:
        out.append(("**There is no complete precedent:** no at-least-three episode has a 3-year window complete by {month}, so history "
                    "cannot yet say what followed such a configuration over three years; test (a) of the rule is not run.",
                    {"month": txt(m)}))
    else:
        slots = {"c": fig("analogue_complete_3y_at_least_three", "{:d}"),
                 "c_word": plural("analogue_complete_3y_at_least_three", "episode has", "episodes have"),
                 "mean": fig("analogue_mean_3y_at_least_three", "{:+.1%}"),
                 "vs": cmp("analogue_mean_3y_at_least_three", ">", "base_rate_mean_3y", "above", "not above"),
                 "base": fig("base_rate_mean_3y", "{:+.1%}"), "share": fig("base_rate_share_positive_3y", "{:.0%}")}
        if test["testable"]:
            slots["end"] = cmp("analogue_difference_3y", ">", 0, "so test (a) favours small caps.", "so test (a) goes against small caps.")
            end = " With at least the rule's five episodes, {end}"
        else:
            slots["end"] = txt(f"With fewer than {test['min_episodes']} episodes this describes those episodes only (shown one by one "
                               "above): no t-statistic is computed and test (a) does not count.")
            end = " {end}"
        slots["their"] = plural("analogue_complete_3y_at_least_three", "its", "their")
        slots["nth"] = txt(ORDINALS.get(PUBLICATION_LAG_MONTHS + 1, f"{PUBLICATION_LAG_MONTHS + 1}th"))
        out.append(("With at least three legs, {c} {c_word} a complete 3-year window; over the 3 years from the {nth} month after {their} "
                    "first month, when the data behind it were out, the headline spread averaged {mean}, {vs} the base rate of {base} over "
                    "the same sample's months (positive in {share} of them)." + end, slots))
    if s4["complete"]:
        out.append(("All four legs together: {c} complete {c_word}, with a mean 3-year headline spread of {mean}.",
                    {"c": fig("analogue_complete_3y_all_four", "{:d}"), "c_word": plural("analogue_complete_3y_all_four", "episode", "episodes"),
                     "mean": fig("analogue_mean_3y_all_four", "{:+.1%}")}))
    elif s4["episodes"]:
        out.append(("All four legs together: {e} {e_word}, none with a 3-year window complete by {month}.",
                    {"e": fig("analogue_episodes_all_four", "{:d}"), "e_word": plural("analogue_episodes_all_four", "episode", "episodes"),
                     "month": txt(m)}))
    else:
        out.append(("All four legs never held together in these data.", {}))
    return out


def _pct(v: float) -> float:
    return float(v) * 100.0


def signal_records(sig: dict, sig_now: dict, as_of_month: pd.Period, spread_label: str, min_legs: int) -> list[dict]:
    """The figures of section 3 (monthly means in percent per month): months, share invested,
    invested stretches, mean over all months, when invested, hit rate, always-long and the
    exposure-matched always-long, the excess over it and test (b) (thesis_rule_signal); the
    Newey-West t's only when the invested months form at least five stretches; the held-at-once
    variant (quiet)."""
    m, lag = as_of_month, PUBLICATION_LAG_MONTHS
    if not sig["months"]:
        return [_rec("thesis_rule_signal", sig["stance"], "stance", m, "test (b) of the verdict rule: no month to test")]
    period = f"{sig['first']} to {sig['last']}"
    rule = (f"long {spread_label} in month t + {lag + 1}, once every input of month t is published, when at least {min_legs} of the four legs "
            "hold at t, else neutral")
    out = [_rec("signal_months", sig["months"], "count", m, f"months with a signal return ({period}): {rule}"),
           _rec("signal_share_invested", sig["share_invested"], "share", m, "share of those months in which the signal was long"),
           _rec("signal_stretches", sig["stretches"], "count", m,
                f"stretches of invested months (more than {EPISODE_GAP_MONTHS} months apart start a new one); a t-statistic needs "
                f"{sig['min_stretches']}"),
           _rec("signal_mean_monthly", _pct(sig["mean"]), "percent per month", m,
                f"mean monthly return of the signal over all months {period} (always-neutral earns 0)")]
    if sig["invested_months"]:
        out += [_rec("signal_mean_when_invested", _pct(sig["mean_invested"]), "percent per month", m,
                     f"mean {spread_label} in the {sig['invested_months']} months the signal was long"),
                _rec("signal_hit_rate", sig["hit_rate"], "share", m, f"share of the invested months with a positive {spread_label}")]
    out += [_rec("always_long_mean_monthly", _pct(sig["long_mean"]), "percent per month", m, f"mean monthly {spread_label} over {period}", quiet=True),
            _rec("signal_matched_mean_monthly", _pct(sig["matched_mean"]), "percent per month", m,
                 "always-long at the signal's exposure: share invested x always-long's mean (a signal with no timing skill)", quiet=True),
            ]
    if not np.isnan(sig["excess_mean"]):
        out.append(_rec("signal_excess_monthly", _pct(sig["excess_mean"]), "percent per month", m,
                        "the signal's mean minus the exposure-matched always-long's: what its timing added"))
    if not np.isnan(sig["long_t_nw"]):
        out.append(_rec("always_long_t_nw", sig["long_t_nw"], "t-statistic", m, f"Newey-West t ({NW_LAGS} lags) of always_long_mean_monthly", quiet=True))
    if sig["testable"]:
        out += [_rec("signal_excess_t_nw", sig["excess_t_nw"], "t-statistic", m,
                     f"Newey-West t ({NW_LAGS} lags) of signal_excess_monthly: test (b) of the verdict rule"),
                _rec("signal_t_nw", sig["t_nw"], "t-statistic", m,
                     f"Newey-West t ({NW_LAGS} lags) of signal_mean_monthly against always-neutral (context)", quiet=True)]
    out.append(_rec("thesis_rule_signal", sig["stance"], "stance", m,
                    f"test (b) of the verdict rule: supports when the excess over the exposure-matched always-long has a Newey-West t of at "
                    f"least {T_CRITICAL:g}, contradicts at -{T_CRITICAL:g} or below, else inconclusive (no t under {sig['min_stretches']} "
                    "invested stretches)"))
    if sig_now["months"]:
        out.append(_rec("signal_immediate_mean_monthly", _pct(sig_now["mean"]), "percent per month", m,
                        "mean monthly return of the same signal held in the month right after t (ignores publication lags)", quiet=True))
        if not np.isnan(sig_now["t_nw"]):
            out.append(_rec("signal_immediate_t_nw", sig_now["t_nw"], "t-statistic", m, "Newey-West t of signal_immediate_mean_monthly", quiet=True))
    return out


def signal_sentences(sig: dict, sig_now: dict, as_of_month: pd.Period, min_legs: int) -> list[tuple[str, dict]]:
    """The sentences of section 3, after `signal_records`."""
    if not sig["months"]:
        return [("No month up to {month} has all four legs judged and a following headline return: the signal cannot be tested at this "
                 "date, and test (b) of the rule is not run.", {"month": txt(as_of_month)})]
    period = {"first": txt(sig["first"]), "last": txt(sig["last"])}
    if not sig["invested_months"]:
        return [("From {first} to {last} at least {k} legs never held together, so the signal never invested: it cannot be told apart "
                 "from always-neutral, and test (b) of the rule is not run.", {**period, "k": txt(min_legs)})]
    if np.isnan(sig["excess_mean"]):
        excess_text, excess_slot = ("; it was long in every month, so it had no timing to compare with always-long", {})
    else:
        excess_text = (", so always-long scaled to the signal's exposure would have earned {matched}: the excess due to the signal's "
                       "timing was {excess} a month")
        excess_slot = {"matched": fig("signal_matched_mean_monthly", "{:+.3f}%"), "excess": fig("signal_excess_monthly", "{:+.3f}%")}
    out = [("From {first} to {last} the signal was long in {share} of the {n} months, in {k} {k_word} of invested months. Its mean return "
            "over all months was {mean} a month; always-long earned {long}" + excess_text + ". In the months it was long the headline "
            "spread averaged {inv}, positive in {hit} of them.",
            {**period, "share": fig("signal_share_invested", "{:.0%}"), "n": fig("signal_months", "{:d}"),
             "k": fig("signal_stretches", "{:d}"), "k_word": plural("signal_stretches", "stretch", "stretches"),
             "mean": fig("signal_mean_monthly", "{:+.3f}%"), "long": fig("always_long_mean_monthly", "{:+.3f}%"), **excess_slot,
             "inv": fig("signal_mean_when_invested", "{:+.3f}%"), "hit": fig("signal_hit_rate", "{:.0%}")})]
    if np.isnan(sig["excess_mean"]):
        out.append(("Test (b) of the rule is not run: a signal invested every month has no timing to test.", {}))
    elif sig["testable"]:
        out.append(("Over its {k} stretches the Newey-West t of that excess is {t}: test (b) {verdict}.",
                    {"k": fig("signal_stretches", "{:d}"), "t": fig("signal_excess_t_nw", "{:+.2f}"),
                     "verdict": txt({SUPPORTS: f"favours small caps (t at least {T_CRITICAL:g})",
                                     CONTRADICTS: f"goes against small caps (t at or below -{T_CRITICAL:g})"}.get(
                                         sig["stance"], f"decides nothing (|t| below {T_CRITICAL:g})"))}))
    else:
        out.append(("With {k} {k_word}, fewer than the {need} the rule needs, no t-statistic is computed: the stretches are shown one by "
                    "one above, and test (b) does not count.",
                    {"k": fig("signal_stretches", "{:d}"), "k_word": plural("signal_stretches", "stretch", "stretches"),
                     "need": txt(sig["min_stretches"])}))
    if sig_now["months"]:
        out.append(("Held in the month right after the legs are observed, before the data behind them were published (not possible in real "
                    "time), the same signal earned {mean} a month.", {"mean": fig("signal_immediate_mean_monthly", "{:+.3f}%")}))
    return out


def post_records(post: dict, article_date, article_pricing) -> list[dict]:
    """The figures of section 4 from `post_article` (nothing before the article appeared):
    article_pricing_upper; IWM, SPY, QQQ total returns and post_article_iwm_minus_spy (decimal,
    dated by the last common close); post_article_rut_high (index points, dated by that close),
    the December 2025 high and whether it was beaten; the target range at as_of and the cuts and
    hikes since 2025-12-31."""
    if not post["appeared"]:
        return []
    base = ARTICLE_BASE_DATE.date()
    out = [_rec("article_pricing_upper", article_pricing[1], "percent", article_date,
                "upper bound of the target range the article says markets were pricing (no date given)", quiet=True)]
    if post["to"] is not None:
        span = f"from the {post['from'].date()} close to the {post['to'].date()} close"
        for t in ("iwm", "spy", "qqq"):
            out.append(_rec(f"post_article_{t}_return", post[f"return_{t}"], "decimal", post["to"],
                            f"{t.upper()} total return (adjusted closes) {span}", quiet=True))
        out.append(_rec("post_article_iwm_minus_spy", post["iwm_minus_spy"], "decimal", post["to"], f"IWM minus SPY total return (adjusted closes) {span}"))
    if post["rut_high_date"] is not None:
        out.append(_rec("post_article_rut_high", post["rut_high"], "index points", post["rut_high_date"],
                        f"highest ^RUT close (price index) after {base} up to {post['rut_last'].date()}, on {post['rut_high_date'].date()}"))
    if post["december_high_date"] is not None:
        out.append(_rec("rut_december_2025_high", post["december_high"], "index points", post["december_high_date"],
                        f"highest ^RUT close in December 2025, on {post['december_high_date'].date()}", quiet=True))
    if post["beats_december"] is not None:
        out.append(_rec("post_article_rut_beats_december", post["beats_december"], "flag", post["rut_high_date"],
                        f"the highest ^RUT close after {base} is above the December 2025 high", quiet=True))
    if post["fed_date"] is not None:
        out.append(_rec("post_article_fed_upper", post["fed_upper"], "percent", post["fed_date"], "upper bound of the target range at as_of (DFEDTARU)"))
        out.append(_rec("post_article_fed_lower", post["fed_lower"], "percent", post["fed_date"], "lower bound of the target range at as_of (DFEDTARL)", quiet=True))
    out.append(_rec("post_article_fed_cuts", post["cuts"], "count", post["as_of"], f"cuts of the target range after {base} up to as_of"))
    out.append(_rec("post_article_fed_hikes", post["hikes"], "count", post["as_of"], f"hikes of the target range after {base} up to as_of", quiet=True))
    return out


def post_sentences(post: dict, article_date) -> list[tuple[str, dict]]:
    """The sentences of section 4, after `post_records`."""
    if not post["appeared"]:
        return [("The article (dated {date}) had not appeared by {as_of}: there is nothing after it to measure at this date.",
                 {"date": txt(pd.Timestamp(article_date).date()), "as_of": txt(post["as_of"].date())})]
    out = []
    if post["to"] is not None:
        out.append(("From the {base} close to the {to} close, the Russell 2000 ETF (IWM) returned {iwm}, the S&P 500 ETF (SPY) {spy} and "
                    "the Nasdaq-100 ETF (QQQ) {qqq} (total returns from adjusted closes): small caps {side} (IWM minus SPY {diff}).",
                    {"base": txt(post["from"].date()), "to": txt(post["to"].date()), "iwm": fig("post_article_iwm_return", "{:+.1%}"),
                     "spy": fig("post_article_spy_return", "{:+.1%}"), "qqq": fig("post_article_qqq_return", "{:+.1%}"),
                     "side": cmp("post_article_iwm_minus_spy", ">", 0, "led the S&P 500", "did not lead the S&P 500"),
                     "diff": fig("post_article_iwm_minus_spy", "{:+.1%}")}))
    if post["rut_high_date"] is not None:
        out.append(("The Russell 2000 index (^RUT, a price index) closed as high as {high} on {date} after 31 December 2025, {beat} its "
                    "December 2025 high of {dec} ({dec_date}).",
                    {"high": fig("post_article_rut_high", "{:,.0f}"), "date": txt(post["rut_high_date"].date()),
                     "beat": cmp("post_article_rut_beats_december", "==", True, "above", "not above"),
                     "dec": fig("rut_december_2025_high", "{:,.0f}"), "dec_date": txt(post["december_high_date"].date())}))
    if post["rut_last"] is not None and post["rut_last"] < post["as_of"].normalize():
        out.append(("The ^RUT series in this snapshot ends on {last}: closes after that date are not in the data, so the high above covers "
                    "only {start} to {last} and nothing is filled forward.",
                    {"last": txt(post["rut_last"].date()), "start": txt(ARTICLE_BASE_DATE.date())}))
    if post["fed_date"] is not None:
        moves = "; ".join(f"{r.direction} of {abs(r.change_pp):.2f} pp effective {r.date.date()}" for r in post["fed_path"].itertuples())
        course = ("no further cut has come, so whether the Fed 'stays the course' the article assumes is not yet shown"
                  if post["cuts"] == 0 and post["hikes"] == 0 else
                  "a hike reverses the easing the article's outlook assumes" if post["hikes"] else
                  "the easing has continued, as the article's outlook assumes")
        out.append(("On {date} the Fed's target range was {lo}%-{hi}%, {side} the 3.00%-3.25% the article said markets were pricing (an "
                    "endpoint it gives no date for). Since 31 December 2025 the Fed has made {cuts} {cuts_word} and {hikes} {hikes_word} "
                    "of the range{moves}: {course}.",
                    {"date": txt(post["fed_date"].date()), "lo": fig("post_article_fed_lower", "{:.2f}"),
                     "hi": fig("post_article_fed_upper", "{:.2f}"),
                     "side": cmp("post_article_fed_upper", ">", "article_pricing_upper", "still above", "at or below the top of"),
                     "cuts": fig("post_article_fed_cuts", "{:d}"), "cuts_word": plural("post_article_fed_cuts", "cut", "cuts"),
                     "hikes": fig("post_article_fed_hikes", "{:d}"), "hikes_word": plural("post_article_fed_hikes", "hike", "hikes"),
                     "moves": txt(f" ({moves})" if moves else ""), "course": txt(course)}))
    return out


def verdict_records(verdict: str, premise_: str, summary_line: str, as_of) -> list[dict]:
    """The verdict's figures: thesis_verdict (unit "verdict", labelled by `verdict_summary`) and
    thesis_premise (text)."""
    return [_rec("thesis_premise", premise_, "text", as_of,
                 f"the premise of the verdict rule: conditions present (at least {PREMISE_MIN_LEGS} legs hold), absent (at most "
                 f"{PREMISE_ABSENT_MAX_LEGS} can hold) or partly present"),
            _rec("thesis_verdict", verdict, "verdict", as_of, summary_line)]


def verdict_sentences(verdict: str, premise_: str, count: dict, common: dict, analogue: dict, signal: dict,
                      as_of) -> list[tuple[str, dict]]:
    """The verdict paragraph, after `verdict_records` and the records of sections 1-3: the verdict,
    the premise, each test's stance, why, and how sure it is."""
    as_of_text = txt(pd.Timestamp(as_of).date())
    out = [("**Verdict at {as_of}: {verdict}.** This is the verdict on the Great Rotation thesis by the rule above, "
            "with the data this run uses (their last months are in the table of data above).",
            {"as_of": as_of_text, "verdict": fig("thesis_verdict")})]
    common_slots, common_text = {}, ""
    if common["month"] is not None:
        common_text = " ({common_held} at {common_month}, the last month all four were judged)"
        common_slots = {"common_held": fig("legs_held_last_judged_month", "{:d}"), "common_month": txt(common["month"])}
    out.append(("**Premise: {premise}.** {held} of the four legs {verb} at their latest months" + common_text + ".",
                {"premise": fig("thesis_premise"), "held": fig("legs_held", "{:d}"), "verb": plural("legs_held", "holds", "hold"),
                 **common_slots}))
    stance_words = {SUPPORTS: "favours small caps", CONTRADICTS: "goes against small caps", INCONCLUSIVE: "decides nothing"}
    if analogue["testable"]:
        a = ("**Test (a), history:** {c} complete episodes with at least three legs, mean 3-year spread {mean} against the base rate's "
             "{base}: it {stance}.",
             {"c": fig("analogue_complete_3y_at_least_three", "{:d}"), "mean": fig("analogue_mean_3y_at_least_three", "{:+.1%}"),
              "base": fig("base_rate_mean_3y", "{:+.1%}"), "stance": txt(stance_words[analogue["stance"]])})
    else:
        a = ("**Test (a), history:** not run: {c} complete {c_word} with at least three legs, fewer than the {need} the rule needs.",
             {"c": fig("analogue_complete_3y_at_least_three", "{:d}"),
              "c_word": plural("analogue_complete_3y_at_least_three", "episode", "episodes"), "need": txt(analogue["min_episodes"])})
    out.append(a)
    if signal["testable"]:
        b = ("**Test (b), the signal:** its excess over always-long at the same exposure was {excess} a month, Newey-West t {t} over {k} "
             "stretches: it {stance}.",
             {"excess": fig("signal_excess_monthly", "{:+.3f}%"), "t": fig("signal_excess_t_nw", "{:+.2f}"),
              "k": fig("signal_stretches", "{:d}"), "stance": txt(stance_words[signal["stance"]])})
    elif signal["months"]:
        b = ("**Test (b), the signal:** not run: its invested months form {k} {k_word}, fewer than the {need} the rule needs for a "
             "t-statistic.", {"k": fig("signal_stretches", "{:d}"), "k_word": plural("signal_stretches", "stretch", "stretches"),
                              "need": txt(signal["min_stretches"])})
    else:
        b = ("**Test (b), the signal:** not run: no month has a signal return yet.", {})
    out.append(b)
    if verdict == NOT_TESTED:
        why = ("At most one leg holds, so the conditions the article's story rests on are absent at this date: the thesis is not tested "
               "here, and this is evidence neither for it nor against it.")
    elif verdict == SUPPORTED:
        why = ("The conditions are present and both tests favour small caps: past configurations like this one were followed by "
               "small-cap outperformance above the base rate, and a signal built from them beat always-long at the same exposure.")
    elif verdict == CONTRADICTED:
        why = ("The conditions are present and both tests go against small caps: past configurations like this one were followed by "
               "less than the base rate, and a signal built from them fell short of always-long at the same exposure.")
    else:
        reasons = []
        too_few = {"test (a)": "history has too few complete episodes for test (a)",
                   "test (b)": ("the signal has no month to test yet" if not signal["months"] else
                                "the signal's invested months form too few stretches for test (b)")}
        if premise_ == PARTLY_PRESENT:
            reasons.append("the conditions are only partly present")
        for name, test in (("test (a)", analogue), ("test (b)", signal)):
            if not test["testable"]:
                reasons.append(too_few[name])
            elif test["stance"] == INCONCLUSIVE:
                reasons.append(f"{name} decides nothing")
        if analogue["testable"] and signal["testable"] and {analogue["stance"], signal["stance"]} == {SUPPORTS, CONTRADICTS}:
            reasons.append("the two tests point in opposite directions")
        why = ("The data do not decide, because " + ", and ".join(reasons) + ". Supported would need both tests to favour small caps, "
               "contradicted both to go against them, with the conditions present.")
    out.append((why, {}))
    if analogue["complete"] == 0:
        few = "history offers no complete precedent yet, so it cannot speak"
    elif not analogue["testable"]:
        few = "history offers fewer than five complete precedents, shown one by one, which describe those episodes and no more"
    else:
        few = "the historical test rests on a handful of long, overlapping episodes"
    out.append(("How sure is this? The legs are descriptive: they say whether the conditions look like the article's story, not what "
                "will follow. " + few[0].upper() + few[1:] + "; precedents count only once three years have passed after their data "
                "were out, so this test changes slowly. All values are today's revised data, not what investors saw at the time. The "
                "claim-by-claim verdicts on the article's statements are in notebook 05 (claims check).", {}))
    return out


def grid_records(summary: dict, as_of_month: pd.Period) -> list[dict]:
    """The grid's figures (`grid_summary`): specifications, the shares that support, contradict
    and are inconclusive, the share agreeing with the verdict's direction, and the share of
    spread x threshold combinations whose own verdict equals the verdict of record."""
    m = as_of_month
    out = [_rec("thesis_grid_specs", summary["specs"], "count", m,
                "specifications in the bottom line's grid: spread definitions x threshold settings x the two tests")]
    words = {SUPPORTS: "favour small caps", CONTRADICTS: "go against small caps", INCONCLUSIVE: "decide nothing (too few episodes or a short margin)"}
    for s in inference.STANCES:
        if not np.isnan(summary[f"share_{s}"]):
            out.append(_rec(f"thesis_grid_share_{s}", summary[f"share_{s}"], "share", m, f"share of the grid's specifications that {words[s]}"))
    if summary["specs"]:
        out.append(_rec("thesis_grid_share_agrees", summary["agrees"], "share", m,
                        f"share of the grid's specifications whose stance ({summary['direction']}) matches the verdict's direction"))
        out.append(_rec("thesis_grid_combinations", summary["combinations"], "count", m, "spread x threshold combinations in the grid", quiet=True))
        out.append(_rec("thesis_grid_share_same_verdict", summary["same_verdict"], "share", m,
                        "share of the spread x threshold combinations whose verdict by the same rule equals this report's"))
    for test, words in (("analogues", "test (a) specifications whose episodes' mean 3-year spread is above the base rate"),
                        ("signal", "test (b) specifications whose signal earned more than its exposure-matched always-long")):
        if not np.isnan(summary[f"positive_{test}"]):
            out.append(_rec(f"thesis_grid_share_positive_{test}", summary[f"positive_{test}"], "share", m,
                            f"share of the {words}, whatever the rule's minimum of five episodes (descriptive)"))
    return out


def grid_sentences(summary: dict, verdict: str) -> list[tuple[str, dict]]:
    """The grid's sentence, after `grid_records`."""
    if not summary["specs"]:
        return [("The specification grid is empty at this date.", {})]
    if summary["direction"] == INCONCLUSIVE:
        agree = "The verdict ({verdict}) takes neither side{direction}: {agree} of the specifications also decide nothing"
        direction = ""
    else:
        agree = "The verdict ({verdict}) is matched by the specifications that {direction}: {agree} of the grid"
        direction = {SUPPORTS: "favour small caps", CONTRADICTS: "go against small caps"}[summary["direction"]]
    out = [("Across the {n} specifications ({k} spread x threshold combinations, each with both tests), {sup} favour small caps, {con} go "
             "against them and {inc} decide nothing. " + agree + ", and the same rule gives the same verdict in {same} of the combinations.",
             {"n": fig("thesis_grid_specs", "{:d}"), "k": fig("thesis_grid_combinations", "{:d}"),
              "sup": fig("thesis_grid_share_supports", "{:.0%}"), "con": fig("thesis_grid_share_contradicts", "{:.0%}"),
              "inc": fig("thesis_grid_share_inconclusive", "{:.0%}"), "verdict": txt(verdict), "direction": txt(direction),
              "agree": fig("thesis_grid_share_agrees", "{:.0%}"), "same": fig("thesis_grid_share_same_verdict", "{:.0%}")})]
    clauses, slots = [], {}
    if np.isnan(summary["positive_analogues"]):
        clauses.append("no test (a) specification has a complete episode")
    else:
        clauses.append("the episodes' mean 3-year spread is above the base rate in {a} of the test (a) specifications with complete episodes")
        slots["a"] = fig("thesis_grid_share_positive_analogues", "{:.0%}")
    if np.isnan(summary["positive_signal"]):
        clauses.append("no test (b) specification has a signal with timing to compare")
    else:
        clauses.append("the signal earned more than always-long at its exposure in {b} of the test (b) specifications that invested")
        slots["b"] = fig("thesis_grid_share_positive_signal", "{:.0%}")
    out.append(("Read as description only, whatever the rule's minimum of five episodes: " + ", and ".join(clauses) + ".", slots))
    return out


# ------------------------------------------------------------------ everything at once

def prepare(inp: dict, window) -> dict:
    """The inputs cut at as_of: Fama-French tables to `window.as_of_month`; FEDFUNDS and Moody's
    Baa (monthly averages) to the last complete month at or before `window.as_of`; daily series to
    `window.as_of`. (Under a data cutoff the loaders have already removed what was not yet
    published; this cut also holds a run at 'latest' to its as_of.) Returns the legs' inputs:
    discount, share, fedfunds (PeriodIndex), spread, one_period (every candidate small-minus-large
    spread, `spreads.one_period_spreads`, decimal per month), headline (its `spreads.HEADLINE`
    entry) and the daily upper, lower, prime, iwm, spy, qqq, rut."""
    from .params import complete_month
    from .spreads import HEADLINE, one_period_spreads

    m, macro_month = window.as_of_month, complete_month(window.as_of)

    def monthly(obj, last):
        obj = to_monthly_index(obj.dropna(how="all"))
        return obj[obj.index <= last]

    def daily(s):
        return s[s.index <= window.as_of]

    bm = [monthly(inp[k], m) for k in ("bm25_firms", "bm25_cap", "bm25_bm_june", "bm25_returns")]
    one_period = one_period_spreads(monthly(inp["me_returns"], m), monthly(inp["me_returns_ew"], m), monthly(inp["factors"], m))
    return {"discount": valuation_discount(*bm),
            "share": concentration.top_decile_share(monthly(inp["me_firms"], m), monthly(inp["me_size"], m)).dropna(),
            "fedfunds": monthly(inp["fedfunds"], macro_month),
            "spread": credit_spread(monthly(inp["baa"], macro_month), daily(inp["dgs10"]), daily(inp["baa10y"])),
            "one_period": one_period, "headline": one_period[HEADLINE],
            **{k: daily(inp[k]) for k in ("upper", "lower", "prime", "iwm", "spy", "qqq", "rut")}}


def evaluate(x: dict, window, th: Thresholds = Thresholds(), min_legs: int = 3) -> dict:
    """Sections 1-3 and the verdict from prepared inputs (`prepare`), composed as the notebook
    composes them: measures, flags, legs (`legs_at`), count (`legs_count`), common
    (`legs_at_last_judged_month`), premise, sample (`judged_months`), episodes (`analogues`),
    episode_summary (`summaries`), base (`base_rate` over the sample), analogue (`analogue_test` of
    the at-least-three 3-year summary), positions, returns (`signal_returns` held from
    t + 1 + `PUBLICATION_LAG_MONTHS`), signal (`signal_test` of them), stretches
    (`invested_stretches`), signal_immediate (held at once, ignoring publication lags: not
    tradable in real time), verdict (`thesis_verdict`) and summary (`verdict_summary`)."""
    m, h = window.as_of_month, VERDICT_HORIZON_MONTHS
    measures = leg_measures(x["discount"], x["share"], x["fedfunds"], x["spread"], window.start, th.easing_months)
    flags = leg_flags(measures, th)
    legs = legs_at(measures, flags, th)
    count, common = legs_count(legs), legs_at_last_judged_month(flags)
    prem = premise(count["held"], count["unknown"])
    sample = judged_months(flags)
    eps = analogues(flags, x["headline"], m)
    sums = summaries(eps)
    base = base_rate(x["headline"], sample, m)
    analogue = analogue_test(sums["at_least_three"][h], base.loc[h, "mean"])
    positions = signal_positions(flags, min_legs)
    returns = signal_returns(positions, x["headline"], m, lag=PUBLICATION_LAG_MONTHS)
    sig = signal_test(returns)
    verdict = thesis_verdict(prem, analogue["stance"], sig["stance"])
    return {"measures": measures, "flags": flags, "legs": legs, "count": count, "common": common, "premise": prem,
            "sample": sample, "episodes": eps, "episode_summary": sums, "base": base, "analogue": analogue,
            "positions": positions, "returns": returns, "signal": sig, "stretches": invested_stretches(returns),
            "signal_immediate": signal_test(signal_returns(positions, x["headline"], m, lag=0)),
            "verdict": verdict, "summary": verdict_summary(verdict, prem, count, common, analogue, sig)}


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
    signals), post (`post_article` from the 2025-12-31 close to as_of) and grid
    (`specification_grid` over this report's thresholds and `SENSITIVITY`)."""
    x = prepare(inp, window)
    out = evaluate(x, window, th, min_legs)
    out.update({"inputs": x, "headline": x["headline"],
                "cycle": rates.latest_cycle(rates.cut_signals(x["fedfunds"], x["upper"]), window, x["upper"], x["prime"]),
                "post": post_article({"IWM": x["iwm"], "SPY": x["spy"], "QQQ": x["qqq"]}, x["rut"], x["upper"], x["lower"],
                                     window.as_of, inp["article_date"]),
                "grid": specification_grid(x, window, {"this report": th, **SENSITIVITY}, min_legs)})
    return out
