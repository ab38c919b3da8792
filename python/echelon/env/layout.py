"""Named blocks of the flat vectors: the observation layout and the action layout."""

from __future__ import annotations

from typing import NamedTuple

import torch

from echelon import _core


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


class ActionBlock(NamedTuple):
    """A named block of an agent's action vector: ``actions[..., block.slice]``, one entry per
    channel (``channels[k]`` is slot ``slice.start + k``)."""

    slice: slice
    channels: tuple[str, ...]
    meaning: str

    @property
    def size(self) -> int:
        return self.slice.stop - self.slice.start


class ActionLayout(dict[str, ActionBlock]):
    """The action vector's blocks by name (movement, triggers, focus_target, sort_mode,
    hostile_filter, comm), from the core's one list (``cpp/echelon/mech/actions.hpp``)."""

    def index(self, channel: str) -> int:
        """The slot of a named channel, e.g. ``"primary"`` or ``"contact_0"``."""
        for block in self.values():
            if channel in block.channels:
                return block.slice.start + block.channels.index(channel)
        known = [c for b in self.values() for c in b.channels]
        raise KeyError(f"unknown action channel {channel!r}; channels: {known}")


def action_layout(comm_dim: int) -> ActionLayout:
    """The action layout of an env with ``comm_dim`` message floats (``env.action_layout``)."""
    layout = ActionLayout()
    for name, offset, width, channels, meaning in _core.action_blocks:
        size = comm_dim if width < 0 else width
        names = tuple(channels.split()) or tuple(f"{name}_{k}" for k in range(size))
        layout[name] = ActionBlock(slice(offset, offset + size), names, meaning)
    return layout
