"""Claims the public data cannot test: what they would need and the closest measured analogue."""
from __future__ import annotations

import pandas as pd

from .. import concentration, credit, rates, valuation
from ..timeseries import month_end_values, percentile_rank, value_at


IWM_FLOW_WINDOW = ("2025-12-22", "2026-01-02")  # 'the final days of 2025' and the first session of 2026


def co_movement(beta: float) -> str:
    """'with' for a positive co-movement, 'against' for a negative one."""
    return "with" if beta > 0 else "against"


def _analogue(name: str, inp, ctx) -> str:
    m = ctx["as_of_month"]
    if name == "valuation_pb_discount":
        rel = valuation.relative_pb(valuation.price_updated_pb_by_size(inp["bm25_firms"], inp["bm25_cap"], inp["bm25_bm_june"],
                                                                        inp["bm25_returns"]))
        v, when = value_at(rel, m)
        if when is None:
            return "closest analogue: no price-updated relative price-to-book is published by as_of (notebook 01)."
        history = 1 - rel[(rel.index >= valuation.SINCE_1963) & (rel.index <= when)].dropna()  # the discount's own history
        rank = (f"at least as wide as in {percentile_rank(history, 1 - v):.0f}% of the month-ends {valuation.SINCE_1963}..{when}"
                if len(history) else f"with no history since {valuation.SINCE_1963} to rank it against")
        return (f"closest analogue: the smallest NYSE size quintile's price-updated price-to-book was {1 - v:.0%} below the biggest's in {when}, "
                f"a discount {rank} (notebook 01). A price-to-book discount and the claim's forward-P/E discount (1 - 15/22 = "
                f"{1 - 15 / 22:.0%}) are different measures and cannot be compared in level; the forward-P/E discount has no history here to rank.")
    if name == "unprofitable_share":
        v, when = value_at(credit.unprofitable_share(inp["ep_firms"]), m)
        return (f"closest analogue: {v:.1%} of all US listed firms had earnings <= 0 in fiscal year {credit.earnings_fiscal_year(when)} "
                f"(the E/P sort in force in {when}; Fama-French, notebook 04).")
    if name == "unprofitable_share_change":
        share = credit.unprofitable_share(inp["ep_firms"])
        v, when = value_at(share, m)
        before, when_before = value_at(share, when - 12) if when is not None else (float("nan"), None)
        return (f"closest analogue: the share of all US listed firms with earnings <= 0 was {v:.1%} in fiscal year "
                f"{credit.earnings_fiscal_year(when)} against {before:.1%} a year before (the E/P sorts in force in {when} and "
                f"{when_before}; Fama-French, notebook 04): a change in loss-making, not earnings growth by size.")
    if name == "fed_target_path":
        hi, d = value_at(inp["upper"], ctx["as_of"])
        lo, _ = value_at(inp["lower"], ctx["as_of"])
        return f"closest analogue: the realised target range was {lo:.2f}%-{hi:.2f}% on {d.date()} (notebook 02)."
    if name == "credit_beta":
        spread = (rates.size_spread(inp["me_returns"]) * 100)  # Lo 30 - Hi 30, value-weighted, percent per month
        spread = spread[spread.index >= pd.Period("1997-01", "M")]
        changes = rates.monthly_changes({"HY OAS": month_end_values(inp["hy"]), "DGS2": month_end_values(inp["dgs2"])})
        betas = rates.rate_betas(spread, changes, 6)
        hy, two = betas.loc[("HY OAS", "none")], betas.loc[("DGS2", "none")]
        return (f"closest analogue (Lo 30 - Hi 30 value-weighted monthly returns, {spread.index[0]} to {spread.index[-1]}, each change alone, "
                f"Newey-West t with 6 lags, notebook 04): small minus large fell {abs(hy['beta']):.2f}% a month per pp rise in the HY spread "
                f"(t {hy['t_nw']:+.1f}), so small caps are more credit-sensitive; but it moved {co_movement(two['beta'])} 2-year yields "
                f"({two['beta']:+.2f}% per pp, t {two['t_nw']:+.1f}), while more floating-rate debt would make small caps suffer when short "
                f"rates rise. These are co-movements, not a measure of the debt mix.")
    if name == "iwm_volume":
        vol = inp["iwm_volume"]
        first, last = pd.Timestamp(IWM_FLOW_WINDOW[0]), min(pd.Timestamp(IWM_FLOW_WINDOW[1]), ctx["as_of"])
        days = vol[(vol.index >= first) & (vol.index <= last)]
        year = vol[(vol.index > first - pd.DateOffset(years=1)) & (vol.index < first)]
        if days.empty or year.empty:
            return "closest analogue: IWM's trading volume, which has no sessions in the window by as_of."
        return (f"closest analogue: IWM traded {days.mean() / 1e6:.1f} million shares a day from {days.index[0].date()} to {days.index[-1].date()} "
                f"({len(days)} sessions), {days.mean() / year.mean():.2f} times its average of the year before; volume counts trades, "
                f"not net creations, so it cannot show an inflow.")
    if name == "top_decile_share":
        share = concentration.top_decile_share(inp["me_firms"], inp["me_size"])
        v, when = value_at(share, m)
        return (f"closest analogue: the top NYSE size decile (about 10% of NYSE firms, far more than seven) held {v:.1%} of US market cap "
                f"at the end of {when} (notebook 03); the seven firms' own prices and accounts are not in the data.")
    if name == "none":
        return "no measured analogue in these data."
    return "no analogue."


def check_not_testable(rec, inp, ctx) -> dict:
    return {"verdict": "not testable", "value": None,
            "evidence": f"needs {rec['needs']}; " + _analogue(rec.get("analogue", ""), inp, ctx)}
