"""What the trainer sees, drawn: the network, Track One's state and the live plots.

Each function takes a model and returns a matplotlib ``Figure`` built without pyplot, so it is
safe in the app server's threads and testable without a browser; `app.views` wraps them in
Solara components.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy import sparse
from tracktwo.experiments.reporting.figures import RIPE_SHADE, ripe_spans
from tracktwo.model import TRACK_LABELS, TrackTwoModel
from tracktwo.model.formats import FORMATS
from tracktwo.model.network import side_name

if TYPE_CHECKING:
    from tracktwo.app.evaluation import RunEvaluation

_PALETTE = sns.color_palette("colorblind")
BEHAVIOUR_COLOURS = {
    "official": _PALETTE[0],
    "elite": _PALETTE[1],
    "autonomous": _PALETTE[2],
    "grassroots": _PALETTE[4],
    "middle_range": _PALETTE[5],
}
SHORT_LABELS = {
    "official": "Officials",
    "elite": "Influential elites",
    "autonomous": "Autonomous thinkers",
    "grassroots": "Grassroots",
    "middle_range": "Middle-range leaders",
}
TRACK_BEHAVIOUR = {
    "track_one": "official",
    "track_two_elite": "elite",
    "track_two_autonomous": "autonomous",
    "track_three": "grassroots",
    "track_two_middle_range": "middle_range",
}
SIDE_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h")
TRACK_HEIGHT = {  # bands, top to bottom; middle-range leaders between Track Two's thinkers and the grassroots
    "official": 3.0,
    "elite": 2.0,
    "autonomous": 1.0,
    "grassroots": 0.0,
    "middle_range": 0.5,
}
TOP_BAND = max(TRACK_HEIGHT.values())
TRACK_NAMES = {
    "official": "Track One:\nofficials",
    "elite": "Track Two:\ninfluential elites",
    "autonomous": "Track Two:\nautonomous thinkers",
    "grassroots": "Track Three:\ngrassroots",
    "middle_range": "Track Two:\nmiddle range",
}
SIDE_SPACING = 5.0  # between the centres of two sides' regions, in layout units
BAND_WIDTH = 3.6  # width of one side's region
BAND_ROW_MAX = 24  # actors per row in a track's band
BAND_ROW_GAP = 0.24  # between rows of one band
NETWORK_SIZE = (7.0, 5.6)  # inches
NETWORK_LEGEND_ROWS = 3
NETWORK_LEGEND_COLUMNS = 3
ACTOR_AREA = 30  # marker area, points^2: small enough that neighbours in a band do not touch
HOLDER_AREA = 64
HALO_AREA = 190
HIGHLIGHT = "black"
PARTICIPANT_HALO = "#f0c419"
NEW_CHANNEL = "#d55e00"
FIGURE_DPI = 100
PLOT_SIZE = (5.6, 4.3)  # inches, for the live plots: about their size on screen, so text stays legible
TITLE_PT = 15
AXIS_PT = 13
TICK_PT = 12
LEGEND_PT = 12
LABEL_PT = 11
WINDOW_LABEL_MONTHS = 28  # room a "window opens" label takes on the month axis
LEGEND_ROW_IN = 0.27  # height of one legend row below a plot, inches
AXIS_LABEL_IN = 0.6  # room for the month axis's ticks and label, inches
LEAK_COLOUR = "black"
ENTRY_COLOUR = "0.15"
EVENT_COLOUR = "#56b4e9"
LAYOUT_CACHE_SIZE = 32
ROUTE_LINES = {  # route into Track One: (label on the plot, colour of the track that carried it, dash)
    "via_track_1_5": ("Via Track 1.5", "official", "-"),
    "via_elites": ("Via elites", "elite", "-"),
    "via_autonomous": ("Via autonomous thinkers", "autonomous", "-"),
    "via_track_three": ("Via Track Three", "grassroots", "-"),
    "direct": ("Direct (backchannel)", "official", ":"),
    "via_middle_range": ("Via middle-range leaders", "middle_range", "-"),
}


# ----------------------------------------------------------------------------------------------
# The network


_layouts: OrderedDict[str, np.ndarray] = OrderedDict()
_layouts_lock = threading.Lock()


def _network_key(model: TrackTwoModel) -> str:
    ties = getattr(model, "initial_ties", model.ties)
    digest = hashlib.sha1(usedforsecurity=False)
    for array in (ties.indptr, ties.indices, np.asarray(model.side), np.asarray(model.behaviour, dtype=str)):
        digest.update(np.ascontiguousarray(array).tobytes())
    return f"{model.seed}:{digest.hexdigest()}"


def network_layout(model: TrackTwoModel) -> np.ndarray:
    """Node positions (n x 2), computed once per network and seeded from the run's seed.

    Each side gets its own region, left to right; within it, a spring layout that starts from
    bands by track (Track One on top, Track Three at the bottom), so the picture reads like the
    multi-track diagrams trainers already use.
    """
    key = _network_key(model)
    with _layouts_lock:
        if key in _layouts:
            _layouts.move_to_end(key)
            return _layouts[key]
    positions = _compute_layout(model)
    with _layouts_lock:
        _layouts[key] = positions
        while len(_layouts) > LAYOUT_CACHE_SIZE:
            _layouts.popitem(last=False)
    return positions


def _compute_layout(model: TrackTwoModel) -> np.ndarray:
    ties = getattr(model, "initial_ties", model.ties)
    positions = np.zeros((model.n_actors, 2))
    rows, cols = ties.nonzero()
    for side in range(model.n_sides):
        members = np.flatnonzero(model.side == side)
        if members.size == 0:
            continue
        graph = nx.Graph()
        graph.add_nodes_from(members.tolist())
        same = (model.side[rows] == side) & (model.side[cols] == side) & (rows < cols)
        graph.add_edges_from(zip(rows[same].tolist(), cols[same].tolist(), strict=True))
        spring = nx.spring_layout(graph, seed=model.seed + side)
        centre = side * SIDE_SPACING
        for behaviour, height in TRACK_HEIGHT.items():
            band = members[model.behaviour[members] == behaviour]
            if band.size:
                positions[band] = _band_positions(band, spring, centre, height)
    return positions


def _band_positions(band: np.ndarray, spring: dict, centre: float, height: float) -> np.ndarray:
    """A track's actors in rows across the side's width, in the order of their spring-layout x.

    Ordering by spring x keeps tied actors close together.
    """
    order = np.argsort([spring[int(i)][0] for i in band.tolist()], kind="stable")
    rows = int(np.ceil(band.size / BAND_ROW_MAX))
    per_row = int(np.ceil(band.size / rows))
    rank = np.arange(band.size)
    row, column = rank % rows, rank // rows
    spacing = BAND_WIDTH / max(per_row - 1, 1)
    x = centre + (column - (per_row - 1) / 2) * spacing + (row % 2) * 0.5 * spacing
    y = height + (row - (rows - 1) / 2) * BAND_ROW_GAP
    positions = np.empty((band.size, 2))
    positions[order] = np.column_stack([x, y])
    return positions


def leading_idea(model: TrackTwoModel) -> int | None:
    """The idea held by the most actors right now (the newest among equals), or None."""
    held = model.ideas.held
    if held.shape[1] == 0:
        return None
    counts = held.sum(axis=0)
    if counts.max() == 0:
        return None
    return int(np.flatnonzero(counts == counts.max())[-1])


def latest_participants(model: TrackTwoModel) -> np.ndarray:
    """Indices of the actors in the latest workshop (empty before the first), so the network can halo them."""
    return model.series.records[-1].participants if model.series.records else np.empty(0, dtype=np.int64)


def draw_network(
    model: TrackTwoModel, size: tuple[float, float] = NETWORK_SIZE, legend: bool = True, month: bool = True
) -> Figure:
    """Actors coloured by kind, shaped by side; leading-idea holders larger and ringed; the last workshop haloed."""
    figure = Figure(figsize=size, dpi=FIGURE_DPI)
    handles = _network_legend(model) if legend else []
    rows = max(NETWORK_LEGEND_ROWS, -(-len(handles) // NETWORK_LEGEND_COLUMNS))  # a fifth behaviour adds a row
    legend_in = rows * LEGEND_ROW_IN + 0.1 if legend else 0.05
    axis = figure.add_axes((0.0, legend_in / size[1], 1.0, 1 - (legend_in + 0.45) / size[1]))
    xy = network_layout(model)
    _draw_ties(axis, model, xy)
    participants = latest_participants(model)
    if participants.size:
        axis.scatter(
            xy[participants, 0], xy[participants, 1], s=HALO_AREA, color=PARTICIPANT_HALO, alpha=0.8, lw=0, zorder=2
        )
    idea = leading_idea(model)
    holders = model.ideas.held[:, idea] if idea is not None else np.zeros(model.n_actors, dtype=bool)
    for side in range(model.n_sides):
        marker = SIDE_MARKERS[side % len(SIDE_MARKERS)]
        for behaviour, colour in BEHAVIOUR_COLOURS.items():
            members = (model.side == side) & (model.behaviour == behaviour)
            for is_holder in (False, True):
                chosen = members & (holders == is_holder)
                if chosen.any():
                    axis.scatter(
                        xy[chosen, 0],
                        xy[chosen, 1],
                        s=HOLDER_AREA if is_holder else ACTOR_AREA,
                        marker=marker,
                        color=colour,
                        edgecolors=HIGHLIGHT if is_holder else "white",
                        linewidths=1.8 if is_holder else 0.6,
                        zorder=4 if is_holder else 3,
                    )
        axis.text(
            side * SIDE_SPACING, TOP_BAND + 0.5, side_name(side), ha="center", va="bottom", fontsize=15, weight="bold"
        )
    left = -BAND_WIDTH / 2 - 0.25
    for behaviour, height in TRACK_HEIGHT.items():
        if model.members[behaviour].size:
            axis.text(left, height, TRACK_NAMES[behaviour], ha="right", va="center", fontsize=LABEL_PT, color="0.25")
    axis.set_xlim(left - 2.9, (model.n_sides - 1) * SIDE_SPACING + BAND_WIDTH / 2 + 0.5)
    axis.set_ylim(-0.5, TOP_BAND + 0.95)
    axis.axis("off")
    figure.suptitle(network_title(model, idea, holders, month), fontsize=AXIS_PT, y=0.985)
    if legend:
        figure.legend(
            handles=handles,
            loc="lower center",
            ncol=NETWORK_LEGEND_COLUMNS,
            fontsize=LEGEND_PT,
            frameon=False,
            bbox_to_anchor=(0.5, 0.0),
            columnspacing=1.0,
            handletextpad=0.3,
        )
    return figure


def _draw_ties(axis, model: TrackTwoModel, xy: np.ndarray) -> None:
    """Ties in light grey; cross-side ties made in workshops (new channels between adversaries) stand out."""
    rows, cols = sparse.triu(model.ties, k=1).nonzero()
    initial = getattr(model, "initial_ties", model.ties)
    made = (model.side[rows] != model.side[cols]) & ~np.asarray(initial[rows, cols]).ravel().astype(bool)
    segments = np.stack([xy[rows], xy[cols]], axis=1)
    axis.add_collection(LineCollection(segments[~made], colors="0.55", linewidths=0.35, alpha=0.3, zorder=1))
    axis.add_collection(LineCollection(segments[made], colors=NEW_CHANNEL, linewidths=1.1, alpha=0.8, zorder=1))


def network_title(model: TrackTwoModel, idea: int | None, holders: np.ndarray, month: bool = True) -> str:
    """Who holds the leading idea, officials among them, in a line short enough for a small picture."""
    when = f"Month {model.steps}: " if month else ""
    if idea is None:
        return f"{when}no idea in circulation yet"
    officials = int(holders[model.members["official"]].sum())
    held = int(holders.sum())
    return (
        f"{when}leading idea (novelty {model.ideas.novelty[idea]:.2f}) held by {held} "
        f"{'actor' if held == 1 else 'actors'}, {officials} {'official' if officials == 1 else 'officials'}"
    )


def _network_legend(model: TrackTwoModel) -> list:
    handles: list = [
        Line2D([], [], ls="", marker="o", ms=9, color=colour, label=SHORT_LABELS[behaviour])
        for behaviour, colour in BEHAVIOUR_COLOURS.items()
        if model.members[behaviour].size
    ]
    handles += [
        Line2D([], [], ls="", marker=SIDE_MARKERS[s % len(SIDE_MARKERS)], ms=9, color="0.45", label=side_name(s))
        for s in range(model.n_sides)
    ]
    handles += [
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            ms=11,
            color="0.85",
            markeredgecolor=HIGHLIGHT,
            markeredgewidth=2.0,
            label="Holds the leading idea\n(drawn larger, ringed)",
        ),
        Line2D([], [], ls="", marker="o", ms=14, color=PARTICIPANT_HALO, alpha=0.75, label="In the latest workshop"),
        Line2D([], [], color=NEW_CHANNEL, lw=1.6, label="New cross-side tie"),
    ]
    return handles


# ----------------------------------------------------------------------------------------------
# Track One's state


@dataclass(frozen=True)
class TrackOneStatus:
    """What the Track One card shows."""

    month: int
    months: int
    ripe: bool
    windows: int
    generated: int
    transferred: int
    impact: float
    officials_wary: bool
    staged_until: int


def track_one_status(model: TrackTwoModel) -> TrackOneStatus:
    """Track One's state now: month, ripeness, ideas generated and entered, impact; one summary for the card."""
    ideas = model.ideas
    n = ideas.count
    generated = ideas.origin_workshop[:n] >= 0
    entered = generated & (ideas.entered_step[:n] >= 0)
    return TrackOneStatus(
        month=int(model.steps),
        months=int(model.params.steps),
        ripe=bool(model.ripe),
        windows=int(model.ripeness.windows_opened),
        generated=int(generated.sum()),
        transferred=int(entered.sum()),
        impact=float(ideas.novelty[:n][entered].sum()),
        officials_wary=bool(model.steps > 0 and model.officials_wary),
        staged_until=int(getattr(model, "staged_until", 0)),
    )


