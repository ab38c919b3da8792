"""League rules (promotion, retirement, periods) and the league store (atomic, locked,
content-addressed checkpoints)."""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import signal
import time
from pathlib import Path

import pytest

from echelon.arena.checkpoint_store import CheckpointHashMismatch, content_hash
from echelon.arena.glicko2 import Rating, rate
from echelon.arena.league import League, LeagueConfig, LeagueEntry, LeagueStore


def entry(
    entry_id: str,
    kind: str = "candidate",
    mu: float = 1500.0,
    rd: float = 350.0,
    games: int = 0,
    since: int | None = None,
    target: str | None = None,
) -> LeagueEntry:
    digest = hashlib.sha256(entry_id.encode()).hexdigest()
    return LeagueEntry(
        id=entry_id,
        kind=kind,
        checkpoint=f"checkpoints/{digest}/{entry_id}.safetensors",
        sha256=digest,
        rating=Rating(mu, rd),
        games=games,
        commander_since_games=since,
        target_id=target,
    )


# -- promotion ---------------------------------------------------------------------------


def test_first_qualified_candidate_starts_the_pool() -> None:
    league = League(LeagueConfig(promote_min_games=20))
    league.add(entry("new", games=19, mu=1900, rd=40))
    league.add(entry("ok", games=20, mu=1400, rd=300))
    assert league.promotion_bar() == float("-inf")
    assert league.promote() == ["ok"]
    assert league.get("ok").kind == "commander"
    assert league.get("ok").commander_since_games == 20
    assert league.get("new").kind == "candidate"  # too few games, however strong


def test_promotion_by_conservative_rating_against_weakest_commander() -> None:
    league = League(LeagueConfig(promote_min_games=10, conservative_k=2.0))
    league.add(entry("c1", "commander", mu=1600, rd=50, games=100))
    league.add(entry("c2", "commander", mu=1550, rd=50, games=100))
    league.add(entry("sure", mu=1700, rd=60, games=30))  # 1700 - 120 = 1580 >= 1550
    league.add(entry("unsure", mu=1700, rd=90, games=30))  # 1700 - 180 = 1520 < 1550
    league.add(entry("exact", mu=1650, rd=50, games=10))  # 1650 - 100 = 1550 == bar
    assert league.promotion_bar() == 1550
    assert sorted(league.promote()) == ["exact", "sure"]
    assert league.get("unsure").kind == "candidate"
    # With k = 1 the uncertain one qualifies: 1700 - 90 = 1610; bar is still 1550.
    relaxed = League(LeagueConfig(promote_min_games=10, conservative_k=1.0))
    relaxed.add(entry("c2", "commander", mu=1550, rd=50, games=100))
    relaxed.add(entry("unsure", mu=1700, rd=90, games=30))
    assert relaxed.promote() == ["unsure"]


def test_exploiters_are_never_promoted() -> None:
    league = League(LeagueConfig(promote_min_games=1))
    league.add(entry("c", "commander", mu=1500, rd=50, games=10))
    league.add(entry("x", "exploiter", mu=2000, rd=30, games=99, target="c"))
    assert league.promote() == []


# -- retirement --------------------------------------------------------------------------


def test_retire_lowest_conservative_down_to_pool_size() -> None:
    league = League(LeagueConfig(max_commanders=7, retire_min_games=0))
    for i in range(10):
        league.add(entry(f"cmd_{i}", "commander", mu=1500 - i * 50, rd=50, games=100, since=0))
    assert sorted(league.retire()) == ["cmd_7", "cmd_8", "cmd_9"]
    assert len(league.of_kind("commander")) == 7
    assert league.get("cmd_9").kind == "retired"
    assert league.retire() == []  # already at size


def test_new_commanders_are_protected() -> None:
    league = League(LeagueConfig(max_commanders=5, retire_min_games=20))
    # games played as commander: cmd_0..3 = 30, cmd_4 = 25, cmd_5 = 5 (new, lowest rated)
    for i, (games, since) in enumerate([(40, 10)] * 4 + [(45, 20), (105, 100)]):
        league.add(
            entry(f"cmd_{i}", "commander", mu=1500 - i * 100, rd=50, games=games, since=since)
        )
    assert league.retire() == ["cmd_4"]  # cmd_5 is worse, but protected
    league.config = LeagueConfig(max_commanders=1, retire_min_games=20)
    assert league.retire() == ["cmd_3", "cmd_2", "cmd_1", "cmd_0"]
    assert [e.id for e in league.of_kind("commander")] == ["cmd_5"]
    assert league.get("cmd_0").kind == "retired"


