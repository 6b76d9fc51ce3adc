"""The kernel template (`rotation.kerneltemplate`) and the provisioner that forks kernels from it.

Unit tests: the kernel-spec parsing, the preload list against what the notebooks import, the
Popen-like handle of a forked kernel and the recorded-kernel stop, on processes started here.
Integration tests (marked in tests/tiers.py OVERRIDES): a real template forking real kernels,
checked for what a fresh kernel would give (parent, preloaded modules, seeds, working
directory, environment, figures) and against a fresh kernel on a real notebook (same figures).
"""
from __future__ import annotations

import ast
import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from rotation import kerneltemplate, processes
from rotation.kerneltemplate import ForkedKernel, PRELOAD, TemplateUnavailable, interpreter_prefix

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


# ------------------------------------------------------------------------------ unit tests

def test_interpreter_prefix_of_kernel_specs():
    assert interpreter_prefix(["/v/bin/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"]) \
        == ["/v/bin/python", "-Xfrozen_modules=off"]
    assert interpreter_prefix(["python", "-m", "ipykernel_launcher", "-f", "c.json"]) == ["python"]
    assert interpreter_prefix(["python", "-m", "ipykernel", "-f", "c.json"]) is None   # another launcher
    assert interpreter_prefix(["R", "--slave", "-e", "IRkernel::main()", "--args", "{connection_file}"]) is None
    assert interpreter_prefix(["-m", "ipykernel_launcher"]) is None                     # no interpreter


def _imported_modules(notebook: Path) -> set[str]:
    """Every module a notebook's code cells import ('from rotation import a' -> 'rotation.a')."""
    names = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                if node.module == "rotation":
                    names.update(f"rotation.{a.name}" for a in node.names)
    return names


def test_preload_covers_every_notebook_import():
    """What a notebook imports is already in the template (itself or a submodule of it), so a
    forked kernel's first cell imports nothing new."""
    notebooks = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert len(notebooks) >= 7
    missing = {nb.stem: sorted(m for m in _imported_modules(nb)
                               if m != "__future__" and not any(p == m or p.startswith(m + ".") for p in PRELOAD))
               for nb in notebooks}
    assert {k: v for k, v in missing.items() if v} == {}


def test_preload_leaves_out_the_inline_backend():
    """matplotlib_inline hooks itself into the IPython shell when first imported; imported in the
    template (no shell yet), every kernel would drop its figures."""
    assert not any(m == "matplotlib_inline" or m.startswith("matplotlib_inline.") for m in PRELOAD)


def _sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)


def test_forked_kernel_handle_polls_signals_and_waits():
    proc = _sleeper()
    try:
        handle = ForkedKernel(proc.pid)
        assert handle.poll() is None
        handle.terminate()                       # SIGTERM to its process group
        assert proc.wait(timeout=10) == -signal.SIGTERM
        assert handle.wait(timeout=5) == 0       # exit status unknown to a non-parent: 0
        assert handle.poll() == 0
        handle.kill()                            # a signal to a gone kernel is a no-op
    finally:
        proc.kill()
        proc.wait()


def test_forked_kernel_wait_times_out_while_alive():
    proc = _sleeper()
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            ForkedKernel(proc.pid).wait(timeout=0.1)
    finally:
        proc.kill()
        proc.wait()


def test_stop_recorded_kernels_signals_each_recorded_group(tmp_path):
    first, second = _sleeper(), _sleeper()
    try:
        (tmp_path / f"k-1{processes.KERNEL_PID_SUFFIX}").write_text(str(first.pid))
        (tmp_path / f"k-2{processes.KERNEL_PID_SUFFIX}").write_text(str(second.pid))
        (tmp_path / f"k-3{processes.KERNEL_PID_SUFFIX}").write_text("not a pid")
        assert processes.stop_recorded_kernels(tmp_path) == 2
        assert first.wait(timeout=10) == -signal.SIGTERM
        assert second.wait(timeout=10) == -signal.SIGTERM
        assert processes.stop_recorded_kernels(tmp_path / "absent") == 0
        assert processes.stop_recorded_kernels(None) == 0
    finally:
        for p in (first, second):
            p.kill()
            p.wait()


