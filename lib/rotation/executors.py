"""Where the notebook jobs of a run or sweep execute: the local process pool or a Dask cluster.

An executor is an object with one method, `run_jobs(jobs, workers, progress) -> {key:
NotebookResult}`, taking the jobs `(key, stem, path, staging, parameters, kernel, rendering)`
that `rotation.runner` builds:

* `LocalPool` (the default, `--executor local`): `rotation.execute.execute_jobs`, a process
  pool on this machine.
* `DaskExecutor` (`--scheduler ADDRESS` or `--executor dask`): one Dask task per notebook
  (`execute_one_remote`), not pure, retried once when its worker is lost; workers should have
  one thread each (papermill changes the working directory). Without an address, a
  `distributed.LocalCluster` of `workers` single-threaded worker processes is started for the
  run and closed after it.

Workers need no shared file system: a task carries the notebook's bytes, executes it in a
temporary folder of the worker and returns the `NotebookResult` with the bytes of every file it
wrote (`<stem>.ipynb`, `<stem>.html`); the client writes them into the real staging folder.
Before running, the task checks that the worker's data store and `requirements.lock` are the
client's (sha256, `environment_fingerprint`) and fails with `WorkerMismatchError` otherwise; a
task that fails (that error, a worker lost twice) is a failed notebook, like a crashed worker of
the local pool, and the other notebooks complete.

`open_executor` connects to the scheduler at once (a short timeout), so a wrong address is a
one-line `SchedulerUnreachable` before any folder is created.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from .errors import RotationError, RunRequestError
from . import execute, kerneltemplate, processes
from .execute import NotebookResult

EXECUTORS = ("local", "dask")


CONNECT_TIMEOUT = 5.0       # seconds to wait for a scheduler to answer


class WorkerMismatchError(RotationError):
    """A Dask worker's data store or `requirements.lock` differs from the client's (sha256), so
    its reports would not be the ones this machine would write; the task refuses to run."""


class SchedulerUnreachable(RunRequestError):
    """`--scheduler ADDRESS` names no Dask scheduler that answers (or is not an address)."""


# ------------------------------------------------------------------------- environment check

def store_fingerprint(store: Path | None = None) -> str:
    """sha256 of the data store's manifest content: its `files` table as {dataset id: file
    sha256} in canonical JSON (the fill time and origin are left out, so two stores imported
    from the same snapshot agree); 'missing: ...' when there is no readable store."""
    from .data import DataError
    from .data.store import read_manifest

    try:
        files = read_manifest(store)["files"]
    except DataError as exc:
        return f"missing: {exc}"
    table = {k: (v.get("sha256") if isinstance(v, dict) else None) for k, v in sorted(files.items())}
    return hashlib.sha256(json.dumps(table, sort_keys=True).encode()).hexdigest()


def lock_fingerprint(root: Path | None = None) -> str:
    """sha256 of the checkout's `requirements.lock` ('missing: <path>' when there is none)."""
    from .data import project_root
    from .data.store import sha256_of

    path = Path(root or project_root()) / "requirements.lock"
    try:
        return sha256_of(path)
    except OSError:
        return f"missing: {path}"


def environment_fingerprint() -> dict[str, str]:
    """{'data store': ..., 'requirements.lock': ...}: what a worker must share with the client."""
    return {"data store": store_fingerprint(), "requirements.lock": lock_fingerprint()}