@dataclass(frozen=True)
class BeyondTrackOne:
    """What a multi-track programme aims at besides Track One, for the Track One card."""

    via_track_1_5: int
    via_track_three: int
    local_agreements: int


def beyond_track_one(model: TrackTwoModel) -> BeyondTrackOne | None:
    """Ideas that entered Track One via Track 1.5 and via Track Three, and the local agreements, so far.

    None for a programme that is not multi-track (the plain series: no schedule, no link to Track Three).
    """
    programme = model.params.programme
    if programme.events is None and programme.third_party.profile.track_three_link == 0:
        return None
    routes = entries_by_route(model)
    last = routes.iloc[-1] if len(routes) else None
    return BeyondTrackOne(
        via_track_1_5=int(last["via_track_1_5"]) if last is not None else 0,
        via_track_three=int(last["via_track_three"]) if last is not None else 0,
        local_agreements=len(model.programme.uptake.agreed),
    )


@dataclass(frozen=True)
class WhatGotIn:
    """Influence on the process, outcome transfer and the agenda that entered Track One so far (docs/ODD.md 7.11)."""

    influence: float  # official positions moved by Track Two ideas held but not adopted (issue-space units)
    transferred: int  # Track Two ideas adopted into Track One (outcome transfer)
    shares: dict[str, float]  # dimension name -> share of the adopted Track Two ideas about it (NaN: none yet)
    breadth: float  # the agenda's effective number of dimensions (NaN: none yet)


