"""The trainer's app: the Autonomy Dilemma, live in a browser, offline, laid out for a projector.

Served by `tracktwo app` (``solara run app.app``, as a module, so `app` stays the package). Pages:

- Explore: one run, with play / pause / step / reset at a speed in plain words, the network, Track
  One's state and the plot to watch on one screen; presets that pin a seed on which their story
  shows; settings in a collapsible sidebar.
- Side by side: two workshop mixes on the same seed, stepped together; both networks and the
  comparison chart on one screen.
- Scoreboard: a row per finished run, and the mean of 20 seeds with an interval on request.
- Evaluate: for the current settings, which meetings were on the chain of what reached Track One
  and what removing each changes (on the same seed, or over several seeds), in the background.
- About this model: what impact, novelty and ripeness mean, and the sources.

The app drives the model itself (no Mesa SolaraViz): every setting goes through
`Settings.params()`, i.e. `model.make_params`, so a bad value gets the model's own message.
Session state lives in Solara reactive variables, one copy per browser tab.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import solara
from matplotlib.colors import to_hex
from tracktwo.app.about import ABOUT
from tracktwo.app.drawing import (
    BEHAVIOUR_COLOURS,
    NEW_CHANNEL,
    PARTICIPANT_HALO,
    SHORT_LABELS,
    draw_comparison,
    draw_evaluation,
    draw_network,
    track_one_status,
)
from tracktwo.app.evaluation import EVALUATION_SEEDS, RunEvaluation, evaluate, evaluation_seeds, signed
from tracktwo.app.presets import PAIR_STORY, PRESETS, active_preset
from tracktwo.app.runs import (
    DEFAULT_SPEED,
    MIDDLE_RANGE_MAX,
    MODE_CHOICES,
    NGO_TRAINING_SEATS_PER_WORKSHOP_SEAT,
    POLICY_CHOICES,
    PROGRAMME_CHOICES,
    RIPENESS_CHOICES,
    SPEEDS,
    THIRD_PARTY_WORDS,
    Settings,
    TrainerModel,
    advance,
    finished,
    plural,
)
from tracktwo.app.scoreboard import HEADINGS, SEEDS_PER_BATCH, Row, row_of_run, row_of_seeds
from tracktwo.app.views import (
    MODEL_LOCK,
    PLOTS,
    Download,
    Downloads,
    FigureImage,
    LatestWorkshopCard,
    NetworkView,
    PlotView,
    TrackOneCard,
    drawn,
    run_csv,
)
from tracktwo.model import ConfigError
from tracktwo.model.network import side_name

TITLE = "Track Two into Track One"
HERE = Path(__file__).parent
CSS = (HERE / "app.css").read_text()
PAIR_NETWORK_SIZE = (7.0, 4.0)  # inches: wide, since the legend is written once under both

settings_state = solara.reactive(Settings.default())
settings_error = solara.reactive(None)
explore_model = solara.reactive(None)
explore_tick = solara.reactive(0)
explore_playing = solara.reactive(False)
explore_sidebar = solara.reactive(True)
speed_state = solara.reactive(DEFAULT_SPEED)
scoreboard_rows = solara.reactive(())
scored_models = solara.reactive(())  # finished runs already on the scoreboard
pair_shares = solara.reactive(PAIR_STORY.shares)
pair_seed = solara.reactive(PAIR_STORY.seed)
pair_state = solara.reactive(None)
pair_tick = solara.reactive(0)
pair_playing = solara.reactive(False)
pair_sidebar = solara.reactive(False)
evaluation_result = solara.reactive(None)  # the latest RunEvaluation


# ----------------------------------------------------------------------------------------------
# Shared pieces: the play loop, the control bar, the frame of a page


@solara.component_vue("clock.vue")
def BrowserClock(playing: bool, month: int, pause_ms: int, event_advance: Callable[[int], None]):
    """The play loop, kept by the browser: `advance(month)` is asked for a pause after `month` is on screen."""


@solara.component
def PlayLoop(playing: solara.Reactive[bool], month: int, step: Callable[[int], bool]):
    """While `playing`, advance by the speed's months each time the page has shown the last ones.

    The browser keeps the time (BrowserClock), so every update is drawn and sent before the next
    is asked for; a request for a month that is no longer the current one is ignored. Leaving the
    page stops playing.
    """
    speed = SPEEDS[speed_state.value]

    def advance(shown_month: int) -> None:
        if playing.value and shown_month == month and step(speed.months_per_update):
            playing.set(False)

    solara.use_effect(lambda: lambda: playing.set(False), [])
    BrowserClock(
        playing=playing.value, month=month, pause_ms=int(1000 * speed.pause_s), event_advance=lambda m: advance(m)
    )


@solara.component
def ControlBar(
    playing: solara.Reactive[bool],
    done: bool,
    month: int,
    months: int,
    step: Callable[[int], bool],
    reset: Callable[[], None],
    sidebar: solara.Reactive[bool],
):
    """Settings toggle, play / pause, one month, reset, speed in words, and where the run is."""
    with solara.Row(classes=["tt-controls"], gap="8px"):
        solara.Button(
            "Hide settings" if sidebar.value else "Settings",
            icon_name="mdi-tune",
            outlined=True,
            on_click=lambda: sidebar.set(not sidebar.value),
            classes=["tt-settings-toggle"],
        )
        if playing.value:
            solara.Button("Pause", icon_name="mdi-pause", color="primary", on_click=lambda: playing.set(False))
        else:
            solara.Button(
                "Play", icon_name="mdi-play", color="primary", disabled=done, on_click=lambda: playing.set(True)
            )
        solara.Button("Step", color="primary", outlined=True, disabled=done or playing.value, on_click=lambda: step(1))
        solara.Button("Reset", color="primary", outlined=True, on_click=reset)
        solara.Text("Speed:", classes=["tt-speed-label"])
        solara.ToggleButtonsSingle(
            value=speed_state.value,
            values=list(SPEEDS),
            on_value=speed_state.set,
            classes=["tt-speed"],
        )
        solara.Text(f"Month {month} of {months}", classes=["tt-month"])
        solara.HTML(
            tag="div",
            classes=["tt-progress"],
            unsafe_innerHTML=f"<div style='width:{100 * month / max(months, 1):.1f}%'></div>",
        )


@solara.component
def Page(sidebar_open: bool, sidebar: Callable[[], None] | None, children=None):
    """A page: optional settings sidebar on the left, the page's content on the right."""
    with solara.Div(classes=["tt-page"]) as page:
        if sidebar_open and sidebar is not None:
            with solara.Div(classes=["tt-sidebar"]):
                sidebar()
        solara.Div(classes=["tt-main"], children=children or [])
    return page


