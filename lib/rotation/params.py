"""Notebook parameters: parsing and validation, before any work is done.

Every notebook takes `as_of` ("latest" or an ISO date) and `start` (an ISO date). The
second cell of a notebook calls `validate(...)`, which either returns a `Window` or raises
`ParameterError` with a message naming the parameter, the value given and what is allowed.

Dates:
* `as_of` may be YYYY-MM-DD or YYYY-MM (read as that month's last day).
* The `as_of` month is the last *complete* month at or before `as_of`: 2025-12-31 gives
  December 2025, 2025-12-15 gives November 2025.
* Point in time: a run at `as_of` D sees only what had been published by D (the publication
  rules of `seeds/sources.yml`, applied by `rotation.data.availability`); `validate` sets the
  data cutoff to D, or to an earlier `data_cutoff`. The `as_of` month for monthly figures is
  then the last month of the core data published by D: at 2025-12-31 the Fama-French data
  reach October 2025, because November's were not out until mid-January.
* When `as_of` is later than the notebook's core data, figures refer to the last month the
  data really cover, and `Window.note` says so. Nothing is forward-filled.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pandas as pd

ISO_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
ALLOWED_DATE = "an ISO date YYYY-MM-DD (or YYYY-MM for a month's last day)"
YEARS = (1800, 2200)  # dates a parameter may name at all; the data decide the narrower range later


class ParameterError(ValueError):
    """A notebook or runner parameter is malformed or out of range."""


def parse_date(name: str, value, allow_latest: bool = False) -> pd.Timestamp | None:
    """Parse an ISO date parameter; `None` stands for "latest" where that is allowed."""
    allowed = ("'latest' or " if allow_latest else "") + ALLOWED_DATE
    if allow_latest and isinstance(value, str) and value.strip().lower() == "latest":
        return None
    text = str(value).strip()
    if not ISO_DATE.match(text):
        raise ParameterError(f"parameter `{name}` = {value!r} is not a valid date: expected {allowed}")
    if not YEARS[0] <= int(text[:4]) <= YEARS[1]:  # outside pandas' safe range (year 0 crashes later)
        raise ParameterError(f"parameter `{name}` = {value!r} is out of range: expected {allowed} "
                             f"with a year from {YEARS[0]} to {YEARS[1]}")
    try:
        ts = pd.Timestamp(text)
    except (ValueError, OverflowError) as exc:
        raise ParameterError(f"parameter `{name}` = {value!r} is not a valid date ({exc}): expected {allowed}") from None
    if len(text) == 7:  # YYYY-MM: that month's last day
        ts = ts + pd.offsets.MonthEnd(0)
    return ts.normalize()


def complete_month(ts: pd.Timestamp) -> pd.Period:
    """The last complete calendar month at or before date `ts`."""
    month = ts.to_period("M")
    return month if ts.normalize() >= month.to_timestamp(how="end").normalize() else month - 1


@dataclass(frozen=True)
class Window:
    """The resolved sample of a notebook run.

    start        first month of the sample (Period, monthly)
    as_of        the date figures refer to (Timestamp; last day of `as_of_month`, or the
                 requested date for daily data)
    as_of_month  the month monthly figures refer to (Period)
    requested    the `as_of` string as given
    data_end     last month the notebook's core data cover (as published by `cutoff`)
    note         empty, or a sentence saying that `as_of` was moved to the data's end
    cutoff       the data cutoff in force (None: the whole store), normally `as_of`
    """

    start: pd.Period
    as_of: pd.Timestamp
    as_of_month: pd.Period
    requested: str
    data_end: pd.Period
    note: str = ""
    cutoff: pd.Timestamp | None = None

    @property
    def as_of_month_end(self) -> pd.Timestamp:
        return self.as_of_month.to_timestamp(how="end").normalize()

    def clip(self, obj):
        """The part of a series or frame inside the sample: monthly data (PeriodIndex) from
        `start` to `as_of_month`, daily data (DatetimeIndex) from the first day of `start` to
        `as_of`. Nothing after as_of is kept."""
        if isinstance(obj.index, pd.PeriodIndex):
            return obj[(obj.index >= self.start) & (obj.index <= self.as_of_month)]
        return obj[(obj.index >= self.start.to_timestamp(how="start")) & (obj.index <= self.as_of)]

    def clip_from(self, obj, first):
        """Like `clip`, but starting at `first` (a month, or a date for daily data) instead of
        `start`; nothing after `as_of` is kept."""
        if isinstance(obj.index, pd.PeriodIndex):
            return obj[(obj.index >= pd.Period(first, "M")) & (obj.index <= self.as_of_month)]
        lo = first.to_timestamp(how="start") if isinstance(first, pd.Period) else pd.Timestamp(first)
        return obj[(obj.index >= lo) & (obj.index <= self.as_of)]

    def to_date(self, obj):
        """Everything up to the as_of month (monthly) or the as_of date (daily), from the
        series' own beginning: the history a percentile at `as_of` is taken over when the
        sample start does not apply."""
        if isinstance(obj.index, pd.PeriodIndex):
            return obj[obj.index <= self.as_of_month]
        return obj[obj.index <= self.as_of]

    def months_back(self, n: int) -> pd.Period:
        """The month `n` months before the as_of month (not before `start`)."""
        return max(self.start, self.as_of_month - n)

    def months(self) -> pd.PeriodIndex:
        """Every month from `start` to `as_of_month`, inclusive."""
        return pd.period_range(self.start, self.as_of_month, freq="M")

    def describe(self) -> str:
        text = f"Sample {self.start} to {self.as_of_month} (as_of={self.requested})."
        return text + (" " + self.note if self.note else "")


def resolve_window(as_of, start, data_start: pd.Period, data_end: pd.Period,
                   cutoff: pd.Timestamp | None = None, snapshot_end: pd.Period | None = None) -> Window:
    """Validate `as_of` and `start` against the span of the core data and resolve them.

    Errors (ParameterError): malformed dates; `as_of` before the data start; `start` after
    `as_of`. A `start` before the data start is moved to the data start (noted). `snapshot_end`
    (the last month in the store, whatever the cutoff) tells a snapshot that simply ends from
    months not yet published at the cutoff.
    """
    data_start, data_end = pd.Period(data_start, "M"), pd.Period(data_end, "M")
    as_of_ts = parse_date("as_of", as_of, allow_latest=True)
    start_ts = parse_date("start", start)
    notes = []
    if as_of_ts is None and cutoff is not None:  # 'latest' under a data cutoff: as of the cutoff
        as_of_ts, requested = pd.Timestamp(cutoff), "latest"
        month = min(complete_month(as_of_ts), data_end)
    elif as_of_ts is None:
        month = data_end
        as_of_ts = month.to_timestamp(how="end").normalize()
        requested = "latest"
    else:
        requested = str(as_of)
        month = complete_month(as_of_ts)
        if month < data_start:
            raise ParameterError(
                f"parameter `as_of` = {as_of!r} is before the data start: the core data cover "
                f"{data_start} to {data_end}; allowed: 'latest' or a date from {data_start.to_timestamp(how='end').date()} on")
        if month > data_end:
            if cutoff is not None and snapshot_end is not None and data_end >= pd.Period(snapshot_end, "M"):
                notes.append(f"The snapshot's core data end at {data_end}, before {as_of_ts.date()} (later months are not "
                             f"in the snapshot); monthly figures refer to {data_end}, nothing forward-filled.")
            elif cutoff is not None:
                notes.append(f"On {cutoff.date()} the core data had been published up to {data_end} (later months "
                             f"came out after that date); monthly figures refer to {data_end}, nothing forward-filled.")
            else:
                notes.append(f"as_of {as_of_ts.date()} is after the last month the core data cover ({data_end}); "
                             f"figures refer to {data_end}, the last real observation (nothing forward-filled).")
            month = data_end
    start_month = start_ts.to_period("M")
    if start_ts > as_of_ts:
        raise ParameterError(f"parameter `start` = {start!r} is after `as_of` ({as_of_ts.date()}): "
                             f"allowed: a date before as_of, from {data_start} on")
    if start_month < data_start:
        notes.append(f"start {start_ts.date()} is before the data start; the sample starts at {data_start}.")
        start_month = data_start
    if start_month > month:
        raise ParameterError(f"parameter `start` = {start!r} leaves no month before the as_of month {month}: "
                             f"allowed: a date before {month.to_timestamp(how='start').date()}")
    return Window(start=start_month, as_of=as_of_ts, as_of_month=month, requested=requested,
                  data_end=data_end, note=" ".join(notes), cutoff=cutoff)


def parse_cutoff(value) -> pd.Timestamp | None:
    """The `data_cutoff` parameter: 'none' (or empty) for no cutoff, else an ISO date."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    try:
        return parse_date("data_cutoff", value)
    except ParameterError:
        raise ParameterError(f"parameter `data_cutoff` = {value!r} is not allowed: expected 'none' or {ALLOWED_DATE}") from None


