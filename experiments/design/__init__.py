"""What to run: configs, sweep, programmes, sensitivity and dilemma designs, points and seeds, posterior draws."""

__all__ = [
    "config", "dilemma", "keys", "outcome_names", "points", "posterior", "programmes", "sensitivity", "summaries",
    "sweepfile",
]  # fmt: skip
