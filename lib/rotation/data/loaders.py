"""Parsers for every dataset of the store. Each file is checked and parsed once per process.

Units (documented once, converted once, here):
* Fama-French return tables are converted from percent to decimals per period; other tables
  (number of firms, average firm size in $ millions, BE/ME, OP, E/P ratios) are as published.
  -99.99 and -999 become NaN.
* FRED series are in the provider's units (percent per year for rates, percentage points for
  spreads, index levels for prices); blanks and "." are missing and dropped, so a series holds
  observations only (a hole such as the unpublished October 2025 CPI stays a hole).
* Prices are adjusted closes in dollars (ETFs) or index points (^RUT, ^GSPC).
* Shiller and Goyal-Welch are monthly frames with a monthly PeriodIndex.
"""
from __future__ import annotations

import functools
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from pandas_datareader.famafrench import FamaFrenchReader

from . import availability, framecache
from .catalog import Dataset, catalog, dataset, turning_points_file
from .store import checked_path

FF_MISSING = (-99.99, -999.0)


class CacheRebuilt(UserWarning):
    """A parsed-data cache entry was unusable (corrupt or tampered with) and was rebuilt from its verified source."""


def disk_cached(kind: str):
    """Cache a parser's result on disk under `<store>/.cache/<kind>-<sha256>.npz`
    (`framecache`: arrays and a JSON header, never pickle, with its own sha256 beside it).

    The key is the source file's checksum, so an edited or refreshed file is parsed anew. A
    cache entry that is unreadable or does not match its recorded checksum is rebuilt from the
    verified source with a one-line warning naming it. Writes are atomic (temp file, rename).
    Set ROTATION_NO_DISK_CACHE=1 to bypass it (the benchmark does, to time real parsing).
    """

    def wrap(fn):
        @functools.wraps(fn)
        def inner(path: str, sha: str, *args):
            if not sha or os.environ.get("ROTATION_NO_DISK_CACHE"):
                return fn(path, sha, *args)
            folder = Path(path).parent
            while folder.parent != folder and not (folder / "manifest.json").exists():
                folder = folder.parent
            entry = folder / framecache.CACHE_DIR / f"{kind}-{sha}{framecache.SUFFIX}"
            try:
                return framecache.read(entry)
            except framecache.CacheMiss as miss:
                if entry.exists():
                    warnings.warn(f"rebuilding the parsed-data cache: {miss}", CacheRebuilt, stacklevel=2)
            result = fn(path, sha, *args)
            try:
                framecache.write(entry, result)
                entry.with_suffix(".pkl").unlink(missing_ok=True)  # the pickled entry of earlier versions, never read
            except OSError:
                pass  # a read-only store still works, only slower
            return result

        inner.__wrapped__ = fn
        return inner

    return wrap


class _LocalFamaFrenchReader(FamaFrenchReader):
    """pandas-datareader's Fama-French reader fed from a local CSV (or downloaded zip) text.

    The same `_read_one_data` parser serves local and online reads.
    """

    def __init__(self, name: str, text: str):
        super().__init__(symbols=name, start="1900-01-01", end="2200-12-31")
        self._text = text

    def _read_zipfile(self, url):  # noqa: D401 - pandas-datareader hook
        return self._text


_DESCR_LINE = re.compile(r"^\s*(\d+)\s:\s(.*)\s\(\d+ rows x \d+ cols\)\s*$")


def parse_famafrench_text(name: str, text: str) -> dict[str, pd.DataFrame]:
    """Parse a Fama-French library file into {table title: raw DataFrame}.

    Titles are whitespace-normalised; an untitled table is called "" (the monthly factors table
    of the factor files).
    """
    raw = _LocalFamaFrenchReader(name, text)._read_one_data(None, None)
    titles = {}
    for line in raw["DESCR"].splitlines():
        m = _DESCR_LINE.match(line)
        if m:
            titles[int(m.group(1))] = " ".join(m.group(2).split())
    line_untitled = [ln for ln in raw["DESCR"].splitlines() if re.match(r"^\s*\d+\s:\s\(\d+ rows", ln)]
    for ln in line_untitled:
        titles[int(ln.split(":")[0])] = ""
    tables = {}
    for i, df in raw.items():
        if i == "DESCR":
            continue
        df = df.copy()
        df.columns = [str(c).strip() for c in df.columns]
        df = df.apply(pd.to_numeric, errors="coerce").astype(float)
        df = df.mask(df.isin(FF_MISSING))
        df.index.name = "period"
        tables[titles[i]] = df
    return tables


