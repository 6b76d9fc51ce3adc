"""Rate sensitivity of small vs large caps, and what Fed easing cycles did.

Source tables and units:
* size spread of the rate betas: Fama-French `Portfolios_Formed_on_ME` value-weighted monthly
  returns, `Lo 30` minus `Hi 30` (decimal per month; the regressions use percent per month);
* easing event study: the collection's headline small-minus-large definition
  (`rotation.spreads.HEADLINE`) as a one-period series (`rotation.spreads.one_period_spreads`:
  a monthly log return difference, or the factor return itself for SMB; decimal per month);
  outcomes are its sums over the 12 or 24 months after a first-cut month (cumulative log
  spread, decimal), judged by randomisation inference (`rotation.inference`);
* rates: FRED DGS2 and DGS10 (month-end values, percent), FEDFUNDS (monthly average of the
  effective rate, percent), BAMLH0A0HYM2 (high-yield OAS, month-end, percentage points),
  DFEDTARU/DFEDTARL (target range bounds, percent); changes are in percentage points;
* market control: Fama-French `Mkt-RF` (percent per month in the regressions);
* dating a first cut: DFEDTARU from 2008-12; before, FRED DPRIME (bank prime rate, daily,
  percent), which banks move with the Fed's target the same day or the next;
* recessions: FRED USREC as known at `as_of` (the data layer keeps only recessions the NBER
  had announced, `seeds/nber_turning_points.yml`).

Every function takes data as published by `as_of` (the data cutoff set by
`rotation.params.validate` does that); `window` arguments are the resolved
`rotation.params.Window`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from . import inference
from .params import Window
from .stats import ols_newey_west
from .timeseries import (change_by_date, common_window_returns, cumulative_difference, month_end_values, to_monthly_index,
                         value_at)

TARGET_RANGE_FROM = pd.Period("2008-12", "M")  # the FOMC has set a target range since 2008-12-16
EFFECTIVE_CUT_PP = -0.25   # pre-2008 cut signal: 3-month change of monthly-average EFFR <= -0.25 pp
NEW_CYCLE_QUIET_MONTHS = 12  # a cut starts a new cycle when no cut signal came in the 12 months before
# The longest lag from an NBER peak month to its announcement (2007-12, announced 2008-12-01; the
# committee's longest, seeds/nber_turning_points.yml): a month with no recession on record counts as
# "no recession" only once this many months have passed after it.
NBER_PEAK_LAG_MONTHS = 12
RANDOMISATION_SEED = 0  # the easing event study's randomisation draws are seeded, so a run is reproducible
EASING_DIRECTION = +1  # the article: small caps beat large after the Fed starts cutting (a positive spread)
EASING_HORIZONS = (12, 24)  # months after a first-cut month
MIN_REGRESSION_MONTHS = 24  # a rate variable with fewer months of data in the sample gets no regression


def size_spread(returns: pd.DataFrame, small: str = "Lo 30", large: str = "Hi 30") -> pd.Series:
    """Monthly return of the small portfolio minus the large one (decimal per month)."""
    return (returns[small] - returns[large]).rename(f"{small} - {large}")


def monthly_changes(levels: dict[str, pd.Series]) -> pd.DataFrame:
    """Month-on-month change (percentage points) of each monthly level series, matched by date
    (a month whose previous month is missing gets NaN, not a two-month change)."""
    return pd.DataFrame({name: change_by_date(s, 1) for name, s in levels.items()})


def rate_betas(spread_pct: pd.Series, changes: pd.DataFrame, lags: int, control: pd.Series | None = None,
               min_months: int = MIN_REGRESSION_MONTHS) -> pd.DataFrame:
    """One regression per column of `changes`: size spread (percent per month) on that change
    (percentage points), optionally with `control` (market excess return, percent) as a second
    regressor; Newey-West errors with `lags` lags. One row per rate variable; a variable with
    fewer than `min_months` months where every series has a value (e.g. the high-yield spread
    before 1997) gets no row."""
    rows = []
    for name in changes.columns:
        X = changes[[name]] if control is None else pd.concat([changes[[name]], control.rename("Mkt-RF")], axis=1)
        if len(pd.concat([spread_pct, X], axis=1, join="inner").dropna()) < min_months:
            continue
        fit = ols_newey_west(spread_pct, X, lags=lags)
        ci = fit.conf_int()
        rows.append({"variable": name, "control": "Mkt-RF" if control is not None else "none",
                     "beta": fit.params[name], "se_nw": fit.bse[name], "t_nw": fit.tvalues[name],
                     "ci_low": ci.loc[name, "low"], "ci_high": ci.loc[name, "high"], "months": fit.nobs,
                     "r2": fit.rsquared})
    cols = ["variable", "control", "beta", "se_nw", "t_nw", "ci_low", "ci_high", "months", "r2"]
    return pd.DataFrame(rows, columns=cols).set_index(["variable", "control"])


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
    is below the previous month-end's; a month with no previous month-end bound (2008-12, when
    the range replaced the single target) uses the effective-rate rule.
    """
    eff = to_monthly_index(effective_monthly.dropna())
    prior = eff.copy()
    prior.index = prior.index + 3
    early = (eff - prior.reindex(eff.index)) <= EFFECTIVE_CUT_PP + 1e-9
    upper = month_end_values(target_upper_daily)
    prev = upper.copy()
    prev.index = prev.index + 1
    prev = prev.reindex(upper.index)
    late = (upper < prev)
    no_prev = prev.isna() & late.index.isin(early.index)
    late[no_prev] = early.reindex(late.index)[no_prev].fillna(False).astype(bool)
    late = late[late.index >= TARGET_RANGE_FROM]
    early = early[early.index < TARGET_RANGE_FROM]
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


