"""The Python API for many runs: what each `tracktwo` command does, as a function returning DataFrames.

Each function takes what its command takes (a file path, or the same content as a dict) and the
command's options as keyword arguments with the same names in snake_case; it runs on the same
executors, writes the same results folder (resumable, committed run by run), with the same seeds
and progress bar, and returns a frozen result object whose tables are pandas DataFrames:

>>> import tracktwo
>>> result = tracktwo.sweep("configs/sweeps/participant_mix.yaml", executor="serial")  # doctest: +SKIP
>>> result.summary.head()  # doctest: +SKIP

Bad input raises `tracktwo.ConfigError` with the one line the command prints; runs that fail are
counted in the result (`failed`, `failures`), never raised. The `tracktwo` command is a thin layer
over these functions: it parses, calls, prints.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
import yaml
from tracktwo.experiments.design import limits
from tracktwo.experiments.design.config import DEFAULT_CONFIG, load_params, parse_overrides, with_command_settings
from tracktwo.experiments.engine.budget import check_sweep_fits
from tracktwo.experiments.engine.executors import EXECUTORS, Executor, ExecutorError, make_executor
from tracktwo.experiments.messages import OptionError
from tracktwo.experiments.provenance import (
    default_out,
    environment,
    read_manifest,
    tracktwo_version,
    write_atomic,
    write_json,
)
from tracktwo.model import ConfigError, Params

if TYPE_CHECKING:  # the analysis modules load on first use
    from tracktwo.experiments.analysis.robust import Robustness

__all__ = [
    "BatchResult",
    "CompareResult",
    "DiscoverResult",
    "EvaluateResult",
    "ExecutorError",
    "RunResult",
    "SelectResult",
    "SensitivityResult",
    "Source",
    "SweepResult",
    "compare",
    "discover",
    "evaluate",
    "load",
    "run",
    "select",
    "sensitivity",
    "sweep",
]

Source = str | os.PathLike[str] | Mapping[str, Any]
"""A file the command reads (its path) or the same content as a mapping."""

Overrides = Mapping[str, Any] | Iterable[str] | None
"""Parameter overrides: {"dotted.key": value}, or ["dotted.key=value", ...] as the command's --set takes them."""

T = TypeVar("T")
MAX_ERROR_CHARS = 299  # an error is one line a person reads, under 300 characters (as the command prints it)


def one_line(message: str) -> str:
    """An error as one line of at most MAX_ERROR_CHARS characters."""
    flat = " ".join(str(message).split())
    return flat if len(flat) <= MAX_ERROR_CHARS else flat[: MAX_ERROR_CHARS - 1] + "…"


# Result objects --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BatchResult:
    """What every command that runs many simulations returns: where its results are and how its runs went.

    Attributes:
        directory: The results folder (runs.parquet, runs.csv, manifest.json and the command's own files).
        manifest: manifest.json: the design as read, the base config, versions, commit, host, sessions.
        runs: One row per run (finished and failed): its point, replicate, seed, parameters and outcomes.
        planned: Runs the design asks for.
        finished: Runs that finished (this session and any before it).
        failed: Runs that raised (their error is in `runs` and `failures`).
        ran_now: Runs done in this call (less than `planned` after a resume).
        elapsed_s: Wall time of this call, in seconds.
        failures: (point, replicate, error) of each failed run.
        executor: Where the runs executed: serial, process or dask.
        workers: How many workers ran them.
        figures: The figures drawn (PNG and SVG paths); empty if none were asked for.
        warnings: Notes the command prints on stderr (a figure that could not be drawn, an outcome skipped).
    """

    directory: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    planned: int
    finished: int
    failed: int
    ran_now: int
    elapsed_s: float
    failures: tuple[tuple[int, int, str], ...] = ()
    executor: str = ""
    workers: int = 0
    figures: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every planned run finished."""
        return self.failed == 0 and self.finished >= self.planned

    def timeseries(self) -> pd.DataFrame | None:
        """The runs' time series (timeseries.parquet), read on demand; None if the design kept none."""
        path = self.directory / "timeseries.parquet"
        return pd.read_parquet(path) if path.exists() else None


@dataclass(frozen=True, kw_only=True)
class SweepResult(BatchResult):
    """A sweep's results (`tracktwo.sweep`).

    Attributes:
        name: The sweep's name (its results folder's default name).
        metric: The metric the points are ranked by ({"name": ..., "goal": "maximize"|"minimize"}), or None.
        swept: The runs table's columns that vary across points.
        summary: The points ranked by the metric with 95% intervals, paired differences to the best,
            P(best) and `in_best_set` (summary.csv); None without a metric or when no run finished.
        effects: Main effects and two-way interactions of the swept parameters with intervals, from a
            regression with seed fixed effects (effects.csv); None when nothing varies enough.
        robustness: With `uncertain:` parameters, each lever point across the shared scenarios (median,
            10th percentile, regret, share of scenarios in the best set), each lever in each scenario
            (`cells`) and where the answer flips (robust.csv, robust.json, robust_scenarios.csv;
            tracktwo.experiments.analysis.robust.Robustness); else None. `tracktwo.load` reads them back.
    """

    name: str
    metric: dict[str, str] | None = None
    swept: tuple[str, ...] = ()
    summary: pd.DataFrame | None = None
    effects: pd.DataFrame | None = None
    robustness: Robustness | None = None


@dataclass(frozen=True, kw_only=True)
class CompareResult(BatchResult):
    """Candidate programmes compared on common seeds (`tracktwo.compare`).

    Attributes:
        name: The programmes file's name.
        programmes: Programme names in file order.
        table: A row per programme and outcome: estimate, interval, paired difference from the reference
            (comparison.csv, with each programme's description).
        differences: Paired differences for every pair of programmes (paired_differences.csv).
        ranking: Programme names, best first by `rank_by`.
        best: The best programme.
        reference: The programme the others are compared with (the baseline if one was named, else the best).
        baseline: The baseline named, or None.
        verdicts: Plain-language verdict per programme other than the reference.
        summary: summary.json as written (the above plus verdicts per outcome and provenance).
        comparison: The analysis object (ProgrammeComparison) behind the tables, for further use.
    """

    name: str
    programmes: tuple[str, ...] = ()
    table: pd.DataFrame | None = None
    differences: pd.DataFrame | None = None
    ranking: tuple[str, ...] = ()
    best: str | None = None
    reference: str | None = None
    baseline: str | None = None
    verdicts: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    comparison: Any = None


@dataclass(frozen=True, kw_only=True)
class EvaluateResult(BatchResult):
    """A programme's components evaluated on common seeds (`tracktwo.evaluate`).

    Attributes:
        name: The evaluation's name (evaluate-<config stem>).
        table: A row per component and outcome: the change when it is removed with its interval, test and
            verdict (by the stated rule), its share of the outcome's own chains, and its Shapley share
            (evaluation.csv).
        totals: The total effect per family and outcome (evaluation_totals.csv).
        sentences: The findings in plain words, a line per component and outcome.
        summary: evaluation.json as written.
        families: The families evaluated (tracktwo.experiments.analysis.contributions.Family); empty when read
            back with `load` (their names and components are in `summary`).
        outcomes: The outcomes decomposed.
        process_outcome: Per component, its change when removed in influence on the process beside that in
            outcome transfer, each with its interval and verdict (process_outcome.csv); None without an issue space.
    """

    name: str
    table: pd.DataFrame | None = None
    totals: pd.DataFrame | None = None
    sentences: tuple[str, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)
    families: tuple[Any, ...] = ()
    outcomes: tuple[str, ...] = ()
    theory: pd.DataFrame | None = None
    story: tuple[str, ...] = ()
    theory_files: tuple[str, ...] = ()
    process_outcome: pd.DataFrame | None = None


