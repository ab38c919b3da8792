"""``echelon replay view|render|info``: watch a replay in the browser, render it to a video, or
print what a replay file holds. Examples::

    echelon replay view replays/                       # a folder (or a run directory): its list
    echelon replay view runs/a                         # live: new evaluation replays appear
    echelon replay render replays/w000_ep00000.echrep --out match.mp4
    echelon replay info replays/w000_ep00000.echrep
"""

from __future__ import annotations

import argparse
import json
import sys
import webbrowser
from pathlib import Path
from typing import Any

DEFAULT_PORT = 8765


def _fail(message: str) -> int:
    print(f"echelon replay: {message}", file=sys.stderr)
    return 2


def handle_view(args: argparse.Namespace) -> int:
    from echelon.replay.server import ReplayLibrary, ReplayServer, _is_loopback

    try:
        library = ReplayLibrary(args.path)
    except (FileNotFoundError, ValueError) as exc:
        return _fail(str(exc))
    port = DEFAULT_PORT if args.port is None else args.port
    try:
        server = ReplayServer(library, args.host, port)
    except OSError as exc:
        if args.port is not None:
            return _fail(
                f"cannot listen on {args.host}:{port} ({exc.strerror or exc}); try --port 0"
            )
        server = ReplayServer(library, args.host, 0)  # the default port is taken: any free one
    if not _is_loopback(args.host):
        print(
            f"warning: listening on {args.host}: anyone who can reach this machine can list and "
            f"download the replays under {library.root}",
            file=sys.stderr,
        )
    url = server.url
    if library.is_file:
        from urllib.parse import quote

        url += f"?replay={quote(library.root.name)}"
    print(f"Echelon replay viewer for {library.root}", flush=True)
    print(f"open {url}   (Ctrl+C to stop)", flush=True)
    if args.open:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()  # ends the live-list streams
        server.server_close()
    return 0


def _pick_replay(path: Path) -> Path:
    """A replay file, or the newest replay under a folder."""
    from echelon.replay.server import ReplayLibrary

    library = ReplayLibrary(path)
    entries = library.entries()
    if not entries:
        raise ValueError(f"no replays (*.echrep) under {path}")
    return entries[-1].path


def handle_render(args: argparse.Namespace) -> int:
    from echelon.replay import Replay, ReplayError
    from echelon.replay.render import RenderOptions, render

    try:
        options = RenderOptions(args.fps, args.speed, args.scale, args.start, args.end)
        source = _pick_replay(Path(args.path))
        if Path(args.path).is_dir():
            print(f"rendering the newest replay: {source}")
        replay = Replay.load(source)
        out = render(replay, args.out, options)
    except (ReplayError, ValueError, FileNotFoundError, RuntimeError) as exc:
        return _fail(str(exc))
    print(f"wrote {out} ({out.stat().st_size:,} bytes, top-down view)")
    return 0


def handle_info(args: argparse.Namespace) -> int:
    from echelon.replay import Replay, ReplayError

    try:
        replay = Replay.load(args.path)
    except ReplayError as exc:
        return _fail(str(exc))
    h = replay.header
    info: dict[str, Any] = {
        "file": str(args.path),
        "bytes": Path(args.path).stat().st_size,
        "format_version": 1,
        "world": h["world"],
        "episode": h["episode"],
        **replay.summary(),
        "events": int(replay.arrays["event_type"].size),
        "voxel_edits": int(replay.arrays["edit_index"].size),
        "recipe": h["map"].get("recipe") is not None,
        "teams": {"blue": h["config"].get("blue"), "red": h["config"].get("red")},
    }
    if args.json:
        print(json.dumps(info, indent=1, sort_keys=True))
    else:
        for k, v in info.items():
            print(f"{k:>14}: {v}")
    return 0


def register(subparsers: Any) -> None:
    rp = subparsers.add_parser(
        "replay",
        help="watch, render or inspect recorded matches",
        description="Replays recorded with --record (eval, arena play) or by training "
        "(RUN_DIR/replays/). See docs/replay.md.",
    )
    sub = rp.add_subparsers(dest="replay_command", required=True)

    view = sub.add_parser("view", help="open the 3-D viewer in a browser (local server)")
    view.add_argument(
        "path", type=Path, help="a replay file, a folder of replays or a run directory"
    )
    view.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    view.add_argument(
        "--port", type=int, default=None, help=f"port (default {DEFAULT_PORT}, or any free one)"
    )
    view.add_argument("--open", action="store_true", help="also open the page in a browser")
    view.set_defaults(func=handle_view)

    ren = sub.add_parser("render", help="render a replay to .gif or .mp4 (top-down, no display)")
    ren.add_argument("path", type=Path, help="a replay file, or a folder (its newest replay)")
    ren.add_argument("--out", required=True, type=Path, help="output file: *.gif or *.mp4")
    ren.add_argument("--fps", type=float, default=8.0, help="video frames per second")
    ren.add_argument("--speed", type=float, default=1.0, help="match seconds per video second")
    ren.add_argument("--scale", type=int, default=None, help="pixels per voxel")
    ren.add_argument("--start", type=float, default=0.0, help="first second of the match")
    ren.add_argument("--end", type=float, default=None, help="last second of the match")
    ren.set_defaults(func=handle_render)

    info = sub.add_parser("info", help="check a replay file and print what it holds")
    info.add_argument("path", type=Path)
    info.add_argument("--json", action="store_true")
    info.set_defaults(func=handle_info)