def recession_within(usrec: pd.Series, month: pd.Period, months: int, settle_months: int = 0) -> bool | None:
    """Whether USREC shows a recession in any month of month .. month+`months` (one began in
    the window, or the economy was already in one at `month`).

    `usrec` is the indicator as known at `as_of` (only announced recessions). True: a recession
    is on record in the window. False: none is, and USREC also covers the `settle_months`
    months after the window, so one starting in it would have been announced by now (pass
    `NBER_PEAK_LAG_MONTHS`). None (not yet known): USREC does not reach that far."""
    u = to_monthly_index(usrec.dropna())
    window = pd.period_range(month, month + months, freq="M")
    seen = u.reindex(window)
    if (seen >= 0.5).any():
        return True
    if seen.isna().any() or u.index.max() < month + months + settle_months:
        return None
    return False


def cycle_starts(signals: pd.Series, window: Window, quiet_months: int = NEW_CYCLE_QUIET_MONTHS) -> list[pd.Period]:
    """First cuts (`first_cuts`) from the sample start to the month of the as_of date: every
    easing cycle that had begun in the sample by `as_of` (`signals` as published by then)."""
    now = window.as_of.to_period("M")
    return [p for p in first_cuts(signals[signals.index <= now], quiet_months) if window.start <= p <= now]


def target_changes(upper_daily: pd.Series) -> pd.DataFrame:
    """Every change of a daily policy-rate series (FRED DFEDTARU, the target range's upper bound,
    percent per year), indexed by the first date the new level is in effect (the FOMC announces
    the day before): columns `level` (new level, percent), `change_pp` (percentage points,
    negative for a cut) and `kind` ("cut" or "hike")."""
    s = upper_daily.dropna()
    step = s.diff()
    step = step[step.abs() > 1e-9]
    return pd.DataFrame({"level": s.loc[step.index], "change_pp": step,
                         "kind": np.where(step < 0, "cut", "hike")}, index=step.index)


def _falls(daily: pd.Series) -> pd.DatetimeIndex:
    """Dates on which a daily rate is below its previous observation (the cuts of `target_changes`)."""
    changes = target_changes(daily)
    return changes.index[(changes["kind"] == "cut").to_numpy()]


DATE_SOURCES = {
    "DFEDTARU": "the first day the lower target range was in effect (FRED DFEDTARU; the FOMC announces a change the day before)",
    "DPRIME": "the first day the prime rate fell (FRED DPRIME), in the signal month or the month before "
              "(banks move the prime rate with the Fed's target, the same day or the next)",
    "month start": "the first day of the first-cut month (no daily rate information for that date)",
}


