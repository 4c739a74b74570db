"""Running a calibration: pyabc's ABC-SMC with its SQLite history in the results folder.

Reproducible by construction:
- each model run's seed is derived from the particle's identity (the spec's seed, the particle's
  parameter values, the replicate), so a parameter set always gives the same simulation;
- pyabc draws proposals from numpy's global generator; our sampler reseeds it for every candidate
  from (seed, generation, candidate index) and keeps candidates in index order, so the
  accepted population is the same on one core or several, whichever finishes first;
- every generation starts from the history on disk (pyabc's `load`), never from memory, so an
  uninterrupted run and one resumed after `kill -9` take the same path: a generation cut short is
  simply run again with the same seeds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import multiprocessing
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tracktwo.experiments.design import summaries
from tracktwo.experiments.design.calibration import CalibrationSpec
from tracktwo.experiments.provenance import environment, write_json
from tracktwo.model import ConfigError, make_params, merge, simulate

__all__ = [
    "HISTORY_FILE",
    "OWN_FILES",
    "STATE_FILE",
    "OrderedSampler",
    "RunState",
    "Simulator",
    "candidate_seed",
    "history_url",
    "open_history",
    "prepare_folder",
    "run_abc",
    "run_seed",
]

HISTORY_FILE = "history.db"
OWN_FILES = (  # what a calibration writes in its folder (--overwrite removes these and nothing else)
    "history.db*",
    "calibration.json",
    "posterior.parquet",
    "posterior.csv",
    "generations.csv",
    "intervals.csv",
    "predictive.csv",
    "predictive_check.csv",
    "summary.txt",
    "marginals.png",
    "marginals.svg",
    "pairs.png",
    "pairs.svg",
    "predictive_check.png",
    "predictive_check.svg",
)
STATE_FILE = "calibration.json"
BATCH_PER_WORKER = 4  # candidates per worker per round on several cores (those past the n-th acceptance are dropped)
_SEED_MODULUS = 2**32


def _hash(*parts: Any) -> int:
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "little") % _SEED_MODULUS


def run_seed(seed: int, values: Mapping[str, float], replicate: int, purpose: str = "fit") -> int:
    """A model run's seed from the particle's identity: spec seed, exact parameter values, replicate."""
    exact = tuple(sorted((key, float(value).hex()) for key, value in values.items()))
    return _hash("run", seed, exact, replicate, purpose)


def candidate_seed(seed: int, generation: int, index: int) -> int:
    """The seed of numpy's global generator for one candidate particle (its proposal and acceptance draws)."""
    return _hash("candidate", seed, generation, index)


class Simulator:
    """pyabc's model: a particle's parameters to its summary statistics, the mean over its replicates."""

    def __init__(self, spec: CalibrationSpec, purpose: str = "fit") -> None:
        self.spec = spec
        self.purpose = purpose

    def statistics(self, values: Mapping[str, float]) -> dict[str, list[float]]:
        """Each target's value in each replicate (NaN where the model refused the parameters)."""
        spec = self.spec
        rows: dict[str, list[float]] = {target.name: [] for target in spec.targets}
        settings: dict[str, list[Any]] = {}
        for target in spec.targets:
            settings.setdefault(target.setting, []).append(target)
        for targets in settings.values():
            try:
                params = make_params(merge(spec.config(values), targets[0].overrides))
            except ConfigError:
                for target in targets:
                    rows[target.name] = [math.nan] * spec.replicates
                continue
            for replicate in range(spec.replicates):  # common random numbers across the settings
                result = simulate(params, run_seed(spec.seed, values, replicate, self.purpose))
                records = summaries.Records(
                    {"timeseries": result.timeseries, "ideas": result.ideas, "events": result.events},
                    int(params.steps),
                )
                for target in targets:
                    if target.kind == "pattern":
                        value = float(result.outcomes[target.source])
                    else:
                        value = summaries.compute(records, target.source, target.options)
                    rows[target.name].append(value)
        return rows

    def __call__(self, parameter: Mapping[str, float]) -> dict[str, float]:
        """The targets' values for pyabc (infinite where a replicate gave no value, so the particle is rejected)."""
        values = {key: float(parameter[key]) for key in self.spec.keys}
        rows = self.statistics(values)
        # a NaN outcome (e.g. no transfer, so no time to it) counts as infinitely far: the particle is rejected
        return {name: (float(np.mean(v)) if np.all(np.isfinite(v)) else math.inf) for name, v in rows.items()}


