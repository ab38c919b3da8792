"""``echelon arena ...``: manage a league, play rated matches, plot ratings.

``register(subparsers)`` adds the ``arena`` command (with its own subcommands) to the
top-level parser; each subcommand sets ``func`` to a handler ``(args) -> exit code``.
The ``echelon`` command (``echelon.cli``) calls ``register``.

The simulator, the checkpoint loader and matplotlib are imported only by the subcommands
that need them, so league bookkeeping works without the compiled extension.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from echelon.arena.checkpoint_store import CheckpointHashMismatch
from echelon.arena.league import KINDS, League, LeagueConfig, LeagueEntry, LeagueStore
from echelon.arena.match import MatchResult
from echelon.arena.sampling import MODES, OpponentSampler, SamplingConfig
from echelon.arena.schedule import schedule_pairings
from echelon.cli_args import (
    add_device_argument,
    add_map_size_argument,
    non_negative_int,
    positive_int,
    resolve_device,
)
from echelon.cli_errors import UsageError, describe
from echelon.fileio import require_parent_dir, write_atomic
from echelon.train.checkpoint import CheckpointError


def _key_values(items: Sequence[str] | None, flag: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ValueError(f"{flag} expects FIELD=VALUE, got {item!r}")
        key, raw = item.split("=", 1)
        try:
            out[key.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise ValueError(f"{flag} {item!r}: the value is not valid YAML") from None
    return out


def _env_overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides = _key_values(args.env, "--env")
    if getattr(args, "map_size", None) is not None:
        overrides["map_size"] = list(args.map_size)
    return overrides


def _env_config(signature: dict[str, Any] | None, overrides: dict[str, Any]) -> Any:
    from echelon.config import EnvConfig  # needs the compiled package

    return EnvConfig.from_dict({**(signature or {}), **overrides})


def _interface(league: League) -> Any:
    """The observation/action interface every policy of this league must match."""
    from echelon.arena.admission import EnvInterface

    return EnvInterface.of_config(_env_config(league.env_signature, {}))


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
    overrides = _env_overrides(args)
    signature = _env_config(None, overrides).to_dict() if overrides else None
    LeagueStore.create(args.league, config, env_signature=signature)
    print(f"created league {args.league}")
    return 0


def handle_add(args: argparse.Namespace) -> int:
    from echelon.arena.admission import admit

    store = LeagueStore(args.league)
    if args.kind == "exploiter" and not args.target:
        raise UsageError("--kind exploiter needs --target ID (the entry it was trained against)")
    if args.target and args.kind != "exploiter":
        raise UsageError("--target applies to --kind exploiter only")
    league = store.load()  # a league with a bad entry is refused before anything is copied
    if args.target:
        league.get(args.target)  # so is an unknown target
    checkpoint = admit(args.checkpoint, _interface(league))  # loads it as a match would
    meta = {"name": args.name} if args.name else {}
    entry = store.add_checkpoint(
        checkpoint, kind=args.kind, entry_id=args.id, target_id=args.target, meta=meta
    )
    print(f"added {entry.kind} {entry.id} (sha256 {entry.sha256[:12]}) from {checkpoint}")
    return 0


def handle_remove(args: argparse.Namespace) -> int:
    entry = LeagueStore(args.league).remove(args.id)
    print(
        f"removed {entry.kind} {entry.id} ({entry.games} games, mu {entry.rating.mu:.0f}) and its "
        "stored checkpoint"
    )
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


def _print_invalid(league: League) -> None:
    """Entries a read-only command skipped because they failed validation (league.py)."""
    for entry_id, problem in league.invalid.items():
        print(f"invalid entry {entry_id}: {problem}", file=sys.stderr)


def handle_list(args: argparse.Namespace) -> int:
    store = LeagueStore(args.league)
    league = store.load(strict=False)  # one bad entry must not hide the others
    rows = _rows(store, league, list(league.entries.values()))
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(f"league {args.league}: {len(rows)} entries, {league.period} rating periods")
        _print_table(rows)
    _print_invalid(league)
    return 0


def handle_ladder(args: argparse.Namespace) -> int:
    store = LeagueStore(args.league)
    league = store.load(strict=False)
    kinds = KINDS if args.all else ("candidate", "commander", "exploiter")
    rows = _rows(store, league, league.ranked(kinds))
    k = league.config.conservative_k
    print(f"ladder by conservative rating mu - {k:g}*rd")
    _print_table(rows, numbered=True)
    _print_invalid(league)
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
    """Every entry: stored bytes match the recorded hash, and the policy loads for this env."""
    from echelon.arena.admission import load_checked_policy

    store = LeagueStore(args.league)
    league = store.load(strict=False)  # bad entries are reported, not fatal (league.invalid)
    problems = store.verify()  # invalid entries first, then missing or modified checkpoints
    interface = _interface(league) if any(e not in problems for e in league.entries) else None
    for entry in league.entries.values():
        if entry.id in problems or interface is None:
            continue
        try:
            load_checked_policy(store.checkpoint_path(entry), interface)
        except _LOAD_ERRORS as err:
            problems[entry.id] = describe(err)
    for entry_id, problem in problems.items():
        print(f"{entry_id}: {problem}")
    total = len(league.entries) + len(league.invalid)
    if problems:
        print(f"{len(problems)} of {total} entries cannot play")
        if len(problems) > len(league.invalid):
            print(f"remove an entry that cannot play with `echelon arena remove {args.league} ID`")
        if league.invalid:
            print(
                f"invalid entries must be fixed or deleted in {args.league} by hand: commands that "
                "change the league refuse it until then (docs/security.md)"
            )
    else:
        print(f"all {total} checkpoints match their sha256 and load for this env")
    return 1 if problems else 0


# -- play ------------------------------------------------------------------------------


def _format_eta(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def handle_play(args: argparse.Namespace) -> int:
    """Rated matches, one rating period per batch. Under torchrun (or ``--nproc N``) the ranks
    split every period's matches (docs/arena.md, "Several processes and machines")."""
    if getattr(args, "nproc", None) is not None:
        return _launch_play(args)
    from echelon.distributed import MainRankFailed, init_from_env

    comm = init_from_env()
    if comm.rank > 0:
        args.command_name = f"{args.command_name} (rank {comm.rank})"
    try:
        return _play(args, comm)
    except MainRankFailed:  # rank 0 reported it
        return 2
    finally:
        comm.close()


