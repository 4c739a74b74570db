"""Figures in the domain's words: colour-blind-safe, readable on a slide, saved as PNG and SVG."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import PercentFormatter
from tracktwo.experiments.analysis.comparison import ProgrammeComparison, better_when
from tracktwo.experiments.analysis.comparison import label as comparison_label
from tracktwo.experiments.analysis.dilemma import CONFIDENCE, optimum
from tracktwo.experiments.design.dilemma import AUTONOMOUS_SHARES, FRONTIER_KEY
from tracktwo.experiments.labels import outcome_label, parameter_label
from tracktwo.experiments.provenance import check_file_place
from tracktwo.model import TRACK_LABELS

__all__ = [
    "FIGURE_DPI",
    "KIND_MARKERS",
    "PALETTE",
    "RIPE_SHADE",
    "actor_map",
    "comparison_figure",
    "frontier_figure",
    "ripe_spans",
    "save",
    "tidy",
    "timeline",
]

PALETTE = "colorblind"
RIPE_SHADE = "#bdbdbd"
FIGURE_DPI = 150


def tidy(figure: plt.Figure, rect: tuple[float, float, float, float] | None = None) -> None:
    """tight_layout without its warning when a crowded figure cannot fit every label (it is drawn as it is)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Tt]ight.?layout", category=UserWarning)
        figure.tight_layout(**({} if rect is None else {"rect": rect}))


def save(figure: plt.Figure, out_dir: Path, stem: str) -> list[Path]:
    """Write figure as stem.png and stem.svg (atomically: written beside, then renamed)."""
    check_file_place(*(out_dir / f"{stem}{suffix}" for suffix in (".png", ".svg")))
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix in (".png", ".svg"):
        final = out_dir / f"{stem}{suffix}"
        partial = out_dir / f".{stem}.partial{suffix}"
        figure.savefig(partial, dpi=FIGURE_DPI, bbox_inches="tight")
        partial.replace(final)
        paths.append(final)
    plt.close(figure)
    return paths


def ripe_spans(ripe: pd.Series, steps: pd.Series) -> list[tuple[float, float]]:
    """[start, end) spans of consecutive ripe steps, for shading."""
    spans, start = [], None
    for step, is_ripe in zip(steps, ripe, strict=True):
        if is_ripe and start is None:
            start = step
        if not is_ripe and start is not None:
            spans.append((start - 0.5, step - 0.5))
            start = None
    if start is not None:
        spans.append((start - 0.5, steps.iloc[-1] + 0.5))
    return spans


def timeline(timeseries: pd.DataFrame, title: str = "How Track Two ideas travelled") -> plt.Figure:
    """Ideas held per actor by track over time, ripe moments shaded, workshops and entries marked."""
    sns.set_theme(style="whitegrid", context="talk", palette=PALETTE)
    figure, axis = plt.subplots(figsize=(12, 6.5))
    for start, end in ripe_spans(timeseries["ripe"].astype(bool), timeseries["step"]):
        axis.axvspan(start, end, color=RIPE_SHADE, alpha=0.45, lw=0)
    for track, label in TRACK_LABELS.items():
        column = f"ideas_held_{track}"
        if column in timeseries and timeseries[column].notna().any():
            axis.plot(timeseries["step"], timeseries[column], label=label, lw=2.5)
    top = max(axis.get_ylim()[1], 1.0)
    workshops = timeseries.loc[timeseries["workshop"] == 1, "step"]
    axis.plot(workshops, [0] * len(workshops), "|", color="0.25", ms=14, mew=2, label="Workshop")
    entries = timeseries.loc[timeseries["new_transfers"] > 0]
    axis.scatter(
        entries["step"],
        [top * 0.97] * len(entries),
        marker="v",
        s=40 + 40 * entries["new_transfers"],
        color="black",
        zorder=5,
        label="Idea entered Track One",
    )
    axis.set_ylim(-0.03 * top, top * 1.03)
    axis.set_xlim(timeseries["step"].min() - 0.5, timeseries["step"].max() + 0.5)
    axis.set_xlabel("Month")
    axis.set_ylabel("Track Two ideas held per actor")
    axis.set_title(title)
    handles, labels = axis.get_legend_handles_labels()
    handles.append(plt.Rectangle((0, 0), 1, 1, color=RIPE_SHADE, alpha=0.45))
    labels.append("Ripe moment in Track One")
    axis.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    tidy(figure)
    return figure


