"""A kernel template: one process with the notebooks' heavy imports loaded, forking a fresh
kernel per notebook.

Why: a notebook's kernel used to spend about 1.5 s starting (a new interpreter importing
IPython, ipykernel, zmq and tornado) and its first cell 3-4 s importing pandas, matplotlib,
seaborn, statsmodels and this library; on two cores those seconds were a third of a run.
The template imports all of that once per run (`PRELOAD`), then, for each kernel, forks:
the child is a new process (its own pid, session, memory, random seeds, working directory
and environment) that starts `ipykernel` exactly as `python -m ipykernel_launcher -f
<connection file>` would, with those modules already in `sys.modules`. Nothing is shared
between kernels at run time: memory is copy-on-write, and no data is loaded before the fork.

The template is started ahead of need (by the command line before it plans the run: `early`;
by the local pool or the Dask LocalCluster when none is running: `started`; by a remote Dask
worker: `rotation.daskworker.WarmUp`), keeps initialised kernels waiting (`Spares`), is
single-threaded when it forks, reaps its
children (SIGCHLD ignored), ignores the terminal's Ctrl-C (the run stops it), and dies with the
process that started it (parent-death signal); its kernels die with it. `rotation.kernels`'
`TemplateProvisioner` asks it for a kernel over a Unix socket (`request_kernel`) and falls back
to launching the kernel the usual way when no template is running or it cannot serve that
kernel spec.

What differs from a kernel started the usual way, on purpose or unavoidably:
* `MPLBACKEND` is the inline backend before matplotlib is imported (ipykernel would set the
  same for a fresh kernel; a non-inline value would drop every figure);
* environment variables read only at import time by the preloaded modules (e.g.
  `OPENBLAS_NUM_THREADS`) take the template's values; string hashing uses the template's
  seed; `random` and `numpy.random`'s global generators are re-seeded from the OS in every
  kernel, as in a fresh process.

Protocol: the client connects to the socket, sends one JSON line {"argv", "cwd", "env", "log"}
and reads one JSON line: {"pid": N} (a kernel forked for it), {"pid": N, "connection_file": F,
"log": L} (a kernel started ahead of need, whose connection and log the client adopts) or
{"error": "..."}. The socket appears (an atomic rename) only when the imports are done and the
first waiting kernels are ready; if the imports fail, `<socket>.failed` holds why.
"""
from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path

from . import processes

TEMPLATE_ENV = "ROTATION_KERNEL_TEMPLATE"            # the socket of this run's template
TEMPLATE_SPEC_ENV = "ROTATION_KERNEL_TEMPLATE_SPEC"  # the kernel spec it serves
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
KERNEL_PROCESS_NAME = "rotation-kernel"             # a forked kernel's name in `top` / `ps -o comm`
READY_TIMEOUT = 90.0   # seconds a kernel request waits for the template's imports

# What the notebooks import in their first cells (kept in step by tests/test_kerneltemplate.py),
# plus what an ipykernel needs before it can answer. Never `matplotlib_inline`: its backend
# hooks itself into the IPython shell when first imported, and there is no shell before the
# fork (a template that imported it would give kernels that drop every figure).
PRELOAD = (
    "numpy", "pandas", "scipy.stats", "statsmodels.api", "matplotlib", "matplotlib.pyplot", "seaborn",
    "IPython", "IPython.display", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
    "ipykernel.debugger",
    "rotation.data", "rotation.findings", "rotation.params", "rotation.plotting", "rotation.results",
    "rotation.spreads", "rotation.valuation", "rotation.rates", "rotation.thesis", "rotation.overview",
    "rotation.inference", "rotation.credit", "rotation.concentration", "rotation.claims",
    "rotation.episodes", "rotation.timeseries",
)


class TemplateUnavailable(Exception):
    """No template answers (none started, it failed to import, or it serves another kernel spec)."""


# ----------------------------------------------------------------------------- the server

