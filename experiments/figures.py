"""Figures in the domain's words: colour-blind-safe, readable on a slide, saved as PNG and SVG."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from model import TRACK_LABELS  # noqa: E402

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
    axis.scatter(entries["step"], [top * 0.97] * len(entries), marker="v", s=40 + 40 * entries["new_transfers"],
                 color="black", zorder=5, label="Idea entered Track One")
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