_SIMULATE_ONE: Callable[[], Any] | None = None


def _evaluate_remote(simulate_one: Callable[[], Any], seed: int) -> Any:
    """One candidate on a dask worker (one thread per worker: numpy's global generator is per process)."""
    np.random.seed(seed)  # noqa: NPY002 - pyabc draws from numpy's global generator
    return simulate_one()


def _evaluate(seed: int) -> Any:
    """One candidate in a worker: reseed numpy's global generator, then let pyabc propose, simulate and judge."""
    np.random.seed(seed)  # noqa: NPY002 - pyabc draws from numpy's global generator
    assert _SIMULATE_ONE is not None
    return _SIMULATE_ONE()


def _ordered_sampler_class() -> type:
    from pyabc.sampler import Sampler

    class _OrderedSampler(Sampler):
        """pyabc Sampler: candidate i of generation t always uses seed (seed, t, i); the first n accepted are kept."""

        def __init__(self, seed: int, workers: int = 1, client: Any = None) -> None:
            super().__init__()
            self.seed = seed
            self.workers = max(1, workers)
            self.client = client

        def _candidates(self, simulate_one: Callable[[], Any], t: int, limit: float) -> Iterator[Any]:
            global _SIMULATE_ONE
            _SIMULATE_ONE = simulate_one
            index = 0
            if self.client is not None:
                remote = self.client.scatter(simulate_one, broadcast=True)
                batch = self.workers * BATCH_PER_WORKER
                while index < limit:
                    size = int(min(batch, limit - index))
                    seeds = [candidate_seed(self.seed, t, index + j) for j in range(size)]
                    futures = self.client.map(_evaluate_remote, [remote] * size, seeds, pure=False)
                    yield from self.client.gather(futures)
                    index += size
                return
            if self.workers == 1:
                while index < limit:
                    yield _evaluate(candidate_seed(self.seed, t, index))
                    index += 1
                return
            context = multiprocessing.get_context("fork")  # workers inherit simulate_one; nothing is pickled
            with ProcessPoolExecutor(self.workers, mp_context=context) as pool:
                batch = self.workers * BATCH_PER_WORKER
                while index < limit:
                    size = int(min(batch, limit - index))
                    seeds = [candidate_seed(self.seed, t, index + j) for j in range(size)]
                    yield from pool.map(_evaluate, seeds)
                    index += size

        def sample_until_n_accepted(
            self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None
        ):  # pyabc's signature
            sample = self._create_empty_sample()
            evaluations = 0
            for particle in self._candidates(simulate_one, t, max_eval):
                evaluations += 1
                sample.append(particle)
                if sample.n_accepted >= n:
                    break
            self.nr_evaluations_ = evaluations
            if sample.n_accepted < n:
                sample.ok = False
            return sample

    return _OrderedSampler


def OrderedSampler(seed: int, workers: int = 1, client: Any = None) -> Any:
    """The reproducible sampler (see the module docstring).

    `workers` > 1 evaluates candidates in forked processes; a dask `client` evaluates them on its
    cluster (whose workers must run one thread each). The accepted population is the same either way.
    """
    return _ordered_sampler_class()(seed, workers, client)


def history_url(folder: Path) -> str:
    """SQLAlchemy's address of the history in a results folder."""
    return f"sqlite:///{(folder / HISTORY_FILE).resolve()}"


