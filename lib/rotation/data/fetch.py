"""`rotation data fetch`: rebuild the store from the providers, all or nothing.

FRED and Fama-French go through pandas-datareader's readers (their URLs can be pointed at
a mirror, which the tests use); Shiller's workbook is fetched over HTTP and its Data sheet
exported to the snapshot's CSV layout. ETF prices and the Goyal-Welch file have no
maintained free reader: they are carried over from the current store.

Everything is written into a staging folder and validated (each file parses, and no series
ends earlier than the pinned snapshot's copy); only then is the staging folder swapped in.
On any failure `data/` is left exactly as it was.
"""
from __future__ import annotations

import io
import shutil
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from pandas_datareader.famafrench import FamaFrenchReader
from pandas_datareader.fred import FredReader

from .catalog import Dataset, catalog, data_dir, default_snapshot
from .errors import FetchError
from .store import MANIFEST, publish_staging, sha256_of, staging_for

FRED_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
FF_URL = "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/"
SHILLER_URL = "https://img1.wsimg.com/blobby/go/e5e77e0b-59d1-44d9-ab25-4763ac982e53/downloads/ie_data.xls"

SHILLER_COLUMNS = ["date", "P", "D", "E", "CPI", "date_fraction", "GS10", "real_price", "real_dividend",
                   "real_tr_price", "real_earnings", "real_tr_scaled_earnings", "CAPE", "TR_CAPE",
                   "excess_CAPE_yield", "monthly_total_bond_return", "real_total_bond_return",
                   "fwd10y_ann_stock_real_return", "fwd10y_ann_bond_real_return", "fwd10y_real_excess_ann_return"]


class _Fred(FredReader):
    def __init__(self, symbol, base_url, timeout):
        super().__init__(symbols=symbol, start="1800-01-01", end="2200-12-31", timeout=timeout, retry_count=1)
        self._base = base_url

    @property
    def url(self):
        return self._base


class _FamaFrench(FamaFrenchReader):
    def __init__(self, name, base_url, timeout):
        super().__init__(symbols=name, start="1800-01-01", end="2200-12-31", timeout=timeout, retry_count=1)
        self._base = base_url

    @property
    def url(self):
        return f"{self._base}{self.symbols}_CSV.zip"

    def raw_member(self) -> bytes:
        """The CSV inside the provider's zip, byte for byte."""
        payload = self._get_response(self.url).content
        with zipfile.ZipFile(io.BytesIO(payload)) as zf:
            return zf.read(zf.namelist()[0])


def shiller_csv_from_xls(xls_bytes: bytes) -> str:
    """Export the Data sheet of Shiller's ie_data.xls to the snapshot's CSV layout.

    The sheet's two blank spacer columns are dropped; dates like 1871.1 (October) become 1871-10.
    """
    sheet = pd.read_excel(io.BytesIO(xls_bytes), sheet_name="Data", header=None, skiprows=8, engine="calamine")
    sheet = sheet[pd.to_numeric(sheet[0], errors="coerce").notna()]
    keep = [c for c in sheet.columns if c not in (13, 15)][: len(SHILLER_COLUMNS)]
    out = sheet[keep].copy()
    out.columns = SHILLER_COLUMNS[: len(keep)]
    out["date"] = [f"{float(v):.2f}".replace(".", "-") for v in out["date"]]
    return out.to_csv(index=False, lineterminator="\n")


def _write(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)


def _fetch_fred(d: Dataset, fred_url: str, timeout: float, since: str | None) -> bytes:
    df = _Fred(d.series, fred_url, timeout).read()
    s = df.iloc[:, 0]
    if since:
        s = s[s.index >= pd.Timestamp(since)]
    text = "date,value\n" + "".join(f"{i.date()},{'' if pd.isna(v) else repr(float(v))}\n" for i, v in s.items())
    return text.encode()


def _manifest_date(text: str) -> pd.Timestamp:
    """A manifest `first`/`last` field as a date: YYYYMM and YYYY-MM mean the month's first day."""
    text = str(text)
    return pd.Timestamp(f"{text[:4]}-{text[4:6]}-01") if text.isdigit() and len(text) == 6 else pd.Timestamp(text)


