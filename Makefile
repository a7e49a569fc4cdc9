# The two commands: `make run` starts the platform, `make test` runs every test.
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: run vendor test unit integration e2e soak bench audit lint clean rebuild-stats replay-dead backup restore lock

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The pages' script libraries (Leaflet for the maps), pinned in gateway/web/vendor/package-lock.json
# and served from the gateway's own origin. Without npm the pages work as without script: no map.
VENDOR := gateway/web/vendor
$(VENDOR)/node_modules/.package-lock.json: $(VENDOR)/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix $(VENDOR) --no-audit --no-fund --loglevel=error; \
	else echo "npm is missing: the pages will show no map (install Node.js's npm, then run make again)"; fi

vendor: $(VENDOR)/node_modules/.package-lock.json

run: $(STAMP) vendor
	$(VENV)/bin/python -m launcher

# Recompute the quality figures from the complaints, beside a running `make run` (same DATA_DIR).
rebuild-stats: $(STAMP)
	$(VENV)/bin/python -m launcher.task services.feedback.rebuild

# Send a service's dead letters back to its queue: make replay-dead SERVICE=notification
replay-dead: $(STAMP)
	$(VENV)/bin/python -m launcher.task common.replay $(SERVICE)

# The embedded store's databases and the secrets, copied while the platform runs (same DATA_DIR).
backup: $(STAMP)
	$(VENV)/bin/python -m launcher.backup backup

# Put a backup in place, the platform stopped: make restore FROM=var/backups/20261129T040000Z
restore: $(STAMP)
	$(VENV)/bin/python -m launcher.backup restore $(FROM)

test: $(STAMP) vendor
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest

# The runtime dependencies' whole tree, pinned with hashes, as the image installs it: after a change to
# [project].dependencies in pyproject.toml (tests/unit/test_runtime_dependencies.py checks they agree).
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 --no-header --quiet \
		-o requirements.lock

unit: $(STAMP)
	$(VENV)/bin/python -m pytest tests/unit

integration: $(STAMP)
	$(VENV)/bin/python -m pytest tests/integration

e2e: $(STAMP) vendor
	$(VENV)/bin/python -m pytest tests/e2e

# Speed and memory beside the limits of this machine: starts `make run`, prints a table (about 7 min).
bench: $(STAMP) vendor
	$(VENV)/bin/python -m bench

# Known vulnerabilities in the installed packages (pip-audit asks PyPI's advisory data, so it needs
# that network access; --strict fails when a package could not be checked rather than passing).
audit: $(STAMP)
	$(VENV)/bin/pip install --quiet pip-audit==2.10.1
	$(VENV)/bin/pip-audit --local --strict --skip-editable

# The fault-injection test with five rounds of faults under load (a few minutes), counts printed.
soak: $(STAMP)
	FAULT_ROUNDS=5 $(VENV)/bin/python -m pytest tests/e2e/test_faults.py -s

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf var .pytest_cache
