"""Data tests: checksums, parsing of every file, coverage, and the traps of DESIGN.md."""
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rotation import data, overview
from rotation.data import loaders
from rotation.data.store import sha256_of

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_store_verified(store):
    assert data.verify_store() == []
    for d in data.catalog():
        assert sha256_of(store / d.file) == d.sha256, d.file


def test_every_dataset_parses(store):
    loaded = data.load_all()
    assert set(loaded) >= {d.id for d in data.catalog() if d.parser not in ("none",) and not d.splice_into}
    for key, obj in loaded.items():
        assert len(obj) > 0, key


def test_famafrench_by_title_and_units(store):
    vw = data.famafrench_table("ff_portfolios_me", "Average Value Weight Returns -- Monthly")
    # first data row of the raw file, read independently of the parser
    raw = (store / "famafrench/Portfolios_Formed_on_ME.CSV").read_text(errors="ignore").splitlines()
    header = next(i for i, ln in enumerate(raw) if ln.startswith(",<= 0"))
    cols = [c.strip() for c in raw[header].split(",")]
    first = [c.strip() for c in raw[header + 1].split(",")]
    assert first[0] == "192607"
    assert vw.loc[pd.Period("1926-07", "M"), "Lo 30"] == pytest.approx(float(first[cols.index("Lo 30")]) / 100)
    assert vw.attrs["units"] == "decimal return per period"
    assert vw["<= 0"].isna().all()  # -99.99 became NaN
    firms = data.famafrench_table("ff_portfolios_me", "Number of Firms")
    assert firms.attrs["units"] == "as published" and firms.loc["2025-12", "Hi 10"] > 100
    # positions are never used: ambiguous or unknown titles fail with the list of titles
    with pytest.raises(KeyError, match="Average Firm Size"):
        data.famafrench_table("ff_portfolios_me", "Weight Returns")
    with pytest.raises(KeyError, match="no table"):
        data.famafrench_table("ff_portfolios_me", "Sum of BE")


def test_famafrench_missing_codes_on_hand_made_file():
    tables = loaders.parse_famafrench_text("tiny", (FIXTURES / "tiny_ff.CSV").read_bytes().decode())
    vw = tables["Average Value Weight Returns -- Monthly"]
    assert np.isnan(vw.loc["2024-01", "Hi 30"]) and np.isnan(vw.loc["2024-03", "Lo 30"])
    assert vw.loc["2024-02", "Med 40"] == -1.25  # raw table still in percent
    assert tables["Number of Firms in Portfolios"].loc["2024-02", "Lo 30"] == 310


def test_fred_header_variants_and_missing(store):
    assert data.fred_series("DGS2").index.name == "date"          # date,value
    assert data.fred_series("EFFR").index.min() == pd.Timestamp("2000-07-03")  # Date,Value
    usrec = data.fred_series("USREC")                              # observation_date,USREC
    assert set(usrec.unique()) == {0.0, 1.0}
    assert data.fred_series("AAA").index.max() == pd.Timestamp("2019-11-01")   # DATE,AAA
    prime = data.fred_series("DPRIME")                             # "." = missing, dropped
    assert pd.Timestamp("1966-12-30") not in prime.index and prime.notna().all()
    hy = data.fred_series("BAMLH0A0HYM2")                          # blanks = holidays, dropped
    assert pd.Timestamp("1997-01-01") not in hy.index


def test_splice_newer_wins_hand_made():
    hist = pd.Series([1.0, 2.0, 3.0], index=pd.to_datetime(["2021-01-01", "2021-02-01", "2021-03-01"]))
    new = pd.Series([2.5, 3.5, 4.0], index=pd.to_datetime(["2021-02-01", "2021-03-01", "2021-04-01"]))
    out = data.splice_newer_wins(hist, new)
    assert list(out) == [1.0, 2.5, 3.5, 4.0]


def test_spliced_series_reach_newest_file(store):
    cpi = data.fred_series("CPIAUCSL")
    assert cpi.index.max() == pd.Timestamp("2026-07-01") and cpi.attrs["splice_from"] == "2021-05-01"
    hy = data.fred_series("BAMLH0A0HYM2")
    assert hy.index.min() == pd.Timestamp("1996-12-31") and hy.index.max() == pd.Timestamp("2026-08-20")
    upper = data.fred_series("DFEDTARU")
    assert upper.index.max() == pd.Timestamp("2026-08-21")


def test_cpi_yoy_december_2025_by_date(store):
    """Oct 2025 CPI was never published: by date 2.65%, by row position 3.00% (wrong)."""
    cpi = data.fred_series("CPIAUCSL")
    assert pd.Timestamp("2025-10-01") not in cpi.index
    trap = overview.yoy_by_date_vs_row(cpi, "2025-12")
    assert round(trap["yoy_by_date_pct"], 2) == 2.65
    assert round(trap["yoy_by_row_pct"], 2) == 3.00
    assert trap["row_method_compares_with"] == "2024-11"
    # independent check from the two raw values
    dec25, dec24 = cpi[pd.Timestamp("2025-12-01")], cpi[pd.Timestamp("2024-12-01")]
    assert trap["yoy_by_date_pct"] == pytest.approx((dec25 / dec24 - 1) * 100)


