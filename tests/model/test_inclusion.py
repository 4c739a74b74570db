"""A fixed cohort of invitees, and who is included among participants and transfer authors."""

from __future__ import annotations

import numpy as np
import pytest
from tracktwo.model import ConfigError, simulate


def _map(folder, genders):
    kinds = ["official"] * 10 + ["elite"] * 6 + ["autonomous"] * 6 + ["grassroots"] * 8
    rows = ["id,kind,side,gender"] + [f"p{i},{k},{i % 2},{genders[i % len(genders)]}" for i, k in enumerate(kinds)]
    (folder / "nodes.csv").write_text("\n".join(rows) + "\n")
    rng = np.random.default_rng(0)
    pairs = {tuple(sorted(rng.choice(30, 2, replace=False))) for _ in range(120)}
    (folder / "nodes_edges.csv").write_text(
        "source,target\n" + "\n".join(f"p{a},p{b}" for a, b in sorted(pairs)) + "\n"
    )
    return folder / "nodes.csv"


def test_cohort_is_invited_to_every_workshop_and_shares_are_exact(tmp_path):
    path = _map(tmp_path, ["f", "m", "m"])
    cohort = ["p10", "p11", "p12", "p16", "p17", "p18"]  # elites p10-p15, autonomous p16-p21
    result = simulate({"network.type": "map", "network.map": str(path), "workshops.participants": cohort}, seed=4)
    model = result.model
    assert all(sorted(model.population.ids[i] for i in r.participants) == sorted(cohort) for r in model.series.records)
    women = sum(model.population.extra["gender"][int(c[1:])] == "f" for c in cohort)
    assert result.outcomes["participant_share_gender_f"] == pytest.approx(women / len(cohort))
    assert result.outcomes["participant_share_kind_elite"] == pytest.approx(0.5)
    if result.outcomes["ideas_transferred"]:
        assert result.outcomes["author_share_gender_f"] == pytest.approx(
            women / len(cohort)
        )  # the cohort authors everything


def test_author_shares_count_only_authors_of_transferred_ideas():
    result = simulate({}, seed=3)
    model = result.model
    entered = model.ideas.entered_step[: model.ideas.count] >= 0
    authors = set()
    for record in model.series.records:
        if entered[record.ideas].any():
            authors |= set(record.participants.tolist())
    elites = sum(model.behaviour[a] == "elite" for a in authors)
    assert result.outcomes["author_share_kind_elite"] == pytest.approx(elites / len(authors))


def test_unknown_cohort_member_is_a_clear_error():
    with pytest.raises(ConfigError, match="unknown actor id 'nobody'"):
        simulate({"workshops.participants": ["elite-1-20", "nobody"]}, seed=1)
