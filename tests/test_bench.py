"""The benchmark harness runs end to end (tiny sizes; speed itself is measured in bench/, not
here). The GPU benches run through the host emulation of the observation mirror, so their code
is exercised on machines without a GPU before a GPU run depends on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from echelon.bench.env_bench import bench_env
from echelon.bench.kernels_bench import bench_kernels
from echelon.cli import main
from echelon.config import EnvConfig

SMALL = EnvConfig(map_size=(32, 32, 8))


def test_env_bench_splits_cpu_time_and_reports_mirror_phases() -> None:
    cpu = bench_env(SMALL, worlds=4, threads=1, device="cpu", steps=5, warmup=1, split=True)
    assert cpu.obs_backend == "cpu" and cpu.agent_steps_per_s > 0
    assert cpu.sim_seconds is not None and cpu.sim_seconds > 0
    assert cpu.gpu_ms is None
    emu = bench_env(
        SMALL, worlds=4, threads=1, device="cpu", steps=5, warmup=1, obs_backend="cuda-emulated"
    )
    assert emu.obs_backend == "cuda-emulated" and emu.sim_seconds is None
    emu = bench_env(
        SMALL,
        worlds=4,
        threads=1,
        device="cpu",
        steps=5,
        warmup=1,
        obs_backend="cuda-emulated",
        split=True,
    )
    assert emu.sim_seconds is not None and emu.sim_seconds > 0
    assert emu.gpu_ms is not None
    assert set(emu.gpu_ms) == {"upload_ms", "terrain_ms", "los_ms", "assemble_ms", "host_ms"}
    assert emu.gpu_ms["los_ms"] > 0 and emu.gpu_ms["assemble_ms"] > 0


def test_kernel_bench_derives_rates_from_phase_times() -> None:
    k = bench_kernels((32, 32, 8), packs=1, worlds=4, steps=3, backend="cuda-emulated")
    assert (k.worlds, k.agents) == (4, 10)
    assert k.rays == 4 * 45
    assert k.los_rays_per_s == pytest.approx(k.rays / (k.los_ms / 1000))
    assert k.voxel_steps_per_s == pytest.approx(k.los_rays_per_s * k.mean_cells_per_ray)
    assert k.assemble_gbps == pytest.approx(4 * 10 * k.obs_dim * 4 / (k.assemble_ms / 1000) / 1e9)
    assert k.mean_cells_per_ray > 0


def test_kernel_bench_cli_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kernels.json"
    argv = ["bench", "kernels", "--obs-backend", "cuda-emulated", "--worlds", "2,4"]
    argv += ["--map-size", "32", "32", "8", "--steps", "2", "--out", str(out)]
    assert main(argv) == 0
    assert "not GPU figures" in capsys.readouterr().out
    record = json.loads(out.read_text())
    assert record["benchmark"] == "kernels" and record["obs_backend"] == "cuda-emulated"
    assert [r["worlds"] for r in record["results"]] == [2, 4]
    assert record["copy_bandwidth_bytes_per_s"] > 0 and "cpu" in record["machine"]


def test_train_bench_reports_training_beside_the_env_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "train.json"
    argv = ["bench", "train", "--preset", "smoke", "--updates", "2", "--warmup", "0"]
    argv += ["--set", "env.map_size=[32,32,8]", "--set", "num_worlds=2", "--out", str(out)]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "ratio train / env" in text and "learner" in text
    record = json.loads(out.read_text())
    r = record["result"]
    assert record["benchmark"] == "train" and "cpu" in record["machine"]
    # 2 updates of the smoke preset: 32 steps x 2 worlds x 5 learning agents each.
    assert r["learner_steps"] == 2 * 32 * 2 * 5 and r["env_only_steps"] == 2 * 32
    assert r["ratio"] == pytest.approx(
        r["train_learner_steps_per_s"] / r["env_only_learner_steps_per_s"]
    )
    split = r["time_env"] + r["time_inference"] + r["time_learner"] + r["time_other"]
    # The four parts are measured separately; together they cover the timed updates.
    assert split == pytest.approx(r["seconds"], rel=0.05)
    assert min(r["time_env"], r["time_inference"], r["time_learner"]) > 0


@pytest.mark.slow  # starts torchrun with 2 processes (about 30 s on a busy 2-core machine)
def test_train_bench_times_the_job_in_two_processes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "train.json"
    argv = ["bench", "train", "--preset", "smoke", "--updates", "2", "--warmup", "0"]
    argv += ["--set", "env.map_size=[32,32,8]", "--set", "num_worlds=2", "--nproc", "1,2"]
    assert main([*argv, "--out", str(out)]) == 0
    assert "vs 1 process" in capsys.readouterr().out
    one, two = json.loads(out.read_text())["processes"]
    assert (one["processes"], one["worlds_per_process"]) == (1, [2])
    assert (two["processes"], two["worlds_per_process"]) == (2, [1, 1])
    assert two["env_threads_per_process"] == 1 and two["learner_steps_per_s"] > 0
    assert one["torch_threads_per_process"] >= 1 and one["env_threads_per_process"] >= 1
    # 2 worlds cannot feed 3 processes: refused before anything runs.
    assert main([*argv[:-1], "1,3", "--out", str(tmp_path / "other.json")]) == 2
    assert "cannot be split over 3 processes" in capsys.readouterr().err
    assert not (tmp_path / "other.json").exists()


def test_training_curve_wall_minutes_skip_the_gap_of_a_resume() -> None:
    """bench/plot_training_curve.py: minutes of training before each update ended. Between
    consecutive records the clock difference counts; after a gap of more than a minute (a stop
    and a --resume) only the update's own rollout + learner seconds do."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "bench" / "plot_training_curve.py"
    spec = importlib.util.spec_from_file_location("plot_training_curve", path)
    assert spec is not None and spec.loader is not None
    curve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(curve)
    rows = [
        {"time": 1000.0, "rollout_seconds": 4.0, "update_seconds": 8.0},
        {"time": 1012.0, "rollout_seconds": 4.0, "update_seconds": 8.0},
        {"time": 1030.0, "rollout_seconds": 4.0, "update_seconds": 8.0},
        {"time": 5000.0, "rollout_seconds": 3.0, "update_seconds": 3.0},  # resumed later
        {"time": 5006.0, "rollout_seconds": 3.0, "update_seconds": 3.0},
    ]
    minutes = curve.wall_minutes(rows)
    expected_seconds = [12.0, 24.0, 42.0, 48.0, 54.0]
    assert minutes == pytest.approx([s / 60.0 for s in expected_seconds], rel=1e-12)