def test_request_kernel_says_why_there_is_no_template(tmp_path):
    socket_path = str(tmp_path / "kt.sock")
    with pytest.raises(TemplateUnavailable, match="after 0.1 s"):
        kerneltemplate.request_kernel(socket_path, ["-f", "c.json"], str(tmp_path), {}, os.devnull, timeout=0.1)
    Path(f"{socket_path}.failed").write_text("ModuleNotFoundError: No module named 'seaborn'")
    t = time.monotonic()
    with pytest.raises(TemplateUnavailable, match="failed: ModuleNotFoundError"):
        kerneltemplate.request_kernel(socket_path, ["-f", "c.json"], str(tmp_path), {}, os.devnull, timeout=30)
    assert time.monotonic() - t < 5                # a failed template is not waited for


def test_spares_serve_only_plain_kernel_arguments(tmp_path):
    """A kernel started ahead of need was started as `ipykernel_launcher -f FILE`; a request with
    other kernel arguments gets a kernel forked for it instead (no spare is even looked at)."""
    spares = kerneltemplate.Spares(tmp_path, 1, listener=None)
    spares.waiting.append({"pid": -1, "ready": -1, "go": -1, "connection_file": "x", "log": "y"})  # unusable fds
    request = {"cwd": str(tmp_path), "env": {}, "log": os.devnull}
    assert spares.hand_out({**request, "argv": ["-f", "c.json", "--debug"]}) is None
    assert spares.hand_out({**request, "argv": []}) is None
    assert len(spares.waiting) == 1


def test_wait_ready_without_a_template(monkeypatch):
    monkeypatch.delenv(kerneltemplate.TEMPLATE_ENV, raising=False)
    assert kerneltemplate.wait_ready() is False


def test_start_serves_only_ipykernel_specs(tmp_path, monkeypatch):
    monkeypatch.delenv(kerneltemplate.TEMPLATE_ENV, raising=False)
    assert kerneltemplate.start(tmp_path, None) is None
    assert kerneltemplate.start(tmp_path, "no-such-kernel-spec") is None
    assert kerneltemplate.TEMPLATE_ENV not in os.environ


# ----------------------------------------------------------------------- integration tests

PROBE = """\
import os, sys, random
preloaded = {m: m in sys.modules for m in ("pandas", "statsmodels.api", "seaborn", "rotation.thesis")}
import numpy as np
import matplotlib.pyplot as plt
plt.plot([0, 1], [1, 0]); plt.title("probe"); plt.show()
print(json.dumps({"ppid": os.getppid(), "pid": os.getpid(), "cwd": os.getcwd(), "preloaded": preloaded,
                  "mark": os.environ.get("ROTATION_TEST_MARK"), "numpy_draw": int(np.random.randint(1 << 30)),
                  "random_draw": random.random(), "backend": plt.get_backend(), "pgid": os.getpgid(0),
                  "name": open("/proc/self/comm").read().strip()}))
"""


def _probe_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import json"), nbformat.v4.new_code_cell(PROBE)]
    nb.metadata["kernelspec"] = {"name": "rotation", "display_name": "Python (rotation)", "language": "python"}
    path = folder / "probe.ipynb"
    nbformat.write(nb, path)
    return path


def _execute(src: Path, out: Path) -> nbformat.NotebookNode:
    import papermill as pm

    from rotation.kernels import RunKernelManager

    with processes.job_runtime_folder():
        pm.execute_notebook(str(src), str(out), kernel_name="rotation", progress_bar=False, log_output=False,
                            cwd=str(src.parent), kernel_manager_class=RunKernelManager)
    return nbformat.read(out, as_version=4)