def _play_setup(args: argparse.Namespace, comm: Any) -> dict[str, Any]:
    """Rank 0: the league, the players and the env all matches use, checked before any env is
    built; and, for a job on several machines, that the league's locks reach every machine."""
    from echelon.arena.locking import require_shared_locks
    from echelon.distributed import WorldShard

    league = LeagueStore(args.league).load()
    env_cfg = _env_config(league.env_signature, _env_overrides(args))
    for player in args.player or []:
        league.get(player)  # an unknown --player id fails before the env is built
    batch = args.batch or args.worlds
    WorldShard.split(min(args.worlds, batch), comm.world_size)  # a world for every process
    require_shared_locks(args.league, comm.nodes)
    return {"env": env_cfg.to_dict(), "batch": batch}


def _check_league_visible(args: argparse.Namespace, comm: Any) -> None:
    """Every rank loads policies from the league's folder: it must see the league."""
    import socket

    seen = comm.all_gather_object((socket.gethostname(), Path(args.league).is_file()))
    missing = sorted({host for host, ok in seen if not ok})
    if missing:
        raise UsageError(
            f"{args.league} is not visible on {', '.join(missing)}: every machine of the job "
            "loads the league's checkpoints, so put the league on a filesystem they all mount "
            "at the same path (docs/arena.md, 'Sharing a league')"
        )


