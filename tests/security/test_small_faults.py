"""The smaller faults (docs/security.md, 1, 5, 6): kills during checkpoint deletion and writing,
duplicate metric records after a resume, --resume before the first checkpoint, and a thread
that cannot start in the BatchSim constructor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile import kill_when_printed, run_python, tiny_checkpoint

from echelon.cli import main as cli_main
from echelon.train.checkpoint import (
    CheckpointError,
    load_policy,
    remove_checkpoint_dir,
    write_checkpoint_dir,
)
from echelon.train.run_logger import RunLogger

HANG = """
import time
from echelon.train import checkpoint as c
def hang(*args, **kwargs):
    print("{line}", flush=True)
    time.sleep(600)
"""


def test_a_kill_while_pruning_leaves_no_half_checkpoint(tmp_path: Path) -> None:
    folder = tmp_path / "checkpoints"
    old = tiny_checkpoint(folder / "update_000001")
    code = HANG.format(line="deleting") + (
        f"c.shutil.rmtree = hang\nc.remove_checkpoint_dir({str(old)!r})\n"
    )
    kill_when_printed(code, "deleting", timeout=120)  # killed in the middle of the delete
    assert not old.exists()  # gone under its name at once: eval can never find half of it
    leftovers = [p for p in folder.iterdir() if ".trash-" in p.name]
    assert len(leftovers) == 1 and leftovers[0].name.startswith(".")
    tiny_checkpoint(folder / "update_000002")  # the next write removes the dead writer's trash
    assert sorted(p.name for p in folder.iterdir()) == ["update_000002"]


def test_a_kill_while_writing_leaves_a_temp_folder_that_the_next_write_removes(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "checkpoints"
    code = HANG.format(line="writing") + (
        "c.save_file = hang\n"
        f"c.write_checkpoint_dir({str(folder / 'update_000003')!r}, {{}}, {{}}, {{}})\n"
    )
    kill_when_printed(code, "writing", timeout=120)
    orphans = [p.name for p in folder.iterdir()]
    assert len(orphans) == 1 and orphans[0].startswith(".update_000003.tmp-"), orphans
    write_checkpoint_dir(folder / "update_000004", {}, {}, {})
    assert [p.name for p in folder.iterdir()] == ["update_000004"]


def test_a_live_writers_temp_folder_is_kept(tmp_path: Path) -> None:
    (tmp_path / ".best.tmp-1-abc").mkdir()  # pid 1 (init) is alive: a write in progress
    write_checkpoint_dir(tmp_path / "update_000001", {}, {}, {})
    assert (tmp_path / ".best.tmp-1-abc").is_dir()


def test_an_incomplete_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    ckpt = tiny_checkpoint(tmp_path / "c")
    (ckpt / "model.safetensors").unlink()
    with pytest.raises(CheckpointError, match=r"incomplete: model\.safetensors is missing"):
        load_policy(ckpt)
    remove_checkpoint_dir(ckpt)
    assert list(tmp_path.iterdir()) == []


def test_a_resumed_run_logs_each_update_once(tmp_path: Path) -> None:
    """A run killed at update 5 after its checkpoint at 3 resumes from 3: the records of 4 and 5
    move to metrics.superseded.jsonl (nothing lost), so metrics.jsonl has each update once."""
    first = RunLogger(tmp_path, tensorboard=False, console=False)
    first.record("start", update=0)
    for u in range(1, 6):
        first.record("update", update=float(u))
    first.record("checkpoint", update=3, path="x")
    first._jsonl.write('{"kind": "update", "upd')  # type: ignore[union-attr]  # torn by the kill
    first.close()
    resumed = RunLogger(tmp_path, tensorboard=False, console=False)
    assert resumed.rewind(3) == 3
    for u in range(4, 7):
        resumed.record("update", update=float(u))
    resumed.close()
    rows = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["update"] for r in rows if r["kind"] == "update"] == [1, 2, 3, 4, 5, 6]
    moved = (tmp_path / "metrics.superseded.jsonl").read_text().splitlines()
    assert len(moved) == 3 and json.loads(moved[0])["update"] == 4


def test_resume_before_the_first_checkpoint_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    assert cli_main(["train", "--resume", str(run)]) == 2
    err = capsys.readouterr().err
    assert "has no checkpoint yet" in err and "without --resume" in err
    assert len(err.strip().splitlines()) == 1
    assert cli_main(["train", "--resume", str(tmp_path / "nothing")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_a_thread_that_cannot_start_is_an_error_not_a_hang() -> None:
    """Address space capped so that the worker threads' stacks cannot all be mapped."""
    code = """
import resource
from echelon import EnvConfig, VecEnv
size = int(next(l for l in open("/proc/self/status") if l.startswith("VmSize")).split()[1])
resource.setrlimit(resource.RLIMIT_AS, (size * 1024 + (200 << 20), resource.RLIM_INFINITY))
try:
    VecEnv(EnvConfig(map_size=(32, 32, 8), map_type="empty"), num_worlds=64, num_threads=64)
    print("started all threads")
except RuntimeError as e:
    print("error:", e)
"""
    out = run_python(code, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "error: could not start worker thread" in out.stdout, out.stdout
