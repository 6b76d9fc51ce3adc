"""Issue 15: clean interrupts, write failures, one error family, quiet runs.

The command line is driven in a subprocess on a toy collection (`toy_cli`): a notebook that
sleeps long enough to be interrupted, and one that finishes at once. Every case asserts the
exit code, a one-line message, that the earlier report folder is byte-identical, that no
process of the run is left, and that no staging folder, runtime folder or kernel connection
file is left behind (the run gets a private TMPDIR, so anything it leaves in the temp folder
is visible)."""
import contextlib
import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from rotation import cli, errors, kerneltemplate, plan, processes, runner
from rotation.data import store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_faults import tree  # noqa: E402
from test_runner import write_nb  # noqa: E402

QUIET = lambda m: None  # noqa: E731
LAUNCH = ("import sys\nfrom pathlib import Path\nfrom rotation import cli, plan\n"
          "plan.notebooks_dir = lambda: Path(sys.argv[1])\nsys.exit(cli.main(sys.argv[2:]))\n")


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    """A toy collection (01_quick records 1; 02_slow sleeps 120 s unless as_of is 2020) and an
    earlier good report folder written by a real run at 2020-12-31 (02_slow quick then)."""
    base = tmp_path_factory.mktemp("interrupts")
    nbs = base / "notebooks"
    nbs.mkdir()
    write_nb(nbs / "01_quick.ipynb", "from rotation import results\nresults.record('one', 1, 'count', as_of, 'one')\n")
    write_nb(nbs / "02_slow.ipynb", "import time\nfrom rotation import results\n"
             "time.sleep(0 if as_of.startswith('2020') else 120)\nresults.record('two', 2, 'count', as_of, 'two')\n")
    res = runner.run(runner.plan_run(as_of="2020-12-31", out=base / "reports", folder=nbs, jobs=2), progress=QUIET)
    assert all(r.status == "ok" for r in res.values())
    return base


@pytest.fixture()
def private_tmp():
    """A private temp folder with a short path (kernels' socket paths must stay under 107 bytes)."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="rt", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def start_cli(toy: Path, tmp: Path, *args: str) -> subprocess.Popen:
    """`rotation ARGS` on the toy collection, with a private TMPDIR `tmp`, in its own session
    (so a signal to its process group is what a terminal's Ctrl-C does)."""
    env = {**os.environ, "TMPDIR": str(tmp)}
    return subprocess.Popen([sys.executable, "-c", LAUNCH, str(toy / "notebooks"), *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def is_kernel(proc: psutil.Process) -> bool:
    """A kernel started the usual way (`-m ipykernel_launcher`) or forked by the kernel template
    (named `rotation-kernel`; its command line is the template's)."""
    try:
        return "ipykernel_launcher" in " ".join(proc.cmdline()) or proc.name() == kerneltemplate.KERNEL_PROCESS_NAME
    except psutil.Error:
        return False


def wait_for_kernels(proc: subprocess.Popen, n: int, timeout: float = 90) -> list[int]:
    """Wait until `proc` has `n` running kernels below it; the pids of all its descendants."""
    end = time.time() + timeout
    while time.time() < end:
        kids = psutil.Process(proc.pid).children(recursive=True)
        if sum(is_kernel(k) for k in kids if k.is_running()) >= n:
            time.sleep(3)  # the kernels are executing their notebooks now
            return [k.pid for k in psutil.Process(proc.pid).children(recursive=True)]
        time.sleep(0.2)
    raise AssertionError("the kernels did not start")


def gone(pids: list[int], timeout: float = 15) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in pids):
            return True
        time.sleep(0.2)
    return False


def leftovers(out: Path, tmp: Path) -> list[str]:
    """Staging folders in `out` and anything in the private temp folder (runtime folders,
    connection files)."""
    return [str(p) for p in out.glob(".staging-*")] + [str(p) for p in tmp.iterdir()]


@pytest.mark.parametrize("sig, code, jobs", [
    (signal.SIGINT, 130, "2"),    # Ctrl-C: the whole foreground process group gets it
    (signal.SIGTERM, 143, "2"),
    (signal.SIGHUP, 129, "2"),
    (signal.SIGTERM, 143, "1"),   # in-process: the kernel is the run's own child
])
def test_a_signal_stops_workers_and_kernels_and_keeps_the_earlier_reports(toy, tmp_path, private_tmp, sig, code, jobs):
    out = tmp_path / "reports"
    import shutil

    shutil.copytree(toy / "reports", out)
    before = tree(out)
    proc = start_cli(toy, private_tmp, "run", "--as-of", "2024-12-31", "--jobs", jobs, "--out", str(out))
    pids = wait_for_kernels(proc, 1)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert err.strip().splitlines()[-1] == (f"rotation run: interrupted ({signal.Signals(sig).name}): workers and kernels "
                                            f"stopped, unfinished work removed; reports written before this run are unchanged")
    assert "Traceback" not in err and "KeyboardInterrupt" not in err and "TCP" not in err, err
    assert gone(pids), "processes of the run are still alive"
    assert tree(out) == before
    assert leftovers(out, private_tmp) == []


def test_a_killed_run_takes_its_workers_and_kernels_with_it_and_the_next_run_cleans_up(toy, tmp_path, private_tmp):
    out, tmp = tmp_path / "reports", private_tmp
    proc = start_cli(toy, tmp, "run", "--as-of", "2024-12-31", "--jobs", "2", "--out", str(out))
    pids = wait_for_kernels(proc, 1)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert gone(pids), "a worker or kernel outlived the killed run (parent-death signal)"
    assert list(out.glob(".staging-*")) and list(tmp.glob("rotation-*"))   # what a SIGKILL cannot clean
    proc = start_cli(toy, tmp, "run", "--as-of", "2020-12-31", "--only", "01", "--out", str(out))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert leftovers(out, tmp) == []                                      # the next run removed both


def test_a_normal_run_is_quiet_and_leaves_no_connection_file(toy, tmp_path, private_tmp):
    out, tmp = tmp_path / "reports", private_tmp
    proc = start_cli(toy, tmp, "run", "--as-of", "2020-12-31", "--jobs", "2", "--out", str(out))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    lines = err.strip().splitlines()
    assert lines[0].startswith("running 2 notebook(s) with 2 worker(s)") and lines[-1].startswith("done in ")
    assert lines[-2].startswith("kernel template: ") and "2 of 2 kernels forked from it" in lines[-2], err
    assert len(lines) == 5, err                  # start, one line per notebook, the template, done: nothing from kernels
    assert leftovers(out, tmp) == []


def test_a_refused_request_leaves_no_kernel_template_behind(toy, tmp_path, private_tmp):
    """The CLI starts the kernel template before it plans the run (its imports overlap the
    planning); a request refused while planning stops it and removes its runtime folder."""
    proc = start_cli(toy, private_tmp, "run", "--as-of", "2020-12-31", "-p", "no_such_parameter", "1",
                     "--out", str(tmp_path / "reports"))
    seen: set[psutil.Process] = set()
    templates: set[int] = set()
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process(proc.pid).children(recursive=True):
                seen.add(child)
                with contextlib.suppress(psutil.Error):
                    if "rotation.kerneltemplate" in " ".join(child.cmdline()):
                        templates.add(child.pid)
        time.sleep(0.01)
    err = proc.stderr.read()
    assert proc.returncode == 2 and "no_such_parameter" in err and "Traceback" not in err, err
    assert templates, "the kernel template was not started before planning"
    _, alive = psutil.wait_procs(list(seen), timeout=10)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], alive
    assert list(private_tmp.iterdir()) == []     # no runtime folder, no socket


# ---------------------------------------------------------------- write failures

def disk_full_for_sidecars(monkeypatch):
    """Writing any `*.run.json` (the first thing a finishing run writes) fails with ENOSPC."""
    real = Path.write_text

    def write_text(self, *args, **kwargs):
        if self.name.endswith(".run.json"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.name)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)