@solara.component_vue("fullscreen.vue")
def FullScreenButton():
    """The browser's full-screen mode, on and off (a projector shows the page edge to edge)."""


# ----------------------------------------------------------------------------------------------
# Explore: one run


def apply_settings(new: Settings) -> None:
    """Start a fresh run with new settings, or show the model's message if it refuses them."""
    try:
        model = TrainerModel(new)
    except ConfigError as error:
        settings_error.set(str(error))
        return
    explore_playing.set(False)
    settings_error.set(None)
    settings_state.set(new)
    explore_model.set(model)


def reset_explore() -> None:
    """Restart the Explore run from the current settings (the Reset button; also the first visit)."""
    apply_settings(settings_state.value)


def run_label(settings: Settings, model: TrainerModel) -> str:
    """How a run is named on the scoreboard: its preset, or 'Your settings'."""
    preset = active_preset(settings)
    label = preset.name if preset is not None else "Your settings"
    return f"{label} (with a staged ripe moment)" if model.staged_by_trainer else label


def step_explore(months: int) -> bool:
    """Advance the Explore run; a run that has just finished goes on the scoreboard. Returns whether it is done."""
    model = explore_model.value
    if model is None:
        return True
    with MODEL_LOCK:
        advance(model, months)
        done = finished(model)
    if done and model not in scored_models.value:
        scored_models.set((*scored_models.value, model))
        scoreboard_rows.set((*scoreboard_rows.value, row_of_run(model, run_label(settings_state.value, model))))
    explore_tick.set(explore_tick.value + 1)
    return done


def stage_ripe_moment() -> None:
    """Open a ripe window now in the running Explore model, so a trainer can show what ripeness changes."""
    model = explore_model.value
    if model is not None and not finished(model):
        with MODEL_LOCK:
            model.stage_ripe_moment(settings_state.value.window_months)
        explore_tick.set(explore_tick.value + 1)


@solara.component
def Knob(text: str, value: float, on_value, minimum: float, maximum: float, step: float = 1, disabled: bool = False):
    """A slider with its meaning and current value written above it, readable from the back of a room."""
    with solara.Column(gap="0px", classes=["tt-knob", "tt-disabled" if disabled else "tt-enabled"]):
        solara.Text(text, classes=["tt-knob-text"])
        slider = solara.SliderInt if isinstance(step, int) else solara.SliderFloat
        slider(
            "",
            value=value,
            min=minimum,
            max=maximum,
            step=step,
            on_value=on_value,
            thumb_label=False,
            disabled=disabled,
        )


