"""The claims check: every testable claim of the article against the data, with a verdict.

`evaluate(records, inputs, window)` runs each claim's check function (named in
`seeds/claims.yml`) on the inputs truncated at the window's `as_of` (no data after it is ever
used; the loaders already hide what was not yet published) and returns one row per claim.

Verdicts:
* supported           the measured figure agrees with the claim within the record's tolerance;
* contradicted        it does not, and no nearby window rescues it;
* mixed               part holds (e.g. the size is right but the dates are wrong);
* inconclusive        a statistical claim the robust test does not decide (p at or above the
                      record's alpha, whichever the sign): the same rule decides for or against;
* not testable        the data needed are not here (at any as_of); the evidence names the closest analogue;
* not yet observable  the data that decide the claim are not all published by `as_of` (each record's
                      `observable_from` and `observable_because` say when and why).

Inputs (a dict of frames, built by `rotation.data.claims_inputs()`):
rut, spy (daily closes), nasdaq, t10y2y, upper, lower (FRED daily), cpi, cpi_core, unrate,
usrec, fedfunds (FRED monthly), dgs2 (daily), hy (daily, spliced), me_returns, me_firms,
me_size, me_returns_ew (Portfolios_Formed_on_ME), factors (5 factors), prime (FRED DPRIME, daily), ep_firms (Portfolios_Formed_on_E-P), bm25_firms,
bm25_cap, bm25_bm_june (June-formation BE/ME), bm25_returns (25_Portfolios_5x5), shiller,
iwm, qqq, rsp (adjusted daily closes: total return), dgs10, baa10y, effr (FRED daily), baa (FRED monthly, ends 2019-11),
op25_firms, op25_cap, op25_returns, op25_returns_ew (25_Portfolios_ME_OP_5x5).
"""
from __future__ import annotations


from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from . import macro, prices, statistical, untestable
from .charts import chart_spec
from .common import ROBUST_VERDICT, VERDICT_COLOURS, VERDICTS, truncate


@dataclass
class Verdict:
    id: str
    topic: str
    claim: str
    verdict: str
    value: float | None
    unit: str
    window: str
    source: str
    evidence: str


CHECKS = {name: fn for module in (prices, macro, statistical, untestable)
          for name, fn in vars(module).items() if name.startswith("check_")}
globals().update(CHECKS)  # each check is also `claims.check_<name>`


def evaluate(records: list[dict], inputs: dict, window) -> pd.DataFrame:
    """Run every claim's check at the resolved `window` (a `rotation.params.Window`: daily
    checks up to `window.as_of`, monthly ones at `window.as_of_month`, long-history checks
    ranked against months from `window.start`); one row per claim (see module docstring).
    The inputs are cut at as_of again here, so no check can see a later observation."""
    inp = {k: truncate(v, window.as_of, window.as_of_month) for k, v in inputs.items()}
    ctx = {"as_of": pd.Timestamp(window.as_of), "as_of_month": window.as_of_month, "start": window.start,
           "window": window}
    rows = []
    for rec in records:
        base = {"id": rec["id"], "topic": rec["topic"], "claim": rec["claim"], "value": None,
                "unit": rec["asserted"]["unit"], "window": rec["asserted"]["window"], "source": rec.get("data", "")}
        if rec["check"] not in CHECKS:
            raise KeyError(f"claim {rec['id']}: unknown check {rec['check']!r}; known: {', '.join(sorted(CHECKS))}")
        if rec["check"] == "check_not_testable" and pd.Timestamp(rec["observable_from"]) > ctx["as_of"]:
            # decided before the date rule: no data here can ever test it; its analogue is read from observable_from
            out = {"verdict": "not testable", "value": None,
                   "evidence": f"needs {rec['needs']}; the closest analogue is reported from {rec['observable_from']} on."}
        elif pd.Timestamp(rec["observable_from"]) > ctx["as_of"]:
            out = {"verdict": "not yet observable",
                   "evidence": f"observable from {rec['observable_from']}, after as_of {ctx['as_of'].date()}: "
                               f"{rec['observable_because']}."}
        else:
            out = CHECKS[rec["check"]](rec, inp, ctx)
        merged = {**base, **out}
        if merged["verdict"] not in VERDICTS:
            raise ValueError(f"claim {rec['id']}: check returned unknown verdict {merged['verdict']!r}")
        v = merged["value"]
        merged["value"] = None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)
        rows.append(asdict(Verdict(**{k: merged[k] for k in Verdict.__dataclass_fields__})))
    return pd.DataFrame(rows).set_index("id")


def verdict_counts(verdicts: pd.DataFrame) -> dict[str, int]:
    """Number of claims with each verdict, in the order of `VERDICTS` (zeros included)."""
    counts = verdicts["verdict"].value_counts()
    return {v: int(counts.get(v, 0)) for v in VERDICTS}
