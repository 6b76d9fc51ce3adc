"""Shared fixtures. Tests use the snapshot copied into data/ by `make data`, never the network."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rotation import data

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def store() -> Path:
    """The filled local store; a clear failure naming `make data` when it is missing."""
    problems = data.verify_store()
    assert not problems, "data store not ready (run `make data`): " + "; ".join(problems)
    return data.data_dir()


@pytest.fixture()
def isolated_store(tmp_path, monkeypatch, store):
    """A private copy of the store (for tests that damage files), with caches cleared."""
    copy = tmp_path / "data"
    shutil.copytree(store, copy)
    monkeypatch.setenv("ROTATION_DATA", str(copy))
    data.clear_caches()
    yield copy
    data.clear_caches()


@pytest.fixture(autouse=True)
def no_data_cutoff_leaks():
    """`params.validate` sets the data layer's cutoff; no test may leave one behind."""
    data.set_cutoff(None)
    yield
    data.set_cutoff(None)
