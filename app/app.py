"""The trainer's app: the Autonomy Dilemma, live in a browser, offline.

Served by `tracktwo app` (``solara run app.app``, as a module, so `app` stays the package). Two pages:

- Explore: Mesa's SolaraViz (Reset / Play / Step, the month counter) around our views of one run,
  with the programme's settings and the ripeness controls in the sidebar and one-click presets,
  each with what to watch for, above the views.
- Side by side: two workshop mixes on the same seed, stepped together, so the dilemma shows on
  one screen.

Every setting goes through `Settings.params()`, i.e. `model.make_params`, so a bad value gets the
model's own message. Session state lives in Solara reactive variables, one copy per browser tab.
"""

from __future__ import annotations

from dataclasses import dataclass

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update
from solara.components.applayout import sidebar_portal

from app.drawing import draw_comparison, draw_network, draw_novelty
from app.presets import PRESETS, active_preset
from app.runs import MODE_CHOICES, POLICY_CHOICES, RIPENESS_CHOICES, Settings, TrainerModel
from app.views import (
    FigureImage,
    IdeasByTrackPlot,
    LatestWorkshopCard,
    NetworkView,
    NoveltyPlot,
    TrackOneCard,
    TrustPlot,
)
from model import ConfigError

TITLE = "Track Two into Track One: the trainer's app"
MONTHS_PER_JUMP = 12
PAIR_DEFAULT_SHARES = (0.0, 1.0)  # autonomous share of Track Two seats in runs A and B
SIDEBAR_BELOW_OFFSET = 2**40
PLOT_GRID = "display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:16px;width:100%;margin-top:8px"
# Mesa's "Model Parameters" card stays empty (our settings have their own cards): hide it.
CSS = """
.v-navigation-drawer .v-card:has(> .v-card__text > .v-sheet:only-child:empty) { display: none; }
.tt-figure { display: block; max-width: 100%; }
"""

settings_state = solara.reactive(Settings.default())
settings_error = solara.reactive(None)
explore_model = solara.reactive(None)
pair_shares = solara.reactive(PAIR_DEFAULT_SHARES)
pair_state = solara.reactive(None)
pair_tick = solara.reactive(0)


def apply_settings(new: Settings) -> None:
    """Start a fresh run with new settings, or show the model's message if it refuses them."""
    try:
        model = TrainerModel(new)
    except ConfigError as error:
        settings_error.set(str(error))
        return
    settings_error.set(None)
    settings_state.set(new)
    explore_model.set(model)


def _ensure_explore_model() -> None:
    if explore_model.value is None:
        apply_settings(settings_state.value)


# ----------------------------------------------------------------------------------------------
# Explore: one run


@solara.component
def ChoiceSelect(label: str, choices: dict[str, str], value: str, on_key):
    """A Select showing readable labels for the model's keys."""
    keys = {text: key for key, text in choices.items()}
    solara.Select(
        label=label, value=choices[value], values=list(choices.values()), on_value=lambda text: on_key(keys[text])
    )


@solara.component
def Knob(text: str, value: float, on_value, minimum: float, maximum: float, step: float = 1):
    """A slider with its meaning and current value written above it, readable from the back of a room."""
    with solara.Column(gap="0px", classes=["tt-knob"]):
        solara.Text(text, style="font-size:0.95em;line-height:1.25")
        slider = solara.SliderInt if isinstance(step, int) else solara.SliderFloat
        slider("", value=value, min=minimum, max=maximum, step=step, on_value=on_value, thumb_label=False)


def percent(share: float) -> str:
    return f"{round(100 * share)}%"


