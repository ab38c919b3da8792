"""Output buffers for a bare ``echelon._core.BatchSim`` as numpy arrays (tools and tests that
drive the core without ``VecEnv`` or torch)."""

from __future__ import annotations

from typing import Any

import numpy as np

_NUMPY_DTYPES = {"float32": np.float32, "bool": np.bool_, "int8": np.int8}


def bind_numpy_buffers(sim: Any) -> dict[str, np.ndarray]:
    """Allocates and binds every output buffer of the core's table (``sim.output_buffers()``);
    returns them by name. The sim keeps them alive."""
    bufs = {}
    for name, dtype, shape in sim.output_buffers():
        bufs[name] = np.zeros(shape, _NUMPY_DTYPES[dtype])
        sim.bind(name, bufs[name])
    return bufs
