"""The ``echelon`` command line. Each subsystem registers its own subcommands."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Subsystem CLI modules, each with register(subparsers). Imported lazily so that a command's
# heavy dependencies (tensorboard, matplotlib) load only when that command runs.
SUBSYSTEMS = (
    "echelon.demo",
    "echelon.bench.cli",
    "echelon.train.cli",
    "echelon.arena.cli",
    "echelon.maps.cli",
    "echelon.replay.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="echelon", description="Echelon: batched mech combat RL (train, eval, arena, bench)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in SUBSYSTEMS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and exc.name.startswith("echelon"):
                continue  # subsystem not part of this build yet
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