def interpreter_prefix(argv: list[str]) -> list[str] | None:
    """The interpreter part of a kernel spec's argv, `[python, options...]` before
    `-m ipykernel_launcher`, or None when the spec does not start an ipykernel that way."""
    for i in range(1, len(argv) - 1):
        if argv[i] == "-m" and argv[i + 1] == "ipykernel_launcher":
            return list(argv[:i])
    return None


def serve(socket_path: str, spares: int = 1) -> int:
    """The template process: import `PRELOAD`, keep `spares` kernels started ahead of need, listen
    on `socket_path` and hand out a kernel per request (a ready spare, else one forked now)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)         # the run decides when the template stops
    parent = os.getppid()
    processes.set_parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent:
        return 1
    if sys.path and sys.path[0] in ("", os.getcwd()):    # as ipykernel_launcher does; IPython adds '' back
        del sys.path[0]
    if os.environ.get("MPLBACKEND") != INLINE_BACKEND:  # before matplotlib is imported
        os.environ["MPLBACKEND"] = INLINE_BACKEND
    t0 = time.perf_counter()
    try:
        for name in PRELOAD:
            importlib.import_module(name)
    except BaseException as exc:  # say why; every kernel request then falls back
        Path(f"{socket_path}.failed").write_text(f"{type(exc).__name__}: {exc}", encoding="utf-8")
        return 1
    record = {"pid": os.getpid(), "modules": len(PRELOAD), "import_seconds": round(time.perf_counter() - t0, 3),
              "forks": 0, "ahead": 0}
    _write_record(socket_path, record)
    gc.collect()
    gc.freeze()   # kernels' garbage collections leave the preloaded objects (and their pages) alone
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)        # kernels are reaped as they exit
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    staging = f"{socket_path}.{os.getpid()}"
    listener.bind(staging)
    listener.listen(16)
    pool = Spares(Path(socket_path).parent, spares, listener)
    pool.fill()
    pool.wait_ready(timeout=10.0)                       # the first requests get kernels started ahead too
    os.replace(staging, socket_path)                    # ready: the socket appears only now
    while True:
        conn, _ = listener.accept()
        with conn:
            try:
                request = json.loads(conn.makefile("rb").readline())
                reply = pool.hand_out(request)
                if reply is None:
                    reply = {"pid": _fork_kernel(request, pool.inherited(conn))}
                else:
                    record["ahead"] += 1
                record["forks"] += 1
                _write_record(socket_path, record)
            except Exception as exc:  # a bad request is that request's failure, not the template's
                reply = {"error": f"{type(exc).__name__}: {exc}"}
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps(reply).encode() + b"\n")
        pool.fill()   # the next kernel starts now, while the one just handed out runs its notebook


class Spares:
    """Kernels started ahead of need: each is forked, initialised (`IPKernelApp.initialize`:
    connection file, sockets, shell) and then waits; `hand_out` gives a ready one its request's
    working directory and environment and lets it start answering."""

    def __init__(self, folder: Path, size: int, listener: socket.socket):
        self.folder, self.size, self.listener = folder, size, listener
        self.waiting: list[dict] = []   # {"pid", "ready" (fd to read), "go" (fd to write), "connection_file", "log"}

    def inherited(self, *more) -> tuple:
        """What a forked child must close: the listening socket, `more`, every spare's pipe ends."""
        return (self.listener, *more, *[s[k] for s in self.waiting for k in ("ready", "go")])

    def fill(self) -> None:
        while len(self.waiting) < self.size:
            ready_r, ready_w = os.pipe()
            go_r, go_w = os.pipe()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                os.close(ready_r)
                os.close(go_w)
                _spare_kernel(self.folder, ready_w, go_r, self.inherited())
            os.close(ready_w)
            os.close(go_r)
            self.waiting.append({"pid": pid, "ready": ready_r, "go": go_w,
                                 "connection_file": str(self.folder / f"spare-{pid}.json"),
                                 "log": str(self.folder / f"spare-{pid}.log")})

    def wait_ready(self, timeout: float) -> None:
        """Wait until every waiting spare is ready (or `timeout` seconds have passed)."""
        import select

        deadline = time.monotonic() + timeout
        pending = [s["ready"] for s in self.waiting]
        while pending and time.monotonic() < deadline:
            done = select.select(pending, [], [], max(0.0, deadline - time.monotonic()))[0]
            pending = [fd for fd in pending if fd not in done]

    def hand_out(self, request: dict) -> dict | None:
        """A ready spare given `request`'s cwd and environment: {"pid", "connection_file", "log"};
        None when none is ready or the request needs kernel arguments other than `-f FILE`."""
        argv = list(request.get("argv") or [])
        if len(argv) != 2 or argv[0] != "-f":
            return None
        import select

        for spare in list(self.waiting):
            if not select.select([spare["ready"]], [], [], 0)[0]:
                continue                                  # still initialising
            self.waiting.remove(spare)
            ok = os.read(spare["ready"], 1) == b"r"       # b"": it died before it was ready
            os.close(spare["ready"])
            try:
                if ok:
                    os.write(spare["go"], json.dumps({"cwd": request["cwd"], "env": request["env"]}).encode())
            except OSError:                               # it died while waiting
                ok = False
            finally:
                os.close(spare["go"])
            if ok:
                return {"pid": spare["pid"], "connection_file": spare["connection_file"], "log": spare["log"]}
        return None


