"""The trainer's app without a browser: settings and their words, speeds, presets' stories, scoreboard, drawings."""

from __future__ import annotations

import argparse
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from tracktwo.app import drawing
from tracktwo.app.evaluation import IMPACT_SHOWN, MeetingEffect, RunEvaluation, evaluate
from tracktwo.app.presets import (
    LOCAL_AGREEMENTS_RATIO_MIN,
    NGO_PROGRAMME,
    PAIR_STORY,
    PRESETS,
    PRESETS_BY_NAME,
    active_preset,
    ngo_story,
    ripe_entry_rates,
    run_ideas,
    run_outcomes,
    settings_of,
)
from tracktwo.app.runs import (
    MODE_CHOICES,
    NGO_REPORT_MONTH,
    NGO_TRIP_MONTH,
    POLICY_CHOICES,
    RIPENESS_CHOICES,
    SPEEDS,
    Settings,
    TrainerModel,
    advance,
    finished,
    kind_count,
    plural,
)
from tracktwo.app.scoreboard import SEEDS_PER_BATCH, row_of_run, row_of_seeds, score_of
from tracktwo.app.views import PLOTS, status_rows
from tracktwo.experiments.cli import app as app_command
from tracktwo.model import ConfigError, make_params, simulate

STORY_CHECK_SEEDS = tuple(
    range(2000, 2030)
)  # 30 seeds, disjoint from the calibration seeds (1000-1059) and the pinned one
ALPHA = 0.01


def test_default_settings_are_the_models_defaults():
    assert Settings.default().params() == make_params()


@pytest.mark.parametrize("autonomous, grassroots", [(0.0, 0.0), (0.35, 0.0), (1.0, 0.0), (0.5, 0.15), (0.7, 0.6)])
def test_mix_gives_grassroots_their_share_and_splits_the_rest(autonomous, grassroots):
    mix = Settings(autonomous_share=autonomous, grassroots_share=grassroots).params().workshops.mix
    assert sum(mix.values()) == pytest.approx(1.0)
    assert mix.get("grassroots", 0.0) == pytest.approx(grassroots)
    assert mix.get("autonomous", 0.0) == pytest.approx((1 - grassroots) * autonomous)
    assert mix.get("elite", 0.0) == pytest.approx((1 - grassroots) * (1 - autonomous))


def test_every_choice_maps_to_valid_parameters():
    for mode in MODE_CHOICES:
        assert Settings(mode=mode).params().mode == mode
    for policy in POLICY_CHOICES:
        settings = Settings(facilitator_policy=policy, funder_conditionality=0.5)
        assert settings.params().workshops.facilitator_policy == policy
    modes = {
        choice: Settings(ripeness=choice, window_start=5, window_months=10).params().ripeness
        for choice in RIPENESS_CHOICES
    }
    assert modes["endogenous"].mode == "endogenous"
    assert modes["never"].mode == "off"
    assert modes["staged"].mode == "fixed" and [tuple(w) for w in modes["staged"].windows] == [(5, 15)]


def test_bad_settings_get_the_models_message():
    with pytest.raises(ConfigError, match=r"workshops\.size"):
        Settings(size=1).params()
    with pytest.raises(ConfigError, match="seed"):
        Settings(seed="seven").params()  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="ripeness"):
        Settings(ripeness="sometimes").params()


def test_texts_follow_the_live_parameters_with_plurals_right():
    assert plural(1, "month") == "1 month" and plural(4, "month") == "4 months"
    assert kind_count("official", 1) == "1 official" and kind_count("official", 12) == "12 officials"
    assert kind_count("elite", 2) == "2 influential elites"
    backchannel = Settings.default().replace(mode="backchannel", interval=1)
    assert not backchannel.mix_applies()
    assert "officials only" in backchannel.describe() and "every 1 month " in backchannel.describe()
    assert "autonomous" not in backchannel.describe(), "a backchannel's seats are not the Track Two mix"
    track15 = Settings.default().replace(mode="track1.5")
    share = round(100 * track15.params().workshops.track15_official_share)
    assert track15.seats().startswith(f"{share}% officials")
    assert Settings.default().seats() == "50% influential elites, 50% autonomous thinkers"
    assert not Settings.default().policy_applies() and Settings(funder_conditionality=0.3).policy_applies()


