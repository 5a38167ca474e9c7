# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make demo   creates .venv if missing, installs parcelsim with what users run (geo, app, design), runs the headline scenario
#   make test   the same, plus what the tests and checks need (dev: pytest, Playwright, pm4py, mypy, ...), then the suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test test-slow browser lint bench docs validation clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[geo,app,design]'
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,geo,app,design]'
	touch $(DEV_STAMP)

demo: $(STAMP)
	$(BIN)/parcelsim run scenarios/door_vs_locker.yaml --reps 10 --jobs 2

# `make test` runs the suite but its slow cases (generated docs, notebooks, fuzzing); CI runs both.
test: $(DEV_STAMP) browser
	$(BIN)/python -m pytest -q -m "not slow"

test-slow: $(DEV_STAMP)
	$(BIN)/python -m pytest -q -m slow

# The browser tests drive Debian's chromium package (no browser download); they skip without it.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	      || echo "could not install chromium: the browser tests will be skipped"; \
	  elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	    { sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	      || echo "could not install chromium: the browser tests will be skipped"; \
	  else echo "chromium is not installed (sudo apt-get install chromium): the browser tests will be skipped"; fi; }

lint: $(DEV_STAMP)
	$(BIN)/ruff check sim tests benchmarks docs
	$(BIN)/ruff format --check sim tests benchmarks docs
	$(BIN)/mypy

docs: $(DEV_STAMP)
	$(BIN)/python docs/generate.py

# The published field studies replayed (scenarios/field/): docs/background/field_validation.md
validation: $(STAMP)
	$(BIN)/parcelsim field --reps 10 --jobs 2

bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/routing.py
	$(BIN)/python benchmarks/station_day.py
	$(BIN)/python benchmarks/where_time_goes.py
	$(BIN)/python benchmarks/click_to_door.py
	$(BIN)/python benchmarks/sweep_scaling.py
	$(BIN)/python benchmarks/city_day.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
