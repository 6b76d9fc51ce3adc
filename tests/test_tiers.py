"""The test-tier table (tests/tiers.py) on hand-made pytest node ids, and its agreement with the
test files on disk. Pure: no subprocess, no collection run."""
import re
from pathlib import Path

import pytest

import tiers

TESTS = Path(__file__).resolve().parent


def test_a_file_gets_its_table_tier_whatever_the_path_and_parameters():
    assert tiers.tier_for("tests/test_concentration.py::test_market_state_thresholds") == "unit"
    assert tiers.tier_for("tests/test_data.py::test_a_damaged_manifest_is_a_named_error_with_the_fix[[]]") == "unit"
    assert tiers.tier_for("test_runner.py::test_show_code") == "integration"        # run from inside tests/
    assert tiers.tier_for(r"tests\test_browser.py::test_report_reads_offline[index]") == "system"  # Windows path
    assert tiers.tier_for("tests/test_faults.py::SomeClass::test_x") == "integration"


def test_an_override_beats_its_file_including_every_parameter():
    # test_data.py is unit, but this test runs `make data` in a subprocess
    assert tiers.tier_for("tests/test_data.py::test_make_data_repairs_a_damaged_store") == "integration"
    # test_runner.py is integration, but this parametrised test only plans (no kernel)
    assert tiers.tier_for("tests/test_runner.py::test_bad_requests_fail_before_work[kwargs0-as_of]") == "unit"
    assert tiers.tier_for("tests/test_runner.py::test_sweep_dates_validation") == "unit"


def test_notebook_cells_are_system():
    assert tiers.tier_for("notebooks/03_concentration.ipynb::Cell 4") == "system"
    assert tiers.tier_for("anywhere/new_one.ipynb::Cell 0") == "system"  # no table entry needed


def test_an_unknown_file_is_refused_naming_the_file_and_the_tiers():
    with pytest.raises(tiers.UnknownTestFile, match=r"'test_brand_new\.py'.*unit, integration, system"):
        tiers.tier_for("tests/test_brand_new.py::test_something")


def test_split_nodeid():
    assert tiers.split_nodeid("tests/test_a.py::test_b[x-1]") == ("test_a.py", "test_b")
    assert tiers.split_nodeid("tests/test_a.py::TestC::test_d") == ("test_a.py", "test_d")
    assert tiers.split_nodeid("tests/test_a.py") == ("test_a.py", "")
    assert tiers.split_nodeid("notebooks/01_x.ipynb::Cell 2") == ("01_x.ipynb", "Cell 2")


def test_faults_file_carries_the_faults_marker_and_others_none():
    assert tiers.extra_markers_for("tests/test_faults.py::test_anything[p]") == ("faults",)
    assert tiers.extra_markers_for("tests/test_data.py::test_store_verified") == ()


def test_tables_are_consistent():
    assert tiers.check_tables() == []


def test_check_tables_names_a_bad_tier_and_an_override_of_an_unknown_file(monkeypatch):
    monkeypatch.setitem(tiers.MODULE_TIERS, "test_zz.py", "slow")
    monkeypatch.setitem(tiers.OVERRIDES, "test_yy.py::test_q", ("fast", "why"))
    problems = tiers.check_tables()
    assert len(problems) == 3
    assert "MODULE_TIERS['test_zz.py'] = 'slow' is not one of" in problems[0]
    assert "OVERRIDES['test_yy.py::test_q'] = 'fast'" in problems[1]
    assert "test_yy.py::test_q" in problems[2] and "missing from MODULE_TIERS" in problems[2]


def test_every_test_file_on_disk_has_a_tier_and_every_table_entry_exists():
    on_disk = {p.name for p in TESTS.glob("test_*.py")}
    assert on_disk - set(tiers.MODULE_TIERS) == set(), "test files without a tier in tests/tiers.py"
    assert set(tiers.MODULE_TIERS) - on_disk == set(), "tier table names files that do not exist"


def test_every_override_names_a_test_function_that_exists():
    for key in tiers.OVERRIDES:
        name, func = key.split("::")
        source = (TESTS / name).read_text()
        assert re.search(rf"^def {re.escape(func)}\(", source, re.M), f"override {key} matches no test"