def first_cut_date(month: pd.Period, upper_daily: pd.Series, prime_daily: pd.Series | None = None) -> tuple[pd.Timestamp, str]:
    """The first day of the easing cycle whose first-cut month is `month`, and where it comes
    from (a key of `DATE_SOURCES`).

    From 2008-12 ("DFEDTARU"): the first day in `month` on which the target upper bound is
    below its previous observation, i.e. the day the lower target took effect. Before 2008-12,
    when `prime_daily` (DPRIME) is given ("DPRIME"): the first day in `month` or the month
    before on which the prime rate fell (the monthly-average rule can date a cycle up to a
    month late). Otherwise ("month start") the first day of `month`."""
    month = pd.Period(month, "M")
    if month >= TARGET_RANGE_FROM:
        hit = [d for d in _falls(upper_daily) if d.to_period("M") == month]
        if hit:
            return hit[0], "DFEDTARU"
    elif prime_daily is not None:
        hit = [d for d in _falls(prime_daily) if month - 1 <= d.to_period("M") <= month]
        if hit:
            return hit[0], "DPRIME"
    return month.to_timestamp(how="start"), "month start"


def decision_month(date: pd.Timestamp, source: str) -> pd.Period:
    """The month of the FOMC decision behind a first-cut date (`first_cut_date`): for
    "DFEDTARU" the day before the date (the lower range takes effect the day after the FOMC
    announces it: 2019-08-01 -> 2019-07-31 -> 2019-07); for "DPRIME" the month of the prime
    rate's fall (banks move it the same day as the Fed or the next); for "month start" the
    month itself (no daily information)."""
    date = pd.Timestamp(date)
    return (date - pd.Timedelta(days=1) if source == "DFEDTARU" else date).to_period("M")


def event_months(cuts: list[pd.Period], upper_daily: pd.Series, prime_daily: pd.Series | None = None) -> dict[pd.Period, pd.Period]:
    """The event month of each first cut found by the monthly cut-signal rule: signal month ->
    month of the FOMC decision (`decision_month` of `first_cut_date`). The signal month can
    lag the decision by a month (the monthly-average rule; a range cut effective on the 1st);
    the event study's windows start the month after the decision month, so no month after the
    cut is skipped. Pass daily series as published by as_of."""
    out = {}
    for c in cuts:
        c = pd.Period(c, "M")
        out[c] = decision_month(*first_cut_date(c, upper_daily, prime_daily))
    return out


def latest_cycle(signals: pd.Series, window: Window, upper_daily: pd.Series, prime_daily: pd.Series | None = None,
                 quiet_months: int = NEW_CYCLE_QUIET_MONTHS) -> dict:
    """The latest easing cycle that began in the sample by `as_of` (`cycle_starts`).

    Returns first_cut (the month of the first cut's FOMC decision, `decision_month`; None when
    no cycle began between start and as_of), signal_month (the month the cut-signal rule found,
    which can be a month later), first_cut_date
    and date_source (`first_cut_date`, a key of `DATE_SOURCES`), returns_from (a daily return comparison starts at the last
    close before this date: the day before a daily first-cut date, i.e. the FOMC's decision day;
    the first-cut date itself when only the month is known), months_since_first_cut and
    months_since_last_cut (calendar months from the first cut and from the last cut signal to the
    month of the as_of date), last_cut (Period), under_way (the last cut signal is at most
    `quiet_months` months old: a cut now would still belong to this cycle), and
    monthly_months_after (months of monthly data after the first-cut month up to as_of_month)."""
    now = window.as_of.to_period("M")
    starts = cycle_starts(signals, window, quiet_months)
    if not starts:
        return {"first_cut": None, "signal_month": None, "first_cut_date": None, "date_source": None, "returns_from": None, "last_cut": None,
                "months_since_first_cut": None, "months_since_last_cut": None, "under_way": False,
                "monthly_months_after": 0}
    first = starts[-1]
    on = signals[(signals.index <= now) & signals.astype(bool)].index
    last = on.max()
    date, source = first_cut_date(first, window.to_date(upper_daily),
                                  None if prime_daily is None else window.to_date(prime_daily))
    daily = source != "month start"
    month = decision_month(date, source)
    return {"first_cut": month, "signal_month": first, "first_cut_date": date, "date_source": source,
            "returns_from": date - pd.Timedelta(days=1) if daily else date,
            "last_cut": last, "months_since_first_cut": (now - month).n, "months_since_last_cut": (now - last).n,
            "under_way": (now - last).n <= quiet_months, "monthly_months_after": max(0, (window.as_of_month - month).n)}


