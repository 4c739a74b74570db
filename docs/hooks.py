"""MkDocs hook: tables generated from the code's own declarations, so the docs cannot drift from them.

`<!-- outcomes-table -->` in a page becomes a table of every outcome declared in `tracktwo.OUTCOMES`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["on_page_markdown"]

OUTCOMES_MARKER = "<!-- outcomes-table -->"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def outcomes_table() -> str:
    """A Markdown table of every declared outcome: name, label, unit, which direction is better."""
    from tracktwo import OUTCOMES

    rows = ["| Outcome | Meaning | Unit | Better | Key |", "|---|---|---|---|---|"]
    for name, outcome in OUTCOMES.items():
        label = getattr(outcome, "label", "")
        description = getattr(outcome, "description", "")
        meaning = f"{label}. {description}" if description else label
        key = "yes" if getattr(outcome, "key", False) else ""
        rows.append(
            f"| `{name}` | {_cell(meaning)} | {_cell(getattr(outcome, 'unit', ''))} "
            f"| {_cell(getattr(outcome, 'goal', ''))} | {key} |"
        )
    return "\n".join(rows)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace the markers of generated tables with the tables."""
    if OUTCOMES_MARKER in markdown:
        markdown = markdown.replace(OUTCOMES_MARKER, outcomes_table())
    return markdown
