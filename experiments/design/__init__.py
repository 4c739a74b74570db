"""What to run: configs and --set, sweep files, programmes files, sensitivity and dilemma designs, points and seeds."""

__all__ = ["config", "dilemma", "keys", "outcome_names", "points", "programmes", "sensitivity", "sweepfile"]
