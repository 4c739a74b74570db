"""A sweep's figures, chosen by what it swept, in the domain's words, with replicate intervals.

- every sweep: each key outcome against each factor that varied (`effect_<parameter>`);
- a swept workshop mix over three or more kinds: the metric, impact and P(an idea entered Track
  One) across the mix simplex as faceted heatmaps, the best mix starred (`mix_simplex`);
- the autonomous share alone: the Autonomy Dilemma frontier, interior optimum marked (`dilemma_frontier`);
- a kept time series: median and 10-90% bands over replicates for the best and worst points (`timeseries`);
- any transfers: the share of transfers by route, per point (`pathways`);
- a metric: each point's paired difference to the best with its interval, the best set marked
  (`best_set`, experiments.analysis.bestset);
- an issue space (docs/ODD.md 7.11): influence on the process beside outcome transfer, and the agenda
  that entered Track One per dimension, for the best points (`what_got_in`, experiments.analysis.agenda).

Each point's replicates are aggregated by experiments.analysis.stats.point_interval (Wilson for a share of
runs, a bootstrap interval of the mean otherwise). Figures go to RESULTS_DIR/figures/ as PNG and
SVG, listed with their captions in figures/figures.json (the report reads it).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import textwrap
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import PercentFormatter
from tracktwo.experiments import labels
from tracktwo.experiments.analysis import agenda, bestset, stats
from tracktwo.experiments.analysis.dilemma import optimum
from tracktwo.experiments.analysis.ranking import best_set_of, rank_points
from tracktwo.experiments.analysis.results import (
    SENSITIVITY_INFO,
    SENSITIVITY_TABLE,
    SWEEP_KINDS,
    Factor,
    ResultsFolder,
    load_results,
    read_csv_table,
    read_json_file,
)
from tracktwo.experiments.design.dilemma import FRONTIER_KEY
from tracktwo.experiments.engine import folder_lock
from tracktwo.experiments.provenance import check_file_place, write_json
from tracktwo.experiments.reporting import figures
from tracktwo.experiments.reporting.figures import PALETTE, save
from tracktwo.model import OUTCOMES, ROUTES, TRACK_LABELS, ConfigError

__all__ = [
    "BAND",
    "CONFIDENCE",
    "FEW_POINTS",
    "INDEX",
    "KEY_OUTCOMES",
    "MAX_HUE_LEVELS",
    "MAX_PATHWAY_ROWS",
    "PANELS_PER_FIGURE",
    "PANEL_COLUMNS",
    "SIMPLEX_OUTCOMES",
    "SINGLE_FIGURES",
    "TITLE_WIDTH",
    "TREND_BINS",
    "WHAT_GOT_IN_ROWS",
    "Drawing",
    "Drawn",
    "Summaries",
    "choose_outcomes",
    "dilemma_frontier",
    "effects",
    "mix_simplex",
    "pathways",
    "plot_results",
    "read_index",
    "robust_figure",
    "sensitivity_figures",
    "start_drawing",
    "timeseries",
    "what_got_in",
    "what_got_in_points",
]

INDEX = "figures.json"
KEY_OUTCOMES = tuple(name for name, declared in OUTCOMES.items() if declared.key)
PANELS_PER_FIGURE = 6
PANEL_COLUMNS = 3
MAX_HUE_LEVELS = 6
MAX_PATHWAY_ROWS = 12
BAND = (0.10, 0.90)  # time-series bands: the middle 80% of runs
SIMPLEX_OUTCOMES = ("impact", "any_transfer")  # what gets new ideas in, then the chance of any transfer
CONFIDENCE = stats.DEFAULT_CONFIDENCE
TITLE_WIDTH = 34
FEW_POINTS = 100  # up to this many points, each point's dot is drawn large
TREND_BINS = 8  # bins of a continuous parameter (random, bayes and sensitivity sweeps) for the trend line


@dataclass(frozen=True)
class Drawn:
    """A figure written: its file stem, title, caption, the titles of its panels, and its files."""

    stem: str
    title: str
    caption: str
    panels: tuple[str, ...]
    files: tuple[str, ...] = field(default=())


class Summaries:
    """Each point's estimate and interval per outcome, computed once and shared by every figure.

    `looks`: the best-set looks of a `replicates: auto` sweep already decided (the sweep's own, handed
    over by the command that ran it, or the first figure's here), so no figure replays their bootstrap.
    """

    def __init__(self, results: ResultsFolder, looks: dict[bytes, bestset.BestSet] | None = None) -> None:
        self.results = results
        self.looks: dict[bytes, bestset.BestSet] = dict(looks or {})
        self._cache: dict[str, pd.DataFrame] = {}

    def __call__(self, outcome: str) -> pd.DataFrame:
        """Indexed by point: n, estimate, low, high, method, and the point's swept values."""
        if outcome not in self._cache:
            rows = {}
            binary = self.binary(outcome)
            for point, group in self.results.runs.groupby("point", sort=True):
                interval = stats.point_interval(group[outcome].to_numpy(float), CONFIDENCE, binary=binary)
                rows[point] = {
                    "n": interval.n,
                    "estimate": interval.estimate,
                    "low": interval.low,
                    "high": interval.high,
                    "method": interval.method,
                }
            table = pd.DataFrame.from_dict(rows, orient="index")
            table.index.name = "point"
            self._cache[outcome] = table.join(self.results.points)
        return self._cache[outcome]

    def binary(self, outcome: str) -> bool:
        """Whether an outcome is 0/1 in every run (shown as a share of runs)."""
        return stats.is_binary(self.results.runs[outcome])


# Entry point ----------------------------------------------------------------------------------


def plot_results(
    directory: str | Path,
    outcomes: Sequence[str] | None = None,
    workers: int = 1,
    looks: dict[bytes, bestset.BestSet] | None = None,
) -> list[Drawn]:
    """Draw every figure that fits the sweep in DIR into DIR/figures/; returns what was drawn.

    `workers` above 1: this process and `workers - 1` helper processes draw the figures between them
    (start_drawing): the same figures, in the same order, sooner on several cores. `looks`: as for Summaries.
    """
    return start_drawing(directory, outcomes, helpers=workers - 1, looks=looks).finish()


SINGLE_FIGURES = (
    "best_set",
    "robust_figure",
    "mix_simplex",
    "dilemma_frontier",
    "timeseries",
    "pathways",
    "what_got_in",
)
_EFFECTS_JOB = "effects:"  # one job per swept factor: "effects:<factor index>"
_HEAVY_FIRST = ("mix_simplex", "best_set", _EFFECTS_JOB, "robust_figure")  # helpers start on the slowest


def start_drawing(
    directory: str | Path,
    outcomes: Sequence[str] | None = None,
    helpers: int = 0,
    looks: dict[bytes, bestset.BestSet] | None = None,
) -> Drawing:
    """Begin drawing DIR's figures: with `helpers`, that many processes start on the slowest figures now.

    Whoever calls `finish()` on the result draws, in this process, the figures no helper has begun
    (the quickest first), then collects the helpers' and writes the index. Between the two calls this
    process is free for other work (a sweep writes its tables): on two cores the figures no longer
    wait for the tables, nor one figure for another. `looks`: the sweep's decided best-set looks (Summaries).
    """
    return Drawing(Path(directory), outcomes, helpers, looks)


class Drawing:
    """A folder's figures being drawn (start_drawing); `finish()` returns what was drawn, in the usual order."""

    def __init__(
        self,
        directory: Path,
        outcomes: Sequence[str] | None,
        helpers: int,
        looks: dict[bytes, bestset.BestSet] | None = None,
    ) -> None:
        self._hold = contextlib.ExitStack()
        self.looks = dict(looks or {})
        self._hold.enter_context(folder_lock.reading(directory, "plot"))
        try:
            self.results = load_results(directory, "plot", SWEEP_KINDS)
            check_file_place(self.results.figures_dir / INDEX)  # before drawing: a blocked index would half-change
            self.outcomes = choose_outcomes(self.results, outcomes)
            factors = range(len(self.results.factors))
            self.jobs = [*SINGLE_FIGURES, "sensitivity", *(f"{_EFFECTS_JOB}{i}" for i in factors)]
            self.pending: list[tuple[int, Future[tuple[int, list[Drawn]]]]] = []
            if helpers > 0:
                self._start_helpers(directory, min(helpers, len(self.jobs) - 1))
        except BaseException:
            self._hold.close()
            raise

    def _start_helpers(self, directory: Path, helpers: int) -> None:
        """A local pool of `helpers` processes, every job queued, the slowest first (helpers take from the front)."""
        from tracktwo.experiments.engine.executors import ProcessExecutor

        def weight(index: int) -> int:
            name = self.jobs[index]
            return next((i for i, heavy in enumerate(_HEAVY_FIRST) if name.startswith(heavy)), len(_HEAVY_FIRST))

        pool = self._hold.enter_context(ProcessExecutor(helpers)).pool
        for index in sorted(range(len(self.jobs)), key=weight):
            payload = (str(directory), tuple(self.outcomes), index, self.jobs[index], self.looks)
            self.pending.append((index, pool.submit(_draw_job, payload)))

    def finish(self) -> list[Drawn]:
        """Draw here what no helper has begun (the quickest first), collect the rest, write figures.json."""
        with self._hold:
            summaries = Summaries(self.results, self.looks)
            found: dict[int, list[Drawn]] = {}
            if not self.pending:  # no helpers: every figure here, in order
                found = {i: _draw(job, self.results, summaries, self.outcomes) for i, job in enumerate(self.jobs)}
            waiting = []
            for index, future in reversed(self.pending):
                if future.cancel():  # not begun by a helper: drawn here
                    found[index] = _draw(self.jobs[index], self.results, summaries, self.outcomes)
                else:
                    waiting.append(future)
            for future in waiting:
                index, made = future.result()
                found[index] = made
            drawn = [made for index in range(len(self.jobs)) for made in found[index]]
            _write_index(self.results.figures_dir, drawn)
            return drawn


def _draw(job: str, results: ResultsFolder, summaries: Summaries, outcomes: list[str]) -> list[Drawn]:
    """The figures of one job: a single figure by its function's name, the sensitivity figures, or one factor's."""
    if job == "sensitivity":
        return sensitivity_figures(results)
    if job.startswith(_EFFECTS_JOB):
        return effects(results, summaries, outcomes, only=int(job.removeprefix(_EFFECTS_JOB)))
    made = globals()[job](results, summaries)
    return [] if made is None else [made]


_LOADED: dict[tuple[str, tuple[str, ...]], tuple[ResultsFolder, Summaries]] = {}  # in a helper process


def _draw_job(payload: tuple[str, tuple[str, ...], int, str, dict[bytes, Any]]) -> tuple[int, list[Drawn]]:
    """In a helper process: one job's figures, the folder read once per process (and its summaries shared)."""
    directory, outcomes, index, job, looks = payload
    key = (directory, outcomes)
    if key not in _LOADED:
        _LOADED.clear()
        results = load_results(directory)
        _LOADED[key] = (results, Summaries(results, looks))
    results, summaries = _LOADED[key]
    return index, _draw(job, results, summaries, list(outcomes))


def choose_outcomes(results: ResultsFolder, outcomes: Sequence[str] | None) -> list[str]:
    """The outcomes to draw against each factor: those asked for (checked), else the metric and key outcomes."""
    if outcomes:
        if list(outcomes) == ["all"]:
            return list(results.outcomes)
        unknown = [o for o in outcomes if o not in results.outcomes]
        if unknown:
            raise ConfigError(
                f"--outcomes: {', '.join(unknown)} not in {results.directory}/runs.parquet; "
                f"outcomes: {', '.join(results.outcomes)}"
            )
        return list(dict.fromkeys(outcomes))
    metric = [results.metric["name"]] if results.metric else []
    analysed = _sensitivity_info(results).get("outcomes", [])  # a sensitivity analysis: its own outcomes first
    chosen = [o for o in dict.fromkeys([*metric, *analysed, *KEY_OUTCOMES]) if o in results.outcomes]
    return chosen[:PANELS_PER_FIGURE]


def _write_index(directory: Path, drawn: list[Drawn]) -> None:
    """figures.json lists this drawing's figures; files an earlier drawing listed and this one did not are removed."""
    index = directory / INDEX
    current = {name for d in drawn for name in d.files}
    for entry in read_index(directory):
        for name in entry.files:
            plain = isinstance(name, str) and Path(name).name == name and not name.startswith(".")
            if plain and name not in current:  # a damaged index never names a file outside the figures
                (directory / name).unlink(missing_ok=True)
    directory.mkdir(parents=True, exist_ok=True)
    write_json(index, [asdict(d) for d in drawn])


def read_index(directory: Path) -> list[Drawn]:
    """The figures a drawing listed in DIR/figures/figures.json (empty if none, or if it is damaged)."""
    index = directory / INDEX
    if not index.is_file():
        return []
    try:
        entries = json.loads(index.read_text(encoding="utf-8"))
        return [Drawn(e["stem"], e["title"], e["caption"], tuple(e["panels"]), tuple(e["files"])) for e in entries]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []  # a damaged index: the figures are drawn again


def _save(
    figure: plt.Figure, results: ResultsFolder, stem: str, title: str, caption: str, panels: Sequence[str]
) -> Drawn:
    paths = save(figure, results.figures_dir, stem)
    return Drawn(stem, title, caption, tuple(panels), tuple(p.name for p in paths))


def _theme() -> None:
    sns.set_theme(style="whitegrid", context="talk", palette=PALETTE)


def _wrap(text: str, width: int = TITLE_WIDTH) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", key)


def _interval_note(results: ResultsFolder) -> str:
    """How the intervals were made: a bootstrap needs enough runs per point, a share of runs uses Wilson."""
    counts = results.runs.groupby("point").size() if len(results.runs) else pd.Series([results.replicates])
    runs = int(counts.min())
    means = "bootstrap" if runs >= stats.MIN_BOOTSTRAP_N else "Student t (too few runs for a bootstrap)"
    many = f"{runs}" if runs == int(counts.max()) else f"{runs} to {int(counts.max())}"
    return f"{many} runs per point; intervals: {CONFIDENCE:.0%}, {means} for means, Wilson for shares of runs."


def _y_axis(axis: plt.Axes, binary: bool) -> None:
    if binary:
        axis.set_ylim(-0.03, 1.03)
        axis.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))


