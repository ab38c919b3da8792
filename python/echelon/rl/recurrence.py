"""Running an ``nn.LSTM`` over a ``[L, B]`` chunk whose columns restart episodes mid-chunk.

``episode_start[t, b] = 1`` means ``x[t, b]`` is the first input of a new episode: column
``b``'s state is zeroed *before* step ``t``. Implementations, all exact (the tests check
outputs, final states and gradients against ``reference`` to 1e-5):

``reference``
    The semantics, written plainly: ``L`` calls of ``nn.LSTM`` on length-1 sequences with
    the state masked before each. Ground truth for the tests and the benchmark baseline.

``segments``
    Cut the chunk *in time* at every step where any column restarts, run one ``nn.LSTM``
    call per piece (the fused ATen/cuDNN sequence kernel, input projection hoisted out of
    the time loop) and mask the state between pieces. With no restart inside the chunk it
    is a single call; in the worst case (a restart at every step) it is ``L`` calls, i.e.
    the reference. One host sync per chunk (the cut times).

``packed``
    Cut every *column* at its restarts into independent sequences, gather them into one
    padded ``[L_max, S, I]`` tensor and make a single ``nn.LSTM`` call on a
    ``PackedSequence`` (later segments start from zeros). One call whatever the reset
    pattern: the right shape for cuDNN, which runs packed sequences natively. On the CPU,
    PyTorch's packed LSTM is built from per-step autograd slices whose backward writes a
    full-size gradient per step, so it gets *slower* than the reference as soon as
    segments outnumber columns (measured in ``bench/bench_ppo.py``); not used on CPU.

``steps``
    Input projection for all ``L`` steps in one matmul, then a Python loop over ``t`` doing
    only ``h @ W_hh^T``, the gate nonlinearities and the reset mask. No host sync and no
    data-dependent control flow, so ``torch.compile`` turns it into one graph; this is the
    mode used when compiling.

``auto`` (default) picks ``packed`` for CUDA tensors and ``segments`` otherwise.
"""

from __future__ import annotations

import itertools
from typing import Literal

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from echelon.rl.lstm_state import LSTMState

RecurrenceMode = Literal["auto", "segments", "packed", "steps", "reference"]
RECURRENCE_MODES: tuple[str, ...] = ("auto", "segments", "packed", "steps", "reference")


def lstm_reference(
    lstm: nn.LSTM, x: Tensor, state: LSTMState, episode_start: Tensor
) -> tuple[Tensor, LSTMState]:
    h, c = state
    outputs = []
    for t in range(x.shape[0]):
        keep = (1.0 - episode_start[t].to(x.dtype)).view(1, -1, 1)
        out, (h, c) = lstm(x[t : t + 1], (h * keep, c * keep))
        outputs.append(out)
    return torch.cat(outputs, dim=0), LSTMState(h, c)


def lstm_segments(
    lstm: nn.LSTM, x: Tensor, state: LSTMState, episode_start: Tensor
) -> tuple[Tensor, LSTMState]:
    steps = x.shape[0]
    inner_resets = torch.nonzero(episode_start[1:].any(dim=1)).flatten() + 1
    cuts = [0, *inner_resets.tolist(), steps]
    h, c = state
    outputs = []
    for start, stop in itertools.pairwise(cuts):
        keep = (1.0 - episode_start[start].to(x.dtype)).view(1, -1, 1)
        out, (h, c) = lstm(x[start:stop], (h * keep, c * keep))
        outputs.append(out)
    return torch.cat(outputs, dim=0), LSTMState(h, c)


