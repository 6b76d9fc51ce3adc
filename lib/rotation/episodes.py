"""Named market episodes used across the notebooks (start and end months, inclusive)."""
from __future__ import annotations

import pandas as pd

EPISODES = {
    "1929-32 crash": ("1929-01", "1932-12"),
    "Nifty Fifty 1972-73": ("1972-01", "1973-12"),
    "Dot-com 1999-2000": ("1999-01", "2000-12"),
    "2020s mega-cap": ("2020-01", "2026-12"),
}


def episode_periods(episodes: dict | None = None) -> dict[str, tuple[pd.Period, pd.Period]]:
    """The episodes as (start, end) monthly Periods."""
    episodes = episodes or EPISODES
    return {k: (pd.Period(a, "M"), pd.Period(b, "M")) for k, (a, b) in episodes.items()}


def recession_spans(usrec: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Contiguous runs of USREC == 1 as (first day, last day) pairs."""
    s = usrec.dropna()
    s.index = pd.PeriodIndex(s.index, freq="M") if not isinstance(s.index, pd.PeriodIndex) else s.index
    spans, start, prev = [], None, None
    for p, v in s.items():
        if v >= 0.5 and start is None:
            start = p
        if v < 0.5 and start is not None:
            spans.append((start.to_timestamp(how="start"), prev.to_timestamp(how="end")))
            start = None
        prev = p
    if start is not None:
        spans.append((start.to_timestamp(how="start"), prev.to_timestamp(how="end")))
    return spans
