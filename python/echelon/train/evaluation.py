"""Policy evaluation on a separate environment instance.

Every world contributes the same number of episodes (its first ``ceil(episodes / W)``),
so short episodes are not over-represented the way "stop after the first N finished
episodes" would over-represent them. Actions are deterministic (squashed mean) by default;
draws are reported separately from losses.
"""

from __future__ import annotations

import math

import torch

from echelon.rl.model import RecurrentActorCritic
from echelon.train.env_protocol import BatchEnv, learner_slice, opponent_slice, slice_len
from echelon.train.rollout import Opponent


@torch.no_grad()
def evaluate_policy(
    env: BatchEnv,
    model: RecurrentActorCritic,
    episodes: int,
    device: torch.device | str,
    opponent: Opponent | None = None,
    deterministic: bool = True,
    max_steps: int = 100_000,
) -> dict[str, float]:
    device = torch.device(device)
    learn, red = learner_slice(env), opponent_slice(env)
    worlds, agents = env.num_worlds, env.num_agents
    per_world = slice_len(learn, agents)
    per_world_episodes = math.ceil(episodes / worlds)
    obs = env.reset().to(device).clone()
    state = model.initial_state(worlds * per_world, device)
    world_start = torch.ones(worlds, dtype=torch.bool, device=device)
    alive = torch.ones(worlds, agents, dtype=torch.bool, device=device)
    if opponent is not None and red is not None:
        opponent.reset(worlds * slice_len(red, agents), device)
    done_count = torch.zeros(worlds, dtype=torch.long, device=device)
    ep_return = torch.zeros(worlds, dtype=torch.float64, device=device)
    ep_length = torch.zeros(worlds, dtype=torch.long, device=device)
    returns, lengths, winners = [], [], []
    model.eval()
    for _ in range(max_steps):
        if bool((done_count >= per_world_episodes).all()):
            break
        learner_obs = obs[:, learn].reshape(worlds * per_world, -1)
        action, state = model.act(
            learner_obs, state, world_start.repeat_interleave(per_world), deterministic
        )
        actions = torch.zeros(worlds, agents, env.action_dim, device=device)
        actions[:, learn] = action.view(worlds, per_world, -1)
        if opponent is not None and red is not None:
            red_obs = obs[:, red]
            n_red = red_obs.shape[1]
            red_act = opponent.act(
                red_obs.reshape(-1, red_obs.shape[-1]), world_start.repeat_interleave(n_red)
            )
            actions[:, red] = red_act.view(worlds, n_red, -1)
        next_obs, reward, _, _, info = env.step(actions)
        valid = alive[:, learn]
        counting = done_count < per_world_episodes
        ep_return += (reward.to(device)[:, learn] * valid).sum(1).double() / per_world
        ep_length += 1
        ended = info["episode_end"].to(device)
        record = ended & counting
        if bool(record.any()):
            returns.append(ep_return[record].clone())
            lengths.append(ep_length[record].clone())
            if "winner" in info:
                winners.append(info["winner"].to(device)[record].clone())
        done_count += ended.long()
        ep_return = torch.where(ended, 0.0, ep_return)
        ep_length = torch.where(ended, 0, ep_length)
        obs = next_obs.to(device).clone()
        alive = info["alive"].to(device).clone()
        world_start = ended.clone()
    else:
        raise RuntimeError(f"evaluation did not finish {episodes} episodes in {max_steps} steps")
    ret = torch.cat(returns)
    result = {
        "episodes": float(ret.numel()),
        "mean_return": float(ret.mean()),
        "mean_length": float(torch.cat(lengths).double().mean()),
    }
    if winners:
        win = torch.cat(winners)
        result["win_rate"] = float((win == 0).double().mean())
        result["loss_rate"] = float((win == 1).double().mean())
        result["draw_rate"] = float((win < 0).double().mean())
        result["wins"] = float((win == 0).sum())
        result["losses"] = float((win == 1).sum())
        result["draws"] = float((win < 0).sum())
    return result
