"""The observation layout: named blocks of the flat observation vector."""

from __future__ import annotations

from typing import NamedTuple

import torch


class ObsBlock(NamedTuple):
    """Where a block lives in the flat observation (``obs[..., block.slice]``) and its shape."""

    slice: slice
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def take(self, obs: torch.Tensor) -> torch.Tensor:
        """The block from ``obs [..., D]``, reshaped to ``[..., *shape]``."""
        return obs[..., self.slice].reshape(*obs.shape[:-1], *self.shape)


ObsLayout = dict[str, ObsBlock]


def layout_from_core(entries: list[tuple[str, int, list[int]]]) -> ObsLayout:
    layout: ObsLayout = {}
    for name, offset, shape in entries:
        size = 1
        for d in shape:
            size *= d
        layout[name] = ObsBlock(slice(offset, offset + size), tuple(shape))
    return layout


def layout_to_json(layout: ObsLayout) -> dict[str, dict[str, object]]:
    """A JSON-friendly form, stored in checkpoints so a model can check it matches the env."""
    return {
        name: {"offset": b.slice.start, "size": b.size, "shape": list(b.shape)}
        for name, b in layout.items()
    }
