# tracktwo: `make demo` sets everything up and runs the main job; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo test test-fast lint bench app dilemma clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "tracktwo needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $@

demo: setup  # the participant-mix sweep: every mix ranked by P(an idea reaches Track One), about 1-2 minutes on 2 cores
	$(VENV)/bin/tracktwo sweep configs/sweeps/participant_mix.yaml --overwrite --top 0

test: setup
	$(PY) -m pytest -n 2 -q

test-fast: setup
	$(PY) -m pytest -n 2 -q -m "not slow and not browser"

lint: setup
	$(VENV)/bin/ruff check .

bench: setup
	$(PY) benchmarks/bench_diffusion.py
	$(PY) benchmarks/bench_sweep.py

app: setup
	$(VENV)/bin/tracktwo app

dilemma: setup
	$(VENV)/bin/tracktwo dilemma --out results/dilemma

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