def _outcome_title(summaries: Summaries, outcome: str) -> str:
    label = labels.outcome_label(outcome)
    return f"{label} (share of runs)" if summaries.binary(outcome) else label


# Every sweep: outcomes against each factor ---------------------------------------------------


def effects(results: ResultsFolder, summaries: Summaries, outcomes: list[str], only: int | None = None) -> list[Drawn]:
    """One figure per factor (more if there are many outcomes), a panel per outcome.

    Each panel shows each point's estimate with its replicate interval. `only`: the figures of that
    factor (by its index in `results.factors`) alone.
    """
    drawn = []
    groups = [outcomes[i : i + PANELS_PER_FIGURE] for i in range(0, len(outcomes), PANELS_PER_FIGURE)]
    for factor in results.factors if only is None else results.factors[only : only + 1]:
        others = [f for f in results.factors if f is not factor]
        hue = others[0] if len(others) == 1 and len(others[0].levels) <= MAX_HUE_LEVELS else None
        marginal = bool(others) and hue is None
        for part, group in enumerate(groups, start=1):
            stem = f"effect_{_slug(factor.key)}" + (f"_{part}" if part > 1 else "")
            drawn.append(_effect_figure(results, summaries, factor, hue, marginal, group, stem))
    return drawn


def _positions(factor: Factor, values: pd.Series) -> np.ndarray:
    """Where a factor's values go on the x axis: the values themselves if numeric, else level order."""
    if factor.numeric:
        return values.to_numpy(float)
    order = {str(level): i for i, level in enumerate(factor.levels)}
    return values.astype(str).map(order).to_numpy(float)