def cycle_table(cuts: list[pd.Period], one_period: pd.Series, usrec: pd.Series, window: Window, upper_daily: pd.Series,
                prime_daily: pd.Series | None = None, horizons: tuple[int, ...] = (12, 24),
                settle_months: int = NBER_PEAK_LAG_MONTHS) -> pd.DataFrame:
    """One row per first cut in `cuts` (signal months, `cycle_starts`). Index first_cut: the
    month of the FOMC decision (`event_months`), the event month of every column below;
    signal_month (the month the cut-signal rule found); first_cut_date and date_source
    (`first_cut_date`, data up to as_of), rule (which cut signal dated it),
    recession_within_12m (`recession_within` over the first-cut month and the 12 after,
    True/False/None = not yet known, with USREC as known at as_of) and, for each h in
    `horizons`, spread_next_{h}m: the sum of the one-period spread `one_period` (decimal per
    month, e.g. the headline log spread) over the h months after the first-cut month
    (`event_outcomes`; cumulative log spread, decimal; NaN until complete by as_of_month)."""
    upper, prime = window.to_date(upper_daily), None if prime_daily is None else window.to_date(prime_daily)
    months = event_months(cuts, upper, prime)
    after = event_outcomes(one_period, list(months.values()), horizons, window)
    rows = []
    for c in cuts:
        date, source = first_cut_date(c, upper, prime)
        e = months[pd.Period(c, "M")]
        row = {"first_cut": str(e), "signal_month": str(c), "first_cut_date": str(date.date()), "date_source": source,
               "rule": "effective rate, 3-month fall" if c < TARGET_RANGE_FROM else "target upper bound cut",
               "recession_within_12m": recession_within(usrec, e, 12, settle_months)}
        for h in horizons:
            row[f"spread_next_{h}m"] = after.loc[str(e), f"{h}m"]
        rows.append(row)
    cols = (["first_cut", "signal_month", "first_cut_date", "date_source", "rule", "recession_within_12m"]
            + [f"spread_next_{h}m" for h in horizons])
    return pd.DataFrame(rows, columns=cols).set_index("first_cut")


def _months(one_period: pd.Series) -> pd.Series:
    s = one_period.copy()
    if not isinstance(s.index, pd.PeriodIndex):
        s.index = pd.PeriodIndex(s.index, freq="M")
    return s


def event_outcomes(one_period: pd.Series, events: list[pd.Period], horizons, window: Window) -> pd.DataFrame:
    """Sum of the one-period spread (decimal per month) over months e+1..e+h after each event
    month e, for each h in `horizons` (cumulative log spread, decimal), using months up to
    `window.as_of_month` only: NaN when the window is not complete by then or holds a missing
    month. Index: event month as text; columns "{h}m"."""
    s = _months(one_period).dropna()
    s = s[s.index <= window.as_of_month]
    out = pd.DataFrame(index=pd.Index([str(pd.Period(e, "M")) for e in events], name="first_cut"),
                       columns=[f"{h}m" for h in horizons], dtype=float)
    if s.empty:
        return out
    for h in horizons:
        for e in events:
            e = pd.Period(e, "M")
            seg = s.reindex(pd.period_range(e + 1, e + h, freq="M"))  # the event month itself need not have a value
            out.loc[str(e), f"{h}m"] = float(seg.sum()) if seg.notna().all() else np.nan
    return out


