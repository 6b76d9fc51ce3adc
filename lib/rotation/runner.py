"""`rotation run`: execute notebooks with papermill in parallel, render HTML, write the index.

Order of work:
1. validate everything (notebook names, parameter names and date formats, the as_of range
   1926-07 .. a year after today, --jobs, the output folder) before any notebook runs or any
   folder is created; a bad request raises a `RunRequestError` (or one of its named
   subclasses) and writes nothing;
2. take the output folder's lock (`.rotation.lock`, flock): one run at a time per folder, a
   second is refused with `OutputFolderBusy`;
3. execute each notebook with papermill in a worker process (retrying the known kernel
   start-up port race), render it to standalone HTML in the same process;
4. move the reports in, then rebuild `results.json`, `spec_grid.csv` and `index.html` from
   every report sidecar in the folder: they describe the folder, not the last run.

Outputs never touch sources: `--out` may not be (or be inside) the project's notebooks/, lib/,
tests/, seeds/, .git/ or the data store, nor be the project root; a report folder carries the
marker file `.rotation-reports`, and an existing non-empty folder without it is refused. A
failed run never replaces a good report of the same notebook: the failure is written beside it
(`<stem>.failed.html`, `<stem>.failed.ipynb`) and the index shows both. Each report has a
sidecar `<stem>.run.json` (status, finish time, parameters, figures, grid rows) saying whether
it is good; a failure beside a kept good report has `<stem>.failed.run.json`.
"""
from __future__ import annotations

import contextlib
import functools
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import params as P
from .errors import OutputWriteError, RotationError, RunRequestError  # noqa: F401  (re-exported)
from . import processes
from . import results as R
from .kernels import kernel_log_tail

TEMPLATES = Path(__file__).resolve().parent / "templates"
KERNEL_RETRIES = 3
KERNEL_RACE_MARKERS = ("Kernel died before replying", "Address already in use", "ZMQError",
                       "Kernel didn't respond", "kernel_info")


class OutputFolderError(RunRequestError):
    """`--out` is a source folder, the data store, the project root, a file, not writable, or an
    existing non-empty folder that `rotation run` did not write."""


class OutputFolderBusy(OutputFolderError):
    """Another `rotation run` / `rotation sweep` is writing the output folder (it holds the
    folder's lock `.rotation.lock`)."""


class AsOfRangeError(RunRequestError):
    """`--as-of` lies before the core data's start or more than a year after today."""


class JobsError(RunRequestError):
    """`--jobs` is below 1."""


class NotebookSelectionError(RunRequestError):
    """`--only` names no notebook of the collection (or is a path)."""


class SweepDateError(RunRequestError):
    """A sweep date is malformed or outside what the data can answer."""


MARKER = ".rotation-reports"       # the file that says "this folder holds reports written by rotation"
MARKER_TEXT = "This folder holds reports written by `rotation run` / `rotation sweep`; they may replace its files.\n"
LOCK = ".rotation.lock"            # flock'ed by the run writing the folder (released when it ends or dies)
INDEX_TITLES = ("<title>Great Rotation reports</title>", "<title>Sweep comparison</title>")  # report folders from before the marker
CORE_DATA_START = "1926-07"        # first month of the core data (Fama-French size portfolios)
PROTECTED = ("notebooks", "lib", "tests", "seeds", ".git")   # project folders reports may never be written into


def notebooks_dir() -> Path:
    from .data import project_root

    return project_root() / "notebooks"


def available_notebooks(folder: Path | None = None) -> dict[str, Path]:
    """{stem: path} of the collection's notebooks, in name order."""
    folder = folder or notebooks_dir()
    return {p.stem: p for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))}


def resolve_notebooks(only: list[str] | None, folder: Path | None = None) -> dict[str, Path]:
    """Select notebooks by name (stem, "03_concentration") or number prefix ("03"); paths and
    anything else are refused with `NotebookSelectionError` naming the allowed values."""
    nbs = available_notebooks(folder)
    if not nbs:
        raise RunRequestError(f"no notebooks found in {folder or notebooks_dir()}")
    if not only:
        return nbs
    allowed = f"allowed are {', '.join(nbs)} (or their number prefix, e.g. '{next(iter(nbs)).split('_', 1)[0]}')"
    chosen = {}
    for name in only:
        if "/" in name or "\\" in name or name.endswith(".ipynb"):
            raise NotebookSelectionError(f"notebook {name!r} is a path, not a notebook name: {allowed}")
        hits = [s for s in nbs if s == name or s.split("_", 1)[0] == name]
        if len(hits) != 1:
            raise NotebookSelectionError(f"unknown notebook {name!r}: {allowed}")
        chosen[hits[0]] = nbs[hits[0]]
    return chosen