def _set_ticks(axis: plt.Axes, factor: Factor, results: ResultsFolder) -> None:
    if factor.numeric and not factor.continuous:
        axis.set_xticks([float(v) for v in factor.levels])
    elif not factor.numeric:
        axis.set_xticks(range(len(factor.levels)))
    if factor.continuous:
        return
    rows = results.points.drop_duplicates(factor.key)
    ticks = [factor.tick(rows[rows[factor.key] == level].iloc[0]) for level in factor.levels]
    rotate = sum(len(t) for t in ticks) > 40
    axis.set_xticklabels(
        [_wrap(t, 14) for t in ticks],
        rotation=30 if rotate else 0,
        ha="right" if rotate else "center",
        fontsize="small",
    )


def _effect_figure(
    results: ResultsFolder,
    summaries: Summaries,
    factor: Factor,
    hue: Factor | None,
    marginal: bool,
    outcomes: list[str],
    stem: str,
) -> Drawn:
    """Each outcome against one swept parameter (a panel each), by `hue`'s levels or over the others."""
    _theme()
    columns = min(PANEL_COLUMNS, len(outcomes))
    rows = math.ceil(len(outcomes) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(6.4 * columns, 5.2 * rows + 1.2), squeeze=False)
    titles = [
        _effect_panel(axis, results, summaries, factor, hue, marginal, outcome)
        for axis, outcome in zip(axes.flat, outcomes, strict=False)
    ]
    for axis in list(axes.flat)[len(outcomes) :]:
        axis.set_visible(False)
    for axis in axes[-1]:
        axis.set_xlabel(_wrap(factor.label, 40))
    handles, names = axes.flat[0].get_legend_handles_labels()
    if handles:
        figure.legend(
            handles,
            names,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.965),
            ncol=min(len(handles), 4),
            frameon=False,
            fontsize="small",
            title=hue.label if hue else None,
            title_fontsize="small",
        )
    title = f"Outcomes by {factor.label[0].lower()}{factor.label[1:]}"
    figure.suptitle(_wrap(title, 90), y=0.995, fontsize="large")
    note = _effect_note(results, factor, marginal)
    figure.text(0.99, 0.003, note, ha="right", va="bottom", fontsize=11, color="0.35")
    figures.tidy(figure, rect=(0, 0.02, 1, 0.94 if handles else 0.96))
    caption = f"Each key outcome against {factor.label.lower()}. {note}"
    return _save(figure, results, stem, title, caption, titles)


def _effect_note(results: ResultsFolder, factor: Factor, marginal: bool) -> str:
    """What an effect figure's marks are: the intervals, or the dots and the binned trend."""
    if factor.continuous:
        return (
            f"Dots: each point's mean of {results.replicates} runs. Black: mean of all runs in each of {TREND_BINS} "
            f"equal-count bins of the parameter, with its {CONFIDENCE:.0%} interval."
        )
    note = _interval_note(results)
    return note + " Black: mean over the other swept parameters." if marginal else note


def _effect_panel(
    axis: plt.Axes,
    results: ResultsFolder,
    summaries: Summaries,
    factor: Factor,
    hue: Factor | None,
    marginal: bool,
    outcome: str,
) -> str:
    """One outcome's panel: each hue level's points (or each point), the trend or the mean; returns its title."""
    summary = summaries(outcome).dropna(subset=["estimate"])
    groups = [(None, summary)] if hue is None else [(level, summary[summary[hue.key] == level]) for level in hue.levels]
    colours = sns.color_palette(PALETTE, max(1, len(hue.levels) if hue else 1))
    width = _jitter_width(factor)
    for index, (level, part) in enumerate(groups):
        offsets = (index - (len(groups) - 1) / 2) * width
        x = _positions(factor, part[factor.key]) + (0 if factor.continuous else offsets)
        order = np.argsort(x, kind="stable")
        x, part = x[order], part.iloc[order]
        label = None if level is None else hue.tick(part.iloc[0]) if len(part) else str(level)
        _effect_group(axis, factor, marginal, x, part, index, colours[index], label, width)
    if factor.continuous:
        _binned_trend(axis, results.runs, factor.key, outcome)
    elif marginal:
        means = summary.groupby(factor.key)["estimate"].mean()
        axis.plot(
            _positions(factor, means.index.to_series()),
            means.to_numpy(),
            color="black",
            lw=2.5,
            marker="D",
            ms=8,
            label="Mean over the other parameters",
        )
    title = _outcome_title(summaries, outcome)
    axis.set_title(_wrap(title), fontsize="medium")
    axis.set_xlabel("")
    _y_axis(axis, summaries.binary(outcome))
    _set_ticks(axis, factor, results)
    if labels.is_share(factor.key) and factor.numeric:
        axis.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    return title


