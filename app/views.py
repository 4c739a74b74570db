"""What the trainer sees: figures, Track One's state, the latest workshop and the export buttons, as Solara components.

The figures come from `app.drawing`; each is redrawn only when its model has moved on. Drawing
and stepping take `MODEL_LOCK`, so a figure never reads a model halfway through a month (an
export is drawn in a background thread while the run may be playing).
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable

import numpy as np
import seaborn as sns
import solara
from matplotlib.figure import Figure
from tracktwo.app.drawing import (
    beyond_track_one,
    draw_ideas_by_track,
    draw_network,
    draw_novelty,
    draw_routes,
    draw_trust,
    png,
    timeseries,
    track_one_status,
    what_got_in,
)
from tracktwo.app.runs import kind_count, meeting_word
from tracktwo.model import TrackTwoModel

MODEL_LOCK = threading.RLock()
PLOTS: dict[str, tuple[str, Callable[[TrackTwoModel], Figure]]] = {
    "tracks": ("Ideas held, by track", draw_ideas_by_track),
    "novelty": ("Novelty of ideas", draw_novelty),
    "trust": ("Cross-side trust", draw_trust),
    "routes": ("Routes into Track One", draw_routes),
}
OFFSCREEN_REDRAW_MONTHS = 12
AGENDA_COLOURS = tuple(str(c) for c in sns.color_palette("colorblind").as_hex())  # one per issue, as the figures
RIPE_STYLE = "background:#029e73;color:white"
UNRIPE_STYLE = "background:#e0e0e0;color:#222"


def model_state(model: TrackTwoModel) -> list:
    """What a view depends on: the model itself (not its id, which a new model may reuse) and how far it has run."""
    return [model, model.steps, int(getattr(model, "staged_until", 0)), bool(model.ripe)]


def drawn(draw: Callable[[], Figure]) -> bytes:
    """A figure as PNG bytes, drawn while no one steps the model."""
    with MODEL_LOCK:
        return png(draw())


@solara.component
def FigureImage(draw: Callable[[], Figure], dependencies: list, classes: list[str] | None = None, fill: bool = False):
    """A matplotlib figure as a PNG image, redrawn only when `dependencies` change.

    With `fill`, the image takes whatever room its container leaves it (scaled to fit, never
    pushing the layout past the screen); otherwise it flows at the container's width.
    """
    image = solara.use_memo(lambda: drawn(draw), dependencies)
    figure = solara.Image(image, classes=["tt-figure", *(classes or [])])
    return solara.Div(classes=["tt-fig-box"], children=[figure]) if fill else figure


@solara.component
def NetworkView(model: TrackTwoModel, tick: int, legend: bool = True, fill: bool = False):
    """The actors and their ties, as the multi-track diagram trainers know.

    `tick` changes whenever the run moves on (the model object stays the same), so the view redraws.
    """
    return FigureImage(
        lambda: draw_network(model, legend=legend),
        [*model_state(model), legend],
        classes=["tt-network"],
        fill=fill,
    )


@solara.component
def PlotView(model: TrackTwoModel, name: str, tick: int, live: bool = True, fill: bool = False):
    """One of the live plots by name (tracks, novelty, trust), redrawn when `tick` changes.

    A plot that is not `live` (below the fold while a run plays) is redrawn only every
    `OFFSCREEN_REDRAW_MONTHS`, so the plots on screen keep the pace.
    """
    draw = PLOTS[name][1]
    state = model_state(model)
    if not live:
        state[1] = model.steps // OFFSCREEN_REDRAW_MONTHS
    return FigureImage(lambda: draw(model), [*state, live], classes=["tt-plot", f"tt-plot-{name}"], fill=fill)


def status_rows(model: TrackTwoModel) -> list[tuple[str, str]]:
    """Track One's state as label/value pairs."""
    status = track_one_status(model)
    rows = [
        ("Ideas that entered Track One", f"{status.transferred} of {status.generated} generated"),
        ("Impact (novelty that entered)", f"{status.impact:.2f}"),
        ("Ripe windows so far", f"{status.windows}"),
    ]
    if status.officials_wary:
        rows.append(("After a leak", "officials are wary"))
    if status.staged_until > status.month + 1:
        rows.append(("Staged ripe moment", f"until month {status.staged_until - 1}"))
    beyond = beyond_track_one(model)
    if beyond is not None:  # a multi-track programme: what it aims at beyond Track One
        rows += [
            ("Entered via Track 1.5 / Three", f"{beyond.via_track_1_5} / {beyond.via_track_three}"),
            ("Local agreements", f"{beyond.local_agreements}"),
        ]
    return rows


def issue_words(name: str) -> str:
    """A dimension's name as the card prints it: 'justice and social issues' (escaped for the page)."""
    return html.escape(name.replace("_", " "))


def short_issue_words(name: str) -> str:
    """A dimension's first word, for the card's one line: 'justice' for justice_and_social_issues.

    The bar's tooltip and the Python API keep the whole name.
    """
    return html.escape(name.split("_")[0])


def agenda_rows(model: TrackTwoModel) -> list[tuple[str, str]]:
    """Influence on the process and the agenda that entered, as label/value pairs (none: []).

    Outcome transfer (ideas adopted) is the card's first row, "Ideas that entered Track One": one row, not two,
    so the card leaves the plot to watch its room on a projector.
    """
    found = what_got_in(model)
    if found is None:
        return []
    entered = [(name, share) for name, share in found.shares.items() if share > 0]
    agenda = ", ".join(f"{short_issue_words(name)} {share:.0%}" for name, share in entered) or "nothing adopted yet"
    return [
        ("Influence on the process", f"{found.influence:.2f}"),  # positions moved by ideas not adopted
        ("Agenda that entered", agenda),
    ]


