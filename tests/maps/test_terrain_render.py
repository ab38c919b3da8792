"""`echelon map render` writes a top view, a height map and the recipe for the requested map."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from echelon.cli import main
from echelon.maps import generate_map
from echelon.maps.render import column_tops


def test_column_tops_hand_built() -> None:
    v = np.zeros((4, 1, 3), np.uint8)
    v[0] = 6
    v[2, 0, 1] = 7
    v[0, 0, 2] = 0
    material, height = column_tops(v)
    assert material.tolist() == [[6, 7, 0]] and height.tolist() == [[1, 3, 0]]


def test_render_cli_writes_pngs_and_recipe(tmp_path: Path) -> None:
    out = tmp_path / "seed5"
    args = ["map", "render", "--seed", "5", "--size", "48", "40", "16", "--out", str(out)]
    assert main(args) == 0
    for name in ("top_view.png", "height_map.png"):
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
    recipe = json.loads((out / "recipe.json").read_text())
    assert recipe == generate_map((48, 40, 16), 5).recipe
    assert not list(out.glob(".*"))  # no temp files left behind