def identifiable_first_cuts(signals: pd.Series, window: Window, quiet_months: int = NEW_CYCLE_QUIET_MONTHS) -> list[pd.Period]:
    """Every first cut (`first_cuts`) the cut-signal rule can date from its data, up to the month
    of the as_of date, whatever the sample start: a first cut needs `quiet_months` months of
    signals before it, so cuts in the first `quiet_months` months of the signal data (FEDFUNDS
    from 1954-07) are left out. The event list of the specification grid, whose sample starts
    may precede `window.start`."""
    now = window.as_of.to_period("M")
    s = signals[signals.index <= now]
    if s.empty:
        return []
    first_ok = s.index.min() + quiet_months
    return [p for p in first_cuts(s, quiet_months) if p >= first_ok]


def grid_starts(window: Window, signals: pd.Series, extra=("1963-07", "1990-01"),
                quiet_months: int = NEW_CYCLE_QUIET_MONTHS) -> list[pd.Period]:
    """Sample starts of the easing grid: the first available month (the first month a first
    cut can be dated, `quiet_months` after the first cut signal's month: 1955-07 with FEDFUNDS
    from 1954-07; `inference.event_grid` moves it further to a spread's first month, e.g.
    1963-07 for SMB), `window.start` and the `extra` months, each moved no earlier than that
    first month, without duplicates, sorted; a start after `window.as_of_month` is dropped."""
    floor = signals.index.min() + quiet_months if len(signals) else None
    out = set()
    for st in [window.start, *extra, *([floor] if floor is not None else [])]:
        p = pd.Period(st, "M")
        if floor is not None:
            p = max(p, floor)
        if p <= window.as_of_month:
            out.add(p)
    return sorted(out)


EVENT_MIN_GAP = 12  # first cuts are at least 12 months apart (NEW_CYCLE_QUIET_MONTHS): random draws are spaced alike


def grid_events(signals: pd.Series, window: Window, upper_daily: pd.Series, prime_daily: pd.Series | None = None,
                quiet_months: int = NEW_CYCLE_QUIET_MONTHS) -> list[pd.Period]:
    """The event months of the easing grid: every first cut the rule can date
    (`identifiable_first_cuts`), each at the month of its FOMC decision (`event_months`, daily
    series as published by as_of)."""
    cuts = identifiable_first_cuts(signals, window, quiet_months)
    prime = None if prime_daily is None else window.to_date(prime_daily)
    return list(event_months(cuts, window.to_date(upper_daily), prime).values())


def easing_grid(candidates: dict, events: list[pd.Period], starts, window: Window, draws: int, seed: int = RANDOMISATION_SEED,
                min_gap: int = EVENT_MIN_GAP) -> pd.DataFrame:
    """`inference.event_grid` for the easing claim (random draws spaced `min_gap` months, like the first cuts) (horizons `EASING_HORIZONS`, direction
    `EASING_DIRECTION`, up to `window.as_of_month`), with duplicate specifications dropped: a
    start before a spread's first month is moved to that month by the grid, so e.g. SMB's
    "first available month" and its 1963-07 start are one specification (kept once)."""
    grid = inference.event_grid("easing", candidates, events, starts, EASING_HORIZONS, EASING_DIRECTION,
                                window.as_of_month, draws=draws, seed=seed, min_gap=min_gap)
    keys = ["spread", "weighting", "sample_start", "horizon_months"]
    return grid.drop_duplicates(subset=keys, keep="first").reset_index(drop=True)