@solara.component
def ChoiceSelect(label: str, choices: dict[str, str], value: str, on_key, disabled: bool = False):
    """A Select showing readable labels for the model's keys."""
    keys = {text: key for key, text in choices.items()}
    solara.Select(
        label=label,
        value=choices[value],
        values=list(choices.values()),
        on_value=lambda text: on_key(keys[text]),
        disabled=disabled,
    )


def percent(share: float) -> str:
    """A fraction 0..1 as a whole percentage, for labels a room reads at a glance."""
    return f"{round(100 * share)}%"


@solara.component
def SettingsPanel():
    """The programme's knobs. Each change starts a fresh run; knobs a mode makes moot are greyed out and say why."""
    settings = settings_state.value

    def set_field(name: str):
        return lambda value: apply_settings(settings.replace(**{name: value}))

    def choose_programme(programme: str) -> None:
        changes = {"programme": programme}
        if programme != "series":  # the NGO's workshops are Track 1.5: the series' mode is reset, not kept hidden
            changes["mode"] = Settings.default().mode
        apply_settings(settings.replace(**changes))

    mix_moot = not settings.mix_applies()
    series = settings.mode_applies()
    solara.Text("The programme", classes=["tt-group"])
    ChoiceSelect("Programme", PROGRAMME_CHOICES, settings.programme, choose_programme)
    if not series:
        third_party = settings.params().programme.third_party
        solara.Text(
            f"Run by {THIRD_PARTY_WORDS[third_party.type]} ({third_party.facilitation} team): trainings, then "
            "Track 1.5 workshops, an exposure trip and a joint report, with outreach to Track Three.",
            classes=["tt-note"],
        )
    solara.Text("Who is in the room", classes=["tt-group"])
    ChoiceSelect(
        "Mode" if series else "Mode (the NGO's workshops are Track 1.5)",
        MODE_CHOICES,
        settings.workshop_mode(),
        set_field("mode"),
        disabled=not series,
    )
    if mix_moot:
        solara.Text("A backchannel seats officials only: the mix below does not apply.", classes=["tt-note"])
    Knob(
        f"Autonomous thinkers: {percent(settings.autonomous_share)} of Track Two seats "
        f"(influential elites: {percent(1 - settings.autonomous_share)})",
        settings.autonomous_share,
        set_field("autonomous_share"),
        0.0,
        1.0,
        0.05,
        disabled=mix_moot,
    )
    Knob(
        f"Grassroots: {percent(settings.grassroots_share)} of all seats",
        settings.grassroots_share,
        set_field("grassroots_share"),
        0.0,
        0.6,
        0.05,
        disabled=mix_moot,
    )
    Knob(
        f"Middle-range leaders (religious, academic, humanitarian): {settings.middle_range_count} a side",
        settings.middle_range_count,
        set_field("middle_range_count"),
        0,
        MIDDLE_RANGE_MAX,
    )
    Knob(
        f"Middle-range leaders: {percent(settings.middle_range_share)} of all seats",
        settings.middle_range_share,
        set_field("middle_range_share"),
        0.0,
        0.4,
        0.05,
        disabled=mix_moot or not settings.middle_range_count,
    )
    trainings = (
        "" if series else f" (trainings: {plural(NGO_TRAINING_SEATS_PER_WORKSHOP_SEAT * settings.size, 'seat')})"
    )
    Knob(f"Workshop size: {plural(settings.size, 'seat')}{trainings}", settings.size, set_field("size"), 4, 40)
    Knob(
        f"A {'workshop' if series else 'meeting'} every {plural(settings.interval, 'month')}",
        settings.interval,
        set_field("interval"),
        1,
        12,
    )
    solara.Text("The third party", classes=["tt-group"])
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
        "Facilitator's policy on conditions" if settings.policy_applies() else "Policy on conditions (none set)",
        POLICY_CHOICES,
        settings.facilitator_policy,
        set_field("facilitator_policy"),
        disabled=not settings.policy_applies(),
    )
    solara.Text("Track One's ripeness", classes=["tt-group"])
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
        f"Window length: {plural(settings.window_months, 'month')}",
        settings.window_months,
        set_field("window_months"),
        1,
        60,
    )
    model = explore_model.value
    solara.Button(
        f"Stage a ripe moment now ({plural(settings.window_months, 'month')})",
        color="success",
        on_click=stage_ripe_moment,
        classes=["tt-stage-now"],
        block=True,
        disabled=model is None or finished(model),
    )
    solara.Text("Run", classes=["tt-group"])
    solara.InputInt("Seed (same seed, same conflict)", value=settings.seed, on_value=set_field("seed"))
    if settings_error.value:
        solara.Error(f"Not applied: {settings_error.value}", classes=["tt-error"])