def _play(args: argparse.Namespace, comm: Any) -> int:
    import torch

    from echelon import EnvConfig, VecEnv
    from echelon.arena.admission import EnvInterface, load_checked_policy
    from echelon.arena.match import MatchRunner, PolicyCache
    from echelon.distributed import WorldShard, rank_device, thread_share
    from echelon.rl.obs_layout import layout_to_json, parse_obs_layout

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    store = LeagueStore(args.league)
    setup = comm.share_from_main(lambda: _play_setup(args, comm))
    _check_league_visible(args, comm)
    env_cfg, batch = EnvConfig.from_dict(setup["env"]), setup["batch"]
    device = torch.device(rank_device(resolve_device(args.device), comm))
    # This process's block of the period's worlds: world w of the job plays the w-th matches.
    shard = WorldShard.split(min(args.worlds, batch), comm.world_size, comm.rank)
    env = VecEnv(
        env_cfg,
        num_worlds=shard.count,
        device=device,
        seed=args.seed,
        world_offset=shard.offset,
        num_threads=thread_share(comm.local_world_size) if comm.distributed else None,
    )
    interface = EnvInterface(
        env.obs_dim, env.action_dim, layout_to_json(parse_obs_layout(env.obs_layout, env.obs_dim))
    )
    broken: dict[str, str] = {}  # entries whose checkpoint fails to load: skipped, reported
    entries: dict[str, LeagueEntry] = {}  # as rank 0 read them for the current period

    def loader(entry_id: str) -> Any:
        try:
            path = store.checkpoint_path(entries[entry_id])  # re-hashes the stored copy
            return load_checked_policy(path, interface, device)
        except _LOAD_ERRORS as err:
            raise _BrokenEntry(entry_id, describe(err)) from err

    runner = MatchRunner(
        env, PolicyCache(loader, max_models=args.max_models), deterministic=args.deterministic
    )
    if args.record is not None and (args.record.exists() and not args.record.is_dir()):
        raise ValueError(f"--record needs a folder, got {args.record}")
    sampler = OpponentSampler(SamplingConfig(mode=args.mode), seed=args.seed)

    def schedule(count: int) -> tuple[list[tuple[str, str]], dict[str, LeagueEntry]]:
        league = store.load()  # other processes may have changed ratings or entries
        playable = _without(league, broken)
        focal = [p for p in args.player or [] if p not in broken] if args.player else None
        if args.player and not focal:
            raise UsageError(f"no --player can play: {', '.join(sorted(broken))} failed to load")
        return schedule_pairings(playable, count, sampler, focal), dict(playable.entries)

    started, played = time.monotonic(), 0
    batches = math.ceil(args.matches / batch)
    for index in range(batches):
        count = min(batch, args.matches - played)
        if args.record is not None:  # every world; the runner names the players per episode
            env.record(
                worlds=range(env.num_worlds),
                episodes=None,
                directory=args.record,
                # several processes share the folder: the process is in the name
                name="{blue}_vs_{red}"
                + (f"_p{comm.rank}" if comm.distributed else "")
                + "_w{world:03d}_ep{episode:05d}",
                max_replays=args.record_max,
            )
        while True:
            pairings, current = comm.share_from_main(lambda: schedule(count))  # noqa: B023
            entries.clear()
            entries.update(current)
            mine = [i for i in range(len(pairings)) if shard.owns(i % shard.total)]
            status: tuple[str, str] | None = None
            local: list[tuple[int, MatchResult]] = []
            try:
                results = runner.play([pairings[i] for i in mine])
                local = list(zip(mine, results, strict=True))
            except _BrokenEntry as bad:  # replay this period without it
                status = (bad.entry_id, bad.reason)
            failed = dict(bad for bad in comm.all_gather_object(status) if bad is not None)
            if failed:
                for entry_id, reason in failed.items():
                    broken[entry_id] = reason
                    if comm.is_main:
                        print(
                            f"[arena] skipping {entry_id}: {reason} (see `echelon arena verify "
                            f"{args.league}`; `echelon arena remove {args.league} {entry_id}` "
                            "drops it)",
                            file=sys.stderr,
                            flush=True,
                        )
                continue
            gathered = comm.gather_object(local)
            break
        if gathered is None:  # not rank 0: rank 0 rates the period
            played += len(pairings)
            continue
        results = [r for _, r in sorted((e for part in gathered for e in part), key=lambda e: e[0])]
        _record_or_keep(store, results)  # rank 0 alone writes the league
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
        # Every process records its own worlds; the counts add up on the main process.
        total = sum(comm.all_gather_object(len(env.replay_files))) if comm.distributed else None
        if comm.is_main:
            count = total if total is not None else len(env.replay_files)
            print(f"{count} replays in {args.record}: echelon replay view {args.record}")
    if comm.is_main:
        best = store.load().ranked(("candidate", "commander", "exploiter"))[:5]
        print("top: " + ", ".join(f"{e.id} {e.rating.mu:.0f}±{e.rating.rd:.0f}" for e in best))
        if broken:
            print(f"skipped (checkpoint failed to load): {', '.join(sorted(broken))}")
    return 0


