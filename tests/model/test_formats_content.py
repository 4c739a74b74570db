"""Formats shape content (docs/ODD.md 7.11, "Formats and content"): a joint product fixes a worked-out idea and is
judged by each side at publication; training raises skill and standing, not a position."""

from __future__ import annotations

import numpy as np
from tracktwo.model import TrackTwoModel, make_params, simulate

PRODUCT = {
    "steps": 3,
    "workshops.confidentiality": 1.0,
    "workshops.standing_gain": 0.0,
    "programme.events": [{"format": "workshop", "step": 2}, {"format": "knowledge_product", "step": 3}],
    "formats.product_reach": 1.0,
    "formats.product_credibility": 1.0,
    "formats.product_ideas": 1,
    "kinds.official.trust": {"mean": 1.0, "sd": 0.0},
    "workshops.idea_rate": 30.0,
    "forgetting.rate": 0.0,
    "issues.adoption_pull": 0.0,
    "issues.framing_pull": 0.0,
    "diffusion.official_aversion_unripe": 1.0,
    "diffusion.official_aversion_ripe": 1.0,
}


def product_readers(far_side: int | None) -> list[int]:
    """Officials per side who hold the product's idea after it is published (month 3).

    With `far_side`, that side sees the workshop's ideas as very far from its position when the product comes
    out (its novelty of them set to 50 after the workshop, before publication).
    """
    model = TrackTwoModel(make_params(PRODUCT), 5)
    model.step()
    model.step()
    ideas = model.series.records[0].ideas
    location = model.ideas.location[ideas].copy()
    if far_side is not None:
        model.issues.table[far_side, ideas] = 50.0
        model.issues.moved = True
    model.step()
    np.testing.assert_array_equal(model.ideas.location[ideas], location)  # publishing moves no idea
    officials = model.members["official"]
    return [int(model.ideas.holds[np.ix_(officials[model.side[officials] == s], ideas)].sum()) for s in (0, 1)]


def test_a_product_is_judged_by_each_side_at_publication() -> None:
    near = product_readers(None)
    far = product_readers(1)
    assert near[0] > 0 and near[1] > 0  # both sides read the joint text at the ideas' drawn novelty
    assert far[0] == near[0]  # the near side reads it as before (one uniform per reader and idea)
    assert far[1] == 0  # the far side, judging it from where its position is then, takes none of it


def test_training_raises_skill_and_standing_and_places_nothing_in_the_issue_space() -> None:
    """Capacity building without ideas of its own: skills rise, no idea is made, no position moves."""
    result = simulate(
        {
            "steps": 24,
            "programme.events": [{"format": "training", "step": 1, "count": 4, "interval": 3}],
            "formats.training_idea_factor": 0.0,
        },
        seed=5,
    )
    model = result.model
    assert result.outcomes["trainings_held"] == 4
    assert model.programme.skill.max() > 0.5  # trained: skill 0.5 after one training, 0.75 after two
    assert result.outcomes["ideas_generated"] == 0 and model.ideas.count == 0
    assert result.outcomes["influence_on_process"] == 0.0
    np.testing.assert_array_equal(model.issues.position, model.issues.start)