def mismatches(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """The names whose fingerprints differ between `expected` (the client's) and `actual`."""
    return [name for name in expected if actual.get(name) != expected[name]]


def check_worker(expected: dict[str, str], actual: dict[str, str], where: str) -> None:
    """Raise `WorkerMismatchError` (one line, naming the worker and what differs) unless the
    worker's fingerprints `actual` equal the client's `expected`."""
    bad = mismatches(expected, actual)
    if bad:
        what = "; ".join(f"{n} sha256 {str(actual.get(n))[:12]} here, {expected[n][:12]} on the client" for n in bad)
        raise WorkerMismatchError(f"Dask worker {where}: {what}; give every worker the client's data store "
                                  f"(`make data`) and install the same requirements.lock (`make setup`)")


# --------------------------------------------------------------------------- the remote task

def execute_one_remote(stem: str, filename: str, source: bytes, parameters: dict, kernel: str,
                       rendering: str, expected: dict[str, str], run_id: str = "") -> tuple[NotebookResult, dict[str, bytes]]:
    """One notebook on a Dask worker: check the worker's environment against the client's
    `expected` fingerprints, execute the notebook (its bytes `source`, saved as `filename`) in a
    temporary folder of this worker with its own kernel runtime folder (registered under
    `run_id`, so `daskworker.stop_run_kernels` can stop its kernel), and return
    (NotebookResult, {file name: bytes} of every file written: the executed notebook and its HTML)."""
    check_worker(expected, environment_fingerprint(), _worker_name())
    # named like a runtime folder (`rotation-<worker pid>-...`), so a worker killed mid-task leaves
    # nothing for long: the next run on the machine removes it (`processes.remove_stale_runtime_folders`)
    work = Path(tempfile.mkdtemp(prefix=f"{processes.RUNTIME_PREFIX}{os.getpid()}-task-"))
    try:
        src, staging = work / "src" / filename, work / "out"
        src.parent.mkdir()
        staging.mkdir()
        src.write_bytes(source)
        from .daskworker import task_of

        with processes.runtime_folder() as runtime, task_of(run_id, runtime), \
                execute.inline_figures(lambda message: None):
            result = execute.execute_one(stem, str(src), str(staging), parameters, kernel, rendering)
        files = {f.name: f.read_bytes() for f in staging.iterdir() if f.is_file()}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result, files


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


# ------------------------------------------------------------------------------- executors

class LocalPool:
    """The local process pool (`rotation.execute.execute_jobs`)."""

    name = "local"

    def run_jobs(self, jobs: list[tuple], workers: int, progress) -> dict:
        """{key: NotebookResult} of `jobs` run in `workers` local worker processes."""
        return execute.execute_jobs(jobs, workers, progress)


class DaskExecutor:
    """Notebook jobs as Dask tasks on the scheduler `address`, or on a `LocalCluster` of
    `workers` single-threaded processes started per `run_jobs` when `address` is None."""

    name = "dask"

    def __init__(self, address: str | None = None, timeout: float = CONNECT_TIMEOUT):
        self.address = address
        self.client = connect(address, timeout) if address else None

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster keeps running)."""
        if self.client is not None:
            self.client.close()
            self.client = None

    def run_jobs(self, jobs: list[tuple], workers: int, progress) -> dict:
        """{key: NotebookResult}: every job as a task; results (and report files) come back here."""
        if self.client is not None:
            return submit_and_collect(self.client, jobs, progress)
        from distributed import Client, LocalCluster

        cluster = None
        try:
            with contextlib.ExitStack() as stack:
                # the workers inherit this process's environment: one kernel template serves them all
                runtime = stack.enter_context(processes.runtime_folder())
                stack.enter_context(kerneltemplate.started(runtime, kerneltemplate.main_kernel(jobs),
                                                           spares=min(workers, len(jobs))))
                cluster = stack.enter_context(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                           dashboard_address=None, silence_logs=logging.ERROR,
                                                           preload=["rotation.daskworker"]))
                stack.enter_context(processes.before_stopping(lambda: no_restarts(cluster)))
                client = stack.enter_context(Client(cluster, set_as_default=False))
                progress(f"dask: local cluster of {workers} worker process(es) at {cluster.scheduler_address}")
                results = submit_and_collect(client, jobs, progress)
                progress(kerneltemplate.summary(len(jobs)))
                return results
        except BaseException:  # interrupted or failing: the cluster's workers and their kernels stop now
            no_restarts(cluster)
            processes.stop_descendants()
            raise


def no_restarts(cluster) -> None:
    """Tell a LocalCluster's nannies that their workers are going away for good (the state
    `Nanny.close_gracefully` sets), so stopping the workers does not make the nannies start new
    ones that the cluster's close then has to wait for (seconds after a Ctrl-C)."""
    from distributed.core import Status

    for nanny in list(getattr(cluster, "workers", {}).values()):
        nanny.status = Status.closing_gracefully


