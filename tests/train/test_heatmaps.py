"""Heatmaps: binning by hand, the colour ramp, and images logged by the trainer."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import torch

from echelon.train.heatmaps import HeatmapRecorder, heatmaps_supported, render_heatmap


def _hit(shooter: int, target: int, x: float, y: float, value: float) -> dict[str, Any]:
    return {
        "type": "weapon_hit",
        "shooter": shooter,
        "target": target,
        "pos": (x, y, 1.0),
        "value": value,
    }


def _kill(target: int, x: float, y: float) -> dict[str, Any]:
    return {"type": "kill", "shooter": 0, "target": target, "pos": (x, y, 1.0), "value": 0.0}


class FakeSimEnv:
    """Two worlds of 2 blue + 2 red agents on a 40 x 20 map, scripted positions and events."""

    num_worlds, num_agents = 2, 4

    def __init__(self) -> None:
        self.config = SimpleNamespace(map_size=(40, 20, 10))
        self.pos = np.zeros((2, 4, 3), dtype=np.float32)
        self.events_by_world: dict[int, list[dict[str, Any]]] = {0: [], 1: []}
        self.sim = SimpleNamespace(mech_pos=lambda: self.pos, events=self.events_by_world.get)


def test_cells_bin_positions_and_clip_to_the_map() -> None:
    rec = HeatmapRecorder((40, 20, 10), slice(0, 2), 4, grid=4)
    # x cell = floor(x / 40 * 4), y cell = floor(y / 20 * 4), flat = y_cell * 4 + x_cell
    cells = rec.cells(
        np.array([0.0, 9.9, 10.0, 39.9, 55.0, -3.0]), np.array([0.0, 4.9, 5.0, 19.9, 25.0, -1.0])
    )
    assert cells.tolist() == [0, 0, 5, 15, 15, 0]


def test_observe_counts_movement_deaths_kills_and_damage_by_hand() -> None:
    env = FakeSimEnv()
    rec = HeatmapRecorder(env.config.map_size, slice(0, 2), 4, grid=4, sample_every=2)
    env.pos[0] = [[1, 1, 0], [12, 6, 0], [39, 19, 0], [25, 15, 0]]
    env.pos[1] = [[5, 15, 0], [35, 2, 0], [21, 11, 0], [0, 0, 0]]
    terminated = torch.zeros(2, 4, dtype=torch.bool)
    terminated[0, 1] = True  # blue agent dies at (12, 6): cell (1, 1) -> 5
    terminated[0, 3] = True  # red agent dies at (25, 15): cell (2, 3) -> 14
    terminated[1, 2] = True  # world 1 ended: its positions belong to the next episode
    alive = torch.ones(2, 4, dtype=torch.bool)
    alive[0, 1] = alive[0, 3] = False
    env.events_by_world[0] += [_hit(0, 3, 25, 15, 30.0), _hit(2, 0, 1, 1, 99.0)]
    env.events_by_world[1] += [_kill(2, 21, 11), _kill(0, 5, 15), _hit(1, 2, 21, 11, 7.5)]
    info = {"alive": alive, "episode_end": torch.tensor([False, True])}
    rec.observe(env, terminated, info)  # step 0: sampled
    grids = {k: v.ravel() for k, v in rec.grids().items()}
    assert np.flatnonzero(grids["deaths"]).tolist() == [5, 12]  # + world 1's kill of agent 0
    assert grids["deaths"][12] == 1 and grids["deaths"][5] == 1  # (5, 15) -> (0, 3) -> 12
    assert np.flatnonzero(grids["kills"]).tolist() == [10, 14]  # (21, 11) -> (2, 2) -> 10
    # Movement: live blue mechs only -> (1,1)->0, world 1: (5,15)->12, (35,2)->3.
    assert {i: grids["movement"][i] for i in np.flatnonzero(grids["movement"])} == {
        0: 1.0,
        3: 1.0,
        12: 1.0,
    }
    # Damage by blue shooters only, at the victim, weighted by the damage.
    assert {i: grids["damage"][i] for i in np.flatnonzero(grids["damage"])} == {14: 30.0, 10: 7.5}

    info = {"alive": alive, "episode_end": torch.tensor([False, False])}
    rec.observe(env, torch.zeros(2, 4, dtype=torch.bool), info)  # step 1: not sampled
    assert rec.grids()["movement"].sum() == 3 and rec.grids()["damage"].sum() == 37.5
    rec.observe(env, torch.zeros(2, 4, dtype=torch.bool), info)  # step 2: sampled
    assert rec.grids()["movement"].sum() == 6
    rec.clear()
    assert all(v.sum() == 0 for v in rec.grids().values()) and rec.steps == 0


def test_render_is_a_flipped_upscaled_colour_ramp() -> None:
    counts = np.zeros((4, 4))
    counts[0, 3] = 100.0  # y cell 0 (bottom), x cell 3 (right)
    counts[3, 0] = 1.0
    img = render_heatmap(counts, pixels_per_cell=2)
    assert img.shape == (8, 8, 3) and img.dtype == np.uint8
    bottom_right, top_left, empty = img[7, 7], img[0, 0], img[0, 7]
    assert bottom_right.tolist() == [252, 250, 190]  # the hottest cell: top of the ramp
    assert empty.tolist() == [8, 8, 32]  # zero: bottom of the ramp
    assert empty.sum() < top_left.sum() < bottom_right.sum()
    assert (img[6:8, 6:8] == bottom_right).all()  # each cell is a 2 x 2 block
    assert render_heatmap(np.zeros((2, 2))).max() == 32  # nothing recorded: all dark
    with pytest.raises(ValueError, match="2-D"):
        render_heatmap(np.zeros(4))


def test_supported_only_with_a_simulator() -> None:
    assert heatmaps_supported(FakeSimEnv())
    assert not heatmaps_supported(SimpleNamespace(num_worlds=1))


def _real_env_available() -> bool:
    try:
        import echelon

        return hasattr(echelon, "VecEnv")
    except ImportError:
        return False


class ImageLogger:
    """A RunLogger stand-in that keeps what the trainer logs."""

    def __init__(self) -> None:
        self.images: list[tuple[str, np.ndarray, int]] = []

    def image(self, tag: str, image: np.ndarray, step: int) -> None:
        self.images.append((tag, image, step))

    def record(self, kind: str, **fields: Any) -> None:
        pass

    def scalars(self, step: int, metrics: dict[str, float], prefix: str = "train") -> None:
        pass

    def line(self, text: str) -> None:
        pass


@pytest.mark.skipif(not _real_env_available(), reason="echelon.VecEnv (the C++ core) not built")
def test_trainer_logs_heatmaps_every_n_updates() -> None:
    from echelon.train import cli
    from echelon.train.config import resolve_config
    from echelon.train.trainer import Trainer

    env_kwargs = {"map_size": [48, 48, 12], "max_episode_seconds": 5.0}
    cfg = resolve_config(
        "smoke",
        flags={
            "num_worlds": 2,
            "opponent": "heuristic:2",  # it shoots: deaths and damage happen
            "env": env_kwargs,
            "eval_every": 0,
            "save_every": 0,
            "heatmap_every": 2,
            "heatmap_grid": 16,
            "heatmap_sample_every": 2,
            "ppo": {"rollout_steps": 32, "chunk_length": 16},
        },
    )
    logger = ImageLogger()
    trainer = Trainer(cfg, cli.echelon_env_factory(env_kwargs), logger=logger)  # type: ignore[arg-type]
    trainer.train(3)
    tags = sorted(tag for tag, _, _ in logger.images)
    assert tags == ["heatmap/damage", "heatmap/deaths", "heatmap/kills", "heatmap/movement"]
    assert {step for _, _, step in logger.images} == {2 * trainer.samples_per_update}
    assert all(img.shape == (64, 64, 3) and img.dtype == np.uint8 for _, img, _ in logger.images)
    movement = next(img for tag, img, _ in logger.images if tag == "heatmap/movement")
    assert len(np.unique(movement.reshape(-1, 3), axis=0)) > 2  # more than an empty raster
    assert trainer.collector.observer is None  # detached outside the recorded updates
