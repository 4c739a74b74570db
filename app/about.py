"""The "About this model" page in plain words (in the spirit of NetLogo's Info tab)."""

from __future__ import annotations

ABOUT = """
## What this model is

A simulation of how ideas born in unofficial **Track Two** dialogues travel across the tracks of a
peace process and whether they get into **Track One**, the officials who negotiate and decide.
Each month a third party may hold a workshop: people from both sides of a conflict meet under the
Chatham House Rule, step back from official positions and develop new options. The ideas then
travel along the ties between people, within and across tracks and sides.

## Who is in it

- **Officials** (Track One): they decide. They are wary of ideas from outside the bureaucracy.
- **Influential elites** (Track Two): retired senior officials and others with the ear of the
  ministers. Officials know and trust them, but they think alike: "the usual suspects".
- **Autonomous thinkers** (Track Two): scholars and civil-society leaders. They think outside the
  box, but officials do not know or trust them.
- **Grassroots actors** (Track Three): their support for new ideas helps Track One ripen.

In the network picture, colour is the kind of actor, shape is the side, a larger ringed marker holds
the idea most people hold right now, a gold halo marks the latest workshop's participants, and
orange lines are ties across the conflict made in workshops.

## The words on the screen

- **Novelty** (0 to 1): how far an idea is from the current official positions. 0 is the official
  line restated; 1 is a radically new option.
- **Entering Track One** (transfer): an idea enters Track One the first month enough officials on
  every side hold it.
- **Impact**: the summed novelty of the ideas that entered Track One. A familiar idea that enters
  adds little; a novel idea that never enters adds nothing. This is what the Autonomy Dilemma is
  about: elites get ideas in but the ideas are not new; autonomous thinkers have new ideas that do
  not get in; impact peaks at a mix.
- **Ripeness**: whether Track One is looking for new approaches (after an election, a ceasefire, a
  hurting stalemate). When ripe, officials accept novel ideas far more readily and forget them more
  slowly. Ripeness can come from outside (a staged window) or grow from inside: officials exposed
  to Track Two ideas, credible advocates and public support make a ripe moment more likely.
- **Candour**: how openly a workshop talks. It rises with confidentiality, the facilitator's
  integrity and trust built over repeated meetings, and falls after a leak and when participants
  are tied to official positions. More candour, more ideas.
- **Leak**: after a workshop, with probability 1 - confidentiality. Officials grow wary for a while.
- **Cross-side trust** (0 to 1): how far people trust the other side, on average. Workshops raise
  the participants' trust.
- **Mode**: Track Two (unofficial), Track 1.5 (officials in a personal capacity join), or a
  backchannel (officials under instructions, not Track Two at all).
- **An NGO's multi-track programme**: a different third party and a schedule of formats instead of
  one series of workshops. An NGO mediator (process expertise, a hybrid local and outside team,
  more dependent on its funders) runs capacity-building trainings first (they raise the
  participants' standing and skills), then Track 1.5 workshops, an exposure trip that makes
  officials more open to new ideas for a year, and a joint report that lends its ideas a
  credibility of their own; after each meeting it takes the ideas to the grassroots.
- **Routes into Track One**: who brought an idea to the first official who took it up: an official
  who was in the room (Track 1.5), an influential elite, an autonomous thinker, or the grassroots
  (Track Three).
- **Local agreements**: grassroots of both sides in one locality holding the same idea; a goal of
  their own for a multi-track programme, whether or not the idea reaches Track One.

## Evaluating a run

Being on the chain is not the same as making the difference. The Evaluate tab shows, for each
meeting, its **attribution** (the share of the impact that entered Track One whose chain of
adoptions passes through it: an idea born there) and its **contribution** (how much impact is lost
when the run is replayed without it, on the same seed: the same actors and the same luck, except
where the missing meeting reached), shown as the **change when removed** (below 0: it contributed).
A meeting can be on the chain of much of the impact yet contribute little, because others would
have carried the same ideas; another can be on no chain and still change the run, through the
trust, ties and ripeness it built. Over several seeds the verdicts follow `tracktwo evaluate`'s
rule: *contributed* or *worked against* (Holm across the meetings), *no effect* (equivalence within
a margin), *on the chain but substitutable*, or *inconclusive*.

With the issue space (the default), the table also shows, for each meeting, what removing it changes
in **influence on the process** (how far official positions moved toward Track Two ideas that were
not adopted) beside **ideas transferred** (ideas adopted into Track One), each with its verdict by
the same rule: a meeting can shape how officials think without any of its ideas entering Track One.

## One seed, many seeds

A **seed** fixes the chance events: the same seed gives the same actors, network and run, so presets
on one seed compare programmes on the same conflict. Each preset names the seed on which its story
was checked. One seed tells a story; the Scoreboard's "Run 20 seeds" tells what to expect.

## Sources

The mechanisms follow the literature on Track Two diplomacy and its practitioners' experience: the
Autonomy Dilemma of whom to invite, officials' wariness of outside ideas, ripe moments (I. William
Zartman's ripeness), ongoing problem-solving workshops building trust and new channels (Herbert
C. Kelman's interactive problem solving), the funding dilemma, backchannels, Track 1.5 and Track
Three. Every mechanism, its formula and its default value is documented in `docs/ODD.md` (the ODD
protocol); the stylized facts the model reproduces are tested over many seeds.

## What it is not

A teaching and thinking tool, not a forecast of any real conflict. Its numbers are
illustrative; its value is in showing how the mechanisms combine.
"""
