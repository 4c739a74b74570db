"""A sweep's report: one self-contained HTML file (figures embedded, nothing loaded from elsewhere).

What was run (from the manifest), the headline answers in sentences with their intervals, the
ranking, the figures, the sensitivity and scenario tables when the folder has them, and how to
reproduce it. Every number comes from experiments.stats, the same helpers as summary.csv.
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import json
import math
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tracktwo.experiments import labels
from tracktwo.experiments.analysis import agenda, bestset, effects, robust, stats
from tracktwo.experiments.analysis.ranking import beside, best_set_of, rank_points
from tracktwo.experiments.analysis.results import (
    EVALUATION_INFO,
    EVALUATION_TABLE,
    SCENARIO_PREFIX,
    SENSITIVITY_INFO,
    SENSITIVITY_TABLE,
    SWEEP_KINDS,
    ResultsFolder,
    folder_kind,
    load_results,
    read_csv_table,
    read_json_file,
)
from tracktwo.experiments.design.dilemma import FRONTIER_KEY
from tracktwo.experiments.engine import folder_lock
from tracktwo.experiments.provenance import check_file_place, write_atomic
from tracktwo.experiments.reporting import plots
from tracktwo.model import ConfigError

__all__ = [
    "CLEAR",
    "CSS",
    "EMBED_WIDTH",
    "RANKING_ROWS",
    "REPORT",
    "SENSITIVITY_ROWS",
    "Headline",
    "best_point",
    "evaluation_headlines",
    "factor_effects",
    "format_interval",
    "format_value",
    "frontier",
    "headlines",
    "pathways",
    "ranking",
    "read_evaluation",
    "read_scenarios",
    "read_sensitivity",
    "render",
    "scenario_headlines",
    "sensitivity_headlines",
    "write_report",
]

REPORT = "report.html"
RANKING_ROWS = 10
SENSITIVITY_ROWS = 8  # parameters shown per outcome
CLEAR = 0.95  # P(best) from which a point is called clearly the best
EMBED_WIDTH = 1600  # pixels: figures embedded in the page are scaled down to this (sharp at the page's width)
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;max-width:1100px;margin:2em auto;
     padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.9em;margin-bottom:.2em} h2{margin-top:1.8em;border-bottom:2px solid #ddd;padding-bottom:.2em}
.question{font-size:1.1em;color:#444} .headline li{margin:.5em 0;font-size:1.05em}
table{border-collapse:collapse;margin:1em 0;font-size:.92em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top} th{background:#f2f2f2}
td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1.5em 0} figure img{max-width:100%;border:1px solid #eee} figcaption{color:#555;font-size:.95em}
pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:.88em} .muted{color:#777;font-size:.9em}
"""


@dataclass(frozen=True)
class Headline:
    """One answer in a sentence, with the numbers it quotes (so tests and readers can check them against tables)."""

    text: str
    numbers: tuple[str, ...] = ()


# Numbers --------------------------------------------------------------------------------------


def format_value(value: float, share: bool) -> str:
    """A number as the report prints it: a percentage for a share of runs, else three significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.0%}" if share else f"{value:.3g}"


def format_interval(estimate: float, low: float, high: float, share: bool) -> str:
    """'97% (95% CI 92% to 99%)' or '3.2 (95% CI 2.8 to 3.6)'; no interval when it is undefined."""
    text = format_value(estimate, share)
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (low, high)):
        return text
    return f"{text} ({stats.DEFAULT_CONFIDENCE:.0%} CI {format_value(low, share)} to {format_value(high, share)})"


def ranking(results: ResultsFolder, metric: str, goal: str) -> pd.DataFrame:
    """Points best first with the metric's estimate and interval (as summary.csv), the outcomes beside it, P(best)."""
    return rank_points(results.every_run, results.swept, metric, goal, design=results.sweep)


def _values(results: ResultsFolder, point: int, outcome: str) -> Any:
    return results.runs.loc[results.runs["point"] == point, outcome].to_numpy(float)


# Headlines ------------------------------------------------------------------------------------


def headlines(results: ResultsFolder) -> list[Headline]:
    """The answers the sweep gives, in sentences with intervals."""
    found: list[Headline] = []
    if results.metric:
        found += best_point(results)
        found += factor_effects(results)
        found += effect_headlines(results)
        found += robust_headlines(results)
    found += frontier(results)
    found += pathways(results)
    found += sensitivity_headlines(results.directory, results.runs)
    found += scenario_headlines(results.directory)
    found += evaluation_headlines(results.directory)
    return found