@dataclass
class RunState:
    """What the results folder records besides pyabc's history: the spec's fingerprint, time spent, why it stopped."""

    fingerprint: str
    elapsed_s: float = 0.0
    stop_reason: str = ""
    sessions: int = 0

    @classmethod
    def read(cls, folder: Path) -> RunState | None:
        """The state in a folder, or None."""
        path = folder / STATE_FILE
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            data["fingerprint"], data.get("elapsed_s", 0.0), data.get("stop_reason", ""), data.get("sessions", 0)
        )

    def write(self, folder: Path, spec: CalibrationSpec) -> None:
        """Write it (atomically), with the spec's text and the environment."""
        write_json(
            folder / STATE_FILE,
            {
                "fingerprint": self.fingerprint,
                "elapsed_s": self.elapsed_s,
                "stop_reason": self.stop_reason,
                "sessions": self.sessions,
                "spec": spec.text or None,
                "spec_path": str(spec.path) if spec.path else None,
                **environment(),
            },
        )


def _abc(spec: CalibrationSpec, workers: int, client: Any = None) -> Any:
    import pyabc

    priors = pyabc.Distribution(
        **{key: pyabc.RV(prior.distribution, **prior.arguments) for key, prior in spec.priors.items()}
    )
    distance = pyabc.PNormDistance(p=spec.p, fixed_weights={t.name: 1.0 / t.sd for t in spec.targets})
    return pyabc.ABCSMC(
        Simulator(spec),
        priors,
        distance,
        population_size=spec.population,
        sampler=OrderedSampler(spec.seed, workers, client),
        eps=pyabc.MedianEpsilon(),
    )


def _quiet_pyabc() -> None:
    for name in ("ABC", "Epsilon", "Distance", "History", "Sampler", "Acceptor", "Population", "Transition"):
        logging.getLogger(f"ABC.{name}" if name != "ABC" else name).setLevel(logging.WARNING)
    logging.getLogger("pyabc").setLevel(logging.WARNING)


def prepare_folder(spec: CalibrationSpec, out: Path, *, resume: bool, overwrite: bool) -> RunState:
    """Check the results folder for a new, resumed or overwritten calibration; ConfigError if it would lose work."""
    state = RunState.read(out)
    history = out / HISTORY_FILE
    if resume:
        if state is None or not history.is_file():
            raise ConfigError(f"--resume: {out} holds no calibration to resume; run without --resume")
        if state.fingerprint != spec.fingerprint:
            raise ConfigError(
                f"--resume: {out} holds a calibration of a different spec (fingerprint {state.fingerprint}, "
                f"this spec {spec.fingerprint}); use another --out, or --overwrite to start again"
            )
        return state
    if state is not None or history.exists():
        if not overwrite:
            raise ConfigError(f"--out: {out} already holds a calibration; --resume to continue it or --overwrite")
        for name in OWN_FILES:  # only what a calibration writes: anything else in the folder stays
            for path in out.glob(name):
                path.unlink()
    out.mkdir(parents=True, exist_ok=True)
    return RunState(spec.fingerprint)


