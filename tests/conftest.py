"""Shared fixtures and the test tiers. Tests use the snapshot copied into data/ by `make data`,
never the network. Every collected test gets exactly one tier marker (unit, integration, system)
from the table in tests/tiers.py; `pytest -m unit tests` is `make test-fast`."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import tiers
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


def pytest_collection_modifyitems(config, items):
    """Give every collected test its tier marker from tests/tiers.py (plus the file's extra markers,
    e.g. `faults`). A tier written on the test itself is kept and not doubled; a test with two
    tiers, or from a file the table does not know, stops the run with a `pytest.UsageError`."""
    problems = tiers.check_tables()
    if problems:
        raise pytest.UsageError("tests/tiers.py: " + "; ".join(problems))
    for item in items:
        written = {m.name for m in item.iter_markers() if m.name in tiers.TIERS}
        if len(written) > 1:
            raise pytest.UsageError(f"{item.nodeid} is marked with several tiers ({', '.join(sorted(written))}); "
                                    f"use exactly one of {', '.join(tiers.TIERS)}")
        if not written:
            try:
                item.add_marker(tiers.tier_for(item.nodeid))
            except tiers.UnknownTestFile as err:
                raise pytest.UsageError(str(err)) from None
        for extra in tiers.extra_markers_for(item.nodeid):
            if item.get_closest_marker(extra) is None:
                item.add_marker(extra)
