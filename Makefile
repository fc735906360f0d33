# Two commands for a newcomer: `make run` (the demo app) and `make test` (the whole suite).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
# The checkout's commands run the development configuration; unset, MENTORING_ENV means production.
FLASK   = MENTORING_ENV=development $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test test-night install install-test translations compile-translations lint browser faketime clean

run: install compile-translations
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)  (stop with Ctrl+C)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-test compile-translations browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The date-sensitive tests (marked `clock`) again on a clock that starts at 23:30 UTC -- 00:30 the next
# day in Oberhausen -- and ticks on: "today" must be the municipality's day, not UTC's or the server's.
# The monotonic clock stays real: faked, Python's exit waits on it for ever.
NIGHT ?= $(shell date -u -d tomorrow +%F) 23:30:00
test-night: install-test compile-translations faketime
	FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC faketime "$(NIGHT)" $(BIN)/python -m pytest -m clock -k "not postgresql" $(PYTEST_ARGS)

# Style, the layer contract (import-linter, in pyproject.toml) and the type checker.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

faketime:
	@command -v faketime >/dev/null 2>&1 || { \
	  echo "Installing Debian's faketime for the night-time tests"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq faketime >/dev/null; }

compile-translations: install
	$(FLASK) i18n compile

# After changing user-visible strings: extract, merge into every catalog, then translate.
translations: install
	$(FLASK) i18n update

clean:
	rm -rf $(VENV) instance/mentoring.sqlite test-artifacts .pytest_cache