def _validate(d: Dataset, path: Path) -> None:
    """The fetched file parses (`loaders.parser_for(d).file_last`) and reaches at least as far
    as the pinned snapshot's copy."""
    from . import loaders

    file_last = loaders.parser_for(d).file_last
    if file_last is None:
        return
    last = file_last(str(path), d)
    if last is None or last < _manifest_date(d.last):
        raise FetchError(f"{d.id}: fetched file ends {'empty' if last is None else last.date()}, earlier than the "
                         f"snapshot's {d.last} (truncated download?)")


def _download_famafrench(d: Dataset, target: Path, ctx: dict) -> str:
    _write(target, _FamaFrench(d.series, ctx["ff_url"], ctx["timeout"]).raw_member())
    return f"{ctx['ff_url']}{d.series}_CSV.zip"


def _download_fred(d: Dataset, target: Path, ctx: dict) -> str:
    _write(target, _fetch_fred(d, ctx["fred_url"], ctx["timeout"], d.first if d.splice_into else None))
    return f"{ctx['fred_url']}?id={d.series}"


def _download_shiller(d: Dataset, target: Path, ctx: dict) -> str:
    """Shiller's workbook, downloaded once per fetch: stored as is (.xls) and as the CSV of its data sheet."""
    if "shiller_xls" not in ctx:
        resp = ctx["requests"].get(ctx["shiller_url"], timeout=ctx["timeout"])
        resp.raise_for_status()
        ctx["shiller_xls"] = resp.content
    _write(target, ctx["shiller_xls"] if d.file.endswith(".xls") else shiller_csv_from_xls(ctx["shiller_xls"]).encode())
    return ctx["shiller_url"]


def _carry_over(d: Dataset, target: Path, ctx: dict) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ctx["carry_from"] / d.file, target)
    return f"carried over from {ctx['carry_from']} (no online reader)"


DOWNLOADERS = {"famafrench": _download_famafrench, "fred": _download_fred}  # by parser kind; others are carried over
SHILLER_IDS = ("shiller_ie_data", "shiller_ie_data_xls")  # one workbook, two files


def downloader_for(d: Dataset):
    """How `fetch` obtains dataset `d`: its provider's reader, or a copy of the current file."""
    return _download_shiller if d.id in SHILLER_IDS else DOWNLOADERS.get(d.parser, _carry_over)


def fetch(dest: Path | None = None, fred_url: str = FRED_URL, ff_url: str = FF_URL,
          shiller_url: str = SHILLER_URL, timeout: float = 30.0, progress=print) -> Path:
    """Rebuild the store from the providers; swap it in only when every file validated."""
    import requests

    dest = Path(dest or data_dir()).resolve()
    carry_from = dest if (dest / MANIFEST).exists() else default_snapshot()
    manifest = {"filled": datetime.now(timezone.utc).isoformat(timespec="seconds"), "source": "providers", "files": {}}
    datasets = catalog()
    ctx = {"fred_url": fred_url, "ff_url": ff_url, "shiller_url": shiller_url, "timeout": timeout, "carry_from": carry_from,
           "requests": requests}
    with staging_for(dest, "fetch") as staging:
        for i, d in enumerate(datasets, 1):
            target = staging / d.file
            try:
                origin = downloader_for(d)(d, target, ctx)
                _validate(d, target)
            except FetchError:
                raise
            except Exception as exc:
                raise FetchError(f"fetching {d.id} ({d.file}) failed: {type(exc).__name__}: {exc}; "
                                 f"the store {dest} was left unchanged") from exc
            manifest["files"][d.id] = {"file": d.file, "sha256": sha256_of(target), "origin": origin, "vintage": "fetched"}
            progress(f"[{i}/{len(datasets)}] {d.id}: ok")
        publish_staging(staging, dest, manifest)
    progress(f"fetched {len(datasets)} datasets into {dest}")
    return dest
