"""How the ``echelon`` command reports errors: one line and exit code 2 for a mistake the user can
fix, the traceback only when asked for.

Every subcommand handler runs through :func:`run_handler`:

* an expected error (a bad flag value, config field, path or checkpoint; a missing device; see
  :data:`EXPECTED_ERRORS`) prints ``echelon <command>: error: <what is wrong and what to do>`` on
  stderr and exits with 2, the code argparse uses for a bad command line;
* anything else is a bug: one line naming the exception, with the way to see the traceback, exit 1;
* Ctrl-C prints ``interrupted`` and exits with 130 (``echelon train`` catches it earlier and saves a
  checkpoint first, see ``echelon.train.cli``);
* ``--debug`` (any subcommand) or ``ECHELON_DEBUG=1`` lets every exception through with its
  traceback.

Argument errors found by argparse follow the same rule: :class:`OneLineArgumentParser` prints one
line and exits with 2, instead of argparse's usage block followed by the message.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import NoReturn

DEBUG_ENV = "ECHELON_DEBUG"
EXIT_USAGE = 2
EXIT_BUG = 1
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A mistake the user can fix; the message names it and says what to do instead."""


def _expected_errors() -> tuple[type[BaseException], ...]:
    """Exception types that mean "the input was wrong", not "the code is wrong".

    ValueError is what every config and argument check in echelon raises (EnvConfig,
    TrainConfig, VecEnv, the league); OSError covers missing, unreadable and unwritable paths;
    the checkpoint and league errors name the file and what is wrong with it. Imported lazily:
    the checkpoint module pulls in torch.
    """
    import yaml

    errors: list[type[BaseException]] = [
        UsageError,
        ValueError,  # includes json.JSONDecodeError
        OSError,
        yaml.YAMLError,
    ]
    try:
        from echelon.arena.checkpoint_store import CheckpointHashMismatch
        from echelon.train.checkpoint import CheckpointError
    except ImportError:  # pragma: no cover - a build without the training package
        pass
    else:
        errors += [CheckpointError, CheckpointHashMismatch]
    return tuple(errors)


def debug_requested(args: argparse.Namespace | None = None) -> bool:
    env = os.environ.get(DEBUG_ENV, "").strip().lower()
    return bool(getattr(args, "debug", False)) or env not in ("", "0", "false", "no")


def describe(err: BaseException) -> str:
    """One line for an expected error: its message, without Python's decorations."""
    if isinstance(err, OSError) and err.strerror and err.filename is not None:
        text = f"{err.filename}: {err.strerror}"  # not "[Errno 2] No such file ...: 'x'"
    elif isinstance(err, json.JSONDecodeError):
        text = f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})"
    else:
        text = str(err) or type(err).__name__
    return " ".join(text.split())  # multi-line messages (YAML errors) become one line


def run_handler(
    handler: Callable[[argparse.Namespace], int | None], args: argparse.Namespace, prog: str
) -> int:
    """Run a subcommand handler and map its exceptions to one-line messages and exit codes."""
    if debug_requested(args):
        return int(handler(args) or 0)
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _expected_errors() as err:
        print(f"{prog}: error: {describe(err)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:  # a bug: say so in one line, keep the traceback one flag away
        print(
            f"{prog}: internal error: {type(err).__name__}: {describe(err)} "
            f"(rerun with --debug or {DEBUG_ENV}=1 for the traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_BUG


class OneLineArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad command line costs one line: the problem and where help is."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def fail(message: str) -> NoReturn:
    """Stop the command with a one-line message (exit code 2)."""
    raise UsageError(message)
