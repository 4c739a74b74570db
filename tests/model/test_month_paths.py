"""The month's cheaper paths outside advocacy give, bit for bit, what their full computation gives (issue 22).

Session 15 (`month3`) made the issue space's framing pull one product with kept weights, and completes the kinds of a
config without deep copies. Each test checks a path against the computation it replaces, as it stood before.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from test_monthly_bookkeeping import EVERY_FEATURE
from tracktwo.model import params as params_module
from tracktwo.model.ideas import ORIGINS
from tracktwo.model.issues import IssueSpace
from tracktwo.model.model import TrackTwoModel
from tracktwo.model.params import Params, make_params

CONFIGS = [
    {"steps": 60},
    EVERY_FEATURE,
    {"steps": 60, "issues.framing_pull": 0.3},  # past the held ideas' centre: the pull capped
    {"steps": 60, "sides": 3, "issues.start_positions": [[0, 0, 0, 0], [1, 0, 0, 0], [0, 0.5, 0, 1]]},
]


def _framing_by_arrays(space: IssueSpace) -> tuple[bool, np.ndarray, np.ndarray]:
    """The framing step as the masked holdings' product and sums: (moved, position, influence) after it."""
    ideas = space.ideas
    n = ideas.count
    holders = ideas.group_holders[space.official_rows, :n]
    still_open = ideas.entered_step[:n] < 0
    track_two = still_open & (ideas.origin[:n] == ORIGINS.index("workshop"))
    held = holders * np.array([still_open, track_two], dtype=float)[:, None, :]
    targets = held @ ideas.location[:n]
    totals = held.sum(axis=2)[:, :, None]
    factor = space._factor
    if space.framing_pull * n > 1.0:
        pull = totals[0, :, 0] * factor[0, :, 0]
        factor = np.where(pull > 1.0, 1.0 / np.maximum(pull, 1e-300), 1.0)[None, :, None] * factor
    targets *= factor
    totals *= factor
    if not np.count_nonzero(totals[0]):
        return False, space.position.copy(), space.influence.copy()
    step = targets - totals * space.position
    return True, space.position + step[0], space.influence + np.abs(step[1])


@pytest.mark.parametrize("config", CONFIGS)
def test_the_framing_pull_from_kept_weights_equals_the_masked_holdings(config: dict, monkeypatch) -> None:
    """Every month's framing (kept or recomputed weights, entries, new ideas) moves positions as the arrays do."""
    framing = IssueSpace._framing
    checked = []

    def checking(space: IssueSpace, entered: bool) -> bool:
        expected = _framing_by_arrays(space)
        moved = framing(space, entered)
        assert moved == expected[0]
        assert space.position.tobytes() == expected[1].tobytes()
        assert space.influence.tobytes() == expected[2].tobytes()
        checked.append(moved)
        return moved

    monkeypatch.setattr(IssueSpace, "_framing", checking)
    model = TrackTwoModel(make_params(config), 3)
    model.run()
    assert len(checked) == model.params.steps and sum(checked) > model.params.steps // 2


KIND_OVERRIDES = [
    {},
    {"kinds": {"diaspora": {"behaviour": "elite", "count": 4, "autonomy": {"mean": 0.6}}}},
    {"kinds": {"elite": {"count": 5}, "clerics": {"behaviour": "middle_range", "trust": {"sd": 0.1}, "count": 3}}},
    {"kinds.official.count": 7, "kinds.traders": {"behaviour": "grassroots", "standing": {"mean": 0.2, "sd": 0.02}}},
]


@pytest.mark.parametrize("overrides", KIND_OVERRIDES)
def test_kinds_completed_without_copies_validate_as_the_deep_merge_does(overrides: dict) -> None:
    """make_params completes kinds by _overlay: the same Params as merge's deep copies, and the defaults untouched."""
    defaults = json.dumps(params_module._kinds_by_behaviour(), sort_keys=True)
    made = make_params(overrides)
    data = params_module.merge(params_module._defaults(), overrides)
    by_behaviour = params_module._kinds_by_behaviour()
    data["kinds"] = {
        name: params_module.merge(by_behaviour[spec["behaviour"]], spec) if "behaviour" in spec else spec
        for name, spec in data["kinds"].items()
        if spec is not None
    }
    assert made.model_dump() == Params.model_validate(copy.deepcopy(data)).model_dump()
    for kind in made.kinds.values():  # changing the made params leaves the shared defaults as they were
        kind.autonomy.mean = 0.99
    assert json.dumps(params_module._kinds_by_behaviour(), sort_keys=True) == defaults
    assert make_params(overrides).model_dump() == Params.model_validate(copy.deepcopy(data)).model_dump()
