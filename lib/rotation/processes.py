"""Process lifecycle of a run: signals, worker processes, and the per-run runtime folder.

What a run promises (issue 15, "clean interrupts"):

* SIGINT (Ctrl-C), SIGTERM and SIGHUP in the `rotation` process raise `Interrupted` (a
  `BaseException`, like `KeyboardInterrupt`), so every `finally` runs: the run stops its
  workers and their kernels (`stop_descendants`), removes its staging folder and its runtime
  folder, releases the output folder's lock, prints one line and exits 128 + the signal's number
  (130, 143, 129).
* Worker processes (`worker_init`) ignore the terminal's SIGINT (the parent decides), die
  with their parent even when the parent is killed with SIGKILL (Linux parent-death signal:
  SIGTERM), and on SIGTERM stop their own kernels before exiting.
* Kernels get their connection file and IPC sockets in a short per-run runtime folder
  (`runtime_folder`, `/tmp/rotation-<pid>-*`), removed when the run ends; a folder left by a
  killed run (its pid no longer alive) is removed by the next run (`remove_stale_runtime_folders`).
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import tempfile
from pathlib import Path

RUNTIME_ENV = "ROTATION_RUNTIME_DIR"     # where kernels of this run put connection files and sockets
RUNTIME_PREFIX = "rotation-"              # /tmp/rotation-<pid>-<random>
HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1                      # linux/prctl.h
PR_SET_NAME = 15                          # linux/prctl.h: the name `top` and `ps -o comm` show (15 bytes)
KERNEL_PID_SUFFIX = ".pid"                # <runtime>/<connection file stem>.pid: a kernel's pid (rotation.kernels)


class Interrupted(BaseException):
    """The run received SIGINT, SIGTERM or SIGHUP; `exit_code` is 128 + the signal number."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


_received: list[int] = []   # signals received inside `interrupts_raise`
_before_stop: list = []     # callables run before the workers are stopped (`before_stopping`)


def _raise_interrupted(signum, frame):
    """Record the signal, stop every worker and kernel at once (the first time; after the
    `before_stopping` callbacks), and raise `Interrupted`."""
    first = not _received
    _received.append(signum)
    if first:
        for callback in list(_before_stop):
            with contextlib.suppress(Exception):
                callback()
        stop_descendants(timeout=2.0)
    raise Interrupted(signum)


@contextlib.contextmanager
def before_stopping(callback):
    """Inside the block, an interrupt runs `callback()` before it stops the workers (e.g. telling
    a Dask LocalCluster's nannies not to restart the workers about to be stopped)."""
    _before_stop.append(callback)
    try:
        yield
    finally:
        _before_stop.remove(callback)


@contextlib.contextmanager
def interrupts_raise():
    """Inside the block, SIGINT, SIGTERM and SIGHUP raise `Interrupted` in the main thread
    (the previous handlers are restored afterwards). Outside the main thread: no change."""
    try:
        previous = {s: signal.signal(s, _raise_interrupted) for s in HANDLED}
    except ValueError:  # not the main thread
        yield
        return
    _received.clear()
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _received.clear()


@contextlib.contextmanager
def signals_deferred():
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends (for a few renames that must not be
    cut in half); a held signal is delivered, and raises, right after the block."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)
    except (AttributeError, ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _helpers_to_keep() -> set[int]:
    """multiprocessing's resource tracker: it exits by itself once this process ends, and killing
    it early makes multiprocessing start another that prints a KeyError traceback for every
    semaphore the first one knew (what Ctrl-C on a Dask LocalCluster run used to show)."""
    from multiprocessing import resource_tracker

    pid = getattr(resource_tracker._resource_tracker, "_pid", None)
    return {pid} if pid else set()


def stop_descendants(timeout: float = 3.0) -> int:
    """Terminate every descendant of this process (workers, kernels; not multiprocessing's
    resource tracker, `_helpers_to_keep`): SIGTERM, then SIGKILL for any still alive after
    `timeout` seconds. Returns how many there were."""
    import psutil

    try:
        keep = _helpers_to_keep()
        procs = [p for p in psutil.Process().children(recursive=True) if p.pid not in keep]
    except psutil.Error:
        return 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=timeout)
    return len(procs)


