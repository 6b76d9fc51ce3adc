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

Other parameters: `DECLARED` holds one declaration (`ParamSpec`: kind, range, unit, help) per
parameter of every notebook. A notebook checks its values with `check(stem, name, value)`; the
runner checks `-p NAME TEXT` with `from_text(stem, name, text)` (and a whole set with
`check_all`) before any kernel starts, so both read the same ranges.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd

from .errors import ParameterError  # noqa: F401  (re-exported; part of the `RotationError` family, a ValueError)

ISO_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
ALLOWED_DATE = "an ISO date YYYY-MM-DD (or YYYY-MM for a month's last day)"
YEARS = (1800, 2200)  # dates a parameter may name at all; the data decide the narrower range later


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
        raise ParameterError(f"parameter `start` = {start!r} is after the as_of month {month} (the last month the "
                             f"data cover at as_of): allowed: a date up to {month.to_timestamp(how='end').date()}")
    return Window(start=start_month, as_of=as_of_ts, as_of_month=month, requested=requested,
                  data_end=data_end, note=" ".join(notes), cutoff=cutoff)


def parse_none_or_date(name: str, value) -> pd.Timestamp | None:
    """A date parameter that may be 'none' (or empty, or None): None for no date, else an ISO date."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    try:
        return parse_date(name, value)
    except ParameterError:
        raise ParameterError(f"parameter `{name}` = {value!r} is not allowed: expected 'none' or {ALLOWED_DATE}") from None


def parse_cutoff(value) -> pd.Timestamp | None:
    """The `data_cutoff` parameter: 'none' (or empty) for no cutoff, else an ISO date."""
    return parse_none_or_date("data_cutoff", value)


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


def allowed_numbers(kind: str, low, high, unit: str = "") -> str:
    """What a numeric parameter accepts, as said in errors and help: 'a whole number from 24 to
    240', 'a number from 1 to 100 (basis points)', "comma-separated whole numbers from 1 to 20
    (years), e.g. '3,5,10'"."""
    unit_text = f" ({unit})" if unit else ""
    if kind == "int":
        return f"a whole number from {low} to {high}"
    if kind == "float":
        return f"a number from {low} to {high}{unit_text}"
    return f"comma-separated whole numbers from {low} to {high}{unit_text}, e.g. '3,5,10'"


def check_int(name: str, value, low: int, high: int) -> int:
    """An integer parameter within [low, high]."""
    allowed = allowed_numbers("int", low, high)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        raise ParameterError(f"parameter `{name}` = {value!r} is not allowed: expected {allowed}")
    if not low <= int(value) <= high:
        raise ParameterError(f"parameter `{name}` = {value!r} is out of range: expected {allowed}")
    return int(value)


def check_float(name: str, value, low: float, high: float, unit: str = "") -> float:
    """A number within [low, high] (unit named in the error)."""
    allowed = allowed_numbers("float", low, high, unit)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(f"parameter `{name}` = {value!r} is not allowed: expected {allowed}")
    if not low <= float(value) <= high:
        raise ParameterError(f"parameter `{name}` = {value!r} is out of range: expected {allowed}")
    return float(value)


def check_int_list(name: str, value, low: int, high: int, unit: str = "") -> list[int]:
    """A comma-separated list of whole numbers ("3,5,10"), each within [low, high]; the message
    names the whole value and the range."""
    allowed = allowed_numbers("int_list", low, high, unit)
    parts = [p.strip() for p in str(value).split(",") if p.strip()]
    if isinstance(value, bool) or not parts or not all(re.fullmatch(r"\d+", p) for p in parts):
        raise ParameterError(f"parameter `{name}` = {value!r} is not allowed: expected {allowed}")
    numbers = [int(p) for p in parts]
    if not all(low <= n <= high for n in numbers):
        raise ParameterError(f"parameter `{name}` = {value!r} is out of range: expected {allowed}")
    return numbers


# ---------------------------------------------------------------------------------------------
# One declaration per notebook parameter
#
# `DECLARED` holds, for every notebook, what each of its parameters may be. The notebooks check
# their parameters with `check(stem, name, value)` and the runner checks command-line values with
# `from_text(stem, name, text)` before any kernel starts, so both read the same ranges.
# ---------------------------------------------------------------------------------------------

