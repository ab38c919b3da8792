"""``echelon bench replay`` runs end to end at tiny sizes (the speed itself is measured by the
bench, never asserted in tests)."""

from __future__ import annotations

import json

from echelon.bench.replay_bench import MODES, bench_recorder_cost
from echelon.cli import main
from echelon.config import EnvConfig


def test_recorder_cost_rounds_cover_every_mode():
    cfg = EnvConfig(map_size=(32, 32, 10), blue="heuristic:1", red="heuristic:1")
    r = bench_recorder_cost(cfg, worlds=2, threads=1, steps=4, rounds=2, chunk=2)
    assert set(r.ms_per_step) == set(MODES)
    assert all(len(v) == 2 and all(x > 0 for x in v) for v in r.ms_per_step.values())


def test_bench_replay_cli_writes_sizes_and_costs(tmp_path, capsys):
    out = tmp_path / "replay.json"
    argv = ["bench", "replay", "--worlds", "2", "--steps", "4", "--rounds", "1"]
    assert main([*argv, "--map-size", "32", "32", "10", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["benchmark"] == "replay" and "machine" in data
    assert set(data["cost"]["ms_per_step_median"]) == set(MODES)
    assert data["sizes"][0]["label"] == "random actions (external)"
    assert all(s["bytes"] > 1000 and s["frames"] > 1 for s in data["sizes"])
    assert "µs per recorded world-step" in capsys.readouterr().out