def best_point(results: ResultsFolder) -> list[Headline]:
    """The best point, how sure we are, and how far ahead of the runner-up it is."""
    metric, goal = results.metric["name"], results.metric["goal"]
    table = ranking(results, metric, goal).dropna(subset=["estimate"])
    if table.empty:
        return []
    share = stats.is_binary(results.runs[metric])
    label = labels.outcome_label(metric)
    best = table.iloc[0]
    what = "mix" if all(c.startswith("workshops.mix.") for f in results.factors for c in f.columns) else "point"
    estimate = format_interval(best["estimate"], best["low"], best["high"], share)
    if share:
        measured = f"{label} in {estimate} of its {int(best['n'])} runs"
    else:
        measured = f"{label}: mean {estimate} over {int(best['n'])} runs"
    text = f"The best {what} is {results.describe(int(best['point']))}. {measured}{_beside(best, metric, results)}."
    ties = int((table["estimate"] == best["estimate"]).sum())
    if ties > 1:
        plural = "mixes" if what == "mix" else "points"
        text += f" {ties} {plural} tie at {format_value(best['estimate'], share)}; this is the first of them."
    numbers = [
        format_value(best["estimate"], share),
        format_value(best["low"], share),
        format_value(best["high"], share),
    ]
    if len(table) < 2:
        return [Headline(text, tuple(numbers))]
    second = table.iloc[1]
    inside = table[table["in_best_set"].astype(bool)]
    plural = "mixes" if what == "mix" else "points"
    confidence = float(results.sweep.get("confidence") or stats.DEFAULT_CONFIDENCE)
    paired = bestset.is_paired(results.runs)
    how = "paired on seeds" if paired else "unpaired"
    if len(inside) == 1:
        verdict = (
            f"It is the best set's only member: no other {what} comes close enough to be told apart from it at "
            f"{confidence:.0%} confidence"
        )
    else:
        others = "; ".join(results.describe(int(p)) for p in inside["point"].iloc[1:6])
        more = f" and {len(inside) - 6} more" if len(inside) > 6 else ""
        verdict = (
            f"It is not the answer alone: {len(inside)} {plural} form the best set, those that cannot be told "
            f"apart from the best at {confidence:.0%} confidence (also {others}{more})"
        )
    difference = stats.Interval(
        second["difference"], second["difference_low"], second["difference_high"], int(second["n"]), ""
    )
    against = (
        "tied with it (identical runs on every seed)"
        if difference.estimate == 0 and (difference.low == difference.high)
        else f"the difference ({how}) is {difference.format()}"
    )
    sure = best["probability_best"]
    text += (
        f" Against the runner-up, {results.describe(int(second['point']))} at "
        f"{format_value(second['estimate'], share)}, {against}. {verdict}. It comes out best in {sure:.0%} of "
        f"{'paired ' if paired else ''}bootstrap resamples of the runs{_procedure_note(results)}."
    )
    return [Headline(text, tuple(numbers))]


def _procedure_note(results: ResultsFolder) -> str:
    """' (replicates by sequential MCB elimination: 1,240 runs, stopped: resolved)' for replicates: auto."""
    if not results.sweep.get("auto_replicates") or not results.metric:
        return ""
    _, _, state = best_set_of(results.every_run, results.metric["name"], results.metric["goal"], results.sweep)
    reason = {
        "resolved": "the best set was resolved",
        "tied": "the rest are ties",
        "equivalent": "those left are within the indifference zone of each other",
        "budget": "the budget ran out",
    }
    why = reason.get(getattr(state, "reason", ""), "unfinished")
    runs = len(results.every_run)
    return f" (replicates placed by sequential MCB elimination: {runs:,} runs; it stopped because {why})"


def _beside(row: pd.Series, metric: str, results: ResultsFolder) -> str:
    """'; at least one idea entered Track One in 62% (95% CI 52% to 71%) of them': the outcomes shown beside."""
    parts = []
    for name in beside(metric, results.outcomes):
        share = stats.is_binary(results.runs[name])
        interval = format_interval(row[f"{name}_estimate"], row[f"{name}_low"], row[f"{name}_high"], share)
        if share:
            parts.append(f"{_lower_first(labels.outcome_label(name))} in {interval} of them")
        else:
            parts.append(f"{_lower_first(labels.outcome_label(name))}: {interval}")
    return "".join(f"; {part}" for part in parts)


def factor_effects(results: ResultsFolder) -> list[Headline]:
    """For each factor of a grid: the metric at its best and worst level, other factors held at the best point."""
    metric, goal = results.metric["name"], results.metric["goal"]
    if not results.factors or any(f.continuous for f in results.factors) or frontier(results):
        return []
    if all(c.startswith("workshops.mix.") for f in results.factors for c in f.columns) and len(results.factors) > 2:
        return []  # a mix simplex: the best mix says it better
    summary = stats.summarise(results.runs, ["point"], metric, means="bootstrap").set_index("point")
    finite = summary["estimate"].dropna()
    if finite.empty:
        return []
    best_point_index = finite.idxmin() if goal == "minimize" else finite.idxmax()
    share = stats.is_binary(results.runs[metric])
    found = []
    for factor in results.factors:
        others = [c for f in results.factors if f is not factor for c in f.columns]
        held = results.points
        for column in others:
            held = held[held[column].astype(str) == str(results.points.loc[best_point_index, column])]
        estimates = summary.loc[held.index, "estimate"].dropna()
        if len(estimates) < 2:
            continue
        top = estimates.idxmin() if goal == "minimize" else estimates.idxmax()
        bottom = estimates.idxmax() if goal == "minimize" else estimates.idxmin()
        difference = _difference_text(results, int(top), int(bottom), metric, share)
        held_text = " (other parameters as at the best point)" if others else ""
        found.append(
            Headline(
                f"{factor.label}: {labels.outcome_label(metric)} is best at {factor.tick(results.points.loc[top])} "
                f"({format_value(estimates[top], share)}) and worst at {factor.tick(results.points.loc[bottom])} "
                f"({format_value(estimates[bottom], share)}){held_text}; "
                f"difference {difference}."
            )
        )
    return found


