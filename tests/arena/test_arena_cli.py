"""The arena subcommands (except play) through the ``echelon`` command's entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from echelon.arena.league import LeagueStore
from echelon.cli import main
from policy_files import save_tiny_policy


def run(argv: list[str]) -> int:
    return main(argv)


@pytest.fixture
def league(tmp_path: Path) -> Path:
    path = tmp_path / "lg" / "league.json"
    assert (
        run(
            [
                "arena",
                "init",
                str(path),
                "--max-commanders",
                "2",
                "--promote-min-games",
                "2",
                "--retire-min-games",
                "0",
                "--k",
                "1.5",
            ]
        )
        == 0
    )
    for seed, name in enumerate(("a", "b", "c")):
        ckpt = save_tiny_policy(tmp_path / name, seed)
        kind = "commander" if name != "c" else "candidate"
        assert run(["arena", "add", str(path), str(ckpt), "--kind", kind, "--id", name]) == 0
    return path


def test_init_writes_config(league: Path) -> None:
    data = json.loads(league.read_text())
    assert data["config"]["max_commanders"] == 2
    assert data["config"]["conservative_k"] == 1.5
    assert data["env_signature"] is None


def test_init_refuses_existing(league: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["arena", "init", str(league)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_add_exploiter_and_errors(
    league: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ckpt = save_tiny_policy(tmp_path / "x", seed=9)
    assert (
        run(["arena", "add", str(league), str(ckpt), "--kind", "exploiter", "--target", "a"]) == 0
    )
    entry = next(e for e in LeagueStore(league).load().entries.values() if e.kind == "exploiter")
    assert entry.target_id == "a" and entry.id.startswith("x-")
    capsys.readouterr()
    assert run(["arena", "add", str(league), str(ckpt), "--id", "again"]) == 2
    assert "already in the league" in capsys.readouterr().err
    assert run(["arena", "add", str(league), str(tmp_path / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_list_and_json(league: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run(["arena", "list", str(league)]) == 0
    out = capsys.readouterr().out
    assert "3 entries" in out and all(f"\n{i} " in out for i in "abc")
    assert run(["arena", "list", str(league), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["checkpoint"] == "ok" and rows[2]["kind"] == "candidate"


def test_ladder_is_sorted_by_conservative_rating(
    league: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = LeagueStore(league)
    store.record_results([("c", "a", 1.0), ("c", "b", 1.0), ("b", "a", 1.0)] * 3)
    capsys.readouterr()
    assert run(["arena", "ladder", str(league)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "mu - 1.5*rd" in lines[0]
    order = [line.split()[1] for line in lines[2:]]
    assert order == ["c", "b", "a"]
    rows = {e.id: e for e in store.load().entries.values()}
    assert rows["c"].conservative(1.5) > rows["b"].conservative(1.5) > rows["a"].conservative(1.5)


def test_promote_then_retire(league: Path, capsys: pytest.CaptureFixture[str]) -> None:
    LeagueStore(league).record_results([("c", "a", 1.0), ("c", "b", 1.0), ("b", "a", 1.0)] * 6)
    capsys.readouterr()
    assert run(["arena", "promote", str(league)]) == 0
    assert capsys.readouterr().out.strip() == "promoted: c"
    # 3 commanders, pool of 2: the weakest (a, lost every game) goes.
    assert run(["arena", "retire", str(league)]) == 0
    assert capsys.readouterr().out.strip() == "retired: a"
    assert run(["arena", "retire", str(league), "--id", "b"]) == 0
    kinds = {e.id: e.kind for e in LeagueStore(league).load().entries.values()}
    assert kinds == {"a": "retired", "b": "retired", "c": "commander"}
    assert run(["arena", "promote", str(league)]) == 0
    assert capsys.readouterr().out.strip().endswith("promoted: none")


def test_verify_detects_tampering(league: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["arena", "verify", str(league)]) == 0
    entry = LeagueStore(league).load().get("b")
    stored = league.parent / entry.checkpoint / "model.safetensors"
    stored.chmod(0o644)
    stored.write_bytes(b"tampered")
    capsys.readouterr()
    assert run(["arena", "verify", str(league)]) == 1
    assert capsys.readouterr().out.startswith("b: ")
    assert run(["arena", "list", str(league), "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["b"]["checkpoint"] == "MODIFIED/MISSING" and rows["a"]["checkpoint"] == "ok"


def test_plot_writes_png(league: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plots" / "ratings.png"
    assert run(["arena", "plot", str(league), str(out)]) == 2  # no folder: not created for you
    assert "does not exist" in capsys.readouterr().err and not out.parent.exists()
    out.parent.mkdir()
    assert run(["arena", "plot", str(league), str(out)]) == 2  # no history yet
    assert "nothing to plot" in capsys.readouterr().err
    store = LeagueStore(league)
    for _ in range(3):
        store.record_results([("c", "a", 1.0), ("b", "a", 0.5)])
    assert run(["arena", "plot", str(league), str(out), "--id", "a", "--id", "c"]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 5_000


def test_missing_league_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["arena", "list", str(tmp_path / "none.json")]) == 2
    assert "arena init" in capsys.readouterr().err