def _effect_group(
    axis: plt.Axes,
    factor: Factor,
    marginal: bool,
    x: np.ndarray,
    part: pd.DataFrame,
    index: int,
    colour: Any,
    label: str | None,
    width: float,
) -> None:
    """One hue level's estimates on a panel: dots (continuous), each sweep point (marginal), or a line/bars."""
    error = np.vstack([part["estimate"] - part["low"], part["high"] - part["estimate"]]).clip(min=0)
    if factor.continuous:
        few = len(part) <= FEW_POINTS
        axis.scatter(
            x,
            part["estimate"],
            s=45 if few else 12,
            color=colour,
            alpha=0.7 if few else 0.35,
            lw=0,
            label="Each point's mean" if index == 0 else None,
        )
    elif marginal:
        axis.errorbar(
            x + _spread(part.index.to_numpy(), width),
            part["estimate"],
            yerr=np.nan_to_num(error),
            fmt="o",
            ms=5,
            color=colour,
            alpha=0.45,
            elinewidth=1,
            capsize=0,
            label="Each point of the sweep" if index == 0 else None,
        )
    elif factor.numeric and len(x) > 1:
        axis.fill_between(x, part["low"], part["high"], color=colour, alpha=0.2, lw=0)
        axis.plot(x, part["estimate"], color=colour, lw=2.5, marker="o", ms=8, label=label)
    else:
        axis.errorbar(
            x,
            part["estimate"],
            yerr=np.nan_to_num(error),
            fmt="o",
            ms=10,
            color=colour,
            elinewidth=2.5,
            capsize=6,
            label=label,
        )


def _binned_trend(axis: plt.Axes, runs: pd.DataFrame, key: str, outcome: str) -> None:
    """The mean of the runs in equal-count bins of a continuous parameter, with each bin's interval."""
    bins = pd.qcut(runs[key], TREND_BINS, duplicates="drop")
    rows = []
    binary = stats.is_binary(runs[outcome])
    for _, group in runs.groupby(bins, observed=True):
        interval = stats.point_interval(group[outcome].to_numpy(float), binary=binary)
        rows.append((float(group[key].median()), interval.estimate, interval.low, interval.high))
    if not rows:
        return
    x, estimate, low, high = (np.array(v, dtype=float) for v in zip(*rows, strict=True))
    axis.fill_between(x, low, high, color="black", alpha=0.15, lw=0)
    axis.plot(x, estimate, color="black", lw=2.5, marker="D", ms=7, label="Mean of the runs in each bin")


def _spread(points: np.ndarray, width: float) -> np.ndarray:
    """A fixed horizontal offset per point (by its index), so points at one level do not hide each other."""
    return ((points * 0.618034) % 1.0 - 0.5) * 2 * width


def _jitter_width(factor: Factor) -> float:
    if not factor.numeric:
        return 0.12
    levels = np.array(factor.levels, dtype=float)
    spacing = np.diff(np.sort(levels)).min() if levels.size > 1 else 1.0
    return 0.12 * spacing


# A swept mix: the simplex ---------------------------------------------------------------------


def _mix_columns(results: ResultsFolder) -> list[str]:
    varying = [c for f in results.factors for c in f.columns]
    return [c for c in results.swept if c.startswith("workshops.mix.") and c in varying]


def mix_simplex(results: ResultsFolder, summaries: Summaries) -> Drawn | None:
    """The metric, impact and P(an idea entered Track One) over every mix: heatmaps over two shares, by a fourth."""
    kinds = _mix_columns(results)
    non_mix = [f for f in results.factors if not all(c.startswith("workshops.mix.") for c in f.columns)]
    if len(kinds) < 3 or len(kinds) > 4 or non_mix:
        return None
    outcomes = [
        o
        for o in dict.fromkeys([*([results.metric["name"]] if results.metric else []), *SIMPLEX_OUTCOMES])
        if o in results.outcomes
    ]
    facet_key = next((k for k in kinds if k.endswith(".official")), kinds[-1]) if len(kinds) == 4 else None
    x_key, y_key = [k for k in kinds if k != facet_key][:2]
    rest_key = next(k for k in kinds if k not in (x_key, y_key, facet_key))
    facets = sorted(results.points[facet_key].unique()) if facet_key else [None]
    grid = _is_grid(results.points[[x_key, y_key]])
    _theme()
    figure = plt.figure(figsize=(4.3 * len(facets) + 2.6, 5.0 * len(outcomes) + 1.4), layout="constrained")
    rows = figure.subfigures(len(outcomes), 1, squeeze=False)[:, 0]
    cmap = sns.color_palette("cividis", as_cmap=True)
    panels = []
    for row, (subfigure, outcome) in enumerate(zip(rows, outcomes, strict=True)):
        summary = summaries(outcome)
        binary = summaries.binary(outcome)
        finite = summary["estimate"].dropna()
        low, high = (0.0, 1.0) if binary else (float(finite.min()), float(finite.max()))
        goal = results.metric["goal"] if results.metric and results.metric["name"] == outcome else "maximize"
        best = (finite.idxmin() if goal == "minimize" else finite.idxmax()) if len(finite) else None
        contenders = _contenders(summary, best, goal)
        if results.metric and outcome == results.metric["name"] and len(finite) > 1:
            chosen = _best_set_points(results, summaries.looks)
            contenders = chosen - {best} if best in chosen else contenders
        axes = subfigure.subplots(1, len(facets), squeeze=False)[0]
        subfigure.suptitle(_outcome_title(summaries, outcome), fontsize="large", fontweight="bold")
        for column, (axis, facet) in enumerate(zip(axes, facets, strict=True)):
            part = summary if facet is None else summary[np.isclose(summary[facet_key], facet)]
            image = _simplex_panel(axis, part, x_key, y_key, low, high, cmap, grid, binary, best, contenders)
            facet_title = "" if facet is None else f"{labels.value_label(facet_key, facet)} {_kind_word(facet_key)}"
            panels.append(
                f"{labels.outcome_label(outcome)}: {facet_title}" if facet_title else labels.outcome_label(outcome)
            )
            axis.set_title(facet_title, fontsize="medium")
            axis.set_xlabel(
                _wrap(labels.parameter_label(x_key), 22) if row == len(outcomes) - 1 else "", fontsize="small"
            )
            axis.set_ylabel(_wrap(labels.parameter_label(y_key), 22) if column == 0 else "", fontsize="small")
        bar = subfigure.colorbar(image, ax=list(axes), fraction=0.03, pad=0.01, shrink=0.9)
        if binary:
            bar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    rest = _kind_word(rest_key)
    title = "Which workshop mix gets ideas into Track One?"
    figure.suptitle(title, fontsize="x-large")
    note = (
        f"{rest.capitalize()} take the seats left. ★ best mix; ○ (top row) the other mixes in the best set "
        f"(not told apart from the best, paired-bootstrap MCB), (other rows) mixes whose {CONFIDENCE:.0%} interval "
        f"overlaps the best's. {_interval_note(results)}"
    )
    figure.text(0.5, -0.01, _wrap(note, 160), ha="center", va="top", fontsize=12, color="0.35")
    caption = (
        f"Each cell is a mix of seats; {rest} take the seats left. Stars mark the best mix; circles, for the "
        "metric, the other mixes in the best set (not told apart from the best by paired-bootstrap MCB), for "
        f"other outcomes the mixes whose {CONFIDENCE:.0%} intervals overlap the best's. {_interval_note(results)}"
    )
    return _save(figure, results, "mix_simplex", title, caption, panels)


