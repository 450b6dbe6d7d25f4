# Two commands: `make demo` runs the whole job on the embedded default, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-embedded lint types unit install clean dictionary regulatory-data \
	web web-check web-client

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# HarfBuzz's subsetter makes the PIF document's font subsets three times faster than the
# fontTools fallback WeasyPrint uses without it (Debian package; installed when apt-get is
# at hand and the library is missing, skipped otherwise: the fallback gives the same bytes).
$(STAMP): pyproject.toml | $(BIN)/python
	@ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || \
	  { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	    { apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1 || \
	      { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1; }; } || \
	    echo "note: libharfbuzz-subset0 not installed; PDF font subsetting uses fontTools (slower)"; }
	$(BIN)/pip install --quiet -e '.[dev]'
	@# The PDF font instances, made once per machine (about a minute), so that the
	@# first PIF document, `make demo`'s included, does not wait for them.
	$(BIN)/python -c "from pifai.ai.pif_document.render import warm_fonts; warm_fonts()"
	touch $(STAMP)

install: $(STAMP)

# The whole job on the embedded default, from a formula file to the signed PIF PDF, then
# the API keeps serving the result and the console (DEMO_ARGS=--no-serve exits after the
# summary). The console is built first; without Node/npm (or if the build fails) the demo
# still runs, and the / page says how to build the console.
demo: $(STAMP)
	@$(MAKE) --no-print-directory web || echo "make demo: the web console was not built (see above); serving the API only" >&2
	$(BIN)/pifai demo $(DEMO_ARGS)

# The web console (web/, Node 20): dependencies from the lock file, then the build that
# `pifai serve` serves at / (web/dist).
NPM ?= npm
WEB_STAMP := web/node_modules/.installed

$(WEB_STAMP): web/package-lock.json web/package.json
	cd web && $(NPM) ci --no-audit --no-fund
	touch $(WEB_STAMP)

web: $(WEB_STAMP)
	cd web && $(NPM) run build

# The console's checks: eslint, tsc, the i18n catalogues, the generated client against
# web/openapi.json, vitest, and the build.
web-check: $(WEB_STAMP)
	cd web && $(NPM) run lint && $(NPM) run typecheck && $(NPM) run i18n:check \
		&& $(NPM) run client:check && $(NPM) test && $(NPM) run build

# Regenerate the console's API client after an API change: the app's OpenAPI document
# (web/openapi.json, checked by tests/unit/test_web_client.py), then the TypeScript types.
web-client: $(STAMP) $(WEB_STAMP)
	$(BIN)/pifai openapi --output web/openapi.json
	cd web && $(NPM) run client:generate

lint: $(STAMP)
	$(BIN)/ruff check pifai tests bench migrations
	$(BIN)/ruff format --check pifai tests bench migrations

types: $(STAMP)
	$(BIN)/mypy --strict pifai

# pytest exits 5 when it ran no test: that is a failure, not a pass. The coverage table
# (branch coverage of pifai/, files not fully covered) prints before pytest's summary.
test: lint types web-check
	$(BIN)/pytest -q --cov=pifai --cov-report=term; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest ran no test: failing" >&2; exit 1; fi; exit $$status

# The suite once more on the embedded PostgreSQL and Redis: the README's main command runs
# on them, so their versions and extensions are tested too (CI runs both).
test-embedded: $(STAMP)
	PIFAI_TEST_EMBEDDED=1 $(BIN)/pytest -q; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest ran no test: failing" >&2; exit 1; fi; exit $$status

# Regenerate the shipped ingredient dictionary (pifai/data/ingredient_dictionary) from the
# official data beside the project (see ../shared/data/PROVENANCE.md).
SHARED_DATA ?= ../shared/data
dictionary: $(STAMP)
	$(BIN)/pifai data build-dictionary --from $(SHARED_DATA)

# Rebuild the shipped regulatory data (pifai/data/regulatory) from the same data.
regulatory-data: $(STAMP)
	$(BIN)/pifai regulatory build-shipped --from $(SHARED_DATA)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache web/node_modules web/dist
