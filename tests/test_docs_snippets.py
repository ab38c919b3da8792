"""Every Python snippet in README.md and docs/ runs on its own (a fresh namespace, an empty
working folder), so a reader can paste any one of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
SNIPPETS = [
    pytest.param(code, id=f"{doc.name}:{doc.read_text()[: m.start()].count(chr(10)) + 1}")
    for doc in DOCS
    for m in BLOCK.finditer(doc.read_text())
    for code in [m.group(1)]
]


def test_the_docs_have_snippets() -> None:
    assert len(SNIPPETS) >= 5


@pytest.mark.filterwarnings("ignore:.*Box observation space m:UserWarning")
@pytest.mark.parametrize("code", SNIPPETS)
def test_snippet_runs_on_its_own(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "<snippet>", "exec"), {"__name__": "__snippet__"})
