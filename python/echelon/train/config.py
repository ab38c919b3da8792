"""Training configuration: frozen dataclasses, presets, YAML files and ``--set`` overrides.

Precedence (lowest first): dataclass defaults < ``--preset`` < ``--config FILE`` (YAML) <
individual CLI flags < ``--set section.field=value``. Unknown keys and ill-typed values are
errors naming the field. YAML is read with ``yaml.safe_load`` (PyYAML, well kept, no code
execution) and the resolved config is written back to the run directory as JSON.

``TrainConfig`` lives here rather than in ``echelon/config.py`` because the training
engineer owns this package; the top-level config module may re-export it.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from echelon.rl.recurrence import RECURRENCE_MODES
from echelon.rl.registry import MODEL_LIMITS
from echelon.train.curriculum import CurriculumConfig, parse_heuristic_opponent
from echelon.train.league_opponent import LeagueTrainConfig, parse_league_opponent
from echelon.train.ppo import PPOConfig


@dataclass(frozen=True)
class ModelConfig:
    kind: Literal["mlp", "suite"] = "mlp"
    hidden: int = 128
    lstm_hidden: int = 128
    lstm_layers: int = 1
    log_std_min: float = -5.0
    log_std_max: float = 1.0
    log_std_init: float = -0.5
    recurrence: Literal["auto", "segments", "packed", "steps", "reference"] = "auto"
    compile: bool = False

    def __post_init__(self) -> None:
        if self.kind not in ("mlp", "suite"):
            raise ValueError(f"model.kind must be mlp or suite, got {self.kind!r}")
        if self.recurrence not in RECURRENCE_MODES:
            raise ValueError(f"model.recurrence must be one of {RECURRENCE_MODES}")
        for name in ("hidden", "lstm_hidden", "lstm_layers"):
            value, limit = getattr(self, name), MODEL_LIMITS[name]
            if not 0 < value <= limit:
                raise ValueError(f"model.{name} must be in [1, {limit}], got {value}")


@dataclass(frozen=True)
class TrainConfig:
    env: dict[str, Any] = field(default_factory=dict)
    env_factory: str | None = None
    env_device: str = "cpu"
    num_worlds: int = 64
    total_steps: int = 20_000_000
    seed: int = 0
    device: str = "auto"
    opponent: str = "self"  # self | idle | heuristic:N (N = 0..4, the core's scripted red)
    opponent_refresh: int = 10
    eval_every: int = 25
    eval_worlds: int = 16
    eval_episodes: int = 32
    save_every: int = 25
    keep_checkpoints: int = 3
    run_dir: str | None = None  # None: `echelon train` makes a fresh runs/train-<date>-<time>
    wandb: bool = False
    wandb_project: str = "echelon"
    torch_threads: int | None = None
    env_threads: int | None = None  # VecEnv worker threads (None: one per core)
    heatmap_every: int = 10  # updates between TensorBoard heatmaps (0: off)
    heatmap_grid: int = 32
    heatmap_sample_every: int = 4  # rollout steps between position/damage samples
    # Start from another run's weights and value normaliser (a checkpoint directory); the
    # optimiser, counters, environments and curriculum start fresh. Unlike --resume, the env
    # config (rewards, map size ...) may differ from the checkpoint's.
    init_from: str | None = None
    # Stop (and save) after the first update that ends past this many minutes of wall time in
    # this invocation; total_steps still caps the run. None: no limit.
    time_limit_minutes: float | None = None
    ppo: PPOConfig = field(default_factory=PPOConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    curriculum: CurriculumConfig = field(default_factory=CurriculumConfig)
    league: LeagueTrainConfig = field(default_factory=LeagueTrainConfig)

    def __post_init__(self) -> None:
        for name in ("num_worlds", "total_steps", "eval_worlds", "eval_episodes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        for name in ("heatmap_grid", "heatmap_sample_every"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        if self.env_threads is not None and self.env_threads <= 0:
            raise ValueError(f"env_threads must be > 0 or None, got {self.env_threads}")
        if self.time_limit_minutes is not None and not self.time_limit_minutes > 0:
            raise ValueError(
                f"time_limit_minutes must be > 0 or None, got {self.time_limit_minutes}"
            )
        for name in (
            "opponent_refresh",
            "eval_every",
            "save_every",
            "keep_checkpoints",
            "heatmap_every",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.device not in ("auto", "cpu", "cuda") and not self.device.startswith("cuda:"):
            raise ValueError(f"device must be auto, cpu, cuda or cuda:N, got {self.device!r}")
        league_opponent = self.league_opponent_path()
        if (
            self.opponent not in ("self", "idle")
            and self.heuristic_level() is None
            and league_opponent is None
        ):
            raise ValueError(
                "opponent must be self, idle or heuristic:N, or league:PATH (league "
                f"policies), got {self.opponent!r}"
            )
        if league_opponent is not None and self.league.path not in (None, league_opponent):
            raise ValueError(
                f"opponent {self.opponent!r} and league.path {self.league.path!r} differ: "
                "name one league"
            )
        if (self.league.submit or self.league.submit_best) and self.league_path() is None:
            raise ValueError(
                "league.submit needs a league: --league PATH or --opponent league:PATH"
            )
        if self.curriculum.enabled and self.heuristic_level() is None:
            raise ValueError(
                "curriculum.enabled needs a heuristic opponent (--opponent heuristic:N), "
                f"got opponent={self.opponent!r}"
            )

    def league_opponent_path(self) -> str | None:
        """``opponent: league:PATH`` -> PATH (red played by league policies), else None."""
        return parse_league_opponent(self.opponent)

    def league_path(self) -> str | None:
        """This run's league: the opponents' league, else ``league.path`` (for submit)."""
        return self.league_opponent_path() or self.league.path

    def heuristic_level(self) -> int | None:
        """Red's starting heuristic level: ``opponent: heuristic:N``, else ``env.red``."""
        level = parse_heuristic_opponent(self.opponent)
        if level is None and isinstance(self.env.get("red"), str):
            level = parse_heuristic_opponent(self.env["red"])
        return level


