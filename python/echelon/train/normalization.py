"""Running mean/variance of a scalar stream (value targets), kept on the learner device.

Statistics are float64 0-d tensors so updating them never forces a host sync; they become
Python floats only in ``state_dict`` (checkpoints). The merge is Chan et al.'s parallel
algorithm with *population* variances on both sides (the reference mixed an unbiased
batch variance into a population merge, so two half-batches did not equal one batch).

``update(..., reduce=comm.sum_)`` makes the batch the union of every rank's batch (a
distributed run): the batch count, sum and squared deviations are summed over ranks before the
merge, so every rank keeps the same statistics.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

NORM_EPS = 1e-8


class RunningMeanStd:
    def __init__(self, device: torch.device | str = "cpu") -> None:
        self.mean = torch.zeros((), dtype=torch.float64, device=device)
        self.var = torch.ones((), dtype=torch.float64, device=device)
        self.count = torch.zeros((), dtype=torch.float64, device=device)

    @torch.no_grad()
    def update(
        self,
        x: Tensor,
        mask: Tensor | None = None,
        reduce: Callable[[Tensor], Tensor] | None = None,
    ) -> None:
        """Fold in the elements of ``x`` (only where ``mask`` is true, if given); ``reduce``
        sums a tensor over the ranks of a distributed run (in place)."""
        reduce = reduce or _identity
        x = x.detach().to(torch.float64)
        weights = torch.ones_like(x) if mask is None else mask.to(torch.float64)
        n = reduce(weights.sum())
        safe_n = n.clamp_min(1.0)
        batch_mean = reduce((x * weights).sum()) / safe_n
        batch_var = reduce((((x - batch_mean) ** 2) * weights).sum()) / safe_n
        total = self.count + n
        safe_total = total.clamp_min(1.0)
        delta = batch_mean - self.mean
        new_mean = self.mean + delta * n / safe_total
        m2 = self.var * self.count + batch_var * n + delta**2 * self.count * n / safe_total
        has_data = total > 0
        # With no data yet (and no new data) the stats keep their neutral initial values.
        self.mean = torch.where(has_data, new_mean, self.mean)
        self.var = torch.where(has_data, m2 / safe_total, self.var)
        self.count = total

    @property
    def std(self) -> Tensor:
        return torch.sqrt(self.var + NORM_EPS)

    def normalize(self, x: Tensor) -> Tensor:
        return ((x - self.mean) / self.std).to(x.dtype)

    def denormalize(self, x: Tensor) -> Tensor:
        return (x * self.std + self.mean).to(x.dtype)

    def state_dict(self) -> dict[str, float]:
        return {"mean": float(self.mean), "var": float(self.var), "count": float(self.count)}

    def load_state_dict(self, state: dict[str, float]) -> None:
        for key in ("mean", "var", "count"):
            if key not in state:
                raise KeyError(f"normaliser state is missing {key!r}")
            setattr(
                self,
                key,
                torch.tensor(float(state[key]), dtype=torch.float64, device=self.mean.device),
            )


def _identity(t: Tensor) -> Tensor:
    return t
