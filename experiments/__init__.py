"""tracktwo's experiments: configs, runs, sweeps, results, figures and the CLI.

This package never touches agents: it sees the model as a function (params, seed) -> result.
"""