BEST_SET_ROWS = 40  # points drawn in the best-set figure, best first


def best_set(results: ResultsFolder, summaries: Summaries) -> Drawn | None:
    """Each point's difference to the best (paired when the sweep is) with its interval; the best set marked."""
    if not results.metric or results.runs["point"].nunique() < 2:
        return None
    metric, goal = results.metric["name"], results.metric["goal"]
    table = rank_points(results.every_run, results.swept, metric, goal, design=results.sweep, looks=summaries.looks)
    table = table.dropna(subset=["estimate"])
    shown = table.head(BEST_SET_ROWS).iloc[::-1]
    _theme()
    lines = max(len(_wrap(_compact_point(results, shown, row), 48).splitlines()) for row in shown.index)
    figure, axis = plt.subplots(figsize=(13, 2.2 + 0.3 * lines * len(shown)), layout="constrained")
    y = np.arange(len(shown))
    inside = shown["in_best_set"].to_numpy(bool)
    blue = sns.color_palette(PALETTE)[0]
    colours = [blue if v else "0.55" for v in inside]
    error = np.vstack([shown["difference"] - shown["difference_low"], shown["difference_high"] - shown["difference"]])
    error = np.nan_to_num(error.clip(min=0))
    for row, colour in enumerate(colours):
        axis.errorbar(
            shown["difference"].iloc[row], y[row], xerr=error[:, row : row + 1], fmt="o" if inside[row] else "s",
            color=colour, ms=8, lw=2, capsize=3,
        )  # fmt: skip
    axis.axvline(0, color="black", lw=1)
    axis.set_yticks(y)
    axis.set_yticklabels([_wrap(_compact_point(results, shown, row), 48) for row in shown.index], fontsize="x-small")
    label = labels.outcome_label(metric)
    axis.set_xlabel(_wrap(f"{label}: difference to the best point ({CONFIDENCE:.0%} CI)", 70), fontsize="small")
    paired = "paired on seeds" if bestset.is_paired(results.runs) else "unpaired"
    inside_count = int(table["in_best_set"].sum())
    title = f"The best set: {inside_count} point{'s' if inside_count != 1 else ''} not told apart from the best"
    axis.set_title(_wrap(title, 70), fontsize="medium")
    caption = (
        f"Each point's mean {label.lower()} minus the best point's, {paired}, with a {CONFIDENCE:.0%} bootstrap "
        "interval. Blue circles: the best set, the points that cannot be told apart from the best at "
        f"{results.sweep.get('confidence') or CONFIDENCE:.0%} confidence (paired-bootstrap MCB); grey squares: "
        f"the rest. {_interval_note(results)}"
    )
    return _save(figure, results, "best_set", title, caption, [title])


ROBUST_ROWS = 20  # lever points drawn in the robustness figure, most robust first


def robust_figure(results: ResultsFolder, summaries: Summaries) -> Drawn | None:
    """Each lever point in each scenario of what the model cannot know: median, 10th percentile, best-set share."""
    del summaries
    from tracktwo.experiments.analysis import robust

    sweep = results.sweep
    if not results.metric or not sweep.get("uncertain") or results.scenario_runs is None:
        return None
    uncertain = list(sweep["uncertain"])
    found = robust.robustness(
        results.scenario_runs,
        results.swept,
        uncertain,
        results.metric["name"],
        results.metric["goal"],
        float(sweep.get("confidence") or CONFIDENCE),
        float(sweep.get("indifference") or 0.0),
    )
    table = found.table.head(ROBUST_ROWS).iloc[::-1].reset_index(drop=True)
    cells = found.cells
    _theme()
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(15, 2.4 + 0.42 * len(table)), width_ratios=[3, 1], sharey=True, layout="constrained"
    )
    label = labels.outcome_label(results.metric["name"])
    palette = sns.color_palette(PALETTE)
    for row, lever in enumerate(table["lever"]):
        part = cells[cells["lever"] == lever]
        inside = part["in_best_set"].to_numpy(bool)
        first = row == 0
        left.scatter(part["mean"][inside], np.full(inside.sum(), row), s=36, color=palette[0], zorder=3,
                     label="a scenario: in its best set" if first else None)  # fmt: skip
        left.scatter(part["mean"][~inside], np.full((~inside).sum(), row), s=36, facecolors="none",
                     edgecolors=palette[1], zorder=3, label="a scenario: not in it" if first else None)  # fmt: skip
    left.scatter(table["median"], range(len(table)), marker="|", s=400, color="black", zorder=4, label="median")
    left.scatter(table["p10"], range(len(table)), marker="<", s=70, color=palette[2], zorder=4,
                 label="10th percentile" if results.metric["goal"] == "maximize" else "90th percentile")  # fmt: skip
    names = [_wrap(_compact_point(results, table, row), 40) for row in table.index]
    left.set_yticks(range(len(table)))
    left.set_yticklabels(names, fontsize="x-small")
    left.set_xlabel(_wrap(f"{label}: mean in each scenario", 60), fontsize="small")
    left.legend(fontsize="x-small", loc="lower right")
    right.barh(range(len(table)), table["share_best_set"], color=palette[0])
    right.set_xlim(0, 1)
    right.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    right.set_xlabel("scenarios in whose best set it is", fontsize="small")
    title = f"Across {found.scenarios} scenarios of what the model cannot know"
    figure.suptitle(_wrap(title, 80), fontsize="medium")
    ranges = "; ".join(f"{k.rsplit('.', 1)[-1]} {lo:g} to {hi:g}" for k, (lo, hi) in sweep["uncertain"].items())
    caption = (
        f"Each lever point's mean {label.lower()} in each Latin-hypercube scenario ({ranges}), filled where it is "
        f"in that scenario's best set (MCB within the scenario at {sweep.get('confidence') or CONFIDENCE:.0%}, "
        "variances pooled over scenarios); the median and 10th percentile over scenarios; right: the share of "
        f"scenarios in whose best set it is. Most robust first (robust.csv). {found.flips}"
    )
    return _save(figure, results, "robustness", title, caption, [title])


def _compact_point(results: ResultsFolder, table: pd.DataFrame, row: Any) -> str:
    """'grassroots 50%, official 50%': the values that vary across the sweep, by the last part of their key."""
    varying = [c for c in results.swept if c in table and len(table[c].astype(str).unique()) > 1] or list(results.swept)
    parts = []
    for key in varying:
        value = table.loc[row, key]
        if isinstance(value, float) and math.isnan(value):
            continue
        parts.append(f"{key.rsplit('.', 1)[-1]} {labels.value_label(key, value)}")
    return ", ".join(parts) or results.describe(int(table.loc[row, "point"]))


def _kind_word(key: str) -> str:
    return labels.KIND_LABELS.get(key.rsplit(".", 1)[1], key.rsplit(".", 1)[1])


def _is_grid(values: pd.DataFrame) -> bool:
    return all(values[c].nunique() <= 11 for c in values)