def notebook_parameters(path: Path) -> dict[str, dict]:
    """The parameters of a notebook's `parameters` cell: {name: {type, default, help}}."""
    p = Path(path)
    return _notebook_parameters(str(p), p.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _notebook_parameters(path: str, mtime_ns: int) -> dict[str, dict]:
    import papermill as pm

    raw = pm.inspect_notebook(path)
    return {k: {"type": v.get("inferred_type_name"), "default": v.get("default"), "help": v.get("help", "")}
            for k, v in raw.items()}


def coerce_value(text: str, declared: str | None):
    """Turn a command-line value into the type the notebook declares (int, float, bool, str)."""
    declared = (declared or "str").lower()
    if not isinstance(text, str):
        return text
    try:
        if declared == "int":
            return int(text)
        if declared == "float":
            return float(text)
        if declared == "bool":
            if text.lower() in ("true", "1", "yes"):
                return True
            if text.lower() in ("false", "0", "no"):
                return False
            raise ValueError(text)
    except ValueError:
        raise RunRequestError(f"parameter value {text!r} is not a valid {declared}") from None
    return text


def notebook_value(stem: str, name: str, text: str, declared_type: str | None):
    """A `-p NAME TEXT` value for notebook `stem`: checked against the notebook's parameter
    declaration (`params.DECLARED`: type and allowed range, `ParameterError` naming both) before
    any kernel starts; a notebook without declarations (a toy collection) gets the type its
    parameters cell infers (`coerce_value`)."""
    value = P.from_text(stem, name, text)
    return coerce_value(text, declared_type) if value is None else value


def _literal(text):
    """A parameters-cell default as papermill reports it (source text) as a Python value."""
    import ast

    try:
        return ast.literal_eval(text) if isinstance(text, str) else text
    except (ValueError, SyntaxError):
        return text


def parse_date(name: str, value, allow_latest: bool = False, error: type = RunRequestError):
    """`params.parse_date`, with every refusal (a year 0 too) raised as `error`."""
    try:
        return P.parse_date(name, value, allow_latest=allow_latest)
    except P.ParameterError as exc:
        raise error(str(exc)) from None
    except (ValueError, OverflowError, NotImplementedError):
        latest = "'latest' or " if allow_latest else ""
        raise error(f"parameter `{name}` = {value!r} is not a valid date: expected {latest}{P.ALLOWED_DATE}") from None


@dataclass
class RunRequest:
    notebooks: dict[str, Path]
    parameters: dict[str, dict]          # per notebook stem: parameters to inject
    out: Path
    jobs: int
    show_code: bool = False
    kernel: str = "python3"
    jobs_note: str = ""                  # said in one progress line when --jobs was capped


def plan_run(as_of: str | None = None, start: str | None = None, extra: list[tuple[str, str]] | None = None,
             only: list[str] | None = None, jobs: int | None = None, out: str | Path = "reports/latest",
             show_code: bool = False, folder: Path | None = None, data_cutoff: str | None = None) -> RunRequest:
    """Validate a run request completely, before any notebook runs.

    `data_cutoff` (an ISO date) hides every observation not yet published at that date, in
    every notebook (passed as the notebooks' `data_cutoff` parameter)."""
    if data_cutoff is not None:
        try:
            P.parse_cutoff(data_cutoff)
        except P.ParameterError as exc:
            raise RunRequestError(str(exc).replace("parameter `data_cutoff`", "--data-cutoff")) from None
    if as_of is not None:
        parse_as_of("--as-of", as_of, AsOfRangeError, allow_latest=True)
    if start is not None:
        parse_date("start", start)
    nbs = resolve_notebooks(only, folder)
    declared = {stem: notebook_parameters(p) for stem, p in nbs.items()}
    given: dict[str, str] = {}
    for name, value in extra or []:
        if name in ("as_of", "start", "data_cutoff"):
            raise RunRequestError(f"use --{name.replace('_', '-')} for `{name}`, not -p")
        given[name] = value
    known = set().union(*(set(d) for d in declared.values()))
    for name in given:
        if name not in known:
            raise RunRequestError(f"unknown parameter {name!r}: the selected notebooks take "
                                  f"{', '.join(sorted(known))}")
    per_nb = {}
    for stem, decl in declared.items():
        values = {}
        if as_of is not None:
            values["as_of"] = as_of
        if start is not None:
            values["start"] = start
        if data_cutoff is not None:
            if "data_cutoff" not in decl:
                raise RunRequestError(f"notebook {stem} takes no `data_cutoff` parameter, so --data-cutoff cannot apply to it")
            values["data_cutoff"] = data_cutoff
        for name, value in given.items():
            if name in decl:
                values[name] = notebook_value(stem, name, value, decl[name]["type"])
        if P.declared(stem) is not None and given:  # rules tying several parameters together (04's what-if)
            defaults = {n: _literal(d["default"]) for n, d in decl.items() if n not in ("as_of", "start", "data_cutoff")}
            P.check_all(stem, {**defaults, **{n: v for n, v in values.items() if n in defaults}})
        per_nb[stem] = values
    n, note = check_jobs(jobs, len(nbs), "notebook")
    out = check_output_folder(out, folder)
    return RunRequest(notebooks=nbs, parameters=per_nb, out=out, jobs=n, show_code=show_code,
                      kernel=kernel_name(), jobs_note=note)


def check_jobs(jobs: int | None, runs: int, what: str = "notebook") -> tuple[int, str]:
    """(workers, note): `--jobs` must be at least 1 (`JobsError` otherwise); above the number
    of runs it is capped to it and `note` says so; unset, it is min(runs, cores)."""
    if jobs is None:
        return max(1, min(runs, os.cpu_count() or 1)), ""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise JobsError(f"--jobs {jobs}: allowed is a whole number from 1 up (at most one worker per {what} run "
                        f"is used, here {runs}); leave --jobs out for the default")
    if jobs > runs:
        return runs, f"--jobs {jobs} capped to {runs}: there are only {runs} {what} run(s)"
    return jobs, ""


def protected_folders(folder: Path | None = None) -> dict[Path, str]:
    """{resolved folder: description} of the places reports may never be written into."""
    from .data import data_dir, project_root

    root = project_root().resolve()
    places = {(root / name).resolve(): f"the project's {name}/ folder" for name in PROTECTED}
    places[data_dir().resolve()] = "the data store"
    if folder is not None:
        places[Path(folder).resolve()] = "the notebooks' folder"
    return places


def is_report_folder(path: Path) -> bool:
    """True when `path` carries the marker, or is a report folder written before the marker
    existed (its index.html is one of ours)."""
    if (path / MARKER).is_file():
        return True
    index = path / "index.html"
    try:
        head = index.read_text(encoding="utf-8", errors="replace")[:4000] if index.is_file() else ""
    except OSError:
        return False
    return any(t in head for t in INDEX_TITLES)


def check_output_folder(out: str | Path, folder: Path | None = None) -> Path:
    """The resolved output folder, after refusing (`OutputFolderError`) a folder that is or lies
    inside a source folder or the data store, the project root, a file, an existing non-empty
    folder without the report marker, or one that cannot be written. Creates nothing."""
    from .data import project_root

    given = str(out)
    out = Path(out).expanduser().resolve()
    hint = "choose a folder outside the sources and the data store, e.g. reports/latest"
    if out == project_root().resolve():
        raise OutputFolderError(f"--out {given} is the project root ({out}); {hint}")
    for place, what in protected_folders(folder).items():
        if out == place or place in out.parents:
            where = f"is {what} ({place})" if out == place else f"({out}) is inside {what} ({place})"
            raise OutputFolderError(f"--out {given} {where}; reports may not be written into sources or the "
                                    f"data store; {hint}")
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"--out {given} ({out}) is a file, not a folder; choose an empty or new folder, "
                                f"or one written by rotation run")
    if out.is_dir() and any(out.iterdir()) and not is_report_folder(out):
        raise OutputFolderError(f"--out {given} ({out}) is a non-empty folder not written by rotation run "
                                f"(no {MARKER} marker); choose an empty or new folder, or one written by rotation run")
    check_writable(out)
    return out


