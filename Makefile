# Great Rotation research notebooks. `make reports` and `make test` work on a fresh clone.
PY       ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
SNAPSHOT ?= ../shared/data
JOBS     ?=
UV       ?= $(shell command -v uv 2>/dev/null)

.PHONY: setup data reports test test-fast lab bench clean lock browser

setup: $(STAMP)

# Exact versions from requirements.lock, every downloaded file checked against the sha256 recorded
# there (--require-hashes: a pin without a hash, or a dependency missing from the lock, is refused);
# the venv's own pip does this, so pip is not upgraded from the index unchecked. Then this package
# (editable, no dependency resolution; a local build has no published hash, hence a separate call),
# then the `rotation` Jupyter kernel registered inside the venv. Where `uv` is on the PATH (or
# UV=/path/to/uv is given) it installs the same lock, hash-checked too: about 11 s against 67 s
# for pip with empty caches here. uv gets --no-deps because the lock already pins every
# dependency (pip's run checks that; the venv's own setuptools serves pandas-datareader).
$(STAMP): requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(if $(UV),$(UV) pip install --quiet --python $(BIN)/python --no-deps --require-hashes -r requirements.lock,$(BIN)/pip install --quiet --require-hashes -r requirements.lock)
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name rotation --display-name "Python (rotation)"
	touch $@

# Verify data/ every time (about a second when all is well); when anything is missing, damaged
# or out of date, re-import the pinned snapshot after checking every sha256 against seeds/sources.yml.
data: $(STAMP)
	@$(BIN)/rotation data verify || { echo "re-importing the data store from $(SNAPSHOT)"; $(BIN)/rotation data import $(SNAPSHOT); }

reports: data
	$(BIN)/rotation run --out reports/latest $(if $(JOBS),--jobs $(JOBS))

# Debian's headless Chromium for the browser checks of the reports (no downloaded browser builds).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } \
	  || echo "warning: could not install chromium; the browser tests will be skipped (they fail under CI=true)" >&2

# Every tier: unit, integration (notebooks, kernels, the CLI) and system (browser, JupyterLab,
# nbval of the committed notebooks, sweeps). Tiers are assigned in tests/tiers.py.
test: data browser
	$(BIN)/python -m pytest

# The unit tier only (pure functions on small frames and the data store): under a minute.
test-fast: data
	$(BIN)/python -m pytest -m unit tests

lab: data
	$(BIN)/jupyter lab --notebook-dir=notebooks --MappingKernelManager.default_kernel_name=rotation $(if $(filter 0,$(shell id -u)),--allow-root)

bench: data
	$(BIN)/python -m rotation.bench

# Re-resolve the lock from pyproject.toml (dependencies and the [test] extra) for $(PY)
# (maintainers only; commit the result). uv writes every pin with the sha256 of every file the
# index holds for that version (all wheels and the sdist), which `make setup` then requires.
# Pins in the current lock that still satisfy pyproject.toml are kept; `make lock UPGRADE=1`
# moves every pin to the newest release. setuptools is left out, as pip freeze did: python3.11's
# venv brings its own, which satisfies pandas-datareader's unversioned requirement.
lock:
	rm -rf .lock-venv && $(PY) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet uv==0.13.9
	.lock-venv/bin/uv pip compile pyproject.toml --extra test --generate-hashes \
	  --python .lock-venv/bin/python --no-emit-package setuptools \
	  --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) --quiet -o requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) data reports .pytest_cache build lib/*.egg-info