def _difference_text(results: ResultsFolder, a: int, b: int, metric: str, share: bool) -> str:
    """Point a minus point b: paired on seeds (by replicate) when the sweep is paired, else independent samples."""
    if not bestset.is_paired(results.runs):
        return stats.compare_points(_values(results, a, metric), _values(results, b, metric)).describe(percent=share)
    _, y = bestset.matrix(results.runs, metric, [a, b])
    difference = stats.paired_difference(y[0], y[1])
    if share:
        return (
            f"{100 * difference.estimate:+.0f} percentage points [{100 * difference.low:+.0f}, "
            f"{100 * difference.high:+.0f}] (paired on seeds)"
        )
    return f"{difference.format()} (paired on seeds)"


def frontier(results: ResultsFolder) -> list[Headline]:
    """The Autonomy Dilemma: where impact peaks over the autonomous share, against both ends."""
    if len(results.factors) != 1 or FRONTIER_KEY not in results.factors[0].columns or "impact" not in results.outcomes:
        return []
    summary = stats.summarise(results.runs, [FRONTIER_KEY], "impact", means="bootstrap").dropna(subset=["estimate"])
    if len(summary) < 3:
        return []
    peak = summary.loc[summary["estimate"].idxmax()]
    share = float(peak[FRONTIER_KEY])
    ends = summary.iloc[[0, -1]]
    runs = results.runs
    text = (
        f"Impact peaks at {share:.0%} autonomous thinkers (influential elites take the other seats): "
        f"{format_interval(peak['estimate'], peak['low'], peak['high'], False)}."
    )
    if 0 < share < 1:
        parts = []
        at_peak = runs.loc[runs[FRONTIER_KEY] == share, "impact"]
        for _, end in ends.iterrows():
            other = runs.loc[runs[FRONTIER_KEY] == end[FRONTIER_KEY], "impact"]
            parts.append(f"{stats.compare_points(at_peak, other).describe()} over {float(end[FRONTIER_KEY]):.0%}")
        text += " The peak is interior; it is ahead by " + " and ".join(parts) + "."
    else:
        text += " There is no interior peak in this sweep."
    return [Headline(text, (format_value(peak["estimate"], False),))]


def pathways(results: ResultsFolder) -> list[Headline]:
    """How most ideas entered Track One, pooled over every run."""
    from tracktwo.model import ROUTES

    columns = [f"transfers_{r}" for r in ROUTES if f"transfers_{r}" in results.runs]
    totals = results.runs[columns].sum() if columns else pd.Series(dtype=float)
    if totals.empty or totals.sum() == 0:
        return []
    total = int(totals.sum())
    ordered = totals.sort_values(ascending=False)
    parts = [
        f"{_share(value / total)} {_lower_first(labels.ROUTE_LABELS[name.removeprefix('transfers_')])}"
        for name, value in ordered.items()
        if value > 0
    ]
    ideas = "the idea that" if total == 1 else f"the {total} ideas that"
    return [Headline(f"Of {ideas} entered Track One over all runs, " + ", ".join(parts) + ".")]


def sensitivity_headlines(directory: Path, runs: pd.DataFrame | None = None) -> list[Headline]:
    """Which parameters each outcome depends on most (from sensitivity.csv)."""
    runs = pd.DataFrame() if runs is None else runs
    table = read_sensitivity(directory)
    if table is None:
        return []
    found = []
    for outcome, part in table.groupby("outcome", sort=False):
        key = "ST" if "ST" in part else "mu_star"
        name = "total-order Sobol index" if key == "ST" else "Morris μ*"
        top = part.sort_values(key, ascending=False).head(3)
        phrases = [
            f"{_lower_first(row['label'])} ({row[key]:.2f} [{row[f'{key}_low']:.2f}, {row[f'{key}_high']:.2f}])"
            for _, row in top.iterrows()
        ]
        binary = outcome in runs and stats.is_binary(runs[outcome])
        subject = f"Whether {_lower_first(labels.outcome_label(outcome))}" if binary else labels.outcome_label(outcome)
        found.append(
            Headline(
                f"{subject}: most influenced by {phrases[0]}"
                + (f", then {', '.join(phrases[1:])}" if len(phrases) > 1 else "")
                + f" ({name}, 95% CI)."
            )
        )
    return found


def scenario_headlines(directory: Path) -> list[Headline]:
    """The rules scenario discovery found (one sentence per box)."""
    return [
        Headline(f"Scenario discovery ({info.get('method', '').upper()}): {box['text']}")
        for info in read_scenarios(directory)
        for box in info.get("boxes", [])
    ]


def evaluation_headlines(directory: Path) -> list[Headline]:
    """The plain-language summary of `tracktwo evaluate` (a sentence per component), when the folder has one."""
    info = read_evaluation(directory)
    return [Headline(f"Evaluation: {text}") for text in (info or {}).get("summary", [])]


def _lower_first(text: str) -> str:
    """'chance an idea passes...' mid-sentence; proper names (Track One, Track Two...) keep their capital."""
    return text if text.startswith("Track") else text[:1].lower() + text[1:]


