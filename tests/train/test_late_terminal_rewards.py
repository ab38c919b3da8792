"""Terminal rewards of agents that died before the end reach their death rows (hand-built)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from torch import Tensor

from echelon.rl.model import ActorCriticLSTM
from echelon.train.buffer import RolloutBuffer
from echelon.train.late_rewards import LateTerminalCredit, late_rewards_enabled
from echelon.train.rollout import RolloutCollector

BASE = 0.1  # every live agent's reward in every step
WIN = 1.0


class ScriptedDeathEnv:
    """One world: blue agents 0 and 1, red agent 2; episodes of 4 steps.

    Step 1 of every episode kills blue agent 0; step 3 ends the episode with blue winning.
    The core pays the win to live rows itself and leaves agent 0's share (+WIN) in
    ``info["late_terminal"]``, like ``VecEnv``.
    """

    num_worlds, num_agents, obs_dim, action_dim = 1, 3, 2, 1

    def __init__(self, win: float = WIN) -> None:
        self.team_slices = {"blue": slice(0, 2), "red": slice(2, 3)}
        self.obs_layout = {"self": (slice(0, 2), (2,))}
        self.config = SimpleNamespace(rewards=SimpleNamespace(win=win, loss=-win))
        self.t = 0
        self.alive = torch.ones(1, 3, dtype=torch.bool)
        self.late = [0.0, 0.0, 0.0]

    def reset(self) -> Tensor:
        self.t = 0
        self.alive = torch.ones(1, 3, dtype=torch.bool)
        return torch.zeros(1, 3, 2)

    def step(self, actions: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Tensor]]:
        acting = self.alive.clone()
        reward = BASE * acting.float()
        terminated = torch.zeros(1, 3, dtype=torch.bool)
        self.late = [0.0, 0.0, 0.0]
        end = self.t == 3
        if self.t == 1:
            terminated[0, 0] = True
            self.alive[0, 0] = False
        if end:
            terminated = acting.clone()
            reward[0, :2] += WIN * acting[0, :2].float()
            self.late[0] = WIN  # agent 0 died earlier
        self.t += 1
        if end:
            self.reset()
        info = {
            "alive": self.alive.clone(),
            "final_obs": torch.zeros(1, 3, 2),
            "episode_end": torch.tensor([end]),
            "winner": torch.tensor([0 if end else -1], dtype=torch.int8),
            "late_terminal": torch.tensor([self.late]),
        }
        return torch.zeros(1, 3, 2), reward, terminated, torch.zeros_like(terminated), info


class ZeroOpponent:
    def reset(self, columns: int, device: torch.device) -> None:
        pass

    def act(self, obs: Tensor, episode_start: Tensor) -> Tensor:
        return obs.new_zeros(obs.shape[0], 1)


def _collector(env: ScriptedDeathEnv, steps: int) -> tuple[RolloutCollector, RolloutBuffer]:
    model = ActorCriticLSTM(2, 1, hidden=8, lstm_hidden=8)
    collector = RolloutCollector(env, model, "cpu", ZeroOpponent())  # type: ignore[arg-type]
    buf = RolloutBuffer(steps, 2, 2, 1, steps, 1, 8, "cpu")
    return collector, buf


def test_late_reward_lands_on_the_death_row() -> None:
    env = ScriptedDeathEnv()
    assert late_rewards_enabled(env)
    collector, buf = _collector(env, 4)
    stats = collector.collect(buf)
    expected = torch.tensor(
        [
            [BASE, BASE],
            [BASE + WIN, BASE],  # agent 0's death row now carries its team's win
            [0.0, BASE],  # padding
            [0.0, BASE + WIN],  # agent 1 alive at the end: paid by the env itself
        ]
    )
    torch.testing.assert_close(buf.rewards, expected)
    assert buf.dones[1, 0] and buf.dones[3, 1] and not buf.valid[2, 0]
    # Episode return (blue mean per step) counts the late reward too.
    env_rows = 2 * BASE + 2 * BASE + BASE + (BASE + WIN)  # steps 0..3, blue agents
    assert stats.episode_returns == pytest.approx([env_rows / 2 + WIN / 2])
    assert stats.late_terminal_missed_fraction == 0.0


def test_death_row_in_an_earlier_rollout_is_counted_as_missed() -> None:
    env = ScriptedDeathEnv()
    collector, buf = _collector(env, 2)
    collector.collect(buf)  # steps 0-1: agent 0 dies in row 1 of this buffer
    assert buf.rewards[1, 0] == pytest.approx(BASE)
    stats = collector.collect(buf)  # steps 2-3: the episode ends, the death row is gone
    torch.testing.assert_close(buf.rewards, torch.tensor([[0.0, BASE], [0.0, BASE + WIN]]))
    assert stats.late_terminal_missed_fraction == 1.0
    # The environment's return is still complete.
    assert stats.episode_returns == pytest.approx([(6 * BASE + WIN) / 2 + WIN / 2])


def test_disabled_without_terminal_rewards() -> None:
    env = ScriptedDeathEnv(win=0.0)
    assert not late_rewards_enabled(env)
    collector, _ = _collector(env, 4)
    assert collector.late_credit is None


def test_credit_maps_world_agents_to_columns() -> None:
    late = {0: [0.0, 0.0, 0.0, 0.0], 1: [0.0, -2.0, 0.0, 5.0]}  # 2 blue + 2 red per world
    late_terminal = torch.tensor([late[0], late[1]])
    credit = LateTerminalCredit(slice(0, 2), 2, 2, torch.device("cpu"))
    rewards = torch.zeros(3, 4)
    no_end = torch.tensor([False, False])
    none_late = torch.zeros(2, 4)
    credit.step(0, rewards, torch.tensor([False, False, False, True]), no_end, none_late)  # w1 a1
    added = credit.step(
        2, rewards, torch.zeros(4, dtype=torch.bool), torch.tensor([False, True]), late_terminal
    )
    expected = torch.zeros(3, 4)
    expected[0, 3] = -2.0  # red agent 3's 5.0 is not the learner's
    torch.testing.assert_close(rewards, expected)
    assert added.tolist() == [0.0, -2.0]
    assert credit.death_row.tolist() == [-1, -1, -1, -1]  # cleared for world 1's next episode
