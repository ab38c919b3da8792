"""Build a model from its JSON spec (``model.spec()``), as stored in checkpoints.

An explicit name -> class table instead of importing arbitrary dotted paths: a checkpoint
can only ask for one of these classes.
"""

from __future__ import annotations

from typing import Any

from echelon.rl.model import ActorCriticLSTM, RecurrentActorCritic
from echelon.rl.suite_model import SuiteActorCriticLSTM

MODEL_CLASSES: dict[str, type[RecurrentActorCritic]] = {
    "ActorCriticLSTM": ActorCriticLSTM,
    "SuiteActorCriticLSTM": SuiteActorCriticLSTM,
}
MODEL_NAMES = {"mlp": "ActorCriticLSTM", "suite": "SuiteActorCriticLSTM"}


def build_model(spec: dict[str, Any]) -> RecurrentActorCritic:
    name = spec.get("class")
    if name not in MODEL_CLASSES:
        raise ValueError(f"model class must be one of {sorted(MODEL_CLASSES)}, got {name!r}")
    return MODEL_CLASSES[name](**spec["kwargs"])