@dataclass(frozen=True, kw_only=True)
class SensitivityResult(BatchResult):
    """Global sensitivity of outcomes to parameter ranges (`tracktwo.sensitivity`).

    Attributes:
        name: The analysis' name.
        method: sobol or morris.
        table: Indices per outcome and parameter with 95% intervals, most influential first (sensitivity.csv).
        skipped: Outcomes not analysed, with the reason.
    """

    name: str
    method: str = ""
    table: pd.DataFrame | None = None
    skipped: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DiscoverResult:
    """Scenario discovery over a sweep's runs (`tracktwo.discover`).

    Attributes:
        directory: The sweep's results folder the rules were written into.
        table: The regions found, a row per restriction (scenarios_*.csv).
        discovery: The analysis object (boxes with their rules, density and coverage; the peeling trajectory).
        files: The files written (scenarios_*.json and .csv).
    """

    directory: Path
    table: pd.DataFrame
    discovery: Any
    files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class SelectResult:
    """Whom to invite from an actor map (`tracktwo.select`).

    Attributes:
        directory: The results folder (invitations.csv, comparison.csv, summary.json, selection.png/.svg, runs).
        invitations: The invitation list in order, with each actor's marginal gain and its interval.
        comparison: The chosen group against random feasible groups and the usual suspects, on fresh seeds.
        summary: summary.json as written.
        evaluations: Groups evaluated by the search.
        swaps: How many one-for-one swaps improved the greedy list.
        elapsed_s: Wall time of the search, in seconds.
        constraints: The constraints as read (tracktwo.experiments.analysis.selection.Constraints).
        objective: The outcome maximised.
    """

    directory: Path
    invitations: pd.DataFrame
    comparison: pd.DataFrame
    summary: dict[str, Any]
    evaluations: int = 0
    swaps: int = 0
    elapsed_s: float = math.nan
    constraints: Any = None
    objective: str = "impact"


@dataclass(frozen=True)
class RunResult:
    """One run written to a folder (`tracktwo.run`).

    Attributes:
        directory: The folder (summary.json, timeseries.csv, ideas.csv, events.csv, timeline.png/.svg).
        outcomes: The run's outcomes by name.
        timeseries: One row per month.
        ideas: One row per idea.
        events: Each event and the state after it.
        seed: The seed the run used.
        params: The validated parameters (Params).
        elapsed_s: The simulation's wall time, in seconds.
        summary: summary.json as written.
    """

    directory: Path
    outcomes: dict[str, Any]
    timeseries: pd.DataFrame
    ideas: pd.DataFrame
    events: pd.DataFrame
    seed: int
    params: Params | None
    elapsed_s: float
    summary: dict[str, Any]


AnyResult = SweepResult | CompareResult | EvaluateResult | SensitivityResult | SelectResult | RunResult
"""Any result object `load` may return."""


# Checks shared by every entry point --------------------------------------------------------------


def _options(**values: Any) -> None:
    """The checks the command applies to its options (cli.checks), with the same one-line messages."""
    from tracktwo.experiments.cli import checks

    executor = values.get("executor")
    if executor is not None and not isinstance(executor, Executor | str):
        raise ConfigError(f"--executor: expected one of {', '.join(EXECUTORS)} or an Executor, got {executor!r}")
    if isinstance(executor, str) and executor not in EXECUTORS:
        raise ConfigError(f"--executor: expected one of {', '.join(EXECUTORS)}, got {executor!r}")
    for name in ("workers", "replicates", "seed", "seats", "swap_passes", "orders", "boxes", "steps", "top"):
        value = values.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | np.integer)):
            raise ConfigError(f"--{name.replace('_', '-')}: expected a whole number, got {value!r}")
    if values.get("resume") and values.get("overwrite"):
        raise ConfigError("--resume and --overwrite: give one of them (resume keeps the runs, overwrite discards them)")
    out = values.get("out")
    if out is not None and not isinstance(out, str | os.PathLike):
        raise ConfigError(f"--out: expected a folder path, got {out!r}")
    if out is not None and "\x00" in str(os.fspath(out)):
        raise ConfigError(f"--out: a folder's name cannot hold a NUL character, got {str(os.fspath(out))!r}")
    scheduler = values.get("scheduler")
    if scheduler is not None and not isinstance(scheduler, str):
        raise ConfigError(f"--scheduler: expected an address such as tcp://10.0.0.5:8786, got {scheduler!r}")
    namespace = SimpleNamespace(**{**values, "out": None if out is None else Path(out)})
    checks.check_arguments(namespace)


def _whole(**values: Any) -> None:
    """Options that must be given as whole numbers (None is not a default here); ConfigError naming the first."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise ConfigError(f"--{name.replace('_', '-')}: expected a whole number, got {value!r}")


def _overrides(overrides: Overrides) -> dict[str, Any]:
    """Overrides as {dotted key: value}: a mapping as given, or --set style "key=value" texts parsed as YAML."""
    with _reading("--set"):
        return _read_overrides(overrides)


def _read_overrides(overrides: Overrides) -> dict[str, Any]:
    """_overrides' work."""
    if overrides is None:
        return {}
    if isinstance(overrides, Mapping):
        bad = next((key for key in overrides if not isinstance(key, str) or not key.strip()), None)
        if bad is not None:
            raise ConfigError(f"--set: expected dotted parameter keys such as workshops.size, got {bad!r}")
        return {key.strip(): value for key, value in overrides.items()}
    if isinstance(overrides, str | bytes) or not isinstance(overrides, Iterable):
        raise ConfigError(
            f"--set: expected a mapping {{'workshops.size': 16}} or a list of 'key=value' texts, got {overrides!r}"
        )
    texts = list(overrides)
    bad = next((text for text in texts if not isinstance(text, str)), None)
    if bad is not None:
        raise ConfigError(f"--set: expected 'key=value' texts, got {bad!r}")
    return parse_overrides(texts)


def _override_keys(overrides: Overrides) -> list[str]:
    """The overrides as --set texts (for the check that a flag and --set do not set one parameter twice)."""
    if isinstance(overrides, Mapping):
        return [f"{key}=" for key in overrides]
    return [] if overrides is None or isinstance(overrides, str | bytes) else [str(t) for t in overrides]


@contextmanager
def _guarded(force: bool = False) -> Iterator[None]:
    """Size limits lifted with `force`; every ConfigError raised inside as one line."""
    try:
        with limits.lifted(force):
            yield
    except OptionError as error:  # the API's errors are the command's lines: the option as its flag
        raise ConfigError(one_line(error.as_flag())) from None
    except ConfigError as error:
        raise ConfigError(one_line(str(error))) from None


@contextmanager
def _reading(what: str) -> Iterator[None]:
    """Whatever goes wrong reading the caller's input (a value no check foresaw) becomes a one-line ConfigError."""
    try:
        yield
    except ConfigError:
        raise
    except (ValueError, TypeError, OverflowError, RecursionError, UnicodeError, yaml.YAMLError) as error:
        raise ConfigError(one_line(f"{what}: cannot be read ({type(error).__name__}: {error})")) from None