def test_speeds_in_words_and_no_step_past_the_last_month():
    assert list(SPEEDS) == ["slow", "normal", "fast"]
    assert [s.months_per_update for s in SPEEDS.values()] == sorted(s.months_per_update for s in SPEEDS.values())
    model = TrainerModel(Settings.default().replace(steps=10))
    assert advance(model, 4) == 4 and model.steps == 4 and not finished(model)
    assert advance(model, SPEEDS["fast"].months_per_update) == 6, "12 months asked, 6 left"
    assert model.steps == 10 and finished(model)
    assert advance(model, 12) == 0 and model.steps == 10
    assert len(model.datacollector.get_model_vars_dataframe()) == 10


def test_presets_are_valid_distinct_pinned_and_explained():
    applied = [preset.apply() for preset in PRESETS]
    assert [p.name for p in PRESETS] == [
        "The usual suspects",
        "Autonomous thinkers",
        "A balanced mix",
        "Backchannel",
        "A ripe moment",
        "An NGO's multi-track programme",
    ]
    assert len(set(applied)) == len(PRESETS)
    for preset, settings in zip(PRESETS, applied, strict=True):
        settings.params()
        assert settings.seed == preset.seed, "a preset pins the seed its story was checked on"
        assert len(preset.explanation.split()) > 40, f"{preset.name}: explain what to watch for"
        assert 8 < len(preset.watch.split()) < 30, f"{preset.name}: one line to watch for"
        assert preset.key_plot in PLOTS
        assert active_preset(settings) is preset
        assert active_preset(settings.replace(seed=99)) is preset, "the programme, on another seed"
    assert PRESETS_BY_NAME["The usual suspects"].apply().params().workshops.mix == {"elite": 1.0}
    assert PRESETS_BY_NAME["Backchannel"].apply().params().mode == "backchannel"
    assert PRESETS_BY_NAME["A ripe moment"].apply().params().ripeness.mode == "fixed"
    assert active_preset(Settings.default().replace(size=31)) is None


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
def test_every_presets_story_shows_on_its_pinned_seed(preset):
    claim = preset.claim()
    assert claim.holds, f"{preset.name} on seed {preset.seed}: {claim.summary}"


def test_side_by_side_story_shows_on_its_pinned_seed():
    claim = PAIR_STORY.claim()
    assert claim.holds, claim.summary
    a, b = PAIR_STORY.settings()
    assert a.replace(autonomous_share=b.autonomous_share) == b, "the two runs differ only in the mix"


def seeds_table(shared_runs, settings: list[Settings]) -> pd.DataFrame:
    """The outcomes of runs that differ only in their seed (shared_runs: simulated once, kept across sessions)."""
    params = {settings_one.params().model_dump_json() for settings_one in settings}
    assert len(params) == 1, "the runs differ in more than their seed"
    table = shared_runs(settings[0].params(), [s.seed for s in settings])
    return table.reset_index(drop=True)


def outcome_table(shared_runs, name: str) -> pd.DataFrame:
    """A preset's outcomes on the 30 check seeds."""
    return seeds_table(shared_runs, [settings_of(name, seed) for seed in STORY_CHECK_SEEDS])


def default_table(shared_runs) -> pd.DataFrame:
    return seeds_table(shared_runs, [Settings.default().replace(seed=s) for s in STORY_CHECK_SEEDS])


def assert_paired_greater(higher: pd.Series, lower: pd.Series, label: str) -> None:
    """Over the same seeds, `higher` exceeds `lower` in expectation: one-sided Wilcoxon signed-rank at ALPHA."""
    difference = (higher.to_numpy(float) - lower.to_numpy(float))[~np.isnan(higher - lower)]
    p = stats.wilcoxon(difference, alternative="greater").pvalue
    assert p < ALPHA and difference.mean() > 0, f"{label}: mean difference {difference.mean():.3g}, p={p:.3g}"