def check_writable(out: Path) -> None:
    """Raise OutputFolderError unless `out` exists and accepts files, or its nearest existing
    parent is a folder that does (so `out` can be created). Creates nothing."""
    probe = out
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise OutputFolderError(f"output folder {out} is not writable ({probe} is a file); "
                                f"pass --out with a folder you can write to")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputFolderError(f"output folder {out} is not writable (no write permission on {probe}); "
                                f"pass --out with a folder you can write to")


def prepare_output(out: Path) -> None:
    """Create the report folder (when new) and write its marker."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not (out / MARKER).exists():
            (out / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    except OSError as exc:
        raise OutputFolderError(f"output folder {out} is not writable ({exc.strerror or exc}); "
                                f"pass --out with a folder you can write to") from None


def remove_stale_staging(out: Path) -> list[Path]:
    """Remove `.staging-*` folders left in `out` by a run that was killed: only the run holding
    the folder's lock writes staging folders there, so with the lock held every one is stale."""
    stale = [d for d in out.glob(".staging-*") if d.is_dir()]
    for d in stale:
        shutil.rmtree(d, ignore_errors=True)
    return stale


@contextlib.contextmanager
def folder_lock(out: Path):
    """Hold the report folder's lock (`fcntl.flock` on `out/.rotation.lock`, non-blocking) for
    the block: one run at a time per folder. A folder another run holds is refused with
    `OutputFolderBusy` before anything in it is written. The folder is created and marked
    (`prepare_output`) before the lock file exists, so a second run planning meanwhile sees a
    report folder and is refused as busy, not as foreign; in a folder another run holds, both
    exist already and the lock file is opened, never changed. The lock goes with the open
    file, so it is released on exit, on errors, and by the kernel when the process is killed:
    never stale."""
    import fcntl

    prepare_output(out)
    try:
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise OutputFolderError(f"output folder {out} is not writable ({exc.strerror or exc}); "
                                f"pass --out with a folder you can write to") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputFolderBusy(f"output folder {out} is being written by another rotation run (it holds "
                                   f"{LOCK}); try again when that run finishes, or choose another --out") from None
        remove_stale_staging(out)
        yield out
    finally:
        os.close(fd)  # releases the lock


def kernel_name() -> str:
    """The `rotation` kernel when it is registered (make setup does that), else `python3`."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    return "rotation" if "rotation" in specs else "python3"


# ---------------------------------------------------------------- execution (worker side)

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
    kept: dict | None = None         # a failed run beside an earlier good report: that report's record ("finished", "figures", "parameters", ...)
    finished: str = ""               # when the run that wrote this report ended (UTC, ISO)


def _is_kernel_race(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(m in text for m in KERNEL_RACE_MARKERS) and "PapermillExecutionError" not in type(exc).__name__


@contextlib.contextmanager
def job_runtime_folder(stem: str):
    """A folder of its own for one notebook's kernel inside the run's runtime folder (so its
    kernel log is its own), made the runtime folder while the notebook runs; None (and nothing
    changed) outside a run's runtime folder."""
    from .processes import RUNTIME_ENV

    parent = os.environ.get(RUNTIME_ENV)
    if not parent or not Path(parent).is_dir():
        yield None
        return
    folder = Path(tempfile.mkdtemp(dir=parent, prefix="j"))  # short: socket paths are limited
    os.environ[RUNTIME_ENV] = str(folder)
    try:
        yield folder
    finally:
        os.environ[RUNTIME_ENV] = parent
        shutil.rmtree(folder, ignore_errors=True)


def execute_one(stem: str, src: str, staging: str, parameters: dict, kernel: str, show_code: bool) -> NotebookResult:
    """Run one notebook with papermill and render its HTML report (in this worker process)."""
    import nbformat
    import papermill as pm

    from .kernels import RunKernelManager

    t0 = time.perf_counter()
    out_nb = Path(staging) / f"{stem}.ipynb"
    status, error, attempts = "ok", "", 0
    with job_runtime_folder(stem) as runtime:
        while True:
            attempts += 1
            try:
                pm.execute_notebook(src, str(out_nb), parameters=parameters, kernel_name=kernel,
                                    progress_bar=False, log_output=False, cwd=str(Path(src).parent),
                                    kernel_manager_class=RunKernelManager)
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
        render_html(nb, Path(staging) / f"{stem}.html", show_code=show_code, failed=status != "ok")
    except Exception as exc:  # rendering problems are reported, not hidden
        status, error = "failed", error or f"rendering failed: {type(exc).__name__}: {exc}"
    return NotebookResult(stem=stem, status=status, seconds=time.perf_counter() - t0,
                          parameters=parameters, figures=figures, error=error, attempts=attempts, grid=grid)


def render_html(nb, target: Path, show_code: bool = False, failed: bool = False) -> None:
    """Standalone HTML of an executed notebook: images embedded, no CDN scripts, the
    injected-parameters cell removed, code hidden unless `show_code` (a failing cell's code is
    always shown)."""
    import copy

    from nbconvert import HTMLExporter
    from traitlets.config import Config

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
    cfg = Config()
    exporter = HTMLExporter(config=cfg, extra_template_basedirs=[str(TEMPLATES)], template_name="rotation")
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    body, _ = exporter.from_notebook_node(nb)
    if failed:
        body = body.replace("<body", "<body data-status=\"failed\"", 1)
    target.write_text(body, encoding="utf-8")


# ---------------------------------------------------------------- orchestration

def git_commit() -> str:
    from .data import project_root

    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=project_root(),
                             capture_output=True, text=True, timeout=5)
        commit = out.stdout.strip() or "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=project_root(),
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def data_vintage() -> dict:
    """What the reports were computed from: store fill date, source, CRSP vintage, coverage."""
    from . import data

    try:
        from .data.store import read_manifest

        man = read_manifest()
        return {"store_filled": man.get("filled"), "store_source": man.get("source"),
                "famafrench_vintage": data.dataset("ff_portfolios_me").vintage,
                "latest_common_month": str(data.latest_common_month())}
    except data.DataError as exc:
        return {"error": str(exc)}


