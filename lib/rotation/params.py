"""Notebook parameters: parsing and validation, before any work is done.

Every notebook takes `as_of` ("latest" or an ISO date) and `start` (an ISO date). The
second cell of a notebook calls `validate(...)`, which either returns a `Window` or raises
`ParameterError` with a message naming the parameter, the value given and what is allowed.

Dates:
* `as_of` may be YYYY-MM-DD or YYYY-MM (read as that month's last day).
* The `as_of` month is the last *complete* month at or before `as_of`: 2025-12-31 gives
  December 2025, 2025-12-15 gives November 2025.
* When `as_of` is later than the notebook's core data, figures refer to the last month the
  data really cover, and `Window.note` says so. Nothing is forward-filled.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

ISO_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
ALLOWED_DATE = "an ISO date YYYY-MM-DD (or YYYY-MM for a month's last day)"


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
    data_end     last month the notebook's core data cover
    note         empty, or a sentence saying that `as_of` was moved to the data's end
    """

    start: pd.Period
    as_of: pd.Timestamp
    as_of_month: pd.Period
    requested: str
    data_end: pd.Period
    note: str = ""

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

    def months(self) -> pd.PeriodIndex:
        """Every month from `start` to `as_of_month`, inclusive."""
        return pd.period_range(self.start, self.as_of_month, freq="M")

    def describe(self) -> str:
        text = f"Sample {self.start} to {self.as_of_month} (as_of={self.requested})."
        return text + (" " + self.note if self.note else "")


def resolve_window(as_of, start, data_start: pd.Period, data_end: pd.Period) -> Window:
    """Validate `as_of` and `start` against the span of the core data and resolve them.

    Errors (ParameterError): malformed dates; `as_of` before the data start; `start` after
    `as_of`. A `start` before the data start is moved to the data start (noted).
    """
    data_start, data_end = pd.Period(data_start, "M"), pd.Period(data_end, "M")
    as_of_ts = parse_date("as_of", as_of, allow_latest=True)
    start_ts = parse_date("start", start)
    notes = []
    if as_of_ts is None:
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
                  data_end=data_end, note=" ".join(notes))


def validate(as_of, start, core: str | tuple[str, ...] = "ff_portfolios_me") -> Window:
    """Resolve `as_of`/`start` against the span that every dataset in `core` covers.

    The span is from the latest first month to the earliest last month of the `core` datasets.
    """
    # Check the format first: a malformed date fails before any data is read.
    parse_date("as_of", as_of, allow_latest=True)
    parse_date("start", start)
    from . import data

    core = (core,) if isinstance(core, str) else tuple(core)
    cov = data.coverage_of(core)
    return resolve_window(as_of, start, cov["first"], cov["last"])


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
