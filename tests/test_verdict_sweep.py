"""Issue 14: the verdicts through time. A monthly sweep of the claims check (05) and the thesis
verdict (06) over 2025-06..2026-06 runs at every date without an error, every label is free of
NaN, a claim is 'not yet observable' exactly while its window is open, and the sweep page shows
the claims-by-date verdict grid."""
import re

import pandas as pd
import pytest

from rotation import data, runner
from rotation.claims import VERDICTS

NAN = re.compile(r"\bnan\b|\+nan|-nan", re.IGNORECASE)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    problems = data.verify_store()
    assert not problems, "data store not ready (run `make data`): " + "; ".join(problems)
    out = tmp_path_factory.mktemp("verdict_sweep")
    dates = runner.sweep_dates(monthly=("2025-06", "2026-06"))
    by_date = runner.sweep(dates, only=["05", "06"], jobs=2, out=out, progress=lambda m: None)
    return out, dates, by_date


def test_every_date_runs_and_no_label_holds_nan(sweep):
    out, dates, by_date = sweep
    assert len(dates) == 13
    failed = {(d, s): r.error for d, res in by_date.items() for s, r in res.items() if r.status != "ok"}
    assert not failed
    table = pd.read_csv(out / "comparison.csv", keep_default_na=False)
    assert set(table["run_as_of"]) == set(dates)
    bad = table[table["label"].astype(str).str.contains(NAN) | table["value"].astype(str).str.contains(NAN)]
    assert bad.empty, bad[["run_as_of", "figure", "value", "label"]].head(10).to_string()
    verdicts = table[table["unit"] == "verdict"]
    claim_verdicts = verdicts[verdicts["figure"].str.endswith(".verdict")]
    assert set(claim_verdicts["value"]) <= set(VERDICTS)
    assert set(verdicts.loc[verdicts["figure"] == "thesis_verdict", "run_as_of"]) == set(dates)


def test_not_yet_observable_exactly_while_the_window_is_open(sweep):
    out, dates, _ = sweep
    table = pd.read_csv(out / "comparison.csv", keep_default_na=False)
    verdicts = table[table["figure"].str.endswith(".verdict")]
    records = {rec["id"]: rec for rec in data.claims_catalog()["claims"]}
    for _, row in verdicts.iterrows():
        rec = records[row["figure"][: -len(".verdict")]]
        if rec["check"] == "check_not_testable":  # decided before the date rule
            assert row["value"] == "not testable", (rec["id"], row["run_as_of"])
        elif pd.Timestamp(row["run_as_of"]) < pd.Timestamp(rec["observable_from"]):
            assert row["value"] == "not yet observable", (rec["id"], row["run_as_of"])


def test_sweep_page_shows_the_verdict_grid(sweep):
    out, dates, _ = sweep
    page = (out / "index.html").read_text()
    assert "<h2>Verdicts by date</h2>" in page
    grid = page[page.index("<h2>Verdicts by date</h2>"):]
    assert all(f"<th>{d}</th>" in grid for d in dates)
    assert grid.index("thesis_verdict") < grid.index("small_caps_lead_2026_open")