@pytest.mark.slow
def test_the_presets_stories_hold_in_expectation_over_30_seeds(shared_runs):
    usual, autonomous, balanced = (
        outcome_table(shared_runs, n) for n in ("The usual suspects", "Autonomous thinkers", "A balanced mix")
    )
    assert_paired_greater(usual.transfer_rate, autonomous.transfer_rate, "usual suspects transfer more of their ideas")
    assert_paired_greater(
        autonomous.mean_novelty_generated, usual.mean_novelty_generated, "autonomous thinkers' ideas are more novel"
    )
    assert_paired_greater(balanced.impact, usual.impact, "a balanced mix has more impact than the usual suspects")
    assert_paired_greater(balanced.impact, autonomous.impact, "a balanced mix has more impact than autonomous thinkers")

    backchannel, track_two = outcome_table(shared_runs, "Backchannel"), default_table(shared_runs)
    never = float(Settings.default().steps + 1)  # a run without any entry ranks after every run with one
    assert_paired_greater(
        track_two.time_to_first_transfer.fillna(never),
        backchannel.time_to_first_transfer.fillna(never),
        "a backchannel's first idea enters Track One sooner",
    )
    assert_paired_greater(
        track_two.mean_novelty_generated, backchannel.mean_novelty_generated, "a backchannel's ideas are less novel"
    )

    ripe = outcome_table(shared_runs, "A ripe moment")
    assert_paired_greater(
        ripe.transfers_per_ripe_step, ripe.transfers_per_unripe_step, "ideas enter far more often in the window"
    )
    assert ripe.transfers_per_ripe_step.mean() > 3 * ripe.transfers_per_unripe_step.mean()


@pytest.mark.slow
def test_the_side_by_side_story_holds_in_expectation_over_30_seeds(shared_runs):
    impact = {
        letter: seeds_table(shared_runs, [PAIR_STORY.settings(seed)[i] for seed in STORY_CHECK_SEEDS])["impact"]
        for i, letter in enumerate("AB")
    }
    assert_paired_greater(impact["B"], impact["A"], "run B (a mix) ends with more impact than run A (elites only)")


@pytest.mark.slow
def test_the_ngo_programmes_story_holds_in_expectation_over_30_seeds(shared_runs):
    ngo, series = outcome_table(shared_runs, NGO_PROGRAMME), default_table(shared_runs)
    assert settings_of(NGO_PROGRAMME, 5).replace(programme="series") == Settings.default().replace(seed=5), (
        "the plain series it is contrasted with is the default programme"
    )
    assert_paired_greater(ngo.transfers_via_track_1_5, series.transfers_via_track_1_5, "ideas enter via Track 1.5")
    assert_paired_greater(
        ngo.local_agreements,
        LOCAL_AGREEMENTS_RATIO_MIN * series.local_agreements,
        "several times as many local agreements form",
    )
    assert_paired_greater(ngo.grassroots_reach, series.grassroots_reach, "outreach reaches more of the grassroots")
    assert_paired_greater(ngo.share_time_ripe, series.share_time_ripe, "Track One is ripe more of the time")
    assert_paired_greater(ngo.impact, series.impact, "more impact than the plain series")


def ngo_outcomes(seed: int, **overrides) -> dict[str, float]:
    """The NGO preset's run on `seed` with model overrides on top (for ablations)."""
    settings = settings_of(NGO_PROGRAMME, seed)
    return simulate({**settings.overrides(), **overrides}, seed).outcomes


def test_the_ngo_programmes_story_fails_without_its_mechanisms():
    """Ablations on the pinned seed: Track Two workshops bring no officials in (no route via Track 1.5); a NGO that
    does not link Track Three leaves the grassroots to the series' reach (far fewer local agreements)."""
    seed = PRESETS_BY_NAME[NGO_PROGRAMME].seed
    series = run_outcomes(settings_of(NGO_PROGRAMME, seed).replace(programme="series"))
    assert ngo_story(ngo_outcomes(seed), series).holds
    events = settings_of(NGO_PROGRAMME, seed).overrides()["programme.events"]
    track_two = [{**event, "mode": None} if event["format"] == "workshop" else event for event in events]
    without_officials = ngo_outcomes(seed, **{"programme.events": track_two})
    assert without_officials["transfers_via_track_1_5"] == 0
    assert not ngo_story(without_officials, series).holds
    unlinked = ngo_outcomes(seed, **{"programme.third_party.profiles.ngo_mediator.track_three_link": 0.0})
    assert unlinked["local_agreements"] <= LOCAL_AGREEMENTS_RATIO_MIN * series["local_agreements"]
    assert not ngo_story(unlinked, series).holds


