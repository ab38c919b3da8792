"""Where things happen on the map: movement, death, kill and damage heatmaps for TensorBoard.

During the rollout of every ``heatmap_every``-th update the trainer attaches a
``HeatmapRecorder`` to the collector; it bins events of the training worlds into a coarse
``grid x grid`` raster of the map's x-y plane (all worlds share one raster: positions are
in voxels and every world has the same ``map_size``):

* ``movement``: positions of the learner's live mechs (``env.sim.mech_pos()``), sampled
  every ``sample_every`` steps;
* ``deaths`` / ``kills``: where learner mechs / enemy mechs died. Every step, the
  ``terminated`` rows of worlds whose episode goes on are deaths, at the mech's position
  (a wreck stays where it fell); for worlds that ended in this step the positions are
  already the next episode's spawns, so their final-step deaths come from the ``kill``
  events (victim position) instead (hazard deaths in a final step are not counted);
* ``damage``: damage dealt by learner mechs, at the victim (``weapon_hit`` events, value =
  damage), sampled every ``sample_every`` steps. Sampling keeps the cost low and scales all
  cells alike, so the picture is unbiased.

Cost: a few vectorised NumPy operations per step and, every ``sample_every`` steps, one
``events(w)`` call per world, only during the recorded updates. Images are rendered with a
small NumPy colour ramp (no matplotlib in the training loop), ``log1p``-scaled so that spawn
areas do not wash out everything else, and upscaled to ``4 * grid`` pixels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor

CHANNELS = ("movement", "deaths", "kills", "damage")
PIXELS_PER_CELL = 4
# Dark blue -> purple -> orange -> pale yellow: zero cells stay dark, hot cells stand out.
_RAMP = np.array(
    [[8, 8, 32], [84, 22, 120], [200, 60, 80], [250, 160, 40], [252, 250, 190]], dtype=np.float64
)


def heatmaps_supported(env: Any) -> bool:
    sim = getattr(env, "sim", None)
    config = getattr(env, "config", None)
    return (
        callable(getattr(sim, "mech_pos", None))
        and callable(getattr(sim, "events", None))
        and getattr(config, "map_size", None) is not None
    )


def render_heatmap(counts: np.ndarray, pixels_per_cell: int = PIXELS_PER_CELL) -> np.ndarray:
    """``[G, G]`` counts (row = y, column = x) -> ``[H, W, 3]`` uint8 image, y pointing up."""
    if counts.ndim != 2:
        raise ValueError(f"heatmap counts must be 2-D, got shape {counts.shape}")
    scaled = np.log1p(np.maximum(counts, 0.0))
    top = scaled.max()
    level = scaled / top if top > 0 else scaled
    position = level * (len(_RAMP) - 1)
    low = np.floor(position).astype(int).clip(0, len(_RAMP) - 2)
    frac = (position - low)[..., None]
    rgb = _RAMP[low] * (1.0 - frac) + _RAMP[low + 1] * frac
    image = np.flipud(rgb.round().astype(np.uint8))
    return np.repeat(np.repeat(image, pixels_per_cell, axis=0), pixels_per_cell, axis=1)


class HeatmapRecorder:
    """Accumulates per-cell counts over the steps it observes (see the module docstring)."""

    def __init__(
        self,
        map_size: tuple[int, ...],
        learner: slice,
        num_agents: int,
        grid: int = 32,
        sample_every: int = 4,
    ) -> None:
        if grid < 1 or sample_every < 1:
            raise ValueError(f"grid and sample_every must be >= 1, got {grid}, {sample_every}")
        self.size_x, self.size_y = float(map_size[0]), float(map_size[1])
        self.grid, self.sample_every = grid, sample_every
        self.learner_mask = np.zeros(num_agents, dtype=bool)
        self.learner_mask[learner] = True
        self.counts = {name: np.zeros(grid * grid) for name in CHANNELS}
        self.steps = 0

    def clear(self) -> None:
        for counts in self.counts.values():
            counts[:] = 0.0
        self.steps = 0

    def cells(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Flat raster index of positions in voxels (clipped to the map)."""
        gx = np.clip((x / self.size_x * self.grid).astype(np.int64), 0, self.grid - 1)
        gy = np.clip((y / self.size_y * self.grid).astype(np.int64), 0, self.grid - 1)
        return gy * self.grid + gx

    def _add(self, channel: str, x: np.ndarray, y: np.ndarray, weights: Any = None) -> None:
        if x.size:
            cells = self.cells(x, y)
            self.counts[channel] += np.bincount(cells, weights, minlength=self.grid**2)

    def observe(self, env: Any, terminated: Tensor, info: dict[str, Tensor]) -> None:
        pos = np.asarray(env.sim.mech_pos())  # [W, A, 3], positions after this step
        ended = _numpy(info["episode_end"]).astype(bool)
        died = _numpy(terminated).astype(bool) & ~ended[:, None]
        mine = self.learner_mask[None, :]
        self._add("deaths", pos[..., 0][died & mine], pos[..., 1][died & mine])
        self._add("kills", pos[..., 0][died & ~mine], pos[..., 1][died & ~mine])
        for w in np.flatnonzero(ended):
            self._final_step_deaths(env.sim.events(int(w)))
        if self.steps % self.sample_every == 0:
            alive = _numpy(info["alive"]).astype(bool) & mine
            self._add("movement", pos[..., 0][alive], pos[..., 1][alive])
            self._damage(env)
        self.steps += 1

    def _final_step_deaths(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            if event["type"] == "kill" and event["target"] >= 0:
                channel = "deaths" if self.learner_mask[event["target"]] else "kills"
                x, y = event["pos"][0], event["pos"][1]
                self._add(channel, np.array([x]), np.array([y]))

    def _damage(self, env: Any) -> None:
        xs: list[float] = []
        ys: list[float] = []
        values: list[float] = []
        for w in range(int(getattr(env, "num_worlds", 0))):
            for event in env.sim.events(w):
                shooter = event["shooter"]
                if event["type"] == "weapon_hit" and shooter >= 0 and self.learner_mask[shooter]:
                    xs.append(event["pos"][0])
                    ys.append(event["pos"][1])
                    values.append(event["value"])
        self._add("damage", np.array(xs), np.array(ys), np.array(values))

    def grids(self) -> dict[str, np.ndarray]:
        """Counts per channel as ``[G, G]`` arrays (row = y cell, column = x cell)."""
        return {k: v.reshape(self.grid, self.grid).copy() for k, v in self.counts.items()}

    def images(self) -> dict[str, np.ndarray]:
        return {k: render_heatmap(v) for k, v in self.grids().items()}


def _numpy(x: Tensor) -> np.ndarray:
    return x.detach().to("cpu", torch.uint8 if x.dtype == torch.bool else x.dtype).numpy()


__all__ = ["CHANNELS", "HeatmapRecorder", "heatmaps_supported", "render_heatmap"]
