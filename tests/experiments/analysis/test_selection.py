"""Choosing whom to invite: constraints always hold, CELF is near the exhaustive optimum, and it beats chance."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_harness import assert_contract, held_while_writing, tracktwo
from tracktwo.experiments.analysis.selection import (
    Constraints,
    Objective,
    Quota,
    build_rules,
    celf,
    complete,
    explain_infeasible,
    group_evaluator,
    improve_by_swaps,
    load_constraints,
    random_feasible_group,
    satisfies,
    selection_spec,
)
from tracktwo.experiments.engine.executors import SerialExecutor
from tracktwo.experiments.engine.runner import open_session
from tracktwo.model import ConfigError, actor_table, make_params

ROOT = Path(__file__).resolve().parents[3]


def toy_actors(n: int = 24, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": [f"x{i}" for i in range(n)],
            "kind": rng.choice(["official", "elite", "autonomous", "grassroots"], n),
            "behaviour": "elite",
            "side": rng.choice(["A", "B"], n),
            "gender": rng.choice(["f", "m"], n, p=[0.3, 0.7]),
            "degree": rng.integers(1, 10, n),
        }
    )


def test_greedy_never_breaks_a_constraint():
    for seed in range(25):
        rng = np.random.default_rng(seed)
        actors = toy_actors(seed=seed)
        seats = int(rng.integers(3, 9))
        constraints = Constraints(
            min_side_share=float(rng.choice([0, 0.3, 0.5])),
            quotas=[
                Quota(attribute="gender", value="f", min_share=float(rng.choice([0, 0.25, 0.4]))),
                Quota(attribute="kind", value="official", max_count=int(rng.integers(0, 3))),
                Quota(attribute="kind", value="grassroots", min_count=int(rng.integers(0, 3))),
            ],
        )
        rules = build_rules(actors, constraints, seats)
        pool = np.ones(len(actors), dtype=bool)
        weights = rng.random(len(actors))
        objective = Objective(
            lambda groups, w=weights: [np.array([w[list(g)].sum() + 0.1 * len(g) ** 0.5] * 3) for g in groups]
        )
        if complete([], rules, seats, pool) is None:
            assert explain_infeasible(rules, seats, pool)
            continue
        picks = celf(range(len(actors)), seats, rules, pool, objective)
        chosen = [p.actor for p in picks]
        assert len(chosen) == seats and len(set(chosen)) == seats
        assert satisfies(chosen, rules), (seed, constraints)
        group = random_feasible_group(rules, seats, pool, rng)
        assert group is not None and satisfies(group, rules)


@pytest.mark.parametrize(
    ("constraints", "fragment"),
    [
        (Constraints(quotas=[Quota(attribute="gender", value="f", min_count=30)]), "needs 30"),
        (
            Constraints(quotas=[Quota(attribute="kind", value="elite", min_count=3, max_count=2)]),
            "at least 3 and at most 2",
        ),
        (Constraints(min_side_share=0.6), "cannot all be met"),
    ],
)
def test_infeasible_constraints_are_explained(constraints, fragment):
    actors = toy_actors()
    rules = build_rules(actors, constraints, 6)
    pool = np.ones(len(actors), dtype=bool)
    assert complete([], rules, 6, pool) is None
    assert fragment in explain_infeasible(rules, 6, pool)


def test_unknown_quota_attribute_is_a_clear_error():
    with pytest.raises(
        ConfigError, match="'religion' is not a column of the map; allowed: kind, behaviour, side, gender"
    ):
        build_rules(toy_actors(), Constraints(quotas=[Quota(attribute="religion", value="x", min_count=1)]), 4)


def _small_map(folder: Path) -> Path:
    kinds = ["official"] * 6 + ["elite"] * 4 + ["autonomous"] * 4 + ["grassroots"] * 4
    rows = ["id,kind,side,gender"] + [f"s{i},{k},{i % 2},{'f' if i % 3 == 0 else 'm'}" for i, k in enumerate(kinds)]
    (folder / "small.csv").write_text("\n".join(rows) + "\n")
    rng = np.random.default_rng(3)
    pairs = {tuple(sorted(rng.choice(len(kinds), 2, replace=False))) for _ in range(45)}
    (folder / "small_edges.csv").write_text(
        "source,target\n" + "\n".join(f"s{a},s{b}" for a, b in sorted(pairs)) + "\n"
    )
    return folder / "small.csv"


def test_swaps_find_the_complementary_pair_that_greedy_misses():
    """Greedy takes the best single actor first; only a swap finds the pair that works together."""
    values = {(): 0.0, (0,): 3.0, (1,): 1.0, (2,): 1.0, (3,): 0.0, (1, 2): 10.0}

    def evaluate(groups):
        return [np.full(4, values.get(g, 3.0 if 0 in g else 1.0)) for g in groups]

    objective = Objective(evaluate)
    candidates, pool = np.arange(4), np.ones(4, dtype=bool)
    picks = celf(candidates, 2, [], pool, objective)
    assert picks[0].actor == 0 and objective.values([tuple(p.actor for p in picks)])[0].mean() == 3.0
    improved = improve_by_swaps(picks, candidates, [], pool, objective, max_passes=3)
    assert sorted(p.actor for p in improved) == [1, 2]
    assert sum(p.gain.estimate for p in improved) == pytest.approx(10.0) and improved[-1].value.estimate == 10.0
    # a rule that bars the pair: swaps never break it, so greedy's group stays
    rules = build_rules(
        pd.DataFrame({"side": ["A", "A", "B", "B"], "gender": ["f", "m", "m", "m"]}),
        Constraints(quotas=[Quota(attribute="gender", value="f", min_count=1)]),
        2,
    )
    held = improve_by_swaps(picks, candidates, rules, pool, objective, max_passes=3)
    assert 0 in [p.actor for p in held] and satisfies([p.actor for p in held], rules)
    assert improve_by_swaps(picks, candidates, [], pool, objective, max_passes=0) is picks


@pytest.mark.slow
@pytest.mark.parametrize("first", [0, 300, 700])
def test_selection_reaches_a_swap_local_optimum_in_the_top_tenth_of_all_groups(tmp_path, first):
    """On a small map, on each of three blocks of common seeds: greedy + swaps ends where no single swap
    helps, never below greedy, and among the best 10% of all 56 possible groups (scored on the same seeds).

    A block per test (they share nothing): two workers can take them side by side.
    """
    path = _small_map(tmp_path)
    base = make_params(
        {"network.type": "map", "network.map": str(path), "steps": 60, "workshops.interval": 3}
    ).model_dump(mode="json")
    actors = actor_table(make_params(base))
    candidates = np.flatnonzero(actors.behaviour.isin(["elite", "autonomous"]).to_numpy())  # 8 candidates
    pool = np.zeros(len(actors), dtype=bool)
    pool[candidates] = True
    every = list(itertools.combinations(candidates.tolist(), 3))
    spec = selection_spec(base, "impact", 10, first, f"block-{first}", path, path)
    with open_session(spec, tmp_path / f"block-{first}", SerialExecutor(), progress=False) as session:
        check_local_optimum(session, actors, candidates, pool, every, first)


def check_local_optimum(session, actors, candidates, pool, every, first) -> None:
    """Greedy + swaps on one block of common seeds (the session's): a 1-swap local optimum in the top tenth."""
    objective = Objective(group_evaluator(session, list(actors.id), "impact", range(10)))

    def mean(group, objective=objective):
        return float(objective.values([tuple(group)])[0].mean())

    greedy = celf(candidates, 3, [], pool, objective)
    chosen = [p.actor for p in improve_by_swaps(greedy, candidates, [], pool, objective, max_passes=5)]
    assert mean(chosen) >= mean([p.actor for p in greedy])
    swaps = [[*(a for a in chosen if a != out), int(c)] for out in chosen for c in candidates if c not in chosen]
    assert max(mean(g) for g in swaps) <= mean(chosen), f"seeds from {first}: a single swap still helps"
    scores = sorted((float(v.mean()) for v in objective.values(every)), reverse=True)
    rank = 1 + sum(v > mean(chosen) + 1e-12 for v in scores)
    assert rank <= len(every) // 10, (
        f"seeds from {first}: rank {rank} of {len(every)} ({mean(chosen):.3f} vs best {scores[0]:.3f})"
    )