def test_retirement_ranks_by_conservative_not_mu() -> None:
    league = League(LeagueConfig(max_commanders=1, retire_min_games=0))
    league.add(entry("steady", "commander", mu=1600, rd=30, games=50, since=0))  # 1540
    league.add(entry("lucky", "commander", mu=1650, rd=80, games=50, since=0))  # 1490
    assert league.retire() == ["lucky"]


# -- rating periods ----------------------------------------------------------------------


def test_apply_period_updates_counts_history_and_idle_rd() -> None:
    league = League(LeagueConfig(max_rd=None))
    league.add(entry("a", mu=1500, rd=200, games=3))
    league.add(entry("b", "commander", mu=1400, rd=30, games=50))
    league.add(entry("idle", "commander", mu=1500, rd=100, games=50))
    league.add(entry("old", "retired", mu=1500, rd=100, games=50))
    before = {pid: e.rating for pid, e in league.entries.items()}
    league.apply_period([("a", "b", 1.0), ("b", "a", 0.5)])
    a = league.get("a")
    assert a.rating == rate(before["a"], [(before["b"], 1.0), (before["b"], 0.5)])
    assert (a.games, a.wins, a.draws, a.losses) == (5, 1, 1, 0)
    assert league.get("b").losses == 1 and league.get("b").draws == 1
    assert league.period == 1
    assert [(p.period, p.games) for p in a.history] == [(1, 5)]
    assert league.get("idle").rating == rate(before["idle"], [])
    assert league.get("idle").history == ()
    assert league.get("old").rating == before["old"]  # retired and idle: frozen
    with pytest.raises(KeyError, match="zz"):
        league.apply_period([("a", "zz", 1.0)])


def test_entry_validation() -> None:
    league = League()
    league.add(entry("c", "commander"))
    with pytest.raises(KeyError, match="nope"):
        league.add(entry("x", "exploiter", target="nope"))
    with pytest.raises(ValueError, match="needs a target_id"):
        league.add(entry("x", "exploiter"))
    with pytest.raises(ValueError, match="kind 'boss'"):
        league.add(entry("b", "boss"))
    with pytest.raises(ValueError, match="id 'bad id'"):
        league.add(entry("bad id"))
    with pytest.raises(ValueError, match="already has an entry"):
        league.add(entry("c"))
    league.add(entry("x", "exploiter", target="c"))
    assert league.get("x").target_id == "c"


# -- store -------------------------------------------------------------------------------


def make_ckpt(path: Path, payload: bytes) -> Path:
    path.write_bytes(payload)
    return path


def test_store_roundtrip_and_content_addressed_copies(tmp_path: Path) -> None:
    store = LeagueStore.create(tmp_path / "lg" / "league.json", LeagueConfig(max_commanders=3))
    src = make_ckpt(tmp_path / "policy.safetensors", b"weights-v1")
    first = store.add_checkpoint(src, kind="commander", entry_id="first")
    assert first.checkpoint == f"checkpoints/{first.sha256}/policy.safetensors"
    assert first.sha256 == content_hash(src)
    # The user overwrites the same file name with new weights: a new entry, old one intact.
    make_ckpt(src, b"weights-v2")
    second = store.add_checkpoint(src)
    assert second.id == f"policy-{second.sha256[:8]}"
    assert store.checkpoint_path("first").read_bytes() == b"weights-v1"
    assert store.checkpoint_path(second).read_bytes() == b"weights-v2"
    with pytest.raises(ValueError, match="already in the league as 'first'"):
        store.add_checkpoint(make_ckpt(tmp_path / "copy.bin", b"weights-v1"))
    loaded = store.load()
    assert loaded.config.max_commanders == 3
    assert list(loaded.entries) == ["first", second.id]
    assert loaded.get("first").commander_since_games == 0


def test_directory_checkpoint_hash(tmp_path: Path) -> None:
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "model.safetensors").write_bytes(b"w")
    (ckpt / "meta.json").write_text("{}")
    (ckpt / "trainer.safetensors").write_bytes(b"optimizer state")
    store = LeagueStore.create(tmp_path / "league.json")
    added = store.add_checkpoint(ckpt)
    stored = store.checkpoint_path(added)
    assert stored.is_dir() and (stored / "meta.json").read_text() == "{}"
    # only what playing needs is kept; the hash covers exactly the stored files
    assert sorted(p.name for p in stored.iterdir()) == ["meta.json", "model.safetensors"]
    assert content_hash(stored) == added.sha256
    other = tmp_path / "other"
    other.mkdir()
    (other / "weights.bin").write_bytes(b"x")
    assert [p.name for p in store.checkpoint_path(store.add_checkpoint(other)).iterdir()] == [
        "weights.bin"
    ]
    (ckpt / "meta.json").write_text('{"changed": 1}')
    assert content_hash(ckpt) != added.sha256  # any file edit changes the directory hash


