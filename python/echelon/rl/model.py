"""Recurrent actor-critic models.

``RecurrentActorCritic`` holds everything shared: the LSTM core, the actor heads (mean and
a state-dependent, bounded log-std), the critic head, the squashed-Gaussian distribution,
``act`` (the ``RecurrentPolicy`` protocol) and ``forward_sequence`` (the chunked TBPTT
path). Subclasses only provide the observation encoder:

* ``ActorCriticLSTM``: a plain MLP over the whole flat observation;
* ``SuiteActorCriticLSTM`` (``echelon.rl.suite_model``): DeepSets over entity blocks.

The value head predicts the *normalised* return; the trainer owns the normaliser and
de-normalises values before GAE.
"""

from __future__ import annotations

import abc
import itertools
from collections.abc import Mapping
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn

from echelon.rl.distributions import SquashedGaussian
from echelon.rl.init import (
    POLICY_HEAD_GAIN,
    TANH_GAIN,
    VALUE_HEAD_GAIN,
    init_linear,
    init_lstm,
)
from echelon.rl.lstm_state import LSTMState
from echelon.rl.obs_layout import ObsLayout, layout_to_json, parse_obs_layout
from echelon.rl.recurrence import RECURRENCE_MODES, run_lstm


class PolicyOutput(NamedTuple):
    """Per-step model outputs; leading dims are ``[L, B]`` or ``[B]``."""

    mean: Tensor
    log_std: Tensor
    value: Tensor


def mlp(sizes: list[int], activation: type[nn.Module] = nn.Tanh) -> nn.Sequential:
    gain = TANH_GAIN if activation is nn.Tanh else 2.0**0.5
    layers: list[nn.Module] = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        layers += [init_linear(nn.Linear(fan_in, fan_out), gain), activation()]
    return nn.Sequential(*layers)


class RecurrentActorCritic(nn.Module, abc.ABC):
    """Encoder -> LSTM -> (actor mean, actor log-std, critic)."""

    def __init__(
        self,
        obs_dim: int,
        action_dim: int,
        encoder_out: int,
        obs_layout: ObsLayout,
        lstm_hidden: int = 128,
        lstm_layers: int = 1,
        log_std_min: float = -5.0,
        log_std_max: float = 1.0,
        log_std_init: float = -0.5,
        recurrence: str = "auto",
    ) -> None:
        super().__init__()
        if obs_dim <= 0 or action_dim <= 0:
            raise ValueError(
                f"obs_dim and action_dim must be positive, got {obs_dim}, {action_dim}"
            )
        if not log_std_min < log_std_init < log_std_max:
            raise ValueError(
                f"need log_std_min < log_std_init < log_std_max, got "
                f"{log_std_min}, {log_std_init}, {log_std_max}"
            )
        if recurrence not in RECURRENCE_MODES:
            raise ValueError(f"recurrence must be one of {RECURRENCE_MODES}, got {recurrence!r}")
        self.obs_dim = obs_dim
        self.action_dim = action_dim
        self.obs_layout = obs_layout
        self.lstm_hidden = lstm_hidden
        self.lstm_layers = lstm_layers
        self.log_std_min = log_std_min
        self.log_std_max = log_std_max
        self.recurrence = recurrence
        self.lstm = nn.LSTM(encoder_out, lstm_hidden, num_layers=lstm_layers)
        init_lstm(self.lstm)
        self.actor_mean = init_linear(nn.Linear(lstm_hidden, action_dim), POLICY_HEAD_GAIN)
        # log_std = min + (max - min) * (tanh(raw) + 1) / 2; the bias sets the initial std.
        frac = (log_std_init - log_std_min) / (log_std_max - log_std_min)
        raw_bias = float(torch.atanh(torch.tensor(2.0 * frac - 1.0)))
        self.actor_log_std = init_linear(
            nn.Linear(lstm_hidden, action_dim), POLICY_HEAD_GAIN, bias=raw_bias
        )
        self.critic = init_linear(nn.Linear(lstm_hidden, 1), VALUE_HEAD_GAIN)

    # -- subclasses ---------------------------------------------------------------------
    @abc.abstractmethod
    def encode(self, obs: Tensor) -> Tensor:
        """``[..., obs_dim] -> [..., encoder_out]``."""

    @abc.abstractmethod
    def spec(self) -> dict[str, Any]:
        """Constructor arguments as JSON data, enough to rebuild the model (checkpoints)."""

    # -- shared ------------------------------------------------------------------------
    def initial_state(self, batch_size: int, device: torch.device | str | None = None) -> LSTMState:
        if device is None:
            device = self.critic.weight.device
        return LSTMState.zeros(self.lstm_layers, batch_size, self.lstm_hidden, device)

    def _heads(self, features: Tensor) -> PolicyOutput:
        raw = torch.tanh(self.actor_log_std(features))
        log_std = self.log_std_min + 0.5 * (self.log_std_max - self.log_std_min) * (raw + 1.0)
        return PolicyOutput(self.actor_mean(features), log_std, self.critic(features).squeeze(-1))

    def forward_sequence(
        self, obs: Tensor, state: LSTMState, episode_start: Tensor, recurrence: str | None = None
    ) -> tuple[PolicyOutput, LSTMState]:
        """Run a ``[L, B, obs_dim]`` chunk; resets where ``episode_start [L, B]`` is set."""
        if obs.dim() != 3 or obs.shape[-1] != self.obs_dim:
            raise ValueError(f"obs must be [L, B, {self.obs_dim}], got {tuple(obs.shape)}")
        features = self.encode(obs)
        core, final = run_lstm(
            self.lstm, features, state, episode_start, recurrence or self.recurrence
        )
        return self._heads(core), final

    def forward(
        self, obs: Tensor, state: LSTMState, episode_start: Tensor
    ) -> tuple[PolicyOutput, LSTMState]:
        """One step: ``obs [B, obs_dim]``, ``episode_start [B]``."""
        out, final = self.forward_sequence(obs.unsqueeze(0), state, episode_start.unsqueeze(0))
        return PolicyOutput(*(t.squeeze(0) for t in out)), final

    @staticmethod
    def distribution(out: PolicyOutput) -> SquashedGaussian:
        return SquashedGaussian(out.mean, out.log_std)

    @torch.no_grad()
    def act(
        self, obs: Tensor, state: LSTMState, episode_start: Tensor, deterministic: bool = False
    ) -> tuple[Tensor, LSTMState]:
        out, next_state = self(obs.float(), state, episode_start)
        dist = self.distribution(out)
        action = dist.mode() if deterministic else dist.sample()
        return action, next_state