def _best_set_points(results: ResultsFolder, looks: dict[bytes, bestset.BestSet] | None = None) -> set[int]:
    """The points in the metric's best set (paired-bootstrap MCB, or the sequential procedure's survivors)."""
    metric = results.metric or {}
    points, inside, _ = best_set_of(results.every_run, metric["name"], metric["goal"], results.sweep, looks)
    return {p for p, v in zip(points, inside, strict=True) if v}


def _contenders(summary: pd.DataFrame, best: Any, goal: str) -> set[Any]:
    """Points whose interval overlaps the best point's (not clearly worse than it)."""
    if best is None:
        return set()
    low, high = summary.loc[best, ["low", "high"]]
    overlap = summary["low"] <= high if goal == "minimize" else summary["high"] >= low
    return set(summary.index[overlap.fillna(False)]) - {best}


def _simplex_panel(
    axis: plt.Axes,
    part: pd.DataFrame,
    x_key: str,
    y_key: str,
    low: float,
    high: float,
    cmap: Any,
    grid: bool,
    binary: bool,
    best: Any,
    contenders: set[Any],
) -> Any:
    """One facet: a cell (or dot) per mix, coloured by the estimate, annotated on a grid."""
    span = max(high - low, 1e-12)
    size = 0.25
    if grid and len(part):
        steps = np.diff(np.unique(np.concatenate([part[x_key].to_numpy(float), part[y_key].to_numpy(float)])))
        size = float(steps.min()) if steps.size else 0.25
    image = axis.scatter(
        part[x_key], part[y_key], c=part["estimate"], cmap=cmap, vmin=low, vmax=high, marker="s", s=0 if grid else 60
    )
    for point, row in part.iterrows():
        x, y, value = float(row[x_key]), float(row[y_key]), row["estimate"]
        if grid:
            colour = cmap((value - low) / span) if np.isfinite(value) else (0.9, 0.9, 0.9, 1)
            axis.add_patch(plt.Rectangle((x - size / 2, y - size / 2), size, size, color=colour, lw=0))
            if np.isfinite(value):
                text = f"{value:.0%}" if binary else f"{value:.2g}"
                shade = "white" if (value - low) / span < 0.55 else "black"
                axis.text(x, y - size * 0.2, text, ha="center", va="center", fontsize=14, color=shade)
        if point == best:
            axis.plot(
                x,
                y + (size * 0.2 if grid else 0),
                marker="*",
                ms=20,
                color="#e41a1c" if not grid else "white",
                mec="black",
                mew=1.5,
                zorder=5,
            )
        elif point in contenders:
            axis.plot(
                x,
                y + (size * 0.2 if grid else 0),
                marker="o",
                ms=9,
                mfc="none",
                mec="white" if grid else "black",
                mew=2,
                zorder=5,
            )
    edge = size / 2 if grid else 0.05
    axis.set_xlim(-edge, 1 + edge)
    axis.set_ylim(-edge, 1 + edge)
    axis.set_aspect("equal")
    axis.grid(False)
    axis.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    axis.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    axis.set_xticks([0, 0.5, 1])
    axis.set_yticks([0, 0.5, 1])
    axis.tick_params(labelsize="small")
    return image


# The autonomous share alone: the Autonomy Dilemma frontier ------------------------------------


def dilemma_frontier(results: ResultsFolder, summaries: Summaries) -> Drawn | None:
    """Novelty and transfer rate against the autonomous share, impact below, the best share marked."""
    needed = ("mean_novelty_generated", "transfer_rate", "impact")
    if (
        len(results.factors) != 1
        or FRONTIER_KEY not in results.factors[0].columns
        or not all(c.startswith("workshops.mix.") for c in results.factors[0].columns)
        or len(results.factors[0].levels) < 3
        or not all(o in results.outcomes for o in needed)
    ):
        return None
    rows = []
    for outcome in needed:
        summary = summaries(outcome)
        for _, row in summary.iterrows():
            rows.append(
                {
                    "autonomous_share": float(row[FRONTIER_KEY]),
                    "outcome": outcome,
                    "n": row["n"],
                    "mean": row["estimate"],
                    "ci_low": row["low"],
                    "ci_high": row["high"],
                }
            )
    frame = pd.DataFrame(rows)
    means = "bootstrap" if results.replicates >= stats.MIN_BOOTSTRAP_N else "Student t"
    note = (
        f"Means of {results.replicates} runs per mix, {results.steps} months each; "
        f"bands: {CONFIDENCE:.0%} {means} intervals."
    )
    figure = figures.frontier_figure(frame, results.replicates, results.steps or 0, note=note)
    panels = [axis.get_title(loc="left") or axis.get_title() for axis in figure.axes]
    title = "The Autonomy Dilemma frontier"
    share, _, interior = optimum(frame)
    where = f"peaks at {share:.0%} autonomous thinkers" if interior else f"is highest at {share:.0%} (no interior peak)"
    caption = (
        f"Novelty of the ideas generated and the share entering Track One against the share of autonomous "
        f"thinkers (influential elites take the other seats); impact {where}. {note}"
    )
    return _save(figure, results, "dilemma_frontier", title, caption, panels)


# Time series ----------------------------------------------------------------------------------


def _chosen_points(results: ResultsFolder, summaries: Summaries) -> list[tuple[str, int]]:
    points = list(results.points.index)
    if len(points) == 1:
        return [("", points[0])]
    if results.metric:
        estimates = summaries(results.metric["name"])["estimate"].dropna()
        if len(estimates) >= 2:
            best = estimates.idxmin() if results.metric["goal"] == "minimize" else estimates.idxmax()
            worst = estimates.idxmax() if results.metric["goal"] == "minimize" else estimates.idxmin()
            if best != worst:
                return [("Best", int(best)), ("Worst", int(worst))]
    return [("First point", points[0]), ("Last point", points[-1])]