def _plain(value: Any) -> Any:
    """A mapping's content as plain YAML types (tuples as lists, numpy scalars as numbers, paths as text)."""
    if isinstance(value, Mapping):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _read(source: Source, what: str, loader: Any) -> Any:
    """A checked design from a file path or a mapping: `loader(path)`; a mapping is checked exactly as a file.

    A mapping is written to a temporary file named after it (its `name`, else `what`), with a relative `base`
    taken from the working directory, and read back through the same loader; the result's `path` is then
    `<dict>`, and errors name `<dict>` instead of the temporary file.
    """
    if isinstance(source, Mapping):
        data = _plain(source)
        base = data.get("base")
        if isinstance(base, str) and base and not Path(base).is_absolute():
            data["base"] = str(Path(base).resolve())
        try:
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        except (yaml.YAMLError, ValueError, TypeError) as error:  # an object YAML cannot hold, a 5,000-digit int
            raise ConfigError(one_line(f"{what} <dict>: cannot be written as YAML ({error})")) from None
        with tempfile.TemporaryDirectory(prefix="tracktwo-") as folder:
            file = Path(folder) / f"{what}.yaml"
            file.write_text(text, encoding="utf-8")
            try:
                with _reading(what):
                    spec = loader(file)
            except ConfigError as error:
                raise ConfigError(one_line(str(error).replace(str(file), "<dict>"))) from None
        return dataclasses.replace(spec, path=Path("<dict>"))
    if isinstance(source, str | os.PathLike):
        with _reading(what):
            return loader(Path(source))
    raise ConfigError(f"{what}: expected a file path or a mapping, got {type(source).__name__}")


@contextmanager
def _executor(executor: str | Executor, workers: int | None, scheduler: str | None) -> Iterator[Executor]:
    """The executor asked for: one named here (stopped on the way out), or the caller's own (left running)."""
    if isinstance(executor, Executor):
        if workers is not None or scheduler is not None:
            raise ConfigError("--workers/--scheduler: set them on the Executor you pass, not beside it")
        yield executor
        return
    with make_executor(executor, workers, scheduler) as made:
        yield made


def _batch_fields(tally: Any, executor: Executor, runs: pd.DataFrame | None = None) -> dict[str, Any]:
    """A BatchResult's fields from the runner's SweepTally."""
    directory = Path(tally.directory)
    return {
        "directory": directory,
        "manifest": read_manifest(directory / "manifest.json"),
        "runs": pd.read_parquet(directory / "runs.parquet") if runs is None else runs,
        "planned": tally.planned,
        "finished": tally.finished,
        "failed": tally.failed,
        "ran_now": tally.ran_now,
        "elapsed_s": tally.elapsed_s,
        "failures": tuple(tuple(f) for f in tally.failures),
        "executor": executor.name,
        "workers": executor.workers,
    }


def draw_figures(
    directory: Path, workers: int = 1, looks: dict[bytes, Any] | None = None
) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    """A sweep's figures; a failure to draw is a warning, never a lost sweep (its tables are already written).

    `workers` above 1: drawn by that many processes at once (plots.plot_results). `looks`: the sweep's
    decided best-set looks (replicates: auto), so the figures do not replay their bootstrap.
    """
    from tracktwo.experiments.reporting import plots

    try:
        drawn = plots.plot_results(directory, workers=workers, looks=looks)
    except Exception as error:  # the runs are safe on disk whatever goes wrong in drawing
        return (), (_drawing_warning(directory, error),)
    return tuple(drawn), ()


def _drawing_warning(directory: Path, error: Exception) -> str:
    """The one line that says the figures could not be drawn, and how to draw them later."""
    return (
        f"tracktwo: warning: could not draw the figures ({type(error).__name__}: {error}); the results are "
        f"saved: run `tracktwo plot {directory}` to try again"
    )


def _figures_meanwhile(
    directory: Path, running: Executor, looks: dict[bytes, Any] | None = None
) -> Callable[[], tuple[tuple[Path, ...], tuple[str, ...]]]:
    """Start drawing a finished sweep's figures; call the result for (figures, warnings).

    With a local process pool of several workers, `workers - 1` helper processes start on the slowest
    figures now, while this process writes the tables (the figures read only the runs); the call then
    draws here whatever no helper has begun (plots.start_drawing). Otherwise the figures are drawn when
    asked for, as before. Either way a failure to draw is a warning, never a lost sweep. `looks`: as for
    draw_figures.
    """
    if running.name != "process" or running.workers < 2:
        return lambda: draw_figures(directory, looks=looks)
    from tracktwo.experiments.reporting import plots

    try:
        drawing = plots.start_drawing(directory, helpers=running.workers - 1, looks=looks)
    except Exception as error:  # as draw_figures: the runs are safe on disk
        warning = _drawing_warning(directory, error)
        return lambda: ((), (warning,))

    def finish() -> tuple[tuple[Path, ...], tuple[str, ...]]:
        try:
            return tuple(drawing.finish()), ()
        except Exception as error:
            return (), (_drawing_warning(directory, error),)

    return finish


def _common(
    out: str | os.PathLike[str] | None,
    executor: str | Executor,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    overwrite: bool,
    force: bool,
    **more: Any,
) -> Path | None:
    """Check the options every batch command shares; the output folder as a Path (None: the default)."""
    _options(
        out=out,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        resume=resume,
        overwrite=overwrite,
        force=force,
        **more,
    )
    return None if out is None else Path(out)


def _posterior_folder(posterior: Any) -> Path | None:
    """`posterior=` as a folder path (None: none given); ConfigError for anything else."""
    if posterior is None:
        return None
    if isinstance(posterior, bool) or not isinstance(posterior, str | os.PathLike) or not os.fspath(posterior):
        raise ConfigError(f"--posterior: expected a calibrate results folder, got {posterior!r}")
    return Path(posterior)


def _with_posterior(
    spec: Any, posterior: Any, overrides: Mapping[str, Any] | None = None, block: int | None = None
) -> Any:
    """The sweep with replicate r's uncertain values drawn from `posterior` (a calibrate folder) for block r // m.

    As is without a posterior (`block` is refused then: it means nothing without one).
    """
    from tracktwo.experiments.design.posterior import with_block, with_posterior

    folder = _posterior_folder(posterior)
    if folder is None:
        return spec if block is None else with_block(spec, block)  # the file's posterior:, if it has one
    return with_posterior(spec, folder, list(overrides or {}), block)


# Entry points ------------------------------------------------------------------------------------


def sweep(
    source: Source,
    *,
    out: str | os.PathLike[str] | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    force: bool = False,
    plot: bool = True,
    posterior: str | os.PathLike[str] | None = None,
    posterior_block: int | None = None,
) -> SweepResult:
    """Run a sweep file's points and replicates, committing each run as it finishes, then rank the points.

    Args:
        source: A sweep file (W&B sweep format: grid, random or bayes, plus our keys), or the same content
            as a dict (named "sweep" unless it has a `name`; relative paths taken from the working directory).
        out: Results folder (default: results/<sweep name>/).
        executor: "process" (a local process pool), "serial" (this process), "dask" (a dask.distributed
            cluster), or an Executor you made (left running for you to close).
        workers: Parallel workers (default: every core; with `scheduler`: the cluster's).
        scheduler: A dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: start a local cluster).
        resume: Finish an interrupted sweep in `out` without redoing its runs.
        overwrite: Discard a sweep already in `out` and start again.
        progress: Show a progress bar (on stderr).
        force: Run even past the size limits (100,000 points, 1,000,000 runs).
        plot: Draw the sweep's figures (PNG and SVG) into `out`/figures.
        posterior: A `tracktwo calibrate` results folder (instead of the file's `posterior:`): replicate r of
            every point runs at one particle drawn by weight from (seed, r), so intervals include what the
            calibration left open (experiments.design.posterior). Not with `uncertain:` ranges.
        posterior_block: With a posterior (this or the file's): replicates per particle, m (default 2; a whole
            number >= 2 below the replicates); replicate r runs at the particle drawn for r // m.

    Returns:
        SweepResult: the runs, the ranked points (`summary`) and where they were written.

    Raises:
        ConfigError: Bad input, with the one line `tracktwo sweep` prints.
        ExecutorError: Workers died; the runs finished so far are saved (resume to finish).
    """
    from tracktwo.experiments.analysis.agenda import with_what_got_in
    from tracktwo.experiments.analysis.effects import EFFECTS_FILE, runs_table, write_effects
    from tracktwo.experiments.analysis.ranking import rank_points
    from tracktwo.experiments.analysis.robust import over_scenarios, write_robustness
    from tracktwo.experiments.design.sweepfile import load_sweep
    from tracktwo.experiments.engine.runner import run_sweep

    with _guarded(force):
        folder = _common(out, executor, workers, scheduler, resume, overwrite, force)
        spec = _read(source, "sweep", load_sweep)
        spec = _with_posterior(spec, posterior, block=posterior_block)
        with _executor(executor, workers, scheduler) as running:
            tally = run_sweep(spec, folder, running, resume=resume, overwrite=overwrite, progress=progress)
    fields = _batch_fields(tally, running)
    summary = effects = robust = None
    figures: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()
    if tally.finished:
        drawing = _figures_meanwhile(tally.directory, running, tally.looks) if plot else None
        finished = runs_table(tally.directory)
        metric_name = spec.metric["name"] if spec.metric else None
        if write_effects(tally.directory, finished, tally.swept_columns, metric_name) is not None:
            effects = pd.read_csv(tally.directory / EFFECTS_FILE)
        robust = write_robustness(tally.directory, finished, spec.describe(), tally.swept_columns)
        if spec.metric:
            summary = rank_points(
                fields["runs"],
                tally.swept_columns,
                spec.metric["name"],
                spec.metric["goal"],
                design=spec.describe(),
                looks=tally.looks,
            )
            summary = with_what_got_in(summary, over_scenarios(finished, spec.describe()))  # process vs outcome
            write_atomic(tally.directory / "summary.csv", summary.to_csv(index=False))
        if drawing is not None:
            figures, warnings = drawing()
    return SweepResult(
        **fields,
        name=spec.name,
        metric=spec.metric,
        swept=tuple(tally.swept_columns),
        summary=summary,
        effects=effects,
        robustness=robust,
        figures=figures,
        warnings=warnings,
    )


