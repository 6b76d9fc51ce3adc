"""JupyterLab as a researcher uses it: a real server on 127.0.0.1 with a token, the notebooks
listed, the `rotation` kernelspec present, and `import rotation` run in a started kernel."""
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def lab_server(tmp_path):
    port, token = free_port(), uuid.uuid4().hex
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT / 'notebooks'}",
         "--ServerApp.port_retries=0", "--ServerApp.allow_root=True", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "lab.log", "w"), env=env)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"token {token}"}
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if requests.get(f"{base}/api/status", headers=headers, timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if proc.poll() is not None:
            pytest.fail("jupyter lab exited early:\n" + (tmp_path / "lab.log").read_text()[-2000:])
        time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail("jupyter lab did not answer within 90 s:\n" + (tmp_path / "lab.log").read_text()[-2000:])
    yield base, token, headers
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_lab_lists_notebooks_and_runs_rotation_kernel(lab_server):
    import websocket

    base, token, headers = lab_server
    # unauthenticated requests are refused
    assert requests.get(f"{base}/api/contents", timeout=5).status_code in (401, 403)
    listing = requests.get(f"{base}/api/contents", headers=headers, timeout=10).json()
    names = {item["name"] for item in listing["content"]}
    assert {p.name for p in (ROOT / "notebooks").glob("*.ipynb")} <= names
    specs = requests.get(f"{base}/api/kernelspecs", headers=headers, timeout=10).json()["kernelspecs"]
    assert "rotation" in specs, f"kernelspec 'rotation' missing (make setup registers it); have {sorted(specs)}"
    kernel = requests.post(f"{base}/api/kernels", headers=headers, json={"name": "rotation"}, timeout=60).json()
    try:
        ws = websocket.create_connection(f"ws://127.0.0.1:{base.rsplit(':', 1)[1]}/api/kernels/{kernel['id']}/channels?token={token}",
                                         timeout=60)
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex, "msg_type": "execute_request",
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": "import rotation, rotation.data\nprint('rotation', rotation.__version__, rotation.data.data_dir().name)",
                        "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False}}))
        stdout, reply = "", None
        deadline = time.time() + 120
        while reply is None and time.time() < deadline:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                stdout += msg["content"]["text"]
            elif msg["msg_type"] == "execute_reply":
                reply = msg["content"]
        ws.close()
        assert reply is not None and reply["status"] == "ok", reply
        assert "rotation 0.1.0 data" in stdout
    finally:
        assert requests.delete(f"{base}/api/kernels/{kernel['id']}", headers=headers, timeout=30).status_code == 204
