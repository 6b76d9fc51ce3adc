"""Which test tier each collected test belongs to (read by `conftest.pytest_collection_modifyitems`).

Three tiers, exactly one per test:
- `unit`: pure functions on small hand-made frames or on the real data store; no kernel, no
  notebook run, no subprocess, no browser. `make test-fast` (`pytest -m unit tests`) runs them in
  under a minute.
- `integration`: runs notebooks, kernels, papermill or the CLI in a subprocess, or the data store
  end to end (fetch from a local server, `make data`).
- `system`: a browser, a JupyterLab server, nbval of the committed notebooks, whole-collection
  runs at several dates and sweeps.

A test file is assigned as a whole in `MODULE_TIERS` (keyed by file name); the few tests that do
not fit their file's tier are listed in `OVERRIDES` with the reason. A test file missing from the
table is an error, so a new file cannot silently escape the tiers.
"""
from __future__ import annotations

TIERS = ("unit", "integration", "system")

MODULE_TIERS: dict[str, str] = {
    "test_availability.py": "unit",
    "test_claims.py": "unit",
    "test_claims_market.py": "unit",
    "test_claims_statistical.py": "unit",
    "test_concentration.py": "unit",
    "test_credit.py": "unit",
    "test_data.py": "unit",
    "test_execute.py": "unit",               # pure helpers of rotation.execute (no kernel)
    "test_findings.py": "unit",
    "test_framecache.py": "unit",
    "test_inference.py": "unit",
    "test_inference_new.py": "unit",
    "test_lock.py": "unit",                  # reads requirements.lock and pyproject.toml (also marks itself)
    "test_pages.py": "unit",                 # pages and report template rendered in-process from hand-made results
    "test_params.py": "unit",
    "test_rates.py": "unit",
    "test_results_hygiene.py": "unit",
    "test_spreads.py": "unit",
    "test_thesis.py": "unit",
    "test_tiers.py": "unit",
    "test_timeseries.py": "unit",
    "test_valuation.py": "unit",
    "test_faults.py": "integration",         # toy notebooks run in kernels, the CLI in subprocesses, signals
    "test_kerneltemplate.py": "integration", # a real kernel template forking kernels; processes signalled
    "test_interrupts.py": "integration",     # signals to CLI subprocesses running toy notebooks in kernels
    "test_fetch.py": "integration",          # rebuilds a store from a local HTTP server, end to end
    "test_notebook_runs.py": "integration",  # papermill runs of single notebooks
    "test_runner.py": "integration",         # toy collections run in kernels, the CLI in subprocesses
    "test_dask.py": "system",                # a real dask scheduler + 2 workers (the environment checks mark themselves unit)
    "test_browser.py": "system",             # headless Chromium over the rendered reports
    "test_jupyterlab.py": "system",          # a real JupyterLab server and kernel
    "test_point_in_time.py": "system",       # the whole collection run at several historical dates
    "test_verdict_sweep.py": "system",       # a monthly sweep of notebooks 05 and 06 (about 3 minutes)
}

# "file::test function" (parameters ignored) -> (tier, why it differs from its file's tier).
OVERRIDES: dict[str, tuple[str, str]] = {
    "test_data.py::test_make_data_repairs_a_damaged_store":
        ("integration", "runs `make data` twice in a subprocess, re-importing the store (about 25 s)"),
    "test_runner.py::test_bad_requests_fail_before_work": ("unit", "plan_run only: refused before any kernel"),
    "test_runner.py::test_unwritable_output_folder": ("unit", "plan_run only: refused before any kernel"),
    "test_runner.py::test_sweep_dates_validation": ("unit", "a pure date-list function"),
    "test_runner.py::test_data_cutoff_is_passed_to_every_notebook_that_declares_it": ("unit", "plan_run only"),
    "test_runner.py::test_verdict_grid_colours_each_claim_by_date_with_the_thesis_first":
        ("unit", "pure HTML from a hand-made frame"),
    "test_runner.py::test_index_leads_with_the_thesis_verdict": ("unit", "pure HTML from hand-made results"),
    "test_kerneltemplate.py::test_interpreter_prefix_of_kernel_specs": ("unit", "a pure argv function"),
    "test_kerneltemplate.py::test_preload_covers_every_notebook_import": ("unit", "parses the notebooks' sources"),
    "test_kerneltemplate.py::test_preload_leaves_out_the_inline_backend": ("unit", "a constant"),
    "test_kerneltemplate.py::test_request_kernel_says_why_there_is_no_template": ("unit", "no template, no process"),
    "test_kerneltemplate.py::test_wait_ready_without_a_template": ("unit", "no template, no process"),
    "test_kerneltemplate.py::test_start_serves_only_ipykernel_specs": ("unit", "refused before any process starts"),
    "test_kerneltemplate.py::test_summary_line_reads_the_template_record": ("unit", "reads hand-written files"),
    "test_kerneltemplate.py::test_spares_serve_only_plain_kernel_arguments": ("unit", "no process, no kernel"),
}

# Markers added besides the tier (kept when the file already writes them itself).
EXTRA_MARKERS: dict[str, tuple[str, ...]] = {
    "test_faults.py": ("faults",),
    "test_interrupts.py": ("faults",),
}


class UnknownTestFile(ValueError):
    """A collected test whose file has no tier in `MODULE_TIERS`."""


def split_nodeid(nodeid: str) -> tuple[str, str]:
    """("file name", "test function") of a pytest node id such as
    'tests/test_data.py::test_x[param]' -> ('test_data.py', 'test_x'); the function part is the
    last '::' segment without its parameter brackets ('' for a bare file)."""
    path, _, rest = nodeid.partition("::")
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    func = rest.rsplit("::", 1)[-1].split("[", 1)[0] if rest else ""
    return name, func


def tier_for(nodeid: str) -> str:
    """The tier ('unit', 'integration' or 'system') of the test with this pytest node id.

    Notebook items (nbval, '*.ipynb::Cell N') are `system`; otherwise an entry in `OVERRIDES`
    wins over the file's entry in `MODULE_TIERS`. Raises `UnknownTestFile` naming the file and
    the tiers when the file is in neither."""
    name, func = split_nodeid(nodeid)
    if name.endswith(".ipynb"):
        return "system"
    override = OVERRIDES.get(f"{name}::{func}")
    if override is not None:
        return override[0]
    if name not in MODULE_TIERS:
        raise UnknownTestFile(
            f"test file {name!r} (from {nodeid!r}) has no test tier: add it to MODULE_TIERS in tests/tiers.py "
            f"as one of {', '.join(TIERS)}, or mark its tests explicitly with @pytest.mark.<tier>")
    return MODULE_TIERS[name]


def extra_markers_for(nodeid: str) -> tuple[str, ...]:
    """Markers other than the tier that every test of this node id's file carries (e.g. 'faults')."""
    return EXTRA_MARKERS.get(split_nodeid(nodeid)[0], ())


def check_tables() -> list[str]:
    """Problems in the tables themselves: a tier name not in `TIERS`, or an override of a file
    the table does not know. Empty when all is well."""
    problems = [f"MODULE_TIERS[{k!r}] = {v!r} is not one of {TIERS}" for k, v in MODULE_TIERS.items() if v not in TIERS]
    for key, (tier, _why) in OVERRIDES.items():
        if tier not in TIERS:
            problems.append(f"OVERRIDES[{key!r}] = {tier!r} is not one of {TIERS}")
        if key.split("::", 1)[0] not in MODULE_TIERS:
            problems.append(f"OVERRIDES[{key!r}] names a file missing from MODULE_TIERS")
    return problems
