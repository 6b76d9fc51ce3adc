"""Checks shown in the data overview: splices and the missing-month trap. Pure functions."""
from __future__ import annotations

import pandas as pd

from .timeseries import pct_change_by_date, to_monthly_index


def splice_check(history: pd.Series, recent: pd.Series) -> dict:
    """How a newer copy joins its history file.

    Returns the history's last date, the newer copy's first and last dates, the number of
    dates both hold and the largest absolute difference on those dates (series units).
    """
    both = pd.concat([history.rename("h"), recent.rename("r")], axis=1, join="inner").dropna()
    return {"history_end": history.index.max(), "recent_start": recent.index.min(),
            "recent_end": recent.index.max(), "overlap_obs": int(len(both)),
            "max_abs_diff_in_overlap": float((both["h"] - both["r"]).abs().max()) if len(both) else float("nan")}


def yoy_by_date_vs_row(monthly: pd.Series, month) -> dict:
    """The 12-month change (percent) at `month` computed by date and by row position.

    By date compares with the same month a year earlier; by row position (`pct_change(12)`)
    compares with whatever stood 12 rows earlier, which is 13 months earlier when a month
    in between is missing. Also names the month the row-position method really used.
    """
    m = to_monthly_index(monthly.dropna())
    month = pd.Period(month, "M")
    by_date = pct_change_by_date(m, 12).get(month, float("nan")) * 100.0
    pos = m.index.get_loc(month)
    row_partner = m.index[pos - 12] if pos >= 12 else None
    by_row = (m.iloc[pos] / m.iloc[pos - 12] - 1.0) * 100.0 if pos >= 12 else float("nan")
    missing = [str(p) for p in pd.period_range(month - 12, month, freq="M") if p not in m.index]
    return {"month": str(month), "yoy_by_date_pct": float(by_date), "yoy_by_row_pct": float(by_row),
            "row_method_compares_with": str(row_partner), "missing_months_in_window": ", ".join(missing)}


def last_december(monthly: pd.Series) -> pd.Period | None:
    """The last December present in a monthly series (None when it holds none). Under a data
    cutoff the loaders return only published months, so this is the last December whose value
    had been published by then."""
    m = to_monthly_index(monthly.dropna())
    decembers = m.index[m.index.month == 12]
    return decembers.max() if len(decembers) else None