# --- bench/gpu_run.sh: its logic up to the GPU, on any machine ---

GPU_RUN = Path(__file__).resolve().parent.parent / "bench" / "gpu_run.sh"


def run_gpu_script(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "OUT": str(tmp_path / "out"), "ECHELON_SITE": str(tmp_path / "site")}
    full.update(env)
    return subprocess.run(
        ["bash", str(GPU_RUN), *args], env=full, capture_output=True, text=True, timeout=300
    )


def fake_tool(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


def test_gpu_run_dry_run_lists_every_stage_with_its_timeout(tmp_path: Path) -> None:
    r = run_gpu_script(tmp_path, "--dry-run", PYTHON=sys.executable)
    assert r.returncode == 0, r.stderr
    stages = [line.split(" (")[0] for line in r.stdout.splitlines() if line.startswith("[dry-run]")]
    assert stages[0] == "[dry-run] build" and "[dry-run] test" in stages
    assert "[dry-run] bench env cuda" in stages and "[dry-run] bench env cpu" in stages
    assert "-DCMAKE_CUDA_ARCHITECTURES" not in r.stdout  # passed through CMAKE_ARGS
    assert "-m cuda" in r.stdout and "--threads 16" in r.stdout and "bench train" in r.stdout


def test_gpu_run_without_a_gpu_says_so(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake_tool(bin_dir, "nvidia-smi", "echo 'NVIDIA-SMI has failed' >&2; exit 9")
    path = f"{bin_dir}:{os.environ['PATH']}"
    r = run_gpu_script(tmp_path, "test", PYTHON=sys.executable, PATH=path)
    assert r.returncode == 4
    assert "no NVIDIA GPU visible" in r.stderr


def test_gpu_run_names_missing_wheels(tmp_path: Path) -> None:
    python = fake_tool(
        tmp_path / "bin",
        "python",
        f'case "$*" in *"import gymnasium"*) exit 1;; esac\nexec {sys.executable} "$@"',
    )
    r = run_gpu_script(tmp_path, "test", PYTHON=str(python))
    assert r.returncode == 3
    assert "missing test dependencies: gymnasium" in r.stderr and "gpu_wheels.sh" in r.stderr


def test_gpu_run_stage_failure_stops_with_its_log(tmp_path: Path) -> None:
    """A fake GPU, an echelon without kernels and a build that fails: the build stage stops the
    script, with its exit status and the path of its full log."""
    bin_dir = tmp_path / "bin"
    fake_tool(bin_dir, "nvidia-smi", "echo 'Fake GPU, 1 MiB, 0'")
    python = fake_tool(
        bin_dir,
        "python",
        'case "$*" in *"c.has_cuda"*) exit 1;; *"pip install"*) echo build broke; exit 7;; esac\n'
        f'exec {sys.executable} "$@"',
    )
    path = f"{bin_dir}:{os.environ['PATH']}"
    r = run_gpu_script(tmp_path, "test", PYTHON=str(python), PATH=path)
    assert r.returncode == 7, r.stdout + r.stderr
    assert "== build: FAILED (exit 7)" in r.stdout
    log = tmp_path / "out" / "build.log"
    assert f"full log: {log}" in r.stdout and log.read_text().strip() == "build broke"