def test_the_ngo_programme_is_the_series_budget_with_its_own_formats_and_says_so():
    settings = Settings.default().replace(programme="ngo")
    params = settings.params()
    series = make_params().workshops
    assert params.programme.third_party.type == "ngo_mediator" and params.programme.third_party.facilitation == "hybrid"
    events = {event.format: event for event in params.programme.events}
    assert events["training"].count + events["workshop"].count == series.count, "as many meetings as the series"
    assert events["training"].size == 2 * settings.size and events["workshop"].mode == "track1.5"
    assert events["exposure_trip"].step == NGO_TRIP_MONTH and events["knowledge_product"].step == NGO_REPORT_MONTH
    assert not settings.mode_applies() and settings.replace(mode="backchannel").params() == params, "mode is moot"
    share = round(100 * params.workshops.track15_official_share)
    assert settings.seats().startswith(f"{share}% officials")
    words = settings.describe()
    assert "2 capacity-building trainings of 24 seats" in words and f"officials in month {NGO_TRIP_MONTH}" in words
    assert f"joint report in month {NGO_REPORT_MONTH}" in words and "18 Track 1.5 workshops" in words
    assert "a joint report" in settings.replace(size=5).describe() and "10 seats" in settings.replace(size=5).describe()
    assert "Track Two (unofficial)" not in words and MODE_CHOICES["track2"] in Settings.default().describe()
    with pytest.raises(ConfigError, match="programme"):
        Settings(programme="festival").params()


def test_the_ngo_run_shows_its_routes_local_agreements_and_events():
    preset = PRESETS_BY_NAME[NGO_PROGRAMME]
    model = TrainerModel(preset.apply())
    advance(model, model.params.steps)
    outcomes = simulate(preset.apply().params(), preset.seed).outcomes
    assert model.local_agreements_by_month[-1] == outcomes["local_agreements"]
    assert model.local_agreements_by_month == sorted(model.local_agreements_by_month)
    routes = drawing.entries_by_route(model).iloc[-1]
    assert routes["via_track_1_5"] == outcomes["transfers_via_track_1_5"]
    assert routes["via_track_three"] == outcomes["transfers_via_track_three"]
    assert dict(status_rows(model))["Local agreements"] == f"{outcomes['local_agreements']:.0f}"
    figure = drawing.draw_routes(model)
    labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert {"Via Track 1.5", "Local agreements", "Training, trip, report"} <= set(labels)
    marked = {text.get_text() for text in figure.axes[0].texts}
    assert {"training", "exposure trip", "joint report"} <= marked
    assert drawing.scheduled_events(model) == [
        (3, "training"),
        (7, "training"),
        (24, "exposure_trip"),
        (36, "knowledge_product"),
    ]
    plain = TrainerModel(Settings.default())
    advance(plain, 10)
    assert drawing.beyond_track_one(plain) is None and len(status_rows(plain)) == 3, "the plain series' card as before"
    assert not {"training", "joint report"} & {text.get_text() for text in drawing.draw_routes(plain).axes[0].texts}


def test_evaluating_a_run_reads_the_record_and_replays_on_common_random_numbers():
    settings = Settings.default().replace(seed=12, steps=40)  # 10 of the 20 workshops fall within the 40 months
    result = evaluate(settings, keys=["workshop:3", "workshop:8", "workshop:20"])
    late = result.meetings[-1]
    assert late.month > settings.steps and late.contribution == 0.0, "a meeting after the last month changes nothing"
    assert late.chain_impact == 0.0 and late.verdict() == "no effect"
    for meeting in result.meetings:
        assert 0.0 <= meeting.share <= 1.0
    assert sum(m.share for m in result.meetings) <= 1.0 + 1e-9, "an idea is born in one workshop"
    overrides = settings.overrides()
    full = simulate(overrides, settings.seed).outcomes["impact"]
    without = simulate({**overrides, "evaluation.removed": ["workshop:8"]}, settings.seed)
    assert result.meetings[1].contribution == pytest.approx(full - without.outcomes["impact"])
    assert result.impact == pytest.approx(full)
    recorded = simulate(
        {**overrides, "evaluation.record": True, "evaluation.attribute": ["workshop:8"]}, settings.seed
    ).outcomes
    assert result.meetings[1].chain_impact == pytest.approx(recorded["chain_impact_workshop_8"])
    assert [m.key for m in evaluate(settings.replace(steps=12)).meetings] == ["workshop:1", "workshop:2", "workshop:3"]


