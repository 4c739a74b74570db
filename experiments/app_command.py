"""Where `tracktwo app` lived before the CLI moved to experiments/cli/ (kept while tests/test_app.py imports it).

Remove this module once tests/test_app.py imports `experiments.cli.app` instead.
"""

from experiments.cli.app import OFFLINE_ENVIRONMENT, port_number, solara_command

__all__ = ["OFFLINE_ENVIRONMENT", "port_number", "solara_command"]