def _share(value: float) -> str:
    return "under 1%" if 0 < value < 0.005 else f"{value:.0%}"


# Tables from other commands -------------------------------------------------------------------


def read_sensitivity(directory: Path) -> pd.DataFrame | None:
    """sensitivity.csv of a results folder, if it has one."""
    path = directory / SENSITIVITY_TABLE
    return read_csv_table(path) if path.exists() else None


def read_scenarios(directory: Path) -> list[dict[str, Any]]:
    """Every scenarios_*.json of a results folder (unreadable ones skipped)."""
    found = []
    for path in sorted(directory.glob(f"{SCENARIO_PREFIX}*.json")):
        try:
            found.append(read_json_file(path))
        except ConfigError:
            continue  # a damaged scenarios file is left out of the report, not fatal
    return found


def read_evaluation(directory: Path) -> dict[str, Any] | None:
    """evaluation.json of a results folder (tracktwo evaluate), if it has a readable one."""
    path = directory / EVALUATION_INFO
    return read_json_file(path) if path.exists() else None


# HTML -----------------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape(str(value))


def _table(frame: pd.DataFrame, numeric: set[str] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = "".join(
            f'<td class="num">{_e(row[c])}</td>' if c in numeric else f"<td>{_e(row[c])}</td>" for c in frame.columns
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _question(results: ResultsFolder) -> str:
    """The sweep's description, or the comments at the top of its file (where the shipped sweeps ask their question)."""
    if results.sweep.get("description"):
        return str(results.sweep["description"])
    lines = []
    for line in str(results.sweep.get("text", "")).splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("# ").rstrip())
    return " ".join(lines)


def _what_was_run(results: ResultsFolder) -> str:
    manifest, sweep = results.manifest, results.sweep
    runs = manifest.get("runs", {})
    rows = [
        ("Sweep", f"{results.name} ({sweep.get('method', '?')})"),
        (
            "Parameters",
            "; ".join(
                f"{labels.parameter_label(k)} [{k}]: {json.dumps(v)}" for k, v in sweep.get("parameters", {}).items()
            ),
        ),
        ("Derived", "; ".join(f"{k} = {v}" for k, v in (sweep.get("derived") or {}).items()) or "none"),
        ("Uncertain parameters", _uncertain_words(sweep)),
        (
            ("Points × replicates", f"{len(results.points)} × {results.replicates}")
            if not results.sweep.get("auto_replicates")
            else (
                "Points, replicates",
                f"{len(results.points)}, auto (sequential MCB elimination): "
                f"{results.runs.groupby('point').size().min()} to {results.runs.groupby('point').size().max()} "
                f"per point{' (seeds, each run in every scenario)' if results.scenario_runs is not None else ''}, "
                f"{len(results.every_run):,} runs of a budget of {results.sweep.get('budget'):,}",
            )
        ),
        *(
            [
                (
                    "Uncertain (what the model cannot know)",
                    f"{len(results.sweep.get('scenarios') or [])} Latin-hypercube scenarios of "
                    + "; ".join(f"{k} {lo:g} to {hi:g}" for k, (lo, hi) in results.sweep["uncertain"].items()),
                )
            ]
            if results.sweep.get("uncertain")
            else []
        ),
        (
            "Runs",
            f"{runs.get('finished', len(results.runs))} finished, {runs.get('failed', results.failed)} failed "
            f"of {runs.get('planned', '?')} planned",
        ),
        ("Months per run", results.steps),
        (
            "Metric",
            f"{labels.outcome_label(results.metric['name'])} ({results.metric['goal']})" if results.metric else "none",
        ),
        ("Seed", sweep.get("seed")),
        (
            "Ran",
            f"{manifest.get('started', '?')} to {manifest.get('ended', '?')}, "
            f"{manifest.get('executor', '?')} executor, "
            f"{manifest.get('workers', '?')} worker(s), on {manifest.get('host', '?')}",
        ),
        ("Code", manifest.get("git_commit") or "not under git"),
        ("Versions", ", ".join(f"{k} {v}" for k, v in (manifest.get("versions") or {}).items())),
    ]
    return (
        "<table><tbody>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows) + "</tbody></table>"
    )


def _uncertain_words(sweep: dict[str, Any]) -> str:
    """What the sweep let vary beside its levers: `uncertain:` ranges, a calibration's posterior, or nothing."""
    posterior = sweep.get("posterior")
    if sweep.get("uncertain"):
        return f"ranges (shared scenarios): {json.dumps(sweep['uncertain'])}"
    if not isinstance(posterior, dict) or not posterior.get("source"):
        return "none: the intervals are seed luck only"
    return (
        f"{', '.join(map(str, posterior.get('parameters', [])))} drawn per replicate (the same for every point) "
        f"from the posterior in {posterior['source']} ({posterior.get('particles', '?')} particles, sha256 "
        f"{str(posterior.get('sha256', '?'))[:12]}, one particle per {posterior.get('block', 1)} replicates): "
        "intervals include what the calibration left open (random effects over the particles; P(best) and the "
        "best set resample replicates)"
    )


def _ranking_html(results: ResultsFolder) -> str:
    if not results.metric:
        return ""
    metric, goal = results.metric["name"], results.metric["goal"]
    table = ranking(results, metric, goal)
    share = stats.is_binary(results.runs[metric])
    shown = table.head(RANKING_ROWS)
    frame = pd.DataFrame(
        {
            "Rank": shown["rank"],
            "Point": [results.describe(int(p)) for p in shown["point"]],
            labels.outcome_label(metric): [format_value(v, share) for v in shown["estimate"]],
            f"{stats.DEFAULT_CONFIDENCE:.0%} CI": [
                f"{format_value(lo, share)} to {format_value(hi, share)}"
                for lo, hi in zip(shown["low"], shown["high"], strict=True)
            ],
            **{
                f"{labels.outcome_label(name)} ({stats.DEFAULT_CONFIDENCE:.0%} CI)": [
                    format_interval(e, lo, hi, stats.is_binary(results.runs[name]))
                    for e, lo, hi in zip(
                        shown[f"{name}_estimate"], shown[f"{name}_low"], shown[f"{name}_high"], strict=True
                    )
                ]
                for name in beside(metric, results.outcomes)
            },
            "Runs": shown["n"],
            "Vs best (95% CI)": [
                "best" if i == 0 else "tie" if d == 0 and lo == hi else f"{d:+.3g} ({lo:+.3g} to {hi:+.3g})"
                for i, (d, lo, hi) in enumerate(
                    zip(shown["difference"], shown["difference_low"], shown["difference_high"], strict=True)
                )
            ],
            "P(best)": [f"{v:.0%}" for v in shown["probability_best"]],
            "Best set": ["yes" if v else "" for v in shown["in_best_set"]],
        }
    )
    more = (
        f"<p class='muted'>{len(table) - len(shown)} more points in summary.csv.</p>" if len(table) > len(shown) else ""
    )
    note = (
        "<p class='muted'>Intervals: Wilson for a share of runs; otherwise a BCa bootstrap of the mean "
        f"(Student t below {stats.MIN_BOOTSTRAP_N} runs). P(best): share of bootstrap resamples of the runs in which "
        "the point comes out best (paired resamples: the same seeds for every point). "
        "Vs best: the point minus the best, paired on seeds, with a bootstrap interval. "
        "Best set: the points that cannot be told apart from the best "
        "(paired-bootstrap max-t MCB; see docs/sweep_statistics.md).</p>"
    )
    heading = f"<h2>Ranking by {_e(_lower_first(labels.outcome_label(metric)))}</h2>"
    return f"{heading}{_table(frame, {'Rank', 'Runs', 'P(best)', 'Best set'})}{more}{note}"


def _what_got_in_html(results: ResultsFolder) -> str:
    """Influence on the process beside outcome transfer, and the agenda per issue, for the best points (7.11)."""
    if not agenda.has_issue_space(results.runs):
        return ""
    shown = plots.what_got_in_points(results)
    table = agenda.what_got_in(results.runs[results.runs["point"].isin(shown)]).set_index("point").loc[shown]
    keys = agenda.dimensions(list(results.runs.columns))

    def mean(row: pd.Series, name: str) -> str:
        return format_interval(row[f"{name}_estimate"], row[f"{name}_low"], row[f"{name}_high"], False)

    frame = pd.DataFrame(
        {
            "Point": [results.describe(int(p)) for p in shown],
            "Influence on the process": [mean(row, agenda.PROCESS) for _, row in table.iterrows()],
            "Outcome transfer (ideas adopted)": [mean(row, agenda.OUTCOME_TRANSFER) for _, row in table.iterrows()],
            "Agenda breadth": [format_value(v, False) for v in table["agenda_breadth_estimate"]],
            **{
                f"Agenda: {key.replace('_', ' ')}": [format_value(v, True) for v in table[agenda.AGENDA_PREFIX + key]]
                for key in keys
            },
        }
    )
    which = "the best points by the metric, best first" if results.metric else "the first points of the sweep"
    note = (
        f"<p class='muted'>For {which}. Influence on the process: movement of the official positions, in "
        "issue-space units per run, by Track Two ideas officials held that Track One had not adopted; outcome "
        "transfer: Track Two ideas adopted into Track One's decisions per run (mean with its "
        f"{stats.DEFAULT_CONFIDENCE:.0%} interval). Agenda: the share of the ideas adopted over the point's runs "
        "that were about each issue; breadth: its effective number of issues (exp of the entropy), the mean over "
        "runs that adopted any. Every point in summary.csv; docs/ODD.md 7.11.</p>"
    )
    return f"<h2>What got in</h2>{_table(frame, set(frame.columns) - {'Point'})}{note}"


def _figures_html(results: ResultsFolder, drawn: list[plots.Drawn]) -> str:
    parts = []
    for figure in drawn:
        png = results.figures_dir / f"{figure.stem}.png"
        if not png.exists():
            continue
        data = base64.b64encode(_embeddable(png)).decode("ascii")
        parts.append(
            f'<figure id="{_e(figure.stem)}"><img alt="{_e(figure.title)}" src="data:image/png;base64,{data}">'
            f"<figcaption><b>{_e(figure.title)}.</b> {_e(figure.caption)} "
            f"<span class='muted'>(figures/{_e(figure.stem)}.png, .svg)</span></figcaption></figure>"
        )
    return "<h2>Figures</h2>" + "".join(parts) if parts else ""


def _embeddable(png: Path) -> bytes:
    """The PNG scaled down to EMBED_WIDTH pixels and 256 colours for the page.

    The full-size file stays in figures/, so a report with many figures stays a few megabytes.
    """
    from PIL import Image

    original = png.read_bytes()
    with Image.open(png) as image:
        width = min(image.width, EMBED_WIDTH)
        smaller = image.convert("RGB").resize(
            (width, round(image.height * width / image.width)), Image.Resampling.LANCZOS
        )
        buffer = io.BytesIO()
        smaller.quantize(colors=256).save(buffer, format="PNG", optimize=True)
    return min(original, buffer.getvalue(), key=len)


def _sensitivity_html(directory: Path) -> str:
    table = read_sensitivity(directory)
    if table is None:
        return ""
    info_path = directory / SENSITIVITY_INFO
    info = read_json_file(info_path)
    sobol = "ST" in table
    parts = [f"<h2>Sensitivity analysis ({'Sobol indices' if sobol else 'Morris screening'})</h2>"]
    if sobol:
        parts.append(
            "<p>First-order index S1: the share of the outcome's variance due to the parameter alone; total-order "
            "index ST: including its interactions with the others. 95% bootstrap intervals.</p>"
        )
    else:
        parts.append(
            "<p>μ*: mean absolute elementary effect of moving the parameter across its range (outcome units); σ: "
            "their spread (high σ: interactions or non-linearity). 95% bootstrap intervals for μ*.</p>"
        )
    for outcome, part in table.groupby("outcome", sort=False):
        key = "ST" if sobol else "mu_star"
        part = part.sort_values(key, ascending=False).head(SENSITIVITY_ROWS)
        if sobol:
            frame = pd.DataFrame(
                {"Parameter": part["label"], "S1 [95% CI]": _ci(part, "S1"), "ST [95% CI]": _ci(part, "ST")}
            )
        else:
            frame = pd.DataFrame(
                {
                    "Parameter": part["label"],
                    "μ* [95% CI]": _ci(part, "mu_star"),
                    "μ": part["mu"].map(lambda v: f"{v:.3g}"),
                    "σ": part["sigma"].map(lambda v: f"{v:.3g}"),
                }
            )
        parts.append(f"<h3>{_e(labels.outcome_label(outcome))}</h3>{_table(frame)}")
    for outcome, reason in (info.get("skipped") or {}).items():
        parts.append(f"<p class='muted'>{_e(labels.outcome_label(outcome))}: not analysed ({_e(reason)}).</p>")
    return "".join(parts)


def _evaluation_html(directory: Path) -> str:
    info, table_path = read_evaluation(directory), directory / EVALUATION_TABLE
    if info is None or not table_path.exists():
        return ""
    table = read_csv_table(table_path)
    missing = [c for c in ("family", "outcome", "label") if c not in table]
    if missing:
        raise ConfigError(f"{table_path} is damaged (no {missing[0]!r} column); rerun `tracktwo evaluate` to write it")
    parts = [
        "<h2>Evaluation: contribution and attribution</h2>",
        "<p>Attribution: the share of transferred impact whose recorded chains pass through the component. "
        "Contribution: the change in the outcome when the component alone is removed, on common random numbers "
        "(the same luck wherever the removal does not reach). Shapley value: the component's share of the "
        "programme's total effect against the programme with every component removed; the values add up to it. "
        "95% intervals.</p>",
    ]
    for (family, outcome), part in table.groupby(["family", "outcome"], sort=False):
        frame = pd.DataFrame(
            {
                "Component": part["label"],
                "On the chain (share of impact)": [
                    f"{v:.0%} [{lo:.0%}, {hi:.0%}]"
                    for v, lo, hi in zip(
                        part["attribution"], part["attribution_low"], part["attribution_high"], strict=True
                    )
                ],
                "Contribution": _ci(part, "contribution"),
                "Shapley value": _ci(part, "shapley"),
                "Verdict": part["verdict"],
            }
        )
        parts.append(f"<h3>{_e(family)}: {_e(labels.outcome_label(outcome))}</h3>{_table(frame)}")
    for name in info.get("figures", []):
        png = directory / name
        if name.endswith(".png") and png.exists():
            data = base64.b64encode(_embeddable(png)).decode("ascii")
            parts.append(f'<figure><img alt="Evaluation" src="data:image/png;base64,{data}"></figure>')
    return "".join(parts)


def _ci(frame: pd.DataFrame, key: str) -> list[str]:
    return [
        f"{v:.3f} [{lo:.3f}, {hi:.3f}]"
        for v, lo, hi in zip(frame[key], frame[f"{key}_low"], frame[f"{key}_high"], strict=True)
    ]


def _scenarios_html(directory: Path) -> str:
    found = read_scenarios(directory)
    if not found:
        return ""
    parts = ["<h2>Scenario discovery</h2>"]
    for info in found:
        parts.append(f"<h3>{_e(info.get('question', ''))}</h3><p>{_e(info.get('summary', ''))}</p>")
        rows = [
            {
                "Region": box["rule"],
                "Density": f"{box['density']:.0%}",
                "Coverage": f"{box['coverage']:.0%}",
                "Runs in region": f"{box['runs']} ({box['mass']:.0%})",
            }
            for box in info.get("boxes", [])
        ]
        if rows:
            parts.append(_table(pd.DataFrame(rows), {"Density", "Coverage"}))
    parts.append(
        "<p class='muted'>Density: share of the runs in the region that give the outcome. Coverage: share of all "
        "runs giving the outcome that fall in the region.</p>"
    )
    return "".join(parts)


def _reproduce_html(results: ResultsFolder) -> str:
    sweep, manifest = results.sweep, results.manifest
    commit = (manifest.get("git_commit") or "").removesuffix("+dirty")
    info = results.directory / SENSITIVITY_INFO
    command = "sensitivity" if info.exists() else "sweep"
    lines = []
    if commit:
        lines.append(f"git checkout {commit}")
    lines.append(
        f"tracktwo {command} {shlex.quote(str(sweep.get('path', 'SWEEP.yaml')))} "
        f"--out {shlex.quote(str(results.directory))} --overwrite"
    )
    lines.append(f"tracktwo report {shlex.quote(str(results.directory))}")
    dirty = (
        " The code had uncommitted changes when it ran."
        if str(manifest.get("git_commit", "")).endswith("+dirty")
        else ""
    )
    text = sweep.get("text")
    file_block = f"<p>The {command} file as it ran:</p><pre>{_e(text)}</pre>" if text else ""
    return (
        f"<h2>How to reproduce</h2><p>Seeds come from the file's seed, the point and the replicate, so the same file "
        f"and code give the same runs on any executor.{dirty}</p><pre>{_e(chr(10).join(lines))}</pre>{file_block}"
    )


EFFECT_ROWS = 30


def effects_of(results: ResultsFolder) -> pd.DataFrame:
    """The metric's effects table (effects.csv's rows for it; computed from the runs when the file is absent)."""
    metric = (results.metric or {}).get("name")
    path = results.directory / effects.EFFECTS_FILE
    table = pd.read_csv(path) if path.exists() else effects.sweep_effects(results.runs, results.swept, metric)
    return table[table["outcome"] == (metric or "impact")] if not table.empty else table


def effect_headlines(results: ResultsFolder) -> list[Headline]:
    """The largest main effect and what the interactions show: clearly non-zero (Holm) or negligible (TOST)."""
    table = effects_of(results)
    if table.empty:
        return []
    label = labels.outcome_label(table["outcome"].iloc[0])
    mains, pairs = table[table["kind"] == "main"], table[table["kind"] == "interaction"]
    top = mains.loc[mains["estimate"].abs().idxmax()] if len(mains) else None
    text = f"Effects on {_lower_first(label)} (regression on the runs, {table['method'].iloc[0]})"
    if top is not None:
        text += (
            f": the largest main effect is {top['term']}, {top['estimate']:+.3g} "
            f"({stats.DEFAULT_CONFIDENCE:.0%} CI {top['low']:+.3g} to {top['high']:+.3g}) across its swept range"
        )
    if len(pairs):
        clear = pairs[pairs["p_holm"] < 1 - stats.DEFAULT_CONFIDENCE]
        negligible = int(pairs["negligible"].sum())
        text += (
            f". Of {len(pairs)} two-way interactions, {len(clear)} are clearly non-zero (Holm-adjusted p < "
            f"{1 - stats.DEFAULT_CONFIDENCE:.2g}) and {negligible} are negligible (TOST within "
            f"+-{pairs['equivalence_margin'].iloc[0]:.3g})"
        )
        if len(clear):
            big = clear.loc[clear["estimate"].abs().idxmax()]
            text += f"; the largest is {big['term']}, {big['estimate']:+.3g} ({big['low']:+.3g} to {big['high']:+.3g})"
    return [Headline(text + ".")]


def robust_headlines(results: ResultsFolder) -> list[Headline]:
    """For a sweep with uncertain ranges: the lever point in the best set in most scenarios, and where it flips."""
    found = robustness_of(results)
    return [] if found is None else [Headline(found.describe())]


ROBUST_ROWS = 20


def robustness_of(results: ResultsFolder) -> robust.Robustness | None:
    """robust.csv and robust.json of a sweep over uncertain scenarios (computed from the runs when absent)."""
    if not results.sweep.get("uncertain") or not results.metric:
        return None
    found = robust.read_robustness(results.directory)
    if found is not None:
        return found
    uncertain = list(results.sweep["uncertain"])
    return robust.robustness(
        results.every_run,
        [c for c in results.swept if c not in uncertain],
        uncertain,
        results.metric["name"],
        results.metric["goal"],
        float(results.sweep.get("confidence") or stats.DEFAULT_CONFIDENCE),
        float(results.sweep.get("indifference") or 0.0),
    )


def _lever_text(row: dict[str, Any], levers: list[str]) -> str:
    """A lever point in words: its mix, or its values."""
    if levers and all(c.startswith("workshops.mix.") for c in levers):
        return labels.describe_mix(row)
    return labels.describe_values(row)


def _robust_html(results: ResultsFolder) -> str:
    """The most robust lever points: median and 10th percentile over scenarios, regret, share in the best set."""
    found = robustness_of(results)
    if found is None:
        return ""
    shown = found.table.head(ROBUST_ROWS)
    levers = [c for c in results.swept if c in shown]
    frame = pd.DataFrame(
        {
            "Robust rank": shown["robust_rank"],
            "Point": [_lever_text(row, levers) for row in shown[levers].to_dict("records")],
            "Median": [f"{v:.3g}" for v in shown["median"]],
            "10th percentile": [f"{v:.3g}" for v in shown["p10"]],
            "Mean regret": [f"{v:.3g}" for v in shown["mean_regret"]],
            "Largest regret": [f"{v:.3g}" for v in shown["max_regret"]],
            "Scenarios in the best set": [f"{v:.0%}" for v in shown["share_best_set"]],
        }
    )  # fmt: skip
    numeric = {"Median", "10th percentile", "Mean regret", "Largest regret", "Scenarios in the best set"}
    note = (
        f"<p class='muted'>Across {found.scenarios} Latin-hypercube scenarios of the uncertain parameters, the same "
        "scenarios and seeds for every point: median and 10th percentile of the point's mean in each scenario; "
        "regret: how far it falls below the best point of a scenario; the share of scenarios in whose best set it "
        f"is. {_e(found.flips)} All points in robust.csv, each point in each scenario in robust_scenarios.csv.</p>"
    )
    return f"<h2>Robustness to what the model cannot know</h2>{_table(frame, numeric)}{note}"


def _effects_html(results: ResultsFolder) -> str:
    table = effects_of(results)
    if table.empty:
        return ""
    shown = table.reindex(table["estimate"].abs().sort_values(ascending=False).index).head(EFFECT_ROWS)
    frame = pd.DataFrame(
        {
            "Term": shown["term"],
            "Kind": shown["kind"],
            "Effect": [f"{v:+.3g}" for v in shown["estimate"]],
            f"{stats.DEFAULT_CONFIDENCE:.0%} CI": [
                f"{lo:+.3g} to {hi:+.3g}" for lo, hi in zip(shown["low"], shown["high"], strict=True)
            ],
            "p (Holm)": [f"{v:.2g}" for v in shown["p_holm"]],
            "Negligible": ["yes" if v else "" for v in shown["negligible"]],
        }
    )
    note = (
        "<p class='muted'>Main effect: the change in the outcome from the low to the high end of the parameter's "
        "swept range (others at their mean); categorical levels against the first level; interaction: how much one "
        "parameter's effect changes across the other's range. One OLS regression on the runs with the seed as a "
        "fixed effect and cluster-robust standard errors by seed (paired sweeps). Negligible: the 90% interval lies "
        "within the equivalence margin (TOST). All terms in effects.csv.</p>"
    )
    return f"<h2>Effects and interactions</h2>{_table(frame, {'Effect', 'p (Holm)'})}{note}"


def render(results: ResultsFolder, drawn: list[plots.Drawn]) -> str:
    """The whole report as one HTML string."""
    found = headlines(results)
    question = _question(results)
    answers = "".join(f"<li>{_e(h.text)}</li>" for h in found) or "<li>No headline: the sweep has no metric.</li>"
    made = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    body = (
        f"<h1>{_e(results.name)}</h1>"
        + (f"<p class='question'>{_e(question)}</p>" if question else "")
        + f"<h2>Answers</h2><ul class='headline'>{answers}</ul>"
        + _ranking_html(results)
        + _robust_html(results)
        + _effects_html(results)
        + _what_got_in_html(results)
        + _figures_html(results, drawn)
        + _sensitivity_html(results.directory)
        + _scenarios_html(results.directory)
        + _evaluation_html(results.directory)
        + f"<h2>What was run</h2>{_what_was_run(results)}"
        + _reproduce_html(results)
        + f"<p class='muted'>Report written {made} by <code>tracktwo report</code>.</p>"
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_e(results.name)}: tracktwo report</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def write_report(directory: str | Path, redraw: bool = False) -> Path:
    """RESULTS_DIR/report.html, drawing the figures first if they are missing (or if asked).

    An evaluate folder gets the evaluation report (experiments.reporting.evaluation_report) instead, and a
    calibrate folder the calibration report (experiments.reporting.calibration_report).
    """
    with folder_lock.reading(Path(directory), "report"):
        return _write_report(directory, redraw)


def _write_report(directory: str | Path, redraw: bool) -> Path:
    from tracktwo.experiments.reporting import calibration_report, evaluation_report

    if evaluation_report.is_evaluation(Path(directory)):
        return evaluation_report.write(directory)
    if calibration_report.is_calibration(Path(directory)):
        return calibration_report.write(directory)
    results = load_results(directory)
    check_file_place(results.directory / REPORT, results.directory / f".{REPORT}.partial")
    if folder_kind(results.directory, results.manifest) not in SWEEP_KINDS:
        drawn: list[plots.Drawn] = []  # an evaluate, compare or select folder: its command drew its own figure
    else:
        drawn = [] if redraw else plots.read_index(results.figures_dir)
        if not drawn or not all((results.figures_dir / name).exists() for d in drawn for name in d.files):
            drawn = plots.plot_results(results.directory)
    return write_atomic(results.directory / REPORT, render(results, drawn))