def _default_progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def execute_jobs(jobs: list[tuple], workers: int, progress) -> dict:
    """Run notebook jobs `(key, stem, path, staging, parameters, kernel, show_code)` in
    `workers` worker processes; {key: NotebookResult}. A crashed worker
    fails only its own job. Progress: one line per finished job with a running count.

    Kernels keep their connection files and sockets in a runtime folder of this run
    (`processes.runtime_folder`, removed at the end). Interrupted (Ctrl-C, SIGTERM, SIGHUP:
    `processes.Interrupted`) or failing here, every worker and kernel is stopped before the
    exception goes on; workers also die with this process if it is killed."""
    with processes.runtime_folder():
        try:
            return _execute_jobs(jobs, workers, progress)
        except BaseException:
            processes.stop_descendants()
            raise


def _execute_jobs(jobs: list[tuple], workers: int, progress) -> dict:
    results = {}
    total = len(jobs)

    def done(key, res):
        results[key] = res
        label = key if isinstance(key, str) else " / ".join(map(str, key))
        progress(f"[{len(results)}/{total}] {label}: {res.status} in {res.seconds:.1f}s" + (f" ({res.error})" if res.error else ""))

    # Always in worker processes, even for one job: this process only waits, so a signal
    # interrupts the wait, never library code in the middle of starting or talking to a kernel.
    import multiprocessing as mp

    import threading

    # fork (where there is one) while the parent is single-threaded: workers start with
    # papermill and nbconvert already imported (about 2 s each saved). The parent has started
    # no kernel and holds no ZMQ context here. With other threads alive, spawn is the safe choice.
    single = threading.active_count() == 1
    method = "fork" if single and "fork" in mp.get_all_start_methods() else "spawn"
    import nbconvert  # noqa: F401  (imported before forking, so each worker need not)
    import papermill  # noqa: F401

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method),
                               initializer=processes.worker_init, initargs=(os.getpid(),))
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


def _sidecar(path: Path) -> dict | None:
    """A report sidecar (`<stem>.run.json`, `<stem>.failed.run.json`) as a dict with at least
    status, finished, parameters, seconds, error and figures; None when missing or unreadable."""
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(rec, dict) or rec.get("status") not in ("ok", "failed"):
        return None
    figures = rec.get("figures")
    return {**rec, "finished": str(rec.get("finished", "")), "figures": figures if isinstance(figures, dict) else {},
            "error": str(rec.get("error") or "")}


def _legacy_report(out: Path, stem: str) -> dict | None:
    """The record of a report written before sidecars existed: good unless its HTML is marked
    failed, finished when the file was written, figures from the folder's results.json,
    parameters and run time unknown (None)."""
    page = out / f"{stem}.html"
    try:
        if not page.is_file():
            return None
        failed = 'data-status="failed"' in page.read_text(encoding="utf-8", errors="replace")
        finished = datetime.fromtimestamp(page.stat().st_mtime, timezone.utc).isoformat(timespec="seconds")
        previous = json.loads((out / "results.json").read_text(encoding="utf-8")) if (out / "results.json").is_file() else {}
    except (OSError, ValueError):
        return None
    figures = previous.get(stem) if isinstance(previous, dict) else None
    figures = {k: {f: x for f, x in v.items() if f != "from_earlier_run"} for k, v in figures.items()
               if isinstance(v, dict)} if isinstance(figures, dict) else {}
    return {"stem": stem, "status": "failed" if failed else "ok", "finished": finished, "parameters": None,
            "seconds": None, "error": "", "figures": figures}


def _grid(rec: dict, notebook: Path) -> list:
    """The specification-grid rows of a report: from its sidecar, or (sidecars written before
    they carried them, reports from before sidecars) read from its executed notebook."""
    if isinstance(rec.get("grid"), list):
        return rec["grid"]
    try:
        import nbformat

        return R.grid_from_notebook(nbformat.read(str(notebook), as_version=4))
    except Exception:  # an unreadable notebook has no rows to show
        return []


def earlier_good_report(out: Path, stem: str) -> dict | None:
    """The record (status, finished, parameters, figures, ...) of the good report of `stem`
    already in `out`, or None. Read from its sidecar `<stem>.run.json`; a report written before
    sidecars existed counts as good when its HTML is not marked failed (its date is the file's,
    its figures those in results.json)."""
    if not (out / f"{stem}.html").is_file():
        return None
    rec = _sidecar(out / f"{stem}.run.json") or _legacy_report(out, stem)
    return rec if rec is not None and rec["status"] == "ok" else None


def _as_result(stem: str, rec: dict, grid: list, kept: dict | None = None) -> NotebookResult:
    seconds = rec.get("seconds")
    return NotebookResult(stem=stem, status=rec["status"], seconds=seconds if isinstance(seconds, (int, float)) else None,
                          parameters=rec.get("parameters"), figures=rec["figures"], error=rec["error"],
                          grid=grid, kept=kept, finished=rec["finished"])


def folder_reports(out: Path) -> dict[str, NotebookResult]:
    """Every report in the folder `out`, by notebook in name order: what the index, results.json
    and spec_grid.csv describe. Read from the sidecars: `<stem>.run.json` (the report) and
    `<stem>.failed.run.json` (a failed run written beside a kept good report: the result is that
    failure, with `kept` the good report's record, grid included). A report from before sidecars
    counts when its HTML is there."""
    stems = set()
    for p in out.glob("*.run.json"):
        stem = p.name[: -len(".run.json")]
        stems.add(stem[: -len(".failed")] if stem.endswith(".failed") else stem)
    stems |= {p.stem for p in out.glob("[0-9][0-9]_*.html") if not p.name.endswith(".failed.html")}
    reports = {}
    for stem in sorted(stems):
        main = _sidecar(out / f"{stem}.run.json") or _legacy_report(out, stem)
        failure = _sidecar(out / f"{stem}.failed.run.json")
        if failure is not None and main is not None and main["status"] == "ok" and (out / f"{stem}.html").is_file():
            kept = {**main, "grid": _grid(main, out / f"{stem}.ipynb")}
            reports[stem] = _as_result(stem, failure, _grid(failure, out / f"{stem}.failed.ipynb"), kept=kept)
        elif main is not None:
            reports[stem] = _as_result(stem, main, _grid(main, out / f"{stem}.ipynb"))
    return reports


