"""``from echelon.pettingzoo import parallel_env``: one world as a PettingZoo ParallelEnv."""

from echelon.env.parallel_env import EchelonParallelEnv, parallel_env

__all__ = ["EchelonParallelEnv", "parallel_env"]
