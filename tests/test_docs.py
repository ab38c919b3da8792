"""The docs' generated tables match the core's declared-once lists (tools/gen_docs.py)."""

from __future__ import annotations

import pathlib

import pytest

from echelon.env.spec import render_generated

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_generated_sections_are_current(page: str) -> None:
    text = (DOCS / page).read_text()
    assert render_generated(text) == text, f"docs/{page} is stale: run tools/gen_docs.py"


def test_architecture_page_has_the_buffer_table() -> None:
    assert "<!-- generated: output_buffers -->" in (DOCS / "architecture.md").read_text()
