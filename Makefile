# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench cli chromium

setup: $(STAMP) chromium

# The stamp depends on both requirement files, so setup is a no-op until one of them changes.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

# The browser tests drive Debian's Chromium (Playwright's own browser download is not available everywhere).
chromium:
	@command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

run: setup
	$(VENV)/bin/streamlit run app.py

cli: setup
	$(PY) -m sim run scenarios/default.toml

lint: setup
	$(VENV)/bin/ruff check .

test: lint
	$(PY) -m pytest -q

bench: setup
	$(PY) bench/run.py
	$(PY) bench/advisor.py
	$(PY) bench/robust.py
