# tracktwo: `make demo` sets everything up and runs the main job; `make test` runs the tests.
# A fresh machine needs only python3 (3.11+, with venv) and make: uv comes from PyPI into the venv's
# own folder $(VENV)/uv-VERSION (outside site-packages, so `uv sync` never removes it) and installs uv.lock,
# the one lock for every supported Python, into $(VENV).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
UV := $(VENV)/uv-$(UV_VERSION)/bin/uv
# The optional extras installed: `make setup EXTRAS="dev notebook"` adds JupyterLab and statsmodels.
EXTRAS ?= dev
STAMP := $(VENV)/.installed-$(subst $() ,+,$(strip $(EXTRAS)))
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON_DOWNLOADS := never
# hard links from uv's cache (uv's own default on Linux): a fresh setup in about 4 s instead of 18 s copying 1.3 GB;
# uv falls back to copying where the cache is on another filesystem. `make setup UV_LINK_MODE=copy` copies anyway.
UV_LINK_MODE ?= hardlink
export UV_LINK_MODE

.PHONY: setup lock demo test test-cold test-fast fuzz lint docs bench app dilemma clean

setup: $(STAMP)

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "tracktwo needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --target $(dir $(@D)) "uv==$(UV_VERSION)"

# --inexact: install what the lock asks for, never remove what a researcher installed into $(VENV) by hand
# then, on the 2 cores at once: the model's numba kernels compiled into their cache (model/kernels/__pycache__), here,
# once, instead of in the first command (about 18 s of CPU, in two processes: model/kernels/__main__.py), and
# what a sweep, its figures and report import byte-compiled (about 2,700 modules; uv's --compile-bytecode would
# compile all 12,000 at 5x the cost): where PYTHONDONTWRITEBYTECODE is set, every process compiled them afresh,
# 3-5 s of CPU each for the command, its pool's fork server and a figure helper. Its second line names what is
# imported only when used: the effects regression (statsmodels), the writers of PNG, SVG, CSV and parquet, the grid.
# The byte-compile imports the model without compiling its kernels (NUMBA_DISABLE_JIT), which the other does.
$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --inexact $(foreach extra,$(EXTRAS),--extra $(extra)) --quiet
	NUMBA_DISABLE_JIT=1 PYTHONDONTWRITEBYTECODE= $(PY) -c "import tracktwo.experiments.api, tracktwo.experiments.cli, \
	  tracktwo.model.simulate, tracktwo.experiments.reporting.plots, tracktwo.experiments.reporting.report, \
	  tracktwo.experiments.design.points as p; p.import_sweeps(); import statsmodels.regression.linear_model, \
	  statsmodels.stats.multitest, statsmodels.stats.sandwich_covariance, statsmodels.base.covtype, \
	  matplotlib.backends.backend_agg, matplotlib.backends.backend_svg, pandas.io.formats.csvs, \
	  pandas.core.reshape.reshape, pyarrow.dataset, pandas.core.arrays.arrow.extension_types, sweeps.grid_search, \
	  sweeps.random_search, PIL.Image as i; i.init()" & bytecode=$$!; \
	  $(PY) -m tracktwo.model.kernels; kernels=$$?; wait $$bytecode && exit $$kernels
	@touch $@

lock: | $(UV)  # after editing pyproject.toml's dependencies: re-resolve uv.lock for every supported Python
	$(UV) lock

demo: setup  # the participant-mix sweep over 6 scenarios of what the model cannot know: the best set of mixes by impact and the robust answer
	$(VENV)/bin/tracktwo sweep configs/sweeps/participant_mix.yaml --overwrite --top 0

# the statistical tests keep their runs in .pytest_cache under a key of the model's code (docs/reference/development.md)
test: setup
	$(PY) -m pytest -n 2 -q

test-cold: setup  # the full suite simulating everything afresh (the runs kept in .pytest_cache are not read)
	TRACKTWO_TEST_CACHE=off $(PY) -m pytest -n 2 -q

test-fast: setup
	$(PY) -m pytest -n 2 -q -m "not slow and not browser"

# The long fuzz search: FUZZ_EXAMPLES random inputs per property (CI runs a few derandomized ones), one property
# at a time at low priority; each property's time is in the --durations table at the end.
FUZZ_EXAMPLES ?= 2000
FUZZ_TESTS ?= tests/experiments/cli/test_fuzz_commands.py tests/experiments/cli/test_fuzz_cli.py tests/model/test_fuzz_model.py
fuzz: setup
	TRACKTWO_FUZZ=long TRACKTWO_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) nice -n 15 $(PY) -m pytest -p no:xdist -q \
	  --hypothesis-show-statistics --durations=0 $(FUZZ_TESTS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/vulture  # dead code: paths and options in pyproject.toml [tool.vulture]

docs: setup  # the docs site in site/, offline, --strict; executes every tutorial notebook (the docs extra)
	$(UV) sync --locked --inexact --extra dev --extra docs --quiet
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict  # not --quiet: it hides the warnings that --strict counts
	@! grep -rlE '<script[^>]+src="https?:|<link[^>]+href="https?:[^"]+"[^>]*rel="stylesheet|@import url\(.?https?:' site --include='*.html' \
	  || { echo "docs: the pages above load a script or stylesheet from the network" >&2; exit 1; }

bench: setup
	$(PY) benchmarks/bench_diffusion.py
	$(PY) benchmarks/bench_sweep.py

app: setup
	$(VENV)/bin/tracktwo app

dilemma: setup
	$(VENV)/bin/tracktwo dilemma --out results/dilemma

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache site
