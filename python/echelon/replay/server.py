"""The replay viewer's local web server (``echelon replay view``): the page, its static files,
the replays under one path, and a live list of them.

Python's standard ``http.server`` (a threading server) rather than a web framework: the viewer
needs five read-only GET routes, and the standard library keeps ``echelon`` free of a server
dependency. Safety rules (docs/replay.md, "Trust"):

* bound to 127.0.0.1 unless ``host`` says otherwise; on a loopback address the ``Host`` header must
  name a loopback host too (a page on another site cannot reach the server through DNS
  rebinding);
* it serves only the viewer's own files and the replays its listing found under the given path:
  a requested replay id must be in the current listing, and the listing skips hidden files and
  anything (symlinks included) that resolves outside the path, so ``..`` or absolute paths get
  403;
* a replay is checked completely (``Replay.load``) before it is served: a bad file gets 422 with
  the reason; nothing in a replay decides what code runs.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from echelon.replay.format import FILE_SUFFIX, ReplayError, read_header
from echelon.replay.replay import Replay

MAX_DEPTH = 4  # folder levels searched below the root (a run dir keeps replays in replays/)
MAX_LISTED = 2000
MAX_EVENT_CLIENTS = 16
POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    "": "text/plain; charset=utf-8",  # LICENSE, VERSION
}


def static_dir() -> Path:
    return Path(str(resources.files("echelon.replay") / "static"))


def _static_files() -> dict[str, Path]:
    """url path below /static/ -> file, for every file the package ships (the whitelist)."""
    base = static_dir()
    out = {}
    for p in base.rglob("*"):
        if p.is_file() and not p.name.startswith("."):
            out[p.relative_to(base).as_posix()] = p
    return out


@dataclass(frozen=True)
class Entry:
    id: str  # path relative to the root folder, POSIX separators
    path: Path
    size: int
    mtime: float


class ReplayLibrary:
    """The replays under a path: one file, or every ``*.echrep`` in a folder tree."""

    def __init__(self, root: str | Path) -> None:
        p = Path(root).expanduser()
        if not p.exists():
            raise FileNotFoundError(f"{p} does not exist (give a replay file or a directory)")
        self.root = p.resolve()
        self.is_file = self.root.is_file()
        if self.is_file and self.root.suffix != FILE_SUFFIX:
            raise ValueError(f"{p} is not a replay file (*{FILE_SUFFIX}) or a directory")
        self.base = self.root.parent if self.is_file else self.root
        self._summaries: dict[tuple[Path, int, float], dict[str, Any]] = {}

    def entries(self) -> list[Entry]:
        if self.is_file:
            return [self._entry(self.root)] if self.root.is_file() else []
        found: list[Entry] = []
        for path in self._walk(self.root, 0):
            found.append(self._entry(path))
            if len(found) >= MAX_LISTED:
                break
        found.sort(key=lambda e: (e.mtime, e.id))
        return found

    def _walk(self, folder: Path, depth: int) -> Iterator[Path]:
        try:
            children = sorted(folder.iterdir())
        except OSError:
            return
        for child in children:
            if child.name.startswith("."):
                continue  # hidden files, and the temporary files of writes in progress
            try:
                real = child.resolve()
                if not real.is_relative_to(self.root):
                    continue  # a symlink out of the served tree
                if child.is_dir() and depth < MAX_DEPTH:
                    yield from self._walk(child, depth + 1)
                elif child.is_file() and child.suffix == FILE_SUFFIX:
                    yield real
            except OSError:
                continue

    def _entry(self, path: Path) -> Entry:
        st = path.stat()
        return Entry(path.relative_to(self.base).as_posix(), path, st.st_size, st.st_mtime)

    def find(self, replay_id: str) -> Entry | None:
        for e in self.entries():
            if e.id == replay_id:
                return e
        return None

    def listing(self) -> dict[str, Any]:
        items = []
        for e in self.entries():
            key = (e.path, e.size, e.mtime)
            if key not in self._summaries:  # headers are read once per file version
                self._summaries[key] = _summary(e.path, e.id)
            items.append({"id": e.id, "size": e.size, "mtime": e.mtime, **self._summaries[key]})
        return {
            "root": str(self.root),
            "kind": "file" if self.is_file else "directory",
            "replays": items,
        }


def _summary(path: Path, replay_id: str) -> dict[str, Any]:
    try:
        h = read_header(path)
    except ReplayError as exc:
        return {"error": str(exc).replace(str(path), replay_id)}
    outcome: dict[str, Any] = h["outcome"] if isinstance(h.get("outcome"), dict) else {}
    return {
        "summary": {
            "frames": h.get("frames"),
            "seconds": _seconds(h),
            "winner": outcome.get("winner"),
            "complete": outcome.get("complete"),
            "end_reason": outcome.get("end_reason"),
            "meta": h.get("meta") if isinstance(h.get("meta"), dict) else {},
        }
    }


def _seconds(header: dict[str, Any]) -> float | None:
    try:
        return round((int(header["frames"]) - 1) * float(header["timing"]["decision_seconds"]), 2)
    except (KeyError, TypeError, ValueError):
        return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(header: str) -> str:
    """The host part of a Host header ("127.0.0.1:8000", "[::1]:80", "localhost")."""
    m = re.fullmatch(r"\[([^\]]+)\](?::\d+)?|([^:]+)(?::\d+)?", header.strip())
    if not m:
        return ""
    return (m.group(1) or m.group(2) or "").lower()


class ReplayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, library: ReplayLibrary, host: str = "127.0.0.1", port: int = 0) -> None:
        self.library = library
        self.static = _static_files()
        self.loopback_only = _is_loopback(host)
        self.event_clients = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        page = (static_dir() / "index.html").read_text(encoding="utf-8")
        self.index_html = page.encode()
        # The page's import map is its one inline script; the CSP allows it by hash.
        m = re.search(r'<script type="importmap">(.*?)</script>', page, re.S)
        digest = hashlib.sha256((m.group(1) if m else "").encode()).digest()
        import base64

        self.csp = (
            "default-src 'self'; "
            f"script-src 'self' 'sha256-{base64.b64encode(digest).decode()}'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        )
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        raw, port = self.server_address[:2]
        host = raw.decode() if isinstance(raw, bytes) else str(raw)
        shown = f"[{host}]" if ":" in host else host
        if shown in ("0.0.0.0", "[::]"):
            shown = "127.0.0.1"
        return f"http://{shown}:{port}/"

    def shutdown(self) -> None:
        self.stopping.set()
        super().shutdown()


class _Handler(BaseHTTPRequestHandler):
    server: ReplayServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the CLI prints the URL
        return

    # -- responses ----------------------------------------------------------------------------
    def _send(
        self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", self.server.csp)
        self.send_header("Referrer-Policy", "no-referrer")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json")

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message, "status": status})

    # -- routing ------------------------------------------------------------------------------
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if self.server.loopback_only and not _is_loopback(_host_name(self.headers.get("Host", ""))):
            self._error(HTTPStatus.FORBIDDEN, "this viewer answers only to localhost")
            return
        url = urlsplit(self.path)
        route = url.path
        if route in ("/", "/index.html"):
            self._send(HTTPStatus.OK, self.server.index_html, _CONTENT_TYPES[".html"])
        elif route.startswith("/static/"):
            self._static(route[len("/static/") :])
        elif route == "/api/list":
            self._json(HTTPStatus.OK, self.server.library.listing())
        elif route == "/api/replay":
            self._replay(parse_qs(url.query).get("id", [""])[0])
        elif route == "/api/events":
            self._events()
        else:
            self._error(HTTPStatus.NOT_FOUND, f"no such page: {route}")

    def _method_not_allowed(self) -> None:
        self._error(HTTPStatus.METHOD_NOT_ALLOWED, "this server is read-only: GET only")

    do_POST = do_PUT = do_DELETE = do_PATCH = _method_not_allowed

    def _static(self, name: str) -> None:
        path = self.server.static.get(name)
        if path is None:
            self._error(HTTPStatus.NOT_FOUND, f"no such file: /static/{name}")
            return
        ctype = _CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        self._send(HTTPStatus.OK, path.read_bytes(), ctype)

    def _replay(self, replay_id: str) -> None:
        if not replay_id:
            self._error(HTTPStatus.BAD_REQUEST, "give a replay id: /api/replay?id=NAME")
            return
        entry = self.server.library.find(replay_id)
        if entry is None:
            self._error(
                HTTPStatus.FORBIDDEN,
                f"{replay_id!r} is not a replay under {self.server.library.root}",
            )
            return
        try:
            data = entry.path.read_bytes()
            Replay.from_bytes(data, entry.id)
        except ReplayError as exc:
            self._error(HTTPStatus.UNPROCESSABLE_ENTITY, str(exc))
            return
        except OSError as exc:
            self._error(HTTPStatus.NOT_FOUND, f"{entry.id}: cannot read ({exc.strerror or exc})")
            return
        self._send(HTTPStatus.OK, data, "application/octet-stream")

    def _events(self) -> None:
        """Server-sent events: "list" with the replay listing now and whenever it changes."""
        srv = self.server
        with srv.lock:
            if srv.event_clients >= MAX_EVENT_CLIENTS:
                self._error(HTTPStatus.SERVICE_UNAVAILABLE, "too many live viewers")
                return
            srv.event_clients += 1
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            last, quiet = "", 0.0
            while not srv.stopping.is_set():
                listing = json.dumps(srv.library.listing())
                if listing != last:
                    self.wfile.write(f"event: list\ndata: {listing}\n\n".encode())
                    self.wfile.flush()
                    last, quiet = listing, 0.0
                elif quiet >= KEEPALIVE_SECONDS:
                    self.wfile.write(f": keepalive {int(time.time())}\n\n".encode())
                    self.wfile.flush()
                    quiet = 0.0
                srv.stopping.wait(POLL_SECONDS)
                quiet += POLL_SECONDS
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with srv.lock:
                srv.event_clients -= 1
            self.close_connection = True


def serve(root: str | Path, host: str = "127.0.0.1", port: int = 0) -> ReplayServer:
    """A server for the replays under ``root`` (not yet serving: call ``serve_forever``)."""
    return ReplayServer(ReplayLibrary(root), host, port)
