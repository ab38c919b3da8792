"""Render a replay to a video without a display: a top-down view (``echelon replay render``).

Top-down because it needs no GPU or browser: each frame is drawn with Pillow (the terrain as the
material of each column's highest voxel, shaded by height, redrawn as destruction changes it;
mechs as their hitbox footprints in team colours with a heading mark and HP bar; projectiles,
beams, explosions, smoke, the zone ring, scores and a kill feed). GIFs are written by Pillow;
MP4 (H.264) goes through imageio-ffmpeg, which ships its own ffmpeg binary in its wheel, so
nothing has to be installed system-wide. Both are well-kept and small; matplotlib was not used
because drawing hundreds of frames through it is slow.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from echelon.replay.replay import Replay

# RGB per material id (the viewer's palette): air, solid, lava, water, debris field, solid debris,
# dirt, glass, reinforced, foliage.
MATERIAL_RGB = np.array(
    [
        [28, 36, 51],
        [140, 143, 150],
        [255, 90, 18],
        [47, 118, 216],
        [154, 117, 80],
        [90, 67, 48],
        [201, 182, 143],
        [168, 236, 255],
        [59, 63, 92],
        [63, 154, 58],
    ],
    dtype=np.float32,
)
TEAM_RGB = ((61, 139, 253), (240, 72, 62))
WEAPON_RGB = {
    "laser": (84, 255, 122),
    "flamer": (255, 140, 26),
    "painter": (255, 79, 216),
    "missile": (255, 106, 42),
    "gauss": (255, 240, 74),
    "autocannon": (255, 166, 64),
    "smoke": (191, 197, 204),
}
HUD_HEIGHT = 46
VIDEO_SUFFIXES = (".gif", ".mp4")


def _pil() -> Any:
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise RuntimeError(
            "rendering needs Pillow: pip install 'echelon[video]' (Pillow and imageio-ffmpeg)"
        ) from None
    return Image, ImageDraw, ImageFont


@dataclass(frozen=True)
class RenderOptions:
    fps: float = 8.0
    speed: float = 1.0  # replay seconds per video second
    scale: int | None = None  # pixels per voxel (default: about 720 px across)
    start: float = 0.0
    end: float | None = None

    def __post_init__(self) -> None:
        if not (0.5 <= self.fps <= 60):
            raise ValueError(f"fps must be in [0.5, 60], got {self.fps}")
        if not (0.05 <= self.speed <= 64):
            raise ValueError(f"speed must be in [0.05, 64], got {self.speed}")
        if self.scale is not None and not 1 <= self.scale <= 32:
            raise ValueError(f"scale must be in [1, 32] pixels per voxel, got {self.scale}")


def terrain_image(grid: np.ndarray, scale: int) -> np.ndarray:
    """[H, W, 3] uint8 top view of a [Z, Y, X] grid; north (high y) up."""
    z_count = grid.shape[0]
    solid = grid != 0
    top_from_above = np.argmax(solid[::-1], axis=0)
    any_voxel = solid.any(axis=0)
    top_z = np.where(any_voxel, z_count - 1 - top_from_above, 0)
    material = np.take_along_axis(grid, top_z[None], axis=0)[0]
    material = np.where(any_voxel, material, 0)
    shade = 0.62 + 0.45 * (top_z / max(1, z_count - 1))
    rgb = MATERIAL_RGB[material] * shade[..., None]
    img = np.clip(rgb, 0, 255).astype(np.uint8)[::-1]  # row 0 = highest y
    return np.repeat(np.repeat(img, scale, axis=0), scale, axis=1)


class TopDownRenderer:
    """Draws frames of one replay; ``frame(time)`` returns an RGB PIL image."""

    def __init__(self, replay: Replay, scale: int | None = None) -> None:
        self.Image, self.ImageDraw, ImageFont = _pil()
        self.r = replay
        sx, sy, _ = replay.size
        self.s = scale or max(2, 720 // max(sx, sy))
        self.w, self.h = sx * self.s, sy * self.s + HUD_HEIGHT
        self.font = ImageFont.load_default()
        self._grid = replay.arrays["initial_voxels"].copy()
        self._applied = 0  # edits applied to _grid (frames are drawn in time order)
        self._terrain: Any = None
        self.classes = replay.header["classes"]
        self.team = replay.arrays["team"]
        self.cls = replay.arrays["class"]
        types = replay.names("event_types")
        self.kills = [
            (int(k), t)
            for t in range(replay.frames)
            for k in range(*_span(replay, "event", t))
            if types[int(replay.arrays["event_type"][k])] == "kill"
        ]
        counts = [0, 0]
        self.labels = []
        for i in range(replay.agents):
            counts[int(self.team[i])] += 1
            letter = str(self.classes[int(self.cls[i])]["name"])[0].upper()
            self.labels.append(f"{letter}{counts[int(self.team[i])]}")

    def px(self, x: float, y: float) -> tuple[float, float]:
        sy = self.r.size[1]
        return x * self.s, HUD_HEIGHT + (sy - y) * self.s

    def _background(self, t: int) -> Any:
        end = int(self.r.arrays["edit_offsets"][t + 1])
        if end < self._applied:  # drawing backward in time: start over from the initial map
            self._grid = self.r.arrays["initial_voxels"].copy()
            self._applied = 0
        if end != self._applied or self._terrain is None:
            idx = self.r.arrays["edit_index"][self._applied : end]
            self._grid.reshape(-1)[idx] = self.r.arrays["edit_material"][self._applied : end]
            self._applied = end
            img = terrain_image(self._grid, self.s)
            canvas = np.zeros((self.h, self.w, 3), np.uint8)
            canvas[:HUD_HEIGHT] = (17, 23, 34)
            canvas[HUD_HEIGHT:] = img
            self._terrain = self.Image.fromarray(canvas)
        return self._terrain.copy()

    def frame(self, time: float) -> Any:
        r, a = self.r, self.r.arrays
        ds = r.decision_seconds
        f = min(r.frames - 1.0, max(0.0, time / ds))
        t0 = math.floor(f)
        t1 = min(r.frames - 1, t0 + 1)
        w = f - t0
        img = self._background(t0).convert("RGBA")
        overlay = self.Image.new("RGBA", img.size, (0, 0, 0, 0))
        d = self.ImageDraw.Draw(overlay)
        s = self.s
        # Zone, coloured by who is inside.
        cx, cy, rad = r.header["map"]["zone"]
        alive = (a["mech_flags"][t0] & 1) == 1
        pos0, pos1 = a["mech_pos"][t0], a["mech_pos"][t1]
        inside = [0, 0]
        for i in range(r.agents):
            if alive[i] and math.hypot(pos0[i][0] - cx, pos0[i][1] - cy) < rad:
                inside[int(self.team[i])] += 1
        ring = (
            (255, 255, 255)
            if inside[0] and inside[1]
            else TEAM_RGB[0]
            if inside[0]
            else TEAM_RGB[1]
            if inside[1]
            else (62, 224, 208)
        )
        zx, zy = self.px(cx, cy)
        d.ellipse(
            (zx - rad * s, zy - rad * s, zx + rad * s, zy + rad * s),
            outline=(*ring, 255),
            width=max(2, s // 2),
        )
        for c in r.smoke(t0):
            x, y = self.px(float(c[0]), float(c[1]))
            rr = float(c[3]) * s
            d.ellipse((x - rr, y - rr, x + rr, y + rr), fill=(200, 205, 212, 120))
        # Projectiles, moved along their velocity within the decision.
        if t0 < r.frames - 1:
            proj = r.projectiles(t0)
            weapons = r.names("weapons")
            dt_in = w * ds
            for k in range(len(proj["weapon"])):
                p = proj["pos"][k] + proj["vel"][k] * dt_in
                x, y = self.px(float(p[0]), float(p[1]))
                col = WEAPON_RGB.get(weapons[int(proj["weapon"][k])], (255, 255, 255))
                rr = max(1.5, s * 0.35)
                d.ellipse((x - rr, y - rr, x + rr, y + rr), fill=(*col, 255))
        # Mechs: hitbox footprint rotated to the heading, a heading line and an HP bar.
        for i in range(r.agents):
            if not (a["mech_flags"][t1 if w > 0.5 else t0][i] & 1):
                continue
            p = pos0[i] + (pos1[i] - pos0[i]) * (w if a["mech_flags"][t1][i] & 1 else 0)
            yaw = float(a["mech_yaw"][t0][i])
            hx, hy, _ = self.classes[int(self.cls[i])]["half_size"]
            c, sn = math.cos(yaw), math.sin(yaw)
            corners = [
                self.px(float(p[0]) + c * dx - sn * dy, float(p[1]) + sn * dx + c * dy)
                for dx, dy in ((hx, hy), (-hx, hy), (-hx, -hy), (hx, -hy))
            ]
            col = TEAM_RGB[int(self.team[i])]
            d.polygon(corners, fill=(*col, 255), outline=(10, 10, 10, 255))
            x, y = self.px(float(p[0]), float(p[1]))
            hx_px = (hx + 0.9) * s
            d.line(
                (x, y, x + c * hx_px, y - sn * hx_px),
                fill=(255, 255, 255, 255),
                width=max(1, s // 3),
            )
            hp = float(a["mech_hp"][t0][i]) / float(self.classes[int(self.cls[i])]["hp"])
            bw = max(10.0, 2.6 * hx * s)
            by = y - (hy + 1.2) * s
            d.rectangle((x - bw / 2, by - 3, x + bw / 2, by + 1), fill=(0, 0, 0, 200))
            d.rectangle(
                (x - bw / 2, by - 3, x - bw / 2 + bw * max(0.0, min(1.0, hp)), by + 1),
                fill=(76, 217, 100, 255),
            )
            d.text((x - bw / 2, by - 14), self.labels[i], fill=(255, 255, 255, 255), font=self.font)
        self._draw_events(d, time, a, pos0, pos1, w)
        img = self.Image.alpha_composite(img, overlay)
        self._hud(self.ImageDraw.Draw(img), time, t0)
        return img.convert("RGB")

    def _draw_events(
        self, d: Any, time: float, a: dict[str, np.ndarray], pos0: Any, pos1: Any, w: float
    ) -> None:
        r = self.r
        types, weapons = r.names("event_types"), r.names("weapons")
        dt = r.header["timing"]["dt"]
        ticks = a["event_tick"]
        lo = int(np.searchsorted(ticks, (time - 0.6) / dt, side="right"))
        hi = int(np.searchsorted(ticks, time / dt + 1e-6, side="right"))
        for k in range(lo, hi):
            age = time - float(ticks[k]) * dt
            kind, weapon = types[int(a["event_type"][k])], weapons[int(a["event_weapon"][k])]
            ex, ey = self.px(float(a["event_pos"][k][0]), float(a["event_pos"][k][1]))
            shooter = int(a["event_shooter"][k])
            if (
                kind in ("weapon_hit", "paint")
                and weapon in ("laser", "flamer", "painter")
                and shooter >= 0
                and age < 0.3
            ):
                sp = pos0[shooter] + (pos1[shooter] - pos0[shooter]) * w
                sx, sy = self.px(float(sp[0]), float(sp[1]))
                col = WEAPON_RGB[weapon]
                alpha = int(255 * (1 - age / 0.3))
                d.line(
                    (sx, sy, ex, ey),
                    fill=(*col, alpha),
                    width=max(1, self.s // 2 + (weapon == "flamer")),
                )
            elif kind == "explosion" and age < 0.5:
                rr = max(1.0, float(a["event_value"][k])) * self.s * (0.4 + 1.2 * age)
                d.ellipse(
                    (ex - rr, ey - rr, ex + rr, ey + rr),
                    fill=(255, 164, 58, int(200 * (1 - age / 0.5))),
                )
            elif kind == "kill" and age < 0.6:
                rr = 3.0 * self.s
                d.ellipse(
                    (ex - rr, ey - rr, ex + rr, ey + rr),
                    outline=(255, 255, 255, int(255 * (1 - age / 0.6))),
                    width=2,
                )
            elif kind == "ams_intercept" and shooter >= 0 and age < 0.3:
                sp = pos0[shooter]
                sx, sy = self.px(float(sp[0]), float(sp[1]))
                d.line((sx, sy, ex, ey), fill=(127, 231, 255, 220), width=1)

    def _hud(self, d: Any, time: float, t: int) -> None:
        r = self.r
        blue, red = (float(v) for v in r.arrays["zone_score"][t])
        win = float(r.header["zone_score_to_win"])
        d.rectangle((0, 0, self.w, HUD_HEIGHT - 1), fill=(17, 23, 34))
        mins, secs = divmod(time, 60.0)
        d.text((8, 6), f"{int(mins)}:{secs:04.1f}", fill=(230, 233, 239), font=self.font)
        bar_w = max(60, self.w // 4)
        for team, score, x0 in ((0, blue, 70), (1, red, 70 + bar_w + 60)):
            d.text(
                (x0, 6),
                f"{'BLUE' if team == 0 else 'RED'} {score:5.1f}",
                fill=TEAM_RGB[team],
                font=self.font,
            )
            d.rectangle((x0, 22, x0 + bar_w, 28), fill=(38, 48, 67))
            d.rectangle((x0, 22, x0 + bar_w * min(1.0, score / win), 28), fill=TEAM_RGB[team])
        recent = [
            k
            for k, kt in self.kills
            if float(r.arrays["event_tick"][k]) * r.header["timing"]["dt"] <= time
        ]
        y = 4
        for k in recent[-3:]:
            a = r.arrays
            sh, tg = int(a["event_shooter"][k]), int(a["event_target"][k])
            who = self.labels[sh] if sh >= 0 else "hazard"
            text = f"{who} x {self.labels[tg]}"
            x = self.w - 130
            d.text(
                (x, y),
                text,
                fill=TEAM_RGB[int(self.team[sh])] if sh >= 0 else (200, 200, 200),
                font=self.font,
            )
            y += 13
        if t == r.frames - 1:
            o = r.header["outcome"]
            label = (
                {0: "BLUE WINS", 1: "RED WINS"}.get(o["winner"], "DRAW")
                if o["complete"]
                else "incomplete"
            )
            d.text((8, 24), label, fill=(255, 255, 255), font=self.font)


def _span(replay: Replay, kind: str, t: int) -> tuple[int, int]:
    off = replay.arrays[f"{kind}_offsets"]
    return int(off[t]), int(off[t + 1])


def frame_times(replay: Replay, options: RenderOptions) -> list[float]:
    duration = (replay.frames - 1) * replay.decision_seconds
    end = duration if options.end is None else min(duration, options.end)
    start = max(0.0, min(options.start, end))
    step = options.speed / options.fps
    n = max(1, math.floor((end - start) / step + 1e-9) + 1)
    return [start + k * step for k in range(n)]


def iter_frames(replay: Replay, options: RenderOptions) -> Iterator[Any]:
    renderer = TopDownRenderer(replay, options.scale)
    for time in frame_times(replay, options):
        yield renderer.frame(time)


def gif_bytes(replay: Replay, options: RenderOptions) -> bytes:
    frames = list(iter_frames(replay, options))
    buf = io.BytesIO()
    duration_ms = max(20, round(1000 / options.fps))
    frames[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=duration_ms,
        loop=0,
        optimize=False,
    )
    return buf.getvalue()


def render(replay: Replay, out: str | Path, options: RenderOptions | None = None) -> Path:
    """Renders ``replay`` to ``out`` (.gif or .mp4), written atomically; returns the path."""
    options = options or RenderOptions()
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in VIDEO_SUFFIXES:
        raise ValueError(f"--out must end in .gif or .mp4, got {path.name!r}")
    if not path.parent.is_dir():
        raise ValueError(f"the folder of {path} does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    try:
        if suffix == ".gif":
            Path(tmp).write_bytes(gif_bytes(replay, options))
        else:
            _write_mp4(replay, tmp, options)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def _write_mp4(replay: Replay, path: str, options: RenderOptions) -> None:
    try:
        import imageio_ffmpeg
    except ImportError:
        raise RuntimeError(
            "MP4 output needs imageio-ffmpeg: pip install 'echelon[video]' (or render a .gif)"
        ) from None
    renderer = TopDownRenderer(replay, options.scale)
    # H.264 in yuv420p wants even sides; pad to a multiple of 16 so ffmpeg does not rescale.
    w, h = (renderer.w + 15) // 16 * 16, (renderer.h + 15) // 16 * 16
    writer = imageio_ffmpeg.write_frames(
        path,
        (w, h),
        fps=options.fps,
        codec="libx264",
        pix_fmt_out="yuv420p",
        quality=7,
        macro_block_size=16,
        ffmpeg_log_level="error",
    )
    writer.send(None)
    try:
        for time in frame_times(replay, options):
            frame = np.zeros((h, w, 3), np.uint8)
            frame[: renderer.h, : renderer.w] = np.asarray(renderer.frame(time))
            writer.send(np.ascontiguousarray(frame))
    finally:
        writer.close()
