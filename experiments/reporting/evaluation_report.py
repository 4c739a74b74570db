"""The evaluation report: `tracktwo report` on a `tracktwo evaluate` folder reads as an evaluation, not a sweep.

Sections: the question; the counterfactual; the rule (correction, margin, sign); the power check;
the total effect; per family and outcome the component table with verdicts; per component the change
in influence on the process beside the change in outcome transfer (with an issue space); the contribution story
(when `--theory` ran); methods and limitations. Every number is the CSV's, formatted by one
function (`evaluation.plain`): the change when removed throughout, no negative zeros.
"""

from __future__ import annotations

import base64
import datetime
import html
import shlex
from pathlib import Path
from typing import Any

import pandas as pd
from tracktwo.experiments.analysis.evaluation import VERDICT_RULES, plain
from tracktwo.experiments.analysis.results import EVALUATION_INFO, EVALUATION_TABLE, read_csv_table
from tracktwo.experiments.analysis.verdicts import PROCESS_OUTCOME_TABLE, change_text
from tracktwo.experiments.analysis.verdicts import outcome_words as outcome_label
from tracktwo.experiments.provenance import read_manifest, write_atomic
from tracktwo.model import ConfigError

__all__ = ["TOTALS_TABLE", "is_evaluation", "render", "write"]

TOTALS_TABLE = "evaluation_totals.csv"
TABLE_COLUMNS = ("family", "counterfactual", "outcome", "label", "verdict")  # what render reads, at least
TOTALS_COLUMNS = ("family", "outcome", "with_programme", "without_components", "verdict", "replicates")
THEORY_TABLE = "theory.csv"
REPORT = "report.html"
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;max-width:1100px;margin:2em auto;
     padding:0 1em;color:#222;line-height:1.5}
