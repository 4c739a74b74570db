"""The shipped sweeps page lists every sweep in configs/sweeps/ and no other."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_sweeps_page_lists_every_shipped_sweep() -> None:
    page = (ROOT / "docs" / "reference" / "sweeps.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9_]+\.yaml)` \|", page, flags=re.MULTILINE))
    shipped = {path.name for path in (ROOT / "configs" / "sweeps").glob("*.yaml")}
    assert listed == shipped
