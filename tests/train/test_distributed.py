"""Training in several processes (torch.distributed, gloo on the CPU).

* the pieces: world split, row blocks of the job's sampling noise and sequences, the ordering of
  merged episodes, checkpoint namespaces, the masked stand-in of a rank without sequences;
* equivalence: 2 ranks x 2 worlds give the weights that 1 process x 4 worlds gives after an
  update (the same games, the same actions, the same minibatches), up to float32 rounding;
* the curriculum: every rank raises red's level at the update one process with all the worlds
  does, on the job's episodes (not its own);
* ``echelon train --nproc 2``: trains, checkpoints, is killed (SIGKILL, every process), resumes
  and ends with exactly the weights, optimiser, env state and metrics of an uninterrupted run; a
  checkpoint of 2 processes resumes in 1, restarting the environments and saying so; a run of 2
  processes starts from another run's checkpoint (``--init-from``) and stops at ``--time-limit``.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import torch
from _dist_train_worker import run as run_worker
from safetensors.torch import load_file

from echelon.distributed import SINGLE, RowShard, WorldShard, strip_nproc, thread_share
from echelon.rl import ActorCriticLSTM
from echelon.train.buffer import RolloutBuffer
from echelon.train.cli import import_env_factory
from echelon.train.distributed import (
    make_rank_env,
    merge_rollout_stats,
    rank_seed,
    rank_tensors,
    shared_tensors,
    tensors_of_rank,
)
from echelon.train.ppo import PPOConfig, PPOLearner
from echelon.train.rollout import RolloutStats

HERE = Path(__file__).parent
WORKER = HERE / "_dist_train_worker.py"


def torchrun(nproc: int, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    cmd += [f"--nproc-per-node={nproc}", *args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-4000:]
    return done


# -- the pieces -------------------------------------------------------------------------------
def test_worlds_split_in_contiguous_blocks() -> None:
    shards = [WorldShard.split(10, 3, r) for r in range(3)]
    assert [(s.offset, s.count) for s in shards] == [(0, 4), (4, 3), (7, 3)]
    assert all(
        s.total == 10 and s.owns(s.offset) and not s.owns(s.offset + s.count) for s in shards
    )
    assert WorldShard.split(5, 1).counts == (5,)
    with pytest.raises(ValueError, match="at least one world per process"):
        WorldShard.split(2, 3)
    assert thread_share(2, cores=2) == 1 and thread_share(3, cores=2) == 1
    assert thread_share(2, cores=16) == 8


def test_row_blocks_of_the_jobs_noise_and_sequences() -> None:
    rows = RowShard.of_worlds(WorldShard.split(4, 2, 1), per_world=5)  # columns 10..19 of 20
    assert rows == RowShard(10, 10, 20)
    full = torch.randn((20, 3), generator=torch.Generator().manual_seed(7))
    block = rows.noise(torch.Generator().manual_seed(7), 3, torch.device("cpu"), torch.float32)
    assert torch.equal(block, full[10:20])
    one = RowShard.whole(20).noise(
        torch.Generator().manual_seed(7), 3, torch.device("cpu"), torch.float32
    )
    assert torch.equal(one, full)
    # Job sequence s = chunk * 20 + column; this rank keeps columns 10..19, numbered chunk * 10 +
    # (column - 10), in the order given.
    seqs = torch.tensor([31, 5, 10, 19, 20, 59, 40, 12])
    assert rows.local_sequences(seqs).tolist() == [11, 0, 9, 29, 2]
    assert torch.equal(RowShard.whole(20).local_sequences(seqs), seqs)


class TwoRanks:
    """Stands in for the job's Comm in one process: the other rank's part is given."""

    distributed, world_size = True, 2

    def __init__(self, other: Any) -> None:
        self.other = other

    def all_gather_object(self, obj: Any) -> list[Any]:
        return [obj, self.other]

    def sum_(self, tensor: torch.Tensor) -> torch.Tensor:
        return tensor.add_(torch.tensor([3, 40, 1.0, 0, 0], dtype=tensor.dtype))


def test_merged_episodes_come_in_single_process_order() -> None:
    mine = RolloutStats(
        episode_returns=[1.0, 2.0, 3.0],
        episode_lengths=[5, 6, 7],
        winners=[0, 1, -1],
        episode_keys=[(2, 1), (4, 0), (4, 1)],  # (step, local world)
        valid_rows=30,
        rows=40,
        reward_sum=2.0,
    )
    other = [(3, 2, 9.0, 8, 1), (4, 3, 8.0, 9, 0)]  # rank 1's, worlds 2.. (step, job world, ...)
    merged = merge_rollout_stats(TwoRanks(other), mine, world_offset=0)  # type: ignore[arg-type]
    assert merged.episode_keys == [(2, 1), (3, 2), (4, 0), (4, 1), (4, 3)]
    assert merged.episode_returns == [1.0, 9.0, 2.0, 3.0, 8.0]
    assert merged.winners == [0, 1, 1, -1, 0]
    assert merged.valid_fraction == 33 / 80 and merged.mean_reward == 3.0 / 33
    assert merge_rollout_stats(SINGLE, mine, 0) is mine


def test_checkpoint_namespaces_per_rank() -> None:
    t = torch.zeros(1)
    parts = [{"carry/obs": t, "env/sim_state": t}, {"carry/obs": t + 1, "league_opponent/0/h": t}]
    merged = rank_tensors(parts)
    assert sorted(merged) == [
        "carry/obs",
        "env/sim_state",
        "rank1/carry/obs",
        "rank1/league_opponent/0/h",
    ]
    merged["optimizer/state/0/exp_avg"] = t
    assert sorted(tensors_of_rank(merged, 0)) == ["carry/obs", "env/sim_state"]
    assert float(tensors_of_rank(merged, 1)["carry/obs"]) == 1.0
    assert list(shared_tensors(merged)) == ["optimizer/state/0/exp_avg"]


def test_a_rank_without_sequences_runs_a_zero_backward() -> None:
    torch.manual_seed(0)
    model = ActorCriticLSTM(5, 2, hidden=16, lstm_hidden=8)
    learner = PPOLearner(model, PPOConfig(rollout_steps=8, chunk_length=8), "cpu")
    buf = RolloutBuffer(8, 3, 5, 2, 8, 1, 8, "cpu")
    buf.obs.normal_()
    buf.valid.fill_(True)
    learner.compute_targets(buf)
    seqs = torch.zeros(1, dtype=torch.long)
    terms = learner.sequence_losses(
        buf, seqs, buf.advantages, buf.returns, buf.values, 0.01, live=False
    )
    terms["loss"].backward()
    assert all(float(v.detach()) == 0.0 for v in terms.values())
    # DDP waits for a gradient of every parameter: all present, all zero.
    assert all(p.grad is not None and not p.grad.any() for p in model.parameters())
    # Shares add up: each half of the sequences over the whole count sums to the whole.
    half = learner.sequence_losses(
        buf,
        torch.tensor([0]),
        buf.advantages,
        buf.returns,
        buf.values,
        0.01,
        count=torch.tensor(24),
    )
    other = learner.sequence_losses(
        buf,
        torch.tensor([1, 2]),
        buf.advantages,
        buf.returns,
        buf.values,
        0.01,
        count=torch.tensor(24),
    )
    whole = learner.sequence_losses(
        buf, torch.tensor([0, 1, 2]), buf.advantages, buf.returns, buf.values, 0.01
    )
    for key in ("policy_loss", "value_loss", "entropy", "approx_kl"):
        assert math.isclose(
            float((half[key] + other[key]).detach()),
            float(whole[key].detach()),
            rel_tol=1e-5,
            abs_tol=1e-7,
        )


def test_strip_nproc() -> None:
    assert strip_nproc(["train", "--nproc", "2", "--seed", "1", "--nproc=3"]) == [
        "train",
        "--seed",
        "1",
    ]


def block_env(num_worlds: int, seed: int, world_offset: int = 0, tag: str = "") -> Any:
    return (num_worlds, seed, world_offset, tag)


def plain_env(num_worlds: int, seed: int, tag: str = "") -> Any:
    return (num_worlds, seed, tag)


def kwargs_env(num_worlds: int, seed: int, **env: Any) -> Any:
    return (num_worlds, seed, env)


def test_an_imported_env_factory_gets_the_world_offset_when_it_takes_it() -> None:
    shard = WorldShard.split(5, 2, 1)  # worlds 3 and 4 of 5
    block = import_env_factory("test_distributed:block_env", {"tag": "x"})
    assert make_rank_env(block, shard, 9) == ((2, 9, 3, "x"), None)
    plain = import_env_factory("test_distributed:plain_env", {"tag": "x"})
    env, note = make_rank_env(plain, shard, 9)
    assert env == (2, rank_seed(9, 1), "x") and rank_seed(9, 1) != 9
    assert note is not None and "takes no world_offset" in note
    assert make_rank_env(plain, WorldShard.split(5, 1), 9) == ((5, 9, "x"), None)
    # A catch-all **kwargs passes env fields on; it is not asked to take a world offset.
    forward = import_env_factory("test_distributed:kwargs_env", {"tag": "x"})
    assert make_rank_env(forward, shard, 9)[0] == (2, rank_seed(9, 1), {"tag": "x"})


# -- equivalence --------------------------------------------------------------------------------
EQUIVALENCE = {
    "num_worlds": 4,
    "seed": 3,
    "opponent": "self",  # the red rows sample too: their noise is a block of the job's draw
    "device": "cpu",
    "total_steps": 100_000,
    "env": {
        "map_size": [32, 32, 8],
        "max_episode_seconds": 2.0,  # episodes end inside the rollout
        "rewards": {"win": 5.0, "loss": -5.0},  # late terminal rewards are merged too
    },
    "env_threads": 1,
    "heatmap_every": 0,
    "eval_every": 0,
    "ppo": {
        "rollout_steps": 16,
        "chunk_length": 8,
        # 40 sequences in minibatches of 4: some minibatch leaves a rank without a sequence.
        "num_minibatches": 10,
        "update_epochs": 2,
        "advantage_norm": "per_group",
        "value_clip_coef": 0.2,
    },
    "model": {"hidden": 32, "lstm_hidden": 32},
}


def test_two_ranks_train_like_one_process_with_all_the_worlds(tmp_path: Path) -> None:
    (tmp_path / "cfg.json").write_text(json.dumps(EQUIVALENCE))
    threads = torch.get_num_threads()
    try:
        run_worker(EQUIVALENCE, tmp_path / "one", 1)
    finally:
        torch.set_num_threads(threads)
    torchrun(2, str(WORKER), str(tmp_path / "cfg.json"), str(tmp_path / "two"), "1")
    one, two = tmp_path / "one", tmp_path / "two"
    initial = load_file(one / "initial0.safetensors")
    for rank in (0, 1):  # DDP broadcast rank 0's weights, and the ranks stay identical
        assert all(
            torch.equal(v, initial[k])
            for k, v in load_file(two / f"initial{rank}.safetensors").items()
        )
    a, b, b1 = (
        load_file(p)
        for p in (one / "rank0.safetensors", two / "rank0.safetensors", two / "rank1.safetensors")
    )
    assert all(torch.equal(b[k], b1[k]) for k in b), "ranks must hold identical weights"
    (h1,), (h2,), (h2_rank1,) = (
        json.loads((run / f"history{rank}.json").read_text())
        for run, rank in ((one, 0), (two, 0), (two, 1))
    )
    # Every rank logs the job's statistics (the curriculum and KL stopping decide on them): rank
    # 1's metrics are rank 0's, but for its own clock.
    timing = {k for k in h2 if k.startswith("time") or "second" in k}
    assert {k: v for k, v in h2_rank1.items() if k not in timing} == {
        k: v for k, v in h2.items() if k not in timing
    }
    # The same games with the same actions: the job's episodes and rollout statistics.
    for key in ("episodes", "episode_return", "win_rate", "episode_length", "valid_fraction"):
        assert h1[key] == h2[key] or (math.isnan(h1[key]) and math.isnan(h2[key])), key
    assert h1["episodes"] >= 4, "episodes should end inside the rollout"
    assert h1["optimizer_steps"] == h2["optimizer_steps"] == 20
    for key in ("policy_loss", "value_loss", "entropy", "approx_kl", "grad_norm", "value_mean"):
        assert math.isclose(h1[key], h2[key], rel_tol=1e-4, abs_tol=1e-7), key
    # Tolerance: the only difference is float32 rounding, in the order of the sums (two partial
    # sums + all-reduce instead of one sum). A float32 gradient entry then differs by a few ulps
    # of the summed magnitudes, so each Adam step (at most lr per weight, lr * g / eps below
    # eps = 1e-5) moves a weight by at most ~1e-3 * lr differently; allow that per optimiser
    # step. Measured on a 2-core AMD EPYC VM: 3e-8, 200 times less. The update itself moves the
    # weights by ~lr per step, three orders of magnitude more than the tolerance.
    lr, steps = 3e-4, h1["optimizer_steps"]
    tolerance = 1e-3 * lr * steps
    worst = max(float((a[k] - b[k]).abs().max()) for k in a)
    moved = max(float((a[k] - initial[k]).abs().max()) for k in a)
    assert worst <= tolerance, f"2 ranks differ from 1 process by {worst:.3g} > {tolerance:.3g}"
    assert moved > 100 * tolerance, "the update should move the weights"


# LadderEnv (test_curriculum.py): every step is an episode, blue wins below level 2. 4 worlds x 4
# steps = 16 episodes per update for the job, 8 per rank; a window of 24 fills at update 2 with
# the job's episodes (at update 3 with one rank's alone), then the 4 episodes of worlds that
# started at the old level are skipped, and the next promotion comes at update 4.
CURRICULUM = {
    "num_worlds": 4,
    "seed": 1,
    "opponent": "heuristic:0",
    "env_factory": "test_curriculum:LadderEnv",
    "curriculum": {"enabled": True, "window": 24, "threshold": 0.75},
    "device": "cpu",
    "total_steps": 100_000,
    "heatmap_every": 0,
    "eval_every": 0,
    "ppo": {"rollout_steps": 4, "chunk_length": 4, "num_minibatches": 2, "update_epochs": 1},
    "model": {"hidden": 16, "lstm_hidden": 16},
}


@pytest.mark.slow  # one launch of 2 processes (about 30 s on a loaded 2-core machine)
def test_every_rank_raises_the_level_at_the_update_one_process_does(tmp_path: Path) -> None:
    (tmp_path / "cfg.json").write_text(json.dumps(CURRICULUM))
    threads = torch.get_num_threads()
    try:
        run_worker(CURRICULUM, tmp_path / "one", 4)
    finally:
        torch.set_num_threads(threads)
    torchrun(2, str(WORKER), str(tmp_path / "cfg.json"), str(tmp_path / "two"), "4")
    keys = ("opponent_level", "curriculum_win_rate", "episodes", "win_rate")
    runs = [
        [{k: m[k] for k in keys} for m in json.loads((tmp_path / f).read_text())]
        for f in ("one/history0.json", "two/history0.json", "two/history1.json")
    ]
    assert [m["opponent_level"] for m in runs[0]] == [0.0, 1.0, 1.0, 2.0]
    assert runs[1] == runs[0] and runs[2] == runs[0]


# -- the command: kill and resume ------------------------------------------------------------
UPDATE_SAMPLES = 16 * 4 * 5  # T x worlds x learning agents


def train_args(run_dir: Path, updates: int) -> list[str]:
    return [
        sys.executable, "-m", "echelon", "train", "--preset", "smoke", "--device", "cpu",
        "--num-worlds", "4", "--map-size", "32", "32", "8", "--env", "max_episode_seconds=2.0",
        "--set", "ppo.rollout_steps=16", "--set", "ppo.chunk_length=8", "--set", "save_every=1",
        "--set", "keep_checkpoints=0", "--set", "eval_every=2", "--set", "eval_worlds=2",
        "--set", "eval_episodes=2", "--heatmap-every", "2", "--threads", "1",
        "--total-steps", str(updates * UPDATE_SAMPLES), "--run-dir", str(run_dir),
    ]  # fmt: skip


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (torchrun starts its workers in sessions of their own)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def launch(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow  # about 90 s on a loaded 2-core machine: four launches, three of 2 processes
def test_two_processes_are_killed_and_resume_exactly(tmp_path: Path) -> None:
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    done = launch([*train_args(straight, 4), "--nproc", "2"])
    assert done.returncode == 0, done.stderr[-4000:]
    assert "processes 2 on 1 machine(s)" in done.stdout
    # The same run, meant to go on for long, killed (every process, SIGKILL) after update 2 is
    # saved: it continues from that checkpoint.
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.Popen(
        [*train_args(killed, 50), "--nproc", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    target = killed / "checkpoints" / "update_000002" / "meta.json"
    while not target.is_file() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in [*descendants(proc.pid), proc.pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert target.is_file(), "the run should have saved update 2 before it was killed"
    resumed = launch(
        [
            sys.executable,
            "-m",
            "echelon",
            "train",
            "--resume",
            str(target.parent),
            "--force",
            "--total-steps",
            str(4 * UPDATE_SAMPLES),
            "--nproc",
            "2",
        ]
    )
    assert resumed.returncode == 0, resumed.stderr[-4000:]
    a = straight / "checkpoints" / "update_000004"
    b = killed / "checkpoints" / "update_000004"
    for name in ("model.safetensors", "trainer.safetensors"):
        ta, tb = load_file(a / name), load_file(b / name)
        assert sorted(ta) == sorted(tb)
        assert any(k.startswith("rank1/env/") for k in ta) or name == "model.safetensors"
        for key in ta:
            assert torch.equal(ta[key], tb[key]), f"{name}: {key} differs"
    ma, mb = (json.loads((p / "meta.json").read_text()) for p in (a, b))
    for key in ("recent_returns", "recent_winners", "value_normalizer", "best_score", "counters"):
        assert ma[key] == mb[key], key
    assert ma["distributed"]["worlds"] == mb["distributed"]["worlds"] == [2, 2]
    # Every rank's own part; of the RNGs, torch's and the trainer's generators (Python's and
    # NumPy's global generators are never seeded, nothing in training draws from them).
    for part_a, part_b in zip(
        [ma, *ma["distributed"]["ranks"]], [mb, *mb["distributed"]["ranks"]], strict=True
    ):
        for key in ("env_state_meta", "env_state_saved", "league_opponent"):
            assert part_a[key] == part_b[key], key
        for key in ("torch", "generators"):
            assert part_a["rng"][key] == part_b["rng"][key], key

    def last_update(run: Path) -> dict[str, Any]:
        rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
        row = [r for r in rows if r["kind"] == "update" and r["update"] == 4][-1]
        return {k: v for k, v in row.items() if not k.startswith("time") and "second" not in k}

    assert last_update(straight) == last_update(killed)

    # Another number of processes: the learner resumes, the environments restart, and it says so.
    other = launch(
        [
            sys.executable,
            "-m",
            "echelon",
            "train",
            "--resume",
            str(a),
            "--run-dir",
            str(tmp_path / "one"),
            "--total-steps",
            str(5 * UPDATE_SAMPLES),
        ]
    )
    assert other.returncode == 0, other.stderr[-4000:]
    assert "written by 2 process(es) (worlds 2+2), this run has 1 (4)" in other.stdout
    assert (tmp_path / "one" / "checkpoints" / "update_000005" / "meta.json").is_file()


@pytest.mark.slow  # about 60 s on a loaded 2-core machine: a launch of 1 process, one of 2
def test_two_processes_start_from_another_run_and_stop_at_the_time_limit(tmp_path: Path) -> None:
    first = launch(train_args(tmp_path / "first", 1))
    assert first.returncode == 0, first.stderr[-4000:]
    start = tmp_path / "first" / "checkpoints" / "update_000001"
    # Rank 0 reads the checkpoint and sends it; rank 0's clock stops every rank after update 1.
    warm = tmp_path / "warm"
    done = launch(
        [*train_args(warm, 50), "--init-from", str(start), "--time-limit", "0.001", "--nproc", "2"]
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "time limit of 0.001 minutes reached at update 1" in done.stdout
    assert sorted(p.name for p in (warm / "checkpoints").iterdir()) == ["update_000001"]
    meta = json.loads((warm / "checkpoints" / "update_000001" / "meta.json").read_text())
    assert meta["distributed"]["worlds"] == [2, 2] and meta["counters"]["update"] == 1
    # The value normaliser went on from the checkpoint's: one update's returns on top of one.
    before = json.loads((start / "meta.json").read_text())["value_normalizer"]["count"]
    assert before == UPDATE_SAMPLES
    assert meta["value_normalizer"]["count"] == before + UPDATE_SAMPLES