PRESETS: dict[str, dict[str, Any]] = {
    # About a minute on a 2-core laptop CPU: the whole loop (heuristic red, evaluation,
    # checkpoints, heatmaps) on the default 100x100x20 maps.
    "smoke": {
        "num_worlds": 8,
        "total_steps": 8 * 5 * 32 * 600,
        "opponent": "heuristic:0",
        "eval_every": 50,
        "eval_worlds": 4,
        "eval_episodes": 4,
        "save_every": 50,
        "heatmap_every": 50,
        "ppo": {"rollout_steps": 32, "chunk_length": 16, "num_minibatches": 2, "update_epochs": 2},
        "model": {"hidden": 32, "lstm_hidden": 32},
    },
    # About ten minutes on a CPU: 48x48 maps, 30 s episodes, against the walker (level 0)
    # with the curriculum on. The win rate rises from 0 to about one half in four minutes.
    "default": {
        "num_worlds": 16,
        "total_steps": 6_000_000,
        "opponent": "heuristic:0",
        "curriculum": {"enabled": True},
        "env": {"map_size": [48, 48, 12], "max_episode_seconds": 30.0},
        "eval_every": 50,
        "eval_worlds": 8,
        "eval_episodes": 32,
        "save_every": 50,
        "ppo": {
            "rollout_steps": 64,
            "chunk_length": 16,
            "num_minibatches": 4,
            "update_epochs": 4,
            "lr": 1e-3,
        },
        "model": {"hidden": 64, "lstm_hidden": 64},
    },
    # The recipe that climbs the heuristic ladder on the standard map (100x100x20 procedural,
    # one pack per team, full observation) on a 2-core CPU: docs/training.md, "Learning to win".
    "ladder": {
        "num_worlds": 64,
        "total_steps": 40_000_000,
        "time_limit_minutes": 60.0,
        "opponent": "heuristic:0",
        "curriculum": {"enabled": True, "window": 200, "threshold": 0.75},
        "env": {
            "map_size": [100, 100, 20],
            "max_episode_seconds": 60.0,
            "comm_dim": 0,
            "rewards": {"approach": 10.0, "win": 10.0, "loss": -10.0},
        },
        "eval_every": 100,
        "eval_worlds": 16,
        "eval_episodes": 32,
        "save_every": 50,
        "heatmap_every": 0,
        "torch_threads": 1,
        "ppo": {
            "rollout_steps": 64,
            "chunk_length": 16,
            "num_minibatches": 4,
            "update_epochs": 2,
            "lr": 5e-4,
            "ent_coef": 0.005,
        },
        "model": {"kind": "suite", "hidden": 128, "lstm_hidden": 128},
    },
    # One large GPU: full-size maps, many worlds, longer rollouts, bigger model; the
    # curriculum climbs the heuristic ladder.
    "large": {
        "num_worlds": 1024,
        "total_steps": 500_000_000,
        "opponent": "heuristic:0",
        "curriculum": {"enabled": True, "window": 1000},
        "eval_worlds": 64,
        "eval_episodes": 128,
        "ppo": {
            "rollout_steps": 256,
            "chunk_length": 64,
            "num_minibatches": 16,
            "update_epochs": 3,
            "lr_schedule": "linear",
            "lr_end": 3e-5,
            "target_kl": 0.03,
        },
        "model": {"hidden": 256, "lstm_hidden": 256},
    },
}


