"""Corrupted league files (docs/security.md, 2): every field is checked when read; nothing is
dropped or kept silently; one bad entry does not stop the read-only commands; results that were
played are never lost to a league that cannot take them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from echelon.arena.cli import _record_or_keep
from echelon.arena.league import LeagueStore
from echelon.cli import main as cli_main


def _entry(entry_id: str, **over: Any) -> dict[str, Any]:
    sha = hashlib.sha256(entry_id.encode()).hexdigest()
    data: dict[str, Any] = {
        "id": entry_id,
        "kind": "candidate",
        "checkpoint": f"checkpoints/{sha}/{entry_id}",
        "sha256": sha,
        "rating": {"mu": 1500.0, "rd": 350.0, "vol": 0.06},
        "games": 0,
        "wins": 0,
        "draws": 0,
        "losses": 0,
    }
    data.update(over)
    return data


def _write(tmp_path: Path, rows: list[dict[str, Any]], **top: Any) -> LeagueStore:
    store = LeagueStore.create(tmp_path / "league.json")
    data = json.loads(store.path.read_text())
    data["entries"] = rows
    data.update(top)
    store.path.write_text(json.dumps(data))
    return store


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_entry("a", games=-3), "game counts must be integers >= 0"),
        (_entry("a", games=2, wins=5), "exceed games"),
        (_entry("a", games="10"), "field 'games' must be int"),
        (_entry("a", games=True), "field 'games' must be int"),
        (_entry("a", nickname="x"), r"unknown field\(s\) \['nickname'\]"),
        (_entry("a", rating={"mu": 1500, "rd": 350, "vol": 0.06, "k": 1}), "rating has unknown"),
        (_entry("a", rating={"mu": "high", "rd": 350, "vol": 0.06}), "rating.mu must be a number"),
        (_entry("a", meta=[1, 2]), "field 'meta' must be dict"),
        (_entry("a", history=[{"period": 1}]), "a history point must have exactly"),
        (_entry("a", checkpoint="../../../etc/passwd"), "is not checkpoints/<its sha256>/<name>"),
        (_entry("a", checkpoint="/etc/passwd"), "is not checkpoints/"),
        (_entry("a", commander_since_games=5), "commander_since_games"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_field(
    tmp_path: Path, entry: dict[str, Any], message: str
) -> None:
    store = _write(tmp_path, [entry])
    with pytest.raises(ValueError, match=message):
        store.load()
    with pytest.raises(ValueError, match=message):  # a change never saves over it
        store.promote()


@pytest.mark.parametrize(
    ("top", "message"),
    [
        ({"notes": "kept?"}, r"unknown top-level field\(s\) \['notes'\]"),
        ({"period": -1}, "period must be an integer >= 0"),
        ({"period": 2.5}, "period must be an integer >= 0"),
        ({"env_signature": [1]}, "env_signature must be an object"),
        ({"entries": {"a": 1}}, "entries must be a list"),
    ],
)
def test_a_bad_league_file_is_refused(tmp_path: Path, top: dict[str, Any], message: str) -> None:
    store = _write(tmp_path, [], **top)
    with pytest.raises(ValueError, match=message):
        store.load()


def test_non_finite_numbers_are_refused(tmp_path: Path) -> None:
    store = _write(tmp_path, [_entry("a")])
    store.path.write_text(store.path.read_text().replace('"mu": 1500.0', '"mu": NaN'))
    with pytest.raises(ValueError, match="NaN"):
        store.load()


def test_one_bad_entry_does_not_stop_verify_or_ladder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _write(tmp_path, [_entry("good"), _entry("bad", games=-1), _entry("gone")])
    problems = store.verify()
    assert "game counts" in problems["bad"] and "missing" in problems["good"]
    assert set(problems) == {"good", "bad", "gone"}  # every entry was looked at
    assert cli_main(["arena", "ladder", str(store.path)]) == 0
    out = capsys.readouterr()
    assert "good" in out.out and "gone" in out.out
    assert "invalid entry bad" in out.err
    assert cli_main(["arena", "verify", str(store.path)]) == 1
    assert "bad: invalid entry" in capsys.readouterr().out


def test_play_keeps_results_the_league_cannot_take(tmp_path: Path) -> None:
    """The league changed under a running play (here: an entry removed). The played results are
    written beside it and `arena record` applies them once the league is fixed."""
    store = _write(tmp_path, [_entry("a"), _entry("b")])
    results = [("a", "b", 1.0), ("b", "a", 0.5)]
    saved = store.path.read_text()
    _write(tmp_path / "other", [])  # a league without the entries...
    store.path.write_text((tmp_path / "other" / "league.json").read_text())  # ...replaces it
    with pytest.raises(ValueError, match="saved in") as err:
        _record_or_keep(store, results)
    pending = Path(str(err.value).split("saved in ")[1].split(":")[0])
    assert json.loads(pending.read_text()) == [list(r) for r in results]
    store.path.write_text(saved)  # the league is fixed
    assert cli_main(["arena", "record", str(store.path), str(pending)]) == 0
    league = store.load()
    assert league.period == 1 and league.get("a").wins == 1 and league.get("a").draws == 1


def test_remove_deletes_nothing_through_a_link(tmp_path: Path) -> None:
    """A league whose checkpoints/ folder (or a hash folder) is a link to elsewhere: removing an
    entry deletes nothing there."""
    from echelon.arena.checkpoint_store import remove_stored_checkpoint

    outside = tmp_path / "outside"
    sha = hashlib.sha256(b"x").hexdigest()
    (outside / sha).mkdir(parents=True)
    (outside / sha / "policy").write_text("not the league's")
    league = tmp_path / "league"
    league.mkdir()
    (league / "checkpoints").symlink_to(outside)
    remove_stored_checkpoint(league, f"checkpoints/{sha}/policy")
    (league / "checkpoints").unlink()
    (league / "checkpoints").mkdir()
    (league / "checkpoints" / sha).symlink_to(outside / sha)
    remove_stored_checkpoint(league, f"checkpoints/{sha}/policy")
    remove_stored_checkpoint(league, "checkpoints")  # not checkpoints/<sha256>/<name>
    assert (outside / sha / "policy").read_text() == "not the league's"
    assert (league / "checkpoints" / sha).is_symlink()