def _probe_result(nb) -> tuple[dict, int]:
    outputs = nb.cells[1].outputs
    report = json.loads("".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream"))
    pngs = sum("image/png" in o.get("data", {}) for o in outputs)
    return report, pngs


@pytest.fixture
def template(tmp_path, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)
    with processes.runtime_folder(tmp_path) as runtime, kerneltemplate.started(runtime, "rotation") as proc:
        assert proc is not None
        assert kerneltemplate.wait_ready(timeout=120), "the kernel template did not get ready"
        yield proc


def test_forked_kernels_are_fresh_processes_with_the_imports_loaded(template, tmp_path, monkeypatch):
    monkeypatch.setenv("ROTATION_TEST_MARK", "from the requesting process")
    src = _probe_notebook(tmp_path)
    first, first_pngs = _probe_result(_execute(src, tmp_path / "a.ipynb"))
    second, _ = _probe_result(_execute(src, tmp_path / "b.ipynb"))
    assert first["ppid"] == template.pid and second["ppid"] == template.pid     # forked by the template
    assert first["pid"] != second["pid"]
    assert first["pgid"] == first["pid"]                                        # its own process group
    assert first["name"] == kerneltemplate.KERNEL_PROCESS_NAME                  # what top and ps -o comm show
    assert all(first["preloaded"].values()), first["preloaded"]
    assert first["cwd"] == str(tmp_path)
    assert first["mark"] == "from the requesting process"                      # the requester's environment
    assert first["backend"] == kerneltemplate.INLINE_BACKEND and first_pngs == 1  # figures are kept
    assert (first["numpy_draw"], first["random_draw"]) != (second["numpy_draw"], second["random_draw"])  # re-seeded
    record = json.loads(Path(os.environ[kerneltemplate.TEMPLATE_ENV] + ".json").read_text())
    assert record["forks"] == 2 and record["ahead"] >= 1    # the first at least was started ahead of need


def test_other_kernel_specs_start_the_usual_way(template, tmp_path, monkeypatch):
    monkeypatch.setenv(kerneltemplate.TEMPLATE_SPEC_ENV, "another-spec")
    report, pngs = _probe_result(_execute(_probe_notebook(tmp_path), tmp_path / "a.ipynb"))
    assert report["ppid"] == os.getpid()        # launched by this process, not forked by the template
    assert not report["preloaded"]["rotation.thesis"]
    assert pngs == 1


def _figure_digests(nb) -> list[str]:
    return [hashlib.sha256(base64.b64decode(o["data"]["image/png"])).hexdigest()
            for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if "image/png" in o.get("data", {})]


def test_a_forked_kernel_draws_the_same_figures_as_a_fresh_one(tmp_path, monkeypatch):
    """00_data_overview in a kernel forked from the template and in a kernel started the usual
    way: the same number of figures, byte for byte the same PNGs, the same text outputs."""
    monkeypatch.delenv("MPLBACKEND", raising=False)
    src = NOTEBOOKS / "00_data_overview.ipynb"
    with processes.runtime_folder(tmp_path):
        fresh = _execute(src, tmp_path / "fresh.ipynb")
    with processes.runtime_folder(tmp_path) as runtime, kerneltemplate.started(runtime, "rotation"):
        forked = _execute(src, tmp_path / "forked.ipynb")
    assert len(_figure_digests(fresh)) >= 1
    assert _figure_digests(forked) == _figure_digests(fresh)

    def texts(nb):
        return [o.get("text") or o.get("data", {}).get("text/markdown") for c in nb.cells if c.cell_type == "code"
                for o in c.get("outputs", []) if "image/png" not in o.get("data", {})]

    assert texts(forked) == texts(fresh)



def test_a_kernel_that_dies_keeps_the_outputs_made_before(template, tmp_path):
    """The executed notebook is written once, when execution ends however it ends: a kernel
    killed in its second cell still leaves the first cell's output in the failure report."""
    from rotation.execute import execute_one

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('made before the crash')"),
                nbformat.v4.new_code_cell("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
                nbformat.v4.new_code_cell("print('never')")]
    src = tmp_path / "01_dies.ipynb"
    nbformat.write(nb, src)
    (tmp_path / "out").mkdir()
    result = execute_one("01_dies", str(src), str(tmp_path / "out"), {}, "rotation", "html")
    assert result.status == "failed" and "DeadKernelError" in result.error, result.error
    executed = nbformat.read(tmp_path / "out" / "01_dies.ipynb", as_version=4)
    assert [o.get("text") for o in executed.cells[0].outputs] == ["made before the crash\n"]
    assert executed.cells[2].outputs == []
    assert "made before the crash" in (tmp_path / "out" / "01_dies.html").read_text()


def test_summary_line_reads_the_template_record(tmp_path):
    socket_path = str(tmp_path / "kt.sock")
    Path(f"{socket_path}.json").write_text(json.dumps({"pid": 1, "modules": 29, "import_seconds": 2.0, "forks": 6,
                                                       "ahead": 4}))
    assert kerneltemplate.summary(7, socket_path) == \
        "kernel template: 29 modules imported once in 2.00 s; 6 of 7 kernels forked from it, 4 of them started ahead of need"
    Path(f"{socket_path}.failed").write_text("ImportError: no seaborn")
    assert kerneltemplate.summary(7, socket_path) == \
        "kernel template failed (ImportError: no seaborn); kernels started the usual way"
    assert "not ready" in kerneltemplate.summary(7, str(tmp_path / "other.sock"))
