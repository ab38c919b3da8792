"""Procedural maps: generate, reproduce and render the maps the simulator core builds.

The generator itself lives in the C++ core (``cpp/echelon/maps``); this package is a typed
front end for tools, tests and the ``echelon map`` command.
"""

from echelon.maps.generate import (
    BIOME_NAMES,
    GeneratedMap,
    episode_map,
    generate_map,
    reproduce,
)

__all__ = ["BIOME_NAMES", "GeneratedMap", "episode_map", "generate_map", "reproduce"]
