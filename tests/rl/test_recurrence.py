"""The chunked LSTM paths equal the step-by-step reference: outputs, final state, grads."""

from __future__ import annotations

import pytest
import torch

from echelon.rl import ActorCriticLSTM, LSTMState, SuiteActorCriticLSTM
from tolerance import assert_close_f32


def _episode_starts(steps: int, batch: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    starts = torch.rand(steps, batch, generator=g) < 0.2
    starts[:, 0] = False  # a column with no reset inside the chunk
    starts[0, 1] = True  # reset at the very first step
    starts[[2, 3, 7], 2] = True  # back-to-back resets
    starts[-1, 3] = True  # reset on the last step
    return starts


def _losses(model, obs, state, starts, actions, mode):
    out, final = model.forward_sequence(obs, state, starts, recurrence=mode)
    dist = model.distribution(out)
    logp = dist.log_prob(actions)
    ent = dist.entropy()
    loss = logp.sum() + out.value.pow(2).sum() + 0.1 * ent.sum() + final.h.sum() + final.c.sum()
    grads = torch.autograd.grad(loss, [*model.parameters(), state.h, state.c])
    return out, logp, ent, final, grads


@pytest.mark.parametrize("mode", ["segments", "packed", "steps", "auto"])
@pytest.mark.parametrize("layers", [1, 2])
def test_chunked_equals_reference(mode: str, layers: int) -> None:
    torch.manual_seed(0)
    steps, batch, obs_dim, act_dim = 12, 6, 9, 3
    model = ActorCriticLSTM(obs_dim, act_dim, hidden=24, lstm_hidden=16, lstm_layers=layers)
    obs = torch.randn(steps, batch, obs_dim)
    actions = torch.rand(steps, batch, act_dim) * 2 - 1
    starts = _episode_starts(steps, batch, seed=1)
    h0 = torch.randn(layers, batch, 16, requires_grad=True)
    c0 = torch.randn(layers, batch, 16, requires_grad=True)
    ref = _losses(model, obs, LSTMState(h0, c0), starts, actions, "reference")
    got = _losses(model, obs, LSTMState(h0, c0), starts, actions, mode)
    for a, b in zip(ref[0], got[0], strict=True):
        assert_close_f32(b, a)
    assert_close_f32(got[1], ref[1])
    assert_close_f32(got[2], ref[2])
    assert_close_f32(got[3].h, ref[3].h)
    assert_close_f32(got[3].c, ref[3].c)
    for g_ref, g_got in zip(ref[4], got[4], strict=True):
        assert_close_f32(g_got, g_ref)
    # Resets really cut the gradient: column 1 resets at t=0, so its incoming state
    # gets no gradient at all.
    assert torch.all(got[4][-2][:, 1] == 0) and torch.all(got[4][-1][:, 1] == 0)


def test_chunk_equals_repeated_single_steps_of_the_rollout_path() -> None:
    torch.manual_seed(3)
    model = SuiteActorCriticLSTM(
        12, 2, {"self": (slice(0, 4), (4,)), "zone": (slice(4, 12), (8,))}, hidden=16, lstm_hidden=8
    )
    steps, batch = 10, 5
    obs = torch.randn(steps, batch, 12)
    starts = _episode_starts(steps, batch, seed=4)
    state = model.initial_state(batch)
    values = []
    with torch.no_grad():
        s = state
        for t in range(steps):
            out, s = model(obs[t], s, starts[t])
            values.append(out.value)
        chunk, final = model.forward_sequence(obs, state, starts)
    assert_close_f32(chunk.value, torch.stack(values))
    assert_close_f32(final.h, s.h)


def test_reset_makes_output_independent_of_incoming_state() -> None:
    torch.manual_seed(5)
    model = ActorCriticLSTM(4, 2, hidden=8, lstm_hidden=8)
    obs = torch.randn(3, 2, 4)
    starts = torch.tensor([[True, False], [False, False], [False, False]])
    a = model.forward_sequence(obs, LSTMState(torch.randn(1, 2, 8), torch.randn(1, 2, 8)), starts)
    b = model.forward_sequence(obs, LSTMState(torch.randn(1, 2, 8), torch.randn(1, 2, 8)), starts)
    torch.testing.assert_close(a[0].value[:, 0], b[0].value[:, 0])
    assert not torch.allclose(a[0].value[:, 1], b[0].value[:, 1])


def test_unknown_recurrence_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="recurrence"):
        ActorCriticLSTM(4, 2, recurrence="cudnn-magic")
