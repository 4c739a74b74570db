"""Shapley values, contributions and attribution: efficiency, symmetry, null players, planted answers, real runs."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_harness import assert_contract, held_while_writing, tracktwo
from tracktwo.experiments.analysis import evaluation
from tracktwo.experiments.analysis.evaluation import Game, coalitions, contributions, orders, shapley, shapley_exact


def _game(players: int, worth, replicates: int = 6, sampled: np.ndarray | None = None) -> Game:
    rng = np.random.default_rng(3)
    noise = rng.normal(size=replicates)  # the same luck in every coalition of a replicate (common random numbers)
    return Game(players, {c: worth(c) + noise * (len(c) + 1) for c in coalitions(players, sampled)})


def _glove(c: frozenset[int]) -> float:
    """Players 0, 1 hold left gloves, player 2 a right one: a pair is worth 1."""
    return float(min(len(c & {0, 1}), len(c & {2})))


def _interacting(c: frozenset[int]) -> float:
    """A game with interactions: 3 for the pair {0, 1}, 2 for player 2 alone, squares of coalition size."""
    return 3.0 * ({0, 1} <= c) + 2.0 * (2 in c) + 0.1 * len(c) ** 2


@pytest.mark.parametrize("players", [1, 3, 5, 8])
def test_exact_shapley_values_sum_to_the_total_effect_in_every_replicate(players):
    game = _game(players, _interacting)
    values = shapley_exact(game)
    assert np.allclose(values.sum(axis=1), game.total_effect(), rtol=0, atol=1e-9)


def test_sampled_shapley_values_sum_to_the_total_effect_and_approach_the_exact_ones():
    players = 12
    weights = np.arange(1, players + 1, dtype=float)

    def worth(c: frozenset[int]) -> float:  # additive plus one interaction between players 0 and 1
        return float(weights[list(c)].sum()) + 4.0 * ({0, 1} <= c)

    sampled = orders(players, 40, seed=1)
    game = _game(players, worth, sampled=sampled)
    table = shapley(game, sampled)
    assert table["shapley"].sum() == pytest.approx(game.total_effect().mean(), abs=1e-9)
    luck = np.random.default_rng(3).normal(size=6).mean()  # each player adds the replicate's luck once
    expected = weights + np.where(np.arange(players) < 2, 2.0, 0.0) + luck  # antithetic orders split the pair's 4
    assert np.allclose(table["shapley"], expected, atol=1e-9)
    assert (table["shapley_low"] <= table["shapley"]).all() and (table["shapley"] <= table["shapley_high"]).all()


def test_interchangeable_players_get_equal_shares():
    values = shapley_exact(_game(3, _glove)).mean(axis=0)
    assert values[0] == pytest.approx(values[1], abs=1e-12)
    luck = np.random.default_rng(3).normal(size=6).mean()
    assert values - luck == pytest.approx([1 / 6, 1 / 6, 2 / 3], abs=1e-9)  # the glove game's known answer


def test_a_null_player_gets_exactly_zero():
    def worth(c: frozenset[int]) -> float:
        return _interacting(c - {3})  # player 3 changes nothing

    game = Game(4, {c: np.full(5, worth(c)) for c in coalitions(4)})
    assert shapley_exact(game)[:, 3].tolist() == [0.0] * 5
    assert contributions(game).loc[3, "contribution"] == 0.0


def test_planted_additive_programme_recovers_each_workshops_effect():
    effects = np.array([0.5, 0.0, 1.5, 0.25])

    def worth(c: frozenset[int]) -> float:
        return float(effects[list(c)].sum())

    game = _game(4, worth, replicates=10)  # luck grows with the coalition's size: each player adds it once
    luck = np.random.default_rng(3).normal(size=10).mean()
    assert np.allclose(shapley(game)["shapley"], effects + luck, atol=1e-9)
    assert np.allclose(contributions(game)["contribution"], effects + luck, atol=1e-9)
    additive = Game(4, {c: np.full(3, worth(c)) for c in coalitions(4)})
    assert np.allclose(shapley(additive)["shapley"], effects, atol=1e-12)
    assert np.allclose(contributions(additive)["contribution"], effects, atol=1e-12)


def test_orders_are_permutations_and_coalitions_cover_them():
    sampled = orders(7, 9, seed=2)
    assert sampled.shape == (9, 7) and all(sorted(o) == list(range(7)) for o in sampled.tolist())
    needed = set(coalitions(7, sampled))
    for order in sampled.tolist():
        assert all(frozenset(order[:k]) in needed for k in range(8))
    assert len(coalitions(4)) == 16 and len(set(coalitions(4))) == 16
    assert {frozenset(c) for c in itertools.combinations(range(4), 2)} <= set(coalitions(4))


def test_attribution_is_the_share_of_impact_on_the_chain():
    table = evaluation.attribution([np.array([1.0, 0.0, 2.0]), np.array([0.0, 0.0, 0.0])], np.array([2.0, 0.0, 4.0]))
    assert table.loc[0, "attribution"] == pytest.approx(0.5)  # the run without impact is left out
    assert table.loc[1, "attribution"] == 0.0 and table.loc[1, "attribution_high"] <= 1.0


# The command on real runs --------------------------------------------------------------------------


def test_evaluate_on_common_random_numbers_gives_a_workshop_after_the_run_exactly_zero(tmp_path: Path):
    """Three workshops funded, the third falls after the last month: it cannot matter, so it gets exactly 0."""
    out = tmp_path / "evaluation"
    outcome = tracktwo(
        "evaluate",
        "--set", "workshops.count=3",
        "--set", "workshops.interval=10",
        "--set", "steps=22",
        "--set", "kinds.grassroots.count=30",
        "--outcomes", "impact", "ideas_generated",
        "--replicates", "4",
        "--executor", "serial",
        "--no-progress",
        "--out", out,
    )  # fmt: skip
    assert outcome.code == 0, outcome.stderr[-2000:]
    table = pd.read_csv(out / "evaluation.csv")
    late = table[table["component"] == "workshop:3"]
    assert (late[["shapley", "change_when_removed"]] == 0).all().all()
    assert (late["verdict"] == "no effect").all(), "identical in every replicate: no effect"
    totals = pd.read_csv(out / "evaluation_totals.csv")
    for _, total in totals.iterrows():
        mine = table[table["outcome"] == total["outcome"]]
        assert mine["shapley"].sum() == pytest.approx(total["change_when_all_removed"], abs=1e-9)
    generated = table[(table["outcome"] == "ideas_generated") & (table["component"] != "workshop:3")]
    assert (generated["shapley"] < 0).all(), "a workshop held generates ideas: removing it lowers them"
    assert (table.loc[table["outcome"] == "ideas_generated", "chain"] == "no chain for this outcome").all()
    assert table.loc[table["outcome"] == "ideas_generated", "chain_share"].isna().all()
    assert (table["counterfactual"] == "not held: the rest of the schedule unchanged").all()
    summary = json.loads((out / "evaluation.json").read_text())
    assert summary["summary"] and all("Workshop" in s for s in summary["summary"])
    assert (out / "evaluation.png").exists() and (out / "evaluation.svg").exists()
    assert "In plain words" in outcome.stdout


def test_evaluate_schedule_entries_formats_and_routes(tmp_path: Path):
    """Entries, formats and routes as families: shares add up; an entry after the last month gets exactly 0."""
    from tracktwo.experiments.cli import main

    config = tmp_path / "ngo.yaml"
    config.write_text(
        "steps: 30\nmode: track1.5\nprogramme:\n  events:\n"
        "    - {format: training, step: 2}\n"
        "    - {format: workshop, step: 4, count: 4, interval: 5}\n"
        "    - {format: knowledge_product, step: 26}\n"
        "    - {format: workshop, step: 40}\n",
        encoding="utf-8",
    )
    out = tmp_path / "evaluation"
    arguments = ["evaluate", str(config), "--components", "events", "formats", "routes", "--replicates", "3"]
    assert main([*arguments, "--outcomes", "impact", "--executor", "serial", "--no-progress", "--out", str(out)]) == 0
    table = pd.read_csv(out / "evaluation.csv")
    assert set(table["family"]) == {"events", "formats", "routes"}
    late = table[table["component"] == "event:4"]
    assert (late[["shapley", "change_when_removed"]] == 0).all().all() and (late["chain_share"] == 0).all()
    totals = pd.read_csv(out / "evaluation_totals.csv")
    for _, total in totals.iterrows():
        mine = table[table["family"] == total["family"]]
        assert mine["shapley"].sum() == pytest.approx(total["change_when_all_removed"], abs=1e-9)
    workshops = table[table["component"] == "format:workshop"].iloc[0]
    assert workshops["label"] == "Workshops" and workshops["change_when_removed"] < 0
    routes = table[table["family"] == "routes"]
    assert routes["chain_share"].sum() == pytest.approx(1.0, abs=1e-9), "every transfer took one route"


def test_evaluate_holds_its_folder_while_it_writes_its_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import tracktwo.experiments.api as command  # the command writes through the Python API
    from tracktwo.experiments.cli import main

    out = tmp_path / "evaluation"
    checked = held_while_writing(monkeypatch, command, out)
    arguments = ["evaluate", "--set", "workshops.count=2", "--set", "steps=12", "--replicates", "1"]
    assert main([*arguments, "--executor", "serial", "--no-progress", "--out", str(out)]) == 0
    assert checked == ["evaluation.csv", "evaluation_totals.csv", "process_outcome.csv"]


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["--components", "teams"], "--components: 'teams' is not a family"),
        (["--components", "groups:religion"], "group column 'religion'"),
        (["--outcomes", "happiness"], "--outcomes: unknown outcome 'happiness'"),
        (["--replicates", "0"], "--replicates"),
        (["--set", "workshops.count=0"], "workshops has no components"),
    ],
)
def test_bad_evaluate_input_is_one_line_and_exit_2(tmp_path: Path, arguments, fragment):
    outcome = tracktwo("evaluate", *arguments, "--executor", "serial", "--no-progress", "--out", tmp_path / "e")
    assert outcome.code == 2
    assert_contract(outcome, fragment)
    assert not (tmp_path / "e").exists(), "nothing is written before the input is checked"
