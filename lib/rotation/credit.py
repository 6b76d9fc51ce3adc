"""The refinancing wall: loss-making firms, profitability by size, borrowing costs and
spreads, credit sensitivity of small caps, and a documented refinancing what-if.

Source tables and units:
* Fama-French `Portfolios_Formed_on_E-P`: "Number of Firms in Portfolios" and "Average Firm
  Size" ($ millions) for the `<= 0` (loss-making) bucket and `Lo 30`, `Med 40`, `Hi 30`;
* Fama-French `25_Portfolios_ME_OP_5x5`: value-weighted operating profitability (OP,
  operating profit / book equity, decimal) and returns (decimal per month);
* FRED BAMLH0A0HYM2 (HY OAS, pp), BAA10Y (pp), BAA (percent), DGS10 (percent), DPRIME
  (percent), DFEDTARU (percent); Goyal-Welch AAA/BAA (decimal, converted to percent here).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .portfolios import me_weighted
from .timeseries import monthly_mean, to_monthly_index

EP_BUCKETS = ["<= 0", "Lo 30", "Med 40", "Hi 30"]
PRIME_RULE_SPREAD = 3.0  # since 2008 the prime rate has been the target upper bound + 3 pp


def unprofitable_share(firms: pd.DataFrame) -> pd.Series:
    """Share of firms with earnings <= 0 (decimal): `<= 0` firms / (`<= 0` + `Lo 30` +
    `Med 40` + `Hi 30`) firms."""
    return (firms["<= 0"] / firms[EP_BUCKETS].sum(axis=1, min_count=4)).rename("unprofitable_share")


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


def parse_rates(name: str, text: str) -> tuple[float, ...]:
    """Comma-separated numbers of a what-if parameter ("0.1, 0.15"); ValueError naming it."""
    try:
        vals = tuple(float(x) for x in str(text).split(",") if x.strip())
    except ValueError:
        raise ValueError(f"parameter `{name}` = {text!r}: expected comma-separated numbers, e.g. '0.10,0.15,0.20'") from None
    if not vals:
        raise ValueError(f"parameter `{name}` = {text!r}: expected at least one number")
    return vals


def summary(firms_ep: pd.DataFrame, hy_oas: pd.Series, op_size: pd.DataFrame, assumptions: RefinancingAssumptions,
            start: pd.Period, as_of: pd.Period, as_of_date: pd.Timestamp) -> dict:
    """The notebook's headline figures: unprofitable_share at as_of and its percentile within
    start..as_of; hy_oas (last daily value at or before as_of_date, spliced) and its percentile
    among daily values from start; op_small_minus_big (ME1 minus ME5 OP, decimal, at as_of);
    whatif_interest_cost_change (decimal change of interest expense at the horizon's end)."""
    from .timeseries import percentile_rank, value_at

    share = unprofitable_share(firms_ep)
    share = share[(share.index >= start) & (share.index <= as_of)].dropna()
    u = float(share.loc[as_of])
    hy_hist = hy_oas[(hy_oas.index >= start.to_timestamp()) & (hy_oas.index <= as_of_date)].dropna()
    hy, hy_date = value_at(hy_oas, as_of_date)
    op = op_size.loc[as_of]
    return {"unprofitable_share": u, "unprofitable_share_percentile": percentile_rank(share, u),
            "hy_oas": hy, "hy_oas_date": None if hy_date is None else str(hy_date.date()),
            "hy_oas_percentile": percentile_rank(hy_hist, hy) if hy_date is not None else float("nan"),
            "op_small_minus_big": float(op["ME1"] - op["ME5"]),
            "whatif_interest_cost_change": float(refinancing_whatif(assumptions)["change_pct"].iloc[-1])}


def level_vs_year(series: dict[str, pd.Series], year: int, as_of: pd.Period) -> pd.DataFrame:
    """Each monthly series' last value at or before `as_of` (with its month) against its
    average in calendar year `year`, and the difference (series units). The year's average is
    NaN unless the whole year lies at or before `as_of` (no data after as_of is used)."""
    from .timeseries import value_at

    rows = []
    for name, s in series.items():
        s = to_monthly_index(s.dropna())
        v, when = value_at(s, as_of)
        yr = s[(s.index.year == year)]
        avg = float(yr.mean()) if pd.Period(f"{year}-12", "M") <= as_of and len(yr) else float("nan")
        rows.append({"series": name, "as_of_value": v, "month": None if when is None else str(when),
                     f"mean_{year}": avg, "difference": v - avg})
    return pd.DataFrame(rows).set_index("series")
