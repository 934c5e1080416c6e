# One entry point per task; CI calls the same ones.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
VENDOR := src/onegrid/web/static/vendor
ASSETS := $(VENDOR)/.built

.PHONY: install assets font demo serve test lint fuzz bench bench-full browser screens clean

install: $(INSTALLED) $(ASSETS)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,demo,bench]'
	touch $@

# Third-party browser code comes from the npm registry at build time and is never committed.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(ASSETS): node_modules/.package-lock.json
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/swagger-ui
	cp -r node_modules/leaflet/dist $(VENDOR)/leaflet
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	mkdir -p $(VENDOR)/htmx $(VENDOR)/alpine
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE $(VENDOR)/htmx/
	cp node_modules/@alpinejs/csp/dist/module.esm.min.js $(VENDOR)/alpine/alpine-csp.esm.min.js
	$(MAKE) --no-print-directory font
	touch $@

# The Chinese font, regular and bold: the stylesheets of @fontsource/noto-sans-sc (woff2 only)
# and the unicode-range subsets they name, so a page loads just the subsets its text needs.
FONT := node_modules/@fontsource/noto-sans-sc
font:
	mkdir -p $(VENDOR)/noto-sans-sc/files
	cp $(FONT)/LICENSE $(VENDOR)/noto-sans-sc/
	for weight in 400 700; do \
	  sed -e "s/, url([^)]*\.woff) format('woff')//" $(FONT)/$$weight.css > $(VENDOR)/noto-sans-sc/$$weight.css; \
	  grep -o "files/[^)]*\.woff2" $(FONT)/$$weight.css | sed 's|^|$(FONT)/|' | xargs cp -t $(VENDOR)/noto-sans-sc/files/; \
	done

assets: $(ASSETS)

demo: install
	$(BIN)/onegrid demo

serve: install
	$(BIN)/onegrid serve

# The browser tests drive Debian's Chromium; install it when it is missing. No CJK font is
# installed: the pages bring their own (Noto Sans SC, from the npm registry).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

# The tests in as many processes as the machine has cores (at most 4; pytest-xdist): each
# process builds its own databases, servers and browsers.
test: install browser
	$(BIN)/pytest -n auto --maxprocesses 4

# The README's screenshots of where each role starts, taken by the browser tests.
screens: install browser
	ONEGRID_SCREENS_DIR=docs/screens $(BIN)/pytest -q tests/web/test_screens.py

lint: install
	$(BIN)/ruff check .

# The adversarial suite at length: schemathesis over the whole API as every role, both stores.
FUZZ_EXAMPLES ?= 100
fuzz: install
	ONEGRID_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/core/test_api_fuzz.py tests/core/test_inputs.py

# SPEC §8 side by side with named baselines (docs/benchmarks.md): 100k cases, 3–5½ minutes
# on this 2-core machine, by the hour (docs/benchmarks.md says what takes the time).
bench: install
	$(BIN)/python -m bench quick

# 1M and 10M cases: hours on a 2-core machine.
bench-full: install
	$(BIN)/python -m bench full

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var .pytest_cache
