"""A tiny league of real checkpoints for the league-training tests."""

from __future__ import annotations

from pathlib import Path

import torch

from echelon.arena.league import LeagueStore
from echelon.rl import ActorCriticLSTM
from echelon.train.checkpoint import save_checkpoint


def make_league(
    tmp_path: Path,
    obs_dim: int = 7,
    action_dim: int = 2,
    ids: tuple[str, ...] = ("a", "b", "c"),
    kind: str = "commander",
    hidden: int = 16,
    obs_layout: object = None,
) -> Path:
    """League with one fresh ``ActorCriticLSTM`` checkpoint per id (seeded differently, and
    with different LSTM widths so a mixed-up state would fail loudly)."""
    path = tmp_path / "league" / "league.json"
    store = LeagueStore.create(path)
    for index, entry_id in enumerate(ids):
        torch.manual_seed(100 + index)
        model = ActorCriticLSTM(
            obs_dim,
            action_dim,
            obs_layout=obs_layout,  # type: ignore[arg-type]
            hidden=hidden,
            lstm_hidden=hidden + 4 * index,
        )
        ckpt = save_checkpoint(tmp_path / "ckpts" / entry_id, model, {"config": {}})
        store.add_checkpoint(ckpt, kind=kind, entry_id=entry_id)
    return path
