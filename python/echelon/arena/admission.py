"""What may play in a league: a checkpoint that loads as a policy for the league's environment.

``echelon arena add`` admits a checkpoint only after loading it the way a match will (strict
tensors, SHA-256 of the weights, the model rebuilt from its spec) and checking that it reads the
observation and writes the actions of the league's env (``obs_dim``, ``action_dim`` and the
named observation blocks). ``arena verify`` runs the same check on every stored entry, and
``arena play`` skips an entry that fails it instead of stopping. A text file, a truncated or
edited checkpoint, a bare ``.safetensors`` file without its ``meta.json``, or a policy trained
for another observation is refused with a message that names the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from echelon.train.checkpoint import CheckpointError, load_policy
from echelon.train.run_dir import find_checkpoint


@dataclass(frozen=True)
class EnvInterface:
    """What a policy must match to play in an env: its observation and action widths and the
    observation's named blocks (``layout_to_json`` form)."""

    obs_dim: int
    action_dim: int
    obs_layout: dict[str, Any]

    @classmethod
    def of_config(cls, env_config: Any) -> EnvInterface:
        """Built from a one-world env, so the sizes are the simulator's own."""
        from echelon.env.vec_env import VecEnv
        from echelon.rl.obs_layout import layout_to_json, parse_obs_layout

        env = VecEnv(env_config, num_worlds=1, num_threads=1)
        try:
            layout = layout_to_json(parse_obs_layout(env.obs_layout, env.obs_dim))
            return cls(env.obs_dim, env.action_dim, layout)
        finally:
            env.close()


def load_checked_policy(path: str | Path, interface: EnvInterface, device: Any = "cpu") -> Any:
    """Load the policy stored at ``path`` and check it against ``interface``.

    Raises ``CheckpointError`` (or ``FileNotFoundError``) naming the problem.
    """
    root = Path(path)
    try:
        model, meta = load_policy(root, device)
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        # meta.json parsed but lacks or mistypes what rebuilds the model
        raise CheckpointError(
            f"{root}: meta.json does not describe a loadable model ({type(exc).__name__}: {exc})"
        ) from exc
    dims = (getattr(model, "obs_dim", None), getattr(model, "action_dim", None))
    if dims != (interface.obs_dim, interface.action_dim):
        raise CheckpointError(
            f"{root}: the policy reads obs_dim {dims[0]} and writes action_dim {dims[1]}, but the "
            f"league's env has {interface.obs_dim} and {interface.action_dim} (trained with "
            "another observation config? see the league's --env)"
        )
    layout = meta.get("obs_layout")
    if isinstance(layout, dict) and layout != interface.obs_layout:
        differ = sorted(
            name
            for name in set(layout) | set(interface.obs_layout)
            if layout.get(name) != interface.obs_layout.get(name)
        )
        raise CheckpointError(
            f"{root}: the policy's observation blocks differ from the league env's ({differ})"
        )
    return model


def admit(path: str | Path, interface: EnvInterface) -> Path:
    """The checkpoint folder ``path`` names (a folder, a file inside one, or a run folder's
    ``best/``), after :func:`load_checked_policy` passed on it."""
    checkpoint = find_checkpoint(Path(path), prefer_best=True)
    load_checked_policy(checkpoint, interface)
    return checkpoint


__all__ = ["EnvInterface", "admit", "load_checked_policy"]
