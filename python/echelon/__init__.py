"""Echelon: squads of mechs fighting over a capture zone in a destructible voxel world.

A C++ batch simulator (``echelon._core``) behind a torch-native ``VecEnv``; PPO-LSTM training
and a Glicko-2 self-play arena on top.
"""

from echelon.config import EnvConfig, RewardConfig
from echelon.env.layout import ObsBlock
from echelon.env.registration import register_envs
from echelon.env.vec_env import VecEnv

register_envs()  # gymnasium ids echelon/Echelon-v0 (vector) and echelon/EchelonWorld-v0

__all__ = ["EnvConfig", "ObsBlock", "RewardConfig", "VecEnv", "__version__"]
__version__ = "0.1.0"