def test_evaluating_over_seeds_gives_means_with_intervals():
    settings = Settings.default().replace(seed=30, steps=16)
    done: list[float] = []
    result = evaluate(settings, seeds=range(30, 33), progress=done.append)
    assert done[-1] == pytest.approx(1.0) and done == sorted(done)
    first = result.meetings[0]
    assert first.has_intervals() and first.contribution_low <= first.contribution <= first.contribution_high
    overrides = settings.overrides()
    differences = [
        simulate(overrides, s).outcomes["impact"]
        - simulate({**overrides, "evaluation.removed": [first.key]}, s).outcomes["impact"]
        for s in range(30, 33)
    ]
    assert first.contribution == pytest.approx(np.mean(differences))
    from tracktwo.experiments.analysis import evaluation as rule

    changes = np.column_stack(
        [
            [
                simulate({**overrides, "evaluation.removed": [m.key]}, s).outcomes["impact"]
                - simulate(overrides, s).outcomes["impact"]
                for s in range(30, 33)
            ]
            for m in result.meetings
        ]
    )
    judged = rule.judge(changes, rule.Rule(margin=result.meetings[0].margin), [m.share_low for m in result.meetings])
    assert [m.verdict() for m in result.meetings] == judged["verdict"].tolist(), "the CLI's rule, Holm across meetings"
    assert evaluate(settings, seeds=range(30, 33), stop=lambda: True) is None


def test_evaluating_shows_influence_on_the_process_beside_ideas_transferred():
    """With the issue space, each meeting's change when removed in influence on the process and in ideas
    transferred: the paired means of the replays, judged by `tracktwo evaluate`'s rule, in the table."""
    from tracktwo.app.app import evaluation_table_html
    from tracktwo.experiments.analysis import evaluation as rule

    settings = Settings.default().replace(seed=40, steps=24)
    seeds = range(40, 44)
    result = evaluate(settings, seeds=seeds, keys=["workshop:1", "workshop:3", "workshop:5"])
    overrides = settings.overrides()
    for name, attribute in (("influence_on_process", "process"), ("ideas_transferred", "outcome")):
        changes = np.column_stack(
            [
                [
                    simulate({**overrides, "evaluation.removed": [m.key]}, s).outcomes[name]
                    - simulate(overrides, s).outcomes[name]
                    for s in seeds
                ]
                for m in result.meetings
            ]
        )
        margin = abs(np.mean([simulate(overrides, s).outcomes[name] for s in seeds])) * rule.DEFAULT_MARGIN_SHARE
        judged = rule.judge(changes, rule.Rule(margin=margin))
        got = [getattr(m, attribute) for m in result.meetings]
        assert [c.change for c in got] == pytest.approx(changes.mean(axis=0).tolist())
        assert [c.verdict() for c in got] == judged["verdict"].tolist(), "the CLI's rule, Holm across meetings"
        assert all(c.low <= c.change <= c.high for c in got)
    moved = [m for m in result.meetings if m.process.change != 0]
    assert moved, "some meeting moves official positions in 24 months"
    table = evaluation_table_html(result)
    assert "influence on the process" in table and "ideas transferred" in table
    assert result.process_sentence().startswith(max(result.meetings, key=lambda m: abs(m.process.change)).label)
    one = evaluate(settings, keys=["workshop:1"])
    assert one.meetings[0].process.verdict() in ("no effect", "inconclusive") and not one.meetings[0].process.judged
    plain = MeetingEffect("workshop:1", "Workshop 1 (month 1)", 1, 0.1, 0.1, 0.1)
    bare = RunEvaluation(settings, (40,), 1.0, (plain,))
    assert bare.process_sentence() is None and "influence on the process" not in evaluation_table_html(bare)