def what_got_in(model: TrackTwoModel) -> WhatGotIn | None:
    """What Track Two has done to Track One so far: the run's issue outcomes now; None without an issue space."""
    from tracktwo.model.issues import dimension_keys
    from tracktwo.model.metrics import issue_outcomes

    if model.issues is None:
        return None
    found = issue_outcomes(model)  # the function the run's outcomes come from, read mid-run
    names, keys = model.params.issues.dimensions, dimension_keys(model.params.issues)
    return WhatGotIn(
        influence=float(found["influence_on_process"]),
        transferred=int(sum(found[f"outcome_transfer_{key}"] for key in keys)),
        shares={name: float(found[f"agenda_share_{key}"]) for name, key in zip(names, keys, strict=True)},
        breadth=float(found["agenda_breadth"]),
    )


# ----------------------------------------------------------------------------------------------
# Live plots


def timeseries(model: TrackTwoModel) -> pd.DataFrame:
    """The run so far, one row per month (empty before the first step)."""
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    frame.insert(0, "month", np.arange(1, len(frame) + 1))
    return frame


def _time_axis(axis, frame: pd.DataFrame, model: TrackTwoModel) -> list:
    """Month axis with the moments to watch: ripe moments shaded (and labelled as they open), leaks, the first entry.

    Returns the legend handles for the marks it drew.
    """
    handles: list = [Patch(color=RIPE_SHADE, alpha=0.45, label="Ripe moment")]
    axis.set_xlim(0.5, max(model.params.steps, 12) + 0.5)
    axis.set_xlabel("Month")
    axis.grid(alpha=0.3)
    if not len(frame):
        return handles
    marks = axis.get_xaxis_transform()  # x in months, y in axes fraction
    labelled_until = -np.inf
    for start, end in ripe_spans(frame["ripe"].astype(bool), frame["month"]):
        axis.axvspan(start, end, color=RIPE_SHADE, alpha=0.45, lw=0, zorder=0)
        if start >= labelled_until:  # labels of windows close together would overlap
            axis.text(start + 1, 0.97, "window opens", transform=marks, fontsize=LABEL_PT, va="top", color="0.25")
            labelled_until = start + WINDOW_LABEL_MONTHS
    leaks = frame.loc[frame["leak"] == 1, "month"]
    if len(leaks):
        handles.append(
            axis.scatter(
                leaks, np.full(len(leaks), 0.04), marker="X", s=90, color=LEAK_COLOUR, transform=marks, label="Leak"
            )
        )
    first = first_entry_month(model)
    if first is not None:
        handles.append(axis.axvline(first, color=ENTRY_COLOUR, ls="--", lw=2.0, label=f"First entry (month {first})"))
    return handles + _mark_events(axis, model)


