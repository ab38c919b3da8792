"""The core's declared-once tables, as Python sees them.

``echelon._core.action_blocks`` names the blocks of an agent's action vector
(``cpp/echelon/mech/actions.hpp``; ``env.action_layout`` is built from it).
``echelon._core.output_buffers`` lists every output buffer the step writes (name, dtype, rows,
trailing width, when a row is valid), from one C++ list (``cpp/echelon/outputs.hpp``); VecEnv
allocates and binds its tensors from ``BatchSim.output_buffers()``, the same list with this sim's
shapes. The ``*_markdown`` functions render both for the docs (``tools/gen_docs.py`` writes them
there; a test keeps the pages current).
"""

from __future__ import annotations

import re

from echelon import _core

_SHAPES = {
    ("world", "none"): "[W]",
    ("world", "episode_stats"): "[W, S]",
    ("agent", "none"): "[W, A]",
    ("agent", "obs_dim"): "[W, A, D]",
}


def buffer_table_markdown() -> str:
    """The output-buffer table of docs/architecture.md, one row per buffer."""
    lines = ["| name | shape | dtype | valid |", "|---|---|---|---|"]
    for name, dtype, rows, width, valid in _core.output_buffers:
        lines.append(f"| {name} | {_SHAPES[(rows, width)]} | {dtype} | {valid} |")
    return "\n".join(lines) + "\n"


_GENERATED = re.compile(r"(<!-- generated: ([a-z_]+) -->\n)(.*?)(<!-- end generated -->)", re.S)


def action_table_markdown() -> str:
    """The action layout's blocks (``env.action_layout``), for the docs."""
    lines = ["| block | slots | channels | meaning |", "|---|---|---|---|"]
    for name, offset, width, channels, meaning in _core.action_blocks:
        slots = (
            f"{offset}…"
            if width < 0
            else (f"{offset}" if width == 1 else f"{offset}–{offset + width - 1}")
        )
        names = ", ".join(channels.split()) or "comm_dim floats"
        lines.append(f"| `{name}` | {slots} | {names} | {meaning} |")
    return "\n".join(lines) + "\n"


# EnvConfig's name for each field of the core's lists that it does not take over as is.
_ENV_NAMES = {
    ("sim", "size_x"): "map_size[0]",
    ("sim", "size_y"): "map_size[1]",
    ("sim", "size_z"): "map_size[2]",
    ("obs", "full_observation"): "observation",
    ("heuristic", "omniscient"): "heuristic_omniscient",
}


def config_table_markdown() -> str:
    """Every EnvConfig field with its default and range, from the core's config lists."""
    lines = ["| field | default | range | meaning |", "|---|---|---|---|"]
    for section, name, kind, default, lo, hi, meaning in _core.config_fields:
        field = _ENV_NAMES.get((section, name))
        if field is None:
            field = f"{section}.{name}" if section in ("rewards", "combat") else name
        if (section, name) == ("obs", "full_observation"):
            default, span = ("full" if default else "partial"), '"full", "partial"'
        elif section == "heuristic" and kind == "int":
            default = "external" if default < 0 else f"heuristic:{default}"
            span = f'"external", "heuristic:0".."heuristic:{hi}"'
        elif kind == "map_type":
            default, span = f'"{default}"', '"procedural", "simple", "empty"'
        elif kind == "bool":
            span = "True, False"
        else:
            span = f"[{lo}, {hi}]"
        lines.append(f"| `{field}` | {default} | {span} | {meaning} |")
    return "\n".join(lines) + "\n"


def generated_sections() -> dict[str, str]:
    """Name -> text of every section of the docs that is generated from the core's tables."""
    return {
        "output_buffers": buffer_table_markdown(),
        "action_layout": action_table_markdown(),
        "config_fields": config_table_markdown(),
    }


def render_generated(text: str) -> str:
    """``text`` with each ``<!-- generated: NAME -->`` ... ``<!-- end generated -->`` section
    rewritten from the tables."""
    sections = generated_sections()
    return _GENERATED.sub(lambda m: m.group(1) + sections[m.group(2)] + m.group(4), text)
