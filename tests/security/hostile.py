"""Helpers for the hostile-input tests: crafted checkpoints, and a child process with a timeout
(a hang in the C++ core holds no GIL a test timeout could interrupt, so drills that might hang
or abort run in a child and the parent asserts it ended in time)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from echelon.rl.registry import build_model
from echelon.train.checkpoint import save_checkpoint
from echelon.train.config import TrainConfig, config_to_dict

MARKER_FACTORY = """
import pathlib
pathlib.Path({marker!r}).write_text("code from a checkpoint ran")

def make(num_worlds, seed, **env):
    pathlib.Path({marker!r}).write_text("code from a checkpoint ran")
    raise SystemExit(0)
"""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in this thread if the block runs longer than ``seconds``. Works for
    Python-level loops and blocking system calls (SIGALRM interrupts them); a hang inside the
    C++ core needs :func:`run_python` instead."""

    def expire(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def child_env(*extra_paths: Path) -> dict[str, str]:
    """The environment for a child that imports the same echelon as this process."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*(str(p) for p in extra_paths), *sys.path])
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def run_python(
    code: str, timeout: float, cwd: Path | None = None, extra_paths: tuple[Path, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter; raises subprocess.TimeoutExpired (the child is
    killed) when it does not finish in ``timeout`` seconds."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=child_env(*extra_paths),
        check=False,
    )


def run_cli(
    args: list[str], timeout: float, cwd: Path, extra_paths: tuple[Path, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """``echelon ARGS`` in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "echelon", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=child_env(*extra_paths),
        check=False,
    )


def tiny_checkpoint(path: Path, config: dict[str, Any] | None = None, **meta: Any) -> Path:
    """A small, valid checkpoint (an 8-wide MLP policy) with ``config`` as its training config."""
    torch.manual_seed(0)
    model = build_model(
        {"class": "ActorCriticLSTM", "kwargs": {"obs_dim": 6, "action_dim": 3, "hidden": 8}}
    )
    cfg = config if config is not None else config_to_dict(TrainConfig(num_worlds=2))
    full = {"config": cfg, "counters": {"update": 1, "agent_steps": 10, "episodes": 0}, **meta}
    return save_checkpoint(path, model, full)


def edit_meta(checkpoint: Path, change: Any) -> None:
    """Apply ``change(meta)`` to a checkpoint's meta.json (which no hash covers)."""
    meta_path = checkpoint / "meta.json"
    meta = json.loads(meta_path.read_text())
    change(meta)
    meta_path.write_text(json.dumps(meta))


def files_containing(root: Path, needle: bytes) -> list[Path]:
    """Every plain file under ``root`` whose bytes contain ``needle``."""
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink() and needle in p.read_bytes()
    ]


def kill_when_printed(code: str, line: str, timeout: float) -> int:
    """Start ``code`` in a child, SIGKILL it as soon as it prints ``line``; returns its pid."""
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        with deadline(timeout):
            assert child.stdout is not None
            for out in child.stdout:
                if out.strip() == line:
                    break
            else:
                raise AssertionError(f"child ended before printing {line!r}: {child.stderr.read()}")  # type: ignore[union-attr]
    finally:
        child.kill()
        child.wait()
    return child.pid