@solara.component
def PresetBar():
    """One click per teaching scenario, and the one line the room should watch for."""
    settings = settings_state.value
    active = active_preset(settings)
    with solara.Div(classes=["tt-presets"]):
        with solara.Row(gap="6px", style="flex-wrap:wrap;align-items:center"):
            solara.Text("Presets:", classes=["tt-presets-label"])
            for preset in PRESETS:
                solara.Button(
                    preset.name,
                    on_click=lambda preset=preset: apply_settings(preset.apply(settings_state.value)),
                    color="primary",
                    outlined=active is None or preset.name != active.name,
                    classes=["tt-preset"],
                    small=True,
                )
        if active is None:
            whose = (
                "The default programme" if settings == Settings.default().replace(seed=settings.seed) else "Your own"
            )
            watch = f"{whose}: {settings.describe()}. Pick a preset for a teaching scenario and what to watch for."
        else:
            seed_note = (
                "" if settings.seed == active.seed else f" (told on seed {active.seed}; now seed {settings.seed})"
            )
            watch = f"<b>Watch:</b> {active.watch}{seed_note}"
        solara.HTML(tag="div", classes=["tt-watch"], unsafe_innerHTML=watch)


@solara.component
def FinishedBanner(model: TrainerModel):
    """The end of a run in words, and what to do next."""
    status = track_one_status(model)
    solara.HTML(
        tag="div",
        classes=["tt-finished"],
        unsafe_innerHTML=(
            f"<b>Run finished at month {status.month}.</b> Ideas that entered Track One: "
            f"{status.transferred} of {status.generated} generated; impact {status.impact:.2f}. "
            "It is on the Scoreboard. Next: Reset to replay it, pick another preset to compare on the same "
            "conflict, or change a setting."
        ),
    )


@solara.component
def Explore():
    """The Explore page: one run played month by month, with its network, Track One card, plots and settings."""
    solara.use_effect(lambda: None if explore_model.value is not None else reset_explore(), [])
    tick = explore_tick.value  # changes after every step
    settings = settings_state.value
    model = explore_model.value
    solara.Title(f"Explore: {TITLE}")
    if model is None:
        solara.Text("Preparing the model...")
        return
    PlayLoop(explore_playing, model.steps, step_explore)
    active = active_preset(settings)
    key_plot = active.key_plot if active is not None else ("novelty" if settings.mode_applies() else "routes")
    done = finished(model)
    with Page(explore_sidebar.value, SettingsPanel):
        with solara.Div(classes=["tt-screen"]):
            ControlBar(
                explore_playing, done, model.steps, model.params.steps, step_explore, reset_explore, explore_sidebar
            )
            PresetBar()
            if done:
                FinishedBanner(model)
            with solara.Div(classes=["tt-stage"]):
                NetworkView(model, tick, fill=True)
                with solara.Div(classes=["tt-stage-side"]):
                    TrackOneCard(model, tick)
                    PlotView(model, key_plot, tick, fill=True)
        with solara.Div(classes=["tt-more"]):
            if active is not None:
                claim = active.claim() if settings.seed == active.seed else None
                checked = f" Checked on seed {active.seed}: {claim.summary}." if claim is not None else ""
                solara.HTML(
                    tag="p",
                    classes=["tt-explanation"],
                    unsafe_innerHTML=f"<b>{active.name}.</b> {active.explanation}{checked}",
                )
            solara.Text(f"Now running: {settings.describe()}", classes=["tt-running"])
            with solara.Div(classes=["tt-plot-grid"]):
                for name in PLOTS:
                    if name != key_plot:
                        PlotView(model, name, tick, live=not explore_playing.value)
                LatestWorkshopCard(model, tick)
            Downloads(model, stem=f"tracktwo_seed{settings.seed}", tick=tick)


# ----------------------------------------------------------------------------------------------
# Side by side: two mixes, one seed


