"""Executing notebooks: one notebook per call (papermill, a fresh kernel, HTML), many in workers.

`execute_one` runs in a worker process: papermill with `RunKernelManager` (IPC transport in the
run's runtime folder), retrying the known kernel start-up races, then the standalone HTML
report. `execute_jobs` runs a list of jobs in a process pool (always worker processes: the
parent only waits, so signals interrupt the wait) and stops every worker and kernel when
interrupted.
"""
from __future__ import annotations

import contextlib
import functools
import os
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import kerneltemplate, processes
from . import results as R
from .kernels import kernel_log_tail


TEMPLATES = Path(__file__).resolve().parent / "templates"


KERNEL_RETRIES = 3


KERNEL_RACE_MARKERS = ("Kernel died before replying", "Address already in use", "ZMQError",
                       "Kernel didn't respond", "kernel_info")


@dataclass
class NotebookResult:
    stem: str
    status: str                      # "ok" or "failed"
    seconds: float | None            # None: a report from before run records (unknown)
    parameters: dict | None          # None: unknown (a report from before run records)
    figures: dict = field(default_factory=dict)
    error: str = ""
    attempts: int = 1
    grid: list = field(default_factory=list)   # specification-grid rows (`results.record_grid`)
    kept: dict | None = None         # a failed run beside an earlier good report: that report's record ("finished", "figures", "parameters", "report", ...)
    finished: str = ""               # when the run that wrote this report ended (UTC, ISO)
    report: str = ""                 # the report's file: '<stem>.html', or '<stem>.ipynb' for a --figures-only run ('' = '<stem>.html')

    @property
    def report_file(self) -> str:
        """The report to link: `<stem>.html`, or the executed notebook of a --figures-only run."""
        return self.report or f"{self.stem}.html"

    @property
    def failure_file(self) -> str:
        """This run's report when it failed beside a kept good report: `<stem>.failed.<ext>`."""
        return f"{self.stem}.failed.{self.report_file.rsplit('.', 1)[1]}"

    @property
    def kept_file(self) -> str:
        """The kept good report's file (a failed run beside it)."""
        return (self.kept or {}).get("report") or f"{self.stem}.html"


RENDERINGS = ("html", "code", "figures")   # a report with code hidden, with code shown, or no HTML: PNG files