def test_coverage_names_the_traps(store):
    cov = data.coverage()
    assert cov.loc["fred_CPIAUCSL", "missing_months"] == "2025-10"
    assert cov.loc["fred_UNRATE", "missing_months"] == "2025-10"
    assert cov.loc["price_RSP", "last"] == pd.Timestamp("2026-03-03") and cov.loc["price_RSP", "stale"]
    for stale in ["fred_AAA", "fred_BAA", "fred_TB3MS", "fred_DPRIME"]:
        assert cov.loc[stale, "stale"], stale
    assert not cov.loc["ff_portfolios_me", "stale"]
    assert data.latest_common_month() == pd.Period("2026-02", "M")


def test_prices_are_not_forward_filled(store):
    rsp = data.close_prices("RSP")
    assert rsp.index.max() == pd.Timestamp("2026-03-03")
    assert data.close_prices("SPY").index.max() == pd.Timestamp("2026-06-05")


def test_shiller_and_goyal_welch(store):
    sh = data.shiller()
    assert sh.index.freqstr.startswith("M") and sh.loc["2025-12", "CAPE"] > 30
    assert np.isnan(sh.loc["2026-04", "E"])  # blank, not zero
    gw = data.goyal_welch()
    assert gw.loc["2024-12", "Index"] == pytest.approx(5881.63)  # "5,881.63" with a thousands comma
    assert gw.loc["2024-12", "BAA"] == pytest.approx(0.0580)


def test_missing_store_names_make_data(tmp_path, monkeypatch):
    monkeypatch.setenv("ROTATION_DATA", str(tmp_path / "nowhere"))
    data.clear_caches()
    try:
        with pytest.raises(data.DataStoreMissing, match="make data"):
            data.fred_series("DGS2")
    finally:
        data.clear_caches()


def test_corrupted_file_is_refused(isolated_store):
    target = isolated_store / "fred/DGS2.csv"
    target.write_text(target.read_text().replace("7.26", "9.99", 1))
    with pytest.raises(data.DataFileCorrupt, match="DGS2.csv.*make data"):
        data.fred_series("DGS2")


def test_import_refuses_bad_snapshot_and_keeps_store(tmp_path, store):
    snap = tmp_path / "snap"
    shutil.copytree(store, snap)
    (snap / "fred/UNRATE.csv").write_text("date,value\n2020-01-01,1\n")
    dest = tmp_path / "dest"
    shutil.copytree(store, dest)
    before = {p: sha256_of(p) for p in dest.rglob("*") if p.is_file()}
    with pytest.raises(data.SnapshotError, match="UNRATE.csv"):
        data.import_snapshot(snap, dest, progress=lambda m: None)
    (snap / "fred/UNRATE.csv").unlink()
    with pytest.raises(data.SnapshotError, match="missing file .*UNRATE.csv"):
        data.import_snapshot(snap, dest, progress=lambda m: None)
    assert {p: sha256_of(p) for p in dest.rglob("*") if p.is_file()} == before


def test_import_copies_and_never_writes_source(tmp_path):
    src = data.default_snapshot()
    before = {p: p.stat().st_mtime_ns for p in src.rglob("*") if p.is_file()}
    dest = data.import_snapshot(src, tmp_path / "fresh", progress=lambda m: None)
    assert data.verify_store(dest) == []
    assert {p: p.stat().st_mtime_ns for p in src.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("damage", ["{\"files\": {", "[]", ""])
def test_a_damaged_manifest_is_a_named_error_with_the_fix(isolated_store, damage):
    (isolated_store / "manifest.json").write_text(damage)
    with pytest.raises(data.DataFileCorrupt, match=r"manifest .*manifest\.json is damaged.*make data"):
        data.verify_store(isolated_store)


def test_make_data_repairs_a_damaged_store(isolated_store):
    """`make data` verifies every time and re-imports the snapshot when verification fails."""
    import os
    import subprocess

    root = Path(__file__).resolve().parents[1]
    target = isolated_store / "fred/DGS2.csv"
    target.write_text(target.read_text().replace("7.26", "9.99", 1))
    (isolated_store / "manifest.json").write_text("{")
    env = {**os.environ, "ROTATION_DATA": str(isolated_store)}
    out = subprocess.run(["make", "-s", "data"], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "re-importing the data store" in out.stdout
    assert data.verify_store(isolated_store) == []
    again = subprocess.run(["make", "-s", "data"], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "re-importing" not in again.stdout  # all well: verified, nothing imported


def test_one_parser_registry_serves_every_kind_in_the_catalogue():
    kinds = {d.parser for d in data.catalog()}
    assert kinds <= set(loaders.PARSERS)
    import dataclasses

    odd = dataclasses.replace(data.catalog()[0], parser="xml")
    with pytest.raises(KeyError, match="unknown parser 'xml'.*known: famafrench"):
        loaders.parser_for(odd)
    # load_all holds every dataset with an object of its own: not the FRED files spliced into another, not parser none
    expected = {d.id for d in data.catalog() if d.parser != "none" and not (d.parser == "fred" and d.splice_into)}
    assert set(loaders.load_all()) == expected


def test_fetch_validation_reads_the_last_date_through_the_registry(tmp_path):
    from rotation.data import fetch

    d = data.dataset("fred_DGS2")
    short = tmp_path / "DGS2.csv"
    short.write_text("date,value\n2020-01-02,1.5\n2020-01-03,1.6\n")  # ends long before the snapshot's last date
    with pytest.raises(data.FetchError, match="fred_DGS2: fetched file ends 2020-01-03, earlier than"):
        fetch._validate(d, short)
    fetch._validate(data.dataset("price_SPY"), short)  # no online reader for prices: nothing to validate