def test_disk_full_while_writing_the_run_keeps_the_earlier_reports(toy, tmp_path, monkeypatch):
    import shutil

    out = tmp_path / "reports"
    shutil.copytree(toy / "reports", out)
    before = tree(out)
    request = runner.plan_run(as_of="2020-12-31", out=out, folder=toy / "notebooks", only=["01"])
    disk_full_for_sidecars(monkeypatch)
    with pytest.raises(errors.OutputWriteError, match=rf"could not write the reports of this run into {out} "
                       r"\(No space left on device: 01_quick.run.json\); nothing in .* was changed; free space"):
        runner.run(request, progress=QUIET)
    assert tree(out) == before


def test_disk_full_at_the_cli_is_one_line_exit_1(toy, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(plan, "notebooks_dir", lambda: toy / "notebooks")
    disk_full_for_sidecars(monkeypatch)
    assert cli.main(["run", "--as-of", "2020-12-31", "--only", "01", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()   # progress lines, then the error in one line
    assert err[-1].startswith("rotation run: error: could not write the reports of this run"), err
    assert "Traceback" not in "\n".join(err)
    with pytest.raises(errors.OutputWriteError):           # --debug: the traceback goes through
        cli.main(["--debug", "run", "--as-of", "2020-12-31", "--only", "01", "--out", str(tmp_path / "o")])


def test_a_store_that_cannot_be_renamed_is_replaced_file_by_file(tmp_path, monkeypatch):
    """data/ as a mount point: renaming it gives EBUSY; the files are replaced one by one,
    the manifest last, and nothing is left beside them."""
    target, staging = tmp_path / "data", tmp_path / ".data.staging-x"
    (target / "fred").mkdir(parents=True)
    (target / "fred" / "A.csv").write_text("old a")
    (target / "keep.txt").write_text("not in the snapshot")
    (target / store.MANIFEST).write_text("old manifest")
    (staging / "fred").mkdir(parents=True)
    (staging / "fred" / "A.csv").write_text("new a")
    (staging / store.MANIFEST).write_text("new manifest")
    real_replace, order = os.replace, []

    def busy_replace(src, dst):
        if Path(src) == target:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(src))
        order.append(Path(dst).name)
        return real_replace(src, dst)

    monkeypatch.setattr(store.os, "replace", busy_replace)
    store.swap_in(staging, target)
    assert (target / "fred" / "A.csv").read_text() == "new a"
    assert (target / store.MANIFEST).read_text() == "new manifest"
    assert (target / "keep.txt").read_text() == "not in the snapshot"
    assert order[-1] == store.MANIFEST and not staging.exists()
    assert sorted(p.name for p in target.rglob("*")) == sorted(["fred", "A.csv", "keep.txt", store.MANIFEST])


def test_disk_full_during_import_is_a_named_error_and_the_store_is_untouched(tmp_path, monkeypatch):
    from rotation import data

    dest = tmp_path / "store"
    dest.mkdir()
    (dest / "old.txt").write_text("old")
    before = tree(tmp_path)

    def full(src, dst, *a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    monkeypatch.setattr(store.shutil, "copyfile", full)
    with pytest.raises(data.DataWriteError, match=rf"could not write the data store {dest} \(No space left on device: "
                       r".*\); the store was left as it was; free space .* run `make data` again"):
        store.import_snapshot(dest=dest, progress=QUIET)
    assert tree(tmp_path) == before


def test_importing_a_file_path_says_it_is_a_file(tmp_path, capsys):
    f = tmp_path / "MANIFEST.csv"
    f.write_text("x")
    assert cli.main(["data", "import", str(f)]) == 2      # a bad request
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"snapshot {f} is a file: pass the snapshot folder (the one that holds MANIFEST.csv)" in err[0]


# ---------------------------------------------------------------- one error family

def test_every_user_error_is_a_rotation_error_with_its_exit_code():
    from rotation import data, params

    assert issubclass(data.DataError, errors.RotationError) and data.DataError.exit_code == 1
    assert issubclass(data.DataFileCorrupt, errors.RotationError)
    assert issubclass(params.ParameterError, errors.RotationError) and params.ParameterError.exit_code == 2
    assert issubclass(runner.OutputFolderBusy, errors.RunRequestError) and runner.OutputFolderBusy.exit_code == 2
    assert issubclass(errors.OutputWriteError, errors.RotationError) and errors.OutputWriteError.exit_code == 1


def test_debug_shows_the_traceback_and_the_default_does_not(tmp_path):
    args = ["run", "--only", "99", "--out", str(tmp_path / "o")]
    plain = subprocess.run([sys.executable, "-m", "rotation.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)
    debug = subprocess.run([sys.executable, "-m", "rotation.cli", "--debug", *args], capture_output=True, text=True,
                           cwd=ROOT, timeout=120)
    assert plain.returncode == 2 and plain.stderr.count("\n") == 1 and "Traceback" not in plain.stderr
    assert debug.returncode != 0 and "Traceback (most recent call last)" in debug.stderr
    assert "NotebookSelectionError: unknown notebook '99'" in debug.stderr


def test_stale_runtime_folders_of_dead_runs_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"rotation-{dead.pid}-abc"
    live = tmp_path / f"rotation-{os.getpid()}-def"
    other = tmp_path / "rotation-notapid-x"
    for d in (stale, live, other):
        d.mkdir()
    assert processes.remove_stale_runtime_folders(tmp_path) == [stale]
    assert live.is_dir() and other.is_dir() and not stale.exists()


def test_kernels_talk_over_ipc_inside_the_runtime_folder(monkeypatch, private_tmp):
    from rotation.kernels import MAX_SOCKET_PATH, RunKernelManager

    monkeypatch.setenv(processes.RUNTIME_ENV, str(private_tmp))
    km = RunKernelManager(kernel_name="python3")
    assert km.transport == "ipc" and Path(km.connection_file).parent == private_tmp
    assert km.ip.startswith(str(private_tmp))                 # the sockets live there too
    deep = private_tmp / ("d" * (MAX_SOCKET_PATH - len(str(private_tmp))))
    deep.mkdir()
    monkeypatch.setenv(processes.RUNTIME_ENV, str(deep))
    assert RunKernelManager(kernel_name="python3").transport == "tcp"   # a socket path there would be too long
    monkeypatch.delenv(processes.RUNTIME_ENV)
    assert RunKernelManager(kernel_name="python3").transport == "tcp"   # outside a run: jupyter_client's default


def test_a_long_temp_folder_puts_runtime_folders_in_tmp(monkeypatch):
    monkeypatch.setattr(processes.tempfile, "gettempdir", lambda: "/tmp/" + "x" * 60)
    assert processes.runtime_base() == Path("/tmp")
    monkeypatch.setattr(processes.tempfile, "gettempdir", lambda: "/tmp/short")
    assert processes.runtime_base() == Path("/tmp/short")
