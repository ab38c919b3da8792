"""Orthogonal initialisation, in one place so every model uses the same gains.

Gains (documented once, used everywhere):

* hidden ``Linear`` layers followed by tanh: ``5/3`` (``nn.init.calculate_gain("tanh")``);
  followed by ReLU: ``sqrt(2)``. Biases 0.
* LSTM: each gate block of ``weight_ih`` and ``weight_hh`` gets its own orthogonal matrix
  with gain 1 (orthogonal recurrences neither explode nor vanish at initialisation);
  biases 0 except the forget gate, whose ``bias_ih`` part is 1 so early training keeps
  memory (Jozefowicz et al., 2015).
* actor mean and log-std heads: gain 0.01 (near-identical actions for all states at the
  start, so early updates are not dominated by a random initial policy);
  critic head: gain 1.
"""

from __future__ import annotations

import math

import torch
from torch import nn

TANH_GAIN = 5.0 / 3.0
RELU_GAIN = math.sqrt(2.0)
POLICY_HEAD_GAIN = 0.01
VALUE_HEAD_GAIN = 1.0


def init_linear(layer: nn.Linear, gain: float, bias: float = 0.0) -> nn.Linear:
    nn.init.orthogonal_(layer.weight, gain=gain)
    nn.init.constant_(layer.bias, bias)
    return layer


@torch.no_grad()
def init_lstm(lstm: nn.LSTM, forget_bias: float = 1.0) -> None:
    hidden = lstm.hidden_size
    for name, param in lstm.named_parameters():
        if name.startswith("weight"):
            for block in param.split(hidden, dim=0):
                nn.init.orthogonal_(block, gain=1.0)
        elif name.startswith("bias"):
            param.zero_()
            if name.startswith("bias_ih"):
                # Gate order in PyTorch is (input, forget, cell, output).
                param[hidden : 2 * hidden].fill_(forget_bias)
