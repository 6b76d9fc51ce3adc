"""Runner and CLI: bad requests fail before any work; a failing notebook does not stop the others."""
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rotation import results, runner

ROOT = Path(__file__).resolve().parents[1]


def write_nb(path: Path, body: str, extra_params: str = ""):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    p = nbformat.v4.new_code_cell('as_of: str = "latest"  # as of\nstart: str = "2000-01-01"  # start\n' + extra_params)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p, nbformat.v4.new_markdown_cell("Some prose."), nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)


@pytest.fixture()
def toy_collection(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_nb(folder / "01_ok.ipynb",
             "from rotation import results\nresults.record('answer', 42, 'count', as_of, 'the answer')\n",
             "horizon_years: int = 5  # years\n")
    write_nb(folder / "02_bad.ipynb", "x = 1\nraise ValueError('deliberate failure in cell')\n")
    return folder


def test_failing_notebook_does_not_stop_others(toy_collection, tmp_path):
    out = tmp_path / "out"
    req = runner.plan_run(as_of="2020-12-31", extra=[("horizon_years", "3")], out=out, jobs=2, folder=toy_collection)
    assert req.parameters["01_ok"] == {"as_of": "2020-12-31", "horizon_years": 3}
    assert req.parameters["02_bad"] == {"as_of": "2020-12-31"}  # only parameters the notebook declares
    res = runner.run(req, progress=lambda m: None)
    assert res["01_ok"].status == "ok" and res["02_bad"].status == "failed"
    assert "deliberate failure" in res["02_bad"].error
    figures = json.loads((out / "results.json").read_text())
    assert figures["01_ok"]["answer"] == {"value": 42, "unit": "count", "as_of": "2020-12-31", "label": "the answer"}
    assert figures["02_bad"] == {}
    index = (out / "index.html").read_text()
    assert "class='failed'" in index and "02_bad.html" in index and "01_ok.html" in index
    bad_html = (out / "02_bad.html").read_text()
    assert "deliberate failure in cell" in bad_html and "raise" in bad_html  # the failing cell is shown
    ok_html = (out / "01_ok.html").read_text()
    assert "results.record" not in ok_html          # code hidden by default
    assert "horizon_years = 3" not in ok_html       # injected-parameters cell never shown
    assert results.read(out / "01_ok.ipynb")["answer"]["value"] == 42
    assert not list(out.glob(".staging-*"))


def test_show_code(toy_collection, tmp_path):
    req = runner.plan_run(out=tmp_path / "o", only=["01"], show_code=True, folder=toy_collection)
    runner.run(req, progress=lambda m: None)
    html = (tmp_path / "o" / "01_ok.html").read_text()
    assert "results" in html and "record" in html
    assert "horizon_years" in html  # the parameters cell (with its defaults) is shown, the injected one is not
    assert html.count("injected-parameters") == 0


@pytest.mark.parametrize("kwargs, pattern", [
    ({"as_of": "not-a-date"}, r"`as_of` = 'not-a-date'.*latest.*YYYY-MM-DD"),
    ({"start": "2020-02-31"}, r"`start`"),
    ({"only": ["99_nope"]}, r"unknown notebook '99_nope'.*01_ok"),
    ({"extra": [("no_such", "1")]}, r"unknown parameter 'no_such'.*horizon_years"),
    ({"extra": [("horizon_years", "five")]}, r"'five' is not a valid int"),
    ({"data_cutoff": "June 2009"}, r"--data-cutoff = 'June 2009'.*'none' or an ISO date"),
    ({"extra": [("data_cutoff", "2009-06-30")]}, r"use --data-cutoff for `data_cutoff`"),
    ({"data_cutoff": "2009-06-30"}, r"takes no `data_cutoff` parameter"),  # the toy notebooks declare none
])
def test_bad_requests_fail_before_work(toy_collection, tmp_path, kwargs, pattern):
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("earlier run")
    with pytest.raises(runner.RunRequestError, match=pattern):
        runner.plan_run(out=out, folder=toy_collection, **kwargs)
    assert (out / "index.html").read_text() == "earlier run"
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]