KIND_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h")


def actor_map(actors: pd.DataFrame, sources, targets, highlighted: list[int], title: str, seed: int = 0) -> plt.Figure:
    """The actor network, coloured by kind, sides by marker fill, chosen actors ringed and numbered in order."""
    import networkx as nx

    sns.set_theme(style="white", context="talk")
    graph = nx.Graph()
    graph.add_nodes_from(range(len(actors)))
    graph.add_edges_from(zip(sources.tolist(), targets.tolist(), strict=True))
    position = nx.spring_layout(graph, seed=seed, k=1.5 / max(1, len(actors)) ** 0.5)
    kinds = list(dict.fromkeys(actors.kind))
    colours = dict(zip(kinds, sns.color_palette(PALETTE, len(kinds)), strict=True))
    sides = list(dict.fromkeys(actors.side))
    figure, axis = plt.subplots(figsize=(12, 9))
    nx.draw_networkx_edges(graph, position, ax=axis, alpha=0.25, width=0.8)
    for s_index, side in enumerate(sides):
        for kind in kinds:
            nodes = actors.index[(actors.kind == kind) & (actors.side == side)].tolist()
            filled = s_index == 0
            axis.scatter(
                [position[n][0] for n in nodes],
                [position[n][1] for n in nodes],
                s=120,
                marker=KIND_MARKERS[s_index % len(KIND_MARKERS)],
                facecolors=colours[kind] if filled else "white",
                edgecolors=colours[kind],
                linewidths=2,
                zorder=3,
            )
    for order, node in enumerate(highlighted, start=1):
        x, y = position[node]
        axis.scatter([x], [y], s=520, facecolors="none", edgecolors="black", linewidths=2.5, zorder=4)
        axis.annotate(
            str(order), (x, y), xytext=(9, 9), textcoords="offset points", fontsize=12, fontweight="bold", zorder=5
        )
    handles = [plt.Line2D([], [], marker="o", ls="", color=colours[k], ms=10, label=k.replace("_", " ")) for k in kinds]
    handles += [
        plt.Line2D(
            [],
            [],
            marker=KIND_MARKERS[i % len(KIND_MARKERS)],
            ls="",
            ms=10,
            mfc="0.4" if i == 0 else "white",
            mec="0.4",
            mew=2,
            label=str(side),
        )
        for i, side in enumerate(sides)
    ]
    handles.append(
        plt.Line2D([], [], marker="o", ls="", ms=16, mfc="none", mec="black", mew=2.5, label="Invited (in order)")
    )
    axis.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    axis.set_title(title)
    axis.set_axis_off()
    tidy(figure)
    return figure


# Comparing programmes ------------------------------------------------------------------------


