"""Who writes replays: echelon eval --record, arena matches, and training's evaluations (with the
TensorBoard GIF); and the video render."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from echelon import EnvConfig, VecEnv
from echelon.cli import main
from echelon.replay import Replay, ReplayError

SMALL = ["--map-size", "32", "32", "10", "--episode-seconds", "5"]


def test_eval_record_writes_the_counted_episodes(tmp_path, capsys):
    out = tmp_path / "replays"
    args = ["eval", "--blue", "heuristic:2", "--red", "heuristic:1", "--matches", "3"]
    rc = main([*args, "--worlds", "2", *SMALL, "--record", str(out)])
    assert rc == 0
    files = sorted(out.glob("*.echrep"))
    assert len(files) == 3  # exactly the three counted matches (world 0: 2, world 1: 1)
    reps = [Replay.load(f) for f in files]
    assert all(r.complete and r.meta["blue"] == "heuristic:2" for r in reps)
    assert files[0].name.startswith("heuristic_2_vs_heuristic_1_w000_ep00000")
    assert "echelon replay view" in capsys.readouterr().out


def test_eval_record_refuses_a_file_and_creates_nothing(tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("x")
    rc = main(
        ["eval", "--blue", "heuristic:1", "--red", "heuristic:0", *SMALL, "--record", str(target)]
    )
    assert rc == 2
    assert "--record needs a folder" in capsys.readouterr().err
    assert target.read_text() == "x"


def test_match_runner_names_the_players_in_each_replay(tmp_path):
    from echelon.arena.match import MatchRunner

    class Still:
        def initial_state(self, n, device):
            from echelon.rl.lstm_state import LSTMState

            z = torch.zeros(1, n, 1)
            return LSTMState(z, z.clone())

        def act(self, obs, state, episode_start, deterministic=False):
            return torch.zeros(obs.shape[0], env.action_dim), state

    cfg = EnvConfig(map_size=(32, 32, 10), max_episode_seconds=3.0)
    env = VecEnv(cfg, num_worlds=2, seed=1, num_threads=1)
    env.record(worlds=range(2), episodes=None, directory=tmp_path, name="{blue}_vs_{red}_w{world}")
    runner = MatchRunner(env, lambda _id: Still())
    pairings = [("a", "b"), ("c", "d"), ("e", "f")]
    results = runner.play(pairings)
    assert len(results) == 3
    env.stop_recording(keep_partial=False)
    reps = [Replay.load(p) for p in env.replay_files]
    assert sorted((r.meta["blue"], r.meta["red"]) for r in reps) == pairings
    assert all(r.complete for r in reps)  # idle worlds at the end leave no replay
    assert {p.name.split("_w")[0] for p in env.replay_files} == {"a_vs_b", "c_vs_d", "e_vs_f"}


def test_training_writes_an_evaluation_replay_and_a_tensorboard_gif(tmp_path):
    from echelon.train import cli
    from echelon.train.config import resolve_config
    from echelon.train.run_logger import RunLogger
    from echelon.train.trainer import Trainer

    env_kwargs = {"map_size": [32, 32, 10], "max_episode_seconds": 4.0}
    cfg = resolve_config(
        "smoke",
        flags={
            "num_worlds": 2,
            "opponent": "heuristic:1",
            "env": env_kwargs,
            "eval_every": 1,
            "eval_worlds": 2,
            "eval_episodes": 2,
            "eval_video": True,
            "save_every": 0,
            "heatmap_every": 0,
            "run_dir": str(tmp_path),
            "ppo": {"rollout_steps": 16, "chunk_length": 8},
        },
    )
    logger = RunLogger(tmp_path, tensorboard=True, console=False)
    trainer = Trainer(cfg, cli.echelon_env_factory(env_kwargs), run_dir=tmp_path, logger=logger)
    trainer.train(2)
    logger.close()
    files = sorted((tmp_path / "replays").glob("*.echrep"))
    assert [f.name for f in files] == ["eval_update_000001.echrep", "eval_update_000002.echrep"]
    rep = Replay.load(files[1])
    assert rep.complete and rep.meta["update"] == 2 and rep.meta["source"] == "train-eval"
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(tmp_path / "tb"), size_guidance={"images": 0})
    acc.Reload()
    assert "eval/replay" in acc.Tags()["images"]
    gif = acc.Images("eval/replay")[-1].encoded_image_string
    assert gif[:6] in (b"GIF87a", b"GIF89a")


def test_eval_ladder_record_names_each_level_and_keeps_json_on_stdout(tmp_path, capsys):
    from echelon.train import cli
    from echelon.train.config import resolve_config
    from echelon.train.trainer import Trainer

    env_kwargs = {"map_size": [32, 32, 10], "max_episode_seconds": 3.0}
    cfg = resolve_config(
        "smoke",
        flags={
            "num_worlds": 1,
            "opponent": "heuristic:1",
            "env": env_kwargs,
            "eval_every": 0,
            "save_every": 1,
            "heatmap_every": 0,
            "run_dir": str(tmp_path / "run"),
            "ppo": {"rollout_steps": 8, "chunk_length": 8},
        },
    )
    Trainer(cfg, cli.echelon_env_factory(env_kwargs), run_dir=tmp_path / "run").train(1)
    out = tmp_path / "replays"
    out.mkdir()
    argv = ["eval", str(tmp_path / "run"), "--ladder", "--matches", "1", "--worlds", "1"]
    assert main([*argv, "--record", str(out), "--json"]) == 0
    captured = capsys.readouterr()
    reports = json.loads(captured.out)  # the replay note went to stderr
    assert [r["red"] for r in reports] == [f"heuristic:{n}" for n in range(5)]
    assert all(r["replays"] == 1 for r in reports)
    names = sorted(f.name for f in out.glob("*.echrep"))
    assert names == [f"eval_heuristic_{n}_w000_ep00000.echrep" for n in range(5)]
    assert "5 replays in" in captured.err


def _replay(seconds: float = 6.0) -> Replay:
    cfg = EnvConfig(
        map_size=(32, 32, 10), blue="heuristic:3", red="heuristic:3", max_episode_seconds=seconds
    )
    env = VecEnv(cfg, num_worlds=1, seed=2, num_threads=1)
    env.record(worlds=0, episodes=1)
    env.reset()
    actions = torch.zeros(1, env.num_agents, env.action_dim)
    for _ in range(int(seconds * 4) + 1):
        env.step(actions)
    (rep,) = env.take_replays()
    return rep


def test_render_gif_and_mp4(tmp_path, capsys):
    from PIL import Image

    from echelon.replay.render import RenderOptions, TopDownRenderer, frame_times

    rep = _replay()
    rep.save(tmp_path / "m.echrep")
    opts = RenderOptions(fps=4.0, speed=2.0, scale=4)
    times = frame_times(rep, opts)
    assert times[0] == 0 and times[-1] == pytest.approx((rep.frames - 1) * rep.decision_seconds)
    renderer = TopDownRenderer(rep, 4)
    a, b = np.asarray(renderer.frame(0.0)), np.asarray(renderer.frame(times[-1]))
    assert a.shape == (32 * 4 + 46, 32 * 4, 3) and a.std() > 10
    assert np.abs(a.astype(int) - b.astype(int)).sum() > 0  # the match moved
    assert (
        main(
            [
                "replay",
                "render",
                str(tmp_path),
                "--out",
                str(tmp_path / "m.gif"),
                "--fps",
                "4",
                "--scale",
                "4",
            ]
        )
        == 0
    )
    with Image.open(tmp_path / "m.gif") as gif:
        assert gif.n_frames == len(frame_times(rep, RenderOptions(fps=4.0, scale=4)))
    pytest.importorskip("imageio_ffmpeg")
    assert (
        main(
            [
                "replay",
                "render",
                str(tmp_path / "m.echrep"),
                "--out",
                str(tmp_path / "m.mp4"),
                "--fps",
                "4",
                "--speed",
                "2",
            ]
        )
        == 0
    )
    head = (tmp_path / "m.mp4").read_bytes()[:12]
    assert head[4:8] == b"ftyp"
    assert "top-down" in capsys.readouterr().out


def test_render_and_info_refuse_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.echrep"
    bad.write_bytes(b"\x89ECHREP\n\x01\x00\x00\x00")
    assert main(["replay", "render", str(bad), "--out", str(tmp_path / "x.gif")]) == 2
    assert "truncated" in capsys.readouterr().err
    assert not (tmp_path / "x.gif").exists()
    assert main(["replay", "info", str(bad)]) == 2
    rep = _replay(2.0)
    rep.save(tmp_path / "ok.echrep")
    assert (
        main(["replay", "render", str(tmp_path / "ok.echrep"), "--out", str(tmp_path / "x.avi")])
        == 2
    )
    assert ".gif or .mp4" in capsys.readouterr().err
    assert main(["replay", "info", str(tmp_path / "ok.echrep"), "--json"]) == 0
    with pytest.raises(ReplayError):
        Replay.load(bad)


def test_the_viewer_files_ship_in_the_package():
    from echelon.replay.server import _static_files

    files = _static_files()
    for name in (
        "index.html",
        "viewer.css",
        "js/main.js",
        "js/replay_file.js",
        "three/three.module.js",
        "three/three.core.js",
        "three/OrbitControls.js",
        "three/LICENSE",
    ):
        assert name in files, name
    assert "MIT" in Path(files["three/LICENSE"]).read_text()
    html = Path(files["index.html"]).read_text()
    assert "http://" not in html and "https://" not in html  # nothing from a CDN
