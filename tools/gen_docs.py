"""Rewrites the generated sections of README.md and docs/ from the core's tables (run with a
dev build on PYTHONPATH: ``PYTHONPATH=$(tools/dev_build.sh dev) python tools/gen_docs.py``).

A section is the text between ``<!-- generated: NAME -->`` and ``<!-- end generated -->``;
tests/test_docs.py fails when a page differs from what this would write."""

from __future__ import annotations

import pathlib
import sys

from echelon.env.spec import render_generated

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> int:
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text()
        new = render_generated(text)
        if new != text:
            page.write_text(new)
            print(f"wrote {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
