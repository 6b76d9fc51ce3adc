"""The report folder: marker, lock, sidecar records, and moving a finished run in.

A report folder carries the marker `.rotation-reports`; one run at a time holds its lock
(`.rotation.lock`, flock). Each report has a sidecar `<stem>.run.json` (status, finish time,
parameters, figures, grid rows); a failure beside a kept good report has
`<stem>.failed.run.json`. `finish_run` moves a run's staging folder in and rebuilds
`results.json`, `spec_grid.csv` and `index.html` from every sidecar in the folder, so they
describe the folder, not the last run.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from . import pages, processes
from . import results as R
from .errors import OutputWriteError
from .errors import OutputFolderBusy, OutputFolderError
from .execute import NotebookResult

if TYPE_CHECKING:
    from .plan import RunRequest


MARKER = ".rotation-reports"       # the file that says "this folder holds reports written by rotation"


MARKER_TEXT = "This folder holds reports written by `rotation run` / `rotation sweep`; they may replace its files.\n"


LOCK = ".rotation.lock"            # flock'ed by the run writing the folder (released when it ends or dies)


INDEX_TITLES = ("<title>Great Rotation reports</title>", "<title>Sweep comparison</title>")  # report folders from before the marker


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
    rec = _sidecar(out / f"{stem}.run.json") or _legacy_report(out, stem)
    if rec is None or rec["status"] != "ok" or not (out / _report_name(stem, rec)).is_file():
        return None
    return rec


def _report_name(stem: str, rec: dict) -> str:
    """The report file a sidecar record describes: its `report` (a --figures-only run: the
    executed notebook), else `<stem>.html`."""
    return rec.get("report") or f"{stem}.html"


def _as_result(stem: str, rec: dict, grid: list, kept: dict | None = None) -> NotebookResult:
    seconds = rec.get("seconds")
    return NotebookResult(stem=stem, status=rec["status"], seconds=seconds if isinstance(seconds, (int, float)) else None,
                          parameters=rec.get("parameters"), figures=rec["figures"], error=rec["error"],
                          grid=grid, kept=kept, finished=rec["finished"], report=_report_name(stem, rec))


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
        if failure is not None and main is not None and main["status"] == "ok" and (out / _report_name(stem, main)).is_file():
            kept = {**main, "grid": _grid(main, out / f"{stem}.ipynb")}
            reports[stem] = _as_result(stem, failure, _grid(failure, out / f"{stem}.failed.ipynb"), kept=kept)
        elif main is not None:
            reports[stem] = _as_result(stem, main, _grid(main, out / f"{stem}.ipynb"))
    return reports


def finish_run(request: RunRequest, staging: Path, results: dict[str, NotebookResult], wall: float) -> None:
    """Move this run's reports from the staging folder into the output folder (older files of
    the same names are replaced only now), then rebuild results.json, spec_grid.csv and
    index.html from every report in the folder (`folder_reports`), so they describe the folder,
    not the last run. A failed notebook with a good earlier report in the folder is written
    beside it as `<stem>.failed.*` (its sidecar `<stem>.failed.run.json`), and results.json keeps
    that report's figures, each marked `from_earlier_run` (its finish time). A --figures-only
    report (the executed notebook and `<stem>.figure-NN.png`, no HTML) replaces the HTML report
    of the same notebook and the other way round; each sidecar names its report file. Call with
    the folder's lock held."""
    finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
    stale = []
    for stem, r in results.items():
        r.finished = finished
        r.kept = earlier_good_report(request.out, stem) if r.status != "ok" else None
        suffix = ".failed" if r.kept is not None else ""
        if r.kept is not None:  # every file of this run, `<stem>.<rest>`, becomes `<stem>.failed.<rest>`
            for f in list(staging.glob(f"{stem}.*")):
                os.replace(f, staging / f"{stem}.failed.{f.name[len(stem) + 1:]}")
        else:  # files of the reports this one replaces that it does not overwrite
            stale += [p for p in request.out.glob(f"{stem}.failed.*") if p.is_file()]
            stale += [p for p in request.out.glob(f"{stem}.figure-*.png")]
            if r.report_file != f"{stem}.html":
                stale.append(request.out / f"{stem}.html")
        sidecar = {"stem": stem, "status": r.status, "finished": finished, "parameters": r.parameters,
                   "seconds": round(r.seconds, 3), "error": r.error, "figures": r.figures, "grid": r.grid,
                   "report": r.report_file}
        try:
            (staging / f"{stem}{suffix}.run.json").write_text(json.dumps(sidecar, indent=1, default=str), encoding="utf-8")
        except OSError as exc:
            raise OutputWriteError(f"could not write the reports of this run into {request.out} ({os_error_text(exc)}); "
                                   f"nothing in {request.out} was changed; free space or fix the folder and run again") from None
    with processes.signals_deferred():  # renames only: no space needed, not cut in half by Ctrl-C
        for f in stale:  # first, so a new figure file of the same name is not removed after moving in
            f.unlink(missing_ok=True)
        for f in list(staging.iterdir()):
            os.replace(f, request.out / f.name)
    try:
        folder = folder_reports(request.out)  # read before results.json is replaced (reports from before sidecars use it)
        figures = {stem: ({k: {**v, "from_earlier_run": r.kept["finished"]} for k, v in r.kept["figures"].items()}
                          if r.kept is not None else r.figures) for stem, r in folder.items()}
        (staging / "results.json").write_text(json.dumps(figures, indent=1, sort_keys=False))
        write_spec_grid(folder, staging / "spec_grid.csv")
        (staging / "index.html").write_text(pages.index_html(folder, wall, request), encoding="utf-8")
    except OSError as exc:
        raise OutputWriteError(f"the new reports are in {request.out}, but index.html, results.json and spec_grid.csv "
                               f"could not be rebuilt ({os_error_text(exc)}); the old ones are kept; free space and "
                               f"run the same command again") from None
    with processes.signals_deferred():
        for f in list(staging.iterdir()):
            os.replace(f, request.out / f.name)


def os_error_text(exc: OSError) -> str:
    return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")


def write_spec_grid(results: dict[str, NotebookResult], target: Path) -> None:
    """Every specification-grid row of every notebook (a failed run beside a kept good report:
    the kept report's rows), in exactly the columns of `rotation.inference.GRID_COLUMNS` (the
    claim names the notebook's question), as CSV."""
    import pandas as pd

    from .inference import GRID_COLUMNS

    rows = [row for r in results.values() for row in (r.kept.get("grid", []) if r.kept is not None else r.grid)]
    pd.DataFrame(rows).reindex(columns=GRID_COLUMNS).to_csv(target, index=False)


def sweep_folder_reports(out: Path) -> dict[str, dict[str, NotebookResult]]:
    """{date: folder_reports(out/date)} for every date folder (YYYY-MM-DD, written by rotation)
    in the sweep folder `out`, in date order: what the comparison page and comparison.csv
    describe, so a second sweep into the same folder adds its dates instead of replacing them."""
    dates = sorted(d.name for d in out.iterdir()
                   if d.is_dir() and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.name) and is_report_folder(d))
    return {d: reports for d in dates if (reports := folder_reports(out / d))}