def lstm_steps(
    lstm: nn.LSTM, x: Tensor, state: LSTMState, episode_start: Tensor
) -> tuple[Tensor, LSTMState]:
    keep = (1.0 - episode_start.to(x.dtype)).unsqueeze(-1)  # [L, B, 1]
    layer_input = x
    final_h, final_c = [], []
    for layer in range(lstm.num_layers):
        w_ih = getattr(lstm, f"weight_ih_l{layer}")
        w_hh = getattr(lstm, f"weight_hh_l{layer}")
        bias = getattr(lstm, f"bias_ih_l{layer}") + getattr(lstm, f"bias_hh_l{layer}")
        projected = torch.nn.functional.linear(layer_input, w_ih, bias)  # [L, B, 4H]
        h, c = state.h[layer], state.c[layer]
        outputs = []
        for t in range(x.shape[0]):
            h = h * keep[t]
            c = c * keep[t]
            gates = torch.addmm(projected[t], h, w_hh.t())
            i, f, g, o = gates.chunk(4, dim=-1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            outputs.append(h)
        layer_input = torch.stack(outputs, dim=0)
        final_h.append(h)
        final_c.append(c)
    return layer_input, LSTMState(torch.stack(final_h), torch.stack(final_c))


def lstm_packed(
    lstm: nn.LSTM, x: Tensor, state: LSTMState, episode_start: Tensor
) -> tuple[Tensor, LSTMState]:
    steps, batch = x.shape[0], x.shape[1]
    starts = episode_start.to(torch.bool).clone()
    # Step 0 always opens a segment; whether it is a reset is handled by masking the
    # incoming state below.
    reset_at_0 = starts[0].clone()
    starts[0] = True
    seg_in_col = torch.cumsum(starts.to(torch.long), dim=0) - 1  # [L, B]
    segs_per_col = seg_in_col[-1] + 1  # [B]
    col_offset = torch.cumsum(segs_per_col, dim=0) - segs_per_col  # exclusive cumsum
    seg = seg_in_col + col_offset  # global segment id, [L, B]
    time = torch.arange(steps, device=x.device).unsqueeze(1).expand(steps, batch)
    seg_start_time = torch.zeros(int(segs_per_col.sum()), dtype=torch.long, device=x.device)
    seg_start_time[seg[starts]] = time[starts]
    pos = time - seg_start_time[seg]  # position of each step inside its segment
    num_segs = seg_start_time.shape[0]
    lengths = torch.bincount(seg.flatten(), minlength=num_segs)

    lengths_cpu = lengths.cpu()
    max_len = int(lengths_cpu.max())
    padded = x.new_zeros(max_len, num_segs, x.shape[-1])
    padded = padded.index_put((pos.flatten(), seg.flatten()), x.reshape(steps * batch, -1))

    first_seg = col_offset  # each column's first segment continues the incoming state
    keep0 = (~reset_at_0).to(x.dtype).view(1, -1, 1)
    shape = (lstm.num_layers, num_segs, lstm.hidden_size)
    h0 = x.new_zeros(shape).index_copy(1, first_seg, state.h * keep0)
    c0 = x.new_zeros(shape).index_copy(1, first_seg, state.c * keep0)

    packed = pack_padded_sequence(padded, lengths_cpu, enforce_sorted=False)
    out_packed, (h_n, c_n) = lstm(packed, (h0, c0))
    out_padded, _ = pad_packed_sequence(out_packed, total_length=max_len)
    out = out_padded[pos, seg]  # [L, B, H]
    last_seg = seg[-1]
    return out, LSTMState(h_n[:, last_seg], c_n[:, last_seg])


_IMPLEMENTATIONS = {
    "segments": lstm_segments,
    "packed": lstm_packed,
    "steps": lstm_steps,
    "reference": lstm_reference,
}


def run_lstm(
    lstm: nn.LSTM, x: Tensor, state: LSTMState, episode_start: Tensor, mode: str = "auto"
) -> tuple[Tensor, LSTMState]:
    """Run ``lstm`` over ``x [L, B, I]`` with per-step resets; returns ``([L, B, H], state)``."""
    if x.shape[0] == 1:
        # One step: every mode reduces to this, and it keeps the rollout path sync-free.
        keep = (1.0 - episode_start[0].to(x.dtype)).view(1, -1, 1)
        out, (h, c) = lstm(x, (state.h * keep, state.c * keep))
        return out, LSTMState(h, c)
    if mode == "auto":
        mode = "packed" if x.is_cuda else "segments"
    try:
        impl = _IMPLEMENTATIONS[mode]
    except KeyError:
        raise ValueError(
            f"recurrence mode must be one of {RECURRENCE_MODES}, got {mode!r}"
        ) from None
    return impl(lstm, x, state, episode_start)
