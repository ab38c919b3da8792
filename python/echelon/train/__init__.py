"""Training: rollout buffer, GAE, PPO with chunked TBPTT, checkpoints, run loop, CLI."""

from echelon.train.buffer import RolloutBuffer
from echelon.train.checkpoint import load_checkpoint, load_policy, save_checkpoint
from echelon.train.config import ModelConfig, TrainConfig, resolve_config
from echelon.train.gae import compute_gae
from echelon.train.normalization import RunningMeanStd
from echelon.train.ppo import NonFiniteLossError, PPOConfig, PPOLearner
from echelon.train.rollout import RolloutCollector
from echelon.train.trainer import Trainer

__all__ = [
    "ModelConfig",
    "NonFiniteLossError",
    "PPOConfig",
    "PPOLearner",
    "RolloutBuffer",
    "RolloutCollector",
    "RunningMeanStd",
    "TrainConfig",
    "Trainer",
    "compute_gae",
    "load_checkpoint",
    "load_policy",
    "resolve_config",
    "save_checkpoint",
]
