"""Provenance of a run: the git commit of the code and the data vintage of the store."""
from __future__ import annotations

import subprocess


def git_commit() -> str:
    from .data import project_root

    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=project_root(),
                             capture_output=True, text=True, timeout=5)
        commit = out.stdout.strip() or "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=project_root(),
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def data_vintage() -> dict:
    """What the reports were computed from: store fill date, source, CRSP vintage, coverage."""
    from . import data

    try:
        from .data.store import read_manifest

        man = read_manifest()
        return {"store_filled": man.get("filled"), "store_source": man.get("source"),
                "famafrench_vintage": data.dataset("ff_portfolios_me").vintage,
                "latest_common_month": str(data.latest_common_month())}
    except data.DataError as exc:
        return {"error": str(exc)}

