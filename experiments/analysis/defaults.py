"""The analysis' choices and defaults that commands show in their --help: plain constants, nothing imported.

`tracktwo evaluate --help` and `tracktwo discover --help` print these; reading them from the modules
that use them (evaluation, verdicts, contributions, discovery, results) loaded pandas and scipy.stats,
4-5 s of CPU for a help text. Those modules take their values from here, so each is declared once.
"""

from __future__ import annotations

__all__ = [
    "CORRECTIONS",
    "DEFAULT_ALPHA",
    "DEFAULT_CORRECTION",
    "DEFAULT_COUNTERFACTUAL",
    "DEFAULT_MARGIN_SHARE",
    "DEFAULT_OUTCOMES",
    "DISCOVERY_METHODS",
    "EVALUATION_INFO",
    "EVALUATION_TABLE",
    "EXACT_MAX",
    "PILOT_REPLICATES",
]

# tracktwo evaluate
DEFAULT_OUTCOMES = ("impact", "ideas_transferred")
EXACT_MAX = 10  # exact Shapley values (2^n coalitions) up to this many components; sampled orders beyond
CORRECTIONS = {"holm": "Holm (family-wise error rate)", "bh": "Benjamini-Hochberg (false discovery rate)"}
DEFAULT_CORRECTION = "holm"
DEFAULT_ALPHA = 0.05
DEFAULT_MARGIN_SHARE = 0.10  # default equivalence margin: 10% of the full programme's mean outcome (stated)
DEFAULT_COUNTERFACTUAL = "refill"  # what the model did before the choice existed
PILOT_REPLICATES = 4  # pilot seeds (full programme vs every component removed) for the power check
EVALUATION_TABLE = "evaluation.csv"  # a row per component and outcome
EVALUATION_INFO = "evaluation.json"  # its summary: families, totals, plain-language sentences, figures

# tracktwo discover
DISCOVERY_METHODS = ("prim", "cart")
