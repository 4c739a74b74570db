"""The timing loop and the references the benchmarks share, and running a measurement in another source tree.

One place for what ``bench_diffusion.py`` and ``compare.py`` both need:

- ``si_config``: the model reduced to plain SI diffusion of one idea on an Erdos-Renyi graph;
- ``Timed`` and ``run_timed``: wall and CPU time of each step of a stepping function;
- the two references the model's step is held against, on the model's own network: a per-agent
  Mesa loop (``SIReferenceModel``) and a bare numpy/scipy kernel (``time_kernel``);
- ``SourceTrees``: a reference commit extracted with ``git archive`` into a temporary folder, and
  ``run_measurement``, which runs one measurement (``measure``, below) in a fresh interpreter that
  imports the model from a given tree (this checkout or the reference).

This module never imports tracktwo at module level: a fresh interpreter imports it first and then the
model of the tree it measures (``tracktwo.model``, or ``model`` for commits before the namespace).
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import scipy.sparse as sp

__all__ = [
    "BASE_RATE",
    "MEAN_DEGREE",
    "NETWORK_SEED",
    "SEED_SHARE",
    "SIAgent",
    "SIReferenceModel",
    "SourceTrees",
    "Timed",
    "measure",
    "run_measurement",
    "run_timed",
    "si_config",
    "time_kernel",
    "time_mesa_reference",
]

BASE_RATE = 0.02  # adoption probability per tie per step
SEED_SHARE = 0.01  # share of agents holding the idea at the start
MEAN_DEGREE = 8.0
NETWORK_SEED = 1  # the model's seed: fixes the network and the seeded holders for every size
BENCHMARKS = Path(__file__).resolve().parent
CHECKOUT = BENCHMARKS.parent


def si_config(n_agents: int, steps: int) -> dict:
    """Overrides that reduce the model to plain SI diffusion of one idea on an Erdos-Renyi graph."""
    return {
        "sides": 1,
        "kinds": {
            "official": None,
            "elite": None,
            "grassroots": None,
            "autonomous": {"behaviour": "autonomous", "count": n_agents},
        },
        "workshops.count": 0,
        "workshops.mix": {"autonomous": 1.0},
        "initial_ideas": {"count": 1, "holders": max(1, round(SEED_SHARE * n_agents)), "novelty": 0.0},
        "forgetting.rate": 0.0,
        "ripeness.mode": "off",
        "diffusion.advocacy_span": None,
        "diffusion.base_rate": BASE_RATE,
        "network.type": "erdos_renyi",
        "network.mean_degree": MEAN_DEGREE,
        "steps": steps,
    }


# The timing loop ---------------------------------------------------------------------------------


@dataclass
class Timed:
    """One implementation's timed repeats: cumulative wall and CPU seconds, and adoption, after each step."""

    name: str
    n_agents: int
    cumulative: list[np.ndarray] = field(default_factory=list)
    cpu: list[np.ndarray] = field(default_factory=list)
    adoption: list[np.ndarray] = field(default_factory=list)

    @property
    def steps(self) -> int:
        """Steps timed per repeat."""
        return len(self.cumulative[0])

    def seconds(self, steps: int | None = None) -> float:
        """Median over repeats of the wall time of the first `steps` steps."""
        k = (steps or self.steps) - 1
        return statistics.median(float(c[k]) for c in self.cumulative)

    def cpu_seconds(self, steps: int | None = None) -> float:
        """Median over repeats of this process's CPU time over the first `steps` steps."""
        k = (steps or self.steps) - 1
        return statistics.median(float(c[k]) for c in self.cpu)

    def rate(self, steps: int | None = None) -> float:
        """Agent-steps per second over the first `steps` steps (median time over repeats)."""
        return self.n_agents * (steps or self.steps) / self.seconds(steps)

    def cpu_rate(self, steps: int | None = None) -> float:
        """Agent-steps per CPU second of this process: less sensitive to other work on the machine."""
        return self.n_agents * (steps or self.steps) / self.cpu_seconds(steps)

    def adoption_at(self, step: int) -> float:
        """Mean over repeats of the adopting share after `step` steps."""
        return float(np.mean([a[step - 1] for a in self.adoption]))


