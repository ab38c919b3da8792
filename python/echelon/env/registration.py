"""Gymnasium ids for Echelon, registered when ``echelon`` is imported.

* ``echelon/Echelon-v0``: ``gymnasium.make_vec("echelon/Echelon-v0", num_envs=40)``, one
  learning team of a batch of worlds as a ``gymnasium.vector.VectorEnv`` with one
  sub-environment per learning mech (``echelon.env.gym_vector``; ``num_envs`` is a multiple of
  the team size, 5 per pack);
* ``echelon/EchelonWorld-v0``: ``gymnasium.make("echelon/EchelonWorld-v0")``, one world as a
  ``gymnasium.Env`` whose action is the whole learning team's (``echelon.env.gym_world``).

Keyword arguments (``config=EnvConfig(...)`` or a dict of its fields, ``opponent="heuristic:N"``,
``seed``, and for the vector env ``device``, ``num_threads``, ``array_backend``) pass through
``make``/``make_vec``. The per-mech PettingZoo API is ``echelon.pettingzoo.parallel_env``.
"""

from __future__ import annotations

import gymnasium

VECTOR_ID = "echelon/Echelon-v0"
WORLD_ID = "echelon/EchelonWorld-v0"


def register_envs() -> None:
    """Register both ids (a second call is a no-op)."""
    if VECTOR_ID not in gymnasium.registry:
        gymnasium.register(
            id=VECTOR_ID, vector_entry_point="echelon.env.gym_vector:EchelonVectorEnv"
        )
    if WORLD_ID not in gymnasium.registry:
        gymnasium.register(id=WORLD_ID, entry_point="echelon.env.gym_world:EchelonWorldEnv")
