"""Sweeps on Dask distributed (issue 16): the same reports through a scheduler as through the local pool.

The system test starts a real `dask scheduler` and two single-threaded `dask worker` processes
on 127.0.0.1, runs a two-date sweep of a toy notebook through `--scheduler` (`DaskExecutor`) and
through the local process pool, and compares the `comparison.csv` figures; it stops every process
it started. The unit tests check the worker's environment check (data store and lock sha256)
without starting anything.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from rotation import executors, kerneltemplate, runner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_runner import write_nb  # noqa: E402  (the toy collection pattern)

QUIET = lambda m: None  # noqa: E731
DASK = Path(sys.executable).parent / "dask"
DATES = ["2019-12-31", "2020-12-31"]
TOY = ("from rotation import results\nimport matplotlib.pyplot as plt\n"
       "results.record('year', int(as_of[:4]), 'year', as_of, 'the as_of year')\n"
       "results.record('month', int(as_of[5:7]), 'month', as_of, 'the as_of month')\n"
       "plt.plot([1, 2, 3], [int(as_of[:4]) % 7, 1, 2])\nplt.title('toy ' + as_of)\nplt.show()\n")


# ------------------------------------------------------------------------------ unit: the check

def write_manifest(store: Path, filled: str, files: dict[str, str]) -> Path:
    """A data store folder holding only a manifest with `files` {id: sha256}."""
    store.mkdir(parents=True, exist_ok=True)
    (store / "manifest.json").write_text(json.dumps(
        {"filled": filled, "source": "test", "files": {k: {"file": f"{k}.csv", "sha256": v, "origin": "x"}
                                                        for k, v in files.items()}}))
    return store


@pytest.mark.unit
def test_store_fingerprint_is_the_files_table_not_the_fill_time(tmp_path):
    files = {"a": "1" * 64, "b": "2" * 64}
    one = executors.store_fingerprint(write_manifest(tmp_path / "one", "2026-01-01T00:00:00+00:00", files))
    two = executors.store_fingerprint(write_manifest(tmp_path / "two", "2026-02-02T09:00:00+00:00", files))
    other = executors.store_fingerprint(write_manifest(tmp_path / "three", "2026-01-01T00:00:00+00:00",
                                                       {"a": "1" * 64, "b": "3" * 64}))
    expected = hashlib.sha256(json.dumps({"a": "1" * 64, "b": "2" * 64}, sort_keys=True).encode()).hexdigest()
    assert one == two == expected   # same files, imported at different times
    assert other != one             # one file differs
    assert executors.store_fingerprint(tmp_path / "none").startswith("missing: ")


@pytest.mark.unit
def test_lock_fingerprint_is_the_sha256_of_requirements_lock():
    assert executors.lock_fingerprint(ROOT) == hashlib.sha256((ROOT / "requirements.lock").read_bytes()).hexdigest()


@pytest.mark.unit
def test_worker_with_another_store_or_lock_refuses_its_task(tmp_path):
    client = {"data store": "a" * 64, "requirements.lock": "b" * 64}
    executors.check_worker(client, dict(client), "tcp://w:1")  # equal: nothing raised
    with pytest.raises(executors.WorkerMismatchError, match=r"tcp://w:1: requirements\.lock sha256 cccccccccccc here, "
                                                            r"bbbbbbbbbbbb on the client") as info:
        executors.check_worker(client, {"data store": "a" * 64, "requirements.lock": "c" * 64}, "tcp://w:1")
    assert "data store" not in str(info.value).split(";")[0] and "\n" not in str(info.value)
    assert isinstance(info.value, executors.RotationError)
    # the task checks before it writes or runs anything: a notebook that would fail is never reached
    nb = tmp_path / "01_x.ipynb"
    write_nb(nb, "raise RuntimeError('must not run')\n")
    wrong = dict(executors.environment_fingerprint(), **{"data store": "0" * 64})
    with pytest.raises(executors.WorkerMismatchError, match=r"data store sha256 .* 000000000000 on the client"):
        executors.execute_one_remote("01_x", nb.name, nb.read_bytes(), {}, "python3", False, wrong)


@pytest.mark.unit
def test_bad_scheduler_address_is_one_line_naming_it():
    with pytest.raises(executors.SchedulerUnreachable, match=r"^--scheduler nonsense: not a scheduler address"):
        executors.connect("nonsense")
    with pytest.raises(runner.RunRequestError, match="--executor local with --scheduler tcp://h:1"):
        with executors.open_executor("local", "tcp://h:1"):
            pass


# ------------------------------------------------------------------------ system: a real cluster

def start(args: list[str], cwd: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen([str(DASK), *args], cwd=cwd, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def wait_for_file(path: Path, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"{proc.args} exited with {proc.returncode}"
        assert time.monotonic() < end, f"{path} not written within {timeout} s"
        time.sleep(0.2)


def figures(sweep_folder: Path) -> pd.DataFrame:
    """comparison.csv without the columns that legitimately differ between runs (none today)."""
    table = pd.read_csv(sweep_folder / "comparison.csv")
    return table.sort_values(["run_as_of", "notebook", "figure"]).reset_index(drop=True)


@contextlib.contextmanager
def dask_cluster(tmp_path: Path, workers: int = 2):
    """A real `dask scheduler` and `workers` single-threaded `dask worker` processes on 127.0.0.1;
    yields (address, family): `family()` is every process started here with its descendants at
    the time of the call (remembered, so kernels the workers started are checked too). Every
    process is stopped afterwards, and the block fails if any is still running."""
    assert DASK.exists(), f"{DASK} missing: install requirements.lock (distributed)"
    started: list[subprocess.Popen] = []
    seen: set[psutil.Process] = set()

    def family() -> set[psutil.Process]:
        for p in started:
            with contextlib.suppress(psutil.Error):
                seen.update({psutil.Process(p.pid), *psutil.Process(p.pid).children(recursive=True)})
        return seen

    try:
        sched_file = tmp_path / "scheduler.json"
        started.append(start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                              "--scheduler-file", str(sched_file)], tmp_path, tmp_path / "scheduler.log"))
        wait_for_file(sched_file, started[0])
        address = json.loads(sched_file.read_text())["address"]
        for i in range(workers):
            (tmp_path / f"w{i}").mkdir()
            started.append(start(["worker", address, "--nthreads", "1", "--nworkers", "1", "--host", "127.0.0.1",
                                  "--no-dashboard", "--local-directory", str(tmp_path / f"w{i}")],
                                 tmp_path / f"w{i}", tmp_path / f"worker{i}.log"))
        yield address, family
    finally:
        family()
        for p in started:
            p.terminate()
        for p in started:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        gone, alive = psutil.wait_procs(list(seen), timeout=15)
    assert all(p.returncode is not None for p in started)
    assert not [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE], \
        f"still running after the test: {alive}"


@pytest.mark.system
def test_sweep_through_a_dask_scheduler_matches_the_local_pool(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_nb(nbs / "01_toy.ipynb", TOY)
    with dask_cluster(tmp_path) as (address, family):
        with executors.open_executor(scheduler=address) as ex:
            ex.client.wait_for_workers(2, timeout=60)
            assert sorted(w["nthreads"] for w in ex.client.scheduler_info()["workers"].values()) == [1, 1]
            family()
            t0 = time.perf_counter()
            dask_res = runner.sweep(DATES, out=tmp_path / "dask", folder=nbs, progress=QUIET, executor=ex)
            t_dask = time.perf_counter() - t0
            family()  # kernels the workers started are theirs to stop; remember them too
        t0 = time.perf_counter()
        local_res = runner.sweep(DATES, out=tmp_path / "local", folder=nbs, jobs=2, progress=QUIET)
        t_local = time.perf_counter() - t0
        print(f"two-date toy sweep: local pool {t_local:.1f}s, dask scheduler + 2 workers {t_dask:.1f}s")

    for res in (dask_res, local_res):
        assert {d: r["01_toy"].status for d, r in res.items()} == {d: "ok" for d in DATES}
    dask_table, local_table = figures(tmp_path / "dask"), figures(tmp_path / "local")
    expected = {(d, "year"): int(d[:4]) for d in DATES} | {(d, "month"): int(d[5:7]) for d in DATES}
    got = {(r.run_as_of, r.figure): int(r.value) for r in dask_table.itertuples()}
    assert got == expected
    pd.testing.assert_frame_equal(dask_table, local_table)
    for d in DATES:  # the reports came back from the workers: executed notebook, HTML with its figure
        html = (tmp_path / "dask" / d / "01_toy.html").read_text()
        assert "data:image/png;base64," in html and (tmp_path / "dask" / d / "01_toy.ipynb").exists()


LAUNCH = ("import sys\nfrom pathlib import Path\nfrom rotation import cli, plan\n"
          "plan.notebooks_dir = lambda: Path(sys.argv[1])\nsys.exit(cli.main(sys.argv[2:]))\n")


@pytest.mark.system
@pytest.mark.faults
def test_ctrl_c_stops_the_kernels_running_on_remote_workers(tmp_path):
    """Ctrl-C of `rotation sweep --scheduler`: cancelling a Dask task does not stop one already
    running, so the client stops the run's kernels on every worker; the workers stay up."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_nb(nbs / "01_slow.ipynb", "import time\ntime.sleep(300)\n")
    with dask_cluster(tmp_path) as (address, family):
        workers = [p for p in family() if "worker" in " ".join(p.cmdline()) and "scheduler" not in " ".join(p.cmdline())]
        cli_run = subprocess.Popen([sys.executable, "-c", LAUNCH, str(nbs), "sweep", "--as-of", *DATES,
                                    "--scheduler", address, "--out", str(tmp_path / "out")], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        end, kernels = time.monotonic() + 120, []
        while len(kernels) < 2:
            assert cli_run.poll() is None, cli_run.communicate()
            assert time.monotonic() < end, "the kernels did not start on the workers"
            kernels = [p for p in family() if p.is_running() and p.name() == kerneltemplate.KERNEL_PROCESS_NAME]
            time.sleep(0.3)
        time.sleep(2)                               # both notebooks are sleeping in their kernels now
        os.killpg(cli_run.pid, signal.SIGINT)       # what a terminal's Ctrl-C does
        out, err = cli_run.communicate(timeout=60)
        _, alive = psutil.wait_procs(kernels, timeout=15)
        assert cli_run.returncode == 130, err
        assert "interrupted (SIGINT)" in err and "Traceback" not in err, err
        assert not alive, f"kernels still running on the workers: {alive}"
        assert all(w.is_running() for w in workers)  # the cluster survives its client's Ctrl-C