@solara.component
def SettingsPanel():
    """The programme's knobs. Each change starts a fresh run with the new settings."""
    settings = settings_state.value

    def set_field(name: str):
        return lambda value: apply_settings(settings.replace(**{name: value}))

    with solara.Card("Who is in the room", classes=["tt-settings"]):
        Knob(
            f"Autonomous thinkers: {percent(settings.autonomous_share)} of Track Two seats "
            f"(influential elites: {percent(1 - settings.autonomous_share)})",
            settings.autonomous_share,
            set_field("autonomous_share"),
            0.0,
            1.0,
            0.05,
        )
        Knob(
            f"Grassroots: {percent(settings.grassroots_share)} of all seats",
            settings.grassroots_share,
            set_field("grassroots_share"),
            0.0,
            0.6,
            0.05,
        )
        Knob(f"Workshop size: {settings.size} participants", settings.size, set_field("size"), 4, 40)
        Knob(f"A workshop every {settings.interval} months", settings.interval, set_field("interval"), 1, 12)
        ChoiceSelect("Mode", MODE_CHOICES, settings.mode, set_field("mode"))
    with solara.Card("The third party", classes=["tt-settings"]):
        Knob(
            f"Confidentiality: {percent(settings.confidentiality)} (a leak follows a workshop with probability "
            f"{percent(1 - settings.confidentiality)})",
            settings.confidentiality,
            set_field("confidentiality"),
            0.0,
            1.0,
            0.05,
        )
        Knob(
            f"Funder's conditions: {settings.funder_conditionality:.1f} (0 none, 1 heavy)",
            settings.funder_conditionality,
            set_field("funder_conditionality"),
            0.0,
            1.0,
            0.1,
        )
        ChoiceSelect(
            "Facilitator's policy on conditions",
            POLICY_CHOICES,
            settings.facilitator_policy,
            set_field("facilitator_policy"),
        )
    with solara.Card("Track One's ripeness", classes=["tt-settings"]):
        ChoiceSelect("Ripeness", RIPENESS_CHOICES, settings.ripeness, set_field("ripeness"))
        if settings.ripeness == "staged":
            Knob(
                f"Window opens in month {settings.window_start}",
                settings.window_start,
                set_field("window_start"),
                1,
                settings.steps - 1,
            )
        Knob(
            f"Window length: {settings.window_months} months", settings.window_months, set_field("window_months"), 1, 60
        )
        solara.Button(
            f"Stage a ripe moment now ({settings.window_months} months)",
            color="success",
            on_click=stage_ripe_moment,
            classes=["tt-stage"],
            block=True,
        )
    with solara.Card("Run", classes=["tt-settings"]):
        solara.InputInt("Seed (same seed, same conflict)", value=settings.seed, on_value=set_field("seed"))


def stage_ripe_moment() -> None:
    model = explore_model.value
    if model is not None:
        model.stage_ripe_moment(settings_state.value.window_months)
        force_update()


@solara.component
def PresetBar():
    """One click per teaching scenario, and what to watch for in the one that is on."""
    settings = settings_state.value
    active = active_preset(settings)
    with solara.Card(classes=["tt-presets"], style="width:100%"):
        with solara.Row(gap="8px", style="flex-wrap:wrap;align-items:center"):
            solara.Text("Presets:", style="font-weight:bold;margin-right:4px")
            for preset in PRESETS:
                chosen = active is not None and preset.name == active.name
                solara.Button(
                    preset.name,
                    on_click=lambda preset=preset: apply_settings(preset.apply(settings_state.value)),
                    color="primary",
                    outlined=not chosen,
                    classes=["tt-preset"],
                )
        if active is not None:
            solara.HTML(
                tag="div",
                classes=["tt-explanation"],
                unsafe_innerHTML=(
                    f"<p style='margin:10px 0 4px 0;font-size:1.08em;line-height:1.45'><b>{active.name}: what to watch for.</b> "
                    f"{active.explanation}</p>"
                ),
            )
        else:
            whose = (
                "The model's default programme"
                if settings == Settings.default().replace(seed=settings.seed)
                else "Your own settings"
            )
            solara.HTML(
                tag="div",
                classes=["tt-explanation"],
                unsafe_innerHTML=(
                    f"<p style='margin:10px 0 4px 0;font-size:1.08em'>{whose}. Pick a preset for a teaching scenario "
                    "and what to watch for in it; the controls on the left change one thing at a time.</p>"
                ),
            )
        solara.Text(f"Now running: {settings.describe()}", classes=["tt-running"], style="color:#555")
        if settings_error.value:
            solara.Error(f"Not applied: {settings_error.value}", classes=["tt-error"])