def agenda_bar_html(model: TrackTwoModel) -> str:
    """A thin bar of the agenda that entered Track One, a segment per issue (colour-blind palette); '' if none."""
    found = what_got_in(model)
    if found is None or not any(share > 0 for share in found.shares.values()):
        return ""
    segments = "".join(
        f"<div title='{issue_words(name)}: {share:.0%}' style='flex:{share:.4f} 0 0;background:{colour}'></div>"
        for (name, share), colour in zip(found.shares.items(), AGENDA_COLOURS, strict=False)
        if share > 0
    )
    breadth = f"Agenda breadth: {found.breadth:.1f} issues (effective number)"
    style = "display:flex;height:10px;border-radius:3px;overflow:hidden"
    return f"<div class='tt-agenda' title='{breadth}' style='{style}'>{segments}</div>"


def track_one_html(model: TrackTwoModel, heading: str = "Track One") -> str:
    """The Track One card's content: ripeness, the status rows, then what got in and the agenda bar."""
    ripe = bool(model.ripe)
    state = "Ripe: looking for new approaches" if ripe else "Not ripe: wary of new ideas"
    return (
        f"<div class='tt-card-heading'>{heading}</div>"
        f"<div class='tt-ripeness' style='{RIPE_STYLE if ripe else UNRIPE_STYLE}'>{state}</div>"
        + table_html(status_rows(model) + agenda_rows(model), "tt-status")
        + agenda_bar_html(model)
    )


def table_html(rows: list[tuple[str, str]], css: str) -> str:
    """Label/value rows as an HTML table with the given CSS class, for the cards."""
    cells = "".join(f"<tr><td class='tt-label'>{label}</td><td><b>{value}</b></td></tr>" for label, value in rows)
    return f"<table class='{css}'>{cells}</table>"


@solara.component
def TrackOneCard(model: TrackTwoModel, tick: int, heading: str = "Track One"):
    """Ripe or not, what entered and what it moved: the officials' side of the story (updated as `tick` moves)."""
    solara.HTML(tag="div", classes=["tt-track-one"], unsafe_innerHTML=track_one_html(model, heading))


@solara.component
def LatestWorkshopCard(model: TrackTwoModel, tick: int):
    """The latest workshop: when, who, how candid, how many ideas, whether it leaked (updated as `tick` moves)."""
    records = model.series.records
    planned = model.programme.meetings_scheduled()
    schedule = model.params.programme.events is not None
    heading = "Latest meeting" if schedule else "Latest workshop"
    if not records:
        text = f"None yet (the first is due in month {planned[0][0]})." if planned else "No workshops planned."
        rows = [(heading, text)]
    else:
        last = records[-1]
        kinds, counts = np.unique(model.kind_of[last.participants], return_counts=True)
        who = ", ".join(kind_count(str(kind), int(count)) for kind, count in zip(kinds, counts, strict=True))
        which = (
            f"meeting {last.number + 1} of {len(planned)}: a {meeting_word(last.format)}"
            if schedule
            else f"workshop {last.number + 1} of {model.series.budget}"
        )
        rows = [
            (heading, f"month {last.step} ({which})"),
            ("Participants", f"{last.participants.size}: {who}"),
            ("Candour", f"{last.candour:.2f}"),
            ("Ideas developed", f"{last.ideas.size}"),
            ("Leaked", "yes: officials grow wary" if last.leaked else "no"),
        ]
    solara.HTML(tag="div", classes=["tt-workshop"], unsafe_innerHTML=table_html(rows, "tt-status"))


def run_csv(model: TrackTwoModel) -> str:
    """The run so far, one row per month, as CSV."""
    with MODEL_LOCK:
        return timeseries(model).to_csv(index=False)


@solara.component
def Download(label: str, filename: str, make: Callable[[], bytes | str], source: object, mime_type: str):
    """A download button that makes its file only when clicked.

    Solara's FileDownload restarts its worker whenever its data callable is a new object, and a
    new lambda every render would re-render forever: the callable is kept for as long as `source`
    (the model it reads) stays the same.
    """
    data = solara.use_memo(lambda: make, [source])
    solara.FileDownload(data, filename=filename, label=label, mime_type=mime_type, icon_name="mdi-download")


@solara.component
def Downloads(model: TrackTwoModel, stem: str, tick: int):
    """PNG of the network and of each chart, and the run's months as CSV (file names carry the month: `tick`)."""
    month = f"month{model.steps}"
    with solara.Row(classes=["tt-downloads"], style="flex-wrap:wrap;gap:8px;align-items:center"):
        solara.Text("Export:", style="font-weight:bold")
        Download(
            "Network (PNG)",
            f"{stem}_network_{month}.png",
            lambda: drawn(lambda: draw_network(model)),
            model,
            "image/png",
        )
        for name, (title, draw) in PLOTS.items():
            Download(
                f"{title} (PNG)",
                f"{stem}_{name}_{month}.png",
                lambda draw=draw: drawn(lambda: draw(model)),
                model,
                "image/png",
            )
        Download("This run (CSV)", f"{stem}_{month}.csv", lambda: run_csv(model), model, "text/csv")