KINDS = {  # kind -> what it is, as said in messages and help
    "int": "a whole number",
    "float": "a number",
    "int_list": "comma-separated whole numbers",
    "date": ALLOWED_DATE,
    "latest_or_date": "'latest' or " + ALLOWED_DATE,
    "none_or_date": "'none' or " + ALLOWED_DATE,
    "text": "text read by a named parser",
}
WHOLE = re.compile(r"^[+-]?\d+$")  # a command-line whole number (no '1_000', no '5.0')


@dataclass(frozen=True)
class TextParser:
    """A parser that lives in another module and checks some parameters itself.

    one       (name, value) -> the parsed value of one parameter alone; ParameterError otherwise
    joint     (values: {name: value}) -> {name: parsed}: the parameters together (rules that
              tie several of them), or None
    allowed   name -> what the parameter accepts, for messages and help
    """

    one: Callable[[str, object], object]
    joint: Callable[[dict], dict] | None
    allowed: Callable[[str], str]


WHATIF_LISTS = ("maturing_by_year", "base_rate_path")  # the what-if parameters that take one number per year


def _whatif_allowed(name: str) -> str:
    """What `credit.parse_whatif` accepts for what-if parameter `name` (from credit's own limits)."""
    from . import credit

    unit, rule, _ = credit.WHATIF_PARAMETERS[name]
    low, high = credit.LIMITS.get(name, credit.RATE_LIMITS)
    what = "comma-separated numbers" if name in WHATIF_LISTS else "a number"
    return ("'data' or " if rule else "") + f"{what} from {low:g} to {high:g} ({unit})"


def _whatif_one(name: str, value):
    """One what-if parameter checked alone by `credit.parse_whatif`: the other seven get values
    that pass every check of theirs ('data' where allowed, else the lower limit; a schedule of
    zeros as long as a given `base_rate_path`), so only `value` can be refused."""
    from . import credit

    args = {}
    for other, (_, rule, _) in credit.WHATIF_PARAMETERS.items():
        low = credit.LIMITS.get(other, credit.RATE_LIMITS)[0]
        args[other] = credit.DATA if rule else low
    if name == "base_rate_path" and str(value).strip().lower() != credit.DATA:
        args["maturing_by_year"] = ",".join("0" for _ in str(value).split(","))
    else:
        args["maturing_by_year"] = "0"
    args[name] = value
    return credit.parse_whatif(**args)[name]


def _whatif_joint(values: dict) -> dict:
    """All eight what-if parameters checked together by `credit.parse_whatif` (shares summing to
    at most 1, one base rate per maturing year)."""
    from . import credit

    return credit.parse_whatif(**values)


PARSERS = {"credit.parse_whatif": TextParser(one=_whatif_one, joint=_whatif_joint, allowed=_whatif_allowed)}


@dataclass(frozen=True)
class ParamSpec:
    """What one notebook parameter may be.

    kind     one of `KINDS`: 'int' (whole number), 'float' (number), 'int_list' (comma-separated
             whole numbers, e.g. '3,5,10'), 'date' (ISO date), 'latest_or_date', 'none_or_date',
             or 'text' (checked by `parser`)
    help     one line: what the parameter sets
    low      smallest allowed number (inclusive; each element of an int_list); None for dates/text
    high     largest allowed number (inclusive); None for dates/text
    unit     what the number counts (months, years, percentile, ...); '' when none
    parser   a key of `PARSERS` when another module checks the value ('text' kinds, and the
             numbers that parser checks too); low/high are then the parser's, not declared here
    """

    kind: str
    help: str
    low: float | None = None
    high: float | None = None
    unit: str = ""
    parser: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.parser is not None and self.parser not in PARSERS:
            raise ValueError(f"parser {self.parser!r} is not one of {', '.join(PARSERS)}")
        if self.kind == "text" and self.parser is None:
            raise ValueError("a 'text' parameter needs a parser")
        numeric = self.kind in ("int", "float", "int_list") and self.parser is None
        if numeric and (self.low is None or self.high is None or self.low > self.high):
            raise ValueError(f"a {self.kind} parameter needs low <= high (got {self.low}, {self.high})")

    def allowed(self, name: str) -> str:
        """What parameter `name` accepts, e.g. 'a whole number from 24 to 240'."""
        if self.parser is not None:
            return PARSERS[self.parser].allowed(name)
        if self.kind in ("int", "float", "int_list"):
            return allowed_numbers(self.kind, self.low, self.high, self.unit)
        return KINDS[self.kind]