def test_hash_mismatch_is_detected(tmp_path: Path) -> None:
    store = LeagueStore.create(tmp_path / "league.json")
    added = store.add_checkpoint(make_ckpt(tmp_path / "a.bin", b"good"), entry_id="a")
    stored = tmp_path / added.checkpoint
    stored.chmod(0o644)  # copies are read-only; a determined user can still overwrite
    stored.write_bytes(b"evil")
    with pytest.raises(CheckpointHashMismatch, match="was modified"):
        store.checkpoint_path("a")
    assert set(store.verify()) == {"a"}
    stored.unlink()
    assert "missing" in store.verify()["a"]


def test_create_refuses_to_overwrite_and_bad_files_are_named(tmp_path: Path) -> None:
    path = tmp_path / "league.json"
    LeagueStore.create(path)
    with pytest.raises(FileExistsError):
        LeagueStore.create(path)
    data = json.loads(path.read_text())
    data["schema_version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="schema_version 99"):
        LeagueStore(path).load()
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        LeagueStore(path).load()
    with pytest.raises(FileNotFoundError, match="arena init"):
        LeagueStore(tmp_path / "missing.json").load()
    with pytest.raises(ValueError, match="max_commanders"):
        LeagueConfig(max_commanders=0)


def test_failed_replace_leaves_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "league.json"
    store = LeagueStore.create(path)
    store.add_checkpoint(make_ckpt(tmp_path / "a.bin", b"a"), entry_id="a")
    before = path.read_bytes()

    def crash(*_args: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk on fire"):
        store.add_checkpoint(make_ckpt(tmp_path / "b.bin", b"b"), entry_id="b")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert list(store.load().entries) == ["a"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# -- processes ---------------------------------------------------------------------------


def _writer(path: str, worker: int, rounds: int, src_dir: str) -> None:
    store = LeagueStore(path)
    for i in range(rounds):
        src = Path(src_dir) / f"w{worker}_{i}.bin"
        src.write_bytes(f"{worker}-{i}".encode())
        store.add_checkpoint(src, entry_id=f"w{worker}-{i}")
        if i > 0:
            store.record_results([(f"w{worker}-{i}", f"w{worker}-{i - 1}", 1.0)])


def _reader(path: str, stop_at: float, out: mp.Queue) -> None:  # type: ignore[type-arg]
    reads = 0
    while time.monotonic() < stop_at:
        # No lock on purpose: os.replace must make every read see a whole file.
        data = json.loads(Path(path).read_text())
        assert data["format"] == "echelon-league"
        reads += 1
    out.put(reads)


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "league.json"
    LeagueStore.create(path)
    ctx = mp.get_context("fork")
    workers, rounds = 4, 8
    queue: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    reader = ctx.Process(target=_reader, args=(str(path), time.monotonic() + 4.0, queue))
    reader.start()
    procs = [
        ctx.Process(target=_writer, args=(str(path), w, rounds, str(tmp_path)))
        for w in range(workers)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    reader.join(60)
    assert reader.exitcode == 0 and queue.get(timeout=5) > 0
    league = LeagueStore(path).load()
    assert len(league.entries) == workers * rounds
    assert league.period == workers * (rounds - 1)
    assert sum(e.games for e in league.entries.values()) == 2 * workers * (rounds - 1)
    for w in range(workers):
        # each newer snapshot beat the previous one: wins recorded in every period
        assert league.get(f"w{w}-{rounds - 1}").wins == 1


def _endless_writer(path: str, src_dir: str, prefix: str) -> None:
    store = LeagueStore(path)
    i = 0
    while True:
        src = Path(src_dir) / f"{prefix}{i}.bin"
        src.write_bytes(f"{prefix}-{i}".encode() * 1000)
        store.add_checkpoint(src, entry_id=f"{prefix}-{i}")
        i += 1


def test_killed_writer_leaves_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "league.json"
    LeagueStore.create(path)
    ctx = mp.get_context("fork")
    for attempt in range(3):
        prefix = f"k{attempt}"
        proc = ctx.Process(target=_endless_writer, args=(str(path), str(tmp_path), prefix))
        proc.start()
        time.sleep(0.3 + 0.17 * attempt)
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(10)
        league = LeagueStore(path, lock_timeout=5).load()  # the lock died with the process
        ids = [i for i in league.entries if i.startswith(prefix)]
        assert len(ids) > 0, "the writer never got an entry in; the test proves nothing"
        # entries are added one transaction at a time: a prefix of the sequence, no gaps
        assert ids == [f"{prefix}-{i}" for i in range(len(ids))]
        assert LeagueStore(path).verify() == {}
