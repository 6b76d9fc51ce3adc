# Great Rotation research notebooks. `make reports` and `make test` work on a fresh clone.
PY       ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
SNAPSHOT ?= ../shared/data
JOBS     ?=

.PHONY: setup data reports test lab bench clean lock browser

setup: $(STAMP)

# Exact versions from requirements.lock, then this package (editable, no dependency
# resolution), then the `rotation` Jupyter kernel registered inside the venv.
$(STAMP): requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
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

test: data browser
	$(BIN)/python -m pytest

lab: data
	$(BIN)/jupyter lab --notebook-dir=notebooks --MappingKernelManager.default_kernel_name=rotation $(if $(filter 0,$(shell id -u)),--allow-root)

bench: data
	$(BIN)/python -m rotation.bench

# Re-resolve the lock from pyproject.toml (maintainers only; commit the result).
lock:
	rm -rf .lock-venv && $(PY) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet ".[test]"
	.lock-venv/bin/pip freeze --exclude rotation > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) data reports .pytest_cache build lib/*.egg-info