def _coerce(value: Any, annotation: Any, where: str) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(value, inner[0], where)
    if origin is Literal:
        if value not in args:
            raise ValueError(f"{where} must be one of {list(args)}, got {value!r}")
        return value
    if annotation is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{where} must be true/false, got {value!r}")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ValueError(f"{where} must be an integer, got {value!r}")
        return value
    if annotation is float:
        # Non-finite values pass every "> 0" check and then poison a run (NaN learning rates);
        # they also come from files: JSON and YAML both spell them (Infinity, .inf).
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise ValueError(f"{where} must be a finite number, got {value!r}")
        return float(value)
    if annotation is str:
        if not isinstance(value, str):
            raise ValueError(f"{where} must be a string, got {value!r}")
        return value
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError(f"{where} must be a mapping, got {value!r}")
        return dict(value)
    return value


def _build(cls: Any, data: dict[str, Any], prefix: str) -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"unknown config field(s) {[prefix + k for k in unknown]}")
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                raise ValueError(f"{prefix}{key} must be a mapping")
            kwargs[key] = _build(hint, value, f"{prefix}{key}.")
        else:
            kwargs[key] = _coerce(value, hint, prefix + key)
    return cls(**kwargs)


def merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "env":
            out[key] = merge(out[key], value)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def config_from_dict(data: dict[str, Any]) -> TrainConfig:
    cfg: TrainConfig = _build(TrainConfig, data, "")
    return cfg


def config_to_dict(cfg: TrainConfig) -> dict[str, Any]:
    return dataclasses.asdict(cfg)


def load_yaml(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a training config must be a mapping, got {type(data).__name__}")
    return data


def parse_override(text: str) -> dict[str, Any]:
    """``"ppo.lr=1e-4"`` -> ``{"ppo": {"lr": 0.0001}}`` (value parsed as YAML)."""
    if "=" not in text:
        raise ValueError(f"--set expects section.field=value, got {text!r}")
    key, raw = text.split("=", 1)
    value = yaml.safe_load(raw)
    node: dict[str, Any] = {}
    out = node
    parts = key.strip().split(".")
    for part in parts[:-1]:
        node[part] = {}
        node = node[part]
    node[parts[-1]] = value
    return out


def resolve_config(
    preset: str = "default",
    config_file: str | Path | None = None,
    flags: dict[str, Any] | None = None,
    overrides: list[str] | None = None,
) -> TrainConfig:
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {preset!r}")
    data: dict[str, Any] = merge({}, PRESETS[preset])
    if config_file is not None:
        data = merge(data, load_yaml(config_file))
    if flags:
        data = merge(data, flags)
    for text in overrides or []:
        data = merge(data, parse_override(text))
    return config_from_dict(data)
