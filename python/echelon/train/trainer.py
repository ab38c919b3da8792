"""The training loop: collect -> PPO update -> log -> evaluate -> checkpoint.

``Trainer`` is environment-agnostic: it takes a factory ``make_env(num_worlds, seed)``
returning anything that follows the ``VecEnv`` contract (``echelon.VecEnv`` in real runs,
small torch environments in the tests).

Resume: a checkpoint holds the model, optimiser, value normaliser, counters, every RNG
(Python, NumPy, torch, the learner's shuffling generator, the action-sampling generator),
the self-play opponent's weights and the rollout carry (current observations, LSTM states,
episode accumulators). If the environment exposes ``state_dict()/load_state_dict()`` its
state is saved too and a resumed run continues *identically*: tensors of the env state go to
``env/<name>`` tensors of trainer.safetensors (the C++ ``VecEnv``: ``env/sim_state``, the
simulator snapshot), its other entries (config, seed, sizes) to the ``env_state_meta`` metadata.
Otherwise the envs and the carry are reset on resume, and only the learner state continues.

Several processes (``comm``; ``echelon.train.distributed`` holds the plumbing): each rank owns a
block of the worlds in its own env and a block of the learner columns; the learner trains through
DDP and the statistics are the job's. Rank 0 alone logs, evaluates, writes checkpoints (with
every rank's env state and carry, gathered) and submits to a league; every rank takes part in the
collectives those steps need, so all of them call ``save``, ``checkpoint_now`` and
``submit_to_league``. A checkpoint written by as many processes resumes exactly; another number of
processes resumes the learner and restarts the environments (``resume_note`` says so).
"""

from __future__ import annotations

import dataclasses
import math
import os
import subprocess
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from echelon.distributed import SINGLE, Comm, RowShard, WorldShard, rank_device
from echelon.rl.model import RecurrentActorCritic, compile_model
from echelon.rl.registry import MODEL_NAMES, build_model
from echelon.train import run_dir as run_dirs
from echelon.train.buffer import RolloutBuffer
from echelon.train.checkpoint import (
    CheckpointError,
    apply_checkpoint,
    capture_rng_states,
    read_checkpoint_dir,
    remove_checkpoint_dir,
    restore_rng_states,
    save_checkpoint,
)
from echelon.train.config import TrainConfig, config_to_dict
from echelon.train.curriculum import HeuristicCurriculum, set_red_heuristic
from echelon.train.distributed import (
    cpu_tensors,
    make_rank_env,
    merge_rollout_stats,
    rank_seed,
    rank_tensors,
    shared_tensors,
    sum_grids,
    tensors_of_rank,
)
from echelon.train.env_protocol import BatchEnv, learner_slice, opponent_slice, slice_len
from echelon.train.evaluation import evaluate_policy
from echelon.train.heatmaps import HeatmapRecorder, heatmaps_supported
from echelon.train.league_opponent import LeagueOpponent, build_league_opponent
from echelon.train.league_submit import Submission, submission_id, submit_checkpoint
from echelon.train.opponents import IdleOpponent, SelfPlayOpponent
from echelon.train.ppo import PPOLearner
from echelon.train.rollout import Opponent, RolloutCollector
from echelon.train.run_logger import RunLogger, console_line
from echelon.train.schedules import scheduled_value

EnvFactory = Callable[[int, int], BatchEnv]
PACK_SIZE = 5


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} requested but CUDA is not available")
    return torch.device(name)


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=2, check=False
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def build_policy(cfg: TrainConfig, env: BatchEnv) -> RecurrentActorCritic:
    m = cfg.model
    kwargs: dict[str, Any] = {
        "obs_dim": env.obs_dim,
        "action_dim": env.action_dim,
        "obs_layout": getattr(env, "obs_layout", None),
        "hidden": m.hidden,
        "lstm_hidden": m.lstm_hidden,
        "lstm_layers": m.lstm_layers,
        "log_std_min": m.log_std_min,
        "log_std_max": m.log_std_max,
        "log_std_init": m.log_std_init,
        "recurrence": m.recurrence,
    }
    return build_model({"class": MODEL_NAMES[m.kind], "kwargs": kwargs})


