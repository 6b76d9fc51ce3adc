"""Issue 15, first step: outputs never touch sources, and bad requests are refused at plan time.

Every bad input below gives its named error (a `RunRequestError` subclass) before any kernel
starts, creates no folder, and leaves an earlier report folder byte-identical. A failing
notebook next to an earlier good report keeps the good one and the index shows both."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from rotation import data, runner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_runner import write_nb  # noqa: E402  (the toy collection pattern)

QUIET = lambda m: None  # noqa: E731


def tree(folder: Path) -> dict[str, str]:
    """{relative path: sha256 (files) or 'dir'} of everything under `folder`."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def write_toy_pair(nbs: Path) -> None:
    """01_ok always records 42; 02_picky fails for an as_of in 2021 and otherwise records the year."""
    write_nb(nbs / "01_ok.ipynb", "from rotation import results\nresults.record('answer', 42, 'count', as_of, 'the answer')\n")
    write_nb(nbs / "02_picky.ipynb",
             "from rotation import results\nif as_of.startswith('2021'):\n    raise RuntimeError('no data for 2021')\n"
             "results.record('year', int(as_of[:4]), 'year', as_of, 'the as_of year')\n")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A toy collection (01_ok always works; 02_picky fails for as_of in 2021) and an earlier
    good report folder `reports` written by a real run at 2020-12-31."""
    base = tmp_path_factory.mktemp("faults")
    nbs = base / "notebooks"
    nbs.mkdir()
    write_toy_pair(nbs)
    res = runner.run(runner.plan_run(as_of="2020-12-31", out=base / "reports", folder=nbs, jobs=2), progress=QUIET)
    assert all(r.status == "ok" for r in res.values())
    return base


def refused(base: Path, call, error: type, pattern: str):
    """`call()` raises `error` matching `pattern` with a one-line message, and nothing under
    `base` (the earlier report folder included) is created, removed or changed."""
    before = tree(base)
    with pytest.raises(error, match=pattern) as info:
        call()
    assert "\n" not in str(info.value)
    assert tree(base) == before
    return info.value


# ---------------------------------------------------------------- 1. --out never a source folder

@pytest.mark.parametrize("target, what", [
    (lambda b: ROOT / "notebooks", r"is the project's notebooks/ folder"),
    (lambda b: ROOT / "notebooks" / "never-created", r"is inside the project's notebooks/ folder"),
    (lambda b: ROOT / "lib" / "rotation", r"inside the project's lib/ folder"),
    (lambda b: ROOT / "tests", r"the project's tests/ folder"),
    (lambda b: ROOT / "seeds" / "x" / "y", r"inside the project's seeds/ folder"),
    (lambda b: ROOT / ".git", r"the project's \.git/ folder"),
    (lambda b: data.data_dir(), r"is the data store"),
    (lambda b: data.data_dir() / "reports", r"is inside the data store"),
    (lambda b: ROOT, r"is the project root"),
    (lambda b: ROOT / "lib" / ".." / "seeds", r"the project's seeds/ folder"),        # not normalised by hand
    (lambda b: b / "notebooks", r"the notebooks' folder"),                          # the collection actually run
])
def test_out_may_not_be_a_source_folder(base, target, what):
    out = target(base)
    existed = out.exists()
    err = refused(base, lambda: runner.plan_run(out=out, folder=base / "notebooks"), runner.OutputFolderError, what)
    assert f"--out {out}" in str(err) and ("reports may not be written" in str(err) or "project root" in str(err))
    assert out.exists() == existed
    if out.is_dir():
        assert not (out / runner.MARKER).exists() and not list(out.glob(".staging-*"))


def test_out_through_a_symlink_or_a_relative_path_is_resolved(base, monkeypatch):
    link = base.parent / f"{base.name}-link-to-notebooks"
    link.symlink_to(ROOT / "notebooks", target_is_directory=True)
    try:
        refused(base, lambda: runner.plan_run(out=link / "r", folder=base / "notebooks"), runner.OutputFolderError,
                r"inside the project's notebooks/ folder")
        monkeypatch.chdir(ROOT / "lib")
        refused(base, lambda: runner.plan_run(out="../tests", folder=base / "notebooks"), runner.OutputFolderError,
                r"--out \.\./tests .*the project's tests/ folder")
    finally:
        link.unlink()


def test_cli_refuses_out_notebooks_in_one_line():
    proc = subprocess.run([sys.executable, "-m", "rotation.cli", "run", "--only", "00", "--out", "notebooks"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("rotation run: error: --out notebooks") and "notebooks/ folder" in proc.stderr
    assert not (ROOT / "notebooks" / runner.MARKER).exists() and not list((ROOT / "notebooks").glob(".staging-*"))


# ---------------------------------------------------------------- 2. the report-folder marker

def test_non_empty_folder_without_marker_is_refused(base):
    other = base / "my_documents"
    other.mkdir()
    (other / "thesis.txt").write_text("precious")
    try:
        refused(base, lambda: runner.plan_run(out=other, folder=base / "notebooks"), runner.OutputFolderError,
                rf"--out {other} .*not written by rotation run.*choose an empty or new folder, or one written by rotation run")
    finally:
        shutil.rmtree(other)


def test_out_that_is_a_file_is_refused(base):
    (base / "a_file").write_text("x")
    try:
        refused(base, lambda: runner.plan_run(out=base / "a_file", folder=base / "notebooks"), runner.OutputFolderError,
                r"is a file, not a folder")
        refused(base, lambda: runner.plan_run(out=base / "a_file" / "r", folder=base / "notebooks"),
                runner.OutputFolderError, r"not writable .*is a file")
    finally:
        (base / "a_file").unlink()


def test_marked_empty_and_new_folders_are_accepted_without_being_created(base, tmp_path, monkeypatch):
    nbs = base / "notebooks"
    assert (base / "reports" / runner.MARKER).is_file()          # written by the earlier run
    assert runner.plan_run(out=base / "reports", folder=nbs).out == base / "reports"
    (tmp_path / "empty").mkdir()
    runner.plan_run(out=tmp_path / "empty", folder=nbs)
    monkeypatch.chdir(tmp_path)                                  # a fresh clone: reports/ does not exist yet
    req = runner.plan_run(out="reports/latest", folder=nbs)
    assert req.out == tmp_path / "reports" / "latest" and not (tmp_path / "reports").exists()


def test_a_report_folder_from_before_the_marker_is_still_accepted(base, tmp_path):
    legacy = tmp_path / "legacy"
    shutil.copytree(base / "reports", legacy)
    (legacy / runner.MARKER).unlink()
    runner.plan_run(out=legacy, folder=base / "notebooks")      # its index.html is one of ours
    (legacy / "index.html").write_text("<html><title>Someone else's page</title></html>")
    with pytest.raises(runner.OutputFolderError, match="not written by rotation run"):
        runner.plan_run(out=legacy, folder=base / "notebooks")


# ---------------------------------------------------------------- 4. --jobs

@pytest.mark.parametrize("jobs", [0, -1, -20])
def test_jobs_below_one_is_refused(base, jobs):
    err = refused(base, lambda: runner.plan_run(out=base / "new", jobs=jobs, folder=base / "notebooks"),
                  runner.JobsError, rf"--jobs {jobs}: allowed is a whole number from 1 up")
    assert "leave --jobs out" in str(err)


def test_cli_jobs_zero(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rotation.cli", "run", "--only", "00", "--jobs", "0",
                           "--out", str(tmp_path / "o")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "--jobs 0: allowed is a whole number from 1 up" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_jobs_above_the_runs_is_capped(base):
    req = runner.plan_run(out=base / "new", jobs=20, folder=base / "notebooks")
    assert req.jobs == 2 and req.jobs_note == "--jobs 20 capped to 2: there are only 2 notebook run(s)"
    assert runner.plan_run(out=base / "new", jobs=2, folder=base / "notebooks").jobs_note == ""
    assert runner.plan_run(out=base / "new", jobs=5, only=["01"], folder=base / "notebooks").jobs == 1
    assert not (base / "new").exists()


# ---------------------------------------------------------------- 5. --only: names or number prefixes

@pytest.mark.parametrize("only, pattern", [
    ("/etc/03.ipynb", r"notebook '/etc/03\.ipynb' is a path, not a notebook name: allowed are 01_ok, 02_picky"),
    ("01_ok.ipynb", r"'01_ok\.ipynb' is a path"),
    ("notebooks/01_ok", r"'notebooks/01_ok' is a path"),
    ("..\\01_ok", r"is a path"),
    ("99", r"unknown notebook '99': allowed are 01_ok, 02_picky \(or their number prefix, e\.g\. '01'\)"),
    ("ok", r"unknown notebook 'ok'"),          # topic words are not names
    ("", r"unknown notebook ''"),
])
def test_only_takes_names_or_number_prefixes(base, only, pattern):
    refused(base, lambda: runner.plan_run(out=base / "new", only=[only], folder=base / "notebooks"),
            runner.NotebookSelectionError, pattern)


def test_only_accepts_stem_and_prefix(base):
    nbs = base / "notebooks"
    assert list(runner.resolve_notebooks(["02"], nbs)) == ["02_picky"]
    assert list(runner.resolve_notebooks(["01_ok", "02"], nbs)) == ["01_ok", "02_picky"]


@pytest.mark.parametrize("cmd", [["run", "--only", "/etc/03.ipynb"], ["clean-notebooks", "--only", "99"],
                                 ["params", "notebooks/00.ipynb"]])
def test_cli_only_errors_are_one_line(cmd, tmp_path):
    extra = ["--out", str(tmp_path / "o")] if cmd[0] == "run" else []
    proc = subprocess.run([sys.executable, "-m", "rotation.cli", *cmd, *extra], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "allowed are 00_" in proc.stderr
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------- 6. sweep dates

def _too_late_month():
    return (pd.Timestamp.today() + pd.DateOffset(years=1, months=1)).strftime("%Y-%m")


@pytest.mark.parametrize("kwargs, pattern", [
    ({"monthly": ("Jan 2025", "2025-12")}, r"--monthly Jan 2025 2025-12: expected two months YYYY-MM"),
    ({"monthly": ("2025-1", "2025-12")}, r"--monthly 2025-1 2025-12: expected two months YYYY-MM"),
    ({"monthly": ("2025-13", "2026-01")}, r"expected two months YYYY-MM"),
    ({"monthly": ("2025-01-31", "2025-12")}, r"expected two months YYYY-MM"),
    ({"monthly": ("1800-01", "2025-12")}, r"--monthly 1800-01 2025-12: 1800-01-01 is before the core data's start \(1926-07\); allowed are dates from 1926-07-01"),
    ({"monthly": ("1926-06", "1926-08")}, r"1926-06-01 is before the core data's start"),
    ({"monthly": ("2025-01", _too_late_month())}, r"is more than a year after today"),
    ({"yearly": ("0999", "1001")}, r"--yearly 0999 1001: 0999-12-31 is before the core data's start"),
    ({"yearly": ("1925", "1930")}, r"1925-12-31 is before the core data's start"),
    ({"yearly": ("2020", "2999")}, r"--yearly 2020 2999: 2999-12-31 is more than a year after today"),
    ({"yearly": ("25", "26")}, r"--yearly 25 26: expected two years YYYY"),
    ({"yearly": ("２０２０", "2021")}, r"expected two years YYYY"),            # full-width digits are not YYYY
    ({"yearly": ("0000", "0001")}, r"--yearly 0000 0001: 0000 is before the core data's start"),
    ({"monthly": ("0000-01", "2020-01")}, r"--monthly 0000-01 2020-01: 0000-01 is before the core data's start"),
    ({"monthly": ("2020-01", "9999-12")}, r"9999-12-31 is more than a year after today"),
    ({"as_of": ["0000-01-31"]}, r"--as-of 0000-01-31: year 0 is before the core data's start"),
    ({"as_of": ["1900-01-31"]}, r"--as-of 1900-01-31: 1900-01-31 is before the core data's start"),
    ({"as_of": ["2020-13-01"]}, r"`as_of`"),
])
def test_sweep_dates_refused(kwargs, pattern):
    with pytest.raises(runner.SweepDateError, match=pattern) as info:
        runner.sweep_dates(**kwargs)
    assert "\n" not in str(info.value)


def test_sweep_dates_at_the_edges_are_accepted():
    assert runner.sweep_dates(monthly=("1926-07", "1926-08")) == ["1926-07-31", "1926-08-31"]
    assert runner.sweep_dates(yearly=("1926", "1926")) == ["1926-12-31"]
    this_month = pd.Timestamp.today().strftime("%Y-%m")
    assert len(runner.sweep_dates(monthly=(this_month, this_month))) == 1


def test_cli_sweep_impossible_dates_create_nothing(tmp_path):
    for args in (["--monthly", "1800-01", "2025-12"], ["--monthly", "Jan 2025", "2025-12"], ["--yearly", "0999", "1001"]):
        proc = subprocess.run([sys.executable, "-m", "rotation.cli", "sweep", *args, "--only", "00",
                               "--out", str(tmp_path / "sw")], capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith(f"rotation sweep: error: {args[0]} {args[1]} {args[2]}")
        assert not (tmp_path / "sw").exists()


def test_sweep_checks_every_date_folder_before_creating_any(base):
    sw = base / "sweep"
    sw.mkdir()
    (sw / runner.MARKER).write_text(runner.MARKER_TEXT)
    (sw / "2021-12-31").write_text("a file where a date folder belongs")
    try:
        refused(base, lambda: runner.sweep(["2020-12-31", "2021-12-31"], out=sw, folder=base / "notebooks", progress=QUIET),
                runner.OutputFolderError, r"2021-12-31 .*is a file, not a folder")
        refused(base, lambda: runner.sweep(["2020-12-31"], out=sw, jobs=0, folder=base / "notebooks", progress=QUIET),
                runner.JobsError, r"--jobs 0")
        refused(base, lambda: runner.sweep(["2020-12-31"], out=ROOT / "seeds" / "sw", folder=base / "notebooks",
                                           progress=QUIET), runner.OutputFolderError, r"inside the project's seeds/ folder")
    finally:
        shutil.rmtree(sw)
    assert not (ROOT / "seeds" / "sw").exists()


def test_sweep_marks_its_folder_and_each_date_folder(base, tmp_path):
    sw = tmp_path / "sw"
    notes = []
    runner.sweep(["2020-12-31"], out=sw, only=["01"], jobs=9, folder=base / "notebooks", progress=notes.append)
    assert (sw / runner.MARKER).is_file() and (sw / "2020-12-31" / runner.MARKER).is_file()
    assert "--jobs 9 capped to 1: there are only 1 (date, notebook) run(s)" in notes
    runner.sweep(["2020-12-31", "2022-12-31"], out=sw, only=["01"], folder=base / "notebooks", progress=QUIET)  # re-run
    assert (sw / "2022-12-31" / runner.MARKER).is_file()


# ---------------------------------------------------------------- 3. a failed run keeps the good report

def test_failure_is_written_beside_the_good_report_and_the_index_shows_both(base, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(base / "reports", out)
    good = {name: (out / name).read_bytes() for name in ("02_picky.html", "02_picky.ipynb", "02_picky.run.json")}
    earlier = json.loads((out / "02_picky.run.json").read_text())
    assert earlier["status"] == "ok" and earlier["figures"]["year"]["value"] == 2020
    notes = []
    res = runner.run(runner.plan_run(as_of="2021-12-31", out=out, jobs=20, folder=base / "notebooks"), progress=notes.append)
    assert "--jobs 20 capped to 2: there are only 2 notebook run(s)" in notes
    assert res["02_picky"].status == "failed" and res["01_ok"].status == "ok"
    for name, content in good.items():                   # the good report is untouched
        assert (out / name).read_bytes() == content, name
    assert "no data for 2021" in (out / "02_picky.failed.html").read_text()
    assert (out / "02_picky.failed.ipynb").exists()
    figures = json.loads((out / "results.json").read_text())
    assert figures["02_picky"]["year"] == {**earlier["figures"]["year"], "from_earlier_run": earlier["finished"]}
    assert figures["01_ok"]["answer"]["as_of"] == "2021-12-31"
    index = (out / "index.html").read_text()
    assert "href='02_picky.failed.html'" in index and "href='02_picky.html' class='kept'" in index
    assert f"last good report of {earlier['finished']}" in index and "no data for 2021" in index

    # a later good run replaces both the old report and the failure beside it
    runner.run(runner.plan_run(as_of="2022-12-31", out=out, folder=base / "notebooks"), progress=QUIET)
    assert not (out / "02_picky.failed.html").exists() and not (out / "02_picky.failed.ipynb").exists()
    assert json.loads((out / "results.json").read_text())["02_picky"]["year"]["value"] == 2022
    assert "failed" not in (out / "index.html").read_text().split("<h2>Reports</h2>")[1]


def test_a_failure_replaces_an_earlier_failure(base, tmp_path):
    out = tmp_path / "r"
    for _ in range(2):
        res = runner.run(runner.plan_run(as_of="2021-06-30", only=["02"], out=out, folder=base / "notebooks"), progress=QUIET)
        assert res["02_picky"].status == "failed"
        assert not (out / "02_picky.failed.html").exists()
        assert 'data-status="failed"' in (out / "02_picky.html").read_text()
        assert json.loads((out / "02_picky.run.json").read_text())["status"] == "failed"


def test_a_good_report_from_before_sidecars_is_kept_too(base, tmp_path):
    out = tmp_path / "legacy"
    shutil.copytree(base / "reports", out)
    for f in [out / runner.MARKER, *out.glob("*.run.json")]:
        f.unlink()
    good_html = (out / "02_picky.html").read_bytes()
    old_year = json.loads((out / "results.json").read_text())["02_picky"]["year"]
    runner.run(runner.plan_run(as_of="2021-12-31", out=out, folder=base / "notebooks"), progress=QUIET)
    assert (out / "02_picky.html").read_bytes() == good_html and (out / "02_picky.failed.html").exists()
    kept = json.loads((out / "results.json").read_text())["02_picky"]["year"]
    assert kept["value"] == old_year["value"] and kept["from_earlier_run"]
    assert (out / runner.MARKER).is_file()               # the folder is marked from now on
    assert not any(p.name.startswith(".staging-") for p in out.iterdir())
    assert os.listdir(out)  # sanity


# ---------------------------------------------------------------- 7. the index describes the folder

def test_the_index_and_results_describe_the_folder_not_the_last_run(tmp_path):
    """`--only 01` into a folder holding 02 and 03 keeps both in index.html, results.json and
    spec_grid.csv: 03 with its own run date and parameters, 02's failure beside its kept report."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_toy_pair(nbs)
    write_nb(nbs / "03_grid.ipynb",
             "import pandas as pd\nfrom rotation import results\nfrom rotation.inference import GRID_COLUMNS\n"
             "results.record('horizon', horizon_years, 'years', as_of, 'the horizon')\n"
             "row = dict.fromkeys(GRID_COLUMNS, float('nan'))\n"
             "row.update(claim='toy3', spread='Lo 20-Hi 20', weighting='VW', sample_start='1990-01', horizon_months=36, estimate=0.5)\n"
             "results.record_grid(pd.DataFrame([row]))\n", "horizon_years: int = 5  # years\n")
    out = tmp_path / "reports"
    runner.run(runner.plan_run(as_of="2020-12-31", extra=[("horizon_years", "7")], out=out, folder=nbs, jobs=1), progress=QUIET)
    three = json.loads((out / "03_grid.run.json").read_text())
    assert three["parameters"] == {"as_of": "2020-12-31", "horizon_years": 7}
    res = runner.run(runner.plan_run(as_of="2021-12-31", only=["02"], out=out, folder=nbs), progress=QUIET)
    assert res["02_picky"].status == "failed" and (out / "02_picky.failed.run.json").is_file()
    two = json.loads((out / "02_picky.run.json").read_text())
    assert two["status"] == "ok"
    runner.run(runner.plan_run(as_of="2022-12-31", only=["01"], out=out, folder=nbs), progress=QUIET)

    figures = json.loads((out / "results.json").read_text())
    assert list(figures) == ["01_ok", "02_picky", "03_grid"]
    assert figures["01_ok"]["answer"]["as_of"] == "2022-12-31"
    assert figures["03_grid"] == three["figures"] and figures["03_grid"]["horizon"]["value"] == 7
    assert figures["02_picky"]["year"] == {**two["figures"]["year"], "from_earlier_run": two["finished"]}
    index = (out / "index.html").read_text()
    rows = index.split("<h2>Reports</h2>")[1]
    assert "href='01_ok.html'" in rows and "href='03_grid.html'" in rows
    row3 = rows.split("href='03_grid.html'")[1].split("</tr>")[0]
    assert html_escape(json.dumps(three["parameters"])) in row3 and three["finished"] in row3
    row2 = rows.split("<tr><td>02_picky")[1].split("</tr>")[0]
    assert "href='02_picky.failed.html'" in row2 and f"last good report of {two['finished']}" in row2
    assert "no data for 2021" in row2
    grid = pd.read_csv(out / "spec_grid.csv")
    assert list(grid["claim"]) == ["toy3"]
    # a later good run of 02 clears its failure, and the index still holds all three
    runner.run(runner.plan_run(as_of="2022-12-31", only=["02"], out=out, folder=nbs), progress=QUIET)
    assert not list(out.glob("02_picky.failed.*"))
    assert list(json.loads((out / "results.json").read_text())) == ["01_ok", "02_picky", "03_grid"]