def compare(
    source: Source,
    *,
    replicates: int | None = None,
    baseline: str | None = None,
    out: str | os.PathLike[str] | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    force: bool = False,
    posterior: str | os.PathLike[str] | None = None,
    posterior_block: int | None = None,
) -> CompareResult:
    """Run two or more candidate programmes on the same seeds and rank them, with paired differences and verdicts.

    Args:
        source: A programmes file (overrides on one base config), or the same content as a dict.
        replicates: Paired runs per programme (default: the file's, else 100).
        baseline: Compare every programme with this one instead of with the best (default: the file's, else
            the best).
        out: Results folder (default: results/compare-<name>/).
        executor: As for `sweep`.
        workers: As for `sweep`.
        scheduler: As for `sweep`.
        resume: As for `sweep`.
        overwrite: As for `sweep`.
        progress: As for `sweep`.
        force: As for `sweep`.
        posterior: As for `sweep` (instead of the file's `posterior:`): replicate r of every programme runs at
            the same particle, so the differences stay paired.
        posterior_block: As for `sweep`.

    Returns:
        CompareResult: the ranked programmes, their table, paired differences and verdicts.

    Raises:
        ConfigError: Bad input, with the one line `tracktwo compare` prints.
        ExecutorError: Workers died; the runs finished so far are saved.
    """
    from tracktwo.experiments.analysis import comparison as analysis
    from tracktwo.experiments.design.programmes import check_baseline, load_programmes

    with _guarded(force):
        folder = _common(out, executor, workers, scheduler, resume, overwrite, force, replicates=replicates)
        if baseline is not None and not isinstance(baseline, str):
            raise ConfigError(f"--baseline: expected a programme's name, got {baseline!r}")
        programmes = _read(source, "programmes", load_programmes)
        reference = check_baseline(baseline, programmes.names, "--baseline") if baseline else programmes.baseline
        spec = programmes.sweep(replicates, _posterior_folder(posterior), posterior_block)
        with _held_session(spec, folder or default_out(f"compare-{programmes.name}"), executor, workers, scheduler,
                           resume, overwrite, False, progress) as (running, tally):  # fmt: skip
            fields = _batch_fields(tally, running)
            if tally.finished == 0:
                return CompareResult(**fields, name=programmes.name, programmes=tuple(programmes.names))
            comparison = analysis.compare_programmes(
                fields["runs"], programmes.names, programmes.rank_by, programmes.goal, baseline=reference,
                posterior_block=spec.posterior.block if spec.posterior is not None else None,
            )  # fmt: skip
            table, figures, summary = _write_comparison(tally.directory, programmes, comparison, tally)
    return CompareResult(
        **fields,
        name=programmes.name,
        programmes=tuple(programmes.names),
        table=table,
        differences=comparison.differences,
        ranking=tuple(comparison.ranking),
        best=comparison.best,
        reference=comparison.reference,
        baseline=comparison.baseline,
        verdicts=dict(comparison.verdicts),
        summary=summary,
        comparison=comparison,
        figures=figures,
    )


COMPARISON_FIGURE = "comparison"


def _write_comparison(
    directory: Path, programmes: Any, comparison: Any, tally: Any
) -> tuple[pd.DataFrame, tuple[Path, ...], dict[str, Any]]:
    """comparison.csv (a row per programme and outcome), paired_differences.csv, summary.json and the figure."""
    from tracktwo.experiments.analysis import comparison as analysis
    from tracktwo.experiments.analysis import input_uncertainty
    from tracktwo.experiments.reporting import figures

    descriptions = {p.name: p.description for p in programmes.programmes}
    table = comparison.table.copy()
    table.insert(2, "description", table["programme"].map(descriptions))
    write_atomic(directory / "comparison.csv", table.to_csv(index=False))
    write_atomic(directory / "paired_differences.csv", comparison.differences.to_csv(index=False))
    summary = {
        "name": programmes.name,
        "description": programmes.description,
        "file": str(programmes.path),
        "base_path": str(programmes.base_path),
        "rank_by": {"name": comparison.rank_by, "goal": comparison.goal},
        "replicates": comparison.replicates,
        "seed": programmes.seed,
        "paired": True,
        "runs": {"planned": tally.planned, "finished": tally.finished, "failed": tally.failed},
        "confidence": comparison.confidence,
        "intervals": input_uncertainty.stated(comparison.posterior_block, "paired bootstrap over replicates"),
        "ranking": comparison.ranking,
        "best": comparison.best,
        "reference": comparison.reference,
        "baseline": comparison.baseline,
        "verdicts": comparison.verdicts,
        "verdicts_by_outcome": {
            outcome: {other: analysis.verdict(comparison, other, outcome) for other in comparison.others}
            for outcome in comparison.outcomes
        },
        "programmes": programmes.describe(),
        "table": comparison.table.to_dict("records"),
        "tracktwo_version": tracktwo_version(),
    }
    write_json(directory / "summary.json", summary)
    ranked_by = analysis.label(comparison.rank_by)
    title = f"{programmes.name}: {len(programmes.programmes)} programmes, best first by: {ranked_by}"
    drawn = figures.save(figures.comparison_figure(comparison, title), directory, COMPARISON_FIGURE)
    return table, tuple(drawn), summary


@contextmanager
def _held_session(
    spec: Any,
    out: Path,
    executor: str | Executor,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    overwrite: bool,
    fresh_by_default: bool,
    progress: bool,
) -> Iterator[tuple[Executor, Any]]:
    """Run a design into `out`, holding the folder for the command's own files written inside the block."""
    from tracktwo.experiments.engine import folder_lock
    from tracktwo.experiments.engine.runner import open_session

    with folder_lock.held(out) as lock:
        with (
            _executor(executor, workers, scheduler) as running,
            open_session(
                spec,
                out,
                running,
                resume=resume,
                overwrite=bool(overwrite or (fresh_by_default and not resume)),
                progress=progress,
                lock=lock,
            ) as session,
        ):
            session.run()
        yield running, session.tally


