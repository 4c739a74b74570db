"""MkDocs hooks: the API reference's source tree, and tables generated from the code's own declarations.

- The package's source, laid out as installed: setuptools' `package-dir` maps the top-level folders
  model/, experiments/ and app/ to `tracktwo.model`, ... ; mkdocstrings reads source from folders, so
  `.cache/api-source/tracktwo/` holds links that mirror that mapping (read from pyproject.toml). It is
  laid out before mkdocstrings reads its `paths` (which drops a path not there yet: a fresh clone).
- `<!-- outcomes-table -->` in a page becomes a table of every outcome declared in `tracktwo.OUTCOMES`.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

try:
    from mkdocs.plugins import event_priority
except ImportError:  # the tests read this module without the docs extra installed (mkdocs' own fallback)

    def event_priority(_priority: float) -> Any:
        return lambda method: method


__all__ = ["on_config", "on_page_markdown"]

API_SOURCE = Path(".cache/api-source")

OUTCOMES_MARKER = "<!-- outcomes-table -->"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def outcomes_table() -> str:
    """A Markdown table of every declared outcome: name, label, unit, which direction is better."""
    from tracktwo.model.outcomes import GOAL_WORDS

    from tracktwo import OUTCOMES

    rows = ["| Outcome | Meaning | Unit | Better | Key | Undefined (NaN) when |", "|---|---|---|---|---|---|"]
    for name, outcome in OUTCOMES.items():
        label = getattr(outcome, "label", "")
        description = getattr(outcome, "description", "")
        meaning = f"{label}. {description}" if description else label
        key = "yes" if getattr(outcome, "key", False) else ""
        rows.append(
            f"| `{name}` | {_cell(meaning)} | {_cell(getattr(outcome, 'unit', ''))} "
            f"| {GOAL_WORDS[outcome.goal]} | {key} | {_cell(outcome.undefined_when)} |"
        )
    return "\n".join(rows)


def lay_out_api_source(root: Path, target: Path) -> None:
    """Mirror pyproject's package-dir under `target` (copies and links), so a reader of folders sees tracktwo."""
    package_dir = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    if target.exists():
        shutil.rmtree(target)
    package = target / "tracktwo"
    package.mkdir(parents=True)
    for entry in (root / package_dir["tracktwo"]).iterdir():
        if entry.suffix == ".py":
            shutil.copy2(entry, package / entry.name)  # a copy: a link would lead a reader back to tracktwo/
    for name, folder in package_dir.items():
        if name != "tracktwo":
            (target / name.replace(".", "/")).symlink_to((root / folder).resolve(), target_is_directory=True)


@event_priority(100)  # before mkdocstrings' own on_config: its handler expands `paths` once, and drops one not there
def on_config(config: Any, **kwargs: Any) -> Any:
    """Lay out the API reference's source tree before any page is rendered."""
    root = Path(config["config_file_path"]).parent
    lay_out_api_source(root, root / API_SOURCE)
    return config


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace the markers of generated tables with the tables."""
    if OUTCOMES_MARKER in markdown:
        markdown = markdown.replace(OUTCOMES_MARKER, outcomes_table())
    return markdown
