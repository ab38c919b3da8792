"""League opponents for training: ``opponent: league:PATH``.

The red rows of every world are played by a policy from an arena league (docs/arena.md).
Each world draws its own opponent **at the start of each of its episodes** (the per-world
``episode_start`` flags the rollout already has), so one rollout mixes many opponents and a
world never changes opponent mid-episode. The original trainer sampled one opponent for the
whole vector and kept it across episode ends, and kept stale hidden state after refreshes;
both are fixed here.

* **Who**: the pool is the league's commanders and exploiters (the candidates when there
  are none), drawn with :class:`echelon.arena.sampling.OpponentSampler` (PFSP ``even``,
  ``hard`` or ``uniform``; cold start while the learner has few games) from its own seeded
  NumPy generator, saved in checkpoints.
* **The learner's rating** for PFSP: the learner is not a league entry while it trains (it
  changes every update, so its games are not games of any fixed entry). Its rating is
  estimated as one Glicko-2 period from the default prior over its last ``rating_window``
  training games against the opponents' league ratings. Nothing is written to the league:
  training games never change anyone's rating, so no game is counted twice;
  ratings come from ``echelon arena play`` matches of submitted snapshots (``--submit``).
* **Batching**: each step, every distinct opponent runs one forward over all rows it
  controls in all worlds (gather by row index, scatter the actions back), like
  :class:`echelon.arena.match.MatchRunner`, under ``torch.inference_mode`` (no autograd graph).
* **Recurrent state**: one ``[layers, rows, hidden]`` state per opponent in play (dense
  over all rows, so gather/scatter is a plain index); a world's rows are reset to the
  opponent's initial state whenever the world starts an episode, which is also the only
  moment its opponent changes.
* **Memory**: loaded policies live in the arena's LRU :class:`PolicyCache` (``max_models``:
  memory stays bounded however large the league); opponents currently in play are also held
  here until their last world moves on, so eviction never unloads a policy mid-episode.
* **Results**: the collector reports each finished episode's winner
  (:meth:`LeagueOpponent.episodes_ended`); :meth:`LeagueOpponent.end_update` turns them into
  per-opponent and per-kind win rates for the logs, refreshes the pool from the league file
  every ``refresh_every`` updates and re-estimates the learner's rating. In a distributed run
  ``end_update(gather)`` replaces this rank's games of the update by every rank's, so the
  learner's rating and the logged win rates are the job's (each rank draws its own opponents).
"""

from __future__ import annotations

import json
import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch
from torch import Tensor

from echelon.arena.glicko2 import Rating, rate
from echelon.arena.league import OPPONENT_KINDS, League, LeagueStore
from echelon.arena.match import PolicyCache, PolicyLoader
from echelon.arena.sampling import MODES, Contender, OpponentSampler, SamplingConfig
from echelon.rl.lstm_state import LSTMState
from echelon.rl.model import RecurrentActorCritic
from echelon.rl.policy import RecurrentPolicy

LEAGUE_PREFIX = "league:"
# Not a valid league id (ids start with a letter or digit), so it can never collide.
LEARNER_ID = "<learner>"
_SCORE_BY_WINNER = {0: 1.0, 1: 0.0, -1: 0.5}  # the learner plays blue (team 0)


def parse_league_opponent(opponent: str) -> str | None:
    """``"league:PATH"`` -> PATH; any other opponent kind -> None. An empty path is an error."""
    if not opponent.startswith(LEAGUE_PREFIX):
        return None
    path = opponent[len(LEAGUE_PREFIX) :].strip()
    if not path:
        raise ValueError(f"opponent {opponent!r}: give the league file, e.g. league:runs/l.json")
    return path


