"""Coverage and freshness of every dataset in the store."""
from __future__ import annotations

import pandas as pd

from .catalog import catalog, dataset
from . import loaders

# The monthly series the topic notebooks' headline figures stand on. `latest_common_month`
# is the last month all of them cover.
CORE_MONTHLY = ("ff_portfolios_me", "ff_25_size_bm", "ff_portfolios_ep", "ff_5_factors",
                "fred_FEDFUNDS", "fred_DGS2", "fred_DGS10", "fred_DFEDTARU", "fred_BAMLH0A0HYM2",
                "fred_CPIAUCSL", "fred_UNRATE", "shiller_ie_data")

STALE_AFTER = {"daily": pd.Timedelta(days=90), "monthly": pd.Timedelta(days=183),
               "quarterly": pd.Timedelta(days=275)}


def _freq_kind(d) -> str:
    f = d.frequency.split()[0]
    return f if f in STALE_AFTER else "monthly"


def missing_months(index: pd.DatetimeIndex) -> list[str]:
    """Calendar months between the first and last observation that hold no observation."""
    if len(index) == 0:
        return []
    have = set(index.to_period("M"))
    full = pd.period_range(index.min().to_period("M"), index.max().to_period("M"), freq="M")
    return [str(p) for p in full if p not in have]


def covers_through(d, s: pd.Series) -> pd.Period:
    """Last month the dataset covers: for daily data, the last month whose last business day
    is observed or passed; for monthly data, the last observed month."""
    last = s.index.max()
    if _freq_kind(d) == "daily":
        month = last.to_period("M")
        month_end = (month.to_timestamp(how="end") - pd.offsets.BDay(0)).normalize()
        last_bday = pd.offsets.BMonthEnd().rollforward(month.to_timestamp(how="start"))
        return month if last >= min(month_end, last_bday) else month - 1
    return last.to_period("M")


def coverage() -> pd.DataFrame:
    """One row per dataset with data (under a data cutoff: what had been published by then):
    first and last observation, rows, vintage, the months missing inside the range (monthly series), days behind the store's newest observation of the
    same frequency, a `stale` flag and notes (splices, known traps).

    Dates are observation dates (monthly data on the month's first day)."""
    rows = []
    for d in catalog():
        parser = loaders.parser_for(d)
        s = parser.observations(d)
        if s.empty:  # nothing of it published by the cutoff: not a row of the store at that date
            continue
        kind = _freq_kind(d)
        gaps = missing_months(s.index) if kind == "monthly" and parser.monthly_gaps else []
        note = []
        if d.splice_into:
            note.append(f"newer copy, spliced into {d.splice_into} (newer wins) from {s.index.min().date()}")
        if gaps:
            note.append("months never published: " + ", ".join(gaps))
        rows.append({"id": d.id, "file": d.file, "frequency": kind, "first": s.index.min(),
                     "last": s.index.max(), "rows": int(s.size), "vintage": d.vintage,
                     "covers_through": covers_through(d, s), "missing_months": ", ".join(gaps),
                     "notes": "; ".join(note)})
    out = pd.DataFrame(rows).set_index("id")
    newest = out.groupby("frequency")["last"].transform("max")
    out["days_behind"] = (newest - out["last"]).dt.days
    limit = out["frequency"].map(lambda k: STALE_AFTER[k].days)
    spliced_away = out.index.map(lambda i: any(r.splice_into == i and r.id in out.index for r in catalog()))
    out["stale"] = (out["days_behind"] > limit) & ~spliced_away
    out.loc[spliced_away, "notes"] = out.loc[spliced_away, "notes"].where(
        out.loc[spliced_away, "notes"] == "", out.loc[spliced_away, "notes"] + "; ") + "history file; a newer copy is spliced in"
    return out


def coverage_of(ids) -> dict[str, pd.Period]:
    """The span every dataset in `ids` covers: {"first": latest first month, "last": earliest
    last month} (FRED series spliced with their newer copy)."""
    from .availability import current_cutoff
    from .errors import DataError

    firsts, lasts = [], []
    for i in ids:
        d = dataset(i)
        s = loaders.parser_for(d).coverage(d)
        if s.empty:
            raise DataError(f"no observation of {i} had been published by the data cutoff {current_cutoff().date()}")
        firsts.append(s.index.min().to_period("M"))
        lasts.append(covers_through(d, s))
    return {"first": max(firsts), "last": min(lasts)}


def latest_common_month(ids=CORE_MONTHLY) -> pd.Period:
    """Last month that every dataset in `ids` covers (FRED series spliced with their newer copy)."""
    return coverage_of(ids)["last"]