def scheduled_events(model: TrackTwoModel) -> list[tuple[int, str]]:
    """(month, format) of the main programme's events other than workshops, as funded, within the run's months."""
    return [
        (step, kind)
        for step, kind in model.programme.main_schedule()
        if FORMATS[kind].mark and step <= model.params.steps  # workshops are the series itself: not marked
    ]


def _mark_events(axis, model: TrackTwoModel) -> list:
    """The schedule's trainings, trips, reports and shuttles as dotted lines, each format labelled once."""
    events = scheduled_events(model)
    if model.params.programme.events is None or not events:
        return []
    labelled: set[str] = set()
    marks = axis.get_xaxis_transform()
    for step, kind in events:
        axis.axvline(step, color=EVENT_COLOUR, ls=":", lw=2.0, zorder=1)
        if kind not in labelled:
            labelled.add(kind)
            axis.text(
                step + 0.8,
                0.6,
                FORMATS[kind].mark,
                transform=marks,
                rotation=90,
                fontsize=LABEL_PT,
                va="center",
                ha="left",
                color="#0b5a8a",
            )
    return [Line2D([], [], color=EVENT_COLOUR, ls=":", lw=2.0, label="Training, trip, report")]


def first_entry_month(model: TrackTwoModel) -> int | None:
    """The month the first workshop idea entered Track One, or None."""
    ideas = model.ideas
    n = ideas.count
    entered = ideas.entered_step[:n][(ideas.origin_workshop[:n] >= 0) & (ideas.entered_step[:n] >= 0)]
    return int(entered.min()) if entered.size else None


