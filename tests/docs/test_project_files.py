"""The files a user reads first say what is true: citation metadata, licence, changelog, README.

The docs site itself is checked by `make docs` (mkdocs build --strict, every tutorial executed).
"""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
README = (ROOT / "README.md").read_text()


def test_citation_cff_has_the_required_keys_and_the_package_version():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):  # required by the CFF 1.2.0 schema
        assert isinstance(citation[key], str | list) and citation[key], key
    for author in citation["authors"]:  # a person (family-names) or an entity (name)
        assert "family-names" in author or "name" in author, author
    assert str(citation["version"]) == PYPROJECT["version"]
    assert citation["license"] == PYPROJECT["license"] == "MIT"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(citation["date-released"]))
    assert set(citation) <= {
        "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi", "identifiers",
        "keywords", "license", "license-url", "message", "preferred-citation", "references", "repository",
        "repository-artifact", "repository-code", "title", "type", "url", "version",
    }  # fmt: skip


def test_license_is_the_mit_licence_of_the_tracktwo_authors():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 the tracktwo authors" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def test_changelog_has_unreleased_and_the_current_version():
    text = (ROOT / "CHANGELOG.md").read_text()
    headings = re.findall(r"^## \[([^\]]+)\]", text, flags=re.MULTILINE)
    assert headings[0] == "Unreleased"
    assert PYPROJECT["version"] in headings


def test_readme_is_a_door():
    lines = README.splitlines()
    assert len(lines) < 150
    opening = "\n".join(lines[:12])
    assert "make demo" in opening and "make test" in opening
    assert "3.11.0" in opening and "`make`" in opening
    layout = next(number for number, line in enumerate(lines) if line.startswith("## Layout"))
    assert layout < len(lines) / 2
    for call in ("tracktwo.simulate(", 'tracktwo.sweep("configs/sweeps/participant_mix.yaml")', "make docs"):
        assert call in README, call


@pytest.mark.parametrize("target", sorted(set(re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README))))
def test_readme_links_lead_to_files_that_exist(target):
    assert (ROOT / target).exists(), target


@pytest.mark.parametrize(
    "path", ["configs/sweeps/participant_mix.yaml", "configs/programmes/example.yaml", "configs/map_example.yaml"]
)
def test_readme_names_files_that_exist(path):
    assert path in README
    assert (ROOT / path).exists()
