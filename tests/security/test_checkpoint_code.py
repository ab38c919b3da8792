"""A checkpoint cannot choose code to run, files to touch or classes to build (docs/security.md, 1).

meta.json is covered by no hash, so each test edits it the way an attacker would and asserts
that nothing ran (the marker file a malicious factory writes on import does not appear), that
the command fails within its timeout, and that the error names the problem and the flag."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import MARKER_FACTORY, edit_meta, tiny_checkpoint

from echelon.cli import main as cli_main
from echelon.train.checkpoint import CheckpointError, load_policy
from echelon.train.config import TrainConfig, config_to_dict
from echelon.train.league_opponent import LeagueTrainConfig
from echelon.train.trust import CheckpointMetaError, trusted_config


@pytest.fixture
def evil(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(checkpoint naming evil_factory:make, folder holding evil_factory.py, marker path)."""
    marker = tmp_path / "PWNED"
    code = tmp_path / "code"
    code.mkdir()
    (code / "evil_factory.py").write_text(MARKER_FACTORY.format(marker=str(marker)))
    ckpt = tiny_checkpoint(tmp_path / "run" / "checkpoints" / "update_000001")
    edit_meta(ckpt, lambda m: m["config"].update(env_factory="evil_factory:make"))
    return ckpt, code, marker


def test_eval_refuses_an_env_factory_named_by_the_checkpoint(
    evil: tuple[Path, Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ckpt, code, marker = evil
    monkeypatch.syspath_prepend(str(code))  # importable: only the refusal keeps it from running
    assert cli_main(["eval", str(ckpt), "--episodes", "1"]) == 2
    err = capsys.readouterr().err
    assert "cannot choose code" in err and "--env-factory evil_factory:make" in err
    assert len(err.strip().splitlines()) == 1  # one line, no traceback
    assert not marker.exists()


def test_resume_refuses_an_env_factory_named_by_the_checkpoint(
    evil: tuple[Path, Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ckpt, code, marker = evil
    monkeypatch.syspath_prepend(str(code))  # importable: only the refusal keeps it from running
    run = ckpt.parent.parent
    assert cli_main(["train", "--resume", str(run)]) == 2
    assert "cannot choose code" in capsys.readouterr().err
    assert not marker.exists()
    assert sorted(p.name for p in run.iterdir()) == ["checkpoints"]  # nothing written


def test_an_env_factory_named_on_the_command_line_is_the_users_choice(
    evil: tuple[Path, Path, Path],
) -> None:
    ckpt, _, _ = evil
    saved = config_to_dict(TrainConfig(env_factory="evil_factory:make"))
    with pytest.raises(CheckpointMetaError, match="cannot choose code"):
        trusted_config(saved, ckpt)
    assert trusted_config(saved, ckpt, env_factory="mine:make")["env_factory"] == "mine:make"


def test_paths_from_a_checkpoint_are_not_used() -> None:
    """run_dir is dropped (the command line decides where a run writes: tests/train/
    test_run_dirs.py); a league must be named again; W&B uploads need --wandb."""
    saved = config_to_dict(TrainConfig(run_dir="/etc", wandb=True, opponent="league:/tmp/l.json"))
    with pytest.raises(CheckpointMetaError, match=r"--opponent league:/tmp/l\.json"):
        trusted_config(saved, "ckpt")
    config = trusted_config(saved, "ckpt", leagues={"/tmp/l.json"})
    assert "run_dir" not in config and "wandb" not in config
    saved = config_to_dict(TrainConfig(league=LeagueTrainConfig(path="/tmp/other.json")))
    with pytest.raises(CheckpointMetaError, match=r"/tmp/other\.json"):
        trusted_config(saved, "ckpt", leagues={"/tmp/l.json"})


def test_resume_of_a_league_run_needs_the_league_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config_to_dict(TrainConfig(opponent=f"league:{tmp_path / 'elsewhere.json'}"))
    ckpt = tiny_checkpoint(tmp_path / "ckpt", cfg)
    assert cli_main(["train", "--resume", str(ckpt)]) == 2
    assert "cannot choose files" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere.json").exists()
    assert not (tmp_path / "elsewhere.json.lock").exists()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"class": "os.system", "kwargs": {}}, "model class must be one of"),
        ({"class": "subprocess:Popen", "kwargs": {}}, "model class must be one of"),
        (
            {"class": "ActorCriticLSTM", "kwargs": {"obs_dim": 6, "action_dim": 3, "x": 1}},
            r"unknown argument\(s\) \['x'\]",
        ),
        ({"class": "ActorCriticLSTM", "kwargs": "rm -rf /"}, "kwargs must be a mapping"),
    ],
)
def test_model_spec_picks_only_registered_classes(
    tmp_path: Path, spec: object, message: str
) -> None:
    ckpt = tiny_checkpoint(tmp_path / "c")
    edit_meta(ckpt, lambda m: m.update(model_spec=spec))
    with pytest.raises(CheckpointError, match=message):
        load_policy(ckpt)