def _margins(margin: float | Mapping[str, float] | Iterable[str] | None) -> list[str] | None:
    """`margin` as --margin takes it: ["VALUE"] or ["OUTCOME=VALUE", ...]."""
    if margin is None:
        return None
    if isinstance(margin, int | float) and not isinstance(margin, bool):
        return [str(margin)]
    if isinstance(margin, Mapping):
        return [f"{outcome}={value}" for outcome, value in margin.items()]
    if isinstance(margin, str):
        return [margin]
    return [str(item) for item in margin]


def evaluate(
    config: Source | None = None,
    *,
    set: Overrides = None,
    components: Iterable[str] = ("workshops",),
    outcomes: Iterable[str] | None = None,
    replicates: int = 10,
    orders: int = 20,
    seed: int = 0,
    counterfactual: str = "refill",
    correction: str = "holm",
    alpha: float = 0.05,
    margin: float | Mapping[str, float] | Iterable[str] | None = None,
    pilot: int = 4,
    paired_sd: float | None = None,
    theory: str | os.PathLike[str] | None = None,
    strict: bool = False,
    out: str | os.PathLike[str] | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    force: bool = False,
    posterior: str | os.PathLike[str] | None = None,
    posterior_block: int | None = None,
) -> EvaluateResult:
    """Evaluate a programme's components on common random numbers: attribution, contribution, Shapley value.

    Args:
        config: A model config file (default configs/default.yaml), or the same content as a dict.
        set: Overrides for every run, {"dotted.key": value} (or ["key=value", ...] as --set takes them).
        components: Families to evaluate: workshops, events, formats, routes, participants or groups:COLUMN.
        outcomes: Outcomes to decompose (default: impact, ideas_transferred).
        replicates: Seeds per coalition.
        orders: Orders sampled for Shapley values beyond 10 components.
        seed: Seed of the runs and of the sampled orders.
        counterfactual: What removing participants or groups does to their seats: "refill" (the next actor
            of the same kind and side takes it) or "empty".
        correction: "holm" (family-wise error rate) or "bh" (Benjamini-Hochberg false discovery rate),
            across a family's components.
        alpha: Level of the tests.
        margin: Equivalence margin for "no effect", in the outcome's units: one number, {outcome: number},
            or ["OUTCOME=VALUE", ...] as --margin takes them (default: 10% of the pilot's full-programme mean).
        pilot: Pilot seeds of the power check (at least 2).
        paired_sd: The paired SD to plan the power check with, instead of the pilot's.
        theory: A theory-of-change file whose links to test by knocking out each cause (theory.csv).
        strict: Refuse (ConfigError) when the replicates cannot detect a change as large as the margin.
        out: Results folder (default: results/evaluate-<config stem>/).
        executor: As for `sweep`.
        workers: As for `sweep`.
        scheduler: As for `sweep`.
        resume: As for `sweep`.
        overwrite: As for `sweep`.
        progress: As for `sweep`.
        force: As for `sweep`.
        posterior: A `tracktwo calibrate` results folder: replicate r of every coalition runs at one particle
            drawn by weight from (seed, r // posterior_block), so contribution intervals include what the
            calibration left open: every interval, test and verdict is then the random-effects one
            (experiments.analysis.input_uncertainty), whose posterior part does not shrink with replicates.
            A fitted key may not also be set by `set`.
        posterior_block: With `posterior`: replicates per particle, m (default 2; a whole number >= 2 below
            `replicates`).

    Returns:
        EvaluateResult: the evaluation table (change when removed, verdict, chain share, Shapley share), the
        totals, the findings in plain words and, with `theory`, each link's test and the contribution story.

    Raises:
        ConfigError: Bad input, with the one line `tracktwo evaluate` prints.
        ExecutorError: Workers died; the runs finished so far are saved.
    """
    from tracktwo.experiments.analysis import contributions, input_uncertainty, verdicts
    from tracktwo.experiments.analysis import theory as theories
    from tracktwo.experiments.analysis.evaluation import Rule
    from tracktwo.experiments.analysis.results import EVALUATION_INFO, EVALUATION_TABLE
    from tracktwo.experiments.design import evaluation_checks
    from tracktwo.experiments.design.sweepfile import SweepSpec
    from tracktwo.experiments.reporting import figures
    from tracktwo.model import outcome_goal, outcome_label

    with _guarded(force):
        _whole(replicates=replicates, orders=orders, seed=seed)
        folder = _common(
            out, executor, workers, scheduler, resume, overwrite, force,
            replicates=replicates, orders=orders, seed=seed, overrides=_override_keys(set),
        )  # fmt: skip
        for name, value in (("replicates", replicates), ("orders", orders)):
            if value < 1:
                raise ConfigError(f"--{name}: expected a whole number >= 1, got {value!r}")
        names = _texts(components, "--components")
        wanted = contributions.check_outcomes(_texts(outcomes or contributions.DEFAULT_OUTCOMES, "--outcomes"))
        path, params = _config(config, set)
        params = verdicts.with_counterfactual(params, counterfactual)
        wanted = verdicts.with_initiatives(wanted, params)  # each initiative's own, beside the pooled total
        families = contributions.plan(params, names, orders, seed, replicates)
        evaluation_checks.check_issue_outcomes(params, wanted)
        evaluation_checks.check_outcomes_defined(params, [(f.name, f.coalitions) for f in families], wanted)
        points, index = contributions.coalition_points(families)
        links = theories.attach(theory, points, params.model_dump(mode="json"))  # knockouts join the points
        options = SimpleNamespace(
            counterfactual=counterfactual, correction=correction, alpha=alpha, margin=_margins(margin),
            pilot=pilot, paired_sd=paired_sd, replicates=replicates, seed=seed, strict=strict,
        )  # fmt: skip
        first = wanted[0]
        spec = SweepSpec(
            path=path,
            text=path.read_text(encoding="utf-8") if path.is_file() else yaml.safe_dump(_plain(config or {})),
            name=f"evaluate-{path.stem}",
            method="grid",
            parameters={},
            base=params.model_dump(mode="json"),
            base_path=path,
            replicates=replicates,
            seed=seed,
            metric={"name": first, "goal": outcome_goal(first)},
            timeseries_every=0,
            description=f"Evaluation of {', '.join(f.name for f in families)} ({', '.join(wanted)})",
            listed_points=tuple(points),
            common_seeds=True,
        )
        spec = _with_posterior(spec, posterior, _overrides(set), posterior_block)
        options.posterior = spec.posterior  # the pilot draws from it as the runs will
        check_sweep_fits(spec, workers=1)  # a run too big for memory is refused before the pilot runs it
        rules, checks = verdicts.before_runs(options, params, families, wanted)  # the rule and the power check
        with _held_session(spec, folder or default_out(spec.name), executor, workers, scheduler, resume, overwrite,
                           False, progress) as (running, tally):  # fmt: skip
            fields = _batch_fields(tally, running)
            common = {"name": spec.name, "families": tuple(families), "outcomes": tuple(wanted)}
            if tally.finished == 0:
                return EvaluateResult(**fields, **common)
            block = spec.posterior.block if spec.posterior is not None else None  # intervals carry its spread
            frame, totals = verdicts.tables(
                fields["runs"], families, index, wanted, seed, rules, counterfactual, params.steps, block
            )
            sentences = [verdicts.sentence(row) for _, row in frame.iterrows()]
            write_atomic(tally.directory / EVALUATION_TABLE, frame.to_csv(index=False))
            write_atomic(tally.directory / "evaluation_totals.csv", totals.to_csv(index=False))
            process = (  # influence on the process beside outcome transfer, per component (docs/ODD.md 7.11)
                verdicts.process_and_outcome(
                    fields["runs"], families, index, seed, rules, Rule(correction, alpha), counterfactual,
                    params.steps, block,
                )
                if params.issues.enabled
                else pd.DataFrame()
            )  # fmt: skip
            if not process.empty:
                write_atomic(tally.directory / verdicts.PROCESS_OUTCOME_TABLE, process.to_csv(index=False))
            links_table, story, theory_files = None, (), []
            if links is not None:
                attached, point_of = links
                links_table = theories.test_links(fields["runs"], attached, point_of, 0, correction, alpha)
                theory_files = theories.write(tally.directory, links_table, attached)
                story = tuple(theories.story(links_table))
            written: list[Path] = []
            for f in families:
                title = f"{contributions.family_words(f.name)}: {verdicts.outcome_words(first)}"
                slug = "".join(c if c.isalnum() else "_" for c in f.name)
                stem = f"evaluation_{slug}" if len(families) > 1 else "evaluation"
                rows = frame[(frame["family"] == f.name) & (frame["outcome"] == first)]
                drawn = figures.evaluation_figure(rows, outcome_label(first), title)
                written += figures.save(drawn, tally.directory, stem)
            summary = {
                "config": str(path),
                "families": [
                    {"name": f.name, "components": f.keys, "exact": f.orders is None, "coalitions": len(f.coalitions)}
                    for f in families
                ],
                "outcomes": wanted,
                "replicates": replicates,
                "seed": seed,
                "posterior": spec.posterior.describe() if spec.posterior is not None else None,
                "intervals": input_uncertainty.stated(block, "paired t over replicates"),
                "runs": {"planned": tally.planned, "finished": tally.finished, "failed": tally.failed},
                "totals": totals.to_dict("records"),
                "summary": sentences,
                **verdicts.stated(options, rules, checks),
                **({"theory": links[0].name} if links is not None else {}),
                "figures": [p.name for p in written],
                "process_outcome": verdicts.PROCESS_OUTCOME_TABLE if not process.empty else None,
                "tracktwo_version": tracktwo_version(),
            }
            write_json(tally.directory / EVALUATION_INFO, summary)
    return EvaluateResult(
        **fields,
        **common,
        table=frame,
        totals=totals,
        sentences=tuple(sentences),
        summary=summary,
        figures=tuple(written),
        theory=links_table,
        story=story,
        theory_files=tuple(theory_files),
        process_outcome=None if process.empty else process,
    )