@dataclass(frozen=True)
class Pair:
    """Two runs that differ only in the workshop mix."""

    settings: tuple[Settings, Settings]
    models: tuple[TrainerModel, TrainerModel]


def pair_settings() -> tuple[Settings, Settings]:
    """The two runs' settings: the pair story on the chosen seed with the chosen autonomous shares (all else equal)."""
    base = PAIR_STORY.settings(pair_seed.value)
    share_a, share_b = pair_shares.value
    return base[0].replace(autonomous_share=share_a), base[1].replace(autonomous_share=share_b)


def reset_pair() -> None:
    """Start both runs afresh from the current mixes and seed, or show the model's message if it refuses them."""
    wanted = pair_settings()
    try:
        models = (TrainerModel(wanted[0]), TrainerModel(wanted[1]))
    except ConfigError as error:
        settings_error.set(str(error))
        return
    pair_playing.set(False)
    pair_state.set(Pair(wanted, models))
    pair_tick.set(pair_tick.value + 1)


def step_pair(months: int) -> bool:
    """Advance both runs together by `months`, so they stay on the same month. Returns whether both are done."""
    pair = pair_state.value
    if pair is None:
        return True
    with MODEL_LOCK:
        for model in pair.models:
            advance(model, months)
        done = all(finished(model) for model in pair.models)
    pair_tick.set(pair_tick.value + 1)
    return done


def run_name(settings: Settings, letter: str) -> str:
    """A pair run's label: its letter and seat mix, so the room can tell the two runs apart."""
    share = settings.autonomous_share
    name = f"Run {letter}: {percent(share)} autonomous thinkers, {percent(1 - share)} elites"
    return f"{name}, {percent(settings.grassroots_share)} grassroots" if settings.grassroots_share else name


def network_key_html(models: Sequence[TrainerModel] = ()) -> str:
    """The networks' legend in one line of text, for the pair (one legend for both pictures).

    With models, only the behaviours they have actors of (middle-range leaders appear when present).
    """
    kinds = " ".join(
        f"<span style='color:{to_hex(colour)}'>&#9679;</span> {SHORT_LABELS[behaviour]}"
        for behaviour, colour in BEHAVIOUR_COLOURS.items()
        if not models or any(model.members[behaviour].size for model in models)
    )
    return (
        f"{kinds} &nbsp;|&nbsp; &#9679; {side_name(0)} &nbsp;&#9632; {side_name(1)} &nbsp;|&nbsp; "
        "larger, ringed: holds the leading "
        f"idea &nbsp;|&nbsp; <span style='color:{PARTICIPANT_HALO}'>&#9679;</span> latest workshop &nbsp;|&nbsp; "
        f"<span style='color:{NEW_CHANNEL}'>&#9472;</span> new cross-side tie"
    )


def pair_story_text(pair: Pair) -> str:
    """What the room should see, from the live settings; the checked claim only where it was checked."""
    a = pair.settings[0]
    text = (
        f"Same seed ({a.seed}), same actors and network; only who sits in the workshops differs. Both: "
        f"{MODE_CHOICES[a.mode]}, {plural(a.size, 'seat')} every {plural(a.interval, 'month')}, "
        f"ripeness {RIPENESS_CHOICES[a.ripeness][0].lower()}{RIPENESS_CHOICES[a.ripeness][1:]}."
    )
    if pair.settings == PAIR_STORY.settings():
        text += (
            " <b>Watch:</b> A's familiar ideas enter Track One, but B, with autonomous thinkers in the room, "
            f"pulls ahead on impact and stays ahead ({PAIR_STORY.claim().summary})."
        )
    return text


@solara.component
def PairSettings():
    """The Side by side knobs: each run's autonomous share, the shared seed, and a way back to the checked story."""
    share_a, share_b = pair_shares.value
    solara.Text("Two mixes, one seed", classes=["tt-group"])
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
    solara.InputInt("Seed (same seed, same conflict)", value=pair_seed.value, on_value=pair_seed.set)
    solara.Button("Back to the checked story", outlined=True, on_click=restore_pair_story, block=True)


def restore_pair_story() -> None:
    """Put back the pair story's mixes and seed (the ones its claim was checked on)."""
    pair_shares.set(PAIR_STORY.shares)
    pair_seed.set(PAIR_STORY.seed)


def _ensure_pair() -> None:
    if pair_state.value is None or pair_state.value.settings != pair_settings():
        reset_pair()