@solara.component
def Explore():
    solara.use_effect(_ensure_explore_model, [])
    settings = settings_state.value
    model = explore_model.value
    solara.Title(f"Explore: {TITLE}")
    solara.Style(CSS)
    SettingsSidebar()
    if model is None:
        solara.Text("Preparing the model...")
        return
    # Mesa's SolaraViz drives the run: Reset / Play / Step and the month counter in the sidebar.
    # Its Reset re-creates TrainerModel(settings=...), hence the fixed parameter and the key.
    SolaraViz(explore_model, components=[], model_params={"settings": settings}, name=TITLE, play_interval=150).key(
        f"viz-{hash(settings)}"
    )
    PresetBar()
    with solara.Row(gap="16px", style="align-items:flex-start;flex-wrap:wrap;width:100%"):
        with solara.Column(style="flex:3 1 560px;min-width:0"):
            NetworkView(model)
        with solara.Column(style="flex:2 1 340px;min-width:0"):
            TrackOneCard(model)
            LatestWorkshopCard(model)
    with solara.Div(style=PLOT_GRID):
        for Plot in (IdeasByTrackPlot, NoveltyPlot, TrustPlot):
            Plot(model)


@solara.component
def SidebarBelow(children=None):
    """Like `solara.Sidebar`, but below what SolaraViz puts there (Reset / Play / Step, the month counter).

    Solara orders sidebar content by an offset of 2**(component depth); SolaraViz's and ours get
    the same one, so ours is given a larger offset. (Solara is pinned; this is its sidebar portal.)
    """
    sidebar_portal.use_portal_add(children or [], SIDEBAR_BELOW_OFFSET)
    return solara.Div(style="display:none")


@solara.component
def SettingsSidebar():
    with SidebarBelow():
        SettingsPanel()


# ----------------------------------------------------------------------------------------------
# Side by side: two mixes, one seed


@dataclass(frozen=True)
class Pair:
    """Two runs that differ only in the workshop mix."""

    settings: tuple[Settings, Settings]
    models: tuple[TrainerModel, TrainerModel]


def pair_settings() -> tuple[Settings, Settings]:
    base = settings_state.value
    share_a, share_b = pair_shares.value
    return base.replace(autonomous_share=share_a), base.replace(autonomous_share=share_b)


def reset_pair() -> None:
    wanted = pair_settings()
    try:
        models = (TrainerModel(wanted[0]), TrainerModel(wanted[1]))
    except ConfigError as error:
        settings_error.set(str(error))
        return
    pair_state.set(Pair(wanted, models))
    pair_tick.set(pair_tick.value + 1)


def _ensure_pair() -> None:
    if pair_state.value is None or pair_state.value.settings != pair_settings():
        reset_pair()


def advance_pair(months: int) -> None:
    pair = pair_state.value
    if pair is None:
        return
    for _ in range(months):
        for model in pair.models:
            if model.running:
                model.step()
    pair_tick.set(pair_tick.value + 1)


def run_name(settings: Settings, letter: str) -> str:
    share, grassroots = settings.autonomous_share, settings.grassroots_share
    name = f"Run {letter}: {percent(share)} autonomous thinkers, {percent(1 - share)} elites"
    return f"{name} (and {percent(grassroots)} grassroots)" if grassroots else name