@lru_cache(maxsize=None)
@disk_cached("ff")
def _famafrench_tables(path: str, sha: str, name: str) -> dict[str, pd.DataFrame]:
    text = Path(path).read_bytes().decode("utf-8", "ignore")
    return parse_famafrench_text(name, text)


def _ff_tables(dataset_id: str) -> dict[str, pd.DataFrame]:
    d = dataset(dataset_id)
    p, sha = _checked(d)
    return _famafrench_tables(str(p), sha, d.series)


def famafrench_titles(dataset_id: str) -> list[str]:
    """Titles of the tables in a Fama-French file, in file order."""
    return list(_ff_tables(dataset_id))


def _is_return_table(title: str) -> bool:
    return "Returns" in title or title in ("", "Annual Factors: January-December")


def famafrench_table(dataset_id: str, title: str) -> pd.DataFrame:
    """One table of a Fama-French file, picked by its title, never by position.

    `title` must equal a table title or be a substring of exactly one (case-insensitive).
    Return tables come back in decimals per period (monthly or annual); others as published.
    The index is a PeriodIndex (monthly "M" or annual "Y") named `period`.
    """
    tables = _ff_tables(dataset_id)
    if title in tables:
        key = title
    else:
        hits = [t for t in tables if title.lower() in t.lower()]
        if len(hits) != 1:
            listing = "\n  ".join(repr(t) for t in tables)
            what = "no table" if not hits else f"{len(hits)} tables"
            raise KeyError(f"{what} of {dataset_id} match title {title!r}; titles are:\n  {listing}")
        key = hits[0]
    df = tables[key].copy()
    if _is_return_table(key):
        df = df / 100.0
    df.attrs = {"dataset": dataset_id, "table": key,
                "units": "decimal return per period" if _is_return_table(key) else "as published"}
    return _published_ff(df, dataset(dataset_id), _is_return_table(key))


def _published_ff(df: pd.DataFrame, d: Dataset, is_return: bool) -> pd.DataFrame:
    """A Fama-French table cut at the data cutoff: monthly rows by their month, annual return
    tables by their December, annual characteristic tables (formed in June of year Y) by July Y."""
    when = availability.current_cutoff()
    if when is None:
        return df
    rule = d.publication
    if df.index.freqstr.startswith("M") or is_return:
        return availability.published(df, rule, when)
    keep = availability.release_dates(availability.formation_anchor(df.index), rule) <= when
    out = df[np.asarray(keep)]
    out.attrs = dict(df.attrs)
    return out


@lru_cache(maxsize=None)
@disk_cached("fred")
def _fred_file(path: str, sha: str) -> pd.Series:
    df = pd.read_csv(path, na_values=["."], keep_default_na=True)
    date_col, value_col = df.columns[0], df.columns[1]
    s = pd.Series(pd.to_numeric(df[value_col], errors="coerce").to_numpy(dtype=float),
                  index=pd.DatetimeIndex(pd.to_datetime(df[date_col], format="%Y-%m-%d"), name="date"))
    return s.dropna().sort_index()


def splice_newer_wins(history: pd.Series, recent: pd.Series) -> pd.Series:
    """Join two copies of one series: on dates both hold, the newer file's value wins."""
    out = recent.combine_first(history).sort_index()
    return out[~out.index.duplicated(keep="last")]


def _published(obj, d: Dataset):
    """`obj` cut at the data cutoff by dataset `d`'s publication rule (unchanged without a cutoff)."""
    when = availability.current_cutoff()
    return obj if when is None else availability.published(obj, d.publication, when)


def fred_series(series_id: str) -> pd.Series:
    """A FRED series by id, in the provider's units, observations only (missing dropped).

    When the catalogue has a newer copy (`fred_<ID>_recent`), the two are spliced, newer wins;
    `attrs["splice_from"]` gives the first date of the newer file. Under a data cutoff only the
    observations published by then are returned, and USREC holds only the recessions NBER had
    announced by then (`availability.recessions_known_at`).
    """
    d = dataset(f"fred_{series_id}")
    hist = _fred_file(*map(str, _checked(d)))
    attrs = {"dataset": d.id, "series": series_id, "units": d.units, "splice_from": None}
    recent_ds = [r for r in catalog() if r.splice_into == d.id]
    out = hist
    for r in recent_ds:
        rec = _fred_file(*map(str, _checked(r)))
        out = splice_newer_wins(out, rec)
        attrs["splice_from"] = str(rec.index.min().date())
        attrs["dataset"] += f"+{r.id}"
    out = out.copy()
    out.name = series_id
    out.attrs = attrs
    out = _published(out, d)
    when = availability.current_cutoff()
    if when is not None and d.publication.announcements:
        points = availability._turning_points_cached(str(turning_points_file()))
        out = availability.recessions_known_at(out, points, when)
    return out