def _is_kernel_race(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(m in text for m in KERNEL_RACE_MARKERS) and "PapermillExecutionError" not in type(exc).__name__


ENGINE = "rotation"


@functools.lru_cache(maxsize=1)
def register_engine() -> str:
    """Register papermill's nbclient engine, saving the executed notebook once, under the name
    `ENGINE` (once per process); the name.

    papermill's own engine rewrites the whole output notebook (figures included) when every cell
    starts and ends: up to 0.8 s a notebook here, for files nothing reads until the run ends.
    This engine writes when execution ends, however it ends (papermill's `notebook_complete`
    runs in a `finally`), so a notebook whose kernel died still keeps the outputs it made."""
    from papermill.engines import NBClientEngine, papermill_engines

    class FinalSaveEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            save = nb_man.save
            nb_man.save = lambda **kw: None     # no rewrite per cell
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            finally:
                nb_man.save = save              # papermill's final save, in its `finally`, writes once

    papermill_engines.register(ENGINE, FinalSaveEngine)
    return ENGINE


def execute_one(stem: str, src: str, staging: str, parameters: dict, kernel: str, rendering: str) -> NotebookResult:
    """Run one notebook with papermill and write its report (in this worker process):
    `rendering` 'html' (code hidden) or 'code' (code shown) renders the HTML report; 'figures'
    (--figures-only) writes no HTML, only each figure as `<stem>.figure-NN.png` beside the
    executed notebook."""
    import nbformat
    import papermill as pm

    from .kernels import RunKernelManager

    t0 = time.perf_counter()
    out_nb = Path(staging) / f"{stem}.ipynb"
    status, error, attempts = "ok", "", 0
    with processes.job_runtime_folder() as runtime:
        while True:
            attempts += 1
            try:
                pm.execute_notebook(src, str(out_nb), parameters=parameters, kernel_name=kernel,
                                    progress_bar=False, log_output=False, cwd=str(Path(src).parent),
                                    kernel_manager_class=RunKernelManager, engine_name=register_engine(),
                                    # every output is in once the last cell has replied: stop the kernel
                                    # now instead of waiting ~0.2 s for its polite exit
                                    shutdown_kernel="immediate")
                break
            except pm.PapermillExecutionError as exc:
                status, error = "failed", f"{exc.ename}: {exc.evalue}"
                break
            except Exception as exc:  # kernel start-up races: retry; anything else is a failure
                if _is_kernel_race(exc) and attempts < KERNEL_RETRIES:
                    time.sleep(0.5 * attempts)
                    continue
                status, error = "failed", f"{type(exc).__name__}: {exc}"
                if runtime is not None and (why := kernel_log_tail(runtime)):
                    error += f" (kernel log: {why})"
                if not out_nb.exists():
                    nb = nbformat.read(src, as_version=4)
                    nb.cells.insert(0, nbformat.v4.new_markdown_cell(
                        f"**This notebook could not be executed.**\n\n```\n{traceback.format_exc()}\n```"))
                    nbformat.write(nb, str(out_nb))
                break
    figures, grid = {}, []
    try:
        nb = nbformat.read(str(out_nb), as_version=4)
        figures = R.from_notebook(nb)
        grid = R.grid_from_notebook(nb)
        if rendering == "figures":
            write_figures(nb, Path(staging), stem)
        else:
            render_html(nb, Path(staging) / f"{stem}.html", show_code=rendering == "code", failed=status != "ok")
    except Exception as exc:  # rendering problems are reported, not hidden
        status, error = "failed", error or f"rendering failed: {type(exc).__name__}: {exc}"
    return NotebookResult(stem=stem, status=status, seconds=time.perf_counter() - t0,
                          parameters=parameters, figures=figures, error=error, attempts=attempts, grid=grid,
                          report=f"{stem}.ipynb" if rendering == "figures" else f"{stem}.html")


def figure_pngs(nb) -> list[bytes]:
    """The PNG bytes of every figure in an executed notebook's outputs, in the order shown."""
    import base64

    return [base64.b64decode(out["data"]["image/png"]) for cell in nb.cells if cell.cell_type == "code"
            for out in cell.get("outputs", []) if "image/png" in out.get("data", {})]


def write_figures(nb, folder: Path, stem: str) -> list[str]:
    """Write each figure of `nb` as `<stem>.figure-01.png`, `-02`, ... into `folder`; their names."""
    names = []
    for i, png in enumerate(figure_pngs(nb), start=1):
        names.append(f"{stem}.figure-{i:02d}.png")
        (folder / names[-1]).write_bytes(png)
    return names


@functools.lru_cache(maxsize=1)
def html_exporter():
    """The HTML exporter of this process, built once (template lookup and Jinja environment
    take about a second) and reused for every report this worker renders: the `rotation`
    template, no prompts, images embedded."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="rotation")
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    return exporter


def render_html(nb, target: Path, show_code: bool = False, failed: bool = False) -> None:
    """Standalone HTML of an executed notebook: images embedded, no CDN scripts, the
    injected-parameters cell removed, code hidden unless `show_code` (a failing cell's code is
    always shown)."""
    import copy

    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        has_error = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        if not show_code and not has_error:
            cell.metadata.setdefault("transient", {})["remove_source"] = True
        if not cell.get("outputs") and not show_code:
            cell.metadata.setdefault("transient", {})["remove_source"] = True
    body, _ = html_exporter().from_notebook_node(nb)
    if failed:
        body = body.replace("<body", "<body data-status=\"failed\"", 1)
    target.write_text(body, encoding="utf-8")


def progress_meter(done: int, total: int, elapsed: float) -> str:
    """'3/12 · 00:07 elapsed · 2.50s/run · ETA 00:22': the running count, the rate and the time
    left (tqdm's meter, as one line per finished run so logs of long sweeps stay readable)."""
    from tqdm import tqdm

    return tqdm.format_meter(done, total, elapsed, unit="run",
                             bar_format="{n_fmt}/{total_fmt} · {elapsed} elapsed · {rate_fmt} · ETA {remaining}").replace("  ", " ")


def progress_line(key, result: NotebookResult, done: int, total: int, elapsed: float) -> str:
    """The line said when a run finishes: '[3/12 · 00:07 elapsed · 2.50s/run · ETA 00:22]
    2024-12-31 / 03_concentration: ok in 8.1s' (the error in brackets when it failed)."""
    label = key if isinstance(key, str) else " / ".join(map(str, key))
    return (f"[{progress_meter(done, total, elapsed)}] {label}: {result.status} in {result.seconds:.1f}s"
            + (f" ({result.error})" if result.error else ""))


INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


@contextlib.contextmanager
def inline_figures(progress):
    """Kernels draw figures with the inline backend: an inherited non-interactive `MPLBACKEND`
    (e.g. `Agg` from a batch environment) would make every `plt.show()` a no-op and silently
    drop every figure from the reports, so it is removed from the environment the workers and
    kernels inherit for the run (said in one progress line) and restored afterwards."""
    inherited = os.environ.get("MPLBACKEND")
    if not inherited or inherited == INLINE_BACKEND:
        yield
        return
    progress(f"ignoring MPLBACKEND={inherited} for the notebooks' kernels (it would drop every figure from the reports)")
    del os.environ["MPLBACKEND"]
    try:
        yield
    finally:
        os.environ["MPLBACKEND"] = inherited


def worker_start(parent_pid: int) -> None:
    """Initializer of a local pool worker: `processes.worker_init`, then wait for the run's
    kernel template to finish its imports (`kerneltemplate.wait_ready`), so that start-up,
    once per run, is not counted in the first notebooks' own times (the run's wall time has it)."""
    processes.worker_init(parent_pid)
    kerneltemplate.wait_ready()


def execute_jobs(jobs: list[tuple], workers: int, progress) -> dict:
    """Run notebook jobs `(key, stem, path, staging, parameters, kernel, rendering)` in
    `workers` worker processes; {key: NotebookResult}. A crashed worker
    fails only its own job. Progress: one line per finished job with a running count.

    Kernels keep their connection files and sockets in a runtime folder of this run
    (`processes.runtime_folder`, removed at the end), and are forked from the run's kernel
    template (`rotation.kerneltemplate`: the command line's, else one started here before the
    pool). Interrupted (Ctrl-C, SIGTERM, SIGHUP: `processes.Interrupted`) or failing here, every worker and kernel is stopped before the
    exception goes on; workers also die with this process if it is killed."""
    with processes.runtime_folder() as runtime, inline_figures(progress), \
            kerneltemplate.started(runtime, kerneltemplate.main_kernel(jobs), spares=min(workers, len(jobs))):
        try:
            results = _execute_jobs(jobs, workers, progress)
        except BaseException:
            processes.stop_descendants()
            raise
        progress(kerneltemplate.summary(len(jobs)))
        return results


def _execute_jobs(jobs: list[tuple], workers: int, progress) -> dict:
    results = {}
    total = len(jobs)

    t0 = time.perf_counter()

    def done(key, res):
        results[key] = res
        progress(progress_line(key, res, len(results), total, time.perf_counter() - t0))

    # Always in worker processes, even for one job: this process only waits, so a signal
    # interrupts the wait, never library code in the middle of starting or talking to a kernel.
    import multiprocessing as mp

    import threading

    # fork (where there is one) while the parent is single-threaded: workers start with
    # papermill and nbconvert already imported (about 2 s each saved). The parent has started
    # no kernel and holds no ZMQ context here. With other threads alive, spawn is the safe choice.
    single = threading.active_count() == 1
    method = "fork" if single and "fork" in mp.get_all_start_methods() else "spawn"
    import papermill  # noqa: F401  (imported before forking, so each worker need not)

    if method == "fork":
        html_exporter()  # built once here, inherited by every forked worker

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method),
                               initializer=worker_start, initargs=(os.getpid(),))
    try:
        futures = {pool.submit(execute_one, *args): (key, args) for key, *args in jobs}
        for fut in as_completed(futures):
            key, args = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # a worker crash is a failure of that notebook only
                res = NotebookResult(stem=args[0], status="failed", seconds=0.0, parameters=args[3],
                                     error=f"worker crashed: {exc}")
            done(key, res)
    except BaseException:  # interrupted: stop workers and kernels now, do not wait for them
        processes.stop_descendants()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results