h2{margin-top:1.8em;border-bottom:2px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em} th,td{border:1px solid #ccc;padding:.25em .6em}
th{background:#f3f3f3;text-align:left} td.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#666;font-size:.9em} .question{font-size:1.15em} img{max-width:100%}
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def is_evaluation(directory: Path) -> bool:
    """Whether a results folder was written by `tracktwo evaluate` (its evaluation.json and table are there)."""
    return (directory / EVALUATION_INFO).exists() and (directory / EVALUATION_TABLE).exists()


def interval(row: Any, key: str, digits: int = 3) -> str:
    """'-1.316 [-2.000, -0.632]' from a CSV row's estimate and bounds (the one format of every surface)."""
    return (
        f"{plain(row[key], digits, signed=True)} "
        f"[{plain(row[f'{key}_low'], digits, signed=True)}, {plain(row[f'{key}_high'], digits, signed=True)}]"
    )


def share(row: Any) -> str:
    """The chain share as a percentage with its interval, or the explicit absence of a chain."""
    if pd.isna(row["chain_share"]):
        return str(row["chain"])
    low, high = row["chain_share_low"], row["chain_share_high"]
    return f"{row['chain_share']:.0%} [{low:.0%}, {high:.0%}]" if pd.notna(low) else f"{row['chain_share']:.0%}"


def _table(header: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    cell = "<td class='num'>{}</td>", "<td>{}</td>"
    body = "".join(
        "<tr>" + "".join(cell[i not in numeric].format(_e(c)) for i, c in enumerate(r)) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _question(info: dict[str, Any]) -> str:
    families = ", ".join(f["name"] for f in info.get("families", []))
    outcomes = ", ".join(outcome_label(o).lower() for o in info.get("outcomes", []))
    return (
        f"What did each component of the programme in {info.get('config', 'the config')} ({families}) do to "
        f"{outcomes}? Each is removed in turn and the programme replayed on the same seeds (common random numbers)."
    )


def render(directory: Path) -> str:
    """The evaluation report as one HTML string, from evaluation.json, evaluation.csv and evaluation_totals.csv."""
    info = read_manifest(directory / EVALUATION_INFO)
    if not isinstance(info, dict):
        raise ConfigError(f"{directory / EVALUATION_INFO} is damaged (not a JSON object); rerun tracktwo evaluate")
    table = read_csv_table(directory / EVALUATION_TABLE, TABLE_COLUMNS)
    totals = read_csv_table(directory / TOTALS_TABLE, TOTALS_COLUMNS) if (directory / TOTALS_TABLE).exists() else None
    totals = pd.DataFrame() if totals is None else totals
    rule = info.get("rule", {})
    parts = [
        f"<h1>Evaluation: {_e(Path(str(info.get('config', 'programme'))).stem)}</h1>",
        f"<p class='question'>{_e(_question(info))}</p>",
        "<h2>Counterfactual</h2><ul>",
        *(
            f"<li>{_e(f)}: {_e(w)}</li>"
            for f, w in dict(zip(table["family"], table["counterfactual"], strict=True)).items()
        ),
        "</ul>",
        "<h2>Rule</h2>",
        f"<p>Sign: {_e(info.get('sign', 'change when removed'))}. A negative change means the outcome falls "
        "without the component.</p>",
        "<ul>" + "".join(f"<li><b>{_e(v)}</b>: {_e(t)}</li>" for v, t in VERDICT_RULES.items()) + "</ul>",
        "<ul>"
        + "".join(f"<li>{_e(outcome_label(o))}: {_e(t)}</li>" for o, t in rule.get("text", {}).items())
        + "</ul>",
    ]
    power = info.get("power", [])
    if power:
        parts.append("<h2>Power check (before the runs)</h2><ul>")
        parts += [f"<li>{_e(p['message'])}</li>" for p in power]
        parts.append("</ul>")
    if not totals.empty:
        parts.append("<h2>Total effect</h2>")
        rows = [
            [
                str(t["family"]),
                outcome_label(t["outcome"]),
                plain(t["with_programme"]),
                plain(t["without_components"]),
                interval(t, "change_when_all_removed"),
                str(t["verdict"]),
                str(int(t["replicates"])),
            ]
            for _, t in totals.iterrows()
        ]
        header = ["Family", "Outcome", "With the programme", "Every component removed", "Change when all removed",
                  "Verdict", "Replicates"]  # fmt: skip
        parts.append(_table(header, rows, {2, 3, 4, 6}))
    parts.append("<h2>Components</h2>")
    for (family, outcome), part in table.groupby(["family", "outcome"], sort=False):
        rows = [
            [
                str(r["label"]),
                interval(r, "change_when_removed"),
                plain(r["p_adjusted"]),
                plain(r["p_equivalence_adjusted"]),
                plain(r["detectable_effect"]),
                share(r),
                interval(r, "shapley"),
                str(r["verdict"]),
            ]
            for _, r in part.iterrows()
        ]
        header = ["Component", "Change when removed [95% CI]", "Adjusted p (difference)", "Adjusted p (equivalence)",
                  "Detectable change", "On the chain", "Shapley share", "Verdict"]  # fmt: skip
        parts.append(f"<h3>{_e(family)}: {_e(outcome_label(outcome))}</h3>{_table(header, rows, {1, 2, 3, 4, 6})}")
    parts.append(_process_and_outcome(directory))
    parts.append(_figures(directory, info))
    parts.append(_story(directory))
    parts.append(_methods(info))
    parts.append(
        "<h2>How to reproduce</h2><pre>"
        + _e(f"tracktwo evaluate {shlex.quote(str(info.get('config', '')))} --seed {info.get('seed', 0)} "
             f"--replicates {info.get('replicates', '')} --out {shlex.quote(str(directory))} --overwrite")
        + "</pre>"
    )  # fmt: skip
    made = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    parts.append(f"<p class='muted'>Report written {made} by <code>tracktwo report</code>.</p>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Evaluation report</title>"
        f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>\n"
    )


def _figures(directory: Path, info: dict[str, Any]) -> str:
    """The evaluate figures (first outcome per family), embedded scaled down; the full files stay in the folder."""
    from tracktwo.experiments.reporting.report import _embeddable

    parts = []
    for name in info.get("figures", []):
        png = directory / name
        if name.endswith(".png") and png.exists():
            data = base64.b64encode(_embeddable(png)).decode("ascii")
            parts.append(f'<figure><img alt="Change when removed, per component" src="data:image/png;base64,{data}">'
                         f"<figcaption class='muted'>{_e(name)}</figcaption></figure>")  # fmt: skip
    return "".join(parts)


def _process_and_outcome(directory: Path) -> str:
    """Per component: the change in influence on the process next to the change in outcome transfer (7.11)."""
    path = directory / PROCESS_OUTCOME_TABLE
    if not path.exists():
        return ""
    table = read_csv_table(path, ("family", "label", "process_change", "outcome_change"))
    parts = [
        "<h2>Influence on the process and outcome transfer</h2>",
        "<p>Removing a component can change how far Track Two ideas moved the officials' positions without being "
        "adopted (influence on the process, issue-space units) apart from how many were adopted into Track One's "
        "decisions (outcome transfer, ideas): a component may shape the process without its ideas being adopted, "
        "or the reverse. Change when removed with its 95% interval and verdict, judged by the same rule as the "
        "tables above (an outcome not evaluated there: margin 10% of the full programme's mean over these runs).</p>",
    ]
    for family, part in table.groupby("family", sort=False):
        rows = [
            [
                str(r["label"]),
                change_text(r, "process"),
                str(r["process_verdict"]),
                change_text(r, "outcome"),
                str(r["outcome_verdict"]),
            ]
            for _, r in part.iterrows()
        ]
        header = ["Component", "Change in influence on the process [95% CI]", "Verdict",
                  "Change in outcome transfer [95% CI]", "Verdict"]  # fmt: skip
        parts.append(f"<h3>{_e(family)}</h3>{_table(header, rows, {1, 3})}")
    return "".join(parts)


def _story(directory: Path) -> str:
    path = directory / THEORY_TABLE
    if not path.exists():
        return ""
    links = read_csv_table(path)
    rows = [
        [
            f"{r['cause_label']} -> {r['consequence_label']}",
            interval(r, "change_when_removed"),
            plain(r["p_value"]),
            plain(r["p_equivalence"]),
            str(r["finding"]),
            str(r["evidence"]),
        ]
        for _, r in links.iterrows()
    ]
    header = ["Link", "Change in the consequence when the cause is knocked out", "Adjusted p (difference)",
              "Adjusted p (equivalence)", "Finding", "Evidence"]  # fmt: skip
    return "<h2>Contribution story (theory of change)</h2>" + _table(header, rows, {1, 2, 3})


def _uncertainty(info: dict[str, Any]) -> str:
    """What the intervals cover: seed luck only, or seed luck and a calibration's posterior."""
    replicates = _e(info.get("replicates", "?"))
    posterior = info.get("posterior")
    if isinstance(posterior, dict) and posterior.get("source"):
        return (
            f"intervals cover seed luck and the parameters a calibration left open ({replicates} replicates, each "
            f"at one particle of the posterior in {_e(posterior['source'])}, fitting "
            f"{_e(', '.join(map(str, posterior.get('parameters', []))))}, drawn by weight, the same for every "
            f"coalition, one particle per {_e(posterior.get('block', 1))} replicates); the rest of the parameters "
            "are as set. Each interval is the random-effects one (one-way ANOVA over the particles; Ankenman and "
            "Nelson 2012): estimate +/- t times sqrt(spread between particles + Monte Carlo variance of the mean), "
            "whose posterior part more replicates do not shrink"
        )
    return (
        f"intervals cover seed luck only ({replicates} replicates), not uncertainty in the model's parameters "
        "(evaluate --posterior DIR draws them from a calibration)"
    )


def _methods(info: dict[str, Any]) -> str:
    return (
        "<h2>Methods and limitations</h2><ul>"
        "<li>Each component is removed in turn and the programme replayed on the same seeds: every draw is keyed by "
        "the event it decides, so a replay differs only where the removal reached (common random numbers).</li>"
        "<li>Change when removed: mean over replicates of the outcome without the component minus with it; paired "
        "t interval. Verdicts: a paired t-test against 0 with the stated correction across the family's components; "
        "'no effect' by two one-sided tests within the margin (also corrected); see docs/evaluation.md.</li>"
        "<li>On the chain: the share of the outcome's own recorded chains (the full programme's runs, record on) "
        "passing through the component; outcomes the record does not decompose say so.</li>"
        "<li>Shapley share: the component's share of the change when every component is removed (exact up to 10 "
        "components, sampled orders beyond); the shares add up to the total.</li>"
        f"<li>Limitations: {_uncertainty(info)}; the model, not the world, is "
        f"evaluated. Removed participants' and groups' seats: {_e(info.get('counterfactual', 'refill'))} "
        f"({_e(info.get('counterfactual_words', ''))}).</li></ul>"
    )


def write(directory: str | Path) -> Path:
    """RESULTS_DIR/report.html for an evaluate folder; ConfigError (one line) if its files are damaged."""
    folder = Path(directory)
    try:
        html = render(folder)
    except ConfigError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:  # a value of the wrong kind
        reason = " ".join(f"{type(error).__name__}: {error}".split())[:60]
        raise ConfigError(
            f"{folder}: {EVALUATION_INFO}, {EVALUATION_TABLE} or {TOTALS_TABLE} is damaged ({reason}); "
            "rerun tracktwo evaluate with --overwrite"
        ) from None
    return write_atomic(folder / REPORT, html)
