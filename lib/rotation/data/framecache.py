"""The parsed-data cache: frames stored in a format made for arrays, never pickled.

A cache entry is an uncompressed NumPy `.npz` archive read with `allow_pickle=False`, so a
cache file can hold only numbers and text, never code. It holds a JSON header (what the
object is: a Series, a DataFrame or a dict of DataFrames; each frame's index kind — monthly or
annual periods, or dates — its names, columns and attrs) and one array per index and column.
Beside it, `<entry>.sha256` records the archive's own checksum when it is written; `read`
checks it before decoding. A missing, unreadable or mismatching entry is reported as
`CacheMiss` (with the reason), and the loader rebuilds it from the verified source file.

Supported objects are exactly what the parsers of `rotation.data.loaders` return: float or
integer columns, string column names, a PeriodIndex or DatetimeIndex, JSON-able attrs.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

SUFFIX = ".npz"
CACHE_DIR = ".cache"  # inside the store: one entry per parsed source file, keyed by its sha256


class CacheMiss(Exception):
    """A cache entry that cannot be used: missing, unreadable or not matching its checksum."""


def _index_header(index: pd.Index) -> tuple[dict, np.ndarray]:
    if isinstance(index, pd.PeriodIndex):
        return {"type": "period", "freq": index.freqstr, "name": index.name}, index.asi8.astype(np.int64)
    if isinstance(index, pd.DatetimeIndex):
        if index.tz is not None:
            raise TypeError("the frame cache stores timezone-naive dates only")
        return {"type": "datetime", "unit": index.unit, "name": index.name}, index.asi8.astype(np.int64)
    raise TypeError(f"the frame cache stores a PeriodIndex or DatetimeIndex, not {type(index).__name__}")


def _index_from(header: dict, values: np.ndarray) -> pd.Index:
    if header["type"] == "period":
        return pd.PeriodIndex.from_ordinals(values, freq=header["freq"], name=header["name"])
    return pd.DatetimeIndex(values.view(f"datetime64[{header['unit']}]"), name=header["name"])


def _frame_parts(frame: pd.DataFrame | pd.Series, key: str | None, n: int, arrays: dict) -> dict:
    is_series = isinstance(frame, pd.Series)
    df = frame.to_frame(name="__value__") if is_series else frame
    index_header, index_values = _index_header(df.index)
    arrays[f"i{n}"] = index_values
    columns = [str(c) for c in df.columns]
    if len(set(columns)) != len(columns) or any(not isinstance(c, str) for c in df.columns):
        raise TypeError("the frame cache stores frames with unique string column names")
    for j, c in enumerate(df.columns):
        col = df[c].to_numpy()
        if col.dtype.kind not in "fiub":
            raise TypeError(f"the frame cache stores numeric columns, not {col.dtype} ({c!r})")
        arrays[f"c{n}_{j}"] = col
    return {"key": key, "series": is_series, "name": frame.name if is_series else None, "index": index_header,
            "columns": columns, "attrs": dict(frame.attrs)}


def encode(obj) -> bytes:
    """The `.npz` bytes of a Series, a DataFrame or a dict of DataFrames (see module doc)."""
    arrays: dict[str, np.ndarray] = {}
    if isinstance(obj, dict):
        items = [_frame_parts(v, str(k), n, arrays) for n, (k, v) in enumerate(obj.items())]
        kind = "dict"
    elif isinstance(obj, (pd.Series, pd.DataFrame)):
        items, kind = [_frame_parts(obj, None, 0, arrays)], "single"
    else:
        raise TypeError(f"the frame cache stores frames, not {type(obj).__name__}")
    header = json.dumps({"kind": kind, "items": items}).encode("utf-8")
    arrays["header"] = np.frombuffer(header, dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def decode(blob: bytes):
    """The object `encode` stored; never unpickles (`allow_pickle=False`)."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        header = json.loads(z["header"].tobytes().decode("utf-8"))
        out = {}
        for n, item in enumerate(header["items"]):
            index = _index_from(item["index"], z[f"i{n}"])
            data = {c: z[f"c{n}_{j}"] for j, c in enumerate(item["columns"])}
            frame = pd.DataFrame(data, index=index, columns=item["columns"])
            if item["series"]:
                frame = frame["__value__"].rename(item["name"])
            frame.attrs = item["attrs"]
            out[item["key"]] = frame
    return out if header["kind"] == "dict" else out[None]


def checksum_path(entry: Path) -> Path:
    return entry.with_name(entry.name + ".sha256")


def read(entry: Path):
    """The object cached in `entry`, after checking the archive against its recorded sha256.
    Raises CacheMiss (with the reason) when it is missing, unreadable or does not match."""
    try:
        blob = entry.read_bytes()
    except FileNotFoundError:
        raise CacheMiss(f"{entry} is not cached yet") from None
    except OSError as exc:
        raise CacheMiss(f"{entry} cannot be read ({exc.strerror})") from None
    try:
        recorded = checksum_path(entry).read_text().strip()
    except OSError:
        raise CacheMiss(f"{entry} has no readable recorded checksum") from None
    if hashlib.sha256(blob).hexdigest() != recorded:
        raise CacheMiss(f"{entry} does not match its recorded sha256")
    try:
        return decode(blob)
    except (ValueError, KeyError, TypeError, OSError, json.JSONDecodeError) as exc:
        raise CacheMiss(f"{entry} cannot be decoded ({type(exc).__name__})") from None


def write(entry: Path, obj) -> None:
    """Store `obj` in `entry` and its sha256 beside it; each file written atomically (temp
    file, then rename), the checksum last, so a half-written entry never matches."""
    blob = encode(obj)
    entry.parent.mkdir(exist_ok=True)
    for target, payload in ((entry, blob), (checksum_path(entry), hashlib.sha256(blob).hexdigest().encode())):
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def problems(folder: Path) -> list[str]:
    """Cache entries in `folder` that would not be used (mismatching, unreadable, or without a
    checksum): each is rebuilt from its verified source on the next load."""
    out = []
    if not folder.is_dir():
        return out
    for entry in sorted(folder.glob(f"*{SUFFIX}")):
        try:
            read(entry)
        except CacheMiss as exc:
            out.append(f"cache file {exc} (rebuilt from its verified source on the next load)")
    for stale in sorted(folder.glob("*.pkl")):
        out.append(f"cache file {stale} is an old pickled entry and is never read (delete it)")
    return out
