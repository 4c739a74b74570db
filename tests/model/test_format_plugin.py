"""A new format is one class and its registration: a toy format runs through a programme, the component
families, an evaluation's report and the app's words, with no other edit."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from tracktwo.model import ConfigError, make_params, simulate
from tracktwo.model.families import family
from tracktwo.model.formats import FORMATS, Format, Occasion, TrustChange, register
from tracktwo.model.params import FORMAT_NAMES
from tracktwo.model.workshops import WorkshopRecord

SCHEDULE = [
    {"format": "workshop", "step": 2, "count": 2, "interval": 3},
    {"format": "feast", "step": 6},
]


class Feast(Format):
    """A toy format: a meeting, after which every participant trusts every side fully."""

    name = "feast"
    words = ("reconciliation feast", "reconciliation feasts")
    description = "feast (a toy format: full trust among the guests)"
    mark = "feast"
    meeting = True

    def hold(self, occasion: Occasion) -> list[WorkshopRecord]:
        record = occasion.meet(None)
        if record is None:
            return []
        guests = record.participants
        sides = occasion.state.trust.shape[1]
        rows, columns = np.repeat(guests, sides), np.tile(np.arange(sides), guests.size)
        occasion.apply_trust(TrustChange(rows, columns, np.ones(rows.size)))
        occasion.row["guests"] = int(guests.size)
        return [record]


@pytest.fixture
def feast() -> Iterator[type[Format]]:
    register(Feast)
    yield Feast
    del FORMATS["feast"], FORMAT_NAMES["feast"]


def test_a_registered_format_runs_in_a_programme(feast) -> None:
    result = simulate({"steps": 12, "programme.events": SCHEDULE}, seed=5)
    events = result.events
    assert events.format.tolist() == ["workshop", "workshop", "feast"]
    row = events[events.format == "feast"].iloc[0]
    assert row.guests == row.participants > 0
    model = result.model
    guests = model.series.records[-1].participants
    assert model.series.records[-1].format == "feast"
    # what the format did to the state: the guests trusted every side fully right after the feast (trust may
    # only rise or stay in later months: no mechanism lowers it)
    assert model.trust[guests].min() == 1.0
    assert model.trust.min() < 1.0  # and nobody else was touched by it


def test_a_registered_format_is_a_component_and_a_label(feast) -> None:
    params = make_params({"steps": 12, "programme.events": SCHEDULE})
    assert family(params, "formats") == [("format:workshop", "Workshops"), ("format:feast", "Reconciliation feasts")]
    assert family(params, "events")[1] == ("event:2", "Event 2: 1 reconciliation feast in month 6")
    assert family(params, "workshops")[-1] == ("workshop:3", "Meeting 3: feast, main programme, month 6")
    removed = simulate({"steps": 12, "programme.events": SCHEDULE, "evaluation.removed": ["format:feast"]}, seed=5)
    assert removed.events.format.tolist() == ["workshop", "workshop"]


def test_an_unregistered_format_is_refused_in_one_line_naming_the_registered_ones() -> None:
    with pytest.raises(ConfigError, match=r"programme\.events\.0\.format: Input should be 'workshop', .*'shuttle'"):
        make_params({"programme.events": [{"format": "feast", "step": 3}]})
    with pytest.raises(ConfigError, match=r"component 'format:feast' is not"):
        make_params({"evaluation.removed": ["format:feast"]})


def test_a_registered_format_reaches_the_evaluation_report_and_the_app(feast, tmp_path) -> None:
    from tracktwo.app.drawing import scheduled_events
    from tracktwo.app.runs import meeting_word, schedule_words
    from tracktwo.experiments.api import evaluate
    from tracktwo.experiments.reporting.evaluation_report import render

    overrides = {"steps": 12, "programme.events": SCHEDULE}
    result = evaluate(
        set=overrides, components=["formats"], replicates=2, orders=2, pilot=2, executor="serial", out=tmp_path,
        progress=False, outcomes=["ideas_transferred"], margin=1.0,
    )  # fmt: skip
    assert "Reconciliation feasts" in set(result.table.label)
    assert "Reconciliation feasts" in render(tmp_path)  # the evaluation's HTML report
    params = make_params(overrides)
    assert "1 reconciliation feast in month 6" in schedule_words(params)
    assert meeting_word("feast") == "reconciliation feast"
    assert scheduled_events(simulate(overrides, seed=5).model) == [(6, "feast")]
