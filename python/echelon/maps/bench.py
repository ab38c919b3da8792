"""Map generator and navigation benchmark: maps/s per size on one thread, nav graph build time
per class, A* query time, and the cost of a world reset with procedural vs simple maps.

Timings are wall-clock medians/means over seeds, taken through the Python bindings (the binding
copies the voxels in and out, which is included and small next to the work measured).
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from echelon import _core
from echelon.env.numpy_buffers import bind_numpy_buffers
from echelon.fileio import write_atomic

SIZES: tuple[tuple[int, int, int], ...] = ((100, 100, 20), (200, 200, 24))
CLASS_NAMES = ("scout", "light", "medium", "heavy")


def describe_machine() -> dict[str, Any]:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "threads_used": 1,
    }


def bench_generation(size: tuple[int, int, int], seeds: int) -> dict[str, Any]:
    times = []
    fixups = 0
    for s in range(seeds):
        t0 = time.perf_counter()
        d = _core.generate_terrain(size, s, 1)
        times.append(time.perf_counter() - t0)
        fixups += len(d["fixups"])
    arr = np.array(times)
    return {
        "size": list(size),
        "maps": seeds,
        "maps_per_s": float(seeds / arr.sum()),
        "mean_ms": float(arr.mean() * 1e3),
        "p95_ms": float(np.percentile(arr, 95) * 1e3),
        "fixups_per_map": fixups / seeds,
    }


def bench_nav(size: tuple[int, int, int], seeds: int, queries: int) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    build_ms: dict[str, list[float]] = {c: [] for c in CLASS_NAMES}
    nodes: dict[str, list[int]] = {c: [] for c in CLASS_NAMES}
    astar_us: list[float] = []
    expanded: list[int] = []
    for s in range(seeds):
        vox = _core.generate_terrain(size, s, 1)["voxels"]
        for ci, name in enumerate(CLASS_NAMES):
            t0 = time.perf_counter()
            g = _core.NavGraph.for_class(vox, ci)
            build_ms[name].append((time.perf_counter() - t0) * 1e3)
            nodes[name].append(g.node_count)
            if name != "medium":
                continue
            ids = g.nodes()[:, 0]
            for _ in range(queries):
                a, b = (int(v) for v in rng.choice(ids, 2, replace=False))
                t0 = time.perf_counter()
                p = g.find_path(a, b)
                astar_us.append((time.perf_counter() - t0) * 1e6)
                expanded.append(int(p["expanded"]))
    return {
        "size": list(size),
        "build_ms": {c: float(np.mean(v)) for c, v in build_ms.items()},
        "nodes": {c: float(np.mean(v)) for c, v in nodes.items()},
        "astar_us_mean": float(np.mean(astar_us)),
        "astar_us_p95": float(np.percentile(astar_us, 95)),
        "astar_expanded_mean": float(np.mean(expanded)),
        "astar_queries": len(astar_us),
    }


def bench_reset(map_type: str, worlds: int, repeats: int) -> dict[str, Any]:
    cfg = _core.SimConfig()
    cfg.map_type = getattr(_core.MapType, map_type)
    sim = _core.BatchSim(cfg, worlds, 0, 1)
    bind_numpy_buffers(sim)  # the sim keeps its buffers alive
    t0 = time.perf_counter()
    for _ in range(repeats):
        sim.reset()
    dt = time.perf_counter() - t0
    return {"map_type": map_type, "ms_per_world_reset": float(dt / (repeats * worlds) * 1e3)}


def run_bench(seeds: int = 40, quick: bool = False) -> dict[str, Any]:
    n = 4 if quick else seeds
    return {
        "machine": describe_machine(),
        "generation": [bench_generation(s, n if s[0] <= 100 else max(2, n // 4)) for s in SIZES],
        "nav": [bench_nav(s, 2 if quick else 5, 20 if quick else 100) for s in SIZES],
        "reset": [bench_reset(t, 8, 2 if quick else 5) for t in ("simple", "procedural")],
    }


def format_table(r: dict[str, Any]) -> str:
    m = r["machine"]
    lines = [f"machine: {m['cpu']} ({m['logical_cores']} logical cores), 1 thread", ""]
    lines.append(f"{'map size':>14} | {'maps/s':>8} | {'mean ms':>8} | {'p95 ms':>8} | fix-ups/map")
    for g in r["generation"]:
        size = "x".join(map(str, g["size"]))
        lines.append(
            f"{size:>14} | {g['maps_per_s']:8.1f} | {g['mean_ms']:8.2f} | {g['p95_ms']:8.2f} | "
            f"{g['fixups_per_map']:.2f}"
        )
    lines.append("")
    lines.append(
        f"{'map size':>14} | nav build ms (scout/light/medium/heavy) | nodes (medium) | "
        "A* us mean / p95 (expanded)"
    )
    for nv in r["nav"]:
        size = "x".join(map(str, nv["size"]))
        b = " / ".join(f"{nv['build_ms'][c]:.2f}" for c in CLASS_NAMES)
        lines.append(
            f"{size:>14} | {b:>39} | {nv['nodes']['medium']:14.0f} | "
            f"{nv['astar_us_mean']:.0f} / {nv['astar_us_p95']:.0f} "
            f"({nv['astar_expanded_mean']:.0f})"
        )
    lines.append("")
    for rs in r["reset"]:
        lines.append(
            f"world reset, {rs['map_type']:>10} map 100x100x20: {rs['ms_per_world_reset']:.2f} ms"
        )
    return "\n".join(lines)


def write_json(result: dict[str, Any], path: Path) -> None:
    """Atomic write into an existing folder (``echelon.fileio.write_atomic``)."""
    write_atomic(path, json.dumps(result, indent=2, sort_keys=True) + "\n")
