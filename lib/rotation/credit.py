"""The refinancing wall: loss-making firms, profitability by size, borrowing costs and
spreads, credit sensitivity of small caps, and a documented refinancing what-if.

Source tables and units:
* Fama-French `Portfolios_Formed_on_E-P`: "Number of Firms in Portfolios" and "Average Firm
  Size" ($ millions) for the `<= 0` (loss-making) bucket and `Lo 30`, `Med 40`, `Hi 30`;
* Fama-French `25_Portfolios_ME_OP_5x5`: value-weighted operating profitability (OP,
  operating profit / book equity, decimal) and returns (decimal per month);
* FRED BAMLH0A0HYM2 (HY OAS, pp), BAA10Y (pp), BAA (percent), DGS10 (percent), DPRIME
  (percent), DFEDTARU (percent), FEDFUNDS and TB3MS (percent, monthly averages); Goyal-Welch
  AAA/BAA/lty (decimal, converted to percent by the caller).

Fiscal years: the E/P portfolios are formed each June of year Y on earnings of the fiscal year
ending in calendar year Y-1, and held from July Y to June Y+1. So any count or share from them
in month M describes the earnings of fiscal year `earnings_fiscal_year(M)`, and it jumps each
July, when the firms are re-sorted on a new fiscal year.

The refinancing what-if's rate inputs default to data at `as_of` (`parse_whatif` validates the
parameters, `data_defaults` resolves 'data' from frames already cut to what was published by
`as_of`, `resolve_assumptions` merges them into `RefinancingAssumptions` with a table saying
where each value came from).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .params import ParameterError
from .portfolios import me_weighted
from .timeseries import monthly_mean, percentile_rank, to_monthly_index, value_at

EP_BUCKETS = ["<= 0", "Lo 30", "Med 40", "Hi 30"]
PRIME_RULE_SPREAD = 3.0  # since 2008 the prime rate has been the target upper bound + 3 pp


def unprofitable_share(firms: pd.DataFrame) -> pd.Series:
    """Share of firms with earnings <= 0 (decimal): `<= 0` firms / (`<= 0` + `Lo 30` +
    `Med 40` + `Hi 30`) firms."""
    return (firms["<= 0"] / firms[EP_BUCKETS].sum(axis=1, min_count=4)).rename("unprofitable_share")


def earnings_fiscal_year(month) -> int:
    """The fiscal year of the earnings behind an E/P-sorted value in `month` (a Period, a date
    or "YYYY-MM"): portfolios formed in June Y on fiscal year Y-1 earnings are held July Y to
    June Y+1, so July..December of Y give Y-1 and January..June of Y give Y-2
    (2009-06 -> 2007, 2009-07 -> 2008). "Fiscal year F" = the fiscal year ending in calendar year F."""
    m = pd.Period(month, "M")
    return m.year - 1 if m.month >= 7 else m.year - 2


def earnings_fiscal_years(index: pd.PeriodIndex) -> pd.Index:
    """`earnings_fiscal_year` of every month of a monthly PeriodIndex (integers)."""
    idx = pd.PeriodIndex(index, freq="M")
    return pd.Index(np.where(idx.month >= 7, idx.year - 1, idx.year - 2), name="fiscal_year")


def reformation_changes(share: pd.Series) -> dict:
    """How much of a formation-dated monthly series' movement happens at the July re-sort.

    Returns: `last_july` (the last July in the series, Period, or None), `last_july_change`
    (its value minus June's, series units; NaN when June is missing), `july_mean_abs_change`
    and `other_mean_abs_change` (mean absolute month-on-month change in Julys and in all other
    months, series units). Changes are matched by date (a missing month gives no change)."""
    s = to_monthly_index(share.dropna())
    prev = s.copy()
    prev.index = prev.index + 1
    change = (s - prev.reindex(s.index)).dropna()
    july = change[change.index.month == 7]
    other = change[change.index.month != 7]
    julys = s.index[s.index.month == 7]
    last = julys[-1] if len(julys) else None
    return {"last_july": last,
            "last_july_change": float(change.get(last, float("nan"))) if last is not None else float("nan"),
            "july_mean_abs_change": float(july.abs().mean()) if len(july) else float("nan"),
            "other_mean_abs_change": float(other.abs().mean()) if len(other) else float("nan")}


def average_size_loss_vs_profit(firms: pd.DataFrame, avg_size: pd.DataFrame) -> pd.DataFrame:
    """Average market cap ($ millions) of loss-making firms and of profitable firms (total cap
    of `Lo 30`+`Med 40`+`Hi 30` / their number of firms), and the ratio of the two."""
    prof = ["Lo 30", "Med 40", "Hi 30"]
    profitable = (firms[prof] * avg_size[prof]).sum(axis=1, min_count=3) / firms[prof].sum(axis=1, min_count=3)
    out = pd.DataFrame({"loss_making": avg_size["<= 0"], "profitable": profitable})
    out["ratio"] = out["loss_making"] / out["profitable"]
    return out


def operating_profitability_by_size(firms: pd.DataFrame, avg_cap: pd.DataFrame, op: pd.DataFrame) -> pd.DataFrame:
    """Market-equity-weighted OP (decimal) of each size quintile, columns ME1..ME5."""
    return pd.DataFrame({f"ME{q}": me_weighted(firms, avg_cap, op, q) for q in range(1, 6)})


def baa_minus_10y(baa_monthly_pct: pd.Series, dgs10_daily: pd.Series, baa10y_daily: pd.Series) -> pd.DataFrame:
    """Monthly Baa corporate yield minus the 10-year Treasury (percentage points).

    Where FRED's BAA10Y (daily, from 2016-04) exists its monthly mean is used (newer wins);
    before, Moody's Baa monthly yield minus the monthly mean of DGS10. Column `source` says which.
    """
    old = (to_monthly_index(baa_monthly_pct.dropna()) - monthly_mean(dgs10_daily)).dropna()
    new = monthly_mean(baa10y_daily)
    out = pd.DataFrame({"spread": new.combine_first(old)})
    out["source"] = np.where(out.index.isin(new.index), "BAA10Y", "Baa - DGS10")
    return out


def prime_rate(dprime_daily: pd.Series, upper_daily: pd.Series) -> tuple[pd.Series, pd.Timestamp, dict]:
    """Daily prime rate: DPRIME while it lasts, then target upper bound + 3 pp (the rule the
    banks have followed since 2008-12-16). Returns (series, first extended date, a check of
    the rule over the overlap: days, share of days matching to 0.005 pp, max abs diff)."""
    dp = dprime_daily.dropna()
    rule = upper_daily.dropna() + PRIME_RULE_SPREAD
    both = pd.concat([dp.rename("dprime"), rule.rename("rule")], axis=1, join="inner").dropna()
    check = {"overlap_days": int(len(both)),
             "share_matching": float(((both["dprime"] - both["rule"]).abs() < 0.005).mean()) if len(both) else float("nan"),
             "max_abs_diff": float((both["dprime"] - both["rule"]).abs().max()) if len(both) else float("nan")}
    ext = rule[rule.index > dp.index.max()]
    out = pd.concat([dp, ext]).rename("prime")
    return out, (ext.index.min() if len(ext) else None), check


# ------------------------------------------------------------------ refinancing what-if

@dataclass(frozen=True)
class RefinancingAssumptions:
    """Assumptions of the what-if, all rates in percent per year, shares as decimals.

    maturing_by_year   share of today's fixed-rate debt maturing in each future year
    maturing_coupon    coupon the maturing (and all other existing fixed) debt pays now
    new_issue_spread   spread over the base rate at which maturing debt is refinanced (pp)
    base_rate_path     base rate in each future year (percent); `base_rate_now` today
    floating_share     share of debt at floating rates (repriced every year at base + spread)
    floating_spread    spread of floating debt over the base rate (pp)
    interest_coverage  EBIT / interest expense today (times); EBIT is held constant
    """

    maturing_by_year: tuple[float, ...]
    maturing_coupon: float
    new_issue_spread: float
    base_rate_now: float
    base_rate_path: tuple[float, ...]
    floating_share: float
    floating_spread: float
    interest_coverage: float

    def __post_init__(self):
        if len(self.maturing_by_year) != len(self.base_rate_path):
            raise ValueError("maturing_by_year and base_rate_path need one value per year each")
        if sum(self.maturing_by_year) > 1 + 1e-9:
            raise ValueError("maturing_by_year adds up to more than all fixed-rate debt")


def refinancing_whatif(a: RefinancingAssumptions, debt: float = 100.0) -> pd.DataFrame:
    """Interest expense per year on `debt` (same unit as debt, e.g. $ per $100 of debt),
    its change against today and the interest coverage, year by year.

    Fixed debt (1 - floating_share) x debt: the share matured by year t is refinanced at
    base_rate_path[k] + new_issue_spread in its maturity year k and keeps that coupon; the rest
    pays maturing_coupon. Floating debt pays base_rate_path[t] + floating_spread.
    Today: fixed at maturing_coupon, floating at base_rate_now + floating_spread.
    """
    fixed = (1 - a.floating_share) * debt
    floating = a.floating_share * debt
    now = fixed * a.maturing_coupon / 100 + floating * (a.base_rate_now + a.floating_spread) / 100
    ebit = a.interest_coverage * now
    rows = [{"year": 0, "interest": now, "change": 0.0, "change_pct": 0.0, "coverage": a.interest_coverage,
             "matured_share": 0.0}]
    matured, refinanced_cost = 0.0, 0.0
    for t, (m, base) in enumerate(zip(a.maturing_by_year, a.base_rate_path), start=1):
        matured += m
        refinanced_cost += fixed * m * (base + a.new_issue_spread) / 100
        interest = fixed * (1 - matured) * a.maturing_coupon / 100 + refinanced_cost + floating * (base + a.floating_spread) / 100
        rows.append({"year": t, "interest": interest, "change": interest - now, "change_pct": interest / now - 1,
                     "coverage": ebit / interest, "matured_share": matured})
    return pd.DataFrame(rows).set_index("year")


def whatif_grid(a: RefinancingAssumptions, base_rates, spreads) -> pd.DataFrame:
    """Relative change (decimal) in interest expense at the end of the horizon against today,
    for a flat base-rate path at each level in `base_rates` (percent) and each new-issue
    spread in `spreads` (pp). Rows: base rate; columns: spread."""
    out = {}
    for s in spreads:
        col = {}
        for b in base_rates:
            alt = RefinancingAssumptions(**{**a.__dict__, "base_rate_path": tuple([b] * len(a.base_rate_path)),
                                            "new_issue_spread": s})
            col[b] = refinancing_whatif(alt)["change_pct"].iloc[-1]
        out[s] = col
    df = pd.DataFrame(out)
    df.index.name, df.columns.name = "base rate (%)", "new-issue spread (pp)"
    return df


DATA = "data"
RATE_LIMITS = (0.0, 30.0)  # allowed range of every rate and spread parameter (% per year or pp)
ISSUE_YEARS = 5            # the maturing debt's issue years: the five years before as_of
MAX_AGE_DAYS = 400         # a source's last value older than this at as_of is not used

# the what-if parameters: (unit, data rule or None when the value is always an assumption, basis)
WHATIF_PARAMETERS = {
    "maturing_by_year": ("decimals, one per year", None,
                         "assumption, not from data: a front-loaded wall, share of fixed-rate debt maturing in each coming year"),
    "maturing_coupon": ("% per year", "mean of base rate + spread over the five years before as_of (the issue years)",
                        "coupon on existing fixed-rate debt"),
    "new_issue_spread": ("pp", "at as_of, the first of HY OAS / Baa minus 10-year / Baa minus long-term Treasury that covers the issue years and as_of (the coupon uses the same one)", "spread over the base rate for refinancing"),
    "base_rate_now": ("% per year", "effective fed funds rate, last month published by as_of", "base rate today"),
    "base_rate_path": ("% per year, one per year", "flat at the base rate now (no forecast)", "base rate in each coming year"),
    "floating_share": ("decimal", None, "assumption, not from data: the article gives no figure for 'more variable-rate debt'"),
    "floating_spread": ("pp", None, "assumption, not from data: spread of floating-rate loans over the base rate"),
    "interest_coverage": ("times", None, "assumption, not from data: EBIT / interest expense today, EBIT held constant"),
}
LIMITS = {"maturing_by_year": (0.0, 1.0), "floating_share": (0.0, 1.0), "interest_coverage": (0.1, 100.0)}


def _allowed(name: str, is_list: bool, with_data: bool = True) -> str:
    unit, rule, _ = WHATIF_PARAMETERS[name]
    low, high = LIMITS.get(name, RATE_LIMITS)
    what = (f"comma-separated numbers from {low:g} to {high:g} ({unit}), e.g. '0.10,0.15,0.20'" if is_list
            else f"a number from {low:g} to {high:g} ({unit})")
    return (f"'data' ({rule}) or " if rule and with_data else "") + what


def _numbers(name: str, value, is_list: bool):
    """One parameter: 'data' (where it has a data rule), a number, or comma-separated numbers."""
    rule = WHATIF_PARAMETERS[name][1]
    low, high = LIMITS.get(name, RATE_LIMITS)
    if isinstance(value, bool):
        raise ParameterError(f"parameter `{name}` = {value!r} is not allowed: expected {_allowed(name, is_list)}")
    text = str(value).strip()
    if rule and text.lower() == DATA:
        return DATA
    parts = [t.strip() for t in text.split(",")] if is_list else [text]
    try:
        vals = [float(t) for t in parts]
    except ValueError:
        raise ParameterError(f"parameter `{name}` = {value!r} is not allowed: expected {_allowed(name, is_list)}") from None
    if not vals or not all(math.isfinite(v) and low <= v <= high for v in vals):
        raise ParameterError(f"parameter `{name}` = {value!r} is out of range: expected {_allowed(name, is_list)}")
    return tuple(vals) if is_list else vals[0]


def parse_whatif(maturing_by_year, maturing_coupon, new_issue_spread, base_rate_now, base_rate_path,
                 floating_share, floating_spread, interest_coverage) -> dict:
    """Validate the what-if parameters before any data is read: {name: number, tuple or 'data'}.

    The four rate inputs take 'data' (resolved later by `data_defaults`) or numbers; the
    maturity schedule, floating share and spread and the coverage are always assumptions.
    ParameterError names the parameter, the value and what is allowed."""
    out = {"maturing_by_year": _numbers("maturing_by_year", maturing_by_year, True),
           "maturing_coupon": _numbers("maturing_coupon", maturing_coupon, False),
           "new_issue_spread": _numbers("new_issue_spread", new_issue_spread, False),
           "base_rate_now": _numbers("base_rate_now", base_rate_now, False),
           "base_rate_path": _numbers("base_rate_path", base_rate_path, True),
           "floating_share": _numbers("floating_share", floating_share, False),
           "floating_spread": _numbers("floating_spread", floating_spread, False),
           "interest_coverage": _numbers("interest_coverage", interest_coverage, False)}
    if sum(out["maturing_by_year"]) > 1 + 1e-9:
        raise ParameterError(f"parameter `maturing_by_year` = {maturing_by_year!r} adds up to more than all fixed-rate debt: "
                             f"expected shares that sum to at most 1")
    path = out["base_rate_path"]
    if path != DATA and len(path) != len(out["maturing_by_year"]):
        raise ParameterError(f"parameter `base_rate_path` = {base_rate_path!r} has {len(path)} values but `maturing_by_year` has "
                             f"{len(out['maturing_by_year'])}: expected 'data' or one rate per year of `maturing_by_year`")
    return out


def _first_value(sources: dict[str, pd.Series], as_of: pd.Timestamp, max_age_days: int):
    """(value, label, date) from the first source with an observation at or before `as_of` no
    older than `max_age_days` (monthly observations are dated by their month); (nan, None, None)."""
    for label, s in sources.items():
        if s.dropna().empty:
            continue
        v, when = value_at(s, as_of)
        if when is None:
            continue
        start = when.to_timestamp(how="start") if isinstance(when, pd.Period) else when
        if (as_of - start).days <= max_age_days:
            return v, label, when
    return float("nan"), None, None


def _monthly(s: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """A monthly view of `s` up to `as_of`: monthly means of daily data, monthly data as they are."""
    s = s.dropna()
    if s.empty:
        return pd.Series(dtype=float, index=pd.PeriodIndex([], freq="M"))
    if isinstance(s.index, pd.PeriodIndex):
        return s[s.index <= as_of.to_period("M")]
    return monthly_mean(s[s.index <= as_of])


def _spliced_by_month(sources: dict[str, pd.Series], months: pd.PeriodIndex, as_of: pd.Timestamp):
    """Per month of `months`, the value of the first source that has one, and that source's label."""
    value = pd.Series(np.nan, index=months)
    label = pd.Series(None, index=months, dtype=object)
    for name, s in sources.items():
        m = _monthly(s, as_of).reindex(months)
        fill = value.isna() & m.notna()
        value[fill], label[fill] = m[fill], name
    return value, label


def _ranges(label: pd.Series) -> str:
    """'A 1995-04..1996-11; B 1996-12..2000-03' from a per-month source label."""
    lab = label.dropna()
    parts = [f"{name} {grp.index.min()}..{grp.index.max()}" for name, grp in lab.groupby(lab, sort=False)]
    return "; ".join(parts)


def _spread_source(sources: dict[str, pd.Series], months: pd.PeriodIndex, as_of: pd.Timestamp, max_age_days: int):
    """The one spread source the what-if uses: the first of `sources` (in order) whose data begin
    at or before the first month of `months` (the issue years) and that has a value at `as_of`
    no older than `max_age_days`. If none covers the issue years, the first with a value at
    as_of (the coupon is then a mean over the months it has). (label, series) or (None, None)."""
    usable = []
    for label, s in sources.items():
        if s.dropna().empty or _first_value({label: s}, as_of, max_age_days)[1] is None:
            continue
        first = _monthly(s, as_of).index.min()
        if first <= months[0]:
            return label, s
        usable.append((label, s))
    return usable[0] if usable else (None, None)


def data_defaults(base_sources: dict[str, pd.Series], spread_sources: dict[str, pd.Series], as_of,
                  years: int, issue_years: int = ISSUE_YEARS, max_age_days: int = MAX_AGE_DAYS) -> dict:
    """The what-if's rate inputs from data at `as_of`: {name: {"value", "source", "date"}}.

    `base_sources` and `spread_sources` are ordered {label: series} (percent per year and pp;
    monthly PeriodIndex or daily DatetimeIndex), already limited to what was published by
    `as_of` (the data layer's cutoff). Nothing after `as_of` is used.

    base_rate_now     the first base source's last value at or before as_of (the notebook
                      passes FEDFUNDS, the effective fed funds rate, then TB3MS before 1954-07)
    base_rate_path    flat at base_rate_now for `years` years (no forecast)
    new_issue_spread  the last value at or before as_of of ONE spread source: the first source
                      (the notebook: HY OAS, then Baa minus the 10-year, then Baa minus the
                      long-term Treasury) that begins by the first issue month and has a value
                      at as_of (`_spread_source`). Baa spreads are investment grade and
                      understate a high-yield borrower's.
    maturing_coupon   mean over the months of the `issue_years` x 12 months ending in as_of's
                      month that have both a base rate (per month the first base source with a
                      value) and a value of that same spread source (monthly means): new issues
                      and the maturing coupon use one spread, so the what-if compares like with
                      like. The source text names the months actually used.
    A value no source has is NaN with source "no data at as_of".
    """
    as_of = pd.Timestamp(as_of)
    out = {}
    base, base_label, base_when = _first_value(base_sources, as_of, max_age_days)
    out["base_rate_now"] = {"value": base, "date": base_when,
                            "source": f"{base_label}, {base_when}" if base_label else "no data at as_of"}
    out["base_rate_path"] = {"value": tuple([base] * years), "date": base_when,
                             "source": (f"flat at the base rate now ({base_label}, {base_when}): no forecast" if base_label
                                        else "no data at as_of")}
    months = pd.period_range(as_of.to_period("M") - (12 * issue_years - 1), as_of.to_period("M"), freq="M")
    spread_label, spread_series = _spread_source(spread_sources, months, as_of, max_age_days)
    chosen = {spread_label: spread_series} if spread_label else {}
    spread, _, spread_when = _first_value(chosen, as_of, max_age_days)
    when_text = str(spread_when.date()) if isinstance(spread_when, pd.Timestamp) else str(spread_when)
    out["new_issue_spread"] = {"value": spread, "date": spread_when,
                               "source": (f"{spread_label}, {when_text} (the same spread source as the coupon)" if spread_label
                                          else "no data at as_of")}
    b, b_lab = _spliced_by_month(base_sources, months, as_of)
    s, _ = _spliced_by_month(chosen, months, as_of)
    both = (b + s).dropna()
    if len(both):
        used = both.index
        out["maturing_coupon"] = {
            "value": float(both.mean()), "date": used.max(),
            "source": (f"mean of base + spread over {used.min()}..{used.max()} ({len(used)} months with both): "
                       f"base {_ranges(b_lab[used])}; spread {spread_label} (the same source as the new-issue spread)")}
    else:
        out["maturing_coupon"] = {"value": float("nan"), "date": None, "source": "no data at as_of"}
    return out


def resolve_assumptions(given: dict, defaults: dict, as_of) -> tuple[RefinancingAssumptions, dict]:
    """Merge validated parameters (`parse_whatif`) with `data_defaults`: 'data' takes the
    default, a number is the user's. Returns the assumptions and {name: {"value", "origin"
    ('data', 'user' or 'assumption'), "source", "date"}}. ParameterError when 'data' has no
    data at as_of (the message asks for a number)."""
    resolved = {}
    for name, value in given.items():
        unit, rule, basis = WHATIF_PARAMETERS[name]
        if value == DATA:
            d = defaults[name]
            vals = d["value"] if isinstance(d["value"], tuple) else (d["value"],)
            if not vals or any(pd.isna(v) for v in vals):
                raise ParameterError(f"parameter `{name}` = 'data': there is no data for it at as_of {pd.Timestamp(as_of).date()} "
                                     f"({rule}); pass {_allowed(name, isinstance(d['value'], tuple), with_data=False)}")
            resolved[name] = {"value": d["value"], "origin": "data", "source": d["source"], "date": d["date"]}
        elif rule:
            resolved[name] = {"value": value, "origin": "user", "source": f"set by the user ({basis})", "date": pd.Timestamp(as_of)}
        else:
            resolved[name] = {"value": value, "origin": "assumption", "source": basis, "date": pd.Timestamp(as_of)}
    try:
        a = RefinancingAssumptions(**{k: v["value"] for k, v in resolved.items()})
    except ValueError as exc:
        raise ParameterError(str(exc)) from None
    return a, resolved


def assumptions_table(resolved: dict) -> pd.DataFrame:
    """The report's table: assumption | value | from data or user | source and date."""
    labels = {"maturing_by_year": "fixed-rate debt maturing per year (share)", "maturing_coupon": "coupon on existing fixed debt (%)",
              "new_issue_spread": "new-issue spread over the base rate (pp)", "base_rate_now": "base rate now (%)",
              "base_rate_path": "base rate in each coming year (%)", "floating_share": "floating-rate share of debt",
              "floating_spread": "spread of floating debt over the base rate (pp)", "interest_coverage": "interest coverage (times)"}

    def fmt(v):
        return ", ".join(f"{x:.2f}" for x in v) if isinstance(v, tuple) else f"{v:.2f}"

    rows = [{"assumption": labels[k], "value": fmt(r["value"]), "from data or user": r["origin"], "source and date": r["source"]}
            for k, r in resolved.items()]
    return pd.DataFrame(rows).set_index("assumption")


def grid_axis(center: float, step: float, n: int, low: float = 0.0) -> list[float]:
    """`center` + k x `step` for k = -n..n (rounded to 2 decimals), leaving out values below
    `low`: the axes of the what-if grid, centred on the run's own inputs."""
    return [round(center + k * step, 2) for k in range(-n, n + 1) if center + k * step >= low - 1e-12]


def summary(firms_ep: pd.DataFrame, hy_oas: pd.Series, op_size: pd.DataFrame, assumptions: RefinancingAssumptions,
            window) -> dict:
    """The notebook's headline figures for a resolved `rotation.params.Window`:
    unprofitable_share at window.as_of_month, the fiscal year of the earnings behind it and its
    percentile within the sample (start..as_of_month); hy_oas (last daily value at or before
    window.as_of, spliced) and its percentile among daily values in the sample; op_small_minus_big
    (ME1 minus ME5 OP, decimal, at as_of_month); whatif_interest_cost_change (decimal change of
    interest expense at the horizon's end)."""
    share = window.clip(unprofitable_share(firms_ep)).dropna()
    u = float(share.loc[window.as_of_month])
    hy_hist = window.clip(hy_oas).dropna()
    hy, hy_date = value_at(hy_oas, window.as_of)
    op = op_size.loc[window.as_of_month] if window.as_of_month in op_size.index else pd.Series(np.nan, index=["ME1", "ME5"])
    return {"unprofitable_share": u, "unprofitable_share_fiscal_year": earnings_fiscal_year(window.as_of_month),
            "unprofitable_share_percentile": percentile_rank(share, u),
            "hy_oas": hy, "hy_oas_date": None if hy_date is None else str(hy_date.date()),
            "hy_oas_percentile": percentile_rank(hy_hist, hy) if hy_date is not None else float("nan"),
            "op_small_minus_big": float(op["ME1"] - op["ME5"]),
            "whatif_interest_cost_change": float(refinancing_whatif(assumptions)["change_pct"].iloc[-1])}


def level_vs_periods(series: dict[str, pd.Series], periods: dict[str, tuple], as_of) -> pd.DataFrame:
    """Each series' last value at or before `as_of` (date) with its date, against its mean over
    each period {label: (first month, last month)} and the difference (series units).

    Series are daily (DatetimeIndex) or monthly (PeriodIndex); nothing after `as_of` is used
    (monthly: months up to as_of's month). A period's mean is NaN unless its last month is at or
    before as_of's month (a period that is not over is not compared) and the series begins at
    or before its first month (a mean over part of the period is not compared either). The
    column 'months in mean <label>' names the months the mean actually uses ('first..last (n)'):
    a monthly series published with a lag ends before the period's last month."""
    as_of = pd.Timestamp(as_of)
    month = as_of.to_period("M")
    rows = []
    for name, s in series.items():
        s = s.dropna()
        s = s[s.index <= month] if isinstance(s.index, pd.PeriodIndex) else s[s.index <= as_of]
        v, when = value_at(s, as_of)
        row = {"series": name, "value at as_of": v,
               "date": None if when is None else str(when if isinstance(when, pd.Period) else when.date())}
        months = s.index if isinstance(s.index, pd.PeriodIndex) else s.index.to_period("M")
        for label, (first, last) in periods.items():
            first, last = pd.Period(first, "M"), pd.Period(last, "M")
            inside = s[(months >= first) & (months <= last)]
            covered = len(months) and months.min() <= first and last <= month
            avg = float(inside.mean()) if covered and len(inside) else float("nan")
            row[f"mean {label}"] = avg
            used = months[(months >= first) & (months <= last)].unique()  # months, not days
            row[f"months in mean {label}"] = (f"{used.min()}..{used.max()} ({len(used)})" if covered and len(inside) else None)
            row[f"difference vs {label}"] = v - avg
        rows.append(row)
    return pd.DataFrame(rows).set_index("series")