@solara.component
def RunPanel(model: TrainerModel, name: str, css: str, tick: int):
    """One run of the pair: its name and Track One's state in a line, and its network."""
    status = track_one_status(model)
    ripe = "ripe" if status.ripe else "not ripe"
    with solara.Div(classes=["tt-run", css]):
        solara.HTML(
            tag="div",
            classes=["tt-run-name"],
            unsafe_innerHTML=(
                f"<b>{name}</b><br>Track One {ripe}; {status.transferred} of {status.generated} generated "
                f"entered; impact {status.impact:.2f}"
            ),
        )
        FigureImage(
            lambda: draw_network(model, size=PAIR_NETWORK_SIZE, legend=False, month=False),
            [model, model.steps, tick],
            classes=["tt-network"],
            fill=True,
        )


@solara.component
def SideBySide():
    """The Side by side page: two runs on one seed that differ only in the mix, played together and compared."""
    tick = pair_tick.value  # changes after every step
    solara.use_effect(_ensure_pair, [pair_shares.value, pair_seed.value])
    solara.Title(f"Side by side: {TITLE}")
    pair = pair_state.value
    if pair is None:
        solara.Text("Preparing the two runs...")
        if settings_error.value:
            solara.Error(settings_error.value)
        return
    PlayLoop(pair_playing, pair.models[0].steps, step_pair)
    model_a, model_b = pair.models
    names = [run_name(s, letter) for s, letter in zip(pair.settings, "AB", strict=True)]
    done = all(finished(model) for model in pair.models)
    with Page(pair_sidebar.value, PairSettings):
        with solara.Div(classes=["tt-screen"]):
            ControlBar(pair_playing, done, model_a.steps, model_a.params.steps, step_pair, reset_pair, pair_sidebar)
            solara.HTML(tag="div", classes=["tt-watch"], unsafe_innerHTML=pair_story_text(pair))
            if done:
                solara.HTML(
                    tag="div",
                    classes=["tt-finished"],
                    unsafe_innerHTML=(
                        f"<b>Both runs finished at month {model_a.steps}.</b> Next: Reset to replay, or open "
                        "Settings to try other mixes or another seed."
                    ),
                )
            with solara.Div(classes=["tt-pair"]):
                RunPanel(model_a, names[0], "tt-run-a", tick)
                RunPanel(model_b, names[1], "tt-run-b", tick)
                solara.HTML(tag="div", classes=["tt-pair-legend"], unsafe_innerHTML=network_key_html(pair.models))
                with solara.Div(classes=["tt-pair-chart"]):
                    FigureImage(
                        lambda: draw_comparison(pair.models, names, size=(13.0, 3.6)),
                        [model_a, model_b, model_a.steps],
                        classes=["tt-plot", "tt-comparison"],
                        fill=True,
                    )
        with (
            solara.Div(classes=["tt-more"]),
            solara.Row(classes=["tt-downloads"], style="flex-wrap:wrap;gap:8px;align-items:center"),
        ):
            solara.Text("Export:", style="font-weight:bold")
            month = f"seed{model_a.seed}_month{model_a.steps}"
            Download(
                "Comparison (PNG)",
                f"tracktwo_side_by_side_{month}.png",
                lambda: drawn(lambda: draw_comparison(pair.models, names)),
                pair,
                "image/png",
            )
            for model, letter in zip(pair.models, "AB", strict=True):
                Download(
                    f"Run {letter} (CSV)",
                    f"tracktwo_run_{letter.lower()}_{month}.csv",
                    lambda model=model: run_csv(model),
                    model,
                    "text/csv",
                )


# ----------------------------------------------------------------------------------------------
# Scoreboard and About


@solara.lab.task(prefer_threaded=True)
def run_seeds() -> Row | None:
    """The current Explore settings on 20 seeds, in the background; its row joins the scoreboard."""
    settings = settings_state.value
    preset = active_preset(settings)
    row = row_of_seeds(
        settings,
        preset.name if preset is not None else "Your settings",
        progress=lambda done: setattr(run_seeds, "progress", 100 * done / SEEDS_PER_BATCH),
        stop=lambda: not run_seeds.is_current(),
    )
    if row is not None:
        scoreboard_rows.set((*scoreboard_rows.value, row))
    return row


