# microgrand: `make demo` and `make test` work on a fresh clone with only Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: help install demo test lint typecheck unit notebooks bench assets lab system-extras clean

help:
	@echo "make demo     create .venv, install, run the main demo"
	@echo "make test     create .venv if missing, install, run every check"
	@echo "make bench    run the benchmarks (writes benchmarks/RESULTS.md)"
	@echo "make assets   regenerate the README pictures in assets/"
	@echo "make notebooks  sync and re-run the lesson notebooks (stores outputs)"
	@echo "make lab      open the notebooks in JupyterLab"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install --upgrade pip
	$(PIP) install -e ".[dev,notebooks]"
	@touch $(STAMP)

install: $(STAMP)

# The main job: train a small network on two moons, print its accuracy, and write the
# decision boundary, the loss curve and diagrams into demo-output/.
demo: install
	$(BIN)/microgrand demo --out demo-output

# Optional system extras for the test suite: the system Graphviz (so both layout engines are
# tested) and Chromium (for the browser tests). Installed only when running as root with
# apt-get; the package itself never needs them, and tests that need them skip with a reason.
system-extras:
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  missing=""; \
	  command -v dot >/dev/null 2>&1 || missing="$$missing graphviz"; \
	  command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	  if [ -n "$$missing" ]; then \
	    echo "installing optional test extras:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "warning: could not install$$missing; the tests that need them will be skipped"; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check microgrand tests benchmarks
	@if command -v node >/dev/null 2>&1; then for f in microgrand/web/*.js; do node --check $$f || exit 1; done; \
	  else echo "node not found: JavaScript syntax check skipped"; fi

typecheck: install
	$(BIN)/mypy

# The tests run on several workers (pytest-xdist): one per core, at least 2 and at most 4.
# `make unit TEST_WORKERS=0` runs them in one process.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 2 ? 2 : n > 4 ? 4 : n )))

unit: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

test: install system-extras lint typecheck unit

bench: install
	$(BIN)/python benchmarks/run.py --out benchmarks/RESULTS.md
	$(BIN)/python benchmarks/bench_explore.py --update benchmarks/RESULTS.md
	$(BIN)/python benchmarks/bench_live.py --out benchmarks/RESULTS.md
	$(BIN)/python benchmarks/bench_layout.py --out benchmarks/RESULTS.md

# The pictures the README shows (the player screenshot needs Chromium: see system-extras).
assets: install
	rm -rf build/assets
	$(BIN)/microgrand demo --out build/assets --quiet
	cp build/assets/example.png build/assets/decision_boundary.png assets/
	$(BIN)/python tools/screenshot.py assets/player.png --gif assets/backward.gif

notebooks: install
	$(BIN)/python tools/build_notebooks.py

# Class copies of the lessons (as `microgrand lessons` makes them): build/handouts/student/
# (no solution or claim cells, no check outputs) and build/handouts/teacher/ (every cell).
.PHONY: handouts
handouts: install
	$(BIN)/python tools/make_handouts.py --out build/handouts

lab: install
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist demo-output