def _launch_play(args: argparse.Namespace) -> int:
    """``arena play --nproc N``: check the command here, then run it in N processes."""
    from echelon.distributed import WorldShard, launch_torchrun, strip_nproc

    league = LeagueStore(args.league).load()
    _env_config(league.env_signature, _env_overrides(args))
    for player in args.player or []:
        league.get(player)
    WorldShard.split(min(args.worlds, args.batch or args.worlds), args.nproc)
    return launch_torchrun(args.nproc, strip_nproc(args.argv))


class _BrokenEntry(Exception):
    def __init__(self, entry_id: str, reason: str) -> None:
        super().__init__(f"{entry_id}: {reason}")
        self.entry_id, self.reason = entry_id, reason


def _without(league: League, broken: dict[str, str]) -> League:
    """The league as scheduling sees it: entries that failed to load left out."""
    if not broken:
        return league
    entries = {k: e for k, e in league.entries.items() if k not in broken}
    return League(league.config, entries, league.period, league.env_signature)


def _record_or_keep(store: LeagueStore, results: list[tuple[str, str, float]]) -> None:
    """Record a period's results; if that fails (the league file was damaged or changed under
    us), the played results are written beside the league first, for `arena record`."""
    try:
        store.record_results(results)
    except Exception as err:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        pending = store.path.with_name(f"{store.path.name}.unrecorded-{stamp}-{os.getpid()}.json")
        write_atomic(pending, json.dumps([list(r) for r in results], indent=1) + "\n")
        raise ValueError(
            f"could not record {len(results)} played results ({err}); they are saved in "
            f"{pending}: fix the league, then `echelon arena record {store.path} {pending}`"
        ) from err


