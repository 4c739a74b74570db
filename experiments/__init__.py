"""tracktwo's experiments: many runs of the model, their results, and what they say.

This package never touches agents: it sees the model as a function (params, seed) -> outcomes.
Data flows one way through its subpackages: `design` (what to run) -> `engine` (running it,
storing each run) -> `analysis` (reading the results back, statistics) -> `reporting` (labels,
figures, the HTML report); `cli` is the `tracktwo` command on top of them all.
"""

__all__ = ["analysis", "cli", "design", "engine", "labels", "provenance", "reporting"]