class ActorCriticLSTM(RecurrentActorCritic):
    """Flat observation -> MLP encoder (tanh) -> LSTM -> heads."""

    def __init__(
        self,
        obs_dim: int,
        action_dim: int,
        obs_layout: Mapping[str, Any] | None = None,
        hidden: int = 128,
        lstm_hidden: int = 128,
        encoder_layers: int = 2,
        lstm_layers: int = 1,
        log_std_min: float = -5.0,
        log_std_max: float = 1.0,
        log_std_init: float = -0.5,
        recurrence: str = "auto",
    ) -> None:
        super().__init__(
            obs_dim,
            action_dim,
            encoder_out=hidden,
            obs_layout=parse_obs_layout(obs_layout, obs_dim),
            lstm_hidden=lstm_hidden,
            lstm_layers=lstm_layers,
            log_std_min=log_std_min,
            log_std_max=log_std_max,
            log_std_init=log_std_init,
            recurrence=recurrence,
        )
        self.hidden = hidden
        self.encoder_layers = encoder_layers
        self.log_std_init = log_std_init
        self.encoder = mlp([obs_dim] + [hidden] * encoder_layers)

    def encode(self, obs: Tensor) -> Tensor:
        return self.encoder(obs)

    def spec(self) -> dict[str, Any]:
        return {
            "class": "ActorCriticLSTM",
            "kwargs": {
                "obs_dim": self.obs_dim,
                "action_dim": self.action_dim,
                "obs_layout": layout_to_json(self.obs_layout),
                "hidden": self.hidden,
                "lstm_hidden": self.lstm_hidden,
                "encoder_layers": self.encoder_layers,
                "lstm_layers": self.lstm_layers,
                "log_std_min": self.log_std_min,
                "log_std_max": self.log_std_max,
                "log_std_init": self.log_std_init,
                "recurrence": self.recurrence,
            },
        }


def compile_model(model: RecurrentActorCritic, **compile_kwargs: Any) -> RecurrentActorCritic:
    """``torch.compile`` the model's ``forward_sequence`` in place (and return the model).

    Switches the recurrence to ``"steps"`` (no host sync, no data-dependent control flow)
    and enables Dynamo's ``allow_rnn``: by default Dynamo refuses to trace any code that
    touches an ``nn.LSTM`` module, although the steps path only reads its parameters and
    the one-step path calls the plain aten LSTM op. With both, the whole forward is one
    graph (``fullgraph=True`` is checked in the tests).
    """
    import torch._dynamo

    torch._dynamo.config.allow_rnn = True
    model.recurrence = "steps"
    eager = model.forward_sequence
    model.forward_sequence = torch.compile(eager, **compile_kwargs)  # type: ignore[method-assign]
    return model