def _legend_below(figure: Figure, handles: list, columns: int = 2) -> None:
    """The legend under the plot, with the plot's bottom margin made to fit it (fixed margins, no layout engine)."""
    width, height = figure.get_size_inches()
    rows = -(-len(handles) // columns)
    figure.subplots_adjust(
        left=0.85 / width,
        right=1 - 0.2 / width,
        top=1 - 0.45 / height,
        bottom=(LEGEND_ROW_IN * rows + AXIS_LABEL_IN) / height,
    )
    figure.legend(
        handles=handles,
        fontsize=LEGEND_PT,
        loc="lower center",
        ncol=columns,
        frameon=False,
        columnspacing=1.2,
        handletextpad=0.4,
        borderaxespad=0.2,
    )


def _plot_figure(size: tuple[float, float]) -> tuple[Figure, object]:
    figure = Figure(figsize=size, dpi=FIGURE_DPI)
    axis = figure.add_subplot()
    axis.tick_params(labelsize=TICK_PT)
    return figure, axis


def draw_ideas_by_track(model: TrackTwoModel, size: tuple[float, float] = PLOT_SIZE) -> Figure:
    """Track Two ideas held per actor in each track, ripe moments shaded."""
    figure, axis = _plot_figure(size)
    frame = timeseries(model)
    marks = _time_axis(axis, frame, model)
    handles = []
    for track in TRACK_LABELS:
        column = f"ideas_held_{track}"
        if len(frame) and column in frame and frame[column].notna().any():
            (line,) = axis.plot(
                frame["month"],
                frame[column],
                lw=2.4,
                color=BEHAVIOUR_COLOURS[TRACK_BEHAVIOUR[track]],
                label=SHORT_LABELS[TRACK_BEHAVIOUR[track]],
            )
            handles.append(line)
    axis.set_ylim(bottom=0)
    axis.set_ylabel("Ideas held per actor", fontsize=AXIS_PT)
    axis.set_title("Ideas held, by track", fontsize=TITLE_PT)
    _legend_below(figure, [*handles, *marks])
    return figure


def draw_novelty(
    model: TrackTwoModel,
    size: tuple[float, float] = PLOT_SIZE,
    title: str = "Novelty of ideas generated and transferred",
) -> Figure:
    """Each workshop idea at its month of origin and its novelty; filled once it has entered Track One."""
    figure, axis = _plot_figure(size)
    frame = timeseries(model)
    marks = _time_axis(axis, frame, model)
    ideas = model.ideas
    n = ideas.count
    generated = ideas.origin_workshop[:n] >= 0
    month, novelty = ideas.origin_step[:n][generated], ideas.novelty[:n][generated]
    entered = ideas.entered_step[:n][generated] >= 0
    colour = BEHAVIOUR_COLOURS["official"]
    axis.scatter(
        month[~entered],
        novelty[~entered],
        s=45,
        facecolors="white",
        edgecolors="0.35",
        linewidths=1.3,
        zorder=3,
        label="Not (yet) in Track One",
    )
    axis.scatter(
        month[entered],
        novelty[entered],
        s=55,
        color=colour,
        edgecolors="black",
        linewidths=0.6,
        zorder=4,
        label="Entered Track One",
    )
    if novelty.size:
        axis.axhline(novelty.mean(), color="0.35", ls=":", lw=1.5, label=f"Mean, all: {novelty.mean():.2f}")
    if entered.any():
        axis.axhline(
            novelty[entered].mean(),
            color=colour,
            ls="--",
            lw=1.5,
            label=f"Mean, entered: {novelty[entered].mean():.2f}",
        )
    axis.set_ylim(0, 1)
    axis.set_ylabel("Novelty (0 = official line)", fontsize=AXIS_PT)
    axis.set_title(title, fontsize=TITLE_PT)
    handles = [h for h in axis.get_legend_handles_labels()[0] if h not in marks]
    _legend_below(figure, [*handles, *marks])
    return figure


def draw_trust(model: TrackTwoModel, size: tuple[float, float] = PLOT_SIZE) -> Figure:
    """Mean trust of the other side across all actors on its full 0..1 scale, with workshops and leaks marked."""
    figure, axis = _plot_figure(size)
    frame = timeseries(model)
    marks = _time_axis(axis, frame, model)
    handles = []
    if len(frame):
        (line,) = axis.plot(
            frame["month"], frame["mean_cross_side_trust"], lw=2.6, color=_PALETTE[3], label="Mean cross-side trust"
        )
        workshops = frame.loc[frame["workshop"] == 1, "month"]
        handles = [
            line,
            axis.scatter(
                workshops,
                np.full(len(workshops), 0.1),
                marker="|",
                s=160,
                color="0.25",
                transform=axis.get_xaxis_transform(),
                label="Workshop" if model.params.programme.events is None else "Meeting",
            ),
        ]
    axis.set_ylim(0, 1)
    axis.set_ylabel("Trust of the other side", fontsize=AXIS_PT)
    axis.set_title("Cross-side trust", fontsize=TITLE_PT)
    _legend_below(figure, [*handles, *marks])
    return figure


def entries_by_route(model: TrackTwoModel) -> pd.DataFrame:
    """Per month so far, the programme's ideas that have entered Track One by each route (a column per route)."""
    ideas = model.ideas
    months = np.arange(1, model.steps + 1)
    entered = {idea: step for idea, step in enumerate(ideas.entered_step[: ideas.count].tolist()) if step >= 0}
    frame = pd.DataFrame({"month": months})
    for route in ROUTE_LINES:
        steps = np.array(
            [
                entered[i]
                for i, r in ideas.routes.items()
                if r == route and i in entered and ideas.origin_workshop[i] >= 0
            ]
        )
        frame[route] = (steps[None, :] <= months[:, None]).sum(axis=1) if steps.size else 0
    return frame


def draw_routes(model: TrackTwoModel, size: tuple[float, float] = PLOT_SIZE) -> Figure:
    """Ideas into Track One by the route they took, and the local agreements formed, month by month."""
    figure, axis = _plot_figure(size)
    frame = timeseries(model)
    marks = _time_axis(axis, frame, model)
    routes = entries_by_route(model)
    handles = []
    for route, (label, behaviour, dash) in ROUTE_LINES.items():
        if len(routes) and routes[route].iloc[-1] > 0:
            (line,) = axis.step(
                routes["month"],
                routes[route],
                where="post",
                lw=2.6,
                ls=dash,
                color=BEHAVIOUR_COLOURS[behaviour],
                label=label,
            )
            handles.append(line)
    agreements = getattr(model, "local_agreements_by_month", None)
    if agreements:
        (line,) = axis.plot(
            np.arange(1, len(agreements) + 1),
            agreements,
            lw=2.2,
            ls="--",
            color=BEHAVIOUR_COLOURS["grassroots"],
            label="Local agreements",
        )
        handles.append(line)
    axis.set_ylim(0, max(axis.get_ylim()[1], 5.0))
    axis.set_ylabel("Count so far", fontsize=AXIS_PT)
    axis.set_title("Routes into Track One; local agreements", fontsize=TITLE_PT)
    _legend_below(figure, [*handles, *marks])
    return figure


def cumulative_by_month(model: TrackTwoModel) -> pd.DataFrame:
    """Per month so far: ideas that have entered Track One and their summed novelty (impact)."""
    ideas = model.ideas
    n = ideas.count
    generated = ideas.origin_workshop[:n] >= 0
    entered_step = ideas.entered_step[:n][generated]
    novelty = ideas.novelty[:n][generated]
    months = np.arange(1, model.steps + 1)
    entered = (entered_step[None, :] >= 0) & (entered_step[None, :] <= months[:, None])
    return pd.DataFrame(
        {"month": months, "transferred": entered.sum(axis=1), "impact": (entered * novelty).sum(axis=1)}
    )


def draw_comparison(
    models: Sequence[TrackTwoModel], names: Sequence[str], size: tuple[float, float] = (13.0, 3.8)
) -> Figure:
    """Runs side by side: ideas that entered Track One, and impact, month by month."""
    figure = Figure(figsize=size, dpi=FIGURE_DPI)
    figure.subplots_adjust(
        left=0.75 / size[0], right=1 - 0.2 / size[0], top=1 - 0.45 / size[1], bottom=1.15 / size[1], wspace=0.22
    )
    axes = figure.subplots(1, 2)
    colours = (_PALETTE[1], _PALETTE[2], _PALETTE[0], _PALETTE[4])
    months = max(m.params.steps for m in models)
    for model, name, colour in zip(models, names, colours, strict=False):
        frame = cumulative_by_month(model)
        axes[0].step(frame["month"], frame["transferred"], where="post", lw=2.4, color=colour, label=name)
        axes[1].step(frame["month"], frame["impact"], where="post", lw=2.4, color=colour, label=name)
    for axis, title, label in (
        (axes[0], "Ideas that entered Track One", "Ideas"),
        (axes[1], "Impact: novelty that entered Track One", "Summed novelty"),
    ):
        axis.set_xlim(0.5, months + 0.5)
        axis.set_ylim(0, max(axis.get_ylim()[1], 1.0))  # an empty chart reads 0..1, not 0..0.05
        axis.set_xlabel("Month", fontsize=AXIS_PT)
        axis.set_ylabel(label, fontsize=AXIS_PT)
        axis.set_title(title, fontsize=TITLE_PT)
        axis.tick_params(labelsize=TICK_PT)
        axis.grid(alpha=0.3)
    figure.legend(handles=axes[0].get_lines(), loc="lower center", ncol=len(models), fontsize=LEGEND_PT, frameon=False)
    return figure


EVALUATION_SIZE = (13.0, 4.2)  # inches: wide, one pair of bars per meeting
CHAIN_COLOUR = "0.7"


def draw_evaluation(result: RunEvaluation, size: tuple[float, float] = EVALUATION_SIZE) -> Figure:
    """Per meeting, at its month: the impact on its recorded chains, and the change in impact when it is removed."""
    figure, axis = _plot_figure(size)
    months = np.array([m.month for m in result.meetings], dtype=float)
    gap = np.diff(np.unique(months)).min() if np.unique(months).size > 1 else 4.0
    width = 0.4 * gap
    chain = np.array([m.chain_impact for m in result.meetings])
    lost = np.array([m.change for m in result.meetings])  # one sign everywhere: the change when removed
    axis.bar(months - width / 2, chain, width, color=CHAIN_COLOUR, label="Impact on its chains (attribution)")
    errors = None
    if result.meetings and result.meetings[0].has_intervals():
        low = np.array([-m.contribution_high for m in result.meetings])
        high = np.array([-m.contribution_low for m in result.meetings])
        errors = np.vstack([lost - low, high - lost])
    axis.bar(
        months + width / 2,
        lost,
        width,
        color=BEHAVIOUR_COLOURS["official"],
        yerr=errors,
        ecolor="0.2",
        capsize=2,
        label="Change in impact when removed (below 0: it contributed)",
    )
    axis.axhline(0, color="0.3", lw=1)
    axis.set_xlim(0.5, max(months.max() + gap if months.size else 0, 12) + 0.5)
    axis.set_xlabel("Month of the meeting", fontsize=AXIS_PT)
    axis.set_ylabel("Impact (summed novelty)", fontsize=AXIS_PT)
    axis.grid(alpha=0.3, axis="y")
    seeds = result.seeds
    where = f"seed {seeds[0]}" if len(seeds) == 1 else f"mean of seeds {seeds[0]}-{seeds[-1]}, 95% intervals"
    axis.set_title(f"Each meeting: on the chain, and what removing it changes ({where})", fontsize=TITLE_PT)
    _legend_below(figure, axis.get_legend_handles_labels()[0])
    return figure


def png(figure: Figure) -> bytes:
    """A figure as PNG bytes, lightly compressed so live plots and downloads stay quick."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()
