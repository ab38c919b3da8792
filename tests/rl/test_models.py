"""Model construction, init, protocol, suite model behaviour, layout validation."""

from __future__ import annotations

import pytest
import torch

from echelon.rl import (
    ActorCriticLSTM,
    LSTMState,
    RecurrentPolicy,
    SuiteActorCriticLSTM,
    build_model,
    compile_model,
    parse_obs_layout,
)
from tolerance import assert_close_f32

SUITE_LAYOUT = {
    "self": (slice(0, 5), (5,)),
    "zone": (slice(5, 8), (3,)),
    "contacts": (slice(8, 20), (4, 3)),
    "contacts_mask": (slice(20, 24), (4,)),
    "squad": (slice(24, 32), (4, 2)),
    "squad_mask": (slice(32, 36), (4,)),
    "panel": (slice(36, 40), (4,)),
}


def test_lstm_state_is_a_namedtuple_of_tensors() -> None:
    s = LSTMState(torch.zeros(1, 2, 3), torch.ones(1, 2, 3))
    h, c = s
    assert isinstance(s, tuple) and h.shape == c.shape == (1, 2, 3)
    with pytest.raises(AttributeError):
        s.h = torch.zeros(1)  # type: ignore[misc]


def test_orthogonal_init_including_the_lstm() -> None:
    model = ActorCriticLSTM(10, 4, hidden=32, lstm_hidden=16)
    for name in ("weight_ih_l0", "weight_hh_l0"):
        for block in getattr(model.lstm, name).split(16, dim=0):
            gram = block @ block.T if block.shape[0] <= block.shape[1] else block.T @ block
            assert_close_f32(gram, torch.eye(gram.shape[0]))
    forget = model.lstm.bias_ih_l0[16:32] + model.lstm.bias_hh_l0[16:32]
    assert torch.all(forget == 1.0)
    other = torch.cat([model.lstm.bias_ih_l0[:16], model.lstm.bias_ih_l0[32:]])
    assert torch.all(other == 0)
    w = model.actor_mean.weight
    assert_close_f32(w @ w.T, 1e-4 * torch.eye(4))


def test_log_std_is_state_dependent_and_bounded() -> None:
    torch.manual_seed(0)
    model = ActorCriticLSTM(
        6, 2, hidden=16, lstm_hidden=8, log_std_min=-3.0, log_std_max=0.5, log_std_init=-1.0
    )
    with torch.no_grad():
        model.actor_log_std.weight.normal_(0, 50.0)
    obs = torch.randn(64, 6) * 10
    out, _ = model(obs, model.initial_state(64), torch.ones(64, dtype=torch.bool))
    assert out.log_std.min() >= -3.0 and out.log_std.max() <= 0.5
    assert out.log_std.std() > 0.1
    fresh = ActorCriticLSTM(6, 2, hidden=16, lstm_hidden=8, log_std_init=-1.0)
    out, _ = fresh(obs, fresh.initial_state(64), torch.ones(64, dtype=torch.bool))
    assert abs(float(out.log_std.mean().detach()) + 1.0) < 0.05


def test_act_follows_the_policy_protocol() -> None:
    torch.manual_seed(0)
    model = ActorCriticLSTM(6, 3, hidden=16, lstm_hidden=8)
    assert isinstance(model, RecurrentPolicy)
    state = model.initial_state(5, torch.device("cpu"))
    assert state.h.shape == (1, 5, 8)
    a, s2 = model.act(torch.randn(5, 6), state, torch.ones(5, dtype=torch.bool))
    assert a.shape == (5, 3) and a.abs().max() < 1 and not a.requires_grad
    d1, _ = model.act(torch.ones(5, 6), s2, torch.zeros(5), deterministic=True)
    d2, _ = model.act(torch.ones(5, 6), s2, torch.zeros(5), deterministic=True)
    assert torch.equal(d1, d2)


def test_gradients_reach_every_parameter() -> None:
    torch.manual_seed(0)
    for model in (
        ActorCriticLSTM(40, 3, SUITE_LAYOUT, hidden=16, lstm_hidden=8),
        SuiteActorCriticLSTM(40, 3, SUITE_LAYOUT, hidden=16, lstm_hidden=8),
    ):
        obs = torch.randn(5, 4, 40)
        obs[..., 20:24] = 1.0
        obs[..., 32:36] = 1.0
        out, _ = model.forward_sequence(obs, model.initial_state(4), torch.zeros(5, 4))
        dist = model.distribution(out)
        loss = (
            dist.log_prob(torch.zeros(5, 4, 3)).mean()
            + out.value.pow(2).mean()
            - dist.entropy().mean()
        )
        loss.backward()
        for name, p in model.named_parameters():
            assert p.grad is not None and torch.isfinite(p.grad).all(), name
            assert p.grad.abs().sum() > 0, name


