"""`tracktwo compare`: programmes on common seeds, paired intervals that cover a planted difference, clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from cli_harness import held_while_writing
from tracktwo.experiments.analysis import comparison, stats
from tracktwo.experiments.cli import main
from tracktwo.experiments.design import points
from tracktwo.experiments.design.programmes import load_programmes
from tracktwo.experiments.engine import worker as evaluate
from tracktwo.experiments.engine.executors import SerialExecutor
from tracktwo.experiments.engine.runner import run_sweep
from tracktwo.model import ConfigError, Params

ROOT = Path(__file__).resolve().parents[3]

TINY = """
name: tiny
steps: 12
replicates: 3
seed: 7
programmes:
  Elites only:
    description: one workshop of elites
    overrides: {workshops.count: 1, workshops.mix: {elite: 1.0}}
  Balanced series:
    overrides:
      workshops: {count: 3, interval: 3, mix: {elite: 0.5, autonomous: 0.5}}
"""


def write(tmp_path: Path, text: str, name: str = "programmes.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(tmp_path: Path, text: str, replicates: int | None = None) -> tuple[pd.DataFrame, list[str], object]:
    programmes = load_programmes(write(tmp_path, text))
    result = run_sweep(programmes.sweep(replicates), tmp_path / "out", SerialExecutor(), progress=False)
    return pd.read_parquet(result.directory / "runs.parquet"), programmes.names, programmes


# Reading programmes files ---------------------------------------------------------------------


def test_example_programmes_read_with_one_column_per_varied_key() -> None:
    programmes = load_programmes(ROOT / "configs" / "programmes" / "example.yaml")
    assert (
        len(programmes.programmes) == 3 and programmes.rank_by == "ideas_transferred" and programmes.goal == "maximize"
    )
    inclusive = programmes.programmes[2]
    assert (
        inclusive.overrides["workshops.count"] == 20 and inclusive.overrides["mode"] == "track1.5"
    )  # nested keys flattened
    assert inclusive.overrides["workshops.mix"] == {
        "elite": 0.3,
        "autonomous": 0.3,
        "grassroots": 0.4,
    }  # a mix stays whole
    listed = programmes.points()
    assert all(set(point) == set(listed[0]) for point in listed)  # base values fill the keys a programme leaves alone
    assert listed[0]["mode"] == "track2" and listed[0]["workshops.count"] == 1


def test_map_example_resolves_its_base_and_map() -> None:
    programmes = load_programmes(ROOT / "configs" / "programmes" / "example_map.yaml")
    assert programmes.base["network"]["type"] == "map" and Path(programmes.base["network"]["map"]).is_file()


BAD_FILES = {
    "one programme": ("programmes:\n  Only:\n    overrides: {workshops.count: 2}\n", "two or more programmes, got 1"),
    "unknown key": ("replicate: 10\n" + TINY, "unknown key(s) ['replicate'] (did you mean replicates?)"),
    "unknown programme key": (
        TINY.replace("    description: one", "    overides: {}\n    description: one"),
        "programme 'Elites only': unknown key(s) ['overides'] (did you mean overrides?)",
    ),
    "unknown baseline": (
        "baseline: Current practice\n" + TINY,
        "baseline: 'Current practice' is not one of the programmes; expected one of",
    ),
    "bad value": (
        TINY.replace("workshops.count: 1,", "workshops.size: 1,"),
        "programme 'Elites only': workshops.size: Input should be greater than or equal to 2",
    ),
    "unknown parameter": (
        TINY.replace("workshops.count: 1,", "workshops.sise: 8,"),
        "programme 'Elites only': workshops.sise: unknown parameter 'sise'",
    ),
    "duplicate name": (
        TINY + "  Elites only:\n    overrides: {workshops.count: 2}\n",
        "key 'Elites only' appears twice",
    ),
    "names differing in case only": (
        TINY + "  balanced  series:\n    overrides: {}\n",
        "differ only in case or spaces",
    ),
    "duplicate override": (
        TINY.replace("workshops.count: 1,", "workshops.count: 1, workshops.count: 2,"),
        "key 'workshops.count' appears twice",
    ),
    "unknown outcome": (
        "rank_by: idea_transferred\n" + TINY,
        "rank_by: 'idea_transferred' is not an outcome of the model (did you mean ideas_transferred?)",
    ),
    "one replicate": (TINY.replace("replicates: 3", "replicates: 1"), "replicates: expected an integer >= 2, got 1"),
    "programmes as a list": ("programmes: [A, B]\n", "programmes: expected a mapping of programme names"),
    "overrides as a list": (
        TINY.replace("overrides: {workshops.count: 1, workshops.mix: {elite: 1.0}}", "overrides: [1, 2]"),
        "programme 'Elites only': overrides: expected a mapping",
    ),
    "missing base": ("base: nowhere.yaml\n" + TINY, "base config: file not found"),
    "not a key": (
        TINY.replace("workshops.count: 1,", "'workshops count': 1,"),
        "'workshops count' is not a parameter key",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_programmes_files_get_one_clear_line(tmp_path: Path, case: str) -> None:
    text, expected = BAD_FILES[case]
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_programmes(path)
    message = str(error.value)
    assert expected in message and message.startswith(f"programmes {path}: ") and "\n" not in message


def test_bad_programmes_file_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, TINY.replace("workshops.count: 1,", "workshops.size: 1,"))
    assert main(["compare", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err.startswith("tracktwo compare: error: programmes ")
        and "'Elites only': workshops.size" in err
        and "\n" not in err
    )
    assert main(["compare", str(write(tmp_path, TINY, "ok.yaml")), "--replicates", "1"]) == 2
    assert "--replicates: expected an integer >= 2, got 1" in capsys.readouterr().err
    assert main(["compare", str(tmp_path / "ok.yaml"), "--baseline", "Elites"]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        "--baseline: 'Elites' is not one of the programmes; expected one of ['Elites only', 'Balanced series']" in err
    )
    assert "\n" not in err
    assert not (tmp_path / "out").exists()


# Pairing ------------------------------------------------------------------------------------


def test_common_seeds_give_every_programme_the_same_seeds(tmp_path: Path) -> None:
    runs, _, _ = run(tmp_path, TINY)
    assert sorted(runs["point"].unique()) == [0, 1] and len(runs) == 6
    seeds = runs.pivot_table(index="replicate", columns="point", values="seed", aggfunc="first")
    assert (seeds[0] == seeds[1]).all() and seeds[
        0
    ].nunique() == 3  # paired across programmes, distinct across replicates
    assert seeds[0].tolist() == [points.run_seed(7, 0, r) for r in range(3)]
    assert points.run_seed(7, 1, 2, common_seeds=True) == points.run_seed(7, 0, 2) != points.run_seed(7, 1, 2)


def test_identical_programmes_differ_by_exactly_zero(tmp_path: Path) -> None:
    same = TINY.replace(
        "workshops: {count: 3, interval: 3, mix: {elite: 0.5, autonomous: 0.5}}",
        "{workshops.count: 1, workshops.mix: {elite: 1.0}}",
    )
    runs, names, _ = run(tmp_path, same, replicates=4)
    result = comparison.compare_programmes(runs, names, "ideas_generated", "maximize")
    other = result.table[result.table["programme"] == result.ranking[1]]
    assert (other["pairs"] > 0).any()
    defined = other[other["pairs"] > 0]
    spread = defined[defined["pairs"] > 1]  # an interval needs two pairs (one pair: no interval, NaN)
    assert (defined["difference"] == 0).all() and (spread["difference_low"] == 0).all()
    assert (spread["difference_high"] == 0).all() and defined.loc[defined["pairs"] == 1, "difference_low"].isna().all()
    assert (defined["share_tied"] == 1.0).all()
    assert (result.differences["difference"].dropna() == 0).all()
    assert "gave the same" in result.verdicts[result.ranking[1]]


# A planted difference -----------------------------------------------------------------------

PLANTED_EFFECT_PER_IDEA_RATE = 1.5  # transfers per unit of workshops.idea_rate in the fake model
SHARED_SD = 3.0  # luck both programmes share on one seed (the conflict, the network)
OWN_SD = 0.3  # luck of the programme's own


def fake_simulate(params: Params, seed: int) -> SimpleNamespace:
    """A stand-in model with a known effect: transfers = shared luck(seed) + 1.5 x idea rate + own noise."""
    idea_rate = params.workshops.idea_rate
    shared = np.random.default_rng(seed).normal(10.0, SHARED_SD)
    own = np.random.default_rng([seed, int(idea_rate * 1000)]).normal(0.0, OWN_SD)
    transferred = shared + PLANTED_EFFECT_PER_IDEA_RATE * idea_rate + own
    outcomes = {
        "ideas_transferred": transferred,
        "any_transfer": float(transferred > 13.0),
        "impact": 0.5 * transferred,
        "time_to_first_transfer": 30.0 - transferred,
        "mean_novelty_transferred": 0.5,
        "trust_change": 0.01,
        "participant_share_kind_elite": 0.5,
        "author_share_kind_elite": 0.5,
    }
    return SimpleNamespace(outcomes=outcomes, timeseries_values=lambda: (np.empty((0, 1)), ("step",)))  # none kept


PLANTED = """
steps: 12
replicates: 40
seed: 3
programmes:
  Fewer ideas: {overrides: {workshops.idea_rate: 1.0}}
  More ideas: {overrides: {workshops.idea_rate: 2.0}}
