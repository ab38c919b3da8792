"""Render a generated map as two PNGs: a top view (material of each column's highest voxel,
shaded by height, with spawn squares, the capture zone and the corridors drawn on) and a height map.

matplotlib (Agg backend, no display needed) because it gives colour maps, legends and colour bars
for free; files are written atomically (temp file in the same folder, fsync, os.replace).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from echelon.fileio import write_atomic
from echelon.maps.generate import GeneratedMap

# RGB per material id: air, solid, lava, water, debris field, solid debris, dirt, glass,
# reinforced, foliage.
MATERIAL_COLOURS = np.array(
    [
        [0.93, 0.91, 0.85],
        [0.55, 0.55, 0.58],
        [0.95, 0.35, 0.05],
        [0.20, 0.45, 0.85],
        [0.55, 0.45, 0.35],
        [0.40, 0.32, 0.25],
        [0.80, 0.74, 0.60],
        [0.65, 0.90, 0.95],
        [0.25, 0.25, 0.35],
        [0.25, 0.60, 0.25],
    ]
)
MATERIAL_NAMES = (
    "air",
    "solid",
    "lava",
    "water",
    "debris field",
    "solid debris",
    "dirt",
    "glass",
    "reinforced",
    "foliage",
)


def column_tops(voxels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column (y, x): the material of the highest non-air voxel and its height (z + 1; 0 when
    the column is all air)."""
    solid = voxels != 0
    z_count = voxels.shape[0]
    top_from_above = np.argmax(solid[::-1], axis=0)
    any_voxel = solid.any(axis=0)
    top_z = np.where(any_voxel, z_count - 1 - top_from_above, -1)
    material = np.take_along_axis(voxels, np.clip(top_z, 0, None)[None], axis=0)[0]
    material = np.where(any_voxel, material, 0)
    return material.astype(np.int64), (top_z + 1).astype(np.int64)


def _save_atomically(fig: object, path: Path) -> None:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")  # type: ignore[attr-defined]
    write_atomic(path, buffer.getvalue())


def _corner_square(corner: str, clear: int, sx: int, sy: int) -> tuple[float, float]:
    x0 = 0 if corner in ("BL", "TL") else sx - clear
    y0 = 0 if corner in ("BL", "BR") else sy - clear
    return float(x0), float(y0)


def render_map(m: GeneratedMap, out_dir: str | Path) -> tuple[Path, Path]:
    """Writes ``top_view.png`` and ``height_map.png`` into ``out_dir`` (created with its parents
    if missing); returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, Patch, Rectangle

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sx, sy, sz = m.size
    material, height = column_tops(m.voxels)
    shade = 0.55 + 0.45 * (height / max(1, sz))[..., None]
    rgb = np.clip(MATERIAL_COLOURS[material] * shade, 0.0, 1.0)

    fig, ax = plt.subplots(figsize=(8, 8 * sy / sx + 0.6))
    ax.imshow(rgb, origin="lower", extent=(0, sx, 0, sy), interpolation="nearest")
    for team, colour in ((0, "tab:blue"), (1, "tab:red")):
        x0, y0 = _corner_square(m.spawn_corners[team], m.spawn_clear, sx, sy)
        ax.add_patch(Rectangle((x0, y0), m.spawn_clear, m.spawn_clear, fill=False, ec=colour, lw=2))
    cx, cy, r = m.zone
    ax.add_patch(Circle((cx, cy), r, fill=False, ec="gold", lw=2.5))
    for _kind, _width, pts in m.corridors:
        xs, ys = zip(*pts, strict=True)
        ax.plot(xs, ys, ls=":", lw=1, color="black", alpha=0.5)
    for corner, biome in m.biomes.items():
        bx = m.split[0] / 2 if corner in ("BL", "TL") else (m.split[0] + sx) / 2
        by = m.split[1] / 2 if corner in ("BL", "BR") else (m.split[1] + sy) / 2
        ax.text(
            bx,
            by,
            biome,
            ha="center",
            va="center",
            fontsize=8,
            bbox={"facecolor": "white", "alpha": 0.6, "lw": 0},
        )
    present = sorted(set(np.unique(material).tolist()) - {0})
    ax.legend(
        handles=[Patch(color=MATERIAL_COLOURS[i], label=MATERIAL_NAMES[i]) for i in present],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.05),
        ncol=5,
        fontsize=8,
        frameon=False,
    )
    ax.set_title(f"seed {m.seed}  {sx}x{sy}x{sz}  {m.transform}  hash {m.content_hash}", fontsize=9)
    top_path = out / "top_view.png"
    _save_atomically(fig, top_path)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 8 * sy / sx))
    im = ax.imshow(
        height,
        origin="lower",
        extent=(0, sx, 0, sy),
        cmap="terrain",
        vmin=0,
        vmax=sz,
        interpolation="nearest",
    )
    fig.colorbar(im, ax=ax, label="height of the highest voxel (voxels)")
    ax.set_title(f"height map, seed {m.seed}", fontsize=9)
    height_path = out / "height_map.png"
    _save_atomically(fig, height_path)
    plt.close(fig)
    return top_path, height_path