def test_the_evaluations_words_follow_the_cli_rule():
    """The Evaluate tab's verdicts are `tracktwo evaluate`'s: the rule's words, the change when removed."""
    from tracktwo.experiments.analysis import evaluation as rule

    carried = MeetingEffect(
        "workshop:7", "Workshop 7 (month 27)", 27, share=0.4, chain_impact=1.0, contribution=0.1,
        contribution_low=0.05, contribution_high=0.15, judged=rule.SUBSTITUTABLE, margin=0.2,
    )  # fmt: skip
    assert carried.sentence() == (
        "Workshop 7 (month 27) is on the chain of 40% of transferred impact, but removing it changes impact by only "
        "-0.10 [-0.15, -0.05] (within +/-0.20): on the chain but substitutable, others would have carried the same "
        "ideas."
    )
    made = MeetingEffect("workshop:2", "Workshop 2 (month 7)", 7, 0.2, 0.5, 0.5, 0.1, 0.3, 0.4, 0.6, rule.CONTRIBUTED)
    assert made.verdict() == "contributed" and "by -0.50 [-0.60, -0.40]: it contributed" in made.sentence()
    course = MeetingEffect("workshop:1", "Workshop 1 (month 3)", 3, 0.0, 0.0, -0.6, judged=rule.WORKED_AGAINST)
    assert course.verdict() == "worked against" and "impact by +0.60: it worked against" in course.sentence()
    one_seed = MeetingEffect("workshop:9", "Workshop 9 (month 35)", 35, 0.0, 0.0, contribution=IMPACT_SHOWN / 2)
    assert one_seed.verdict() == "inconclusive" and "on one seed" in one_seed.sentence()
    assert MeetingEffect("workshop:9", "W", 35, 0.0, 0.0, contribution=0.0).verdict() == "no effect"
    assert set(rule.VERDICTS) >= {carried.verdict(), made.verdict(), course.verdict(), one_seed.verdict()}


def test_the_ripe_moment_story_fails_without_its_mechanism():
    """Ablation: with Track One never ripe, the preset's claim cannot hold (there are no ripe months)."""
    preset = PRESETS_BY_NAME["A ripe moment"]
    never = settings_of("A ripe moment", preset.seed).replace(ripeness="never")
    ripe, unripe = ripe_entry_rates(run_outcomes(never))
    assert math.isnan(ripe) and not (ripe > 3 * unripe)
    staged = settings_of("A ripe moment", preset.seed)
    ideas = run_ideas(staged)
    assert (ideas.entered_step >= staged.window_start).any()


def test_staging_a_ripe_moment_holds_track_one_ripe_for_that_long():
    model = TrainerModel(Settings.default().replace(ripeness="never", seed=3))
    advance(model, 5)
    assert not model.ripe and model.ripeness.windows_opened == 0 and not model.staged_by_trainer
    model.stage_ripe_moment(6)
    assert model.ripe and model.ripeness.windows_opened == 1 and model.staged_by_trainer
    advance(model, 6)
    assert model.ripe_history[5:11] == [True] * 6
    assert not model.ripe, "the window closes when the staged months are over (ripeness is off here)"
    assert model.ripeness.windows_opened == 1


def test_same_settings_same_run():
    first, second = (TrainerModel(Settings.default().replace(seed=11)) for _ in range(2))
    advance(first, 24)
    advance(second, 24)
    assert first.datacollector.get_model_vars_dataframe().equals(second.datacollector.get_model_vars_dataframe())


def test_a_finished_run_on_the_scoreboard_reads_as_simulate_does():
    settings = PRESETS_BY_NAME["A balanced mix"].apply()
    model = TrainerModel(settings)
    advance(model, settings.steps)
    row = row_of_run(model, "A balanced mix")
    expected = simulate(settings.params(), settings.seed).outcomes
    assert row.label == "A balanced mix" and row.seeds == str(settings.seed)
    for name, score in row.scores.items():
        assert score.value == pytest.approx(expected[name]) and math.isnan(score.low)
    cells = row.cells()
    assert cells["ideas_transferred"] == f"{expected['ideas_transferred']:.0f}"
    assert cells["impact"] == f"{expected['impact']:.2f}"