"""


def test_paired_interval_covers_a_planted_difference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evaluate, "simulate", fake_simulate)
    runs, names, _ = run(tmp_path, PLANTED)
    result = comparison.compare_programmes(runs, names, "ideas_transferred", "maximize")
    assert result.ranking == ["More ideas", "Fewer ideas"]
    row = result.row("Fewer ideas", "ideas_transferred")
    truth = -PLANTED_EFFECT_PER_IDEA_RATE
    assert row["difference_low"] < truth < row["difference_high"] and row["difference_high"] < 0 and row["pairs"] == 40
    unpaired = stats.mean_interval(runs.loc[runs["point"] == 0, "ideas_transferred"])
    assert (
        row["difference_high"] - row["difference_low"] < (unpaired.high - unpaired.low) / 4
    )  # pairing removes shared luck
    assert row["share_lower"] == 1.0  # own noise (sd 0.3) never outweighs the effect (1.5) here
    sentence = result.verdicts["Fewer ideas"]
    assert sentence.startswith("More ideas transfers more ideas than Fewer ideas in 100% of 40 paired runs")
    assert f"95% CI {-row['difference_high']:.2f} to {-row['difference_low']:.2f}" in sentence
    time_row = result.row("Fewer ideas", "time_to_first_transfer")  # lower is better: the loser is slower
    assert time_row["difference_low"] > 0 and "sooner than" in comparison.verdict(
        result, "Fewer ideas", "time_to_first_transfer"
    )


def test_a_baseline_is_the_reference_for_differences_and_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Named as the baseline, the weaker programme is what the better one is measured against."""
    monkeypatch.setattr(evaluate, "simulate", fake_simulate)
    runs, names, _ = run(tmp_path, PLANTED)
    result = comparison.compare_programmes(runs, names, "ideas_transferred", "maximize", baseline="Fewer ideas")
    assert result.ranking == ["More ideas", "Fewer ideas"] and result.reference == "Fewer ideas"
    assert result.others == ["More ideas"] and list(result.verdicts) == ["More ideas"]
    row = result.row("More ideas", "ideas_transferred")
    assert row["difference_low"] < PLANTED_EFFECT_PER_IDEA_RATE < row["difference_high"] and row["difference_low"] > 0
    assert result.row("Fewer ideas", "ideas_transferred")["difference"] == 0
    assert set(result.differences["reference"]) == {"Fewer ideas"} and set(result.differences["programme"]) == {
        "More ideas"
    }
    sentence = result.verdicts["More ideas"]  # the leader speaks first, whichever is the reference
    assert sentence.startswith("More ideas transfers more ideas than Fewer ideas in 100% of 40 paired runs")
    assert f"95% CI {row['difference_low']:.2f} to {row['difference_high']:.2f}" in sentence
    against_best = comparison.compare_programmes(runs, names, "ideas_transferred", "maximize")
    assert against_best.verdicts["Fewer ideas"] == sentence  # the same pair, seen from the best: the same sentence
    with pytest.raises(ValueError, match="not one of the programmes"):
        comparison.compare_programmes(runs, names, "ideas_transferred", "maximize", baseline="Nobody")


