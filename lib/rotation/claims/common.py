"""Shared pieces of the claims check: the verdict vocabulary, the as_of cut and return helpers."""
from __future__ import annotations

import pandas as pd

from ..timeseries import value_at

VERDICTS = ("supported", "contradicted", "mixed", "inconclusive", "not testable", "not yet observable")
VERDICT_COLOURS = {"supported": "#d4edda", "contradicted": "#f8d7da", "mixed": "#fff3cd", "inconclusive": "#ece6f5",
                   "not testable": "#e2e3e5", "not yet observable": "#d6e4f0"}
ROBUST_VERDICT = {"supports": "supported", "contradicts": "contradicted", "inconclusive": "inconclusive"}


def truncate(obj, as_of: pd.Timestamp, as_of_month: pd.Period):
    """Drop every observation after `as_of` (daily data) or after `as_of_month` (monthly data)."""
    if isinstance(obj, (pd.Series, pd.DataFrame)):
        if isinstance(obj.index, pd.PeriodIndex):
            if obj.index.freqstr.startswith("M"):
                return obj[obj.index <= as_of_month]
            return obj[obj.index.end_time <= as_of_month.end_time]
        if isinstance(obj.index, pd.DatetimeIndex):
            return obj[obj.index <= as_of]
    return obj


def window_total_returns(closes: dict[str, pd.Series], start, end) -> pd.DataFrame:
    """Return (decimal) of each named daily close series from its last close at or before date
    `start` to its last close at or before date `end`, with the two dates used (columns `return`,
    `from`, `to`; one row per name). On ETF adjusted closes (IWM, SPY, QQQ, RSP: split- and
    dividend-adjusted, Yahoo) this is the total return; on ^RUT it is the price return. Nothing
    is forward-filled: a series that ends before `end` shows its real last date in `to`."""
    rows = {}
    for name, s in closes.items():
        a, a_d = value_at(s, start)
        b, b_d = value_at(s, end)
        rows[name] = {"return": b / a - 1 if a_d is not None and b_d is not None else float("nan"),
                      "from": a_d, "to": b_d}
    return pd.DataFrame.from_dict(rows, orient="index")


def period_return(s: pd.Series, start_date, end_date) -> float:
    """Return (decimal) from the last close at or before `start_date` to the last at or before
    `end_date` (`window_total_returns` of one series)."""
    return float(window_total_returns({"s": s}, start_date, end_date).at["s", "return"])


def sessions_after(s: pd.Series, after: str, n: int) -> list[pd.Timestamp]:
    """The first `n` observation dates after date `after`."""
    return list(s[s.index > pd.Timestamp(after)].index[:n])