def run_timed(timed: Timed, advance: Callable[[], None], share: Callable[[], float], steps: int) -> None:
    """Time `steps` calls of `advance` (wall and CPU); read the adoption share after each, outside the clock."""
    cumulative = np.empty(steps)
    cpu = np.empty(steps)
    adoption = np.empty(steps)
    clock, cpu_clock = time.perf_counter, time.process_time
    elapsed = cpu_elapsed = 0.0
    for i in range(steps):
        cpu_start, start = cpu_clock(), clock()
        advance()
        elapsed += clock() - start
        cpu_elapsed += cpu_clock() - cpu_start
        cumulative[i] = elapsed
        cpu[i] = cpu_elapsed
        adoption[i] = share()
    timed.cumulative.append(cumulative)
    timed.cpu.append(cpu)
    timed.adoption.append(adoption)


# The references: a per-agent Mesa loop and a bare kernel -----------------------------------------


class SIAgent(mesa.Agent):
    """A person who, once holding the idea, passes it to each neighbour with probability p per step."""

    def __init__(self, model: SIReferenceModel, holds: bool) -> None:
        super().__init__(model)
        self.holds = holds
        self.holds_next = holds
        self.neighbours: list[SIAgent] = []

    def step(self) -> None:
        """Decide this step's adoption from the neighbours' current state (Mesa's two-phase update)."""
        if not self.holds:
            return
        rate = self.model.rate
        for neighbour in self.neighbours:
            if not neighbour.holds and self.random.random() < rate:
                neighbour.holds_next = True

    def advance(self) -> None:
        """Apply the adoption decided in step()."""
        self.holds = self.holds_next


class SIReferenceModel(mesa.Model):
    """The same SI process written as straightforward Mesa: one Python agent per node."""

    def __init__(self, ties: sp.csr_matrix, holders: np.ndarray, rate: float, seed: int) -> None:
        super().__init__(rng=seed)
        self.rate = rate
        self.people = [SIAgent(self, bool(h)) for h in holders.tolist()]
        indptr, indices = ties.indptr.tolist(), ties.indices.tolist()
        for i, person in enumerate(self.people):
            person.neighbours = [self.people[j] for j in indices[indptr[i] : indptr[i + 1]]]

    def step(self) -> None:
        """One synchronous step of every agent."""
        self.agents.shuffle_do("step")
        self.agents.do("advance")

    def adoption(self) -> float:
        """Share of agents holding the idea."""
        return sum(person.holds for person in self.people) / len(self.people)


def time_mesa_reference(ties: sp.csr_matrix, holders: np.ndarray, steps: int, repeats: int) -> Timed:
    """Time the per-agent Mesa loop (the straightforward reference) on the same graph."""
    timed = Timed("Mesa per-agent reference", holders.size)
    for repeat in range(repeats):
        reference = SIReferenceModel(ties, holders, BASE_RATE, seed=100 + repeat)
        run_timed(timed, reference.step, reference.adoption, steps)
    return timed


def time_kernel(
    ties: sp.csr_matrix, holders: np.ndarray, steps: int, repeats: int, timed: Timed | None = None
) -> Timed:
    """M = A @ infected; a susceptible adopts with probability 1 - (1 - p)^m (independent ties)."""
    timed = timed or Timed("bare numpy/scipy kernel", holders.size)
    adjacency = ties.astype(np.float64)
    log_miss = math.log1p(-BASE_RATE)
    n_agents = holders.size
    for repeat in range(len(timed.cumulative), len(timed.cumulative) + repeats):
        rng = np.random.default_rng(200 + repeat)
        state = {"infected": holders.astype(np.float64)}

        def advance(rng: np.random.Generator = rng, state: dict = state) -> None:
            infected = state["infected"]
            exposures = adjacency @ infected
            adopt_probability = -np.expm1(exposures * log_miss)
            adopted = (infected == 0) & (rng.random(n_agents) < adopt_probability)
            state["infected"] = infected + adopted

        def share(state: dict = state) -> float:
            return float(np.count_nonzero(state["infected"])) / n_agents

        run_timed(timed, advance, share, steps)
    return timed


