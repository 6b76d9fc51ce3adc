"""What a Dask worker does for `rotation` besides running tasks: warm up, and stop a run's kernels.

`WarmUp` is a Dask worker plugin the `DaskExecutor` registers for each run (and removes after
it). When a worker takes it (`setup`, before the run's tasks are submitted):

* it makes sure a kernel template (`rotation.kerneltemplate`) serves this worker's kernels: on
  a `LocalCluster` the workers inherit the client's template (same machine); a worker of a
  remote cluster starts its own, in a runtime folder of its own, and stops it in `teardown`;
* it waits for the template's imports and loads papermill and the HTML exporter, so the first
  notebook of each worker starts as warm as the local pool's (whose workers are forked from a
  parent that has them).

`stop_run_kernels(run_id)` is what `client.run` calls on every worker when the client is
interrupted: cancelling a Dask task does not stop one already running, so the kernels of that
run's tasks on this worker are killed (their process groups, from the pid records in each
task's runtime folder); the task then fails at once and the worker is free.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from pathlib import Path

from distributed.diagnostics.plugin import WorkerPlugin

from . import kerneltemplate, processes

PLUGIN_NAME = "rotation-warm-up"

_running: dict[str, set[str]] = {}   # run id -> runtime folders of its tasks running in this worker


@contextlib.contextmanager
def task_of(run_id: str, runtime: Path):
    """Register the runtime folder `runtime` of a task of `run_id` in this worker for the block."""
    _running.setdefault(run_id, set()).add(str(runtime))
    try:
        yield
    finally:
        folders = _running.get(run_id, set())
        folders.discard(str(runtime))
        if not folders:
            _running.pop(run_id, None)


def stop_run_kernels(run_id: str) -> int:
    """Kill the kernels of every task of `run_id` running in this worker; how many."""
    return sum(processes.stop_recorded_kernels(folder, signal.SIGKILL) for folder in list(_running.get(run_id, ())))


def load_runner_modules() -> None:
    """Import papermill and build the HTML exporter in this worker (once), not in its first task."""
    import papermill  # noqa: F401

    from .execute import html_exporter, register_engine

    html_exporter()
    register_engine()


def dask_setup(worker) -> None:
    """Dask's preload hook (`LocalCluster(preload=["rotation.daskworker"])`): the imports start
    while the cluster's other workers and the kernel template are still starting."""
    load_runner_modules()


class WarmUp(WorkerPlugin):
    """Kernel template and imports ready before a run's first task (see the module docstring)."""

    name = PLUGIN_NAME

    def __init__(self, kernel: str):
        self.kernel = kernel
        self._template = None
        self._folder: Path | None = None

    def setup(self, worker) -> None:
        if not kerneltemplate.serving(self.kernel):   # a LocalCluster's workers inherit the client's
            self._folder = Path(tempfile.mkdtemp(prefix=f"{processes.RUNTIME_PREFIX}{os.getpid()}-",
                                                 dir=processes.runtime_base()))
            self._template = kerneltemplate.start(self._folder, self.kernel)
        kerneltemplate.wait_ready()
        load_runner_modules()

    def teardown(self, worker) -> None:
        if self._template is not None:
            kerneltemplate.stop(self._template)
            self._template = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
