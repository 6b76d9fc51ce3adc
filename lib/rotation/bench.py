"""`make bench`: the runner against the naive route, data-load times, peak memory.

Measured in the same run:
* naive: for each notebook, `papermill` CLI then `jupyter nbconvert --to html`, one after another;
* runner: `rotation run` of the same notebooks (parallel workers, in-process HTML);
* data loads: every source parsed cold (fresh process) and warm (cached, same process);
* peak memory of the runner and all its children (a second run: sampling it every 0.1 s costs
  CPU, so the timed run is not sampled).
Targets (a benchmark, not a test): ratio >= 5 (issue 16), overhead per run <= 1.0 s, cold < 1 s,
warm < 0.1 s, peak < 1.5 GiB.
* overhead per run: mean over notebooks of (wall time in the worker - the cells' own time); the
  kernel template's imports, once per run before the workers take their first notebook, are
  in the run's wall time (and so in the speed-up) and printed on their own line;
* a 12-run sweep on the local pool against a Dask LocalCluster of the same size (target 1.15x).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from . import runner

BIN = Path(sys.executable).parent


def _peak_memory(proc: subprocess.Popen) -> tuple[int, float, float]:
    """Run to completion, sampling the process tree's memory every 0.1 s; (exit code, peak GiB
    of the summed PSS, peak GiB of the summed RSS).

    PSS (proportional set size, /proc/PID/smaps_rollup) counts a page shared by n processes as
    1/n in each, so the sum is the memory the tree really holds. The summed RSS counts a shared
    page once per process: with kernels forked from the kernel template (which share its pages
    copy-on-write) it overstates what is used, and is shown only for comparison with earlier runs."""
    peak_pss = peak_rss = 0
    p = psutil.Process(proc.pid)
    while proc.poll() is None:
        pss = rss = 0
        try:
            for q in [p, *p.children(recursive=True)]:
                info = q.memory_full_info()
                pss += getattr(info, "pss", info.rss)
                rss += info.rss
        except psutil.Error:
            pass
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(0.1)
    return proc.returncode, peak_pss / 2**30, peak_rss / 2**30


def load_times() -> dict:
    """Data-load times in fresh processes: parsing every source from the CSV files (disk cache
    bypassed), loading them cold through the sha256-keyed disk cache, and warm (in-process)."""
    code = ("import time, json; from rotation import data; t=time.perf_counter(); data.load_all(); c=time.perf_counter()-t;"
            "t=time.perf_counter(); data.load_all(); w=time.perf_counter()-t; print(json.dumps({'cold': c, 'warm': w}))")
    import os

    def once(env_extra):
        env = {**os.environ, **env_extra}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        return json.loads(out.stdout.strip().splitlines()[-1])

    parse = once({"ROTATION_NO_DISK_CACHE": "1"})
    once({})  # make sure the disk cache is filled
    cached = once({})
    return {"cold_parse": parse["cold"], "cold_cached": cached["cold"], "warm": cached["warm"]}


def naive(notebooks: dict[str, Path], workdir: Path, kernel: str) -> tuple[float, dict]:
    per = {}
    t0 = time.perf_counter()
    for stem, path in notebooks.items():
        t = time.perf_counter()
        out_nb = workdir / f"{stem}.ipynb"
        subprocess.run([str(BIN / "papermill"), "-k", kernel, "--no-progress-bar", str(path), str(out_nb),
                        "--cwd", str(path.parent)], check=False, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out_nb)],
                       check=False, capture_output=True)
        per[stem] = time.perf_counter() - t
    return time.perf_counter() - t0, per


EXECUTOR_SWEEP = (("2023-12-31", "2024-12-31"), ("00", "01", "02", "03", "04", "05"))  # 2 dates x 6 notebooks = 12 runs


def executor_times(rounds: int = 2) -> dict:
    """The same 12-run sweep (`EXECUTOR_SWEEP`) on the local process pool and on a Dask
    `LocalCluster` of the same size (--jobs = the core count), cluster start-up included, in
    `rounds` rounds of alternating order (local, dask, then dask, local, ...: one sample of each
    varied by 10-20% here between runs of the same command); `local` and `dask` are the mean
    wall seconds, `ratio` = dask / local (target: within 1.15x), `ratios` each round's."""
    import os

    jobs = str(os.cpu_count() or 1)
    dates, notebooks = EXECUTOR_SWEEP
    only = [a for nb in notebooks for a in ("--only", nb)]
    walls: dict[str, list[float]] = {"local": [], "dask": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            for executor in (("local", "dask") if r % 2 == 0 else ("dask", "local")):
                out = Path(tmp) / f"{executor}-{r}"
                t = time.perf_counter()
                subprocess.run([str(BIN / "rotation"), "sweep", "--as-of", *dates, *only, "--jobs", jobs,
                                "--executor", executor, "--out", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                walls[executor].append(time.perf_counter() - t)
    local, dask = (sum(walls[k]) / rounds for k in ("local", "dask"))
    return {"local": local, "dask": dask, "runs": len(dates) * len(notebooks), "ratio": dask / local,
            "ratios": [d / lo for d, lo in zip(walls["dask"], walls["local"])]}


def sweep_time() -> dict:
    """`rotation sweep` over two dates against single runs of one date, measured here:

    * literal target: N single runs (each `rotation run --jobs 1`, one notebook after another)
      divided by the worker count: N x T(single, 1 job) / workers;
    * strict view: N x (sum of the single run's per-notebook times) / workers, which leaves out
      every fixed cost (interpreter start, imports, index pages)."""
    import os

    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        single = Path(tmp) / "single"
        t = time.perf_counter()
        subprocess.run([str(BIN / "rotation"), "run", "--as-of", "2024-12-31", "--jobs", "1", "--out", str(single)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        single_wall = time.perf_counter() - t
        per = [t["wall"] for t in runner_times(single).values()]
        t = time.perf_counter()
        subprocess.run([str(BIN / "rotation"), "sweep", "--as-of", "2023-12-31", "2024-12-31", "--out", str(Path(tmp) / "sweep")],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - t
    return {"wall": wall, "workers": workers, "single_wall": single_wall,
            "literal": wall / (2 * single_wall / workers), "strict": wall / (2 * sum(per) / workers)}


def inference_lean_run(notebooks: dict[str, Path]) -> tuple[float, str]:
    """`rotation run` of the collection with every resampling parameter (`*_draws`) at the
    smallest value every notebook that takes it accepts (its declared lower bound,
    `params.DECLARED`): the difference to the default run is what the bootstrap and
    randomisation draws cost. A failing lean run raises (its time would mean nothing)."""
    from . import params

    lowest: dict[str, int] = {}
    for stem in notebooks:
        for name, spec in (params.declared(stem) or {}).items():
            if name.endswith("_draws"):
                lowest[name] = max(lowest.get(name, 0), int(spec.low))
    args = [a for name, v in sorted(lowest.items()) for a in ("-p", name, str(v))]
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        subprocess.run([str(BIN / "rotation"), "run", "--out", str(Path(tmp) / "lean"), *args],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        wall = time.perf_counter() - t
    return wall, ", ".join(f"{k}={v}" for k, v in sorted(lowest.items())) or "no draw parameters"


def template_line(log: str) -> dict[str, str]:
    """The kernel template's line in a run's log ('kernel template: 29 modules imported once in
    2.00 s; 7 of 7 kernels forked from it, 5 of them started ahead of need'): {'seconds': '2.00',
    'forked': '7 of 7 kernels forked from it, 5 of them started ahead of need'}, or what the log
    says instead."""
    import re

    m = re.search(r"kernel template: \d+ modules imported once in ([0-9.]+) s; (\d+ of \d+ kernels forked from it.*)", log)
    if m:
        return {"seconds": m.group(1), "forked": m.group(2)}
    line = next((ln for ln in log.splitlines() if ln.startswith("kernel template")), "no kernel template line in the log")
    return {"seconds": "n/a", "forked": line}


def runner_times(folder: Path) -> dict[str, dict]:
    """Per notebook of a runner report folder: `wall` (the notebook's time in its worker:
    kernel start, every cell, HTML; from `<stem>.run.json`), `cells` (the cells' own execution
    time, summed from papermill's per-cell `duration` in the executed notebook) and
    `overhead` = wall - cells (seconds)."""
    import nbformat

    out = {}
    for sidecar in sorted(folder.glob("[0-9][0-9]_*.run.json")):
        stem = sidecar.name[: -len(".run.json")]
        rec = json.loads(sidecar.read_text())
        nb = nbformat.read(folder / f"{stem}.ipynb", as_version=4)
        cells = sum(float(c.metadata.get("papermill", {}).get("duration") or 0.0) for c in nb.cells)
        out[stem] = {"wall": float(rec["seconds"]), "cells": cells, "overhead": float(rec["seconds"]) - cells}
    return out


def main() -> int:
    nbs = runner.available_notebooks()
    kernel = runner.kernel_name()
    print(f"benchmark: {len(nbs)} notebooks, kernel {kernel}, {psutil.cpu_count()} cores")
    loads = load_times()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        with open(tmp / "runner.log", "w") as log:   # timed alone: sampling memory costs CPU too
            code = subprocess.run([str(BIN / "rotation"), "run", "--out", str(tmp / "runner")],
                                  stdout=subprocess.DEVNULL, stderr=log).returncode
        runner_wall = time.perf_counter() - t
        template = template_line((tmp / "runner.log").read_text())
        proc = subprocess.Popen([str(BIN / "rotation"), "run", "--out", str(tmp / "memory")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, peak, peak_rss = _peak_memory(proc)  # a second run, for its memory only
        times = runner_times(tmp / "runner")
        per_runner = {stem: f"{t['wall']:.1f}" for stem, t in times.items()}
        overhead = sum(t["overhead"] for t in times.values()) / len(times) if times else float("nan")
        naive_dir = tmp / "naive"
        naive_dir.mkdir()
        naive_wall, per_naive = naive(nbs, naive_dir, kernel)
    ratio = naive_wall / runner_wall if runner_wall else float("nan")
    lean_wall, lean_params = inference_lean_run(nbs)
    sw = sweep_time()
    ex = executor_times()
    rows = [
        ("rotation run, whole collection (s)", f"{runner_wall:.1f}", ""),
        ("naive papermill + nbconvert, one by one (s)", f"{naive_wall:.1f}", ""),
        ("speed-up (naive / runner)", f"{ratio:.2f}x", "target >= 5x"),
        ("overhead per run (s)", f"{overhead:.2f}", "target <= 1.0 s (notebook wall time - its cells' own time, mean)"),
        ("  kernel template start-up, once per run (s)", template["seconds"],
         f"not in the notebooks' times, in the run's; {template['forked']}"),
        (f"rotation run with few resampling draws ({lean_params}) (s)", f"{lean_wall:.1f}", ""),
        ("  resampling time at the default draws (runner - few draws) (s)", f"{runner_wall - lean_wall:.1f}",
         f"{(runner_wall - lean_wall) / runner_wall:.0%} of the run"),
        ("all sources, cold: parsing the CSV files (s)", f"{loads['cold_parse']:.3f}", ""),
        ("all sources, cold: fresh process, sha256-keyed disk cache (s)", f"{loads['cold_cached']:.3f}", "target < 1 s"),
        ("all sources, warm: same process (s)", f"{loads['warm']:.4f}", "target < 0.1 s"),
        ("peak memory of rotation run + kernels, summed PSS (GiB)", f"{peak:.2f}", "target < 1.5 GiB"),
        ("  the same as summed RSS, shared pages counted per process (GiB)", f"{peak_rss:.2f}", "earlier benches' measure"),
        ("rotation run exit code", str(code), ""),
        (f"{ex['runs']}-run sweep on the local pool (s, mean of {len(ex['ratios'])})", f"{ex['local']:.1f}", ""),
        ("  same sweep on a Dask LocalCluster of the same size (s)", f"{ex['dask']:.1f}",
         f"{ex['ratio']:.2f}x the local pool (rounds: {', '.join(f'{r:.2f}x' for r in ex['ratios'])}); target within 1.15x"),
        ("sweep over 2 dates (s)", f"{sw['wall']:.1f}", ""),
        (f"  vs 2 single runs (--jobs 1, {sw['single_wall']:.1f}s each) / {sw['workers']} workers", f"{sw['literal']:.2f}x", "target <= 1.25x"),
        ("  vs 2 x summed notebook time / workers (no fixed costs)", f"{sw['strict']:.2f}x", ""),
    ]
    w = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"{name:<{w}}  {value:>10}  {target}")
    print("\nper notebook (s): naive | runner (in parallel, so not additive)")
    for stem in nbs:
        print(f"  {stem:<28} {per_naive.get(stem, float('nan')):6.1f} | {per_runner.get(stem, '?')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