def _finish(request: RunRequest, staging: Path, results: dict[str, NotebookResult], wall: float) -> None:
    """Move this run's reports from the staging folder into the output folder (older files of
    the same names are replaced only now), then rebuild results.json, spec_grid.csv and
    index.html from every report in the folder (`folder_reports`), so they describe the folder,
    not the last run. A failed notebook with a good earlier report in the folder is written
    beside it as `<stem>.failed.*` (its sidecar `<stem>.failed.run.json`), and results.json keeps
    that report's figures, each marked `from_earlier_run` (its finish time). Call with the
    folder's lock held."""
    finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
    stale = []
    for stem, r in results.items():
        r.finished = finished
        r.kept = earlier_good_report(request.out, stem) if r.status != "ok" else None
        suffix = ".failed" if r.kept is not None else ""
        if r.kept is not None:
            for ext in ("html", "ipynb"):
                if (staging / f"{stem}.{ext}").exists():
                    os.replace(staging / f"{stem}.{ext}", staging / f"{stem}.failed.{ext}")
        else:
            stale += [request.out / f"{stem}.failed.{ext}" for ext in ("html", "ipynb", "run.json")]
        sidecar = {"stem": stem, "status": r.status, "finished": finished, "parameters": r.parameters,
                   "seconds": round(r.seconds, 3), "error": r.error, "figures": r.figures, "grid": r.grid}
        try:
            (staging / f"{stem}{suffix}.run.json").write_text(json.dumps(sidecar, indent=1, default=str), encoding="utf-8")
        except OSError as exc:
            raise OutputWriteError(f"could not write the reports of this run into {request.out} ({_os_error_text(exc)}); "
                                   f"nothing in {request.out} was changed; free space or fix the folder and run again") from None
    with processes.signals_deferred():  # renames only: no space needed, not cut in half by Ctrl-C
        for f in list(staging.iterdir()):
            os.replace(f, request.out / f.name)
        for f in stale:  # a failure shown beside a good report that has now been replaced
            f.unlink(missing_ok=True)
    try:
        folder = folder_reports(request.out)  # read before results.json is replaced (reports from before sidecars use it)
        figures = {stem: ({k: {**v, "from_earlier_run": r.kept["finished"]} for k, v in r.kept["figures"].items()}
                          if r.kept is not None else r.figures) for stem, r in folder.items()}
        (staging / "results.json").write_text(json.dumps(figures, indent=1, sort_keys=False))
        write_spec_grid(folder, staging / "spec_grid.csv")
        (staging / "index.html").write_text(index_html(folder, wall, request), encoding="utf-8")
    except OSError as exc:
        raise OutputWriteError(f"the new reports are in {request.out}, but index.html, results.json and spec_grid.csv "
                               f"could not be rebuilt ({_os_error_text(exc)}); the old ones are kept; free space and "
                               f"run the same command again") from None
    with processes.signals_deferred():
        for f in list(staging.iterdir()):
            os.replace(f, request.out / f.name)


def _os_error_text(exc: OSError) -> str:
    return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")


def write_spec_grid(results: dict[str, NotebookResult], target: Path) -> None:
    """Every specification-grid row of every notebook (a failed run beside a kept good report:
    the kept report's rows), in exactly the columns of `rotation.inference.GRID_COLUMNS` (the
    claim names the notebook's question), as CSV."""
    import pandas as pd

    from .inference import GRID_COLUMNS

    rows = [row for r in results.values() for row in (r.kept.get("grid", []) if r.kept is not None else r.grid)]
    pd.DataFrame(rows).reindex(columns=GRID_COLUMNS).to_csv(target, index=False)


def run(request: RunRequest, progress=None) -> dict[str, NotebookResult]:
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
            jobs = [(stem, stem, str(path), str(staging), request.parameters[stem], request.kernel, request.show_code)
                    for stem, path in request.notebooks.items()]
            try:
                raw = execute_jobs(jobs, request.jobs, progress)
            except OSError as exc:
                raise OutputWriteError(f"could not run the notebooks into {out} ({_os_error_text(exc)}); nothing in "
                                       f"{out} was changed; free space or fix the folder and run again") from None
            results = {stem: raw[stem] for stem in request.notebooks}
            _finish(request, staging, results, time.perf_counter() - t0)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    failed = [s for s, r in results.items() if r.status != "ok"]
    progress(f"done in {time.perf_counter() - t0:.1f}s: {total - len(failed)} ok, {len(failed)} failed; index: {out / 'index.html'}")
    return results


# ---------------------------------------------------------------- sweeps across dates

def sweep_date_bounds():
    """(earliest, latest) as_of a sweep may ask for, as `datetime.date`: the first day of the
    core data (`CORE_DATA_START`) and one year after today."""
    from datetime import date

    today = date.today()
    try:
        latest = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + 1, day=28)
    return date.fromisoformat(f"{CORE_DATA_START}-01"), latest


def _date_span_text() -> str:
    earliest, latest = sweep_date_bounds()
    return f"allowed are dates from {earliest} (the core data's start) to {latest} (one year after today)"


def check_date_span(option: str, given: str, first, last, error: type = AsOfRangeError) -> None:
    """Refuse (`error`, naming the option and the value) dates `first`..`last` (`datetime.date`)
    reaching before the core data's start or more than a year after today: the one range check
    of `rotation run --as-of` and of every sweep date, done before any folder or kernel exists."""
    earliest, latest = sweep_date_bounds()
    if first < earliest:
        raise error(f"{option} {given}: {first} is before the core data's start ({CORE_DATA_START}); {_date_span_text()}")
    if last > latest:
        raise error(f"{option} {given}: {last} is more than a year after today; {_date_span_text()}")


