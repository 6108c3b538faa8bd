# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test test-deep lint bench cli chromium

# The app needs Python packages only; Chromium is for the browser tests (`make test-deep`).
setup: $(STAMP)

# The stamp depends on both requirement files, so setup is a no-op until one of them changes. pip prints each
# package as it downloads and installs it (about a minute and a half on a fresh machine), so nothing looks stuck.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

# The browser tests drive a system Chromium (Playwright's own browser download is not available everywhere).
# Installed here with apt where that is possible (as root, or with password-less sudo); otherwise this says what
# to install and stops, rather than failing later inside the tests.
CHROMIUM_HELP := The browser tests need Chromium. Install it (Debian or Ubuntu: sudo apt-get install chromium; \
Fedora: sudo dnf install chromium; macOS: brew install --cask chromium), or set CHROMIUM=/path/to/chromium, then \
run make test again.
chromium:
	@if [ -n "$$CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; \
	then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo -n apt-get update && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else echo "$(CHROMIUM_HELP)" >&2; exit 1; fi

run: setup
	$(VENV)/bin/streamlit run app.py

cli: setup
	$(PY) -m sim run scenarios/default.toml

# Ruff for style and mistakes, mypy for types (what it checks is set in pyproject.toml: sim, ui, pages, app.py).
lint: setup
	$(VENV)/bin/ruff check .
	$(PY) -m mypy

# Two tiers, each spread over one worker per core (pytest-xdist). `make test`: every test not marked deep, with
# fewer Hypothesis examples, in about a minute. `make test-deep`: the deep tier (the browser, pages in AppTest,
# whole calibrations, long statistical runs, commands in a process of their own), and the Hypothesis properties
# again with more examples; the browser tests share one worker, so one app server and one Chromium start. CI runs
# both (.ci/run). README.md ("Layout", under tests/) says what each tier covers.
test: lint
	$(PY) -m pytest -q -n auto --dist loadgroup -m "not deep"

test-deep: lint chromium
	$(PY) -m pytest -q -n auto --dist loadgroup -m "deep or hypothesis" --hypothesis-profile=deep

bench: setup chromium
	$(PY) bench/run.py
	$(PY) bench/advisor.py
	$(PY) bench/robust.py
	$(PY) bench/browser.py
	$(PY) bench/answers.py
	$(PY) bench/calibrate.py
