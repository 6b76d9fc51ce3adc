"""Claims the public data cannot test: what they would need and the closest measured analogue."""
from __future__ import annotations

import pandas as pd

from .. import credit, rates, valuation
from ..timeseries import month_end_values, value_at

def _analogue(name: str, inp, ctx) -> str:
    m = ctx["as_of_month"]
    if name == "valuation_pb_discount":
        rel = valuation.relative_pb(valuation.price_updated_pb_by_size(inp["bm25_firms"], inp["bm25_cap"], inp["bm25_bm_june"],
                                                                        inp["bm25_returns"]))
        v, when = value_at(rel, m)
        return (f"closest analogue: the smallest NYSE size quintile's price-updated price-to-book was {1 - v:.0%} below the biggest's in {when} "
                f"(notebook 01); the claim's 1 - 15/22 is a {1 - 15 / 22:.0%} forward-P/E discount.")
    if name == "unprofitable_share":
        v, when = value_at(credit.unprofitable_share(inp["ep_firms"]), m)
        return (f"closest analogue: {v:.1%} of all US listed firms had earnings <= 0 in fiscal year {credit.earnings_fiscal_year(when)} "
                f"(the E/P sort in force in {when}; Fama-French, notebook 04).")
    if name == "fed_target_path":
        hi, d = value_at(inp["upper"], ctx["as_of"])
        lo, _ = value_at(inp["lower"], ctx["as_of"])
        return f"closest analogue: the realised target range was {lo:.2f}%-{hi:.2f}% on {d.date()} (notebook 02)."
    if name == "credit_beta":
        spread = (rates.size_spread(inp["me_returns"]) * 100)
        spread = spread[spread.index >= pd.Period("1997-01", "M")]
        b = rates.rate_betas(spread, rates.monthly_changes({"HY OAS": month_end_values(inp["hy"])}), 6).iloc[0]
        return (f"closest analogue: small minus large returns fall {abs(b['beta']):.2f}% a month per pp rise in the HY spread "
                f"(t {b['t_nw']:+.1f}, notebook 04): small caps are more credit-sensitive, which is consistent with, not proof of, more floating debt.")
    return "no analogue."


def check_not_testable(rec, inp, ctx) -> dict:
    return {"verdict": "not testable", "value": None,
            "evidence": f"needs {rec['needs']}; " + _analogue(rec.get("analogue", ""), inp, ctx)}