@solara.component
def Scoreboard():
    """The Scoreboard page: finished runs and many-seed batches in one table, so presets can be compared."""
    solara.Title(f"Scoreboard: {TITLE}")
    rows = scoreboard_rows.value
    settings = settings_state.value
    with solara.Div(classes=["tt-board"]):
        solara.HTML(
            tag="p",
            classes=["tt-watch"],
            unsafe_innerHTML=(
                "Each run that reaches its last month on Explore adds a row, so the room can compare presets on "
                "the same conflict. <b>Impact</b> is the summed novelty of the ideas that entered Track One. "
                f"The button runs the current Explore settings on {SEEDS_PER_BATCH} seeds and adds their mean "
                "with a 95% bootstrap interval: one seed tells a story, many seeds tell what to expect."
            ),
        )
        with solara.Row(style="align-items:center;gap:12px;flex-wrap:wrap"):
            solara.Button(
                f"Run {SEEDS_PER_BATCH} seeds of the current settings",
                color="primary",
                on_click=run_seeds,
                disabled=run_seeds.pending,
                classes=["tt-run-seeds"],
            )
            solara.Button("Clear the scoreboard", outlined=True, on_click=clear_scoreboard, disabled=not rows)
            solara.Text(f"Current settings: {settings.describe()}", classes=["tt-running"])
        if run_seeds.pending:
            solara.ProgressLinear(run_seeds.progress or True)
            solara.Text("Running the seeds in the background; keep teaching.", classes=["tt-note"])
        if not rows:
            solara.Text("No finished runs yet: play a run to its last month on Explore.", classes=["tt-note"])
            return
        head = "".join(f"<th>{HEADINGS[key]}</th>" for key in HEADINGS)
        body = "".join(
            "<tr>" + "".join(f"<td>{value}</td>" for value in row.cells().values()) + "</tr>" for row in rows
        )
        solara.HTML(
            tag="table", classes=["tt-scoreboard"], unsafe_innerHTML=f"<thead><tr>{head}</tr></thead><tbody>{body}"
        )


def clear_scoreboard() -> None:
    """Empty the scoreboard, for a fresh session with a new room."""
    scoreboard_rows.set(())


@solara.lab.task(prefer_threaded=True)
def run_evaluation(seeds: int) -> RunEvaluation | None:
    """Evaluate the current Explore settings on `seeds` seeds from the current one, in the background."""
    settings = settings_state.value
    result = evaluate(
        settings,
        evaluation_seeds(settings, seeds),
        progress=lambda done: setattr(run_evaluation, "progress", 100 * done),
        stop=lambda: not run_evaluation.is_current(),
    )
    if result is not None:
        evaluation_result.set(result)
    return result


def evaluation_table_html(result: RunEvaluation) -> str:
    """Every meeting evaluated: on the chain of what share, what removing it changes, and the verdict."""
    several = len(result.seeds) > 1
    head = "<th>Meeting</th><th>On the chain of (share of impact)</th><th>Removing it changes impact by</th>"
    content = any(m.process is not None for m in result.meetings)  # the issue space: process beside outcome
    head += "<th>Verdict</th>"
    if content:
        head += (
            "<th>Removing it changes influence on the process (positions moved without adoption)</th>"
            "<th>Removing it changes ideas transferred</th>"
        )
    rows = []
    for m in result.meetings:
        share = f"{m.share:.0%}" if math.isfinite(m.share) else "-"
        change = signed(m.change)
        if several:
            if math.isfinite(m.share_low):
                share += f" ({m.share_low:.0%}-{m.share_high:.0%})"
            change += f" ({signed(-m.contribution_high)} to {signed(-m.contribution_low)})"
        cells = f"<td>{m.label}</td><td>{share}</td><td>{change}</td><td>{m.verdict()}</td>"
        if content and m.process is not None and m.outcome is not None:
            cells += (
                f"<td>{m.process.text()}: {m.process.verdict()}</td><td>{m.outcome.text()}: {m.outcome.verdict()}</td>"
            )
        rows.append(f"<tr>{cells}</tr>")
    return f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"


def evaluation_rule_text(result: RunEvaluation) -> str:
    """The verdict rule in words (the same as `tracktwo evaluate`'s), under the Evaluate tab's summary."""
    if len(result.seeds) == 1:
        return (
            "Verdicts: one seed cannot tell a meeting's doing from luck, so a change of exactly 0 reads 'no effect' "
            "and any other 'inconclusive'; evaluate over several seeds for the rule's verdicts."
        )
    margin = result.meetings[0].margin if result.meetings else 0.0
    return (
        "Verdicts, as in tracktwo evaluate: 'contributed' / 'worked against' when removing the meeting lowers / "
        "raises impact (paired t-test, Holm across the meetings, 5%); 'no effect' when the change is within "
        f"+/-{margin:.2f} (two one-sided tests); 'on the chain but substitutable' when, in addition, its chains carry "
        "a share of the impact; 'inconclusive' otherwise. Changes are the change when removed."
    )


