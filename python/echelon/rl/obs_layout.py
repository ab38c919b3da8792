"""Named observation blocks.

The environment exports ``obs_layout`` as ``{name: ObsBlock(slice, shape)}`` (a 2-tuple);
checkpoints store it as JSON ``{name: [start, stop, [shape...]]}``; the env's own JSON form
``{name: {"offset", "size", "shape"}}`` is accepted too. Models receive either form, normalise it to
``ObsBlock`` records here, and slice the flat observation by block name (never by a
hard-coded offset), so a layout change in the core cannot silently misalign a model.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ObsBlock:
    name: str
    start: int
    stop: int
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        return self.stop - self.start


ObsLayout = dict[str, ObsBlock]


def _block_from_entry(name: str, entry: Any) -> ObsBlock:
    if isinstance(entry, ObsBlock):
        return entry
    if isinstance(entry, Mapping):
        if "offset" in entry:  # echelon.env.layout.layout_to_json form
            start, shape = entry["offset"], entry["shape"]
            stop = start + entry.get("size", math.prod(shape))
        else:
            start, stop, shape = entry["start"], entry["stop"], entry["shape"]
    elif len(entry) == 2 and isinstance(entry[0], slice):  # env.obs_layout (ObsBlock tuple)
        sl, shape = entry
        if sl.step not in (None, 1):
            raise ValueError(f"obs_layout[{name!r}]: slice step must be 1, got {sl.step}")
        start, stop = sl.start or 0, sl.stop
    elif len(entry) == 3:
        start, stop, shape = entry
    else:
        raise ValueError(
            f"obs_layout[{name!r}]: expected (slice, shape) or (start, stop, shape), got {entry!r}"
        )
    shape_t = (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)
    block = ObsBlock(name, int(start), int(stop), shape_t)
    if block.stop <= block.start or block.start < 0:
        raise ValueError(f"obs_layout[{name!r}]: empty or negative range {start}..{stop}")
    if math.prod(shape_t) != block.size:
        raise ValueError(
            f"obs_layout[{name!r}]: shape {shape_t} has {math.prod(shape_t)} elements "
            f"but the range {start}..{stop} has {block.size}"
        )
    return block


def parse_obs_layout(layout: Mapping[str, Any] | None, obs_dim: int) -> ObsLayout:
    """Validate a layout against ``obs_dim``; ``None`` means one block ``"obs"``."""
    if layout is None:
        return {"obs": ObsBlock("obs", 0, obs_dim, (obs_dim,))}
    blocks = {name: _block_from_entry(name, entry) for name, entry in layout.items()}
    for block in blocks.values():
        if block.stop > obs_dim:
            raise ValueError(
                f"obs_layout[{block.name!r}] ends at {block.stop} but obs_dim is {obs_dim}"
            )
    ordered = sorted(blocks.values(), key=lambda b: b.start)
    for prev, cur in itertools.pairwise(ordered):
        if cur.start < prev.stop:
            raise ValueError(f"obs_layout blocks {prev.name!r} and {cur.name!r} overlap")
    return blocks


def layout_to_json(layout: ObsLayout) -> dict[str, list[Any]]:
    return {b.name: [b.start, b.stop, list(b.shape)] for b in layout.values()}
