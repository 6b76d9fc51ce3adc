"""What had been published by a date D: the one place that answers it.

Each dataset of `seeds/sources.yml` carries a publication rule (`published:`):

    anchor      what the lag counts from: `day` (the observation date), `month_end`,
                `quarter_end` or `year_end` of the reference period
    lag_days    calendar days after the anchor at which the value is public
    exceptions  {reference month "YYYY-MM": actual release date} for releases off the
                usual schedule (e.g. the delayed prints after the 2025 shutdown)
    late_columns {column: lag_days} for columns of a frame that arrive later than the rest
                (Shiller's earnings); those cells are blank until their own release date

An observation counts as published at D when its release date is on or before D.

Fama-French annual tables: return tables ("Annual from January to December") refer to the
calendar year (anchor: its December); characteristic tables (formed in June of year Y, e.g.
"Sum of E / Sum of ME") count from the July Y update, the first month they are used.

NBER recessions (USREC) count only from their announcement (`seeds/nber_turning_points.yml`):
at D, a recession whose peak was announced by D is on from the month after the peak to its
trough, or to D's month when the trough was not announced by D; recessions announced after
D do not exist yet.

The data cutoff: `set_cutoff(D)` (or the `cutoff(D)` context manager) makes every loader of
`rotation.data` return only what was published by D. `rotation.params.validate` sets it to the
run's `as_of` (or an earlier `data_cutoff`), so a notebook cannot see later data. With no
cutoff the whole store is returned. Values are the snapshot's revised vintages, not the
numbers first published: the cutoff decides which observations exist, not their vintage.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ANCHORS = ("day", "month_end", "quarter_end", "year_end")

_cutoff: pd.Timestamp | None = None


# ------------------------------------------------------------------ the cutoff

def set_cutoff(when) -> pd.Timestamp | None:
    """Hide everything published after date `when` from every loader (None: show all).
    Returns the previous cutoff."""
    global _cutoff
    previous = _cutoff
    _cutoff = None if when is None else pd.Timestamp(when).normalize()
    return previous


def current_cutoff() -> pd.Timestamp | None:
    """The data cutoff in force (None when the whole store is visible)."""
    return _cutoff


@contextmanager
def cutoff(when):
    """Within the block, loaders return only what was published by `when`."""
    previous = set_cutoff(when)
    try:
        yield
    finally:
        set_cutoff(previous)


# ------------------------------------------------------------------ rules

@dataclass(frozen=True)
class PublicationRule:
    """When an observation becomes public (see module docstring)."""

    anchor: str
    lag_days: int
    exceptions: dict = field(default_factory=dict)
    late_columns: dict = field(default_factory=dict)
    note: str = ""
    announcements: str | None = None

    def __post_init__(self):
        if self.anchor not in ANCHORS:
            raise ValueError(f"publication anchor {self.anchor!r} unknown; allowed: {', '.join(ANCHORS)}")
        if int(self.lag_days) < 0:
            raise ValueError(f"publication lag_days must be >= 0, got {self.lag_days}")

    @classmethod
    def from_record(cls, raw: dict) -> "PublicationRule":
        return cls(anchor=raw["anchor"], lag_days=int(raw["lag_days"]),
                   exceptions={str(k): str(v) for k, v in (raw.get("exceptions") or {}).items()},
                   late_columns={str(k): int(v) for k, v in (raw.get("late_columns") or {}).items()},
                   note=raw.get("note", ""), announcements=raw.get("announcements"))

    def describe(self) -> str:
        what = {"day": "the observation date", "month_end": "the end of the month",
                "quarter_end": "the end of the quarter", "year_end": "the end of the year"}[self.anchor]
        text = f"{self.lag_days} days after {what}"
        if self.exceptions:
            text += "; off-schedule releases: " + ", ".join(f"{k} on {v}" for k, v in self.exceptions.items())
        if self.late_columns:
            lags = sorted(set(self.late_columns.values()))
            text += f"; some columns later ({', '.join(map(str, lags))} days)"
        return text


def anchor_dates(index, anchor: str) -> pd.DatetimeIndex:
    """The date each observation's lag counts from.

    `index` is a DatetimeIndex (observation dates; monthly FRED data are dated on the first of
    the month) or a PeriodIndex (monthly "M" or annual "Y")."""
    if isinstance(index, pd.PeriodIndex):
        if anchor == "day":
            return index.to_timestamp(how="start")
        freq = {"month_end": "M", "quarter_end": "Q", "year_end": "Y"}[anchor]
        return index.asfreq(freq, how="end").to_timestamp(how="end").normalize() if index.freqstr[0] != freq[0] \
            else index.to_timestamp(how="end").normalize()
    index = pd.DatetimeIndex(index)
    if anchor == "day":
        return index.normalize()
    freq = {"month_end": "M", "quarter_end": "Q", "year_end": "Y"}[anchor]
    return index.to_period(freq).to_timestamp(how="end").normalize()


def release_dates(index, rule: PublicationRule) -> pd.DatetimeIndex:
    """The date each observation of `index` became public under `rule`."""
    dates = anchor_dates(index, rule.anchor) + pd.Timedelta(days=int(rule.lag_days))
    if rule.exceptions:
        months = (index.asfreq("M", how="end") if isinstance(index, pd.PeriodIndex)
                  else pd.DatetimeIndex(index).to_period("M")).astype(str)
        special = pd.Series(months).map(rule.exceptions)
        dates = pd.DatetimeIndex(np.where(special.notna(), pd.to_datetime(special), dates))
    return dates


def published(obj, rule: PublicationRule, when) -> pd.Series | pd.DataFrame:
    """The rows of `obj` released by date `when` (None: all), with `late_columns` blanked
    until their own release dates. Attributes (`attrs`) are kept."""
    if when is None:
        return obj
    when = pd.Timestamp(when).normalize()
    keep = release_dates(obj.index, rule) <= when
    out = obj[np.asarray(keep)]
    late = {c: d for c, d in rule.late_columns.items() if isinstance(out, pd.DataFrame) and c in out.columns}
    if late:
        out = out.copy()
        base = anchor_dates(out.index, rule.anchor)
        for col, days in late.items():
            out.loc[np.asarray(base + pd.Timedelta(days=days) > when), col] = np.nan
    out.attrs = dict(obj.attrs)
    return out


def formation_anchor(index: pd.PeriodIndex) -> pd.PeriodIndex:
    """Fama-French characteristic tables formed in June of year Y: the month they count from
    (July Y), as a monthly PeriodIndex."""
    return pd.PeriodIndex([pd.Period(f"{p.year}-07", "M") for p in index], freq="M")


# ------------------------------------------------------------------ NBER announcements

@dataclass(frozen=True)
class TurningPoints:
    """NBER peaks and troughs with their announcement dates, and the assumed lags for turning
    points dated before the committee existed (1980)."""

    announced: dict            # {("peak"|"trough", Period "M"): Timestamp}
    peak_lag_months: int
    trough_lag_months: int

    def announcement(self, kind: str, month: pd.Period) -> pd.Timestamp:
        """When a peak or trough of `month` was (or, before 1980, is assumed to have been) known."""
        if (kind, month) in self.announced:
            return self.announced[(kind, month)]
        lag = self.peak_lag_months if kind == "peak" else self.trough_lag_months
        return (month + lag).to_timestamp(how="end").normalize()


def load_turning_points(path: Path) -> TurningPoints:
    raw = yaml.safe_load(Path(path).read_text())
    ann = {(r["type"], pd.Period(r["month"], "M")): pd.Timestamp(r["announced"]) for r in raw["turning_points"]}
    before = raw["before_committee"]
    return TurningPoints(ann, int(before["peak_lag_months"]), int(before["trough_lag_months"]))


@cache
def _turning_points_cached(path: str) -> TurningPoints:
    return load_turning_points(Path(path))


def recessions_known_at(usrec: pd.Series, points: TurningPoints, when) -> pd.Series:
    """The NBER recession indicator as it was known at date `when` (1.0 in recession, 0.0 not).

    `usrec` is the full (revised) indicator with observations up to `when` already selected;
    its recessions are runs of 1 from the month after a peak to the trough. A run counts only
    when its peak was announced by `when`; if its trough was not announced by then, the
    recession is treated as continuing to the last month of `usrec`."""
    s = usrec.dropna()
    if s.empty:
        return s.copy()
    when = pd.Timestamp(when).normalize()
    months = s.index.to_period("M") if not isinstance(s.index, pd.PeriodIndex) else s.index
    flags = s.to_numpy() >= 0.5
    known = np.zeros(len(s))
    i = 0
    while i < len(s):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(s) and flags[j + 1]:
            j += 1
        peak, trough = months[i] - 1, months[j]
        if points.announcement("peak", peak) <= when:
            ongoing = points.announcement("trough", trough) > when
            known[i:(len(s) if ongoing else j + 1)] = 1.0
        i = j + 1
    out = pd.Series(known, index=s.index, name=s.name)
    out.attrs = dict(usrec.attrs)
    return out
