# The README's two commands are `make run` and `make test`; each sets up what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HTTPS_PORT ?= 8443

.PHONY: run stack test install install-test catalogues messages lock sbom chromium nginx axe lint model bench clean

run: install  ## set up and serve the calculator with the shipped model on 127.0.0.1:$(PORT)
	PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py 'calculator:create_app()'

# The production stack on loopback: nginx (TLS, self-signed certificate) in front of gunicorn,
# as deploy/ configures them for a hospital (deploy/README.md). https://127.0.0.1:8443/
stack: install nginx  ## serve the production stack (nginx + gunicorn) on https://127.0.0.1:$(HTTPS_PORT)
	$(BIN)/python -m deploy.stack --port $(HTTPS_PORT)

test: install-test chromium nginx axe  ## set up and run every test (lint, unit, server, proxy, browser)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

install: $(VENV)/.installed catalogues
install-test: $(VENV)/.installed-test catalogues

# Installs come only from the hash-pinned lock files: every package, direct or not, at one version
# and one of the files PyPI published for it (pip --require-hashes --no-deps: nothing unlisted
# and nothing altered gets in). Then the project itself, from this checkout, without a network.
$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3-venv; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-dev.lock
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/python -m pip check
	touch $@

# The German and Italian catalogues (calculator/translations/<lang>/LC_MESSAGES/messages.po, in git)
# compiled to the .mo files the app reads (not in git): at install, and again whenever a .po changes.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard calculator/translations/*/LC_MESSAGES/messages.po))
catalogues: $(CATALOGUES)
calculator/translations/%/LC_MESSAGES/messages.mo: calculator/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile -l $* -d calculator/translations >/dev/null

# After changing a message in the code or a template: extract every message into the template
# (messages.pot) and merge it into each language's catalogue; then translate what is new (each
# entry left empty or marked fuzzy fails tests/test_translations.py) and commit the .po files.
messages: install  ## re-extract the messages and update the German and Italian catalogues
	$(BIN)/pybabel -q extract --no-location --sort-output -F calculator/translations/babel.cfg \
	  -k N_ -k _ -k ngettext:1,2 -c TRANSLATORS: --project intradural-mets-calculator \
	  -o calculator/translations/messages.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete \
	  -i calculator/translations/messages.pot -d calculator/translations

# Refresh the lock files after changing a pin in pyproject.toml (or to take a security release):
# pip-compile resolves and hashes every package; review the diff, run `make test`, commit both.
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps \
  --strip-extras --no-emit-find-links --no-emit-index-url --no-emit-trusted-host
lock: install-test  ## re-resolve requirements.lock and requirements-dev.lock from pyproject.toml
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra test --extra lock --output-file requirements-dev.lock pyproject.toml

# The SBOM of what `make run` installs (and a deployment runs): CycloneDX JSON, every component
# with its version, package URL and hashes, from requirements.lock.
sbom: install-test  ## write sbom.cdx.json (CycloneDX) for the runtime lock file
	$(BIN)/cyclonedx-py requirements --pyproject pyproject.toml --of JSON -o sbom.cdx.json requirements.lock

# Browser tests drive Debian's chromium (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core; }

# axe-core, test-only (tests/test_browser_a11y.py), from npm at the version in tests/axe's lock
# file; node and npm from Debian when missing. Nothing here is served by the app.
# Installed again only when the lock file changes (npm ci writes node_modules/.package-lock.json).
axe: tests/axe/node_modules/.package-lock.json
tests/axe/node_modules/.package-lock.json: tests/axe/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm; }
	cd tests/axe && npm ci --no-audit --no-fund --silent

# The proxy in front of gunicorn (deploy/): Debian's nginx (the light build has all it needs),
# and openssl for the test certificate.
nginx:
	@{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx-light openssl; }

model: install  ## refit the shipped model from the reconstructed default cohort
	$(BIN)/python -m training fit

# Benchmarks (docs/performance.md): the load generator is Debian's wrk, installed like chromium.
# The Streamlit peer gets its own venv, bench/.venv-peer, created by the benchmark when missing.
bench: install-test chromium  ## run every benchmark (~10 min on 2 idle cores) and rewrite docs/performance.md
	@command -v wrk >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.run

lint: install-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