def _window(as_of_help: str, start_help: str) -> dict[str, ParamSpec]:
    """The parameters every notebook takes: as_of, start and data_cutoff."""
    return {"as_of": ParamSpec("latest_or_date", as_of_help),
            "start": ParamSpec("date", start_help),
            "data_cutoff": ParamSpec("none_or_date", "hide every observation published after this date ('none': no cutoff)")}


def _whatif(help_text: str, kind: str = "text") -> ParamSpec:
    """A what-if parameter of notebook 04: checked by `credit.parse_whatif`, whose limits apply."""
    return ParamSpec(kind, help_text, parser="credit.parse_whatif")


# Ranges exactly as the notebooks have checked them; `check` and `from_text` read them from here.
DECLARED: dict[str, dict[str, ParamSpec]] = {
    "00_data_overview": _window("the date the report is for ('latest': the newest month the core series cover)",
                                "first month of the sample"),
    "01_valuation_gap": {
        **_window("the date the report is for ('latest': the newest month of the 25 size x BE/ME portfolios)",
                  "first month of the history the as_of value is ranked against"),
        "horizon_years": ParamSpec("int", "forward horizon of the headline cheapness regression", 1, 15, "years"),
        "short_horizon_years": ParamSpec("int", "a second, shorter forward horizon", 1, 15, "years"),
        "headline_draws": ParamSpec("int", "null-bootstrap draws of the headline regressions", 19, 20000, "draws"),
        "bootstrap_draws": ParamSpec("int", "null-bootstrap draws per specification of the grid", 19, 20000, "draws"),
    },
    "02_rate_sensitivity": {
        **_window("the date the report is for ('latest': the newest month of the size portfolios and DGS2)",
                  "first month of the regressions and of the easing-cycle search"),
        "window_months": ParamSpec("int", "rolling-beta window", 24, 240, "months"),
        "months_before": ParamSpec("int", "event window: months before each first cut", 0, 36, "months"),
        "months_after": ParamSpec("int", "event window: months after each first cut", 1, 60, "months"),
        "big_move_bp": ParamSpec("float", "daily 2-year yield move counted as large", 1, 100, "basis points"),
        "randomisation_draws": ParamSpec("int", "draws of the headline randomisation test", 99, 20000, "draws"),
        "grid_draws": ParamSpec("int", "randomisation draws per specification of the easing grid", 99, 20000, "draws"),
    },
    "03_concentration": {
        **_window("the date the report is for ('latest': the newest month of the size portfolios)",
                  "first month of the sample"),
        "horizons_years": ParamSpec("int_list", "forward horizons", 1, 20, "years"),
        "high_concentration_pct": ParamSpec("float", "a month is 'high concentration' above this percentile of its history",
                                            50, 99, "percentile"),
        "bootstrap_draws": ParamSpec("int", "null-bootstrap draws per specification of the grid", 19, 9999, "draws"),
        "headline_draws": ParamSpec("int", "null-bootstrap draws of the headline share regression", 19, 9999, "draws"),
    },
    "04_refinancing_wall": {
        **_window("the date the report is for ('latest': the newest month of the E/P and size x OP portfolios)",
                  "first month of the history percentiles are taken over"),
        "maturing_by_year": _whatif("ASSUMPTION: share of fixed-rate debt maturing in each of the next years"),
        "maturing_coupon": _whatif("coupon of existing fixed-rate debt, or 'data'"),
        "new_issue_spread": _whatif("spread over the base rate for refinancing, or 'data'"),
        "base_rate_now": _whatif("base rate today, or 'data' (effective fed funds rate)"),
        "base_rate_path": _whatif("base rate in each of the next years, or 'data' (flat at base_rate_now)"),
        "floating_share": _whatif("ASSUMPTION: share of debt at floating rates", "float"),
        "floating_spread": _whatif("ASSUMPTION: spread of floating-rate loans over the base rate", "float"),
        "interest_coverage": _whatif("ASSUMPTION: EBIT / interest expense today", "float"),
    },
    "05_claims_check": _window("the date the claims are checked at ('latest': the newest month of the portfolios)",
                               "first month of the history the concentration claims are ranked against"),
    "06_thesis_verdict": {
        **_window("the date the verdict is for ('latest': the newest month of the size and size x BE/ME portfolios)",
                  "first month of the legs' percentile histories"),
        "valuation_pct_min": ParamSpec("float", "valuation leg: P/B discount at or above this percentile", 50, 99, "percentile"),
        "concentration_pct_min": ParamSpec("float", "concentration leg: top-decile share at or above this percentile",
                                           50, 99, "percentile"),
        "easing_months": ParamSpec("int", "easing leg: fed funds change over this many months", 1, 24, "months"),
        "easing_cut_pp": ParamSpec("float", "easing leg: fed funds at least this much lower", 0, 3, "percentage points"),
        "credit_pct_max": ParamSpec("float", "credit leg: Baa minus 10-year spread at or below this percentile", 1, 99,
                                    "percentile"),
        "signal_min_legs": ParamSpec("int", "the signal is long when at least this many legs hold", 1, 4, "legs"),
    },
}


