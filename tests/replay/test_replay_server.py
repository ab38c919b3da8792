"""The viewer's server: localhost by default, only the given path's replays, clear 4xx answers."""

from __future__ import annotations

import http.client
import json
import os
import socket
import time
from pathlib import Path

import pytest
import torch
from browser_harness import replay_server

from echelon import EnvConfig, VecEnv
from echelon.cli import build_parser
from echelon.replay.server import ReplayLibrary


@pytest.fixture(scope="module")
def replay_file(tmp_path_factory) -> Path:
    cfg = EnvConfig(
        map_size=(32, 32, 10), blue="heuristic:2", red="heuristic:2", max_episode_seconds=3.0
    )
    env = VecEnv(cfg, num_worlds=1, seed=3, num_threads=1)
    folder = tmp_path_factory.mktemp("src")
    env.record(worlds=0, episodes=1, directory=folder, name="match")
    env.reset()
    actions = torch.zeros(1, env.num_agents, env.action_dim)
    for _ in range(14):
        env.step(actions)
    (path,) = env.replay_files
    return path


@pytest.fixture()
def run_dir(tmp_path, replay_file) -> Path:
    """A run directory: replays/ with a good file, a truncated one, a write in progress."""
    (tmp_path / "replays").mkdir()
    data = replay_file.read_bytes()
    (tmp_path / "replays" / "eval_update_000001.echrep").write_bytes(data)
    (tmp_path / "replays" / "broken.echrep").write_bytes(data[: len(data) // 2])
    (tmp_path / "replays" / ".eval_update_000002.echrep.x.tmp").write_bytes(data)
    (tmp_path / "metrics.jsonl").write_text("{}\n")
    return tmp_path


def _get(server, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    h, port = server.server_address[:2]
    conn = http.client.HTTPConnection(h, port, timeout=10)
    headers = {"Host": host} if host else {}
    conn.request("GET", path, headers=headers)
    res = conn.getresponse()
    body = res.read()
    conn.close()
    return res.status, {k.lower(): v for k, v in res.getheaders()}, body


def test_binds_to_localhost_by_default(run_dir):
    args = build_parser().parse_args(["replay", "view", str(run_dir)])
    assert args.host == "127.0.0.1"
    with replay_server(run_dir) as srv:
        assert srv.server_address[0] == "127.0.0.1"
        assert srv.url.startswith("http://127.0.0.1:")


def test_lists_the_run_directory_and_serves_good_replays(run_dir, replay_file):
    with replay_server(run_dir) as srv:
        status, headers, body = _get(srv, "/api/list")
        assert status == 200
        listing = json.loads(body)
        ids = [r["id"] for r in listing["replays"]]
        assert sorted(ids) == ["replays/broken.echrep", "replays/eval_update_000001.echrep"]
        good = next(r for r in listing["replays"] if r["id"].endswith("000001.echrep"))
        assert good["summary"]["complete"] is True
        broken = next(r for r in listing["replays"] if r["id"].endswith("broken.echrep"))
        assert "truncated" in broken["error"]
        status, headers, body = _get(srv, "/api/replay?id=replays/eval_update_000001.echrep")
        assert status == 200 and body == replay_file.read_bytes()
        assert headers["content-type"] == "application/octet-stream"
        status, headers, body = _get(srv, "/")
        assert status == 200 and b"importmap" in body
        assert "script-src 'self' 'sha256-" in headers["content-security-policy"]
        status, headers, _ = _get(srv, "/static/three/three.module.js")
        assert status == 200 and headers["content-type"].startswith("text/javascript")


def test_answers_a_bad_file_with_422_and_the_reason(run_dir):
    with replay_server(run_dir) as srv:
        status, _, body = _get(srv, "/api/replay?id=replays/broken.echrep")
        assert status == 422
        err = json.loads(body)["error"]
        assert "truncated" in err and "broken.echrep" in err


@pytest.mark.parametrize(
    "path",
    [
        "/api/replay?id=../../etc/passwd",
        "/api/replay?id=/etc/passwd",
        "/api/replay?id=replays/../../outside.echrep",
        "/api/replay?id=replays/.eval_update_000002.echrep.x.tmp",
        "/api/replay?id=metrics.jsonl",
        "/api/replay?id=outside_link.echrep",
    ],
)
def test_refuses_paths_outside_what_it_was_given(run_dir, replay_file, path):
    (run_dir.parent / "outside.echrep").write_bytes(replay_file.read_bytes())
    os.symlink(run_dir.parent / "outside.echrep", run_dir / "outside_link.echrep")
    with replay_server(run_dir) as srv:
        status, _, body = _get(srv, path)
        assert status == 403, body
        assert "is not a replay under" in json.loads(body)["error"]
        ids = [r["id"] for r in json.loads(_get(srv, "/api/list")[2])["replays"]]
        assert "outside_link.echrep" not in ids


def test_other_requests_get_clear_4xx(run_dir):
    with replay_server(run_dir) as srv:
        assert _get(srv, "/static/../server.py")[0] == 404
        assert _get(srv, "/static/nope.js")[0] == 404
        assert _get(srv, "/api/replay")[0] == 400
        status, _, body = _get(srv, "/", host="attacker.example:80")
        assert status == 403 and b"only to localhost" in body
        h, port = srv.server_address[:2]
        conn = http.client.HTTPConnection(h, port, timeout=10)
        conn.request("POST", "/api/list", body=b"{}")
        assert conn.getresponse().status == 405
        conn.close()


def test_a_single_file_is_served_alone(replay_file, tmp_path):
    other = tmp_path / "other.echrep"
    other.write_bytes(replay_file.read_bytes())
    with replay_server(replay_file) as srv:
        listing = json.loads(_get(srv, "/api/list")[2])
        assert [r["id"] for r in listing["replays"]] == [replay_file.name]
        assert _get(srv, f"/api/replay?id={replay_file.name}")[0] == 200
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(ValueError, match="not a replay file"):
        ReplayLibrary(tmp_path / "x.txt")
    with pytest.raises(FileNotFoundError):
        ReplayLibrary(tmp_path / "missing")


def test_live_list_announces_new_replays(run_dir, replay_file):
    with replay_server(run_dir) as srv:
        h, port = srv.server_address[:2]
        sock = socket.create_connection((h, port), timeout=10)
        sock.sendall(f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        buf = b""
        deadline = time.time() + 10
        while buf.count(b"event: list") < 1 and time.time() < deadline:
            buf += sock.recv(65536)
        (run_dir / "replays" / "eval_update_000003.echrep").write_bytes(replay_file.read_bytes())
        while buf.count(b"event: list") < 2 and time.time() < deadline:
            buf += sock.recv(65536)
        sock.close()
        assert buf.startswith(b"HTTP/1.1 200") and b"text/event-stream" in buf
        assert buf.count(b"event: list") == 2
        assert b"eval_update_000003.echrep" in buf.split(b"event: list")[-1]
