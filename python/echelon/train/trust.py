"""What a checkpoint's ``meta.json`` may decide, checked before anything acts on it.

``meta.json`` holds the SHA-256 of the tensor files, so no hash covers it: anyone can edit it,
and a checkpoint from a league or a colleague is untrusted input (docs/security.md). It may
describe data: a model of a registered class within the size limits (``echelon.rl.registry``),
counters, RNG states, normaliser statistics, the training config. It may not choose code to run
or files to touch:

* ``config.env_factory`` (``module:function``, imported and called) is refused unless the command
  line names an env factory itself (``--env-factory``): the user then chose the code;
* ``config.run_dir`` is dropped: a resumed run writes where the command line says
  (``echelon.train.run_dir``: the run folder named, else the one the checkpoint sits in), never
  where a file says;
* league paths (``opponent: league:PATH``, ``league.path``), which a run reads and writes, must
  be named again on the command line (``--opponent league:PATH`` or ``--league PATH``);
* ``config.wandb`` (uploads to Weights & Biases) is on only with ``--wandb``.

Counters and the other numbers the trainer restores are checked for type and range
(:func:`check_meta`), so ``update: Infinity`` is an error rather than a run that resumes and
silently does nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from echelon.rl.registry import check_model_spec

MAX_META_BYTES = 64 << 20  # meta.json; a real one is a few hundred kB
MAX_MODEL_FILE_BYTES = 2 << 30  # model.safetensors (MAX_PARAMETERS float32 weights: 256 MB)
MAX_TRAINER_FILE_BYTES = 32 << 30  # trainer.safetensors (optimiser, carry, simulator snapshot)
MAX_COUNTER = 1 << 62
_HEX64 = re.compile(r"[0-9a-f]{64}")


class CheckpointMetaError(ValueError):
    """``meta.json`` holds something a checkpoint may not say."""


def _fail(where: object, text: str) -> CheckpointMetaError:
    return CheckpointMetaError(f"{where}: meta.json {text}")


def _count(value: Any, name: str, where: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_COUNTER:
        raise _fail(where, f"{name} must be an integer in [0, 2**62), got {value!r}")
    return value


def _finite(value: Any, name: str, where: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(where, f"{name} must be a finite number, got {value!r}")
    return float(value)


def _all_finite(value: Any, name: str, where: object) -> None:
    """Every number inside ``value`` (nested lists and objects) is finite."""
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(where, f"{name} holds a non-finite number {value!r}")
    if isinstance(value, Mapping):
        for key, item in value.items():
            _all_finite(item, f"{name}.{key}", where)
    elif isinstance(value, list):
        for item in value:
            _all_finite(item, name, where)


def _mapping(meta: Mapping[str, Any], key: str, where: object) -> Mapping[str, Any] | None:
    value = meta.get(key)
    if value is not None and not isinstance(value, Mapping):
        raise _fail(where, f"{key} must be an object, got {type(value).__name__}")
    return value


def check_meta(meta: Any, where: object) -> None:
    """Types and ranges of everything a loader reads from ``meta.json`` (see the module doc)."""
    if not isinstance(meta, Mapping):
        raise CheckpointMetaError(f"{where}: meta.json must hold a JSON object")
    digests = _mapping(meta, "sha256", where) or {}
    for name, digest in digests.items():
        if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
            raise _fail(where, f"sha256[{name!r}] is not a hex SHA-256 digest")
    try:
        check_model_spec(meta.get("model_spec"))
    except ValueError as err:
        raise _fail(where, f"model_spec is refused: {err}") from None
    _mapping(meta, "config", where)
    counters = _mapping(meta, "counters", where)
    if counters is not None:
        for name in ("update", "agent_steps", "episodes", "total_updates"):
            if name in counters:
                _count(counters[name], f"counters.{name}", where)
        if counters.get("update", 0) > counters.get("total_updates", MAX_COUNTER):
            raise _fail(where, "counters.update is past counters.total_updates")
    best = meta.get("best_score")
    if best is not None:
        if not isinstance(best, list) or len(best) > 8:
            raise _fail(where, f"best_score must be a short list of numbers, got {best!r}")
        for value in best:
            _finite(value, "best_score", where)
    for value in meta.get("recent_returns") or []:
        _finite(value, "recent_returns", where)
    for value in meta.get("recent_winners") or []:
        if isinstance(value, bool) or value not in (-1, 0, 1):
            raise _fail(where, f"recent_winners entries must be -1, 0 or 1, got {value!r}")
    norm = _mapping(meta, "value_normalizer", where)
    if norm is not None:
        for key in ("mean", "var", "count"):
            _finite(norm.get(key), f"value_normalizer.{key}", where)
    optimizer = _mapping(meta, "optimizer", where)
    if optimizer is not None:  # hyper-parameters the optimiser adopts (lr, betas, eps, ...)
        groups = optimizer.get("param_groups")
        if not isinstance(groups, list) or not all(isinstance(g, Mapping) for g in groups):
            raise _fail(where, "optimizer.param_groups must be a list of objects")
        for group in groups:
            _all_finite(group, "optimizer.param_groups", where)
    _check_layout(meta, where)
    curriculum = _mapping(meta, "curriculum", where)
    if curriculum is not None:
        level = curriculum.get("level")
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 4:
            raise _fail(where, f"curriculum.level must be an integer in [0, 4], got {level!r}")


def _check_layout(meta: Mapping[str, Any], where: object) -> None:
    """``distributed``: the processes that wrote the checkpoint (docs/training.md, section 12).
    Resuming with as many processes hands rank r the worlds and state listed for it."""
    layout = _mapping(meta, "distributed", where)
    if layout is None:
        return
    size = _count(layout.get("world_size"), "distributed.world_size", where)
    worlds, ranks = layout.get("worlds"), layout.get("ranks")
    if size < 1 or not isinstance(worlds, list) or len(worlds) != size:
        raise _fail(where, f"distributed.worlds must list the worlds of {size} process(es)")
    for count in worlds:
        if _count(count, "distributed.worlds", where) < 1:
            raise _fail(where, "distributed.worlds entries must be at least 1")
    config = meta.get("config")
    total = config.get("num_worlds") if isinstance(config, Mapping) else None
    if total is not None and sum(worlds) != total:
        raise _fail(where, f"distributed.worlds add up to {sum(worlds)}, not num_worlds {total}")
    if not isinstance(ranks, list) or len(ranks) != size - 1:
        raise _fail(where, f"distributed.ranks must hold the state of processes 1..{size - 1}")
    if not all(isinstance(part, Mapping) for part in ranks):
        raise _fail(where, "distributed.ranks entries must be objects")


def _league_paths(config: Mapping[str, Any]) -> set[str]:
    from echelon.train.league_opponent import parse_league_opponent

    paths: set[str] = set()
    opponent = config.get("opponent")
    if isinstance(opponent, str):
        path = parse_league_opponent(opponent)
        if path is not None:
            paths.add(path)
    league = config.get("league")
    if isinstance(league, Mapping) and isinstance(league.get("path"), str):
        paths.add(league["path"])
    return paths


def trusted_config(
    saved: Any,
    where: object,
    env_factory: str | None = None,
    leagues: set[str] | None = None,
    wandb: bool = False,
) -> dict[str, Any]:
    """The training config stored in a checkpoint, reduced to what a file may decide.

    ``env_factory``, ``leagues`` and ``wandb`` are what the command line named. Raises
    :class:`CheckpointMetaError` naming the flag that confirms a choice the file made.
    """
    if not isinstance(saved, Mapping):
        raise CheckpointMetaError(f"{where}: meta.json holds no training config")
    config = dict(saved)
    factory = config.pop("env_factory", None)
    if factory is not None and env_factory is None:
        raise CheckpointMetaError(
            f"{where} was trained with env_factory {factory!r}; a checkpoint cannot choose code to "
            f"run. If you trust that code, name it yourself: --env-factory {factory}"
        )
    if env_factory is not None:
        config["env_factory"] = env_factory
    config.pop("run_dir", None)
    if not wandb:
        config.pop("wandb", None)
    unconfirmed = sorted(_league_paths(config) - set(leagues or ()))
    if unconfirmed:
        raise CheckpointMetaError(
            f"{where} trained against the league {unconfirmed[0]!r}; a checkpoint cannot choose "
            f"files to read or write. Name it yourself: --opponent league:{unconfirmed[0]} or "
            f"--league {unconfirmed[0]}"
        )
    return config


__all__ = [
    "MAX_META_BYTES",
    "MAX_MODEL_FILE_BYTES",
    "MAX_TRAINER_FILE_BYTES",
    "CheckpointMetaError",
    "check_meta",
    "trusted_config",
]