def check_as_of_range(option: str, given: str, ts, error: type = AsOfRangeError) -> None:
    """`check_date_span` for one parsed as_of (a Timestamp; year 0, which pandas knows and the
    calendar does not, is refused too)."""
    if ts.year < 1:
        raise error(f"{option} {given}: year {ts.year} is before the core data's start ({CORE_DATA_START}); {_date_span_text()}")
    check_date_span(option, given, ts.date(), ts.date(), error)


def parse_as_of(option: str, given, error: type = AsOfRangeError, allow_latest: bool = False):
    """Parse an as_of (`parse_date`, malformed dates raised as `error`) and check its range
    (`check_as_of_range`); None for 'latest'. Year 0 is named as before the core data's start
    before the date parser sees it."""
    m = re.fullmatch(r"\s*([0-9]{4})-[0-9]{2}(-[0-9]{2})?\s*", str(given))
    if m and int(m.group(1)) < 1:
        raise error(f"{option} {given}: year 0 is before the core data's start ({CORE_DATA_START}); {_date_span_text()}")
    ts = parse_date("as_of", given, allow_latest=allow_latest, error=error)
    if ts is not None:
        check_as_of_range(option, given, ts, error)
    return ts


def sweep_dates(as_of: list[str] | None = None, monthly: tuple[str, str] | None = None,
                yearly: tuple[str, str] | None = None) -> list[str]:
    """The as_of dates of a sweep: given dates, month-ends from..to (exactly YYYY-MM), or
    year-ends from..to (exactly YYYY). Every date must lie between the core data's start
    (1926-07) and one year after today. Errors (`SweepDateError`) name the option, the value
    and what is allowed; nothing is created."""
    import pandas as pd

    import calendar
    from datetime import date

    span = _date_span_text()

    def in_range(option: str, given: str, first: date, last: date) -> None:
        check_date_span(option, given, first, last, SweepDateError)

    dates: list[str] = []
    for d in as_of or []:
        ts = parse_as_of("--as-of", d, SweepDateError)
        dates.append(str(ts.date()))
    if monthly:
        monthly = tuple(str(x) for x in monthly)
        given = f"{monthly[0]} {monthly[1]}"
        if not all(re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", x) for x in monthly):
            raise SweepDateError(f"--monthly {given}: expected two months YYYY-MM (e.g. 2025-01 2025-12)")
        if monthly[0] > monthly[1]:
            raise SweepDateError(f"--monthly {given}: the first month is after the second")
        if monthly[0].startswith("0000"):  # no year 0 in the calendar
            raise SweepDateError(f"--monthly {given}: {monthly[0]} is before the core data's start ({CORE_DATA_START}); {span}")
        first, last = date.fromisoformat(f"{monthly[0]}-01"), date.fromisoformat(f"{monthly[1]}-01")
        in_range("--monthly", given, first, last.replace(day=calendar.monthrange(last.year, last.month)[1]))
        a, b = (pd.Period(x, "M") for x in monthly)
        dates += [str(p.to_timestamp(how="end").date()) for p in pd.period_range(a, b, freq="M")]
    if yearly:
        yearly = tuple(str(y) for y in yearly)
        given = f"{yearly[0]} {yearly[1]}"
        if not all(re.fullmatch(r"[0-9]{4}", y) for y in yearly):
            raise SweepDateError(f"--yearly {given}: expected two years YYYY (e.g. 2000 2025)")
        a, b = int(yearly[0]), int(yearly[1])
        if a > b:
            raise SweepDateError(f"--yearly {given}: the first year is after the second")
        if a < 1:
            raise SweepDateError(f"--yearly {given}: {yearly[0]} is before the core data's start ({CORE_DATA_START}); {span}")
        in_range("--yearly", given, date(a, 12, 31), date(b, 12, 31))
        dates += [f"{y}-12-31" for y in range(a, b + 1)]
    dates = list(dict.fromkeys(dates))
    if not dates:
        raise RunRequestError("a sweep needs dates: --as-of D1 D2 ..., --monthly FROM TO or --yearly FROM TO")
    return dates


def sweep(dates: list[str], start: str | None = None, extra=None, only=None, jobs: int | None = None,
          out: str | Path = "reports/sweep", show_code: bool = False, folder: Path | None = None,
          progress=None, data_cutoff: str | None = None) -> dict[str, dict[str, NotebookResult]]:
    """Run the collection for each date (one report folder per date, `out/<date>/`), all
    (date, notebook) pairs in one worker pool, then write `out/index.html` (comparison page
    with small multiples) and `out/comparison.csv` (every headline figure across dates).
    A failing date is marked; the others complete. The whole request (the sweep folder and
    every date folder) is checked before any folder is created; the sweep holds the locks of
    the sweep folder and of every date folder (`OutputFolderBusy` when another run holds one)."""
    progress = progress or _default_progress
    out = check_output_folder(out, folder)
    requests = {d: plan_run(as_of=d, start=start, extra=extra, only=only, jobs=jobs, out=out / d,
                            show_code=show_code, folder=folder, data_cutoff=data_cutoff) for d in dates}
    runs = sum(len(r.notebooks) for r in requests.values())
    workers, note = check_jobs(jobs, runs, "(date, notebook)")
    with contextlib.ExitStack() as held:  # the sweep folder's lock and each date folder's, until the sweep ends
        held.enter_context(folder_lock(out))
        for r in requests.values():
            held.enter_context(folder_lock(r.out))
        return _sweep_locked(out, dates, requests, workers, note, progress)


def _sweep_locked(out: Path, dates: list[str], requests: dict[str, RunRequest], workers: int, note: str,
                  progress) -> dict[str, dict[str, NotebookResult]]:
    if note:
        progress(note)
    stagings = {d: Path(tempfile.mkdtemp(dir=r.out, prefix=".staging-")) for d, r in requests.items()}
    t0 = time.perf_counter()
    all_jobs = [((d, stem), stem, str(path), str(stagings[d]), r.parameters[stem], r.kernel, r.show_code)
                for d, r in requests.items() for stem, path in r.notebooks.items()]
    progress(f"sweep: {len(dates)} date(s) x {len(all_jobs) // len(dates)} notebook(s) = {len(all_jobs)} runs, {workers} worker(s) -> {out}")
    by_date: dict[str, dict[str, NotebookResult]] = {}
    try:
        raw = execute_jobs(all_jobs, workers, progress)
        for d, r in requests.items():
            by_date[d] = {stem: raw[(d, stem)] for stem in r.notebooks}
            _finish(r, stagings[d], by_date[d], sum(x.seconds for x in by_date[d].values()))
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


def sweep_folder_reports(out: Path) -> dict[str, dict[str, NotebookResult]]:
    """{date: folder_reports(out/date)} for every date folder (YYYY-MM-DD, written by rotation)
    in the sweep folder `out`, in date order: what the comparison page and comparison.csv
    describe, so a second sweep into the same folder adds its dates instead of replacing them."""
    dates = sorted(d.name for d in out.iterdir()
                   if d.is_dir() and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.name) and is_report_folder(d))
    return {d: reports for d in dates if (reports := folder_reports(out / d))}


