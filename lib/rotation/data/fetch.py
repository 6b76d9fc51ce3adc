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


def _validate(d: Dataset, path: Path) -> None:
    """The fetched file parses and reaches at least as far as the pinned snapshot's copy."""
    from . import loaders

    if d.parser == "famafrench":
        tables = loaders.parse_famafrench_text(d.series, path.read_bytes().decode("utf-8", "ignore"))
        last = max(t.index.max() for t in tables.values() if t.index.freqstr.startswith("M"))
        if str(last).replace("-", "") < d.last:
            raise FetchError(f"{d.id}: fetched file ends {last}, earlier than the snapshot's {d.last}")
        return
    if d.parser == "fred":
        s = loaders._fred_file.__wrapped__(str(path), "")
        if s.empty or s.index.max() < pd.Timestamp(d.last):
            raise FetchError(f"{d.id}: fetched series ends {s.index.max() if len(s) else 'empty'}, "
                             f"earlier than the snapshot's {d.last} (truncated download?)")
        return
    if d.parser == "shiller":
        df = loaders._shiller_file.__wrapped__(str(path), "")
        if str(df.index.max()) < d.last:
            raise FetchError(f"{d.id}: fetched Shiller data end {df.index.max()}, earlier than {d.last}")


def fetch(dest: Path | None = None, fred_url: str = FRED_URL, ff_url: str = FF_URL,
          shiller_url: str = SHILLER_URL, timeout: float = 30.0, progress=print) -> Path:
    """Rebuild the store from the providers; swap it in only when every file validated."""
    import requests

    dest = Path(dest or data_dir()).resolve()
    carry_from = dest if (dest / MANIFEST).exists() else default_snapshot()
    manifest = {"filled": datetime.now(timezone.utc).isoformat(timespec="seconds"), "source": "providers", "files": {}}
    datasets = catalog()
    with staging_for(dest, "fetch") as staging:
        shiller_xls = None
        for i, d in enumerate(datasets, 1):
            target = staging / d.file
            try:
                if d.parser == "famafrench":
                    _write(target, _FamaFrench(d.series, ff_url, timeout).raw_member())
                    origin = f"{ff_url}{d.series}_CSV.zip"
                elif d.parser == "fred":
                    _write(target, _fetch_fred(d, fred_url, timeout, d.first if d.splice_into else None))
                    origin = f"{fred_url}?id={d.series}"
                elif d.id in ("shiller_ie_data", "shiller_ie_data_xls"):
                    if shiller_xls is None:
                        resp = requests.get(shiller_url, timeout=timeout)
                        resp.raise_for_status()
                        shiller_xls = resp.content
                    payload = shiller_xls if d.file.endswith(".xls") else shiller_csv_from_xls(shiller_xls).encode()
                    _write(target, payload)
                    origin = shiller_url
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(carry_from / d.file, target)
                    origin = f"carried over from {carry_from} (no online reader)"
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
