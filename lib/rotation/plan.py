"""Planning a run: validate the whole request before any notebook runs or any folder is created.

Notebook discovery and selection (`--only`: names or number prefixes), parameters (`-p`, checked
against each notebook's declaration in `rotation.params.DECLARED`), the as_of range (1926-07 ..
a year after today) and sweep dates, `--jobs`, and the output folder (never a source folder, the
data store or the project root; a non-empty folder must carry the report marker). A bad request
raises a `RunRequestError` (or a named subclass, or `ParameterError`) and writes nothing.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import params as P
from .errors import AsOfRangeError, JobsError, NotebookSelectionError, OutputFolderError, RunRequestError, SweepDateError
from .reportfolder import MARKER, is_report_folder


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
    figures_only: bool = False           # --figures-only: executed notebooks and figure PNGs, no HTML reports
    kernel: str = "python3"
    jobs_note: str = ""                  # said in one progress line when --jobs was capped

    @property
    def rendering(self) -> str:
        """How each notebook's report is written (`execute.RENDERINGS`)."""
        return "figures" if self.figures_only else ("code" if self.show_code else "html")


def plan_run(as_of: str | None = None, start: str | None = None, extra: list[tuple[str, str]] | None = None,
             only: list[str] | None = None, jobs: int | None = None, out: str | Path = "reports/latest",
             show_code: bool = False, folder: Path | None = None, data_cutoff: str | None = None,
             figures_only: bool = False) -> RunRequest:
    """Validate a run request completely, before any notebook runs.

    `data_cutoff` (an ISO date) hides every observation not yet published at that date, in
    every notebook (passed as the notebooks' `data_cutoff` parameter)."""
    if figures_only and show_code:
        raise RunRequestError("--figures-only writes no HTML reports, so --show-code has nothing to show; use one of them")
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
                      figures_only=figures_only, kernel=kernel_name(), jobs_note=note)


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


def kernel_name() -> str:
    """The `rotation` kernel when it is registered (make setup does that), else `python3`."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    return "rotation" if "rotation" in specs else "python3"


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

