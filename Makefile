# The two commands: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
CONFIG ?= examples/estate.example.toml
PYTEST_ARGS ?=
# Each writes bench/results/<name>.json; `make bench BENCHES=ingest` runs one.
BENCHES ?= ingest cmdb aws_scan vcenter_scan devices api_load api_lists pages outcomes as_at demo_run make_run
BIN := $(VENV)/bin
# The demo's Wi-Fi agents (snmpsim) run from a venv of their own: see api/cli/demo_wifi.py.
SNMPSIM_VENV ?= $(CURDIR)/.demo/snmpsim-venv
export VENV
# `make bench-peer`: Nautobot in a venv of its own, beside estate (not part of `make bench`).
PEER_VENV ?= bench/.peer-venv
NAUTOBOT_VERSION ?= 3.2.7
PEER_ROWS ?= 10000

.PHONY: run demo-wifi test lint test-sqlite test-postgresql peers bench bench-peer clean

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "estate needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,demo]'
	@touch $@

# The demo's snmpsim venv is made while estate's is: two installs waiting on downloads and disks,
# side by side.
run:
	@$(MAKE) --no-print-directory -j2 $(BIN)/.installed demo-wifi
	$(BIN)/estate --config $(CONFIG) db upgrade
	ESTATE_DEMO_SNMPSIM=$(SNMPSIM_VENV)/bin/snmpsim-command-responder \
		$(BIN)/estate --config $(CONFIG) demo || test $$? -eq 1
	$(BIN)/estate --config $(CONFIG) serve --port $(PORT)

demo-wifi:
	@SNMPSIM_ONLY=1 PYTHON=$(PYTHON) SNMPSIM_VENV=$(SNMPSIM_VENV) bash .ci/peers/snmp.sh \
		|| echo "snmpsim could not be installed: the demo goes on without the Civic Centre's Wi-Fi"

peers: $(BIN)/.installed
	@for script in .ci/peers/*.sh; do [ -e "$$script" ] || continue; echo "== $$script"; bash "$$script" || exit 1; done

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy estate scanners api
	$(BIN)/lint-imports

test-sqlite: $(BIN)/.installed
	ESTATE_TEST_DB=sqlite $(BIN)/pytest $(PYTEST_ARGS)

test-postgresql: $(BIN)/.installed
	@bash .ci/postgres.sh; status=$$?; \
	if [ $$status -eq 3 ]; then echo "PostgreSQL pass SKIPPED: no server at 127.0.0.1:5432 (set ESTATE_TEST_PG_URL to point at one)"; exit 0; fi; \
	[ $$status -eq 0 ] || exit $$status; \
	ESTATE_TEST_DB=postgresql $(BIN)/pytest $(PYTEST_ARGS)

test: $(BIN)/.installed peers lint test-sqlite test-postgresql

bench: $(BIN)/.installed peers
	@bash .ci/postgres.sh || true
	@for name in $(BENCHES); do echo "== bench/$$name.py"; $(BIN)/python "bench/$$name.py" || exit 1; done

$(PEER_VENV)/.installed:
	@command -v redis-server >/dev/null || { echo "bench-peer needs redis-server (Debian: apt-get install redis-server)" >&2; exit 1; }
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install --quiet --upgrade pip
	$(PEER_VENV)/bin/pip install --quiet 'nautobot==$(NAUTOBOT_VERSION)' || { echo "bench-peer: could not install nautobot==$(NAUTOBOT_VERSION) from PyPI into $(PEER_VENV)" >&2; exit 1; }
	@touch $@

bench-peer: $(BIN)/.installed $(PEER_VENV)/.installed
	@bash .ci/postgres.sh || { echo "bench-peer needs PostgreSQL at 127.0.0.1:5432 (or ESTATE_TEST_PG_URL)" >&2; exit 1; }
	$(BIN)/python bench/peer_nautobot.py --rows $(PEER_ROWS) --nautobot-venv $(PEER_VENV)

clean:
	rm -rf $(VENV) *.egg-info .mypy_cache .ruff_cache .pytest_cache estate.db estate.db-*
