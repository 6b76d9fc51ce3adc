"""The parsed-data cache (issue 15): frames in arrays and JSON, never pickle; a checksum recorded
on write and checked on read; a damaged entry is rebuilt from the verified source with a warning."""
import hashlib
import io
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rotation import data
from rotation.data import framecache, loaders

ROOT = Path(__file__).resolve().parents[1]


def hand_made():
    monthly = pd.DataFrame({"Lo 10": [0.01, -0.02, np.nan], "Hi 10": [0.03, 0.0, 0.5]},
                           index=pd.period_range("2025-10", periods=3, freq="M", name="period"))
    annual = pd.DataFrame({"x": [1.5, 2.5]}, index=pd.PeriodIndex(["2024", "2025"], freq="Y"))
    daily = pd.Series([4.1, np.nan, 4.3], index=pd.to_datetime(["2025-12-30", "2025-12-31", "2026-01-02"]), name="DGS10")
    daily.attrs = {"dataset": "fred_DGS10", "units": "percent per year", "splice_from": None}
    prices = pd.DataFrame({"Close": [1.0, 2.0], "Volume": np.array([10, 20], dtype=np.int64)},
                          index=pd.DatetimeIndex(["2026-01-02", "2026-01-05"], name="date"))
    return monthly, annual, daily, prices


def test_round_trip_keeps_values_index_kinds_dtypes_names_and_attrs():
    monthly, annual, daily, prices = hand_made()
    back = framecache.decode(framecache.encode({"Average Value Weight Returns -- Monthly": monthly, "Annual": annual}))
    assert list(back) == ["Average Value Weight Returns -- Monthly", "Annual"]
    pd.testing.assert_frame_equal(back["Average Value Weight Returns -- Monthly"], monthly)
    pd.testing.assert_frame_equal(back["Annual"], annual)
    s = framecache.decode(framecache.encode(daily))
    pd.testing.assert_series_equal(s, daily)
    assert s.attrs == daily.attrs
    p = framecache.decode(framecache.encode(prices))
    pd.testing.assert_frame_equal(p, prices)
    assert p["Volume"].dtype == np.int64


def test_refuses_what_it_cannot_store_without_pickle():
    with pytest.raises(TypeError, match="numeric columns"):
        framecache.encode(pd.DataFrame({"a": ["x", "y"]}, index=pd.period_range("2025-01", periods=2, freq="M")))
    with pytest.raises(TypeError, match="PeriodIndex or DatetimeIndex"):
        framecache.encode(pd.Series([1.0, 2.0]))


def test_an_archive_holding_a_pickled_object_is_never_unpickled(tmp_path):
    header = json.dumps({"kind": "single", "items": [{"key": None, "series": True, "name": "x", "attrs": {},
                                                        "index": {"type": "datetime", "unit": "ns", "name": None}, "columns": ["__value__"]}]})
    buf = io.BytesIO()
    np.savez(buf, header=np.frombuffer(header.encode(), dtype=np.uint8), i0=np.array([0], dtype=np.int64),
             c0_0=np.array([{"code": "would run on unpickling"}], dtype=object))
    entry = tmp_path / "fred-x.npz"
    entry.write_bytes(buf.getvalue())
    (tmp_path / "fred-x.npz.sha256").write_text(hashlib.sha256(buf.getvalue()).hexdigest())  # a matching checksum
    with pytest.raises(framecache.CacheMiss, match="cannot be decoded"):
        framecache.read(entry)


def test_the_data_layer_never_imports_pickle():
    for path in (ROOT / "lib" / "rotation" / "data").glob("*.py"):
        assert not re.search(r"^\s*(import pickle|from pickle)", path.read_text(), re.M), path.name


def test_cached_loads_equal_fresh_parses(isolated_store, monkeypatch):
    first = loaders.load_all()  # parses and writes every entry
    data.clear_caches()
    cached = loaders.load_all()  # from the cache
    data.clear_caches()
    monkeypatch.setenv("ROTATION_NO_DISK_CACHE", "1")
    fresh = loaders.load_all()
    assert set(cached) == set(fresh) == set(first)
    for name, obj in fresh.items():
        got = cached[name]
        if isinstance(obj, dict):
            assert list(got) == list(obj)
            for k in obj:
                pd.testing.assert_frame_equal(got[k], obj[k])
        elif isinstance(obj, pd.Series):
            pd.testing.assert_series_equal(got, obj)
        elif isinstance(obj, pd.DataFrame):
            pd.testing.assert_frame_equal(got, obj)


def _one_entry(store: Path, kind: str) -> Path:
    return sorted((store / framecache.CACHE_DIR).glob(f"{kind}-*.npz"))[0]


def test_a_tampered_entry_is_reported_rebuilt_and_never_believed(isolated_store):
    dgs2 = data.fred_series("DGS2")  # fills the cache
    _, sha = loaders._checked(data.dataset("fred_DGS2"))
    entry = isolated_store / framecache.CACHE_DIR / f"fred-{sha}.npz"  # keyed by the source file's sha256
    raw = framecache.decode(entry.read_bytes())
    forged = raw.copy()
    forged.iloc[-1] = 99.0
    entry.write_bytes(framecache.encode(forged))  # a changed value, the recorded checksum left as it was
    assert any(str(entry) in p and "does not match its recorded sha256" in p for p in data.verify_store(isolated_store, cache=True))
    data.clear_caches()
    with pytest.warns(loaders.CacheRebuilt, match=re.escape(str(entry))):
        again = data.fred_series("DGS2")
    assert again.iloc[-1] == dgs2.iloc[-1] != 99.0
    assert data.verify_store(isolated_store, cache=True) == []  # rebuilt: the store and its cache verify again
    assert data.verify_store(isolated_store) == []  # the files themselves were never in question


@pytest.mark.parametrize("damage", [b"garbage", b""])
def test_garbage_or_empty_entries_are_rebuilt_with_one_warning(isolated_store, damage):
    expected = data.famafrench_table("ff_portfolios_me", "Number of Firms in Portfolios")
    for entry in (isolated_store / framecache.CACHE_DIR).glob("ff-*.npz"):
        entry.write_bytes(damage)
    data.clear_caches()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        got = data.famafrench_table("ff_portfolios_me", "Number of Firms in Portfolios")
    pd.testing.assert_frame_equal(got, expected)
    rebuilt = [w for w in seen if issubclass(w.category, loaders.CacheRebuilt)]
    assert len(rebuilt) == 1 and "ff-" in str(rebuilt[0].message)


def test_a_missing_checksum_is_reported_and_an_old_pickle_is_never_read(isolated_store):
    data.fred_series("DGS2")
    entry = _one_entry(isolated_store, "fred")
    framecache.checksum_path(entry).unlink()
    (isolated_store / framecache.CACHE_DIR / "fred-old.pkl").write_bytes(b"\x80\x04not read")
    problems = data.verify_store(isolated_store, cache=True)
    assert any("has no readable recorded checksum" in p for p in problems)
    assert any("fred-old.pkl" in p and "never read" in p for p in problems)
