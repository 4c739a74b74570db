"""A calibration's figures: marginals and pairs of the posterior against the prior, and the predictive check."""

from __future__ import annotations

import itertools
import math
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from tracktwo.experiments.analysis.posterior import INTERVAL, weighted_quantile
from tracktwo.experiments.design.calibration import CalibrationSpec
from tracktwo.experiments.design.summaries import STATISTICS
from tracktwo.experiments.labels import describe_mix, outcome_label, parameter_label
from tracktwo.experiments.reporting import figures

__all__ = ["marginals_figure", "pairs_figure", "predictive_figure", "write_figures"]

_COLOURS = sns.color_palette(figures.PALETTE)
PRIOR_COLOUR, POSTERIOR_COLOUR, OBSERVED_COLOUR = _COLOURS[7], _COLOURS[0], _COLOURS[3]


def _label(key: str, width: int = 34) -> str:
    return textwrap.fill(parameter_label(key), width)


def _target_label(spec: CalibrationSpec, name: str) -> str:
    target = next(t for t in spec.targets if t.name == name)
    if target.kind == "pattern":
        where = "; ".join(
            describe_mix({f"workshops.mix.{kind}": share for kind, share in value.items()})
            if key == "workshops.mix" and isinstance(value, dict)
            else f"{parameter_label(key)}: {value}"
            for key, value in target.overrides.items()
        )
        return f"{outcome_label(target.source)} (where {where})" if where else outcome_label(target.source)
    text = STATISTICS[target.source].description.split(" (")[0]
    option = ", ".join(f"{k} {v}" for k, v in target.options.items())
    return f"{text} ({option})" if option else text


def marginals_figure(spec: CalibrationSpec, posterior: pd.DataFrame) -> plt.Figure:
    """One panel per parameter: the prior's density, the weighted posterior, its 90% interval, the base value."""
    count = len(spec.keys)
    columns = min(count, 3)
    rows = math.ceil(count / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows), squeeze=False)
    for axis, key in zip(axes.flat, spec.keys, strict=False):
        prior = spec.priors[key].frozen()
        low, high = prior.ppf([0.001, 0.999])
        grid = np.linspace(low, high, 200)
        axis.fill_between(grid, prior.pdf(grid), color=PRIOR_COLOUR, alpha=0.35, label="Prior")
        axis.hist(
            posterior[key], bins=20, weights=posterior["weight"], density=True, range=(low, high),
            color=POSTERIOR_COLOUR, alpha=0.75, label="Posterior",
        )  # fmt: skip
        q_low, q_high = weighted_quantile(posterior[key].to_numpy(), posterior["weight"].to_numpy(), INTERVAL)
        axis.axvspan(q_low, q_high, color=POSTERIOR_COLOUR, alpha=0.12, label="Posterior 90% interval")
        base = spec.base_value(key)
        if base is not None:
            axis.axvline(base, color="black", linestyle="--", linewidth=1, label="Default value")
        axis.set_xlabel(_label(key))
        axis.set_ylabel("Density")
    for axis in list(axes.flat)[count:]:
        axis.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="upper center", ncol=4, frameon=False, bbox_to_anchor=(0.5, 1.04))
    figure.suptitle(f"What the data say about each parameter ({spec.name})", y=1.1)
    figure.tight_layout()
    return figure


def pairs_figure(spec: CalibrationSpec, posterior: pd.DataFrame) -> plt.Figure:
    """Each pair of parameters: posterior particles (size by weight) inside the prior's 99.8% box."""
    pairs = list(itertools.combinations(spec.keys, 2))
    if not pairs:
        pairs = [(spec.keys[0], spec.keys[0])]
    columns = min(len(pairs), 3)
    rows = math.ceil(len(pairs) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.8 * rows), squeeze=False)
    sizes = 8 + 120 * posterior["weight"] / posterior["weight"].max()
    for axis, (x, y) in zip(axes.flat, pairs, strict=False):
        x_low, x_high = spec.priors[x].frozen().ppf([0.001, 0.999])
        y_low, y_high = spec.priors[y].frozen().ppf([0.001, 0.999])
        axis.add_patch(
            plt.Rectangle((x_low, y_low), x_high - x_low, y_high - y_low, color=PRIOR_COLOUR, alpha=0.2, label="Prior")
        )
        axis.scatter(posterior[x], posterior[y], s=sizes, color=POSTERIOR_COLOUR, alpha=0.6, label="Posterior")
        axis.set_xlim(x_low, x_high)
        axis.set_ylim(y_low, y_high)
        axis.set_xlabel(_label(x))
        axis.set_ylabel(_label(y))
    for axis in list(axes.flat)[len(pairs) :]:
        axis.set_visible(False)
    axes.flat[0].legend(loc="best", fontsize="small")
    figure.suptitle(f"Which combinations of values reproduce the data ({spec.name})")
    figure.tight_layout()
    return figure


def predictive_figure(spec: CalibrationSpec, predictive: pd.DataFrame) -> plt.Figure:
    """Per target: what the posterior predicts (each draw a dot, the 90% interval a bar) and what was observed."""
    count = len(spec.targets)
    figure, axes = plt.subplots(count, 1, figsize=(7, 1.3 * count + 0.8), squeeze=False)
    for axis, target in zip(axes[:, 0], spec.targets, strict=True):
        values = predictive.loc[predictive["target"] == target.name, "value"].dropna().to_numpy()
        jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(values))
        axis.scatter(values, jitter, s=12, color=POSTERIOR_COLOUR, alpha=0.5, label="Posterior predictive draws")
        if len(values):
            low, high = np.quantile(values, INTERVAL)
            axis.hlines(0, low, high, color=POSTERIOR_COLOUR, linewidth=4, alpha=0.5, label="90% predictive interval")
        axis.axvline(target.observed, color=OBSERVED_COLOUR, linewidth=2, label="Observed")
        axis.axvspan(target.observed - target.sd, target.observed + target.sd, color=OBSERVED_COLOUR, alpha=0.12)
        axis.set_yticks([])
        axis.set_ylim(-0.5, 0.5)
        axis.set_title(textwrap.fill(_target_label(spec, target.name), 70), fontsize="medium", loc="left")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    figure.tight_layout(rect=(0, 0, 1, 1 - 0.5 / figure.get_figheight()))
    figure.legend(handles, labels, loc="upper center", ncol=3, frameon=False, fontsize="small")
    return figure


def write_figures(
    spec: CalibrationSpec, posterior: pd.DataFrame, predictive: pd.DataFrame | None, out: Path
) -> list[Path]:
    """Draw and save every figure (PNG and SVG); returns the files written."""
    written = figures.save(marginals_figure(spec, posterior), out, "marginals")
    if len(spec.keys) > 1:
        written += figures.save(pairs_figure(spec, posterior), out, "pairs")
    if predictive is not None and len(predictive):
        written += figures.save(predictive_figure(spec, predictive), out, "predictive_check")
    return written