@solara.component
def RunColumn(model: TrainerModel, name: str, tick: int, css: str):
    with solara.Column(classes=["tt-run", css], style="flex:1 1 0;min-width:420px"):
        solara.Text(name, style="font-size:1.25em;font-weight:bold")
        FigureImage(lambda: draw_network(model, size=(8.0, 6.0)), [model, tick], classes=["tt-network"])
        TrackOneCard(model, heading=f"Track One ({name.split(':')[0]})", tick=tick)
        FigureImage(
            lambda: draw_novelty(model, title="Novelty: hollow = not (yet) in Track One"),
            [model, tick],
            classes=["tt-plot", "tt-plot-novelty"],
        )


@solara.component
def SideBySide():
    share_a, share_b = pair_shares.value
    solara.use_effect(_ensure_pair, [settings_state.value, pair_shares.value])
    tick = pair_tick.value
    solara.Title(f"Side by side: {TITLE}")
    solara.Style(CSS)
    solara.AppBarTitle(TITLE)
    with solara.Sidebar(), solara.Card("Two mixes, one seed", classes=["tt-settings"]):
        Knob(
            f"Run A: autonomous thinkers {percent(share_a)} of Track Two seats",
            share_a,
            lambda v: pair_shares.set((v, pair_shares.value[1])),
            0.0,
            1.0,
            0.05,
        )
        Knob(
            f"Run B: autonomous thinkers {percent(share_b)} of Track Two seats",
            share_b,
            lambda v: pair_shares.set((pair_shares.value[0], v)),
            0.0,
            1.0,
            0.05,
        )
        solara.Text(f"Everything else as on the Explore page: {settings_state.value.describe()}.", style="color:#555")
    pair = pair_state.value
    if pair is None:
        solara.Text("Preparing the two runs...")
        if settings_error.value:
            solara.Error(settings_error.value)
        return
    model_a, model_b = pair.models
    with solara.Card(classes=["tt-pair-controls"], style="width:100%"):
        with solara.Row(gap="8px", style="align-items:center;flex-wrap:wrap"):
            solara.Button("Reset", color="primary", on_click=reset_pair)
            solara.Button("Step", color="primary", on_click=lambda: advance_pair(1), disabled=not model_a.running)
            solara.Button(
                f"+{MONTHS_PER_JUMP} months",
                color="primary",
                on_click=lambda: advance_pair(MONTHS_PER_JUMP),
                disabled=not model_a.running,
            )
            solara.Button(
                "Run to the end",
                color="primary",
                on_click=lambda: advance_pair(model_a.params.steps),
                disabled=not model_a.running,
            )
            solara.Text(
                f"Month {model_a.steps} of {model_a.params.steps}",
                classes=["tt-pair-month"],
                style="font-size:1.2em;font-weight:bold;margin-left:12px",
            )
        solara.Text(
            "Same seed, same actors and network; only who sits in the workshops differs. "
            "Watch novelty (the dots) against what enters Track One (filled dots, and the curves below).",
            style="color:#555",
        )
    with solara.Row(gap="16px", style="align-items:flex-start;flex-wrap:wrap"):
        RunColumn(model_a, run_name(pair.settings[0], "A"), tick, "tt-run-a")
        RunColumn(model_b, run_name(pair.settings[1], "B"), tick, "tt-run-b")
    FigureImage(
        lambda: draw_comparison(
            pair.models, [run_name(s, letter) for s, letter in zip(pair.settings, "AB", strict=True)]
        ),
        [model_a, model_b, tick],
        classes=["tt-plot", "tt-comparison"],
    )


@solara.component
def Layout(children=None):
    """Solara's app layout, with the pages named for a trainer in the app bar."""
    current, routes = solara.use_route()
    with solara.AppLayout(children=children or [], navigation=False) as layout, solara.AppBar():
        for route in routes:
            underline = "border-bottom:3px solid white;border-radius:0" if route is current else ""
            with solara.Link(solara.resolve_path(route)):
                solara.Button(
                    route.label, text=True, classes=["tt-nav"], style=f"color:white;font-size:1.05em;{underline}"
                )
    return layout


routes = [
    solara.Route(path="/", component=Explore, label="Explore", layout=Layout),
    solara.Route(path="side-by-side", component=SideBySide, label="Side by side"),
]
