"""Recurrent state carried between policy calls.

A ``NamedTuple`` (not a dataclass) so that ``torch.compile`` traces it as a plain tuple of
tensors without graph breaks, and so that it unpacks like ``nn.LSTM``'s ``(h, c)``.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor


class LSTMState(NamedTuple):
    """Hidden and cell state, each ``[num_layers, batch, hidden]``."""

    h: Tensor
    c: Tensor

    def detach(self) -> LSTMState:
        return LSTMState(self.h.detach(), self.c.detach())

    def clone(self) -> LSTMState:
        return LSTMState(self.h.clone(), self.c.clone())

    def select(self, columns: Tensor) -> LSTMState:
        """Select batch columns (dim 1) of both tensors."""
        return LSTMState(self.h[:, columns], self.c[:, columns])

    def masked(self, keep: Tensor) -> LSTMState:
        """Zero the columns where ``keep`` is 0 (``keep`` is ``[batch]``, 0/1 float)."""
        k = keep.to(self.h.dtype).view(1, -1, 1)
        return LSTMState(self.h * k, self.c * k)

    @staticmethod
    def zeros(
        num_layers: int, batch_size: int, hidden: int, device: torch.device | str = "cpu"
    ) -> LSTMState:
        shape = (num_layers, batch_size, hidden)
        return LSTMState(torch.zeros(shape, device=device), torch.zeros(shape, device=device))
