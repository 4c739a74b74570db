"""What the trainer sees: the network, Track One's state and the live plots, as Solara components.

The figures come from `app.drawing`; each component redraws only when its model has moved on
(Mesa's `update_counter` tells it the model stepped).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from app.drawing import draw_ideas_by_track, draw_network, draw_novelty, draw_trust, png, track_one_status
from app.runs import KIND_WORDS
from model import TrackTwoModel


@solara.component
def FigureImage(draw: Callable[[], Figure], dependencies: list, classes: list[str] | None = None):
    """A matplotlib figure as a PNG image, redrawn only when `dependencies` change."""
    image = solara.use_memo(lambda: png(draw()), dependencies)
    return solara.Image(image, width="100%", classes=["tt-figure", *(classes or [])])


def _model_state(model: TrackTwoModel) -> list:
    """What a view depends on: the model itself (not its id, which a new model may reuse) and how far it has run."""
    return [model, model.steps, int(getattr(model, "staged_until", 0)), bool(model.ripe)]


@solara.component
def NetworkView(model: TrackTwoModel):
    update_counter.get()
    return FigureImage(lambda: draw_network(model), _model_state(model), classes=["tt-network"])


@solara.component
def IdeasByTrackPlot(model: TrackTwoModel):
    update_counter.get()
    return FigureImage(lambda: draw_ideas_by_track(model), _model_state(model), classes=["tt-plot", "tt-plot-tracks"])


@solara.component
def NoveltyPlot(model: TrackTwoModel):
    update_counter.get()
    return FigureImage(lambda: draw_novelty(model), _model_state(model), classes=["tt-plot", "tt-plot-novelty"])


@solara.component
def TrustPlot(model: TrackTwoModel):
    update_counter.get()
    return FigureImage(lambda: draw_trust(model), _model_state(model), classes=["tt-plot", "tt-plot-trust"])


RIPE_STYLE = "background:#029e73;color:white"
UNRIPE_STYLE = "background:#e0e0e0;color:#333"


@solara.component
def TrackOneCard(model: TrackTwoModel, heading: str = "Track One", tick: int = 0):
    """Ripe or not, windows so far, transfers so far: the officials' side of the story.

    It redraws when Mesa's controls step the model, or when `tick` changes (the side-by-side view).
    """
    update_counter.get()
    status = track_one_status(model)
    state = "Ripe: looking for new approaches" if status.ripe else "Not ripe: wary of new ideas"
    rows = [
        ("Month", f"{status.month} of {status.months}"),
        ("Ripe windows so far", f"{status.windows}"),
        ("Ideas that entered Track One", f"{status.transferred} of {status.generated} generated"),
        ("Impact so far (novelty that entered)", f"{status.impact:.2f}"),
    ]
    if status.officials_wary:
        rows.append(("After a leak", "officials are wary"))
    if status.staged_until > status.month + 1:
        rows.append(("Staged ripe moment", f"until month {status.staged_until - 1}"))
    table = "".join(
        f"<tr><td style='padding:2px 12px 2px 0'>{label}</td><td><b>{value}</b></td></tr>" for label, value in rows
    )
    with solara.Card(heading, classes=["tt-track-one"], style="width:100%") as card:
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<div class='tt-ripeness' style='{RIPE_STYLE if status.ripe else UNRIPE_STYLE};padding:8px 12px;"
                f"border-radius:6px;font-size:1.15em;font-weight:bold;margin-bottom:8px'>{state}</div>"
                f"<table class='tt-status' style='font-size:1.05em'>{table}</table>"
            ),
        )
    return card


@solara.component
def LatestWorkshopCard(model: TrackTwoModel):
    """The latest workshop: when, how candid, how many ideas, whether it leaked."""
    update_counter.get()
    records = model.series.records
    with solara.Card("Latest workshop", classes=["tt-workshop"], style="width:100%") as card:
        if not records:
            first = model.params.workshops.first_step
            solara.Text(
                f"None yet (the first is due in month {first})."
                if model.series.budget
                else "No workshops in this programme."
            )
        else:
            last = records[-1]
            kinds = ", ".join(
                f"{count} {KIND_WORDS.get(kind, kind)}"
                for kind, count in zip(*np.unique(model.kind_of[last.participants], return_counts=True), strict=True)
            )
            rows = [
                ("Month", f"{last.step} (workshop {last.number + 1} of {model.series.budget})"),
                ("Participants", f"{last.participants.size}: {kinds}"),
                ("Candour", f"{last.candour:.2f}"),
                ("Ideas developed", f"{last.ideas.size}"),
                ("Leaked", "yes: officials grow wary" if last.leaked else "no"),
            ]
            table = "".join(
                f"<tr><td style='padding:2px 12px 2px 0'>{label}</td><td><b>{value}</b></td></tr>"
                for label, value in rows
            )
            solara.HTML(tag="table", unsafe_innerHTML=table, style="font-size:1.0em")
    return card
