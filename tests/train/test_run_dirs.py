"""Run folders: runs never overwrite each other, --resume writes where it is pointed, nothing is
written before the config is valid, Ctrl-C saves a checkpoint. Driven through the ``echelon``
entry point with the toy zone-walk env (a few updates of 256 agent-steps each)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from echelon.cli import main
from echelon.train.run_dir import checkpoints

PER_UPDATE = 4 * 2 * 32  # worlds x blue agents x rollout steps
# A checkpoint never chooses code (docs/security.md): resuming or evaluating a run of the toy env
# names its factory again.
FACTORY = ["--env-factory", "_train_toy_envs:make_zone_walk"]
TOY = [
    "--preset",
    "smoke",
    *FACTORY,
    "--device",
    "cpu",
    "--opponent",
    "self",
    "--num-worlds",
    "4",
    "--set",
    "eval_every=1",
    "--set",
    "save_every=1",
    "--set",
    "eval_episodes=4",
    "--set",
    "eval_worlds=4",
    "--set",
    "heatmap_every=0",
]


def train(*args: str) -> int:
    try:
        return main(["train", *TOY, *args])
    except SystemExit as exc:
        return int(exc.code or 0)


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def updates(run: Path) -> list[int]:
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return [r["update"] for r in rows if r["kind"] == "update"]


def test_two_runs_in_the_default_folder_keep_both_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert train("--total-steps", str(2 * PER_UPDATE), "--seed", "1") == 0
    first = capsys.readouterr().out
    assert train("--total-steps", str(2 * PER_UPDATE), "--seed", "2") == 0
    second = capsys.readouterr().out
    runs = sorted((tmp_path / "runs").iterdir())
    assert len(runs) == 2 and all(r.name.startswith("train-") for r in runs)
    for run in runs:
        assert [c.name for c in checkpoints(run)] == ["update_000001", "update_000002"]
        assert (run / "best" / "meta.json").is_file()
        assert json.loads((run / "config.json").read_text())["run_dir"] == str(
            run.relative_to(tmp_path)
        )
    a, b = (r / "checkpoints" / "update_000002" / "model.safetensors" for r in runs)
    assert a.read_bytes() != b.read_bytes()  # two seeds, two models, both kept
    # The banner and the summary name the folder, the best checkpoint and the next command.
    for out, run in ((first, runs[0]), (second, runs[1])):
        rel = run.relative_to(tmp_path)
        assert f"run dir   {rel} (new run)" in out and "device    cpu" in out
        assert "worlds    4 x 2 learning agents = 8 per step" in out
        assert "preset    smoke" in out and f"total     {2 * PER_UPDATE:,} learner" in out
        assert f"best      {rel / 'best'} (update " in out
        assert f"next      echelon eval {rel / 'best'} --matches 64 {' '.join(FACTORY)}" in out


def test_a_folder_holding_a_run_is_refused_untouched_or_replaced_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    assert train("--run-dir", str(run), "--total-steps", str(2 * PER_UPDATE)) == 0
    before = tree(run)
    capsys.readouterr()
    assert train("--run-dir", str(run), "--total-steps", str(PER_UPDATE)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already holds a run (checkpoints/update_000002)" in err[0]
    assert "--resume" in err[0] and "--force" in err[0]
    assert tree(run) == before
    assert train("--run-dir", str(run), "--total-steps", str(PER_UPDATE), "--force") == 0
    assert [c.name for c in checkpoints(run)] == ["update_000001"]
    assert updates(run) == [1]  # the old run's metrics went with it


def test_a_failed_start_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "new" / "run"
    assert train("--run-dir", str(run), "--set", "ppo.lr=fast") == 2
    assert not (tmp_path / "new").exists()
    existing = tmp_path / "existing"
    assert train("--run-dir", str(existing), "--total-steps", str(PER_UPDATE)) == 0
    before = tree(existing)
    # A bad flag while resuming: the run is left exactly as it was (config.json included).
    assert train("--resume", str(existing), "--set", "ppo.lr=fast") == 2
    assert tree(existing) == before
    assert "ppo.lr must be a finite number" in capsys.readouterr().err


def test_resume_of_a_copied_run_writes_only_into_the_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = tmp_path / "original"
    assert train("--run-dir", str(original), "--total-steps", str(2 * PER_UPDATE)) == 0
    copy = tmp_path / "elsewhere" / "copy"
    shutil.copytree(original, copy)
    before = tree(original)
    monkeypatch.chdir(tmp_path / "elsewhere")  # another working folder, a relative path
    assert main(["train", "--resume", "copy", *FACTORY, "--total-steps", str(4 * PER_UPDATE)]) == 0
    assert tree(original) == before
    assert updates(copy) == [1, 2, 3, 4]
    assert [c.name for c in checkpoints(copy)][-1] == "update_000004"
    assert json.loads((copy / "config.json").read_text())["run_dir"] == "copy"
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == ["copy"]


def test_resume_from_an_older_checkpoint_needs_force_and_rotation_keeps_the_new_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    args = ["--run-dir", str(run), "--set", "keep_checkpoints=2"]
    assert train(*args, "--total-steps", str(3 * PER_UPDATE)) == 0
    assert [c.name for c in checkpoints(run)] == ["update_000002", "update_000003"]
    old = run / "checkpoints" / "update_000002"
    capsys.readouterr()
    resume = ["train", "--resume", str(old), *FACTORY, "--total-steps", str(4 * PER_UPDATE)]
    assert main(resume) == 2
    assert "has checkpoints after update_000002 (latest update_000003)" in capsys.readouterr().err
    assert [c.name for c in checkpoints(run)] == ["update_000002", "update_000003"]
    assert main([*resume, "--force"]) == 0
    assert [c.name for c in checkpoints(run)] == ["update_000003", "update_000004"]
    meta = json.loads((run / "checkpoints" / "update_000003" / "meta.json").read_text())
    assert meta["counters"]["update"] == 3  # the resumed branch's, not the deleted one's


def test_ctrl_c_saves_a_checkpoint_and_says_how_to_resume(tmp_path: Path) -> None:
    run = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    command = [sys.executable, "-m", "echelon", "train", *TOY, "--run-dir", str(run)]
    command += ["--total-steps", str(10_000 * PER_UPDATE)]
    proc = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 240
    for line in proc.stdout:  # wait for the first update, so there is something to save
        if line.startswith("upd ") or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 130, err
    assert "stopping after this update" in err and "Traceback" not in err
    saved = checkpoints(run)[-1]
    assert f"saved {saved}" in out
    assert f"resume with: echelon train --resume {run} --env-factory {FACTORY[1]}" in out
    assert (saved / "meta.json").is_file()


def test_eval_takes_a_run_folder_a_checkpoint_or_a_file_inside_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    assert train("--run-dir", str(run), "--total-steps", str(PER_UPDATE)) == 0
    latest = run / "checkpoints" / "update_000001"
    for given, used in (
        (run, run / "best"),
        (latest / "model.safetensors", latest),
        (latest, latest),
    ):
        capsys.readouterr()
        argv = ["eval", str(given), *FACTORY, "--matches", "4", "--worlds", "2", "--json"]
        assert main(argv) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["checkpoint"] == str(used) and report["episodes"] == 4
    shutil.rmtree(run / "best")  # a run that never evaluated: its latest checkpoint
    assert main(["eval", str(run), *FACTORY, "--matches", "2", "--worlds", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["checkpoint"] == str(latest)


def test_the_printed_commands_name_what_a_checkpoint_cannot_decide() -> None:
    """A checkpoint chooses no code, league or upload (docs/security.md), so the resume and eval
    commands that train prints name them again."""
    from echelon.train.cli import _named_again
    from echelon.train.config import TrainConfig
    from echelon.train.league_opponent import LeagueTrainConfig

    cfg = TrainConfig(
        env_factory="pkg.envs:make",
        opponent="league:runs/l.json",
        league=LeagueTrainConfig(path="runs/l.json"),
        wandb=True,
    )
    assert _named_again(cfg, resume=True) == (
        " --env-factory pkg.envs:make --opponent league:runs/l.json --wandb"
    )
    assert _named_again(cfg, resume=False) == " --env-factory pkg.envs:make"
    submit_only = TrainConfig(opponent="self", league=LeagueTrainConfig(path="my league.json"))
    assert _named_again(submit_only, resume=True) == " --league 'my league.json'"
    assert _named_again(TrainConfig(), resume=True) == ""
