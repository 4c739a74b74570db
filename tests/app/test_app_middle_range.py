"""The app's middle-range knobs: a count a side and a share of the seats, read by the model as any config."""

from __future__ import annotations

import pytest
from tracktwo.app.app import network_key_html
from tracktwo.app.drawing import draw_network, draw_routes
from tracktwo.app.runs import Settings, TrainerModel


def test_the_default_app_run_has_none_and_their_share_needs_a_count() -> None:
    default = Settings.default()
    assert default.middle_range_count == 0 and "middle_range" not in default.mix()
    assert "Middle-range" not in network_key_html([TrainerModel(default)])
    seats_without_leaders = default.replace(middle_range_share=0.3)
    assert "middle_range" not in seats_without_leaders.mix()  # no leaders in the population: no seats for them


def test_leaders_join_the_population_the_room_and_the_pictures() -> None:
    settings = Settings.default().replace(middle_range_count=10, middle_range_share=0.2, steps=40)
    params = settings.params()
    assert params.kinds["middle_range"].count == 10
    assert params.workshops.mix == pytest.approx({"elite": 0.4, "autonomous": 0.4, "middle_range": 0.2})
    assert "20% middle-range leaders" in settings.seats() and "10 middle-range leaders a side" in settings.describe()
    model = TrainerModel(settings)
    for _ in range(40):
        model.step()
    assert model.members["middle_range"].size == 20
    assert "Middle-range leaders" in network_key_html([model])
    labels = [t.get_text() for t in draw_network(model).legends[0].get_texts()]
    assert "Middle-range leaders" in labels
    draw_routes(model)  # the route line is declared for them (a KeyError otherwise)
