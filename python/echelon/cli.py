"""The ``echelon`` command line. Each subsystem registers its own subcommands.

Errors are reported by one layer (``echelon.cli_errors``): a mistake costs one line on stderr and
exit code 2; ``--debug`` (accepted by every subcommand) or ``ECHELON_DEBUG=1`` shows tracebacks.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterator, Sequence

from echelon.cli_errors import OneLineArgumentParser, run_handler

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


def _leaf_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """Every parser that runs a command (subparsers of subparsers, depth first)."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        yield parser
    for group in groups:
        for child in dict.fromkeys(group.choices.values()):  # aliases map to the same parser
            yield from _leaf_parsers(child)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineArgumentParser(
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
    for leaf in _leaf_parsers(parser):
        if leaf is parser:
            continue
        leaf.add_argument(
            "--debug",
            action="store_true",
            help="show the full traceback of an error (also: ECHELON_DEBUG=1)",
        )
        leaf.set_defaults(command_name=leaf.prog, command_parser=leaf)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = build_parser().parse_known_args(argv)
    if extra:  # reported by the subcommand's parser, so the hint names its --help
        args.command_parser.error(f"unrecognized arguments: {' '.join(extra)}")
    # The command as given, for handlers that start it again in more processes (--nproc).
    args.argv = list(sys.argv[1:] if argv is None else argv)
    return run_handler(args.func, args, args.command_name)


if __name__ == "__main__":
    sys.exit(main())
