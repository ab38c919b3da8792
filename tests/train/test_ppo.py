"""PPO update: padding masking, non-finite detection, surrogate numbers, KL stop, groups."""

from __future__ import annotations

import math

import pytest
import torch

from echelon.rl import ActorCriticLSTM
from echelon.train.buffer import RolloutBuffer
from echelon.train.ppo import NonFiniteLossError, PPOConfig, PPOLearner, normalize_advantages

STEPS, COLS, OBS, ACT, CHUNK = 16, 6, 5, 2, 8


def make_learner(seed: int = 0, **ppo: object) -> PPOLearner:
    torch.manual_seed(seed)
    model = ActorCriticLSTM(OBS, ACT, hidden=16, lstm_hidden=8)
    cfg = PPOConfig(
        rollout_steps=STEPS, chunk_length=CHUNK, num_minibatches=2, update_epochs=2, **ppo
    )  # type: ignore[arg-type]
    return PPOLearner(model, cfg, "cpu", seed=seed)


def filled_buffer(learner: PPOLearner, seed: int = 1) -> RolloutBuffer:
    """Random rollout with an agent death (padding) and episode restarts inside chunks."""
    g = torch.Generator().manual_seed(seed)
    buf = RolloutBuffer(STEPS, COLS, OBS, ACT, CHUNK, 1, 8, "cpu")
    buf.obs.copy_(torch.randn(STEPS, COLS, OBS, generator=g))
    buf.actions.copy_(torch.rand(STEPS, COLS, ACT, generator=g) * 2 - 1)
    buf.rewards.copy_(torch.randn(STEPS, COLS, generator=g))
    buf.values.copy_(torch.randn(STEPS, COLS, generator=g))
    buf.valid.fill_(True)
    buf.episode_start[0] = True
    # column 0 dies at step 3 (terminated), padding 4..9, new episode at 10
    buf.dones[3, 0] = True
    buf.valid[4:10, 0] = False
    buf.episode_start[10, 0] = True
    # column 2 is truncated at step 5 and restarts at 6
    buf.dones[5, 2] = True
    buf.bootstrap[5, 2] = 1.5
    buf.episode_start[6, 2] = True
    buf.obs[~buf.valid] = 0.0
    buf.rewards[~buf.valid] = 0.0
    with torch.no_grad():
        state = learner.model.initial_state(COLS)
        for c in range(buf.num_chunks):
            buf.store_state(c * CHUNK, state)
            sl = slice(c * CHUNK, (c + 1) * CHUNK)
            out, state = learner.model.forward_sequence(buf.obs[sl], state, buf.episode_start[sl])
            buf.logprobs[sl] = learner.model.distribution(out).log_prob(buf.actions[sl])
    buf.last_value.copy_(torch.randn(COLS, generator=g))
    return buf


def loss_and_grads(learner: PPOLearner, buf: RolloutBuffer) -> tuple[dict, list[torch.Tensor]]:
    learner.compute_targets(buf)
    adv = normalize_advantages(buf.advantages, buf.valid, "global", None)
    seqs = torch.arange(buf.num_sequences)
    learner.model.zero_grad()
    terms = learner.sequence_losses(buf, seqs, adv, buf.returns, buf.values, 0.01)
    terms["loss"].backward()
    grads = [p.grad.clone() for p in learner.model.parameters()]
    return {k: v.detach() for k, v in terms.items()}, grads


def test_padded_rows_change_nothing() -> None:
    learner = make_learner()
    buf = filled_buffer(learner)
    base_terms, base_grads = loss_and_grads(learner, buf)
    pad = ~buf.valid
    buf.obs[pad] = 7.0
    buf.actions[pad] = 0.999
    buf.rewards[pad] = -50.0
    buf.values[pad] = 33.0
    buf.logprobs[pad] = float("nan")
    buf.bootstrap[pad] = 9.0
    buf.dones[pad] = True
    buf.start_h[1, :, 0] = 5.0  # chunk 1 starts inside column 0's padding
    terms, grads = loss_and_grads(learner, buf)
    for key in base_terms:
        torch.testing.assert_close(terms[key], base_terms[key], msg=key)
    for a, b in zip(base_grads, grads, strict=True):
        torch.testing.assert_close(b, a)


def test_non_finite_loss_is_named_and_stops_before_the_step() -> None:
    learner = make_learner()
    before = [p.detach().clone() for p in learner.model.parameters()]
    buf = filled_buffer(learner)
    buf.rewards[2, 1] = float("nan")
    with pytest.raises(NonFiniteLossError) as err:
        learner.update(buf)
    assert err.value.term == "policy_loss" and "policy_loss" in str(err.value)
    assert all(torch.equal(a, p) for a, p in zip(before, learner.model.parameters(), strict=True))

    learner = make_learner()
    buf = filled_buffer(learner)
    learner.value_norm.mean = torch.tensor(float("nan"), dtype=torch.float64)
    with pytest.raises(NonFiniteLossError) as err:
        learner.update(buf)
    assert err.value.term == "value_loss"