# Source trees: this checkout and a reference commit -----------------------------------------------


def is_commit(name: str) -> bool:
    """Whether `name` (a commit, branch or tag) names a commit of this checkout's repository."""
    verify = ["git", "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"]
    return subprocess.run(verify, cwd=CHECKOUT, capture_output=True, check=False).returncode == 0


class SourceTrees:
    """This checkout and a reference commit (extracted with `git archive`), each importable in a fresh interpreter.

    A context manager: the reference's folder and the import shims are removed on exit. Commits with the
    `tracktwo` namespace map it from top-level folders (pyproject's package-dir), so a shim folder with a
    `tracktwo` package linking to them goes on PYTHONPATH; older commits import `model` from their root.
    """

    def __init__(self, commit: str) -> None:
        self.commit = commit
        self._folder = tempfile.TemporaryDirectory(prefix="tracktwo-reference-")
        root = Path(self._folder.name)
        self.reference, self.scratch = root / "reference", root / "scratch"

    def __enter__(self) -> SourceTrees:
        self.reference.mkdir()
        self.scratch.mkdir()
        archive = subprocess.run(["git", "archive", self.commit], cwd=CHECKOUT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(self.reference)], input=archive.stdout, check=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self._folder.cleanup()

    def import_root(self, source: Path) -> Path:
        """The folder to put on sys.path so that `tracktwo` (or, before the namespace, `model`) imports from source."""
        if not (source / "tracktwo" / "__init__.py").exists():
            return source
        shim = self.scratch / ("shim-this" if source == CHECKOUT else "shim-reference")
        package = shim / "tracktwo"
        if not package.exists():
            package.mkdir(parents=True)
            (package / "__init__.py").write_text((source / "tracktwo" / "__init__.py").read_text())
            for sub in ("model", "experiments", "app"):
                if (source / sub).exists():
                    (package / sub).symlink_to(source / sub)
            for extra in (source / "tracktwo").iterdir():
                if extra.name not in ("__init__.py", "__pycache__") and not (package / extra.name).exists():
                    (package / extra.name).symlink_to(extra)
        return shim

    def sides(self) -> tuple[tuple[str, Path], tuple[str, Path]]:
        """(label, source) of the reference and of this checkout, in the order a round measures them."""
        return (self.commit, self.reference), ("this", CHECKOUT)


