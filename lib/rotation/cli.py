"""Command line: `rotation run`, `rotation params`, `rotation data ...`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _early_template(args):
    """The kernel template, started before the request is planned when the notebooks run on this
    machine (`rotation.kerneltemplate.early`); nothing for `--scheduler`."""
    import os

    from .kerneltemplate import early
    from .plan import kernel_name

    local = args.scheduler is None
    return early(kernel_name() if local else None, spares=min(args.jobs or os.cpu_count() or 1, 4))


def _run(args) -> int:
    from . import runner
    from .executors import open_executor

    with _early_template(args):
        request = runner.plan_run(as_of=args.as_of, start=args.start, extra=args.param, only=args.only,
                                  jobs=args.jobs, out=args.out, show_code=args.show_code,
                                  data_cutoff=args.data_cutoff, figures_only=args.figures_only)
        with open_executor(args.executor, args.scheduler) as executor:  # connects now: a bad address writes nothing
            results = runner.run(request, executor=executor)
    return 0 if all(r.status == "ok" for r in results.values()) else 1


def _sweep(args) -> int:
    from . import runner
    from .executors import open_executor

    # sweep() checks the whole request (every date folder) before creating anything
    dates = runner.sweep_dates(args.as_of, args.monthly, args.yearly)
    with _early_template(args), open_executor(args.executor, args.scheduler) as executor:  # connects now: a bad address writes nothing
        by_date = runner.sweep(dates, start=args.start, extra=args.param, only=args.only, jobs=args.jobs,
                               out=args.out, show_code=args.show_code, data_cutoff=args.data_cutoff,
                               executor=executor, figures_only=args.figures_only)
    return 0 if all(r.status == "ok" for res in by_date.values() for r in res.values()) else 1


def _params(args) -> int:
    from . import params, runner

    nbs = runner.resolve_notebooks([args.notebook])
    for stem, path in nbs.items():
        print(f"{stem} ({path}):")
        specs = params.declared(stem) or {}
        for name, p in runner.notebook_parameters(path).items():
            allowed = f"   [allowed: {specs[name].allowed(name)}]" if name in specs else ""
            print(f"  {name}: {p['type']} = {p['default']}   # {p['help']}{allowed}")
    return 0


def _data(args) -> int:
    from . import data
    from .data import fetch as fetch_mod

    if args.data_cmd == "import":
        data.import_snapshot(Path(args.path) if args.path else None)
    elif args.data_cmd == "verify":
        problems = data.verify_store(cache=True)  # the files and the parsed-data cache
        if problems:
            print("data store problems:\n  " + "\n  ".join(problems), file=sys.stderr)
            print("fix: run `make data`, which re-imports the pinned snapshot after checking every sha256 "
                  "(or `rotation data import [SNAPSHOT]`)", file=sys.stderr)
            return 1
        print(f"data store {data.data_dir()}: all {len(data.catalog())} files present and verified")
    elif args.data_cmd == "coverage":
        import pandas as pd

        with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 50):
            print(data.coverage().drop(columns=["file"]).to_string())
    elif args.data_cmd == "fetch":
        kw = {k: v for k, v in (("fred_url", args.fred_url), ("ff_url", args.ff_url),
                                ("shiller_url", args.shiller_url)) if v}
        fetch_mod.fetch(timeout=args.timeout, **kw)
    return 0


def _notebooks(args) -> int:
    from . import hygiene, runner

    nbs = runner.resolve_notebooks(args.only)
    for stem, path in nbs.items():
        executed = Path(args.from_run) / f"{stem}.ipynb" if args.from_run else None
        hygiene.clean_file(path, executed if executed and executed.exists() else None)
        print(f"cleaned {path}" + (f" (kept outputs from {executed})" if executed and executed.exists() else ""))
    return 0


def add_executor_arguments(parser: argparse.ArgumentParser) -> None:
    """`--executor` and `--scheduler` of `rotation run` and `rotation sweep`."""
    parser.add_argument("--executor", choices=("local", "dask"),
                        help="where notebooks run: local (default) = a process pool on this machine; dask = a Dask "
                             "LocalCluster of --jobs single-threaded worker processes, or the cluster of --scheduler")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on the Dask distributed scheduler at ADDRESS, e.g. tcp://127.0.0.1:8786 (implies "
                             "--executor dask; workers need this checkout's data store and requirements.lock, "
                             "one thread each)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rotation", description="Great Rotation research notebooks")
    p.add_argument("--debug", action="store_true", help="show the traceback of an error (normally one line)")
    sub = p.add_subparsers(dest="cmd", required=True)

    r = sub.add_parser("run", help="execute notebooks with papermill and render HTML reports")
    r.add_argument("--as-of", dest="as_of", help="'latest' or an ISO date (YYYY-MM-DD), from 1926-07 (the core data's start) up to a year ahead")
    r.add_argument("--start", help="first date of the sample (YYYY-MM-DD)")
    r.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"), default=[],
                   help="any other notebook parameter (see `rotation params NB`)")
    r.add_argument("--only", action="append", metavar="NB",
                   help="run only this notebook: its name or number prefix, e.g. 03 (repeatable)")
    r.add_argument("--jobs", type=int, help="worker processes, at least 1, at most one per notebook (default: number of cores)")
    r.add_argument("--out", default="reports/latest",
                   help="output folder (default reports/latest): new, empty or written by rotation run; never a source folder; one run at a time")
    r.add_argument("--show-code", action="store_true", help="show code cells in the HTML reports")
    r.add_argument("--figures-only", dest="figures_only", action="store_true",
                   help="no HTML reports: the executed notebooks and each figure as <notebook>.figure-NN.png; files, not pages, for tools that read figures")
    r.add_argument("--data-cutoff", dest="data_cutoff", metavar="D", help="hide every observation not yet published at this ISO date (publication rules in seeds/sources.yml)")
    add_executor_arguments(r)
    r.set_defaults(func=_run)

    sw = sub.add_parser("sweep", help="run the collection for several as_of dates and compare the headline figures")
    sw.add_argument("--as-of", dest="as_of", nargs="+", metavar="D", help="as_of dates (YYYY-MM-DD)")
    sw.add_argument("--monthly", nargs=2, metavar=("FROM", "TO"), help="every month-end from FROM to TO (YYYY-MM, 1926-07 up to a year ahead)")
    sw.add_argument("--yearly", nargs=2, metavar=("FROM", "TO"), help="every year-end from FROM to TO (YYYY, 1926 up to a year ahead)")
    sw.add_argument("--start", help="first date of the sample (YYYY-MM-DD)")
    sw.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"), default=[])
    sw.add_argument("--only", action="append", metavar="NB")
    sw.add_argument("--jobs", type=int, help="worker processes (default: number of cores)")
    sw.add_argument("--out", default="reports/sweep", help="output folder (default reports/sweep)")
    sw.add_argument("--show-code", action="store_true")
    sw.add_argument("--figures-only", dest="figures_only", action="store_true",
                    help="no HTML reports: the executed notebooks and each figure as <notebook>.figure-NN.png; files, not pages, for tools that read figures")
    sw.add_argument("--data-cutoff", dest="data_cutoff", metavar="D", help="hide every observation not yet published at this ISO date (publication rules in seeds/sources.yml)")
    add_executor_arguments(sw)
    sw.set_defaults(func=_sweep)

    pa = sub.add_parser("params", help="list a notebook's parameters")
    pa.add_argument("notebook")
    pa.set_defaults(func=_params)

    d = sub.add_parser("data", help="fill, check or refresh the local data store")
    dsub = d.add_subparsers(dest="data_cmd", required=True)
    di = dsub.add_parser("import", help="copy the snapshot into data/ after checking every sha256")
    di.add_argument("path", nargs="?", help="snapshot folder (default ../shared/data)")
    dsub.add_parser("verify", help="check every file of data/ against its recorded sha256")
    dsub.add_parser("coverage", help="first/last date, rows, gaps and staleness of every dataset")
    df = dsub.add_parser("fetch", help="rebuild data/ from the providers (needs network)")
    df.add_argument("--fred-url")
    df.add_argument("--ff-url")
    df.add_argument("--shiller-url")
    df.add_argument("--timeout", type=float, default=30.0)
    d.set_defaults(func=_data)

    n = sub.add_parser("clean-notebooks", help="strip volatile output before committing notebooks")
    n.add_argument("--from-run", help="a `rotation run --out` folder whose keep_output cells to copy")
    n.add_argument("--only", action="append", metavar="NB")
    n.set_defaults(func=_notebooks)
    return p


def command_name(args) -> str:
    """'rotation run', 'rotation data verify', ...: how messages name the command."""
    return " ".join(["rotation", args.cmd] + ([args.data_cmd] if getattr(args, "data_cmd", None) else []))


def main(argv: list[str] | None = None) -> int:
    """Run a command. Any `RotationError` is one line on stderr (`rotation CMD: error: ...`)
    and its exit code (2 for a bad request or parameter, 1 otherwise); Ctrl-C, SIGTERM and
    SIGHUP stop the run cleanly (workers, kernels, staging and runtime folders), print one line
    and exit 128 + the signal (130, 143, 129); a write failure (disk full, ...) is one line,
    exit 1. `--debug` shows the traceback too."""
    from .errors import RotationError
    from .processes import Interrupted, interrupts_raise

    args = build_parser().parse_args(argv)
    name = command_name(args)
    with interrupts_raise():
        try:
            return args.func(args)
        except RotationError as exc:
            if args.debug:
                raise
            print(f"{name}: error: {exc}", file=sys.stderr)
            return exc.exit_code
        except (Interrupted, KeyboardInterrupt) as exc:
            if args.debug:
                raise
            signame = exc.name if isinstance(exc, Interrupted) else "SIGINT"
            code = exc.exit_code if isinstance(exc, Interrupted) else 130
            print(f"{name}: interrupted ({signame}): workers and kernels stopped, unfinished work removed; "
                  f"reports written before this run are unchanged", file=sys.stderr)
            return code
        except OSError as exc:  # disk full, read-only or busy file system, ...: nothing half-replaced
            if args.debug:
                raise
            where = f" ({exc.filename})" if exc.filename else ""
            print(f"{name}: error: could not write{where}: {exc.strerror or exc}; reports written before this "
                  f"run are unchanged and unfinished work was removed; free space or fix the folder and run "
                  f"again (--debug shows the traceback)", file=sys.stderr)
            return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