@dataclass(frozen=True)
class LeagueTrainConfig:
    """``league`` section of ``TrainConfig``.

    path: league file for ``submit`` when the opponents do not come from a league
    (``opponent: league:PATH`` names it otherwise). mode: PFSP weighting. max_models: LRU
    cache of loaded opponents. refresh_every: updates between re-reads of the league file
    (new commanders, new ratings). rating_window: recent training games behind the learner's
    rating estimate. submit: add the final checkpoint to the league as a candidate.
    submit_best: also add every new ``best`` checkpoint. deterministic: opponents play
    their mean action instead of sampling.
    """

    path: str | None = None
    mode: Literal["even", "hard", "uniform"] = "even"
    max_models: int = 8
    refresh_every: int = 1
    rating_window: int = 256
    submit: bool = False
    submit_best: bool = False
    deterministic: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"league.mode must be one of {list(MODES)}, got {self.mode!r}")
        for name, low in (("max_models", 1), ("refresh_every", 0), ("rating_window", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"league.{name} must be an integer >= {low}, got {value!r}")
        if self.path is not None and not self.path.strip():
            raise ValueError("league.path must not be empty")


def training_pool(league: League) -> list[Contender]:
    """Commanders and exploiters; the candidates while the league has neither."""
    entries = league.of_kind(*OPPONENT_KINDS) or league.of_kind("candidate")
    if not entries:
        raise ValueError(
            "the league has no active entries to train against: add checkpoints with "
            "`echelon arena add LEAGUE CHECKPOINT --kind commander`"
        )
    return [Contender(e.id, e.rating, e.games) for e in entries]


def league_policy_loader(
    store: LeagueStore, device: torch.device, obs_dim: int, action_dim: int
) -> PolicyLoader:
    """id -> hash-verified league copy -> policy on ``device`` (safetensors, no pickle)."""
    from echelon.train.checkpoint import load_policy

    def load(entry_id: str) -> RecurrentPolicy:
        model, _meta = load_policy(store.checkpoint_path(entry_id), device=device)
        dims = (getattr(model, "obs_dim", obs_dim), getattr(model, "action_dim", action_dim))
        if dims != (obs_dim, action_dim):
            raise ValueError(
                f"league entry {entry_id!r} was built for obs_dim/action_dim {dims}, but the "
                f"training env has {(obs_dim, action_dim)}"
            )
        model.requires_grad_(False)
        return model

    return load


@dataclass
class _InPlay:
    """An opponent that controls some worlds: the policy (held, so LRU eviction never
    unloads it mid-episode) and its recurrent state over all red rows."""

    policy: RecurrentPolicy
    state: LSTMState
    rows: Tensor = field(default_factory=lambda: torch.zeros(0, dtype=torch.long))


@dataclass
class UpdateReport:
    """Results of the training games that finished since the previous report."""

    games: dict[str, list[int]]  # opponent id -> [wins, draws, losses] of the learner
    kinds: dict[str, str]  # opponent id -> league kind
    learner_rating: Rating
    pool_size: int

    def metrics(self) -> dict[str, float]:
        """Flat scalars: ``win_rate/<id>``, ``games/<id>``, ``win_rate_vs_<kind>``, totals."""
        out: dict[str, float] = {}
        by_kind: dict[str, list[int]] = {}
        for opp_id, (w, d, loss) in sorted(self.games.items()):
            out[f"win_rate/{opp_id}"] = w / (w + d + loss)
            out[f"games/{opp_id}"] = float(w + d + loss)
            tally = by_kind.setdefault(self.kinds.get(opp_id, "unknown"), [0, 0, 0])
            for i, n in enumerate((w, d, loss)):
                tally[i] += n
        for kind, (w, d, loss) in sorted(by_kind.items()):
            out[f"win_rate_vs_{kind}"] = w / (w + d + loss)
        total = [sum(t[i] for t in self.games.values()) for i in range(3)]
        n = sum(total)
        out["games"] = float(n)
        out["win_rate"] = total[0] / n if n else math.nan
        out["draw_rate"] = total[1] / n if n else math.nan
        out["opponents"] = float(len(self.games))
        out["pool_size"] = float(self.pool_size)
        out["learner_mu"] = self.learner_rating.mu
        out["learner_rd"] = self.learner_rating.rd
        return out


class LeagueOpponent:
    """Red rows played by league policies, one sampled per world per episode.

    ``rows_per_world`` = red agents per world; the number of worlds follows from the
    ``columns`` given to :meth:`reset`, so the same class serves training and evaluation
    envs of any size (rows are world-major, as the collector flattens them).
    """

    def __init__(
        self,
        store: LeagueStore,
        cache: PolicyCache,
        rows_per_world: int,
        action_dim: int,
        generator: torch.Generator,
        config: LeagueTrainConfig | None = None,
        seed: int = 0,
        record: bool = True,
    ) -> None:
        self.store = store
        self.cache = cache
        self.rows_per_world = rows_per_world
        self.action_dim = action_dim
        self.generator = generator
        self.config = config or LeagueTrainConfig()
        self.sampler = OpponentSampler(SamplingConfig(mode=self.config.mode), seed=seed)
        self.record = record
        self.recent: deque[tuple[str, float]] = deque(maxlen=self.config.rating_window)
        self.pending: dict[str, list[int]] = {}
        # This update's games, and the learner window as it stood before them (for a
        # distributed run's end_update, which swaps them for the job's games).
        self.fresh: list[tuple[str, float]] = []
        self.settled: list[tuple[str, float]] = []
        self.updates_seen = 0
        self.learner_rating = Rating()
        self.samples_drawn = 0
        self.num_worlds = 0
        self.assignment: list[str | None] = []
        self.in_play: dict[str, _InPlay] = {}
        self.device = torch.device("cpu")
        self._refresh_pool()

    # -- league --------------------------------------------------------------------------
    def _refresh_pool(self) -> None:
        league = self.store.load()
        self.pool = training_pool(league)
        self.kinds = {e.id: e.kind for e in league.entries.values()}
        self.ratings = {e.id: e.rating for e in league.entries.values()}
        self.learner_rating = self._estimate_learner_rating()

    def _estimate_learner_rating(self) -> Rating:
        results = [(self.ratings[i], s) for i, s in self.recent if i in self.ratings]
        return rate(Rating(), results) if results else Rating()

    def player(self) -> Contender:
        return Contender(LEARNER_ID, self.learner_rating, len(self.recent))

    # -- Opponent protocol ---------------------------------------------------------------
    def reset(self, columns: int, device: torch.device) -> None:
        """Forget every assignment: each world draws a fresh opponent at its next step."""
        if columns % self.rows_per_world:
            raise ValueError(
                f"{columns} red rows are not a multiple of {self.rows_per_world} per world"
            )
        self.num_worlds = columns // self.rows_per_world
        self.device = torch.device(device)
        self.assignment = [None] * self.num_worlds
        self.in_play = {}

    def act(self, obs: Tensor, episode_start: Tensor) -> Tensor:
        """``obs [worlds * rows_per_world, D]``, ``episode_start`` per row -> actions."""
        with torch.inference_mode():
            if self.num_worlds * self.rows_per_world != obs.shape[0]:
                self.reset(obs.shape[0], obs.device)
            world_start = episode_start.view(self.num_worlds, self.rows_per_world)[:, 0]
            fresh = [w for w, s in enumerate(world_start.tolist()) if s or not self.assignment[w]]
            if fresh:
                self._assign(fresh)
            actions = obs.new_zeros(obs.shape[0], self.action_dim)
            for opp_id, entry in self.in_play.items():
                actions[entry.rows] = self._act_rows(opp_id, entry, obs, episode_start)
            return actions

    # -- sampling and layout -------------------------------------------------------------
    def _assign(self, worlds: list[int]) -> None:
        picks = self.sampler.sample(self.player(), self.pool, n=len(worlds))
        self.samples_drawn += len(worlds)
        for world, opp_id in zip(worlds, picks, strict=True):
            self.assignment[world] = opp_id
        self._rebuild_layout()

    def _rebuild_layout(self) -> None:
        rows_by_id: dict[str, list[int]] = {}
        r = self.rows_per_world
        for world, opp_id in enumerate(self.assignment):
            if opp_id is not None:
                rows_by_id.setdefault(opp_id, []).extend(range(world * r, (world + 1) * r))
        total = self.num_worlds * r
        in_play: dict[str, _InPlay] = {}
        for opp_id, rows in rows_by_id.items():
            entry = self.in_play.get(opp_id)
            if entry is None:
                policy = self.cache.get(opp_id)
                entry = _InPlay(policy, policy.initial_state(total, self._device_of(policy)))
            entry.rows = torch.tensor(rows, dtype=torch.long, device=entry.state.h.device)
            in_play[opp_id] = entry
        # Opponents without worlds are dropped here; the cache alone decides if they stay.
        self.in_play = in_play

    def _device_of(self, policy: RecurrentPolicy) -> torch.device:
        if isinstance(policy, torch.nn.Module):
            for tensor in policy.parameters():
                return tensor.device
        return self.device

    def _act_rows(self, opp_id: str, entry: _InPlay, obs: Tensor, episode_start: Tensor) -> Tensor:
        rows, policy = entry.rows, entry.policy
        device = entry.state.h.device
        start = episode_start[rows.to(episode_start.device)].to(device)
        state = entry.state.select(rows)
        if bool(start.any()):
            # A world that starts an episode may have played this opponent before: its rows
            # hold that old episode's state. Start from the policy's own initial state.
            init = policy.initial_state(len(rows), device)
            keep = ~start.view(1, -1, 1)
            state = LSTMState(
                torch.where(keep, state.h, init.h), torch.where(keep, state.c, init.c)
            )
        rows_obs = obs[rows.to(obs.device)].to(device)
        if isinstance(policy, RecurrentActorCritic):
            out, next_state = policy(rows_obs.float(), state, start)
            dist = policy.distribution(out)
            action = dist.mode() if self.config.deterministic else dist.sample(self.generator)
        else:
            action, next_state = policy.act(rows_obs, state, start, self.config.deterministic)
        entry.state.h[:, rows] = next_state.h
        entry.state.c[:, rows] = next_state.c
        return action.to(obs.device, obs.dtype)

    # -- results -------------------------------------------------------------------------
    def episodes_ended(self, ended: Tensor, winner: Tensor) -> None:
        """Record the learner's result against each ended world's opponent."""
        if not self.record:
            return
        winner = winner.cpu()  # one device sync, not one per ended world
        for world in torch.nonzero(ended.cpu()).flatten().tolist():
            opp_id = self.assignment[world] if world < len(self.assignment) else None
            if opp_id is None:
                continue
            score = _SCORE_BY_WINNER.get(int(winner[world]))
            if score is None:
                raise RuntimeError(f"env reported winner {int(winner[world])} for world {world}")
            _tally(self.pending, opp_id, score)
            self.recent.append((opp_id, score))
            self.fresh.append((opp_id, score))

    def end_update(
        self,
        gather: Callable[[list[tuple[str, float]]], list[tuple[str, float]]] | None = None,
    ) -> UpdateReport:
        """Close one update: report its games, refresh the pool, re-estimate the learner.
        ``gather`` (distributed runs) turns this rank's games of the update into every rank's:
        they replace the rank's own in the report and in the learner's window."""
        if gather is not None:
            everyone = gather(self.fresh)
            self.recent = deque([*self.settled, *everyone], maxlen=self.config.rating_window)
            self.pending = {}
            for opp_id, score in everyone:
                _tally(self.pending, opp_id, score)
        self.fresh, self.settled = [], list(self.recent)
        self.updates_seen += 1
        games, self.pending = self.pending, {}
        every = self.config.refresh_every
        if every and self.updates_seen % every == 0:
            self._refresh_pool()
        else:
            self.learner_rating = self._estimate_learner_rating()
        return UpdateReport(games, dict(self.kinds), self.learner_rating, len(self.pool))

    def for_evaluation(self, generator: torch.Generator, seed: int) -> LeagueOpponent:
        """Same league, cache and learner estimate; its own sampler; records nothing."""
        twin = LeagueOpponent.__new__(LeagueOpponent)
        twin.__dict__.update(self.__dict__)
        twin.generator = generator
        twin.sampler = OpponentSampler(self.sampler.config, seed=seed)
        twin.record = False
        twin.recent = deque(self.recent, maxlen=self.config.rating_window)
        twin.pending, twin.fresh, twin.settled = {}, [], list(twin.recent)
        twin.assignment, twin.in_play, twin.num_worlds = [], {}, 0
        return twin

    # -- checkpoints ---------------------------------------------------------------------
    def state_dict(self) -> tuple[dict[str, Any], dict[str, Tensor]]:
        """(JSON data, tensors): sampler RNG, learner window, assignment, recurrent states."""
        in_play = sorted(self.in_play)
        meta: dict[str, Any] = {
            "sampler_rng": self.sampler.rng.bit_generator.state,
            "recent": [[i, s] for i, s in self.recent],
            "pending": self.pending,
            "updates_seen": self.updates_seen,
            "samples_drawn": self.samples_drawn,
            "assignment": list(self.assignment),
            "in_play": in_play,
        }
        tensors: dict[str, Tensor] = {}
        for index, opp_id in enumerate(in_play):
            state = self.in_play[opp_id].state
            tensors[f"league_opponent/{index}/h"] = state.h
            tensors[f"league_opponent/{index}/c"] = state.c
        return json.loads(json.dumps(meta)), tensors

    def load_state_dict(
        self, meta: Mapping[str, Any], tensors: Mapping[str, Tensor], restore_play: bool
    ) -> None:
        """Restore the sampler and learner window; with ``restore_play`` (the env state was
        restored too) also the worlds' current opponents and their recurrent states."""
        self.sampler.rng.bit_generator.state = meta["sampler_rng"]
        self.recent = deque(
            ((str(i), float(s)) for i, s in meta["recent"]), maxlen=self.config.rating_window
        )
        self.pending = {str(k): [int(x) for x in v] for k, v in meta["pending"].items()}
        self.fresh, self.settled = [], list(self.recent)
        self.updates_seen = int(meta["updates_seen"])
        self.samples_drawn = int(meta["samples_drawn"])
        self.learner_rating = self._estimate_learner_rating()
        if not restore_play:
            return
        assignment = list(meta["assignment"])
        if len(assignment) != self.num_worlds:
            raise ValueError(
                f"checkpoint has league opponents for {len(assignment)} worlds, "
                f"this run has {self.num_worlds}"
            )
        self.assignment = assignment
        self.in_play = {}
        self._rebuild_layout()
        for index, opp_id in enumerate(meta["in_play"]):
            entry = self.in_play[opp_id]
            h = tensors[f"league_opponent/{index}/h"].to(entry.state.h.device)
            c = tensors[f"league_opponent/{index}/c"].to(entry.state.c.device)
            entry.state = LSTMState(h.clone(), c.clone())


def _tally(tallies: dict[str, list[int]], opp_id: str, score: float) -> None:
    """The learner's [wins, draws, losses] against ``opp_id``."""
    tally = tallies.setdefault(opp_id, [0, 0, 0])
    tally[0 if score == 1.0 else 1 if score == 0.5 else 2] += 1


def build_league_opponent(
    path: str | Path,
    config: LeagueTrainConfig,
    rows_per_world: int,
    obs_dim: int,
    action_dim: int,
    device: torch.device,
    generator: torch.Generator,
    seed: int,
    loader: Callable[[str], RecurrentPolicy] | None = None,
) -> LeagueOpponent:
    store = LeagueStore(path)
    cache = PolicyCache(
        loader or league_policy_loader(store, device, obs_dim, action_dim), config.max_models
    )
    return LeagueOpponent(store, cache, rows_per_world, action_dim, generator, config, seed)


__all__ = [
    "LEAGUE_PREFIX",
    "LeagueOpponent",
    "LeagueTrainConfig",
    "UpdateReport",
    "build_league_opponent",
    "league_policy_loader",
    "parse_league_opponent",
    "training_pool",
]