def timeseries(results: ResultsFolder, summaries: Summaries) -> Drawn | None:
    """Ideas held by track, ripe moments and ideas entered over time: median and 10-90% bands over replicates."""
    series = results.timeseries
    if series is None or series.empty:
        return None
    chosen = _chosen_points(results, summaries)
    finished = results.runs[["point", "replicate"]]
    series = series.merge(finished, on=["point", "replicate"])
    _theme()
    colours = sns.color_palette(PALETTE, len(TRACK_LABELS))
    figure, axes = plt.subplots(
        3, len(chosen), figsize=(9.5 * len(chosen), 14), sharex=True, sharey="row", squeeze=False
    )
    panels = []
    for column, (role, point) in enumerate(chosen):
        data = series[series["point"] == point]
        by_step = data.groupby("step")
        steps = np.array(sorted(data["step"].unique()))
        top, middle, bottom = axes[:, column]
        for colour, (track, label) in zip(colours, TRACK_LABELS.items(), strict=True):
            name = f"ideas_held_{track}"
            if name not in data or data[name].isna().all():
                continue
            _band(top, by_step[name], steps, colour, label)
        ripe = by_step["ripe"].mean().reindex(steps)
        middle.fill_between(steps, 0, ripe.to_numpy(), step="mid", color=figures.RIPE_SHADE, alpha=0.9, lw=0)
        middle.plot(
            steps, ripe.to_numpy(), drawstyle="steps-mid", color="0.25", lw=2, label="Share of runs in a ripe moment"
        )
        _band(bottom, by_step["ideas_transferred"], steps, "black", "Ideas that entered Track One (so far)")
        heading = _wrap(f"{role}: {results.describe(point)}" if role else results.describe(point), 52)
        top.set_title(heading, fontsize="medium")
        panels += [f"{heading}: ideas held", f"{heading}: ripe", f"{heading}: transferred"]
        middle.set_ylim(0, 1.02)
        middle.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        bottom.set_xlabel("Month")
    axes[0, 0].set_ylabel(_wrap("Track Two ideas held per actor", 22))
    axes[1, 0].set_ylabel(_wrap("Runs in a ripe moment", 22))
    axes[2, 0].set_ylabel(_wrap("Ideas that entered Track One", 22))
    handles, names = axes[0, 0].get_legend_handles_labels()
    figure.legend(
        handles, names, loc="upper center", bbox_to_anchor=(0.5, 0.955), ncol=2, frameon=False, fontsize="small"
    )
    title = "How ideas travelled over time"
    figure.suptitle(title, y=0.995, fontsize="large")
    note = (
        f"Lines: median of {results.replicates} runs; bands: the middle {BAND[1] - BAND[0]:.0%} of runs; "
        "middle row: share of runs in which Track One was ripe."
    )
    figure.text(0.99, 0.003, note, ha="right", va="bottom", fontsize=11, color="0.35")
    figures.tidy(figure, rect=(0, 0.02, 1, 0.9))
    which = " and ".join(f"the {role.lower()} point" if role else "the point" for role, _ in chosen)
    caption = (
        f"Over time, for {which}"
        + (f" by {labels.outcome_label(results.metric['name']).lower()}. " if results.metric else ". ")
        + note
    )
    return _save(figure, results, "timeseries", title, caption, panels)


def _band(axis: plt.Axes, grouped: Any, steps: np.ndarray, colour: Any, label: str) -> None:
    quantiles = pd.DataFrame({q: grouped.quantile(q) for q in (BAND[0], 0.5, BAND[1])}).reindex(steps)
    axis.fill_between(steps, quantiles[BAND[0]], quantiles[BAND[1]], color=colour, alpha=0.2, lw=0)
    axis.plot(steps, quantiles[0.5], color=colour, lw=2.5, label=label)


# Transfer pathways ----------------------------------------------------------------------------


def pathways(results: ResultsFolder, summaries: Summaries) -> Drawn | None:
    """The share of ideas entering Track One by route, for each point (the best points if there are many)."""
    columns = [f"transfers_{route}" for route in ROUTES if f"transfers_{route}" in results.runs]
    if not columns:
        return None
    totals = results.runs.groupby("point")[columns].sum()
    totals = totals[totals.sum(axis=1) > 0]
    if totals.empty:
        return None
    used = [c for c in columns if totals[c].sum() > 0]
    order = _pathway_order(results, summaries, totals.index)
    continuous = any(f.continuous for f in results.factors)  # one bar per sampled point would be noise: pool them
    shown = [] if continuous else order[:MAX_PATHWAY_ROWS]
    pooled = results.runs[columns].sum()
    table = pd.concat([totals.loc[shown, used], pooled[used].to_frame("All runs").T])
    shares = table.div(table.sum(axis=1), axis=0)
    names = [_wrap(results.describe(p), 46) for p in shown] + ["All runs in the sweep"]
    _theme()
    colours = dict(zip(columns, sns.color_palette(PALETTE, len(columns)), strict=True))
    height = max(4.5, 0.75 * len(names) + 2.5)
    figure, axis = plt.subplots(figsize=(15, height))
    left = np.zeros(len(shares))
    positions = np.arange(len(shares))[::-1]
    for column in used:
        values = shares[column].to_numpy()
        axis.barh(
            positions,
            values,
            left=left,
            color=colours[column],
            height=0.7,
            label=labels.ROUTE_LABELS[column.removeprefix("transfers_")],
        )
        for y, start, value in zip(positions, left, values, strict=True):
            if value >= 0.08:
                axis.text(
                    start + value / 2,
                    y,
                    f"{value:.0%}",
                    ha="center",
                    va="center",
                    fontsize=12,
                    color="white",
                    fontweight="bold",
                )
        left += values
    counts = table.sum(axis=1).to_numpy()
    for y, count in zip(positions, counts, strict=True):
        axis.text(1.01, y, f"{int(count)} ideas", va="center", fontsize=12, color="0.3")
    axis.set_yticks(positions)
    axis.set_yticklabels(names, fontsize="small")
    axis.set_xlim(0, 1)
    axis.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    axis.set_xlabel("Share of the ideas that entered Track One")
    axis.grid(axis="y", visible=False)
    axis.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12 if len(names) > 3 else -0.25),
        ncol=min(3, len(used)),
        frameon=False,
        fontsize="small",
    )
    title = "How ideas entered Track One"
    more = len(order) - len(shown)
    subtitle = "" if continuous or more <= 0 else f" (the {len(shown)} best points of {len(order)})"
    axis.set_title(title + subtitle, fontsize="large", loc="left")
    figures.tidy(figure)
    per = "all the runs of the sweep" if continuous else f"all {results.replicates} runs of each point{subtitle}"
    caption = (
        "The route by which each idea reached the first official who adopted it, as shares of the ideas that entered "
        f"Track One over {per}; counts on the right."
    )
    return _save(figure, results, "pathways", title, caption, [title, *names])


def _pathway_order(results: ResultsFolder, summaries: Summaries, points: pd.Index) -> list[int]:
    """Points best first by the metric (if any), else in sweep order."""
    if not results.metric:
        return list(points)
    estimates = summaries(results.metric["name"])["estimate"].reindex(points)
    ascending = results.metric["goal"] == "minimize"
    return list(estimates.sort_values(ascending=ascending, na_position="last", kind="stable").index)


# What got in: process and outcome, the agenda -----------------------------------------------

WHAT_GOT_IN_ROWS = 8  # points shown, best first by the metric (else in sweep order)


def what_got_in_points(results: ResultsFolder) -> list[int]:
    """The points whose process influence, outcome transfer and agenda are shown: the best few by the metric."""
    return _pathway_order(results, Summaries(results), results.points.index)[:WHAT_GOT_IN_ROWS]


