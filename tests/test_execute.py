"""Pure helpers of `rotation.execute`: the progress meter and the figure-backend guard."""
import os

from rotation import execute


def test_progress_meter_counts_rate_and_time_left():
    # 3 of 12 runs in 7.5 s: 2.5 s per run; 9 left -> 22.5 s, shown as 00:22
    assert execute.progress_meter(3, 12, 7.5) == "3/12 · 00:07 elapsed · 2.50s/run · ETA 00:22"
    # faster than one per second: the rate turns to runs per second (4 in 2 s = 2.00 runs/s)
    assert execute.progress_meter(4, 4, 2.0) == "4/4 · 00:02 elapsed · 2.00run/s · ETA 00:00"


def test_an_inherited_agg_backend_is_removed_for_the_run_and_restored(monkeypatch):
    said = []
    monkeypatch.setenv("MPLBACKEND", "Agg")
    with execute.inline_figures(said.append):
        assert "MPLBACKEND" not in os.environ
    assert os.environ["MPLBACKEND"] == "Agg"
    assert said == ["ignoring MPLBACKEND=Agg for the notebooks' kernels (it would drop every figure from the reports)"]


def test_no_backend_or_the_inline_one_is_left_alone(monkeypatch):
    said = []
    monkeypatch.delenv("MPLBACKEND", raising=False)
    with execute.inline_figures(said.append):
        assert "MPLBACKEND" not in os.environ
    monkeypatch.setenv("MPLBACKEND", execute.INLINE_BACKEND)
    with execute.inline_figures(said.append):
        assert os.environ["MPLBACKEND"] == execute.INLINE_BACKEND
    assert said == []


def test_one_html_exporter_per_process():
    assert execute.html_exporter() is execute.html_exporter()


def test_progress_line_names_the_run_its_status_and_error():
    ok = execute.NotebookResult(stem="03_concentration", status="ok", seconds=8.14, parameters={})
    bad = execute.NotebookResult(stem="02_picky", status="failed", seconds=1.0, parameters={}, error="RuntimeError: no data")
    assert execute.progress_line(("2024-12-31", "03_concentration"), ok, 3, 12, 7.5) == (
        "[3/12 · 00:07 elapsed · 2.50s/run · ETA 00:22] 2024-12-31 / 03_concentration: ok in 8.1s")
    assert execute.progress_line("02_picky", bad, 1, 1, 1.0).endswith("02_picky: failed in 1.0s (RuntimeError: no data)")


def test_figure_pngs_in_the_order_shown():
    import base64

    import nbformat

    nb = nbformat.v4.new_notebook()
    first, second = b"\x89PNG first", b"\x89PNG second"
    cell_a = nbformat.v4.new_code_cell("a")
    cell_a.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x"),
                      nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(first).decode()})]
    cell_b = nbformat.v4.new_code_cell("b")
    cell_b.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=1),
                      nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(second).decode()})]
    nb.cells = [cell_a, nbformat.v4.new_markdown_cell("![x](y.png)"), cell_b]
    assert execute.figure_pngs(nb) == [first, second]


def test_report_file_names_follow_the_rendering():
    html = execute.NotebookResult(stem="03_x", status="ok", seconds=1.0, parameters={})
    figures = execute.NotebookResult(stem="03_x", status="failed", seconds=1.0, parameters={}, report="03_x.ipynb",
                                     kept={"report": "03_x.ipynb"})
    assert (html.report_file, html.failure_file, html.kept_file) == ("03_x.html", "03_x.failed.html", "03_x.html")
    assert (figures.report_file, figures.failure_file, figures.kept_file) == ("03_x.ipynb", "03_x.failed.ipynb", "03_x.ipynb")


def test_bench_reads_the_kernel_template_line():
    from rotation.bench import template_line

    log = ("running 7 notebook(s) with 2 worker(s)\n[7/7] 05_claims_check: ok in 5.3s\n"
           "kernel template: 29 modules imported once in 2.04 s; 6 of 7 kernels forked from it, 4 of them started "
           "ahead of need\ndone in 18.7s\n")
    assert template_line(log) == {"seconds": "2.04", "forked": "6 of 7 kernels forked from it, 4 of them started ahead of need"}
    failed = "kernel template failed (ImportError: x); kernels started the usual way\n"
    assert template_line(failed) == {"seconds": "n/a", "forked": failed.strip()}
    assert template_line("done\n")["forked"] == "no kernel template line in the log"