def _texts(values: Any, option: str) -> list[str]:
    """A list of names (one text is one name); ConfigError naming the option otherwise."""
    if isinstance(values, str):
        return [values]
    try:
        names = list(values)
    except TypeError:
        raise ConfigError(f"{option}: expected a list of names, got {values!r}") from None
    bad = next((v for v in names if not isinstance(v, str)), None)
    if bad is not None or not names:
        raise ConfigError(f"{option}: expected one or more names, got {values!r}")
    return names


def _config(config: Source | None, overrides: Overrides) -> tuple[Path, Params]:
    """The config's path (DEFAULT_CONFIG when none; `<dict>` for a mapping) and its Params with the overrides."""
    with _reading("config"):
        return _read_config(config, overrides)


def _read_config(config: Source | None, overrides: Overrides) -> tuple[Path, Params]:
    """_config's work."""
    from tracktwo.model import make_params, merge

    changes = _overrides(overrides)
    if isinstance(config, Mapping):
        from tracktwo.experiments.design.config import resolve_relative_paths
        from tracktwo.experiments.design.map_check import warn_about_map

        tree = resolve_relative_paths(_plain(config), Path.cwd())
        params = make_params(merge(tree, changes))
        warn_about_map(params)
        return Path("<dict>"), params
    if config is not None and not isinstance(config, str | os.PathLike):
        raise ConfigError(f"config: expected a file path or a mapping, got {type(config).__name__}")
    path = Path(config) if config else DEFAULT_CONFIG
    return path, load_params(config or None, changes)


def sensitivity(
    source: Source,
    *,
    out: str | os.PathLike[str] | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    force: bool = False,
    plot: bool = True,
) -> SensitivityResult:
    """Global sensitivity of outcomes to parameter ranges: Sobol indices or Morris screening (SALib).

    Args:
        source: A sensitivity file (ranges, outcomes, method, samples), or the same content as a dict.
        out: Results folder (default: results/<name>/).
        executor: As for `sweep`.
        workers: As for `sweep`.
        scheduler: As for `sweep`.
        resume: As for `sweep`.
        overwrite: As for `sweep`.
        progress: As for `sweep`.
        force: As for `sweep`.
        plot: Draw a figure per outcome.

    Returns:
        SensitivityResult: the indices with 95% intervals (`table`) and the outcomes skipped.

    Raises:
        ConfigError: Bad input, with the one line `tracktwo sensitivity` prints.
        ExecutorError: Workers died; the runs finished so far are saved.
    """
    from tracktwo.experiments.analysis import sensitivity as analysis
    from tracktwo.experiments.design.sensitivity import load_sensitivity
    from tracktwo.experiments.engine.runner import run_sweep

    with _guarded(force):
        folder = _common(out, executor, workers, scheduler, resume, overwrite, force)
        spec = _read(source, "sensitivity", load_sensitivity)
        with _executor(executor, workers, scheduler) as running:
            tally = run_sweep(spec.sweep_spec(), folder, running, resume=resume, overwrite=overwrite, progress=progress)
    fields = _batch_fields(tally, running)
    if tally.finished == 0:
        return SensitivityResult(**fields, name=spec.name, method=spec.method)
    table, skipped = analysis.write_analysis(spec, tally.directory)
    figures, warnings = draw_figures(tally.directory) if plot else ((), ())
    return SensitivityResult(
        **fields,
        name=spec.name,
        method=spec.method,
        table=table,
        skipped=dict(skipped),
        figures=figures,
        warnings=warnings,
    )


def discover(
    results: str | os.PathLike[str],
    *,
    outcome: str,
    above: float | None = None,
    below: float | None = None,
    method: str = "prim",
    boxes: int = 1,
    min_density: float | None = None,
) -> DiscoverResult:
    """Scenario discovery: the ranges of the swept parameters in which an outcome lies above (or below) a threshold.

    Args:
        results: A sweep's results folder.
        outcome: An outcome column, e.g. any_transfer or impact.
        above: The runs of interest have `outcome` > this (give `above` or `below`, not both).
        below: The runs of interest have `outcome` < this.
        method: prim (peeling boxes) or cart (the purest leaves of a shallow decision tree).
        boxes: Regions to find, each covering runs the earlier ones left.
        min_density: Pick the region covering most runs among those at least this dense (default: balance).

    Returns:
        DiscoverResult: the regions as readable rules with density and coverage, written into `results`.

    Raises:
        ConfigError: Bad input, with the one line `tracktwo discover` prints.
    """
    from tracktwo.experiments.analysis import discovery

    with _guarded():
        if (above is None) == (below is None):
            raise ConfigError("--above/--below: give exactly one of them (the threshold of the runs of interest)")
        if not isinstance(outcome, str):
            raise ConfigError(f"--outcome: expected an outcome's name, got {outcome!r}")
        if method not in discovery.METHODS:
            raise ConfigError(f"--method: expected one of {', '.join(discovery.METHODS)}, got {method!r}")
        threshold = above if above is not None else below
        for name, value in (("--above" if above is not None else "--below", threshold), ("--min-density", min_density)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float | np.number)):
                raise ConfigError(f"{name}: expected a number, got {value!r}")
        _options(boxes=boxes)
        if not isinstance(results, str | os.PathLike):
            raise ConfigError(f"RESULTS_DIR: expected a folder path, got {results!r}")
        folder = Path(results)
        found = discovery.discover_results(
            folder, outcome, float(threshold), above is not None, method, boxes, min_density
        )
        files = discovery.write_discovery(folder, found)
    return DiscoverResult(directory=folder, table=found.table(), discovery=found, files=tuple(files))