def comparison_table(by_date: dict[str, dict[str, NotebookResult]]):
    """Long table of every headline figure: run_as_of, notebook, figure, value, unit,
    as_of (the date the figure refers to), label, status of that notebook run. A run that
    failed beside a kept good report gives that report's figures (`good_figures`), status
    'failed'."""
    import pandas as pd

    rows = []
    for d, res in by_date.items():
        for stem, r in res.items():
            figures = good_figures(r)
            if not figures:
                rows.append({"run_as_of": d, "notebook": stem, "figure": None, "value": None, "unit": None,
                             "as_of": None, "label": r.error, "status": r.status})
            for name, rec in figures.items():
                rows.append({"run_as_of": d, "notebook": stem, "figure": name, **rec, "status": r.status})
    return pd.DataFrame(rows, columns=["run_as_of", "notebook", "figure", "value", "unit", "as_of", "label", "status"])


def comparison_html(by_date, table, wall: float) -> str:
    """The sweep's front page: status per date, a figure-by-date table, small multiples."""
    from . import plotting

    dates = list(by_date)
    status = {d: ("ok" if all(r.status == "ok" for r in res.values()) else "failed") for d, res in by_date.items()}
    head = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Sweep comparison</title><style>"
            "body{font-family:system-ui,sans-serif;max-width:1200px;margin:1em auto;padding:0 1em;color:#222}"
            "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 6px;font-size:12px}"
            "th{background:#f3f3f3}.failed{background:#f8d7da}.ok{background:#d4edda}img{max-width:100%}</style></head><body>")
    parts = [head, f"<h1>Sweep over {len(dates)} dates</h1><p>wall time {wall:.1f}s · git commit <code>{html.escape(git_commit())}</code>"
             " · <a href='comparison.csv'>comparison.csv</a></p>", "<table><tr><th>as_of</th><th>status</th><th>report</th></tr>"]
    for d in dates:
        failed = [s for s, r in by_date[d].items() if r.status != "ok"]
        parts.append(f"<tr><td>{d}</td><td class='{status[d]}'>{status[d]}{': ' + html.escape(', '.join(failed)) if failed else ''}"
                     f"</td><td><a href='{d}/index.html'>{d}/index.html</a></td></tr>")
    parts.append("</table>")
    numeric = table[table["value"].map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))]
    if len(numeric):
        wide = numeric.pivot_table(index=["notebook", "figure", "unit"], columns="run_as_of", values="value", aggfunc="first")
        parts.append("<h2>Headline figures by date</h2>" + wide.to_html(float_format=lambda v: f"{v:,.4g}", na_rep="–"))
        parts.append("<h2>Small multiples</h2>" + f"<img alt='small multiples' src='data:image/png;base64,{plotting.small_multiples_png(numeric)}'>")
    parts.append(verdict_grid_html(table))
    text = table[table["value"].map(lambda v: isinstance(v, str)) & ~table["unit"].eq("verdict")]
    if len(text):
        wide = text.pivot_table(index=["notebook", "figure"], columns="run_as_of", values="value", aggfunc="first")
        parts.append("<h2>Text figures (months, labels) by date</h2>" + wide.to_html(na_rep="–"))
    parts.append("</body></html>")
    return "\n".join(parts)


THESIS_FIGURE = "thesis_verdict"  # recorded by notebook 06 (unit "verdict"): the collection's bottom line


def verdict_grid_html(table) -> str:
    """Claims-by-date grid of verdicts (figures with unit "verdict": each claim's `<id>.verdict`
    from the claims check and the synthesis's `thesis_verdict`), one coloured cell per run date,
    so a sweep shows how the evidence for each claim evolved. Empty when no run recorded one."""
    from .claims import VERDICT_COLOURS
    from .thesis import NOT_TESTED, UNDECIDED

    colours = {**VERDICT_COLOURS, UNDECIDED: VERDICT_COLOURS["inconclusive"],  # the thesis's "not decided by the data"
               NOT_TESTED: VERDICT_COLOURS["not testable"]}                   # and "conditions absent: not tested"
    verdicts = table[table["unit"].eq("verdict")]
    if not len(verdicts):
        return ""
    wide = verdicts.pivot_table(index="figure", columns="run_as_of", values="value", aggfunc="first")
    order = sorted(wide.index, key=lambda f: (f != THESIS_FIGURE, f))
    dates = list(wide.columns)
    rows = []
    for figure in order:
        name = figure[: -len(".verdict")] if figure.endswith(".verdict") else figure
        cells = []
        for d in dates:
            v = wide.at[figure, d]
            text = "–" if not isinstance(v, str) else v
            cells.append(f"<td style='background:{colours.get(text, '#ffffff')}' title='{html.escape(name)} at {html.escape(str(d))}'>"
                         f"{html.escape(text)}</td>")
        rows.append(f"<tr><th><code>{html.escape(name)}</code></th>{''.join(cells)}</tr>")
    legend = " ".join(f"<span style='background:{c};padding:1px 6px'>{html.escape(v)}</span>" for v, c in VERDICT_COLOURS.items())
    return ("<h2>Verdicts by date</h2><p>Each claim's verdict at each run date (a claim whose window had not closed is "
            f"<i>not yet observable</i>). {legend}</p><table class='verdict-grid'><tr><th>claim</th>"
            + "".join(f"<th>{html.escape(str(d))}</th>" for d in dates) + "</tr>" + "".join(rows) + "</table>")


