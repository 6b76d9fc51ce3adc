"""`make bench`: the runner against the naive route, data-load times, peak memory.

Measured in the same run:
* naive: for each notebook, `papermill` CLI then `jupyter nbconvert --to html`, one after another;
* runner: `rotation run` of the same notebooks (parallel workers, in-process HTML);
* data loads: every source parsed cold (fresh process) and warm (cached, same process);
* peak memory (resident set) of the runner and all its children.
Targets (a benchmark, not a test): ratio >= 2.5, cold < 1 s, warm < 0.1 s, peak < 1.5 GiB.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from . import runner

BIN = Path(sys.executable).parent


def _peak_rss(proc: subprocess.Popen) -> tuple[int, float]:
    """Run to completion, sampling the summed RSS of the process tree; (exit code, peak GiB)."""
    peak = 0
    p = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            total = p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))
            peak = max(peak, total)
        except psutil.Error:
            pass
        time.sleep(0.05)
    return proc.returncode, peak / 2**30


def load_times() -> dict:
    code = ("import time; t=time.perf_counter(); from rotation import data; data.load_all(); c=time.perf_counter()-t;"
            "t=time.perf_counter(); data.load_all(); w=time.perf_counter()-t;"
            "data.clear_caches(); t=time.perf_counter(); data.load_all(); c2=time.perf_counter()-t;"
            "import json; print(json.dumps({'cold_with_import': c, 'warm': w, 'cold_parse_only': c2}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


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


def main() -> int:
    nbs = runner.available_notebooks()
    kernel = runner.kernel_name()
    print(f"benchmark: {len(nbs)} notebooks, kernel {kernel}, {psutil.cpu_count()} cores")
    loads = load_times()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        proc = subprocess.Popen([str(BIN / "rotation"), "run", "--out", str(tmp / "runner")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        code, peak = _peak_rss(proc)
        runner_wall = time.perf_counter() - t
        per_runner = {}
        idx = tmp / "runner" / "index.html"
        naive_dir = tmp / "naive"
        naive_dir.mkdir()
        naive_wall, per_naive = naive(nbs, naive_dir, kernel)
        # per-notebook runner times from a one-worker run would distort; read them from the index
        text = idx.read_text() if idx.exists() else ""
        for stem in nbs:
            marker = f"{stem}.html'>{stem}</a></td>"
            if marker in text:
                seg = text.split(marker, 1)[1]
                cells = seg.split("<td>")
                per_runner[stem] = cells[2].split("s</td>")[0] if len(cells) > 2 else "?"
    ratio = naive_wall / runner_wall if runner_wall else float("nan")
    rows = [
        ("rotation run, whole collection (s)", f"{runner_wall:.1f}", ""),
        ("naive papermill + nbconvert, one by one (s)", f"{naive_wall:.1f}", ""),
        ("speed-up (naive / runner)", f"{ratio:.2f}x", "target >= 2.5x"),
        ("data load cold, fresh process incl. imports (s)", f"{loads['cold_with_import']:.3f}", "target < 1 s"),
        ("data load cold, parse only (s)", f"{loads['cold_parse_only']:.3f}", ""),
        ("data load warm (s)", f"{loads['warm']:.4f}", "target < 0.1 s"),
        ("peak memory of rotation run + kernels (GiB)", f"{peak:.2f}", "target < 1.5 GiB"),
        ("rotation run exit code", str(code), ""),
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
