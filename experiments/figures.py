"""Figures in the domain's words: colour-blind-safe, readable on a slide, saved as PNG and SVG."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from model import TRACK_LABELS

PALETTE = "colorblind"
RIPE_SHADE = "#bdbdbd"
FIGURE_DPI = 150


def save(figure: plt.Figure, out_dir: Path, stem: str) -> list[Path]:
    """Write figure as stem.png and stem.svg (atomically: written beside, then renamed)."""
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
    figure.tight_layout()
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
    figure.tight_layout()
    return figure
