"""Build a model from its JSON spec (``model.spec()``), as stored in checkpoints.

An explicit name -> class table instead of importing arbitrary dotted paths: a checkpoint
can only ask for one of these classes. The spec's constructor arguments are checked against
:data:`MODEL_LIMITS` before anything is allocated (a checkpoint's ``meta.json`` is untrusted
input, docs/security.md): a spec asking for a 4096-wide model would otherwise spend minutes in
the initialisers, and absurd sizes would ask for hundreds of GB.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from typing import Any

from echelon.rl.model import ActorCriticLSTM, RecurrentActorCritic
from echelon.rl.suite_model import SuiteActorCriticLSTM

MODEL_CLASSES: dict[str, type[RecurrentActorCritic]] = {
    "ActorCriticLSTM": ActorCriticLSTM,
    "SuiteActorCriticLSTM": SuiteActorCriticLSTM,
}
MODEL_NAMES = {"mlp": "ActorCriticLSTM", "suite": "SuiteActorCriticLSTM"}

# Upper bounds for model sizes. The largest preset uses 256; 2048 builds in about 20 s on a
# 2-core VM and holds 40 M parameters. MAX_PARAMETERS bounds the whole model (256 MB float32).
MODEL_LIMITS: dict[str, int] = {
    "obs_dim": 1 << 16,
    "action_dim": 1024,
    "hidden": 2048,
    "lstm_hidden": 2048,
    "lstm_layers": 8,
    "encoder_layers": 8,
}
MAX_PARAMETERS = 64_000_000
MAX_LAYOUT_BLOCKS = 1024
_SUITE_WIDTH = 256  # the suite encoders' widest fixed layer (rest encoder, sets)


def _int_arg(kwargs: Mapping[str, Any], name: str, default: int) -> int:
    value = kwargs.get(name, default)
    limit = MODEL_LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise ValueError(f"model spec {name} must be an integer in [1, {limit}], got {value!r}")
    return value


def estimated_parameters(name: str, kwargs: Mapping[str, Any]) -> int:
    """The parameter count a spec asks for (an upper estimate for the suite's encoders),
    computed before anything is built."""
    obs = _int_arg(kwargs, "obs_dim", 1)
    act = _int_arg(kwargs, "action_dim", 1)
    hidden = _int_arg(kwargs, "hidden", 128)
    lstm = _int_arg(kwargs, "lstm_hidden", 128)
    layers = _int_arg(kwargs, "lstm_layers", 1)
    if name == "SuiteActorCriticLSTM":  # entity/vector/rest encoders of fixed widths, fusion
        encoder = obs * _SUITE_WIDTH + 16 * _SUITE_WIDTH**2
        encoder += (16 * _SUITE_WIDTH + 2) * hidden
    else:
        enc = _int_arg(kwargs, "encoder_layers", 2)
        encoder = (obs + 1) * hidden + (enc - 1) * (hidden + 1) * hidden
    core = 4 * lstm * (hidden + lstm + 2) + (layers - 1) * 4 * lstm * (2 * lstm + 2)
    heads = (2 * act + 1) * (lstm + 1)
    return encoder + core + heads


def check_model_spec(spec: Any) -> None:
    """Refuse a spec naming an unknown class, unknown arguments, or sizes over the limits."""
    if not isinstance(spec, Mapping):
        raise ValueError(f"model spec must be a mapping, got {type(spec).__name__}")
    name = spec.get("class")
    if name not in MODEL_CLASSES:
        raise ValueError(f"model class must be one of {sorted(MODEL_CLASSES)}, got {name!r}")
    kwargs = spec.get("kwargs")
    if not isinstance(kwargs, Mapping):
        raise ValueError(f"model spec kwargs must be a mapping, got {type(kwargs).__name__}")
    params = inspect.signature(MODEL_CLASSES[name]).parameters
    unknown = sorted(set(kwargs) - set(params))
    if unknown:
        raise ValueError(f"model spec for {name} has unknown argument(s) {unknown}")
    for key, value in kwargs.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"model spec {key} must be finite, got {value!r}")
    layout = kwargs.get("obs_layout")
    if layout is not None and (not isinstance(layout, Mapping) or len(layout) > MAX_LAYOUT_BLOCKS):
        raise ValueError(
            f"model spec obs_layout must be a mapping of at most {MAX_LAYOUT_BLOCKS} blocks"
        )
    count = estimated_parameters(name, kwargs)
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"model spec asks for about {count:,} parameters, more than the limit of "
            f"{MAX_PARAMETERS:,} (echelon.rl.registry.MAX_PARAMETERS)"
        )


def build_model(spec: dict[str, Any]) -> RecurrentActorCritic:
    check_model_spec(spec)
    try:
        return MODEL_CLASSES[spec["class"]](**spec["kwargs"])
    except (TypeError, KeyError, IndexError) as err:  # ill-typed values in a hand-made spec
        raise ValueError(f"model spec for {spec['class']} is invalid: {err}") from err
