"""Environment front ends: the batched ``VecEnv`` and the single-world PettingZoo wrapper."""

from echelon.env.layout import ObsBlock, ObsLayout
from echelon.env.vec_env import VecEnv

__all__ = ["ObsBlock", "ObsLayout", "VecEnv"]