def fred_parts(series_id: str) -> tuple[pd.Series, pd.Series | None]:
    """The history file and the newer copy (None when there is none) of a FRED series, unspliced."""
    d = dataset(f"fred_{series_id}")
    hist = _published(_fred_file(*map(str, _checked(d))), d)
    recent = [r for r in catalog() if r.splice_into == d.id]
    return hist.copy(), (_published(_fred_file(*map(str, _checked(recent[0]))), d).copy() if recent else None)


@lru_cache(maxsize=None)
@disk_cached("price")
def _price_file(path: str, sha: str) -> pd.DataFrame:
    df = pd.read_csv(path)
    df["Date"] = pd.to_datetime(df["Date"].str.slice(0, 10), format="%Y-%m-%d")
    df = df.set_index("Date").sort_index()
    df.index.name = "date"
    return df.apply(pd.to_numeric, errors="coerce")


def price_frame(ticker: str) -> pd.DataFrame:
    """Daily OHLC(V) of an ETF or index from the snapshot (ETF closes split- and dividend-adjusted)."""
    d = dataset(f"price_{ticker}")
    return _published(_price_file(*map(str, _checked(d))), d).copy()


def close_prices(ticker: str) -> pd.Series:
    """Daily close of `ticker` (dollars, adjusted, for ETFs; index points for ^RUT and ^GSPC).

    Ends on the file's last row: nothing is forward-filled.
    """
    df = price_frame(ticker)
    col = "Close" if "Close" in df.columns else df.columns[-1]
    s = df[col].dropna()
    s.name = ticker
    s.attrs = {"dataset": f"price_{ticker}", "units": dataset(f"price_{ticker}").units}
    return s


@lru_cache(maxsize=None)
@disk_cached("shiller")
def _shiller_file(path: str, sha: str) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"date": str})
    df.index = pd.PeriodIndex(df.pop("date"), freq="M", name="period")
    return df.apply(pd.to_numeric, errors="coerce")


def shiller() -> pd.DataFrame:
    """Shiller `ie_data`, monthly: P (S&P composite, monthly average of daily closes), D and E
    (dollars per share, trailing 12 months), CPI, GS10 (percent per year), CAPE (ratio).
    Earnings are blank after the last reported quarter (not zero)."""
    d = dataset("shiller_ie_data")
    return _published(_shiller_file(*map(str, _checked(d))), d).copy()


@lru_cache(maxsize=None)
@disk_cached("gw")
def _goyal_welch_file(path: str, sha: str) -> pd.DataFrame:
    df = pd.read_csv(path, thousands=",", na_values=["NaN"], dtype={"yyyymm": str})
    df.index = pd.PeriodIndex(pd.to_datetime(df.pop("yyyymm"), format="%Y%m"), freq="M", name="period")
    return df.astype(float)


def goyal_welch() -> pd.DataFrame:
    """Goyal-Welch monthly predictors: Index (S&P level), D12, E12, b/m, and yields `tbl`,
    `AAA`, `BAA`, `lty` as decimals per year (0.05 = 5%)."""
    d = dataset("goyal_welch_monthly")
    return _published(_goyal_welch_file(*map(str, _checked(d))), d).copy()


@lru_cache(maxsize=None)
def _checked_cached(file: str, key: tuple) -> tuple[Path, str]:
    return checked_path(dataset_by_file(file))


def dataset_by_file(file: str) -> Dataset:
    for d in catalog():
        if d.file == file:
            return d
    raise KeyError(file)


def _checked(d: Dataset) -> tuple[Path, str]:
    """Verified path and sha256, checked once per process per file version (mtime, size)."""
    from .catalog import data_dir

    p = data_dir() / d.file
    try:
        st = p.stat()
        key = (str(p), st.st_mtime_ns, st.st_size)
    except FileNotFoundError:
        key = (str(p), None, None)
    if key[1] is None:
        return checked_path(d)  # raises DataStoreMissing with the fix
    return _checked_cached(d.file, key)


