"""Structured "combat suite" actor-critic: DeepSets over entity blocks, MLPs elsewhere.

Blocks are read from ``obs_layout`` by name and the model uses whichever of them the
layout has, so the same class works with the first environment version (only ``self`` and
``zone``) and with later ones (contacts, squad, suite descriptor, panel statistics...):

* set blocks ``contacts [K, F]`` and ``squad [S, F]``, each with an optional
  ``<name>_mask [K]`` (1 = slot holds an entity; without a mask every slot counts):
  per-entity ``Linear -> LayerNorm -> ReLU -> Linear -> ReLU``, masked mean pool (the
  mean keeps magnitudes independent of the number of entities), the valid fraction
  appended (so counts are not lost), then ``Linear -> ReLU``. Permutation invariant and
  blind to padded slots by construction;
* ``self``, ``suite`` and ``panel`` each get their own MLP;
* every other block (``zone``, local maps, comms...) is flattened into one "rest" MLP.

The encodings are concatenated and fused by ``Linear -> LayerNorm -> ReLU`` (not a final
tanh, which saturates) before the shared LSTM core and heads of ``RecurrentActorCritic``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor, nn

from echelon.rl.init import RELU_GAIN, init_linear
from echelon.rl.model import RecurrentActorCritic, mlp
from echelon.rl.obs_layout import ObsBlock, layout_to_json, parse_obs_layout

SET_BLOCKS: dict[str, int] = {"contacts": 64, "squad": 48}
VECTOR_BLOCKS: dict[str, int] = {"self": 64, "suite": 16, "panel": 16}
REST_WIDTH = 64


class DeepSetEncoder(nn.Module):
    def __init__(self, entity_dim: int, width: int, out_dim: int) -> None:
        super().__init__()
        self.phi = nn.Sequential(
            init_linear(nn.Linear(entity_dim, width), RELU_GAIN),
            nn.LayerNorm(width),
            nn.ReLU(),
            init_linear(nn.Linear(width, width), RELU_GAIN),
            nn.ReLU(),
        )
        self.rho = nn.Sequential(init_linear(nn.Linear(width + 1, out_dim), RELU_GAIN), nn.ReLU())

    def forward(self, entities: Tensor, mask: Tensor) -> Tensor:
        """``entities [..., N, F]``, ``mask [..., N]`` (1 valid) -> ``[..., out_dim]``."""
        weights = mask.unsqueeze(-1)
        count = weights.sum(-2)
        pooled = (self.phi(entities) * weights).sum(-2) / count.clamp_min(1.0)
        fraction = count / mask.shape[-1]
        return self.rho(torch.cat([pooled, fraction], dim=-1))


class SuiteActorCriticLSTM(RecurrentActorCritic):
    def __init__(
        self,
        obs_dim: int,
        action_dim: int,
        obs_layout: Mapping[str, Any] | None = None,
        hidden: int = 128,
        lstm_hidden: int = 128,
        lstm_layers: int = 1,
        log_std_min: float = -5.0,
        log_std_max: float = 1.0,
        log_std_init: float = -0.5,
        recurrence: str = "auto",
    ) -> None:
        layout = parse_obs_layout(obs_layout, obs_dim)
        super().__init__(
            obs_dim,
            action_dim,
            encoder_out=hidden,
            obs_layout=layout,
            lstm_hidden=lstm_hidden,
            lstm_layers=lstm_layers,
            log_std_min=log_std_min,
            log_std_max=log_std_max,
            log_std_init=log_std_init,
            recurrence=recurrence,
        )
        self.hidden = hidden
        self.log_std_init = log_std_init
        self.set_names = [n for n in SET_BLOCKS if n in layout and len(layout[n].shape) == 2]
        self.vector_names = [n for n in VECTOR_BLOCKS if n in layout]
        used = set(self.set_names) | {f"{n}_mask" for n in self.set_names} | set(self.vector_names)
        self.rest_blocks: list[ObsBlock] = sorted(
            (b for n, b in layout.items() if n not in used), key=lambda b: b.start
        )
        self.set_encoders = nn.ModuleDict(
            {
                n: DeepSetEncoder(layout[n].shape[1], SET_BLOCKS[n], SET_BLOCKS[n])
                for n in self.set_names
            }
        )
        self.vector_encoders = nn.ModuleDict(
            {
                n: mlp([layout[n].size, VECTOR_BLOCKS[n], VECTOR_BLOCKS[n]], nn.ReLU)
                for n in self.vector_names
            }
        )
        rest_dim = sum(b.size for b in self.rest_blocks)
        self.rest_encoder = mlp([rest_dim, REST_WIDTH, REST_WIDTH], nn.ReLU) if rest_dim else None
        fused_in = (
            sum(SET_BLOCKS[n] for n in self.set_names)
            + sum(VECTOR_BLOCKS[n] for n in self.vector_names)
            + (REST_WIDTH if rest_dim else 0)
        )
        self.fusion = nn.Sequential(
            init_linear(nn.Linear(fused_in, hidden), RELU_GAIN), nn.LayerNorm(hidden), nn.ReLU()
        )

    def _block(self, obs: Tensor, name: str) -> Tensor:
        b = self.obs_layout[name]
        return obs[..., b.start : b.stop].reshape(*obs.shape[:-1], *b.shape)

    def encode(self, obs: Tensor) -> Tensor:
        parts = []
        for name in self.set_names:
            entities = self._block(obs, name)
            if f"{name}_mask" in self.obs_layout:
                mask = (self._block(obs, f"{name}_mask") > 0.5).to(obs.dtype)
            else:
                mask = obs.new_ones(entities.shape[:-1])
            parts.append(self.set_encoders[name](entities, mask))
        for name in self.vector_names:
            b = self.obs_layout[name]
            parts.append(self.vector_encoders[name](obs[..., b.start : b.stop]))
        if self.rest_encoder is not None:
            rest = torch.cat([obs[..., b.start : b.stop] for b in self.rest_blocks], dim=-1)
            parts.append(self.rest_encoder(rest))
        return self.fusion(torch.cat(parts, dim=-1))

    def spec(self) -> dict[str, Any]:
        return {
            "class": "SuiteActorCriticLSTM",
            "kwargs": {
                "obs_dim": self.obs_dim,
                "action_dim": self.action_dim,
                "obs_layout": layout_to_json(self.obs_layout),
                "hidden": self.hidden,
                "lstm_hidden": self.lstm_hidden,
                "lstm_layers": self.lstm_layers,
                "log_std_min": self.log_std_min,
                "log_std_max": self.log_std_max,
                "log_std_init": self.log_std_init,
                "recurrence": self.recurrence,
            },
        }