def connect(address: str, timeout: float = CONNECT_TIMEOUT):
    """A `distributed.Client` of the scheduler at `address`; `SchedulerUnreachable` (one line,
    naming the address) when nothing answers within `timeout` seconds or it is no address."""
    from distributed import Client
    from distributed.comm import resolve_address

    try:
        resolve_address(address)
    except (ValueError, OSError) as exc:  # malformed, unknown scheme, host name that does not resolve
        raise SchedulerUnreachable(f"--scheduler {address}: not a scheduler address ({exc}); allowed is "
                                   f"[tcp://]HOST:PORT as `dask scheduler` prints it, e.g. tcp://127.0.0.1:8786") from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address, ...
        why = " ".join(str(exc).split()) or type(exc).__name__
        raise SchedulerUnreachable(
            f"--scheduler {address}: no Dask scheduler answered within {timeout:g} s ({why[:160]}); "
            f"give the address a running `dask scheduler` prints, e.g. tcp://127.0.0.1:8786") from None


def submit_and_collect(client, jobs: list[tuple], progress) -> dict:
    """Submit every job to `client` and gather {key: NotebookResult} as tasks finish, writing the
    returned files into each job's staging folder; a task that fails is that notebook's failure.
    Before the first task each worker gets ready (`daskworker.WarmUp`, removed at the end).
    Interrupted, every unfinished task is cancelled and the kernels of the run's running tasks
    are killed on every worker (`daskworker.stop_run_kernels`) before the exception goes on."""
    from distributed import as_completed

    from .daskworker import PLUGIN_NAME, WarmUp, stop_run_kernels

    expected = environment_fingerprint()
    run_id = uuid.uuid4().hex[:8]
    futures = {}
    results, total, t0 = {}, len(jobs), time.perf_counter()
    try:
        client.register_plugin(WarmUp(kerneltemplate.main_kernel(jobs)), name=PLUGIN_NAME)   # each worker: template, imports
        for key, stem, path, staging, parameters, kernel, rendering in jobs:
            label = key if isinstance(key, str) else "-".join(map(str, key))
            fut = client.submit(execute_one_remote, stem, Path(path).name, Path(path).read_bytes(), parameters,
                                kernel, rendering, expected, run_id, pure=False, retries=1,
                                key=f"rotation-{run_id}-{label}")
            futures[fut] = (key, stem, staging, parameters)
        for fut in as_completed(list(futures), loop=client.loop):
            key, stem, staging, parameters = futures[fut]
            try:
                res, files = fut.result()
                for name, data in files.items():
                    (Path(staging) / name).write_bytes(data)
            except OSError:
                raise
            except Exception as exc:  # WorkerMismatchError, a worker lost twice, ...: this notebook only
                res = NotebookResult(stem=stem, status="failed", seconds=0.0, parameters=parameters,
                                     error=f"dask task failed: {type(exc).__name__}: {exc}")
            results[key] = res
            progress(execute.progress_line(key, res, len(results), total, time.perf_counter() - t0))
    except BaseException:  # cancelled tasks still running keep going: stop their kernels on every worker
        client.cancel(list(futures))
        with contextlib.suppress(Exception):
            client.run(stop_run_kernels, run_id)
        raise
    finally:
        with contextlib.suppress(Exception):
            client.unregister_worker_plugin(PLUGIN_NAME)   # each worker stops the template it started
    return results


@contextlib.contextmanager
def open_executor(executor: str | None = None, scheduler: str | None = None):
    """The executor a run asked for (`--executor`, default local; `--scheduler` implies dask),
    connected now, closed when the block ends."""
    if executor is not None and executor not in EXECUTORS:
        raise RunRequestError(f"--executor {executor}: allowed are {', '.join(EXECUTORS)}")
    if executor == "local" and scheduler is not None:
        raise RunRequestError(f"--executor local with --scheduler {scheduler}: a scheduler means the dask "
                              f"executor; leave out --executor local (or --scheduler)")
    executor = executor or ("dask" if scheduler else "local")
    if scheduler is None and executor == "local":
        yield LocalPool()
        return
    ex = DaskExecutor(scheduler)
    try:
        yield ex
    finally:
        ex.close()