def clear_caches() -> None:
    """Forget every parsed file (for benchmarks of cold loads and for tests)."""
    for f in (_famafrench_tables, _fred_file, _price_file, _shiller_file, _goyal_welch_file, _checked_cached):
        f.cache_clear()


# ------------------------------------------------------------------ the parser registry

def _first_of_month(index: pd.PeriodIndex) -> pd.DatetimeIndex:
    return index.to_timestamp(how="start")


def _ff_observations(d: Dataset) -> pd.Series:
    first = famafrench_table(d.id, next(iter(_ff_tables(d.id))))
    observed = first.notna().any(axis=1)
    return pd.Series(1.0, index=_first_of_month(observed[observed].index))


def _column_observations(frame: pd.DataFrame, column: str) -> pd.Series:
    s = frame[column].dropna()
    return pd.Series(s.to_numpy(), index=_first_of_month(s.index))


def _ff_file_last(path: str, d: Dataset) -> pd.Timestamp:
    tables = parse_famafrench_text(d.series, Path(path).read_bytes().decode("utf-8", "ignore"))
    return max(t.index.max() for t in tables.values() if t.index.freqstr.startswith("M")).to_timestamp(how="start")


def _series_last(s) -> pd.Timestamp | None:
    return None if len(s) == 0 else s.index.max()


@dataclass(frozen=True)
class Parser:
    """What the data layer does with one kind of source file (`parser:` in seeds/sources.yml).

    load          the dataset as published by the cutoff (None: no object of its own, e.g. a
                  FRED file spliced into another one)
    observations  its own observations as a Series dated by observation (monthly data on the
                  month's first day); empty when nothing is published by the cutoff
    coverage      the series whose span is the dataset's coverage (FRED: spliced with its newer copy)
    file_last     the last observation date of a file at `path` parsed afresh (no cache): how a
                  fetched file is validated; None where no online reader exists
    monthly_gaps  coverage lists the months inside the span that were never published
    """
    load: Callable[[Dataset], object | None]
    observations: Callable[[Dataset], pd.Series]
    coverage: Callable[[Dataset], pd.Series]
    file_last: Callable[[str, Dataset], pd.Timestamp | None] | None = None
    monthly_gaps: bool = False


def _fred_own(d: Dataset) -> pd.Series:
    return _published(_fred_file(*map(str, _checked(d))), d)


PARSERS: dict[str, Parser] = {
    "famafrench": Parser(load=lambda d: _ff_tables(d.id), observations=_ff_observations, coverage=_ff_observations,
                         file_last=_ff_file_last),
    "fred": Parser(load=lambda d: None if d.splice_into else fred_series(d.series), observations=_fred_own,
                   coverage=lambda d: fred_series(d.series),
                   file_last=lambda path, d: _series_last(_fred_file.__wrapped__(path, "")), monthly_gaps=True),
    "price": Parser(load=lambda d: close_prices(d.series), observations=lambda d: close_prices(d.series),
                    coverage=lambda d: close_prices(d.series)),
    "shiller": Parser(load=lambda d: shiller(), observations=lambda d: _column_observations(shiller(), "P"),
                      coverage=lambda d: _column_observations(shiller(), "P"),
                      file_last=lambda path, d: _first_of_month(_shiller_file.__wrapped__(path, "").index).max()),
    "goyal_welch": Parser(load=lambda d: goyal_welch(), observations=lambda d: _column_observations(goyal_welch(), "Index"),
                          coverage=lambda d: _column_observations(goyal_welch(), "Index")),
    "none": Parser(load=lambda d: None, observations=lambda d: pd.Series(dtype=float),
                   coverage=lambda d: pd.Series(dtype=float)),
}


def parser_for(d: Dataset) -> Parser:
    """The registry entry of dataset `d`'s kind; a named error for a kind the registry lacks."""
    try:
        return PARSERS[d.parser]
    except KeyError:
        raise KeyError(f"dataset {d.id}: unknown parser {d.parser!r} in seeds/sources.yml; known: {', '.join(PARSERS)}") from None


def load_all() -> dict[str, object]:
    """Parse every dataset of the catalogue once (used by `make bench` and the overview)."""
    loaded = {d.id: parser_for(d).load(d) for d in catalog()}
    return {k: v for k, v in loaded.items() if v is not None}


__all__ = ["famafrench_table", "famafrench_titles", "fred_series", "fred_parts", "price_frame", "close_prices",
           "shiller", "goyal_welch", "splice_newer_wins", "parse_famafrench_text", "clear_caches",
           "load_all", "PARSERS", "Parser", "parser_for"]
