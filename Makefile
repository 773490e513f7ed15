# Bridgework: `make run` to try it, `make test` to check everything.
# Both install what they need first (uv, the locked dependencies, Chromium for browser tests).

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1:5432/bridgework
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test install messages messages-check lint types migrations-check deploy-check test-sqlite test-postgres browser-deps system-deps ci clean

run: install
	$(BIN)/bridgework serve --demo

test: install browser-deps lint types migrations-check messages-check deploy-check test-sqlite test-postgres
	@echo "All checks passed."

ci: test

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Bridgework needs Python 3.12 or newer (3.13 recommended; see .python-version).")'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode is compiled once here: where PYTHONDONTWRITEBYTECODE is set (as on CI machines),
# every process the tests start would otherwise compile Django and Bridgework from source.
install: $(UV) system-deps
	@$(UV) sync --locked --quiet --compile-bytecode --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')"
	@$(BIN)/python -m compileall -q bridgework tests bench manage.py
	@cd bridgework && ../$(BIN)/python ../manage.py compilemessages --verbosity 0
	@$(BIN)/python manage.py catalogs pseudo >/dev/null

# Finds every marked string and updates the Spanish and French catalogs (bridgework/locale/).
messages: install
	@cd bridgework && ../$(BIN)/python ../manage.py makemessages --locale es --locale fr --add-location file --no-obsolete --verbosity 0

# GNU gettext compiles the interface's translations (msgfmt) and finds marked strings (xgettext).
# SAML sign-in verifies XML signatures with xmlsec: the python3-saml package builds against
# libxmlsec1 (found through pkg-config), and the SAML identity provider the tests run calls
# the xmlsec1 program.
SYSTEM_PACKAGES := libxmlsec1-dev pkg-config xmlsec1 gettext

system-deps:
	@if ! dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "Installing $(SYSTEM_PACKAGES) (translations, SAML sign-in)..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
		else \
			echo "Bridgework needs $(SYSTEM_PACKAGES): run 'sudo apt-get install -y $(SYSTEM_PACKAGES)' first."; \
			exit 1; \
		fi; \
	fi

browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "Installing Debian's Chromium for the browser tests..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Chromium is missing: run 'sudo apt-get install -y chromium' (browser tests will be skipped)."; \
		fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy bridgework tests

migrations-check: install
	BRIDGEWORK_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run

# Every marked string is in the Spanish and French catalogs, translated and not fuzzy, and the
# curriculum's translations are whole and up to date: makemessages runs on a copy of the code,
# so the catalogs in the checkout are only read.
messages-check: install
	@tmp=$$(mktemp -d) && cp -r bridgework manage.py $$tmp/ && \
		(cd $$tmp/bridgework && $(CURDIR)/$(BIN)/python ../manage.py makemessages --locale es --locale fr --no-obsolete --verbosity 0) && \
		$(BIN)/python manage.py catalogs check --locale-dir $$tmp/bridgework/locale; \
		status=$$?; rm -rf $$tmp; exit $$status
	@$(BIN)/python manage.py content check --strict

deploy-check: install
	@tmp=$$(mktemp -d) && BRIDGEWORK_ENV=production BRIDGEWORK_ALLOWED_HOSTS=bridgework.example.com EMAIL_HOST=smtp.example.com \
		BRIDGEWORK_DATA_DIR=$$tmp $(BIN)/python manage.py check --deploy --fail-level WARNING; \
		status=$$?; rm -rf $$tmp; exit $$status

# One pytest run per database, browser tests included: each worker migrates its test database
# once, and the workers share out the slow browser tests and the rest until both are done.
test-sqlite: install
	@echo "== Test suite on SQLite =="
	env -u DATABASE_URL $(BIN)/pytest -q -n 2 --dist worksteal

test-postgres: install
	@echo "== Test suite on PostgreSQL =="
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)'.rsplit('/', 1)[0] + '/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n 2 --dist worksteal; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(PG_URL); CI must test on it."; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(PG_URL): skipping the PostgreSQL run (set PG_URL)."; \
	fi

# The insights benchmark (bench/README.md): release computation and dashboard speed at both
# sizes on SQLite and PostgreSQL, and the utility of the noise. Not part of `make test`; the
# large size generates several GB and takes the better part of an hour.
BENCH_PG ?= postgresql://postgres@127.0.0.1:5432
.PHONY: bench
bench: install
	$(BIN)/python -m bench.utility
	$(BIN)/python -m bench.generate --people 1000
	$(BIN)/python -m bench.run --people 1000
	$(BIN)/python -m bench.generate
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.generate --people 1000 --database-url $(BENCH_PG)/bw_bench_small
	$(BIN)/python -m bench.run --database-url $(BENCH_PG)/bw_bench_small
	$(BIN)/python -m bench.generate --database-url $(BENCH_PG)/bw_bench
	$(BIN)/python -m bench.run --database-url $(BENCH_PG)/bw_bench
	$(BIN)/python -m bench.run --compare bench/.data/results-*.json

# The page benchmark (bench/pages.py): every main page against a bare-Django floor, at demo
# size and at a large size, on SQLite and PostgreSQL; results in bench/PAGES.md. Not part of
# `make test`. The first run generates the data (several minutes for the large size).
BENCH_PAGES_SIZES ?= 1000,100000
.PHONY: bench-pages
bench-pages: install
	$(BIN)/python -m bench.pages --sizes $(BENCH_PAGES_SIZES) --pg $(BENCH_PG)

clean:
	rm -rf $(VENV) $(TOOLS) .ruff_cache .mypy_cache