def run_abc(
    spec: CalibrationSpec,
    out: Path,
    *,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    workers: int = 1,
    dask: str | None = None,
) -> RunState:
    """Run ABC-SMC generation by generation until the budget is spent; the history is in `out`.

    Every generation loads the history afresh (see the module docstring), so `resume` continues
    exactly where a killed run stopped. The budget is checked between generations, so the last
    generation may overshoot `runs` or `minutes` by up to one generation. `dask` is a scheduler's
    address, or "local" for a local cluster of `workers` processes.
    """
    import pyabc  # noqa: F401 - imported before its loggers are quietened
    from tqdm.auto import tqdm

    _quiet_pyabc()
    state = prepare_folder(spec, out, resume=resume, overwrite=overwrite)
    state.sessions += 1
    state.stop_reason = ""
    url = history_url(out)
    observed = {t.name: t.observed for t in spec.targets}
    budget = spec.budget
    session_start = time.perf_counter()
    elapsed_before = state.elapsed_s
    if not _has_run(url):  # a new calibration (or one killed before pyabc recorded its start)
        abc = _abc(spec, workers)
        abc.new(url, observed)
        state.write(out, spec)
    done = _generations(_history(url))
    cluster = _dask_cluster(dask, workers) if dask else None
    client = cluster.client if cluster else None
    if cluster is not None:
        workers = cluster.workers
    bar = tqdm(
        total=budget.generations, initial=done, desc=f"calibrate {spec.name}", unit="generation", disable=not progress
    )
    try:
        while True:
            history = _history(url)
            state.elapsed_s = elapsed_before + time.perf_counter() - session_start
            reason = _stop_reason(history, spec, state.elapsed_s)
            if reason:
                state.stop_reason = reason
                break
            before = _generations(history)
            abc = _abc(spec, workers, client)
            abc.load(url, 1)
            abc.run(max_nr_populations=1, min_acceptance_rate=budget.min_acceptance)
            after = _history(url)
            state.elapsed_s = elapsed_before + time.perf_counter() - session_start
            if _generations(after) == before:
                state.stop_reason = (
                    f"acceptance fell below budget.min_acceptance {budget.min_acceptance:g} in generation {before + 1}"
                )
                break
            state.write(out, spec)
            last = after.get_all_populations().iloc[-1]
            bar.set_postfix(epsilon=f"{last['epsilon']:.3g}", runs=after.total_nr_simulations * spec.runs_per_particle)
            bar.update(1)
    finally:
        bar.close()
        state.write(out, spec)
        if cluster is not None:
            cluster.close()
    return state


def _dask_cluster(address: str, workers: int) -> Any:
    """A dask cluster to evaluate candidates on; ConfigError unless every worker runs one thread."""
    from tracktwo.experiments.engine.executors import DaskExecutor

    cluster = DaskExecutor(workers, None if address == "local" else address)
    threads = {w.get("nthreads", 1) for w in cluster.client.scheduler_info()["workers"].values()}
    if threads - {1}:
        cluster.close()
        raise ConfigError(
            f"--scheduler: the dask workers at {address} run {max(threads)} threads each; calibration needs one "
            "thread per worker (dask worker --nthreads 1), as pyabc draws from each process's numpy generator"
        )
    return cluster


def open_history(folder: Path) -> Any:
    """The pyabc History of the calibration in a results folder."""
    return _history(history_url(folder))


def _history(url: str) -> Any:
    """The history of the one ABC-SMC run a results folder holds (id 1)."""
    import pyabc

    return pyabc.History(url, _id=1)


def _generations(history: Any) -> int:
    """Generations finished in a history (pyabc's max_t is -1 or None before the first)."""
    return 0 if history.max_t is None else int(history.max_t) + 1


def _has_run(url: str) -> bool:
    """Whether the history already holds an ABC-SMC run (created by `new`), populations or not."""
    return len(_history(url).all_runs()) > 0


def _stop_reason(history: Any, spec: CalibrationSpec, elapsed_s: float) -> str:
    """Why the calibration should stop now ('' if it should go on)."""
    budget = spec.budget
    generations = _generations(history)
    runs = history.total_nr_simulations * spec.runs_per_particle
    if generations >= budget.generations:
        return f"{generations} generations done (budget.generations)"
    if runs >= budget.runs:
        return f"{runs} model runs done (budget.runs {budget.runs})"
    if elapsed_s >= budget.minutes * 60:
        return f"{elapsed_s / 60:.1f} minutes spent (budget.minutes {budget.minutes:g})"
    if generations:
        epsilon = float(history.get_all_populations().iloc[-1]["epsilon"])
        if epsilon <= budget.min_epsilon:
            return f"epsilon {epsilon:.3g} reached budget.min_epsilon {budget.min_epsilon:g}"
    return ""