def handle_record(args: argparse.Namespace) -> int:
    """Apply results saved by a `play` that could not record them, as one rating period."""
    raw = json.loads(Path(args.results).read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ValueError(f"{args.results}: expected a list of [blue_id, red_id, score]")
    games: list[tuple[str, str, float]] = []
    for item in raw:
        ok = isinstance(item, list) and len(item) == 3
        if not ok or not all(isinstance(x, str) for x in item[:2]):
            raise ValueError(f"{args.results}: bad result {item!r}; want [blue_id, red_id, score]")
        score = item[2]
        if isinstance(score, bool) or score not in (0, 0.5, 1):
            raise ValueError(f"{args.results}: score must be 0, 0.5 or 1, got {score!r}")
        games.append((item[0], item[1], float(score)))
    LeagueStore(args.league).record_results(games)
    print(f"recorded {len(games)} results as one rating period")
    return 0


# -- plot ------------------------------------------------------------------------------


def handle_plot(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")  # files only, never a display
    import matplotlib.pyplot as plt

    out = require_parent_dir(args.out, "plot")
    if out.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise UsageError(f"plot {out}: give a .png, .pdf or .svg file name")
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
    buffer = io.BytesIO()
    fig.savefig(buffer, format=out.suffix.lstrip(".").lower() or "png", dpi=args.dpi)
    plt.close(fig)
    write_atomic(out, buffer.getvalue())
    print(f"wrote {out}")
    return 0


# -- parser ------------------------------------------------------------------------------

# Errors loading an entry's policy (bad file, changed bytes, wrong env): skip/report, not crash.
_LOAD_ERRORS = (OSError, ValueError, CheckpointHashMismatch, CheckpointError)


def _friendly(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """An unknown entry id raises KeyError with a message that lists the known ids: a user
    mistake here (elsewhere a KeyError is a bug), so it becomes a UsageError. Everything else is
    reported by the ``echelon`` command's error layer (``echelon.cli_errors``)."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except KeyError as err:
            raise UsageError(err.args[0] if err.args else str(err)) from err

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
    p.add_argument("--promote-min-games", type=non_negative_int, default=defaults.promote_min_games)
    p.add_argument(
        "--retire-min-games",
        type=non_negative_int,
        default=defaults.retire_min_games,
        help="games as commander before it may be retired",
    )
    p.add_argument("--max-commanders", type=positive_int, default=defaults.max_commanders)
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
        help="EnvConfig field all matches use, e.g. packs_per_team=2 (repeatable)",
    )
    add_map_size_argument(p, help_text="map size all matches use (the env's map_size)")
    p.set_defaults(func=_friendly(handle_init))

    p = command(
        "add",
        "load and check a checkpoint (a policy for the league's env), copy it into the league "
        "and add an entry",
    )
    p.add_argument(
        "checkpoint",
        type=Path,
        help="checkpoint folder, a file inside one, or a run folder (its best/)",
    )
    p.add_argument("--kind", choices=["candidate", "commander", "exploiter"], default="candidate")
    p.add_argument("--id", help="entry id (default: <name>-<sha256[:8]>)")
    p.add_argument("--target", help="id of the entry an exploiter was trained against")
    p.add_argument("--name", help="display name stored in the entry's meta")
    p.set_defaults(func=_friendly(handle_add))

    p = command("remove", "delete an entry and its stored checkpoint")
    p.add_argument("id", help="entry id")
    p.set_defaults(func=_friendly(handle_remove))

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

    command(
        "verify",
        "re-hash every stored checkpoint and load its policy for the league's env (exit 1 on "
        "any problem)",
    ).set_defaults(func=_friendly(handle_verify))

    p = command("play", "play rated matches (PFSP opponents, one rating period per batch)")
    p.add_argument("--matches", type=positive_int, required=True, help="total matches to play")
    p.add_argument("--worlds", type=positive_int, default=16, help="matches played at once")
    p.add_argument(
        "--batch", type=positive_int, help="matches per rating period (default: --worlds)"
    )
    p.add_argument(
        "--player",
        action="append",
        help="focal entry id (repeatable; default: candidates and exploiters)",
    )
    p.add_argument("--mode", choices=MODES, default="even", help="PFSP weighting")
    p.add_argument("--seed", type=non_negative_int, default=0)
    add_device_argument(p)
    p.add_argument(
        "--env",
        action="append",
        metavar="FIELD=VALUE",
        help="override the league's EnvConfig field (repeatable)",
    )
    add_map_size_argument(p, help_text="override the league's map size")
    p.add_argument(
        "--max-models", type=positive_int, default=8, help="LRU cache size of loaded policies"
    )
    p.add_argument("--deterministic", action="store_true", help="play the mean action")
    p.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="write replays of the matches to DIR (watch: echelon replay view DIR)",
    )
    p.add_argument(
        "--record-max",
        type=positive_int,
        default=32,
        metavar="N",
        help="at most N replays (default 32)",
    )
    p.add_argument(
        "--threads",
        type=positive_int,
        help="torch CPU threads for the policies (1 is often fastest for small batches)",
    )
    p.add_argument(
        "--no-auto-promote",
        dest="auto_promote",
        action="store_false",
        help="do not promote/retire after each rating period",
    )
    p.add_argument(
        "--nproc",
        type=positive_int,
        metavar="N",
        help="play in N processes on this machine (torch.distributed.run): each rating period's "
        "matches are split between them, rank 0 rates the period (docs/arena.md)",
    )
    p.set_defaults(func=_friendly(handle_play))

    p = command("record", "apply results a failed `play` saved beside the league")
    p.add_argument("results", type=Path, help="the .unrecorded-*.json file play named")
    p.set_defaults(func=_friendly(handle_record))

    p = command("plot", "plot rating histories to an image")
    p.add_argument(
        "out", type=Path, help="output image, .png, .pdf or .svg (its folder must exist)"
    )
    p.add_argument("--id", action="append", help="only these entries (repeatable)")
    p.add_argument("--dpi", type=positive_int, default=120)
    p.set_defaults(func=_friendly(handle_plot))