class Trainer:
    def __init__(
        self,
        cfg: TrainConfig,
        make_env: EnvFactory,
        run_dir: str | Path | None = None,
        logger: RunLogger | None = None,
        eval_env_factory: EnvFactory | None = None,
        comm: Comm = SINGLE,
    ) -> None:
        self.cfg = cfg
        self.comm = comm
        self.device = resolve_device(rank_device(cfg.device, comm))
        if cfg.torch_threads:
            torch.set_num_threads(cfg.torch_threads)
        torch.manual_seed(cfg.seed)
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.logger = logger or RunLogger(None, console=False)
        self.make_env = make_env
        self.make_eval_env = eval_env_factory or make_env
        # This rank's block of the job's worlds (all of them with one process).
        self.shard = WorldShard.split(cfg.num_worlds, comm.world_size, comm.rank)
        self.env, self.env_note = make_rank_env(make_env, self.shard, cfg.seed)
        self.resume_note: str | None = None
        # Core-driven red (heuristic:N): no opponent policy; the curriculum may raise N.
        self.heuristic_level = cfg.heuristic_level()
        if self.heuristic_level is not None:
            set_red_heuristic(self.env, self.heuristic_level)
        self.curriculum: HeuristicCurriculum | None = None
        if cfg.curriculum.enabled and self.heuristic_level is not None:
            # The job's finished episodes feed it on every rank: the same decisions everywhere.
            self.curriculum = HeuristicCurriculum(
                cfg.curriculum, self.heuristic_level, cfg.num_worlds
            )
        self.model = build_policy(cfg, self.env).to(self.device)
        if cfg.model.compile:
            compile_model(self.model)
        learner_rows = RowShard.of_worlds(
            self.shard, slice_len(learner_slice(self.env), self.env.num_agents)
        )
        self.learner = PPOLearner(
            self.model, cfg.ppo, self.device, seed=cfg.seed, comm=comm, rows=learner_rows
        )
        if cfg.init_from:
            # Warm start: weights and value normaliser from another run's checkpoint; this run's
            # counters, optimiser, environments and curriculum start fresh (docs/training.md).
            # Rank 0 reads it and sends it: the other machines need not see the file.
            self._init_from(cfg.init_from)
        self.opponent_generator = torch.Generator(device=self.device)
        self.opponent_generator.manual_seed(cfg.seed + 1)
        self.opponent: Opponent | None = None
        red_external = _red_is_external(self.env) and self.heuristic_level is None
        if opponent_slice(self.env) is not None and red_external:
            if cfg.opponent == "self":
                red = opponent_slice(self.env)
                assert red is not None
                red_rows = RowShard.of_worlds(self.shard, slice_len(red, self.env.num_agents))
                self.opponent = SelfPlayOpponent(self.model, self.opponent_generator, red_rows)
            elif cfg.league_opponent_path() is not None:
                self.opponent = self._league_opponent(str(cfg.league_opponent_path()))
            else:
                self.opponent = IdleOpponent(self.env.action_dim)
        self.collector = RolloutCollector(
            self.env, self.model, self.device, self.opponent, seed=cfg.seed + 2, rows=learner_rows
        )
        self.heatmaps: HeatmapRecorder | None = None
        if cfg.heatmap_every and heatmaps_supported(self.env):
            self.heatmaps = HeatmapRecorder(
                self.env.config.map_size,  # type: ignore[attr-defined]
                self.collector.learn,
                self.env.num_agents,
                cfg.heatmap_grid,
                cfg.heatmap_sample_every,
            )
        p = cfg.ppo
        self.buffer = RolloutBuffer(
            p.rollout_steps,
            self.collector.columns,
            self.env.obs_dim,
            self.env.action_dim,
            p.chunk_length,
            self.model.lstm_layers,
            self.model.lstm_hidden,
            self.device,
        )
        per_world = self.collector.per_world
        # Group = role within the pack (heavy, medium, medium, light, scout) for per-group
        # advantage normalisation.
        self.groups = (torch.arange(per_world) % PACK_SIZE).repeat(self.shard.count).to(self.device)
        self.samples_per_update = p.rollout_steps * learner_rows.total  # the job's
        self.total_updates = max(1, math.ceil(cfg.total_steps / self.samples_per_update))
        self.update = 0
        self.agent_steps = 0
        self.episodes = 0
        self.best_score: tuple[float, ...] | None = None
        self.recent_returns: deque[float] = deque(maxlen=100)
        self.recent_winners: deque[int] = deque(maxlen=100)
        self._pending_other_seconds = 0.0  # evaluation/checkpoint time, charged to the next update
        # Set from a signal handler (Ctrl-C in `echelon train`): the loop stops after the update
        # in progress, and the caller saves a checkpoint.
        self.stop_requested = False
        self.time_limit_reached = False

    # -- one update ---------------------------------------------------------------------
    def progress(self) -> float:
        return self.update / self.total_updates

    def run_update(self) -> dict[str, float]:
        cfg, p = self.cfg, self.cfg.ppo
        t0 = time.perf_counter()
        denorm = self.learner.denormalize_value if p.normalize_values else None
        heatmap_due = self.heatmaps is not None and (self.update + 1) % cfg.heatmap_every == 0
        self.collector.observer = self.heatmaps if heatmap_due else None
        stats = self.collector.collect(self.buffer, denorm)
        t1 = time.perf_counter()
        lr = scheduled_value(p.lr_schedule, p.lr, p.lr_end, self.progress())
        ent = scheduled_value("linear", p.ent_coef, p.ent_coef_end, self.progress())
        groups = self.groups if p.advantage_norm == "per_group" else None
        metrics = self.learner.update(self.buffer, lr=lr, ent_coef=ent, groups=groups)
        t2 = time.perf_counter()
        stats = merge_rollout_stats(self.comm, stats, self.shard.offset)  # the job's episodes
        self.update += 1
        self.agent_steps += self.samples_per_update
        self.episodes += len(stats.episode_returns)
        self.recent_returns.extend(stats.episode_returns)
        self.recent_winners.extend(stats.winners)
        refresh = cfg.opponent_refresh and self.update % cfg.opponent_refresh == 0
        if isinstance(self.opponent, SelfPlayOpponent) and refresh:
            self.opponent.sync(self.model)
        if heatmap_due and self.heatmaps is not None:
            sum_grids(self.comm, self.heatmaps.counts)  # every rank's worlds
            for name, image in self.heatmaps.images().items():
                self.logger.image(f"heatmap/{name}", image, self.agent_steps)
            self.heatmaps.clear()
        metrics.update(self._curriculum_step(stats.winners))
        if stats.late_terminal_missed_fraction is not None:
            metrics["late_terminal_missed_fraction"] = stats.late_terminal_missed_fraction
        t3 = time.perf_counter()
        # Where this update's wall time went (docs/training.md, "Where the time goes"):
        # the simulator, the policy acting during the rollout, the learner's PPO epochs, and
        # everything else (rollout bookkeeping, curriculum, logging, and the evaluation and
        # checkpoint that followed the previous update).
        other = (stats.seconds - stats.env_seconds - stats.inference_seconds) + (t3 - t2)
        other += self._pending_other_seconds
        self._pending_other_seconds = 0.0
        metrics.update(
            time_env=stats.env_seconds,
            time_inference=stats.inference_seconds,
            time_learner=t2 - t1,
            time_other=other,
        )
        metrics.update(
            update=float(self.update),
            agent_steps=float(self.agent_steps),
            episodes=float(self.episodes),
            episode_return=_mean(self.recent_returns),
            rollout_episode_return=_mean(stats.episode_returns),
            episode_length=_mean(stats.episode_lengths),
            win_rate=_mean([float(w == 0) for w in self.recent_winners]),
            valid_fraction=stats.valid_fraction,
            mean_reward=stats.mean_reward,
            rollout_seconds=t1 - t0,
            update_seconds=t2 - t1,
            steps_per_second=self.samples_per_update / (t3 - t0),
        )
        if isinstance(self.opponent, LeagueOpponent):
            metrics.update(self._league_step(self.opponent))
        return metrics

    # -- league opponents and submission ------------------------------------------------
    def _league_opponent(self, path: str) -> LeagueOpponent:
        red = opponent_slice(self.env)
        assert red is not None
        return build_league_opponent(
            path,
            self.cfg.league,
            slice_len(red, self.env.num_agents),
            self.env.obs_dim,
            self.env.action_dim,
            self.device,
            self.opponent_generator,
            seed=rank_seed(self.cfg.seed, self.comm.rank),
        )

    def _league_step(self, opponent: LeagueOpponent) -> dict[str, float]:
        """Close this update's league games: log win rates per opponent, refresh the pool."""
        gather = self._gather_games if self.comm.distributed else None
        report = opponent.end_update(gather).metrics()
        self.logger.record("league", update=self.update, agent_steps=self.agent_steps, **report)
        self.logger.scalars(self.agent_steps, report, prefix="league")
        return {
            "league_games": report["games"],
            "league_win_rate": report["win_rate"],
            "league_learner_mu": report["learner_mu"],
        }

    def _gather_games(self, games: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """Every rank's new league games (rank order): the learner's rating is the job's."""
        return [game for part in self.comm.all_gather_object(games) for game in part]

    def _saved_on_main(self, path: Path) -> bool:
        """Whether rank 0 finds a checkpoint at ``path`` (only rank 0's filesystem counts)."""
        found = (path / "meta.json").is_file() if self.comm.is_main else None
        return bool(self.comm.broadcast_object(found))

    def submit_to_league(
        self, checkpoint: str | Path | None = None, tag: str = ""
    ) -> Submission | None:
        """Add ``checkpoint`` (default: this update's, saved first if missing) to the run's
        league as a candidate (docs/training.md, "Training against the league"). Every rank
        calls it (the save is collective); rank 0 submits, the others get None."""
        league = self.cfg.league_path()
        if league is None:
            raise ValueError("no league to submit to: --league PATH or --opponent league:PATH")
        if self.run_dir is None:
            raise ValueError("submitting to a league needs a run directory")
        if checkpoint is None:
            checkpoint = self.run_dir / "checkpoints" / f"update_{self.update:06d}"
            if not self._saved_on_main(Path(checkpoint)):
                self.save(checkpoint)
        if not self.comm.is_main:
            return None
        env_config = getattr(self.env, "config", None)
        to_dict = getattr(env_config, "to_dict", None)
        submission = submit_checkpoint(
            league,
            checkpoint,
            submission_id(self.run_dir, self.update, tag),
            meta={
                "run_dir": str(self.run_dir.resolve()),
                "update": self.update,
                "agent_steps": self.agent_steps,
                "tag": tag or "final",
            },
            env_signature=to_dict() if callable(to_dict) else None,
        )
        entry = submission.entry
        self.logger.record(
            "submit",
            update=self.update,
            league=league,
            entry=entry.id,
            sha256=entry.sha256,
            created=submission.created,
            checkpoint=str(checkpoint),
        )
        self.logger.line(submission.describe(league))
        return submission

    def _curriculum_step(self, winners: list[int]) -> dict[str, float]:
        """Feed finished episodes to the curriculum; raise red's level when it says so."""
        if self.curriculum is None:
            level = self.heuristic_level
            return {} if level is None else {"opponent_level": float(level)}
        new_level = self.curriculum.record(winners, self.update, self.agent_steps)
        if new_level is not None:
            set_red_heuristic(self.env, new_level)
            self.logger.record(
                "curriculum", update=self.update, agent_steps=self.agent_steps, level=new_level
            )
            self.logger.line(f"curriculum: red heuristic level -> {new_level}")
        return {
            "opponent_level": float(self.curriculum.level),
            "curriculum_win_rate": self.curriculum.win_rate(),
        }

    def current_heuristic_level(self) -> int | None:
        return self.curriculum.level if self.curriculum is not None else self.heuristic_level

    # -- loop ---------------------------------------------------------------------------
    def train(self, num_updates: int | None = None) -> list[dict[str, float]]:
        """Run ``num_updates`` more updates (default: until ``total_steps``)."""
        end = self.total_updates if num_updates is None else self.update + num_updates
        history = []
        self.logger.record(
            "start",
            update=self.update,
            processes=self.comm.world_size,
            worlds_per_process=list(self.shard.counts),
            config=config_to_dict(self.cfg),
            device=str(self.device),
            torch=torch.__version__,
            git=git_commit(),
            obs_dim=self.env.obs_dim,
            action_dim=self.env.action_dim,
            columns=self.collector.columns,
            parameters=sum(p.numel() for p in self.model.parameters()),
        )
        start_time = time.perf_counter()
        start_update = self.update
        while self.update < end:
            # A stop asked for on any rank (Ctrl-C, SIGTERM) stops every rank after this update.
            if self.comm.any(self.stop_requested):
                self.stop_requested = True
                break
            metrics = self.run_update()
            history.append(metrics)
            self.logger.record("update", **metrics)
            self.logger.scalars(self.agent_steps, metrics)
            elapsed = time.perf_counter() - start_time
            eta = elapsed / (self.update - start_update) * (end - self.update)
            self.logger.line(console_line(self.update, end, metrics, eta))
            t_extra = time.perf_counter()
            self._maybe_evaluate()
            self._maybe_save()
            self._pending_other_seconds += time.perf_counter() - t_extra
            limit = self.cfg.time_limit_minutes
            # Rank 0's clock decides, so every rank stops after the same update.
            if limit is not None and self.comm.broadcast_object(
                time.perf_counter() - start_time >= 60.0 * limit
            ):
                self.time_limit_reached = True
                self.logger.line(f"time limit of {limit:g} minutes reached at update {self.update}")
                self.checkpoint_now()
                break
        return history

    def evaluate(self) -> dict[str, float]:
        cfg = self.cfg
        env = self.make_eval_env(cfg.eval_worlds, cfg.seed + 1_000_003)
        opponent: Opponent | None = None
        level = self.current_heuristic_level()
        if level is not None:  # evaluate against the level the learner trains against now
            set_red_heuristic(env, level)
        elif opponent_slice(env) is not None:
            if isinstance(self.opponent, SelfPlayOpponent):
                gen = torch.Generator(self.device).manual_seed(cfg.seed + 5)
                opponent = SelfPlayOpponent(self.opponent.model, gen)
            elif isinstance(self.opponent, LeagueOpponent):
                gen = torch.Generator(self.device).manual_seed(cfg.seed + 5)
                opponent = self.opponent.for_evaluation(gen, seed=cfg.seed + 6)
            else:
                opponent = IdleOpponent(env.action_dim)
        recording = self._record_eval(env, level)
        result = evaluate_policy(env, self.model, cfg.eval_episodes, self.device, opponent)
        if recording:
            self._log_eval_replay(env)
        return result

    # -- evaluation replays (docs/replay.md) ---------------------------------------------
    def _record_eval(self, env: BatchEnv, level: int | None) -> bool:
        """Records world 0's first evaluation episode into RUN_DIR/replays/ (written as soon as
        the episode ends, so ``echelon replay view RUN_DIR`` shows it while evaluation goes on)."""
        record = getattr(env, "record", None)
        if not (self.cfg.eval_replay and self.run_dir is not None and callable(record)):
            return False
        record(
            worlds=[0],
            episodes=1,
            directory=self.run_dir / "replays",
            name="eval_update_{update:06d}",
        )
        opponent = f"heuristic:{level}" if level is not None else self.cfg.opponent
        env.set_replay_meta(  # type: ignore[attr-defined]
            0,
            {
                "source": "train-eval",
                "update": self.update,
                "agent_steps": self.agent_steps,
                "opponent": opponent,
            },
        )
        return True

    def _log_eval_replay(self, env: BatchEnv) -> None:
        files = list(getattr(env, "replay_files", []))
        if not files:
            return
        path = files[0]
        self.logger.record("replay", update=self.update, path=str(path), bytes=path.stat().st_size)
        if self.cfg.eval_video:
            from echelon.replay import Replay
            from echelon.replay.render import RenderOptions, gif_bytes

            gif = gif_bytes(Replay.load(path), RenderOptions(fps=8.0, speed=2.0, scale=3))
            self.logger.gif("eval/replay", gif, self.agent_steps)

    def _maybe_evaluate(self) -> None:
        cfg = self.cfg
        if not cfg.eval_every or self.update % cfg.eval_every:
            return
        # Rank 0 evaluates and decides; a new best is saved by every rank (the save is
        # collective), submitted by rank 0.
        improved = self._evaluate_on_main() if self.comm.is_main else None
        decision: tuple[bool, dict[str, float]] | None = self.comm.broadcast_object(improved)
        assert decision is not None
        better, result = decision
        if better and self.run_dir is not None:
            self.save(self.run_dir / "best", extra_meta={"eval": result})
            if cfg.league.submit_best:
                self.submit_to_league(self.run_dir / "best", tag="best")

    def _evaluate_on_main(self) -> tuple[bool, dict[str, float]]:
        result = self.evaluate()
        self.logger.record("eval", update=self.update, agent_steps=self.agent_steps, **result)
        self.logger.scalars(self.agent_steps, result, prefix="eval")
        score: tuple[float, ...] = (result.get("win_rate", 0.0), result["mean_return"])
        if self.curriculum is not None:  # a win at a higher level beats any at a lower one
            score = (float(self.curriculum.level), *score)
        # best/ is this run folder's best: the first evaluation written into a folder counts as
        # an improvement (a run resumed into a new folder brings an old best score along), so
        # every run that evaluated has a best/.
        first_here = self.run_dir is not None and not (self.run_dir / "best").is_dir()
        improved = self.best_score is None or score > self.best_score or first_here
        self.logger.line(
            f"eval @ {self.update}: return {result['mean_return']:+.3f} "
            f"win {result.get('win_rate', float('nan')):.2f}" + (" (best)" if improved else "")
        )
        if improved:
            self.best_score = score
        return improved, result

    def _maybe_save(self) -> None:
        cfg = self.cfg
        if self.run_dir is None:
            return
        last = self.update >= self.total_updates
        if (cfg.save_every and self.update % cfg.save_every == 0) or last:
            self.checkpoint_now()

    def checkpoint_path(self) -> Path | None:
        """Where this update's checkpoint goes (``RUN/checkpoints/update_N``)."""
        if self.run_dir is None:
            return None
        return self.run_dir / run_dirs.CHECKPOINTS / f"update_{self.update:06d}"

    def checkpoint_now(self) -> Path | None:
        """Save this update's checkpoint (unless it exists) and rotate old ones."""
        path = self.checkpoint_path()
        if path is None:
            return None
        if not self._saved_on_main(path):
            self.save(path)
            self.logger.record("checkpoint", update=self.update, path=str(path))
        if self.comm.is_main:
            self._prune_checkpoints()
        return path

    def _prune_checkpoints(self) -> None:
        """Keep the newest ``keep_checkpoints`` up to this update (numeric order). Checkpoints
        beyond this update are not this run's past and are never touched, so the one just
        written is always kept."""
        assert self.run_dir is not None
        if not self.cfg.keep_checkpoints:
            return
        past = [
            p
            for p in run_dirs.checkpoints(self.run_dir)
            if (run_dirs.checkpoint_update(p) or 0) <= self.update
        ]
        for old in past[: -self.cfg.keep_checkpoints]:
            remove_checkpoint_dir(old)  # a kill mid-delete leaves no half checkpoint

    # -- checkpoints --------------------------------------------------------------------
    def _generators(self) -> dict[str, torch.Generator]:
        return {
            "learner_shuffle": self.learner.generator,
            "rollout_actions": self.collector.generator,
            "opponent_actions": self.opponent_generator,
        }

    # Entries of meta.json that belong to one rank (rank r >= 1: meta["distributed"]["ranks"]).
    RANK_META = ("rng", "env_state_saved", "env_state_meta", "league_opponent")

    def _rank_state(self) -> tuple[dict[str, Tensor], dict[str, Any]]:
        """What this rank alone holds: its env state, rollout carry, league opponents, RNGs."""
        tensors: dict[str, Tensor] = dict(self.collector.carry_tensors())
        league_state: dict[str, Any] | None = None
        if isinstance(self.opponent, LeagueOpponent):
            league_state, league_tensors = self.opponent.state_dict()
            tensors.update(league_tensors)
        env_state = getattr(self.env, "state_dict", None)
        env_meta: dict[str, Any] = {}
        if callable(env_state):
            for k, v in env_state().items():
                if isinstance(v, Tensor):
                    tensors[f"env/{k}"] = v
                else:  # plain values (config, seed, sizes) travel as JSON metadata
                    env_meta[k] = v
        meta = {
            "rng": capture_rng_states(self._generators()),
            "env_state_saved": callable(env_state),
            "env_state_meta": env_meta,
            "league_opponent": league_state,
        }
        return cpu_tensors(tensors), meta

    def save(self, path: str | Path, extra_meta: dict[str, Any] | None = None) -> Path:
        """Write a checkpoint. Every rank calls it: rank 0 gathers the ranks' own state and
        writes the folder (rank r's tensors under ``rank<r>/``, its metadata in
        ``meta["distributed"]["ranks"]``)."""
        parts = self.comm.gather_object(self._rank_state())
        if parts is None:  # not rank 0
            return Path(path)
        tensors = rank_tensors(t for t, _ in parts)
        if isinstance(self.opponent, SelfPlayOpponent):
            for k, v in self.opponent.model.state_dict().items():
                tensors[f"opponent/{k}"] = v
        meta = {
            "config": config_to_dict(self.cfg),
            "counters": {
                "update": self.update,
                "agent_steps": self.agent_steps,
                "episodes": self.episodes,
                "total_updates": self.total_updates,
            },
            "best_score": list(self.best_score) if self.best_score else None,
            "value_normalizer": self.learner.value_norm.state_dict(),
            **parts[0][1],
            # The logged episode_return / win_rate average over these windows.
            "recent_returns": list(self.recent_returns),
            "recent_winners": list(self.recent_winners),
            "curriculum": self.curriculum.state_dict() if self.curriculum is not None else None,
            "distributed": {
                "world_size": self.comm.world_size,
                "worlds": list(self.shard.counts),
                "ranks": [m for _, m in parts[1:]],
            },
            **(extra_meta or {}),
        }
        return save_checkpoint(path, self.model, meta, self.learner.optimizer, tensors)

    def _read_for_ranks(
        self, path: str | Path
    ) -> tuple[dict[str, Tensor], dict[str, Tensor], dict[str, Any], tuple[Any, Any] | None]:
        """Rank 0 reads (and verifies) the checkpoint and hands every rank the shared part and,
        when the checkpoint was written by as many processes, its own part (None otherwise).
        Only rank 0 touches the files: the other machines need not see the run folder."""
        main = self.comm.is_main
        shared: Any = None
        parts: list[tuple[dict[str, Tensor], dict[str, Any]]] | None = None
        if main:
            model_tensors, trainer_tensors, meta = read_checkpoint_dir(path, "cpu")
            shared = (model_tensors, shared_tensors(trainer_tensors), meta)
            if _saved_world_size(meta) == self.comm.world_size:
                parts = [
                    (tensors_of_rank(trainer_tensors, r), _rank_meta(meta, r))
                    for r in range(self.comm.world_size)
                ]
        model_tensors, common, meta = self.comm.broadcast_object(shared)
        same = _saved_world_size(meta) == self.comm.world_size
        mine = self.comm.scatter_object(parts) if same else None
        return model_tensors, common, meta, mine

    def _init_from(self, path: str) -> None:
        """``init_from``: another run's weights and value normaliser (every rank calls it; rank 0
        reads and verifies the checkpoint and sends it)."""

        def read() -> tuple[dict[str, Tensor], dict[str, Any]]:
            model_tensors, _, meta = read_checkpoint_dir(path, "cpu", with_trainer=False)
            return model_tensors, meta

        model_tensors, meta = self.comm.share_from_main(read)
        apply_checkpoint(self.model, None, model_tensors, {}, meta, path)
        self.learner.value_norm.load_state_dict(meta["value_normalizer"])

    def load(self, path: str | Path) -> dict[str, Any]:
        """Resume from ``path`` (every rank calls it). Written by as many processes: every rank
        continues its worlds exactly. Another number: the learner state resumes, the
        environments restart (``resume_note`` says so)."""
        model_tensors, common, meta, mine = self._read_for_ranks(path)
        apply_checkpoint(self.model, self.learner.optimizer, model_tensors, common, meta, path)
        saved_model = meta["config"]["model"]
        if saved_model != dataclasses.asdict(self.cfg.model):
            raise CheckpointError(
                f"model config differs from the checkpoint's: {saved_model} vs "
                f"{dataclasses.asdict(self.cfg.model)}"
            )
        tensors, rank_meta = mine if mine is not None else ({}, _rank_meta(meta, 0))
        if mine is None:
            saved = _saved_layout(meta)
            self.resume_note = (
                f"the checkpoint was written by {saved['world_size']} process(es) (worlds "
                f"{'+'.join(map(str, saved['worlds']))}), this run has {self.comm.world_size} "
                f"({'+'.join(map(str, self.shard.counts))}): the learner resumes (weights, "
                "optimiser, normaliser, counters, curriculum), every environment restarts"
            )
        counters = meta["counters"]
        self.update, self.agent_steps = counters["update"], counters["agent_steps"]
        self.logger.rewind(self.update)  # a run killed after this checkpoint logged later updates
        self.episodes = counters["episodes"]
        self.best_score = tuple(meta["best_score"]) if meta.get("best_score") else None  # type: ignore[assignment]
        self.learner.value_norm.load_state_dict(meta["value_normalizer"])
        self.learner.update_count = self.update
        self.recent_returns.clear()
        self.recent_returns.extend(meta.get("recent_returns", []))
        self.recent_winners.clear()
        self.recent_winners.extend(meta.get("recent_winners", []))
        if isinstance(self.opponent, SelfPlayOpponent):
            opp = {k[len("opponent/") :]: v for k, v in common.items() if k.startswith("opponent/")}
            self.opponent.model.load_state_dict(opp, strict=True)
        restore_rng_states(rank_meta["rng"], self._generators())
        if self.curriculum is not None and meta.get("curriculum"):
            self.curriculum.load_state_dict(meta["curriculum"])
            set_red_heuristic(self.env, self.curriculum.level)
        env_tensors = {k[len("env/") :]: v for k, v in tensors.items() if k.startswith("env/")}
        load_env = getattr(self.env, "load_state_dict", None)
        if env_tensors and callable(load_env):
            load_env({**(rank_meta.get("env_state_meta") or {}), **env_tensors})
            self.collector.load_carry(tensors)
        else:
            self.collector.reset()
            if self.curriculum is not None:
                self.curriculum.skip = 0  # every world restarts at the restored level
        if isinstance(self.opponent, LeagueOpponent) and rank_meta.get("league_opponent"):
            self.opponent.load_state_dict(
                rank_meta["league_opponent"],
                tensors,
                restore_play=bool(env_tensors) and callable(load_env),
            )
            if mine is None and self.comm.rank > 0:  # restored rank 0's sampler: own stream
                seed = rank_seed(self.cfg.seed + self.update, self.comm.rank)
                self.opponent.sampler.rng = np.random.default_rng(seed)
        return meta


def _saved_layout(meta: dict[str, Any]) -> dict[str, Any]:
    """``{"world_size", "worlds"}`` of the run that wrote a checkpoint (checkpoints from before
    distributed runs: one process with all worlds)."""
    return meta.get("distributed") or {
        "world_size": 1,
        "worlds": [meta["config"]["num_worlds"]],
        "ranks": [],
    }


def _saved_world_size(meta: dict[str, Any]) -> int:
    return int(_saved_layout(meta)["world_size"])


def _rank_meta(meta: dict[str, Any], rank: int) -> dict[str, Any]:
    if rank == 0:
        return {k: meta.get(k) for k in Trainer.RANK_META}
    return dict(meta["distributed"]["ranks"][rank - 1])


def _red_is_external(env: BatchEnv) -> bool:
    """False when the core drives red (``EnvConfig(red="heuristic:N")``): no rows to fill."""
    red = getattr(getattr(env, "config", None), "red", "external")
    return red == "external"


def _mean(values: Any) -> float:
    values = list(values)
    return float(sum(values) / len(values)) if values else float("nan")


def run_dir_for(base: str | Path) -> Path:
    return Path(os.path.expanduser(str(base)))


__all__ = ["Trainer", "build_policy", "learner_slice", "resolve_device", "slice_len"]