def select(
    map: str | os.PathLike[str],
    *,
    seats: int,
    constraints: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    config: Source | None = None,
    set: Overrides = None,
    objective: str = "impact",
    swap_passes: int = 1,
    replicates: int = 16,
    seed: int = 1,
    out: str | os.PathLike[str] | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    force: bool = False,
) -> SelectResult:
    """Choose whom to invite from an actor map: greedy selection (CELF), then one-for-one swaps.

    Every evaluated group is a point of one store (sweep.sqlite in `out`), so `resume=True` finishes an
    interrupted selection without re-running a group; without it, a new selection replaces what `out` holds.

    Args:
        map: Actor map: a nodes .csv (edges beside it) or a .graphml file.
        seats: How many participants to invite.
        constraints: A constraints file (min_side_share, quotas, eligible_kinds), or the same content as a dict.
        config: Base config (kinds the map uses, workshop schedule, ...), a path or a dict.
        set: Overrides, {"dotted.key": value} (or ["key=value", ...]).
        objective: Outcome to maximise.
        swap_passes: Passes of one-for-one swaps after greedy selection (0 = greedy only).
        replicates: Monte Carlo seeds per evaluated group (2 or more).
        seed: The selection's seed; run seeds derive from it.
        out: Results folder (default: results/select-<map name>/).
        executor: As for `sweep`.
        workers: As for `sweep`.
        scheduler: As for `sweep`.
        resume: As for `sweep`.
        overwrite: Discard what `out` holds (the default unless `resume`).
        progress: As for `sweep`.
        force: As for `sweep`.

    Returns:
        SelectResult: the invitation list and the chosen group against the alternatives on fresh seeds.

    Raises:
        ConfigError: Bad input, with the one line `tracktwo select` prints.
        ExecutorError: Workers died; the groups evaluated so far are saved.
    """
    from tracktwo.experiments.analysis import selection
    from tracktwo.experiments.engine import folder_lock
    from tracktwo.experiments.engine.runner import open_session
    from tracktwo.experiments.reporting import figures
    from tracktwo.model import actor_table, edge_table, outcome_label, simulate

    with _guarded(force):
        _whole(seats=seats, swap_passes=swap_passes, replicates=replicates, seed=seed)
        folder = _common(
            out, executor, workers, scheduler, resume, overwrite, force,
            seats=seats, swap_passes=swap_passes, replicates=replicates, seed=seed, overrides=_override_keys(set),
        )  # fmt: skip
        if replicates < 2:
            raise ConfigError(f"--replicates: expected 2 or more, got {replicates}")
        if not isinstance(map, str | os.PathLike):
            raise ConfigError(f"MAP: expected the path of an actor map, got {map!r}")
        if not isinstance(objective, str):
            raise ConfigError(f"--objective: expected an outcome's name, got {objective!r}")
        map_path = Path(map)
        chosen = {"network.type": "map", "network.map": str(map_path.resolve())}
        overrides = with_command_settings(_overrides(set), chosen, "select's MAP argument")
        config_path, params = _config(config, overrides)
        if objective not in simulate(params.model_copy(update={"steps": 1}), 0).outcomes:
            raise ConfigError(
                f"--objective: {objective!r} is not an outcome; try impact, ideas_transferred, any_transfer"
            )
        rules_file = _constraints(constraints, selection.load_constraints)
        actors = actor_table(params)
        pool = selection.eligible(actors, rules_file)
        rules = selection.build_rules(actors, rules_file, seats)
        if selection.complete([], rules, seats, pool) is None:
            reason = selection.explain_infeasible(rules, seats, pool)
            raise ConfigError(f"--constraints: no feasible invitation list: {reason}")
        folder = folder or default_out(f"select-{map_path.stem}")
        base = params.model_dump(mode="json")
        spec = selection.selection_spec(
            base, objective, replicates, seed, f"select-{map_path.stem}", map_path, config_path
        )
    ids = list(actors.id)
    with folder_lock.held(folder) as lock:  # the runs, then the tables and figures made from them
        started = time.perf_counter()
        with (
            _executor(executor, workers, scheduler) as running,
            open_session(
                spec, folder, running, resume=resume, overwrite=not resume, progress=progress, lock=lock
            ) as session,
        ):
            chooser = selection.Objective(selection.group_evaluator(session, ids, objective, range(replicates)))
            announced: list[Any] = []

            def announce(pick: Any) -> None:
                announced.append(pick)
                session.note(f"seat {len(announced)}: {actors.label[pick.actor]}")

            picks = selection.celf(
                np.flatnonzero(pool), seats, rules, pool, chooser, batch=max(1, running.workers), on_pick=announce
            )
            greedy_evaluations = chooser.evaluations
            swaps: list[dict[str, Any]] = []

            def announce_swap(out_actor: int, in_actor: int, gain: float) -> None:
                swaps.append({"out": actors.id[out_actor], "in": actors.id[in_actor], "gain": gain})
                session.note(f"swap {len(swaps)}: {actors.label[in_actor]} for {actors.label[out_actor]}")

            picks = selection.improve_by_swaps(
                picks, np.flatnonzero(pool), rules, pool, chooser, swap_passes, announce_swap
            )
            fresh_replicates = range(replicates, 2 * replicates)  # the comparison's own seeds, never chosen on
            fresh = selection.Objective(selection.group_evaluator(session, ids, objective, fresh_replicates))
            comparison = selection.compare_groups(
                actors, rules, pool, seats, picks, chooser, fresh, np.random.default_rng(seed)
            )
        elapsed = time.perf_counter() - started
        invitations = selection.invitation_table(actors, picks)
        write_atomic(folder / "invitations.csv", invitations.to_csv(index=False))
        write_atomic(folder / "comparison.csv", comparison.to_csv(index=False))
        summary = {
            "map": str(map_path),
            "seats": seats,
            "objective": objective,
            "replicates": replicates,
            "seed": seed,
            "constraints": rules_file.model_dump(),
            "evaluations": chooser.evaluations,
            "greedy_evaluations": greedy_evaluations,
            "swap_passes": swap_passes,
            "swaps": swaps,
            "wall_time_s": elapsed,
            "invitations": invitations.to_dict("records"),
            "comparison": comparison.to_dict("records"),
            "params": base,
            **environment(),
        }
        write_json(folder / "summary.json", summary)
        figures.save(
            figures.actor_map(
                actors,
                *edge_table(params),
                highlighted=[p.actor for p in picks],
                title=f"Invitation list: {len(picks)} seats chosen to maximise {outcome_label(objective)}",
            ),
            folder,
            "selection",
        )
    return SelectResult(
        directory=folder,
        invitations=invitations,
        comparison=comparison,
        summary=_json(folder / "summary.json"),
        evaluations=chooser.evaluations,
        swaps=len(swaps),
        elapsed_s=elapsed,
        constraints=rules_file,
        objective=objective,
    )


def _constraints(constraints: Any, loader: Any) -> Any:
    """Selection constraints from a file, a mapping (validated as the file would be) or None."""
    with _reading("--constraints"):
        return _read_constraints(constraints, loader)


def _read_constraints(constraints: Any, loader: Any) -> Any:
    """_constraints' work."""
    if isinstance(constraints, Mapping):
        from pydantic import ValidationError
        from tracktwo.experiments.analysis.selection import Constraints

        try:
            return Constraints.model_validate(_plain(constraints))
        except ValidationError as error:
            raise ConfigError(_first_error("--constraints", error)) from None
    if constraints is not None and not isinstance(constraints, str | os.PathLike):
        raise ConfigError(f"--constraints: expected a file path or a mapping, got {type(constraints).__name__}")
    return loader(None if constraints is None else Path(constraints))