@pytest.mark.slow
def test_select_command_on_the_example_map_beats_random_groups(tmp_path):
    """The command on the example map, its constraints and config: the greedy group meets every quota and
    beats random feasible groups on fresh seeds, with its figure and the invitation list printed.

    In this process, serially, and greedy only (`--swap-passes 0`): the claim is the greedy group's against
    chance, 8 common seeds per group as before; the swap pass (a third of the runs here) is checked to reach
    a 1-swap local optimum by test_selection_reaches_a_swap_local_optimum_in_the_top_tenth_of_all_groups and
    through the command by test_select_resumes_from_its_store, and a real process's exit by test_bad_inputs.
    """
    out = tmp_path / "select"
    done = tracktwo(
        "select",
        ROOT / "configs/maps/example_nodes.csv",
        "--config",
        ROOT / "configs/map_example.yaml",
        "--set",
        "steps=48",
        "--seats",
        "4",
        "--constraints",
        ROOT / "configs/maps/example_constraints.yaml",
        "--replicates",
        "8",
        "--swap-passes",
        "0",
        "--executor",
        "serial",
        "--no-progress",
        "--out",
        out,
    )
    assert done.code == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    invitations = pd.read_csv(out / "invitations.csv")
    assert len(invitations) == 4 and (invitations.gender == "f").mean() >= 0.4
    assert (invitations.behaviour == "official").sum() <= 1 and invitations.side.value_counts().min() >= 2
    assert (invitations.civil_society == "yes").sum() >= 2
    chosen, random_groups = summary["comparison"][0], summary["comparison"][1]
    assert chosen["mean"] > random_groups["mean"], summary["comparison"]
    assert summary["swap_passes"] == 0 and summary["swaps"] == []
    assert (out / "selection.png").stat().st_size > 10_000 and (out / "selection.svg").exists()
    assert "Invitation list (4 seats)" in done.stdout