def effective_cutoff(as_of, data_cutoff=None) -> pd.Timestamp | None:
    """The date a run may see data up to: the earlier of a dated `as_of` and `data_cutoff`;
    None for `as_of='latest'` with no cutoff (`validate` then dates 'latest' by `latest_release`)."""
    as_of_ts = parse_date("as_of", as_of, allow_latest=True)
    cut = parse_cutoff(data_cutoff)
    dates = [d for d in (as_of_ts, cut) if d is not None]
    return min(dates) if dates else None


def validate(as_of, start, core: str | tuple[str, ...] = "ff_portfolios_me", data_cutoff="none") -> Window:
    """Resolve `as_of`/`start` against the span that every dataset in `core` covers, as
    published by the run's cutoff, and set that cutoff for every loader of `rotation.data`.

    The cutoff is the earlier of a dated `as_of` and `data_cutoff` ('none' or an ISO date), so a
    run at D uses only what had been published by D; a run at D with `data_cutoff` D is the
    same run. The span is from the latest first month to the earliest last month of `core`.
    """
    # Check the formats first: a malformed value fails before any data is read.
    parse_date("as_of", as_of, allow_latest=True)
    parse_date("start", start)
    cut = effective_cutoff(as_of, data_cutoff)
    from . import data

    core = (core,) if isinstance(core, str) else tuple(core)
    data.set_cutoff(None)
    whole = data.coverage_of(core)
    as_of_ts = parse_date("as_of", as_of, allow_latest=True)
    latest_note = None
    if as_of_ts is None and cut is None:  # 'latest': as of the day the newest month of the core data was published
        cut = latest_release(core, whole["last"])
        latest_note = (f"as_of 'latest' is {cut.date()}, the day the newest month of the core data ({whole['last']}) was "
                       f"published; every source is used as published by then.")
    if as_of_ts is not None and complete_month(as_of_ts) < whole["first"]:
        resolve_window(as_of, start, whole["first"], whole["last"])  # raises the as_of-before-data-start error
    data.set_cutoff(cut)
    try:
        cov = data.coverage_of(core)
    except data.DataError:
        first_out = max(data.dataset(i).publication.lag_days for i in core)
        raise ParameterError(f"parameter `as_of`/`data_cutoff`: on {cut.date()} no month of the core data ({', '.join(core)}) "
                             f"had been published yet; allowed: a date at least {first_out} days after the end of "
                             f"{whole['first']}, the first month (publication rules in seeds/sources.yml)") from None
    window = resolve_window(as_of, start, cov["first"], cov["last"], cutoff=cut, snapshot_end=whole["last"])
    if latest_note:
        window = replace(window, note=" ".join(n for n in (latest_note, window.note) if n))
    return window