def what_got_in(results: ResultsFolder, summaries: Summaries) -> Drawn | None:
    """Per point: influence on the process, outcome transfer (with intervals), and the agenda's share per dimension."""
    if not agenda.has_issue_space(results.runs):
        return None
    shown = _pathway_order(results, summaries, results.points.index)[:WHAT_GOT_IN_ROWS]
    table = agenda.what_got_in(results.runs[results.runs["point"].isin(shown)]).set_index("point").loc[shown]
    keys = agenda.dimensions(list(results.runs.columns))
    _theme()
    colours = sns.color_palette(PALETTE, max(len(keys), 3))
    names = [_wrap(results.describe(p), 34) for p in shown]
    lines = max(name.count("\n") + 1 for name in names)
    figure, axes = plt.subplots(
        1, 3, figsize=(20, 2.6 + 0.45 * lines * len(shown)), sharey=True, width_ratios=[1, 1, 1.5], layout="constrained"
    )
    y = np.arange(len(shown))[::-1]
    for axis, name, colour, words in (
        (axes[0], agenda.PROCESS, colours[0], "Influence on the process\n(positions moved without adoption)"),
        (axes[1], agenda.OUTCOME_TRANSFER, colours[1], "Outcome transfer\n(Track Two ideas adopted)"),
    ):
        estimate = table[f"{name}_estimate"].to_numpy(float)
        low, high = table[f"{name}_low"].to_numpy(float), table[f"{name}_high"].to_numpy(float)
        error = np.vstack([estimate - low, high - estimate])
        axis.errorbar(estimate, y, xerr=np.nan_to_num(error.clip(min=0)), fmt="o", color=colour, ms=9, lw=2, capsize=3)
        axis.set_xlim(left=0)
        axis.set_title(words, fontsize="medium")
        axis.set_xlabel("issue-space units per run" if name == agenda.PROCESS else "ideas per run", fontsize="small")
    axes[0].set_yticks(y)
    axes[0].set_yticklabels(names, fontsize="x-small")
    left = np.zeros(len(shown))
    for key, colour in zip(keys, colours, strict=False):
        values = np.nan_to_num(table[f"{agenda.AGENDA_PREFIX}{key}"].to_numpy(float))
        axes[2].barh(y, values, left=left, color=colour, height=0.7, label=key.replace("_", " "))
        for row, (start, value) in enumerate(zip(left, values, strict=True)):
            if value >= 0.12:
                axes[2].text(start + value / 2, y[row], f"{value:.0%}", ha="center", va="center", fontsize=11,
                             color="white", fontweight="bold")  # fmt: skip
        left += values
    for row, total in enumerate(left):
        if total == 0:
            axes[2].text(0.02, y[row], "none adopted", va="center", fontsize=12, color="0.35")
    axes[2].set_xlim(0, 1)
    axes[2].xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    axes[2].set_title("The agenda that entered Track One\n(share of adopted ideas per issue)", fontsize="medium")
    handles, words = axes[2].get_legend_handles_labels()
    figure.legend(handles, words, loc="outside lower right", ncol=len(keys), frameon=False, fontsize="small")
    axes[2].grid(axis="y", visible=False)
    title = "What got in: influence on the process, outcome transfer and the agenda"
    figure.suptitle(title, fontsize="large")
    which = f"the {len(shown)} best points by the metric" if results.metric else f"the first {len(shown)} points"
    caption = (
        f"For {which}: the mean movement of the official positions by Track Two ideas that were not adopted "
        "(influence on the process) beside the mean number of Track Two ideas adopted into Track One (outcome "
        "transfer), with intervals; right: the share of the adopted ideas about each issue, pooled over the point's "
        f"runs (blank: none adopted). {_interval_note(results)}"
    )
    return _save(figure, results, "what_got_in", title, caption, [title, *names])


# A sensitivity analysis -----------------------------------------------------------------------


def _sensitivity_info(results: ResultsFolder) -> dict[str, Any]:
    path = results.directory / SENSITIVITY_INFO
    return read_json_file(path)


def sensitivity_figures(results: ResultsFolder) -> list[Drawn]:
    """A figure per analysed outcome: Sobol indices (S1 and ST) or Morris μ* and σ, parameters ranked, 95% intervals."""
    path = results.directory / SENSITIVITY_TABLE
    if not path.exists():
        return []
    table = read_csv_table(path)
    info = _sensitivity_info(results)
    drawn = []
    for outcome, part in table.groupby("outcome", sort=False):
        drawn.append(_sensitivity_figure(results, outcome, part, info))
    return drawn


def _sensitivity_figure(results: ResultsFolder, outcome: str, part: pd.DataFrame, info: dict[str, Any]) -> Drawn:
    sobol = "ST" in part
    key = "ST" if sobol else "mu_star"
    part = part.sort_values(key, ascending=True, kind="stable")  # barh draws bottom-up: most influential on top
    _theme()
    colours = sns.color_palette(PALETTE, 4)
    figure, axis = plt.subplots(figsize=(14, max(5.0, 0.55 * len(part) + 2.5)))
    positions = np.arange(len(part))
    names = [_wrap(label, 48) for label in part["label"]]

    def bars(column: str, offset: float, colour: Any, label: str) -> None:
        values = part[column].to_numpy(float)
        error = np.vstack(
            [values - part[f"{column}_low"].to_numpy(float), part[f"{column}_high"].to_numpy(float) - values]
        )
        axis.barh(positions + offset, values, height=0.38, color=colour, label=label)
        axis.errorbar(
            values,
            positions + offset,
            xerr=np.clip(error, 0, None),
            fmt="none",
            ecolor="0.2",
            elinewidth=1.5,
            capsize=3,
        )

    if sobol:
        bars("ST", 0.2, colours[0], "Total-order index ST (with interactions)")
        bars("S1", -0.2, colours[1], "First-order index S1 (alone)")
        axis.set_xlabel("Share of the outcome's variance")
        axis.axvline(0, color="0.3", lw=1)
        what = "Sobol indices"
    else:
        bars("mu_star", 0.0, colours[0], "μ*: mean absolute effect")
        axis.scatter(
            part["sigma"], positions, marker="D", s=60, color=colours[3], zorder=5, label="σ: spread of the effects"
        )
        axis.set_xlabel(f"Effect on {_lower(labels.outcome_label(outcome))} of moving across the range")
        what = "Morris screening"
    axis.set_yticks(positions)
    axis.set_yticklabels(names, fontsize="small")
    axis.grid(axis="y", visible=False)
    axis.legend(loc="lower right", fontsize="small", frameon=True, framealpha=0.9)
    binary = outcome in results.runs and stats.is_binary(results.runs[outcome])
    what_of = f"whether {_lower(labels.outcome_label(outcome))}" if binary else _lower(labels.outcome_label(outcome))
    title = f"What decides {what_of}" if binary else f"What {what_of} depends on"
    axis.set_title(_wrap(f"{title} ({what})", 60), loc="left", fontsize="large")
    runs = info.get("runs", "?")
    note = (
        f"{info.get('points', '?')} points x {info.get('replicates', '?')} runs (common seeds) = {runs} runs; "
        f"bars: {CONFIDENCE:.0%} bootstrap intervals (SALib, {info.get('resamples', '?')} resamples)."
    )
    figure.text(0.99, 0.003, note, ha="right", va="bottom", fontsize=11, color="0.35")
    figures.tidy(figure, rect=(0, 0.03, 1, 1))
    caption = (
        f"{what} of {what_of} over the parameter ranges in the sensitivity file, most influential at the top. {note}"
    )
    return _save(figure, results, f"sensitivity_{_slug(outcome)}", title, caption, [title])


def _lower(text: str) -> str:
    """Lower-case the first letter unless it starts a proper name (Track One, ...)."""
    return text if text.startswith("Track") else text[:1].lower() + text[1:]