def test_clipped_surrogate_by_hand() -> None:
    learner = make_learner(clip_coef=0.2, vf_coef=0.0)
    buf = filled_buffer(learner)
    buf.valid.fill_(True)
    learner.compute_targets(buf)
    seqs = torch.arange(buf.num_sequences)
    ones = torch.ones(STEPS, COLS)
    with torch.no_grad():
        terms = learner.sequence_losses(buf, seqs, ones, buf.returns, buf.values, 0.0)
        # behaviour log-probs lowered by 2: ratio = e^2 > 1.2, so the clipped term wins
        buf.logprobs -= 2.0
        clipped = learner.sequence_losses(buf, seqs, ones, buf.returns, buf.values, 0.0)
        buf.logprobs += 2.0 - 0.1  # ratio = e^0.1 = 1.105: inside the clip range
        inside = learner.sequence_losses(buf, seqs, ones, buf.returns, buf.values, 0.0)
    assert abs(float(terms["policy_loss"]) + 1.0) < 1e-5
    assert abs(float(clipped["policy_loss"]) + 1.2) < 1e-5 and float(clipped["clipfrac"]) == 1.0
    assert abs(float(inside["policy_loss"]) + math.exp(0.1)) < 1e-4
    assert float(inside["clipfrac"]) == 0.0
    assert abs(float(inside["approx_kl"]) - (math.exp(0.1) - 1 - 0.1)) < 1e-5


def test_value_clipping_uses_the_worse_of_the_two_errors() -> None:
    learner = make_learner(value_clip_coef=0.1)
    buf = filled_buffer(learner)
    learner.compute_targets(buf)
    adv = torch.zeros(STEPS, COLS)
    with torch.no_grad():
        out, _ = learner.model.forward_sequence(
            buf.obs, buf.chunk_start_state(0), buf.episode_start
        )
    target = out.value + 1.0  # unclipped error 1
    old = out.value - 5.0  # the clipped prediction sits at old + 0.1: error 5.9
    with torch.no_grad():
        # a single chunk covering the rollout keeps this test simple
        one_chunk = make_learner(value_clip_coef=0.1)
        one_chunk.model.load_state_dict(learner.model.state_dict())
        big = RolloutBuffer(STEPS, COLS, OBS, ACT, STEPS, 1, 8, "cpu")
        for name in ("obs", "actions", "logprobs", "valid", "episode_start"):
            getattr(big, name).copy_(getattr(buf, name))
        big.valid.fill_(True)
        terms = one_chunk.sequence_losses(big, torch.arange(COLS), adv, target, old, 0.0)
    assert abs(float(terms["value_loss"]) - 0.5 * 5.9**2) < 1e-3


def test_kl_early_stop_and_determinism() -> None:
    learner = make_learner(target_kl=1e-12, lr=1e-2)
    metrics = learner.update(filled_buffer(learner))
    # KL is measured on the minibatch's forward pass, before its step: the first minibatch
    # still sees the behaviour weights (KL 0), the second sees moved weights and stops.
    assert metrics["early_stop"] == 1.0 and metrics["optimizer_steps"] == 2.0
    a, b = make_learner(seed=3), make_learner(seed=3)
    a.update(filled_buffer(a))
    b.update(filled_buffer(b))
    for pa, pb in zip(a.model.parameters(), b.model.parameters(), strict=True):
        assert torch.equal(pa, pb)
    full = make_learner()
    m = full.update(filled_buffer(full))
    assert m["optimizer_steps"] == 4.0 and m["early_stop"] == 0.0
    assert all(math.isfinite(m[k]) for k in ("loss", "grad_norm", "approx_kl", "clipfrac"))


def test_per_group_advantage_normalisation() -> None:
    g = torch.Generator().manual_seed(0)
    adv = torch.randn(50, 4, generator=g) * torch.tensor([1.0, 10.0, 1.0, 10.0]) + 3
    valid = torch.rand(50, 4, generator=g) < 0.8
    groups = torch.tensor([0, 1, 0, 1])
    out = normalize_advantages(adv, valid, "per_group", groups)
    for grp in (0, 1):
        cols = groups == grp
        vals = out[:, cols][valid[:, cols]]
        assert abs(float(vals.mean())) < 1e-5
        assert abs(float(vals.std(unbiased=False)) - 1.0) < 1e-4
    assert torch.all(out[~valid] == 0)


def test_recomputed_start_states_match_a_fresh_pass() -> None:
    learner = make_learner(recompute_start_states=True)
    buf = filled_buffer(learner)
    learner.update(buf)  # epoch 2 recomputed the states with epoch-1 weights
    fresh = buf.start_h.clone()
    learner._recompute_start_states(buf)
    with torch.no_grad():
        _, state = learner.model.forward_sequence(
            buf.obs[:CHUNK], buf.chunk_start_state(0), buf.episode_start[:CHUNK]
        )
    torch.testing.assert_close(buf.start_h[1], state.h)
    assert not torch.equal(fresh[1], buf.start_h[1])  # weights moved in the last epoch


def test_config_errors_name_the_field() -> None:
    with pytest.raises(ValueError, match="chunk_length"):
        PPOConfig(rollout_steps=10, chunk_length=4)
    with pytest.raises(ValueError, match="gamma"):
        PPOConfig(gamma=1.5)
    learner = make_learner()
    with pytest.raises(ValueError, match="num_minibatches"):
        PPOLearner(
            learner.model, PPOConfig(rollout_steps=16, chunk_length=16, num_minibatches=99), "cpu"
        ).update(RolloutBuffer(16, 2, OBS, ACT, 16, 1, 8, "cpu"))