def run_measurement(trees: SourceTrees, source: Path, spec: dict, timeout: float) -> dict:
    """Run `measure(spec)` in a fresh interpreter importing the model from `source`; its answer, or an "error"."""
    root = trees.import_root(source)
    spec = {**spec, "namespace": root != source, "root": str(root), "source": str(source)}
    script = f"import sys; sys.path.insert(0, {str(BENCHMARKS)!r}); import timing; timing.measure_main()"
    environment = {**os.environ, "PYTHONPATH": str(root)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, json.dumps(spec)],
            capture_output=True,
            text=True,
            cwd=root,
            env=environment,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:g} s"}
    if done.returncode != 0:
        return {"error": "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:100]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# What runs inside the fresh interpreter -----------------------------------------------------------


def _model_api(spec: dict) -> tuple[Any, Any]:
    """TrackTwoModel and simulate of the tree being measured."""
    if spec["namespace"]:
        import tracktwo.model as model_package
        from tracktwo.model import TrackTwoModel, simulate

        assert model_package.__file__.startswith(spec["root"]), model_package.__file__
    else:  # a commit before the tracktwo namespace: the top-level package `model`
        from model import TrackTwoModel, simulate
    return TrackTwoModel, simulate


def _cli(spec: dict) -> list[str]:
    """The tree's command line: `python -m tracktwo`, or `python -m experiments.cli` before the namespace."""
    return [sys.executable, "-m", "tracktwo" if spec["namespace"] else "experiments.cli"]


def _command(spec: dict) -> dict:
    """Wall time and CPU time (its own and its children's) of one command of the tree's CLI."""
    arguments = [a.replace("{source}", spec["source"]) for a in spec["arguments"]]
    if spec.get("sweep_changes"):  # a reduced sweep: the tree's own sweep file with these keys changed
        import yaml

        original = Path(arguments[1])
        data = yaml.safe_load(original.read_text(encoding="utf-8"))
        for key in ("budget", "confidence", "initial_replicates"):  # replicates: auto's keys
            data.pop(key, None)
        data.update(spec["sweep_changes"], base=str(original.parent / data.get("base", "../default.yaml")))
        changed = Path(spec["out"]).with_suffix(".yaml")
        changed.parent.mkdir(parents=True, exist_ok=True)
        changed.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        arguments[1] = str(changed)
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(_cli(spec) + arguments, stdout=stdout, stderr=stderr, text=True)
        cpu = _tree_cpu(process)  # the command's and its pool workers' (grandchildren: rusage misses them)
        wall = time.perf_counter() - start
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read(), stderr.read()
    if process.returncode != 0:
        lines = (errors.strip() or output.strip()).splitlines() or ["?"]
        return {"error": f"exit {process.returncode}: {lines[-1][:100]}"}
    return {"seconds": wall, "cpu": cpu}


def _tree_cpu(process: subprocess.Popen, interval: float = 0.25) -> float:
    """Wait for the process; the CPU seconds of it and every descendant, sampled every `interval` seconds."""
    import psutil

    root = psutil.Process(process.pid)
    seen: dict[int, float] = {}
    while process.poll() is None:
        try:
            family = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            family = []
        for member in family:
            try:
                times = member.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            seen[member.pid] = times.user + times.system
        time.sleep(interval)
    return sum(seen.values())


def measure(spec: dict) -> dict:
    """One measurement, in this interpreter, of the tree the spec names; median CPU seconds and extras.

    Kinds: "run" (simulate(config, seed) per seed), "build" (TrackTwoModel(config)), "si" (model.step() on
    si_config at N, per step, with the Mesa loop and the kernel on the same network when asked), "command"
    (a CLI command's wall and CPU time).
    """
    kind = spec["kind"]
    if kind == "command":
        return _command(spec)
    TrackTwoModel, simulate = _model_api(spec)
    count, config = spec["count"], spec.get("config", {})
    if kind == "run":
        simulate(config, 0)  # warm-up (imports, caches)
        seconds = []
        for seed in range(count):
            start = time.process_time()
            simulate(config, seed)
            seconds.append(time.process_time() - start)
        return {"seconds": statistics.median(seconds)}
    if kind == "build":
        TrackTwoModel(config, seed=0)  # warm-up
        seconds = []
        for seed in range(count):
            start = time.process_time()
            TrackTwoModel(config, seed=seed)
            seconds.append(time.process_time() - start)
        return {"seconds": statistics.median(seconds)}
    # "si": per-step CPU seconds of the model and, on its network and seeded holders, of the references
    n_agents, steps = spec["n_agents"], spec["steps"]
    model = TrackTwoModel(si_config(n_agents, steps), seed=NETWORK_SEED)
    ties, holders = model.ties, model.ideas.holds[:, 0].copy()
    timed = Timed("model.step()", n_agents)
    for repeat in range(count):
        if repeat:
            model = TrackTwoModel(si_config(n_agents, steps), seed=NETWORK_SEED)
        run_timed(timed, model.step, lambda: 0.0, steps)
    answer = {"seconds": timed.cpu_seconds() / steps}
    if spec.get("kernel"):
        answer["kernel"] = time_kernel(ties, holders, steps, count).cpu_seconds() / steps
    if spec.get("mesa"):
        answer["mesa"] = time_mesa_reference(ties, holders, steps, 1).cpu_seconds() / steps
    return answer


def measure_main() -> None:
    """Entry point of the fresh interpreter: the spec is argv[1] (JSON); prints the answer as one JSON line."""
    spec = json.loads(sys.argv[1])
    try:
        answer = measure(spec)
    except Exception as error:  # the reference may not know a parameter: reported, not raised
        answer = {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:120] if str(error) else ''}"}
    print(json.dumps(answer))