def event_study(one_period: pd.Series, events: list[pd.Period], window: Window, h: int, draws: int = 2000,
                seed: int = 0, min_gap: int = 0) -> dict:
    """Randomisation test of the mean cumulative spread over the `h` months after each event.

    The outcome at month t is the sum of `one_period` (decimal per month; e.g. the headline log
    spread) over t+1..t+h (`inference.forward_cumulative`), on the sample `window.start` ..
    `window.as_of_month`; the eligible months are every month of the sample with a complete
    window; the events are those in the sample whose window is complete. Returns the dict of
    `inference.randomisation_test` (k, observed, null_mean, band_low/high = 2.5-97.5% of the
    randomised means, p_two_sided, p_greater, p_less; decimal) plus h, draws, eligible (months
    with an outcome) and per_event (Series: event month as text -> outcome, decimal). `min_gap`
    (months, 0 = none) spaces the random draws like the events (`inference.randomisation_test`)."""
    s = _months(one_period).dropna()
    s = s[(s.index >= window.start) & (s.index <= window.as_of_month)]
    outcome = inference.forward_cumulative(s, h) if len(s) else pd.Series(dtype=float)
    ev = [pd.Period(e, "M") for e in events if window.start <= pd.Period(e, "M") <= window.as_of_month]
    ev = [e for e in ev if e in outcome.index and pd.notna(outcome.get(e))]
    test = inference.randomisation_test(outcome, ev, draws=draws, seed=seed, min_gap=min_gap)
    test.update(h=h, draws=draws, eligible=int(outcome.notna().sum()),
                per_event=pd.Series({str(e): float(outcome[e]) for e in ev}, dtype=float, name=f"next {h}m"))
    return test


