"""``echelon arena ...``: manage a league, play rated matches, plot ratings.

``register(subparsers)`` adds the ``arena`` command (with its own subcommands) to the
top-level parser; each subcommand sets ``func`` to a handler ``(args) -> exit code``.
The ``echelon`` command (``echelon.cli``) calls ``register``.

The simulator, the checkpoint loader and matplotlib are imported only by the subcommands
that need them, so league bookkeeping works without the compiled extension.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from echelon.arena.checkpoint_store import CheckpointHashMismatch
from echelon.arena.league import KINDS, League, LeagueConfig, LeagueEntry, LeagueStore
from echelon.arena.sampling import MODES, OpponentSampler, SamplingConfig
from echelon.arena.schedule import schedule_pairings


def _key_values(items: Sequence[str] | None, flag: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ValueError(f"{flag} expects FIELD=VALUE, got {item!r}")
        key, raw = item.split("=", 1)
        out[key.strip()] = yaml.safe_load(raw)
    return out


def _env_config(signature: dict[str, Any] | None, overrides: dict[str, Any]) -> Any:
    from echelon.config import EnvConfig  # needs the compiled package

    return EnvConfig.from_dict({**(signature or {}), **overrides})


# -- init / add / list / ladder / promote / retire / verify -------------------------------


def handle_init(args: argparse.Namespace) -> int:
    config = LeagueConfig(
        tau=args.tau,
        conservative_k=args.k,
        promote_min_games=args.promote_min_games,
        retire_min_games=args.retire_min_games,
        max_commanders=args.max_commanders,
        max_rd=None if args.max_rd <= 0 else args.max_rd,
    )
    overrides = _key_values(args.env, "--env")
    signature = _env_config(None, overrides).to_dict() if overrides else None
    LeagueStore.create(args.league, config, env_signature=signature)
    print(f"created league {args.league}")
    return 0


def handle_add(args: argparse.Namespace) -> int:
    store = LeagueStore(args.league)
    meta = {"name": args.name} if args.name else {}
    entry = store.add_checkpoint(
        args.checkpoint, kind=args.kind, entry_id=args.id, target_id=args.target, meta=meta
    )
    print(f"added {entry.kind} {entry.id} (sha256 {entry.sha256[:12]}) -> {entry.checkpoint}")
    return 0


def _row(entry: LeagueEntry, k: float, problem: str | None) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "mu": round(entry.rating.mu, 1),
        "rd": round(entry.rating.rd, 1),
        "vol": round(entry.rating.vol, 5),
        "conservative": round(entry.conservative(k), 1),
        "games": entry.games,
        "w-d-l": f"{entry.wins}-{entry.draws}-{entry.losses}",
        "target": entry.target_id or "",
        "checkpoint": "MODIFIED/MISSING" if problem else "ok",
    }


def _print_table(rows: list[dict[str, Any]], numbered: bool = False) -> None:
    if not rows:
        print("(no entries)")
        return
    if numbered:
        rows = [{"#": i + 1, **row} for i, row in enumerate(rows)]
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        print("  ".join(str(row[c]).ljust(widths[c]) for c in columns).rstrip())


def _rows(store: LeagueStore, league: League, entries: list[LeagueEntry]) -> list[dict[str, Any]]:
    problems = store.verify()
    k = league.config.conservative_k
    return [_row(e, k, problems.get(e.id)) for e in entries]


def handle_list(args: argparse.Namespace) -> int:
    store = LeagueStore(args.league)
    league = store.load()
    rows = _rows(store, league, list(league.entries.values()))
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(f"league {args.league}: {len(rows)} entries, {league.period} rating periods")
        _print_table(rows)
    return 0


def handle_ladder(args: argparse.Namespace) -> int:
    store = LeagueStore(args.league)
    league = store.load()
    kinds = KINDS if args.all else ("candidate", "commander", "exploiter")
    rows = _rows(store, league, league.ranked(kinds))
    k = league.config.conservative_k
    print(f"ladder by conservative rating mu - {k:g}*rd")
    _print_table(rows, numbered=True)
    return 0


def handle_promote(args: argparse.Namespace) -> int:
    promoted = LeagueStore(args.league).promote()
    print("promoted: " + (", ".join(promoted) if promoted else "none"))
    return 0


def handle_retire(args: argparse.Namespace) -> int:
    retired = LeagueStore(args.league).retire(args.id or None)
    print("retired: " + (", ".join(retired) if retired else "none"))
    return 0


def handle_verify(args: argparse.Namespace) -> int:
    problems = LeagueStore(args.league).verify()
    for entry_id, problem in problems.items():
        print(f"{entry_id}: {problem}")
    if not problems:
        print("all checkpoints match their recorded sha256")
    return 1 if problems else 0


# -- play ------------------------------------------------------------------------------


def _format_eta(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def handle_play(args: argparse.Namespace) -> int:
    import torch

    from echelon import VecEnv
    from echelon.arena.match import MatchRunner, PolicyCache
    from echelon.train.checkpoint import load_policy

    if args.matches < 1 or args.worlds < 1:
        raise ValueError("--matches and --worlds must be >= 1")
    if args.threads is not None:
        if args.threads < 1:
            raise ValueError(f"--threads must be >= 1, got {args.threads}")
        torch.set_num_threads(args.threads)
    store = LeagueStore(args.league)
    league = store.load()
    env_cfg = _env_config(league.env_signature, _key_values(args.env, "--env"))
    device = torch.device(args.device)
    batch = args.batch or args.worlds
    env = VecEnv(env_cfg, num_worlds=min(args.worlds, batch), device=device, seed=args.seed)

    def loader(entry_id: str) -> Any:
        model, _meta = load_policy(store.checkpoint_path(entry_id), device=device)
        dims = (
            getattr(model, "obs_dim", env.obs_dim),
            getattr(model, "action_dim", env.action_dim),
        )
        if dims != (env.obs_dim, env.action_dim):
            raise ValueError(
                f"entry {entry_id!r} was built for obs_dim/action_dim {dims}, but this "
                f"environment has {(env.obs_dim, env.action_dim)}: check the league's --env"
            )
        return model

    runner = MatchRunner(
        env, PolicyCache(loader, max_models=args.max_models), deterministic=args.deterministic
    )
    if args.record is not None and (args.record.exists() and not args.record.is_dir()):
        raise ValueError(f"--record needs a folder, got {args.record}")
    sampler = OpponentSampler(SamplingConfig(mode=args.mode), seed=args.seed)
    started, played = time.monotonic(), 0
    batches = math.ceil(args.matches / batch)
    for index in range(batches):
        league = store.load()  # other processes may have changed ratings or entries
        count = min(batch, args.matches - played)
        pairings = schedule_pairings(league, count, sampler, args.player or None)
        if args.record is not None:  # every world; the runner names the players per episode
            env.record(
                worlds=range(env.num_worlds),
                episodes=None,
                directory=args.record,
                name="{blue}_vs_{red}_w{world:03d}_ep{episode:05d}",
                max_replays=args.record_max,
            )
        results = runner.play(pairings)
        store.record_results(results)
        played += len(results)
        promoted = store.promote() if args.auto_promote else []
        retired = store.retire() if args.auto_promote else []
        elapsed = time.monotonic() - started
        rate = played / max(elapsed, 1e-9)
        eta = (args.matches - played) / rate if rate > 0 else math.inf
        wins = sum(1 for _, _, s in results if s == 1.0)
        draws = sum(1 for _, _, s in results if s == 0.5)
        line = (
            f"[arena] period {index + 1}/{batches}  matches {played}/{args.matches}  "
            f"blue W/D/L {wins}/{draws}/{len(results) - wins - draws}  "
            f"{rate:.2f} matches/s  ETA {_format_eta(eta)}"
        )
        if promoted:
            line += f"  promoted {','.join(promoted)}"
        if retired:
            line += f"  retired {','.join(retired)}"
        print(line, flush=True)
    if args.record is not None:
        env.stop_recording(keep_partial=False)
        print(
            f"{len(env.replay_files)} replays in {args.record}: echelon replay view {args.record}"
        )
    best = store.load().ranked(("candidate", "commander", "exploiter"))[:5]
    print("top: " + ", ".join(f"{e.id} {e.rating.mu:.0f}±{e.rating.rd:.0f}" for e in best))
    return 0


# -- plot ------------------------------------------------------------------------------


def handle_plot(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")  # files only, never a display
    import matplotlib.pyplot as plt

    league = LeagueStore(args.league).load()
    k = league.config.conservative_k
    entries = [league.get(i) for i in args.id] if args.id else list(league.entries.values())
    entries = [e for e in entries if e.history]
    if not entries:
        raise ValueError("nothing to plot: no entry has played a rating period yet")
    fig, ax = plt.subplots(figsize=(10, 6))
    for entry in entries:
        periods = [p.period for p in entry.history]
        mu = [p.mu for p in entry.history]
        low = [p.mu - k * p.rd for p in entry.history]
        high = [p.mu + k * p.rd for p in entry.history]
        (line,) = ax.plot(periods, mu, marker=".", label=f"{entry.id} ({entry.kind})")
        ax.fill_between(periods, low, high, color=line.get_color(), alpha=0.12)
    ax.set_xlabel("rating period")
    ax.set_ylabel(f"Glicko-2 rating (band: ±{k:g} RD)")
    ax.set_title(f"{args.league}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    fig.tight_layout()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=args.dpi)
    plt.close(fig)
    print(f"wrote {out}")
    return 0


# -- parser ------------------------------------------------------------------------------

# Errors a user can fix (bad id, missing file, changed checkpoint): one line, exit code 2.
_USER_ERRORS = (
    ValueError,
    KeyError,
    FileNotFoundError,
    FileExistsError,
    CheckpointHashMismatch,
)


def _friendly(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except _USER_ERRORS as err:
            message = err.args[0] if isinstance(err, KeyError) and err.args else err
            print(f"echelon arena {args.arena_command}: error: {message}", file=sys.stderr)
            return 2

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


def register(subparsers: Any) -> None:
    """Add ``arena`` and its subcommands to an ``argparse`` subparsers object."""
    arena = subparsers.add_parser(
        "arena",
        help="self-play league: Glicko-2 ratings, PFSP matches",
        description="Manage a league of policies and play rated matches (docs/arena.md).",
    )
    sub = arena.add_subparsers(dest="arena_command", required=True, metavar="SUBCOMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(
            name, help=help_text, description=help_text
        )
        parser.add_argument("league", type=Path, help="league JSON file")
        return parser

    defaults = LeagueConfig()
    p = command("init", "create an empty league file")
    p.add_argument("--tau", type=float, default=defaults.tau, help="Glicko-2 volatility constraint")
    p.add_argument(
        "--k", type=float, default=defaults.conservative_k, help="conservative rating = mu - k * rd"
    )
    p.add_argument("--promote-min-games", type=int, default=defaults.promote_min_games)
    p.add_argument(
        "--retire-min-games",
        type=int,
        default=defaults.retire_min_games,
        help="games as commander before it may be retired",
    )
    p.add_argument("--max-commanders", type=int, default=defaults.max_commanders)
    p.add_argument(
        "--max-rd",
        type=float,
        default=defaults.max_rd or 0.0,
        help="cap on rating deviation (<= 0: no cap)",
    )
    p.add_argument(
        "--env",
        action="append",
        metavar="FIELD=VALUE",
        help="EnvConfig field all matches use, e.g. map_size=[48,48,12] (repeatable)",
    )
    p.set_defaults(func=_friendly(handle_init))

    p = command("add", "copy a checkpoint into the league and add an entry")
    p.add_argument("checkpoint", type=Path, help="checkpoint directory or file")
    p.add_argument("--kind", choices=["candidate", "commander", "exploiter"], default="candidate")
    p.add_argument("--id", help="entry id (default: <name>-<sha256[:8]>)")
    p.add_argument("--target", help="id of the entry an exploiter was trained against")
    p.add_argument("--name", help="display name stored in the entry's meta")
    p.set_defaults(func=_friendly(handle_add))

    p = command("list", "all entries in insertion order")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=_friendly(handle_list))

    p = command("ladder", "active entries ranked by conservative rating")
    p.add_argument("--all", action="store_true", help="include retired entries")
    p.set_defaults(func=_friendly(handle_ladder))

    command("promote", "promote qualified candidates to commanders").set_defaults(
        func=_friendly(handle_promote)
    )

    p = command("retire", "retire commanders beyond the pool size (or the given ids)")
    p.add_argument("--id", action="append", help="retire exactly this entry (repeatable)")
    p.set_defaults(func=_friendly(handle_retire))

    command("verify", "re-hash every stored checkpoint (exit 1 on mismatch)").set_defaults(
        func=_friendly(handle_verify)
    )

    p = command("play", "play rated matches (PFSP opponents, one rating period per batch)")
    p.add_argument("--matches", type=int, required=True, help="total matches to play")
    p.add_argument("--worlds", type=int, default=16, help="matches played at once")
    p.add_argument("--batch", type=int, help="matches per rating period (default: --worlds)")
    p.add_argument(
        "--player",
        action="append",
        help="focal entry id (repeatable; default: candidates and exploiters)",
    )
    p.add_argument("--mode", choices=MODES, default="even", help="PFSP weighting")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu")
    p.add_argument(
        "--env",
        action="append",
        metavar="FIELD=VALUE",
        help="override the league's EnvConfig field (repeatable)",
    )
    p.add_argument("--max-models", type=int, default=8, help="LRU cache size of loaded policies")
    p.add_argument("--deterministic", action="store_true", help="play the mean action")
    p.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="write replays of the matches to DIR (watch: echelon replay view DIR)",
    )
    p.add_argument(
        "--record-max", type=int, default=32, metavar="N", help="at most N replays (default 32)"
    )
    p.add_argument(
        "--threads",
        type=int,
        help="torch CPU threads for the policies (1 is often fastest for small batches)",
    )
    p.add_argument(
        "--no-auto-promote",
        dest="auto_promote",
        action="store_false",
        help="do not promote/retire after each rating period",
    )
    p.set_defaults(func=_friendly(handle_play))

    p = command("plot", "plot rating histories to a PNG")
    p.add_argument("out", type=Path, help="output image (e.g. ratings.png)")
    p.add_argument("--id", action="append", help="only these entries (repeatable)")
    p.add_argument("--dpi", type=int, default=120)
    p.set_defaults(func=_friendly(handle_plot))