def _write_record(socket_path: str, record: dict) -> None:
    """`<socket>.json`: the template's pid, how many modules it imported in how many seconds, and
    how many kernels it has forked (read by `summary`)."""
    staging = f"{socket_path}.json.tmp"
    Path(staging).write_text(json.dumps(record), encoding="utf-8")
    os.replace(staging, f"{socket_path}.json")


def summary(kernels: int, socket_path: str | None = None) -> str:
    """One line for the run's log: 'kernel template: 29 modules imported once in 2.41 s; 7 of 7
    kernels forked from it, 5 of them started ahead of need' (`kernels`: how many the run
    started), or why there was none."""
    socket_path = socket_path or os.environ.get(TEMPLATE_ENV)
    if not socket_path:
        return "kernel template: none (this kernel spec is not started as `-m ipykernel_launcher`)"
    failed = Path(f"{socket_path}.failed")
    if failed.exists():
        return f"kernel template failed ({failed.read_text(encoding='utf-8')}); kernels started the usual way"
    try:
        record = json.loads(Path(f"{socket_path}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "kernel template: not ready before the run ended; kernels started the usual way"
    return (f"kernel template: {record['modules']} modules imported once in {record['import_seconds']:.2f} s; "
            f"{record['forks']} of {kernels} kernels forked from it, {record.get('ahead', 0)} of them started ahead of need")


def _fork_kernel(request: dict, inherited: tuple) -> int:
    """Fork a kernel for `request` now; in the parent return its pid (the child never returns)."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    _child(lambda: _forked_kernel(request, inherited))


def _forked_kernel(request: dict, inherited: tuple) -> None:
    """The child of `_fork_kernel`: become a kernel process and start ipykernel as
    `ipykernel_launcher *argv` would."""
    argv = list(request.get("argv") or [])
    _become_kernel_process(inherited, request["log"])
    _take_request(request["cwd"], request["env"])
    sys.argv = ["ipykernel_launcher", *argv]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=argv)


def _spare_kernel(folder: Path, ready_w: int, go_r: int, inherited: tuple) -> None:
    """A kernel started ahead of need (in the forked child; never returns): its own connection
    file in `folder`, `IPKernelApp.initialize`, b"r" on `ready_w`; then it waits for the JSON
    {"cwd", "env"} of the request it serves on `go_r` (end of file: not needed, exit), takes
    them, and starts answering."""
    _child(lambda: _spare_body(folder, ready_w, go_r, inherited))


def _spare_body(folder: Path, ready_w: int, go_r: int, inherited: tuple) -> None:
    _become_kernel_process(inherited, str(folder / f"spare-{os.getpid()}.log"))
    import uuid

    from jupyter_client.connect import write_connection_file

    connection_file = str(folder / f"spare-{os.getpid()}.json")
    write_connection_file(connection_file, transport="ipc", ip=str(folder / f"s{os.getpid()}"),
                          key=uuid.uuid4().hex.encode())
    os.environ["JPY_PARENT_PID"] = str(os.getppid())  # ipykernel watches its parent: the template
    sys.argv = ["ipykernel_launcher", "-f", connection_file]
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(["-f", connection_file])
    os.write(ready_w, b"r")
    os.close(ready_w)
    chunks = []
    while chunk := os.read(go_r, 1 << 16):
        chunks.append(chunk)
    os.close(go_r)
    if not chunks:
        return
    request = json.loads(b"".join(chunks))
    _take_request(request["cwd"], request["env"])
    app.start()


def _child(body) -> None:
    """Run `body()` in a forked child and leave with its exit status, running what a normal
    interpreter exit would (never returns into the template's loop)."""
    code = 1
    try:
        body()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _become_kernel_process(inherited: tuple, log: str) -> None:
    """In a child just forked from the template: close what it inherited (sockets, pipe ends),
    take its own session and name, die with the template, default signals, output to `log`,
    no stdin, fresh random seeds."""
    for item in inherited:
        with contextlib.suppress(OSError):
            item.close() if hasattr(item, "close") else os.close(item)
    os.setsid()                                      # its own process group, away from the terminal
    processes.set_parent_death_signal(signal.SIGTERM)
    processes.set_process_name(KERNEL_PROCESS_NAME)  # its command line stays the template's
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(s, signal.SIG_DFL)
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    _reseed()
    gc.unfreeze()


def _take_request(cwd: str, env: dict) -> None:
    """The requester's working directory and environment (ipykernel watching the template)."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)


def _reseed() -> None:
    """Fresh seeds for the global random generators, as a new interpreter would have."""
    import random

    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


# ----------------------------------------------------------------------------- the client

def wait_ready(socket_path: str | None = None, timeout: float = READY_TIMEOUT) -> bool:
    """Wait until the template at `socket_path` (default: this process's, `TEMPLATE_ENV`) has
    its imports done; False (at once) when there is none or it failed, or after `timeout`."""
    socket_path = socket_path or os.environ.get(TEMPLATE_ENV)
    if not socket_path:
        return False
    deadline = time.monotonic() + timeout
    while not os.path.exists(socket_path):
        if os.path.exists(f"{socket_path}.failed") or time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def request_kernel(socket_path: str, argv: list[str], cwd: str, env: dict, log: str,
                   timeout: float = READY_TIMEOUT) -> dict:
    """Ask the template at `socket_path` for a kernel started as `ipykernel_launcher *argv`
    (`-f <connection file>` among them) in the folder `cwd` with the environment `env`, its
    output going to the file `log`: {"pid": N} for a kernel forked for it, or {"pid": N,
    "connection_file": F, "log": L} for a kernel started ahead of need (its own connection file
    and log, which the requester adopts). Waits up to `timeout` seconds
    for the template's imports; `TemplateUnavailable` when there is none or it failed."""
    if not wait_ready(socket_path, timeout):
        failed = Path(f"{socket_path}.failed")
        if failed.exists():
            raise TemplateUnavailable(f"kernel template failed: {failed.read_text(encoding='utf-8')}")
        raise TemplateUnavailable(f"no kernel template at {socket_path} after {timeout:g} s")
    request = {"argv": argv, "cwd": cwd, "env": env, "log": log}
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(30)
            sock.connect(socket_path)
            sock.sendall(json.dumps(request).encode() + b"\n")
            reply = json.loads(sock.makefile("rb").readline() or b"{}")
    except (OSError, ValueError) as exc:
        raise TemplateUnavailable(f"kernel template at {socket_path}: {exc}") from None
    if "pid" not in reply:
        raise TemplateUnavailable(f"kernel template at {socket_path}: {reply.get('error', 'no reply')}")
    return reply


class ForkedKernel:
    """A `subprocess.Popen`-like handle of a kernel forked by the template (not a child of this
    process, so it is watched through a pidfd and cannot be waited for; its exit status is not
    known here and reported as 0). Signals go to its process group (the kernel and anything it
    started)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._fd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:
            self._fd, self.returncode = None, 0
        except (AttributeError, OSError):   # no pidfd here: poll with signal 0
            self._fd = None

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        if self._fd is not None:
            import select

            if select.select([self._fd], [], [], 0)[0]:
                self._close(0)
        elif not processes.pid_alive(self.pid):
            self._close(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            processes.signal_group(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def _close(self, code: int) -> None:
        self.returncode = code
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


# ------------------------------------------------------------------ starting and stopping

def start(folder: Path, kernel_spec_name: str | None, spares: int = 1) -> subprocess.Popen | None:
    """Start a template for the kernel spec `kernel_spec_name` with its socket in `folder` and
    point this process's kernels at it (`TEMPLATE_ENV`, `TEMPLATE_SPEC_ENV`); returns at once
    (the imports run in the background). None when the spec does not start an ipykernel the
    usual way (then kernels start as they always did)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    if not kernel_spec_name:
        return None
    try:
        argv = KernelSpecManager().get_kernel_spec(kernel_spec_name).argv
    except NoSuchKernel:
        return None
    prefix = interpreter_prefix(argv)
    if prefix is None:
        return None
    socket_path = str(Path(folder) / "kt.sock")
    env = {**os.environ, "MPLBACKEND": INLINE_BACKEND}
    proc = subprocess.Popen([*prefix, "-m", "rotation.kerneltemplate", socket_path, str(spares)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=str(folder))
    os.environ[TEMPLATE_ENV] = socket_path
    os.environ[TEMPLATE_SPEC_ENV] = kernel_spec_name
    return proc


def stop(proc: subprocess.Popen | None) -> None:
    """Stop a template started by `start` (its kernels die with it) and forget it here."""
    for name in (TEMPLATE_ENV, TEMPLATE_SPEC_ENV):
        os.environ.pop(name, None)
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main_kernel(jobs: list[tuple]) -> str | None:
    """The kernel spec most notebook jobs `(key, stem, path, staging, parameters, kernel,
    rendering)` use: the one a run's template serves (None for no jobs)."""
    kernels = [job[5] for job in jobs]
    return max(set(kernels), key=kernels.count) if kernels else None


@contextlib.contextmanager
def started(folder: Path, kernel_spec_name: str | None, spares: int = 1):
    """`start` for the block, `stop` after it; nothing (None) when this process already has a
    template serving `kernel_spec_name` (started `early`)."""
    if kernel_spec_name and serving(kernel_spec_name):
        yield None
        return
    proc = start(folder, kernel_spec_name, spares)
    try:
        yield proc
    finally:
        stop(proc)


def serving(kernel_spec_name: str) -> bool:
    """Whether a template started by this process serves `kernel_spec_name` (ready or still
    importing, not failed)."""
    socket_path = os.environ.get(TEMPLATE_ENV)
    return (bool(socket_path) and os.environ.get(TEMPLATE_SPEC_ENV) == kernel_spec_name
            and Path(socket_path).parent.is_dir() and not os.path.exists(f"{socket_path}.failed"))


@contextlib.contextmanager
def early(kernel_spec_name: str | None, spares: int = 1):
    """A template started before a run is planned, so its imports (about 2 s on one core) overlap
    the planning's (papermill, about 1.5 s on the other) instead of following them; the run's
    executor uses it (`started` finds it). Stopped, with its runtime folder, when the block ends,
    also when the request is refused: it only imports modules, so nothing is left behind.
    `kernel_spec_name` None: no template (e.g. the notebooks run on a remote cluster)."""
    if not kernel_spec_name:
        yield None
        return
    with processes.runtime_folder() as runtime, started(runtime, kernel_spec_name, spares) as proc:
        yield proc


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1))