def test_unwritable_output_folder(toy_collection, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(runner.RunRequestError, match="not writable"):
        runner.plan_run(out=blocker / "reports", folder=toy_collection)


def test_cli_bad_as_of_fails_at_once():
    proc = subprocess.run([sys.executable, "-m", "rotation.cli", "run", "--as-of", "not-a-date", "--out", "/tmp/never"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "as_of" in proc.stderr and "not-a-date" in proc.stderr
    assert not Path("/tmp/never/index.html").exists()


def test_cli_params_lists_types_defaults_help():
    proc = subprocess.run([sys.executable, "-m", "rotation.cli", "params", "00"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0
    assert 'as_of: str = "latest"   # \'latest\'' in proc.stdout
    assert 'start: str = "1947-01-01"   # first month' in proc.stdout
    assert 'data_cutoff: str = "none"   # ' in proc.stdout


def test_sweep_marks_failing_date_and_compares(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    write_nb(folder / "01_fig.ipynb",
             "from rotation import results\nresults.record('year', int(as_of[:4]), 'year', as_of, 'the as_of year')\n"
             "results.record('tag', 'y' + as_of[:4], 'text', as_of, 'a text figure')\n")
    write_nb(folder / "02_picky.ipynb", "if as_of.startswith('2021'):\n    raise RuntimeError('no data for 2021')\n")
    dates = runner.sweep_dates(yearly=("2020", "2021"))
    assert dates == ["2020-12-31", "2021-12-31"]
    out = tmp_path / "sweep"
    by_date = runner.sweep(dates, out=out, jobs=2, folder=folder, progress=lambda m: None)
    assert by_date["2020-12-31"]["02_picky"].status == "ok"
    assert by_date["2021-12-31"]["02_picky"].status == "failed"
    assert by_date["2021-12-31"]["01_fig"].status == "ok"  # the rest of a failing date completes
    for d in dates:
        assert (out / d / "index.html").exists() and (out / d / "01_fig.html").exists()
    import pandas as pd

    csv = pd.read_csv(out / "comparison.csv")
    years = csv[csv["figure"] == "year"].set_index("run_as_of")["value"].astype(int)
    assert years.to_dict() == {"2020-12-31": 2020, "2021-12-31": 2021}
    page = (out / "index.html").read_text()
    assert "<td class='failed'>failed: 02_picky" in page and "data:image/png;base64," in page


def test_sweep_dates_validation():
    assert runner.sweep_dates(monthly=("2024-11", "2025-01")) == ["2024-11-30", "2024-12-31", "2025-01-31"]
    assert runner.sweep_dates(as_of=["2020-06-30", "2020-06-30"]) == ["2020-06-30"]
    with pytest.raises(runner.RunRequestError, match="--yearly"):
        runner.sweep_dates(yearly=("2025", "2019"))
    with pytest.raises(runner.RunRequestError, match="`as_of`"):
        runner.sweep_dates(as_of=["2020-13-01"])
    with pytest.raises(runner.RunRequestError, match="needs dates"):
        runner.sweep_dates()


def test_data_cutoff_is_passed_to_every_notebook_that_declares_it(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_nb(folder / "01_cut.ipynb", "x = 1\n", 'data_cutoff: str = "none"  # cutoff\n')
    req = runner.plan_run(as_of="latest", data_cutoff="2009-06-30", out=tmp_path / "o", folder=folder)
    assert req.parameters["01_cut"] == {"as_of": "latest", "data_cutoff": "2009-06-30"}


def test_spec_grid_rows_are_gathered_into_one_csv(tmp_path):
    import pandas as pd

    from rotation.inference import GRID_COLUMNS

    folder = tmp_path / "notebooks"
    folder.mkdir()
    body = ("import pandas as pd\nfrom rotation import results\nfrom rotation.inference import GRID_COLUMNS\n"
            "row = dict.fromkeys(GRID_COLUMNS, float('nan'))\n"
            "row.update(claim='toy', spread='Lo 20-Hi 20', weighting='VW', sample_start='1990-01', horizon_months=36, estimate=0.5)\n"
            "results.record_grid(pd.DataFrame([row, {**row, 'horizon_months': 60}]).assign(stance='inconclusive'))\n")
    write_nb(folder / "01_grid.ipynb", body)
    write_nb(folder / "02_none.ipynb", "x = 1\n")
    res = runner.run(runner.plan_run(out=tmp_path / "o", folder=folder, jobs=1), progress=lambda m: None)
    assert all(r.status == "ok" for r in res.values())
    grid = pd.read_csv(tmp_path / "o" / "spec_grid.csv")
    assert list(grid.columns) == GRID_COLUMNS  # exactly the columns, extras (stance) stay in the notebook
    assert list(grid["horizon_months"]) == [36, 60] and set(grid["claim"]) == {"toy"}


def test_verdict_grid_colours_each_claim_by_date_with_the_thesis_first():
    import pandas as pd

    from rotation.claims import VERDICT_COLOURS
    from rotation.runner import verdict_grid_html

    rows = [("2025-06-30", "05_claims_check", "q4_catch_up_rally.verdict", "not yet observable"),
            ("2025-12-31", "05_claims_check", "q4_catch_up_rally.verdict", "supported"),
            ("2025-06-30", "06_thesis_verdict", "thesis_verdict", "inconclusive"),
            ("2025-12-31", "06_thesis_verdict", "thesis_verdict", "contradicted"),
            ("2025-12-31", "05_claims_check", "claims_total", 25)]
    table = pd.DataFrame([{"run_as_of": d, "notebook": nb, "figure": f, "value": v,
                           "unit": "count" if isinstance(v, int) else "verdict", "as_of": d, "label": "", "status": "ok"}
                          for d, nb, f, v in rows])
    page = verdict_grid_html(table)
    assert page.index("thesis_verdict") < page.index("q4_catch_up_rally")  # the bottom line leads
    assert f"background:{VERDICT_COLOURS['supported']}' title='q4_catch_up_rally at 2025-12-31'>supported" in page
    assert f"background:{VERDICT_COLOURS['not yet observable']}' title='q4_catch_up_rally at 2025-06-30'>not yet observable" in page
    assert "claims_total" not in page  # counts are not verdicts
    assert verdict_grid_html(table[table["unit"] != "verdict"]) == ""


def test_index_leads_with_the_thesis_verdict():
    from rotation.runner import NotebookResult, thesis_lead_html

    verdict = {"value": "inconclusive", "unit": "verdict", "as_of": "2025-12-31", "label": "two of four legs hold"}
    res = {"06_thesis_verdict": NotebookResult(stem="06_thesis_verdict", status="ok", seconds=1.0, parameters={},
                                                figures={"thesis_verdict": verdict})}
    lead = thesis_lead_html(res)
    assert "<b>inconclusive</b>" in lead and "two of four legs hold" in lead and "href='06_thesis_verdict.html'" in lead
    assert thesis_lead_html({}) == ""


def test_figures_only_writes_notebooks_and_pngs_and_swaps_with_html_reports(tmp_path):
    """--figures-only: the executed notebook, one PNG per figure, the sidecar naming the
    notebook as the report, no HTML; the index links the notebook. A later HTML run of the same
    notebook removes the PNGs and writes the HTML (and the other way round)."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_nb(nbs / "01_fig.ipynb", "import matplotlib.pyplot as plt\nfrom rotation import results\n"
             "for title in ('first', 'second'):\n    fig, ax = plt.subplots()\n    ax.set_title(title)\n    plt.show()\n"
             "results.record('answer', 42, 'count', as_of, 'the answer')\n")
    out = tmp_path / "o"
    with pytest.raises(runner.RunRequestError, match="--figures-only writes no HTML reports"):
        runner.plan_run(out=out, folder=nbs, figures_only=True, show_code=True)
    res = runner.run(runner.plan_run(as_of="2020-12-31", out=out, folder=nbs, figures_only=True), progress=lambda m: None)
    assert res["01_fig"].status == "ok"
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["01_fig.figure-01.png", "01_fig.figure-02.png"]
    assert all((out / p).read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    assert not (out / "01_fig.html").exists()
    assert json.loads((out / "01_fig.run.json").read_text())["report"] == "01_fig.ipynb"
    assert "href='01_fig.ipynb'" in (out / "index.html").read_text()
    assert json.loads((out / "results.json").read_text())["01_fig"]["answer"]["value"] == 42
    runner.run(runner.plan_run(as_of="2020-12-31", out=out, folder=nbs), progress=lambda m: None)
    assert list(out.glob("*.png")) == [] and (out / "01_fig.html").is_file()
    assert "href='01_fig.html'" in (out / "index.html").read_text()
    runner.run(runner.plan_run(as_of="2020-12-31", out=out, folder=nbs, figures_only=True), progress=lambda m: None)
    assert not (out / "01_fig.html").exists() and len(list(out.glob("*.png"))) == 2
