# The README's two commands are `make run` and `make test`; each sets up what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HTTPS_PORT ?= 8443

.PHONY: run stack test install install-test chromium nginx lint model bench clean

run: install  ## set up and serve the calculator with the shipped model on 127.0.0.1:$(PORT)
	PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py 'calculator:create_app()'

# The production stack on loopback: nginx (TLS, self-signed certificate) in front of gunicorn,
# as deploy/ configures them for a hospital (deploy/README.md). https://127.0.0.1:8443/
stack: install nginx  ## serve the production stack (nginx + gunicorn) on https://127.0.0.1:$(HTTPS_PORT)
	$(BIN)/python -m deploy.stack --port $(HTTPS_PORT)

test: install-test chromium nginx  ## set up and run every test (lint, unit, server, proxy, browser)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Browser tests drive Debian's chromium (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core; }

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