def log_event_paths(one_period: pd.Series, events: list[pd.Period], before: int, after: int, as_of: pd.Period) -> pd.DataFrame:
    """Cumulative one-period spread (decimal; a cumulative log spread for a log series) from
    `before` months before each event to `after` months after it: column per event (month as
    text), index = month relative to the event; -before-1 is the zero baseline. Months after
    `as_of` or missing from the series are left empty (the path stops there)."""
    s = _months(one_period)
    s = s[s.index <= as_of]
    out = {}
    for e in events:
        e = pd.Period(e, "M")
        rel = range(-before, after + 1)
        vals = s.reindex([e + k for k in rel]).to_numpy(float)
        path = np.cumsum(vals)  # a NaN (missing or after as_of) leaves the rest of the path empty
        col = pd.Series(path, index=list(rel))
        col.loc[-before - 1] = 0.0
        out[str(e)] = col.sort_index()
    return pd.DataFrame(out).reindex(range(-before - 1, after + 1))


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
    other days, with counts. Only days where all three series have observations; `attrs`
    "first"/"last" hold the first and last day used (None, and no rows, when there is none)."""
    dy = yield_daily.dropna().diff()
    df = pd.concat([(small_ret - large_ret).rename("spread"), dy.rename("dy")], axis=1, join="inner").dropna()
    if df.empty:
        out = pd.DataFrame(columns=["days", "mean_spread", "t", "mean_yield_change_pp"])
        out.attrs.update(first=None, last=None)
        return out
    bucket = np.where(df["dy"] >= threshold_pp, "yield up big", np.where(df["dy"] <= -threshold_pp, "yield down big", "other days"))
    g = df.groupby(bucket)
    t = g["spread"].mean() / (g["spread"].std(ddof=1) / np.sqrt(g["spread"].size()))
    out = pd.DataFrame({"days": g.size(), "mean_spread": g["spread"].mean(), "t": t,
                        "mean_yield_change_pp": g["dy"].mean()})
    out.attrs.update(first=df.index[0], last=df.index[-1])  # the first and last day used
    return out


def summary(returns: pd.DataFrame, dgs2_daily: pd.Series, fedfunds: pd.Series, upper_daily: pd.Series,
            window: Window, one_period: pd.Series | None = None, draws: int = 2000, seed: int = 0,
            prime_daily: pd.Series | None = None, min_gap: int = EVENT_MIN_GAP) -> dict:
    """The notebook's headline figures for the sample of `window` (data as published by as_of):
    size_spread_beta_dgs2 (Lo 30 - Hi 30 VW of `returns`, percent per month per pp,
    start..as_of_month, NW 6 lags, no control), its t and months; easing_cycles and first_cuts
    (first cuts from start to the as_of date, `cycle_starts`, each at the month of its FOMC
    decision, `event_months`, dated with `upper_daily` and, before 2008-12, `prime_daily`;
    without it the signal month); the event study (`event_study`, draws spaced `min_gap` months)
    of `one_period` (the headline one-period spread, decimal per month, named by its
    definition, e.g. `rotation.spreads.one_period_spreads(...)[spreads.HEADLINE]`; when None,
    the log Lo 30 - Hi 30 spread of `returns`, named "Lo 30-Hi 30, VW"): spread_definition,
    mean_spread_12m_after_first_cut and mean_spread_24m_after_first_cut (mean cumulative
    spread over the 12 / 24 months after the first cuts whose window is complete by
    as_of_month, decimal), their _p_randomization (two-sided, `draws` draws, `seed`) and
    _band_low/_band_high (2.5-97.5% of the randomised means), cycles_with_12m / cycles_with_24m,
    per_event_12m / per_event_24m ({event month: cumulative spread, decimal}) and
    cycles_small_ahead_12m (how many of the 12-month outcomes are positive);
    fed_target_upper (percent, last at or before as_of; NaN before the range began in 2008-12)
    and its date; current_cycle_first_cut (month of the latest cycle's first cut,
    `latest_cycle`, or None) and current_cycle_under_way."""
    spread = window.clip(size_spread(returns) * 100)
    d2 = monthly_changes({"DGS2": month_end_values(dgs2_daily)})
    fit = ols_newey_west(spread, d2[["DGS2"]], lags=6)
    signals = cut_signals(fedfunds, upper_daily)
    prime = None if prime_daily is None else window.to_date(prime_daily)
    cuts = list(event_months(cycle_starts(signals, window), window.to_date(upper_daily), prime).values())
    if one_period is None:
        one_period = inference.log_spread(to_monthly_index(returns), "Lo 30", "Hi 30").rename("Lo 30-Hi 30, VW")
    upper, upper_date = value_at(upper_daily, window.as_of)
    latest = latest_cycle(signals, window, upper_daily, prime_daily)
    out = {"size_spread_beta_dgs2": float(fit.params["DGS2"]), "size_spread_beta_dgs2_t": float(fit.tvalues["DGS2"]),
           "size_spread_beta_dgs2_months": fit.nobs, "easing_cycles": len(cuts), "first_cuts": [str(c) for c in cuts],
           "spread_definition": str(one_period.name)}
    for h in (12, 24):
        test = event_study(one_period, cuts, window, h, draws=draws, seed=seed, min_gap=min_gap)
        out.update({f"mean_spread_{h}m_after_first_cut": test["observed"],
                    f"mean_spread_{h}m_after_first_cut_p_randomization": test["p_two_sided"],
                    f"mean_spread_{h}m_after_first_cut_band_low": test["band_low"],
                    f"mean_spread_{h}m_after_first_cut_band_high": test["band_high"],
                    f"cycles_with_{h}m": test["k"], f"eligible_months_{h}m": test["eligible"],
                    f"per_event_{h}m": {k: float(v) for k, v in test["per_event"].items()}})
        if h == 12:
            out["cycles_small_ahead_12m"] = int((test["per_event"] > 0).sum())
    out.update({"fed_target_upper": upper, "fed_target_upper_date": None if upper_date is None else str(upper_date.date()),
                "current_cycle_first_cut": None if latest["first_cut"] is None else str(latest["first_cut"]),
                "current_cycle_under_way": latest["under_way"]})
    return out


def total_return_since(small: pd.Series, large: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> dict:
    """Total return (decimal) of two adjusted price series from the last close before `start`
    to the last common close at or before `end`, and their difference, with the dates used."""
    got = common_window_returns({"s": small, "l": large}, pd.Timestamp(start) - pd.Timedelta(days=1), end)  # daily closes
    if got["from"] is None:
        return {"from": None, "to": None, "small": float("nan"), "large": float("nan"), "difference": float("nan")}
    rs, rl = got["returns"]["s"], got["returns"]["l"]
    return {"from": str(got["from"].date()), "to": str(got["to"].date()), "small": rs, "large": rl, "difference": rs - rl}


def cumulative_since(returns: pd.DataFrame, small: str, large: str, first: pd.Period, last: pd.Period) -> dict:
    """Compounded return (decimal) of two monthly return columns over months first..last and
    their difference, with the months used (the monthly analogue of `total_return_since`)."""
    seg = returns[(returns.index >= first) & (returns.index <= last)][[small, large]].dropna()
    if seg.empty:
        return {"from": None, "to": None, "small": float("nan"), "large": float("nan"), "difference": float("nan")}
    rs, rl = (1 + seg[small]).prod() - 1, (1 + seg[large]).prod() - 1
    return {"from": str(seg.index[0]), "to": str(seg.index[-1]), "small": rs, "large": rl, "difference": rs - rl}


def log_spread_since(one_period: pd.Series, first: pd.Period, last: pd.Period) -> dict:
    """Sum of a one-period spread (decimal per month; a cumulative log spread for the headline)
    over months first..last with a value: from, to (first and last month used, text), months
    (count) and difference (decimal); None / 0 / NaN when no month has a value."""
    s = _months(one_period).dropna()
    seg = s[(s.index >= pd.Period(first, "M")) & (s.index <= pd.Period(last, "M"))]
    if seg.empty:
        return {"from": None, "to": None, "months": 0, "difference": float("nan")}
    return {"from": str(seg.index[0]), "to": str(seg.index[-1]), "months": len(seg), "difference": float(seg.sum())}


def since_first_cut(cycle: dict, one_period: pd.Series, small_prices: pd.Series, large_prices: pd.Series,
                    window: Window) -> dict:
    """What small minus large did since the first cut of `cycle` (`latest_cycle`), up to as_of:
    "daily": `total_return_since` of two adjusted daily price series (e.g. IWM and SPY) from the
    last close before cycle["returns_from"] to the last close at or before as_of (from, to,
    small, large, difference; simple returns, decimal); "monthly": `log_spread_since` of the
    one-period spread `one_period` (e.g. the headline, decimal per month) from the month after
    the first-cut month to as_of_month (from, to, months, difference: cumulative log spread,
    decimal). from/to are None and the values NaN when there is no cycle or no data."""
    empty_d = {"from": None, "to": None, "small": float("nan"), "large": float("nan"), "difference": float("nan")}
    empty_m = {"from": None, "to": None, "months": 0, "difference": float("nan")}
    if cycle.get("first_cut") is None:
        return {"daily": dict(empty_d), "monthly": dict(empty_m)}
    daily = total_return_since(window.to_date(small_prices), window.to_date(large_prices), cycle["returns_from"], window.as_of)
    first = cycle["first_cut"] + 1
    monthly = log_spread_since(one_period, first, window.as_of_month) if first <= window.as_of_month else dict(empty_m)
    return {"daily": daily, "monthly": monthly}


def mean_paths_by_group(paths: pd.DataFrame, groups: dict[str, object], labels: dict[object, str]) -> pd.DataFrame:
    """Average of event paths (columns of `paths`) within each group: `groups` maps a column
    to its group key, `labels` maps group keys to the output column names (keys not in
    `labels`, e.g. None for unknown, are left out)."""
    out = {}
    for key, name in labels.items():
        cols = [c for c in paths.columns if groups.get(c) == key]
        out[f"{name} ({len(cols)} {'cycle' if len(cols) == 1 else 'cycles'})"] = paths[cols].mean(axis=1) if cols else pd.Series(float("nan"), index=paths.index)
    return pd.DataFrame(out)


def grid_cells(grid: pd.DataFrame) -> pd.DataFrame:
    """A compact view of an event specification grid (`inference.event_grid`): one row per
    spread and weighting, one column per (sample start, horizon), each cell the estimate in
    percent of cumulative log spread, the randomisation p and the number of events, e.g.
    "+3.1% (p 0.420, k 6)". Cells are empty where a specification does not exist."""
    if grid.empty:
        return pd.DataFrame()
    g = grid.assign(cell=[f"{e * 100:+.1f}% (p {p:.3f}, k {int(k)})"
                          for e, p, k in zip(grid["estimate"], grid["p_randomization"], grid["n_episodes"])],
                    column=[f"from {s}, {int(h)}m" for s, h in zip(grid["sample_start"], grid["horizon_months"])])
    order = list(dict.fromkeys(g.sort_values(["horizon_months", "sample_start"])["column"]))
    out = g.pivot_table(index=["spread", "weighting"], columns="column", values="cell", aggfunc="first", sort=False)
    out = out.reindex(columns=order).fillna("")
    out.columns.name = None
    return out
