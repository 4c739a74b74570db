"""What the runs say: the results read back, statistics, ranking, comparison, sensitivity, discovery, selection."""

__all__ = ["comparison", "dilemma", "discovery", "ranking", "results", "selection", "sensitivity", "stats"]
