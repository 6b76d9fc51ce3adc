"""The kernel manager of `rotation run`: IPC transport inside the run's runtime folder.

Each notebook still gets a fresh kernel of its own. Compared with jupyter_client's default
(TCP on 127.0.0.1, connection file from `tempfile.mkstemp` in /tmp), `RunKernelManager`:

* talks to the kernel over IPC (Unix sockets): no port race, no "Kernel is running over TCP
  without encryption" warning, nothing listening on the network;
* writes the connection file and the sockets into the run's runtime folder
  (`rotation.processes.runtime_folder`, env `ROTATION_RUNTIME_DIR`), which the run removes even
  when interrupted (and the next run removes after a kill);
* sends the kernel's own stdout/stderr (start-up chatter, "KeyboardInterrupt caught in kernel"
  at shutdown) to `<connection file>.log` there instead of the terminal; `kernel_log_tail`
  reads it back when a kernel dies, so the failure message still says why.

* forks the kernel from the run's kernel template (`rotation.kerneltemplate`) when one is
  running for this kernel spec (`TemplateProvisioner`): the kernel starts with the notebooks'
  heavy imports already loaded; without a template it is launched the usual way;
* records each kernel's pid as `<connection file>.pid`, so `processes.stop_recorded_kernels`
  can stop the kernels of one notebook (a forked kernel is the template's child, not a
  descendant of the worker that asked for it).

Without `ROTATION_RUNTIME_DIR` (e.g. papermill called directly) it behaves like the default
manager.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

from . import kerneltemplate
from .processes import KERNEL_PID_SUFFIX, RUNTIME_ENV

MAX_SOCKET_PATH = 107   # Linux: sun_path holds 108 bytes with the final NUL


class TemplateProvisioner(LocalProvisioner):
    """`LocalProvisioner` that forks the kernel from the run's kernel template when one serves
    this kernel spec (`kerneltemplate.request_kernel`; it was started with the spec's
    interpreter), and launches it the usual way otherwise. Signals, polling and shutdown work on
    the forked kernel's process group (`kerneltemplate.ForkedKernel`)."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        socket_path = os.environ.get(kerneltemplate.TEMPLATE_ENV)
        km = self.parent
        prefix = kerneltemplate.interpreter_prefix(cmd)
        if (not socket_path or km is None or prefix is None
                or os.environ.get(kerneltemplate.TEMPLATE_SPEC_ENV) != km.kernel_name):
            return await super().launch_kernel(cmd, **kwargs)
        import asyncio

        cwd = str(kwargs.get("cwd") or os.getcwd())
        env = dict(kwargs.get("env") or os.environ)
        log = str(km.log_path) if getattr(km, "log_path", None) else os.devnull
        try:
            reply = await asyncio.to_thread(kerneltemplate.request_kernel, socket_path, cmd[len(prefix) + 2:],
                                            cwd, env, log)
        except kerneltemplate.TemplateUnavailable as exc:
            self.log.warning("%s; starting the kernel the usual way", exc)
            return await super().launch_kernel(cmd, **kwargs)
        pid = int(reply["pid"])
        if reply.get("connection_file"):   # a kernel started ahead of need: adopt its connection and log
            self.connection_info = adopted_connection(reply["connection_file"])
            if log != os.devnull and reply.get("log") and not os.path.lexists(log):
                os.symlink(reply["log"], log)
        self.process = kerneltemplate.ForkedKernel(pid)
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info


def adopted_connection(path: str) -> dict:
    """The connection info in the file `path` of a kernel started ahead of need, as the kernel
    manager keeps it (the key as bytes); the manager then rewrites its own connection file with
    it (jupyter_client's `_reconcile_connection_info`)."""
    import json

    info = json.loads(Path(path).read_text(encoding="utf-8"))
    info["key"] = info["key"].encode()
    return info


class RunKernelManager(AsyncKernelManager):
    """`AsyncKernelManager` with IPC transport and files in the run's runtime folder."""

    def __init__(self, **kwargs):
        runtime = os.environ.get(RUNTIME_ENV)
        if runtime and Path(runtime).is_dir():
            connection = Path(runtime) / f"k-{uuid.uuid4().hex[:8]}.json"
            kwargs.setdefault("connection_file", str(connection))
            if len(str(connection)) + len("-ipc-99") <= MAX_SOCKET_PATH:  # else TCP, as jupyter_client does
                kwargs.setdefault("transport", "ipc")
        super().__init__(**kwargs)

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = TemplateProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_post_start_kernel(self, **kw):
        await super()._async_post_start_kernel(**kw)
        pid = getattr(self.provisioner, "pid", None)
        if pid and os.environ.get(RUNTIME_ENV) and self.connection_file:
            Path(self.connection_file).with_suffix(KERNEL_PID_SUFFIX).write_text(str(pid))

    @property
    def log_path(self) -> Path | None:
        return Path(self.connection_file).with_suffix(".log") if self.connection_file else None

    async def _quiet_start_kernel(self, **kw):
        log = self.log_path
        if log is not None and os.environ.get(RUNTIME_ENV) and "stderr" not in kw:
            handle = open(log, "ab")  # the child keeps its own copy; ours closes after the launch
            try:
                kw.setdefault("stdout", handle)
                kw["stderr"] = handle
                return await AsyncKernelManager.start_kernel(self, **kw)
            finally:
                handle.close()
        return await AsyncKernelManager.start_kernel(self, **kw)

    start_kernel = _quiet_start_kernel


def kernel_log_tail(runtime: str | os.PathLike, lines: int = 5) -> str:
    """The last `lines` lines of every kernel log in the folder `runtime` (for a kernel that
    died: why), or ''."""
    texts = []
    for log in sorted(Path(runtime).glob("*.log")):
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-lines:]
        if tail:
            texts.append(" | ".join(tail))
    return " || ".join(texts)