def test_twenty_seeds_give_a_mean_with_an_interval_around_it():
    settings = Settings.default().replace(seed=40)
    done: list[int] = []
    row = row_of_seeds(settings, "Default", progress=done.append)
    assert done == list(range(1, SEEDS_PER_BATCH + 1))
    assert row is not None and row.seeds == f"40-{40 + SEEDS_PER_BATCH - 1}" and "20 seeds" in row.label
    impacts = np.array([simulate(settings.params(), s).outcomes["impact"] for s in range(40, 60)])
    impact = row.scores["impact"]
    assert impact.value == pytest.approx(impacts.mean())
    assert impact.low < impact.value < impact.high
    assert impacts.min() <= impact.low and impact.high <= impacts.max()
    assert score_of(impacts) == impact, "the interval is reproducible"
    assert row_of_seeds(settings, "Stopped", stop=lambda: True) is None


def test_the_trust_axis_is_the_whole_scale_and_the_moments_are_marked():
    settings = PRESETS_BY_NAME["A ripe moment"].apply().replace(confidentiality=0.5)
    model = TrainerModel(settings)
    advance(model, settings.steps)
    trust = drawing.draw_trust(model)
    assert trust.axes[0].get_ylim() == (0.0, 1.0)
    labels = [text.get_text() for text in trust.legends[0].get_texts()]
    outcomes = simulate(settings.params(), settings.seed).outcomes
    assert outcomes["leaks"] > 0 and "Leak" in labels
    assert drawing.first_entry_month(model) == outcomes["time_to_first_transfer"]
    assert f"First entry (month {drawing.first_entry_month(model)})" in labels
    window_labels = [t for t in trust.axes[0].texts if t.get_text() == "window opens"]
    assert len(window_labels) == 1, "one staged window, labelled as it opens"


def test_network_layout_is_computed_once_per_network_and_separates_the_sides():
    model = TrainerModel(Settings.default().replace(seed=5))
    layout = drawing.network_layout(model)
    assert drawing.network_layout(TrainerModel(Settings.default().replace(seed=5))) is layout
    assert layout.shape == (model.n_actors, 2) and np.isfinite(layout).all()
    side_a, side_b = (layout[model.side == s, 0] for s in (0, 1))
    assert side_a.max() < side_b.min()
    officials, grassroots = (layout[model.members[b], 1] for b in ("official", "grassroots"))
    assert officials.min() > grassroots.max(), "Track One is drawn above Track Three"


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
def test_every_view_draws_for_every_preset(preset):
    model = TrainerModel(preset.apply())
    advance(model, 20)
    for draw in (drawing.draw_network, drawing.draw_ideas_by_track, drawing.draw_novelty, drawing.draw_trust):
        image = drawing.png(draw(model))
        assert image.startswith(b"\x89PNG") and len(image) > 10_000
    status = drawing.track_one_status(model)
    assert status.month == 20 and status.transferred <= status.generated
    comparison = drawing.draw_comparison([model, model], ["A", "B"])
    assert drawing.png(comparison).startswith(b"\x89PNG")


def test_leading_idea_is_the_most_held_and_none_before_any_idea():
    model = TrainerModel(Settings.default())
    assert drawing.leading_idea(model) is None
    while model.ideas.count == 0 and model.running:
        model.step()
    idea = drawing.leading_idea(model)
    assert idea is not None
    counts = model.ideas.held.sum(axis=0)
    assert counts[idea] == counts.max()


def test_app_command_serves_the_app_module_locally_without_network_calls():
    command = app_command.solara_command(8123)
    assert command[1:3] == ["run", "tracktwo.app.app"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8123"
    assert {"--no-open", "--production", "--no-check-version"} <= set(command)
    assert app_command.OFFLINE_ENVIRONMENT["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    for bad in ("0", "70000", "http"):
        with pytest.raises(argparse.ArgumentTypeError):
            app_command.port_number(bad)
