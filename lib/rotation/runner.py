"""`rotation run` and `rotation sweep`: plan, execute, publish.

Order of work:
1. `rotation.plan` validates everything (notebook names, parameters against their
   declarations, the as_of range 1926-07 .. a year after today, --jobs, the output folder)
   before any notebook runs or any folder is created; a bad request raises a `RunRequestError`
   (or one of its named subclasses) and writes nothing;
2. take the output folder's lock (`rotation.reportfolder.folder_lock`): one run at a time per
   folder, a second is refused with `OutputFolderBusy`; stale staging folders are removed;
3. `rotation.execute` runs each notebook with papermill in a worker process and renders its
   HTML in the same process;
4. `rotation.reportfolder.finish_run` moves the reports in and rebuilds `results.json`,
   `spec_grid.csv` and `index.html` (`rotation.pages`) from every report sidecar in the folder.

Outputs never touch sources, and a failed run never replaces a good report of the same notebook
(see `rotation.reportfolder`). The names below are re-exported so `rotation.runner` stays the
one entry point for the command line and the tests.
"""
from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import processes
from .errors import (  # noqa: F401  (re-exported)
    AsOfRangeError, JobsError, NotebookSelectionError, OutputFolderBusy, OutputFolderError, OutputWriteError,
    RotationError, RunRequestError, SweepDateError,
)
from .execute import NotebookResult, execute_jobs, execute_one, render_html  # noqa: F401
from .executors import LocalPool
from .pages import comparison_html, comparison_table, index_html, thesis_lead_html, verdict_grid_html  # noqa: F401
from .plan import (  # noqa: F401
    CORE_DATA_START, RunRequest, available_notebooks, check_jobs, check_output_folder, kernel_name,
    notebook_parameters, notebooks_dir, parse_as_of, plan_run, resolve_notebooks, sweep_dates,
)
from .provenance import data_vintage, git_commit  # noqa: F401
from .reportfolder import (  # noqa: F401
    LOCK, MARKER, MARKER_TEXT, finish_run, os_error_text, folder_lock, folder_reports, is_report_folder, sweep_folder_reports,
)


def _default_progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(request: RunRequest, progress=None, executor=None) -> dict[str, NotebookResult]:
    """Execute the planned run, holding the output folder's lock (a folder another run is
    writing is refused with `OutputFolderBusy`, nothing written); returns {stem: NotebookResult}.
    Never raises for a failing notebook: its status says so."""
    progress = progress or _default_progress
    out = request.out
    with folder_lock(out):  # creates and marks the folder
        staging = Path(tempfile.mkdtemp(dir=out, prefix=".staging-"))
        t0 = time.perf_counter()
        total = len(request.notebooks)
        if request.jobs_note:
            progress(request.jobs_note)
        progress(f"running {total} notebook(s) with {request.jobs} worker(s), kernel '{request.kernel}' -> {out}")
        try:
            jobs = [(stem, stem, str(path), str(staging), request.parameters[stem], request.kernel, request.rendering)
                    for stem, path in request.notebooks.items()]
            try:
                raw = (executor or LocalPool()).run_jobs(jobs, request.jobs, progress)
            except OSError as exc:
                raise OutputWriteError(f"could not run the notebooks into {out} ({os_error_text(exc)}); nothing in "
                                       f"{out} was changed; free space or fix the folder and run again") from None
            results = {stem: raw[stem] for stem in request.notebooks}
            finish_run(request, staging, results, time.perf_counter() - t0)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    failed = [s for s, r in results.items() if r.status != "ok"]
    progress(f"done in {time.perf_counter() - t0:.1f}s: {total - len(failed)} ok, {len(failed)} failed; index: {out / 'index.html'}")
    return results


def sweep(dates: list[str], start: str | None = None, extra=None, only=None, jobs: int | None = None,
          out: str | Path = "reports/sweep", show_code: bool = False, folder: Path | None = None,
          progress=None, data_cutoff: str | None = None, executor=None,
          figures_only: bool = False) -> dict[str, dict[str, NotebookResult]]:
    """Run the collection for each date (one report folder per date, `out/<date>/`), all
    (date, notebook) pairs in one worker pool, then write `out/index.html` (comparison page
    with small multiples) and `out/comparison.csv` (every headline figure across dates).
    A failing date is marked; the others complete. The whole request (the sweep folder and
    every date folder) is checked before any folder is created; the sweep holds the locks of
    the sweep folder and of every date folder (`OutputFolderBusy` when another run holds one)."""
    progress = progress or _default_progress
    out = check_output_folder(out, folder)
    requests = {d: plan_run(as_of=d, start=start, extra=extra, only=only, jobs=jobs, out=out / d,
                            show_code=show_code, folder=folder, data_cutoff=data_cutoff, figures_only=figures_only)
                for d in dates}
    runs = sum(len(r.notebooks) for r in requests.values())
    workers, note = check_jobs(jobs, runs, "(date, notebook)")
    with contextlib.ExitStack() as held:  # the sweep folder's lock and each date folder's, until the sweep ends
        held.enter_context(folder_lock(out))
        for r in requests.values():
            held.enter_context(folder_lock(r.out))
        return _sweep_locked(out, dates, requests, workers, note, progress, executor)


def _sweep_locked(out: Path, dates: list[str], requests: dict[str, RunRequest], workers: int, note: str,
                  progress, executor=None) -> dict[str, dict[str, NotebookResult]]:
    if note:
        progress(note)
    stagings = {d: Path(tempfile.mkdtemp(dir=r.out, prefix=".staging-")) for d, r in requests.items()}
    t0 = time.perf_counter()
    all_jobs = [((d, stem), stem, str(path), str(stagings[d]), r.parameters[stem], r.kernel, r.rendering)
                for d, r in requests.items() for stem, path in r.notebooks.items()]
    progress(f"sweep: {len(dates)} date(s) x {len(all_jobs) // len(dates)} notebook(s) = {len(all_jobs)} runs, {workers} worker(s) -> {out}")
    by_date: dict[str, dict[str, NotebookResult]] = {}
    try:
        raw = (executor or LocalPool()).run_jobs(all_jobs, workers, progress)
        for d, r in requests.items():
            by_date[d] = {stem: raw[(d, stem)] for stem in r.notebooks}
            finish_run(r, stagings[d], by_date[d], sum(x.seconds for x in by_date[d].values()))
    finally:
        for st in stagings.values():
            shutil.rmtree(st, ignore_errors=True)
    folder = sweep_folder_reports(out)  # every date folder of the sweep folder, not only this sweep's
    table = comparison_table(folder)
    table.to_csv(out / "comparison.csv", index=False)
    (out / "index.html").write_text(comparison_html(folder, table, time.perf_counter() - t0), encoding="utf-8")
    bad = [d for d, res in by_date.items() if any(x.status != "ok" for x in res.values())]
    progress(f"sweep done in {time.perf_counter() - t0:.1f}s: {len(dates) - len(bad)} date(s) ok, {len(bad)} with failures"
             + (f" ({', '.join(bad)})" if bad else "") + f"; comparison: {out / 'index.html'}")
    return by_date