def comparison_figure(comparison: ProgrammeComparison, title: str) -> plt.Figure:
    """A row per outcome: each programme's estimate with its interval, and its paired difference from the reference."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE, font_scale=1.05)
    outcomes = comparison.outcomes  # the ranking outcome first, then the headline ones
    programmes = comparison.ranking
    colours = dict(zip(programmes, sns.color_palette(PALETTE, len(programmes)), strict=True))
    figure, axes = plt.subplots(
        len(outcomes),
        2,
        squeeze=False,
        sharey="row",
        gridspec_kw={"width_ratios": (1, 1)},
        figsize=(14, 1.2 + len(outcomes) * (0.42 * len(programmes) + 1.15)),
    )
    positions = {p: -i for i, p in enumerate(programmes)}
    for (estimate_axis, difference_axis), outcome in zip(axes, outcomes, strict=False):
        heading = comparison_label(outcome)
        if better_when(outcome) == "lower":
            heading = f"{heading[:-1]}; lower is better)" if heading.endswith(")") else f"{heading} (lower is better)"
        estimate_axis.set_title(heading, fontsize="medium", loc="left")
        difference_axis.set_title(
            f"difference from {'the baseline' if comparison.baseline else 'the best'}, in paired runs",
            fontsize="medium",
            loc="left",
            color="0.3",
        )
        difference_axis.axvline(0.0, color="0.3", lw=1.2, ls="--")
        for order, programme in enumerate(programmes):
            summary = comparison.row(programme, outcome)
            style = {"color": colours[programme], "marker": KIND_MARKERS[order % len(KIND_MARKERS)], "ms": 9}
            _interval(estimate_axis, summary["estimate"], summary["low"], summary["high"], positions[programme], style)
            if programme == comparison.reference:
                difference_axis.plot([0.0], [positions[programme]], ls="", mfc="white", mew=2, **style)
            else:
                _interval(
                    difference_axis,
                    summary["difference"],
                    summary["difference_low"],
                    summary["difference_high"],
                    positions[programme],
                    style,
                )
        estimate_axis.set_yticks(list(positions.values()), [_short(p, 40) for p in programmes])
        estimate_axis.set_ylim(-len(programmes) + 0.4, 0.6)
        if outcome == "any_transfer":
            estimate_axis.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
            difference_axis.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0, symbol=" pp"))
    figure.suptitle(title, x=0.01, ha="left", fontsize="large")
    figure.text(
        0.01,
        0.003,
        f"Means of {comparison.replicates} paired runs per programme (the same seeds for every programme). "
        f"Bars: {comparison.confidence:.0%} intervals (Wilson for a chance, Student t for a mean,\n"
        "paired bootstrap for a "
        f"difference). Hollow marker: {'the baseline' if comparison.baseline else 'the best programme'} "
        f"({_short(comparison.reference, 60)}), the reference for differences.",
        ha="left",
        va="bottom",
        fontsize=9,
        color="0.35",
    )
    tidy(figure, rect=(0, 0.035, 1, 0.985))
    return figure


def _interval(axis: plt.Axes, estimate: float, low: float, high: float, y: float, style: dict) -> None:
    if not np.isfinite(estimate):
        return
    error = [[estimate - low], [high - estimate]] if np.isfinite(low) and np.isfinite(high) else None
    axis.errorbar([estimate], [y], xerr=error, ls="", capsize=4, lw=2.2, **style)


def _short(name: str, width: int = 40) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


# The Autonomy Dilemma ------------------------------------------------------------------------


def frontier_figure(summary: pd.DataFrame, replicates: int, steps: int, note: str | None = None) -> plt.Figure:
    """Top: novelty of generated ideas rising, transfer rate falling. Bottom: impact peaking. 95% bands.

    `note` replaces the footnote saying how the runs were made (the default: this module's common seeds).
    """
    sns.set_theme(style="whitegrid", context="talk", palette=PALETTE)
    colours = sns.color_palette(PALETTE)
    styles = {
        "mean_novelty_generated": {"color": colours[2], "marker": "o", "ls": "-"},
        "transfer_rate": {"color": colours[0], "marker": "s", "ls": "--"},
        "impact": {"color": colours[3], "marker": "D", "ls": "-"},
    }
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(11, 10), sharex=True, gridspec_kw={"height_ratios": (1, 1)})
    for axis, outcomes in ((top, ("mean_novelty_generated", "transfer_rate")), (bottom, ("impact",))):
        for outcome in outcomes:
            rows = summary[summary["outcome"] == outcome].sort_values("autonomous_share")
            style = styles[outcome]
            axis.fill_between(
                rows["autonomous_share"], rows["ci_low"], rows["ci_high"], color=style["color"], alpha=0.22, lw=0
            )
            axis.plot(rows["autonomous_share"], rows["mean"], lw=3, ms=8, label=outcome_label(outcome), **style)
    top.set_ylim(0, 1.18)
    top.set_ylabel("Novelty / share (0 to 1)")
    top.set_title(
        "The Autonomy Dilemma: more novel ideas, fewer of them reach Track One", fontsize="medium", loc="left"
    )
    top.legend(loc="upper center", ncol=2, fontsize="small", frameon=True, framealpha=0.9)
    share, best, interior = optimum(summary)
    bottom.axvline(share, color="0.3", ls=":", lw=2)
    bottom.plot(
        [share],
        [best],
        marker="*",
        ms=24,
        color="black",
        zorder=5,
        label=(f"Peak at {share:.0%} autonomous" if interior else f"Highest at {share:.0%} (no interior peak)"),
    )
    impact = summary[summary["outcome"] == "impact"]
    bottom.set_ylim(
        0, 1.3 * float(np.nanmax(impact[["mean", "ci_high"]].to_numpy())) if impact["mean"].notna().any() else 1.0
    )
    bottom.set_ylabel("Novelty that entered Track One\n(sum per run)")
    bottom.set_title("Impact peaks at a mix", fontsize="medium", loc="left")
    bottom.legend(loc="upper center", ncol=2, fontsize="small", frameon=True, framealpha=0.9)
    bottom.set_xlabel(f"{parameter_label(FRONTIER_KEY)}\n(influential elites take the other seats)")
    bottom.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    bottom.set_xlim(-0.02, 1.02)
    bottom.set_xticks(AUTONOMOUS_SHARES)
    bottom.tick_params(axis="x", labelsize="small")
    note = note or (
        f"Means of {replicates} runs per mix (same seeds for every mix), {steps} months each; "
        f"bands: {CONFIDENCE:.0%} bootstrap intervals."
    )
    figure.text(0.99, 0.005, note, ha="right", va="bottom", fontsize=11, color="0.35")
    tidy(figure, rect=(0, 0.02, 1, 1))
    return figure


EVALUATION_LABEL_CHARS = 40  # a component's label wraps at this width on the figure


def evaluation_figure(rows: pd.DataFrame, outcome: str, title: str) -> plt.Figure:
    """Per component: attribution (share of transferred impact on its chains) beside contribution and Shapley value.

    Bars are the change in the outcome when the component alone is removed (left of 0: it contributed)
    and its Shapley share of the change when every component is removed; both intervals are drawn.
    """
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    colours = sns.color_palette(PALETTE)
    labels = [textwrap.fill(label, EVALUATION_LABEL_CHARS) for label in rows["label"]]
    y = np.arange(len(labels))
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    height = max(3.2, 0.38 * lines * len(labels) + 2.2)
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, height), sharey=True, width_ratios=[1, 1.4])
    share = rows["chain_share"].to_numpy(dtype=float)
    low, high = rows["chain_share_low"].to_numpy(dtype=float), rows["chain_share_high"].to_numpy(dtype=float)
    left.barh(y, share, color=colours[0], label="on the chain")
    left.errorbar(share, y, xerr=[np.nan_to_num(share - low), np.nan_to_num(high - share)], fmt="none", color="0.2")
    chain = str(rows["chain"].iloc[0]) if "chain" in rows else "impact that entered Track One"
    if np.isnan(share).all():  # an outcome the record does not decompose: say so, never borrow another's chain
        left.text(0.5, 0.5, textwrap.fill(f"{chain[:1].upper()}{chain[1:]}", 28), ha="center", va="center",
                  transform=left.transAxes, color="0.3")  # fmt: skip
        left.set_xlabel("On the chain (attribution)")
    else:
        left.set_xlabel(textwrap.fill(f"Share of {chain} on its recorded chains (attribution)", 40))
    left.set_xlim(0, 1)
    left.xaxis.set_major_formatter(PercentFormatter(1.0))
    left.set_yticks(y, labels)
    left.invert_yaxis()
    added = rows["change_when_removed"].to_numpy(dtype=float)
    added_low = rows["change_when_removed_low"].to_numpy(dtype=float)
    added_high = rows["change_when_removed_high"].to_numpy(dtype=float)
    right.barh(y - 0.18, added, height=0.34, color=colours[1], label="change when it alone is removed")
    right.errorbar(added, y - 0.18, xerr=[added - added_low, added_high - added], fmt="none", color="0.2")
    shapley = rows["shapley"].to_numpy(dtype=float)
    shapley_low, shapley_high = rows["shapley_low"].to_numpy(dtype=float), rows["shapley_high"].to_numpy(float)
    right.barh(
        y + 0.18, shapley, height=0.34, color=colours[2], label="Shapley share of the change when all are removed"
    )
    right.errorbar(shapley, y + 0.18, xerr=[shapley - shapley_low, shapley_high - shapley], fmt="none", color="0.2")
    right.axvline(0, color="0.3", linewidth=1)
    right.set_xlabel(textwrap.fill(f"Change in {outcome[0].lower()}{outcome[1:]} when removed (95% intervals)", 48))
    right.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False, fontsize="small")
    figure.suptitle(title)
    tidy(figure)
    return figure
