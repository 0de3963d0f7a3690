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
	@echo "make site     build the lessons as a JupyterLite site (build/site/); make serve-site"

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
	$(BIN)/ruff check microgrand tests benchmarks tools
	$(BIN)/ruff format --check microgrand tests benchmarks tools
	@if command -v node >/dev/null 2>&1; then for f in microgrand/web/*.js; do node --check $$f || exit 1; done; \
	  else echo "node not found: JavaScript syntax check skipped"; fi

typecheck: install
	$(BIN)/mypy

# The tests run on several workers (pytest-xdist): one per core, at least 2 and at most 4.
# `make unit TEST_WORKERS=0` runs them in one process.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 2 ? 2 : n > 4 ? 4 : n )))

unit: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

test: install system-extras npm-deps site lint typecheck unit

bench: install npm-deps
	$(BIN)/python benchmarks/run.py --out benchmarks/RESULTS.md
	$(BIN)/python benchmarks/bench_explore.py --update benchmarks/RESULTS.md
	$(BIN)/python benchmarks/bench_live.py --out benchmarks/RESULTS.md
	$(BIN)/python benchmarks/bench_layout.py --out benchmarks/RESULTS.md
	$(BIN)/python benchmarks/bench_pyodide.py --out benchmarks/RESULTS.md
	$(BIN)/python benchmarks/bench_playground.py --out benchmarks/RESULTS.md
	$(BIN)/python benchmarks/bench_explore_scale.py --out benchmarks/RESULTS.md

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

# npm packages the tests use, at the versions pinned in tools/npm/ (Pyodide, to run microgrand
# in WebAssembly under Node.js; @viz-js/viz, to check the vendored copy), into build/npm/.
# Skipped with a note when npm is missing (the tests that need them skip with a reason).
NPM_DIR := build/npm
NPM_STAMP := $(NPM_DIR)/.installed
.PHONY: npm-deps
npm-deps: $(NPM_STAMP)

$(NPM_STAMP): tools/npm/package.json tools/npm/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  mkdir -p $(NPM_DIR) && cp tools/npm/package.json tools/npm/package-lock.json $(NPM_DIR)/ && \
	  (cd $(NPM_DIR) && npm ci --no-audit --no-fund --loglevel=error) && touch $@; \
	else echo "npm not found: the Pyodide tests will be skipped"; fi

# The zero-install class site: the lessons (student copies) in JupyterLite, in build/site/.
# Its build tools are the `site` extra (not needed by microgrand itself). PYODIDE=archive
# serves a Pyodide release from the site instead of Pyodide's CDN (an offline class).
SITE_STAMP := $(VENV)/.site-installed
PYODIDE ?=
.PHONY: site serve-site
$(SITE_STAMP): pyproject.toml | $(STAMP)
	$(PIP) install -e ".[site]"
	@touch $@

site: install $(SITE_STAMP)
	$(BIN)/python tools/build_site.py --out build/site $(if $(PYODIDE),--pyodide $(PYODIDE))

SITE_PORT ?= 8000
serve-site:
	@test -f build/site/index.html || $(MAKE) site
	@echo "the lessons: http://localhost:$(SITE_PORT)/lab/index.html (Ctrl-C stops)"
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory build/site $(SITE_PORT)
