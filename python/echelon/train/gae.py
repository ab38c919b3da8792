"""Generalised advantage estimation with the episode-end rules of the environment contract.

* ``dones[t]``: the agent's episode ended with step ``t`` (terminated *or* truncated), so
  the trace is cut there and ``values[t + 1]`` (a new episode, or padding) is never used.
* ``bootstrap[t]``: value of the final observation where step ``t`` was a *truncation*
  (time limit), 0 elsewhere. A termination (win, elimination, death) has no future.
* ``valid[t]``: the row is a real transition (padding rule); padding rows get advantage 0
  and never feed a real row, because a real row is always followed by a real row unless
  its ``dones`` flag cuts the trace.

Runs under ``no_grad`` with float64 accumulation (a 512-step recursion in float32 loses
about 1e-5 relative), vectorised over columns with a loop over time.
"""

from __future__ import annotations

import torch
from torch import Tensor


@torch.no_grad()
def compute_gae(
    rewards: Tensor,
    values: Tensor,
    dones: Tensor,
    bootstrap: Tensor,
    valid: Tensor,
    last_value: Tensor,
    gamma: float,
    gae_lambda: float,
) -> tuple[Tensor, Tensor]:
    """Return ``(advantages, returns)`` shaped like ``rewards`` ``[T, B]`` (float32)."""
    if not (0.0 <= gamma <= 1.0 and 0.0 <= gae_lambda <= 1.0):
        raise ValueError(f"gamma and gae_lambda must be in [0, 1], got {gamma}, {gae_lambda}")
    steps = rewards.shape[0]
    r = rewards.to(torch.float64)
    v = values.to(torch.float64)
    cont = (~dones.to(torch.bool)).to(torch.float64)
    boot = bootstrap.to(torch.float64)
    live = valid.to(torch.float64)
    advantages = torch.zeros_like(r)
    next_value = last_value.to(torch.float64)
    running = torch.zeros_like(next_value)
    for t in reversed(range(steps)):
        future = cont[t] * next_value + boot[t]
        delta = r[t] + gamma * future - v[t]
        running = live[t] * (delta + gamma * gae_lambda * cont[t] * running)
        advantages[t] = running
        next_value = v[t]
    returns = (advantages + v) * live
    return advantages.to(rewards.dtype), returns.to(rewards.dtype)