def test_select_command_rejects_infeasible_constraints(tmp_path):
    """In this process (a real process's one line and exit 2 are test_bad_inputs'): refused before any run."""
    constraints = tmp_path / "c.yaml"
    constraints.write_text("quotas:\n  - {attribute: kind, value: women_cso, min_count: 20}\n")
    done = tracktwo(
        "select",
        ROOT / "configs/maps/example_nodes.csv",
        "--config",
        ROOT / "configs/map_example.yaml",
        "--seats",
        "8",
        "--constraints",
        constraints,
        "--out",
        tmp_path / "out",
    )
    assert done.code == 2 and "no feasible invitation list" in done.stderr and "Traceback" not in done.stderr
    assert_contract(done, "--constraints")
    assert not (tmp_path / "out").exists()


def test_select_holds_its_folder_until_its_last_table_is_written(tmp_path, monkeypatch):
    import tracktwo.experiments.api as command  # the command writes through the Python API
    from tracktwo.experiments.cli import main

    out = tmp_path / "sel"
    checked = held_while_writing(monkeypatch, command, out)
    args = ["select", str(_small_map(tmp_path)), "--seats", "2", "--set", "steps=12", "--replicates", "2"]
    assert main([*args, "--executor", "serial", "--no-progress", "--out", str(out)]) == 0
    assert checked == ["invitations.csv", "comparison.csv"]


@pytest.mark.slow
def test_select_resumes_from_its_store(tmp_path):
    """Greedy and one swap pass (the command's default), then --resume evaluates no group again (in this process)."""
    path = _small_map(tmp_path)
    out = tmp_path / "sel"
    command = ["select", path, "--seats", "3", "--set", "steps=36", "--replicates", "4", "--executor", "serial"]
    command += ["--no-progress", "--out", out]
    first = tracktwo(*command)
    assert first.code == 0, first.stderr[-2000:]
    evaluated = len(pd.read_parquet(out / "runs.parquet"))
    invitations = (out / "invitations.csv").read_text()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["swap_passes"] == 1  # the default: greedy, then a pass of swaps
    again = tracktwo(*command, "--resume")
    assert again.code == 0, again.stderr[-2000:]
    assert len(pd.read_parquet(out / "runs.parquet")) == evaluated
    assert json.loads((out / "manifest.json").read_text())["sessions"][-1]["ended"]  # the resumed session finished
    assert (out / "invitations.csv").read_text() == invitations
    other_seeds = [("5" if c == "4" else c) for c in command]  # --replicates 5: other common seeds
    changed = tracktwo(*other_seeds, "--resume")
    assert changed.code == 2 and "other settings" in changed.stderr


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("quotas:\n  - {attribute: gender, value: f}\n", "needs min_count, max_count, min_share or max_share"),
        ("quotas:\n  - {attribute: gender, value: yes, min_count: 1}\n", "quote it"),
        ("min_side_share: 1.5\n", "min_side_share"),
        ("seats: 4\n", "seats"),
        ("quotas: [\n", "not valid YAML"),
    ],
)
def test_bad_constraints_files_get_one_clear_message(tmp_path, text, fragment):
    path = tmp_path / "constraints.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=fragment) as caught:
        load_constraints(path)
    assert "\n" not in str(caught.value)
