"""`import tracktwo.model` stays light, so the command line, the pool workers and a user's script start fast.

Each probe runs in a fresh interpreter and reads sys.modules. Mesa itself imports pandas and scipy when it
is imported (mesa.datacollection, mesa.space), so a run loads those; it never loads the figure libraries.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "seaborn", "pandas", "scipy", "scipy.stats", "mesa", "networkx", "numba")


def loaded_after(code: str) -> list[str]:
    """The heavy libraries in sys.modules after running `code` in a fresh interpreter."""
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "code",
    ["import tracktwo", "import tracktwo.model", "from tracktwo.model import ConfigError, OUTCOMES, make_params"],
)
def test_importing_the_model_loads_no_heavy_library(code: str) -> None:
    assert loaded_after(code) == []


def test_a_run_loads_no_figure_library() -> None:
    loaded = loaded_after("import tracktwo\nassert tracktwo.simulate({'steps': 3}, seed=1).outcomes")
    assert "mesa" in loaded  # the probe sees what a run loads
    assert not {"matplotlib", "seaborn", "scipy.stats"} & set(loaded), loaded


def test_the_command_lines_help_loads_no_model_library() -> None:
    loaded = loaded_after(
        "from tracktwo.experiments.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit as exit:\n"
        "    assert exit.code == 0"
    )
    assert loaded == []


def test_simulate_is_the_function_even_after_its_module_is_imported() -> None:
    """The submodule tracktwo.model.simulate shares the function's name; the package's name means the function."""
    code = (
        "from tracktwo.model.simulate import SimulationResult\n"
        "import tracktwo.model\n"
        "from tracktwo.model import simulate\n"
        "assert callable(simulate) and simulate is tracktwo.model.simulate is tracktwo.simulate\n"
        "assert isinstance(simulate({'steps': 2}, seed=1), SimulationResult)"
    )
    assert "mesa" in loaded_after(code)


def test_every_public_name_resolves() -> None:
    import tracktwo.model

    import tracktwo

    for package in (tracktwo, tracktwo.model):
        missing = [name for name in package.__all__ if getattr(package, name, None) is None]
        assert missing == [], (package.__name__, missing)
        assert set(package.__all__) <= set(dir(package))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = tracktwo.model.nothing


def test_a_config_naming_formats_validates_in_a_fresh_interpreter() -> None:
    """make_params knows the built-in formats before any run has loaded them (events, attribution by format), and a
    format it does not know is one clear line naming the allowed ones, once."""
    code = (
        "import tracktwo\n"
        "p = tracktwo.make_params({'programme.events': [{'format': 'training', 'step': 2}],\n"
        "    'evaluation.record': True, 'evaluation.attribute': ['format:shuttle']})\n"
        "assert p.programme.events[0].format == 'training'\n"
        "try:\n"
        "    tracktwo.make_params({'programme.events': [{'format': 'feast', 'step': 2}]})\n"
        "except tracktwo.ConfigError as error:\n"
        "    message = str(error)\n"
        "assert message.startswith('programme.events.0.format: Input should be') and 'shuttle' in message, message\n"
        "assert message.count(\"(got 'feast')\") == 1, message\n"
    )
    assert "numba" in loaded_after(code)  # (the formats' module, with the model's kernels, was loaded to validate)
