"""Ordinary mistakes on the ``echelon`` command line: each one costs one line on stderr that names
the problem, exit code 2, and changes nothing on disk (no run folder, no lock file, no output).

Most cases go through ``echelon.cli.main`` in-process (the function the ``echelon`` script calls:
the same parser, handlers and error layer) in an empty working folder; a few run the real
command in a subprocess to check the process-level behaviour (exit status, ``--debug``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from echelon.cli import main
from policy_files import save_tiny_policy

REPO = Path(__file__).resolve().parents[2]
NO_CUDA = not torch.cuda.is_available()


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every file and folder under ``root`` with its size, mtime and mode."""
    out = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        out[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return out


def run_cli(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse errors exit from inside parse_args
        return int(exc.code or 0)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Inputs shared by the cases: a tiny checkpoint, a run folder, junk, two leagues."""
    root = tmp_path_factory.mktemp("inputs")
    save_tiny_policy(root / "ckpt", seed=1)
    run = root / "run"
    save_tiny_policy(run / "checkpoints" / "update_000001", seed=2)
    save_tiny_policy(run / "best", seed=3)
    (run / "config.json").write_text("{}")
    (root / "junk.txt").write_text("not a checkpoint\n")
    (root / "empty").mkdir()
    (root / "bad.yaml").write_text("a: [1\n")
    (root / "list.yaml").write_text("- 1\n")
    (root / "bare.safetensors").write_bytes((root / "ckpt" / "model.safetensors").read_bytes())
    trunc = root / "trunc"
    trunc.mkdir()
    for name in ("meta.json", "trainer.safetensors"):
        (trunc / name).write_bytes((root / "ckpt" / name).read_bytes())
    (trunc / "model.safetensors").write_bytes(
        (root / "ckpt" / "model.safetensors").read_bytes()[:500]
    )
    assert main(["arena", "init", str(root / "league.json")]) == 0
    assert main(["arena", "init", str(root / "other.json"), "--env", "contact_slots=3"]) == 0
    return root


# (argv, text the one-line message must contain); {F} is the inputs folder.
CASES: list[tuple[str, str]] = [
    # train: flags, config files, overrides, env fields, devices, opponents, run folders
    ("train --total-steps 0", "--total-steps: must be an integer >= 1"),
    ("train --num-worlds -1", "--num-worlds: must be an integer >= 1"),
    ("train --threads 0", "--threads: must be an integer >= 1"),
    ("train --env-threads 0", "--env-threads"),
    ("train --heatmap-every -1", "must be an integer >= 0"),
    ("train --seed -1", "--seed: must be an integer >= 0"),
    ("train --preset nope", "invalid choice: 'nope'"),
    ("train --episodes 10", "unrecognized arguments: --episodes 10"),
    ("train --config {F}/missing.yaml", "No such file"),
    ("train --config {F}/empty", "Is a directory"),
    ("train --config {F}/bad.yaml", "bad.yaml"),
    ("train --config {F}/list.yaml", "must be a mapping"),
    ("train --set ppo.lr=abc", "ppo.lr must be a finite number"),
    ("train --set ppo.lr", "--set expects section.field=value"),
    ("train --set nosuch.field=1", "unknown config field"),
    ("train --set ppo.chunk_length=33", "multiple of ppo.chunk_length"),
    ("train --env map_size=100", "map_size must be three integers"),
    ("train --env map_size=[10,10,10]", "map_size[0] (x) must be an integer in [16, 512]"),
    ("train --env map_size=[64,64", "not valid YAML"),
    ("train --env nosuch=1", "unknown EnvConfig fields"),
    ("train --env packs_per_team=0", "packs_per_team must be an integer in [1, 8]"),
    ("train --env red=heuristic:9", "red must be 'external' or 'heuristic:N'"),
    ("train --env rewards={nosuch:1}", "unknown rewards fields"),
    ("train --env map_size", "--env expects FIELD=VALUE"),
    ("train --map-size 10 10 10", "map_size[0] (x)"),
    ("train --map-size 100 100", "expected 3 arguments"),
    ("train --device gpu", "unknown device 'gpu'"),
    ("train --opponent foo", "opponent must be self, idle or heuristic:N"),
    ("train --opponent heuristic:7", "heuristic level must be an integer in [0, 4]"),
    ("train --opponent league:{F}/missing.json", "no league at"),
    ("train --submit", "league.submit needs a league"),
    ("train --curriculum --opponent self", "curriculum.enabled needs a heuristic opponent"),
    ("train --env-factory nosuch_module:make", "cannot import 'nosuch_module'"),
    ("train --env-factory nocolon", "env_factory must look like 'module:function'"),
    ("train --force", "--force applies to an existing --run-dir"),
    ("train --run-dir {F}/junk.txt", "is a file"),
    ("train --run-dir {F}/run", "already holds a run (checkpoints/update_000001)"),
    ("train --resume {F}/missing", "no such file or folder"),
    ("train --resume {F}/empty", "holds no checkpoint"),
    ("train --resume {F}/junk.txt", "is a file, not a checkpoint"),
    ("train --resume {F}/trunc", "SHA-256 does not match"),
    ("train --resume {F}/run --preset smoke", "do not apply with --resume"),
    # eval
    ("eval", "give a CHECKPOINT, or --blue and --red, or --ladder"),
    ("eval {F}/missing", "no such file or folder"),
    ("eval {F}/empty", "holds no checkpoint"),
    ("eval {F}/junk.txt", "is a file, not a checkpoint"),
    ("eval {F}/bare.safetensors", "is a file, not a checkpoint"),
    ("eval {F}/trunc", "SHA-256 does not match"),
    ("eval {F}/ckpt --matches 0", "--matches/--episodes: must be an integer >= 1"),
    ("eval {F}/ckpt --episodes -3", "must be an integer >= 1"),
    ("eval {F}/ckpt --worlds -1", "--worlds: must be an integer >= 1"),
    ("eval {F}/ckpt --ladder --red heuristic:1", "--red does not apply with --ladder"),
    ("eval {F}/ckpt --blue heuristic:1", "--blue does not apply with a CHECKPOINT"),
    ("eval {F}/ckpt --device gpu", "unknown device 'gpu'"),
    ("eval {F}/ckpt --red heuristic:7", "red must be 'external' or 'heuristic:N'"),
    ("eval {F}/ckpt --map-size 10 10 10", "map_size[0] (x)"),
    ("eval --ladder --stochastic", "--stochastic does not apply without a CHECKPOINT"),
    ("eval --ladder --opponent self", "--opponent does not apply without a CHECKPOINT"),
    ("eval --ladder --env-factory m:make", "--env-factory does not apply without a CHECKPOINT"),
    ("eval --ladder --blue heuristic:1", "--ladder chooses both sides"),
    ("eval --blue heuristic:1", "give a CHECKPOINT, or --blue and --red"),
    ("eval --blue heuristic:9 --red heuristic:1", "blue must be 'external' or 'heuristic:N'"),
    ("eval --blue external --red heuristic:0", "blue must be a core controller"),
    ("eval --ladder --matches 0", "must be an integer >= 1"),
    ("eval --ladder --map-size 10 10 10", "map_size[0] (x)"),
    ("eval --ladder --map-size 100", "expected 3 arguments"),
    ("eval --ladder --packs 9", "packs_per_team must be an integer in [1, 8]"),
    ("eval --ladder --map-type nope", "invalid choice: 'nope'"),
    ("eval --ladder --episode-seconds -1", "must be a finite number > 0"),
    ("eval --ladder --threads 0", "--threads: must be an integer >= 1"),
    # demo
    ("demo --worlds 0", "--worlds: must be an integer >= 1"),
    ("demo --steps -1", "--steps: must be an integer >= 1"),
    ("demo --threads 0", "--threads: must be an integer >= 1"),
    ("demo --packs 9", "packs_per_team must be an integer in [1, 8]"),
    ("demo --device gpu", "unknown device 'gpu'"),
    ("demo --seed -1", "--seed: must be an integer >= 0"),
    ("demo --worlds abc", "expected an integer, got 'abc'"),
    ("demo --map-size 10 10 10", "map_size[0] (x)"),
    # map
    ("map render --seed 1", "the following arguments are required: --out"),
    ("map render --seed -1 --out o", "--seed: must be an integer >= 0"),
    ("map render --seed 1 --map-size 10 10 10 --out o", "size"),
    ("map render --seed 1 --map-size 100 100 4 --out o", "size"),
    ("map render --seed 1 --out {F}/junk.txt", "is a file; give a folder"),
    ("map render --seed 1 --packs 0 --out o", "--packs: must be an integer >= 1"),
    ("map bench --seeds 0", "--seeds: must be an integer >= 1"),
    ("map bench --quick --json nodir/x.json", "folder nodir does not exist"),
    ("map nope", "invalid choice: 'nope'"),
    # bench
    ("bench env --worlds 0", "--worlds: must be an integer >= 1"),
    ("bench env --steps -10", "--steps: must be an integer >= 1"),
    ("bench env --threads 0", "must be an integer >= 1"),
    ("bench env --packs 0", "must be an integer >= 1"),
    ("bench env --map-size 10 10 10", "map_size[0] (x)"),
    ("bench env --map-type nope", "invalid choice: 'nope'"),
    ("bench env --device gpu", "unknown device 'gpu'"),
    ("bench env --out nodir/env.json --worlds 1 --threads 1 --steps 1", "folder nodir"),
    ("bench rays --rays 0", "--rays: must be an integer >= 1"),
    ("bench kernels --obs-backend cuda-emulated --worlds 0", "must be an integer >= 1"),
    ("bench kernels --obs-backend cuda-emulated --steps -1", "--steps: must be an integer >= 1"),
    # arena
    ("arena list {F}/missing.json", "no league at"),
    ("arena ladder {F}/missing.json", "no league at"),
    ("arena verify {F}/missing.json", "no league at"),
    ("arena promote {F}/missing.json", "no league at"),
    ("arena retire {F}/missing.json --id x", "no league at"),
    ("arena remove {F}/missing.json x", "no league at"),
    ("arena play {F}/missing.json --matches 2", "no league at"),
    ("arena add {F}/missing.json {F}/ckpt", "no league at"),
    ("arena init {F}/league.json", "already exists"),
    ("arena init new.json --env map_size=100", "map_size must be three integers"),
    ("arena init new.json --tau -1", "tau"),
    ("arena init new.json --max-commanders 0", "must be an integer >= 1"),
    ("arena add {F}/league.json {F}/junk.txt", "is a file, not a checkpoint"),
    ("arena add {F}/league.json {F}/bare.safetensors", "is a file, not a checkpoint"),
    ("arena add {F}/league.json {F}/trunc", "SHA-256 does not match"),
    ("arena add {F}/league.json {F}/empty", "holds no checkpoint"),
    ("arena add {F}/other.json {F}/ckpt", "the league's env has"),
    ("arena add {F}/league.json {F}/ckpt --kind exploiter", "needs --target"),
    ("arena add {F}/league.json {F}/ckpt --target x", "--target applies to --kind exploiter"),
    ("arena remove {F}/league.json nosuch", "no league entry 'nosuch'"),
    ("arena play {F}/league.json --matches 0", "--matches: must be an integer >= 1"),
    ("arena play {F}/league.json --matches 2 --worlds -1", "--worlds: must be an integer >= 1"),
    ("arena play {F}/league.json --matches 2 --device gpu", "unknown device 'gpu'"),
    ("arena play {F}/league.json --matches 2 --player nosuch", "no league entry 'nosuch'"),
    ("arena plot {F}/league.json nodir/ratings.png", "folder nodir does not exist"),
    ("arena plot {F}/league.json ratings.txt", "give a .png, .pdf or .svg"),
    ("arena list {F}/league.json --bogus", "unrecognized arguments: --bogus"),
]
if NO_CUDA:
    CASES += [
        ("train --device cuda", "torch sees no CUDA device"),
        ("eval {F}/ckpt --device cuda", "torch sees no CUDA device"),
        ("demo --device cuda", "torch sees no CUDA device"),
        ("bench env --device cuda", "torch sees no CUDA device"),
        ("bench rays --device cuda", "no CUDA kernels or torch sees no GPU"),
        ("bench kernels", "needs a CUDA build of echelon and a visible GPU"),
        ("arena play {F}/league.json --matches 2 --device cuda", "torch sees no CUDA device"),
    ]


@pytest.mark.parametrize(("command", "expected"), CASES, ids=[c for c, _ in CASES])
def test_a_mistake_is_one_line_exit_2_and_writes_nothing(
    command: str,
    expected: str,
    files: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = command.replace("{F}", str(files)).split()
    before = snapshot(files)
    code = run_cli(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith(f"echelon {argv[0]}") and ": error: " in lines[0], lines[0]
    assert expected in lines[0], lines[0]
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no run folder, output or lock file in the cwd
    assert snapshot(files) == before  # inputs (checkpoints, leagues) unchanged


def _subprocess(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **env}
    environ["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return subprocess.run(
        [sys.executable, "-m", "echelon", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
        check=False,
    )


def test_the_real_command_exits_2_with_one_line(tmp_path: Path) -> None:
    done = _subprocess(["train", "--env", "map_size=100"], tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "echelon train: error: map_size must be three integers [x, y, z], got 100"
    ]
    assert list(tmp_path.iterdir()) == []


def test_debug_flag_and_environment_variable_let_the_exception_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --debug (or ECHELON_DEBUG=1) the exception leaves main(), so Python prints its
    traceback (the real command then exits with 1)."""
    missing = str(tmp_path / "missing")
    assert run_cli(["eval", missing]) == 2
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        main(["eval", missing, "--debug"])
    monkeypatch.setenv("ECHELON_DEBUG", "1")
    with pytest.raises(FileNotFoundError):
        main(["eval", missing])
    monkeypatch.setenv("ECHELON_DEBUG", "0")
    assert run_cli(["eval", missing]) == 2


def test_eval_help_shows_a_plain_percent_sign(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["eval", "--help"]) == 0
    out = capsys.readouterr().out
    assert "95% Wilson" in out and "%%" not in out


def test_a_bug_is_one_line_that_says_how_to_see_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import echelon.demo

    def broken(args: object) -> int:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(echelon.demo, "run_demo", broken)
    assert run_cli(["demo"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "internal error: ZeroDivisionError" in err[0] and "--debug" in err[0]
