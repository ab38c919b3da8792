"""Play many rated matches at once in one batched environment.

Every world of the ``VecEnv`` is assigned a pairing ``(blue_id, red_id)`` from a queue.
Each step, every policy that controls rows in some world runs *once*, batched over all
rows it controls (gathered by index from the ``[W, A, D]`` observation tensor), and its
actions are scattered back into one ``[W, A, ACT]`` action tensor. When a world's episode
ends, its result is read from ``info["winner"]`` and the next queued pairing takes the
world over; the recurrent state of that world's rows is reset, and the policy is told
``episode_start`` for them. Worlds left without a pairing at the end of the queue idle with
zero actions and are ignored.

This fixes the reference project's match loop: one world per match (no batching), one
network driving every world's red team, opponents swapped mid-episode with the old
hidden state, loops that ignored zone wins, and ``no_grad`` instead of inference mode.

Policies are looked up by id through a bounded LRU :class:`PolicyCache` around a loader
callable (for a league: id -> verified checkpoint path -> model).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import torch
from torch import Tensor

from echelon.rl.lstm_state import LSTMState
from echelon.rl.policy import RecurrentPolicy

Pairing = tuple[str, str]
"""(blue policy id, red policy id)."""
MatchResult = tuple[str, str, float]
"""(blue id, red id, blue's score: 1 win, 0.5 draw, 0 loss)."""
PolicyLoader = Callable[[str], RecurrentPolicy]

BLUE, RED = 0, 1
_SCORE_BY_WINNER = {0: 1.0, 1: 0.0, -1: 0.5}


class MatchEnv(Protocol):
    """The part of ``echelon.VecEnv`` the match runner uses."""

    @property
    def num_worlds(self) -> int: ...

    @property
    def num_agents(self) -> int: ...

    @property
    def action_dim(self) -> int: ...

    @property
    def team_slices(self) -> Mapping[str, slice]: ...

    def reset(self) -> Tensor: ...

    def step(self, actions: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]: ...


class PolicyCache:
    """At most ``max_models`` loaded policies, least recently used evicted first.

    Eviction only drops the cache's reference: a policy a running match still holds stays
    alive until that match releases it.
    """

    def __init__(self, loader: PolicyLoader, max_models: int = 8) -> None:
        if max_models < 1:
            raise ValueError(f"max_models must be >= 1, got {max_models}")
        self.loader = loader
        self.max_models = max_models
        self.loads = 0
        self._models: OrderedDict[str, RecurrentPolicy] = OrderedDict()

    def get(self, policy_id: str) -> RecurrentPolicy:
        if policy_id in self._models:
            self._models.move_to_end(policy_id)
            return self._models[policy_id]
        policy = self.loader(policy_id)
        self.loads += 1
        self._models[policy_id] = policy
        while len(self._models) > self.max_models:
            self._models.popitem(last=False)
        return policy

    def __contains__(self, policy_id: object) -> bool:
        return policy_id in self._models

    def __len__(self) -> int:
        return len(self._models)


def _policy_device(policy: RecurrentPolicy, fallback: torch.device) -> torch.device:
    if isinstance(policy, torch.nn.Module):
        for tensor in (*policy.parameters(), *policy.buffers()):
            return tensor.device
    return fallback


@dataclass
class _Slots:
    """The rows one policy controls: (world, side) slots and their flattened indices."""

    policy: RecurrentPolicy  # held here, so cache eviction never unloads a playing policy
    slots: list[tuple[int, int]]
    world_idx: Tensor  # [B] long, on the env device
    agent_idx: Tensor  # [B] long, on the env device
    state: LSTMState | None = None


class MatchRunner:
    """Runs queued pairings to completion in one batched env. See the module docstring."""

    def __init__(
        self,
        env: MatchEnv,
        policies: PolicyCache | PolicyLoader,
        deterministic: bool = False,
        max_steps: int | None = None,
    ) -> None:
        self.env = env
        self.cache = policies if isinstance(policies, PolicyCache) else PolicyCache(policies)
        self.deterministic = deterministic
        self.max_steps = max_steps
        slices = env.team_slices
        for team in ("blue", "red"):
            if team not in slices:
                raise ValueError(f"env.team_slices has no {team!r} entry: {dict(slices)!r}")
        self._side_agents = [
            list(range(env.num_agents))[slices["blue"]],
            list(range(env.num_agents))[slices["red"]],
        ]

    # -- layout --------------------------------------------------------------------------
    def _build_layout(
        self,
        assignment: Sequence[Pairing | None],
        previous: Mapping[str, _Slots],
        device: torch.device,
    ) -> dict[str, _Slots]:
        """Group (world, side) slots by policy id and carry each kept slot's recurrent state
        to its new row position. Slots of worlds that start a new episode are reset in
        :meth:`_act` (from ``episode_start``), the one place that resets state."""
        slots_by_policy: dict[str, list[tuple[int, int]]] = {}
        for world, pairing in enumerate(assignment):
            if pairing is None:
                continue
            for side, policy_id in enumerate(pairing):
                slots_by_policy.setdefault(policy_id, []).append((world, side))
        layout: dict[str, _Slots] = {}
        for policy_id, slots in slots_by_policy.items():
            worlds = [w for w, side in slots for _ in self._side_agents[side]]
            agents = [a for _, side in slots for a in self._side_agents[side]]
            old = previous.get(policy_id)
            entry = _Slots(
                old.policy if old is not None else self.cache.get(policy_id),
                slots,
                torch.tensor(worlds, dtype=torch.long, device=device),
                torch.tensor(agents, dtype=torch.long, device=device),
            )
            if old is not None and old.state is not None:
                entry.state = self._carry_state(old, entry)
            layout[policy_id] = entry
        return layout

    def _carry_state(self, old: _Slots, new: _Slots) -> LSTMState:
        assert old.state is not None
        device = old.state.h.device
        fresh = new.policy.initial_state(len(new.world_idx), device)
        old_rows, new_rows = self._row_starts(old.slots), self._row_starts(new.slots)
        src: list[int] = []
        dst: list[int] = []
        for slot, start in new_rows.items():
            if slot in old_rows:
                width = len(self._side_agents[slot[1]])
                src.extend(range(old_rows[slot], old_rows[slot] + width))
                dst.extend(range(start, start + width))
        if not src:
            return fresh
        src_t = torch.tensor(src, dtype=torch.long, device=device)
        dst_t = torch.tensor(dst, dtype=torch.long, device=device)
        fresh.h[:, dst_t] = old.state.h[:, src_t]
        fresh.c[:, dst_t] = old.state.c[:, src_t]
        return fresh

    def _row_starts(self, slots: Sequence[tuple[int, int]]) -> dict[tuple[int, int], int]:
        starts: dict[tuple[int, int], int] = {}
        row = 0
        for slot in slots:
            starts[slot] = row
            row += len(self._side_agents[slot[1]])
        return starts

    # -- one step ------------------------------------------------------------------------
    def _act(
        self, layout: Mapping[str, _Slots], obs: Tensor, episode_start: Tensor, actions: Tensor
    ) -> None:
        for rows in layout.values():
            policy = rows.policy
            device = _policy_device(policy, obs.device)
            if rows.state is None:
                rows.state = policy.initial_state(len(rows.world_idx), device)
            start = episode_start[rows.world_idx].to(device)
            if bool(start.any()):
                fresh = policy.initial_state(len(rows.world_idx), device)
                keep = ~start.view(1, -1, 1)
                rows.state = LSTMState(
                    torch.where(keep, rows.state.h, fresh.h),
                    torch.where(keep, rows.state.c, fresh.c),
                )
            policy_obs = obs[rows.world_idx, rows.agent_idx].to(device)
            out, rows.state = policy.act(policy_obs, rows.state, start, self.deterministic)
            actions[rows.world_idx, rows.agent_idx] = out.to(actions.device, actions.dtype)

    # -- public --------------------------------------------------------------------------
    def play(
        self,
        pairings: Sequence[Pairing],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[MatchResult]:
        """Play every pairing once; results are returned in the order of ``pairings``."""
        for index, (blue_id, red_id) in enumerate(pairings):
            if not blue_id or not red_id:
                raise ValueError(f"pairing {index} has an empty policy id: {(blue_id, red_id)!r}")
        with torch.inference_mode():
            return self._play(list(pairings), progress)

    def _play(
        self, pairings: list[Pairing], progress: Callable[[int, int], None] | None
    ) -> list[MatchResult]:
        env = self.env
        num_worlds = env.num_worlds
        queue: deque[int] = deque(range(len(pairings)))
        playing: list[int | None] = [queue.popleft() if queue else None for _ in range(num_worlds)]
        scores: list[float | None] = [None] * len(pairings)
        if not pairings:
            return []

        for world, match in enumerate(playing):
            self._label_replay(world, match, pairings)
        obs = env.reset()
        device = obs.device
        actions = torch.zeros(num_worlds, env.num_agents, env.action_dim, device=device)
        episode_start = torch.ones(num_worlds, dtype=torch.bool, device=device)
        layout = self._build_layout(self._assignment(pairings, playing), {}, device)
        done, steps = 0, 0
        while done < len(pairings):
            if self.max_steps is not None and steps >= self.max_steps:
                raise RuntimeError(
                    f"match runner hit max_steps={self.max_steps} with "
                    f"{len(pairings) - done} of {len(pairings)} matches unfinished"
                )
            actions.zero_()
            self._act(layout, obs, episode_start, actions)
            obs, _reward, _terminated, _truncated, info = env.step(actions)
            steps += 1
            ended = info["episode_end"].to("cpu", torch.bool)
            episode_start = info["episode_end"].to(device, torch.bool).clone()
            if not bool(ended.any()):
                continue
            winners = info["winner"].to("cpu").tolist()
            for world in torch.nonzero(ended).flatten().tolist():
                match = playing[world]
                if match is None:
                    continue
                winner = int(winners[world])
                if winner not in _SCORE_BY_WINNER:
                    raise RuntimeError(f"env reported winner {winner} for world {world}")
                scores[match] = _SCORE_BY_WINNER[winner]
                done += 1
                playing[world] = queue.popleft() if queue else None
                self._label_replay(world, playing[world], pairings)
            if progress is not None:
                progress(done, len(pairings))
            layout = self._build_layout(self._assignment(pairings, playing), layout, device)
        return [
            (blue, red, float(score))
            for (blue, red), score in zip(pairings, scores, strict=True)
            if score is not None
        ]

    def _label_replay(self, world: int, match: int | None, pairings: Sequence[Pairing]) -> None:
        """When the env records replays (``arena play --record``): name the players of the
        world's next episode in its replay, and stop recording a world left without a match."""
        env: Any = self.env
        if not getattr(env, "recording", False):
            return
        if match is None:
            env.stop_recording([world], keep_partial=False)
        else:
            blue, red = pairings[match]
            env.set_replay_meta(world, {"source": "arena", "blue": blue, "red": red})

    @staticmethod
    def _assignment(
        pairings: Sequence[Pairing], playing: Sequence[int | None]
    ) -> list[Pairing | None]:
        return [pairings[m] if m is not None else None for m in playing]
