"""The docs' generated tables match the core's declared-once lists (tools/gen_docs.py)."""

from __future__ import annotations

import pathlib

import pytest

from echelon.env.spec import render_generated

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = ["README.md", *sorted(f"docs/{p.name}" for p in DOCS.glob("*.md"))]


@pytest.mark.parametrize("page", PAGES)
def test_generated_sections_are_current(page: str) -> None:
    text = (ROOT / page).read_text()
    assert render_generated(text) == text, f"{page} is stale: run tools/gen_docs.py"


def test_tables_are_where_readers_look() -> None:
    assert "<!-- generated: output_buffers -->" in (DOCS / "architecture.md").read_text()
    assert "<!-- generated: action_layout -->" in (DOCS / "game_rules.md").read_text()
    assert "<!-- generated: config_fields -->" in (DOCS / "game_rules.md").read_text()