def html_escape(text: str) -> str:
    import html

    return html.escape(text)


def test_the_bottom_line_and_verdicts_use_the_kept_good_report():
    from rotation.runner import NotebookResult, index_html, thesis_lead_html

    good = {"thesis_verdict": {"value": "supported", "unit": "verdict", "as_of": "2020-12-31", "label": "good run"},
            "q1.verdict": {"value": "supported", "unit": "verdict", "as_of": "2020-12-31", "label": "kept evidence"}}
    partial = {"thesis_verdict": {"value": "contradicted", "unit": "verdict", "as_of": "2021-12-31", "label": "broken run"},
               "q1.verdict": {"value": "contradicted", "unit": "verdict", "as_of": "2021-12-31", "label": "broken evidence"}}
    def only(figures, *names):
        return {k: v for k, v in figures.items() if k in names}

    def kept(*names):
        return {"status": "ok", "finished": "2024-01-01T00:00:00+00:00", "figures": only(good, *names), "parameters": {}}

    res = {"05_claims_check": NotebookResult(stem="05_claims_check", status="failed", seconds=1.0, parameters={},
                                             figures=only(partial, "q1.verdict"), error="E: boom", kept=kept("q1.verdict")),
           "06_thesis_verdict": NotebookResult(stem="06_thesis_verdict", status="failed", seconds=1.0, parameters={},
                                               figures=only(partial, "thesis_verdict"), error="E: boom",
                                               kept=kept("thesis_verdict"))}
    lead = thesis_lead_html(res)
    assert "<b>supported</b>" in lead and "good run" in lead and "broken run" not in lead
    assert "last good report of 2024-01-01T00:00:00+00:00" in lead and "06_thesis_verdict.failed.html" in lead
    page = index_html(res, 1.0, None)
    verdicts = page.split("<h2>Claims check: verdicts</h2>")[1].split("<h2>")[0]
    assert "kept evidence" in verdicts and "broken evidence" not in verdicts
    # a failed run with nothing kept gives no bottom line at all (its figures are partial)
    for r in res.values():
        r.kept = None
    assert thesis_lead_html(res) == ""


