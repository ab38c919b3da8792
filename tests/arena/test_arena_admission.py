"""Only loadable policies for the league's env enter a league; verify finds the ones that cannot
play; play skips them and says so; remove deletes an entry and its stored copy; league files and
stored checkpoints follow the umask."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from echelon.arena.league import LeagueStore
from echelon.cli import main
from policy_files import save_tiny_policy

ENV = ["--env", "map_size=[32,32,8]", "--env", "max_episode_seconds=3.0"]


@pytest.fixture
def league(tmp_path: Path) -> Path:
    path = tmp_path / "league.json"
    assert main(["arena", "init", str(path), *ENV]) == 0
    for seed, name in enumerate(("a", "b")):
        ckpt = save_tiny_policy(tmp_path / name, seed)
        assert (
            main(["arena", "add", str(path), str(ckpt), "--kind", "commander", "--id", name]) == 0
        )
    return path


def _junk_entry(league: Path, tmp_path: Path) -> None:
    """A text file that got in through the library API (an older echelon accepted it)."""
    junk = tmp_path / "junk.safetensors"
    junk.write_text("not a checkpoint")
    LeagueStore(league).add_checkpoint(junk, kind="commander", entry_id="junk")


def test_add_accepts_a_run_folder_and_a_file_inside_a_checkpoint(
    league: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    save_tiny_policy(run / "best", seed=7)
    save_tiny_policy(run / "checkpoints" / "update_000010", seed=8)
    assert main(["arena", "add", str(league), str(run), "--id", "from-run"]) == 0
    assert f"from {run / 'best'}" in capsys.readouterr().out
    inner = run / "checkpoints" / "update_000010" / "meta.json"
    assert main(["arena", "add", str(league), str(inner), "--id", "from-file"]) == 0
    entries = LeagueStore(league).load().entries
    assert entries["from-file"].meta["source"] == str(inner.parent.resolve())


def test_verify_fails_an_entry_that_cannot_play_and_play_skips_it(
    league: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _junk_entry(league, tmp_path)
    capsys.readouterr()
    assert main(["arena", "verify", str(league)]) == 1
    out = capsys.readouterr().out
    assert "junk: " in out and "1 of 3 entries cannot play" in out
    assert "a: " not in out and "b: " not in out
    argv = ["arena", "play", str(league), "--matches", "6", "--worlds", "3", "--threads", "1"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "[arena] skipping junk: " in captured.err
    assert "skipped (checkpoint failed to load): junk" in captured.out
    entries = LeagueStore(league).load().entries
    assert entries["a"].games + entries["b"].games == 12 and entries["junk"].games == 0


def test_remove_deletes_the_entry_and_its_stored_copy(
    league: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = LeagueStore(league)
    stored = league.parent / store.load().get("a").checkpoint
    assert stored.is_dir()
    assert (
        main(
            [
                "arena",
                "add",
                str(league),
                str(save_tiny_policy(tmp_path / "x", 5)),
                "--kind",
                "exploiter",
                "--target",
                "a",
                "--id",
                "x",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["arena", "remove", str(league), "a"]) == 2  # x still targets a
    assert "exploiter(s) ['x'] target it" in capsys.readouterr().err
    assert main(["arena", "remove", str(league), "x"]) == 0
    assert main(["arena", "remove", str(league), "a"]) == 0
    assert sorted(store.load().entries) == ["b"]
    assert not stored.exists() and not stored.parent.exists()
    assert main(["arena", "verify", str(league)]) == 0


def test_league_and_stored_checkpoints_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "lg" / "league.json"
        assert main(["arena", "init", str(path)]) == 0
        assert main(["arena", "add", str(path), str(save_tiny_policy(tmp_path / "a", 1))]) == 0
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
    entry = next(iter(LeagueStore(path).load().entries.values()))
    stored = path.parent / entry.checkpoint
    assert stored.parent.stat().st_mode & 0o777 == 0o755  # checkpoints/<sha256>
    assert (stored / "meta.json").stat().st_mode & 0o777 == 0o444  # stored copies: read-only
    assert json.loads((stored / "meta.json").read_text())["model_spec"]