def test_suite_model_reads_blocks_by_name() -> None:
    model = SuiteActorCriticLSTM(40, 2, SUITE_LAYOUT, hidden=16, lstm_hidden=8)
    assert model.set_names == ["contacts", "squad"]
    assert model.vector_names == ["self", "panel"]
    assert [b.name for b in model.rest_blocks] == ["zone"]
    small = SuiteActorCriticLSTM(7, 2, {"self": (slice(0, 4), (4,)), "zone": (slice(4, 7), (3,))})
    assert small.set_names == [] and [b.name for b in small.rest_blocks] == ["zone"]
    out, _ = small(torch.randn(3, 7), small.initial_state(3), torch.ones(3))
    assert out.mean.shape == (3, 2)


def test_suite_model_ignores_padded_slots_and_slot_order() -> None:
    torch.manual_seed(1)
    model = SuiteActorCriticLSTM(40, 2, SUITE_LAYOUT, hidden=16, lstm_hidden=8)
    obs = torch.randn(6, 40)
    obs[:, 20:24] = torch.tensor([1.0, 1.0, 0.0, 0.0])  # two real contacts
    obs[:, 32:36] = torch.tensor([1.0, 0.0, 1.0, 0.0])
    state, start = model.initial_state(6), torch.ones(6)
    base = model(obs, state, start)[0].value
    padded = obs.clone()
    padded[:, 14:20] = 123.0  # contact slots 2 and 3 are padding
    torch.testing.assert_close(model(padded, state, start)[0].value, base)
    swapped = obs.clone()
    swapped[:, 8:11], swapped[:, 11:14] = obs[:, 11:14], obs[:, 8:11]
    assert_close_f32(model(swapped, state, start)[0].value, base)
    real = obs.clone()
    real[:, 8:11] += 1.0
    assert not torch.allclose(model(real, state, start)[0].value, base)


def test_layout_validation_names_the_block() -> None:
    with pytest.raises(ValueError, match=r"'a' and 'b' overlap"):
        parse_obs_layout({"a": (slice(0, 4), (4,)), "b": (slice(3, 6), (3,))}, 6)
    with pytest.raises(ValueError, match="contacts"):
        parse_obs_layout({"contacts": (slice(0, 10), (3, 3))}, 10)
    with pytest.raises(ValueError, match="obs_dim"):
        parse_obs_layout({"self": (slice(0, 8), (8,))}, 6)


def test_spec_round_trip_rebuilds_the_same_architecture() -> None:
    torch.manual_seed(0)
    model = SuiteActorCriticLSTM(40, 2, SUITE_LAYOUT, hidden=16, lstm_hidden=8)
    clone = build_model(model.spec())
    clone.load_state_dict(model.state_dict())
    obs = torch.randn(3, 40)
    a = model(obs, model.initial_state(3), torch.ones(3))[0]
    b = clone(obs, clone.initial_state(3), torch.ones(3))[0]
    torch.testing.assert_close(a.mean, b.mean)
    with pytest.raises(ValueError, match="model class"):
        build_model({"class": "os.system", "kwargs": {}})


def test_steps_mode_compiles_without_graph_breaks() -> None:
    torch._dynamo.reset()
    model = ActorCriticLSTM(6, 2, hidden=8, lstm_hidden=8)
    eager = ActorCriticLSTM(6, 2, hidden=8, lstm_hidden=8)
    eager.load_state_dict(model.state_dict())
    compile_model(model, backend="eager", fullgraph=True)  # fullgraph: a graph break raises
    assert model.recurrence == "steps"
    obs, starts = torch.randn(4, 3, 6), torch.zeros(4, 3, dtype=torch.bool)
    starts[2, 1] = True
    out, _ = model.forward_sequence(obs, model.initial_state(3), starts)
    one, _ = model(obs[0], model.initial_state(3), starts[0])  # the rollout path compiles too
    ref, _ = eager.forward_sequence(obs, eager.initial_state(3), starts, recurrence="reference")
    assert_close_f32(one.value, ref.value[0])
    assert_close_f32(out.value, ref.value)