def _prctl(option: int, argument) -> bool:
    """Linux prctl(option, argument); False where that is not available or it fails."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, argument, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def set_parent_death_signal(sig: int = signal.SIGTERM) -> bool:
    """Ask Linux to send `sig` to this process when its parent dies (prctl PR_SET_PDEATHSIG);
    False where that is not available."""
    return _prctl(PR_SET_PDEATHSIG, int(sig))


def stop_recorded_kernels(runtime: str | os.PathLike | None, sig: int = signal.SIGTERM) -> int:
    """Send `sig` to the process group of every kernel recorded in the runtime folder `runtime`
    or a folder inside it (`<connection file>.pid`, written by `rotation.kernels` when each
    kernel started; a kernel forked by the kernel template is not a descendant of the process
    that asked for it); how many were signalled."""
    if not runtime or not Path(runtime).is_dir():
        return 0
    count = 0
    for record in Path(runtime).rglob(f"*{KERNEL_PID_SUFFIX}"):   # a run's folder holds one folder per notebook
        try:
            pid = int(record.read_text())
        except (ValueError, OSError):
            continue
        if pid <= 1 or pid == os.getpid():
            continue
        with contextlib.suppress(OSError):
            signal_group(pid, sig)
            count += 1
    return count


def set_process_name(name: str) -> bool:
    """Set this process's short name (what `top`, `ps -o comm` and psutil's `name()` show; at
    most 15 bytes are kept) with prctl PR_SET_NAME; False where that is not available."""
    return _prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]))


def signal_group(pid: int, sig: int) -> None:
    """Send `sig` to the process group led by `pid` (a kernel and whatever it started), or to
    `pid` alone when it leads no group."""
    try:
        os.killpg(pid, sig)
    except OSError:
        os.kill(pid, sig)


def _worker_sigterm(signum, frame):
    for s in (signal.SIGTERM, signal.SIGHUP):  # a second signal must not re-enter this handler
        signal.signal(s, signal.SIG_IGN)
    try:
        stop_recorded_kernels(os.environ.get(RUNTIME_ENV))  # this worker's kernel, if forked by the template
        stop_descendants(timeout=2.0)  # this worker's kernel otherwise
    finally:
        os._exit(128 + signum)


def worker_init(parent_pid: int) -> None:
    """Initializer of a worker process: ignore the terminal's Ctrl-C (the parent stops the
    workers), stop this worker's kernel and exit on SIGTERM or SIGHUP, and receive SIGTERM
    when the parent dies (even by SIGKILL)."""
    import psutil  # noqa: F401  (imported now: never first inside a signal handler)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_sigterm)
    signal.signal(signal.SIGHUP, _worker_sigterm)
    set_parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent_pid:  # the parent died before the death signal was armed
        _worker_sigterm(signal.SIGTERM, None)


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (signal 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_runtime_folders(base: Path | None = None) -> list[Path]:
    """Remove the runtime folders (`rotation-<pid>-*` in the temp folder) of runs whose process
    is gone (killed runs); returns what was removed."""
    base = Path(base or tempfile.gettempdir())
    removed = []
    for d in base.glob(f"{RUNTIME_PREFIX}*"):
        parts = d.name[len(RUNTIME_PREFIX):].split("-", 1)
        if d.is_dir() and parts[0].isdigit() and not pid_alive(int(parts[0])):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


MAX_BASE_CHARS = 40   # a socket path is base + ~50 characters; Linux allows 107


def runtime_base() -> Path:
    """Where runtime folders go: the temp folder (TMPDIR), or /tmp when TMPDIR is so long that
    the kernels' Unix socket paths would pass Linux's 107-byte limit."""
    base = Path(tempfile.gettempdir())
    if len(str(base)) > MAX_BASE_CHARS and os.access("/tmp", os.W_OK):
        return Path("/tmp")
    return base


@contextlib.contextmanager
def runtime_folder(base: Path | None = None):
    """A short private folder for this run's kernel connection files and IPC sockets (Unix
    socket paths are limited to 107 bytes, so it lives in the temp folder, `runtime_base`, not
    under --out), exported to workers and kernels as `ROTATION_RUNTIME_DIR`, removed at the end."""
    base = Path(base or runtime_base())
    remove_stale_runtime_folders(base)
    with _runtime_env(Path(tempfile.mkdtemp(prefix=f"{RUNTIME_PREFIX}{os.getpid()}-", dir=base))) as path:
        yield path


@contextlib.contextmanager
def job_runtime_folder():
    """A folder of its own for one notebook's kernel inside the run's runtime folder (so its
    kernel log is its own), made the runtime folder while the notebook runs; None (and nothing
    changed) outside a run's runtime folder."""
    parent = os.environ.get(RUNTIME_ENV)
    if not parent or not Path(parent).is_dir():
        yield None
        return
    with _runtime_env(Path(tempfile.mkdtemp(dir=parent, prefix="j"))) as path:  # short: socket paths are limited
        yield path


@contextlib.contextmanager
def _runtime_env(path: Path):
    """Make `path` the runtime folder (`ROTATION_RUNTIME_DIR`) for the block; afterwards the
    previous value is back and `path` is removed."""
    previous = os.environ.get(RUNTIME_ENV)
    os.environ[RUNTIME_ENV] = str(path)
    try:
        yield path
    finally:
        if previous is None:
            os.environ.pop(RUNTIME_ENV, None)
        else:
            os.environ[RUNTIME_ENV] = previous
        shutil.rmtree(path, ignore_errors=True)
