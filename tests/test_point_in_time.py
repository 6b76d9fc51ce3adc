"""Point in time, end to end, on runs of the real notebooks at historical dates.

(a) Invariance: a run at D equals a run at D with `--data-cutoff D`, and a run at 'latest'
    with `--data-cutoff D`, in every recorded figure of notebooks 01-04 (a notebook that read
    anything not published by D, or that resolved its dates differently, would differ).
(b) Date truth: in every notebook run at D, no recorded figure refers to a date after D, and
    every generated statement agrees with the recorded figures it quotes or compares.

The runs are made once per session (one fixture) through the runner, as a user would.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest

from rotation import findings, runner

DATES = ("2000-03-31", "2008-06-30")
TOPICS = ["01", "02", "03", "04"]


@pytest.fixture(scope="session")
def pit_runs(tmp_path_factory, store):
    """{(variant, date): {stem: NotebookResult}} and the folders they were written to.

    variant "plain": `rotation run --as-of D` of every notebook;
    "cutoff": `--as-of D --data-cutoff D` and "latest_cutoff": `--as-of latest --data-cutoff D`
    of notebooks 01-04."""
    root = tmp_path_factory.mktemp("pit")
    quiet = lambda msg: None  # noqa: E731
    runs, folders = {}, {}
    plain = runner.sweep(list(DATES), out=root / "plain", jobs=2, progress=quiet)
    for d in DATES:
        runs[("plain", d)], folders[("plain", d)] = plain[d], root / "plain" / d
        for variant, as_of in (("cutoff", d), ("latest_cutoff", "latest")):
            out = root / variant / d
            req = runner.plan_run(as_of=as_of, data_cutoff=d, only=TOPICS, out=out, jobs=2)
            runs[(variant, d)], folders[(variant, d)] = runner.run(req, progress=quiet), out
    return runs, folders


def _as_of_end(text: str) -> pd.Timestamp:
    """The last day a recorded `as_of` refers to: a date, a month (YYYY-MM) or a year (YYYY)."""
    if len(text) == 4:
        return pd.Period(text, "Y").end_time.normalize()
    if len(text) == 7:
        return pd.Period(text, "M").end_time.normalize()
    return pd.Timestamp(text)


@pytest.mark.parametrize("date", DATES)
@pytest.mark.parametrize("variant", ["cutoff", "latest_cutoff"])
def test_a_run_at_d_equals_a_run_with_data_cutoff_d(pit_runs, date, variant):
    runs, _ = pit_runs
    plain, cut = runs[("plain", date)], runs[(variant, date)]
    for stem, res in cut.items():
        assert res.status == "ok", f"{variant} {date} {stem}: {res.error}"
        assert plain[stem].status == "ok", f"plain {date} {stem}: {plain[stem].error}"
        assert res.figures, f"{stem} recorded no figures"
        assert res.figures == plain[stem].figures, stem


@pytest.mark.parametrize("date", DATES)
def test_every_notebook_runs_and_no_figure_is_dated_after_as_of(pit_runs, date):
    runs, _ = pit_runs
    res = runs[("plain", date)]
    assert set(res) == set(runner.available_notebooks())
    late = []
    for stem, r in res.items():
        assert r.status == "ok", f"{stem} at {date}: {r.error}"
        for name, rec in r.figures.items():
            if rec["as_of"] and _as_of_end(rec["as_of"]) > pd.Timestamp(date):
                late.append(f"{stem}.{name} as_of {rec['as_of']}")
    assert not late, f"figures dated after the run's as_of {date}: {late}"


@pytest.mark.parametrize("date", DATES)
def test_generated_statements_agree_with_their_figures(pit_runs, date):
    runs, folders = pit_runs
    checked, problems = 0, []
    for stem, r in runs[("plain", date)].items():
        nb = nbformat.read(Path(folders[("plain", date)]) / f"{stem}.ipynb", as_version=4)
        for st in findings.from_notebook(nb):
            checked += 1
            problems += [f"{stem}: {st['text'][:80]}...: {p}" for p in findings.check(st, r.figures)]
    assert checked >= len(runs[("plain", date)]), "expected at least one generated statement per notebook"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("date", DATES)
def test_spec_grid_csv_has_every_claim_with_enough_specifications(pit_runs, date):
    from rotation.inference import GRID_COLUMNS

    _, folders = pit_runs
    grid = pd.read_csv(Path(folders[("plain", date)]) / "spec_grid.csv")
    assert list(grid.columns) == GRID_COLUMNS
    counts = grid["claim"].value_counts()
    for claim in ("valuation", "concentration", "easing"):
        assert counts.get(claim, 0) >= 12, f"{claim}: {counts.get(claim, 0)} specifications"
    # no specification may use data after the run's as_of: its sample starts before it
    assert (pd.PeriodIndex(grid["sample_start"], freq="M") <= pd.Period(date[:7], "M")).all()