def _first_error(where: str, error: Any) -> str:
    """A pydantic ValidationError's first problem as one line."""
    first = error.errors()[0]
    location = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {location + ': ' if location else ''}{first.get('msg', error)}"


def run(
    config: Source | None = None,
    *,
    set: Overrides = None,
    seed: int = 1,
    steps: int | None = None,
    out: str | os.PathLike[str] | None = None,
) -> RunResult:
    """Run the model once and write its summary, time series, ideas, events and timeline figure to a folder.

    For a run in memory only, use `tracktwo.simulate`.

    Args:
        config: A model config file (default configs/default.yaml), or the same content as a dict.
        set: Overrides, {"dotted.key": value} (or ["key=value", ...] as --set takes them).
        seed: The run's seed.
        steps: Months to simulate (overrides the config).
        out: Output folder (default: results/run/).

    Returns:
        RunResult: the outcomes and tables, and the folder they were written to.

    Raises:
        ConfigError: Bad input, with the one line `tracktwo run` prints.
    """
    from tracktwo.experiments.reporting import figures
    from tracktwo.model import simulate

    with _guarded():
        _whole(seed=seed)
        _options(seed=seed, steps=steps, out=out, overrides=_override_keys(set))
        overrides = _overrides(set)
        if steps is not None:
            overrides["steps"] = steps
        path, params = _config(config, overrides)
    folder = Path(out) if out is not None else default_out("run")
    start = time.perf_counter()
    result = simulate(params, seed)
    elapsed = time.perf_counter() - start
    summary = {
        "seed": seed,
        "config": str(config) if isinstance(config, str | os.PathLike) and str(config) else str(path),
        "outcomes": result.outcomes,
        "params": params.model_dump(mode="json"),
        "wall_time_s": elapsed,
        **environment(),
    }
    write_json(folder / "summary.json", summary)
    write_atomic(folder / "timeseries.csv", result.timeseries.to_csv(index=False))
    write_atomic(folder / "ideas.csv", result.ideas.to_csv(index=False))
    write_atomic(folder / "events.csv", result.events.to_csv(index=False))  # each event and the state after it
    figures.save(figures.timeline(result.timeseries), folder, "timeline")
    return RunResult(
        directory=folder,
        outcomes=dict(result.outcomes),
        timeseries=result.timeseries,
        ideas=result.ideas,
        events=result.events,
        seed=seed,
        params=params,
        elapsed_s=elapsed,
        summary=_json(folder / "summary.json"),
    )


# Reading a results folder back ------------------------------------------------------------------


def load(directory: str | os.PathLike[str]) -> AnyResult:
    """Read a results folder written by any command back as the result object that command returns.

    Args:
        directory: A folder written by `tracktwo run`, `sweep`, `compare`, `evaluate`, `sensitivity` or `select`.

    Returns:
        The command's result object, its tables read from the folder (counts from its manifest).

    Raises:
        ConfigError: Not a results folder, or a table in it is damaged.
    """
    from tracktwo.experiments.analysis.results import EVALUATION_INFO, EVALUATION_TABLE, read_table

    folder = Path(directory)
    with _guarded():
        if not folder.is_dir():
            raise ConfigError(f"{folder}: no such results folder")
        if (folder / "invitations.csv").exists():
            summary = _json(folder / "summary.json")
            return SelectResult(
                directory=folder,
                invitations=pd.read_csv(folder / "invitations.csv"),
                comparison=pd.read_csv(folder / "comparison.csv"),
                summary=summary,
                evaluations=int(summary.get("evaluations", 0)),
                swaps=len(summary.get("swaps", [])),
                elapsed_s=float(summary.get("wall_time_s", math.nan)),
                constraints=summary.get("constraints"),
                objective=str(summary.get("objective", "impact")),
            )
        if not (folder / "runs.parquet").exists():
            if (folder / "summary.json").exists() and (folder / "timeseries.csv").exists():
                summary = _json(folder / "summary.json")
                return RunResult(
                    directory=folder,
                    outcomes={k: math.nan if v is None else v for k, v in summary.get("outcomes", {}).items()},
                    timeseries=pd.read_csv(folder / "timeseries.csv"),
                    ideas=_csv(folder / "ideas.csv"),
                    events=_csv(folder / "events.csv"),
                    seed=int(summary.get("seed", 0)),
                    params=Params.model_validate(summary["params"]) if "params" in summary else None,
                    elapsed_s=float(summary.get("wall_time_s", math.nan)),
                    summary=summary,
                )
            raise ConfigError(f"{folder}: not a results folder (no runs.parquet, and no run's summary.json)")
        manifest = read_manifest(folder / "manifest.json")
        runs = read_table(folder / "runs.parquet")
        status = runs["status"] if "status" in runs else pd.Series("finished", index=runs.index)
        counts = manifest.get("runs", {})
        sweep_info = manifest.get("sweep", {})
        fields = {
            "directory": folder,
            "manifest": manifest,
            "runs": runs,
            "planned": int(counts.get("planned", len(runs))),
            "finished": int((status == "finished").sum()),
            "failed": int((status == "failed").sum()),
            "ran_now": 0,
            "elapsed_s": 0.0,
            "failures": (),
            "executor": str(manifest.get("executor", "")),
            "workers": int(manifest.get("workers", 0) or 0),
            "figures": tuple(sorted((folder / "figures").glob("*.png"))) if (folder / "figures").is_dir() else (),
        }
        name = str(sweep_info.get("name", folder.name))
        if (folder / EVALUATION_TABLE).exists():
            summary = _json(folder / EVALUATION_INFO)
            return EvaluateResult(
                **fields,
                name=name,
                table=pd.read_csv(folder / EVALUATION_TABLE),
                totals=_csv(folder / "evaluation_totals.csv"),
                sentences=tuple(summary.get("summary", [])),
                summary=summary,
                outcomes=tuple(summary.get("outcomes", [])),
                process_outcome=_csv(folder / "process_outcome.csv"),
            )
        if (folder / "comparison.csv").exists() and (folder / "paired_differences.csv").exists():
            summary = _json(folder / "summary.json")
            return CompareResult(
                **fields,
                name=str(summary.get("name", name)),
                programmes=tuple(p["name"] for p in summary.get("programmes", []) if isinstance(p, dict)),
                table=pd.read_csv(folder / "comparison.csv"),
                differences=pd.read_csv(folder / "paired_differences.csv"),
                ranking=tuple(summary.get("ranking", [])),
                best=summary.get("best"),
                reference=summary.get("reference"),
                baseline=summary.get("baseline"),
                verdicts=dict(summary.get("verdicts", {})),
                summary=summary,
            )
        if (folder / "sensitivity.csv").exists():
            info = _json(folder / "sensitivity.json")
            return SensitivityResult(
                **fields,
                name=name,
                method=str(info.get("method", "")),
                table=pd.read_csv(folder / "sensitivity.csv"),
                skipped=dict(info.get("skipped", {})),
            )
        from tracktwo.experiments.analysis.robust import read_robustness

        return SweepResult(
            **fields,
            name=name,
            metric=sweep_info.get("metric"),
            swept=tuple(sweep_info.get("parameters", {})),
            summary=_csv(folder / "summary.csv"),
            effects=_csv(folder / "effects.csv"),
            robustness=read_robustness(folder),
        )


def _json(path: Path) -> dict[str, Any]:
    """A JSON file of a results folder ({} if absent); ConfigError naming it if it is not JSON."""
    return read_manifest(path)


def _csv(path: Path) -> pd.DataFrame | None:
    """A table of a results folder, None if absent."""
    if not path.exists():
        return None
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
