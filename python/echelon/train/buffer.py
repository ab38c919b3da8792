"""Rollout storage, preallocated once on the learner device and reused every update.

Layout is time-major ``[T, B]`` with ``B = worlds x learning agents`` (world-major
columns). LSTM states are kept only at chunk starts (every ``chunk_length`` steps), which
is all truncated BPTT needs: ``T / L`` states instead of ``T``.
"""

from __future__ import annotations

import torch
from torch import Tensor

from echelon.rl.lstm_state import LSTMState


class RolloutBuffer:
    def __init__(
        self,
        steps: int,
        columns: int,
        obs_dim: int,
        action_dim: int,
        chunk_length: int,
        lstm_layers: int,
        lstm_hidden: int,
        device: torch.device | str,
    ) -> None:
        if steps % chunk_length:
            raise ValueError(
                f"rollout_steps ({steps}) must be a multiple of chunk_length ({chunk_length})"
            )
        self.steps, self.columns, self.chunk_length = steps, columns, chunk_length
        self.num_chunks = steps // chunk_length
        self.device = torch.device(device)

        def zeros(*shape: int, dtype: torch.dtype = torch.float32) -> Tensor:
            return torch.zeros(shape, dtype=dtype, device=self.device)

        self.obs = zeros(steps, columns, obs_dim)
        self.actions = zeros(steps, columns, action_dim)
        self.logprobs = zeros(steps, columns)
        self.values = zeros(steps, columns)  # de-normalised V(s_t)
        self.rewards = zeros(steps, columns)
        self.bootstrap = zeros(steps, columns)  # V(final obs) on truncation rows
        self.dones = zeros(steps, columns, dtype=torch.bool)
        self.valid = zeros(steps, columns, dtype=torch.bool)
        self.episode_start = zeros(steps, columns, dtype=torch.bool)
        self.start_h = zeros(self.num_chunks, lstm_layers, columns, lstm_hidden)
        self.start_c = zeros(self.num_chunks, lstm_layers, columns, lstm_hidden)
        self.last_value = zeros(columns)
        self.advantages = zeros(steps, columns)
        self.returns = zeros(steps, columns)

    def store_state(self, t: int, state: LSTMState) -> None:
        """Record the state entering step ``t`` when ``t`` starts a chunk."""
        if t % self.chunk_length == 0:
            self.start_h[t // self.chunk_length].copy_(state.h)
            self.start_c[t // self.chunk_length].copy_(state.c)

    def chunk_start_state(self, chunk: int) -> LSTMState:
        return LSTMState(self.start_h[chunk], self.start_c[chunk])

    # -- sequence views for minibatches: sequence s = chunk * B + column -----------------
    @property
    def num_sequences(self) -> int:
        return self.num_chunks * self.columns

    def sequence_index(self, seqs: Tensor) -> tuple[Tensor, Tensor]:
        """Time and column indices ``[L, M]`` of the given sequence ids ``[M]``."""
        chunk = torch.div(seqs, self.columns, rounding_mode="floor")
        column = seqs % self.columns
        offsets = torch.arange(self.chunk_length, device=seqs.device).unsqueeze(1)
        return chunk.unsqueeze(0) * self.chunk_length + offsets, column.unsqueeze(0).expand(
            self.chunk_length, -1
        )

    def sequence_start_state(self, seqs: Tensor) -> LSTMState:
        chunk = torch.div(seqs, self.columns, rounding_mode="floor")
        column = seqs % self.columns
        return LSTMState(
            self.start_h[chunk, :, column].transpose(0, 1),
            self.start_c[chunk, :, column].transpose(0, 1),
        )
