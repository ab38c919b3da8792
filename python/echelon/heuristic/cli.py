"""``echelon eval --blue heuristic:N --red heuristic:M``: matches between core controllers.

The training engineer's ``echelon eval CHECKPOINT`` owns the subcommand; it calls
``add_match_arguments`` to add these flags and hands over to ``handle_match`` when no checkpoint
is given. ``--ladder`` plays every level against the one below it and prints the table that
docs/heuristic.md shows. Examples::

    echelon eval --blue heuristic:3 --red heuristic:2 --matches 200
    echelon eval --ladder --matches 300 --worlds 32 --map-size 60 60 16
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from echelon.cli_args import add_map_size_argument, positive_float, positive_int
from echelon.cli_errors import UsageError
from echelon.config import HEURISTIC_MAX_LEVEL, MAP_TYPES, EnvConfig

MATCHES = 100  # default --matches per pairing


def add_match_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of core-controller matches (``--matches``, ``--worlds`` and ``--seed`` come from the
    ``eval`` parser). The env flags also apply to a checkpoint's evaluation."""
    g = parser.add_argument_group("matches between core controllers, and the env of any match")
    g.add_argument("--blue", help="blue controller, e.g. heuristic:3 (not with a checkpoint)")
    g.add_argument(
        "--red", help="red controller, e.g. heuristic:2 (with a checkpoint: its opponent)"
    )
    g.add_argument(
        "--ladder",
        action="store_true",
        help="play every heuristic level against the one below it and print the table "
        "(with a CHECKPOINT: the checkpoint against every level)",
    )
    add_map_size_argument(g, help_text="map size in voxels (default: the EnvConfig default)")
    g.add_argument("--map-type", choices=MAP_TYPES, default=None, help="default procedural")
    g.add_argument("--packs", type=positive_int, default=None, help="packs per team")
    g.add_argument("--episode-seconds", type=positive_float, default=None)
    g.add_argument("--omniscient", action="store_true", help="the heuristic sees through walls")
    g.add_argument("--threads", type=positive_int, default=None, help="simulator worker threads")
    g.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _config(args: argparse.Namespace, blue: str, red: str) -> EnvConfig:
    changes: dict[str, Any] = {"blue": blue, "red": red, "heuristic_omniscient": args.omniscient}
    if args.map_size is not None:
        changes["map_size"] = tuple(args.map_size)
    if args.map_type is not None:
        changes["map_type"] = args.map_type
    if args.packs is not None:
        changes["packs_per_team"] = args.packs
    if args.episode_seconds is not None:
        changes["max_episode_seconds"] = args.episode_seconds
    return EnvConfig(**changes)


def format_row(r: Any) -> str:
    lo, hi = r.win_interval()
    slo, shi = r.score_interval()
    return (
        f"| {r.blue} | {r.red} | {r.matches} | {r.wins} | {r.draws} | {r.losses} | "
        f"{r.wins / r.matches:.2f} [{lo:.2f}, {hi:.2f}] | {r.score:.2f} [{slo:.2f}, {shi:.2f}] | "
        f"{r.mean_length:.0f} |"
    )


TABLE_HEADER = (
    "| blue | red | matches | W | D | L | win rate [95% Wilson] | score [95% Wilson] | "
    "mean length (steps) |\n|---|---|---|---|---|---|---|---|---|"
)


def handle_match(args: argparse.Namespace) -> int:
    from echelon.heuristic.ladder import play_matches

    matches = args.matches or MATCHES
    if args.ladder:
        if args.blue or args.red:
            raise UsageError("--ladder chooses both sides: drop --blue/--red, or drop --ladder")
        pairs = [
            (f"heuristic:{n}", f"heuristic:{n - 1}") for n in range(1, HEURISTIC_MAX_LEVEL + 1)
        ]
    else:
        if not args.blue or not args.red:
            raise UsageError("give a CHECKPOINT, or --blue and --red, or --ladder")
        pairs = [(args.blue, args.red)]
    configs = [_config(args, blue, red) for blue, red in pairs]  # every config checked first
    results = []
    start = time.perf_counter()
    for cfg in configs:
        results.append(play_matches(cfg, matches, args.worlds, args.seed, args.threads))
        if not args.json:
            if len(results) == 1:
                print(TABLE_HEADER)
            print(format_row(results[-1]), flush=True)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        **r.__dict__,
                        "win_interval": r.win_interval(),
                        "score_interval": r.score_interval(),
                    }
                    for r in results
                ],
                indent=1,
            )
        )
    else:
        print(f"({time.perf_counter() - start:.1f} s)")
    return 0