def test_a_failed_run_drops_its_pair_not_the_comparison(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken_seed = points.run_seed(3, 0, 5)

    def sometimes_failing(params: Params, seed: int) -> SimpleNamespace:
        if seed == broken_seed and params.workshops.idea_rate == 1.0:
            raise RuntimeError("a worker's bad day")
        return fake_simulate(params, seed)

    monkeypatch.setattr(evaluate, "simulate", sometimes_failing)
    runs, names, _ = run(tmp_path, PLANTED)
    assert (runs["status"] == "failed").sum() == 1
    result = comparison.compare_programmes(runs, names, "ideas_transferred", "maximize")
    assert (
        result.row("Fewer ideas", "ideas_transferred")["pairs"] == 39
        and result.row("More ideas", "ideas_transferred")["n"] == 40
    )


def test_paired_bootstrap_interval_has_its_coverage() -> None:
    rng = np.random.default_rng(2024)
    trials, n, truth = 200, 30, 0.7
    covered = 0
    for trial in range(trials):
        shared = rng.normal(0.0, 5.0, n)
        better, worse = shared + truth + rng.normal(0.0, 1.0, n), shared + rng.normal(0.0, 1.0, n)
        result = stats.paired_difference(better, worse, seed=trial)
        covered += result.low <= truth <= result.high
    assert 0.88 <= covered / trials <= 0.99


def test_paired_difference_leaves_out_undefined_pairs() -> None:
    result = stats.paired_difference([1.0, np.nan, 3.0, 5.0], [0.0, 2.0, np.nan, 5.0])
    assert result.n == 2 and result.estimate == 0.5 and result.share_higher == 0.5 and result.share_tied == 0.5
    with pytest.raises(ValueError, match="one length"):
        stats.paired_difference([1.0, 2.0], [1.0])


# The command --------------------------------------------------------------------------------


def test_compare_command_writes_and_prints_the_comparison(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracktwo.experiments.api as command  # the command writes through the Python API

    path = write(tmp_path, TINY)
    out = tmp_path / "out"
    checked = held_while_writing(monkeypatch, command, out)
    arguments = ["compare", str(path), "--out", str(out), "--executor", "serial", "--replicates", "4", "--no-progress"]
    assert main(arguments) == 0
    assert checked == ["comparison.csv", "paired_differences.csv"], "the folder is held while the tables are written"
    printed = capsys.readouterr().out
    assert "tiny: 2 programmes x 4 paired runs" in printed and "Verdict:" in printed and "Inclusion:" in printed
    for name in (
        "comparison.csv",
        "paired_differences.csv",
        "summary.json",
        "comparison.png",
        "comparison.svg",
        "runs.parquet",
        "manifest.json",
    ):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "comparison.csv")
    assert (
        set(comparison.HEADLINE_OUTCOMES) <= set(table["outcome"])
        and table["outcome"].str.startswith("participant_share_").any()
    )
    assert set(table["programme"]) == {"Elites only", "Balanced series"}
    differences = pd.read_csv(out / "paired_differences.csv")
    assert len(differences[differences["outcome"] == "ideas_transferred"]) == 4
    summary = json.loads((out / "summary.json").read_text())
    assert summary["paired"] and summary["replicates"] == 4 and len(summary["verdicts"]) == 1
    assert (
        main(arguments) == 2 and "--resume" in capsys.readouterr().err
    )  # an existing comparison is not overwritten silently
    assert main([*arguments, "--resume"]) == 0 and "0 this session" in capsys.readouterr().out
