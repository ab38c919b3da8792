"""Argument types shared by every ``echelon`` subcommand, so that a count, a map size or a device
is spelled, checked and defaulted the same way everywhere.

* counts (``--matches``, ``--worlds``, ``--steps``, ``--seeds`` ...) are integers >= 1, checked by
  argparse: ``--worlds -1`` is a one-line error, not a run;
* a map size is ``--map-size X Y Z``; the range checks are ``EnvConfig``'s, so the message
  names the axis and its limits;
* ``--device`` is ``auto`` (the default: CUDA when torch sees a GPU, else the CPU), ``cpu``,
  ``cuda`` or ``cuda:N``; asking for CUDA without a GPU is a one-line error naming the fix.
"""

from __future__ import annotations

import argparse
from typing import Any

from echelon.cli_errors import UsageError

DEVICE_HELP = "auto (default: cuda if torch sees a GPU, else cpu), cpu, cuda or cuda:N"


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1 (a count of worlds, matches, steps, threads ...)."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0 (a seed, an interval where 0 means off)."""
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def positive_int_list(text: str) -> list[int]:
    """argparse type: comma-separated integers >= 1 (a sweep, e.g. ``--worlds 1,16,64``)."""
    values = [v.strip() for v in text.split(",") if v.strip()]
    if not values:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers >= 1, got {text!r}")
    return [positive_int(v) for v in values]


def device_name(text: str) -> str:
    """argparse type for ``--device``: auto, cpu, cuda or cuda:N."""
    name = text.strip().lower()
    if name in ("auto", "cpu", "cuda"):
        return name
    if name.startswith("cuda:") and name[5:].isdigit():
        return name
    raise argparse.ArgumentTypeError(f"unknown device {text!r}: use auto, cpu, cuda or cuda:N")


def add_device_argument(parser: argparse.ArgumentParser, help_text: str = DEVICE_HELP) -> None:
    parser.add_argument("--device", type=device_name, default="auto", help=help_text)


def resolve_device(name: str) -> str:
    """``auto`` -> ``cuda``/``cpu``; a CUDA device that torch cannot see is a UsageError."""
    import torch

    name = device_name(name)
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            build = f"built for CUDA {torch.version.cuda}" if torch.version.cuda else "CPU-only"
            raise UsageError(
                f"--device {name}: torch sees no CUDA device (torch {torch.__version__}, "
                f"{build}); use --device cpu"
            )
        index = int(name[5:]) if ":" in name else 0
        if index >= torch.cuda.device_count():
            raise UsageError(
                f"--device {name}: torch sees {torch.cuda.device_count()} CUDA device(s); "
                "use cuda:0 ... or --device cpu"
            )
    return name


def add_map_size_argument(
    parser: argparse.ArgumentParser | Any, *aliases: str, default: Any = None, help_text: str = ""
) -> None:
    """The one spelling of a map size, ``--map-size X Y Z``; ``aliases`` keep older flag names
    working. The value is a list of three ints (``None`` when not given and no default)."""
    parser.add_argument(
        "--map-size",
        *aliases,
        dest="map_size",
        type=positive_int,
        nargs=3,
        metavar=("X", "Y", "Z"),
        default=default,
        help=help_text or "map size in voxels (x, y in [16, 512]; z in [6, 64], 8+ for procedural)",
    )
