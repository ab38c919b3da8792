"""Environment front ends: the batched ``VecEnv`` and the single-world PettingZoo wrapper."""

from echelon.env.layout import ActionBlock, ActionLayout, ObsBlock, ObsLayout
from echelon.env.vec_env import VecEnv

__all__ = ["ActionBlock", "ActionLayout", "ObsBlock", "ObsLayout", "VecEnv"]
