"""The kernels' own sort (stable_order, against numpy's stable argsort) and `python -m tracktwo.model.kernels`.

`make setup` compiles every kernel with the second in two forked processes; a module missing from its groups
would be compiled instead by the first command that imports it, in the middle of a sweep.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import numpy as np
import pytest
import tracktwo.model.kernels as kernels
from tracktwo.model.kernels import stable_order
from tracktwo.model.kernels.__main__ import GROUPS


@pytest.mark.parametrize("size", [0, 1, 2, 15, 16, 17, 31, 32, 33, 100, 1_000, 4_099])
def test_stable_order_is_numpys_stable_argsort(size: int) -> None:
    rng = np.random.default_rng(size)
    few = rng.integers(0, 5, size).astype(np.uint64)  # many ties: their order by place is what stable means
    spread = rng.integers(0, 2**64, size, dtype=np.uint64)  # the top bit set too (a rank above 53 bits)
    ranked = (rng.integers(0, 3, size).astype(np.uint64) << np.uint64(53)) | (spread >> np.uint64(11))
    for keys in (few, spread, ranked, np.sort(few), np.sort(few)[::-1].copy()):
        assert np.array_equal(stable_order(keys), np.argsort(keys, kind="stable"))


def test_every_kernel_module_is_compiled_once_and_after_those_it_calls() -> None:
    modules = [module for group in GROUPS for module in group]
    found = {info.name for info in pkgutil.iter_modules(kernels.__path__)} - {"__main__"}
    assert sorted(modules) == sorted(found)  # each once, none missing
    group = next(group for group in GROUPS if "meetings" in group)  # meetings' kernels call holdings'
    assert "holdings" in group[: group.index("meetings")]
    assert "rivals" in group[group.index("meetings") :]  # and the rival sources' call the meetings'


def test_the_compile_command_succeeds() -> None:
    done = subprocess.run([sys.executable, "-m", "tracktwo.model.kernels"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