def good_figures(r: NotebookResult) -> dict:
    """The figures of the good report a result stands for: the kept earlier report's when this
    run failed beside it, the run's own when it succeeded, none when it failed with nothing kept."""
    if r.kept is not None:
        return r.kept["figures"]
    return r.figures if r.status == "ok" else {}


def _kept_note(r: NotebookResult) -> str:
    if r.kept is None:
        return ""
    return (f" <small>(from the last good report of {html.escape(str(r.kept['finished']))}; "
            f"<a href='{html.escape(r.stem)}.failed.html'>the latest run failed</a>)</small>")


def thesis_lead_html(results: dict[str, NotebookResult]) -> str:
    """The index's opening: the synthesis notebook's `thesis_verdict` (value and one-line reading)
    with a link to its report, from a good report only (the kept one when a later run failed);
    empty when the synthesis did not run or recorded no verdict."""
    for stem, r in results.items():
        rec = good_figures(r).get(THESIS_FIGURE)
        if rec is None:
            continue
        return (f"<h2>Bottom line</h2><p class='thesis'><b>{html.escape(str(rec.get('value')))}</b> "
                f"<small>(as of {html.escape(str(rec.get('as_of')))})</small>: {html.escape(str(rec.get('label', '')))} "
                f"<a href='{html.escape(stem)}.html'>Read the thesis verdict ({html.escape(stem)})</a>.{_kept_note(r)}</p>")
    return ""


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    return "–" if value is None else str(value)


def verdict_table_html(figures: dict) -> str:
    """The claims check's verdicts (figures named `<id>.verdict`) as a colour-coded table."""
    from .claims import VERDICT_COLOURS

    rows = []
    for name, rec in figures.items():
        if not name.endswith(".verdict"):
            continue
        claim = name[: -len(".verdict")]
        measured = figures.get(claim, {})
        verdict = str(rec.get("value"))
        colour = VERDICT_COLOURS.get(verdict, "#ffffff")
        rows.append(f"<tr><td><code>{html.escape(claim)}</code></td>"
                    f"<td style='background:{colour}'><b>{html.escape(verdict)}</b></td>"
                    f"<td>{html.escape(_fmt(measured.get('value')))} {html.escape(str(measured.get('unit', '')))}</td>"
                    f"<td>{html.escape(str(rec.get('label', '')))}</td></tr>")
    if not rows:
        return ""
    return ("<h2>Claims check: verdicts</h2><table class='verdicts'><tr><th>claim</th><th>verdict</th>"
            "<th>measured</th><th>evidence</th></tr>" + "".join(rows) + "</table>")


def _params_text(parameters) -> str:
    if parameters is None:
        return "unknown <small>(a report from before run records)</small>"
    return f"<code>{html.escape(json.dumps(parameters))}</code>" if parameters else "<code>defaults</code>"


def index_html(results: dict[str, NotebookResult], wall: float, request: RunRequest) -> str:
    """The folder's front page (`results`: every report in it, `folder_reports`): the thesis
    verdict first (when notebook 06 has a good report), then the claims check's verdicts (when
    it has one), then every report with its own run date and parameters."""
    vintage = data_vintage()
    commit = git_commit()
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Great Rotation reports</title>",
             "<style>body{font-family:system-ui,sans-serif;max-width:1150px;margin:1em auto;padding:0 1em;color:#222}"
             "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 8px;"
             "vertical-align:top;font-size:13px}th{background:#f3f3f3}.failed{background:#f8d7da}.ok{background:#d4edda}"
             "code{font-size:12px}</style></head><body>",
             "<h1>The Great Rotation: research reports</h1>",
             f"<p>Index rebuilt {html.escape(when)} from the {len(results)} report(s) in this folder · last run: "
             f"git commit <code>{html.escape(commit)}</code>, wall time {wall:.1f}s</p>",
             "<p>Data: " + " · ".join(f"{html.escape(k.replace('_', ' '))}: <code>{html.escape(str(v))}</code>"
                                       for k, v in vintage.items()) + "</p>"]
    parts.append(thesis_lead_html(results))
    claims = next((r for s, r in results.items() if "claims" in s), None)
    if claims is not None:
        table = verdict_table_html(good_figures(claims))
        parts.append(table.replace("</h2>", f"</h2><p>{_kept_note(claims)}</p>", 1) if table and claims.kept is not None else table)
    parts.append("<h2>Reports</h2><table><tr><th>notebook</th><th>status</th><th>parameters</th>"
                 "<th>finished (UTC) · run time</th><th>headline figures</th></tr>")
    for stem, r in results.items():
        shown = r.kept["figures"] if r.kept is not None else r.figures
        figs = "".join(
            f"<li><code>{html.escape(k)}</code> = {html.escape(_fmt(v.get('value')))} {html.escape(str(v.get('unit', '')))}"
            f" <small>(as of {html.escape(str(v.get('as_of')))}; {html.escape(str(v.get('label', '')))})</small></li>"
            for k, v in shown.items() if isinstance(v, dict) and not k.endswith(".verdict") and k != THESIS_FIGURE)
        status = r.status + (f": {html.escape(r.error)}" if r.error else "")
        params = _params_text(r.parameters)
        link = f"<a href='{html.escape(stem)}.html'>{html.escape(stem)}</a>"
        if r.kept is not None:  # the failure sits beside the last good report, which is kept
            when = html.escape(r.kept["finished"])
            link = (f"{html.escape(stem)}<br><a href='{html.escape(stem)}.failed.html'>this run's failure</a><br>"
                    f"<a href='{html.escape(stem)}.html' class='kept'>last good report</a> <small>({when})</small>")
            status += f"<br><small>kept the last good report of {when}; its figures are shown</small>"
            figs = f"<small>from the earlier run of {when}:</small>" + figs
            params = f"this run: {params}<br>kept report: {_params_text(r.kept.get('parameters'))}"
        took = "run time unknown" if r.seconds is None else f"{r.seconds:.1f}s"
        parts.append(f"<tr><td>{link}</td>"
                     f"<td class='{'ok' if r.status == 'ok' else 'failed'}'>{status}</td><td>{params}</td>"
                     f"<td>{html.escape(r.finished or 'unknown')} · {took}</td><td><ul>{figs}</ul></td></tr>")
    parts.append("</table><p><a href='results.json'>results.json</a>: every headline figure, machine-readable.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
