"""Collecting rollouts from a batched environment into a ``RolloutBuffer``.

Per step: the learner acts for its rows (sampling on a dedicated, checkpointed generator),
the opponent for the red rows, the env steps, and the buffer gets the transition with the
contract's rules applied:

* ``valid`` = the agent was alive in the observation it acted on (padding rule);
* ``dones`` = terminated or truncated for that agent;
* on truncation the value of ``info["final_obs"]`` (computed with the post-step LSTM
  state) is stored as the bootstrap; terminations bootstrap nothing;
* ``episode_start`` of the next step = the world reset in this step (auto-reset), which
  also resets the opponent's LSTM columns of that world.

Everything the collector carries from one rollout to the next (current obs, aliveness,
LSTM states, episode accumulators) is exposed as tensors for checkpoints.

Two optional hooks: ``late_credit`` (``late_rewards.py``) adds the terminal reward of agents
that died before their episode ended to their death rows (enabled when the env pays
``win``/``loss``); ``observer`` (anything with ``observe(env, terminated, info)``, e.g. the
heatmap recorder) sees every step's raw outputs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import torch
from torch import Tensor

from echelon.distributed import RowShard
from echelon.rl.lstm_state import LSTMState
from echelon.rl.model import RecurrentActorCritic
from echelon.train.buffer import RolloutBuffer
from echelon.train.env_protocol import BatchEnv, learner_slice, opponent_slice, slice_len
from echelon.train.late_rewards import LateTerminalCredit, late_rewards_enabled


class Opponent(Protocol):
    def reset(self, columns: int, device: torch.device) -> None: ...

    def act(self, obs: Tensor, episode_start: Tensor) -> Tensor: ...


class StepObserver(Protocol):
    def observe(self, env: BatchEnv, terminated: Tensor, info: dict[str, Tensor]) -> None: ...


@dataclass
class RolloutStats:
    episode_returns: list[float] = field(default_factory=list)
    episode_lengths: list[int] = field(default_factory=list)
    winners: list[int] = field(default_factory=list)
    valid_fraction: float = 1.0
    mean_reward: float = 0.0
    late_terminal_missed_fraction: float | None = None  # None: no late terminal rewards
    # Wall time of the rollout split by who spent it: the simulator (``env.step``), the
    # policy (forward + sampling for the learner and the opponent), and the rest (bookkeeping).
    env_seconds: float = 0.0
    inference_seconds: float = 0.0
    seconds: float = 0.0
    # Where each finished episode ended, (step of the rollout, world), in list order; and the
    # sums behind valid_fraction, mean_reward and the missed fraction: what a distributed run
    # merges over ranks (echelon.train.distributed.merge_rollout_stats).
    episode_keys: list[tuple[int, int]] = field(default_factory=list)
    valid_rows: int = 0
    rows: int = 0
    reward_sum: float = 0.0
    late_terminal_counts: tuple[int, int] | None = None  # (credited, missed)


class RolloutCollector:
    def __init__(
        self,
        env: BatchEnv,
        model: RecurrentActorCritic,
        device: torch.device | str,
        opponent: Opponent | None = None,
        seed: int = 0,
        rows: RowShard | None = None,
    ) -> None:
        self.env = env
        self.model = model
        self.device = torch.device(device)
        self.learn = learner_slice(env)
        self.red = opponent_slice(env)
        self.opponent = opponent if self.red is not None else None
        self.num_worlds = env.num_worlds
        self.per_world = slice_len(self.learn, env.num_agents)
        self.columns = self.num_worlds * self.per_world
        # This env's learner columns within the job's (a distributed run: a block of them); the
        # action noise is this block of the job's draw.
        self.rows = rows or RowShard.whole(self.columns)
        if self.rows.count != self.columns:
            raise ValueError(f"row shard {self.rows} does not match {self.columns} columns")
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(seed)
        self.late_credit: LateTerminalCredit | None = None
        if late_rewards_enabled(env):
            self.late_credit = LateTerminalCredit(
                self.learn, self.num_worlds, self.per_world, self.device
            )
        self.observer: StepObserver | None = None
        self.reset()

    # -- carry --------------------------------------------------------------------------
    def reset(self) -> None:
        """Reset the env and every carried quantity (start of a run, or resume w/o env state)."""
        self.obs = self.env.reset().to(self.device).clone()
        self.alive = torch.ones(
            self.num_worlds, self.env.num_agents, dtype=torch.bool, device=self.device
        )
        self.world_start = torch.ones(self.num_worlds, dtype=torch.bool, device=self.device)
        self.state = self.model.initial_state(self.columns, self.device)
        self.ep_return = torch.zeros(self.num_worlds, dtype=torch.float64, device=self.device)
        self.ep_length = torch.zeros(self.num_worlds, dtype=torch.long, device=self.device)
        if self.late_credit is not None:
            self.late_credit.reset()
        if self.opponent is not None and self.red is not None:
            self.opponent.reset(
                self.num_worlds * slice_len(self.red, self.env.num_agents), self.device
            )

    def carry_tensors(self) -> dict[str, Tensor]:
        out = {
            "carry/obs": self.obs,
            "carry/alive": self.alive,
            "carry/world_start": self.world_start,
            "carry/h": self.state.h,
            "carry/c": self.state.c,
            "carry/ep_return": self.ep_return,
            "carry/ep_length": self.ep_length,
        }
        if self.late_credit is not None:
            out["carry/late_death_row"] = self.late_credit.death_row
        opp_state = getattr(self.opponent, "state", None)
        if isinstance(opp_state, LSTMState):
            out["carry/opponent_h"], out["carry/opponent_c"] = opp_state
        return out

    def load_carry(self, tensors: dict[str, Tensor]) -> None:
        get = lambda k: tensors[f"carry/{k}"].to(self.device).clone()  # noqa: E731
        self.obs, self.alive, self.world_start = get("obs"), get("alive"), get("world_start")
        self.state = LSTMState(get("h"), get("c"))
        self.ep_return, self.ep_length = get("ep_return"), get("ep_length")
        if "carry/late_death_row" in tensors and self.late_credit is not None:
            self.late_credit.death_row = get("late_death_row")
        if "carry/opponent_h" in tensors and self.opponent is not None:
            self.opponent.state = LSTMState(get("opponent_h"), get("opponent_c"))  # type: ignore[attr-defined]

    # -- helpers ------------------------------------------------------------------------
    def _learner_rows(self, x: Tensor) -> Tensor:
        return x[:, self.learn].reshape(self.columns, *x.shape[2:])

    def _column_start(self) -> Tensor:
        return self.world_start.repeat_interleave(self.per_world)

    def _full_actions(self, learner_actions: Tensor) -> Tensor:
        actions = torch.zeros(
            self.num_worlds, self.env.num_agents, self.env.action_dim, device=self.device
        )
        actions[:, self.learn] = learner_actions.view(self.num_worlds, self.per_world, -1)
        if self.opponent is not None and self.red is not None:
            red_obs = self.obs[:, self.red]
            per_red = red_obs.shape[1]
            red_start = self.world_start.repeat_interleave(per_red)
            red = self.opponent.act(red_obs.reshape(-1, red_obs.shape[-1]), red_start)
            actions[:, self.red] = red.view(self.num_worlds, per_red, -1)
        return actions

    def _report_results(self, episode_end: Tensor, winner: Tensor) -> None:
        """Tell an opponent that keeps score (the league's) who won each ended world."""
        hook = getattr(self.opponent, "episodes_ended", None)
        if callable(hook):
            hook(episode_end, winner)

    @staticmethod
    def _value(out_value: Tensor, denormalize: Callable[[Tensor], Tensor] | None) -> Tensor:
        return out_value if denormalize is None else denormalize(out_value)

    # -- collection ---------------------------------------------------------------------
    @torch.no_grad()
    def collect(
        self, buf: RolloutBuffer, denormalize_value: Callable[[Tensor], Tensor] | None = None
    ) -> RolloutStats:
        stats = RolloutStats()
        clock = time.perf_counter
        t_begin = clock()
        finished_returns: list[Tensor] = []
        finished_lengths: list[Tensor] = []
        finished_winners: list[Tensor] = []
        finished_keys: list[tuple[int, int]] = []
        self.model.eval()
        if self.late_credit is not None:
            self.late_credit.start_rollout()
        for t in range(buf.steps):
            buf.store_state(t, self.state)
            obs = self._learner_rows(self.obs)
            start = self._column_start()
            valid = self._learner_rows(self.alive)
            t_policy = clock()
            out, next_state = self.model(obs, self.state, start)
            dist = self.model.distribution(out)
            noise = self.rows.noise(self.generator, out.mean.shape[-1], self.device, out.mean.dtype)
            action = dist.sample(noise=noise)
            stats.inference_seconds += clock() - t_policy
            buf.obs[t] = obs
            buf.actions[t] = action
            buf.logprobs[t] = dist.log_prob(action)
            buf.values[t] = self._value(out.value, denormalize_value)
            buf.episode_start[t] = start
            buf.valid[t] = valid

            t_opponent = clock()
            full_actions = self._full_actions(action)
            t_env = clock()
            stats.inference_seconds += t_env - t_opponent
            env_obs, reward, terminated, truncated, info = self.env.step(full_actions)
            stats.env_seconds += clock() - t_env
            reward_l = self._learner_rows(reward.to(self.device)) * valid
            truncated_l = self._learner_rows(truncated.to(self.device)) & valid
            done_l = (self._learner_rows(terminated.to(self.device)) | truncated_l) & valid
            buf.rewards[t] = reward_l
            buf.dones[t] = done_l
            buf.bootstrap[t].zero_()
            episode_end = info["episode_end"].to(self.device)
            if self.observer is not None:
                self.observer.observe(self.env, terminated, info)
            if self.late_credit is not None:
                dead_now = self._learner_rows(terminated.to(self.device)) & valid
                late = self.late_credit.step(
                    t, buf.rewards, dead_now, episode_end, info["late_terminal"]
                )
                self.ep_return += late / self.per_world
            if bool(truncated_l.any()):
                final = self._learner_rows(info["final_obs"].to(self.device))
                t_policy = clock()
                f_out, _ = self.model(final, next_state, torch.zeros_like(start))
                stats.inference_seconds += clock() - t_policy
                buf.bootstrap[t] = torch.where(
                    truncated_l, self._value(f_out.value, denormalize_value), 0.0
                )
            self.ep_return += reward_l.view(self.num_worlds, self.per_world).sum(1).double() / (
                self.per_world
            )
            self.ep_length += 1
            if bool(episode_end.any()):
                finished_keys += [(t, w) for w in torch.nonzero(episode_end).flatten().tolist()]
                finished_returns.append(self.ep_return[episode_end].clone())
                finished_lengths.append(self.ep_length[episode_end].clone())
                if "winner" in info:
                    finished_winners.append(info["winner"].to(self.device)[episode_end].clone())
                    self._report_results(episode_end, info["winner"])
                self.ep_return = torch.where(episode_end, 0.0, self.ep_return)
                self.ep_length = torch.where(episode_end, 0, self.ep_length)
            # The env reuses its buffers: keep copies.
            self.obs = env_obs.to(self.device).clone()
            self.alive = info["alive"].to(self.device).clone()
            self.world_start = episode_end.clone()
            self.state = next_state
        out, _ = self.model(self._learner_rows(self.obs), self.state, self._column_start())
        buf.last_value.copy_(self._value(out.value, denormalize_value))
        if finished_returns:
            stats.episode_returns = torch.cat(finished_returns).tolist()
            stats.episode_lengths = torch.cat(finished_lengths).tolist()
        if finished_winners:
            stats.winners = [int(w) for w in torch.cat(finished_winners).tolist()]
        stats.episode_keys = finished_keys
        stats.valid_fraction = float(buf.valid.float().mean())
        stats.mean_reward = float(buf.rewards.sum() / buf.valid.sum().clamp_min(1))
        stats.valid_rows, stats.rows = int(buf.valid.sum()), buf.valid.numel()
        stats.reward_sum = float(buf.rewards.double().sum())
        if self.late_credit is not None:
            stats.late_terminal_missed_fraction = self.late_credit.missed_fraction()
            stats.late_terminal_counts = (self.late_credit.credited, self.late_credit.missed)
        stats.seconds = clock() - t_begin
        return stats