# ---------------------------------------------------------------- 7. one run at a time per folder

def _held(folder: Path):
    """Hold `folder`'s lock as another run would (a separate open file: flock conflicts)."""
    import fcntl

    fd = os.open(folder / runner.LOCK, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def test_a_held_lock_refuses_a_second_run_and_leaves_the_folder_alone(base, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(base / "reports", out)
    assert (out / runner.LOCK).is_file()                 # left by the earlier run, unlocked
    request = runner.plan_run(as_of="2021-12-31", out=out, folder=base / "notebooks")
    fd = _held(out)
    try:
        err = refused(out, lambda: runner.run(request, progress=QUIET), runner.OutputFolderBusy,
                      rf"output folder {out} is being written by another rotation run .*try again when that run finishes, "
                      r"or choose another --out")
        assert isinstance(err, runner.OutputFolderError)
        refused(out, lambda: runner.sweep(["2020-12-31"], out=out, only=["01"], folder=base / "notebooks", progress=QUIET),
                runner.OutputFolderBusy, rf"output folder {out} is being written")
    finally:
        os.close(fd)
    res = runner.run(request, progress=QUIET)            # released: the next run goes ahead
    assert res["01_ok"].status == "ok"


def test_a_sweep_holds_the_lock_of_each_date_folder(base, tmp_path):
    sw = tmp_path / "sw"
    runner.sweep(["2020-12-31"], out=sw, only=["01"], folder=base / "notebooks", progress=QUIET)
    fd = _held(sw / "2020-12-31")
    try:
        refused(sw, lambda: runner.sweep(["2020-12-31"], out=sw, only=["01"], folder=base / "notebooks", progress=QUIET),
                runner.OutputFolderBusy, r"2020-12-31 is being written by another rotation run")
    finally:
        os.close(fd)


def test_cli_refuses_a_folder_another_process_holds_and_a_killed_holder_leaves_no_stale_lock(tmp_path):
    import signal

    out = tmp_path / "o"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom pathlib import Path\nfrom rotation import runner\n"
                               "with runner.folder_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(120)\n",
                               str(out)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = tree(out)
        proc = subprocess.run([sys.executable, "-m", "rotation.cli", "run", "--only", "00", "--out", str(out)],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith(f"rotation run: error: output folder {out} is being written by another rotation run")
        assert tree(out) == before
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    with runner.folder_lock(out):                        # the kernel dropped the killed holder's lock
        pass


# ---------------------------------------------------------------- 5. --as-of range at plan time

@pytest.mark.parametrize("as_of, pattern", [
    ("1900-01-31", r"--as-of 1900-01-31: 1900-01-31 is before the core data's start \(1926-07\); allowed are dates from 1926-07-01"),
    ("1926-06", r"--as-of 1926-06: 1926-06-30 is before the core data's start"),
    ("0000-01-31", r"--as-of 0000-01-31: year 0 is before the core data's start"),
    (_too_late_month(), r"is more than a year after today; allowed are dates from 1926-07-01"),
])
def test_as_of_outside_the_data_is_refused_at_plan_time(base, as_of, pattern):
    new = base / "never-created"
    refused(base, lambda: runner.plan_run(as_of=as_of, out=new, folder=base / "notebooks"), runner.AsOfRangeError, pattern)
    assert not new.exists()


def test_as_of_at_the_edges_is_accepted(base):
    for as_of in ("1926-07-01", "1926-07", "latest", pd.Timestamp.today().strftime("%Y-%m-%d")):
        assert runner.plan_run(as_of=as_of, out=base / "new", folder=base / "notebooks").parameters["01_ok"]["as_of"] == as_of
    assert not (base / "new").exists()


def test_cli_as_of_1900_creates_nothing_and_starts_no_kernel(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rotation.cli", "run", "--as-of", "1900-01-31", "--only", "00",
                           "--out", str(tmp_path / "o")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("rotation run: error: --as-of 1900-01-31: 1900-01-31 is before the core data's start")
    assert not (tmp_path / "o").exists()


def test_a_second_sweep_into_the_folder_adds_its_dates_to_the_comparison(base, tmp_path):
    """The comparison page and comparison.csv describe every date folder of the sweep folder:
    a sweep at 2019 then one at 2020 compares both; the 2019 reports are untouched."""
    sw = tmp_path / "sw"
    nbs = base / "notebooks"
    runner.sweep(["2019-12-31"], out=sw, folder=nbs, progress=QUIET, jobs=2)
    first = tree(sw / "2019-12-31")
    runner.sweep(["2020-12-31"], out=sw, folder=nbs, progress=QUIET, jobs=2)
    assert tree(sw / "2019-12-31") == first
    table = pd.read_csv(sw / "comparison.csv")
    years = table[table["figure"] == "year"].set_index("run_as_of")["value"].to_dict()
    assert years == {"2019-12-31": 2019, "2020-12-31": 2020}     # 02_picky records the as_of year
    page = (sw / "index.html").read_text()
    assert "Sweep over 2 dates" in page and "2019-12-31/index.html" in page and "2020-12-31/index.html" in page


def test_a_failed_figures_only_run_is_written_beside_the_kept_one(base, tmp_path):
    out = tmp_path / "fig"
    nbs = base / "notebooks"
    runner.run(runner.plan_run(as_of="2020-12-31", out=out, folder=nbs, only=["02"], figures_only=True), progress=QUIET)
    good = tree(out)
    res = runner.run(runner.plan_run(as_of="2021-12-31", out=out, folder=nbs, only=["02"], figures_only=True), progress=QUIET)
    assert res["02_picky"].status == "failed"
    for name in ("02_picky.ipynb", "02_picky.run.json"):
        assert tree(out)[name] == good[name]                           # the good report untouched
    page = (out / "index.html").read_text()
    assert "href='02_picky.failed.ipynb'" in page and "href='02_picky.ipynb' class='kept'" in page
    assert sorted(p.name for p in out.glob("02_picky*")) == ["02_picky.failed.ipynb", "02_picky.failed.run.json",
                                                            "02_picky.ipynb", "02_picky.run.json"]