@solara.component
def Evaluate():
    """The Evaluate page: each meeting's attribution and contribution for the current settings (in the background)."""
    solara.Title(f"Evaluate: {TITLE}")
    settings = settings_state.value
    result = evaluation_result.value
    with solara.Div(classes=["tt-eval"]):
        solara.HTML(
            tag="p",
            classes=["tt-watch"],
            unsafe_innerHTML=(
                f"<b>Evaluate this run</b> ({settings.describe()}). Which meetings were on the chain of what "
                "entered Track One, and what does removing each change? Each meeting is removed in turn and the run "
                "replayed on the same seed: the same actors and the same luck, except where the missing meeting "
                "reached, so the difference is that meeting's doing."
            ),
        )
        with solara.Row(style="align-items:center;gap:12px;flex-wrap:wrap"):
            solara.Button(
                "Evaluate this run",
                color="primary",
                on_click=lambda: run_evaluation(1),
                disabled=run_evaluation.pending,
                classes=["tt-evaluate"],
            )
            solara.Button(
                f"Over {EVALUATION_SEEDS} seeds (with intervals)",
                color="primary",
                outlined=True,
                on_click=lambda: run_evaluation(EVALUATION_SEEDS),
                disabled=run_evaluation.pending,
                classes=["tt-evaluate-seeds"],
            )
        if run_evaluation.error:  # refused up front (too big to evaluate here), or failed: one line
            solara.Error(str(run_evaluation.exception), classes=["tt-eval-error"])
        if run_evaluation.pending:
            solara.ProgressLinear(run_evaluation.progress or True)
            solara.Text("Replaying the run without each meeting in the background; keep teaching.", classes=["tt-note"])
        if result is None:
            solara.Text("Nothing evaluated yet: press Evaluate this run.", classes=["tt-note"])
            return
        seeds = result.seeds
        where = f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}-{seeds[-1]} (mean, 95% interval)"
        stale = (
            ""
            if result.settings == settings
            else f" These are for earlier settings ({result.settings.describe()}): evaluate again."
        )
        process = result.process_sentence()  # influence on the process beside outcome transfer (issue space)
        sentences = "".join(f"<li>{text}</li>" for text in (*result.headlines(), *([process] if process else ())))
        solara.HTML(
            tag="div",
            classes=["tt-eval-summary"],
            unsafe_innerHTML=f"<b>On {where}: impact {result.impact:.2f}.</b>{stale}<ul>{sentences}</ul>",
        )
        FigureImage(lambda: draw_evaluation(result), [result], classes=["tt-plot", "tt-evaluation"], fill=True)
    with solara.Div(classes=["tt-more"]):
        solara.Text(evaluation_rule_text(result), classes=["tt-note"])  # below the fold: the rule, in words
        solara.HTML(
            tag="table", classes=["tt-scoreboard", "tt-eval-table"], unsafe_innerHTML=evaluation_table_html(result)
        )


@solara.component
def About():
    """The About page: what the model is and how to read it."""
    solara.Title(f"About this model: {TITLE}")
    with solara.Div(classes=["tt-about"]):
        solara.Markdown(ABOUT)


# ----------------------------------------------------------------------------------------------
# The frame


@solara.component
def Layout(children=None):
    """The app bar (title, pages, full screen) over the page."""
    current, routes = solara.use_route()
    with solara.Column(classes=["tt-app"], gap="0px") as layout:
        solara.Style(CSS)
        with solara.Row(classes=["tt-bar"], gap="4px"):
            solara.Text(TITLE, classes=["tt-title"])
            for route in routes:
                with solara.Link(solara.resolve_path(route)):
                    solara.Button(
                        route.label,
                        text=True,
                        classes=["tt-nav", "tt-nav-current" if route is current else "tt-nav-other"],
                    )
            solara.v.Spacer()
            FullScreenButton()
        solara.Div(classes=["tt-body"], children=children or [])
    return layout


routes = [
    solara.Route(path="/", component=Explore, label="Explore", layout=Layout),
    solara.Route(path="side-by-side", component=SideBySide, label="Side by side"),
    solara.Route(path="scoreboard", component=Scoreboard, label="Scoreboard"),
    solara.Route(path="evaluate", component=Evaluate, label="Evaluate"),
    solara.Route(path="about", component=About, label="About this model"),
]
