"""The recurrent learner solves a memory task that a feed-forward policy cannot.

``CueMemoryEnv``: a +-1 cue is visible only in the first observation; the last action of
the episode earns ``cue * action``. Without memory the best expected return is 0.
Rollouts of 16 steps over 4-step episodes with chunks of 8 put episode boundaries inside
every chunk, so this also exercises the masked resets of the chunked update end to end.
"""

from __future__ import annotations

import torch
from _train_toy_envs import CueMemoryEnv

from echelon.rl import ActorCriticLSTM, LSTMState
from echelon.rl.model import PolicyOutput
from echelon.train.buffer import RolloutBuffer
from echelon.train.evaluation import evaluate_policy
from echelon.train.ppo import PPOConfig, PPOLearner
from echelon.train.rollout import RolloutCollector


class FeedForwardActorCritic(ActorCriticLSTM):
    """Same network, but the recurrent state is wiped before every step: no memory."""

    def forward_sequence(
        self,
        obs: torch.Tensor,
        state: LSTMState,
        episode_start: torch.Tensor,
        recurrence: str | None = None,
    ) -> tuple[PolicyOutput, LSTMState]:
        return super().forward_sequence(obs, state, torch.ones_like(episode_start), recurrence)


def train_on_cue_task(model_cls: type[ActorCriticLSTM], updates: int, seed: int = 0) -> float:
    torch.manual_seed(seed)
    env = CueMemoryEnv(num_worlds=64, seed=seed)
    model = model_cls(env.obs_dim, env.action_dim, hidden=32, lstm_hidden=32)
    cfg = PPOConfig(
        rollout_steps=16,
        chunk_length=8,
        num_minibatches=4,
        update_epochs=4,
        lr=3e-3,
        ent_coef=0.001,
        gamma=0.99,
        gae_lambda=0.95,
    )
    learner = PPOLearner(model, cfg, "cpu", seed=seed)
    collector = RolloutCollector(env, model, "cpu", seed=seed)
    buf = RolloutBuffer(16, collector.columns, env.obs_dim, env.action_dim, 8, 1, 32, "cpu")
    for _ in range(updates):
        collector.collect(buf, learner.denormalize_value)
        learner.update(buf)
    result = evaluate_policy(CueMemoryEnv(64, seed=seed + 99), model, 256, "cpu")
    return result["mean_return"]


def test_lstm_solves_the_cue_task_and_a_feed_forward_policy_cannot() -> None:
    lstm_return = train_on_cue_task(ActorCriticLSTM, updates=40)
    ff_return = train_on_cue_task(FeedForwardActorCritic, updates=40)
    assert lstm_return > 0.9, lstm_return  # cue * action, 1.0 is perfect
    assert abs(ff_return) < 0.25, ff_return  # chance level is 0
