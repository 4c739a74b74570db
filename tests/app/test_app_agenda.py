"""The Track One card shows influence on the process, outcome transfer and the agenda that entered, month by month."""

from __future__ import annotations

import math
import re

import pytest
from tracktwo.app import drawing
from tracktwo.app.runs import Settings, TrainerModel, advance
from tracktwo.app.views import agenda_rows, status_rows, track_one_html
from tracktwo.model import TrackTwoModel, make_params, simulate

SEED = 7  # a default run whose adopted ideas cover all four issues


def test_the_card_follows_what_got_in_month_by_month_and_ends_where_simulate_does() -> None:
    settings = Settings.default().replace(seed=SEED)
    model = TrainerModel(settings)
    start = drawing.what_got_in(model)
    assert start.influence == 0 and start.transferred == 0 and all(math.isnan(v) for v in start.shares.values())
    assert "nothing adopted yet" in track_one_html(model) and "tt-agenda" not in track_one_html(model)
    history = []
    for _ in range(settings.steps):
        advance(model, 1)
        history.append(drawing.what_got_in(model))
    influence = [found.influence for found in history]
    transferred = [found.transferred for found in history]
    assert influence == sorted(influence) and transferred == sorted(transferred), "both accumulate month by month"
    assert len(set(influence)) > 10 and len(set(transferred)) > 3, "the card moves during the run, not only at its end"
    expected = simulate(settings.params(), settings.seed).outcomes
    final = history[-1]
    assert final.influence == pytest.approx(expected["influence_on_process"])
    assert final.transferred == expected["ideas_transferred"] > 0
    for name, share in final.shares.items():
        assert share == pytest.approx(expected[f"agenda_share_{name}"])
    assert final.breadth == pytest.approx(expected["agenda_breadth"])
    rows = dict(agenda_rows(model))
    assert rows["Influence on the process"] == f"{expected['influence_on_process']:.2f}"
    assert "Outcome transfer" not in rows, "outcome transfer is the card's first row, not a second one"
    first = dict(status_rows(model))["Ideas that entered Track One"]
    assert first == f"{expected['ideas_transferred']} of {expected['ideas_generated']} generated"
    page = track_one_html(model)
    for name, share in final.shares.items():
        if share > 0:
            assert f"{name.split('_')[0]} {share:.0%}" in rows["Agenda that entered"]  # one line on the card
            assert f"{name.replace('_', ' ')}: {share:.0%}" in page  # the whole name in the bar's tooltip
    segments = re.findall(r"<div title='([^']*)' style='flex:([0-9.]+) 0 0;background:(#[0-9a-f]{6})'>", page)
    assert len(segments) == sum(share > 0 for share in final.shares.values()) == 4
    assert sum(float(width) for _, width, _ in segments) == pytest.approx(1.0, abs=1e-3)
    assert len({colour for _, _, colour in segments}) == 4, "one colour per issue"
    assert f"Agenda breadth: {expected['agenda_breadth']:.1f} issues" in page


def test_without_an_issue_space_the_card_has_no_agenda() -> None:
    model = TrackTwoModel(make_params({"issues": {"enabled": False}, "steps": 6}), 1)
    for _ in range(6):
        model.step()
    assert drawing.what_got_in(model) is None and agenda_rows(model) == []
    page = track_one_html(model)
    assert "Influence on the process" not in page and "tt-agenda" not in page and "Ideas that entered" in page