def declared(stem: str) -> dict[str, ParamSpec] | None:
    """The declared parameters of notebook `stem` (e.g. '02_rate_sensitivity'); None for a
    notebook without declarations (a test's toy notebook: the caller falls back)."""
    return DECLARED.get(stem)


def _declared_or_fail(stem: str) -> dict[str, ParamSpec]:
    """`declared(stem)`, or LookupError naming the declared notebooks."""
    specs = declared(stem)
    if specs is None:
        raise LookupError(f"notebook {stem!r} declares no parameters; declared notebooks: {', '.join(DECLARED)}")
    return specs


def spec(stem: str, name: str) -> ParamSpec:
    """The declaration of parameter `name` of notebook `stem`. LookupError for an undeclared
    notebook; ParameterError, listing the notebook's parameters, for an unknown name."""
    specs = _declared_or_fail(stem)
    if name not in specs:
        raise ParameterError(f"unknown parameter `{name}` for notebook {stem}: it takes {', '.join(specs)}")
    return specs[name]


def check(stem: str, name: str, value):
    """Parameter `name` of notebook `stem` checked against its declaration.

    Returns the typed value: int ('int'), float ('float'), list of int ('int_list'), a
    Timestamp or None ('latest' / 'none') for the date kinds, and what the named parser returns
    for the others. ParameterError names the parameter, the value and what is allowed, e.g.
    "parameter `window_months` = 5 is out of range: expected a whole number from 24 to 240".
    LookupError when `stem` declares no parameters.
    """
    s = spec(stem, name)
    if s.parser is not None:
        return PARSERS[s.parser].one(name, value)
    if s.kind == "int":
        return check_int(name, value, s.low, s.high)
    if s.kind == "float":
        return check_float(name, value, s.low, s.high, s.unit)
    if s.kind == "int_list":
        return check_int_list(name, value, s.low, s.high, s.unit)
    if s.kind == "date":
        return parse_date(name, value)
    if s.kind == "latest_or_date":
        return parse_date(name, value, allow_latest=True)
    return parse_none_or_date(name, value)


def _from_text_typed(s: ParamSpec, text: str):
    """A command-line string as the type the notebook declares: int or float for those kinds
    when it reads as one, else the text itself (then refused by `check` with the range named)."""
    if s.kind == "int" and WHOLE.match(text.strip()):
        return int(text)
    if s.kind == "float":
        try:
            return float(text)
        except ValueError:
            return text
    return text


def from_text(stem: str, name: str, text: str):
    """A command-line value (`rotation run -p NAME TEXT`) for notebook `stem`, checked before
    any kernel starts: the value to pass to the notebook (int or float for those kinds, else
    the text as given) once `check` accepts it.

    None when `stem` declares no parameters (the caller falls back to its own coercion);
    ParameterError for an unknown name or a refused value, e.g. "parameter `window_months` =
    'abc' is not allowed: expected a whole number from 24 to 240".
    """
    if declared(stem) is None:
        return None
    s = spec(stem, name)
    value = _from_text_typed(s, text)
    check(stem, name, value)
    return value


def check_all(stem: str, values: dict) -> dict:
    """Every given parameter of notebook `stem` checked alone (`check`), then the rules that tie
    several together (e.g. notebook 04's what-if: maturing shares summing to at most 1 and one
    base rate per maturing year) when all the parameters of such a parser are given.

    `values`: {name: value} (e.g. a notebook's defaults updated with the command line).
    Returns {name: typed value}. LookupError when `stem` declares no parameters."""
    specs = _declared_or_fail(stem)
    out = {name: check(stem, name, value) for name, value in values.items()}
    for parser_name in sorted({s.parser for s in specs.values() if s.parser}):
        names = [n for n, s in specs.items() if s.parser == parser_name]
        if all(n in values for n in names) and PARSERS[parser_name].joint is not None:
            out.update(PARSERS[parser_name].joint({n: values[n] for n in names}))
    return out
