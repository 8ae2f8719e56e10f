# omnitrip — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PIP     = $(VENV)/bin/pip
OMNI    = $(VENV)/bin/omnitrip
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The SQLite database the demo and the SQLite test pass use.
SQLITE_TEST_URL ?= sqlite:///$(CURDIR)/var/test-sqlite.db

.PHONY: demo test venv test-deps browser-deps lint format check ci clean bench soak screenshots messages

$(VENV)/.runtime: requirements/runtime.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements/runtime.lock
	$(PIP) install -q --no-deps -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime requirements/test.lock
	$(PIP) install -q -r requirements/test.lock
	touch $@

venv: $(VENV)/.runtime
test-deps: $(VENV)/.test

## browser-deps: Debian's Chromium (and CJK fonts for Chinese pages) for the Playwright
## tests, and GNU gettext for the translation catalogue; installed with apt-get when
## missing (as root, or through sudo).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ] || ! command -v msgfmt >/dev/null; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    $$SUDO apt-get install -y -qq chromium fonts-noto-cjk gettext >/dev/null || \
	  { echo "The tests need Debian's chromium, fonts-noto-cjk and gettext (apt-get install)"; exit 1; }; \
	fi

## demo: install, migrate, load the demo catalogue once, serve on http://$(HOST):$(PORT)
demo: venv
	$(OMNI) demo --host $(HOST) --port $(PORT)

## test: the whole suite on DATABASE_URL (SQLite when unset), then the inventory and
## order tests again on SQLite, then lint and the import contracts.
test: test-deps browser-deps
	$(VENV)/bin/pytest -n 2 --dist loadgroup
	DATABASE_URL=$(SQLITE_TEST_URL) $(VENV)/bin/pytest -m sqlite_too -n 2 --dist loadgroup
	$(MAKE) --no-print-directory check

check: test-deps
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy src/omnitrip
	$(PY) -m omnitrip.cli check --fail-level WARNING

## screenshots: docs/screenshots/<page>-<desktop|phone>-<en|zh-hans>.png of home, results,
## product, checkout and confirmation, taken in Chromium from a fresh demo server.
screenshots: test-deps browser-deps
	$(PY) scripts/screenshots.py

## messages: refresh the zh-Hans catalogue from the source (translate the new entries in
## src/omnitrip/locale/zh_Hans/LC_MESSAGES/django.po), then compile it.
messages: test-deps browser-deps
	cd src/omnitrip && ../../$(PY) -m omnitrip.cli makemessages -l zh_Hans --no-location --ignore "plugins/*" --ignore "*/tests/*"
	cd src/omnitrip && ../../$(PY) -m omnitrip.cli compilemessages -l zh_Hans --ignore "plugins/*"

format: test-deps
	$(VENV)/bin/ruff format src tests
	$(VENV)/bin/ruff check --fix src tests

clean:
	rm -rf $(VENV) var build src/*.egg-info

# --- benchmarks and the soak (bench/README.md) -------------------------------------------
# Both install locust and pyinstrument (requirements/bench.lock) on top of the test tools.
SOAK_SECONDS ?= 120

$(VENV)/.bench: $(VENV)/.test requirements/bench.lock
	$(PIP) install -q -r requirements/bench.lock
	touch $@

## bench: every benchmark 3 times on the local PostgreSQL (BENCH_PG_URL, default
## postgres://postgres@127.0.0.1:5432; databases omnitrip_bench*, ports 8101-8103); prints
## the medians and appends them to docs/benchmarks.md. BENCH_ARGS="--only search" etc.
## Then the storefront pages' server time (bench/pages.py; SQLite and PostgreSQL).
bench: $(VENV)/.bench
	$(PY) -m bench.run $(BENCH_ARGS)
	$(PY) -m bench.pages

## soak: locust, headless and bounded (SOAK_SECONDS, default 120), against the demo server
## on 127.0.0.1:8150 (SQLite, or DATABASE_URL when set), then omnitrip check-invariants.
soak: $(VENV)/.bench
	SOAK_SECONDS=$(SOAK_SECONDS) $(PY) -m bench.soak
