"""Learning-rate and entropy-coefficient schedules as pure functions of progress in [0, 1].

Progress is ``updates done / total updates``, so a resumed run continues the same curve.
"""

from __future__ import annotations

import math


def scheduled_value(kind: str, start: float, end: float | None, progress: float) -> float:
    if end is None or kind == "constant":
        return start
    p = min(max(progress, 0.0), 1.0)
    if kind == "linear":
        return start + (end - start) * p
    if kind == "cosine":
        return end + 0.5 * (start - end) * (1.0 + math.cos(math.pi * p))
    raise ValueError(f"schedule must be constant, linear or cosine, got {kind!r}")
