"""Names vulture (the dead-code check in `make lint`) cannot see used: each is read by a framework or a user.

Grouped by who reads it. A name belongs here only when it is truly used; dead code is deleted instead.
"""
# ruff: noqa: B018, F821

# Fields read by name (getattr over behaviour pairs): model/params.py TieProbabilities and TieDegrees
official_official
official_elite
official_autonomous
official_grassroots
elite_elite
elite_autonomous
elite_grassroots
autonomous_autonomous
autonomous_grassroots
grassroots_grassroots
middle_range_official
middle_range_elite
middle_range_autonomous
middle_range_grassroots
middle_range_middle_range

# Fields of public result objects (users and the JSON summaries read them)
procedure  # bestset.BestSet (experiments/analysis/bestset.py)
per_look_confidence  # bestset.SequentialState
p_value  # stats.PointComparison
full_mean  # verdicts.PowerCheck
_.total_effect  # evaluation.Game: v(N) - v(empty), the sum the Shapley values add up to (tested)
_.ok  # api.BatchResult.ok; pyabc's Sample.ok (set by the calibration sampler)
_.driver  # record.Opening: the driver with the largest share (the evaluation's openings)
_.openings  # record.Record: the windows' openings, each driver's share found when read (the evaluation's openings)
_.tie_probability  # diffusion.Context: a tie's p in one expression, the law the advocacy kernels compute (tested)

# Mesa's API, kept so Mesa code works on TrackTwoModel and its agents
_.agents_by_type
_.agent_types
_.ideas_held  # an agent reporter (metrics.AGENT_REPORTERS reads it by name)
_._agent_records  # Mesa's DataCollector reads its agent records from this attribute

# Hooks of other libraries: signatures and attributes they call or read
event_advance  # solara's Vue component callback (app/clock.vue calls it)
pause_ms  # solara's Vue component property (app/clock.vue reads it)
_.sample_until_n_accepted  # pyabc's Sampler interface (experiments/engine/calibration.py)
all_accepted  # pyabc's signature
ana_vars  # pyabc's signature
_.nr_evaluations_  # pyabc reads it
exc_info  # the context-manager protocol's __exit__ arguments
_.required  # argparse: subcommands required
_.showwarning  # warnings: the hook replaced while a command runs
_.writeable  # numpy: arrays made read-only
__getattr__  # module-level lazy names (PEP 562)
__dir__  # module-level lazy names (PEP 562)
__class__  # model/__init__.py: the package's module class, which keeps `simulate` the function