def latest_release(core: tuple[str, ...], month: pd.Period) -> pd.Timestamp:
    """The date `month` of every dataset in `core` had been published (the latest of their
    release dates under the publication rules of `seeds/sources.yml`): what `as_of='latest'`
    means, so that 'latest' is a real date and uses nothing published after it."""
    from .data import availability, dataset

    index = pd.PeriodIndex([pd.Period(month, "M")], freq="M")
    return max(availability.release_dates(index, dataset(i).publication)[0] for i in core).normalize()


def check_int(name: str, value, low: int, high: int) -> int:
    """An integer parameter within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        raise ParameterError(f"parameter `{name}` = {value!r} is not allowed: expected a whole number from {low} to {high}")
    if not low <= int(value) <= high:
        raise ParameterError(f"parameter `{name}` = {value!r} is out of range: expected a whole number from {low} to {high}")
    return int(value)


def check_float(name: str, value, low: float, high: float, unit: str = "") -> float:
    """A number within [low, high] (unit named in the error)."""
    unit_text = f" ({unit})" if unit else ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(f"parameter `{name}` = {value!r} is not allowed: expected a number from {low} to {high}{unit_text}")
    if not low <= float(value) <= high:
        raise ParameterError(f"parameter `{name}` = {value!r} is out of range: expected a number from {low} to {high}{unit_text}")
    return float(value)


def check_int_list(name: str, value, low: int, high: int) -> list[int]:
    """A comma-separated list of whole numbers ("3,5,10"), each within [low, high]."""
    parts = [p.strip() for p in str(value).split(",") if p.strip()]
    if not parts or not all(re.fullmatch(r"\d+", p) for p in parts):
        raise ParameterError(f"parameter `{name}` = {value!r} is not allowed: expected comma-separated whole numbers, e.g. '3,5,10'")
    return [check_int(name, int(p), low, high) for p in parts]
